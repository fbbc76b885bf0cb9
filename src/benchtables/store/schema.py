"""The store's tables: their Arrow schemas (from :mod:`benchtables.kinds`) and how rows become them.

A store holds the four record kinds (``scores``, ``training``, ``utilization``,
``sampling``) plus ``models``, ``sources``, ``benchmarks`` and ``metrics`` (the registry the
store was built with, so a store describes itself). Each column's metadata holds its unit and
description, each table's metadata the schema version, so any engine reading the files knows
what they hold. Rows are sorted by each table's key, so the same entries give the same bytes.

Derived columns: ``first_party`` (the record's source introduced its model) and, for sampling,
``sampling_cost`` = steps × cost per step where the source does not state it — approximate
(``≈``) or bounded (``>``) when its inputs are, so a derived number never looks exact when
what it comes from is not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import numpy_of
from benchtables.errors import UnknownIdError
from benchtables.kinds import BENCHMARKS, METRICS, MODELS, RECORDS, SOURCES, TABLES
from benchtables.spec import Field, Flag, Nested, Number, Table, TextList, TextMap

__all__ = [
    "PARTITION_COLUMNS",
    "RECORD_TABLES",
    "SCHEMA_VERSION",
    "TABLES",
    "arrow_schema",
    "arrow_type",
    "conform",
    "partition_names",
    "partitioned",
    "records_table",
    "sorted_table",
    "table_of",
    "tables_from",
]

#: Version of the store layout. Readers refuse stores with a higher version.
SCHEMA_VERSION = 2
RECORD_TABLES = tuple(RECORDS)
META_VERSION = b"benchtables.schema_version"
META_TABLE = b"benchtables.table"
META_KEY = b"benchtables.key"
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
#: Columns a store may be partitioned by: ids and settings that queries filter on.
PARTITION_COLUMNS = ("benchmark", "metric", "model", "source", "n_shot", "setting", "split", "subset", "hardware",
                     "sampler")

_STORE_COLUMNS: dict[str, tuple[pa.DataType, str]] = {
    "source": (pa.string(), "Source id of the entry file the record is in"),
    "first_party": (pa.bool_(), "The source is the one that introduced the model"),
    "file": (pa.string(), "Entry file the record comes from, relative to the project root"),
    "declared_in": (pa.list_(pa.field("element", pa.string())), "Entry files that declare the model"),
}
_TAIL = ("source", "where", "quote", "estimated", "qualifiers", "notes", "first_party", "file")
_DESCRIBED: dict[str, Table] = {"models": MODELS, "sources": SOURCES, "benchmarks": BENCHMARKS, "metrics": METRICS}
_UNITS_BY_FIELD = {"value": "the metric's unit (see the metrics table)", "stderr": "the metric's unit",
                   "ci_low": "the metric's unit", "ci_high": "the metric's unit"}


def arrow_type(spec: Field) -> pa.DataType:
    """The Arrow type a field is stored as."""
    kind = spec.type
    if isinstance(kind, Number):
        return pa.int64() if kind.integer else pa.float64()
    if isinstance(kind, Flag):
        return pa.bool_()
    if isinstance(kind, TextList):
        # "element" is what Parquet calls list items, so a round trip keeps the type
        return pa.list_(pa.field("element", pa.string()))
    if isinstance(kind, TextMap):  # as "name=value" texts: map types do not survive a Parquet round trip unchanged
        return pa.list_(pa.field("element", pa.string()))
    return pa.string()


def _column(name: str, table: Table | None) -> pa.Field:
    if table is None or name not in table:
        arrow, description = _STORE_COLUMNS[name]
        return pa.field(name, arrow, metadata={"description": description})
    spec = table[name]
    metadata = {"description": spec.doc}
    unit = spec.unit or _UNITS_BY_FIELD.get(name)
    if unit:
        metadata["unit"] = unit
    return pa.field(name, arrow_type(spec), metadata=metadata)


def _columns(name: str) -> tuple[Table, list[str], tuple[str, ...], tuple[str, ...]]:
    """Declaration, column names, key and row order of a store table."""
    if name in RECORDS:
        table = RECORDS[name]
        own = [n for n in table.names if n not in _TAIL and n != "model"]
        return table, ["model", *own, *_TAIL], table.key, table.sort
    if name not in _DESCRIBED:
        raise UnknownIdError("table", name, [t for t in TABLES if t.startswith(name[:3])], TABLES)
    table = _DESCRIBED[name]
    extra = {"models": ["declared_in"], "sources": ["file"]}.get(name, [])
    names = [f.name for f in table.fields if not isinstance(f.type, Nested)]
    return table, [*names, *extra], ("id",), ("id",)


def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of a store table, with units and descriptions as column metadata."""
    table, names, key, _ = _columns(name)
    meta = {META_VERSION: str(SCHEMA_VERSION).encode(), META_TABLE: name.encode(), META_KEY: json.dumps(list(key)).encode()}
    return pa.schema([_column(n, table) for n in names], metadata=meta)


def sorted_table(table: pa.Table, name: str, partition_by: str | None = None) -> pa.Table:
    """Rows in the store's order: by the table's sort key, then every other column (a total order).

    A table partitioned by a column is ordered by partition first, in the order of the
    partition files' paths, which is the order pyarrow.dataset reads them in.
    """
    if table.num_rows < 2:
        return table
    order = _columns(name)[3]
    sortable = [c for c in order if c in table.column_names]
    rest = [c for c in table.column_names if c not in sortable and not pa.types.is_list(table.schema.field(c).type)
            and not pa.types.is_map(table.schema.field(c).type)]
    keys = [(c, "ascending") for c in (*sortable, *rest)]
    if partition_by is not None:  # "name/": readers list partition files by their path
        names = pc.binary_join_element_wise(partition_names(table[partition_by]), "/", "")
        table = table.append_column("_partition", names)
        keys.insert(0, ("_partition", "ascending"))
        return table.take(pc.sort_indices(table, sort_keys=keys)).drop_columns(["_partition"])
    return table.take(pc.sort_indices(table, sort_keys=keys))


def conform(table: pa.Table, name: str) -> pa.Table:
    """``table`` with the columns and types of the store table ``name``: missing columns null,
    missing lists empty (as entry files give them)."""
    schema = arrow_schema(name)
    columns = []
    for f in schema:
        column = table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        column = column.cast(f.type)
        if pa.types.is_list(f.type) and column.null_count:
            column = pc.if_else(pc.is_null(column), pa.scalar([], f.type), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def table_of(name: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """A store table from rows (mappings of column values), sorted."""
    from benchtables.arrays import column_of, lists_of

    schema = arrow_schema(name)
    columns = []
    for f in schema:
        values = [row.get(f.name) for row in rows]
        if pa.types.is_list(f.type):
            items = [[f"{k}={v}" for k, v in value.items()] if isinstance(value, Mapping) else value for value in values]
            column = lists_of(items).cast(f.type)
        else:
            column = column_of(values, f.type)
        columns.append(column)
    return sorted_table(pa.Table.from_arrays(columns, schema=schema), name)


def records_table(kind: str, parts: Sequence[pa.Table], introduced: Mapping[str, str | None] | None = None,
                  partition_by: str | None = None) -> pa.Table:
    """One record table from valid rows, with the derived columns filled in and rows in store order."""
    schema = arrow_schema(kind)
    pieces = [conform(t, kind) for t in parts if t.num_rows] or [schema.empty_table()]
    table = pa.concat_tables(pieces).combine_chunks()
    table = table.set_column(table.schema.get_field_index("first_party"), schema.field("first_party"),
                             _first_party(table, introduced or {}))
    if kind == "sampling":
        cost, qualifiers = _sampling_cost(table)
        table = table.set_column(table.schema.get_field_index("sampling_cost"), schema.field("sampling_cost"), cost)
        table = table.set_column(table.schema.get_field_index("qualifiers"), schema.field("qualifiers"), qualifiers)
    return sorted_table(table, kind, partition_by if partitioned(table, partition_by) else None)


def _first_party(table: pa.Table, introduced: Mapping[str, str | None]) -> pa.Array:
    if table.num_rows == 0:
        return pa.array([], pa.bool_())
    models = table["model"].combine_chunks().dictionary_encode()
    introducer = pa.array([introduced.get(m) for m in models.dictionary.to_pylist()], pa.string()).take(models.indices)
    same = pc.equal(introducer, table["source"].combine_chunks())
    return pc.fill_null(same, False)


def _sampling_cost(table: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Stated costs, else steps × cost per step to 12 significant digits (no 6.975000000000001);
    a computed cost carries the approximation or bound of its cost per step."""
    stated = table["sampling_cost"].combine_chunks()
    product = pc.multiply(pc.cast(table["steps"], pa.float64(), safe=False), table["cost_per_step"]).combine_chunks()
    values = numpy_of(pc.cast(product, pa.float64(), safe=False))
    finite = np.isfinite(values)
    distinct, inverse = np.unique(values[finite], return_inverse=True)
    rounded = np.full(len(values), np.nan)
    rounded[finite] = np.array([float(f"{v:.12g}") for v in distinct.tolist()], dtype=float)[inverse.reshape(-1)]
    computed = pa.array(rounded, pa.float64(), mask=~finite)
    qualifiers = table["qualifiers"].combine_chunks()
    derived = numpy_of(pc.fill_null(pc.and_(pc.is_null(stated), computed.is_valid()), False)) if len(stated) else \
        np.zeros(0, bool)
    marked = numpy_of(pc.fill_null(pc.greater(pc.list_value_length(qualifiers), 0), False)) if len(qualifiers) else \
        np.zeros(0, bool)
    rows = np.flatnonzero(derived & marked)
    if len(rows):
        lists = qualifiers.to_pylist()
        for row in rows.tolist():
            carried = {f"sampling_cost{q[len('cost_per_step'):]}" for q in lists[row] if q.startswith("cost_per_step")}
            lists[row] = sorted(set(lists[row]) | carried)
        qualifiers = pa.array(lists, qualifiers.type)
    return pc.if_else(pc.is_null(stated), computed, stated), qualifiers


def tables_from(records: Mapping[str, Sequence[pa.Table]], models: Sequence[Mapping[str, Any]],
                sources: Sequence[Mapping[str, Any]], registry: Any, partition_by: str | None = None,
                ) -> dict[str, pa.Table]:
    """Every store table: the valid records, the declarations and the registry they were checked with."""
    introduced = {m["id"]: m.get("introduced_by") for m in models}
    tables = {kind: records_table(kind, records.get(kind, ()), introduced, partition_by) for kind in RECORDS}
    tables["models"] = table_of("models", models)
    tables["sources"] = table_of("sources", sources)
    tables["benchmarks"] = table_of("benchmarks", [b.model_dump() for b in registry.benchmarks.values()])
    tables["metrics"] = table_of("metrics", [m.model_dump() for m in registry.metrics.values()])
    return tables


def partition_names(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The Hive directory value of each row: the value URI-escaped, as pyarrow reads it back."""
    from urllib.parse import quote

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = array.cast(pa.string()).dictionary_encode()
    names = [HIVE_NULL if v is None else quote(v, safe="") for v in encoded.dictionary.to_pylist()]
    return pa.array(names, pa.string()).take(encoded.indices).fill_null(HIVE_NULL)


def partitioned(table: pa.Table, column: str | None) -> bool:
    """Whether ``table`` is written partitioned by ``column``: it has the column and rows to split."""
    return column is not None and column in table.column_names and table.num_rows > 0
