"""The database's own full-text index over SearchDocument: SQLite FTS5, or PostgreSQL's tsvector.

Both rank the matches (bm25 on SQLite, ts_rank on PostgreSQL; a word in the title weighs more than
one in the body, and a short text more than a long one) and mark the matching words with two
control characters that no indexed text contains (`improvenet.search.index` strips them): the
page escapes the text, then turns the marks into <mark> elements, so nothing a user wrote can
become HTML. (PostgreSQL's parser takes text like `<b>` for markup: it is not indexed, and
ts_headline leaves it out of snippets.)
"""

import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from improvenet.search import query

START, STOP = "\x01", "\x02"
MARKS = re.compile(f"[{START}{STOP}]")
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
SNIPPET_WORDS = 30
TABLE = "search_searchdocument"
FTS_TABLE = "search_fts"

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, content='{TABLE}', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_fts_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    f"CREATE TRIGGER search_fts_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    f"CREATE TRIGGER search_fts_update AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_insert", "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update", f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_CREATE = [
    f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, body), 'B')) STORED",
    f"CREATE INDEX search_doc_vector ON {TABLE} USING GIN (search_vector)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_doc_vector", f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector"]


def create_index(schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor, POSTGRES_CREATE, SQLITE_CREATE):
        schema_editor.execute(statement)


def drop_index(schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor, POSTGRES_DROP, SQLITE_DROP):
        schema_editor.execute(statement)


def _statements(vendor: str, postgres: list[str], sqlite: list[str]) -> list[str]:
    return {"postgresql": postgres, "sqlite": sqlite}.get(vendor, [])


def marked(text: str) -> SafeString:
    """The text with its HTML escaped and the engine's marks as <mark> elements."""
    escaped = _MARKED.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(MARKS.sub("", escaped))


@dataclass(frozen=True)
class Hit:
    document_id: int
    title: SafeString
    snippet: SafeString


def search(documents: QuerySet, words: list[str], offset: int, limit: int) -> tuple[int, list[Hit]]:
    """How many of `documents` match all `words`, and the hits of one page, best first."""
    if not words:
        return 0, []
    connection = connections[documents.db]
    try:
        within, within_params = documents.values("pk").query.sql_with_params()
    except EmptyResultSet:  # a scope of no cluster at all
        return 0, []
    run = _search_postgres if connection.vendor == "postgresql" else _search_sqlite
    with connection.cursor() as cursor:
        return run(cursor, words, f"({within})", list(within_params), offset, limit)


def _search_sqlite(cursor, words, within, within_params, offset, limit):
    match = query.fts5_match(words)
    cursor.execute(
        # Joined, not `rowid IN`: FTS5 would run the MATCH once per document of the scope.
        f"SELECT count(*) FROM {FTS_TABLE} JOIN {TABLE} d ON d.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH %s AND d.id IN {within}",
        [match, *within_params],
    )
    count = cursor.fetchone()[0]
    # The page is chosen first, so that only its documents pay for highlight() and snippet().
    cursor.execute(
        f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} JOIN {TABLE} d ON d.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH %s AND d.id IN {within} "
        f"ORDER BY bm25({FTS_TABLE}, 10.0, 1.0), d.date DESC NULLS LAST, d.id LIMIT %s OFFSET %s",
        [match, *within_params, limit, offset],
    )
    page = [row[0] for row in cursor.fetchall()]
    if not page:
        return count, []
    cursor.execute(
        f"SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), snippet({FTS_TABLE}, 1, %s, %s, '…', {SNIPPET_WORDS}) "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({', '.join(['%s'] * len(page))})",
        [START, STOP, START, STOP, match, *page],
    )
    marked_rows = {pk: (title, snippet) for pk, title, snippet in cursor.fetchall()}
    return count, [Hit(pk, marked(marked_rows[pk][0]), marked(marked_rows[pk][1])) for pk in page]


# A title word weighs ten times a body word, as in bm25() on SQLite; rank 1 divides by 1 + log(length).
_WEIGHTS = "'{0.1, 0.1, 0.1, 1.0}'"
# ts_headline's options; the marks are quoted so that its option parser takes them as they are.
_TITLE_OPTIONS = f'HighlightAll=true, StartSel="{START}", StopSel="{STOP}"'
_BODY_OPTIONS = (f'StartSel="{START}", StopSel="{STOP}", MaxWords={SNIPPET_WORDS}, MinWords=12, '
                 'MaxFragments=2, FragmentDelimiter=" … "')


def _search_postgres(cursor, words, within, within_params, offset, limit):
    tsquery = query.tsquery(words)
    cursor.execute(
        f"SELECT count(*) FROM {TABLE} d, to_tsquery('english', %s) q "
        f"WHERE d.search_vector @@ q AND d.id IN {within}",
        [tsquery, *within_params],
    )
    count = cursor.fetchone()[0]
    # The page is chosen first, so that only its documents pay for ts_headline.
    cursor.execute(
        f"WITH q AS (SELECT to_tsquery('english', %s) AS query), "
        f"page AS (SELECT d.id, ts_rank({_WEIGHTS}, d.search_vector, q.query, 1) AS score, d.date FROM {TABLE} d, q "
        f"WHERE d.search_vector @@ q.query AND d.id IN {within} "
        f"ORDER BY score DESC, d.date DESC NULLS LAST, d.id LIMIT %s OFFSET %s) "
        f"SELECT d.id, ts_headline('english', d.title, q.query, %s), ts_headline('english', d.body, q.query, %s) "
        f"FROM page JOIN {TABLE} d ON d.id = page.id, q "
        f"ORDER BY page.score DESC, page.date DESC NULLS LAST, page.id",
        [tsquery, *within_params, limit, offset, _TITLE_OPTIONS, _BODY_OPTIONS],
    )
    return count, [Hit(pk, marked(title), marked(snippet)) for pk, title, snippet in cursor.fetchall()]
