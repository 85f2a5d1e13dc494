"""The database's full-text index over the search documents: FTS5 on SQLite, a tsvector on PostgreSQL."""

from django.db import migrations

from improvenet.search import fulltext


def create(apps, schema_editor) -> None:
    fulltext.create_index(schema_editor)


def drop(apps, schema_editor) -> None:
    fulltext.drop_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
