"""Arrow arrays to and from numpy and Python, without pyarrow's pandas-backed conversions.

``Array.to_numpy`` and ``pa.array(list)`` import pandas (a fifth of a second) the first time
they run. Validating one entry file, or a bulk file, needs neither pandas nor those paths:
these helpers read and build the Arrow buffers directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

__all__ = ["numpy_of", "string_array"]


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
            return values & valid
        values = values.astype(np.float64)
        values[~valid] = np.nan
    return values
