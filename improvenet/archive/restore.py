"""Restoring an open archive into an empty improvenet database, all or nothing.

The whole archive is read and checked before anything is written: the digest of the whole zip when
the importer has it, the members' sizes, the manifest and its format version, every file's checksum,
every table's columns, every row against the schema, and every foreign key against the rows of the
archive. Then, in one transaction, the database is checked for records that already use the
archive's ids or short names, and the rows are inserted with their ids. A refusal names the
archive, the file and the line, and leaves the database as it was.
"""

import csv
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils.module_loading import import_string

from improvenet.archive.cells import CellError
from improvenet.archive.digest import file_sha256
from improvenet.archive.export import FORMAT, FORMAT_VERSION, MANIFEST, MAX_CELL_CHARS, MAX_PROBLEMS
from improvenet.archive.tables import ACCOUNTS, REBUILT_AFTER_IMPORT, Table, archive_tables
from improvenet.lib.limits import TooLarge, csv_rows, size_text, text_stream
from improvenet.lib.spreadsheet import unescape

ID_CHUNK = 500
INSERT_BATCH = 1000
# Limits on the unpacked size, so that a small zip that unpacks to gigabytes (a zip bomb) is refused
# before it fills the memory: checked against the sizes the zip declares, and counted while unpacking.
MAX_MEMBER_BYTES = 1024 ** 3
MAX_TOTAL_BYTES = 2 * 1024 ** 3
READ_CHUNK = 1024 * 1024
# A table's lines are read one at a time, each up to this length: one long cell and the row's short ones.
MAX_LINE_CHARS = MAX_CELL_CHARS + 1024 * 1024
# The manifest lists the files: a few kilobytes.
MAX_MANIFEST_BYTES = 1024 * 1024
# Format version 1 wrote cells as they are; from version 2 on, cells are escaped for spreadsheets.
READABLE_VERSIONS = (1, FORMAT_VERSION)


class ArchiveRefused(Exception):
    """The archive cannot be imported; the message names the file and the problem. Nothing was written."""


@dataclass
class ReadTable:
    table: Table
    rows: list[list]  # JSON values in the order of the table's columns
    lines: list[int]  # the CSV line each row starts on


@dataclass(frozen=True)
class ImportSummary:
    cluster: str
    network: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def import_archive(source: str | Path | BinaryIO, name: str | None = None,
                   progress: Callable[[str], None] | None = None, sha256: str | None = None) -> ImportSummary:
    """Check the archive, then write all of it in one transaction; ArchiveRefused when anything is wrong.

    `sha256`, the digest of the whole zip received apart from it, is checked first when given.
    """
    report = progress or (lambda message: None)
    label = name or (Path(source).name if isinstance(source, str | Path) else "the archive")
    if sha256 is not None:
        _check_digest(source, sha256, label)
    manifest, tables = read_archive(source, label, report)
    try:
        with transaction.atomic():
            _refuse_existing(tables, label)
            for number, read in enumerate(tables, 1):
                _insert(read)
                report(f"[{number}/{len(tables)}] wrote {read.table.name}: {len(read.rows)} rows")
            connection.check_constraints()
            _reset_sequences(tables)
            for rebuild in REBUILT_AFTER_IMPORT:
                import_string(rebuild)()
    except DatabaseError as error:
        raise _refuse(label, f"the database refused the rows ({error}); nothing was imported.") from None
    _analyze(tables)
    return ImportSummary(
        cluster=manifest["cluster"]["name"], network=manifest["network"]["name"],
        rows={read.table.name: len(read.rows) for read in tables},
    )


def _check_digest(source, expected: str, label: str) -> None:
    try:
        actual = file_sha256(source)
    except OSError as error:
        raise ArchiveRefused(f"{label} cannot be read: {error.strerror or error}.") from None
    if actual != expected:
        raise _refuse(label, f"the SHA-256 of the whole archive is {actual}, but the expected digest is {expected}. "
                             "The archive is not the one that was exported: it was changed or replaced, or the "
                             "digest belongs to another file. Nothing was imported.")


def read_archive(source, label: str, report: Callable[[str], None]) -> tuple[dict, list[ReadTable]]:
    """The manifest and every table's rows, checked; ArchiveRefused at the first file that is wrong."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, EOFError):
        raise ArchiveRefused(f"{label} is not a zip archive.") from None
    except OSError as error:
        raise ArchiveRefused(f"{label} cannot be read: {error.strerror or error}.") from None
    with archive:
        _check_declared_sizes(archive, label)
        unpacked = _Unpacked()
        manifest = _manifest(archive, label, unpacked)
        _check_files(archive, manifest, label, unpacked)
        tables = _read_tables(archive, manifest, label, report)
    _check_references(tables, label)
    _check_cluster(manifest, tables, label)
    return manifest, tables


def _refuse(label: str, problem: str) -> ArchiveRefused:
    return ArchiveRefused(f"{label}: {problem}")


def _check_declared_sizes(archive: zipfile.ZipFile, label: str) -> None:
    total = 0
    for member in archive.infolist():
        if member.file_size > _member_limit(member.filename)[0]:
            raise _refuse(label, _member_too_large(member.filename, member.file_size))
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise _refuse(label, _too_large("its files unpack", MAX_TOTAL_BYTES, "a whole archive", total))


def _too_large(what: str, limit: int, of: str, size: int | None = None,
               names: str = "MAX_MEMBER_BYTES and MAX_TOTAL_BYTES") -> str:
    """`size` is what the zip declares; without it, the limit was passed while unpacking."""
    amount = (f"{size_text(size)}; this improvenet accepts at most {size_text(limit)}" if size is not None
              else f"more than {size_text(limit)}, the most this improvenet accepts")
    return f"{what} to {amount} for {of} ({names} in improvenet/archive/restore.py). Nothing was imported."


@dataclass
class _Unpacked:
    """Bytes unpacked so far, counted as they come: a zip can declare sizes smaller than its contents."""
    total: int = 0


def _member_limit(path: str) -> tuple[int, str, str]:
    """(The most a member may unpack to, what it is, the limit's name): the manifest lists files, a table rows."""
    if path == MANIFEST:
        return MAX_MANIFEST_BYTES, "the manifest", "MAX_MANIFEST_BYTES"
    return MAX_MEMBER_BYTES, "a single file", "MAX_MEMBER_BYTES and MAX_TOTAL_BYTES"


def _member_too_large(path: str, size: int | None = None) -> str:
    limit, of, names = _member_limit(path)
    return _too_large(f"{path} unpacks", limit, of, size, names)


def _unpack(archive: zipfile.ZipFile, path: str, label: str, unpacked: _Unpacked, sink: Callable[[bytes], None]):
    """Feed a member's bytes to `sink` in chunks, refusing once it or the archive passes its limit."""
    limit = _member_limit(path)[0]
    size = 0
    try:
        with archive.open(path) as member:
            while chunk := member.read(READ_CHUNK):
                size += len(chunk)
                unpacked.total += len(chunk)
                if size > limit:
                    raise _refuse(label, _member_too_large(path))
                if unpacked.total > MAX_TOTAL_BYTES:
                    raise _refuse(label, _too_large("its files unpack", MAX_TOTAL_BYTES, "a whole archive"))
                sink(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _refuse(label, f"{path} cannot be unpacked ({error}).") from None


def _manifest(archive: zipfile.ZipFile, label: str, unpacked: _Unpacked) -> dict:
    if MANIFEST not in archive.namelist():
        raise _refuse(label, f"there is no {MANIFEST}, so this is not an improvenet open archive.")
    text = io.BytesIO()
    _unpack(archive, MANIFEST, label, unpacked, text.write)
    try:
        manifest = json.loads(text.getvalue().decode("utf-8"))
    except UnicodeDecodeError:
        raise _refuse(label, f"{MANIFEST} is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise _refuse(label, f"{MANIFEST} is not valid JSON: {error.msg} on line {error.lineno}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(label, f"{MANIFEST} does not say \"format\": \"{FORMAT}\", so this is not an improvenet "
                             "open archive.")
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise _refuse(label, f"{MANIFEST} has format version {json.dumps(version)}, which this improvenet does "
                             f"not know: it reads format versions {' and '.join(map(str, READABLE_VERSIONS))}.")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("path"), str) and isinstance(entry.get("sha256"), str)
        for entry in files
    ):
        raise _refuse(label, f"{MANIFEST} needs a \"files\" list of objects with a \"path\" and a \"sha256\".")
    for key in ("cluster", "network"):
        if not isinstance(manifest.get(key), dict) or not isinstance(manifest[key].get("name"), str):
            raise _refuse(label, f"{MANIFEST} needs the \"{key}\" with its \"id\", \"slug\" and \"name\".")
    return manifest


def _check_files(archive: zipfile.ZipFile, manifest: dict, label: str, unpacked: _Unpacked) -> None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    present = set(archive.namelist()) - {MANIFEST}
    missing, unlisted = sorted(set(listed) - present), sorted(present - set(listed))
    if missing:
        raise _refuse(label, f"{MANIFEST} lists {missing[0]}, which is not in the archive.")
    if unlisted:
        raise _refuse(label, f"{unlisted[0]} is in the archive but not in {MANIFEST}.")
    for path, entry in listed.items():
        digest = hashlib.sha256()
        _unpack(archive, path, label, unpacked, digest.update)
        actual = digest.hexdigest()
        if actual != entry["sha256"]:
            raise _refuse(label, f"checksum mismatch for {path}: {MANIFEST} says SHA-256 {entry['sha256']}, the file "
                                 f"has {actual}. The archive was changed or damaged after it was written.")


def _read_tables(archive: zipfile.ZipFile, manifest: dict, label: str, report) -> list[ReadTable]:
    escaped = manifest["format_version"] >= 2
    known = {table.name: table for table in archive_tables()}
    listed = {entry["table"]: entry for entry in manifest["files"] if "table" in entry}
    for name, entry in listed.items():
        table = known.get(name)
        if table is None:
            raise _refuse(label, f"{entry['path']} holds the table {name}, which this improvenet does not have; "
                                 "the archive may come from a newer version.")
        if entry["path"] != table.path:
            raise _refuse(label, f"{MANIFEST} puts the table {name} in {entry['path']}; it belongs in {table.path}.")
    problems: list[str] = []
    read = []
    for table in known.values():
        entry = listed.get(table.name)
        rows = _read_rows(archive, table, label, problems, escaped) if entry else ReadTable(table, [], [])
        if entry and not problems and entry.get("rows") != len(rows.rows):
            raise _refuse(label, f"{table.path} has {len(rows.rows)} rows, but {MANIFEST} says {entry.get('rows')}.")
        read.append(rows)
        if entry:
            report(f"checked {table.path}: {len(rows.rows)} rows")
    if problems:
        raise ArchiveRefused(_problem_list(label, "rows break the schema", problems))
    return read


def _read_rows(archive: zipfile.ZipFile, table: Table, label: str, problems: list[str], escaped: bool) -> ReadTable:
    read = ReadTable(table, [], [])
    seen: dict = {}
    line = 1
    with archive.open(table.path) as member:
        rows = csv_rows(text_stream(member), table.path, max_line=MAX_LINE_CHARS, max_cell=MAX_CELL_CHARS)
        try:
            header = next(rows, None)
            _check_header(table, header and header[1], label)
            for line, cells in rows:
                _read_row(table, [unescape(cell) for cell in cells] if escaped else cells, line, read, seen,
                          problems)
        except UnicodeDecodeError:
            raise _refuse(label, f"{table.path} is not UTF-8 text.") from None
        except TooLarge as error:
            raise _refuse(label, f"{error} Nothing was imported.") from None
        except csv.Error as error:
            raise _refuse(label, f"{table.path} line {line}: not valid CSV ({error}).") from None
    return read


def _check_header(table: Table, header: list[str] | None, label: str) -> None:
    if header == table.header:
        return
    if header is None:
        raise _refuse(label, f"{table.path} is empty; it needs at least its header row.")
    missing = [c for c in table.header if c not in header]
    unexpected = [c for c in header if c not in table.header]
    details = "; ".join(part for part in (
        f"missing {', '.join(missing)}" if missing else "",
        f"unexpected {', '.join(unexpected)}" if unexpected else "",
        "" if missing or unexpected else "in another order",
    ) if part)
    raise _refuse(label, f"{table.path} line 1: the columns do not match this improvenet's table ({details}); "
                         f"expected {', '.join(table.header)}.")


def _read_row(table: Table, cells: list[str], line: int, read: ReadTable, seen: dict, problems: list[str]) -> None:
    where = f"{table.path} line {line}"
    if len(cells) != len(table.columns):
        _add(problems, f"{where}: {len(cells)} cells, but the header has {len(table.columns)} columns.")
        return
    values = []
    for column, cell in zip(table.columns, cells, strict=True):
        try:
            value = column.codec.decode(cell)
            column.codec.check(value)
        except CellError as error:
            _add(problems, f"{where}: column {column.name} {error}.")
            return
        values.append(value)
    row_id = values[0]
    if row_id in seen:
        _add(problems, f"{where}: id {row_id} is already used on line {seen[row_id]}.")
        return
    seen[row_id] = line
    read.rows.append(values)
    read.lines.append(line)


def _add(problems: list[str], problem: str) -> None:
    if len(problems) < MAX_PROBLEMS:
        problems.append(problem)


def _problem_list(label: str, what: str, problems: list[str]) -> str:
    more = " (the first 20 are listed)" if len(problems) >= MAX_PROBLEMS else ""
    lines = "\n".join(f"  {problem}" for problem in problems)
    return f"{label}: {what}{more}; nothing was imported:\n{lines}"


def _check_references(tables: list[ReadTable], label: str) -> None:
    ids = {read.table.name: {row[0] for row in read.rows} for read in tables}
    problems: list[str] = []
    for read in tables:
        keys = [(index, column) for index, column in enumerate(read.table.columns) if column.references]
        for row, line in zip(read.rows, read.lines, strict=True):
            for index, column in keys:
                value = row[index]
                if value is not None and value not in ids.get(column.references, ()):
                    _add(problems, f"{read.table.path} line {line}: {column.name} refers to {column.references} "
                                   f"id {value}, which is not in the archive.")
    if problems:
        raise ArchiveRefused(_problem_list(label, "foreign keys point to records that are not in the archive",
                                           problems))


def _check_cluster(manifest: dict, tables: list[ReadTable], label: str) -> None:
    by_name = {read.table.name: read for read in tables}
    for key, name in (("cluster", "network.cluster"), ("network", "network.network")):
        read = by_name[name]
        if len(read.rows) != 1 or read.rows[0][0] != manifest[key].get("id"):
            raise _refuse(label, f"{read.table.path} must hold exactly the {key} named in {MANIFEST} "
                                 f"(id {manifest[key].get('id')}); it has {len(read.rows)} rows.")


def _refuse_existing(tables: list[ReadTable], label: str) -> None:
    """Refuse when the database already holds one of the archive's short names, names or ids."""
    taken: list[str] = []
    for read in sorted(tables, key=lambda read: read.table.kind == ACCOUNTS):  # the network and cluster first
        model = read.table.model
        for index, column in enumerate(read.table.columns):
            if column.field.unique and not column.field.primary_key and not column.references:
                values = [row[index] for row in read.rows if row[index] not in (None, "")]
                for existing in _existing(model, column.field.attname, values)[:3]:
                    taken.append(f"a {model._meta.verbose_name} with {column.field.verbose_name} “{existing}”")
    if not taken:
        for read in tables:
            existing = _existing(read.table.model, "pk", [row[0] for row in read.rows])
            if existing:
                shown = ", ".join(str(pk) for pk in existing[:5]) + (" …" if len(existing) > 5 else "")
                taken.append(f"{read.table.name} rows with the ids {shown}")
    if taken:
        raise _refuse(label, "this database already holds " + "; ".join(taken) + ". Import the archive into an "
                             "empty database (a new one, after `improvenet migrate`); nothing was imported.")


def _existing(model, attname: str, values: list) -> list:
    found = []
    for start in range(0, len(values), ID_CHUNK):
        chunk = values[start:start + ID_CHUNK]
        found += model._base_manager.filter(**{f"{attname}__in": chunk}).order_by(attname).values_list(
            attname, flat=True)
    return sorted(found)


def _insert(read: ReadTable) -> None:
    """Insert the rows with their ids, in batches, as they are: no signals, no automatic dates."""
    if not read.rows:
        return
    model = read.table.model
    database = connections[DEFAULT_DB_ALIAS]
    # Only this table's own columns: a school's organization row is its own table's row.
    fields = list(model._meta.local_concrete_fields)
    statement = "INSERT INTO {} ({}) VALUES ({})".format(
        database.ops.quote_name(model._meta.db_table),
        ", ".join(database.ops.quote_name(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = _accounts(read) if read.table.kind == ACCOUNTS else read.rows
    prepare = [(field.to_python, field.get_db_prep_save) for field in fields]
    with database.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(statement, [
                [to_db(to_python(value), database) for (to_python, to_db), value in zip(prepare, row, strict=True)]
                for row in rows[start:start + INSERT_BATCH]
            ])


def _accounts(read: ReadTable) -> list[list]:
    """Every column of the accounts: the archive's names, the defaults of a new account, no usable password."""
    model = read.table.model
    names = [column.field.attname for column in read.table.columns]
    rows = []
    for row in read.rows:
        account = model(**dict(zip(names, row, strict=True)))
        account.set_unusable_password()
        rows.append([getattr(account, field.attname) for field in model._meta.local_concrete_fields])
    return rows


def _reset_sequences(tables: list[ReadTable]) -> None:
    """PostgreSQL hands out ids from sequences, which must start after the ids the archive brought."""
    statements = connection.ops.sequence_reset_sql(no_style(), [read.table.model for read in tables])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _analyze(tables: list[ReadTable]) -> None:
    """Let PostgreSQL's planner learn the new tables' sizes now rather than at the next autovacuum."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for read in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(read.table.model._meta.db_table)}")
