"""Effect estimates from a CSV file (one row per site or study), refused with the line named when a value
cannot be used. Pure: the command line reads with it, and so will the external-studies upload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from improvenet.lib.csvfile import CsvFileError, number, read_columns


@dataclass(frozen=True)
class Estimates:
    yi: list[float]
    vi: list[float]
    moderators: dict[str, list[float]]
    lines: list[int]


def read_estimates(path: Path, yi: str = "yi", vi: str = "vi", moderators: Sequence[str] = ()) -> Estimates:
    """The estimates, variances and moderator values of each row; wholly blank rows are skipped."""
    estimates = Estimates([], [], {name: [] for name in moderators}, [])
    for line, cells in read_columns(path, [yi, vi, *moderators], "a file of estimates"):
        values = {name: number(path, line, name, text) for name, text in cells.items()}
        if values[vi] <= 0:
            raise CsvFileError(
                f"{path.name} line {line}: the variance ({vi}) is {values[vi]:g}; a variance must be greater than 0."
            )
        estimates.yi.append(values[yi])
        estimates.vi.append(values[vi])
        for name in moderators:
            estimates.moderators[name].append(values[name])
        estimates.lines.append(line)
    if len(estimates.yi) < 2:
        raise CsvFileError(
            f"{path.name} has {len(estimates.yi)} usable row{'' if len(estimates.yi) == 1 else 's'}; "
            "pooling needs at least 2 estimates."
        )
    return estimates
