"""What people type into the search box, turned into a query the database cannot misread (no Django import).

Full-text engines give operators to their query strings (FTS5: quotes, `*`, `NEAR(`, `AND`/`OR`/`NOT`,
column filters; PostgreSQL's to_tsquery: `&`, `|`, `!`, `<->`, `:*`, parentheses). People type
sentences, half-typed words and stray punctuation, and an unbalanced quote must not become an error
page. So the text is reduced to its plain words, every word must match (AND), and the last word also
matches as a prefix, because it is usually still being typed.
"""

import re

# Letters and digits only: underscores and punctuation separate words, as the engines' tokenizers do.
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 12
MAX_TERM_LENGTH = 60


def terms(text: str) -> list[str]:
    """The plain words of `text`, lower-cased, in order, without repeats; at most MAX_TERMS of them."""
    found: list[str] = []
    for word in _WORD.findall(text or ""):
        word = word.lower()[:MAX_TERM_LENGTH]
        if word not in found:
            found.append(word)
        if len(found) == MAX_TERMS:
            break
    return found


def fts5_match(words: list[str]) -> str:
    """An SQLite FTS5 MATCH expression: each word a quoted string, the last one also a prefix."""
    quoted = [f'"{word}"' for word in words]
    if quoted:
        quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(words: list[str]) -> str:
    """A PostgreSQL to_tsquery() expression: each word quoted and required, the last one also a prefix."""
    quoted = [f"'{word}'" for word in words]
    if quoted:
        quoted[-1] += ":*"
    return " & ".join(quoted)
