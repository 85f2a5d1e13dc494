"""Builds small analytics stores for the metric tests from the CSV fixtures in tests/fixtures/analytics/metrics/.

Each fixture folder holds one CSV per store table, named after the table (`student.csv`,
`calendar_date.csv`, ...); a table without a file is created empty. Columns get the schema's types.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from improvenet.analytics.engines import SQL_TYPES, TABLE_COLUMNS

FIXTURES = Path(__file__).parents[1] / "fixtures" / "analytics" / "metrics"


def build_store(path: Path, *cases: str, rows: dict[str, list[dict]] | None = None) -> Path:
    """A DuckDB store at `path` filled from the fixture folders `cases` and/or from `rows` (table → dicts)."""
    connection = duckdb.connect(str(path))
    try:
        for table, columns in TABLE_COLUMNS.items():
            definition = ", ".join(f"{c.name} {SQL_TYPES[c.type]}" for c in columns)
            connection.execute(f'CREATE TABLE "{table}" ({definition})')
            casts = ", ".join(f"CAST(NULLIF({c.name}, '') AS {SQL_TYPES[c.type]})" for c in columns)
            for csv in (FIXTURES / case / f"{table}.csv" for case in cases):
                if not csv.exists():
                    continue
                connection.execute(
                    f"INSERT INTO \"{table}\" SELECT {casts} FROM read_csv('{csv.as_posix()}', all_varchar=true, "
                    "header=true)"
                )
            for row in (rows or {}).get(table, []):
                names = [c.name for c in columns]
                values = [None if row.get(name) in ("", None) else str(row[name]) for name in names]
                placeholders = ", ".join(f"CAST(? AS {SQL_TYPES[c.type]})" for c in columns)
                connection.execute(f'INSERT INTO "{table}" VALUES ({placeholders})', values)
    finally:
        connection.close()
    return path


def rows_of(table) -> list[dict]:
    """The rows of a pyarrow metric table as dicts, for readable assertions."""
    return table.to_pylist()


def row(table, school_id: str, group: str, **keys) -> dict:
    """The one row of `table` for `school_id`, `group` and the other key columns given."""
    found = [
        r for r in table.to_pylist()
        if r["school_id"] == school_id and r["group"] == group and all(r[k] == v for k, v in keys.items())
    ]
    assert len(found) == 1, f"{len(found)} rows for {school_id} {group} {keys}"
    return found[0]
