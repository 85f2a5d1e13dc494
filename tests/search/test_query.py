"""The query text reduced to plain words (improvenet.search.query), checked against a real FTS5 engine."""

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.search import query


@pytest.mark.parametrize(("text", "words"), [
    ("Exit tickets", ["exit", "tickets"]),
    ('"unbalanced quote', ["unbalanced", "quote"]),
    ("NEAR(goal  conference", ["near", "goal", "conference"]),
    ("*", []),
    ("title:goal OR -secret", ["title", "goal", "or", "secret"]),
    ("goal & !plan | x:* <-> (y)", ["goal", "plan", "x", "y"]),
    ("snake_case it's 9th-grade", ["snake", "case", "it", "s", "9th", "grade"]),
    ("Écoles  écoles ÉCOLES", ["écoles"]),
    ("", []),
])
def test_the_query_keeps_only_plain_words_once_each(text, words):
    assert query.terms(text) == words


def test_the_number_and_length_of_words_are_bounded():
    assert len(query.terms(" ".join(f"w{n}" for n in range(100)))) == query.MAX_TERMS
    assert query.terms("a" * 500) == ["a" * query.MAX_TERM_LENGTH]


def test_the_last_word_also_matches_as_a_prefix():
    assert query.fts5_match(["exit", "tick"]) == '"exit" "tick"*'
    assert query.tsquery(["exit", "tick"]) == "'exit' & 'tick':*"
    assert query.fts5_match([]) == "" and query.tsquery([]) == ""


@pytest.fixture(scope="module")
def fts5():
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61 remove_diacritics 2')")
    connection.execute("INSERT INTO t(body) VALUES ('Students write exit tickets'), ('NEAR the écoles')")
    yield connection
    connection.close()


@given(st.text(max_size=80))
def test_any_text_makes_a_match_expression_fts5_accepts(fts5, text):
    words = query.terms(text)
    if words:
        fts5.execute("SELECT count(*) FROM t WHERE t MATCH ?", [query.fts5_match(words)]).fetchone()


def test_the_match_expression_finds_stems_prefixes_and_accents(fts5):
    def found(text):
        return fts5.execute("SELECT count(*) FROM t WHERE t MATCH ?", [query.fts5_match(query.terms(text))]
                            ).fetchone()[0]

    assert found("student ticket") == 1  # stemmed
    assert found("exit tick") == 1  # the last word as a prefix
    assert found("tick exit") == 0  # only the last word
    assert found("ecoles near") == 1  # accents and operator words are plain words
