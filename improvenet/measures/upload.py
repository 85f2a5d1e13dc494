"""Reading and checking a file of measure data (CSV or XLSX) before anything is saved.

Pure Python (no Django): the caller says what the measure allows (`UploadRules`) and which
schools exist (a mapping from the ways a file may name a school to its id); `check_rows` returns
the good rows and one `RowProblem` per bad row, naming the row of the file (1 = the header) and
why. Saving is all or nothing, so the caller writes only when there is no problem at all.

The file has a header row and one row per school and period:

    school,period,numerator,denominator
    Riverside High,2025-09-01,143,180

`school` is the school's name, NCES id or state id (case and surrounding spaces do not matter);
`period` the first day of the period (YYYY-MM-DD, or a date cell in XLSX); for a measure with a
single value, the column is `value` (or `numerator`) and there is no denominator.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from improvenet.lib.limits import TooLarge, csv_rows, require_size, stream_size, text_stream

SCHOOL_COLUMNS = ("school", "school_name", "school_id", "nces_id")
PERIOD_COLUMNS = ("period", "week", "month", "date", "period_start")
NUMERATOR_COLUMNS = ("numerator", "count", "value")
DENOMINATOR_COLUMNS = ("denominator", "total", "n")
MAX_ROWS = 100_000
# What a file of measure data may hold (docs/measures.md): checked before, and while, it is read.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_LINE_CHARS = 100_000
MAX_CELL_CHARS = 1_000
SNIFF_CHARS = 4096
_EMPTY = "The file is empty: the first row must name the columns."
_NOT_UTF8 = "The CSV file is not UTF-8 text; save it as “CSV UTF-8”."
_NOT_XLSX = "The file is not a readable XLSX workbook."


class UploadFileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, no header, a required column missing)."""


@dataclass(frozen=True)
class UploadRules:
    """What a measure accepts: periods from `first_period` to `last_period` (inclusive, None: open),
    aligned to `frequency` (weekly: a Monday, monthly: the 1st, other: any day), a denominator or
    not, and whether the count may exceed the denominator."""

    first_period: datetime.date | None
    last_period: datetime.date | None
    frequency: str = "weekly"
    has_denominator: bool = True
    count_at_most_denominator: bool = True
    allow_negative: bool = False


@dataclass(frozen=True)
class GoodRow:
    row: int
    school_id: int
    period: datetime.date
    numerator: float
    denominator: float | None


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str


@dataclass
class CheckedFile:
    rows: list[GoodRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def comparable_text(text: object) -> str:
    """A cell as names are compared: spaces collapsed, case folded ("  Alpha  HIGH" matches "alpha high")."""
    return " ".join(str(text or "").split()).casefold()


def read_table(source: bytes | BinaryIO, filename: str,
               what: str = "a file of measure data") -> list[tuple[int, dict[str, object]]]:
    """The data rows of a CSV or XLSX file as (file row number, {column: cell}); columns lower-cased.

    `source` is the file's bytes or a seekable binary file. Its size is checked before it is read, and a
    CSV file is read one bounded line at a time: a file, a line or a cell over its limit (MAX_FILE_BYTES,
    MAX_LINE_CHARS, MAX_CELL_CHARS) is refused with an UploadFileError naming it; `what` names such a file
    in that message (other imports of people or records read their files here too).
    """
    name = filename.lower()
    if not name.endswith((".xlsx", ".csv", ".txt")):
        raise UploadFileError("Upload a .csv or .xlsx file.")
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        require_size(filename, stream_size(stream), MAX_FILE_BYTES, what)
        header, rows = _read_xlsx(stream, filename, what) if name.endswith(".xlsx") else _read_csv(stream, filename)
        columns = [comparable_text(cell).replace(" ", "_") for cell in header]
        if not any(columns):
            raise UploadFileError(_EMPTY)
        table = []
        for number, cells in rows:
            if all(cell is None or str(cell).strip() == "" for cell in cells):
                continue
            if len(table) >= MAX_ROWS:
                raise UploadFileError(f"The file has more than {MAX_ROWS:,} rows; split it.")
            table.append((number, {col: (cells[i] if i < len(cells) else None)
                                   for i, col in enumerate(columns) if col}))
    except TooLarge as error:
        raise UploadFileError(str(error)) from None
    return table


def _read_csv(stream: BinaryIO, filename: str) -> tuple[list, Iterator[tuple[int, list]]]:
    text = text_stream(stream)
    try:
        sample = text.read(SNIFF_CHARS)
        text.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = csv_rows(text, filename, max_line=MAX_LINE_CHARS, max_cell=MAX_CELL_CHARS, dialect=dialect)
        header = next(rows, None)
    except UnicodeDecodeError:
        raise UploadFileError(_NOT_UTF8) from None
    if header is None:
        raise UploadFileError(_EMPTY)
    return header[1], _decoded(rows, filename)


def _decoded(rows: Iterator[tuple[int, list]], filename: str) -> Iterator[tuple[int, list]]:
    try:
        yield from rows
    except UnicodeDecodeError:
        raise UploadFileError(_NOT_UTF8) from None
    except csv.Error as error:
        raise UploadFileError(f"{filename} is not a CSV file that can be read ({error}).") from None


def _read_xlsx(stream: BinaryIO, filename: str, what: str) -> tuple[list, Iterator[tuple[int, list]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(stream) as packed:
            unpacked = sum(member.file_size for member in packed.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise UploadFileError(_NOT_XLSX) from error
    # A few megabytes of XLSX can unpack to gigabytes, and the reader holds the workbook's texts in memory.
    require_size(f"{filename} unpacked", unpacked, MAX_XLSX_UNPACKED_BYTES, what.replace("file", "workbook"))
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise UploadFileError(_NOT_XLSX) from error
    rows = _xlsx_rows(workbook, filename)
    header = next(rows, None)
    if header is None:
        workbook.close()
        raise UploadFileError(_EMPTY)
    return header[1], rows


def _xlsx_rows(workbook, filename: str) -> Iterator[tuple[int, list]]:
    try:
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            for index, cell in enumerate(row):
                if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                    raise TooLarge(f"{filename} row {number}, column {index + 1}: a cell of {len(cell):,} "
                                   f"characters; a cell can hold at most {MAX_CELL_CHARS:,}.")
            yield number, list(row)
    finally:
        workbook.close()


def first_present_column(columns: Iterable[str], names: tuple[str, ...]) -> str | None:
    """The first of `names`, in their order of preference, that is one of the file's columns; None if none is."""
    present = set(columns)
    return next((name for name in names if name in present), None)


def parse_period(cell: object) -> datetime.date | None:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = str(cell or "").strip()
    try:
        return datetime.date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def parse_number(cell: object) -> float | None:
    """A finite number, or None when the cell is not one (booleans and text are not numbers)."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        text = str(cell or "").strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def period_problem(period: datetime.date, rules: UploadRules) -> str | None:
    """Why a period is not allowed for the measure, or None."""
    if rules.first_period and period < rules.first_period:
        return f"period {period} is before the measure's first period {rules.first_period}"
    if rules.last_period and period > rules.last_period:
        return f"period {period} is after the measure's last period {rules.last_period}"
    if rules.frequency == "weekly" and period.weekday() != 0:
        return f"period {period} is not a Monday (weekly periods start on Monday)"
    if rules.frequency == "monthly" and period.day != 1:
        return f"period {period} is not the first day of a month"
    return None


def value_problems(numerator: float, denominator: float | None, rules: UploadRules) -> list[str]:
    """Why a numerator and denominator are not allowed for the measure (empty when they are)."""
    problems = []
    if numerator < 0 and not rules.allow_negative:
        problems.append(f"the value {numerator:g} is negative")
    if rules.has_denominator:
        if denominator is None:
            problems.append("the denominator is missing")
        elif denominator <= 0:
            problems.append(f"the denominator {denominator:g} is not above zero")
        elif rules.count_at_most_denominator and numerator > denominator:
            problems.append(f"the count {numerator:g} is above the denominator {denominator:g}")
    elif denominator is not None:
        problems.append("this measure has a single value: leave the denominator empty")
    return problems


def check_rows(
    table: list[tuple[int, dict[str, object]]],
    rules: UploadRules,
    schools: Mapping[str, int],
    school_label: Callable[[int], str] | None = None,
    may_write: Callable[[int], bool] | None = None,
) -> CheckedFile:
    """Check every row; `schools` maps a casefolded name, NCES id or state id to a school id."""
    if not table:
        raise UploadFileError("The file has a header but no data rows.")
    columns = table[0][1].keys()
    school_col = first_present_column(columns, SCHOOL_COLUMNS)
    period_col = first_present_column(columns, PERIOD_COLUMNS)
    numerator_col = first_present_column(columns, NUMERATOR_COLUMNS)
    denominator_col = first_present_column(columns, DENOMINATOR_COLUMNS)
    missing = [name for name, col in (("school", school_col), ("period", period_col),
                                      ("numerator (or value)", numerator_col)) if col is None]
    if rules.has_denominator and denominator_col is None:
        missing.append("denominator")
    if missing:
        raise UploadFileError(
            f"The file has no {' and no '.join(missing)} column; the header row must name "
            f"school, period, {'numerator, denominator' if rules.has_denominator else 'value'}."
        )
    checked = CheckedFile()
    seen: dict[tuple[int, datetime.date], int] = {}
    for number, cells in table:
        problems = []
        school_text = str(cells.get(school_col) or "").strip()
        if isinstance(cells.get(school_col), float) and cells[school_col].is_integer():
            school_text = str(int(cells[school_col]))
        school_id = schools.get(comparable_text(school_text))
        if not school_text:
            problems.append("the school is missing")
        elif school_id is None:
            problems.append(f"unknown school “{school_text}”")
        elif may_write is not None and not may_write(school_id):
            problems.append(f"you may not enter data for {school_label(school_id) if school_label else school_text}")
        raw_period = cells.get(period_col)
        period = parse_period(raw_period)
        if period is None:
            problems.append(f"the period “{raw_period or ''}” is not a date (YYYY-MM-DD)")
        else:
            problem = period_problem(period, rules)
            if problem:
                problems.append(problem)
        raw_numerator = cells.get(numerator_col)
        numerator = parse_number(raw_numerator)
        if numerator is None:
            label = "count" if rules.has_denominator else "value"
            problems.append(f"the {label} “{raw_numerator if raw_numerator is not None else ''}” is not a number")
        denominator = None
        raw_denominator = cells.get(denominator_col) if denominator_col else None
        if raw_denominator is not None and str(raw_denominator).strip() != "":
            denominator = parse_number(raw_denominator)
            if denominator is None:
                problems.append(f"the denominator “{raw_denominator}” is not a number")
        if numerator is not None and not (raw_denominator not in (None, "") and denominator is None):
            problems.extend(value_problems(numerator, denominator, rules))
        if school_id is not None and period is not None:
            first = seen.setdefault((school_id, period), number)
            if first != number:
                problems.append(f"duplicate period: row {first} already gives {period} for this school")
        if problems:
            checked.problems.append(RowProblem(number, "; ".join(problems)))
        else:
            checked.rows.append(GoodRow(number, school_id, period, numerator, denominator))
    return checked


def school_keys(schools: Iterable[tuple[int, str, str, str]]) -> dict[str, int]:
    """The lookup `check_rows` needs, from (id, name, NCES id, state id) of each school."""
    keys: dict[str, int] = {}
    for pk, name, nces_id, state_id in schools:
        for text in (name, nces_id, state_id):
            if text:
                keys.setdefault(comparable_text(text), pk)
    return keys
