"""The quick way to the common cells writes the same bytes as the checked way, and leaves every refusal to it."""

import datetime
import math

from improvenet.archive import export
from improvenet.archive.tables import archive_tables
from tests.archive.conftest import export_bytes, members
from tests.archive.test_formulas import HOSTILE, hostile_world

AWARE = datetime.datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
# Values of every kind a column may be given, fitting or not: each either takes the quick way to the
# checked way's text, or takes the checked way.
VALUES = [
    None, True, False, 0, 1, -1, 2**15, 2**31, 2**63, -(2**63) - 1, 0.0, -0.5, 1e-9, 1e300, math.inf, -math.inf,
    math.nan, "", "plain", "x" * 300, "'", *HOSTILE.values(), "-0.5", "+3", "1e-9", "on", "planned",
    datetime.date(2026, 3, 4), datetime.date(1, 1, 1), AWARE, AWARE.replace(tzinfo=None), datetime.time(8, 30),
    b"bytes", [1, 2], {"a": 1},
]


def columns():
    return [(table, column) for table in archive_tables() for column in table.columns]


def test_every_quick_cell_is_the_checked_cell_and_never_hides_a_problem():
    quick_columns = 0
    for table, column in columns():
        to_json = export.TO_JSON.get(column.field.get_internal_type())
        quick = export._quick_cell(column, to_json)
        if quick is None:
            continue
        quick_columns += 1
        for value in VALUES:
            cell = quick(value)
            if cell is None:
                continue
            problems = []
            assert (export._checked_cell(table, column, to_json, value, 1, problems), problems) == (cell, []), (
                table.name, column.name, value)
    assert quick_columns > len(columns()) / 2, "most columns should take the quick way"


def test_a_cell_too_long_for_the_archive_takes_the_checked_way(monkeypatch):
    monkeypatch.setattr(export, "MAX_CELL_CHARS", 10)
    (table, column), *_ = [(t, c) for t, c in columns() if c.codec.types == {"string"} and not c.codec.format
                           and c.codec.max_length is None and c.codec.enum is None]
    quick = export._quick_cell(column, None)
    assert quick("=" * 9) == "'" + "=" * 9 and quick("=" * 10) is None and quick("x" * 10) is None


def test_the_archive_is_the_same_bytes_as_the_checked_way_writes(world, monkeypatch):
    quick = members(hostile_world(world))
    monkeypatch.setattr(export, "_quick_cell", lambda column, to_json: None)
    checked = members(export_bytes("alpha"))
    assert quick.keys() == checked.keys()
    assert {path: data for path, data in quick.items() if path != "manifest.json"} == {
        path: data for path, data in checked.items() if path != "manifest.json"}
