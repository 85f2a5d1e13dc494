"""Effect estimates from a CSV file (one row per site or study), refused with the line named when a value
cannot be used. Pure: the command line reads with it, and so will the external-studies upload."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from improvenet.lib.limits import csv_rows, require_size, stream_size, text_stream

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_LINE_CHARS = 10_000
MAX_CELL_CHARS = 200


class EstimatesFileError(ValueError):
    """A file of estimates that cannot be pooled; the message names the file, the line and the column."""


@dataclass(frozen=True)
class Estimates:
    yi: list[float]
    vi: list[float]
    moderators: dict[str, list[float]]
    lines: list[int]


def read_estimates(path: Path, yi: str = "yi", vi: str = "vi", moderators: Sequence[str] = ()) -> Estimates:
    """The estimates, variances and moderator values of each row; wholly blank rows are skipped."""
    try:
        with path.open("rb") as binary:
            require_size(path.name, stream_size(binary), MAX_FILE_BYTES, "a file of estimates")
            rows = list(csv_rows(text_stream(binary), path.name, max_line=MAX_LINE_CHARS, max_cell=MAX_CELL_CHARS))
    except OSError as error:
        raise EstimatesFileError(f"{path} cannot be read: {error.strerror}.") from error
    except UnicodeDecodeError as error:
        raise EstimatesFileError(f"{path.name} is not text in UTF-8: save it as CSV (UTF-8).") from error
    except ValueError as error:
        raise EstimatesFileError(str(error)) from error
    if not rows:
        raise EstimatesFileError(f"{path.name} is empty: it needs a header row naming the columns {yi} and {vi}.")
    _, header = rows[0]
    header = [name.strip().lstrip("\ufeff") for name in header]
    wanted = [yi, vi, *moderators]
    missing = [name for name in wanted if name not in header]
    if missing:
        raise EstimatesFileError(
            f"{path.name} has no column {', '.join(missing)}; its columns are {', '.join(header) or '(none)'}."
        )
    index = {name: header.index(name) for name in wanted}
    estimates = Estimates([], [], {name: [] for name in moderators}, [])
    for line, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: _number(path.name, line, name, cells, index[name]) for name in wanted}
        if values[vi] <= 0:
            raise EstimatesFileError(
                f"{path.name} line {line}: the variance ({vi}) is {values[vi]:g}; a variance must be greater than 0."
            )
        estimates.yi.append(values[yi])
        estimates.vi.append(values[vi])
        for name in moderators:
            estimates.moderators[name].append(values[name])
        estimates.lines.append(line)
    if len(estimates.yi) < 2:
        raise EstimatesFileError(
            f"{path.name} has {len(estimates.yi)} usable row{'' if len(estimates.yi) == 1 else 's'}; "
            "pooling needs at least 2 estimates."
        )
    return estimates


def _number(name: str, line: int, column: str, cells: list[str], position: int) -> float:
    text = cells[position].strip() if position < len(cells) else ""
    if not text:
        raise EstimatesFileError(f"{name} line {line}: {column} is empty; every row needs a number there.")
    try:
        value = float(text)
    except ValueError:
        raise EstimatesFileError(f"{name} line {line}: {column} is “{text}”, which is not a number.") from None
    if not math.isfinite(value):
        raise EstimatesFileError(f"{name} line {line}: {column} is “{text}”; it must be a finite number.")
    return value
