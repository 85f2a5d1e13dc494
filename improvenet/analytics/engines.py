"""The engines the metrics run on: DuckDB (default) or Apache Spark, both seen through narwhals.

`open_tables` gives one lazy narwhals frame per store table (`schema.TABLES` and the opt-out table).
The metric code only uses the narwhals lazy API, so the same code builds a DuckDB query plan or a
Spark plan; only small aggregated results are collected to Python.

Every table is read through one SELECT that casts each column to the type its schema declares
(text → VARCHAR, integer → BIGINT, flag → INTEGER, date → DATE, decimal → DOUBLE), so the metrics see
the same types whatever the store wrote, and a table missing from the store (the optional assessments,
an empty opt-out list) reads as an empty table with the right columns.

Spark reads the store through Parquet: each table is exported with DuckDB's `COPY ... (FORMAT parquet)`
to a temporary folder that lives as long as the `Tables` (close it, or use it as a context manager),
or the caller names a folder that already holds one Parquet file or folder per table.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import narwhals as nw

from improvenet.analytics.schema import OPT_OUT_TABLE, TABLES, Column

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[2]"
# Tests and one-machine runs shuffle little data: Spark's default of 200 partitions is pure overhead.
SPARK_SHUFFLE_PARTITIONS = 4

SQL_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "flag": "INTEGER", "date": "DATE", "decimal": "DOUBLE"}
OPT_OUT_COLUMNS = (Column("student_id", "text"), Column("recorded_on", "date", required=False))
TABLE_COLUMNS: dict[str, tuple[Column, ...]] = {table.name: table.columns for table in TABLES} | {
    OPT_OUT_TABLE: OPT_OUT_COLUMNS
}


class EngineError(ValueError):
    """The engine cannot be used as asked (unknown name, missing store); the message says why."""


@dataclass
class Tables:
    """One narwhals LazyFrame per store table, on one engine; `tables["student"]` or `tables.student`."""

    engine: str
    frames: dict[str, nw.LazyFrame]
    connection: duckdb.DuckDBPyConnection | None = None
    """The DuckDB connection the frames read from (None on Spark)."""
    _closers: list = field(default_factory=list, repr=False)

    def __getitem__(self, name: str) -> nw.LazyFrame:
        try:
            return self.frames[name]
        except KeyError:
            raise KeyError(f"no store table named {name!r}; known: {', '.join(sorted(self.frames))}") from None

    def __getattr__(self, name: str) -> nw.LazyFrame:
        if name.startswith("_") or name not in self.__dict__.get("frames", {}):
            raise AttributeError(name)
        return self.frames[name]

    def materialize(self, frame: nw.LazyFrame) -> nw.LazyFrame:
        """`frame` computed once and kept, for an intermediate result that later steps read more than once.

        DuckDB holds it as an Arrow table on the store's connection; Spark persists it in memory.
        """
        native = frame.to_native()
        if self.engine == "spark":
            persisted = native.persist()
            self._closers.append(persisted.unpersist)
            return nw.from_native(persisted)
        return nw.from_native(self.connection.from_arrow(native.to_arrow_table()))

    def close(self) -> None:
        """Release the DuckDB connection, Spark's persisted results and the Parquet export, if any."""
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> Tables:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def quiet(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar: metrics run inside commands and pages that report progress their own way."""
    connection.execute("SET enable_progress_bar = false")
    return connection


def typed_select(source: str | None, columns: tuple[Column, ...]) -> str:
    """SQL reading `source` with every column cast to its schema type; no source: an empty table."""
    casts = ", ".join(f"CAST({c.name} AS {SQL_TYPES[c.type]}) AS {c.name}" for c in columns)
    if source is None:
        nulls = ", ".join(f"CAST(NULL AS {SQL_TYPES[c.type]}) AS {c.name}" for c in columns)
        return f"SELECT {nulls} WHERE false"
    return f"SELECT {casts} FROM {source}"


def store_queries(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The typed SELECT of every table, for the tables present in the connected store."""
    present = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    return {
        name: typed_select(f'"{name}"' if name in present else None, columns)
        for name, columns in TABLE_COLUMNS.items()
    }


def open_tables(
    store_path: str | Path,
    engine: str = "duckdb",
    spark_master: str = DEFAULT_SPARK_MASTER,
    parquet_dir: str | Path | None = None,
) -> Tables:
    """The store's tables as narwhals LazyFrames on `engine` ("duckdb" or "spark").

    `parquet_dir`: a folder with one `<table>.parquet` file or folder per table, read instead of the
    DuckDB store (then `store_path` may be None): Spark reads it directly, DuckDB reads it through views.
    """
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if parquet_dir is not None:
        if engine == "spark":
            return spark_tables_from_parquet(Path(parquet_dir), spark_master)
        return duckdb_tables_from_parquet(Path(parquet_dir))
    path = Path(store_path)
    if not path.is_file():
        raise EngineError(f"no analytics store at {path}: load data first (improvenet data load)")
    connection = quiet(duckdb.connect(str(path), read_only=True))
    if engine == "duckdb":
        queries = store_queries(connection)
        frames = {name: nw.from_native(connection.sql(query)) for name, query in queries.items()}
        return Tables("duckdb", frames, connection, [connection.close])
    try:
        folder = tempfile.TemporaryDirectory(prefix="improvenet-spark-")
        export_parquet(connection, Path(folder.name))
    finally:
        connection.close()
    tables = spark_tables_from_parquet(Path(folder.name), spark_master)
    tables._closers.insert(0, folder.cleanup)
    return tables


def export_parquet(connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Write every store table, typed, to `folder/<table>.parquet`."""
    for name, query in store_queries(connection).items():
        target = folder / f"{name}.parquet"
        connection.execute(f"COPY ({query}) TO '{target.as_posix()}' (FORMAT parquet)")


def duckdb_tables_from_parquet(folder: Path) -> Tables:
    """The Parquet tables of `folder` as typed views of an in-memory DuckDB database: a metric reads only
    the files (and columns) it needs."""
    connection = quiet(duckdb.connect())
    frames = {}
    for name, columns in TABLE_COLUMNS.items():
        target = folder / f"{name}.parquet"
        source = f"read_parquet('{(target / '*.parquet' if target.is_dir() else target).as_posix()}')"
        connection.execute(f'CREATE VIEW "{name}" AS {typed_select(source if target.exists() else None, columns)}')
        frames[name] = nw.from_native(connection.view(name))
    return Tables("duckdb", frames, connection, [connection.close])


def spark_tables_from_parquet(folder: Path, spark_master: str) -> Tables:
    spark = spark_session(spark_master)
    frames = {}
    for name, columns in TABLE_COLUMNS.items():
        target = folder / f"{name}.parquet"
        if target.exists():
            frame = spark.read.parquet(str(target))
        else:
            frame = spark.sql(typed_select(None, columns).replace("VARCHAR", "STRING"))
        frames[name] = nw.from_native(frame)
    return Tables("spark", frames)


_spark_lock = threading.Lock()
_spark_sessions: dict[str, object] = {}


def spark_session(master: str = DEFAULT_SPARK_MASTER):
    """The process's Spark session for `master`, created once: no web UI, few shuffle partitions, quiet logs."""
    with _spark_lock:
        session = _spark_sessions.get(master)
        if session is None:
            from pyspark.sql import SparkSession

            session = (
                SparkSession.builder.master(master)
                .appName("improvenet-metrics")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", str(SPARK_SHUFFLE_PARTITIONS))
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR")
                .getOrCreate()
            )
            session.sparkContext.setLogLevel("ERROR")
            # py4j logs each closed gateway connection, even at interpreter exit when stderr may be gone.
            logging.getLogger("py4j").setLevel(logging.WARNING)
            _spark_sessions[master] = session
        return session
