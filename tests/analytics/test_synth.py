"""The synthetic district: a valid bundle, the same for the same seed, with the patterns the metrics look for."""

import duckdb
import pytest

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.synth import SchoolSpec, default_district, synthesize

FIRST_YEAR, YEARS, START = 2021, 4, 2023


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    result = synthesize(2500, YEARS, 11, folder, first_year=FIRST_YEAR, improvement_start_year=START)
    bundle = read_bundle(folder)
    connection = duckdb.connect()
    for name, table in bundle.tables.items():
        connection.register(name, table)
    yield result, bundle, connection
    connection.close()


def one(connection, sql):
    return connection.execute(sql).fetchone()


def test_the_bundle_is_valid_and_covers_every_file(district):
    result, bundle, _ = district

    counts = bundle.row_counts()
    assert all(counts[name] > 0 for name in counts if name != "student_assessment")
    assert result.rows["attendance.csv"] == counts["student_school_attendance_event"]
    assert result.rows["enrollments.csv"] == counts["student_school_association"]


def test_the_same_seed_writes_the_same_files_and_another_seed_other_ones(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        synthesize(300, 2, seed, tmp_path / name)

    for file in ("students.csv", "enrollments.csv", "attendance.csv", "course_marks.csv", "staff_assignments.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    assert (tmp_path / "a" / "attendance.csv").read_bytes() != (tmp_path / "c" / "attendance.csv").read_bytes()


def test_every_grade_is_enrolled_each_year_and_the_district_keeps_its_size(district):
    _, _, connection = district

    rows = connection.execute(
        "SELECT school_year, count(DISTINCT grade_level), count(DISTINCT student_id) "
        "FROM student_school_association GROUP BY 1 ORDER BY 1").fetchall()

    assert [row[0] for row in rows] == list(range(FIRST_YEAR, FIRST_YEAR + YEARS))
    assert all(row[1] == 13 for row in rows)
    assert all(2400 <= row[2] <= 2900 for row in rows)


def test_students_move_up_a_grade_and_along_their_pyramid(district):
    _, _, connection = district

    promoted, returning = one(connection, """
        WITH last AS (SELECT student_id, school_year, max(grade_level) AS grade
                      FROM student_school_association GROUP BY 1, 2)
        SELECT avg((b.grade = a.grade + 1)::INT), count(*)
        FROM last a JOIN last b ON a.student_id = b.student_id AND b.school_year = a.school_year + 1""")
    assert returning > 5000
    assert 0.95 < promoted < 1.0  # a few are held back
    # Fifth graders go on to a middle school of their elementary school's pyramid.
    feeder = {s.school_id: s.feeds_into for s in district[0].schools}
    moves = connection.execute("""
        SELECT a.school_id, b.school_id FROM student_school_association a
        JOIN student_school_association b ON a.student_id = b.student_id AND b.school_year = a.school_year + 1
        WHERE a.grade_level = 5 AND b.grade_level = 6 AND a.exit_type IS NULL""").fetchall()
    same_pyramid = sum(feeder[elementary] == feeder[middle] for elementary, middle in moves) / len(moves)
    assert len(moves) > 300 and same_pyramid > 0.9


def test_mobility_gives_every_exit_type_and_several_stints(district):
    _, _, connection = district

    exits = dict(connection.execute(
        "SELECT exit_type, count(*) FROM student_school_association WHERE exit_type IS NOT NULL GROUP BY 1").fetchall())
    stints = one(connection, "SELECT count(*) FROM (SELECT student_id, school_year FROM student_school_association "
                             "GROUP BY 1, 2 HAVING count(*) > 1)")[0]
    dropout_grades = one(connection, "SELECT min(grade_level) FROM student_school_association "
                                     "WHERE exit_type = 'dropout'")[0]

    assert set(exits) == {"transfer_in_district", "transfer_out_documented", "transfer_out_undocumented", "dropout",
                          "graduated_regular", "graduated_other"}
    assert exits["graduated_regular"] > exits["dropout"]
    assert stints > 100
    assert dropout_grades >= 9


def test_a_minority_of_students_is_chronically_absent(district):
    _, _, connection = district

    share = one(connection, """
        WITH days AS (
            SELECT e.student_id, e.school_id, e.school_year, count(*) AS enrolled
            FROM student_school_association e JOIN calendar_date c
              ON c.school_id = e.school_id AND c.school_year = e.school_year
             AND c.date >= e.entry_date AND (e.exit_date IS NULL OR c.date <= e.exit_date)
            GROUP BY 1, 2, 3),
        absent AS (
            SELECT a.student_id, a.school_id, c.school_year, count(*) AS absences
            FROM student_school_attendance_event a JOIN calendar_date c ON c.school_id = a.school_id
             AND c.date = a.date
            WHERE a.category IN ('excused_absence', 'unexcused_absence') GROUP BY 1, 2, 3)
        SELECT avg((coalesce(absences, 0) >= 0.1 * enrolled)::INT) FROM days
        LEFT JOIN absent USING (student_id, school_id, school_year) WHERE enrolled >= 10""")[0]

    assert 0.08 < share < 0.4


def test_the_innovation_schools_improve_after_the_start_year(district):
    result, _, connection = district
    improving = "', '".join(result.improving_schools)

    rates = dict(connection.execute(f"""
        WITH absences AS (
            SELECT a.school_id, c.school_year, count(*) AS n FROM student_school_attendance_event a
            JOIN calendar_date c ON c.school_id = a.school_id AND c.date = a.date
            WHERE category IN ('excused_absence', 'unexcused_absence') GROUP BY 1, 2),
        enrolled AS (SELECT school_id, school_year, count(DISTINCT student_id) AS n
                     FROM student_school_association GROUP BY 1, 2)
        SELECT (school_id IN ('{improving}'))::INT * 2 + (school_year >= {START})::INT,
               sum(absences.n) / sum(enrolled.n)
        FROM absences JOIN enrolled USING (school_id, school_year) GROUP BY 1""").fetchall())
    marks = dict(connection.execute(f"""
        SELECT (school_id IN ('{improving}'))::INT * 2 + (school_year >= {START})::INT, avg((mark = 'F')::INT)
        FROM course_mark GROUP BY 1""").fetchall())

    # Difference in differences: the innovation schools' change minus the others'.
    assert (rates[3] - rates[2]) - (rates[1] - rates[0]) < -1.0
    assert (marks[3] - marks[2]) - (marks[1] - marks[0]) < -0.01


def test_course_marks_and_credits(district):
    _, _, connection = district

    failing, lowest, credits_in_middle = one(connection, """
        SELECT avg((mark = 'F')::INT), min(e.grade_level),
               sum(CASE WHEN e.grade_level < 9 THEN credits_earned ELSE 0 END)
        FROM course_mark m JOIN (SELECT DISTINCT student_id, school_id, school_year, grade_level
                                 FROM student_school_association) e USING (student_id, school_id, school_year)""")
    spread = one(connection, "SELECT max(f) - min(f) FROM (SELECT school_id, avg((mark = 'F')::INT) AS f "
                             "FROM course_mark GROUP BY 1)")[0]

    assert 0.03 < failing < 0.25
    assert lowest == 6 and credits_in_middle == 0
    assert spread > 0.03


def test_teachers_stay_move_or_leave(district):
    _, _, connection = district

    stay, move, leave = one(connection, """
        WITH pairs AS (
            SELECT a.staff_id, a.school_id AS before, b.school_id AS after
            FROM staff_school_association a LEFT JOIN staff_school_association b
              ON a.staff_id = b.staff_id AND b.school_year = a.school_year + 1
            WHERE a.school_year < (SELECT max(school_year) FROM staff_school_association) AND a.role = 'teacher')
        SELECT avg(coalesce(after = before, false)::INT), avg(coalesce(after <> before, false)::INT),
               avg((after IS NULL)::INT) FROM pairs""")
    principals = one(connection, "SELECT count(*) FROM staff_school_association WHERE role = 'principal'")[0]

    assert 0.75 < stay < 0.95 and 0.01 < move < 0.1 and 0.04 < leave < 0.2
    assert principals == YEARS * len(district[0].schools)


def test_a_given_cluster_of_schools_is_used_as_it_is(tmp_path):
    schools = [
        SchoolSpec("H1", "Riverside High School", "high", None, "innovation"),
        SchoolSpec("M1", "Riverside Middle School", "middle", "H1", "feeder"),
        SchoolSpec("E1", "Oak Elementary School", "elementary", "H1", "feeder"),
        SchoolSpec("H2", "Lakeside High School", "high", None, "comparison"),
        SchoolSpec("E2", "Pine Elementary School", "elementary", "H2", "feeder"),
        SchoolSpec("X1", "District Office", "other", None, "at_large"),
    ]

    result = synthesize(400, 2, 3, tmp_path, schools=schools, improvement_start_year=2021)

    bundle = read_bundle(tmp_path)
    assert bundle.tables["school"].column("name").to_pylist() == [s.name for s in schools]
    assert result.improving_schools == ("H1", "M1", "E1")
    enrolled = set(bundle.tables["student_school_association"].column("school_id").to_pylist())
    assert enrolled == {"H1", "M1", "E1", "H2", "E2"}


def test_bad_school_lists_are_refused(tmp_path):
    with pytest.raises(ValueError, match="at least one middle school"):
        synthesize(10, 1, 1, tmp_path, schools=[SchoolSpec("H", "H", "high"), SchoolSpec("E", "E", "elementary")])
    with pytest.raises(ValueError, match="Unknown school ids: NOPE"):
        synthesize(10, 1, 1, tmp_path, innovation_schools=["NOPE"])


def test_the_default_district_grows_with_the_students():
    small, large = default_district(3000, 1), default_district(60000, 1)

    assert sum(s.level == "high" for s in small) == 2
    assert sum(s.level == "high" for s in large) == 10
    assert [s.role for s in large if s.level == "high"][:3] == ["innovation", "comparison", "at_large"]
