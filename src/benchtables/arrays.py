"""Arrow arrays to and from numpy and Python, without pyarrow's pandas-backed conversions.

``Array.to_numpy`` and ``pa.array(list)`` import pandas (a fifth of a second) the first time
they run. Validating one entry file, or a bulk file, needs neither pandas nor those paths:
these helpers read and build the Arrow buffers directly.

Text columns of many rows hold few distinct values (model ids, benchmarks, metrics). Held as
dictionary arrays, work on them is done once per distinct value and mapped back to rows by
code: :func:`distinct`, :func:`coded`, :func:`per_row`, :func:`rejoin`, :func:`combinations` and :func:`choose` keep
them so from one step to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pyarrow as pa

__all__ = [
    "FALSE",
    "TRUE",
    "ZERO",
    "array_of",
    "choose",
    "coded",
    "codes_of",
    "column_of",
    "combinations",
    "distinct",
    "lists_of",
    "numpy_of",
    "per_row",
    "rejoin",
    "scalar",
    "string_array",
    "strings",
    "take",
    "widened",
]


def string_array(values: Sequence[str]) -> pa.Array:
    """An Arrow string array built from its buffers."""
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    if encoded:
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(encoded)))


def _bits(buffer: pa.Buffer, offset: int, length: int) -> np.ndarray:
    packed = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(packed, bitorder="little", count=offset + length)[offset:].astype(bool)


def numpy_of(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean, integer or floating-point Arrow array as numpy.

    Nulls become ``False`` in booleans and NaN in numbers (integers with nulls become float64).
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    n, offset = len(array), array.offset
    kind = array.type
    if pa.types.is_boolean(kind):
        values = _bits(array.buffers()[1], offset, n) if n else np.zeros(0, dtype=bool)
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
        dtype = np.dtype(f"{'f' if pa.types.is_floating(kind) else 'i' if pa.types.is_signed_integer(kind) else 'u'}"
                         f"{kind.bit_width // 8}")
        values = np.frombuffer(array.buffers()[1], dtype=dtype, count=n, offset=offset * dtype.itemsize) if n \
            else np.zeros(0, dtype=dtype)
    else:
        raise TypeError(f"numpy_of takes booleans and numbers, not {kind}")
    if array.null_count:
        valid = _bits(array.buffers()[0], offset, n)
        if values.dtype == bool:
            return cast(np.ndarray, values & valid)
        values = values.astype(np.float64)
        values[~valid] = np.nan
    return values


def strings(values: Sequence[str | None]) -> pa.Array:
    """An Arrow string array (None for nulls) built from its buffers."""
    if all(v is not None for v in values):
        return string_array(values)  # type: ignore[arg-type]
    present = np.array([v is not None for v in values], dtype=bool)
    filled = string_array([v if v is not None else "" for v in values])
    return pa.StringArray.from_buffers(len(values), filled.buffers()[1], filled.buffers()[2],
                                       pa.py_buffer(np.packbits(present, bitorder="little").tobytes()),
                                       int((~present).sum()))


_TYPES = {np.dtype(np.bool_): pa.bool_(), np.dtype(np.int64): pa.int64(), np.dtype(np.int32): pa.int32(),
          np.dtype(np.int16): pa.int16(), np.dtype(np.int8): pa.int8(), np.dtype(np.float64): pa.float64(),
          np.dtype(np.uint64): pa.uint64()}


def array_of(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """An Arrow array of a boolean or numeric numpy array (``mask``: True where null), from its buffers."""
    values = np.ascontiguousarray(values)
    kind = _TYPES.get(values.dtype)
    if kind is None:
        values = values.astype(np.float64) if values.dtype.kind == "f" else values.astype(np.int64)
        kind = _TYPES[values.dtype]
    data = np.packbits(values, bitorder="little") if values.dtype == np.bool_ else values
    validity = None
    nulls = 0
    if mask is not None and mask.any():
        validity = pa.py_buffer(np.packbits(~np.asarray(mask, dtype=bool), bitorder="little").tobytes())
        nulls = int(np.asarray(mask, dtype=bool).sum())
    return pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(data.tobytes())], null_count=nulls)


def scalar(value: str | int | float | bool | None, kind: pa.DataType | None = None) -> pa.Scalar:
    """An Arrow scalar (compute functions convert Python values through pandas-aware paths)."""
    if value is None:
        return pa.nulls(1, kind or pa.string())[0]
    if isinstance(value, str):
        return string_array([value])[0]
    if isinstance(value, bool):
        return array_of(np.array([value]))[0]
    array = array_of(np.array([value], dtype=np.float64 if isinstance(value, float) else np.int64))
    return (array.cast(kind) if kind is not None else array)[0]


def codes_of(array: pa.DictionaryArray) -> np.ndarray:
    """A dictionary array's codes as int64, -1 for nulls."""
    indices = array.indices
    if len(indices) == 0:
        return np.zeros(0, dtype=np.int64)
    codes = numpy_of(indices)
    if indices.null_count:
        return np.where(np.isnan(codes), -1, codes).astype(np.int64)
    return codes.astype(np.int64)


def take(array: pa.Array | pa.Table, rows: np.ndarray, mask: np.ndarray | None = None) -> pa.Array | pa.Table:
    """``array.take(rows)`` with rows from numpy (``mask``: True where the result is null)."""
    return array.take(array_of(np.asarray(rows, dtype=np.int64), mask))


# --------------------------------------------------------------------------- text as dictionaries


def distinct(array: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """A dictionary array as (its dictionary, per-row codes with -1 for null); another array as (itself, None)."""
    if not pa.types.is_dictionary(array.type):
        return array, None
    return array.dictionary, codes_of(array)


def coded(array: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(distinct values, per-row codes with -1 for null) of any column: its dictionary and codes
    when it is a dictionary array, else those of its dictionary encoding."""
    if not pa.types.is_dictionary(array.type):
        import pyarrow.compute as pc

        array = pc.dictionary_encode(array)
    return array.dictionary, codes_of(array)


def per_row(results: np.ndarray, codes: np.ndarray | None, fill: object = False) -> np.ndarray:
    """Results computed per distinct value (see :func:`distinct`) as results per row (``fill`` for nulls)."""
    if codes is None:
        return results
    return cast(np.ndarray, np.append(results, np.array([fill], dtype=results.dtype))[codes])


def rejoin(values: pa.Array, codes: np.ndarray | None) -> pa.Array:
    """Values computed per distinct value back as a column: as they are when there were no codes;
    text as a dictionary array in which equal values (two spellings made one) share one code."""
    if codes is None:
        return values
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(values.cast(pa.string()))
        remap = codes_of(encoded)
        new = np.append(remap, -1)[codes]
        return pa.DictionaryArray.from_arrays(array_of(np.where(new < 0, 0, new).astype(np.int32), new < 0),
                                              encoded.dictionary)
    return take(values, np.where(codes < 0, 0, codes), codes < 0)


def combinations(*columns: pa.Array) -> tuple[list[pa.Array], np.ndarray]:
    """The distinct combinations of values of columns of one length (as one array per column,
    each combination at its first row's values) and each row's combination: rules that look
    at two columns together (a benchmark and its metric) decide once per combination."""
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    for column in columns:
        _, codes = coded(column)
        width = int(codes.max()) + 2 if n else 1
        if int(key.max(initial=0)) + 1 > (1 << 62) // width:
            key = _ranks(key)
        key = key * width + codes + 1
    combination = _ranks(key)
    first = np.empty(int(combination.max(initial=-1)) + 1, dtype=np.int64)
    first[combination[::-1]] = np.arange(n - 1, -1, -1)  # the last write of each is its first row
    return [take(column, first) for column in columns], combination


def _ranks(key: np.ndarray) -> np.ndarray:
    """Each value's rank among the distinct values of ``key`` (non-negative integers)."""
    top = int(key.max(initial=-1)) + 1
    if top <= 4 * len(key) + 1024:  # a dense range: one pass, no sort
        seen = np.zeros(top, dtype=bool)
        seen[key] = True
        return cast(np.ndarray, (np.cumsum(seen) - 1)[key])
    return cast(np.ndarray, np.unique(key, return_inverse=True)[1].reshape(-1))


def choose(mask: np.ndarray, then: pa.Array, otherwise: pa.Array) -> pa.Array:
    """Row-wise ``then`` where ``mask``, else ``otherwise``. Text stays a dictionary array when
    either side is one (the choice is made on codes); other columns go through Arrow's ``if_else``."""
    import pyarrow.compute as pc

    if not (pa.types.is_dictionary(then.type) or pa.types.is_dictionary(otherwise.type)):
        return pc.if_else(array_of(mask), then, otherwise)
    (a, ca), (b, cb) = coded(then), coded(otherwise)
    codes = np.where(mask, ca, np.where(cb < 0, -1, cb + len(a)))
    return rejoin(pa.concat_arrays([a.cast(pa.string()), b.cast(pa.string())]), codes)


TRUE = scalar(True)
FALSE = scalar(False)
ZERO = scalar(0)


def lists_of(values: Sequence[Sequence[str] | None]) -> pa.Array:
    """A list<string> array from Python lists of text (None: an empty list)."""
    lengths = np.array([len(v or []) for v in values], dtype=np.int32)
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.ListArray.from_arrays(array_of(offsets), strings([x for v in values for x in (v or [])]))


def column_of(values: Sequence[object], kind: pa.DataType) -> pa.Array:
    """An Arrow array of Python values (None for nulls) of a plain type: string, int64, float64, bool."""
    missing = np.array([v is None for v in values], dtype=bool)
    if pa.types.is_string(kind):
        return strings([None if v is None else str(v) for v in values])
    if pa.types.is_boolean(kind):
        return array_of(np.array([bool(v) for v in values], dtype=bool), missing)
    if pa.types.is_integer(kind):
        return array_of(np.array([0 if v is None else v for v in values], dtype=np.int64), missing)
    return array_of(np.array([np.nan if v is None else v for v in values], dtype=np.float64), missing)


def widened(values: np.ndarray) -> np.ndarray:
    """Narrow floats (float32, float16) as the float64 of their shortest decimal.

    A float32 column holding 57.8 holds 57.79999923706055 when widened bit for bit; the
    number the writer meant is the shortest decimal that rounds to the same float32 — found
    here by trying 1 to 9 significant digits on the whole array at once.
    """
    wide = values.astype(np.float64)
    out = wide.copy()
    done = ~np.isfinite(wide) | (wide == 0)
    with np.errstate(all="ignore"):
        magnitude = np.floor(np.log10(np.abs(np.where(done, 1.0, wide))))
        for digits in range(1, 10):
            scale = 10.0 ** (digits - 1 - magnitude)
            candidate = np.round(wide * scale) / scale
            hit = ~done & (candidate.astype(values.dtype) == values)
            out[hit] = candidate[hit]
            done |= hit
    return out
