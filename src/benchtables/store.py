"""The store: validated entries compiled into deterministic Parquet tables, and read back.

A store is a directory of plain Parquet files, one per table: the four record kinds
(``scores``, ``training``, ``utilization``, ``sampling``) plus ``models``, ``sources``,
``benchmarks`` and ``metrics`` (the registry the store was built with, so a store describes
itself). Any engine reads it: pandas, pyarrow, DuckDB, Polars, Spark.

*Deterministic*: rows are sorted by each table's key, Parquet options are fixed, nothing
records a time, so the same entries give the same bytes. *Self-describing*: each column's
metadata holds its unit and description, each table's metadata the schema version.
*Atomic*: a build writes a complete new store beside the old one and swaps directories; a
failed or interrupted build leaves the previous store as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from benchtables.entries import Dataset, Known
from benchtables.errors import StoreCorruptError, StoreNotFoundError, StoreVersionError, UnknownIdError
from benchtables.project import resolve_store
from benchtables.registry import Registry
from benchtables.schemas import RECORD_KINDS, TABLES, Benchmark, Metric, Model, QuantitySpec, Source

__all__ = [
    "RECORD_TABLES",
    "string_array",
    "SCHEMA_VERSION",
    "TABLES",
    "Store",
    "arrow_schema",
    "tables_from",
    "write_store",
]

#: Version of the store layout. Readers refuse stores with a higher version.
SCHEMA_VERSION = 1
RECORD_TABLES = tuple(RECORD_KINDS)
TABLES = (*RECORD_TABLES, "models", "sources", "benchmarks", "metrics")
_META_VERSION = b"benchtables.schema_version"
_META_TABLE = b"benchtables.table"
_META_KEY = b"benchtables.key"

_STORE_COLUMNS: dict[str, tuple[pa.DataType, str]] = {
    "source": (pa.string(), "Source id of the entry file the record is in"),
    "first_party": (pa.bool_(), "The source is the one that introduced the model"),
    "file": (pa.string(), "Entry file the record comes from, relative to the project root"),
    "declared_in": (pa.list_(pa.field("element", pa.string())), "Entry files that declare the model"),
}
_TAIL = ("source", "where", "quote", "estimated", "qualifiers", "notes", "first_party", "file")
_UNITS_BY_FIELD = {"value": "the metric's unit (see the metrics table)", "stderr": "the metric's unit",
                   "fid": "FID", "clip_score": "score", "lpips": "distance",
                   "sampling_cost": "relative cost (steps × cost per step)", "cost_per_step": "relative cost"}


def _arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type for a (pydantic-stripped) field annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _arrow_type(inner[0])
    if origin is typing.Annotated:
        return _arrow_type(typing.get_args(annotation)[0])
    if origin is list:  # "element" is what Parquet calls list items, so a round trip keeps the type
        return pa.list_(pa.field("element", _arrow_type(typing.get_args(annotation)[0])))
    if origin is typing.Literal:
        return pa.string()
    return {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}[annotation]


def _column(name: str, cls: type[BaseModel] | None) -> pa.Field:
    info = cls.model_fields.get(name) if cls is not None else None
    if info is None:
        arrow_type, description = _STORE_COLUMNS[name]
        return pa.field(name, arrow_type, metadata={"description": description})
    metadata = {"description": info.description or name}
    unit = next((m.unit for m in info.metadata if isinstance(m, QuantitySpec) and m.unit), None)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = unit or extra.get("unit") or _UNITS_BY_FIELD.get(name)
    if unit:
        metadata["unit"] = str(unit)
    return pa.field(name, _arrow_type(info.annotation), metadata=metadata)


def _columns(table: str) -> tuple[type[BaseModel] | None, list[str], tuple[str, ...]]:
    """Model class, column names and sort key of a table."""
    if table in RECORD_KINDS:
        cls = RECORD_KINDS[table]
        own = [n for n in cls.model_fields if n not in _TAIL and n != "model"]
        return cls, ["model", *own, *_TAIL], cls.KEY
    models = {"models": (Model, ["declared_in"]), "sources": (Source, ["file"]),
              "benchmarks": (Benchmark, []), "metrics": (Metric, [])}
    if table not in models:
        raise UnknownIdError("table", table, [t for t in TABLES if t.startswith(table[:3])], TABLES)
    cls, extra = models[table]
    names = [n for n in cls.model_fields if n != "qualifiers"]
    return cls, [*names, *(["qualifiers"] if "qualifiers" in cls.model_fields else []), *extra], ("id",)


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a store table, with units and descriptions as column metadata."""
    cls, names, key = _columns(table)
    meta = {_META_VERSION: str(SCHEMA_VERSION).encode(), _META_TABLE: table.encode(),
            _META_KEY: json.dumps(list(key)).encode()}
    return pa.schema([_column(n, cls) for n in names], metadata=meta)


def string_array(values: Sequence[str]) -> pa.Array:
    """An Arrow string array built from its buffers.

    Converting Python objects with ``pa.array`` makes pyarrow import pandas (a fifth of a
    second); validating one entry file needs only a handful of ids, so it builds them directly.
    """
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    if encoded:
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(encoded)))


def _sorted(table: pa.Table, key: Sequence[str]) -> pa.Table:
    if table.num_rows < 2:
        return table
    sortable = [c for c in key if c in table.column_names]
    rest = [c for c in table.column_names if c not in sortable and not pa.types.is_list(table.schema.field(c).type)]
    return table.sort_by([(c, "ascending") for c in (*sortable, *rest)])


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = arrow_schema(name)
    cleaned = [{f: row.get(f) for f in schema.names} for row in rows]
    table = pa.Table.from_pylist(cleaned, schema=schema)
    return _sorted(table, json.loads(schema.metadata[_META_KEY]))


def tables_from(dataset: Dataset, registry: Registry) -> dict[str, pa.Table]:
    """The store tables for a validated dataset and the registry it was validated with."""
    introduced = {id_: loc.values.get("introduced_by") for id_, loc in dataset.models.items()}
    tables: dict[str, pa.Table] = {}
    for kind in RECORD_KINDS:
        rows = []
        for loc in dataset.records[kind]:
            row = dict(loc.values)
            row["first_party"] = introduced.get(row["model"]) == row["source"] and row["source"] is not None
            if kind == "sampling" and row.get("sampling_cost") is None and row.get("steps") and row.get("cost_per_step"):
                row["sampling_cost"] = float(f"{row['steps'] * row['cost_per_step']:.12g}")
            rows.append(row)
        tables[kind] = _table(kind, rows)
    tables["models"] = _table("models", [loc.values for loc in dataset.models.values()])
    tables["sources"] = _table("sources", [loc.values for loc in dataset.sources.values()])
    tables["benchmarks"] = _table("benchmarks", [b.model_dump() for b in registry.benchmarks.values()])
    tables["metrics"] = _table("metrics", [m.model_dump() for m in registry.metrics.values()])
    return tables


# ------------------------------------------------------------------------------- writing

_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
    "version": "2.6",
}


def write_table(table: pa.Table, path: Path) -> None:
    """Write one table with the store's fixed Parquet options."""
    pq.write_table(table, path, **_PARQUET_OPTIONS)


def write_store(tables: Mapping[str, pa.Table], store: Path | str) -> None:
    """Write ``tables`` as the store at ``store``, atomically.

    The new store is written completely into a sibling directory first; then the old one
    is moved aside and the new one moved in (two renames), and the old one removed. If
    writing fails, or the process is interrupted before the swap, the old store is
    untouched and the partial copy is removed.
    """
    target = Path(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    _recover(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        for name, table in tables.items():
            write_table(table, staging / f"{name}.parquet")
            _fsync(staging / f"{name}.parquet")
        _swap(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _leftovers(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}-old-*"))


def _recover(target: Path) -> None:
    """Put back a store that an interrupted swap left aside."""
    old = _leftovers(target)
    if not target.exists() and old:
        os.replace(old[-1], target)
    for path in _leftovers(target):
        shutil.rmtree(path, ignore_errors=True)
    for path in target.parent.glob(f".{target.name}-new-*"):
        shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------------------- reading


@dataclass
class Store:
    """A store directory to read from."""

    path: Path
    _cache: dict[str, pa.Table] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, store: Path | str | Store | None = None) -> Store:
        """The store at ``store``, or the default one (see :func:`benchtables.project.resolve_store`)."""
        if isinstance(store, Store):
            return store
        return cls(resolve_store(store))

    def _check_exists(self) -> None:
        if self.path.is_dir():
            return
        hint = ""
        if _leftovers(self.path):
            hint = " (an interrupted build left it aside; run `benchtables build` to restore it)"
        raise StoreNotFoundError(
            f"no store at {self.path}{hint}: build one with `benchtables build`, "
            "or point --store / BENCHTABLES_STORE at one"
        )

    def table_path(self, name: str) -> Path:
        if name not in TABLES:
            raise UnknownIdError("table", name, [], TABLES)
        file = self.path / f"{name}.parquet"
        return file if file.exists() or not (self.path / name).is_dir() else self.path / name

    def table(self, name: str, columns: Sequence[str] | None = None) -> pa.Table:
        """One table as Arrow, schema version checked."""
        key = f"{name}:{','.join(columns) if columns else '*'}"
        if key in self._cache:
            return self._cache[key]
        self._check_exists()
        path = self.table_path(name)
        if not path.exists():
            raise StoreCorruptError(f"store at {self.path} has no {name!r} table ({path.name} is missing): rebuild it")
        try:
            if path.is_dir():
                import pyarrow.dataset as ds

                table = ds.dataset(path, format="parquet", partitioning="hive").to_table(columns=columns)
            else:  # ParquetFile, not read_table: no dataset layer (which imports pandas) for one file
                table = pq.ParquetFile(path).read(columns=list(columns) if columns else None)
        except (pa.ArrowException, OSError) as exc:
            raise StoreCorruptError(f"cannot read {path}: {exc}") from None
        self._check_version(table.schema, path)
        self._cache[key] = table
        return table

    def _check_version(self, schema: pa.Schema, path: Path) -> None:
        meta = schema.metadata or {}
        raw = meta.get(_META_VERSION)
        if raw is None:
            raise StoreCorruptError(f"{path} is not a benchtables table (no schema version in its metadata)")
        try:
            version = int(raw)
        except ValueError:
            raise StoreCorruptError(f"{path} has an unreadable schema version {raw!r}") from None
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{path} was written with store schema version {version}; this benchtables reads up to "
                f"version {SCHEMA_VERSION}: upgrade it with  pip install -U benchtables"
            )

    def registry(self) -> Registry:
        """The registry the store was built with.

        Benchmarks and metrics come from the store's own tables; suites and hardware are the
        shipped ones plus those of the project the store belongs to (``registry.yaml`` beside it).
        """
        shipped = Registry.shipped()
        try:
            benchmarks = self.table("benchmarks").to_pylist()
            metrics = self.table("metrics").to_pylist()
        except StoreCorruptError:
            return shipped
        registry = Registry(
            metrics={m["id"]: Metric.model_validate(m) for m in metrics},
            benchmarks={b["id"]: Benchmark.model_validate(b) for b in benchmarks},
            suites=dict(shipped.suites),
            hardware=dict(shipped.hardware),
        )
        project_file = self.path.parent / "registry.yaml"
        if project_file.is_file():
            project, _ = Registry().extended(project_file)
            registry.suites.update(project.suites)
            registry.hardware.update(project.hardware)
        return registry

    def known(self) -> Known:
        """Sources and models in the store, for validating new entry files against it."""
        if not self.path.is_dir():
            return Known()
        return Known(
            sources={r["id"]: r for r in self.table("sources").to_pylist()},
            models={r["id"]: r for r in self.table("models").to_pylist()},
        )

    def equals(self, tables: Mapping[str, pa.Table]) -> list[str]:
        """Names of the tables in ``tables`` that differ from this store's (or are missing)."""
        differ = []
        for name, table in tables.items():
            try:
                mine = self.table(name)
            except (StoreNotFoundError, StoreCorruptError, StoreVersionError):
                differ.append(name)
                continue
            if not mine.equals(table, check_metadata=True):
                differ.append(name)
        return differ

