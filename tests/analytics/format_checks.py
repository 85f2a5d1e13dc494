"""Shared checks for the format converter tests."""

from pathlib import Path

import pytest

from improvenet.analytics.bundle import BundleError, validate_tables
from improvenet.analytics.formats import ConvertedBundle
from improvenet.analytics.formats.common import RACE_ETHNICITIES

FIXTURES = Path(__file__).parent.parent / "fixtures" / "analytics"
# Student columns a format may not carry: the converters leave them empty (see each converter's notes).


def rows(converted: ConvertedBundle, table: str) -> list[dict[str, str]]:
    return converted.tables[table].to_pylist()


def row_of(converted: ConvertedBundle, table: str, **match: str) -> dict[str, str]:
    found = [row for row in rows(converted, table) if all(row[key] == value for key, value in match.items())]
    assert len(found) == 1, f"{len(found)} {table} rows match {match}"
    return found[0]


def assert_valid(converted: ConvertedBundle) -> None:
    """The flat bundle's validation finds nothing wrong, and race/ethnicity uses the converters' shared words.

    Columns a format does not carry (sex, race, program flags) are empty, which the bundle allows.
    """
    assert set(converted.tables["student"].column("race_ethnicity").to_pylist()) <= {*RACE_ETHNICITIES, ""}
    try:
        validate_tables(converted.tables, converted.source_format)
    except BundleError as error:
        pytest.fail(str(error))
