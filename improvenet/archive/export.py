"""Writing a cluster's open archive: a zip of one CSV per table, schema.json, README.txt and manifest.json.

Two exports of the same data are byte-identical except for `exported_at` in manifest.json: rows
are written in id order, cells in one fixed notation, and the zip entries carry a fixed date.
"""

import csv
import datetime
import hashlib
import io
import json
import math
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection, transaction
from django.utils import timezone

import improvenet
from improvenet.archive import readme
from improvenet.archive.cells import CellError
from improvenet.archive.tables import ACCOUNTS, LINK, Table, archive_tables
from improvenet.lib.spreadsheet import escape
from improvenet.network.models import Cluster

FORMAT = "improvenet open archive"
# Version 2 writes cells that a spreadsheet would run as formulas behind an apostrophe (docs/archive.md).
FORMAT_VERSION = 2
# The longest cell an archive holds: a 10 MB document is 13.4 MB of base64 text. Checked by the export,
# so that what is written can be imported.
MAX_CELL_CHARS = 16 * 1024 * 1024
MANIFEST, SCHEMA, README = "manifest.json", "schema.json", "README.txt"
# A fixed date for every zip entry, so that the same data gives the same bytes.
ENTRY_DATE = (1980, 1, 1, 0, 0, 0)
MAX_PROBLEMS = 20
ID_CHUNK = 500


class ExportRefused(Exception):
    """The cluster cannot be archived as it is; the message lists the rows that stop it."""


@dataclass
class _Written:
    rows: int = 0
    emptied: dict[str, int] = field(default_factory=dict)  # column -> rows whose key pointed outside the cluster
    dropped: int = 0  # link rows to a record outside the cluster


def archive_schema(tables: tuple[Table, ...] | None = None) -> dict:
    """The JSON Schema of every table's rows, as written to schema.json."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{FORMAT}, format version {FORMAT_VERSION}",
        "description": (
            "One schema per table under $defs, named like the table's file tables/<name>.csv. Each CSV row, "
            "read by its header, is an object of these properties: an empty cell is null where null is "
            "allowed, booleans are written true or false, numbers as JSON writes them, dates and times in "
            "ISO 8601 (times in UTC), and JSON fields as JSON text. A cell that starts with =, +, -, @, a tab, "
            "a carriage return or an apostrophe, and is not a plain number, is written with one more apostrophe "
            "in front, so that spreadsheets do not run it as a formula: remove that apostrophe before reading "
            "the value. x-references names the table a foreign key points into."
        ),
        "$defs": {table.name: table.rows_schema() for table in tables or archive_tables()},
    }


def export_cluster(cluster: Cluster, out: BinaryIO, progress: Callable[[str], None] | None = None) -> dict:
    """Write the cluster's archive to `out` (a binary file open for writing); returns the manifest.

    Raises ExportRefused, naming the rows, when a row cannot be archived: a foreign key that must
    not be empty points to another cluster's record, or a value breaks the schema.
    """
    report = progress or (lambda message: None)
    tables = archive_tables()
    schema_text = _json_text(archive_schema(tables))
    problems: list[str] = []
    with _snapshot(), zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        ids = _cluster_ids(tables, cluster.pk)
        files = [
            {"path": README, "sha256": _write_text(archive, README, readme.text(cluster, tables))},
            {"path": SCHEMA, "sha256": _write_text(archive, SCHEMA, schema_text)},
        ]
        external = []
        for number, table in enumerate(tables, 1):
            with archive.open(_entry(table.path), "w") as member:
                sink = _HashingSink(member)
                written = _write_table(table, _rows(table, cluster.pk, ids), ids, sink, problems)
                digest = sink.hexdigest()
            files.append({"path": table.path, "table": table.name, "rows": written.rows, "sha256": digest})
            external += _external_references(table, written)
            report(f"[{number}/{len(tables)}] {table.name}: {written.rows} row{'s' if written.rows != 1 else ''}")
        if problems:
            raise ExportRefused(_problem_list(cluster, problems))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "improvenet_version": improvenet.__version__,
            "exported_at": timezone.now().astimezone(datetime.UTC).isoformat(),
            "network": _identity(cluster.network),
            "cluster": _identity(cluster),
            "files": files,
            "external_references": external,
        }
        _write_text(archive, MANIFEST, _json_text(manifest))
    return manifest


def _external_references(table: Table, written: _Written) -> list[dict]:
    """What the manifest says about keys to records outside the cluster that were not exported."""
    references = {column.name: column.references for column in table.columns}
    found = [
        {"table": table.name, "column": column, "references": references[column], "rows": rows, "kept_as": "empty"}
        for column, rows in written.emptied.items()
    ]
    if written.dropped:
        found.append({"table": table.name, "column": None, "references": None, "rows": written.dropped,
                      "kept_as": "row left out"})
    return found


@contextmanager
def _snapshot() -> Iterator[None]:
    """Read every table from one consistent state of the database.

    SQLite reads from one snapshot within a transaction. PostgreSQL needs REPEATABLE READ for that,
    which can only be set before a transaction's first query, so an export that runs inside an
    already open transaction (an API request) reads in its isolation level.
    """
    fresh = not connection.in_atomic_block
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _cluster_ids(tables: tuple[Table, ...], cluster_id: int) -> dict[str, set]:
    """The ids of every table's rows in the cluster; for the accounts, the ones the rows refer to."""
    ids = {t.name: set(t.select(cluster_id).values_list("pk", flat=True)) for t in tables if t.kind != ACCOUNTS}
    for accounts in (t for t in tables if t.kind == ACCOUNTS):
        referenced = set()
        for table in tables:
            for column in table.columns:
                if column.references == accounts.name and table.kind != ACCOUNTS:
                    values = table.select(cluster_id).filter(**{f"{column.name}__isnull": False})
                    referenced.update(values.values_list(column.name, flat=True))
        ids[accounts.name] = referenced
    return ids


def _rows(table: Table, cluster_id: int, ids: dict[str, set]) -> Iterator[tuple]:
    """The table's rows in id order; rows added since the ids were read are left for the next export."""
    if table.kind == ACCOUNTS:
        wanted = sorted(ids[table.name])
        for start in range(0, len(wanted), ID_CHUNK):
            chunk = table.model._base_manager.filter(pk__in=wanted[start:start + ID_CHUNK])
            yield from chunk.order_by("pk").values_list(*table.header)
        return
    known = ids[table.name]
    for row in table.select(cluster_id).order_by("pk").values_list(*table.header).iterator(chunk_size=2000):
        if row[0] in known:
            yield row


def _write_table(table: Table, rows, ids: dict[str, set], sink, problems: list[str]) -> "_Written":
    written = _Written()
    sink.write_row(table.header)
    keys = [(index, column) for index, column in enumerate(table.columns) if column.references]
    columns = []
    for column in table.columns:
        to_json = TO_JSON.get(column.field.get_internal_type())
        columns.append((column, to_json, _quick_cell(column, to_json)))
    for row in rows:
        values = list(row)
        if not _keep_inside_cluster(table, keys, values, ids, written, problems):
            written.dropped += 1
            continue
        cells = []
        for (column, to_json, quick), value in zip(columns, values, strict=True):
            cell = None if quick is None else quick(value)
            if cell is None:
                cell = _checked_cell(table, column, to_json, value, values[0], problems)
            cells.append(cell)
        sink.write_row(cells)
        written.rows += 1
    return written


def _checked_cell(table: Table, column, to_json, value, row_id, problems: list[str]) -> str:
    """A cell's text, its value checked against the column's schema; what breaks it is added to the problems."""
    if to_json is not None and value is not None:
        value = to_json(value)
    try:
        column.codec.check(value)
    except CellError as error:
        _add_problem(problems, f"{table.path} row with id {row_id}: {column.name} {error}.")
    cell = escape(column.codec.encode(value))
    if len(cell) > MAX_CELL_CHARS:
        _add_problem(problems, f"{table.path} row with id {row_id}: {column.name} has {len(cell):,} "
                               f"characters; an archive's cell holds at most {MAX_CELL_CHARS:,}.")
    return cell


def _quick_cell(column, to_json) -> Callable | None:
    """A quicker way to the cells of the most common columns, or None for a column that has none.

    The function returns the same text as `_checked_cell` for the values it can vouch for without
    the full check (the type the column holds, in its range, not too long), and None for any other
    value, which then takes the checked way: so a value that breaks the schema is still named.
    """
    codec = column.codec
    if codec.json_text or codec.base64 or (codec.enum is not None and not codec.types <= {"string", "null"}):
        return None
    empty = "" if codec.nullable else None  # a missing required value takes the checked way, which names it
    kinds = codec.types - {"null"}
    if kinds == {"integer"}:
        low = -math.inf if codec.minimum is None else codec.minimum
        high = math.inf if codec.maximum is None else codec.maximum
        return lambda value: (str(value) if type(value) is int and low <= value <= high
                              else empty if value is None else None)
    if kinds == {"number"} and codec.minimum is None and codec.maximum is None:
        # repr of a finite float is a plain number, which escape leaves as it is.
        return lambda value: (repr(value) if type(value) is float and math.isfinite(value)
                              else empty if value is None else None)
    if kinds == {"boolean"}:
        return lambda value: ("true" if value is True else "false" if value is False
                              else empty if value is None else None)
    if kinds != {"string"}:
        return None
    if codec.format in ("date", "date-time") and to_json is not None:
        # ISO 8601 from a date, or an aware moment, always reads back and starts with a digit (escape leaves it).
        if codec.format == "date":
            return lambda value: (to_json(value) if type(value) is datetime.date
                                  else empty if value is None else None)
        return lambda value: (to_json(value) if type(value) is datetime.datetime and value.tzinfo is not None
                              else empty if value is None else None)
    if codec.format is not None:
        return None
    # The escaped text is one character longer at most; a text that could reach the limit takes the checked way.
    longest = min(MAX_CELL_CHARS - 1, math.inf if codec.max_length is None else codec.max_length)
    allowed = None if codec.enum is None else frozenset(choice for choice in codec.enum if type(choice) is str)
    return lambda value: (escape(value) if type(value) is str and len(value) <= longest
                          and (allowed is None or value in allowed)
                          else empty if value is None else None)


def _keep_inside_cluster(table: Table, keys, values: list, ids: dict[str, set], written: _Written,
                         problems: list[str]) -> bool:
    """Empty the foreign keys that point outside the cluster; False for a link row to drop."""
    for index, column in keys:
        if values[index] is None or values[index] in ids.get(column.references, ()):
            continue
        if table.kind == LINK:
            return False
        if column.nullable:
            values[index] = None
            written.emptied[column.name] = written.emptied.get(column.name, 0) + 1
        else:
            _add_problem(problems, (
                f"{table.path} row with id {values[0]}: {column.name} points to {column.references} "
                f"id {values[index]}, which is not part of this cluster, and it cannot be left empty."
            ))
    return True


def _add_problem(problems: list[str], problem: str) -> None:
    if len(problems) < MAX_PROBLEMS:
        problems.append(problem)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


# How the values of fields that JSON has no type for are written.
TO_JSON = {
    "DateTimeField": _utc,
    "DateField": datetime.date.isoformat,
    "TimeField": datetime.time.isoformat,
    "DecimalField": lambda number: format(number, "f"),
    "UUIDField": str,
}


class _HashingSink:
    """A CSV writer into a zip entry that keeps the SHA-256 of the bytes it writes."""

    BUFFERED_ROWS = 1000

    def __init__(self, member) -> None:
        self._member = member
        self._sha = hashlib.sha256()
        self._text = io.StringIO()
        self._writer = csv.writer(self._text, lineterminator="\r\n")
        self._rows: list[list[str]] = []

    def write_row(self, cells: list[str]) -> None:
        self._rows.append(cells)
        if len(self._rows) == self.BUFFERED_ROWS:
            self.flush()

    def flush(self) -> None:
        self._writer.writerows(self._rows)
        self._rows.clear()
        data = self._text.getvalue().encode("utf-8")
        self._sha.update(data)
        self._member.write(data)
        self._text.seek(0)
        self._text.truncate()

    def hexdigest(self) -> str:
        self.flush()
        return self._sha.hexdigest()


def _entry(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=ENTRY_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_text(archive: zipfile.ZipFile, path: str, text: str) -> str:
    data = text.encode("utf-8")
    archive.writestr(_entry(path), data)
    return hashlib.sha256(data).hexdigest()


def _json_text(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _identity(record) -> dict:
    return {"id": record.pk, "slug": record.slug, "name": record.name}


def _problem_list(cluster: Cluster, problems: list[str]) -> str:
    more = " (the first 20 are listed)" if len(problems) >= MAX_PROBLEMS else ""
    lines = "\n".join(f"  {problem}" for problem in problems)
    return f"The cluster “{cluster.name}” cannot be archived as it is{more}:\n{lines}"
