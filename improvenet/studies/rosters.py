"""A student-level allocation's roster: the allocated students' pseudonymous ids with their block, baseline and arm,
kept beside the cluster's analytics store (never in the web database) as one Parquet file per allocation, written
once and never overwritten, and read back only when its SHA-256 digest is still the one the allocation recorded.

Also what a student allocation needs besides the file: the baseline covariates the draw balances on, the procedure
that re-draws it for randomization inference, and its counts per block and arm with small cells suppressed (the
suppression of every published table, `analytics/suppression.py`). A classroom allocation keeps the same roster, each
student with the section whose arm they take; its procedure re-draws the sections. Pure: pyarrow, numpy. pyarrow is
imported where a file is written or read, so that the study pages' modules load without it (tests/test_startup.py).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT, suppress
from improvenet.studies import randomization

if TYPE_CHECKING:
    import pyarrow as pa

COLUMNS = ("student_id", "school_id", "grade_level", "block", "baseline", "treated", "section")
# `section`: a classroom allocation's unit, "<school id>/<section code>", whose arm its students take (empty when
# students were assigned one by one; rosters written before classrooms have no such column).
BASELINE = "baseline"
BASELINE_MISSING = "baseline_missing"
ALL_BLOCKS = "All blocks"


class RosterError(ValueError):
    """A roster file that is missing or changed since its allocation was saved; the message says which."""


def schema() -> pa.Schema:
    """The roster file's columns (COLUMNS) and their types."""
    import pyarrow as pa

    return pa.schema([("student_id", pa.string()), ("school_id", pa.string()), ("grade_level", pa.int64()),
                      ("block", pa.string()), ("baseline", pa.float64()), ("treated", pa.bool_()),
                      ("section", pa.string())])


def roster_bytes(rows: pa.Table) -> tuple[bytes, str]:
    """The Parquet file of `rows` (the COLUMNS, in the order drawn) and its SHA-256 digest."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(rows.select(list(COLUMNS)).cast(schema()), buffer)
    content = buffer.getvalue()
    return content, hashlib.sha256(content).hexdigest()


def write_roster(folder: Path, stem: str, rows: pa.Table) -> tuple[str, str]:
    """Write the roster once as `<stem>-<digest>.parquet` in `folder`, read-only; give its name and digest.

    A file of that name holds exactly these bytes (its name carries their digest), so finding it already there
    (a save retried after a failure) is kept as it is; nothing is ever overwritten."""
    content, digest = roster_bytes(rows)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{stem}-{digest[:16]}.parquet"
    path = folder / name
    try:
        with open(path, "xb") as file:
            file.write(content)
    except FileExistsError:
        return name, _checked(path, digest)[1]
    os.chmod(path, 0o444)
    return name, digest


def read_roster(path: Path, digest: str) -> pa.Table:
    """The roster at `path`, refused (RosterError) when it is missing or its bytes no longer have `digest`."""
    import pyarrow.parquet as pq

    content, _ = _checked(path, digest)
    return pq.read_table(io.BytesIO(content))


def _checked(path: Path, digest: str) -> tuple[bytes, str]:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise RosterError(f"The allocation's roster {path.name} is missing from {path.parent}: restore it from a "
                          "backup; the allocation cannot be used without it.") from None
    found = hashlib.sha256(content).hexdigest()
    if found != digest:
        raise RosterError(f"The allocation's roster {path.name} has changed since it was saved (SHA-256 {found[:12]}… "
                          f"instead of {digest[:12]}…): it is refused. Restore the saved file from a backup.")
    return content, found


def optional_floats(values) -> list[float | None]:
    """Numbers with None where a value is missing (None or NaN), as rosters keep a baseline."""
    return [None if value is None or math.isnan(value) else float(value) for value in values]


def baseline_covariates(baseline: Sequence[float | None]) -> dict[str, list[float]]:
    """The students' baseline as the draw balances on it: missing values set to the mean of the others and flagged
    in a column of their own (left out when nothing or everything is missing), as the impact model adjusts for the
    prior year (studies.store). Empty when no student has a baseline."""
    values = np.array([math.nan if value is None else value for value in baseline], dtype=float)
    missing = np.isnan(values)
    if missing.all():
        return {}
    columns = {BASELINE: np.where(missing, values[~missing].mean(), values).tolist()}
    if missing.any():
        columns[BASELINE_MISSING] = missing.astype(float).tolist()
    return columns


def procedure(units: Sequence[str], blocks: Sequence[str] | None, baseline: Sequence[float | None],
              proportion: float, match_pairs: bool, acceptance: float | None) -> randomization.Procedure:
    """How the students are drawn: within their blocks, in `proportion`, pair-matched on the baseline or
    re-randomized until its balance meets `acceptance` (Morgan & Rubin 2012)."""
    covariates = baseline_covariates(baseline)
    if (match_pairs or acceptance) and not covariates:
        raise randomization.RandomizationError("None of these students has a baseline value to match or balance on.")
    return randomization.Procedure(
        units=list(units), blocks=list(blocks) if blocks is not None else None, proportion=proportion,
        match_on=covariates[BASELINE] if match_pairs else None,
        balance=randomization.BalanceRule(covariates, acceptance=acceptance) if acceptance else None,
    )


def assigns_sections(roster) -> bool:
    """Whether a roster (a pandas frame of COLUMNS) is a classroom allocation's: its students carry sections."""
    return "section" in roster and bool(roster["section"].notna().any())


def sections_of(sections: Sequence[str], blocks: Sequence[str], baseline: Sequence[float | None]
                ) -> tuple[list[str], list[str], list[float | None]]:
    """The sections of a classroom roster's students, in order of their key, each with its block and its baseline:
    the mean of its students' baselines (None when none of them has one)."""
    found: dict[str, tuple[str, list[float]]] = {}
    for section, block, value in zip(sections, blocks, baseline, strict=True):
        values = found.setdefault(section, (block, []))[1]
        if value is not None:
            values.append(value)
    keys = sorted(found)
    return (keys, [found[key][0] for key in keys],
            [float(np.mean(found[key][1])) if found[key][1] else None for key in keys])


def section_procedure(sections: Sequence[str], blocks: Sequence[str] | None, baseline: Sequence[float | None],
                      proportion: float, match_pairs: bool, acceptance: float | None) -> randomization.Procedure:
    """How a classroom allocation is drawn from its students' sections, blocks and baselines: its sections are the
    units, each with its students' block and mean baseline (the student procedure, one level up)."""
    units, section_blocks, means = sections_of(sections, blocks if blocks is not None else [""] * len(sections),
                                               baseline)
    return procedure(units, section_blocks if blocks is not None else None, means, proportion, match_pairs,
                     acceptance)


def equivalence(baseline: Sequence[float | None], treated: Sequence[bool]) -> list[randomization.Equivalence]:
    """The WWC baseline equivalence of the arms, among the students with a baseline (two at least in each arm)."""
    present = [(value, flag) for value, flag in zip(baseline, treated, strict=True) if value is not None]
    arms = [flag for _, flag in present]
    if min(sum(arms), len(arms) - sum(arms)) < 2:
        return []
    return randomization.baseline_equivalence({BASELINE: [value for value, _ in present]}, arms)


def block_counts(blocks: Sequence[str], treated: Sequence[bool], sections: Sequence[str] | None = None) -> list[dict]:
    """Students per block and arm: [{"block", "treated", "control"}], blocks in order of name; with the students'
    `sections`, also the sections per block and arm ("sections_treated", "sections_control")."""
    counts: dict[str, list[int]] = {}
    for block, flag in zip(blocks, treated, strict=True):
        counts.setdefault(block, [0, 0])[0 if flag else 1] += 1
    rows = [{"block": block, "treated": pair[0], "control": pair[1]} for block, pair in sorted(counts.items())]
    if sections is not None:
        arms = {(block, section, flag) for block, section, flag in zip(blocks, sections, treated, strict=True)}
        for row in rows:
            row["sections_treated"] = sum(1 for block, _, flag in arms if block == row["block"] and flag)
            row["sections_control"] = sum(1 for block, _, flag in arms if block == row["block"] and not flag)
    return rows


def suppressed_counts(counts: list[dict], min_n: int = DEFAULT_MIN_N) -> list[dict]:
    """The counts as pages show them: per block, then for all blocks, the students treated, control and in all,
    None where a cell counts fewer than `min_n` students or would let one be recovered from the others (each
    block's arms add up to its total, and each arm's blocks to the arm's total over all blocks)."""
    if not counts:
        return []
    import pandas as pd  # seconds to load: only when a student allocation is shown

    arms = {"arm:treated": "treated", "arm:control": "control"}
    records = []
    for unit, block in [*((row["block"], row) for row in counts), (DISTRICT, _total(counts))]:
        records.append({"unit": unit, "period": 0, "group": "all", "students": block["treated"] + block["control"]})
        records += [{"unit": unit, "period": 0, "group": group, "students": block[arm]} for group, arm in arms.items()]
    table = suppress(pd.DataFrame.from_records(records), "students", (), min_n=min_n, unit_column="unit",
                     period_column="period", group_column="group")
    shown: dict[str, dict] = {}
    for record in table.to_dict("records"):
        label = ALL_BLOCKS if record["unit"] == DISTRICT else record["unit"]
        value = None if record["suppressed"] else int(record["students"])
        shown.setdefault(label, {"block": label})[arms.get(record["group"], "students")] = value
    # Sections per arm are counts of classes, not of students: shown as they are.
    for row in [*counts, _total(counts)]:
        if "sections_treated" in row:
            shown[row["block"]] |= {"sections_treated": row["sections_treated"],
                                    "sections_control": row["sections_control"]}
    return list(shown.values())


def _total(counts: list[dict]) -> dict:
    total = {"block": ALL_BLOCKS, "treated": sum(row["treated"] for row in counts),
             "control": sum(row["control"] for row in counts)}
    if counts and "sections_treated" in counts[0]:
        total |= {name: sum(row[name] for row in counts) for name in ("sections_treated", "sections_control")}
    return total
