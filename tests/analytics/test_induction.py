"""The induction outcomes computation: Kaplan–Meier curves with censoring, and suppressed destinations."""

import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.analytics.induction import (
    LEFT,
    PLACED,
    STAYED,
    Inducted,
    Spell,
    destination,
    destinations,
    hide_pooled_differences,
    retention_curves,
    years_and_event,
    years_between,
)
from improvenet.analytics.suppression import DISTRICT, unsafe_partitions

D = datetime.date
AS_OF = D(2026, 9, 1)


def test_a_teacher_still_employed_is_censored_at_the_as_of_date():
    assert years_and_event(Spell("a", D(2024, 9, 1), None), AS_OF) == (pytest.approx(2.0, abs=0.01), 0)
    # Leaving after the as-of date is not known yet on that date.
    assert years_and_event(Spell("a", D(2024, 9, 1), D(2027, 1, 1)), AS_OF)[1] == 0
    assert years_and_event(Spell("a", D(2024, 9, 1), D(2025, 3, 2)), AS_OF) == (pytest.approx(0.5, abs=0.01), 1)


def test_hire_after_the_as_of_date_is_refused():
    with pytest.raises(ValueError, match="after the as-of date"):
        years_and_event(Spell("a", D(2027, 1, 1), None), AS_OF)


def test_curve_matches_the_product_limit_by_hand():
    # 20 teachers hired the same day: 4 leave after half a year, 3 after 1.5 years, the rest stay.
    hired = D(2023, 9, 1)
    spells = [Spell("c", hired, D(2024, 3, 1)) for _ in range(4)] + \
             [Spell("c", hired, D(2025, 3, 1)) for _ in range(3)] + [Spell("c", hired, None) for _ in range(13)]
    rows = {row["years"]: row for row in retention_curves(spells, AS_OF, min_n=10)}
    assert rows[0]["survival"] == 1.0
    assert rows[1]["survival"] == pytest.approx(16 / 20, abs=1e-4)
    assert rows[2]["survival"] == pytest.approx(16 / 20 * 13 / 16, abs=1e-4)
    assert rows[2]["at_risk"] == 13 and rows[2]["teachers"] == 20
    assert rows[1]["ci_lower"] < rows[1]["survival"] < rows[1]["ci_upper"]


def test_small_groups_and_points_are_hidden():
    hired = D(2023, 9, 1)
    spells = [Spell("big", hired, None) for _ in range(12)] + [Spell("big", D(2025, 9, 1), None) for _ in range(5)]
    spells += [Spell("small", hired, None) for _ in range(9)]
    rows = retention_curves(spells, AS_OF, min_n=10)
    small = [row for row in rows if row["group"] == "small"]
    assert small and all(row["suppressed"] == 1 and row["survival"] is None for row in small)
    big = {row["years"]: row for row in rows if row["group"] == "big"}
    assert big[1]["suppressed"] == 0 and big[1]["at_risk"] == 17
    # Only the 12 hired in 2023 are followed for three years: shown; if fewer than 10, hidden.
    assert big[2]["at_risk"] == 12
    assert retention_curves(spells, AS_OF, min_n=13)[2]["suppressed"] == 1


def test_destination_left_wins_over_placement():
    assert destination(Inducted("c", D(2026, 8, 1), D(2026, 8, 20)), AS_OF) == LEFT
    assert destination(Inducted("c", D(2026, 8, 1), None), AS_OF) == PLACED
    assert destination(Inducted("c", D(2026, 10, 1), None), AS_OF) == STAYED


def test_a_small_destination_hides_its_complement():
    teachers = [Inducted("2024", None, D(2025, 6, 1))] * 3 + [Inducted("2024", D(2026, 8, 1), None)] * 11 + \
               [Inducted("2024", None, None)] * 12
    rows = {row["destination"]: row for row in destinations(teachers, AS_OF, min_n=10)}
    assert rows["all"]["teachers"] == 26
    assert rows[LEFT]["suppressed"] == 1 and rows[LEFT]["teachers"] is None
    # 26 - 12 - 11 would give the 3 who left: the smaller of the others is hidden too.
    assert rows[PLACED]["suppressed"] == 1 and rows[STAYED]["teachers"] == 12


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["2024", "2025"]), st.sampled_from([STAYED, PLACED, LEFT])),
                max_size=60), st.integers(min_value=1, max_value=12))
def test_no_destination_table_leaks(draws, min_n):
    dates = {STAYED: (None, None), PLACED: (D(2026, 8, 1), None), LEFT: (None, D(2025, 6, 1))}
    teachers = [Inducted(cohort, *dates[where]) for cohort, where in draws]
    rows = destinations(teachers, AS_OF, min_n=min_n)
    if not teachers:
        assert rows == []
        return
    frame = pd.DataFrame(rows).assign(group="all")
    frame["destination"] = frame["destination"].replace("all", DISTRICT)
    assert unsafe_partitions(frame, "teachers", min_n, unit_column="destination", period_column="cohort") == []
    for row in rows:
        if not row["suppressed"]:
            true = sum(1 for t in teachers if t.cohort == row["cohort"]
                       and row["destination"] in ("all", destination(t, AS_OF)))
            assert row["teachers"] == true


def test_min_n_must_be_positive():
    with pytest.raises(ValueError, match="min_n"):
        retention_curves([Spell("a", D(2024, 1, 1), None)], AS_OF, min_n=0)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 1, 1)), st.integers(min_value=0, max_value=3000))
def test_years_between_counts_anniversaries(start, days):
    end = start + datetime.timedelta(days=days)
    years = years_between(start, end)
    assert 0 <= years - days / 366 and years <= days / 365 + 0.01
    whole = int(years)
    assert start.replace(year=start.year + whole, day=min(start.day, 28) if start.month == 2 else start.day) <= end


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 15), st.integers(0, 15)), min_size=1, max_size=3), st.integers(2, 10))
def test_the_pooled_curve_never_gives_back_a_hidden_part(cohorts, min_n):
    """Whatever the cohorts' sizes and departures, the pooled group minus the shown cohorts is 0 or at least
    min_n teachers, in every year and in size."""
    hired = D(2023, 9, 1)
    spells = []
    for number, (size, leavers) in enumerate(cohorts):
        spells += [Spell(f"c{number}", hired, D(2024, 3, 1) if i < leavers else None) for i in range(size)]
    parts = retention_curves(spells, AS_OF, min_n)
    pooled = hide_pooled_differences(retention_curves([Spell("all", s.hired_on, s.left_on) for s in spells],
                                                      AS_OF, min_n), parts, "all")
    for row in pooled:
        same_year = [part for part in parts if part["years"] == row["years"]]
        for count in ("at_risk", "teachers"):
            if row[count] is not None:
                rest = row[count] - sum(part[count] or 0 for part in same_year)
                assert rest == 0 or rest >= min_n, (row, same_year)
