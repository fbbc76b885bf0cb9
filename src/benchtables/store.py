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
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel

from benchtables.arrays import numpy_of, string_array
from benchtables.entries import Dataset, Known
from benchtables.errors import StoreCorruptError, StoreNotFoundError, StoreVersionError, UnknownIdError
from benchtables.project import resolve_store
from benchtables.registry import Registry
from benchtables.schemas import RECORD_KINDS, TABLES, Benchmark, Metric, Model, QuantitySpec, Source

__all__ = [
    "RECORD_TABLES",
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
_META_VERSION = b"benchtables.schema_version"
_META_TABLE = b"benchtables.table"
_META_KEY = b"benchtables.key"
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"

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


def arrow_type_of(annotation: Any) -> pa.DataType:
    """The Arrow type for a (pydantic-stripped) field annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return arrow_type_of(inner[0])
    if origin is typing.Annotated:
        return arrow_type_of(typing.get_args(annotation)[0])
    if origin is list:  # "element" is what Parquet calls list items, so a round trip keeps the type
        return pa.list_(pa.field("element", arrow_type_of(typing.get_args(annotation)[0])))
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
    return pa.field(name, arrow_type_of(info.annotation), metadata=metadata)


def _columns(table: str) -> tuple[type[BaseModel] | None, list[str], tuple[str, ...], tuple[str, ...]]:
    """Model class, column names, key and row order of a table."""
    if table in RECORD_KINDS:
        cls = RECORD_KINDS[table]
        own = [n for n in cls.model_fields if n not in _TAIL and n != "model"]
        return cls, ["model", *own, *_TAIL], cls.KEY, cls.SORT
    models = {"models": (Model, ["declared_in"]), "sources": (Source, ["file"]),
              "benchmarks": (Benchmark, []), "metrics": (Metric, [])}
    if table not in models:
        raise UnknownIdError("table", table, [t for t in TABLES if t.startswith(table[:3])], TABLES)
    cls, extra = models[table]
    names = [n for n in cls.model_fields if n != "qualifiers"]
    return cls, [*names, *(["qualifiers"] if "qualifiers" in cls.model_fields else []), *extra], ("id",), ("id",)


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a store table, with units and descriptions as column metadata."""
    cls, names, key, _ = _columns(table)
    meta = {_META_VERSION: str(SCHEMA_VERSION).encode(), _META_TABLE: table.encode(),
            _META_KEY: json.dumps(list(key)).encode()}
    return pa.schema([_column(n, cls) for n in names], metadata=meta)


def _sorted(table: pa.Table, name: str, partition_by: str | None = None) -> pa.Table:
    """Rows in the store's order: by the table's sort key, then every other column (a total order).

    A table partitioned by a column is ordered by partition first, in the order of the
    partition files' paths, which is the order pyarrow.dataset reads them in.
    """
    if table.num_rows < 2:
        return table
    order = _columns(name)[3]
    sortable = [c for c in order if c in table.column_names]
    rest = [c for c in table.column_names if c not in sortable and not pa.types.is_list(table.schema.field(c).type)]
    keys = [(c, "ascending") for c in (*sortable, *rest)]
    if partition_by is not None:  # "name/": readers list partition files by their path
        names = pc.binary_join_element_wise(partition_names(table[partition_by]), "/", "")
        table = table.append_column("_partition", names)
        keys.insert(0, ("_partition", "ascending"))
        return table.sort_by(keys).drop_columns(["_partition"])
    return table.sort_by(keys)


def conform(table: pa.Table, name: str) -> pa.Table:
    """``table`` with the columns and types of the store table ``name``: missing columns null,
    missing lists empty (as entry files give them)."""
    schema = arrow_schema(name)
    columns = []
    for f in schema:
        column = table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        column = column.cast(f.type)
        if pa.types.is_list(f.type) and column.null_count:
            column = pc.if_else(pc.is_null(column), pa.scalar([], f.type), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = arrow_schema(name)
    return _sorted(pa.Table.from_pylist([{f: row.get(f) for f in schema.names} for row in rows], schema=schema), name)


def records_table(kind: str, rows: list[dict[str, Any]], more: Sequence[pa.Table] = (),
                  introduced: Mapping[str, str | None] | None = None,
                  partition_by: str | None = None) -> pa.Table:
    """One record table from entry-file rows and bulk tables, with the derived columns filled in.

    ``first_party`` says whether a record's source is the one that introduced its model
    (``introduced``: model id → source id); ``sampling_cost`` is ``steps × cost_per_step``
    where a sampling record does not state it.
    """
    schema = arrow_schema(kind)
    parts = [pa.Table.from_pylist([{f: row.get(f) for f in schema.names} for row in rows], schema=schema)]
    table = pa.concat_tables([*parts, *(conform(t, kind) for t in more)]).combine_chunks()
    table = table.set_column(table.schema.get_field_index("first_party"), schema.field("first_party"),
                             _first_party(table, introduced or {}))
    if kind == "sampling":
        index = table.schema.get_field_index("sampling_cost")
        table = table.set_column(index, schema.field("sampling_cost"), _sampling_cost(table))
    return _sorted(table, kind, partition_by if partitioned(table, partition_by) else None)


def _first_party(table: pa.Table, introduced: Mapping[str, str | None]) -> pa.Array:
    models = table["model"].combine_chunks().dictionary_encode()
    introducer = pa.array([introduced.get(m) for m in models.dictionary.to_pylist()], pa.string()).take(models.indices)
    same = pc.equal(introducer, table["source"].combine_chunks())
    return pc.if_else(pc.is_null(same), False, same)


def _sampling_cost(table: pa.Table) -> pa.Array:
    """Stated costs, else steps × cost per step to 12 significant digits (no 6.975000000000001)."""
    stated = table["sampling_cost"].combine_chunks()
    product = pc.multiply(pc.cast(table["steps"], pa.float64()), table["cost_per_step"]).combine_chunks()
    values = numpy_of(pc.cast(product, pa.float64()))
    finite = np.isfinite(values)
    distinct, inverse = np.unique(values[finite], return_inverse=True)
    rounded = np.full(len(values), np.nan)
    rounded[finite] = np.array([float(f"{v:.12g}") for v in distinct.tolist()], dtype=float)[inverse.reshape(-1)]
    computed = pa.array(rounded, pa.float64(), mask=~finite)
    return pc.if_else(pc.is_null(stated), computed, stated)


def tables_from(dataset: Dataset, registry: Registry, bulk: Mapping[str, Sequence[pa.Table]] | None = None,
                partition_by: str | None = None) -> dict[str, pa.Table]:
    """The store tables for a validated dataset, its bulk rows and the registry it was validated with."""
    introduced = {id_: loc.values.get("introduced_by") for id_, loc in dataset.models.items()}
    tables: dict[str, pa.Table] = {}
    for kind in RECORD_KINDS:
        rows = [loc.values for loc in dataset.records[kind]]
        tables[kind] = records_table(kind, rows, (bulk or {}).get(kind, ()), introduced, partition_by)
    tables["models"] = _table("models", [loc.values for loc in dataset.models.values()])
    tables["sources"] = _table("sources", [loc.values for loc in dataset.sources.values()])
    tables["benchmarks"] = _table("benchmarks", [b.model_dump() for b in registry.benchmarks.values()])
    tables["metrics"] = _table("metrics", [m.model_dump() for m in registry.metrics.values()])
    return tables


def partition_names(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The Hive directory value of each row: the value URI-escaped, as pyarrow reads it back."""
    from urllib.parse import quote

    encoded = column.combine_chunks().cast(pa.string()).dictionary_encode() if isinstance(column, pa.ChunkedArray) \
        else column.cast(pa.string()).dictionary_encode()
    names = [_HIVE_NULL if v is None else quote(v, safe="") for v in encoded.dictionary.to_pylist()]
    return pa.array(names, pa.string()).take(encoded.indices).fill_null(_HIVE_NULL)


# ------------------------------------------------------------------------------- writing

_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
    "version": "2.6",
    "row_group_size": 1 << 17,  # small enough for filters to skip most of a large table
}


def write_table(table: pa.Table, path: Path) -> None:
    """Write one table with the store's fixed Parquet options."""
    pq.write_table(table, path, **_PARQUET_OPTIONS)


#: Columns a store may be partitioned by: ids and settings that queries filter on.
PARTITION_COLUMNS = ("benchmark", "metric", "model", "source", "n_shot", "setting", "split", "subset", "hardware",
                     "sampler")


def partitioned(table: pa.Table, column: str | None) -> bool:
    """Whether ``table`` is written partitioned by ``column``: it has the column and rows to split."""
    return column is not None and column in table.column_names and table.num_rows > 0


def write_partitioned(table: pa.Table, directory: Path, column: str) -> None:
    """Write ``table`` as Hive-style partitions (``column=value/part-0.parquet``), in the table's order.

    Plain Parquet that pyarrow.dataset, DuckDB (``hive_partitioning``), Polars and Spark
    read as one table. The partition column is stored in the directory names, not the files.
    """
    names = partition_names(table[column])
    rest = table.drop_columns([column])
    encoded = names.dictionary_encode()
    indices = numpy_of(encoded.indices)
    for code, name in enumerate(encoded.dictionary.to_pylist()):
        rows = np.flatnonzero(indices == code)
        part = directory / f"{column}={name}"
        part.mkdir(parents=True)
        write_table(rest.take(pa.array(rows)), part / "part-0.parquet")
        _fsync(part / "part-0.parquet")


def write_store(tables: Mapping[str, pa.Table], store: Path | str, partition_by: str | None = None) -> None:
    """Write ``tables`` as the store at ``store``, atomically.

    With ``partition_by``, record tables that have that column are written as Hive-style
    partition directories (see :func:`write_partitioned`); the others as single files.

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
            if name in RECORD_TABLES and partitioned(table, partition_by):
                write_partitioned(table, staging / name, partition_by)
            else:
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

#: Tables with more rows are filtered while read (pyarrow.dataset); smaller ones are read whole.
SCAN_ROWS = 1 << 16


def _isin(column: Any, values: Sequence[Any]) -> Any:
    """``column`` is one of ``values`` (None matches nulls): an Arrow mask or a dataset expression."""
    present = [v for v in values if v is not None]
    if isinstance(column, pa.ChunkedArray | pa.Array):
        value_set = string_array(present) if pa.types.is_string(column.type) else pa.array(present, column.type)
        mask = pc.is_in(column, value_set=value_set)
        return pc.or_(mask, pc.is_null(column)) if None in values else mask
    if not present:
        return column.is_null()
    condition = column.isin(present)
    return condition | column.is_null() if None in values else condition


@dataclass
class Store:
    """A store directory to read from."""

    path: Path
    _cache: dict[str, pa.Table] = field(default_factory=dict, repr=False)
    _datasets: dict[str, Any] = field(default_factory=dict, repr=False)

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
                table = self._scan(name, columns, None)
            else:  # ParquetFile, not read_table: no dataset layer (which imports pandas) for one file
                table = pq.ParquetFile(path).read(columns=list(columns) if columns else None)
                self._check_version(table.schema, path)
        except (pa.ArrowException, OSError) as exc:
            raise StoreCorruptError(f"cannot read {path}: {exc}") from None
        self._cache[key] = table
        return table

    def scan(self, name: str, columns: Sequence[str] | None = None,
             where: Mapping[str, Sequence[Any]] | None = None) -> pa.Table:
        """Rows of a table whose columns take one of the given values (``{"benchmark": ["mmlu"]}``).

        Large and partitioned tables are filtered as they are read (pyarrow.dataset skips
        partitions and row groups whose statistics exclude the values); small ones are
        read whole, which starts faster.
        """
        self._check_exists()
        path = self.table_path(name)
        where = dict(where or {})
        if not path.exists():
            raise StoreCorruptError(f"store at {self.path} has no {name!r} table ({path.name} is missing): rebuild it")
        try:
            if name in self._datasets or path.is_dir() or pq.ParquetFile(path).metadata.num_rows > SCAN_ROWS:
                return self._scan(name, columns, where)
        except (pa.ArrowException, OSError) as exc:
            raise StoreCorruptError(f"cannot read {path}: {exc}") from None
        table = self.table(name)
        for column, values in where.items():
            table = table.filter(_isin(table[column], values))
        return table.select(list(columns)) if columns else table

    def partition_column(self, name: str) -> str | None:
        """The column a table is partitioned by (``benchmark`` for ``scores/benchmark=mmlu/``), or None."""
        path = self.table_path(name)
        if not path.is_dir():
            return None
        parts = sorted(p.name for p in path.iterdir() if p.is_dir() and "=" in p.name)
        return parts[0].split("=", 1)[0] if parts else None

    def _scan(self, name: str, columns: Sequence[str] | None, where: Mapping[str, Sequence[Any]] | None) -> pa.Table:
        import pyarrow.dataset as ds

        schema = arrow_schema(name)
        if name not in self._datasets:
            path = self.table_path(name)
            column = self.partition_column(name)
            partitioning = ds.partitioning(pa.schema([schema.field(column)]), flavor="hive") if column else None
            dataset = ds.dataset(path, format="parquet", partitioning=partitioning)
            self._check_version(dataset.schema, path)
            self._datasets[name] = dataset
        dataset = self._datasets[name]
        condition = None
        for field_name, values in (where or {}).items():
            part = _isin(ds.field(field_name), values)
            condition = part if condition is None else condition & part
        table = dataset.to_table(columns=list(columns) if columns else None, filter=condition)
        names = list(columns) if columns else schema.names
        return table.select(names).cast(pa.schema([schema.field(n) for n in names], metadata=schema.metadata))

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

