"""The longitudinal store: one DuckDB file holding the schema tables, pseudonymized, apart from the web database.

Tables carry the names of `schema.TABLES` exactly, so the metrics read them with
`duckdb.connect(path, read_only=True)`. Every write (a load, a Parquet import, an opt-out) is one
DuckDB transaction: it is written whole or not at all. A load replaces the rows with the same natural
key, so loading the same bundle twice leaves the same rows. Students who opted out are removed and
skipped by every later load. The pseudonym key is never written here: only its check value
(`Pseudonymizer.fingerprint`), so a load under another key is refused instead of silently not linking up.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from improvenet.analytics.bundle import Bundle
from improvenet.analytics.pseudonym import Pseudonymizer
from improvenet.analytics.results import ResultCache
from improvenet.analytics.schema import (
    IDENTITY_TABLE,
    LOAD_LOG_TABLE,
    OPT_OUT_TABLE,
    STORE_INFO_TABLE,
    STORE_TYPES,
    TABLES,
    Progress,
    Table,
)

KEY_FINGERPRINT = "key_fingerprint"
PSEUDONYM_KINDS = {"student_id": "student", "staff_id": "staff"}
STORE_TABLES_DDL = {
    OPT_OUT_TABLE: "student_id VARCHAR NOT NULL PRIMARY KEY, recorded_on DATE NOT NULL",
    IDENTITY_TABLE: "student_id VARCHAR NOT NULL PRIMARY KEY, ciphertext BLOB NOT NULL",
    LOAD_LOG_TABLE: ("load_id INTEGER NOT NULL, loaded_at TIMESTAMP NOT NULL, source VARCHAR NOT NULL, "
                     "kind VARCHAR NOT NULL, rows_inserted BIGINT NOT NULL, rows_replaced BIGINT NOT NULL, "
                     "rows_skipped_opted_out BIGINT NOT NULL, detail VARCHAR NOT NULL"),
    STORE_INFO_TABLE: "name VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL",
}
# Exported with the data so an import keeps the opt-outs and refuses data pseudonymized under another key.
EXPORTED_STORE_TABLES = (OPT_OUT_TABLE, STORE_INFO_TABLE)


class StoreError(ValueError):
    """A write the store refused (nothing was written); the message says why."""


@dataclass(frozen=True)
class TableCount:
    inserted: int
    """Rows whose natural key was new."""
    replaced: int
    """Rows that replaced a stored row with the same natural key."""


@dataclass
class LoadReport:
    """What one load or import wrote."""

    source: str
    tables: dict[str, TableCount]
    skipped_opted_out: int = 0
    """Rows of students who opted out, not loaded."""
    identities_stored: int = 0
    """Direct identifiers stored encrypted."""
    identities_dropped: int = 0
    """Direct identifiers given but not kept (encryption off)."""
    notes: list[str] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return sum(count.inserted for count in self.tables.values())

    @property
    def replaced(self) -> int:
        return sum(count.replaced for count in self.tables.values())

    def lines(self) -> list[str]:
        """A plain-language summary, one line per table then the totals."""
        lines = [f"{name}: {count.inserted} new rows, {count.replaced} replaced" for name, count in self.tables.items()]
        lines.append(f"in all: {self.inserted} new rows, {self.replaced} replaced")
        if self.skipped_opted_out:
            lines.append(f"{self.skipped_opted_out} rows of students who opted out were not loaded")
        if self.identities_stored:
            lines.append(f"{self.identities_stored} students' names and birth dates stored encrypted")
        if self.identities_dropped:
            lines.append(f"{self.identities_dropped} students' names and birth dates dropped (encryption is off)")
        return lines + self.notes


class Store:
    """The DuckDB file at `path`, created with every table when it does not exist.

    Each operation opens and closes its own connection, so other processes can read the file between writes.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            for table in TABLES:
                _run(connection, f"CREATE TABLE IF NOT EXISTS {table.name} ({_columns_ddl(table)})")
            for name, columns in STORE_TABLES_DDL.items():
                _run(connection, f"CREATE TABLE IF NOT EXISTS {name} ({columns})")

    @contextmanager
    def _connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        connection = duckdb.connect(str(self.path), read_only=read_only)
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._connect() as connection:
            connection.begin()
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
        # After the connection closes (its last write is on disk): results computed before are forgotten.
        ResultCache(self.path).invalidate()

    # Reading

    def counts(self) -> dict[str, int]:
        """Rows per table, the schema tables then the store's own."""
        with self._connect(read_only=True) as connection:
            return {name: _run(connection, f"SELECT count(*) FROM {name}")[0][0]
                    for name in [t.name for t in TABLES] + list(STORE_TABLES_DDL)}

    def key_fingerprint(self) -> str | None:
        with self._connect(read_only=True) as connection:
            return _stored_fingerprint(connection)

    def opted_out(self) -> list[tuple[str, datetime.date]]:
        """(pseudonym, recorded on) of every student who opted out, oldest first."""
        with self._connect(read_only=True) as connection:
            return _run(connection,
                f"SELECT student_id, recorded_on FROM {OPT_OUT_TABLE} ORDER BY recorded_on, student_id")

    def loads(self) -> list[dict]:
        """The load log, oldest first."""
        with self._connect(read_only=True) as connection:
            cursor = connection.execute(f"SELECT * FROM {LOAD_LOG_TABLE} ORDER BY load_id")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def identity(self, raw_student_id: str, pseudonymizer: Pseudonymizer) -> dict[str, str] | None:
        """The decrypted direct identifiers of one student, or None when none are stored."""
        pseudonym = pseudonymizer.student(raw_student_id)
        with self._connect(read_only=True) as connection:
            rows = _run(connection, f"SELECT ciphertext FROM {IDENTITY_TABLE} WHERE student_id = ?",
                                      [pseudonym])
        return pseudonymizer.identity_cipher().decrypt(pseudonym, bytes(rows[0][0])) if rows else None

    # Writing

    def load(
        self,
        bundle: Bundle,
        pseudonymizer: Pseudonymizer,
        *,
        source: str | None = None,
        identities: Mapping[str, Mapping[str, str]] | None = None,
        encrypt_identities: bool = False,
        progress: Progress | None = None,
    ) -> LoadReport:
        """Pseudonymize a checked bundle and write it in one transaction, replacing rows with the same keys.

        `identities` maps a raw student id to its direct identifiers (e.g. given_name, family_name,
        birth_date), as the Ed-Fi and OneRoster converters deliver them. They are stored only when
        `encrypt_identities` is on, encrypted (AES-GCM) under a key derived from the pseudonym key, in
        `student_identity`; otherwise they are dropped and the report counts them.
        """
        source = source or bundle.source
        steps = len(TABLES) + 2
        if progress:
            progress("pseudonymizing ids", 0, steps)
        incoming = _pseudonymized(bundle.tables, pseudonymizer)
        report = LoadReport(source, {})
        with self._transaction() as connection:
            _claim_key(connection, pseudonymizer.fingerprint)
            for done, table in enumerate(TABLES, start=1):
                if progress:
                    progress(f"loading {table.name}", done, steps)
                connection.register("incoming_rows", incoming[table.name])
                report.tables[table.name], skipped = _merge(connection, table, "incoming_rows")
                report.skipped_opted_out += skipped
                connection.unregister("incoming_rows")
            if identities:
                if encrypt_identities:
                    report.identities_stored = _store_identities(connection, identities, pseudonymizer)
                else:
                    report.identities_dropped = len(identities)
            if progress:
                progress("recording the load", steps - 1, steps)
            _log(connection, report, "bundle")
        if progress:
            progress("done", steps, steps)
        return report

    def add_opt_out(self, raw_student_id: str, pseudonymizer: Pseudonymizer,
                    recorded_on: datetime.date | None = None) -> dict[str, int]:
        """Record a student's opt-out, remove all their rows, and keep later loads from bringing them back.

        Returns the rows removed per table.
        """
        pseudonym = pseudonymizer.student(raw_student_id)
        removed = {}
        with self._transaction() as connection:
            _claim_key(connection, pseudonymizer.fingerprint)
            _run(connection, f"INSERT INTO {OPT_OUT_TABLE} VALUES (?, ?) ON CONFLICT DO NOTHING",
                               [pseudonym, recorded_on or datetime.date.today()])
            for name in _student_tables():
                deleted = _run(connection, f"DELETE FROM {name} WHERE student_id = ?", [pseudonym])[0][0]
                if deleted:
                    removed[name] = deleted
        return removed

    def export_parquet(self, folder: Path | str, *, include_identities: bool = False) -> dict[str, int]:
        """Write every schema table (and the opt-outs and key check value) as `<table>.parquet` in `folder`.

        `folder` must be new or empty; files appear there only once all are written. The encrypted
        identities are left out unless `include_identities`. Returns the rows written per file.
        """
        folder = Path(folder)
        if folder.exists() and any(folder.iterdir()):
            raise StoreError(f"{folder} is not empty: export into a new or empty folder.")
        folder.parent.mkdir(parents=True, exist_ok=True)
        names = [t.name for t in TABLES] + list(EXPORTED_STORE_TABLES) + ([IDENTITY_TABLE] if include_identities
                                                                         else [])
        partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
        written = {}
        try:
            with self._connect(read_only=True) as connection:
                for name in names:
                    target = str(partial / f"{name}.parquet").replace("'", "''")
                    _run(connection, f"COPY (SELECT * FROM {name}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
                    written[name] = _run(connection, f"SELECT count(*) FROM {name}")[0][0]
            if folder.exists():
                folder.rmdir()
            os.replace(partial, folder)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return written

    def import_parquet(self, folder: Path | str, *, progress: Progress | None = None) -> LoadReport:
        """Load an export made by `export_parquet` in one transaction, replacing rows with the same keys.

        The rows are already pseudonymized: no key is needed, but an export made under another key than
        this store's is refused. Opt-outs in the export are added; opted-out students' rows are skipped.
        """
        folder = Path(folder)
        files = {t.name: folder / f"{t.name}.parquet" for t in TABLES}
        missing = [path.name for path in files.values() if not path.is_file()]
        if missing:
            raise StoreError(f"{folder} is not a complete export: {', '.join(missing)} missing.")
        report = LoadReport(str(folder), {})
        steps = len(TABLES) + 1
        with self._transaction() as connection:
            info_file = folder / f"{STORE_INFO_TABLE}.parquet"
            if info_file.is_file():
                info = dict(_run(connection, f"SELECT name, value FROM read_parquet('{_quoted(info_file)}')"))
                if KEY_FINGERPRINT in info:
                    _claim_key(connection, info[KEY_FINGERPRINT])
            opt_out_file = folder / f"{OPT_OUT_TABLE}.parquet"
            if opt_out_file.is_file():
                _run(connection, f"INSERT INTO {OPT_OUT_TABLE} SELECT student_id, recorded_on "
                                   f"FROM read_parquet('{_quoted(opt_out_file)}') ON CONFLICT DO NOTHING")
            for done, table in enumerate(TABLES):
                if progress:
                    progress(f"importing {table.name}", done, steps)
                path = files[table.name]
                found = [row[0] for row in _run(connection,
                    f"DESCRIBE SELECT * FROM read_parquet('{_quoted(path)}')")]
                lacking = [name for name in table.column_names if name not in found]
                if lacking:
                    raise StoreError(f"{path.name} lacks the column(s) {', '.join(lacking)}; nothing was imported.")
                report.tables[table.name], skipped = _merge(connection, table, f"read_parquet('{_quoted(path)}')")
                report.skipped_opted_out += skipped
            _log(connection, report, "parquet")
        if progress:
            progress("done", steps, steps)
        return report


def _run(connection, sql: str, parameters: list | None = None) -> list[tuple]:
    """Run one statement to the end (DuckDB refuses new work while a result is unread); its rows."""
    return connection.execute(sql, parameters or []).fetchall()


def _columns_ddl(table: Table) -> str:
    return ", ".join(f"{c.name} {STORE_TYPES[c.type]}{' NOT NULL' if c.required else ''}" for c in table.columns)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _student_tables() -> list[str]:
    return [t.name for t in TABLES if "student_id" in t.column_names] + [IDENTITY_TABLE]


def _stored_fingerprint(connection) -> str | None:
    rows = _run(connection, f"SELECT value FROM {STORE_INFO_TABLE} WHERE name = ?", [KEY_FINGERPRINT])
    return rows[0][0] if rows else None


def _claim_key(connection, fingerprint: str) -> None:
    """Record the key's check value on the first write; refuse a write under another key."""
    stored = _stored_fingerprint(connection)
    if stored is None:
        _run(connection, f"INSERT INTO {STORE_INFO_TABLE} VALUES (?, ?)", [KEY_FINGERPRINT, fingerprint])
    elif stored != fingerprint:
        raise StoreError(
            f"This store was written under another pseudonym key (check value {stored}, this key's is "
            f"{fingerprint}): its rows would not link up with these. Use the store's key, or a new store."
        )


def _pseudonymized(tables: Mapping[str, pa.Table], pseudonymizer: Pseudonymizer) -> dict[str, pa.Table]:
    """The tables with every student and staff id replaced by its pseudonym (one HMAC per distinct id)."""
    out = dict(tables)
    for column, kind in PSEUDONYM_KINDS.items():
        holders = [name for name, table in tables.items() if column in table.column_names]
        distinct = pc.unique(pa.chunked_array(
            [chunk for name in holders for chunk in tables[name].column(column).chunks], type=pa.string()))
        pseudonyms = pa.array(pseudonymizer.many(kind, distinct.to_pylist()), pa.string())
        for name in holders:
            table = out[name]
            index = table.schema.get_field_index(column)
            # A dictionary column (row -> pseudonym number) spares writing out millions of pseudonym strings.
            positions = pc.index_in(table.column(column), value_set=distinct)
            replaced = pa.chunked_array(
                [pa.DictionaryArray.from_arrays(chunk, pseudonyms) for chunk in positions.chunks],
                type=pa.dictionary(pa.int32(), pa.string()))
            out[name] = table.set_column(index, column, replaced)
    return out


def _merge(connection, table: Table, source: str) -> tuple[TableCount, int]:
    """Replace the rows of `table` sharing a natural key with `source`'s, insert the rest; skip opted-out students."""
    columns = ", ".join(table.column_names)
    keep = (f" WHERE student_id NOT IN (SELECT student_id FROM {OPT_OUT_TABLE})"
            if "student_id" in table.column_names else "")
    _run(connection, f"CREATE OR REPLACE TEMP VIEW incoming AS SELECT {columns} FROM {source}{keep}")
    offered = _run(connection, f"SELECT count(*) FROM {source}")[0][0]
    replaced = 0
    if _run(connection, f"SELECT EXISTS (SELECT 1 FROM {table.name})")[0][0]:
        matches = " AND ".join(f"{table.name}.{key} = incoming.{key}" for key in table.natural_key)
        replaced = _run(connection, f"DELETE FROM {table.name} USING incoming WHERE {matches}")[0][0]
    inserted = _run(connection, f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM incoming")[0][0]
    _run(connection, "DROP VIEW incoming")
    return TableCount(inserted - replaced, replaced), offered - inserted


def _store_identities(connection, identities: Mapping[str, Mapping[str, str]], pseudonymizer: Pseudonymizer) -> int:
    cipher = pseudonymizer.identity_cipher()
    pseudonyms = pseudonymizer.many("student", list(identities))
    rows = pa.table({
        "student_id": pa.array(pseudonyms, pa.string()),
        "ciphertext": pa.array([cipher.encrypt(p, fields) for p, fields in zip(pseudonyms, identities.values(),
                                                                               strict=True)], pa.binary()),
    })
    connection.register("incoming_identities", rows)
    _run(connection, f"DELETE FROM {IDENTITY_TABLE} WHERE student_id IN (SELECT student_id FROM incoming_identities)")
    stored = _run(connection,
        f"INSERT INTO {IDENTITY_TABLE} SELECT student_id, ciphertext FROM incoming_identities "
        f"WHERE student_id NOT IN (SELECT student_id FROM {OPT_OUT_TABLE})")[0][0]
    connection.unregister("incoming_identities")
    return stored


def _log(connection, report: LoadReport, kind: str) -> None:
    load_id = _run(connection, f"SELECT coalesce(max(load_id), 0) + 1 FROM {LOAD_LOG_TABLE}")[0][0]
    detail = json.dumps({name: {"inserted": c.inserted, "replaced": c.replaced} for name, c in report.tables.items()})
    _run(connection,
        f"INSERT INTO {LOAD_LOG_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [load_id, datetime.datetime.now(datetime.UTC).replace(tzinfo=None), report.source, kind, report.inserted,
         report.replaced, report.skipped_opted_out, detail],
    )
