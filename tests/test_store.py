"""The store: entries → Parquet → DataFrame, deterministic, atomic, and clear when it cannot be read."""

from __future__ import annotations

import os
import textwrap

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import benchtables.store as store_module
from benchtables.builder import build
from benchtables.errors import StoreCorruptError, StoreNotFoundError, StoreVersionError, UnknownIdError, ValidationFailed
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
    before = built.store_bytes()
    built.write("test.yaml", ENTRY.replace("67.6", "70.1"))
    calls = []
    real = store_module.write_table

    def failing(table, path):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(table, path)

    monkeypatch.setattr(store_module, "write_table", failing)
    with pytest.raises(OSError):
        build()
    assert built.store_bytes() == before
    assert [p.name for p in built.store.parent.iterdir()] == ["entries", "store"]  # no half-written copy left


def test_interrupt_during_the_swap_restores_the_old_store(built, monkeypatch):
    before = built.store_bytes()
    built.write("test.yaml", ENTRY.replace("67.6", "70.1"))
    real = os.replace
    calls = []

    def interrupted(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # moving the new store in
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(store_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build()
    monkeypatch.setattr(store_module.os, "replace", real)
    assert built.store_bytes() == before


def test_store_left_aside_by_a_killed_build_is_recovered(built):
    before = built.store_bytes()
    os.replace(built.store, built.store.parent / ".store-old-abc123")  # killed between the two renames
    with pytest.raises(StoreNotFoundError, match="interrupted build"):
        load("scores")
    build()
    assert built.store_bytes() == before
    assert sorted(p.name for p in built.store.parent.iterdir()) == ["entries", "store"]


def test_missing_store(project):
    with pytest.raises(StoreNotFoundError, match=r"no store at .*benchtables build"):
        load("scores")


def test_missing_table(built):
    (built.store / "sampling.parquet").unlink()
    with pytest.raises(StoreCorruptError, match="no 'sampling' table"):
        load("sampling")


def test_corrupt_table(built):
    (built.store / "scores.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(StoreCorruptError, match="cannot read"):
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
    with pytest.raises(StoreVersionError, match="upgrade"):
        load("scores")


def test_foreign_parquet_file(built):
    pq.write_table(pa.table({"x": [1]}), built.store / "scores.parquet")
    with pytest.raises(StoreCorruptError, match="not a benchtables table"):
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
    from benchtables.schemas import RECORD_KINDS

    for kind, cls in RECORD_KINDS.items():
        assert set(cls.model_fields) | {"source", "first_party", "file"} == set(arrow_schema(kind).names)


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
