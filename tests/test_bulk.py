"""Bulk record files (Parquet, CSV, Arrow) through `validate` and `build`, as a maintainer uses them."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchtables.store import Store
from benchtables.validation.pipeline import _progress
from conftest import SOURCE

DECLARATIONS = SOURCE + """\
models:
  - {id: m-7b, name: M 7B, parameters: 7B, introduced_by: test2024}
  - {id: n-13b, name: N 13B, parameters: 13B}
scores:
  - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60.1, where: Table 1}
"""


def scores(n: int, *, start: int = 0) -> pa.Table:
    """``n`` distinct valid score rows (n_shot tells them apart)."""
    shots = np.arange(start, start + n)
    return pa.table({
        "model": pa.array(np.where(shots % 2 == 0, "m-7b", "N 13B").astype(object)),
        "benchmark": pa.array(np.full(n, "MMLU").astype(object)),
        "n_shot": pa.array(shots + 100, pa.int64()),
        "value": pa.array(np.linspace(1, 99, n)),
        "where": pa.array([f"results/{i}.json" for i in shots]),
        "source": pa.array(np.full(n, "test2024").astype(object)),
    })


@pytest.fixture
def declared(project):
    project.write("test2024.yaml", DECLARATIONS)
    return project


def test_a_good_parquet_file_validates_and_builds_into_the_store(declared, cli):
    pq.write_table(scores(1000), declared.entries / "scores-run.parquet")
    assert cli("validate").code == 0
    built = cli("build")
    assert built.code == 0, built.err
    table = Store(declared.store).table("scores")
    bulk = table.filter(pa.compute.equal(table["file"], "data/entries/scores-run.parquet"))
    assert bulk.num_rows == 1000
    rows = bulk.to_pylist()
    assert {r["model"] for r in rows} == {"m-7b", "n-13b"}  # aliases resolved to ids
    assert {r["benchmark"] for r in rows} == {"mmlu"} and {r["metric"] for r in rows} == {"acc"}
    assert all(r["first_party"] == (r["model"] == "m-7b") for r in rows)  # m-7b was introduced by test2024
    assert all(r["qualifiers"] == [] and r["estimated"] is False for r in rows)
    assert cli("build", "--check").code == 0
    board = cli("leaderboard", "mmlu", "--n-shot", "1099", "--format", "json")
    assert board.code == 0 and json.loads(board.out)["rows"][0]["model"] == "n-13b"


def test_three_bad_rows_among_many_are_reported_by_row_with_a_cap(declared, cli):
    table = scores(60_000)
    values = table["value"].to_numpy().copy()
    values[[4, 30_000, 59_999]] = [101.0, -2.0, math.nan]
    table = table.set_column(table.schema.get_field_index("value"), "value", pa.array(values))
    pq.write_table(table, declared.entries / "scores-run.parquet")
    result = cli("validate", "--max-problems", "2")
    assert result.code == 1
    lines = result.out.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["row 5", "row 30001"]
    assert "value: 101 is above the maximum for Accuracy" in lines[0]
    assert "3 errors, 0 warnings (2 listed)" in result.err
    report = json.loads(cli("validate", "--format", "json").out)
    assert report["errors"] == 3 and report["omitted"] == 0
    assert [(p["row"], p["field"], p["code"]) for p in report["problems"]] == [
        (5, "value", "out_of_range"), (30001, "value", "out_of_range"), (60000, "value", "finite_number")]
    github = cli("validate", "--format", "github", "--max-problems", "1").out
    assert github.startswith("::error file=data/entries/scores-run.parquet,title=out_of_range value (row 5)::")


def test_a_wrong_schema_is_one_error_per_column(declared, cli):
    base = scores(50_000).drop_columns(["benchmark", "value"])
    flags = base.append_column("value", pc.greater(base["n_shot"], 5))  # a flag where a number belongs
    pq.write_table(flags, declared.entries / "scores-run.parquet")
    report = json.loads(cli("validate", "--format", "json").out)
    assert sorted((p["field"], p["code"]) for p in report["problems"]) == [
        ("benchmark", "missing_column"), ("value", "column_type")]
    assert "column 'value' is bool, not numbers" in json.dumps(report)
    twice = flags.append_column("value", base["n_shot"])
    pq.write_table(twice, declared.entries / "scores-run.parquet")
    report = json.loads(cli("validate", "--format", "json").out)
    assert sorted((p["field"], p["code"]) for p in report["problems"]) == [
        ("benchmark", "missing_column"), ("value", "duplicate_column")]


@pytest.mark.parametrize("cut", [0, 100, -20])
def test_a_truncated_parquet_file_is_a_clear_error(declared, cli, cut):
    pq.write_table(scores(2000), declared.entries / "scores-run.parquet")
    data = (declared.entries / "scores-run.parquet").read_bytes()
    (declared.entries / "scores-run.parquet").write_bytes(data[:cut])
    result = cli("validate")
    assert result.code == 1
    assert "scores-run.parquet: error: cannot read scores-run.parquet as parquet" in result.out
    assert "Traceback" not in result.out + result.err


def test_csv_and_arrow_files_and_the_kind_option(declared, cli, tmp_path):
    csv = tmp_path / "results.csv"
    csv.write_text("\ufeffmodel,benchmark,n_shot,value,source\nm-7b,hellaswag,10,80.5,test2024\nN 13B,hellaswag,10,70.5,test2024\n",
                   encoding="utf-8")
    # models and sources are declared by the project's entry files, validated alongside
    unnamed = cli("validate", declared.entries, csv)
    assert unnamed.code == 1 and "say which records it holds" in unnamed.out
    assert cli("validate", declared.entries, csv, "--kind", "scores").code == 0
    feather.write_feather(scores(10), tmp_path / "scores.arrow")
    assert cli("validate", declared.entries, tmp_path / "scores.arrow").code == 0
    assert cli("validate", csv, "--kind", "score").code == 2  # not a kind: usage error


@pytest.mark.parametrize(("text", "line"), [
    ("model,benchmark,value,source\nm-7b,mmlu,60,test2024\nm-7b,mmlu,140,test2024\n", 3),
    ("model,benchmark,value,source\r\nm-7b,mmlu,60,test2024\r\nm-7b,mmlu,140,test2024", 3),  # CRLF, no last newline
    ('model,benchmark,value,where,source\nm-7b,mmlu,60,"Table\n1",test2024\nm-7b,mmlu,140,x,test2024\n', None),
])
def test_csv_rows_are_annotated_at_their_line(declared, cli, text, line):
    """GitHub shows an annotation at a line; a CSV row is one when no quoted cell breaks a line."""
    (declared.entries / "scores-run.csv").write_text(text, encoding="utf-8", newline="")
    (problem,) = json.loads(cli("validate", "--format", "json").out)["problems"]
    assert (problem["row"], problem["line"], problem["code"]) == (2, line, "out_of_range")
    github = cli("validate", "--format", "github").out
    assert github.startswith("::error file=data/entries/scores-run.csv," + (f"line={line}," if line else "title="))


def test_a_bulk_row_repeating_an_entry_file_record_or_another_bulk_file(declared, cli):
    assert cli("build").code == 0
    before = declared.store_bytes()
    repeat = pa.table({"model": ["m-7b"], "benchmark": ["mmlu"], "n_shot": [5], "value": [60.1],
                       "where": ["Table 1"], "source": ["test2024"]})
    pq.write_table(pa.concat_tables([scores(3), repeat]), declared.entries / "scores-a.parquet")
    pq.write_table(scores(2, start=1), declared.entries / "scores-b.parquet")
    report = json.loads(cli("validate", "--format", "json").out)
    found = sorted((p["file"], p["row"], p["message"].split(" (model=")[0]) for p in report["problems"]
                   if p["code"] == "duplicate_record")
    assert found == [
        ("data/entries/scores-a.parquet", 4, "the same score record as test2024 at data/entries/test2024.yaml:6"),
        ("data/entries/scores-b.parquet", 1, "the same score record as test2024 at data/entries/scores-a.parquet: row 2"),
        ("data/entries/scores-b.parquet", 2, "the same score record as test2024 at data/entries/scores-a.parquet: row 3"),
    ]
    assert cli("build").code == 1
    assert declared.store_bytes() == before  # the store as it was


def test_a_bulk_file_repeating_what_the_store_has_from_another_file(declared, cli, tmp_path):
    pq.write_table(scores(5), declared.entries / "scores-a.parquet")
    assert cli("build").code == 0
    pq.write_table(scores(2, start=3), tmp_path / "scores-new.parquet")
    result = cli("validate", tmp_path / "scores-new.parquet", "--format", "json")
    messages = [(p["row"], p["message"].split(" (model=")[0]) for p in json.loads(result.out)["problems"]]
    assert messages == [(1, "the same score record as test2024 (results/3.json; data/entries/scores-a.parquet)"),
                        (2, "the same score record as test2024 (results/4.json; data/entries/scores-a.parquet)")]
    # the same file validated again is not compared with its own rows in the store
    assert cli("validate", declared.entries / "scores-a.parquet").code == 0


def test_rows_naming_undeclared_models_and_sources(declared, cli):
    table = scores(4).set_column(0, "model", pa.array(["m-7b", "m-7", "m-7b", "m-7b"]))
    table = table.set_column(5, "source", pa.array(["test2024", "test2024", "nope", None]))
    pq.write_table(table, declared.entries / "scores-run.parquet")
    problems = [p for p in json.loads(cli("validate", "--format", "json").out)["problems"] if p["severity"] == "error"]
    assert [(p["row"], p["field"], p["code"]) for p in problems] == [
        (2, "model", "unknown_model"), (3, "source", "unknown_source"), (4, "source", "missing")]
    assert "did you mean 'm-7b'" in problems[0]["hint"]


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    bar = _progress(5_000_000, None)
    assert bar is not None
    bar.close()
    assert _progress(100, None) is None  # small inputs finish before a bar helps
    monkeypatch.setenv("CI", "true")
    assert _progress(5_000_000, None) is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert _progress(5_000_000, None) is None


def test_validate_records_checks_a_dataframe_against_the_store():
    import pandas as pd

    import benchtables as bt
    from conftest import REPO

    frame = pd.DataFrame({"model": ["PaLM 540B", "palm-540b", "gpt-9"], "benchmark": ["MMLU", "mmlu", "mmlu"],
                          "n_shot": [5, 1, 5], "value": [69.3, 1000.0, 50.0]})
    result = bt.validate_records(frame, "scores", store=REPO / "data" / "store")
    assert [(p.row, p.field, p.code) for p in result.problems] == [(2, "value", "out_of_range"), (3, "model", "unknown_model")]
    assert result.valid.tolist() == [True, False, False]
    first = result.table.slice(0, 1).to_pylist()[0]
    assert (first["model"], first["benchmark"], first["metric"]) == ("palm-540b", "mmlu", "acc")  # canonical ids


def test_csv_cells_are_read_row_by_row(declared, cli):
    """A CSV has no types: its cells are read as an entry file's values are (57.8% is 57.8), text that is no
    number is an error at its row, blank cells are missing."""
    declared.write("scores-hand.csv", "model,benchmark,n_shot,value,where,estimated,subset\r\n"
                   "m-7b,arc-challenge,25,57.8,6,no,\r\n"          # where 6: text; estimated no: a flag
                   "m-7b,arc-easy,25,N/A,7,,\r\n"
                   "m-7b,hellaswag,10,57.8%,Table 2,,\r\n"
                   "m-7b,winogrande,5,—,,yes,\r\n"
                   "m-7b,piqa,0,7.0e1,,,1\r\n"
                   "m-7b,boolq,,,,,\r\n"
                   "m-7b,gsm8k,five,40,,maybe,\r\n".replace(",\r\n", ",\r\n").replace("model,", "model,source,", 1)
                   .replace("\r\nm-7b,", "\r\nm-7b,test2024,"))
    report = json.loads(cli("validate", "--format", "json").out)
    found = [(p["row"], p["field"], p["code"]) for p in report["problems"] if p["severity"] == "error"]
    assert found == [(2, "value", "quantity_parsing"), (4, "value", "quantity_parsing"), (6, "value", "missing"),
                     (7, "estimated", "bool_parsing"), (7, "n_shot", "number_expected")]
    message = next(p for p in report["problems"] if p["row"] == 2 and p["severity"] == "error")
    assert "cannot read 'N/A'" in message["message"]  # a cell read as an entry file's value is: 57.8% is 57.8
    (declared.entries / "scores-hand.csv").write_text(
        "model,source,benchmark,n_shot,value,where,estimated,subset\nm-7b,test2024,piqa,0,7.0e1,6,no,1\n")
    assert cli("build").code == 0
    row = next(r for r in Store(declared.store).table("scores").to_pylist() if r["benchmark"] == "piqa")
    assert (row["value"], row["n_shot"], row["where"], row["estimated"], row["subset"]) == (70.0, 0, "6", False, "1")


def test_files_written_by_pandas_and_polars(declared, cli):
    """large_string and string_view text, unsigned dictionary indices, float32 numbers."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"model": ["m-7b", "N 13B"], "benchmark": ["mmlu", "mmlu"], "n_shot": [3, 4],
                          "value": pd.array([57.8, 61.0], dtype="float32"), "where": [" Table 1 ", "§4.1"],
                          "source": ["test2024", "test2024"]})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = pa.table({name: table[name].cast(pa.large_string()) if pa.types.is_string(table[name].type)
                      else table[name] for name in table.column_names})
    pq.write_table(table, declared.entries / "scores-pandas.parquet")
    model = pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.uint8()), pa.array(["n-13b", "m-7b"]))
    feather.write_feather(table.set_column(0, "model", model).set_column(2, "n_shot", pa.array([7, 8])),
                          declared.entries / "scores-polars.arrow")
    assert cli("validate").code == 0
    assert cli("build").code == 0
    rows = [r for r in Store(declared.store).table("scores").to_pylist() if r["file"].endswith((".parquet", ".arrow"))]
    assert sorted((r["n_shot"], r["model"], r["value"], r["where"]) for r in rows) == [
        (3, "m-7b", 57.8, "Table 1"), (4, "n-13b", 61.0, "§4.1"), (7, "m-7b", 57.8, "Table 1"), (8, "n-13b", 61.0, "§4.1")]


def test_a_store_table_fed_back_as_a_bulk_file(declared, cli):
    pq.write_table(scores(20), declared.entries / "scores-a.parquet")
    assert cli("build").code == 0
    store = Store(declared.store).table("scores")
    (declared.entries / "scores-a.parquet").unlink()
    pq.write_table(store.filter(pc.equal(store["file"], "data/entries/scores-a.parquet")),
                   declared.entries / "scores-copy.parquet")
    assert cli("validate").code == 0
    assert cli("build").code == 0
    again = Store(declared.store).table("scores")
    assert set(again["file"].to_pylist()) == {"data/entries/test2024.yaml", "data/entries/scores-copy.parquet"}
    assert again.num_rows == store.num_rows


def test_renaming_a_bulk_file_is_not_a_duplicate_of_itself(declared, cli):
    pq.write_table(scores(30), declared.entries / "scores-a.parquet")
    assert cli("build").code == 0
    (declared.entries / "scores-a.parquet").rename(declared.entries / "scores-renamed.parquet")
    result = cli("validate", "--format", "json")
    codes = {p["code"] for p in json.loads(result.out)["problems"]}
    assert result.code == 0 and codes == {"deleted_file"}


def test_fractions_where_percents_belong_and_empty_files_are_warned_about(declared, cli):
    fractions = scores(40).set_column(3, "value", pa.array(np.linspace(0.2, 0.9, 40)))
    pq.write_table(fractions, declared.entries / "scores-lm-eval.parquet")
    pq.write_table(pa.table({"model": ["m-7b"], "mfu": [0.46], "source": ["test2024"]}),
                   declared.entries / "utilization-run.parquet")
    pq.write_table(scores(0), declared.entries / "scores-empty.parquet")
    report = json.loads(cli("validate", "--format", "json").out)
    warnings = sorted((p["file"].split("/")[-1], p["field"], p["code"]) for p in report["problems"])
    assert warnings == [("scores-empty.parquet", None, "empty_file"),
                        ("scores-lm-eval.parquet", "value", "fraction_as_percent"),
                        ("utilization-run.parquet", "mfu", "fraction_as_percent")]
    assert report["errors"] == 0
    assert any("all 40 Accuracy values" in p["message"] for p in report["problems"])


def test_the_cap_counts_checks_within_and_across_files_together(declared, cli):
    pq.write_table(scores(10), declared.entries / "scores-a.parquet")
    bad = scores(10).set_column(3, "value", pa.array([200.0] * 5 + list(np.linspace(1, 9, 5))))
    pq.write_table(bad, declared.entries / "scores-b.parquet")  # 5 out of range, 5 repeating scores-a
    report = json.loads(cli("validate", "--format", "json", "--max-problems", "3").out)
    rows = [p["row"] for p in report["problems"] if p["file"].endswith("scores-b.parquet")]
    assert rows == [1, 2, 3] and report["errors"] == 10 and report["omitted"] == 7


def test_a_csv_with_no_column_of_a_record_is_read_as_empty_columns(tmp_path):
    """Stray columns are only reported by name: none is parsed, even when no column is a field."""
    from benchtables.validation.read import read_bulk

    path = tmp_path / "stray.csv"
    path.write_text("foo,bar\n1,2\n3,4\n", encoding="utf-8")
    table = read_bulk(path)
    assert table.column_names == ["foo", "bar"] and table.num_rows == 2
    assert all(pa.types.is_null(t) for t in table.schema.types)


@given(st.lists(st.integers(0, 6), max_size=60), st.data())
def test_rows_reported_again_are_every_shared_identity_in_pool_order(ids, data):
    """The disagreement check compares the rows whose identity another compared row shares: found
    by sorting when few repeat and when most do, grouped by identity, each group in pool order."""
    from benchtables.validation.across import _reported_again

    ids = np.array(ids + data.draw(st.lists(st.integers(100, 10**6), max_size=data.draw(st.sampled_from([0, 200])))),
                   dtype=np.uint64)
    repeated = np.array(data.draw(st.lists(st.booleans(), min_size=len(ids), max_size=len(ids))), dtype=bool) \
        if data.draw(st.booleans()) else None
    rows, groups = _reported_again(ids, repeated)
    compared = [i for i in range(len(ids)) if repeated is None or not repeated[i]]
    counts = {}
    for i in compared:
        counts[int(ids[i])] = counts.get(int(ids[i]), 0) + 1
    expected = sorted((int(ids[i]), i) for i in compared if counts[int(ids[i])] > 1)
    assert rows.tolist() == [i for _, i in expected]
    same_group = [bool(a == b) for a, b in zip(groups[1:], groups[:-1], strict=True)]
    assert same_group == [a[0] == b[0] for a, b in zip(expected[1:], expected[:-1], strict=True)]
