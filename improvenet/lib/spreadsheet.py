"""CSV cells that a spreadsheet opens as text, never as a formula (CSV injection).

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and one that starts with
a tab or a carriage return may be read as one; `=HYPERLINK(...)` or `=cmd|...` from a school's name
would run on the computer of whoever opens the file. Following OWASP's CSV injection guidance, such
a cell is written with a leading apostrophe, which spreadsheets read as "this is text". A plain
number (`-0.5`, `+3`, `1e-9`) is left as it is: it cannot run, and it stays a number.

Every CSV improvenet writes goes through `safe_cell` (or `safe_row`, `safe_table`). The open archive,
which improvenet reads back, uses the reversible pair `escape`/`unescape` instead (docs/archive.md).
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
# The first characters of the texts `escape` may change: any other text is written as it is.
ESCAPED_STARTS = frozenset(FORMULA_STARTS + (PREFIX,))
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and PLAIN_NUMBER.fullmatch(text) is None


def safe_cell(value):
    """The value, or its text behind an apostrophe when a spreadsheet would run it; non-text values pass."""
    if isinstance(value, str) and runs_as_formula(value):
        return PREFIX + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]


def safe_table(table):
    """A pyarrow table with every text cell made safe (for pyarrow.csv.write_csv)."""
    import pyarrow as pa

    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            cells = [safe_cell(cell) for cell in table.column(index).to_pylist()]
            table = table.set_column(index, field, pa.array(cells, field.type))
    return table


def safe_frame(frame):
    """A pandas frame with every text cell made safe (for DataFrame.to_csv)."""
    text = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{column: frame[column].map(safe_cell) for column in text})


def escape(text: str) -> str:
    """Safe like `safe_cell`, and reversible: a text that already starts with the apostrophe gets one more."""
    if text[:1] not in ESCAPED_STARTS:
        return text
    if runs_as_formula(text) or text.startswith(PREFIX):
        return PREFIX + text
    return text


def unescape(text: str) -> str:
    """The text `escape` was given."""
    return text[len(PREFIX):] if text.startswith(PREFIX) else text
