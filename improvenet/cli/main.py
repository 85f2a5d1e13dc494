"""The `improvenet` command: one Typer application, commands registered from their modules."""

import typer

from improvenet.cli import (
    archive,
    convenings,
    data,
    invite,
    measures,
    meta,
    notifications,
    reminders,
    server,
    spc,
    study,
    tokens,
)

app = typer.Typer(
    name="improvenet",
    help="improvenet: run an education improvement network from the command line.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"max_content_width": 100},
)

app.command("serve")(server.serve)
app.command("migrate")(server.migrate)
app.command("demo")(server.demo)
app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    server.manage
)
app.add_typer(tokens.app, name="token")
app.command("spc")(spc.spc)
app.command("meta")(meta.meta)
app.add_typer(study.app, name="study")
app.add_typer(measures.app, name="measures")
app.add_typer(data.app, name="data")
app.command("metrics")(data.metrics)
app.add_typer(data.analyze_app, name="analyze")
app.command("export")(archive.export_cluster)
app.command("import")(archive.import_archive)
app.add_typer(reminders.app, name="reminders")
app.command("invite")(invite.invite)
app.add_typer(notifications.app, name="notifications")
app.add_typer(convenings.app, name="convenings")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
