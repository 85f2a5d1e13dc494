"""Database triggers that keep an append-only log append-only even for code that bypasses the models.

Row triggers refuse UPDATE and DELETE of any entry. TRUNCATE (PostgreSQL) stays possible for the
database owner, which is what test databases are reset with; no improvenet code truncates.
`append_only(table)` gives a migration's RunPython pair for any table (the audit log here, the log of
role changes in improvenet.accounts).
"""

MESSAGE = "The audit log is append-only."


def _statements(table: str, message: str) -> dict[str, list[str]]:
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ],
        "postgresql": [
            f"""CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{message}'; END $$""",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_refuse()""",
        ],
    }


def _drops(table: str) -> dict[str, list[str]]:
    return {
        "sqlite": [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"],
        "postgresql": [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse()",
        ],
    }


def append_only(table: str, message: str = MESSAGE):
    """(create, drop): the RunPython pair that makes `table` append-only in the database."""

    def create(apps, schema_editor) -> None:
        for statement in _statements(table, message).get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    def drop(apps, schema_editor) -> None:
        for statement in _drops(table).get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return create, drop


append_only_triggers, drop_append_only_triggers = append_only("data_auditevent")
