"""README.txt of an archive: the format described for a person who opens the zip without improvenet."""

from improvenet.archive.tables import ACCOUNTS, LEFT_OUT, LINK, Table, table_name

INTRODUCTION = """\
Open archive of the improvenet cluster “{cluster}” (network “{network}”)
{underline}

This zip holds everything the cluster owns in improvenet, as plain files any tool can read:

  manifest.json   the format and its version (“format_version”), the improvenet version that
                  wrote it, the cluster and network, when it was exported (“exported_at”), and
                  for every file its SHA-256 checksum and, for tables, its number of rows.
  schema.json     a JSON Schema (draft 2020-12) for the rows of every table, under “$defs”,
                  with a description of every column.
  tables/*.csv    one file per table, named after the table (app.model), listed below in an
                  order where a table comes after the tables its foreign keys point into.

The CSV files are UTF-8, comma-separated, with a header row naming the columns and lines ended by
CR LF; a cell that holds a comma, a quote or a line break is quoted (RFC 4180). One row is one
record, and the columns are the table's fields in the database: a foreign key is the id of a row
of the table it points into (column names ending in _id; schema.json names that table in
“x-references”), and a many-to-many field is a link table of its own with one row per pair.
An empty cell is null where the schema allows null; booleans are true or false; dates are
YYYY-MM-DD and times ISO 8601 in UTC; JSON fields hold JSON text.

So that a spreadsheet never runs a cell as a formula (a name such as =HYPERLINK(…)), a cell that
starts with =, +, -, @, a tab, a carriage return or an apostrophe, and is not a plain number such
as -0.5, is written with one more apostrophe in front: '=HYPERLINK(…). A program reading the
files removes that one leading apostrophe from every cell that has one; a spreadsheet shows it.

What the archive does not hold:
  - passwords and API tokens: the accounts table keeps each account's username and names only;
    an import creates the accounts without a usable password, so people set one with a password
    reset;
  - student-level longitudinal data, which improvenet keeps in a separate store (the data use
    agreements, audit log and load reports that govern it are here);
  - other clusters' records: a foreign key to a record of another cluster (for example the
    publication a change idea was adopted from) is left empty, and a link to one is left out;
    manifest.json counts them under “external_references”;
  - these tables of the instance, for the reasons given:
{left_out}

`improvenet import FILE.zip` restores the archive into an empty improvenet database with the same
ids, after checking every file against the manifest and every row against the schema.

The checksums in manifest.json travel inside this zip, so they reveal accidental damage (a truncated
copy, a damaged disk), not deliberate changes: whoever edits a file can update its checksum too. To
reveal those, the importer needs the SHA-256 of the whole zip, received by another way than the zip
itself (`improvenet export` prints it and writes it to FILE.zip.sha256), and passes it with
`improvenet import FILE.zip --sha256 HEX`.

Tables
------
"""


def text(cluster, tables: tuple[Table, ...]) -> str:
    title = f"Open archive of the improvenet cluster “{cluster.name}” (network “{cluster.network.name}”)"
    left_out = "\n".join(f"      {name}: {reason}" for name, reason in sorted(LEFT_OUT.items()))
    lines = [INTRODUCTION.format(cluster=cluster.name, network=cluster.network.name, underline="=" * len(title),
                                 left_out=left_out)]
    for table in tables:
        lines.append(f"tables/{table.name}.csv: {_about(table)}")
    return "\n".join(lines) + "\n"


def _about(table: Table) -> str:
    meta = table.model._meta
    if table.kind == LINK:
        return f"links of {meta.auto_created._meta.verbose_name_plural} to their {_target(table)}"
    if table.kind == ACCOUNTS:
        return "the user accounts the other tables refer to (username and names)"
    parents = [table_name(parent) for parent in meta.parents]
    extends = f" (each row extends the row of {', '.join(parents)} with the same id)" if parents else ""
    return f"{meta.verbose_name_plural}{extends}"


def _target(table: Table) -> str:
    owner = table.model._meta.auto_created
    for field in owner._meta.local_many_to_many:
        if field.remote_field.through is table.model:
            return str(field.verbose_name)
    return "records"
