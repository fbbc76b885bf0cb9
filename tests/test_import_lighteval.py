"""The lighteval importer on real results files, Open LLM Leaderboard v1 files included."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import benchtables
from benchtables.errors import FormatError
from benchtables.importers import import_files, write_entries
from benchtables.importers.formats import detect
from benchtables.units import Kind, parse_quantity
from conftest import FIXTURES, by
from conftest import imported as records

HERE = FIXTURES / "lighteval"
PYTHIA = HERE / "EleutherAI_pythia-14m__results_2025-05-02T21-28-09.714048.json"
OLMO = HERE / "Neelectric_OLMo-2-1124-7B-Instruct_SFTv02.00__results_2025-05-13T16-20-44.021299.json"
V1_BLOCK = HERE / "v1_HenryJJ_Instruct_Mistral-7B-v0.1_Dolly15K_results_2024-01-04T13-27-32.660899.results.json"
V1_CARD = HERE / "v1_aerdincdal_CBDDO-LLM-8B-Instruct-v1_card_block.txt"
V1_MODEL = "HenryJJ/Instruct_Mistral-7B-v0.1_Dolly15K"
V1_NAME = "results_2024-01-04T13-27-32.660899.json"


def v1_file(directory: Path) -> Path:
    """The leaderboard's results block of the HenryJJ card, as the results file it comes from."""
    path = directory / V1_NAME
    path.write_text(json.dumps({"config_general": {"model_name": V1_MODEL},
                                "results": json.loads(V1_BLOCK.read_text())}))
    return path


def v1_results() -> dict:
    return json.loads(V1_BLOCK.read_text())


def variant(directory: Path, source: Path, change, name: str | None = None) -> Path:
    data = json.loads(source.read_text())
    change(data)
    path = directory / (name or source.name)
    path.write_text(json.dumps(data))
    return path


# --------------------------------------------------------------------------- Open LLM Leaderboard v1


def test_v1_leaderboard_metrics_settings_and_where(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([v1_file(tmp_path)])
    assert result.format == "lighteval"
    rows, block = records(result), v1_results()
    arc = by(rows, benchmark="arc-challenge", metric="acc_norm")
    assert arc["value"] == pytest.approx(block["harness|arc:challenge|25"]["acc_norm"] * 100, rel=1e-9)
    assert arc["stderr"] == pytest.approx(block["harness|arc:challenge|25"]["acc_norm_stderr"] * 100, rel=1e-9)
    assert arc["n_shot"] == 25 and arc["where"] == f"{V1_NAME}: results['harness|arc:challenge|25']['acc_norm']"
    assert by(rows, benchmark="arc-challenge", metric="acc")["value"] == pytest.approx(55.71672354948806)
    assert by(rows, benchmark="hellaswag", metric="acc_norm")["n_shot"] == 10
    mc2 = by(rows, benchmark="truthfulqa", metric="mc2")
    assert (mc2["n_shot"], mc2["value"]) == (0, pytest.approx(block["harness|truthfulqa:mc|0"]["mc2"] * 100))
    assert by(rows, benchmark="winogrande", metric="acc")["n_shot"] == 5
    gsm8k = by(rows, benchmark="gsm8k")  # the harness's acc is GSM8K's exact match
    assert gsm8k["metric"] == "exact_match" and gsm8k["where"].endswith("['harness|gsm8k|5']['acc']")
    assert gsm8k["value"] == pytest.approx(block["harness|gsm8k|5"]["acc"] * 100)
    assert all(r.get("split") is None and not r.get("partial") for r in rows)  # standard splits, full runs


def test_v1_mmlu_is_the_mean_of_the_57_subjects(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([v1_file(tmp_path)])
    rows, block = records(result), v1_results()
    subjects = {k: v["acc"] for k, v in block.items() if k.startswith("harness|hendrycksTest-")}
    assert len(subjects) == 57
    mmlu = by(rows, benchmark="mmlu", subset=None)
    assert mmlu["value"] == pytest.approx(statistics.fmean(subjects.values()) * 100, rel=1e-12)
    assert (mmlu["metric"], mmlu["n_shot"]) == ("acc", 5)
    assert mmlu["where"] == f"{V1_NAME}: mean of results['harness|hendrycksTest-*|5']['acc'] over its 57 subjects"
    anatomy = by(rows, benchmark="mmlu", subset="anatomy")
    assert anatomy["value"] == pytest.approx(subjects["harness|hendrycksTest-anatomy|5"] * 100)
    assert len([r for r in rows if r.get("subset")]) == 57
    # `all` is lighteval's mean over every task, not the leaderboard average: left out, counted
    assert any("'all' entry" in reason for reason in result.skipped)
    assert not [r for r in rows if r["benchmark"] in ("open-llm-v1", "open-llm-v1-6")]
    assert result.skipped["metric 'acc_norm' is not a metric of MMLU"] == 57


def test_v1_records_rank_on_the_open_llm_v1_suite(project, cli):
    path = v1_file(project.root)
    write_entries(import_files([path]), project.entries)
    assert benchtables.validate().ok
    assert cli("build").code == 0
    out = cli("leaderboard", "--suite", "open-llm-v1", "--format", "json")
    (row,) = json.loads(out.out)["rows"]
    block = v1_results()
    mmlu = statistics.fmean(v["acc"] for k, v in block.items() if "hendrycksTest" in k)
    expected = statistics.fmean([block["harness|arc:challenge|25"]["acc_norm"], block["harness|hellaswag|10"]["acc_norm"],
                                 mmlu, block["harness|truthfulqa:mc|0"]["mc2"]]) * 100
    assert row["model"] == "henryjj-instruct-mistral-7b-v0.1-dolly15k" and row["members"] == "4/4"
    assert row["value"] == pytest.approx(expected, abs=1e-6)


def test_v1_without_all_57_subjects_has_no_mmlu_and_keeps_the_commit_out_of_identity(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "results_2024-05-01T10-00-00.000000.json"
    path.write_text("{" + V1_CARD.read_text() + "}}")
    result = import_files([path])
    rows = records(result)
    assert not [r for r in rows if r["benchmark"] == "mmlu" and r.get("subset") is None]
    assert {r["subset"] for r in rows if r["benchmark"] == "mmlu"} == {
        "abstract_algebra", "anatomy", "astronomy", "business_ethics", "clinical_knowledge"}
    assert result.skipped["MMLU as a whole: 5 of its 57 subjects in the file, and its score is the mean of all 57"] == 1
    assert {r["model"] for r in rows} == {"aerdincdal-cbddo-llm-8b-instruct-v1"}  # no @commit
    assert result.models["aerdincdal-cbddo-llm-8b-instruct-v1"]["aliases"] == ["aerdincdal/CBDDO-LLM-8B-Instruct-v1"]
    (source,) = result.sources.values()
    assert "model commit 84430552036c85cc6a16722b26496df4d93f3afe" in source.notes
    assert all(r.get("setting") is None for r in rows)  # torch.bfloat16: the model's own weights


def test_a_truncated_card_block_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "results.json"
    path.write_text("{" + V1_CARD.read_text())  # the card stops inside `results`
    with pytest.raises(FormatError, match=r"results\.json is not valid .*line \d+"):
        import_files([path], "lighteval")


def test_a_quantised_run_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def quantised(data):
        data["config_general"]["model_dtype"] = "4bit"

    rows = records(import_files([variant(tmp_path, v1_file(tmp_path), quantised)]))
    assert {r.get("setting") for r in rows} == {"4bit"}


# --------------------------------------------------------------------------- lighteval


def test_lighteval_pass_at_1_samples_and_extractive_match(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([PYTHIA])
    assert result.format == "lighteval"
    rows = records(result)
    exact = by(rows, metric="exact_match")
    assert (exact["benchmark"], exact["value"], exact["stderr"], exact["n_shot"], exact["n_samples"]) == (
        "aime-2024", 0.0, 0.0, 0, 30)
    assert exact["where"] == f"{PYTHIA.name}: results['lighteval|aime24|0']['extractive_match']"
    sampled = by(rows, metric="pass@1")
    assert sampled["setting"] == "32-samples" and sampled["where"].endswith("['math_pass@1:32_samples']")
    (source,) = result.sources.values()
    assert source.date == "2025-05-02" and source.kind == "evaluation" and "temperature 0.6" in source.notes
    assert result.models["eleutherai-pythia-14m"]["aliases"] == ["EleutherAI/pythia-14m"]


def test_lighteval_gpqa_diamond_three_sample_counts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = records(import_files([OLMO]))
    data = json.loads(OLMO.read_text())["results"]["lighteval|gpqa:diamond|0"]
    for n in (1, 4, 8):
        row = by(rows, setting=f"{n}-samples")
        assert (row["benchmark"], row["metric"], row["n_samples"], row["split"]) == ("gpqa-diamond", "pass@1", 198, "train")
        assert row["value"] == pytest.approx(data[f"gpqa_pass@1:{n}_samples"] * 100, rel=1e-9)
        assert row["stderr"] == pytest.approx(data[f"gpqa_pass@1:{n}_samples_stderr"] * 100, rel=1e-9)
    assert {r["model"] for r in rows} == {"neelectric-olmo-2-1124-7b-instruct-sftv02.00"}


def test_unknown_tasks_and_averages_are_listed_not_dropped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def renamed(data):
        data["results"]["community|lexam-en-idk|0"] = data["results"].pop("lighteval|aime24|0")
        data["results"]["leaderboard|mmlu:_average|5"] = {"acc": 0.5}

    result = import_files([variant(tmp_path, PYTHIA, renamed)])
    assert result.count == 0 and dict(result.unknown) == {"lexam-en-idk": 1}
    assert any(":_average" in reason for reason in result.skipped)


@pytest.mark.parametrize(("config", "tasks", "partial", "n_samples"), [
    ({"max_samples": 10}, {"effective_num_docs": 10, "original_num_docs": 198}, "lighteval ran 10 of 198 examples", 10),
    ({"max_samples": 10}, None, "lighteval max_samples 10 (at most 10 examples)", 10),
    ({"max_samples": 500}, {"effective_num_docs": 198, "original_num_docs": 198}, None, 198),  # fewer docs than asked
    ({}, {"effective_num_docs": -1, "original_num_docs": -1}, None, None),  # -1: lighteval does not know
])
def test_partial_runs_are_marked(tmp_path, monkeypatch, config, tasks, partial, n_samples):
    monkeypatch.chdir(tmp_path)

    def limited(data):
        data["config_general"].update(config)
        if tasks is None:
            del data["config_tasks"]
        else:
            data["config_tasks"]["lighteval|gpqa:diamond"].update(tasks)

    result = import_files([variant(tmp_path, OLMO, limited)])
    rows = records(result)
    assert {r.get("partial") for r in rows} == ({True} if partial else {None})
    assert {r.get("n_samples") for r in rows} == {n_samples}
    assert dict(result.partial) == ({partial: 3} if partial else {})


def test_model_config_revision_is_identity_and_a_local_path_needs_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def newer(data):  # lighteval ≥ 0.11 keeps the model's settings in model_config
        config = data["config_general"]
        config["model_config"] = {"model_name": config.pop("model_name"), "revision": "step1000", "dtype": "bfloat16"}

    rows = records(import_files([variant(tmp_path, OLMO, newer)]))
    assert {r["model"] for r in rows} == {"neelectric-olmo-2-1124-7b-instruct-sftv02.00@step1000"}

    def local(data):
        data["config_general"]["model_name"] = "/scratch/checkpoints/olmo-sft"

    path = variant(tmp_path, OLMO, local)
    with pytest.raises(FormatError, match="--model"):
        import_files([path])
    rows = records(import_files([path], model="allenai/OLMo-2-1124-7B-Instruct"))
    assert {r["model"] for r in rows} == {"allenai-olmo-2-1124-7b-instruct"}


def test_detection_and_a_wrong_format_word(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert detect(PYTHIA) == detect(OLMO) == detect(v1_file(tmp_path)) == "lighteval"
    with pytest.raises(FormatError, match="lighteval results, not an Inspect log"):
        import_files([OLMO], "inspect")
    with pytest.raises(FormatError, match="config_general"):
        import_files([variant(tmp_path, OLMO, lambda d: d.pop("config_general"))], "lighteval")


def test_written_entries_validate_and_a_second_import_is_a_duplicate(project, cli):
    for _ in range(2):
        assert cli("import", OLMO, "-o", "data/entries").code == 0
    (second,) = project.entries.glob("*-2.yaml")
    assert len(list(project.entries.glob("*.yaml"))) == 2 and "declared in another entry file" in second.read_text()
    report = json.loads(cli("validate", "--format", "json").out)
    duplicates = [p for p in report["problems"] if p["code"] == "duplicate_record"]
    assert len(duplicates) == 3 and all(p["severity"] == "error" for p in duplicates)
    assert not [p for p in report["problems"] if p["severity"] == "error" and p["code"] != "duplicate_record"]


def test_entries_of_every_fixture_validate(project):
    for path in (PYTHIA, OLMO, v1_file(project.root)):
        write_entries(import_files([path]), project.entries)
    assert benchtables.validate().ok


# --------------------------------------------------------------------------- hostile input


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


HOSTILE = {
    "results not a mapping": _set(("results",), [1, 2]),
    "config_general a list": _set(("config_general",), ["x"]),
    "no results": lambda d: d.pop("results"),
    "model_name a number": _set(("config_general", "model_name"), 12),
    "model_name with a line break": _set(("config_general", "model_name"), "org/a\nb"),
    "model_name empty": _set(("config_general", "model_name"), ""),
    "max_samples text": _set(("config_general", "max_samples"), "ten"),
    "max_samples negative": _set(("config_general", "max_samples"), -3),
    "max_samples huge": _set(("config_general", "max_samples"), 1e308),
    "value NaN": _set(("results", "lighteval|gpqa:diamond|0", "gpqa_pass@1:1_samples"), float("nan")),
    "value a mapping": _set(("results", "lighteval|gpqa:diamond|0", "gpqa_pass@1:1_samples"), {"a": [1]}),
    "value huge": _set(("results", "lighteval|gpqa:diamond|0", "gpqa_pass@1:1_samples"), 10 ** 400),
    "value above 1": _set(("results", "lighteval|gpqa:diamond|0", "gpqa_pass@1:1_samples"), 3.5),
    "value text": _set(("results", "lighteval|gpqa:diamond|0", "gpqa_pass@1:1_samples"), "0.5"),
    "stderr negative": _set(("results", "lighteval|gpqa:diamond|0", "gpqa_pass@1:1_samples_stderr"), -1),
    "task entry a list": _set(("results", "lighteval|gpqa:diamond|0"), [0.5]),
    "odd keys": lambda d: d["results"].update({"": {"acc": 1}, "|||": {"acc": 1}, "a|b|c|d|e": 3, "x|9999999|1": {}}),
    "odd metric names": _set(("results", "lighteval|gpqa:diamond|0"), {"pass@k:k=x": 0.5, ":": 0.1, "acc:": 0.2}),
    "config_tasks junk": _set(("config_tasks",), {"lighteval|gpqa:diamond": {"effective_num_docs": "10",
                                                                            "original_num_docs": [1]}}),
    "model_config junk": _set(("config_general", "model_config"), {"revision": {"a": 1}}),
    "deep nesting": _set(("results", "x|y|0"), json.loads("[" * 200 + "]" * 200)),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_variants_are_refused_or_skipped_cleanly(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = variant(tmp_path, OLMO, HOSTILE[name])
    try:
        result = import_files([path], "lighteval")
    except FormatError as exc:
        assert path.name in str(exc)
        return
    for row in records(result):
        assert math.isfinite(row["value"]) and 0 <= row["value"] <= 100


@pytest.mark.parametrize("text", ["", "{", "[]", "null", '{"config_general": {}, "results": {}', "\ufeff{}", "{" * 5000,
                                  '{"config_general": {"model_name": "a/b"}, "results": {"x|y|0": {"acc": ' + "9" * 5000
                                  + "}}}"])
def test_broken_files_are_format_errors(tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=r"results\.json"):
        import_files([path], "lighteval")


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=3), max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(["arc", "mmlu", "gsm8k", "truthfulqa"]),
                                  st.sampled_from(["acc", "acc_norm", "acc_stderr", "mc2", "x"]), JSON_VALUES),
                        max_size=6))
def test_random_values_never_break_the_import(tmp_path_factory, changes):
    """Any JSON in any metric of a v1 file: a FormatError or records whose values are the file's, ×100."""
    directory = tmp_path_factory.mktemp("v1")
    results = v1_results()
    keys = {"arc": "harness|arc:challenge|25", "mmlu": "harness|hendrycksTest-anatomy|5", "gsm8k": "harness|gsm8k|5",
            "truthfulqa": "harness|truthfulqa:mc|0"}
    for task, metric, value in changes:
        results[keys[task]][metric] = value
    path = directory / V1_NAME
    path.write_text(json.dumps({"config_general": {"model_name": V1_MODEL}, "results": results}))
    try:
        result = import_files([path], "lighteval")
    except FormatError:
        return
    for row in records(result):
        if row.get("subset") is None and row["benchmark"] == "mmlu":
            continue  # the mean of the subjects
        key, metric = row["where"].split("results[", 1)[1].rstrip("]").split("][")
        written = parse_quantity(results[json.loads(key.replace("'", '"'))][json.loads(metric.replace("'", '"'))],
                                 Kind.NUMBER)
        assert row["value"] == pytest.approx(written.value * (1 if written.percent else 100), rel=1e-9)
