"""Record keys as 64-bit hashes: how steps 3 and 4 find one number twice among millions of rows.

A key is a tuple of columns (``Table.key``: model, benchmark, metric, setting…, source,
where). Each column is hashed once, with numpy over its Arrow buffers (text: a polynomial over
its UTF-8 bytes; numbers: their bits), the columns are mixed into one hash per row, and rows
whose hash repeats are compared on their real values, so a collision never makes two different
keys equal. The cost is linear in rows and bytes, whatever the columns hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import codes_of, numpy_of, scalar, take

__all__ = ["column_hashes", "key_hashes", "repeated_hashes", "repeated_keys", "table_keys"]

_FNV_OFFSET, _FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_NULL_HASH = np.uint64(0x5BD1E9955BD1E995)
_BASE = np.uint64(0x100000001B3)
_BASE_INVERSE = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_HASH_BYTES = 1 << 20  #: bytes of text hashed at a time (bounds the scratch memory)


def string_hashes(array: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string; nulls get their own value.

    The hash of bytes ``[s, e)`` is ``(P[e] - P[s]) · B⁻ˢ`` from prefix sums ``P`` of
    ``byte · Bʲ`` (arithmetic mod 2⁶⁴), computed with numpy over the column's buffers.
    """
    if pa.types.is_dictionary(array.type):
        codes = codes_of(array)
        return cast(np.ndarray, np.append(string_hashes(array.dictionary), _NULL_HASH)[codes])
    if pa.types.is_null(array.type) or array.null_count == len(array):
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
    valid = numpy_of(array.is_valid()) if array.null_count else np.ones(len(array), dtype=bool)
    return np.where(valid, hashes, _NULL_HASH)


def column_hashes(array: pa.Array) -> np.ndarray:
    """A 64-bit hash of each value of a key column (text, number, flag or list of text; nulls their own value)."""
    kind = array.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        joined = pc.binary_join(array, scalar("\x1f"))
        lengths = numpy_of(pc.list_value_length(array))
        return np.where(np.nan_to_num(lengths) > 0, string_hashes(joined), _NULL_HASH)  # an empty list is no list
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind) \
            or pa.types.is_null(kind):
        return string_hashes(array)
    values = np.nan_to_num(numpy_of(pc.cast(array, pa.float64(), safe=False)), nan=0.0) + 0.0  # -0.0 → 0.0
    hashes = values.view(np.uint64) * _GOLDEN
    valid = numpy_of(array.is_valid()) if array.null_count else np.ones(len(array), dtype=bool)
    return np.where(valid, hashes, _NULL_HASH)


def key_hashes(table: pa.Table, columns: Sequence[str], start: np.ndarray | None = None) -> np.ndarray:
    """A 64-bit hash of each row's key (the columns in order; a missing column counts as null).

    ``start``: the hashes of the key's first columns, computed before (``key_hashes(table,
    first)``); then ``columns`` are the ones after them.
    """
    h = np.full(table.num_rows, _FNV_OFFSET, dtype=np.uint64) if start is None else start.copy()
    with np.errstate(over="ignore"):
        for name in columns:
            column = table[name].combine_chunks() if name in table.column_names else pa.nulls(table.num_rows)
            h = (h ^ column_hashes(column)) * _FNV_PRIME
            h ^= h >> np.uint64(29)
    return h


def table_keys(table: pa.Table, columns: Sequence[str]) -> Callable[[np.ndarray], list[tuple[Any, ...]]]:
    """``rows -> [key of each row]``: the exact keys of a few rows, for :func:`repeated_keys`."""
    present = [c for c in columns if c in table.column_names]

    def keys(rows: np.ndarray) -> list[tuple[Any, ...]]:
        taken = take(table.select(present), rows).to_pylist()
        return [tuple(_plain(row.get(c)) for c in columns) for row in taken]

    return keys


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value) or None
    return value


def repeated_hashes(hashes: np.ndarray) -> np.ndarray:
    """The hash values that occur more than once, sorted (found by one sort)."""
    ordered = np.sort(hashes)
    same = ordered[1:] == ordered[:-1]
    return np.unique(ordered[1:][same]) if same.any() else ordered[:0]


def repeated_keys(hashes: np.ndarray, candidates: np.ndarray,
                  keys: Callable[[np.ndarray], list[tuple[Any, ...]]]) -> np.ndarray:
    """For each candidate row whose key an earlier candidate row has, that earlier row; -1 elsewhere.

    Rows are compared only when their hashes repeat, and then on their exact keys, so a hash
    collision never makes two different keys equal. Cheap when nothing repeats: one pass over
    the hashes finds that.
    """
    out = np.full(len(hashes), -1, dtype=np.int64)
    repeated = repeated_hashes(hashes if candidates.all() else hashes[candidates])
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
