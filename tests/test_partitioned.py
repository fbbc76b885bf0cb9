"""Stores at scale: row order, filtered reads, Hive-partitioned stores that other engines read."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import benchtables as bt
from benchtables.errors import UsageError
from benchtables.project import Project
from benchtables.store import Store
from conftest import REPO


@pytest.fixture
def shipped(tmp_path):
    """A copy of this repository's entries, built once as one file per table and once partitioned."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "data" / "entries", root / "data" / "entries")
    from benchtables.builder import build

    plain = build(project=Project(root), store=root / "data" / "plain")
    split = build(project=Project(root), store=root / "data" / "store", partition_by="benchmark")
    return root, plain, split


def test_scores_are_stored_benchmark_first(shipped):
    _, plain, _ = shipped
    scores = Store(plain.store).table("scores")
    benchmarks = scores["benchmark"].to_pylist()
    assert benchmarks == sorted(benchmarks)  # so row groups hold one benchmark's rows together


def test_partitioned_store_layout_and_contents(shipped):
    root, plain, split = shipped
    directories = sorted(p.name for p in (split.store / "scores").iterdir())
    assert directories == sorted(f"benchmark={b}" for b in set(Store(plain.store).table("scores")["benchmark"].to_pylist()))
    assert (split.store / "training.parquet").is_file()  # tables without the column stay single files
    for name in ("scores", "training", "models"):
        assert Store(split.store).table(name).equals(Store(plain.store).table(name), check_metadata=True)
    # a later build keeps the layout, and --check compares it
    from benchtables.builder import build

    assert build(project=Project(root), check=True).stale == []
    assert build(project=Project(root), store=root / "data" / "store", check=True, partition_by="model").stale


def test_tables_read_the_same_from_either_layout(shipped):
    _, plain, split = shipped
    for function, args, options in ((bt.leaderboard, ("mmlu",), {}),
                                    (bt.leaderboard, ("pretraining",), {"metric": "train_loss"}),
                                    (bt.leaderboard, ("open-llm-v1",), {"metric": "average"}),
                                    (bt.compare, (["palm-540b", "chinchilla-70b"], ["mmlu"]), {})):
        a, b = function(*args, **options, store=plain.store), function(*args, **options, store=split.store)
        assert len(a) > 1 and a.equals(b)
        assert a.attrs.get("caption") == b.attrs.get("caption")


@pytest.mark.parametrize("where", [
    {"benchmark": ["mmlu"]},
    {"benchmark": ["mmlu", "hellaswag"], "metric": ["acc", "acc_norm"]},
    {"benchmark": ["mmlu"], "n_shot": [5], "setting": [None], "subset": [None]},
    {"model": ["palm-540b"], "setting": [None, "cot"]},
    {"benchmark": ["no-such-benchmark"]},
])
def test_filtered_reads_match_filtering_the_whole_table(shipped, monkeypatch, where):
    _, plain, split = shipped
    whole = Store(plain.store).table("scores")
    mask = None
    for column, values in where.items():
        present = [v for v in values if v is not None]
        part = pc.is_in(whole[column], value_set=pa.array(present, whole.schema.field(column).type))
        if None in values:
            part = pc.or_(part, pc.is_null(whole[column]))
        mask = part if mask is None else pc.and_(mask, part)
    expected = whole.filter(mask)
    assert Store(plain.store).scan("scores", where=where).equals(expected)  # small table: read whole, filtered
    assert Store(split.store).scan("scores", where=where).equals(expected)  # partitions pruned
    monkeypatch.setattr("benchtables.store.SCAN_ROWS", 0)  # as a large single file: filtered while read
    assert Store(plain.store).scan("scores", where=where).equals(expected)


def test_other_engines_read_the_partitioned_store(shipped):
    duckdb = pytest.importorskip("duckdb")
    polars = pytest.importorskip("polars")
    _, plain, split = shipped
    expected = Store(plain.store).table("scores")
    counts = sorted(pc.value_counts(expected["benchmark"]).to_pylist(), key=lambda c: c["values"])
    query = (f"SELECT benchmark, count(*) AS n, sum(value) AS total FROM "
             f"read_parquet('{split.store}/scores/*/*.parquet', hive_partitioning = true) GROUP BY benchmark ORDER BY benchmark")
    rows = duckdb.sql(query).fetchall()
    assert [(b, n) for b, n, _ in rows] == [(c["values"], c["counts"]) for c in counts]
    assert sum(t for *_, t in rows) == pytest.approx(pc.sum(expected["value"]).as_py())
    frame = polars.scan_parquet(split.store / "scores", hive_partitioning=True).collect()
    assert frame.height == expected.num_rows
    assert sorted(frame["benchmark"].unique().to_list()) == [c["values"] for c in counts]


def test_partitioning_by_a_column_no_record_table_has(shipped, cli):
    root, _, _ = shipped
    from benchtables.builder import build

    with pytest.raises(UsageError, match="no record table has a column 'colour'"):
        build(project=Project(root), partition_by="colour")
