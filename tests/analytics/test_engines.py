"""The engines: DuckDB and Spark give identical metric tables; the store is read with the schema's types.

The Spark tests (names containing `spark`, select them with `-k spark` or leave them out with
`-k "not spark"`) share one Spark session, created once per process by `engines.spark_session`, and one
tiny store holding every metric fixture.
"""

import subprocess
import sys

import duckdb
import pytest

from improvenet.analytics.engines import EngineError, export_parquet, open_tables
from improvenet.analytics.metrics import METRICS, run_metric

from .metric_store import build_store

EVERY_METRIC = [
    ("chronic-absenteeism", {}),
    ("chronic-absenteeism", {"threshold": 0.15, "min_enrolled_days": 9}),
    ("graduation-rate", {}),
    ("on-track", {}),
    ("teacher-retention", {}),
    ("teacher-retention", {"view": "curves"}),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(
        tmp_path_factory.mktemp("engines") / "store.duckdb", "chronic", "graduation", "on_track", "retention"
    )


@pytest.fixture(scope="module")
def duckdb_tables(store):
    with open_tables(store, "duckdb") as tables:
        yield tables


@pytest.fixture(scope="module")
def spark_tables(store):
    with open_tables(store, "spark", spark_master="local[2]") as tables:
        yield tables


def test_every_registered_metric_is_compared_on_both_engines():
    assert {name for name, _ in EVERY_METRIC} == set(METRICS)


@pytest.mark.parametrize(("name", "options"), EVERY_METRIC, ids=lambda v: v if isinstance(v, str) else str(v))
def test_spark_gives_the_duckdb_table(duckdb_tables, spark_tables, name, options):
    for min_n in (1, 3):
        on_duckdb = run_metric(name, duckdb_tables, min_n=min_n, **options)
        on_spark = run_metric(name, spark_tables, min_n=min_n, **options)
        assert on_duckdb.num_rows > 0
        assert on_spark.schema == on_duckdb.schema
        assert on_spark.to_pylist() == on_duckdb.to_pylist()


def test_missing_tables_read_as_empty_tables_with_schema_types(tmp_path):
    store = tmp_path / "partial.duckdb"
    with duckdb.connect(str(store)) as connection:
        connection.execute("CREATE TABLE student (student_id VARCHAR, sex VARCHAR, race_ethnicity VARCHAR, "
                           "ell BOOLEAN, sped BOOLEAN, frl BOOLEAN)")
        connection.execute("INSERT INTO student VALUES ('x', 'F', 'Asian', true, false, true)")
    with open_tables(store) as tables:
        student = tables.student.collect(backend="pyarrow").to_native()
        assert student.to_pylist() == [
            {"student_id": "x", "sex": "F", "race_ethnicity": "Asian", "ell": 1, "sped": 0, "frl": 1}
        ]
        assert tables["student_opt_out"].collect(backend="pyarrow").to_native().num_rows == 0
        assert tables["calendar_date"].collect_schema().names() == ["school_id", "school_year", "date"]


def test_export_writes_one_parquet_file_per_table(store, tmp_path):
    with duckdb.connect(str(store), read_only=True) as connection:
        export_parquet(connection, tmp_path)
    assert (tmp_path / "calendar_date.parquet").is_file() and (tmp_path / "student_opt_out.parquet").is_file()
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'calendar_date.parquet'}'").fetchall() == [(60,)]


def test_unknown_engine_and_missing_store_are_named(tmp_path):
    with pytest.raises(EngineError, match="unknown engine 'polars': choose one of duckdb, spark"):
        open_tables(tmp_path / "x.duckdb", engine="polars")
    with pytest.raises(EngineError, match="no analytics store at"):
        open_tables(tmp_path / "missing.duckdb")


def test_unknown_table_is_named(duckdb_tables):
    with pytest.raises(KeyError, match="no store table named 'students'"):
        duckdb_tables["students"]


def test_analytics_package_does_not_import_django():
    code = (
        "import sys, improvenet.analytics.engines, improvenet.analytics.metrics, improvenet.analytics.suppression;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
