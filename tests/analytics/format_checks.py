"""Shared checks for the format converter tests."""

from pathlib import Path

import pytest

from improvenet.analytics.bundle import BundleError, validate_tables
from improvenet.analytics.formats import ConvertedBundle
from improvenet.analytics.formats.common import RACE_ETHNICITIES

FIXTURES = Path(__file__).parent.parent / "fixtures" / "analytics"
# Student columns a format may not carry: the converters leave them empty (see each converter's notes).
NOT_CARRIED = {"sex", "race_ethnicity", "ell", "sped", "frl"}


def rows(converted: ConvertedBundle, table: str) -> list[dict[str, str]]:
    return converted.tables[table].to_pylist()


def row_of(converted: ConvertedBundle, table: str, **match: str) -> dict[str, str]:
    found = [row for row in rows(converted, table) if all(row[key] == value for key, value in match.items())]
    assert len(found) == 1, f"{len(found)} {table} rows match {match}"
    return found[0]


def assert_valid_except_not_carried(converted: ConvertedBundle) -> None:
    """The flat-bundle validation finds nothing but the empty student columns the format does not carry,
    and race/ethnicity uses the converters' shared words."""
    assert set(converted.tables["student"].column("race_ethnicity").to_pylist()) <= {*RACE_ETHNICITIES, ""}
    try:
        validate_tables(converted.tables, converted.source_format)
    except BundleError as error:
        other = [issue for issue in error.issues
                 if not (issue.file == "students.csv" and issue.column in NOT_CARRIED and "is empty" in issue.message)]
        if other:
            pytest.fail("\n".join(str(issue) for issue in other))
