"""Bulk record files (Parquet, CSV, Arrow) through `validate` and `build`, as a maintainer uses them."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from benchtables.columnar import _progress
from benchtables.store import Store
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
    assert "3 errors (2 shown)" in result.err
    report = json.loads(cli("validate", "--format", "json").out)
    assert report["errors"] == 3 and report["omitted"] == 0
    assert [(p["row"], p["field"], p["code"]) for p in report["problems"]] == [
        (5, "value", "out_of_range"), (30001, "value", "out_of_range"), (60000, "value", "quantity_parsing")]
    github = cli("validate", "--format", "github", "--max-problems", "1").out
    assert github.startswith("::error file=data/entries/scores-run.parquet,title=out_of_range value (row 5)::")


def test_a_wrong_schema_is_one_error_per_column(declared, cli):
    table = scores(50_000).drop_columns(["benchmark"])
    table = table.set_column(table.schema.get_field_index("value"), "value", table["value"].cast(pa.string()))
    pq.write_table(table, declared.entries / "scores-run.parquet")
    report = json.loads(cli("validate", "--format", "json").out)
    assert sorted((p["field"], p["code"]) for p in report["problems"]) == [
        ("benchmark", "missing_column"), ("value", "column_type")]
    assert "column 'value' is string, not float" in json.dumps(report)


@pytest.mark.parametrize("cut", [0, 100, -20])
def test_a_truncated_parquet_file_is_a_clear_error(declared, cli, cut):
    pq.write_table(scores(2000), declared.entries / "scores-run.parquet")
    data = (declared.entries / "scores-run.parquet").read_bytes()
    (declared.entries / "scores-run.parquet").write_bytes(data[:cut] if cut >= 0 else data[:cut])
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


def test_a_bulk_row_repeating_an_entry_file_record_or_another_bulk_file(declared, cli):
    assert cli("build").code == 0
    before = declared.store_bytes()
    repeat = pa.table({"model": ["m-7b"], "benchmark": ["mmlu"], "n_shot": [5], "value": [60.1],
                       "where": ["Table 1"], "source": ["test2024"]})
    pq.write_table(pa.concat_tables([scores(3), repeat]), declared.entries / "scores-a.parquet")
    pq.write_table(scores(2, start=1), declared.entries / "scores-b.parquet")
    report = json.loads(cli("validate", "--format", "json").out)
    found = sorted((p["file"], p["row"], p["message"]) for p in report["problems"] if p["code"] == "duplicate_record")
    assert found == [
        ("data/entries/scores-a.parquet", 4, "the same scores record as data/entries/test2024.yaml"),
        ("data/entries/scores-b.parquet", 1, "the same scores record as data/entries/scores-a.parquet: row 2"),
        ("data/entries/scores-b.parquet", 2, "the same scores record as data/entries/scores-a.parquet: row 3"),
    ]
    assert cli("build").code == 1
    assert declared.store_bytes() == before  # the store as it was


def test_a_bulk_file_repeating_what_the_store_has_from_another_file(declared, cli, tmp_path):
    pq.write_table(scores(5), declared.entries / "scores-a.parquet")
    assert cli("build").code == 0
    pq.write_table(scores(2, start=3), tmp_path / "scores-new.parquet")
    result = cli("validate", tmp_path / "scores-new.parquet", "--format", "json")
    messages = [(p["row"], p["message"]) for p in json.loads(result.out)["problems"]]
    assert messages == [(1, "the same scores record as data/entries/scores-a.parquet"),
                        (2, "the same scores record as data/entries/scores-a.parquet")]
    # the same file validated again is not compared with its own rows in the store
    assert cli("validate", declared.entries / "scores-a.parquet").code == 0


def test_rows_naming_undeclared_models_and_sources(declared, cli):
    table = scores(4).set_column(0, "model", pa.array(["m-7b", "m-7", "m-7b", "m-7b"]))
    table = table.set_column(5, "source", pa.array(["test2024", "test2024", "nope", None]))
    pq.write_table(table, declared.entries / "scores-run.parquet")
    problems = json.loads(cli("validate", "--format", "json").out)["problems"]
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
