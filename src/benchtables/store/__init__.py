"""The store: validated entries compiled into deterministic Parquet tables, and read back.

A store is a directory of plain Parquet files, one per table (or Hive-style partitions of
one), that any engine reads: pandas, pyarrow, DuckDB, Polars, Spark. Three modules:

* :mod:`~benchtables.store.schema` — each table's columns, types, units and row order;
* :mod:`~benchtables.store.write` — writing a whole store, locked and crash-safe;
* :mod:`~benchtables.store.read` — reading it back, every table checked as it is opened.
"""

from __future__ import annotations

from benchtables.store.read import Store
from benchtables.store.schema import (
    PARTITION_COLUMNS,
    RECORD_TABLES,
    SCHEMA_VERSION,
    TABLES,
    arrow_schema,
    arrow_type,
    conform,
    partitioned,
    records_table,
    table_of,
    tables_from,
)
from benchtables.store.write import recover, write_store

__all__ = [
    "PARTITION_COLUMNS",
    "RECORD_TABLES",
    "SCHEMA_VERSION",
    "TABLES",
    "Store",
    "arrow_schema",
    "arrow_type",
    "conform",
    "partitioned",
    "records_table",
    "recover",
    "table_of",
    "tables_from",
    "write_store",
]
