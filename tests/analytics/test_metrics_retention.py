"""Teacher retention against the hand-computed fixture tests/fixtures/analytics/metrics/retention/.

Years 2021 to 2024. k01 teaches at A every year; k02 A 2021 then B 2022; k03 A 2021 only; k04 A 2022
then principal at A in 2023 (stayed: the next year's role does not matter); k05 teaches at A and B in
2021, at B in 2022; k06 is a counselor (not a teacher); k07 A 2022, away in 2023, back in 2024;
k08 B 2023 and 2024.
"""

import pytest

from improvenet.analytics.engines import open_tables
from improvenet.analytics.metrics import MetricError, run_metric
from improvenet.analytics.metrics.teacher_retention import teacher_spells

from .metric_store import build_store, row


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("retention") / "store.duckdb", "retention")
    with open_tables(store) as opened:
        yield opened


def outcomes(result, school_id, year):
    found = row(result, school_id, "all", school_year=year)
    return found["teachers"], found["stayed"], found["moved"], found["left"]


def test_stayed_moved_left_by_school(tables):
    result = run_metric("teacher-retention", tables, min_n=1)
    assert outcomes(result, "A", 2021) == (4, 1, 2, 1)  # k01 stayed; k02, k05 moved; k03 left
    assert outcomes(result, "B", 2021) == (1, 1, 0, 0)  # k05 stayed at B
    assert outcomes(result, "A", 2022) == (3, 2, 0, 1)  # k01, k04 stayed; k07 left (back only in 2024)
    assert outcomes(result, "B", 2022) == (2, 0, 0, 2)
    assert outcomes(result, "A", 2023) == (1, 1, 0, 0)  # k04 is a principal in 2023: not a teacher
    assert row(result, "A", "all", school_year=2021)["moved_rate"] == 0.5
    # 2024 has no next year in the data.
    assert 2024 not in result.column("school_year").to_pylist()


def test_district_counts_each_teacher_once(tables):
    result = run_metric("teacher-retention", tables, min_n=1)
    # k05 taught at A and B in 2021 and stayed at B: stayed, for the district.
    assert outcomes(result, "ALL", 2021) == (4, 2, 1, 1)
    assert outcomes(result, "ALL", 2022) == (5, 2, 0, 3)


def test_spells_leave_out_the_first_year_and_censor_the_last(tables):
    spells = teacher_spells(tables).set_index("staff_id")
    assert set(spells.index) == {"k04", "k07", "k08"}
    assert tuple(spells.loc["k04"]) == (2022, 2, 1)
    assert tuple(spells.loc["k07"]) == (2022, 1, 1)
    assert tuple(spells.loc["k08"]) == (2023, 2, 0)


def test_kaplan_meier_curves(tables):
    curves = run_metric("teacher-retention", tables, min_n=1, view="curves").to_pylist()
    cohort_2022 = [(c["years"], c["survival"], c["at_risk"]) for c in curves if c["cohort"] == 2022]
    assert cohort_2022 == [(0, 1.0, 2), (1, 0.5, 2), (2, 0.0, 1)]
    first_year = next(c for c in curves if c["cohort"] == 2022 and c["years"] == 1)
    assert 0 <= first_year["ci_lower"] < 0.5 < first_year["ci_upper"] <= 1


def test_small_cohorts_are_suppressed(tables):
    curves = run_metric("teacher-retention", tables, view="curves").to_pylist()
    assert curves and all(c["suppressed"] == 1 and c["survival"] is None and c["at_risk"] is None for c in curves)
    shares = run_metric("teacher-retention", tables, min_n=3).to_pylist()
    hidden = {(r["school_id"], r["school_year"]) for r in shares if r["suppressed"]}
    # B 2021 (1 teacher) is hidden and, so it cannot be recovered from the district row, A 2021 too.
    assert ("B", 2021) in hidden and ("A", 2021) in hidden


def test_unknown_view_is_named(tables):
    with pytest.raises(MetricError, match="view must be one of shares, curves, not 'table'"):
        run_metric("teacher-retention", tables, view="table")
