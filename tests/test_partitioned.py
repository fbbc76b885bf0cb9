"""Stores at scale: row order, filtered reads, Hive-partitioned stores that other engines read."""

from __future__ import annotations

import json
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
        assert len(a) > 1 and a.frame.equals(b.frame)
        assert a.caption == b.caption and a.notes == b.notes


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
    monkeypatch.setattr("benchtables.store.read.SCAN_ROWS", 0)  # as a large single file: filtered while read
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


@pytest.mark.parametrize("column", ["colour", "qualifiers", "where"])
def test_partitioning_only_by_id_and_setting_columns(shipped, column):
    root, _, _ = shipped
    from benchtables.builder import build

    with pytest.raises(UsageError, match=f"cannot partition by '{column}': partition by one of benchmark, metric"):
        build(project=Project(root), partition_by=column)


def test_partitions_whose_names_sort_differently_from_their_paths(project, cli):
    """`cot` and `cot,maj@1` (escaped `cot%2Cmaj%401`), a null setting, and an empty sampling table."""
    from conftest import SOURCE

    project.write("a.yaml", SOURCE + """models:
  - {id: m-7b, name: M 7B, parameters: 7B}
scores:
  - {model: m-7b, benchmark: gsm8k, n_shot: 8, setting: cot, value: 40.1}
  - {model: m-7b, benchmark: gsm8k, n_shot: 8, setting: "cot, maj@1", value: 44.0}
  - {model: m-7b, benchmark: gsm8k, n_shot: 8, value: 30.2}
""")
    assert cli("build", "--partition-by", "setting").code == 0
    names = sorted(p.name for p in (project.store / "scores").iterdir())
    assert names == ["setting=__HIVE_DEFAULT_PARTITION__", "setting=cot", "setting=cot%2Cmaj%401"]
    assert (project.store / "sampling.parquet").is_file()  # no rows to partition: one (empty) file
    assert cli("build", "--check").code == 0  # read back in the order written
    assert bt.load("sampling", store=project.store).empty
    assert sorted(bt.load("scores", store=project.store)["setting"].fillna("-")) == ["-", "cot", "cot,maj@1"]
    assert cli("build", "--partition-by", "none").code == 0
    assert (project.store / "scores.parquet").is_file() and not (project.store / "scores").exists()
    assert cli("build", "--check").code == 0


def test_diff_between_git_revisions_of_a_partitioned_store(project, cli):
    import subprocess

    from conftest import SOURCE

    def git(*args):
        subprocess.run(["git", *args], cwd=project.root, check=True, capture_output=True)

    entry = SOURCE + "models:\n  - {id: m-7b, name: M 7B, parameters: 7B}\n  - {id: n-7b, name: N 7B, parameters: 7B}\n" \
        "scores:\n  - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60.0}\n  - {model: n-7b, benchmark: mmlu, n_shot: 5, value: VALUE}\n"
    project.write("a.yaml", entry.replace("VALUE", "50.0"))
    assert cli("build").code == 0  # one file per table
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "one", "--allow-empty")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "single files")
    assert cli("build", "--partition-by", "benchmark").code == 0
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "partitioned")
    project.write("a.yaml", entry.replace("VALUE", "65.0"))
    assert cli("build").code == 0
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "n-7b overtakes")
    same = json.loads(cli("diff", "HEAD~2", "HEAD~1", "--format", "json").out)
    assert same["counts"] == {"added": 0, "removed": 0, "changed": 0}  # only the layout changed
    changed = json.loads(cli("diff", "HEAD~1", "HEAD", "--format", "json").out)
    assert changed["counts"]["changed"] == 1
    assert "n-7b" in cli("diff", "HEAD~1", "HEAD").out
