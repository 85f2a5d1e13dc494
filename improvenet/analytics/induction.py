"""Outcomes of teacher induction: retention curves and where inducted teachers went, with suppression.

Pure computation (no Django): the induction app passes plain records and renders the tables.

- `retention_curves`: the Kaplan–Meier share of each group (an induction cohort, or "inducted" against
  "other new teachers") still employed in the district 0, 1, 2… years after hire. A teacher who has not
  left by the as-of date is censored at it. A point is hidden when its group counts fewer than `min_n`
  teachers or fewer than `min_n` are still at risk, the rule of the teacher-retention metric
  (improvenet/analytics/metrics/teacher_retention.py). `hide_pooled_differences` then hides the points of
  a pooled group (all inducted teachers) that, minus its shown parts (the cohorts), would give back a hidden
  part.
- `destinations`: per cohort, how many inducted teachers stayed in their cluster school,
  were placed elsewhere in the district, or left; suppressed by `improvenet.analytics.suppression.suppress`,
  the three destinations of a cohort forming a partition of its total, so that a hidden cell cannot be
  recovered by subtraction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT, suppress
from improvenet.analytics.survival import yearly_retention

DAYS_PER_YEAR = 365.25
STAYED, PLACED, LEFT = "stayed", "placed", "left"
DESTINATIONS = (STAYED, PLACED, LEFT)


@dataclass(frozen=True)
class Spell:
    """One new teacher's time in the district: their group, hire date and the day they left (if they did)."""

    group: str
    hired_on: datetime.date
    left_on: datetime.date | None


@dataclass(frozen=True)
class Inducted:
    """Where an inducted teacher stands on the as-of date: placed elsewhere on, left the district on."""

    cohort: str
    placed_on: datetime.date | None
    left_on: datetime.date | None


def years_and_event(spell: Spell, as_of: datetime.date) -> tuple[float, int]:
    """(years observed, 1 if they left by `as_of` else 0 — censored)."""
    if spell.hired_on > as_of:
        raise ValueError(f"a teacher hired on {spell.hired_on} is after the as-of date {as_of}")
    left = spell.left_on is not None and spell.left_on <= as_of
    return years_between(spell.hired_on, spell.left_on if left else as_of), int(left)


def years_between(start: datetime.date, end: datetime.date) -> float:
    """Whole anniversaries from `start` to `end`, plus the fraction of the year after the last one, so a
    teacher followed exactly one year counts as at risk at year 1 (days / 365.25 would fall just short)."""
    whole = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    if whole < 0:
        return 0.0
    try:
        anniversary = start.replace(year=start.year + whole)
    except ValueError:  # hired on February 29: the anniversary is February 28 in other years
        anniversary = start.replace(year=start.year + whole, day=28)
    return whole + (end - anniversary).days / DAYS_PER_YEAR


def retention_curves(spells: list[Spell], as_of: datetime.date, min_n: int = DEFAULT_MIN_N) -> list[dict]:
    """Rows `group, years, survival, ci_lower, ci_upper, at_risk, teachers, suppressed` per group and whole
    year since hire, up to the longest observed time; hidden points have no numbers."""
    from improvenet.analytics.metrics.common import RATE_DIGITS  # the metrics bring narwhals and Arrow: not at start

    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, not {min_n}")
    rows = []
    for group in sorted({spell.group for spell in spells}):
        observed = [years_and_event(s, as_of) for s in spells if s.group == group and s.hired_on <= as_of]
        if not observed:
            continue
        points = yearly_retention([years for years, _ in observed], [event for _, event in observed], min_n,
                                  RATE_DIGITS)
        rows += [{"group": group, **point, "teachers": None if point["suppressed"] else len(observed)}
                 for point in points]
    return rows


def hide_pooled_differences(curves: list[dict], parts: list[dict], pooled: str) -> list[dict]:
    """`curves` with the `pooled` group's numbers hidden wherever subtracting the shown `parts` (curves of
    groups that together make up `pooled`, such as the induction cohorts of "inducted") from them would
    give back a hidden part's: in every year where a part is hidden beside a shown one. When that happens
    in year 0, the pooled group's size is hidden in every year too, since it is the sum of the parts' sizes.
    """
    by_year: dict[int, set[int]] = {}
    for row in parts:
        by_year.setdefault(row["years"], set()).add(row["suppressed"])
    mixed_years = {years for years, hidden in by_year.items() if hidden == {0, 1}}
    protected = []
    for row in curves:
        if row["group"] == pooled and row["years"] in mixed_years:
            row = row | {"survival": None, "ci_lower": None, "ci_upper": None, "at_risk": None, "teachers": None,
                         "suppressed": 1}
        elif row["group"] == pooled and 0 in mixed_years:
            row = row | {"teachers": None}
        protected.append(row)
    return protected


def destination(teacher: Inducted, as_of: datetime.date) -> str:
    """Left the district (whatever came before), else placed elsewhere, else still in the cluster school."""
    if teacher.left_on is not None and teacher.left_on <= as_of:
        return LEFT
    if teacher.placed_on is not None and teacher.placed_on <= as_of:
        return PLACED
    return STAYED


def destinations(teachers: list[Inducted], as_of: datetime.date, min_n: int = DEFAULT_MIN_N) -> list[dict]:
    """Rows `cohort, destination, teachers, share, suppressed`: per cohort its total (`destination` "all")
    and the three destinations, with small cells and their complements hidden. There is no total over the
    cohorts: with it, a cell hidden in one cohort could be recovered from the other cohorts' cells."""
    import pandas as pd  # seconds to load: not when the site starts

    from improvenet.analytics.metrics.common import RATE_DIGITS  # the metrics bring narwhals and Arrow: not at start

    if not teachers:
        return []
    counts: dict[tuple[str, str], int] = {}
    for cohort in sorted({t.cohort for t in teachers}):
        members = [t for t in teachers if t.cohort == cohort]
        counts[(cohort, DISTRICT)] = len(members)
        for where in DESTINATIONS:
            counts[(cohort, where)] = sum(1 for t in members if destination(t, as_of) == where)
    frame = pd.DataFrame(
        [{"cohort": c, "destination": d, "teachers": n, "group": "all"} for (c, d), n in counts.items()]
    )
    totals = frame["cohort"].map({c: n for (c, d), n in counts.items() if d == DISTRICT})
    frame["share"] = (frame["teachers"] / totals).round(RATE_DIGITS)
    # Each cohort's destinations add up to its total (the `ALL` unit): the partition suppress() protects.
    published = suppress(frame, "teachers", ("share",), min_n=min_n, unit_column="destination",
                         period_column="cohort")
    rows = []
    for record in published.to_dict("records"):
        hidden = bool(record["suppressed"])
        rows.append({
            "cohort": record["cohort"],
            "destination": "all" if record["destination"] == DISTRICT else record["destination"],
            "teachers": None if hidden else int(record["teachers"]),
            "share": None if hidden else float(record["share"]),
            "suppressed": int(hidden),
        })
    return rows
