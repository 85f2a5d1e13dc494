"""A study's analytic sample from a CSV file of student rows: rows without an outcome are left out (they
count as attrition), any other missing or invalid value is refused naming its line. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from improvenet.lib.csvfile import CsvFileError, number, read_columns
from improvenet.studies.impact import Sample


def read_sample(path: Path, outcome: str, treatment: str, cluster: str, block: str | None = None,
                covariates: Sequence[str] = ()) -> tuple[Sample, int]:
    """The sample, and how many rows were left out for a missing outcome."""
    columns = [outcome, treatment, cluster, *([block] if block else []), *covariates]
    kept, left_out = [], 0
    for line, cells in read_columns(path, columns, "a file of student outcomes"):
        if not cells[outcome]:
            left_out += 1
            continue
        if cells[treatment] not in ("0", "1"):
            raise CsvFileError(f"{path.name} line {line}: {treatment} is “{cells[treatment]}”; it must be 1 "
                               "(treated) or 0 (control).")
        for name in (cluster, block):
            if name and not cells[name]:
                raise CsvFileError(f"{path.name} line {line}: {name} is empty; every row needs one.")
        kept.append((line, cells))
    sample = Sample(
        outcome=[number(path, line, outcome, cells[outcome]) for line, cells in kept],
        treatment=[int(cells[treatment]) for _, cells in kept],
        cluster=[cells[cluster] for _, cells in kept],
        block=[cells[block] for _, cells in kept] if block else None,
        covariates={name: [number(path, line, name, cells[name]) for line, cells in kept] for name in covariates},
    )
    return sample, left_out
