"""Longitudinal student and teacher data, apart from the web database: no Django import here.

The store is a DuckDB file (Parquet in and out) whose tables carry Ed-Fi entity names
(`schema.TABLES`); metrics are written once against narwhals and run on DuckDB or Apache Spark.
"""
