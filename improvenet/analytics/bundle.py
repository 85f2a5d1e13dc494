"""The flat CSV bundle: read a folder of CSV files, check every row, and hand back typed Arrow tables.

The format is in docs/data.md: one UTF-8 CSV file with a header per schema table (`schema.TABLES`),
ISO 8601 dates, 0/1 flags, grades 0 to 12, `school_year` the calendar year in which the school year ends.
Every check runs on whole columns at once (pyarrow.compute, numpy), so a bundle with millions of
attendance rows is checked in seconds. All problems are collected, each with its file, line (the CSV
line: the header is line 1, the first row line 2) and column, and raised together in one `BundleError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from improvenet.analytics.schema import (
    GRADE_LEVELS,
    PSEUDONYMIZED_COLUMNS,
    TABLES,
    TABLES_BY_NAME,
    Column,
    Progress,
    Table,
)

MAX_ISSUES = 200
FIRST_ROW_LINE = 2
EARLIEST_SCHOOL_YEAR, LATEST_SCHOOL_YEAR = 1900, 2200
ARROW_TYPES = {"text": pa.string(), "integer": pa.int32(), "flag": pa.int8(), "date": pa.date32(),
               "decimal": pa.float64()}
PATTERNS = {
    "integer": r"^[+-]?[0-9]{1,9}$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "decimal": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
}
TYPE_MISMATCH = {
    "integer": "is not a whole number",
    "flag": "is not a flag: write 0 or 1",
    "date": "is not a date written YYYY-MM-DD",
    "decimal": "is not a number (write a dot for decimals)",
}


@dataclass(frozen=True)
class BundleIssue:
    """One problem: its file, CSV line (None: the whole file) and column (None: the whole row or file)."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "") + (f", column {self.column}"
                                                                           if self.column else "")
        return f"{where}: {self.message}"


class BundleError(ValueError):
    """Everything wrong with a bundle: `issues` holds the first MAX_ISSUES problems, `total` counts them all."""

    def __init__(self, source: str, issues: list[BundleIssue], total: int):
        self.source = source
        self.issues = issues
        self.total = total
        super().__init__(str(self))

    def __str__(self) -> str:
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"The bundle {self.source} has {self.total} {noun}; nothing was loaded."]
        lines += [f"  {issue}" for issue in self.issues]
        if self.total > len(self.issues):
            lines.append(f"  ... and {self.total - len(self.issues)} more.")
        return "\n".join(lines)


@dataclass
class Bundle:
    """A checked bundle: one typed Arrow table per schema table (empty when an optional file is absent)."""

    source: str
    tables: dict[str, pa.Table]

    def row_counts(self) -> dict[str, int]:
        return {name: table.num_rows for name, table in self.tables.items()}


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required) for c in table.columns])


def read_bundle(folder: Path | str, progress: Progress | None = None) -> Bundle:
    """Read and check the bundle in `folder`; raises BundleError naming every problem found."""
    folder = Path(folder)
    issues = _Issues()
    if not folder.is_dir():
        issues.add(BundleIssue(str(folder), None, None, "is not a folder holding the bundle's CSV files"))
        raise issues.error(str(folder))
    raw: dict[str, pa.Table] = {}
    for done, table in enumerate(TABLES):
        if progress:
            progress(f"reading {table.bundle_file}", done, len(TABLES))
        path = folder / table.bundle_file
        if not path.exists() and not table.required_in_bundle:
            continue
        read = _read_csv(path, table, issues)
        if read is not None:
            raw[table.name] = read
    return _check(raw, str(folder), issues, progress)


def validate_tables(tables: Mapping[str, pa.Table], source: str, progress: Progress | None = None) -> Bundle:
    """Check text tables already in memory (e.g. a format converter's) as if read from bundle files."""
    issues = _Issues()
    raw = {}
    for table in TABLES:
        if table.name not in tables:
            if table.required_in_bundle:
                issues.add(BundleIssue(table.bundle_file, None, None, "is missing: the bundle needs it"))
            continue
        given = tables[table.name]
        missing = [name for name in table.column_names if name not in given.column_names]
        if missing:
            issues.add(BundleIssue(table.bundle_file, 1, None, f"missing column(s): {', '.join(missing)}"))
            continue
        raw[table.name] = pa.table({name: given.column(name).cast(pa.string()) for name in table.column_names})
    return _check(raw, source, issues, progress)


def write_bundle(tables: Mapping[str, pa.Table], folder: Path | str) -> dict[str, Path]:
    """Write tables (typed or text) as bundle files; a null becomes an empty value. Returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in TABLES:
        if table.name not in tables:
            continue
        path = folder / table.bundle_file
        data = tables[table.name].select(list(table.column_names))
        pacsv.write_csv(data, path, pacsv.WriteOptions(quoting_style="needed"))
        written[table.name] = path
    return written


# Reading


def _read_csv(path: Path, table: Table, issues: _Issues) -> pa.Table | None:
    name = table.bundle_file
    columns = ", ".join(table.column_names)
    if not path.is_file():
        issues.add(BundleIssue(name, None, None, f"is missing: the bundle needs it, with the columns {columns}"))
        return None
    with path.open("rb") as handle:
        first_line = handle.readline()
    if not first_line.strip():
        issues.add(BundleIssue(name, None, None, f"is empty: it needs a header line with the columns {columns}"))
        return None
    try:
        header = next(csv.reader(io.StringIO(first_line.decode("utf-8-sig"))))
    except UnicodeDecodeError:
        issues.add(BundleIssue(name, 1, None, "is not UTF-8 text: save the file as UTF-8"))
        return None
    header = [column.strip() for column in header]
    missing = [c for c in table.column_names if c not in header]
    extra = [c for c in header if c not in table.column_names]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or extra or repeated:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unexpected column(s) {', '.join(extra)}"] if extra else []) + (
            [f"repeated column(s) {', '.join(repeated)}"] if repeated else [])
        issues.add(BundleIssue(name, 1, None, f"{'; '.join(problems)} (the columns are: {columns})"))
        return None
    return _parse_rows(path, name, header, issues)


def _parse_rows(path: Path, name: str, header: list[str], issues: _Issues) -> pa.Table | None:
    malformed = []

    def skip_malformed(row) -> str:
        malformed.append(row)
        return "skip"

    def read(use_threads: bool) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=use_threads,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(invalid_row_handler=skip_malformed),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    try:
        rows = read(use_threads=True)
    except pa.ArrowInvalid as error:
        if "UTF8" in str(error):
            for line in _non_utf8_lines(path):
                issues.add(BundleIssue(name, line, None, "is not UTF-8 text: save the file as UTF-8"))
        else:
            issues.add(BundleIssue(name, None, None, f"cannot be read as CSV: {error}"))
        return None
    if malformed:
        # Only a single-threaded read numbers the malformed rows; the rows after them would be misnumbered.
        malformed.clear()
        read(use_threads=False)
        for row in malformed:
            issues.add(BundleIssue(name, row.number, None, f"has {row.actual_columns} values where the header "
                                                           f"has {row.expected_columns}"))
        return None
    return rows


def _non_utf8_lines(path: Path) -> list[int]:
    lines = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                lines.append(number)
                if len(lines) >= MAX_ISSUES:
                    break
    return lines


# Checking: each column is dictionary-encoded once, its distinct values checked, the verdicts spread to rows.


@dataclass
class _Encoded:
    """One column as distinct trimmed values and, per row, the index of its value."""

    indices: np.ndarray
    dictionary: pa.Array

    @classmethod
    def of(cls, column: pa.ChunkedArray | pa.Array) -> _Encoded:
        if isinstance(column, pa.Array):
            column = pa.chunked_array([column])
        encoded = pc.dictionary_encode(pc.fill_null(column.cast(pa.string()), "")).unify_dictionaries()
        if not encoded.num_chunks:
            return cls(np.empty(0, dtype=np.int32), pa.array([], pa.string()))
        raw_indices = np.concatenate([chunk.indices.to_numpy() for chunk in encoded.chunks])
        # Values differing only by surrounding spaces are the same value.
        trimmed = pc.dictionary_encode(pc.utf8_trim_whitespace(encoded.chunk(0).dictionary))
        return cls(trimmed.indices.to_numpy()[raw_indices], trimmed.dictionary)

    def __len__(self) -> int:
        return len(self.indices)

    def rows(self, per_value) -> np.ndarray:
        """A per-value verdict (Arrow or numpy booleans, null as False) spread to every row."""
        if not isinstance(per_value, np.ndarray):
            per_value = pc.fill_null(per_value, False).to_numpy(zero_copy_only=False)
        return per_value[self.indices]

    def value(self, row: int) -> str:
        return self.dictionary[int(self.indices[row])].as_py()

    def spread(self, per_value: pa.Array) -> pa.Array:
        """Typed per-value results as a column, one per row."""
        return pc.take(per_value, pa.array(self.indices, pa.int32()))


class _Issues:
    def __init__(self):
        self.issues: list[BundleIssue] = []
        self.total = 0

    def add(self, issue: BundleIssue) -> None:
        self.total += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)

    def add_rows(self, file: str, mask: np.ndarray, column: str | None, message: str | Callable[[int], str]) -> None:
        """One issue per row where `mask` holds; `message` is a text, or a function of the row's index."""
        rows = np.flatnonzero(mask)
        self.total += len(rows)
        for row in rows[:max(MAX_ISSUES - len(self.issues), 0)]:
            text = message(int(row)) if callable(message) else message
            self.issues.append(BundleIssue(file, int(row) + FIRST_ROW_LINE, column, text))

    def error(self, source: str) -> BundleError:
        order = {table.bundle_file: index for index, table in enumerate(TABLES)}
        ranked = sorted(self.issues, key=lambda i: (order.get(i.file, -1), i.line or 0))
        return BundleError(source, ranked, self.total)


def _mask(verdict) -> np.ndarray:
    """An Arrow boolean column as numpy booleans, null as False."""
    return pc.fill_null(verdict, False).to_numpy(zero_copy_only=False)


def _check(raw: dict[str, pa.Table], source: str, issues: _Issues, progress: Progress | None) -> Bundle:
    typed: dict[str, pa.Table] = {}
    encoded: dict[str, dict[str, _Encoded]] = {}
    for done, table in enumerate(TABLES):
        if progress:
            progress(f"checking {table.bundle_file}", done, len(TABLES))
        if table.name not in raw:
            continue
        values = {name: _Encoded.of(raw[table.name].column(name)) for name in table.column_names}
        encoded[table.name] = values
        typed[table.name] = _check_columns(table, values, issues)
        _check_rules(table, typed[table.name], values, issues)
        _check_duplicates(table, values, issues)
    _check_references(encoded, issues)
    if issues.total:
        raise issues.error(source)
    for table in TABLES:
        if table.name not in typed:
            typed[table.name] = arrow_schema(table).empty_table()
    return Bundle(source, typed)


def _check_columns(table: Table, values: dict[str, _Encoded], issues: _Issues) -> pa.Table:
    file = table.bundle_file
    columns = {}
    for column in table.columns:
        encoded = values[column.name]
        distinct = encoded.dictionary
        issues.add_rows(file, encoded.rows(pc.match_substring(distinct, "\n")), column.name,
                        "a value spans lines: remove the line break")
        empty = _mask(pc.equal(distinct, ""))
        if column.required:
            issues.add_rows(file, encoded.rows(empty), column.name, "is empty: a value is required")
        valid = _valid_values(column, distinct)
        keep = ~empty if valid is None else ~empty & _mask(valid)
        if valid is not None:
            reason = TYPE_MISMATCH.get(column.type) or "is not one of: " + ", ".join(column.choices)
            issues.add_rows(file, encoded.rows(~empty & ~keep), column.name,
                            lambda row, encoded=encoded, reason=reason, name=column.name:
                            f"{_shown(name, encoded.value(row))} {reason}")
        kept = pc.if_else(pa.array(keep), distinct, pa.scalar(None, pa.string()))
        columns[column.name] = encoded.spread(_typed(column, kept))
    return pa.table(columns, schema=arrow_schema(table))


def _valid_values(column: Column, value: pa.Array) -> pa.Array | None:
    if column.choices:
        return pc.is_in(value, value_set=pa.array(column.choices))
    if column.type == "flag":
        return pc.is_in(value, value_set=pa.array(["0", "1"]))
    if column.type == "date":
        parsed = pc.strptime(value, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2023-09-31 over to October: only a date written back the same is a real date.
        return pc.and_(pc.match_substring_regex(value, PATTERNS["date"]),
                       pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), value))
    if column.type in PATTERNS:
        return pc.match_substring_regex(value, PATTERNS[column.type])
    return None


def _typed(column: Column, value: pa.Array) -> pa.Array:
    if column.type == "date":
        return pc.cast(pc.strptime(value, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    if column.type == "integer" or column.type == "flag":
        return pc.cast(pc.cast(value, pa.int64()), ARROW_TYPES[column.type])
    if column.type == "decimal":
        return pc.cast(value, pa.float64())
    return value


def _check_rules(table: Table, typed: pa.Table, values: dict[str, _Encoded], issues: _Issues) -> None:
    """The rules between values: ranges, dates in order, a calendar day inside its school year."""
    file = table.bundle_file
    names = table.column_names

    def quoted(name: str, reason: str) -> Callable[[int], str]:
        return lambda row: f"{_shown(name, values[name].value(row))} {reason}"

    if "grade_level" in names:
        grade = typed.column("grade_level")
        outside = pc.or_(pc.less(grade, GRADE_LEVELS.start), pc.greater_equal(grade, GRADE_LEVELS.stop))
        issues.add_rows(file, _mask(outside), "grade_level",
                        quoted("grade_level", "is not a grade: 0 (kindergarten) to 12"))
    if "school_year" in names:
        year = typed.column("school_year")
        outside = pc.or_(pc.less(year, EARLIEST_SCHOOL_YEAR), pc.greater(year, LATEST_SCHOOL_YEAR))
        issues.add_rows(file, _mask(outside), "school_year",
                        quoted("school_year", "is not a school year: write the year it ends in, e.g. 2024"))
    if "credits_earned" in names:
        issues.add_rows(file, _mask(pc.less(typed.column("credits_earned"), 0)), "credits_earned",
                        quoted("credits_earned", "is negative"))
    for name in (column.name for column in table.columns if column.type == "decimal"):
        issues.add_rows(file, _mask(pc.is_inf(typed.column(name))), name, "is too large a number")
    if "exit_date" in names:
        issues.add_rows(file, _mask(pc.less(typed.column("exit_date"), typed.column("entry_date"))), "exit_date",
                        lambda row: f"{values['exit_date'].value(row)} is before the entry_date "
                                    f"{values['entry_date'].value(row)}")
        no_exit = pc.and_(pc.is_null(typed.column("exit_date")), pc.is_valid(typed.column("exit_type")))
        issues.add_rows(file, _mask(no_exit), "exit_type", "an exit_type needs an exit_date")
    if table.name == "calendar_date":
        day, year = typed.column("date"), typed.column("school_year")
        # July starts the next school year (the one ending the next calendar year).
        school_year_of_day = pc.add(pc.year(day), pc.cast(pc.greater_equal(pc.month(day), 7), pa.int64()))
        plausible = pc.and_(pc.greater_equal(year, EARLIEST_SCHOOL_YEAR), pc.less_equal(year, LATEST_SCHOOL_YEAR))
        outside = pc.and_(plausible, pc.not_equal(school_year_of_day, pc.cast(year, pa.int64())))

        def not_in_year(row: int) -> str:
            ending = int(values["school_year"].value(row))
            return (f"{values['date'].value(row)} is not in school year {ending} "
                    f"(July {ending - 1} to June {ending})")

        issues.add_rows(file, _mask(outside), "date", not_in_year)


def _check_duplicates(table: Table, values: dict[str, _Encoded], issues: _Issues) -> None:
    """Rows repeating the natural key of an earlier row, found by sorting one integer code per row."""
    rows = len(values[table.natural_key[0]])
    if not rows:
        return
    codes = np.zeros(rows, dtype=np.int64)
    radix = 1
    for name in table.natural_key:
        size = len(values[name].dictionary)
        if radix * size >= 2**62:
            raise OverflowError(f"the natural key of {table.name} has too many distinct values to check")
        codes += values[name].indices.astype(np.int64) * radix
        radix *= size
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    repeats = np.flatnonzero(ranked[1:] == ranked[:-1]) + 1
    if not len(repeats):
        return
    run_starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    first_of_run = order[run_starts[np.searchsorted(run_starts, repeats, side="right") - 1]]
    first_line = dict(zip(order[repeats].tolist(), (first_of_run + FIRST_ROW_LINE).tolist(), strict=True))
    mask = np.zeros(rows, dtype=bool)
    mask[order[repeats]] = True
    key = ", ".join(table.natural_key)
    issues.add_rows(table.bundle_file, mask, None, lambda row: f"repeats line {first_line[row]}: the same {key}")


def _check_references(encoded: dict[str, dict[str, _Encoded]], issues: _Issues) -> None:
    """Every school_id names a school of schools.csv, every student_id a student of students.csv.

    A missing or unreadable schools.csv or students.csv is reported once, where it is read.
    """
    for column, target in (("school_id", "school"), ("student_id", "student")):
        if target not in encoded:
            continue
        known = encoded[target][column].dictionary
        where = TABLES_BY_NAME[target].bundle_file
        for table in TABLES:
            if table.name == target or table.name not in encoded or column not in table.column_names:
                continue
            values = encoded[table.name][column]
            unknown = pc.and_(pc.not_equal(values.dictionary, ""),
                              pc.invert(pc.is_in(values.dictionary, value_set=known)))
            issues.add_rows(table.bundle_file, values.rows(unknown), column,
                            lambda row, values=values, where=where, column=column:
                            f"{_shown(column, values.value(row))} is not in {where}")


def _shown(column: str, value: object) -> str:
    """A bad value as a message quotes it; district ids are never quoted, since the web database keeps messages."""
    return f"this {column}" if column in PSEUDONYMIZED_COLUMNS else f'"{value}"'

