"""Leaderboards, comparisons, suites, derived figures and Pareto fronts, against hand-computed answers.

The store below is made for hand computation. MMLU 5-shot: alpha 60 (its own paper) and 61
(a later third party), beta 70, gamma 70, delta 50, plus a random baseline at 25; MMLU 0-shot:
alpha 55, beta 65 (its paper and the third party agree); a STEM subset score for alpha. HellaSwag 0-shot: alpha 80, beta 84, delta 76.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import pytest

from benchtables.builder import build
from benchtables.errors import EmptyResultError, UnknownIdError, UsageError
from benchtables.frames import load
from benchtables.tables import (
    chinchilla_ratio,
    compare,
    compute_6nd,
    leaderboard,
    mean_win_rate,
    pareto,
    tokens_per_parameter,
)
from conftest import REPO

FILES = {
    "a2020.yaml": """
        source: {id: a2020, title: Alpha paper, url: 'https://example.org/a', year: 2020}
        models:
          - {id: alpha, name: Alpha, organization: A Lab, parameters: 10B, introduced_by: a2020}
          - {id: rnd, name: Random, kind: baseline}
        scores:
          - {model: alpha, benchmark: mmlu, n_shot: 5, value: 60.0, where: Table 1}
          - {model: alpha, benchmark: mmlu, n_shot: 0, value: 55.0, where: Table 1}
          - {model: alpha, benchmark: mmlu, n_shot: 5, subset: stem, value: 40.0, where: Table 2}
          - {model: rnd, benchmark: mmlu, n_shot: 5, value: 25.0}
          - {model: alpha, benchmark: hellaswag, n_shot: 0, value: 80.0}
          - {model: alpha, benchmark: pretraining, metric: train_loss, value: 2.0}
          - {model: alpha, benchmark: mini-avg, value: 71.0}
        training:
          - {model: alpha, parameters: 10B, tokens: 200B}
        """,
    "b2021.yaml": """
        source: {id: b2021, title: Beta paper, url: 'https://example.org/b', year: 2021}
        models:
          - {id: beta, name: Beta, organization: B Lab, parameters: 20B, introduced_by: b2021}
        scores:
          - {model: beta, benchmark: mmlu, n_shot: 5, value: 70.0}
          - {model: beta, benchmark: mmlu, n_shot: 0, value: 65.0}
          - {model: beta, benchmark: hellaswag, n_shot: 0, value: 84.0}
          - {model: beta, benchmark: pretraining, metric: train_loss, value: 1.5}
        training:
          - {model: beta, parameters: 20B, tokens: 100B, compute: 2e22}
        """,
    "c2022.yaml": """
        source: {id: c2022, title: An evaluation study, url: 'https://example.org/c', year: 2022}
        models:
          - {id: gamma, name: Gamma, parameters: 30B}
          - {id: delta, name: Delta, parameters: 5B}
        scores:
          - {model: alpha, benchmark: mmlu, n_shot: 5, value: 61.0}
          - {model: beta, benchmark: mmlu, n_shot: 0, value: 65.0}
          - {model: gamma, benchmark: mmlu, n_shot: 5, value: 70.0}
          - {model: delta, benchmark: mmlu, n_shot: 5, value: 50.0}
          - {model: delta, benchmark: hellaswag, n_shot: 0, value: 76.0}
          - {model: gamma, benchmark: pretraining, metric: train_loss, value: 1.5}
          - {model: delta, benchmark: pretraining, metric: train_loss, value: 3.0}
          - {model: gamma, benchmark: mini-avg, value: 66.0}
        """,
}
REGISTRY = """
    benchmarks:
      - {id: mini-avg, name: Mini average, metrics: [average]}
    suites:
      - id: mini
        name: Mini suite
        members:
          - {benchmark: mmlu, metric: acc, n_shot: 5}
          - {benchmark: hellaswag, metric: acc, n_shot: 0}
        reported_as: {benchmark: mini-avg, metric: average}
    """


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("tables")
    entries = root / "data" / "entries"
    entries.mkdir(parents=True)
    for name, text in FILES.items():
        (entries / name).write_text(textwrap.dedent(text))
    (root / "data" / "registry.yaml").write_text(textwrap.dedent(REGISTRY))
    build(entries=entries, store=root / "data" / "store")
    return root / "data" / "store"


@pytest.fixture(autouse=True)
def _suites_from_the_fixture_registry(store, monkeypatch):
    # suites come from the project's registry.yaml; run inside the fixture project
    monkeypatch.chdir(store.parent.parent)


def ranks(df):
    return list(zip(df["model"], df["rank"], df["value"], strict=True))


def test_ranks_higher_is_better_with_competition_ties(store):
    df = leaderboard("mmlu", store=store)
    assert ranks(df) == [("beta", 1, 70.0), ("gamma", 1, 70.0), ("alpha", 3, 60.0), ("delta", 4, 50.0)]
    assert df.meta["setting"] == {"n_shot": 5, "setting": None, "split": "test", "subset": None, "partial": False}
    assert "5-shot" in df.caption and "most models" in df.caption and "test split" not in df.caption
    assert any("0-shot (2 models)" in n for n in df.notes)
    assert any(n.startswith("Subsets, ranked separately") and "stem (1)" in n for n in df.notes)
    assert list(df.columns[:14]) == ["rank", "group", "model", "name", "organization", "parameters", "value",
                                      "stderr", "ci_low", "ci_high", "setting", "source", "reports", "spread"]


def test_lower_is_better(store):
    df = leaderboard("pretraining", store=store)
    assert ranks(df) == [("beta", 1, 1.5), ("gamma", 1, 1.5), ("alpha", 3, 2.0), ("delta", 4, 3.0)]
    assert "lower is better" in df.caption


def test_a_named_setting_is_ranked(store):
    assert ranks(leaderboard("mmlu", n_shot=0, store=store)) == [("beta", 1, 65.0), ("alpha", 2, 55.0)]
    assert ranks(leaderboard("mmlu", subset="STEM", store=store)) == [("alpha", 1, 40.0)]


def test_a_setting_that_does_not_exist_lists_the_ones_that_do(store):
    with pytest.raises(EmptyResultError, match=r"3-shot.*5-shot \(4 models\); 0-shot \(2 models\)"):
        leaderboard("mmlu", n_shot=3, store=store)
    assert leaderboard("mmlu", n_shot=3, allow_empty=True, store=store).empty


@pytest.mark.parametrize(("prefer", "source", "value"), [("original", "a2020", 60.0), ("best", "c2022", 61.0),
                                                         ("latest", "c2022", 61.0)])
def test_preference_between_sources(store, prefer, source, value):
    row = leaderboard("mmlu", prefer=prefer, store=store).frame.set_index("model").loc["alpha"]
    assert (row.source, row.value, row.reports, row.spread) == (source, value, 2, 1.0)


@pytest.mark.parametrize("prefer", ["original", "best"])
def test_a_tie_between_sources_goes_to_the_introducing_one(store, prefer):
    row = leaderboard("mmlu", n_shot=0, prefer=prefer, columns=["first_party"],
                      store=store).frame.set_index("model").loc["beta"]
    assert (row.source, row.value, row.reports, row.first_party) == ("b2021", 65.0, 2, True)


def test_original_falls_back_to_the_newest_source(store):
    row = leaderboard("mmlu", columns=["first_party"], store=store).frame.set_index("model").loc["gamma"]
    assert row.source == "c2022" and not row.first_party


def test_spread_beyond_tolerance_is_flagged(store):
    df = leaderboard("mmlu", store=store)
    assert df["model"][2] == "alpha" and df.flagged == {"spread": {2}}  # 60 and 61: more than rounding explains
    assert leaderboard("mmlu", tolerance=2.0, store=store).flagged == {"spread": set()}


def test_baselines_only_on_request(store):
    assert "rnd" not in set(leaderboard("mmlu", store=store)["model"])
    assert ranks(leaderboard("mmlu", include_baselines=True, store=store))[-1] == ("rnd", 5, 25.0)


def test_top_keeps_ties(store):
    assert list(leaderboard("mmlu", top=1, store=store)["model"]) == ["beta", "gamma"]


def test_mixed_settings_show_each_rows_setting(store):
    view = leaderboard("mmlu", mix_settings=True, store=store)
    df = view.frame.set_index("model")
    assert df.loc["beta", "setting"] == "5-shot" and view.meta["setting"] is None
    assert "setting" not in view.hidden and "stem" not in " ".join(df["setting"])  # a subset is not a setting


def test_extra_columns(store):
    df = leaderboard("mmlu", columns=["where", "released", "first_party"], store=store).frame.set_index("model")
    assert df.loc["alpha", "where"] == "Table 1"
    with pytest.raises(UsageError, match="unknown column 'colour'"):
        leaderboard("mmlu", columns=["colour"], store=store)


def test_unknown_ids_suggest(store):
    with pytest.raises(UnknownIdError, match="did you mean 'mmlu'"):
        leaderboard("mmluu", store=store)
    with pytest.raises(UnknownIdError, match="metric of MMLU"):
        leaderboard("mmlu", metric="fid", store=store)
    with pytest.raises(UnknownIdError, match="did you mean 'mini'"):
        leaderboard(suite="minii", store=store)


def test_suite_mean_and_win_rate(store):
    view = leaderboard(suite="mini", store=store)
    df = view.frame.set_index("model")
    assert list(df.index) == ["beta", "alpha", "gamma", "delta"]  # gamma ranks by its reported 66
    assert df.loc[["beta", "alpha", "delta"], "value"].tolist() == [77.0, 70.0, 63.0]
    assert df.loc[["beta", "alpha", "delta"], "win_rate"].tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert df.loc["gamma", "basis"] == "reported" and df.loc["gamma", "value"] == 66.0
    assert math.isnan(df.loc["gamma", "win_rate"])
    assert df.loc["alpha", "reported"] == 71.0 and view.flagged == {"reported": {1}}
    assert df["rank"].tolist() == [1, 2, 3, 4]
    assert df.loc["alpha", "MMLU (5-shot)"] == 60.0 and df.loc["alpha", "HellaSwag (0-shot)"] == 80.0


def test_suite_partial_rows_say_how_many_members(store):
    df = leaderboard(suite="mini", require_all=False, store=store).frame.set_index("model")
    assert df.loc["gamma", "members"] == "1/2" and df.loc["beta", "members"] == "2/2"


def test_mean_win_rate_counts_ties_as_half():
    matrix = pd.DataFrame({"a": [1.0, 1.0, 0.0], "b": [3.0, np.nan, 1.0]}, index=["x", "y", "z"])
    rates = mean_win_rate(matrix, [True, False])
    assert rates.tolist() == pytest.approx([(0.75 + 0) / 2, 0.75, (0 + 1) / 2])


def test_compare_pivots_with_missing_cells_and_best_per_column(store):
    df = compare(["delta", "alpha", "beta"], ["mmlu@5", "hellaswag", "pretraining/train_loss"], store=store)
    assert list(df.columns) == ["model", "name", "MMLU (5-shot)", "HellaSwag (0-shot)", "Pre-training loss"]
    assert df["model"].tolist() == ["delta", "alpha", "beta"]
    assert df["HellaSwag (0-shot)"].tolist() == [76.0, 80.0, 84.0]
    assert df.best == {"MMLU (5-shot)": {2}, "HellaSwag (0-shot)": {2}, "Pre-training loss": {2}}
    assert df["Pre-training loss"].tolist() == [3.0, 2.0, 1.5]
    with_gamma = compare(["gamma", "beta"], ["hellaswag"], store=store)
    assert math.isnan(with_gamma["HellaSwag (0-shot)"].iloc[0])


def test_compare_rejects_bad_specs(store):
    with pytest.raises(UsageError, match="BENCHMARK"):
        compare(None, ["mmlu@five"], store=store)
    with pytest.raises(UnknownIdError, match="did you mean 'alpha'"):
        compare(["alpah"], ["mmlu"], store=store)


def test_derived_figures(store):
    df = load("training", store, derived=True).set_index("model")
    assert df.loc["alpha", "tokens_per_parameter"] == 20.0
    assert df.loc["alpha", "compute_6nd"] == pytest.approx(1.2e22)
    assert bool(df.loc["alpha", "compute_estimated"]) and df.loc["alpha", "training_compute"] == pytest.approx(1.2e22)
    assert not df.loc["beta", "compute_estimated"] and df.loc["beta", "training_compute"] == 2e22
    assert df.loc["alpha", "chinchilla_ratio"] == pytest.approx(1.0)
    assert df.loc["beta", "chinchilla_ratio"] == pytest.approx(0.25)
    assert df.attrs["units"]["compute_6nd"] == "FLOP"


def test_derived_functions_on_numbers():
    assert tokens_per_parameter(1.4e12, 70e9) == pytest.approx(20)
    assert compute_6nd(70e9, 1.4e12) == pytest.approx(5.88e23)
    assert chinchilla_ratio(300e9, 280e9) == pytest.approx(300 / 5600)


POINTS = pd.DataFrame({
    "name": ["A", "B", "C", "D", "E", "F", "G", "H"],
    "cost": [1, 2, 2, 3, 4, 5, 4, np.nan],
    "fid": [10, 8, 9, 8, 5, 6, 5, 1],
    "group": ["x", "x", "y", "y", "x", "y", "x", "x"],
})


def test_pareto_front_on_a_hand_made_set():
    assert pareto(POINTS, "cost", "fid")["name"].tolist() == ["A", "B", "E", "G"]


def test_pareto_directions():
    # cheapest with the highest FID: A alone; dearest with the lowest FID: E and G (tied), F
    assert pareto(POINTS, "cost", "fid", minimize=(True, False))["name"].tolist() == ["A"]
    assert pareto(POINTS, "cost", "fid", minimize={"cost": False, "fid": True})["name"].tolist() == ["E", "G", "F"]


def test_pareto_by_group():
    front = pareto(POINTS, "cost", "fid", by="group").frame
    assert front[front["group"] == "x"]["name"].tolist() == ["A", "B", "E", "G"]
    assert front[front["group"] == "y"]["name"].tolist() == ["C", "D", "F"]


def test_pareto_keeps_datasets_apart():
    """An ImageNet FID and a COCO FID are not on one front: the dataset with the most rows is used."""
    points = POINTS.assign(dataset=["coco"] * 5 + ["imagenet"] * 3, resolution=[512] * 5 + [256] * 3)
    points.attrs["kind"] = "sampling"
    front = pareto(points, "cost", "fid")
    assert front["name"].tolist() == ["A", "B", "E"]  # G (ImageNet) no longer beats or ties E
    assert "dataset coco, resolution 512 (the setting with the most rows)" in front.caption
    assert front.notes == ["Other settings, not compared: dataset imagenet, resolution 256 (2 rows)."]
    assert pareto(points, "cost", "fid", mix_settings=True)["name"].tolist() == ["A", "B", "E", "G"]
    repeated = points.set_axis([0, 1, 2, 3, 4, 0, 1, 2])  # index labels as pd.concat leaves them
    assert pareto(repeated, "cost", "fid")["name"].tolist() == ["A", "B", "E"]
    assert pareto(repeated, "cost", "fid", by="dataset")["name"].tolist() == ["A", "B", "E", "G"]
    by_dataset = pareto(points, "cost", "fid", by="dataset")
    assert by_dataset.frame[by_dataset["dataset"] == "imagenet"]["name"].tolist() == ["G"]
    assert not by_dataset.notes  # resolution follows dataset here: one setting per group
    assert pareto(points.assign(dataset="coco", resolution=512), "cost", "fid").notes == []


def test_pareto_uses_metric_directions():
    df = pd.DataFrame({"sampling_cost": [1, 2], "clip_score": [0.30, 0.31]})
    assert len(pareto(df, "sampling_cost", "clip_score")) == 2  # CLIP score: higher is better
    assert len(pareto(df.rename(columns={"clip_score": "fid"}), "sampling_cost", "fid")) == 1


def test_shipped_data_leaderboards():
    shipped = REPO / "data" / "store"
    mmlu = leaderboard("mmlu", n_shot=5, store=shipped)
    assert mmlu["model"].tolist()[:2] == ["palm-540b", "chinchilla-70b"]
    assert mmlu.frame.set_index("model").loc["chinchilla-70b", "value"] == 67.6  # Table 6 over the abstract's 67.5
    suite = leaderboard(suite="open-llm-v1", store=shipped)
    assert suite.frame[["model", "value"]].values.tolist()[:2] == [["falcon-180b", 68.74], ["llama-2-70b", 67.35]]
    assert set(suite["basis"]) == {"reported"}
    front = pareto(load("sampling", shipped, derived=True), "sampling_cost", "fid")
    assert front["model"].tolist()[0] == "ldm-39m" and len(front) == 11
