"""9th-grade on-track against the hand-computed fixture tests/fixtures/analytics/metrics/on_track/.

First-time 9th graders in 2024 (credits earned in 2024, core-subject semester Fs):
t01 A 6.0, 0 F: on track; t02 A exactly 5.0, exactly one F (math): on track; t03 B 4.5: off;
t04 B 6.0, two core Fs: off; t05 A 6.0, one core F and one F in `other`: on track; t07 A no marks: off;
t08 started at A, moved to B (school A), 3.0 credits at each: on track; t10 A 6 credits in grade 8
(2023) but 2.0 in 2024: off; t11 A 5 × 0.7 + 5 × 0.3 (4.999999999999999 in floating point): on track.
Not counted in 2024: t06 (repeats grade 9, first-time in 2023), t09 (opted out).
"""

import pytest

from improvenet.analytics.engines import open_tables
from improvenet.analytics.metrics import run_metric

from .metric_store import build_store, row


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("on_track") / "store.duckdb", "on_track")
    with open_tables(store) as opened:
        yield opened


def test_schools_and_district_in_2024(tables):
    result = run_metric("on-track", tables, min_n=1, school_year=2024)
    assert row(result, "A", "all") == {
        "school_id": "A", "school_year": 2024, "group": "all", "students": 7, "on_track": 5,
        "rate": round(5 / 7, 4), "suppressed": 0,
    }
    school_b, district = row(result, "B", "all"), row(result, "ALL", "all")
    assert (school_b["students"], school_b["on_track"]) == (2, 0)
    assert (district["students"], district["on_track"]) == (9, 5)


def test_groups(tables):
    result = run_metric("on-track", tables, min_n=1, school_year=2024)
    # At A: t01, t05, t07, t11 are F (odd); t02, t08, t10 are M; on track: t01 t05 t11 / t02 t08.
    assert (row(result, "A", "sex:F")["students"], row(result, "A", "sex:F")["on_track"]) == (4, 3)
    assert (row(result, "A", "sex:M")["students"], row(result, "A", "sex:M")["on_track"]) == (3, 2)


def test_every_year_by_default(tables):
    result = run_metric("on-track", tables, min_n=1)
    first_2023 = row(result, "ALL", "all", school_year=2023)
    assert (first_2023["students"], first_2023["on_track"]) == (1, 1)  # t06 in its first 9th-grade year
