"""`improvenet data`, `improvenet metrics` and `improvenet analyze`: the longitudinal data store.

Every command that reads or writes student data names the cluster and the account it acts as:
reads are checked against that account's data use agreements and written to the audit log.
"""

import io
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django

app = typer.Typer(help="Load, synthesize and opt students out of the longitudinal data store.", no_args_is_help=True)
analyze_app = typer.Typer(help="Analyses of the cluster's schools against comparison schools.", no_args_is_help=True)

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="The DuckDB store file, instead of the cluster's own store "
                                 "(IMPROVENET_ANALYTICS_STORE/<cluster>.duckdb). A file named here is not "
                                 "kept apart per cluster: keeping one cluster's students out of another's "
                                 "store is then up to you."),
]
ClusterOption = Annotated[str, typer.Option("--cluster", help="The cluster's short name.")]
UserOption = Annotated[str, typer.Option("--user", "-u", help="The account the command acts as (audited).")]
FORMATS = ("bundle", "edfi-xml", "oneroster", "sdp", "parquet")


def _progress(step: str, done: int, total: int) -> None:
    typer.echo(f"[{done}/{total}] {step}", err=True)


@contextmanager
def _as_user_in_cluster(username: str, cluster: str):
    """The account and the cluster's Access for it, with the cluster's scope open; clear errors otherwise."""
    from django.contrib.auth import get_user_model
    from django.http import Http404

    from improvenet.network.access import in_cluster

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"There is no active account named “{username}”.")
    try:
        with in_cluster(user, cluster) as access:
            yield user, access
    except Http404:
        fail(f"There is no cluster named “{cluster}” that {username} may read.")


def _refusals():
    """The errors a command reports in one line, without a traceback."""
    from django.core.exceptions import PermissionDenied

    from improvenet.analytics.engines import EngineError
    from improvenet.analytics.metrics import MetricError
    from improvenet.data.services import DataSetupError

    return (PermissionDenied, DataSetupError, EngineError, MetricError, ValueError)


@app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="The folder of files to load.", exists=True)],
    cluster: ClusterOption,
    user: UserOption,
    store: StoreOption = None,
    source_format: Annotated[
        str | None, typer.Option("--format", help=f"One of {', '.join(FORMATS)}; detected when not given.")
    ] = None,
) -> None:
    """Check every row of PATH and load it into the store, all or nothing.

    Ids are replaced by keyed pseudonyms (IMPROVENET_PSEUDONYM_KEY or IMPROVENET_PSEUDONYM_KEY_FILE
    must be set). Loading the same files again changes nothing. Exits with code 1 and lists the
    problems, each with its file and line, when anything is wrong; then nothing is written.
    """
    if source_format is not None and source_format not in FORMATS:
        fail(f"“{source_format}” is not a format: choose one of {', '.join(FORMATS)}.")
    setup_django()
    from improvenet.data import services
    from improvenet.data.models import AuditEvent, DataLoad

    with _as_user_in_cluster(user, cluster) as (account, access):
        try:
            outcome = services.load(account, access, path, source_format=source_format, channel=AuditEvent.Channel.CLI,
                                    progress=_progress, store=store)
        except _refusals() as refused:
            fail(str(refused))
    for line in outcome.lines[1:] if outcome.record.status == DataLoad.Status.REFUSED else outcome.lines:
        typer.echo(line, err=outcome.record.status == DataLoad.Status.REFUSED)
    if outcome.record.status == DataLoad.Status.REFUSED:
        fail(outcome.lines[0])
    # The pages answer from kept results: compute them now rather than on the first reader's visit.
    import duckdb

    with _as_user_in_cluster(user, cluster) as (account, access):
        try:
            services.warm_results(access.obj, progress=_progress, store=store)
        except (*_refusals(), duckdb.Error) as problem:
            typer.echo(f"The metrics will be computed on their first read instead: {problem}", err=True)


@app.command("export-parquet")
def export_parquet(
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for one <table>.parquet per table.")],
    cluster: ClusterOption,
    user: UserOption,
    store: StoreOption = None,
) -> None:
    """Write the cluster's store as Parquet files: pseudonymized rows, opt-outs, never names or the key.

    For analysts' tools and for Spark (`--engine spark` reads the same tables). Audited. Load the
    folder into another store with `improvenet data load FOLDER --format parquet`.
    """
    setup_django()
    from improvenet.analytics.store import StoreError
    from improvenet.data import services
    from improvenet.data.models import AuditEvent

    with _as_user_in_cluster(user, cluster) as (account, access):
        try:
            written = services.export_parquet(account, access, out, channel=AuditEvent.Channel.CLI, store=store)
        except (*_refusals(), StoreError) as refused:
            fail(str(refused))
    for name, rows in written.items():
        typer.echo(f"{name}.parquet: {rows:,} rows")
    typer.echo(f"Wrote the store of {cluster} to {out}.")


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="The folder to write the bundle into.")],
    students: Annotated[int, typer.Option("--students", min=1, help="About how many students a year.")] = 5000,
    years: Annotated[int, typer.Option("--years", min=1, max=20, help="How many school years.")] = 6,
    seed: Annotated[int, typer.Option("--seed", help="The same seed writes the same files.")] = 2026,
    first_year: Annotated[
        int, typer.Option("--first-year", help="The calendar year in which the first school year ends.")
    ] = 2020,
    improvement_start_year: Annotated[
        int | None,
        typer.Option("--improvement-start-year", help="From this school year the innovation schools improve."),
    ] = None,
) -> None:
    """Write a realistic synthetic district as a flat CSV bundle (docs/data.md). No real student is in it."""
    from improvenet.analytics.synth import synthesize

    try:
        result = synthesize(students, years, seed, out, first_year=first_year,
                            improvement_start_year=improvement_start_year, progress=_progress)
    except (OSError, ValueError) as error:
        fail(str(error))
    for name, rows in result.rows.items():
        typer.echo(f"{name}: {rows:,} rows")
    typer.echo(f"Wrote a district of {len(result.schools)} schools to {result.folder} in {result.seconds:.1f} s.")


@app.command("keygen")
def keygen(
    path: Annotated[Path, typer.Argument(help="The key file to create (never overwritten).")],
) -> None:
    """Create a new pseudonym key file, readable by its owner only; point IMPROVENET_PSEUDONYM_KEY_FILE at it.

    Keep the key safe and keep it the same: data loaded under one key does not link up with data
    loaded under another.
    """
    from improvenet.analytics.pseudonym import PseudonymKeyError, generate_key_file

    try:
        written = generate_key_file(path)
    except (PseudonymKeyError, OSError) as error:
        fail(str(error))
    typer.echo(f"Wrote a new pseudonym key to {written} (mode 600). Set IMPROVENET_PSEUDONYM_KEY_FILE={written}.")


@app.command("opt-out")
def opt_out(
    student_id: Annotated[str, typer.Argument(help="The student's id in the district's files.")],
    cluster: ClusterOption,
    user: UserOption,
    store: StoreOption = None,
) -> None:
    """Record a family's opt-out: the student's rows leave the store and later loads skip them."""
    setup_django()
    from improvenet.data import services
    from improvenet.data.models import AuditEvent

    with _as_user_in_cluster(user, cluster) as (account, access):
        try:
            removed = services.opt_out(account, access, student_id, channel=AuditEvent.Channel.CLI, store=store)
        except _refusals() as refused:
            fail(str(refused))
    typer.echo(f"Recorded the opt-out; {removed} rows of this student were removed from the store.")


def metrics(
    name: Annotated[str, typer.Argument(help="chronic-absenteeism, graduation-rate, on-track or teacher-retention.")],
    cluster: ClusterOption,
    user: UserOption,
    store: StoreOption = None,
    min_n: Annotated[int, typer.Option("--min-n", min=1, help="Rows with fewer students are suppressed.")] = 10,
    out: Annotated[Path | None, typer.Option("--out", help="Write the rows to this CSV file.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb, or spark (IMPROVENET_SPARK_MASTER).")] = "duckdb",
    school_year: Annotated[int | None, typer.Option("--school-year", help="One school year (chronic-absenteeism, "
                                                                          "on-track).")] = None,
    cohort_year: Annotated[int | None, typer.Option("--cohort-year", help="graduation-rate: the cohort's "
                                                                          "first grade-9 year.")] = None,
    min_enrolled_days: Annotated[int | None, typer.Option("--min-enrolled-days", help="chronic-absenteeism: "
                                                                                      "default 10.")] = None,
    threshold: Annotated[float | None, typer.Option("--threshold", help="chronic-absenteeism: share of enrolled "
                                                                        "days absent; default 0.10.")] = None,
    view: Annotated[str | None, typer.Option("--view", help="teacher-retention: shares or curves.")] = None,
) -> None:
    """Compute a metric (docs/metrics.md) for the cluster's schools and the district, small cells suppressed.

    Prints CSV, or writes it to --out. The read is checked against your data use agreements and audited.
    """
    setup_django()
    import pyarrow.csv as pacsv

    from improvenet.analytics.metrics import METRICS
    from improvenet.data import services
    from improvenet.data.models import AuditEvent
    from improvenet.lib.spreadsheet import safe_table

    if name not in METRICS:
        fail(f"There is no metric named “{name}”; the metrics are {', '.join(METRICS)}.")
    given = {"school_year": school_year, "cohort_year": cohort_year, "min_enrolled_days": min_enrolled_days,
             "threshold": threshold, "view": view}
    known = {option.name for option in METRICS[name].options}
    wrong = sorted(f"--{key.replace('_', '-')}" for key, value in given.items()
                   if value is not None and key not in known)
    if wrong:
        fail(f"{name} has no option {', '.join(wrong)}.")
    options = {key: value for key, value in given.items() if value is not None}
    with _as_user_in_cluster(user, cluster) as (account, access):
        try:
            result = services.read_metric(account, access, name, options, channel=AuditEvent.Channel.CLI,
                                          min_n=min_n, engine=engine, store=store)
        except _refusals() as refused:
            fail(str(refused))
    table = safe_table(result.table)
    if out:
        pacsv.write_csv(table, out)
        typer.echo(f"Wrote {table.num_rows} rows to {out}.", err=True)
    else:
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer)
        typer.echo(buffer.getvalue().decode(), nl=False)


@analyze_app.command("did")
def did(
    metric: Annotated[str, typer.Option("--metric", help="chronic-absenteeism, graduation-rate or on-track.")],
    start_year: Annotated[int, typer.Option("--start-year", help="The first school year of the cluster's work.")],
    cluster: ClusterOption,
    user: UserOption,
    treated_role: Annotated[str, typer.Option("--treated-role", help="The schools compared with the comparison "
                                                                     "schools.")] = "innovation",
    store: StoreOption = None,
) -> None:
    """Difference-in-differences of the metric: the cluster's schools of one role against its comparison schools.

    School and year fixed effects, standard errors clustered by school, and an event study by year.
    """
    setup_django()
    from improvenet.analytics.did import DidInputError
    from improvenet.data import services
    from improvenet.data.models import AuditEvent

    with _as_user_in_cluster(user, cluster) as (account, access):
        try:
            outcome = services.analyze_did(account, access, metric, treated_role=treated_role, start_year=start_year,
                                           channel=AuditEvent.Channel.CLI, store=store)
        except (*_refusals(), DidInputError) as refused:
            fail(str(refused))
    result = outcome.result
    effect = result.effect
    typer.echo(f"{metric}: {result.treated_schools} {treated_role} schools against {result.comparison_schools} "
               f"comparison schools, from {start_year}.")
    typer.echo(f"Estimated effect on the rate: {effect.coefficient:+.4f} "
               f"(95% interval {effect.ci_low:+.4f} to {effect.ci_high:+.4f}; standard error {effect.std_error:.4f}, "
               f"clustered by school).")
    typer.echo("Event study (year: effect [95% interval]):")
    for point in result.event_study:
        note = " (reference year)" if point.reference else ""
        typer.echo(f"  {point.school_year}: {point.coefficient:+.4f} [{point.ci_low:+.4f}, {point.ci_high:+.4f}]{note}")
    for caveat in result.caveats:
        typer.echo(f"Caveat: {caveat}")
