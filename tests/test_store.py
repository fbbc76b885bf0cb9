"""The store: entries → Parquet → DataFrame, deterministic, atomic, and clear when it cannot be read."""

from __future__ import annotations

import json
import os
import textwrap

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchtables.builder import build
from benchtables.errors import (
    StoreCorruptError,
    StoreNotFoundError,
    StoreVersionError,
    UnknownIdError,
    ValidationFailed,
)
from benchtables.frames import load
from benchtables.project import ENV_STORE, resolve_store
from benchtables.store import SCHEMA_VERSION, Store, arrow_schema
from conftest import SOURCE

ENTRY = SOURCE + textwrap.dedent("""\
    models:
      - {id: big-70b, name: Big 70B, organization: Lab, parameters: 70B, introduced_by: test2024}
      - {id: other-7b, name: Other 7B, parameters: 7B}
    scores:
      - {model: big-70b, benchmark: mmlu, n_shot: 5, value: 67.6, stderr: 0.4, where: Table 6}
      - {model: other-7b, benchmark: mmlu, value: 45.3}
    training:
      - {model: big-70b, parameters: 70B, tokens: 1.4T, compute: 5.76e23, hardware: TPU v4, chips: up to 6144, days: ≈30}
    utilization:
      - {model: big-70b, mfu: 46.2%, hfu: 57.8%, throughput: 238.3K tokens/s}
    sampling:
      - {model: other-7b, sampler: DDIM, steps: 50, cost_per_step: 0.13, fid: 24.30, clip_score: 0.308}
    """)


@pytest.fixture
def built(project):
    project.write("test.yaml", ENTRY)
    build()
    return project


def test_round_trip_values_dtypes_and_units(built):
    scores = load("scores")
    assert list(scores["model"]) == ["big-70b", "other-7b"]
    assert list(scores["value"]) == [67.6, 45.3]
    assert scores["n_shot"].dtype == pd.Int64Dtype() and scores["n_shot"].isna().tolist() == [False, True]
    assert scores["value"].dtype == "float64" and scores["estimated"].dtype == bool
    assert isinstance(scores["model"].dtype, pd.StringDtype)
    assert list(scores["first_party"]) == [True, False]
    assert list(scores["metric"]) == ["acc", "acc"]

    training = load("training").iloc[0]
    assert (training.parameters, training.tokens, training.compute, training.chips, training.days) == (70e9, 1.4e12, 5.76e23, 6144, 30)
    assert training.qualifiers == ["chips<=", "days~"] and bool(training.estimated) is True

    sampling = load("sampling").iloc[0]
    assert sampling.sampler == "ddim" and sampling.sampling_cost == pytest.approx(6.5)

    units = load("training").attrs["units"]
    assert units["parameters"] == "parameters" and units["compute"] == "FLOP" and units["days"] == "days"
    assert load("utilization").attrs["units"]["mfu"] == "percent"


def test_column_and_table_metadata(built):
    schema = pq.read_schema(built.store / "training.parquet")
    assert schema.metadata[b"benchtables.schema_version"] == str(SCHEMA_VERSION).encode()
    assert schema.field("compute").metadata[b"unit"] == b"FLOP"
    assert b"Training tokens" in schema.field("tokens").metadata[b"description"]


def test_build_twice_gives_identical_bytes(built):
    first = built.store_bytes()
    for p in built.store.glob("*.parquet"):
        p.unlink()
    build()
    assert built.store_bytes() == first


def test_row_order_does_not_depend_on_file_order(project):
    project.write("a.yaml", ENTRY)
    build()
    first = project.store_bytes()
    reordered = ENTRY.replace(
        "  - {model: big-70b, benchmark: mmlu, n_shot: 5, value: 67.6, stderr: 0.4, where: Table 6}\n"
        "  - {model: other-7b, benchmark: mmlu, value: 45.3}\n",
        "  - {model: other-7b, benchmark: mmlu, value: 45.3}\n"
        "  - {model: big-70b, benchmark: mmlu, n_shot: 5, value: 67.6, stderr: 0.4, where: Table 6}\n")
    assert reordered != ENTRY
    project.write("a.yaml", reordered)
    build()
    assert project.store_bytes() == first


def test_check_detects_a_stale_store(built):
    assert build(check=True).stale == []
    built.write("test.yaml", ENTRY.replace("67.6", "67.5"))
    result = build(check=True)
    assert result.stale == ["scores"] and not result.written
    assert load("scores")["value"].iloc[0] == 67.6  # --check never writes


def test_failed_validation_leaves_the_store_untouched(built):
    before = built.store_bytes()
    built.write("bad.yaml", SOURCE.replace("test2024", "bad2024").replace("example.org/test", "example.org/bad")
                + "scores:\n  - {model: big-70b, benchmark: mmlu, value: 200}\n")
    with pytest.raises(ValidationFailed) as info:
        build()
    assert [p.code for p in info.value.report.errors] == ["out_of_range"]
    assert built.store_bytes() == before


def test_failure_while_writing_leaves_the_store_untouched(built, monkeypatch):
    from benchtables.errors import StoreWriteError
    from benchtables.store import write as write_module

    before = built.store_bytes()
    built.write("test.yaml", ENTRY.replace("67.6", "70.1"))
    calls = []
    real = write_module.write_table

    def failing(table, path):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(table, path)

    monkeypatch.setattr(write_module, "write_table", failing)
    with pytest.raises(StoreWriteError, match="No space left on device"):
        build()
    assert built.store_bytes() == before
    assert [p.name for p in built.store.parent.iterdir() if not p.name.endswith(".lock")] == ["entries", "store"]


KILLER = textwrap.dedent("""\
    import os, pathlib, shutil, sys
    from benchtables.store import write
    kill_at, journalled = int(sys.argv[1]), sys.argv[2] == "journal"
    events = [0]
    def step(function):
        def wrapped(*args, **kwargs):
            events[0] += 1
            if events[0] == kill_at:
                os._exit(137)  # SIGKILL-like: no finally clause, no cleanup
            return function(*args, **kwargs)
        return wrapped
    real_swap = write._swap
    def swap(staging, target):
        os.replace, pathlib.Path.unlink = step(os.replace), step(pathlib.Path.unlink)
        write._fsync, shutil.rmtree = step(write._fsync), step(shutil.rmtree)
        if journalled:
            write._exchange = lambda a, b: False
        else:
            write._exchange = step(write._exchange)
        real_swap(staging, target)
    write._swap = swap
    from benchtables.builder import build
    build()
    print("finished")
    """)


@pytest.mark.parametrize("mode", ["exchange", "journal"])
def test_a_build_killed_at_each_step_of_the_swap_leaves_a_whole_store(built, mode):
    """Kill the build before each file-system step of the swap: the store then reads as the old
    one or the new one (never missing, never mixed), and the next build cleans up."""
    import subprocess
    import sys

    old = load("scores")["value"].tolist()
    built.write("test.yaml", ENTRY.replace("67.6", "70.1"))
    script = built.root / "killer.py"
    script.write_text(KILLER)
    seen = set()
    for kill_at in range(1, 30):
        done = subprocess.run([sys.executable, str(script), str(kill_at), mode], cwd=built.root, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode in (0, 137), done.stderr
        values = load("scores")["value"].tolist()  # reading recovers first
        assert values in (old, [70.1, 45.3])
        seen.add(tuple(values))
        if done.returncode == 0:
            assert "finished" in done.stdout
            break
        built.write("test.yaml", ENTRY)  # back to the old store for the next kill point
        build()
        assert [p.name for p in built.store.parent.iterdir() if p.name.startswith(".store")
                and not p.name.endswith(".lock")] == []  # the next build leaves nothing behind
        built.write("test.yaml", ENTRY.replace("67.6", "70.1"))
    else:
        pytest.fail("the build never finished")
    assert kill_at > 2 and seen == {tuple(old), (70.1, 45.3)}


def test_two_builds_at_once_take_turns(built):
    """A second build waits for the first's lock; neither crashes, and the store is the last one's."""
    import subprocess
    import sys

    built.write("test.yaml", ENTRY.replace("67.6", "70.1"))
    runs = [subprocess.Popen([sys.executable, "-m", "benchtables", "build"], cwd=built.root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(r.wait(timeout=300), r.communicate()[1]) for r in runs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    assert load("scores")["value"].tolist() == [70.1, 45.3]
    assert [p.name for p in built.store.parent.iterdir() if p.name.startswith(".store-")] == []


def test_a_new_store_follows_the_umask(project):
    project.write("test.yaml", ENTRY)
    old = os.umask(0o027)
    try:
        build()
    finally:
        os.umask(old)
    assert built_mode(project.store) == 0o750


def built_mode(path):
    return path.stat().st_mode & 0o777


def test_missing_store(project):
    with pytest.raises(StoreNotFoundError, match=r"no store at .*benchtables build"):
        load("scores")


def test_missing_table(built):
    (built.store / "sampling.parquet").unlink()
    with pytest.raises(StoreCorruptError, match="no 'sampling' table"):
        load("sampling")


def test_corrupt_table(built):
    (built.store / "scores.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(StoreCorruptError, match="has changed since the store was built"):
        load("scores")


def test_truncated_table(built):
    path = built.store / "scores.parquet"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(StoreCorruptError):
        load("scores")


def test_newer_schema_version(built):
    path = built.store / "scores.parquet"
    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    meta[b"benchtables.schema_version"] = str(SCHEMA_VERSION + 1).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)
    manifest = json.loads((built.store / "manifest.json").read_text())
    manifest["benchtables"]["schema_version"] = SCHEMA_VERSION + 1
    (built.store / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreVersionError, match="upgrade"):
        load("scores")


def test_foreign_parquet_file(built):
    pq.write_table(pa.table({"x": [1]}), built.store / "scores.parquet")
    with pytest.raises(StoreCorruptError, match="has changed since the store was built"):
        load("scores")
    (built.store / "manifest.json").unlink()  # a store of an earlier version: no manifest; the schema is checked
    with pytest.raises(StoreCorruptError, match=r"not a benchtables table|missing|column"):
        load("scores")


def test_unknown_table(built):
    with pytest.raises(UnknownIdError, match="unknown table 'score'"):
        load("score")


def test_store_is_chosen_by_argument_env_and_project(built, tmp_path, monkeypatch):
    assert resolve_store() == built.store
    monkeypatch.setenv(ENV_STORE, str(tmp_path / "elsewhere"))
    assert resolve_store() == tmp_path / "elsewhere"
    assert resolve_store(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_STORE)
    assert load("scores", store=built.store)["value"].tolist() == [67.6, 45.3]


def test_outside_a_project_the_shipped_store_is_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Store.open().path.is_dir()
    assert {"palm-540b", "chinchilla-70b"} <= set(load("models")["id"])


def test_every_record_field_is_a_column():
    from benchtables.kinds import RECORDS

    for kind, table in RECORDS.items():
        assert set(table.names) | {"source", "first_party", "file"} == set(arrow_schema(kind).names)


records = st.fixed_dictionaries(
    {
        "value": st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 3)),
        "n_shot": st.one_of(st.none(), st.integers(min_value=0, max_value=64)),
        "subset": st.one_of(st.none(), st.sampled_from(["stem", "humanities", "other"])),
        "setting": st.one_of(st.none(), st.sampled_from(["cot", "maj@1"])),
    }
)


@settings(max_examples=20)
@given(st.lists(records, min_size=1, max_size=8, unique_by=lambda r: (r["n_shot"], r["subset"], r["setting"])))
def test_any_valid_scores_round_trip(tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("p")
    (root / "data" / "entries").mkdir(parents=True)
    lines = [SOURCE, "models:\n  - {id: m, name: M}\nscores:\n"]
    for r in rows:
        fields = ", ".join(f"{k}: {v}" for k, v in r.items() if v is not None)
        lines.append(f"  - {{model: m, benchmark: mmlu, {fields}}}\n")
    (root / "data" / "entries" / "e.yaml").write_text("".join(lines))
    build(entries=root / "data" / "entries", store=root / "data" / "store")
    df = load("scores", store=root / "data" / "store")
    got = {(r.value, None if pd.isna(r.n_shot) else int(r.n_shot), None if pd.isna(r.subset) else r.subset,
            None if pd.isna(r.setting) else r.setting) for r in df.itertuples()}
    assert len(df) == len(rows)
    assert got == {(r["value"], r["n_shot"], r["subset"], r["setting"]) for r in rows}
