"""Named columns of a CSV file an analyst gives the command line, with every refusal naming the file, the
line and the column: the size and length limits of `lib.limits`, a missing column, a cell that is not a
number. Wholly blank rows are skipped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from improvenet.lib.limits import csv_rows, require_size, stream_size, text_stream

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LINE_CHARS = 10_000
MAX_CELL_CHARS = 200


class CsvFileError(ValueError):
    """A file that cannot be read as asked; the message names the file, the line and the column."""


def read_columns(path: Path, columns: Sequence[str], what: str) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: its stripped text}) for every row that is not wholly blank."""
    try:
        with path.open("rb") as binary:
            require_size(path.name, stream_size(binary), MAX_FILE_BYTES, what)
            rows = list(csv_rows(text_stream(binary), path.name, max_line=MAX_LINE_CHARS, max_cell=MAX_CELL_CHARS))
    except OSError as error:
        raise CsvFileError(f"{path} cannot be read: {error.strerror}.") from error
    except UnicodeDecodeError as error:
        raise CsvFileError(f"{path.name} is not text in UTF-8: save it as CSV (UTF-8).") from error
    except ValueError as error:
        raise CsvFileError(str(error)) from error
    if not rows:
        raise CsvFileError(f"{path.name} is empty: it needs a header row naming the columns {', '.join(columns)}.")
    header = [name.strip().lstrip("\ufeff") for name in rows[0][1]]
    missing = [name for name in columns if name not in header]
    if missing:
        raise CsvFileError(
            f"{path.name} has no column {', '.join(missing)}; its columns are {', '.join(header) or '(none)'}."
        )
    index = {name: header.index(name) for name in columns}
    return [
        (line, {name: cells[index[name]].strip() if index[name] < len(cells) else "" for name in columns})
        for line, cells in rows[1:] if any(cell.strip() for cell in cells)
    ]


def number(path: Path, line: int, column: str, text: str) -> float:
    """The cell as a finite number, or a refusal naming where it is."""
    if not text:
        raise CsvFileError(f"{path.name} line {line}: {column} is empty; every row needs a number there.")
    try:
        value = float(text)
    except ValueError:
        raise CsvFileError(f"{path.name} line {line}: {column} is “{text}”, which is not a number.") from None
    if not math.isfinite(value):
        raise CsvFileError(f"{path.name} line {line}: {column} is “{text}”; it must be a finite number.")
    return value
