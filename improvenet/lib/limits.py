"""Reading files of unknown size without holding more of them than a limit: sizes, lines and CSV cells.

Every import checks a file's size before it reads it, then reads its text one bounded line at a time,
so that a huge file or one huge field is refused with a message naming the file, the place and the
limit, and the memory used stays bounded whatever arrives.
"""

import csv
import io
import os
from collections.abc import Iterator
from typing import BinaryIO, TextIO

CHUNK_BYTES = 1024 * 1024


class TooLarge(ValueError):
    """A file, a line or a cell passes its limit; the message names which, where, and the limit."""


def size_text(count: int) -> str:
    for unit, factor in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}"
    return f"{count} bytes"


def stream_size(stream: BinaryIO) -> int:
    """The size of a seekable binary stream, read from its end; the stream is left at its start."""
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    return size


def require_size(name: str, size: int, limit: int, what: str) -> None:
    if size > limit:
        raise TooLarge(f"{name} is {size_text(size)}; {what} can be at most {size_text(limit)}.")


class LineTooLong(TooLarge):
    """A line over its limit; `start` is the part of it that was read (as much as the limit)."""

    def __init__(self, message: str, number: int, start: str) -> None:
        super().__init__(message)
        self.number = number
        self.start = start


def lines(stream: TextIO, name: str, max_chars: int) -> Iterator[str]:
    """The lines of a text stream, each read only up to the limit; LineTooLong names the first longer one."""
    number = 0
    while line := stream.readline(max_chars + 1):
        number += 1
        if len(line) > max_chars:
            raise LineTooLong(f"{name} line {number} is longer than {max_chars:,} characters, the most a line "
                              "can hold; is it the right file?", number, line)
        yield line


def csv_rows(stream: TextIO, name: str, *, max_line: int, max_cell: int,
             dialect: type[csv.Dialect] | csv.Dialect = csv.excel) -> Iterator[tuple[int, list[str]]]:
    """(the line each row starts on, its cells) of CSV text, the first row being the header.

    TooLarge names the line, the column (by its header) and the limit of the first line or cell that is
    too long; csv.Error is raised for text that is not CSV.
    """
    # The csv module's own limit on a cell is one for the whole process: it is raised to what a reader
    # may meet (never lowered), and each reader checks its own limits.
    if csv.field_size_limit() <= max(max_line, max_cell):
        csv.field_size_limit(max(max_line, max_cell) + 1)
    reader = csv.reader(lines(stream, name, max_line), dialect)
    header: list[str] = []
    start = 1
    try:
        for cells in reader:
            for index, cell in enumerate(cells):
                if len(cell) > max_cell:
                    raise TooLarge(_long_cell(name, start, header, index, f"{len(cell):,} characters", max_cell))
            header = header or cells
            yield start, cells
            start = reader.line_num + 1
    except LineTooLong as long:
        # Name the cell that makes the line too long, when the part read shows it.
        cells = next(csv.reader([long.start], dialect), [])
        index = next((index for index, cell in enumerate(cells) if len(cell) > max_cell), None)
        if index is None:
            raise
        raise TooLarge(_long_cell(name, long.number, header, index, f"more than {max_cell:,} characters",
                                  max_cell)) from None
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise
        raise TooLarge(_long_cell(name, start, header, None, f"more than {max_cell:,} characters", max_cell)) from None


def _long_cell(name: str, line: int, header: list[str], index: int | None, length: str, limit: int) -> str:
    column = ""
    if index is not None:
        label = header[index] if index < len(header) and header[index].strip() else f"number {index + 1}"
        column = f", column {label}"
    return f"{name} line {line}{column}: a cell of {length}; a cell can hold at most {limit:,}."


def check_lines(binary: BinaryIO, name: str, max_bytes: int) -> None:
    """Read a file in chunks and refuse (TooLarge) its first line longer than `max_bytes`.

    For files too large to parse twice: only line ends are looked for, at the speed of reading, and the
    memory used is one chunk and the start of one line. The message names the column that fills most of
    the line, when the file's first line names its columns.
    """
    header, number, head = None, 1, b""
    while chunk := binary.read(CHUNK_BYTES):
        parts = chunk.split(b"\n")
        parts[0] = head + parts[0]
        if header is None and len(parts) > 1:
            header = parts[0][:max_bytes]
        if max(map(len, parts)) > max_bytes:
            index = next(index for index, part in enumerate(parts) if len(part) > max_bytes)
            line = number + index
            raise TooLarge(_long_line(name, line, header if line > 1 else None, parts[index][:max_bytes], max_bytes))
        number += len(parts) - 1
        head = parts[-1]


def _long_line(name: str, number: int, header: bytes | None, start: bytes, limit: int) -> str:
    message = f"{name} line {number} is longer than {size_text(limit)}, the most a line can hold"
    try:
        names = next(csv.reader([header.decode("utf-8", "replace")]), []) if header else []
        cells = next(csv.reader([start.decode("utf-8", "replace")]), [])
    except csv.Error:
        names, cells = [], []
    if names and cells:
        longest = max(range(len(cells)), key=lambda index: len(cells[index]))
        if longest < len(names):
            message += f" (most of it is the column {names[longest]})"
    return message + "; is it the right file?"


def text_stream(binary: BinaryIO) -> TextIO:
    """UTF-8 text (a byte-order mark skipped) of a binary stream, with line ends left for the csv module."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
