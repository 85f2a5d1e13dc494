"""CSV cells and the JSON Schema that reads them (improvenet.archive.cells, no Django)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.archive.cells import CellError, Codec

INTEGER = {"type": "integer", "minimum": 0, "maximum": 100}
NULLABLE_INTEGER = {"type": ["integer", "null"]}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
TEXT = {"type": "string", "maxLength": 5}
LEVEL = {"type": "string", "enum": ["high", "middle", ""]}
DAY = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
JSON_TEXT = {"contentMediaType": "application/json"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)


@given(st.text())
def test_text_comes_back_as_written(text):
    schema = {"type": "string"}
    assert Codec(schema).decode(Codec(schema).encode(text)) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_come_back_exactly(number):
    assert Codec(NUMBER).decode(Codec(NUMBER).encode(number)) == number


@given(st.integers() | st.none())
def test_nullable_integers_come_back(value):
    assert Codec(NULLABLE_INTEGER).decode(Codec(NULLABLE_INTEGER).encode(value)) == value


@given(json_values.filter(lambda value: value is not None))
def test_json_fields_come_back(value):
    assert Codec(JSON_TEXT).decode(Codec(JSON_TEXT).encode(value)) == value


def test_cells_are_written_in_one_notation():
    assert [Codec(BOOLEAN).encode(True), Codec(BOOLEAN).encode(False)] == ["true", "false"]
    assert Codec(NUMBER).encode(0.1) == "0.1"
    assert Codec(NULLABLE_INTEGER).encode(None) == ""
    assert Codec(JSON_TEXT).encode({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'


@pytest.mark.parametrize(("text", "schema", "message"), [
    ("seven", INTEGER, "'seven' is not a whole number"),
    ("yes", BOOLEAN, "'yes' is not true or false"),
    ("1,5", NUMBER, "'1,5' is not a number"),
    ("{oops", JSON_TEXT, "is not JSON text"),
])
def test_cells_that_cannot_be_read_say_why(text, schema, message):
    with pytest.raises(CellError, match=message):
        Codec(schema).decode(text)


@pytest.mark.parametrize(("value", "schema", "message"), [
    (None, INTEGER, "is empty, but this column needs a value"),
    (101, INTEGER, "101 is above the maximum 100"),
    (-1, INTEGER, "-1 is below the minimum 0"),
    ("abcdef", TEXT, "has 6 characters, more than the 5 allowed"),
    ("castle", LEVEL, "'castle' is not one of 'high', 'middle', ''"),
    ("2026-02-30", DAY, "is not a date"),
    ("2026-02-03T10:00:00", MOMENT, "with its UTC offset"),
    (float("inf"), NUMBER, "not a finite number"),
    ("7", INTEGER, "'7' is not integer"),
])
def test_values_that_break_the_schema_say_why(value, schema, message):
    with pytest.raises(CellError, match=message):
        Codec(schema).check(value)


def test_values_that_fit_pass():
    for value, schema in [(None, NULLABLE_INTEGER), (100, INTEGER), ("", LEVEL), ("2026-02-28", DAY),
                          ("2026-02-03T10:00:00+00:00", MOMENT), (3, NUMBER), ({"any": ["json"]}, JSON_TEXT)]:
        Codec(schema).check(value)


def test_a_binary_column_holds_base64_text():
    codec = Codec({"type": "string", "contentEncoding": "base64"})
    assert codec.encode(b"%PDF-\x00\xff") == "JVBERi0A/w==" == codec.encode(memoryview(b"%PDF-\x00\xff"))
    codec.check(memoryview(b"bytes from the database"))
    assert codec.decode("JVBERi0A/w==") == "JVBERi0A/w=="
    codec.check("JVBERi0A/w==")
    with pytest.raises(CellError, match="is not base64 text"):
        codec.check("not base64!")
