"""Input from and output to data frames (pandas, Polars or Arrow, through narwhals), and
plain Python values for JSON."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from improvenet.spc.errors import SPCInputError

if TYPE_CHECKING:  # narwhals loads with the first frame read: drawing a chart from plain columns needs none of it
    import narwhals as nw

BACKENDS = ("pandas", "polars", "pyarrow")


def read_frame(frame: Any) -> nw.DataFrame:
    import narwhals as nw

    try:
        return nw.from_native(frame, eager_only=True)
    except TypeError:
        raise SPCInputError(f"qic_many needs a pandas, Polars or Arrow table, not {type(frame).__name__}") from None


def column(frame: nw.DataFrame, name: str, *, keep_integers: bool = False) -> np.ndarray:
    """A column as NumPy: numbers as float (nulls become NaN; with ``keep_integers`` an integer
    column without nulls stays integer, e.g. for series keys), dates as datetime64, text as
    objects (nulls become None)."""
    import narwhals as nw

    if name not in frame.columns:
        raise SPCInputError(f"there is no column {name!r}; the columns are: {', '.join(map(str, frame.columns))}")
    series = frame[name]
    dtype = series.dtype
    if dtype.is_numeric() and not dtype == nw.Boolean:
        if keep_integers and dtype.is_integer() and series.null_count() == 0:
            return series.to_numpy()
        return series.cast(nw.Float64).to_numpy()
    if dtype == nw.Date:
        return series.cast(nw.Datetime("us")).to_numpy()
    if dtype == nw.Datetime:
        values = series.to_numpy()
        if values.dtype.kind != "M":  # time-zone aware: keep the UTC instant
            values = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None).to_numpy()
        return values
    values = series.to_numpy()
    if values.dtype.kind != "O":
        values = values.astype(object)
    return np.array([None if is_missing(v) else v for v in values], dtype=object)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pandas NA/NaT
    except (TypeError, ValueError):
        return True


def native_backend(frame: nw.DataFrame) -> str:
    implementation = frame.implementation
    if implementation.is_polars():
        return "polars"
    if implementation.is_pyarrow():
        return "pyarrow"
    return "pandas"


def to_native(columns: Mapping[str, np.ndarray], backend: str):
    if backend not in BACKENDS:
        raise SPCInputError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame(dict(columns))
    if backend == "polars":
        import polars as pl

        return pl.DataFrame({name: _for_arrow(v) for name, v in columns.items()})
    import pyarrow as pa

    return pa.table({name: _for_arrow(v) for name, v in columns.items()})


def _for_arrow(values: np.ndarray):
    """Object columns (text keys or categories) as lists, which Arrow and Polars type
    themselves; dates in microseconds, a resolution both accept."""
    if values.dtype.kind == "O":
        return values.tolist()
    if values.dtype.kind == "M":
        return values.astype("datetime64[us]")
    return values


def json_values(values: np.ndarray) -> list:
    """A column as JSON-safe Python values: NaN -> None, dates -> ISO 8601 text."""
    if values.dtype.kind == "M":
        text = np.datetime_as_string(values, unit="auto")
        return [None if t == "NaT" else t for t in text.tolist()]
    if values.dtype.kind == "f":
        return [None if math.isnan(v) else v for v in values.tolist()]
    if values.dtype.kind == "O":
        return [None if is_missing(v) else plain_value(v) for v in values.tolist()]
    return values.tolist()


def plain_value(value: Any) -> Any:
    if isinstance(value, (np.generic,)):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def records(columns: Mapping[str, np.ndarray]) -> list[dict]:
    names = list(columns)
    values = [json_values(np.asarray(columns[name])) for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
