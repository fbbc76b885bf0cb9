"""Arrow ↔ numpy without pandas: the conversions the validate path uses to start fast."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchtables.arrays import numpy_of, string_array

KINDS = [
    (pa.bool_(), st.booleans()),
    (pa.int8(), st.integers(-128, 127)),
    (pa.int32(), st.integers(-(2**31), 2**31 - 1)),
    (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    (pa.uint16(), st.integers(0, 2**16 - 1)),
    (pa.float64(), st.floats(allow_nan=False)),
]


@pytest.mark.parametrize(("arrow", "values"), KINDS, ids=[str(k[0]) for k in KINDS])
@given(data=st.data())
def test_numpy_of_matches_the_values(arrow, values, data):
    items = data.draw(st.lists(st.one_of(st.none(), values), max_size=40))
    start = data.draw(st.integers(0, len(items)))
    array = pa.array(items, arrow).slice(start)  # slices have an offset into their buffers
    got = numpy_of(array)
    expected = items[start:]
    assert len(got) == len(expected)
    for g, e in zip(got.tolist(), expected, strict=True):
        if e is None:
            assert g is False if arrow == pa.bool_() else np.isnan(g)
        else:  # integers with nulls come back as float64, as documented
            assert g == (float(e) if got.dtype.kind == "f" else e)


def test_numpy_of_chunked_and_unsupported():
    assert numpy_of(pa.chunked_array([[1.5], [None, 2.5]])).tolist()[::2] == [1.5, 2.5]
    with pytest.raises(TypeError, match="booleans and numbers"):
        numpy_of(pa.array(["a"]))


@given(st.lists(st.text(), max_size=20))
def test_string_array_round_trips(values):
    assert string_array(values).to_pylist() == values


def test_validating_one_entry_file_does_not_import_pandas(tmp_path):
    entry = tmp_path / "new.yaml"
    entry.write_text("source: {id: new2026, title: New, url: 'https://example.org/new', year: 2026}\n"
                     "scores:\n  - {model: palm-540b, benchmark: mmlu, n_shot: 5, value: 69.1, where: Table 2}\n")
    probe = ("import sys\nfrom benchtables.cli import run\ncode = run(['validate', sys.argv[1]])\n"
             "print(code, sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, str(entry)], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "0 []", done.stdout + done.stderr
