"""Validating whole tables at once: the same rules as entry files, on Arrow columns.

Bulk inputs (Parquet, CSV, Arrow/Feather files of records; or a DataFrame or Arrow table in
Python) hold millions of rows, so they are not validated one pydantic model at a time.
What is checked is the same, and comes from the same declarations:

* **fields** — read from the pydantic models. Text and list fields have few distinct
  values, so each distinct value is validated by the field's own pydantic ``TypeAdapter``
  (same normalisation, same errors); numeric fields are checked with vectorised
  comparisons compiled from the ``annotated_types`` constraints pydantic enforces
  (``Gt``, ``Ge``, ``Lt``, ``Le``), finiteness and integrality;
* **rules** — each record kind's ``RULES`` (:mod:`benchtables.rules`), through their
  ``check_table`` method;
* **keys** — no record key twice (a 64-bit hash of the key columns, exact on collisions).

A schema problem (a missing column, a column of the wrong type) is one error about the
column, not one per row. Problems carry 1-based row numbers; only the first ``limit`` are
kept, with the total. The messages of the rows shown are those the per-record path gives,
and a property test holds the two paths to the same verdict on every row.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

import annotated_types as at
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import TypeAdapter, ValidationError

from benchtables.arrays import numpy_of, string_array
from benchtables.errors import UsageError
from benchtables.problems import Problem, Severity, did_you_mean
from benchtables.rules import Context
from benchtables.schemas import RECORD_KINDS, QuantitySpec, Record
from benchtables.store import arrow_type_of

__all__ = ["ColumnarResult", "key_hashes", "repeated_keys", "table_keys", "validate_table"]

#: Columns a bulk file may have besides the record's fields.
EXTRA_COLUMNS = ("source", "file", "first_party")
CHUNK_ROWS = 1 << 20
_BOUNDS: tuple[tuple[type, str, str, Callable[[Any, Any], Any]], ...] = (
    (at.Gt, "gt", "greater_than", np.greater),
    (at.Ge, "ge", "greater_than_equal", np.greater_equal),
    (at.Lt, "lt", "less_than", np.less),
    (at.Le, "le", "less_than_equal", np.less_equal),
)


@dataclass(frozen=True)
class FieldSpec:
    """What the pydantic model says about one field, in the terms the columnar checks need."""

    name: str
    category: str  #: float, int, bool, str or list
    required: bool
    quantity: bool
    bounds: tuple[tuple[str, Callable[[Any, Any], Any], float], ...] = ()  #: (code, comparison, limit)
    default: Any = None  #: what a missing value becomes (``estimated: false``)


@cache
def field_specs(cls: type[Record]) -> dict[str, FieldSpec]:
    specs = {}
    for name, info in cls.model_fields.items():
        arrow = arrow_type_of(info.annotation)
        category = ("list" if pa.types.is_list(arrow) else "str" if pa.types.is_string(arrow) else
                    "bool" if pa.types.is_boolean(arrow) else "int" if pa.types.is_integer(arrow) else "float")
        bounds = tuple((code, op, float(getattr(meta, attr)))
                       for meta in info.metadata for kind, attr, code, op in _BOUNDS if isinstance(meta, kind))
        quantity = any(isinstance(m, QuantitySpec) for m in info.metadata)
        default = None if info.is_required() else info.default_factory() if info.default_factory else info.default
        specs[name] = FieldSpec(name, category, info.is_required(), quantity, bounds, default)
    return specs


@cache
def _adapter(cls: type[Record], name: str) -> TypeAdapter[Any]:
    """The field's own validation, with the model's settings (whitespace stripping, no NaN)."""
    info = cls.model_fields[name]
    annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return TypeAdapter(annotation, config=cls.model_config)


@cache
def _element_adapter(cls: type[Record], name: str) -> TypeAdapter[Any]:
    (element,) = cls.model_fields[name].annotation.__args__  # list[X]
    return TypeAdapter(element, config=cls.model_config)


def _first_error(adapter: TypeAdapter[Any], value: Any) -> tuple[Any, dict[str, Any] | None]:
    try:
        return adapter.validate_python(value), None
    except ValidationError as exc:
        return None, exc.errors(include_url=False)[0]


# --------------------------------------------------------------------------- schema


def _text_type(arrow: pa.DataType) -> bool:
    return pa.types.is_string(arrow) or pa.types.is_large_string(arrow) or pa.types.is_string_view(arrow)


def plain_types(table: pa.Table) -> pa.Table:
    """The table with one representation per kind of column, whatever wrote it.

    Text becomes ``string`` (pandas and Polars write ``large_string`` and ``string_view``),
    lists ``list<string>``, single-precision floats the double nearest their shortest decimal;
    dictionary encoding is kept for text (the validator works on distinct values) and decoded
    for numbers and flags, or when the dictionary itself holds nulls.
    """
    columns = []
    for i, f in enumerate(table.schema):
        column, arrow = table.column(i), f.type
        if pa.types.is_dictionary(arrow):
            plain_dictionary = _text_type(arrow.value_type) and not any(c.dictionary.null_count for c in column.chunks)
            if not plain_dictionary:
                column, arrow = column.cast(arrow.value_type), arrow.value_type
            elif not pa.types.is_string(arrow.value_type):
                column = column.cast(pa.dictionary(arrow.index_type, pa.string()))
        if _text_type(arrow) and not pa.types.is_string(arrow):
            column = column.cast(pa.string())
        elif pa.types.is_float32(arrow) or pa.types.is_float16(arrow):  # 57.8, not 57.79999923706055
            column = column.cast(pa.string()).cast(pa.float64())
        elif (pa.types.is_list(arrow) or pa.types.is_large_list(arrow)) and _text_type(arrow.value_type) \
                and arrow != pa.list_(pa.field("element", pa.string())):
            column = column.cast(pa.list_(pa.field("element", pa.string())))
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _compatible(category: str, arrow: pa.DataType, text_values: bool) -> bool:
    if pa.types.is_null(arrow):
        return True
    if pa.types.is_dictionary(arrow):
        arrow = arrow.value_type
    if pa.types.is_string(arrow):  # CSV text is read as numbers or flags row by row
        return category == "str" or (text_values and category != "list")
    return {
        "float": pa.types.is_integer(arrow) or pa.types.is_floating(arrow) or pa.types.is_decimal(arrow),
        "int": pa.types.is_integer(arrow) or pa.types.is_floating(arrow),
        "bool": pa.types.is_boolean(arrow),
        "str": False,
        "list": pa.types.is_list(arrow) and (pa.types.is_string(arrow.value_type) or pa.types.is_null(arrow.value_type)),
    }[category]


def schema_problems(schema: pa.Schema, cls: type[Record], file: str | None, *, need_source: bool = True,
                    text_values: bool = False) -> list[Problem]:
    """One problem per column that is missing, unknown, repeated or of the wrong type.

    ``text_values``: text columns may hold numbers and flags (CSV, which has no types).
    """
    specs = field_specs(cls)
    problems = []

    def error(code: str, column: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(Severity.ERROR, code, message, file=file, field=column, hint=hint))

    for name in sorted({n for n in schema.names if schema.names.count(n) > 1}):
        error("duplicate_column", name, f"the file has {schema.names.count(name)} columns named {name!r}",
              "keep one of them")
    for name in dict.fromkeys(schema.names):
        if schema.names.count(name) > 1:
            continue
        if name not in specs and name not in EXTRA_COLUMNS:
            error("extra_forbidden", name, f"unknown column {name!r} for {cls.KIND} records",
                  f"columns: {', '.join([*specs, 'source'])}")
        elif name in specs and not _compatible(specs[name].category, schema.field(name).type, text_values):
            arrow = schema.field(name).type
            shown = arrow.value_type if pa.types.is_dictionary(arrow) else arrow
            error("column_type", name, f"column {name!r} is {shown}, not {specs[name].category}",
                  "convert the column, or check that the file holds this kind of records")
    required = [n for n, s in specs.items() if s.required] + (["source"] if need_source else [])
    for name in required:
        if name not in schema.names:
            error("missing_column", name, f"the file has no {name!r} column, which every {cls.KIND} record needs")
    return problems


# --------------------------------------------------------------------------- the table as rules see it


class _Chunk:
    """Rows of a table being validated: the :class:`benchtables.rules.Columns` the rules see.

    Text columns are kept as codes into their distinct values (Arrow dictionary arrays), so
    each rule looks at every distinct value once and at the rows only through numpy.
    """

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.n = table.num_rows
        self.arrays: dict[str, pa.Array] = {}
        self.replaced: set[str] = set()  #: columns whose values the checks canonicalised
        self._codes: dict[str, tuple[np.ndarray, list[Any]]] = {}
        self.invalid: dict[str, np.ndarray] = {}

    def array(self, name: str) -> pa.Array:
        if name not in self.arrays:
            if name in self.table.column_names:
                self.arrays[name] = self.table[name].combine_chunks()
            else:
                self.arrays[name] = pa.nulls(self.n)
        return self.arrays[name]

    def codes(self, name: str) -> tuple[np.ndarray, list[Any]]:
        if name not in self._codes:
            array = self.array(name)
            if pa.types.is_null(array.type):
                self._codes[name] = np.full(self.n, -1, dtype=np.int64), []
            else:
                encoded = array if pa.types.is_dictionary(array.type) else array.dictionary_encode()
                codes = indices_of(encoded)
                self._codes[name] = codes, encoded.dictionary.to_pylist()
        return self._codes[name]

    def set_codes(self, name: str, codes: np.ndarray, values: list[Any]) -> None:
        array = dictionary_array(codes, values)
        self.replace(name, array)
        self._codes[name] = indices_of(array), array.dictionary.to_pylist()

    def numbers(self, name: str) -> np.ndarray:
        array = self.array(name)
        if pa.types.is_null(array.type):
            return np.full(self.n, np.nan)
        return numpy_of(pc.cast(array, pa.float64(), safe=False))  # integers beyond 2**53: nearest float

    def present(self, name: str) -> np.ndarray:
        array = self.array(name)
        if array.null_count == 0 or pa.types.is_null(array.type):
            return np.full(self.n, not pa.types.is_null(array.type))
        return numpy_of(array.is_valid())

    def replace(self, name: str, array: pa.Array) -> None:
        self.arrays[name] = array
        self.replaced.add(name)
        self._codes.pop(name, None)

    def rows(self, *fields: str) -> np.ndarray:
        ok = np.ones(self.n, dtype=bool)
        for name in fields:
            if name in self.invalid:
                ok &= ~self.invalid[name]
        return ok

    def fail(self, name: str, mask: np.ndarray) -> None:
        self.invalid[name] = self.invalid.get(name, np.zeros(self.n, dtype=bool)) | mask


def indices_of(array: pa.DictionaryArray) -> np.ndarray:
    """The codes of a dictionary array as int64, -1 for nulls (``fill_null`` is slow on indices)."""
    indices = array.indices
    width = indices.type.bit_width // 8
    kind = "i" if pa.types.is_signed_integer(indices.type) else "u"
    raw = np.frombuffer(indices.buffers()[1], dtype=f"<{kind}{width}", count=len(indices), offset=indices.offset * width)
    codes = raw.astype(np.int64)
    if indices.null_count:
        codes[~numpy_of(indices.is_valid())] = -1
    return codes


def dictionary_array(codes: np.ndarray, values: list[Any]) -> pa.DictionaryArray:
    """``values[code]`` per row (null for -1) as a dictionary array whose values are distinct.

    Distinct values matter: two aliases canonicalised to one id must get one code, or equal
    keys would look different.
    """
    lookup: dict[Any, int] = {}
    remap = [-1 if v is None else lookup.setdefault(v, len(lookup)) for v in values] + [-1]
    width = next(t for t in (np.int8, np.int16, np.int32) if len(lookup) < np.iinfo(t).max)  # smallest that fits
    new = np.array(remap, dtype=width)[codes]
    missing = new < 0
    indices = pa.array(new, mask=missing if missing.any() else None)
    return pa.DictionaryArray.from_arrays(indices, string_array(list(lookup)))


def _concat(pieces: list[pa.Table]) -> pa.Table:
    """Chunks' tables as one; a column whose dictionary indices are of different widths gets the widest."""
    if len(pieces) < 2:
        return pieces[0]
    first = pieces[0].schema
    for name in first.names:
        types = {p.schema.field(name).type for p in pieces}
        if len(types) > 1 and all(pa.types.is_dictionary(t) for t in types):
            widest = max(types, key=lambda t: t.index_type.bit_width)
            pieces = [p.set_column(p.schema.get_field_index(name), name, p[name].cast(widest)) for p in pieces]
    return pa.concat_tables(pieces)


@dataclass
class _Found:
    """Violations of one kind in one chunk."""

    field: str | None
    code: str
    mask: np.ndarray
    offset: int
    earlier: np.ndarray | None = None  #: for duplicates: the row each repeats


def _field_checks(chunk: _Chunk, cls: type[Record]) -> Iterator[_Found]:
    for name, spec in field_specs(cls).items():
        if spec.category != "str" and pa.types.is_string(_value_type(chunk.array(name).type)):
            yield from _text_values(chunk, cls, spec)
        array = chunk.array(name)
        null = ~chunk.present(name)
        if spec.required:
            yield from _fail(chunk, name, "missing", null)
        if spec.category in ("float", "int"):
            yield from _number_checks(chunk, spec, null)
        elif spec.category == "str":
            yield from _text_checks(chunk, cls, name)
        elif spec.category == "list" and not pa.types.is_null(array.type):
            yield from _list_checks(chunk, cls, name)
        if spec.default is not None and spec.category != "list" and null.any():  # empty lists: see store.conform
            arrow = arrow_type_of(cls.model_fields[name].annotation)
            current = chunk.array(name).cast(arrow)  # if_else: fill_null is slow on bool columns
            chunk.replace(name, pc.if_else(current.is_null(), pa.scalar(spec.default, arrow), current))


def _value_type(arrow: pa.DataType) -> pa.DataType:
    return arrow.value_type if pa.types.is_dictionary(arrow) else arrow


#: Text a bulk file may give for a number: plain decimal notation, in the field's stored unit.
_PLAIN_NUMBER = r"^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$"


def _text_values(chunk: _Chunk, cls: type[Record], spec: FieldSpec) -> Iterator[_Found]:
    """A number, flag or list field given as text (a CSV column; ``text_values=True``).

    Numbers must be plain decimals in the stored unit (``70000000000``, not ``70B``: quantity
    words and signs are for entry files, whose parser also records bounds and approximations);
    flags and lists go through the field's own pydantic validation, once per distinct value.
    """
    array = chunk.array(spec.name)
    text = array.cast(pa.string()) if pa.types.is_dictionary(array.type) else array
    if spec.category in ("float", "int"):
        plain = numpy_of(pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False))
        bad = chunk.present(spec.name) & ~plain
        kept = pc.if_else(pa.array(plain), text, pa.scalar(None, pa.string()))
        numbers = pc.cast(pc.utf8_trim_whitespace(kept), pa.float64())
        chunk.replace(spec.name, numbers)
        yield from _fail(chunk, spec.name, "number_expected", bad)
        return
    codes, distinct = chunk.codes(spec.name)
    adapter = _adapter(cls, spec.name)
    arrow = arrow_type_of(cls.model_fields[spec.name].annotation)
    values, errors = [], []
    for value in distinct:
        result, error = _first_error(adapter, value)
        values.append(result)
        errors.append(error["type"] if error else None)
    chunk.replace(spec.name, pa.array(values, arrow).take(pa.array(codes, pa.int64(), mask=codes < 0)))
    for code in sorted({c for c in errors if c}):
        yield from _fail(chunk, spec.name, code, np.array([c == code for c in errors] + [False], dtype=bool)[codes])


def _fail(chunk: _Chunk, name: str | None, code: str, mask: np.ndarray) -> Iterator[_Found]:
    mask = mask & chunk.rows(name) if name else mask
    if mask.any():
        if name:
            chunk.fail(name, mask)
        yield _Found(name, code, mask, 0)


def _number_checks(chunk: _Chunk, spec: FieldSpec, null: np.ndarray) -> Iterator[_Found]:
    values = chunk.numbers(spec.name)
    present = ~null
    with np.errstate(invalid="ignore"):
        yield from _fail(chunk, spec.name, "quantity_parsing" if spec.quantity else "finite_number",
                         present & ~np.isfinite(values))
        if spec.category == "int":
            yield from _fail(chunk, spec.name, "int_from_float", present & np.isfinite(values) & (values != np.round(values)))
            yield from _fail(chunk, spec.name, "int_parsing_size", present & np.isfinite(values) & (np.abs(values) >= 2.0**63))
        for code, op, limit in spec.bounds:
            yield from _fail(chunk, spec.name, code, present & np.isfinite(values) & ~op(values, limit))
    if spec.category == "int" and not pa.types.is_integer(chunk.array(spec.name).type):
        ok = chunk.rows(spec.name) & present
        chunk.replace(spec.name, pa.array(np.where(ok, values, 0).astype(np.int64), pa.int64(), mask=~ok))


#: Text pydantic's whitespace stripping leaves as it is: it neither starts nor ends with a
#: Unicode White_Space character (Z categories, U+0009–U+000D, U+0085).
_SPACE = r"\p{Z}\x{09}-\x{0D}\x{85}"
_UNCHANGED_TEXT = rf"^[^{_SPACE}](?s:.*[^{_SPACE}])?$"


def _plain(cls: type[Record], name: str) -> bool:
    """A field whose only validation is the model's whitespace stripping (free text: where, notes)."""
    info = cls.model_fields[name]
    config = {k for k, v in cls.model_config.items() if k.startswith("str_") and v}
    return info.annotation in (str, str | None) and not info.metadata and config <= {"str_strip_whitespace"}


def _text_checks(chunk: _Chunk, cls: type[Record], name: str) -> Iterator[_Found]:
    array = chunk.array(name)
    if pa.types.is_null(array.type):
        return
    adapter = _adapter(cls, name)
    if _plain(cls, name):
        # Free text is mostly unique per row: only values pydantic might change go through it.
        values = array.dictionary if pa.types.is_dictionary(array.type) else array
        doubtful = pc.invert(pc.fill_null(pc.match_substring_regex(values, _UNCHANGED_TEXT), True))
        at = np.flatnonzero(numpy_of(doubtful))
        if not len(at):
            return
        normalized, errors = _validate_values(adapter, values.take(pa.array(at)).to_pylist())
        values = pc.replace_with_mask(values, doubtful, string_array(normalized))
        value_errors = [None] * len(doubtful)
        for i, error in zip(at.tolist(), errors, strict=True):
            value_errors[i] = error
        if pa.types.is_dictionary(array.type):
            codes = indices_of(array)
            chunk.replace(name, pa.DictionaryArray.from_arrays(array.indices, values))
        else:
            codes = np.arange(chunk.n)
            chunk.replace(name, values)
    else:
        codes, distinct = chunk.codes(name)
        normalized, value_errors = _validate_values(adapter, distinct)
        chunk.set_codes(name, codes, normalized)
    for code in sorted({c for c in value_errors if c}):
        yield from _fail(chunk, name, code, np.array([c == code for c in value_errors] + [False], dtype=bool)[codes])


def _validate_values(adapter: TypeAdapter[Any], values: list[Any]) -> tuple[list[Any], list[str | None]]:
    """Each value as pydantic normalises it (unchanged if it is wrong), and its error code."""
    normalized, errors = [], []
    for value in values:
        result, error = _first_error(adapter, value)
        normalized.append(result if error is None else value)
        errors.append(error["type"] if error else None)
    return normalized, errors


def _list_checks(chunk: _Chunk, cls: type[Record], name: str) -> Iterator[_Found]:
    """Each element through the element type's validation: one problem per bad element, as pydantic
    reports them, and the elements normalised (whitespace stripped) in place."""
    array = chunk.array(name)
    flat = pc.list_flatten(array)
    if len(flat) == 0:
        return
    parents = numpy_of(pc.list_parent_indices(array)).astype(np.int64)
    encoded = flat.dictionary_encode()
    codes = indices_of(encoded)
    adapter = _element_adapter(cls, name)
    normalized, errors = _validate_values(adapter, encoded.dictionary.to_pylist())
    null_error = _first_error(adapter, None)[1]
    element_errors = np.array([*errors, null_error["type"] if null_error else None], dtype=object)[codes]
    bad = np.flatnonzero(element_errors != None)  # noqa: E711 (elementwise)
    if len(bad):
        # the k-th bad element of a row is the row's k-th problem
        ordinal = np.arange(len(bad)) - np.searchsorted(parents[bad], parents[bad], side="left")
        failed = np.zeros(chunk.n, dtype=bool)
        for k, code in sorted({(int(o), c) for o, c in zip(ordinal, element_errors[bad], strict=True)}):
            mask = np.zeros(chunk.n, dtype=bool)
            mask[parents[bad][(ordinal == k) & (element_errors[bad] == code)]] = True
            failed |= mask
            yield _Found(name, code, mask, 0)
        chunk.fail(name, failed)
    offsets = numpy_of(array.offsets).astype(np.int64)
    values = dictionary_array(codes, normalized).cast(pa.string())
    rebuilt = pa.ListArray.from_arrays(pa.array(offsets - offsets[0], pa.int32()), values,
                                       type=pa.list_(pa.field("element", pa.string())),
                                       mask=array.is_null() if array.null_count else None)
    chunk.replace(name, rebuilt)


def _rule_checks(chunk: _Chunk, cls: type[Record], ctx: Context) -> Iterator[_Found]:
    for rule in cls.RULES:
        for violation in rule.check_table(chunk, ctx):
            if not violation.mask.any():
                continue
            if violation.field:
                chunk.fail(violation.field, violation.mask)
            yield _Found(violation.field, violation.code, violation.mask, 0)


def _source_check(chunk: _Chunk, sources: set[str] | None) -> Iterator[_Found]:
    if sources is None:
        return
    codes, names = chunk.codes("source")
    unknown = np.array([n not in sources for n in names] + [False], dtype=bool)[codes]
    yield from _fail(chunk, "source", "missing", codes < 0)
    yield from _fail(chunk, "source", "unknown_source", unknown)


# --------------------------------------------------------------------------- keys

_FNV_OFFSET, _FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_NULL_HASH = np.uint64(0x5BD1E9955BD1E995)
_BASE = np.uint64(0x100000001B3)
_BASE_INVERSE = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_HASH_BYTES = 1 << 20  #: bytes of text hashed at a time (bounds the scratch memory)


def string_hashes(array: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string (a polynomial over its UTF-8 bytes); nulls get their own value.

    Arrow has no hash kernel and dictionary-encoding a column of unique strings costs more
    than the rest of validation, so this works on the column's buffers with numpy: the hash
    of bytes ``[s, e)`` is ``(P[e] - P[s]) · B⁻ˢ`` from prefix sums ``P`` of ``byte · Bʲ``
    (arithmetic mod 2⁶⁴). Equal strings hash equal; :func:`repeated_keys` confirms matches.
    """
    if pa.types.is_dictionary(array.type):
        codes = indices_of(array)
        return np.append(string_hashes(array.dictionary), _NULL_HASH)[codes]
    if pa.types.is_null(array.type):
        return np.full(len(array), _NULL_HASH, dtype=np.uint64)
    array = array.cast(pa.large_string()) if not pa.types.is_large_string(array.type) else array
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64, count=len(array) + 1, offset=array.offset * 8)
    out = np.empty(len(array), dtype=np.uint64)
    start = 0
    while start < len(array):  # slices of at most _HASH_BYTES bytes (or one longer string)
        stop = int(np.searchsorted(offsets, offsets[start] + _HASH_BYTES, side="right")) - 1
        stop = min(max(stop, start + 1), len(array))
        out[start:stop] = _hash_slice(array.slice(start, stop - start))
        start = stop
    return out


@cache
def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``Bʲ`` and ``B⁻ʲ`` (mod 2⁶⁴) for ``j`` in ``0..size``."""
    powers = np.full(size + 1, _BASE, dtype=np.uint64)
    inverse = np.full(size + 1, _BASE_INVERSE, dtype=np.uint64)
    powers[0] = inverse[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(powers), np.cumprod(inverse)


def _hash_slice(array: pa.LargeStringArray) -> np.ndarray:
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64, count=len(array) + 1, offset=array.offset * 8)
    first, size = int(offsets[0]), int(offsets[-1] - offsets[0])
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8, count=size, offset=first) if size else np.zeros(0, np.uint8)
    powers, inverse = _powers(_HASH_BYTES) if size <= _HASH_BYTES else _powers.__wrapped__(size)
    starts, ends = offsets[:-1] - first, offsets[1:] - first
    with np.errstate(over="ignore"):
        prefix = np.zeros(size + 1, dtype=np.uint64)
        np.cumsum(data * powers[:size], out=prefix[1:])
        hashes = (prefix[ends] - prefix[starts]) * inverse[starts] + (ends - starts).astype(np.uint64) * _GOLDEN
    return np.where(numpy_of(array.is_valid()), hashes, _NULL_HASH)


def column_hashes(array: pa.Array) -> np.ndarray:
    """A 64-bit hash of each value of a key column (text, number or flag; nulls their own value)."""
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type) or pa.types.is_dictionary(array.type) \
            or pa.types.is_null(array.type):
        return string_hashes(array)
    values = np.nan_to_num(numpy_of(pc.cast(array, pa.float64())), nan=0.0) + 0.0  # -0.0 → 0.0
    hashes = values.view(np.uint64) * _GOLDEN
    return np.where(numpy_of(array.is_valid()), hashes, _NULL_HASH)


def key_hashes(table: pa.Table, columns: list[str]) -> np.ndarray:
    """A 64-bit hash of each row's key (the columns in order; a missing column counts as null)."""
    h = np.full(table.num_rows, _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for name in columns:
            column = table[name].combine_chunks() if name in table.column_names else pa.nulls(table.num_rows)
            h = (h ^ column_hashes(column)) * _FNV_PRIME
            h ^= h >> np.uint64(29)
    return h


def table_keys(table: pa.Table, columns: list[str]) -> Callable[[np.ndarray], list[tuple[Any, ...]]]:
    """``rows -> [key of each row]``: the exact keys of a few rows of ``table``, for :func:`repeated_keys`."""
    present = [c for c in columns if c in table.column_names]

    def keys(rows: np.ndarray) -> list[tuple[Any, ...]]:
        taken = table.select(present).take(pa.array(rows, pa.int64())).to_pylist()
        return [tuple(row.get(c) for c in columns) for row in taken]

    return keys


def repeated_keys(hashes: np.ndarray, candidates: np.ndarray,
                  keys: Callable[[np.ndarray], list[tuple[Any, ...]]]) -> np.ndarray:
    """For each candidate row whose key an earlier candidate row has, that earlier row; -1 elsewhere.

    Args:
        hashes: each row's key hash (:func:`key_hashes`).
        candidates: the rows to compare (invalid rows are not).
        keys: exact keys of given rows; asked only for rows whose hash repeats, so a hash
            collision never makes two different keys equal.
    """
    out = np.full(len(hashes), -1, dtype=np.int64)
    pool = hashes if candidates.all() else hashes[candidates]
    if len(pool) < 2:
        return out
    ordered = np.sort(pool)  # a sort of the hashes alone is cheap; rows only for repeated hashes
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered, pool
    if not len(repeated):
        return out
    at = np.minimum(np.searchsorted(repeated, hashes), len(repeated) - 1)
    suspects = np.flatnonzero((repeated[at] == hashes) & candidates)
    first: dict[tuple[Any, ...], int] = {}
    for row, key in zip(suspects.tolist(), keys(suspects), strict=True):  # in row order: the first stays
        if key in first:
            out[row] = first[key]
        else:
            first[key] = row
    return out


# --------------------------------------------------------------------------- the result


@dataclass
class ColumnarResult:
    """A validated table: the canonical rows, which are valid, and the problems found."""

    kind: str
    table: pa.Table  #: canonical values (ids for aliases, primary metrics filled in)
    valid: np.ndarray  #: one boolean per row
    problems: list[Problem] = field(default_factory=list)  #: the first ``limit``, in row order
    total: int = 0  #: problems found in all
    #: (row, field, code) of every problem, for tests comparing with the per-record path.
    details: list[tuple[int, str | None, str]] | None = None
    hashes: np.ndarray | None = None  #: each row's key hash (:func:`key_hashes`), for checks across files

    @property
    def ok(self) -> bool:
        return self.total == 0


def _progress(total: int, enabled: bool | None) -> Any:
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    if not enabled or total <= CHUNK_ROWS:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="rows", unit_scale=True, desc="validating", file=sys.stderr, leave=False)


def validate_table(table: pa.Table, kind: str, ctx: Context, *, file: str | None = None, limit: int = 50,
                   sources: set[str] | None = None, progress: bool | None = None, text_values: bool = False,
                   keep_details: bool = False, chunk_rows: int = CHUNK_ROWS) -> ColumnarResult:
    """Validate every row of ``table`` as ``kind`` records.

    Args:
        table: the rows (an Arrow table; :func:`benchtables.bulk.read_bulk` reads files).
        kind: scores, training, utilization or sampling.
        ctx: the registry and the models that rows may name.
        file: the input's name, for problems.
        limit: how many problems to keep (the total is counted either way).
        sources: source ids rows may name in their ``source`` column; None: no source column.
        progress: show a progress bar (default: on a terminal, not in CI).
        text_values: text columns may hold numbers and flags, converted row by row (CSV); else
            a text column for a number field is a wrong column type (Parquet, Arrow, DataFrames).
        keep_details: keep (row, field, code) of every problem.
        chunk_rows: rows checked at a time (bounds the scratch memory).
    """
    if kind not in RECORD_KINDS:
        raise UsageError(f"unknown record kind {kind!r}; kinds: {', '.join(RECORD_KINDS)}")
    cls = RECORD_KINDS[kind]
    table = plain_types(table)
    problems = schema_problems(table.schema, cls, file, need_source=sources is not None, text_values=text_values)
    if problems:
        return ColumnarResult(kind, table, np.zeros(table.num_rows, dtype=bool), problems, len(problems),
                              details=[] if keep_details else None, hashes=np.zeros(table.num_rows, dtype=np.uint64))
    bar = _progress(table.num_rows, progress)
    found: list[_Found] = []
    pieces: list[pa.Table] = []
    valid = np.ones(table.num_rows, dtype=bool)
    hashes = np.empty(table.num_rows, dtype=np.uint64)
    key = list(cls.KEY)
    for offset in range(0, max(table.num_rows, 1), chunk_rows):
        chunk = _Chunk(table.slice(offset, chunk_rows))
        here = [*_field_checks(chunk, cls), *_source_check(chunk, sources), *_rule_checks(chunk, cls, ctx)]
        for item in here:
            item.offset = offset
            valid[offset:offset + chunk.n] &= ~item.mask
        found += here
        pieces.append(_canonical(chunk, table.schema.names, cls))
        hashes[offset:offset + chunk.n] = key_hashes(pieces[-1], key)
        if bar is not None:
            bar.update(chunk.n)
    if bar is not None:
        bar.close()
    canonical = _concat(pieces) if pieces else table
    earlier = repeated_keys(hashes, valid, table_keys(canonical, key))
    if (earlier >= 0).any():
        found.append(_Found(None, "duplicate_record", earlier >= 0, 0, earlier))
        valid &= earlier < 0
    result = ColumnarResult(kind, canonical, valid, total=int(sum(int(f.mask.sum()) for f in found)), hashes=hashes)
    result.problems = _problems(found, table, canonical, cls, ctx, file, limit, sources)
    if keep_details:
        result.details = sorted(((int(r) + f.offset, f.field, f.code) for f in found for r in np.flatnonzero(f.mask)), key=repr)
    return result


def _canonical(chunk: _Chunk, names: list[str], cls: type[Record]) -> pa.Table:
    """The chunk's columns, canonicalised ones replaced; the others are the input's own (not copies)."""
    columns = {n: chunk.arrays[n] if n in chunk.replaced else chunk.table[n] for n in names}
    for name in cls.model_fields:  # defaults the checks filled in (metric, estimated) become columns
        if name in chunk.replaced and name not in columns:
            columns[name] = chunk.arrays[name]
    return pa.table(columns)


def _problems(found: list[_Found], table: pa.Table, canonical: pa.Table, cls: type[Record], ctx: Context,
              file: str | None, limit: int, sources: set[str] | None) -> list[Problem]:
    """The first ``limit`` problems in row order, with the per-record path's messages."""
    candidates = sorted((int(r) + f.offset, i) for i, f in enumerate(found) for r in np.flatnonzero(f.mask)[:limit])[:limit]
    out = []
    for row, i in candidates:
        item = found[i]
        message, hint = _message(item, row, table, canonical, cls, ctx, sources)
        out.append(Problem(Severity.ERROR, item.code, message, file=file, field=item.field, hint=hint, row=row + 1))
    return out


def _message(item: _Found, row: int, table: pa.Table, canonical: pa.Table, cls: type[Record],
             ctx: Context, sources: set[str] | None) -> tuple[str, str | None]:
    """What the per-record path says about this problem: field errors from pydantic on the value
    as given, rule violations from the rule on the canonical row."""
    if item.code == "duplicate_record" and item.earlier is not None:
        return f"the same record as row {int(item.earlier[row - item.offset]) + 1}", "one number per record"
    if item.code == "missing":
        return "required field is missing", None
    if item.code == "number_expected":
        text = table[item.field][row].as_py()
        return (f"{text!r} is not a plain number",
                "bulk files hold numbers in the field's stored unit (57.8, 70000000000); "
                "write quantities such as 70B or 57.8% in entry files")
    values = canonical.slice(row, 1).to_pylist()[0]
    if item.code == "unknown_source":
        close = difflib.get_close_matches(str(values.get("source")), sorted(sources or ()), n=2, cutoff=0.6)
        return (f"unknown source {values.get('source')!r}",
                did_you_mean(close) or "declare it in an entry file's source: section")
    for rule in cls.RULES:  # in order, as the per-record path runs them
        for violation in rule.check(dict(values), ctx):
            if violation.code == item.code and violation.field == item.field:
                return violation.message, violation.hint
    if item.field in cls.model_fields and item.field in table.column_names:
        error = _first_error(_adapter(cls, item.field), table[item.field][row].as_py())[1]
        if error is not None:
            return str((error.get("ctx") or {}).get("reason") or error["msg"]), None
    return item.code.replace("_", " "), None
