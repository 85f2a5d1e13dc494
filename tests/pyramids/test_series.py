"""Pooling schools' values into pyramids, and summing suppressed metric rows without undoing suppression."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from improvenet.pyramids.series import metric_totals, pooled

D = datetime.date


def test_pooling_weighs_by_the_denominator_and_groups_by_month():
    rows = [("a", D(2025, 1, 6), 60, 100), ("a", D(2025, 1, 13), 80, 100), ("b", D(2025, 1, 6), 10, 50),
            ("a", D(2025, 2, 3), 90, 100), ("c", D(2025, 1, 6), 99, 100)]
    points = pooled(rows, {"a": "P", "b": "P"}.get, has_denominator=True, multiply=100)
    assert [(p.unit, p.period, round(p.value, 3), p.weight) for p in points] == [
        ("P", D(2025, 1, 1), 60.0, 250), ("P", D(2025, 2, 1), 90.0, 100)]


def test_single_values_are_averaged_and_empty_denominators_give_no_value():
    rows = [("a", D(2025, 1, 6), 4, None), ("a", D(2025, 1, 13), 6, None)]
    assert [(p.value, p.weight) for p in pooled(rows, lambda s: s, has_denominator=False)] == [(5.0, 2)]
    assert pooled([("a", D(2025, 1, 6), 0, 0)], lambda s: s, has_denominator=True) == []


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 50), st.integers(50, 100)), min_size=1))
def test_a_pyramid_of_one_month_is_everything_counted_over_everything_counted_out_of(values):
    rows = [(school, D(2025, 3, 3), numerator, denominator) for school, numerator, denominator in values]
    (point,) = pooled(rows, lambda school: "P", has_denominator=True)
    assert abs(point.value - sum(v[1] for v in values) / sum(v[2] for v in values)) < 1e-12
    assert 0 <= point.value <= 1


def row(school, year, students, count, suppressed=0, group="all"):
    return {"school_id": school, "school_year": year, "group": group, "students": students, "chronic": count,
            "suppressed": suppressed}


def test_metric_totals_sum_schools_and_hide_a_pyramid_with_a_hidden_school():
    rows = [row("H", 2024, 200, 40), row("M", 2024, 100, 30), row("H", 2025, 210, 42),
            row("M", 2025, None, None, suppressed=1), row("H", 2024, 50, 5, group="ell"), row("X", 2024, 10, 9)]
    totals = metric_totals(rows, {"H": "P", "M": "P"}.get, count="students", numerator="chronic",
                           period="school_year")
    assert [(t.period, t.count, t.numerator, t.hidden_schools) for t in totals] == [
        (2024, 300, 70, 0), (2025, None, None, 1)]
    assert totals[0].rate == 70 / 300 and totals[1].rate is None


@given(st.lists(st.tuples(st.integers(0, 300), st.booleans()), min_size=1, max_size=6))
def test_no_total_is_shown_when_any_of_its_schools_is_hidden(schools):
    rows = [row(f"S{i}", 2025, None if hidden else n, None if hidden else n // 2, int(hidden))
            for i, (n, hidden) in enumerate(schools)]
    (total,) = metric_totals(rows, lambda school: "P", count="students", numerator="chronic", period="school_year")
    if any(hidden for _, hidden in schools):
        assert total.count is None and total.hidden_schools == sum(hidden for _, hidden in schools)
    else:
        assert total.count == sum(n for n, _ in schools)


def test_the_totals_of_all_students_rows_are_those_of_every_row():
    import pyarrow as pa

    from improvenet.pyramids.services import _all_students_rows

    # Other groups and a row without a group are left out before converting, as metric_totals leaves them out.
    table = pa.table({"school_id": ["a", "a", "b", "b", "b", "c"], "school_year": [2024] * 6,
                      "group": ["all", "female", "all", None, "ell", "all"], "students": [40, 20, 30, 9, 5, 12],
                      "chronic": [8, 3, 6, 1, 2, 4], "suppressed": [0, 0, 0, 0, 1, 1]})
    columns = {"count": "students", "numerator": "chronic", "period": "school_year"}
    kept = _all_students_rows(table)
    assert [row["group"] for row in kept] == ["all", "all", "all"]
    assert metric_totals(kept, lambda school: "P", **columns) == metric_totals(table.to_pylist(), lambda school: "P",
                                                                               **columns)
    assert metric_totals(kept, {"a": "P", "b": "P"}.get, **columns)[0].numerator == 14
