"""Store tables as CSV, Parquet or JSON lines.

CSV and JSON lines of record tables carry each record's source title, URL and year beside
its source id, so an export is self-contained and imports back (``import csv --preset
benchtables``) as the same records.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchtables.errors import UsageError
from benchtables.kinds import RECORDS as RECORD_KINDS
from benchtables.kinds import TABLES
from benchtables.store import Store

__all__ = ["TABLE_FORMATS", "export_table"]

TABLE_FORMATS = ("csv", "parquet", "jsonl")


def _with_sources(store: Store, kind: str) -> pa.Table:
    table = store.table(kind)
    if kind not in RECORD_KINDS:
        return table
    sources = store.table("sources").select(["id", "title", "url", "year"]).rename_columns(
        ["source", "source_title", "source_url", "source_year"])
    lists = [f.name for f in table.schema if pa.types.is_list(f.type)]
    joined = table.drop_columns(lists).append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    joined = joined.join(sources, keys="source", join_type="left outer").sort_by("_row")
    for name in lists:
        joined = joined.append_column(table.schema.field(name), table[name])
    return joined.drop_columns(["_row"]).select([*table.column_names, "source_title", "source_url", "source_year"])


def export_table(kind: str, fmt: str, store: Path | str | Store | None = None) -> bytes:
    """A store table as CSV, Parquet or JSON lines (records with their sources' title, URL and year)."""
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; formats: {', '.join(TABLE_FORMATS)}")
    if kind not in TABLES:
        raise UsageError(f"unknown table {kind!r}; tables: {', '.join(TABLES)}")
    table = _with_sources(Store.open(store), kind)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        return buffer.getvalue()
    rows = table.to_pylist()
    if fmt == "jsonl":
        return "".join(json.dumps(_clean(r), ensure_ascii=False, sort_keys=False) + "\n" for r in rows).encode()
    from benchtables.frames import to_pandas
    from benchtables.rendering import to_csv

    return to_csv(to_pandas(table)).encode()


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}


