"""CSV cells of an archive table and the JSON Schema that describes them (no Django import).

A column's JSON Schema decides how its cells are read: an empty cell is null when the schema allows
null, integers and numbers are written as JSON writes them, booleans as `true`/`false`, strings as
they are, and a column whose schema names no type (a JSON field) holds JSON text. Only the part of
JSON Schema that the archive writes is checked here: type, enum, maxLength, minimum, maximum and
the formats date, date-time, time, uuid and decimal (a decimal number written as a string). A
column with contentEncoding base64 holds bytes (a binary field), written as base64 text.
"""

import base64
import binascii
import datetime
import decimal
import json
import math
import uuid

JSON_TEXT_SEPARATORS = (",", ":")


class CellError(ValueError):
    """A cell that does not fit its column; the message says what is wrong with it."""


_KINDS = {bool: "boolean", int: "integer", float: "number", str: "string"}


class Codec:
    """Reads, writes and checks the cells of one column, as its JSON Schema says."""

    def __init__(self, schema: dict) -> None:
        declared = schema.get("type")
        self.schema = schema
        self.types = frozenset([] if declared is None else [declared] if isinstance(declared, str) else declared)
        self.nullable = "null" in self.types
        self.json_text = not self.types
        self.enum = schema.get("enum")
        self.max_length = schema.get("maxLength")
        self.minimum, self.maximum = schema.get("minimum"), schema.get("maximum")
        self.format = schema.get("format")
        self.base64 = schema.get("contentEncoding") == "base64"

    def encode(self, value) -> str:
        """The CSV text of a JSON value."""
        if value is None:
            return ""
        if self.base64 and isinstance(value, bytes | memoryview):
            return base64.b64encode(value).decode("ascii")
        if self.json_text:
            return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=JSON_TEXT_SEPARATORS)
        if value is True or value is False:
            return "true" if value else "false"
        if type(value) is float:
            return repr(value)
        return str(value)

    def decode(self, text: str):
        """The JSON value of a CSV cell; raises CellError when the text cannot be one."""
        types = self.types
        if self.json_text:
            if text == "":
                return None
            try:
                return json.loads(text)
            except json.JSONDecodeError as error:
                raise CellError(f"is not JSON text ({error.msg} at character {error.pos + 1})") from None
        if text == "" and self.nullable:
            return None
        if "string" in types:
            return text
        if "boolean" in types:
            if text not in ("true", "false"):
                raise CellError(f"{_shown(text)} is not true or false")
            return text == "true"
        if "integer" in types:
            try:
                return int(text)
            except ValueError:
                raise CellError(f"{_shown(text)} is not a whole number") from None
        if "number" in types:
            try:
                return float(text)
            except ValueError:
                raise CellError(f"{_shown(text)} is not a number") from None
        raise CellError(f"has a type this archive format does not know: {sorted(types)}")

    def check(self, value) -> None:
        """Raise CellError when a JSON value breaks the column's schema."""
        if value is None:
            if not self.nullable and not self.json_text:
                raise CellError("is empty, but this column needs a value")
            return
        if self.json_text:
            return
        if self.base64:
            _check_base64(value)
            return
        kind = _KINDS.get(type(value), type(value).__name__)
        if kind not in self.types and not (kind == "integer" and "number" in self.types):
            raise CellError(f"{_shown(value)} is not {' or '.join(sorted(self.types - {'null'}))}")
        if kind == "number" and not math.isfinite(value):
            raise CellError(f"{value} is not a finite number")
        if self.enum is not None and value not in self.enum:
            allowed = ", ".join(_shown(choice) for choice in self.enum if choice is not None)
            raise CellError(f"{_shown(value)} is not one of {allowed}")
        if kind == "string":
            if self.max_length is not None and len(value) > self.max_length:
                raise CellError(f"has {len(value)} characters, more than the {self.max_length} allowed")
            if self.format:
                _check_format(value, self.format)
        elif kind in ("integer", "number"):
            if self.minimum is not None and value < self.minimum:
                raise CellError(f"{value} is below the minimum {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise CellError(f"{value} is above the maximum {self.maximum}")


def _check_format(text: str, fmt: str) -> None:
    readers = {
        "date": (datetime.date.fromisoformat, "a date (YYYY-MM-DD)"),
        "date-time": (_aware_datetime, "a date and time with its UTC offset (ISO 8601)"),
        "time": (datetime.time.fromisoformat, "a time of day (HH:MM:SS)"),
        "uuid": (uuid.UUID, "a UUID"),
        "decimal": (decimal.Decimal, "a decimal number"),
    }
    if fmt not in readers:
        return
    read, label = readers[fmt]
    try:
        read(text)
    except (ValueError, decimal.InvalidOperation):
        raise CellError(f"{_shown(text)} is not {label}") from None


def _check_base64(value) -> None:
    """Bytes from the database, or the base64 text of a cell."""
    if isinstance(value, bytes | memoryview):
        return
    if not isinstance(value, str):
        raise CellError(f"{_shown(value)} is not base64 text")
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        raise CellError(f"{_shown(value)} is not base64 text") from None


def _aware_datetime(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no UTC offset")
    return moment


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")
