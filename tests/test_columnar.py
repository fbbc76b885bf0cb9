"""The columnar validator against the per-record one: same rules, same verdicts, row by row."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchtables.bulk import bulk_kind, read_bulk
from benchtables.columnar import validate_table
from benchtables.entries import ValidationContext
from benchtables.errors import FormatError, UsageError
from benchtables.names import NameIndex
from benchtables.records import check_record
from benchtables.registry import Registry
from benchtables.schemas import RECORD_KINDS
from benchtables.store import arrow_type_of

INDEX = NameIndex("model")
INDEX.add("m-7b", "M 7B", "M7B")
INDEX.add("n-1b", "N 1B")
CTX = ValidationContext(Registry.shipped(), INDEX)

floats = st.one_of(st.none(), st.sampled_from([0.0, -1.0, 0.5, 1.0, 7.5, 50.0, 99.9, 100.0, 100.1, 250.0, 1e24,
                                               math.nan, math.inf, -math.inf]))
ints = st.one_of(st.none(), st.sampled_from([-1, 0, 1, 5, 50]),
                st.sampled_from([5.0, 2.5, 1e20, math.nan]))  # floats in a whole-number field
labels = st.one_of(st.none(), st.sampled_from(["", " ", "cot", "CoT", "maj@1, cot", "test", "Social Sciences"]))
texts = st.one_of(st.none(), st.sampled_from(["Table 1", "", "a note", " Table 1 ", "\u00a0§4.1\u3000", "表3",
                                               "\tline\nbreak\x85", "x" * 300]))
FIELD_VALUES = {
    "model": st.one_of(st.none(), st.sampled_from(["m-7b", "M7B", " m-7b ", "n-1b", "zz", ""])),
    "benchmark": st.one_of(st.none(), st.sampled_from(["mmlu", "MMLU", "hellaswag", "pretraining", "mmlux", ""])),
    "metric": st.one_of(st.none(), st.sampled_from(["acc", "acc_norm", "fid", "train_loss", "bogus", ""])),
    "qualifiers": st.one_of(st.none(), st.sampled_from([[], ["value~"], ["bad qualifier"], ["parameters>"],
                                                        [" value~ "], [None], ["bad", "worse"], ["value~", None, "x"]])),
    "estimated": st.one_of(st.none(), st.booleans()),
    "distilled": st.one_of(st.none(), st.booleans()),
}


def value_strategy(name, category):
    if name in FIELD_VALUES:
        return FIELD_VALUES[name]
    return {"float": floats, "int": ints, "str": labels if name in ("setting", "split", "subset", "sampler") else texts,
            "bool": st.one_of(st.none(), st.booleans())}[category]


def category(arrow):
    return ("list" if pa.types.is_list(arrow) else "str" if pa.types.is_string(arrow) else
            "bool" if pa.types.is_boolean(arrow) else "int" if pa.types.is_integer(arrow) else "float")


GOOD_VALUES = {
    "model": st.sampled_from(["m-7b", "M7B", "n-1b"]),
    "benchmark": st.sampled_from(["mmlu", "MMLU", "hellaswag"]),
    "metric": st.sampled_from([None, "acc"]),
    "qualifiers": st.sampled_from([None, [], ["value~"]]),
    "sampling_cost": st.none(),
}
GOOD_BY_CATEGORY = {
    "float": st.sampled_from([None, 0.5, 7.5, 50.0]),
    "int": st.sampled_from([None, 1, 5]),
    "str": st.sampled_from([None, "cot", "test"]),
    "bool": st.sampled_from([None, True, False]),
    "list": st.sampled_from([None, []]),
}


def good_rows_of(kind):
    """Rows the two paths should accept, before ``spoiled`` changes one field of some."""
    fields = {}
    for name, info in RECORD_KINDS[kind].model_fields.items():
        good = GOOD_VALUES.get(name, GOOD_BY_CATEGORY[category(arrow_type_of(info.annotation))])
        fields[name] = good.filter(lambda v: v is not None) if info.is_required() else good
    return st.fixed_dictionaries(fields)


@st.composite
def spoiled_rows_of(draw, kind):
    """A valid row with one field drawn from anything."""
    row = draw(good_rows_of(kind))
    name = draw(st.sampled_from(sorted(row)))
    return {**row, name: draw(any_rows_of(kind).map(lambda r: r[name]))}


def any_rows_of(kind):
    cls = RECORD_KINDS[kind]
    return st.fixed_dictionaries({n: value_strategy(n, category(arrow_type_of(i.annotation)))
                                  for n, i in cls.model_fields.items()})


def rows_of(kind):
    """Mostly valid rows, rows with one field drawn from anything, and rows of anything."""
    row = st.one_of(good_rows_of(kind), spoiled_rows_of(kind), any_rows_of(kind))
    return st.lists(row, min_size=1, max_size=12)


def encoded(values, arrow, how):
    """A column as another writer would give it: pandas, Polars, a CSV file, a Parquet dictionary."""
    if how == "large" and pa.types.is_string(arrow):
        return pa.array(values, pa.large_string())
    if how == "large" and pa.types.is_list(arrow):
        return pa.array(values, pa.large_list(pa.large_string()))
    if how == "dictionary" and not pa.types.is_list(arrow):
        distinct = list(dict.fromkeys(v for v in values if v is not None))
        dictionary = distinct + distinct[:1]  # a repeated dictionary value, as concatenated files have
        codes = [None if v is None else distinct.index(v) for v in values]
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.uint8()), pa.array(dictionary, arrow))
    finite = all(v is None or isinstance(v, bool) or math.isfinite(v) for v in values if not isinstance(v, str | list))
    if how == "text" and (pa.types.is_floating(arrow) or pa.types.is_integer(arrow)) and finite:
        return pa.array([None if v is None else repr(v) for v in values], pa.string())
    if how == "text" and pa.types.is_boolean(arrow):
        return pa.array([None if v is None else str(v).lower() for v in values], pa.string())
    return pa.array(values, arrow)


def table_of(kind, rows, encodings=None):
    cls = RECORD_KINDS[kind]
    columns = {}
    for name, info in cls.model_fields.items():
        values = [r[name] for r in rows]
        arrow = arrow_type_of(info.annotation)
        if pa.types.is_integer(arrow) and any(isinstance(v, float) for v in values):
            arrow = pa.float64()  # as a writer that stored the whole numbers as floats
        columns[name] = encoded(values, arrow, (encodings or {}).get(name, "native"))
    columns["source"] = pa.array(["s"] * len(rows))
    return pa.table(columns)


def per_record(kind, rows):
    """(row, field, code) of every problem, by the per-record path, duplicates included."""
    cls = RECORD_KINDS[kind]
    found, seen = [], set()
    for i, row in enumerate(rows):
        checked = check_record(cls, row, CTX)
        found += [(i, f, c) for f, c in checked.errors]
        if checked.ok:
            key = tuple({**checked.values, "source": "s"}.get(k) for k in cls.KEY)
            if key in seen:
                found.append((i, None, "duplicate_record"))
            seen.add(key)
    return sorted(found, key=repr)


@pytest.mark.parametrize("kind", list(RECORD_KINDS))
@settings(max_examples=300)
@given(data=st.data())
def test_both_validators_agree_row_by_row(kind, data):
    rows = data.draw(rows_of(kind))
    rows += data.draw(st.lists(st.sampled_from(rows), max_size=3))  # repeats, for duplicate keys
    chunk_rows = data.draw(st.sampled_from([1 << 20, 3]))  # one chunk, or several: keys repeat across them
    encodings = data.draw(st.fixed_dictionaries({n: st.sampled_from(["native", "large", "dictionary", "text"])
                                                 for n in RECORD_KINDS[kind].model_fields}))
    table = table_of(kind, rows, encodings)
    columnar = validate_table(table, kind, CTX, sources={"s"}, keep_details=True, chunk_rows=chunk_rows,
                              text_values=True)  # as for CSV: text columns hold numbers and flags
    assert sorted(columnar.details, key=repr) == per_record(kind, rows)
    assert columnar.valid.tolist() == [not any(r == i for r, _, _ in columnar.details) for i in range(len(rows))]


def test_canonical_values_match_the_record_path():
    rows = [{"model": "M7B", "benchmark": "MMLU", "metric": None, "value": 60.0, "setting": "CoT, maj@1",
             "subset": "Social Sciences"}]
    table = validate_table(table_of("scores", [{**{n: None for n in RECORD_KINDS["scores"].model_fields}, **rows[0]}]),
                           "scores", CTX, sources={"s"}).table.to_pylist()[0]
    record = check_record(RECORD_KINDS["scores"], rows[0], CTX).values
    for name in ("model", "benchmark", "metric", "setting", "subset"):
        assert table[name] == record[name]
    assert (table["model"], table["metric"], table["setting"], table["subset"]) == ("m-7b", "acc", "cot,maj@1", "social_sciences")


def test_schema_errors_are_one_per_column():
    table = pa.table({"model": ["m-7b"] * 1000, "value": pa.array([[1.0]] * 1000), "colour": [1] * 1000,
                      "source": ["s"] * 1000})
    result = validate_table(table, "scores", CTX, sources={"s"})
    assert sorted((p.code, p.field) for p in result.problems) == [
        ("column_type", "value"), ("extra_forbidden", "colour"), ("missing_column", "benchmark")]
    assert result.total == 3 and not result.valid.any()
    assert "column 'value' is list<item: double>, not float" in next(p.message for p in result.problems if p.field == "value")


def test_numbers_as_text_are_a_column_type_error_outside_csv():
    """Parquet and Arrow have types: a text column where numbers belong is the file's mistake."""
    table = pa.table({"model": ["m-7b"], "benchmark": ["mmlu"], "n_shot": ["0"], "value": ["76.1"], "source": ["s"]})
    result = validate_table(table, "scores", CTX, sources={"s"})
    assert sorted((p.code, p.field) for p in result.problems) == [("column_type", "n_shot"), ("column_type", "value")]
    assert validate_table(table, "scores", CTX, sources={"s"}, text_values=True).ok


def test_a_few_bad_rows_among_many_are_reported_exactly_and_capped():
    n = 200_000
    table = pa.table({"model": pa.array(["m-7b"] * n), "benchmark": pa.array(["mmlu"] * n),
                      "value": pa.array(np.linspace(1, 99, n)), "n_shot": pa.array(np.arange(n) % 64, pa.int64()),
                      "where": pa.array([f"row {i}" for i in range(n)]), "source": pa.array(["s"] * n)})
    values = table["value"].to_numpy().copy()
    values[[7, 123_456, n - 1]] = [-3.0, 140.0, math.nan]
    table = table.set_column(2, "value", pa.array(values))
    result = validate_table(table, "scores", CTX, sources={"s"}, limit=2)
    assert result.total == 3 and [p.row for p in result.problems] == [8, 123_457]  # 1-based, the first two
    assert [p.code for p in result.problems] == ["out_of_range", "out_of_range"]
    assert int((~result.valid).sum()) == 3 and not result.valid[n - 1]


def test_files_parquet_csv_feather_and_truncated(tmp_path):
    rows = [{"model": "m-7b", "benchmark": "mmlu", "value": 60.0, "source": "s"}]
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, tmp_path / "scores.parquet")
    (tmp_path / "scores.csv").write_text("model,benchmark,value,source\nm-7b,mmlu,60.0,s\n")
    import pyarrow.feather as feather

    feather.write_feather(table, tmp_path / "scores.arrow")
    for name in ("scores.parquet", "scores.csv", "scores.arrow"):
        loaded = read_bulk(tmp_path / name)
        assert bulk_kind(tmp_path / name, loaded) == "scores"
        assert validate_table(loaded, "scores", CTX, sources={"s"}, text_values=name.endswith(".csv")).ok
    broken = tmp_path / "scores-broken.parquet"
    broken.write_bytes((tmp_path / "scores.parquet").read_bytes()[:100])
    with pytest.raises(FormatError, match="cannot read scores-broken.parquet"):
        read_bulk(broken)
    with pytest.raises(UsageError, match="say which records"):
        bulk_kind(tmp_path / "results.parquet", table)
