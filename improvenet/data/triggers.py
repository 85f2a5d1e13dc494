"""Database triggers that keep the audit log append-only even for code that bypasses the models.

Row triggers refuse UPDATE and DELETE of any entry. TRUNCATE (PostgreSQL) stays possible for the
database owner, which is what test databases are reset with; no improvenet code truncates.
"""

TABLE = "data_auditevent"
MESSAGE = "The audit log is append-only."

_SQLITE = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
_POSTGRES = [
    f"""CREATE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
]
_DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
    ],
}


def append_only_triggers(apps, schema_editor) -> None:
    statements = {"sqlite": _SQLITE, "postgresql": _POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_append_only_triggers(apps, schema_editor) -> None:
    for statement in _DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
