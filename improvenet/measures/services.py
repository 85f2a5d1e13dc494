"""What the pages, the API and the command line share: importing a file, and computing charts.

Every function runs inside the measure's cluster scope (see improvenet.network.access.in_cluster).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from django.db import connections, transaction
from django.db.models import CharField, Count, Max, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from improvenet.cycles.models import PdsaCycle
from improvenet.lib.spreadsheet import safe_row
from improvenet.measures.models import ChartBreak, ImportLog, Measure, MeasureValue
from improvenet.measures.upload import RowProblem, check_rows, read_table, school_keys
from improvenet.network.models import Membership, School, Team, current_on
from improvenet.spc import MIN_PART_POINTS, SPCInputError
from improvenet.spc.vega import default_y_title

if TYPE_CHECKING:
    from improvenet.spc import PartPlan

IMPORT_BATCH = 2000


@dataclass
class ImportReport:
    filename: str
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.problems:
            count = len(self.problems)
            return (f"Nothing was saved: {count} row{'s' if count != 1 else ''} of {self.filename} "
                    f"{'have' if count != 1 else 'has'} a problem.")
        return (f"{self.filename}: {self.rows} rows read; {self.created} new, {self.changed} changed, "
                f"{self.unchanged} unchanged.")

    def to_dict(self) -> dict:
        return {
            "filename": self.filename, "ok": self.ok, "summary": self.summary, "rows": self.rows,
            "created": self.created, "changed": self.changed, "unchanged": self.unchanged,
            "problems": [{"row": p.row, "message": p.message} for p in self.problems],
        }


def writable_school_ids(user, cluster_access) -> set[int] | None:
    """The schools whose data the user may write: None means every school (lead, network admin).

    The same rule as `improvenet.network.access.can_change_school_work`, for all schools at once.
    """
    if cluster_access.can_change:
        return None
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(
            current_on(), current_on(via="team__"), team__cluster=cluster_access.obj,
            team__kind=Team.Kind.SCHOOL_DESIGN, person__user=user,
        ).values_list("team__school_id", flat=True)
    )


def import_file(
    measure: Measure, content: bytes | BinaryIO, filename: str, *, user=None, source: str = ImportLog.Source.PAGE,
    writable: set[int] | None = None,
) -> ImportReport:
    """Check the whole file, then save every row or none (upsert on school and period).

    `content` is the file's bytes or, better, the seekable file itself: its size is then checked before
    it is read. Raises UploadFileError when the file as a whole cannot be read or is over a limit
    (improvenet.measures.upload). Rows for schools outside `writable` (None: all) are reported as problems.
    """
    schools = list(School.objects.filter(cluster_id=measure.cluster_id).values_list("pk", "name", "nces_id",
                                                                                      "state_id"))
    names = {pk: name for pk, name, *_ in schools}
    checked = check_rows(
        read_table(content, filename), measure.upload_rules(), school_keys(schools),
        school_label=names.get, may_write=None if writable is None else writable.__contains__,
    )
    report = ImportReport(filename=filename, rows=len(checked.rows) + len(checked.problems), problems=checked.problems)
    if not report.ok:
        return report
    periods = [row.period for row in checked.rows]
    existing = {
        (school_id, period): (pk, numerator, denominator)
        # A withdrawn value keeps its period: the upload changes its numbers, and it stays withdrawn until restored.
        for pk, school_id, period, numerator, denominator in MeasureValue.with_withdrawn.filter(
            measure=measure, school_id__in={row.school_id for row in checked.rows},
            period__gte=min(periods), period__lte=max(periods),
        ).values_list("pk", "school_id", "period", "numerator", "denominator")
    }
    now = timezone.now()
    new, changed = [], []
    for row in checked.rows:
        found = existing.get((row.school_id, row.period))
        if found is None:
            new.append(MeasureValue(measure=measure, school_id=row.school_id, period=row.period,
                                    numerator=row.numerator, denominator=row.denominator))
        elif (found[1], found[2]) != (row.numerator, row.denominator):
            changed.append(MeasureValue(pk=found[0], numerator=row.numerator, denominator=row.denominator,
                                        updated_at=now))
    report.created, report.changed = len(new), len(changed)
    report.unchanged = len(checked.rows) - len(new) - len(changed)
    with transaction.atomic():
        MeasureValue.objects.bulk_create(new, batch_size=IMPORT_BATCH)
        MeasureValue.objects.bulk_update(changed, ["numerator", "denominator", "updated_at"],
                                         batch_size=IMPORT_BATCH)
        ImportLog.objects.create(
            measure=measure, user=user if user is not None and user.is_authenticated else None, source=source,
            filename=filename[:255], rows=report.rows, created=report.created, changed=report.changed,
            unchanged=report.unchanged,
        )
    return report


# Charts --------------------------------------------------------------------------------------

@dataclass
class Chart:
    """A computed chart of one school (result) or of all schools (result with `school_id` series).

    `plans` gives, per school, where its parts start and why (an adopted change or a break set by
    hand); `marks`, per school, the annotations of a chart of all schools (`cycle_marks`).
    """

    measure: Measure
    result: object | None
    message: str = ""
    annotations: list[dict] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    plans: dict[int, PartPlan] = field(default_factory=dict)
    marks: dict[int, list[dict]] = field(default_factory=dict)


def cycle_marks(measure: Measure, school_ids) -> dict[int, list[dict]]:
    """PDSA cycle starts and adoptions linked to the measure, and the current breaks set by hand,
    per school, as chart annotations."""
    marks: dict[int, list[dict]] = {}
    cycles = (PdsaCycle.objects.filter(measures=measure, school_id__in=school_ids)
              .select_related("change_idea").order_by("planned_start", "pk"))
    for cycle in cycles:
        started = cycle.do_started_on or cycle.planned_start
        idea = str(cycle.change_idea)
        school_marks = marks.setdefault(cycle.school_id, [])
        school_marks.append({"x": started.isoformat(), "label": f"Cycle: {idea}", "kind": "cycle"})
        if cycle.decision == PdsaCycle.Decision.ADOPT and cycle.decided_on:
            school_marks.append({"x": cycle.decided_on.isoformat(), "label": f"Adopted: {idea}", "kind": "adoption"})
    for school_id, breaks in current_breaks(measure, school_ids).items():
        marks.setdefault(school_id, []).extend(
            {"x": b.starts_on.isoformat(), "label": f"New part: {b.reason}", "kind": "break"} for b in breaks
        )
    return marks


def current_breaks(measure: Measure, school_ids) -> dict[int, list[ChartBreak]]:
    breaks: dict[int, list[ChartBreak]] = {}
    for item in ChartBreak.objects.filter(measure=measure, school_id__in=school_ids, removed_at__isnull=True):
        breaks.setdefault(item.school_id, []).append(item)
    return breaks


def charts_digest(measures: list[Measure], schools: list[School]) -> str:
    """A digest of what the measures' charts of the schools are computed from, in three aggregate queries: a
    change of a value, a measure, a school's name, a linked PDSA cycle or a break changes it."""
    pks = [measure.pk for measure in measures]
    values = (MeasureValue.objects.filter(measure_id__in=pks).values("measure_id").order_by("measure_id")
              .annotate(Count("pk"), Max("pk"), Max("updated_at"), Sum("numerator"), Sum("denominator")))
    cycles = (PdsaCycle.objects.filter(measures__in=pks).values("measures").order_by("measures")
              .annotate(Count("pk"), Max("pk"), Max("updated_at")))
    breaks = (ChartBreak.objects.filter(measure_id__in=pks).values("measure_id").order_by("measure_id")
              .annotate(Count("pk"), Max("pk"), Max("removed_at")))
    state = (
        [(field.attname, getattr(measure, field.attname)) for measure in measures for field in Measure._meta.fields],
        [(school.pk, school.name) for school in schools],
        list(values), list(cycles), list(breaks),
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()


def plan_school_parts(measure: Measure, school_id: np.ndarray, days: np.ndarray, y: np.ndarray, n,
                      marks: dict[int, list[dict]]) -> tuple[np.ndarray, dict[int, PartPlan]]:
    """The part of every row (rows sorted by school, then period) and each school's plan.

    The one place where a school's chart is split into parts, for the school's page, the small
    multiples, the API, the packets and the evidence rules: a new part at the sustained shift
    after each adopted change, and at each break set by hand (`improvenet.spc.plan_parts`).
    """
    from improvenet.spc import plan_parts  # the arithmetic loads with the first chart

    labels = np.ones(school_id.size, dtype=np.int64)
    plans: dict[int, PartPlan] = {}
    starts = np.flatnonzero(np.r_[True, school_id[1:] != school_id[:-1]]) if school_id.size else []
    for start, end in zip(starts, [*starts[1:], school_id.size], strict=True):
        school_marks = marks.get(int(school_id[start]), [])
        changes = [datetime.date.fromisoformat(m["x"]) for m in school_marks if m["kind"] == "adoption"]
        breaks = [datetime.date.fromisoformat(m["x"]) for m in school_marks if m["kind"] == "break"]
        if not changes and not breaks:
            continue
        rows = slice(start, end)
        try:
            plan = plan_parts(y[rows], None if n is None else n[rows], x=days[rows], chart=measure.chart_type,
                              changes=changes, breaks=breaks, multiply=measure.multiply)
        except SPCInputError:
            continue  # the chart itself says what is wrong with the data
        labels[rows] = plan.labels
        plans[int(school_id[start])] = plan
    return labels, plans


def _values(measure: Measure, school_ids=None):
    values = MeasureValue.objects.filter(measure=measure)
    if school_ids is not None:
        values = values.filter(school_id__in=school_ids)
    return values.order_by("school_id", "period").values_list("school_id", "period", "numerator", "denominator")


def _qic_options(measure: Measure) -> dict:
    return {"chart": measure.chart_type, "multiply": measure.multiply, "min_part_points": MIN_PART_POINTS}


def school_chart(measure: Measure, school: School) -> Chart:
    from improvenet.spc import qic  # the arithmetic loads with the first chart

    rows = list(_values(measure, [school.pk]))
    marks = cycle_marks(measure, [school.pk])
    annotations = marks.get(school.pk, [])
    if not rows:
        return Chart(measure, None, "No data has been entered for this school yet.", annotations)
    periods = np.array([r[1] for r in rows], dtype="datetime64[D]")
    y = np.array([r[2] for r in rows], dtype=float)
    n = np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=float) if measure.has_denominator else None
    labels, plans = plan_school_parts(measure, np.full(y.size, school.pk), periods, y, n, marks)
    try:
        result = qic(y, n, x=periods, part=labels, **_qic_options(measure))
    except SPCInputError as error:
        return Chart(measure, None, f"The chart cannot be drawn yet: {error}.", annotations)
    return Chart(measure, result, "", annotations, plans=plans)


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a values_list query as the database driver returns them, without Django's
    per-value converters (6,000 dates cost more to convert than the chart costs to compute).
    The queryset still comes from the scoped manager, so it names its cluster."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def cluster_chart(measure: Measure, schools: list[School]) -> Chart:
    """One chart per school, all computed in one `qic_many` call."""
    import pandas as pd  # seconds to load: only for the charts, not at start-up

    from improvenet.spc import qic_many  # the arithmetic loads with the first chart

    # The period as ISO text: turning 6,000 strings into dates costs more than the whole chart.
    periods_as_text = (MeasureValue.objects.filter(measure=measure, school_id__in=[s.pk for s in schools])
                       .annotate(period_text=Cast("period", CharField(max_length=10)))
                       .order_by("school_id", "period")
                       .values_list("school_id", "period_text", "numerator", "denominator"))
    rows = _raw_rows(periods_as_text)
    marks = cycle_marks(measure, [s.pk for s in schools])
    if not rows:
        return Chart(measure, None, "No data has been entered yet.", marks=marks)
    school_id, period, numerator, denominator = zip(*rows, strict=True)
    school_id = np.array(school_id, dtype=np.int64)
    counts = np.bincount(school_id)
    keep = counts[school_id] >= 2
    names = {s.pk: s.name for s in schools}
    left_out = sorted(names[int(pk)] for pk in np.unique(school_id[~keep]))
    days = np.array([text[:10] for text in period], dtype="datetime64[D]")[keep]
    y = np.array(numerator, dtype=float)[keep]
    n = np.array([np.nan if d is None else d for d in denominator], dtype=float)[keep]
    school_id = school_id[keep]
    labels, plans = plan_school_parts(measure, school_id, days, y, n if measure.has_denominator else None, marks)
    frame = pd.DataFrame({"school_id": school_id, "period": days.astype("datetime64[ns]"), "y": y, "n": n,
                          "part": labels})
    try:
        result = qic_many(frame, by="school_id", y="y", n="n" if measure.has_denominator else None, x="period",
                          part="part", **_qic_options(measure))
    except SPCInputError as error:
        return Chart(measure, None, f"The charts cannot be drawn: {error}.", left_out=left_out, marks=marks)
    return Chart(measure, result, "", left_out=left_out, plans=plans, marks=marks)


def y_title(measure: Measure) -> str:
    """The measure's name with its unit, said once: "Office referrals per 100 students" needs no "(per 100
    students)" after it."""
    if not measure.unit:
        return default_y_title(measure.chart_type, measure.multiply)
    if measure.unit.casefold() in measure.name.casefold():
        return measure.name
    return f"{measure.name} ({measure.unit})"


def vega_spec(chart: Chart, title: str, school_names: dict[int, str] | None = None) -> dict:
    """The chart's spec; a chart of every school (`cluster_chart`) heads each school's panel with its name."""
    marks = [{"x": a["x"], "label": a["label"]} for a in chart.annotations]
    return chart.result.vega_lite(title=title, x_title="Period", y_title=y_title(chart.measure), annotations=marks,
                                  series_names=school_names, series_title="School" if school_names else None)


# What an episode (or a single signal) says, by rule and direction.
RULE_WORDS = {
    ("beyond_limits", "above"): "{n} point{s} above the upper limit",
    ("beyond_limits", "below"): "{n} point{s} below the lower limit",
    ("longest_run", ""): "an unusually long run of {n} points {direction} the centre line",
    ("few_crossings", ""): "too few crossings of the centre line over {n} points",
    ("shift", ""): "a shift of {n} points {direction} the centre line",
    ("trend", ""): "a trend of {n} points going {direction}",
    ("astronomical_point", ""): "{n} astronomical point{s} ({direction} the usual range)",
    ("two_of_three", ""): "{n} point{s} close to the {side} limit (two of three)",
}


def signal_sentences(signals: list[dict], measure: Measure) -> list[str]:
    """Each episode (or signal) in words, with the periods it covers and whether it points towards
    improvement: "12 points above the upper limit, 2025-12-08 to 2026-03-02, in the direction of
    improvement." """
    sentences = []
    for signal in signals:
        n = signal.get("n_points") or 0
        direction = signal.get("direction") or ""
        rule = signal["rule"]
        template = RULE_WORDS.get((rule, direction)) or RULE_WORDS.get((rule, ""), rule.replace("_", " "))
        words = template.format(n=n, s="s" if n != 1 else "", direction=direction or "away from",
                                side="upper" if direction == "above" else "lower")
        better = is_better(direction, measure)
        verdict = "" if better is None else (", in the direction of improvement" if better
                                             else ", in the direction of getting worse")
        first, last = iso(signal["first_x"]), iso(signal["last_x"])
        span = first if first == last else f"{first} to {last}"
        sentences.append(f"{words[0].upper()}{words[1:]}, {span}{verdict}.")
    return sentences


def is_better(direction: str, measure: Measure) -> bool | None:
    if direction in ("above", "up"):
        return measure.improvement_direction == Measure.Direction.UP
    if direction in ("below", "down"):
        return measure.improvement_direction == Measure.Direction.DOWN
    return None


def points_csv(result, school_names: dict[int, str] | None = None) -> str:
    """The chart data as CSV: one row per point (with the school when there are several)."""
    data = result.to_dict()
    out = io.StringIO()
    columns = ["y", "n", "cl", "lcl", "ucl", "part", "limits_source", "include", "baseline", "sigma_signal",
               "runs_signal"]
    writer = csv.writer(out, lineterminator="\n")
    if school_names is not None:
        writer.writerow(["school_id", "school", "period", *columns])
        for point in data["points"]:
            writer.writerow(safe_row([point["school_id"], school_names.get(point["school_id"], ""), point["x"],
                                      *(_cell(point[c]) for c in columns)]))
    else:
        writer.writerow(["period", *columns])
        for point in data["points"]:
            writer.writerow(safe_row([point["x"], *(_cell(point[c]) for c in columns)]))
    return out.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    return value


def iso(value) -> str:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    return str(value)[:10]


def amount(value, measure: Measure) -> str:
    """A chart value with the measure's unit: "91.1 %", "4.2 days"."""
    if value is None:
        return "–"
    number = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{number} {measure.unit}" if measure.unit else number


def school_summary(chart: Chart, school_id: int) -> dict:
    """What a school team reads first: the current part's centre and limits in words, how they
    were obtained, the latest episode, and whether the latest adopted change is holding."""
    measure, data = chart.measure, chart.result.to_dict()
    points = data["points"]
    current = points[-1]["part"]
    in_part = [p for p in points if p["part"] == current]
    first, last = in_part[0], in_part[-1]
    since = f"Since {iso(first['x'])}" if current > 1 else f"From {iso(first['x'])}"
    lines = f"centre line {amount(last['cl'], measure)}"
    if last["lcl"] is not None and last["ucl"] is not None:
        lines += f", limits {amount(last['lcl'], measure)} to {amount(last['ucl'], measure)}"
    current_words = f"{since} ({len(in_part)} point{'s' if len(in_part) != 1 else ''}): {lines}."
    limits_note = {
        "frozen": f"This part has fewer than {MIN_PART_POINTS} points, so it keeps the previous part's limits, "
                  f"extended, until it has {MIN_PART_POINTS}.",
        "trial": f"These are trial limits: the chart has fewer than {MIN_PART_POINTS} points so far, so they may "
                 "still move as data comes in.",
    }.get(last["limits_source"], "")
    episodes = data["episodes"]
    latest = signal_sentences([episodes[-1]], measure)[0] if episodes else "No signal: only random variation."
    return {"current": current_words, "limits_note": limits_note, "latest": latest,
            "holding": _holding(chart, school_id, episodes, current)}


def _holding(chart: Chart, school_id: int, episodes: list[dict], current_part: int) -> str:
    """Whether the latest adopted change shows in the data and keeps its new level."""
    adoptions = [m for m in chart.annotations if m["kind"] == "adoption"]
    if not adoptions:
        return ""
    adopted = adoptions[-1]
    change = adopted["label"].removeprefix("Adopted: ")
    plan = chart.plans.get(school_id)
    start = next((s for s in reversed(plan.starts) if s.cause == "change" and s.x.isoformat() >= adopted["x"]),
                 None) if plan else None
    if start is None:
        return (f"No sustained shift yet since “{change}” was adopted on {adopted['x']}: the chart keeps its "
                "limits until the data shows a new level.")
    worse = [e for e in episodes if e["part"] == current_part and is_better(e["direction"] or "", chart.measure)
             is False]
    if worse:
        return (f"“{change}” (adopted {adopted['x']}) moved the data to a new level from {start.x}, but the "
                f"latest points signal a move back: {signal_sentences([worse[-1]], chart.measure)[0]}")
    return (f"“{change}” (adopted {adopted['x']}) is holding: the data moved to a new level from {start.x} and "
            "shows no signal of getting worse since.")
