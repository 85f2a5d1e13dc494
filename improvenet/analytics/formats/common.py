"""What every format converter shares: the converted bundle, its errors, and the bundle-form values.

A converter reads one district export and returns the rows of the schema tables as text in bundle form
(ISO dates, 0/1 flags, grades 0 to 12), so the flat-bundle validation applies to them unchanged:
`bundle.validate_tables(converted.tables, source)`, or `bundle.write_bundle(converted.tables, folder)` to
keep a flat bundle on disk.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from improvenet.analytics.schema import TABLES, TABLES_BY_NAME

# The race/ethnicity words every converter writes (a student reported Hispanic is "hispanic" whatever the race).
RACE_ETHNICITIES = (
    "hispanic", "american_indian_alaska_native", "asian", "black", "pacific_islander", "white",
    "two_or_more", "multiple_or_other",
)
GRADE_BANDS = {"elementary": range(0, 6), "middle": range(6, 9), "high": range(9, 13)}
# A school's level is the band holding at least this share of its grades or enrollments, else "other".
LEVEL_SHARE = 0.9


@dataclass(frozen=True)
class ConversionError:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class ConvertedBundle:
    """The schema tables converted from one export, before validation and pseudonymization."""

    source_format: str
    tables: dict[str, pa.Table]
    """Every schema table by name, all columns text; empty where the format does not carry it."""
    identities: dict[str, dict[str, str]] = field(default_factory=dict)
    """Raw student id -> given_name, family_name, birth_date: direct identifiers the store drops by default."""
    errors: list[ConversionError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the format did not carry and which choices the conversion made, in plain words."""

    def row_counts(self) -> dict[str, int]:
        return {name: table.num_rows for name, table in self.tables.items()}


class TableRows:
    """Rows collected for one schema table; exact duplicate rows are kept once."""

    def __init__(self, table_name: str):
        self.table = TABLES_BY_NAME[table_name]
        self._rows: dict[tuple[str, ...], None] = {}
        self.duplicates = 0

    def add(self, **values: str | int | None) -> None:
        unknown = set(values) - set(self.table.column_names)
        if unknown:
            raise KeyError(f"{self.table.name} has no column {sorted(unknown)}")
        row = tuple("" if values.get(name) is None else str(values[name]) for name in self.table.column_names)
        if row in self._rows:
            self.duplicates += 1
        self._rows[row] = None

    def __len__(self) -> int:
        return len(self._rows)

    def to_arrow(self) -> pa.Table:
        columns = list(zip(*self._rows, strict=True)) if self._rows else [()] * len(self.table.column_names)
        return pa.table({name: pa.array(list(values), pa.string())
                         for name, values in zip(self.table.column_names, columns, strict=True)})


def empty_rows() -> dict[str, TableRows]:
    return {table.name: TableRows(table.name) for table in TABLES}


def finish(source_format: str, rows: Mapping[str, TableRows], identities: dict[str, dict[str, str]],
           errors: list[ConversionError], notes: list[str]) -> ConvertedBundle:
    for table_rows in rows.values():
        if table_rows.duplicates:
            notes.append(f"{table_rows.duplicates} repeated {table_rows.table.name} rows were kept once.")
    empty = [name for name, table_rows in rows.items() if not len(table_rows)]
    if empty:
        notes.append(f"No rows for: {', '.join(empty)}.")
    return ConvertedBundle(source_format, {name: table_rows.to_arrow() for name, table_rows in rows.items()},
                           identities, errors, notes)


def school_year_of(day: date) -> int:
    """The school year (the calendar year it ends in) holding a day: July starts the next school year."""
    return day.year + 1 if day.month >= 7 else day.year


def level_from_grades(grades: Iterable[int]) -> str:
    """elementary, middle or high when most grades (or enrollments) fall in that band, else other."""
    counts = Counter(grades)
    total = sum(counts.values())
    if not total:
        return "other"
    for level, band in GRADE_BANDS.items():
        if sum(n for grade, n in counts.items() if grade in band) >= LEVEL_SHARE * total:
            return level
    return "other"


def flag(value: bool) -> str:
    return "1" if value else "0"
