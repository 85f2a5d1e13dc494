"""The pure reading and checking of measure data files (no Django, no database)."""

import ast
import datetime
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from improvenet.measures import upload as mu

RULES = mu.UploadRules(first_period=datetime.date(2025, 1, 6), last_period=datetime.date(2025, 6, 30))
SCHOOLS = mu.school_keys([(1, "Alpha High", "170000100001", ""), (2, "Alpha Middle", "", "MI-22")])


def check(text: str, rules=RULES, **kwargs) -> mu.CheckedFile:
    return mu.check_rows(mu.read_table(text.encode(), "data.csv"), rules, SCHOOLS, **kwargs)


def test_the_module_imports_no_django():
    tree = ast.parse(Path(mu.__file__).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name.startswith("django") for name in imported)


def test_good_rows_resolve_schools_by_name_nces_or_state_id_in_any_case():
    checked = check("School,Period,Numerator,Denominator\n alpha high ,2025-01-06,10,20\n"
                    "170000100001,2025-01-13,11,20\nmi-22,2025-01-06,5,9\n")
    assert checked.ok
    assert [(r.row, r.school_id, r.period, r.numerator, r.denominator) for r in checked.rows] == [
        (2, 1, datetime.date(2025, 1, 6), 10.0, 20.0),
        (3, 1, datetime.date(2025, 1, 13), 11.0, 20.0),
        (4, 2, datetime.date(2025, 1, 6), 5.0, 9.0),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Gamma High,2025-01-06,1,2", "unknown school “Gamma High”"),
        (",2025-01-06,1,2", "the school is missing"),
        ("Alpha High,2024-12-30,1,2", "before the measure's first period 2025-01-06"),
        ("Alpha High,2025-07-07,1,2", "after the measure's last period 2025-06-30"),
        ("Alpha High,2025-01-07,1,2", "is not a Monday"),
        ("Alpha High,06/01/2025,1,2", "is not a date"),
        ("Alpha High,2025-01-06,21,20", "the count 21 is above the denominator 20"),
        ("Alpha High,2025-01-06,-1,20", "the value -1 is negative"),
        ("Alpha High,2025-01-06,ten,20", "the count “ten” is not a number"),
        ("Alpha High,2025-01-06,1,", "the denominator is missing"),
        ("Alpha High,2025-01-06,1,0", "the denominator 0 is not above zero"),
        ("Alpha High,2025-01-06,1,x", "the denominator “x” is not a number"),
    ],
)
def test_each_kind_of_bad_row_is_named_with_its_row_number(row, message):
    checked = check(f"school,period,numerator,denominator\nAlpha Middle,2025-01-06,1,2\n{row}\n")
    assert [p.row for p in checked.problems] == [3]
    assert message in checked.problems[0].message
    assert [r.row for r in checked.rows] == [2]


def test_a_duplicate_period_in_the_file_names_the_first_row():
    checked = check("school,period,numerator,denominator\nAlpha High,2025-01-06,1,2\nx,2025-01-06,1,2\n"
                    "ALPHA HIGH,2025-01-06,1,2\n")
    assert [(p.row, p.message) for p in checked.problems] == [
        (3, "unknown school “x”"),
        (4, "duplicate period: row 2 already gives 2025-01-06 for this school"),
    ]


def test_several_problems_of_one_row_are_all_named():
    checked = check("school,period,numerator,denominator\nNowhere,2025-01-07,-3,2\n")
    message = checked.problems[0].message
    assert "unknown school" in message and "not a Monday" in message and "negative" in message


def test_single_value_measures_use_a_value_column_and_refuse_a_denominator():
    rules = mu.UploadRules(first_period=None, last_period=None, frequency="monthly", has_denominator=False)
    ok = check("school,month,value\nAlpha High,2025-02-01,4.5\n", rules)
    assert ok.ok and ok.rows[0].denominator is None
    bad = check("school,period,value,denominator\nAlpha High,2025-02-03,4,5\n", rules)
    assert "not the first day of a month" in bad.problems[0].message
    assert "leave the denominator empty" in bad.problems[0].message


def test_rates_may_count_more_than_their_denominator():
    rules = mu.UploadRules(first_period=None, last_period=None, count_at_most_denominator=False)
    assert check("school,period,numerator,denominator\nAlpha High,2025-01-06,30,20\n", rules).ok


def test_rows_the_user_may_not_write_are_refused():
    checked = check("school,period,numerator,denominator\nAlpha High,2025-01-06,1,2\nAlpha Middle,2025-01-06,1,2\n",
                    may_write={1}.__contains__, school_label={1: "Alpha High", 2: "Alpha Middle"}.get)
    assert [(p.row, p.message) for p in checked.problems] == [(3, "you may not enter data for Alpha Middle")]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"school,period,numerator\nAlpha High,2025-01-06,1\n", "a.csv", "no denominator column"),
        (b"foo,bar\n1,2\n", "a.csv", "no school and no period and no numerator"),
        (b"", "a.csv", "empty"),
        (b"school,period,numerator,denominator\n", "a.csv", "no data rows"),
        (b"\xff\xfe\x00x", "a.csv", "not UTF-8"),
        (b"not a zip", "a.xlsx", "not a readable XLSX"),
        (b"x", "a.pdf", "Upload a .csv or .xlsx file"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(content, name, message):
    with pytest.raises(mu.UploadFileError, match=message):
        mu.check_rows(mu.read_table(content, name), RULES, SCHOOLS)


def test_semicolon_csv_with_a_bom_and_blank_lines_is_read():
    text = "\ufeffschool;period;numerator;denominator\n\nAlpha High;2025-01-06;1;2\n;;;\n"
    checked = mu.check_rows(mu.read_table(text.encode(), "data.csv"), RULES, SCHOOLS)
    assert checked.ok and checked.rows[0].row == 3


def test_xlsx_with_date_cells_and_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["School", "Period", "Numerator", "Denominator"])
    sheet.append(["Alpha High", datetime.datetime(2025, 1, 6), 10, 20])
    sheet.append([170000100001, "2025-01-13", 11.0, 20])
    sheet.append(["Alpha High", datetime.date(2025, 1, 20), 30, 20])
    buffer = io.BytesIO()
    workbook.save(buffer)
    checked = mu.check_rows(mu.read_table(buffer.getvalue(), "data.xlsx"), RULES, SCHOOLS)
    assert [(r.row, r.school_id, r.period) for r in checked.rows] == [
        (2, 1, datetime.date(2025, 1, 6)), (3, 1, datetime.date(2025, 1, 13))]
    assert [(p.row, p.message) for p in checked.problems] == [(4, "the count 30 is above the denominator 20")]


@pytest.mark.parametrize(("cell", "expected"), [("1,234", 1234.0), (" 3.5 ", 3.5), (True, None), ("nan", None),
                                                 ("inf", None), (7, 7.0), ("", None)])
def test_parse_number(cell, expected):
    assert mu.parse_number(cell) == expected
