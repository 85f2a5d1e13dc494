"""`improvenet measures`: measure data from the command line."""

from pathlib import Path
from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django

app = typer.Typer(help="Import measure data.", no_args_is_help=True)


@app.command("import")
def import_values(
    file: Annotated[Path, typer.Argument(help="A CSV or XLSX file: school, period, numerator, denominator (or value).",
                                         exists=True, dir_okay=False, readable=True)],
    measure: Annotated[str, typer.Option("--measure", help="The measure's short name.")],
    cluster: Annotated[str, typer.Option("--cluster", help="The cluster's short name.")],
) -> None:
    """Check every row of FILE, then save all of them or none (as the upload page does).

    Runs as the operator (no user account); the import is logged with the measure. A period a
    school already has is corrected, so importing the same file again changes nothing. Exits
    with code 1 and lists each bad row when any row has a problem.
    """
    setup_django()
    from django.db import transaction
    from django_scopes import scope

    from improvenet.measures.models import ImportLog, Measure
    from improvenet.measures.services import import_file
    from improvenet.measures.upload import UploadFileError
    from improvenet.network.models import Cluster

    cluster_obj = Cluster.objects.filter(slug=cluster).first()
    if cluster_obj is None:
        fail(f"There is no cluster named “{cluster}”.")
    with scope(cluster=cluster_obj):
        measure_obj = Measure.objects.filter(slug=measure).first()
        if measure_obj is None:
            fail(f"The cluster “{cluster_obj}” has no measure named “{measure}”.")
        try:
            with transaction.atomic(), file.open("rb") as content:
                report = import_file(measure_obj, content, file.name, user=None, source=ImportLog.Source.CLI)
        except UploadFileError as error:
            fail(str(error))
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"row {problem.row}: {problem.message}", err=True)
        fail(report.summary)
    typer.echo(report.summary)
