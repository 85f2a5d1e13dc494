"""The demo's family of measures for Riverside's aim and two school years of weekly data.

`create_measures_demo(seed, progress)` defines ten measures (outcome, driver, process and
balancing) for Riverside's first aim (or without an aim when the design demo has none);
`create_measure_data_demo(seed, progress)` writes 104 weeks of data for every current Riverside
school, deterministic from the seed, with realistic noise. In the innovation schools the data
moves in the direction of improvement after each adopted change: the `decided_on` dates of
their PDSA cycles with decision "adopt", or fixed dates when there are none yet.
Both run inside `load_demo`'s transaction with scopes disabled.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db import connection
from django.utils import timezone

from improvenet.demo.network import BOB, RIVERSIDE
from improvenet.measures.models import ChartBreak, Measure, MeasureValue
from improvenet.network.models import Cluster, School, current_on

FIRST_WEEK = date(2024, 8, 19)  # a Monday: the week before the 2024-25 school year
WEEKS = 104
LAST_WEEK = FIRST_WEEK + timedelta(weeks=WEEKS - 1)
# When an innovation school has no adopted change yet, its data shifts after these dates.
DEFAULT_ADOPTIONS = (date(2025, 1, 13), date(2025, 10, 6))
BATCH = 5000


@dataclass(frozen=True)
class MeasurePlan:
    slug: str
    name: str
    kind: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    chart: str
    direction: str
    baseline: float  # a proportion (p), events per student (u), or the value itself (c, i)
    spread: float  # between-school spread of the baseline
    effect: float  # shift per adopted change, towards improvement (in the units of baseline)
    target: float | None = None
    multiply: float = 1


MEASURES = (
    MeasurePlan("on-track-9th", "9th graders on track", "outcome",
                "9th graders with no F in a core course and at most two unexcused absences in the last four weeks, "
                "from the student information system every Monday.",
                "9th graders on track", "9th graders enrolled", "%", "p", "up", 0.62, 0.06, 0.05, 75, 100),
    MeasurePlan("attendance", "Average daily attendance", "outcome",
                "Student-days present divided by student-days enrolled in the week, all grades.",
                "Student-days present", "Student-days enrolled", "%", "p", "up", 0.91, 0.02, 0.012, 94, 100),
    MeasurePlan("core-passing", "Passing all core courses", "driver",
                "Students whose current grade is D or better in English, mathematics, science and social studies.",
                "Students passing every core course", "Students enrolled in core courses", "%", "p", "up",
                0.71, 0.05, 0.04, 80, 100),
    MeasurePlan("belonging", "Students who feel they belong", "driver",
                "Weekly two-question pulse survey in advisory: students answering “agree” or “strongly agree” "
                "to “I feel I belong at this school”.",
                "Students agreeing", "Students answering", "%", "p", "up", 0.58, 0.07, 0.04, 70, 100),
    MeasurePlan("chronic-absence", "Chronically absent students", "driver",
                "Students who missed 10% or more of the school days so far this year, counted on Friday.",
                "Chronically absent students", "Students enrolled", "%", "p", "down", 0.24, 0.05, 0.03, 15, 100),
    MeasurePlan("advisory-check-ins", "Advisory check-ins held", "process",
                "One-to-one advisory check-ins held as planned, from the advisors' weekly log.",
                "Check-ins held", "Check-ins planned", "%", "p", "up", 0.55, 0.08, 0.12, 90, 100),
    MeasurePlan("family-contacts", "Positive family contacts", "process",
                "Positive phone calls or messages to families logged by the grade-level team in the week.",
                "Positive family contacts", "", "contacts", "c", "up", 22, 6, 6, 40),
    MeasurePlan("grade-reviews", "Students with a weekly grade review", "process",
                "Students whose grades an adult reviewed with them this week (advisory log).",
                "Students with a grade review", "Students enrolled", "%", "p", "up", 0.35, 0.08, 0.15, 80, 100),
    MeasurePlan("teacher-minutes", "Teacher time on advisory tasks", "balancing",
                "Average minutes a week teachers report spending on advisory tasks outside advisory "
                "(Friday two-minute survey).", "Minutes per teacher", "", "minutes", "i", "down", 45, 8, 3),
    MeasurePlan("referrals", "Office referrals per 100 students", "balancing",
                "Office discipline referrals written in the week per 100 students enrolled.",
                "Office referrals", "Students enrolled", "per 100 students", "u", "down", 0.03, 0.01, 0.004, 2, 100),
)


def _riverside() -> Cluster:
    return Cluster.objects.get(slug=RIVERSIDE)


def create_measures_demo(seed: int, progress: Callable[[str], None]) -> list[Measure]:
    """The ten measures of Riverside's family, for its first aim (None when there is no aim yet)."""
    from improvenet.design.models import Aim

    cluster = _riverside()
    aim = Aim.objects.filter(challenge__cluster=cluster).order_by("pk").first()
    progress(f"Defining {len(MEASURES)} measures for Riverside")
    measures = []
    for plan in MEASURES:
        measure = Measure(
            cluster=cluster, aim=aim, slug=plan.slug, name=plan.name, kind=plan.kind,
            operational_definition=plan.definition, numerator_label=plan.numerator,
            denominator_label=plan.denominator, unit=plan.unit, multiply=plan.multiply,
            frequency=Measure.Frequency.WEEKLY, improvement_direction=plan.direction, target=plan.target,
            chart_type=plan.chart, first_period=FIRST_WEEK, last_period=None,
        )
        measure.full_clean(exclude=["cluster", "aim"])
        measure.save()
        measures.append(measure)
    return measures


def _adoption_weeks(schools: list[School]) -> dict[int, list[int]]:
    """Week indexes (0-based) after which each innovation school's data shifts."""
    from improvenet.cycles.models import PdsaCycle

    adopted: dict[int, list[date]] = {}
    for school_id, decided_on in PdsaCycle.objects.filter(
        school__in=schools, decision=PdsaCycle.Decision.ADOPT, decided_on__isnull=False
    ).values_list("school_id", "decided_on"):
        adopted.setdefault(school_id, []).append(decided_on)
    weeks = {}
    for school in schools:
        if school.role != School.Role.INNOVATION:
            continue
        dates = sorted(adopted.get(school.pk) or DEFAULT_ADOPTIONS)
        weeks[school.pk] = [max(0, (d - FIRST_WEEK).days // 7 + 1) for d in dates]
    return weeks


def _effect_curve(adoptions: list[int]) -> np.ndarray:
    """How many adopted changes act in each week: each ramps in over four weeks."""
    curve = np.zeros(WEEKS)
    week = np.arange(WEEKS)
    for start in adoptions:
        curve += np.clip((week - start + 1) / 4, 0, 1)
    return curve


def create_measure_data_demo(seed: int, progress: Callable[[str], None]) -> int:
    """104 weeks of every measure for every current Riverside school; returns the number of values."""
    cluster = _riverside()
    measures = {m.slug: m for m in Measure.objects.filter(cluster=cluster)}
    schools = list(School.objects.filter(cluster=cluster).filter(current_on()).order_by("name"))
    adoption_weeks = _adoption_weeks(schools)
    rng = np.random.default_rng([seed, 5])  # the demo's seed, in a stream of its own
    size = np.array([{"high": 260.0, "middle": 180.0, "elementary": 90.0}.get(s.level, 120.0) for s in schools])
    size *= rng.uniform(0.7, 1.3, len(schools))
    effects = np.array([_effect_curve(adoption_weeks.get(s.pk, [])) for s in schools])  # schools × weeks
    periods = [FIRST_WEEK + timedelta(weeks=w) for w in range(WEEKS)]
    progress(f"Writing {WEEKS} weeks of {len(MEASURES)} measures for {len(schools)} Riverside schools")
    values: list[tuple] = []
    now = timezone.now()
    for plan in MEASURES:
        measure = measures.get(plan.slug)
        if measure is None:
            continue
        base = plan.baseline + rng.normal(0, plan.spread, (len(schools), 1))
        level = base + effects * plan.effect * (1 if plan.direction == "up" else -1)
        seasonal = 0.3 * plan.spread * np.sin(np.arange(WEEKS) / 52 * 2 * np.pi)
        denominators = np.round(size[:, None] * rng.uniform(0.96, 1.04, (len(schools), WEEKS)))
        if plan.chart == "p":
            rate = np.clip(level + seasonal, 0.01, 0.99)
            numerators = rng.binomial(denominators.astype(np.int64), rate).astype(float)
        elif plan.chart == "u":
            rate = np.clip(level + seasonal / 10, 0.001, None)
            numerators = rng.poisson(rate * denominators).astype(float)
        elif plan.chart == "c":
            numerators = rng.poisson(np.clip(level + seasonal, 0.5, None)).astype(float)
            denominators = None
        else:
            numerators = np.round(np.clip(level + seasonal + rng.normal(0, plan.spread / 2, level.shape), 0, None), 1)
            denominators = None
        numerator_rows = numerators.tolist()
        denominator_rows = denominators.tolist() if denominators is not None else [[None] * WEEKS] * len(schools)
        measure_id = measure.pk
        for school, nums, dens in zip(schools, numerator_rows, denominator_rows, strict=True):
            school_id = school.pk
            values.extend(
                (measure_id, school_id, period, num, den, now)
                for period, num, den in zip(periods, nums, dens, strict=True)
            )
    _insert(values)
    _demo_break(measures.get("attendance"), schools)
    return len(values)


def _demo_break(measure: Measure | None, schools: list[School]) -> None:
    """A new part set by hand on the attendance chart of bob's school (an innovation school), so
    that the demo shows one with its reason, and one taken off again in the history."""
    from improvenet.network.models import Membership, Team

    bob = Membership.objects.filter(person__user__username=BOB, team__kind=Team.Kind.SCHOOL_DESIGN).select_related(
        "team", "person__user").first()
    school = next((s for s in schools if bob and s.pk == bob.team.school_id), None)
    if measure is None or school is None:
        return
    ChartBreak.objects.create(measure=measure, school=school, starts_on=date(2025, 8, 25), created_by=bob.person.user,
                              reason="New attendance system from the 2025-26 school year: absences are counted "
                                     "per class period, not per day.")
    removed = ChartBreak.objects.create(measure=measure, school=school, starts_on=date(2025, 3, 3),
                                        reason="Snow week", created_by=bob.person.user)
    removed.removal_reason = "A snow week is one odd point, not a new process: left out instead."
    removed.removed_at = timezone.now()
    removed.removed_by = bob.person.user
    removed.save()


def _insert(rows: list[tuple]) -> None:
    """Insert in batches with one prepared statement: model instances through bulk_create take
    several times longer for 65,000 rows of five numbers."""
    table = connection.ops.quote_name(MeasureValue._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in
                        ("measure_id", "school_id", "period", "numerator", "denominator", "updated_at"))
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])
        if connection.vendor == "postgresql":
            # Without fresh statistics the planner takes the table for empty until autovacuum runs,
            # and picks nested loops that take minutes on 65,000 rows (seen deleting them in a test).
            cursor.execute(f"ANALYZE {table}")
