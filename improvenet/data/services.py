"""Between the web database and the analytics store: loads, reads under an agreement, and the audit log.

Pages, API routes and the command line all go through these functions, so that every read of
student-level data is checked the same way and written to the audit log the same way.

Who may read what (docs/data.md):
- the district's own people — the cluster lead, network admins and the current members of the
  cluster's longitudinal data team who are not there as researchers — read suppressed aggregates
  of the cluster's schools;
- everyone else reads them only under an active data use agreement naming them that covers the
  metric's fields and the cluster's schools;
- every read, by anyone, writes an AuditEvent; loads write a DataLoad.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from improvenet import conf
from improvenet.data import unzip
from improvenet.data.models import AgreementRefused, AuditEvent, DataLoad, DataRequest, DataUseAgreement
from improvenet.lib.limits import check_lines, require_size
from improvenet.network import access as acc
from improvenet.network.models import Cluster, ClusterRole, School, Team, current_on

# The store's libraries (DuckDB, Arrow, narwhals) load in the functions that read or write a store: the pages and
# commands that only check who may read (every app's access helpers use these) start without them.
if TYPE_CHECKING:
    import pyarrow as pa

    from improvenet.analytics.pseudonym import Pseudonymizer

Progress = Callable[[str, int, int], None]

# The store fields each metric reads, which an agreement must permit (docs/metrics.md).
GROUP_FIELDS = ("student.sex", "student.race_ethnicity", "student.ell", "student.sped", "student.frl")
METRIC_FIELDS: dict[str, frozenset[str]] = {
    "chronic-absenteeism": frozenset(
        GROUP_FIELDS + ("student_school_association.*", "calendar_date.*", "student_school_attendance_event.*")
    ),
    "graduation-rate": frozenset(GROUP_FIELDS + ("student_school_association.*",)),
    "on-track": frozenset(GROUP_FIELDS + ("student_school_association.*", "course_mark.*")),
    "teacher-retention": frozenset(("staff_school_association.*",)),
}


class DataSetupError(Exception):
    """The store or its key is not set up, or the store is busy; the message says what to do."""


def store_folder() -> Path:
    configured = conf.read("IMPROVENET_ANALYTICS_STORE")
    return Path(configured).resolve() if configured else conf.var_dir() / "analytics"


def store_path(cluster: Cluster, folder: Path | None = None) -> Path:
    """The cluster's own store: one file per cluster, so no read, load or count ever sees another's students."""
    return (folder or store_folder()) / f"{cluster.slug}.duckdb"


def demo_key_path() -> Path:
    return conf.var_dir() / "pseudonym-key"


def pseudonymizer(for_demo: bool = False) -> Pseudonymizer:
    """The pseudonymizer from the configured key.

    In demo mode, or for loading the demo's synthetic students (`for_demo`), a key is generated once
    under the var folder when none is configured.
    """
    from improvenet.analytics.pseudonym import Pseudonymizer, generate_key_file, load_key

    environ = dict(os.environ)
    configured = conf.read("IMPROVENET_PSEUDONYM_KEY") or conf.read("IMPROVENET_PSEUDONYM_KEY_FILE")
    if not configured and (for_demo or conf.flag("IMPROVENET_DEMO")):
        if not demo_key_path().exists():
            generate_key_file(demo_key_path())
        environ["IMPROVENET_PSEUDONYM_KEY_FILE"] = str(demo_key_path())
    try:
        return Pseudonymizer(load_key(environ))
    except ValueError as error:
        raise DataSetupError(str(error)) from None


# Who may do what ---------------------------------------------------------------------------------


def is_data_team_member(user, cluster: Cluster) -> bool:
    return acc.is_current_team_member(user, cluster, Team.Kind.DATA)


def is_district_reader(user, access) -> bool:
    """The lead, network admins and the data team read aggregates under the district's own authority.

    A researcher reads only under a data use agreement, even as a member of the data team.
    """
    if access.can_change:
        return True
    return access.role != ClusterRole.Role.RESEARCHER and is_data_team_member(user, access.obj)


def may_load(user, access) -> bool:
    return access.can_change or is_data_team_member(user, access.obj)


def may_read_audit_log(access) -> bool:
    return access.can_change


def may_read_student_data(user, access) -> bool:
    """Whether any student-level page is open to the user: district readers, or an active agreement."""
    return is_district_reader(user, access) or DataUseAgreement.objects.filter(
        current_on(), cluster=access.obj, researchers=user,
        starts_on__lte=timezone.localdate(), expires_on__gte=timezone.localdate(),
    ).exists()


def require_student_data(user, access) -> None:
    if not may_read_student_data(user, access):
        raise PermissionDenied(
            "Student-level data is open to the cluster lead, the data team, and researchers with an active "
            "data use agreement that names them."
        )


def authorize(user, access, fields: frozenset[str]) -> DataUseAgreement | None:
    """The agreement under which the user reads `fields` of the cluster's schools (None for district readers).

    Raises PermissionDenied with the agreement's shortfall when nothing covers the read.
    """
    if is_district_reader(user, access):
        return None
    schools = frozenset(School.objects.filter(current_on()).values_list("pk", flat=True))
    try:
        return DataUseAgreement.covering(user, access.obj, DataRequest(fields, schools, timezone.localdate()))
    except AgreementRefused as refused:
        raise PermissionDenied(str(refused)) from None


def audit(user, access, *, channel: str, action: str, detail: dict,
          agreement: DataUseAgreement | None) -> AuditEvent:
    return AuditEvent.objects.create(
        cluster=access.obj, user=user, username=user.get_username(), channel=channel, action=action,
        detail=detail, agreement=agreement,
    )


# Schools: the store names them by the district's id, the web database by its records -----------


def store_school_ids() -> dict[str, School]:
    """The cluster's schools by the id the district's files use: the state id, else the NCES id."""
    schools = {}
    for school in School.objects.filter(current_on()).order_by("name"):
        for key in (school.state_id, school.nces_id):
            if key:
                schools.setdefault(key, school)
    return schools


DISTRICT_ROW = "ALL"


def _cluster_rows(table: pa.Table, schools: dict[str, School]) -> pa.Table:
    """Only the rows of the cluster's schools and of the district."""
    import pyarrow as pa

    if "school_id" not in table.column_names:
        return table
    keep = pa.array([school_id in schools or school_id == DISTRICT_ROW
                     for school_id in table.column("school_id").to_pylist()], pa.bool_())
    return table.filter(keep)


# Loading -----------------------------------------------------------------------------------------

# What one load may hold (docs/data.md): all its files together, as a zip upload may unpack to, and each
# line of its CSV and text files (a district's row is far shorter; a longer line is a wrong file).
MAX_LOAD_BYTES = unzip.MAX_BYTES
MAX_LINE_BYTES = 64 * 1024
LINE_FILES = (".csv", ".txt", ".tsv")


@dataclass
class LoadOutcome:
    record: DataLoad
    lines: list[str]


def load(user, access, path: Path, *, source_format: str | None = None, channel: str,
         progress: Progress | None = None, store: Path | None = None) -> LoadOutcome:
    """Load a bundle or a converted export into the store, all or nothing, and record the load.

    A refused load (bad rows, unknown layout) is recorded with its problems, each naming its file and
    line, and writes nothing to the store.
    """
    import duckdb

    from improvenet.analytics import bundle as bundle_io
    from improvenet.analytics.formats import convert
    from improvenet.analytics.store import Store

    if not may_load(user, access):
        raise PermissionDenied("Loads are for the cluster lead and the longitudinal data team.")
    keys = pseudonymizer()
    path = Path(path)
    record = DataLoad.objects.create(cluster=access.obj, user=user, source=path.name, format=source_format or "",
                                     channel=channel)
    try:
        check_sizes(path)
        record.format = source_format or _detect(path)
        identities, notes = None, []
        if record.format == "parquet":
            report = Store(store or store_path(access.obj)).import_parquet(path, progress=progress)
            return _loaded(record, report, [])
        if record.format == "bundle":
            checked = bundle_io.read_bundle(path, progress)
        else:
            converted = convert(path, record.format)
            notes = list(converted.notes)
            if converted.errors:
                return _refused(record, [str(error) for error in converted.errors], notes)
            checked = bundle_io.validate_tables(converted.tables, path.name, progress)
            identities = converted.identities
        report = Store(store or store_path(access.obj)).load(
            checked, keys, source=path.name, identities=identities,
            encrypt_identities=conf.flag("IMPROVENET_ENCRYPT_IDENTIFIERS"), progress=progress,
        )
    except bundle_io.BundleError as invalid:
        return _refused(record, [str(issue) for issue in invalid.issues], [], total=invalid.total)
    except (ValueError, OverflowError) as refused:
        return _refused(record, [str(refused)], [])
    except duckdb.Error as busy:
        return _refused(record, [store_busy(busy)], [])
    return _loaded(record, report, notes)


def check_sizes(path: Path) -> None:
    """Refuse files that together pass MAX_LOAD_BYTES, or a text file with a line longer than MAX_LINE_BYTES,
    before any is read whole (TooLarge names the file, the line and the limit)."""
    files = [path] if path.is_file() else sorted(file for file in path.rglob("*") if file.is_file())
    require_size(path.name, sum(file.stat().st_size for file in files), MAX_LOAD_BYTES, "the files of one load")
    for file in files:
        if file.suffix.lower() in LINE_FILES:
            with file.open("rb") as binary:
                check_lines(binary, str(file.relative_to(path)) if file != path else file.name, MAX_LINE_BYTES)


def _detect(path: Path) -> str:
    """The format of a folder: a store's Parquet export, or one of the formats the converters know."""
    from improvenet.analytics.formats import detect_format

    if (path / "student.parquet").is_file():
        return "parquet"
    return detect_format(path)


def _loaded(record: DataLoad, report, notes: list[str]) -> LoadOutcome:
    record.status = DataLoad.Status.LOADED
    record.rows = {name: {"new": count.inserted, "replaced": count.replaced} for name, count in report.tables.items()}
    record.notes = notes + [line for line in report.lines() if not line.startswith(tuple(report.tables))]
    record.finished_at = timezone.now()
    record.save()
    return LoadOutcome(record, report.lines() + notes)


def _refused(record: DataLoad, problems: list[str], notes: list[str], total: int | None = None) -> LoadOutcome:
    record.status = DataLoad.Status.REFUSED
    record.errors = problems
    record.error_count = total if total is not None else len(problems)
    record.notes = notes
    record.finished_at = timezone.now()
    record.save()
    count = record.error_count
    summary = f"{path_label(record)} was refused with {count} problem{'s' if count != 1 else ''}; nothing was loaded."
    return LoadOutcome(record, [summary, *problems, *notes])


def compute_errors() -> tuple[type[Exception], ...]:
    """What reading a metric may raise, each with a message for the reader; duckdb.Error: another process (a load
    from the command line) holds the store's write lock."""
    import duckdb

    from improvenet.analytics.engines import EngineError
    from improvenet.analytics.metrics import MetricError

    return DataSetupError, MetricError, EngineError, duckdb.Error


def store_busy(error: Exception) -> str:
    return f"The store cannot be written just now (a load from the command line may be running): {error}"


def path_label(record: DataLoad) -> str:
    return f"The {record.format or 'unrecognized'} load of {record.source}"


def export_parquet(user, access, folder: Path, *, channel: str, store: Path | None = None) -> dict[str, int]:
    """Write the cluster's store as Parquet (pseudonymized rows, no identities); a district reader's read, audited."""
    if not is_district_reader(user, access):
        raise PermissionDenied("Exporting the store's rows is for the cluster lead and the longitudinal data team.")
    path = store or store_path(access.obj)
    if not path.exists():
        raise DataSetupError(f"There is no analytics store at {path} yet: load data first (improvenet data load).")
    from improvenet.analytics.store import Store

    written = Store(path).export_parquet(folder)
    audit(user, access, channel=channel, action="export parquet", agreement=None,
          detail={"folder": Path(folder).name, "rows": written})
    return written


def opt_out(user, access, raw_student_id: str, *, channel: str, recorded_on: datetime.date | None = None,
            store: Path | None = None) -> int:
    """Record a family's opt-out in the store; returns the student's rows removed."""
    import duckdb

    from improvenet.analytics.store import Store, StoreError

    if not may_load(user, access):
        raise PermissionDenied("Opt-outs are recorded by the cluster lead and the longitudinal data team.")
    try:
        removed = Store(store or store_path(access.obj)).add_opt_out(raw_student_id.strip(), pseudonymizer(),
                                                                     recorded_on)
    except duckdb.Error as busy:
        raise DataSetupError(store_busy(busy)) from None
    except StoreError as refused:
        raise DataSetupError(str(refused)) from None
    audit(user, access, channel=channel, action="opt-out recorded",
          detail={"rows_removed": sum(removed.values())}, agreement=None)
    return sum(removed.values())


# Reading -----------------------------------------------------------------------------------------


@dataclass
class MetricResult:
    name: str
    options: dict
    table: pa.Table
    schools: dict[str, School]
    agreement: DataUseAgreement | None
    event: AuditEvent
    seconds: float


def read_metric(user, access, name: str, options: dict, *, channel: str, min_n: int = 10,
                engine: str = "duckdb", store: Path | None = None,
                waiting: Callable[[], None] | None = None, wait: bool = True) -> MetricResult:
    """A metric for the cluster's schools and the district, suppressed at `min_n`: authorized and audited on
    every read, computed once per state of the store (`waiting` is called if another reader is computing it;
    with `wait=False`, StillComputing is raised instead, before anything is audited)."""
    agreement, path = _metric_reader(user, access, name, min_n, store)
    started = time.perf_counter()
    table, kept = computed_metric(path, name, options, min_n=min_n, engine=engine, waiting=waiting, wait=wait)
    schools = store_school_ids()
    table = _cluster_rows(table, schools)
    with transaction.atomic():
        event = audit(user, access, channel=channel, action=f"metric {name}", agreement=agreement, detail={
            "options": {**options, "min_n": min_n}, "engine": engine, "fields": sorted(METRIC_FIELDS[name]),
            "schools": sorted(school.pk for school in set(schools.values())), "rows": table.num_rows,
            "kept_result": kept,
        })
    return MetricResult(name, options, table, schools, agreement, event, time.perf_counter() - started)


def prepare_metric(user, access, name: str, options: dict, *, min_n: int = 10) -> None:
    """Compute the metric's table for a read to come, or find it kept: authorized as a read, but not audited,
    since nothing is shown (the page that polls while another reader computes loads again to show it).
    Raises StillComputing while another reader computes."""
    _, path = _metric_reader(user, access, name, min_n, None)
    computed_metric(path, name, options, min_n=min_n, wait=False)


def _metric_reader(user, access, name: str, min_n: int, store: Path | None) -> tuple[DataUseAgreement | None, Path]:
    """(the agreement the user reads `name` under, the store's path), or the reason they may not."""
    from improvenet.analytics.metrics import METRICS

    if name not in METRICS:
        raise ValueError(f"There is no metric named “{name}”; the metrics are {', '.join(METRICS)}.")
    if min_n < 10 and not is_district_reader(user, access):
        raise PermissionDenied("Only the district's own readers may lower the small-cell minimum below 10.")
    agreement = authorize(user, access, METRIC_FIELDS[name])
    path = store or store_path(access.obj)
    if not path.exists():
        raise DataSetupError(f"There is no analytics store at {path} yet: load data first (improvenet data load).")
    return agreement, path


def computed_metric(path: Path, name: str, options: dict, *, min_n: int = 10, engine: str = "duckdb",
                    waiting: Callable[[], None] | None = None, wait: bool = True) -> tuple[pa.Table, bool]:
    """(the metric's whole table on the store at `path`, whether it was kept from an earlier read).

    No check and no audit: the callers (read_metric, and warm_results right after a load) do those or
    show nothing. Results are kept beside the store until its next write (improvenet.analytics.results).
    """
    from improvenet.analytics.engines import open_tables
    from improvenet.analytics.metrics import run_metric
    from improvenet.analytics.results import ResultCache

    question = _metric_question(name, options, min_n, engine)

    def compute() -> pa.Table:
        spark_master = conf.read("IMPROVENET_SPARK_MASTER") or "local[2]"
        with open_tables(path, engine=engine, spark_master=spark_master) as tables:
            return run_metric(name, tables, min_n=min_n, **options)

    return ResultCache(path).result(question, compute, waiting, wait=wait)


def _metric_question(name: str, options: dict, min_n: int = 10, engine: str = "duckdb") -> dict:
    from improvenet.analytics.metrics import METRICS

    return {"metric": name, "min_n": min_n, "engine": engine,
            "options": {option.name: option.default for option in METRICS[name].options} | options}


def warm_next(cluster: Cluster) -> tuple[int, int]:
    """Compute one of the results the pages ask for first (each metric with its default options) that is not
    kept yet, for a page that shows the progress after a load; (how many are kept now, how many there are).

    Raises StillComputing when another reader is computing: the page says so and asks again. Nothing is shown,
    so nothing is audited (as warm_results).
    """
    from improvenet.analytics.metrics import METRICS
    from improvenet.analytics.results import ResultCache

    path = store_path(cluster)
    cache = ResultCache(path)
    missing = [name for name in METRICS if cache.kept(_metric_question(name, {})) is None]
    if missing and path.exists():
        computed_metric(path, missing[0], {}, wait=False)
        missing = missing[1:]
    return len(METRICS) - len(missing), len(METRICS)


def warm_results(cluster: Cluster, progress: Progress | None = None, store: Path | None = None) -> int:
    """Compute the results the pages ask for first (every metric with its default options) after a load,
    so the first reader does not wait; returns how many were computed. Nothing is shown, so nothing is audited."""
    from improvenet.analytics.metrics import METRICS

    path = store or store_path(cluster)
    computed = 0
    for done, name in enumerate(METRICS):
        if progress:
            progress(f"computing {name}", done, len(METRICS))
        computed += not computed_metric(path, name, {})[1]
    if progress:
        progress("done", len(METRICS), len(METRICS))
    return computed


@dataclass
class DidOutcome:
    metric: MetricResult
    result: object
    """improvenet.analytics.did.DidResult"""
    treated: list[School]
    comparison: list[School]


RATE_METRICS = {"chronic-absenteeism": "students", "graduation-rate": "cohort", "on-track": "students"}


def school_rates(read: MetricResult):
    """A rate metric's `all` row of each school and year (school_id, school_year, rate, weight: its students,
    suppressed: whether it fell below the small-cell minimum), as a pandas DataFrame; no district row."""
    import pandas as pd

    frame = read.table.to_pandas()
    year = "cohort_year" if "cohort_year" in frame.columns else "school_year"
    frame = frame[(frame["group"] == "all") & (frame["school_id"] != DISTRICT_ROW)]
    return pd.DataFrame({"school_id": frame["school_id"].astype(str), "school_year": frame[year].astype(int),
                         "rate": frame["rate"].astype(float), "weight": frame[RATE_METRICS[read.name]].astype(float),
                         "suppressed": frame["suppressed"].astype(bool)}).reset_index(drop=True)


def analyze_did(user, access, metric: str, *, treated_role: str, start_year: int, channel: str,
                options: dict | None = None, comparison_role: str = School.Role.COMPARISON,
                store: Path | None = None, engine: str = "duckdb") -> DidOutcome:
    """Difference-in-differences of a metric's school rates: schools of `treated_role` against the comparison schools.

    Uses each school's `all` row per year, weighted by its students; suppressed rows are left out.
    """
    from improvenet.analytics.did import difference_in_differences

    if metric not in RATE_METRICS:
        raise ValueError(f"The comparison works on a rate by school and year: choose one of {', '.join(RATE_METRICS)}.")
    if treated_role not in School.Role.values:
        raise ValueError(f"“{treated_role}” is not a school role; the roles are {', '.join(School.Role.values)}.")
    read = read_metric(user, access, metric, options or {}, channel=channel, store=store, engine=engine)
    frame = school_rates(read)
    frame = frame[~frame["suppressed"]]
    present = set(frame["school_id"])
    treated = {key: school for key, school in read.schools.items() if school.role == treated_role and key in present}
    comparison = {key: school for key, school in read.schools.items()
                  if school.role == comparison_role and key in present}
    frame = frame[frame["school_id"].isin(list(treated) + list(comparison))]
    result = difference_in_differences(frame, treated, start_year, rate="rate", weight="weight")
    audit(user, access, channel=channel, action=f"analysis did {metric}", agreement=read.agreement, detail={
        "treated_role": treated_role, "start_year": start_year, "treated_schools": result.treated_schools,
        "comparison_schools": result.comparison_schools,
    })
    return DidOutcome(read, result, sorted(set(treated.values()), key=str), sorted(set(comparison.values()), key=str))
