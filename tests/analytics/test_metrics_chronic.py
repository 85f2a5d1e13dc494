"""Chronic absenteeism against the hand-computed fixture tests/fixtures/analytics/metrics/chronic/.

The fixture's calendar has 20 instructional days (2024-01-08 to 2024-02-02, weekdays) at schools A and
B in 2024, and 20 at A in 2025. Per student at A in 2024 (enrolled days, absent days):
s01 20, 2 (exactly 10 %: chronic); s02 20, 1 (a tardy and an early departure are not absences);
s03 20, 1 (two events on one day count once); s04 10, 0 (stint ends Jan 19: absences after it and
on a Saturday do not count); s05 15, 1 (re-enrolled: 5 + 10 days, absences in the gap do not count);
s06 10, 1 (chronic at A; its B event on an A day does not count at B); s07 9 days: left out;
s08 7 days at A: left out at A; s09 opted out; s10 overlapping stints: 20 days, 2 absent (chronic).
"""

import pytest

from improvenet.analytics.engines import open_tables
from improvenet.analytics.metrics import MetricError, run_metric
from improvenet.analytics.metrics.chronic_absenteeism import student_days

from .metric_store import build_store, row


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("chronic") / "store.duckdb", "chronic")
    with open_tables(store) as opened:
        yield opened


def days_by_student(tables, school_id, year=2024):
    frame = student_days(tables).collect(backend="pandas").to_native()
    frame = frame[(frame.school_id == school_id) & (frame.school_year == year)]
    return {r.student_id: (int(r.enrolled), int(r.absent)) for r in frame.itertuples()}


def test_enrolled_and_absent_days_follow_stints_calendar_and_events(tables):
    assert days_by_student(tables, "A") == {
        "s01": (20, 2), "s02": (20, 1), "s03": (20, 1), "s04": (10, 0), "s05": (15, 1),
        "s06": (10, 1), "s07": (9, 5), "s08": (7, 2), "s10": (20, 2),
    }
    assert days_by_student(tables, "B") == {"s06": (10, 0), "s08": (13, 1)}
    assert days_by_student(tables, "A", 2025) == {"s01": (20, 0)}


def test_school_rows(tables):
    result = run_metric("chronic-absenteeism", tables, min_n=1)
    assert row(result, "A", "all", school_year=2024) == {
        "school_id": "A", "school_year": 2024, "group": "all", "students": 7, "chronic": 3,
        "rate": round(3 / 7, 4), "suppressed": 0,
    }
    school_b = row(result, "B", "all", school_year=2024)
    assert (school_b["students"], school_b["chronic"]) == (2, 0)
    assert row(result, "A", "all", school_year=2025)["students"] == 1


def test_district_row_sums_days_over_schools_and_counts_each_student_once(tables):
    result = run_metric("chronic-absenteeism", tables, min_n=1)
    district = row(result, "ALL", "all", school_year=2024)
    # s06: 20 days, 1 absent (not chronic although chronic at A); s08: 7 + 13 = 20 days, 2 + 1 = 3 absent
    # (chronic, though left out at A and not chronic at B); s07: 9 days, left out.
    assert (district["students"], district["chronic"]) == (8, 3)


def test_groups(tables):
    result = run_metric("chronic-absenteeism", tables, min_n=1)
    expected = {
        "sex:F": (3, 1), "sex:M": (3, 1), "sex:unknown": (1, 1), "race:Black": (2, 1), "race:Hispanic": (2, 1),
        "race:White": (2, 0), "race:unknown": (1, 1), "ell": (2, 1), "sped": (1, 0), "frl": (4, 2),
    }
    for group, counts in expected.items():
        found = row(result, "A", group, school_year=2024)
        assert (found["students"], found["chronic"]) == counts, group
    groups_at_a = [r["group"] for r in result.to_pylist() if r["school_id"] == "A" and r["school_year"] == 2024]
    assert groups_at_a == ["all", *expected]
    # s08 has no race in the store: counted as unknown; s10 has no student record at all.
    assert row(result, "ALL", "race:unknown", school_year=2024)["students"] == 2


def test_threshold_is_compared_exactly(tables):
    # 0.15 × 20 is 3.0000000000000004 in floating point: 3 absent days of 20 must still be chronic.
    strict = run_metric("chronic-absenteeism", tables, min_n=1, threshold=0.05)
    # At 5 %: s01, s02, s03, s05 (1 of 15), s06 (1 of 20 in the district), s08, s10.
    assert row(strict, "ALL", "all", school_year=2024)["chronic"] == 7
    assert row(run_metric("chronic-absenteeism", tables, min_n=1, threshold=0.15), "ALL", "all",
               school_year=2024)["chronic"] == 1  # s08: 3 of 20


def test_minimum_enrolled_days_option(tables):
    result = run_metric("chronic-absenteeism", tables, min_n=1, min_enrolled_days=9)
    # s07 (9 days, 5 absent) now counts at A and in the district.
    school_a = row(result, "A", "all", school_year=2024)
    assert (school_a["students"], school_a["chronic"]) == (8, 4)
    assert row(result, "ALL", "all", school_year=2024)["students"] == 9


def test_one_school_year(tables):
    result = run_metric("chronic-absenteeism", tables, min_n=1, school_year=2025)
    assert set(result.column("school_year").to_pylist()) == {2025}


def test_default_suppression_hides_small_rows(tables):
    result = run_metric("chronic-absenteeism", tables)
    assert all(r["suppressed"] == 1 and r["students"] is None and r["rate"] is None for r in result.to_pylist())


@pytest.mark.parametrize(("options", "message"), [
    ({"threshold": 0}, "threshold must be above 0"),
    ({"min_enrolled_days": 0}, "min_enrolled_days must be at least 1"),
    ({"cohort_year": 2020}, "has no option 'cohort_year'"),
])
def test_bad_options_are_named(tables, options, message):
    with pytest.raises(MetricError, match=message):
        run_metric("chronic-absenteeism", tables, **options)


def test_a_stint_inside_another_adds_no_day(tmp_path):
    stints = [
        {"student_id": "s99", "school_id": "B", "school_year": 2024, "grade_level": 9, "entry_date": "2024-01-08"},
        {"student_id": "s99", "school_id": "B", "school_year": 2024, "grade_level": 9, "entry_date": "2024-01-15",
         "exit_date": "2024-01-19"},
        {"student_id": "s99", "school_id": "B", "school_year": 2024, "grade_level": 9, "entry_date": "2024-01-22",
         "exit_date": "2024-01-23"},
    ]
    absences = [{"student_id": "s99", "school_id": "B", "date": "2024-01-16", "category": "excused_absence"}]
    store = build_store(tmp_path / "store.duckdb", "chronic", rows={
        "student_school_association": stints, "student_school_attendance_event": absences,
    })
    with open_tables(store) as tables:
        assert days_by_student(tables, "B")["s99"] == (20, 1)


def test_the_hand_written_sql_counts_absences_in_nested_and_overlapping_stints(tmp_path):
    """Three absences in 20 days is chronic at 15 %; a day lost in the stints' union would make it 2 of 20."""
    from improvenet.analytics.baseline_sql import chronic_absenteeism_sql

    stints = [
        {"student_id": "s99", "school_id": "B", "school_year": 2024, "grade_level": 9, "entry_date": "2024-01-08",
         "exit_date": "2024-01-26"},
        {"student_id": "s99", "school_id": "B", "school_year": 2024, "grade_level": 9, "entry_date": "2024-01-15",
         "exit_date": "2024-01-17"},
        {"student_id": "s99", "school_id": "B", "school_year": 2024, "grade_level": 9, "entry_date": "2024-01-15",
         "exit_date": "2024-01-16"},
        {"student_id": "s99", "school_id": "B", "school_year": 2024, "grade_level": 9, "entry_date": "2024-01-22"},
    ]
    absences = [
        {"student_id": "s99", "school_id": "B", "date": day, "category": "excused_absence"}
        for day in ("2024-01-09", "2024-01-18", "2024-01-19", "2024-01-20")
    ]
    store = build_store(tmp_path / "store.duckdb", "chronic", rows={
        "student_school_association": stints, "student_school_attendance_event": absences,
    })
    with open_tables(store) as tables:
        assert days_by_student(tables, "B")["s99"] == (20, 3)
        expected = run_metric("chronic-absenteeism", tables, min_n=1, threshold=0.15)
        assert any(r["school_id"] == "B" and r["chronic"] for r in expected.to_pylist())
        assert chronic_absenteeism_sql(tables.connection, min_n=1, threshold=0.15).to_pylist() == expected.to_pylist()


@pytest.mark.parametrize("options", [{"min_n": 1}, {"min_n": 2, "threshold": 0.05, "min_enrolled_days": 15}])
def test_the_hand_written_sql_of_the_benchmark_gives_the_same_table(tables, options):
    from improvenet.analytics.baseline_sql import chronic_absenteeism_sql

    expected = run_metric("chronic-absenteeism", tables, **options)
    assert chronic_absenteeism_sql(tables.connection, **options).to_pylist() == expected.to_pylist()
