"""Chronic absenteeism hand-written in one DuckDB SQL query: the practical limit in bench/bench_metrics.py.

Same definition as `metrics.chronic_absenteeism` (docs/metrics.md) and the same published table (the
query's counts end in the same `finish`). It is what a person fluent in DuckDB would write for this one
metric, with no engine in between: enrolled days counted from each clipped stint's bounds with ASOF joins
on the numbered calendar (never listing student-days), absent days as distinct calendar dates inside the
union of a student's stints, the district as the sum of a student's schools.

The absent days find their stint by an ASOF join (the latest stint entered on or before the day) and count
when the day is no later than the furthest end of that stint and every stint entered before it: the same
union of stints, without a range join. An equality join of the events on the stints would let DuckDB build
its hash table on the 11.6 million events (a Parquet view has no statistics to tell it otherwise), the
slowest and largest plan; the ASOF join sorts the 0.65 million stints instead.
"""

from __future__ import annotations

from fractions import Fraction

import duckdb
import pyarrow as pa

from improvenet.analytics.metrics.common import UNKNOWN, finish
from improvenet.analytics.schema import ABSENCE_CATEGORIES
from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT

QUERY = """
WITH
numbered AS (
    SELECT school_id, school_year, date,
           row_number() OVER (PARTITION BY school_id, school_year ORDER BY date) AS days_to
    FROM calendar_date
),
last_days AS (SELECT school_id, school_year, max(date) AS last_day FROM calendar_date GROUP BY ALL),
stints AS (
    SELECT s.student_id, s.school_id, s.school_year, s.entry_date,
           coalesce(s.exit_date, l.last_day) AS stint_end
    FROM student_school_association s
    JOIN last_days l USING (school_id, school_year)
    ANTI JOIN student_opt_out o USING (student_id)
),
clipped AS (
    SELECT *, coalesce(max(stint_end) OVER (
               PARTITION BY student_id, school_id, school_year ORDER BY entry_date
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), DATE '1900-01-01') AS covered_to
    FROM stints
),
at_end AS (
    SELECT c.*, coalesce(n.days_to, 0) AS to_end FROM clipped c
    ASOF LEFT JOIN numbered n ON c.school_id = n.school_id AND c.school_year = n.school_year
                              AND c.stint_end >= n.date
),
at_entry AS (
    SELECT c.*, coalesce(n.days_to, 0) AS before_entry FROM at_end c
    ASOF LEFT JOIN numbered n ON c.school_id = n.school_id AND c.school_year = n.school_year
                              AND c.entry_date > n.date
),
at_covered AS (
    SELECT c.*, coalesce(n.days_to, 0) AS to_covered FROM at_entry c
    ASOF LEFT JOIN numbered n ON c.school_id = n.school_id AND c.school_year = n.school_year
                              AND c.covered_to >= n.date
),
enrolled AS (
    SELECT student_id, school_id, school_year,
           sum(greatest(to_end - greatest(before_entry, to_covered), 0)) AS enrolled
    FROM at_covered GROUP BY ALL
),
reach AS (
    SELECT student_id, school_id, school_year, entry_date,
           max(stint_end) OVER (PARTITION BY student_id, school_id, school_year ORDER BY entry_date
                                RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS reach
    FROM stints
),
absences AS (
    SELECT DISTINCT a.student_id, a.school_id, d.school_year, a.date
    FROM student_school_attendance_event a
    JOIN calendar_date d ON a.school_id = d.school_id AND a.date = d.date
    WHERE list_contains($categories, a.category)
),
absent AS (
    SELECT a.student_id, a.school_id, a.school_year, count(*) AS absent
    FROM absences a
    ASOF JOIN reach r ON a.student_id = r.student_id AND a.school_id = r.school_id
                      AND a.school_year = r.school_year AND a.date >= r.entry_date
    WHERE a.date <= r.reach
    GROUP BY ALL
),
per_school AS (
    SELECT e.student_id, e.school_id, e.school_year, e.enrolled, coalesce(a.absent, 0) AS absent
    FROM enrolled e LEFT JOIN absent a USING (student_id, school_id, school_year)
),
facts AS (
    SELECT student_id, school_id, school_year, enrolled, absent FROM per_school
    UNION ALL
    SELECT student_id, $district, school_year, sum(enrolled), sum(absent) FROM per_school GROUP BY ALL
)
SELECT f.school_id, f.school_year,
       coalesce(s.sex, $unknown) AS sex, coalesce(s.race_ethnicity, $unknown) AS race_ethnicity,
       coalesce(s.ell, 0) AS ell, coalesce(s.sped, 0) AS sped, coalesce(s.frl, 0) AS frl,
       count(*) AS people,
       sum(CASE WHEN f.absent * $denominator >= f.enrolled * $numerator THEN 1 ELSE 0 END) AS outcomes
FROM facts f LEFT JOIN student s USING (student_id)
WHERE f.enrolled >= $min_enrolled_days
GROUP BY ALL
"""


def chronic_absenteeism_sql(connection: duckdb.DuckDBPyConnection, min_n: int = DEFAULT_MIN_N,
                            min_enrolled_days: int = 10, threshold: float = 0.10) -> pa.Table:
    """The published table from the store tables (or views of the same names) of `connection`."""
    ratio = Fraction(threshold).limit_denominator(1_000_000)
    counts = connection.execute(QUERY, {
        "categories": list(ABSENCE_CATEGORIES), "district": DISTRICT, "unknown": UNKNOWN,
        "numerator": ratio.numerator, "denominator": ratio.denominator, "min_enrolled_days": min_enrolled_days,
    }).df()
    return finish(counts, "school_year", "students", "chronic", min_n)
