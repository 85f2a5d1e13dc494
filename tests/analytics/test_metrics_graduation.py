"""Four-year graduation rate against the hand-computed fixture tests/fixtures/analytics/metrics/graduation/.

Cohort 2021 (years 2021 to 2024), school A and B:
- A: g01 (graduates in 2024), g02 (no exit), g12 (dropout), g13 (graduates early, in 2023), g14
  (graduates in 2025, too late) and g07 (joins late, in grade 11 in 2023): 6 members, 2 graduates.
- g05 left A as a documented transfer in 2021 but came back at B and graduated: its latest-exiting record
  is the graduation, so it stays, at B. g06 (grade 10 in 2022) and g08 (grade 12 in 2024) join late and
  graduate at B; g15 moved from A to B within the district and graduated; g18's latest-exiting record is
  open (not removing), its latest-entered one at B: 5 members at B, 4 graduates.
- Removed: g04 (documented transfer), g10 (emigrated), g11 (deceased), g17 (its latest-exiting record,
  at A, is a documented transfer, though it entered B later).
- Not in cohort 2021: g03 (first grade 9 in 2020, repeated it in 2021), g09 (first seen in grade 10 in
  2021: cohort 2020), g16 (opted out).
"""

import pytest

from improvenet.analytics.engines import open_tables
from improvenet.analytics.metrics import MetricError, run_metric
from improvenet.analytics.metrics.graduation_rate import cohort_members

from .metric_store import build_store, row


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("graduation") / "store.duckdb", "graduation")
    with open_tables(store) as opened:
        yield opened


def test_cohort_membership_with_late_joiners(tables):
    members = cohort_members(tables["student_school_association"]).collect(backend="pandas").to_native()
    cohorts = dict(zip(members.student_id, members.cohort_year, strict=True))
    assert cohorts["g03"] == 2020 and cohorts["g09"] == 2020
    assert {s for s, y in cohorts.items() if y == 2021} == {
        "g01", "g02", "g04", "g05", "g06", "g07", "g08", "g10", "g11", "g12", "g13", "g14", "g15", "g16",
        "g17", "g18",
    }


def test_cohort_2021(tables):
    result = run_metric("graduation-rate", tables, min_n=1, cohort_year=2021)
    assert row(result, "A", "all") == {
        "school_id": "A", "cohort_year": 2021, "group": "all", "cohort": 6, "graduates": 2,
        "rate": round(2 / 6, 4), "suppressed": 0,
    }
    school_b, district = row(result, "B", "all"), row(result, "ALL", "all")
    assert (school_b["cohort"], school_b["graduates"]) == (5, 4)
    assert (district["cohort"], district["graduates"], district["rate"]) == (11, 6, round(6 / 11, 4))


def test_every_complete_cohort_by_default(tables):
    result = run_metric("graduation-rate", tables, min_n=1)
    # The data ends in 2025: cohorts 2020 to 2022 are complete; nobody started grade 9 in 2022.
    assert sorted(set(result.column("cohort_year").to_pylist())) == [2020, 2021]
    cohort_2020 = row(result, "ALL", "all", cohort_year=2020)
    assert (cohort_2020["cohort"], cohort_2020["graduates"]) == (2, 2)


def test_groups_of_the_cohort(tables):
    result = run_metric("graduation-rate", tables, min_n=1, cohort_year=2021)
    # Kept members at B: g05, g06, g08, g15, g18; odd numbers are F in the fixture.
    assert (row(result, "B", "sex:F")["cohort"], row(result, "B", "sex:M")["cohort"]) == (2, 3)
    assert row(result, "B", "ell")["cohort"] == 1  # g08


def test_incomplete_cohort_is_refused_with_the_last_year(tables):
    refusal = "needs enrollment records through 2026; the store ends with school year 2025"
    with pytest.raises(MetricError, match=refusal):
        run_metric("graduation-rate", tables, cohort_year=2023)
