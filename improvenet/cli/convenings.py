"""`improvenet convenings`: keep what each convening saw, on its day, for a scheduler to run."""

from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django

app = typer.Typer(help="Convenings: keep what each one saw, for a scheduler (cron, a systemd timer) to run.",
                  no_args_is_help=True)


@app.command("keep")
def keep(
    cluster: Annotated[str | None, typer.Option("--cluster", help="Only this cluster (its short name); "
                                                                  "all current clusters when left out.")] = None,
) -> None:
    """Keep the evidence levels and pooled effects that each cluster's latest convening saw, once its day has come.

    Run it once a day: the cluster's overview names the evidence levels that changed since the last convening,
    and the next convening's packet the pooled effects that changed, by comparing with what was kept. A
    convening already kept is left as it is; running it again, or twice at once, keeps nothing twice.
    """
    setup_django()
    from django.utils import timezone

    from improvenet.convenings.keeping import keep_due
    from improvenet.network.models import Cluster, current_on

    clusters = list(Cluster.objects.filter(slug=cluster) if cluster else
                    Cluster.objects.filter(current_on()).order_by("name"))
    if cluster and not clusters:
        fail(f"There is no cluster named “{cluster}”.")
    kept = keep_due(clusters, timezone.localdate())
    for each in kept:
        typer.echo(f"{each.convening.cluster.name}: kept what “{each.convening}” saw: {each.levels} evidence "
                   f"level{'' if each.levels == 1 else 's'} changed since the levels kept before, {each.pooled} "
                   f"pooled effect{'' if each.pooled == 1 else 's'}.")
    typer.echo(f"Kept {len(kept)} convening{'' if len(kept) == 1 else 's'}; "
               f"{len(clusters) - len(kept)} cluster{'' if len(clusters) - len(kept) == 1 else 's'} had nothing "
               "new to keep.")
