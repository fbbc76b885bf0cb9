"""The shipped dataset: valid, built, and holding the numbers the seed papers state, where they state them."""

from __future__ import annotations

import pytest

from benchtables.builder import build
from benchtables.frames import load
from benchtables.project import Project
from benchtables.validation import validate
from conftest import REPO

STORE = REPO / "data" / "store"


def test_entries_validate_without_errors():
    report = validate([REPO / "data" / "entries"], store=STORE)
    assert report.errors == []


def test_committed_store_is_what_the_entries_give():
    result = build(project=Project(REPO), check=True)
    assert result.stale == [], "run `benchtables build` and commit data/store"


def row(kind, **match):
    df = load(kind, store=STORE)
    for key, value in match.items():
        df = df[df[key] == value]
    assert len(df) == 1, f"{kind} {match}: {len(df)} rows"
    return df.iloc[0]


@pytest.mark.parametrize(
    ("kind", "match", "field", "value"),
    [
        ("utilization", {"model": "palm-540b", "where": "§4.1, Table 3"}, "hfu", 57.8),
        ("utilization", {"model": "palm-540b", "where": "§4.1, Table 3"}, "mfu", 46.2),
        ("utilization", {"model": "palm-540b", "where": "§4.1, Table 3"}, "throughput", 238_300),
        ("utilization", {"model": "palm-540b", "where": "§4.1"}, "mfu", 45.7),
        ("training", {"model": "palm-540b", "where": "§1, §4, Table 1"}, "parameters", 540.35e9),
        ("training", {"model": "palm-540b", "where": "§1, §4, Table 1"}, "tokens", 780e9),
        ("training", {"model": "palm-540b", "where": "§1, §4, Table 1"}, "chips", 6144),
        ("training", {"model": "palm-540b", "where": "Appendix B"}, "compute", 2.56e24),
        ("training", {"model": "palm-540b", "where": "Appendix B"}, "chip_hours", 8_404_992),
        ("scores", {"model": "palm-540b", "subset": "stem"}, "value", 55.6),
        ("scores", {"model": "palm-8b"}, "value", 25.3),
        ("training", {"model": "chinchilla-70b", "where": "Table 1"}, "tokens", 1.4e12),
        ("training", {"model": "chinchilla-70b", "where": "Figure 2 caption"}, "compute", 5.76e23),
        ("scores", {"model": "chinchilla-70b", "where": "Table 6"}, "value", 67.6),
        ("scores", {"model": "chinchilla-70b", "where": "Abstract"}, "value", 67.5),
        ("scores", {"model": "gopher-280b"}, "value", 60.0),
        ("scores", {"model": "human-expert-average"}, "value", 89.8),
        ("training", {"model": "gopher-280b", "source": "rae2021gopher"}, "compute", 6.31e23),
        ("training", {"model": "gopher-280b", "source": "hoffmann2022chinchilla", "where": "Figure 2 caption"}, "compute", 5.76e23),
        ("training", {"model": "falcon-180b", "source": "tii2023falcon180b"}, "tokens", 3.5e12),
        ("training", {"model": "falcon-180b", "source": "tii2023falcon180b"}, "chip_hours", 7e6),
        ("scores", {"model": "falcon-180b", "benchmark": "open-llm-v1"}, "value", 68.74),
        ("scores", {"model": "llama-2-70b", "benchmark": "open-llm-v1"}, "value", 67.35),
        ("scores", {"model": "mpt-30b", "benchmark": "open-llm-v1"}, "value", 56.15),
        ("scores", {"model": "megalodon-7b", "benchmark": "pretraining"}, "value", 1.70),
        ("scores", {"model": "llama-2-13b", "benchmark": "pretraining"}, "value", 1.67),
        ("scores", {"model": "mistral-7b", "benchmark": "mmlu"}, "value", 60.1),
        ("training", {"model": "inheritune-1.5b"}, "tokens", 1e9),
        ("sampling", {"model": "ldm-39m", "where": "Table 1"}, "cost_per_step", 0.07),
        ("sampling", {"model": "ldm-5b", "where": "Table 1"}, "fid", 20.14),
        ("sampling", {"model": "ldm-866m", "where": "Table 1"}, "flops_per_step", 789.3e9),
        ("sampling", {"model": "ldm-83m", "where": "§3.6"}, "sampling_cost", 8),
        ("sampling", {"model": "ldm-83m", "where": "Figure 13 caption; Appendix Figure 20"}, "sampling_cost", 7),
    ],
)
def test_seed_numbers_are_captured_where_stated(kind, match, field, value):
    assert row(kind, **match)[field] == pytest.approx(value)


def test_approximations_and_bounds_say_so():
    falcon = row("training", model="falcon-180b", source="tii2023falcon180b")
    assert bool(falcon.estimated) and falcon.qualifiers == ["chip_hours~", "chips<="]
    hunyuan = row("training", model="hunyuan")
    assert hunyuan.qualifiers == ["parameters>", "tokens>"] and not hunyuan.estimated
    assert row("models", id="hunyuan").qualifiers == ["parameters>"]
    assert row("training", model="inheritune-1.5b").qualifiers == ["days<"]
    assert bool(row("sampling", model="ldm-83m", where="§3.6").estimated)


def test_every_source_is_traceable():
    sources = load("sources", store=STORE)
    assert sources["url"].str.startswith("https://").all()
    papers = sources[sources["kind"] == "paper"]
    assert papers["arxiv"].notna().all()
    for kind in ("scores", "training", "utilization", "sampling"):
        assert set(load(kind, store=STORE)["source"]) <= set(sources["id"])


def test_latent_diffusion_table_has_all_eleven_sizes():
    table1 = load("sampling", store=STORE).query("where == 'Table 1'")
    assert len(table1) == 11
    assert (table1["steps"] == 50).all() and (table1["guidance"] == 7.5).all() and (table1["sampler"] == "ddim").all()
    assert table1["sampling_cost"].tolist() == pytest.approx((table1["cost_per_step"] * 50).tolist())
