"""Every Eval Ever: importing real aggregate files (schema 0.3.0 and the 0.2/0.1 layouts that exist),
and the exporter's 0.3.0 documents, checked against the published JSON Schema and imported back."""

from __future__ import annotations

import json
import math
import shutil

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import benchtables
from benchtables.errors import FormatError
from benchtables.export import export_every_eval_ever
from benchtables.importers import import_files, write_entries
from benchtables.importers.formats import detect
from benchtables.store import Store
from conftest import FIXTURES, REPO, by
from conftest import imported as records

EEE = FIXTURES / "every-eval-ever"
REAL = FIXTURES / "realdata"
SHIPPED = REPO / "data" / "store"
SCHEMA = json.loads((EEE / "eval.schema.v0.3.0.json").read_text())
FILES = sorted(p for p in EEE.glob("*.json") if p.name != "eval.schema.v0.3.0.json")
MMLU_PRO = EEE / "mmlu-pro-leaderboard_yi-1.5-34b-chat_0.2.2.json"
DEMO = EEE / "skill-demo_0.3.0.json"
KEY = ("model", "benchmark", "metric", "value", "stderr", "n_shot", "split", "subset", "setting")


def percent(fraction):
    """A fraction of 1 on the 0–100 scale, as the importer writes it (12 significant digits)."""
    return float(f"{fraction * 100:.12g}")


def results_of(path):
    return json.loads(path.read_text())["evaluation_results"]


@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty working directory (no project): imports see only the shipped registry and store."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def changed(tmp_path, source, edit, name=None):
    """A copy of a real file with ``edit(document)`` applied."""
    data = json.loads(source.read_text())
    edit(data)
    path = tmp_path / (name or source.name)
    path.write_text(json.dumps(data))
    return path


# --------------------------------------------------------------------------- detection


def test_real_files_are_detected_and_nothing_else_is():
    assert {p.name: detect(p) for p in FILES} == {p.name: "every-eval-ever" for p in FILES}
    others = [p for p in REAL.rglob("*") if p.is_file()]
    assert others and all(detect(p) != "every-eval-ever" for p in others)


def test_no_format_word_picks_every_eval_ever_and_a_wrong_one_is_refused(here):
    assert import_files([MMLU_PRO]).format == "every-eval-ever"
    with pytest.raises(FormatError, match="is an Every Eval Ever file, not lm-evaluation-harness results"):
        import_files([MMLU_PRO], "lm-eval")
    with pytest.raises(FormatError, match="not an Every Eval Ever file"):
        import_files([REAL / "lm-eval/results_v04.json"], "every-eval-ever")


# --------------------------------------------------------------------------- real files


def test_mmlu_pro_leaderboard_0_2_2(here):
    result = import_files([MMLU_PRO], store=SHIPPED)
    rows = records(result)
    assert len(rows) == 15 and {r["model"] for r in rows} == {"01-ai-yi-1.5-34b-chat"}
    overall = by(rows, subset=None)
    assert (overall["benchmark"], overall["metric"], overall["value"]) == ("mmlu-pro", "acc", 52.29)  # 0.5229
    assert overall["n_shot"] == 5 and overall["setting"] == "cot"  # prompt_style "5-shot CoT"
    assert overall["split"] is None  # hf_split "train" is the split of the results dataset, not of MMLU-Pro
    assert overall["where"] == f"{MMLU_PRO.name}: evaluation_results[0] (MMLU-Pro (overall))"
    assert by(rows, subset="computer_science")["value"] == 53.9
    for i, result_ in enumerate(results_of(MMLU_PRO)):  # every number, on the registry's 0–100 scale
        assert by(rows, where=f"{MMLU_PRO.name}: evaluation_results[{i}] ({result_['evaluation_name']})")["value"] \
            == percent(result_["score_details"]["score"])
    (source,) = result.sources.values()
    assert (source.title, source.kind, source.url) == ("MMLU-Pro Leaderboard", "leaderboard",
                                                       "https://huggingface.co/spaces/TIGER-Lab/MMLU-Pro")
    assert "schema 0.2.2" in source.notes and "TIGER-Lab" in source.notes
    assert result.models["01-ai-yi-1.5-34b-chat"] == {
        "id": "01-ai-yi-1.5-34b-chat", "name": "01-ai/yi-1.5-34b-chat", "organization": "01-ai",
        "parameters": 34e9, "aliases": ["01-ai/yi-1.5-34b-chat"]}
    assert [w.code for w in result.warnings].count("fraction_as_percent") == 1


def test_lowercased_id_finds_the_model_its_owner_declares(project):
    project.write("yi.yaml", """\
        source: {id: yi2024, title: Yi, url: 'https://arxiv.org/abs/2403.04652', year: 2024}
        models:
          - {id: yi-1.5-34b-chat, name: Yi 1.5 34B Chat, aliases: [01-ai/Yi-1.5-34B-Chat]}
        """)
    other = changed(project.root, MMLU_PRO, lambda d: d["model_info"].update(id="someone/yi-1.5-34b-chat"), "copy.json")
    assert {r["model"] for r in records(import_files([MMLU_PRO]))} == {"yi-1.5-34b-chat"}
    assert {r["model"] for r in records(import_files([other]))} == {"someone-yi-1.5-34b-chat"}  # the owner counts


def test_open_llm_leaderboard_0_2_0(here):
    path = EEE / "hfopenllm-v2_llama-pro-8b-instruct_0.2.0.json"
    result = import_files([path], store=SHIPPED)
    rows = records(result)
    assert {(r["benchmark"], r["metric"], r["value"]) for r in rows} == {("math-hard", "exact_match", 2.49),
                                                                         ("mmlu-pro", "acc", 19.46)}
    # "Accuracy on BBH": the leaderboard reports normalised accuracy there; the file's word does not say which
    assert sum(n for reason, n in result.skipped.items() if "does not say which accuracy" in reason) == 3
    assert any(reason.startswith("IFEval: the file names none of its metrics") for reason in result.skipped)
    assert result.models["tencentarc-llama-pro-8b-instruct"]["parameters"] == 8.357e9  # params_billions 8.357
    assert "metric_from_text" in [w.code for w in result.warnings]


def test_helm_lite_0_1_layout(here):
    path = EEE / "helm-lite_command-r-plus_0.1.0.json"
    result = import_files([path], store=SHIPPED)
    rows = records(result)
    narrative = by(rows, benchmark="narrativeqa")
    assert (narrative["metric"], narrative["value"], narrative["n_shot"], narrative["n_samples"]) == ("f1", 73.5, 5, 355)
    math_ = by(rows, benchmark="math")  # "MATH - Equivalent (CoT)" with use_chain_of_thought, level 1 only
    assert (math_["metric"], math_["value"], math_["n_shot"], math_["setting"], math_["subset"]) == (
        "exact_match", 40.3, 8, "cot", "level_1")
    assert by(rows, benchmark="mmlu")["value"] == 59.0 and by(rows, benchmark="mmlu")["n_samples"] is None  # 102.8
    assert by(rows, benchmark="legalbench")["n_shot"] is None  # HELM's # train is a mean there (4.8): no n-shot
    assert by(rows, benchmark="wmt14")[("metric")] == "bleu_4"
    assert dict(result.unknown) == {"Mean win rate": 1}
    assert "schema 0.1.0" in next(iter(result.sources.values())).notes


def test_helm_capabilities_0_2_0(here):
    path = EEE / "helm-capabilities_claude-sonnet-4-5_0.2.0.json"
    result = import_files([path], store=SHIPPED)
    rows = records(result)
    gpqa = by(rows, benchmark="gpqa-main")  # GPQA with subset gpqa_main: GPQA Main, a benchmark of its own
    assert (gpqa["metric"], gpqa["value"], gpqa["n_shot"], gpqa["setting"], gpqa["n_samples"], gpqa["subset"]) == (
        "acc", 68.6, 0, "cot", 446, None)
    assert by(rows, benchmark="mmlu-pro")["value"] == 86.9
    assert set(result.unknown) == {"Mean score", "WildBench", "Omni-MATH"}
    assert any(reason.startswith("IFEval: the file names none") for reason in result.skipped)


def test_lm_eval_converter_output_0_3_0(here):
    """EEE's lm-eval converter states no bounds for IFEval: the values decide, with a warning each."""
    path = EEE / "lm-eval-converter_solar-10.7b-ifeval_0.3.0.json"
    result = import_files([path], store=SHIPPED)
    rows = records(result)
    assert len(rows) == 4 and {r["benchmark"] for r in rows} == {"ifeval"}
    for i, item in enumerate(results_of(path)):
        row = by(rows, metric=item["metric_config"]["evaluation_description"])
        assert row["where"] == f"{path.name}: evaluation_results[{i}] (leaderboard_ifeval)"
        assert row["value"] == pytest.approx(item["score_details"]["score"] * 100, rel=1e-11)
        error = item["score_details"]["uncertainty"].get("standard_error")
        assert row["stderr"] == (None if error is None else pytest.approx(error["value"] * 100, rel=1e-11))
        assert (row["n_shot"], row["split"], row["n_samples"]) == (0, "train", 541)
    assert [w.code for w in result.warnings].count("fraction_as_percent") == 4
    (source,) = result.sources.values()
    assert (source.kind, source.date) == ("evaluation", "2024-11-13")  # evaluation_timestamp "1731541981"
    assert source.title == "lm-evaluation-harness: evaluation of upstage/SOLAR-10.7B-v1.0, 2024-11-13"
    assert result.models["upstage-solar-10.7b-v1.0"]["parameters"] == 10731524096


def test_vectara_lower_is_better_and_unbounded_metrics(here, tmp_path):
    path = EEE / "vectara-adapter_qwen3-8b_0.3.0.json"
    result = import_files([path], store=SHIPPED)
    rows = records(result)
    overall = by(rows, metric="hallucination_rate", subset=None)
    assert overall["value"] == 4.8 and overall["benchmark"] == "vectara-hallucination"  # percent, kept as it is
    assert by(rows, metric="hallucination_rate", subset="category.finance")["value"] == 7.342
    assert len(rows) == 27  # the average summary length (words, "Infinity" max) is no metric of the benchmark
    assert result.skipped["metric 'vectara-hallucination-leaderboard.average-summary-length' is not a metric of "
                          "Vectara Hallucination Leaderboard"] == 13

    def flip(doc):
        doc["evaluation_results"][0]["metric_config"]["lower_is_better"] = False
    flipped = import_files([changed(tmp_path, path, flip)], store=SHIPPED)
    assert len(records(flipped)) == 26 and any("another metric" in reason for reason in flipped.skipped)


def test_partial_inspect_run_0_2_0(here):
    path = EEE / "inspect-pubmedqa_gpt-4o-mini_0.2.0.json"
    result = import_files([path], store=SHIPPED)
    (row,) = records(result)
    assert (row["benchmark"], row["metric"], row["value"]) == ("pubmedqa", "acc", 100.0)
    assert row["partial"] is True and row["n_samples"] == 2  # 2 sample_ids of samples_number 500
    assert row["subset"] is None  # "choice" is the scorer, not a part of PubMedQA
    assert dict(result.partial) == {"evaluated on 2 of 500 samples": 1}
    assert row["model"] == "openai-gpt-4o-mini-2024-07-18"  # model_info.id, not the azure route in its name


def test_unplaceable_results_are_listed(here, cli):
    path = EEE / "hal-gaia_deepseek-r1_0.2.2.json"
    result = import_files([path], store=SHIPPED)
    assert result.count == 0
    assert set(result.unknown) == {"GAIA", "GAIA - GAIA Level 1", "GAIA - GAIA Level 2", "GAIA - GAIA Level 3"}
    out = cli("import", path, "--store", SHIPPED)
    assert out.code == 1 and "GAIA - GAIA Level 1" in out.err and "nothing to import" in out.err


def test_registered_benchmark_of_the_0_3_0_demo(project):
    assert dict(import_files([DEMO]).unknown) == {"demo-source.demo_bench": 1}
    (project.root / "data" / "registry.yaml").write_text(
        "benchmarks:\n  - {id: demo-bench, name: Demo bench, aliases: [demo_bench], metrics: [acc, exact_match]}\n")
    result = import_files([DEMO])
    (row,) = records(result)
    assert (row["benchmark"], row["metric"], row["value"]) == ("demo-bench", "acc", 75.0)  # metric_id accuracy, 0.75
    assert result.models["demo-org-demo-model"]["open_weights"] is True
    write_entries(result, project.entries)
    assert benchtables.validate().ok


def test_real_files_give_entries_that_validate(project):
    written = 0
    for path in FILES:
        result = import_files([path])
        if result.count:
            write_entries(result, project.entries)
            written += 1
    report = benchtables.validate()
    assert report.ok, [p.format() for p in report.problems if p.severity == "error"][:3]
    assert written == len(FILES) - 2  # the demo file and HAL's GAIA run (no benchmark benchtables knows) give none
    assert len(list(project.entries.glob("*.yaml"))) == written  # one entry file per source


# --------------------------------------------------------------------------- identity and first party


@pytest.mark.parametrize(("model_info", "expected"), [
    ({"id": "openai/azure/gpt-4o-mini", "inference_platform": "azure"}, "openai-gpt-4o-mini"),
    ({"id": "together/meta-llama/Llama-3-8b", "inference_platform": "together"}, "meta-llama-llama-3-8b"),
    ({"id": "EleutherAI/pythia-160m", "additional_details": {"revision": "step3000"}}, "eleutherai-pythia-160m@step3000"),
    ({"name": "Yi-1.5-34B-Chat"}, "yi-1.5-34b-chat"),  # no id: the name
])
def test_model_ids(tmp_path, monkeypatch, model_info, expected):
    monkeypatch.chdir(tmp_path)
    path = changed(tmp_path, MMLU_PRO, lambda d: d.update(model_info=model_info))
    assert {r["model"] for r in records(import_files([path], store=SHIPPED))} == {expected}


@pytest.mark.parametrize(("model_id", "says"), [
    ("/data/ckpt/llama-13b", "local path"),
    ("./checkpoints/step1000", "local path"),
    ("org/family/model:revision", "more than owner/name"),
    ("org/na\u202eme", "control or invisible characters"),
])
def test_ids_that_are_no_identity_need_model(tmp_path, monkeypatch, model_id, says):
    monkeypatch.chdir(tmp_path)
    path = changed(tmp_path, MMLU_PRO, lambda d: d["model_info"].update(id=model_id))
    with pytest.raises(FormatError, match=f"{says}.*--model"):
        import_files([path])
    result = import_files([path], model="Yi 1.5 34B Chat")
    assert {r["model"] for r in records(result)} == {"yi-1.5-34b-chat"} and result.count == 15


def test_first_party_makes_the_new_model_introduced_by_the_source(project, cli):
    def first(doc):
        doc["source_metadata"]["evaluator_relationship"] = "first_party"
    result = import_files([changed(project.root, MMLU_PRO, first)])
    (source,) = result.sources.values()
    assert result.models["01-ai-yi-1.5-34b-chat"]["introduced_by"] == source.id
    write_entries(result, project.entries)
    assert cli("build").code == 0
    scores = Store.open(project.store).table("scores").to_pylist()
    assert len(scores) == 15 and all(r["first_party"] for r in scores)


def test_first_party_of_a_model_another_source_introduced_is_said(project):
    project.write("yi.yaml", """\
        source: {id: yi2024, title: Yi, url: 'https://arxiv.org/abs/2403.04652', year: 2024}
        models:
          - {id: yi-1.5-34b-chat, name: Yi 1.5 34B Chat, aliases: [01-ai/yi-1.5-34b-chat], introduced_by: yi2024}
        """)

    def first(doc):
        doc["source_metadata"]["evaluator_relationship"] = "first_party"
    result = import_files([changed(project.root, MMLU_PRO, first)])
    (warning,) = [w for w in result.warnings if w.code == "first_party_unrepresented"]
    assert "introduced by yi2024" in warning.message and warning.field == "source_metadata.evaluator_relationship"


# --------------------------------------------------------------------------- one number, one record


def test_importing_a_file_twice_is_a_duplicate(project, cli):
    assert cli("import", MMLU_PRO, "-o", "data/entries").code == 0
    assert cli("build").code == 0
    assert cli("import", MMLU_PRO, "-o", "data/entries").code == 0
    files = sorted(project.entries.glob("*.yaml"))
    assert [p.name for p in files] == ["mmlu-pro-leaderboard-2.yaml", "mmlu-pro-leaderboard.yaml"]
    assert "source: mmlu-pro-leaderboard  # declared in another entry file" in files[0].read_text()
    checked = cli("validate", "--format", "json")
    duplicates = [p for p in json.loads(checked.out)["problems"] if p["code"] == "duplicate_record"]
    assert checked.code == 1 and len(duplicates) == 15


# --------------------------------------------------------------------------- hostile files


def _drop(*keys):
    def edit(doc):
        target = doc
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]
    return edit


def _set(value, *keys):
    def edit(doc):
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return edit


REFUSED = [
    (_set("1.0.0", "schema_version"), "schema_version '1.0.0'.*0.3"),
    (_set("0.4.0", "schema_version"), "schema_version '0.4.0'"),
    (_drop("schema_version"), "schema_version is missing"),
    (_set(3, "schema_version"), "schema_version: expected text, got a number"),
    (_drop("evaluation_results"), "evaluation_results is missing"),
    (_set({"a": 1}, "evaluation_results"), "evaluation_results: expected a list, got an object"),
    (_set(["junk"], "evaluation_results"), r"evaluation_results\[0\]: expected an object, got text"),
    (_drop("evaluation_results", 3, "metric_config"), r"evaluation_results\[3\].metric_config is missing"),
    (_set([], "evaluation_results", 2, "score_details"), r"evaluation_results\[2\].score_details: expected an object"),
    (_set([1], "evaluation_results", 0, "score_details", "uncertainty"), "uncertainty: expected an object"),
    (_set("no", "evaluation_results", 1, "metric_config", "lower_is_better"), "lower_is_better: expected true or false"),
    (_set(None, "model_info"), "model_info is missing: pass --model"),
    (_set({"developer": "x"}, "model_info"), "model_info.id is missing: pass --model"),
    (_set("/home/me/ckpt", "model_info", "id"), "local path"),
    (_set("text", "source_metadata"), "source_metadata: expected an object, got text"),
    (_set({"evaluation_name": ["x"]}, "evaluation_results", 0), r"evaluation_results\[0\].metric_config is missing"),
    (_set(7, "evaluation_results", 0, "evaluation_name"), "evaluation_name: expected text, got a number"),
]


@pytest.mark.parametrize(("edit", "says"), REFUSED)
def test_malformed_documents_are_refused_saying_where(tmp_path, monkeypatch, edit, says):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match=says) as caught:
        import_files([changed(tmp_path, MMLU_PRO, edit)], "every-eval-ever", store=SHIPPED)
    assert MMLU_PRO.name in str(caught.value)


SKIPPED = [
    (_set("0.5", "evaluation_results", 1, "score_details", "score"), "score is not a number (text)"),
    (_set(None, "evaluation_results", 1, "score_details", "score"), "MMLU-Pro: a result without a score"),
    (_set(float("nan"), "evaluation_results", 1, "score_details", "score"), "not a finite number (NaN or infinity)"),
    (_set(10**400, "evaluation_results", 1, "score_details", "score"), "not a finite number (NaN or infinity)"),
    (_set(73.4, "evaluation_results", 1, "score_details", "score"), "a score outside the bounds its result declares"),
    (_set(True, "evaluation_results", 1, "score_details", "score"), "score is not a number (true/false)"),
    (_set("levels", "evaluation_results", 1, "metric_config", "score_type"), "a levels score"),
    (_set(10, "evaluation_results", 1, "metric_config", "max_score"), "a 0–10 scale in proportion, which does not fit"),
    (_set("points", "evaluation_results", 1, "metric_config", "metric_unit"), "a 0–1 scale in points, which does not"),
    (_set(True, "evaluation_results", 1, "metric_config", "lower_is_better"), "another metric"),
    (_set("f1", "evaluation_results", 1, "metric_config", "metric_id"), "metric 'f1' is not a metric of MMLU-Pro"),
]


@pytest.mark.parametrize(("edit", "reason"), SKIPPED)
def test_unusable_numbers_are_skipped_and_counted(tmp_path, monkeypatch, edit, reason):
    monkeypatch.chdir(tmp_path)
    result = import_files([changed(tmp_path, MMLU_PRO, edit)], store=SHIPPED)
    assert result.count == 14 and not any(r["where"].endswith("evaluation_results[1] (MMLU-Pro (Biology))")
                                          for r in records(result))
    assert any(reason in skipped for skipped in result.skipped), dict(result.skipped)


def _uncertainty(**value):
    return _set(value, "evaluation_results", 0, "score_details", "uncertainty")


@pytest.mark.parametrize(("edit", "check"), [
    (_uncertainty(standard_error={"value": -0.1}),
     lambda r, res: r["stderr"] is None and res.skipped["a negative standard error"] == 1),
    (_uncertainty(confidence_interval={"lower": 0.5, "upper": 0.55, "confidence_level": 0.9}),
     lambda r, res: r["ci_low"] is None and any("0.9 confidence interval" in s for s in res.skipped)),
    (_uncertainty(confidence_interval={"lower": 0.5, "upper": 0.55}),
     lambda r, res: (r["ci_low"], r["ci_high"]) == (50.0, 55.0) and "level of the interval is not stated" in r["notes"]),
    (_uncertainty(confidence_interval={"lower": 0.6, "upper": 0.7, "confidence_level": 0.95}),
     lambda r, res: r["ci_low"] is None and res.skipped["a confidence interval that does not contain its value"] == 1),
    (_uncertainty(standard_error={"value": 0.0123, "method": "bootstrap"}, num_samples=12032),
     lambda r, res: r["stderr"] == 1.23 and r["n_samples"] == 12032 and not r["partial"]),
    (_uncertainty(standard_error={"value": "0.01"}),
     lambda r, res: r["stderr"] is None and res.skipped["standard error is not a number (text)"] == 1),
    (_set("Infinity", "evaluation_results", 0, "metric_config", "max_score"),
     lambda r, res: r["value"] == 52.29),  # the unit, proportion, says the scale
    (_set([{"deep": [[[[{}]]]]}], "evaluation_results", 0, "metric_config", "additional_details"),
     lambda r, res: r["value"] == 52.29 and r["n_shot"] == 5),  # a map that is not one says nothing
])
def test_uncertainty_and_junk_in_free_form_fields(tmp_path, monkeypatch, edit, check):
    monkeypatch.chdir(tmp_path)
    result = import_files([changed(tmp_path, MMLU_PRO, edit)], store=SHIPPED)
    assert check(by(records(result), subset=None), result)


@pytest.mark.parametrize("text", [
    lambda t: t[: len(t) // 2],  # truncated
    lambda t: "[]",
    lambda t: "42",
    lambda t: "[" * 100_000 + "]" * 100_000,
    lambda t: t.replace('"score": 0.5229', '"score": 0.5229,,'),
])
def test_broken_json_is_refused(tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "broken.json"
    path.write_text(text(MMLU_PRO.read_text()))
    with pytest.raises(FormatError, match=r"broken\.json"):
        import_files([path], "every-eval-ever", store=SHIPPED)
    path.write_bytes(b"\xff\xfe{" + MMLU_PRO.read_bytes())
    with pytest.raises(FormatError, match="not UTF-8"):
        import_files([path], "every-eval-ever", store=SHIPPED)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)
FIELDS = [("model_info", "id"), ("source_metadata",), ("metric_config",), ("metric_config", "min_score"),
          ("metric_config", "max_score"), ("metric_config", "metric_unit"), ("metric_config", "metric_kind"),
          ("score_details",), ("score_details", "score"), ("score_details", "uncertainty"), ("source_data",),
          ("source_data", "hf_repo"), ("generation_config",), ("evaluation_name",), ("metric_config", "score_type"),
          ("source_data", "additional_details"), ("schema_version",), ("evaluation_timestamp",)]


@given(value=JSON, field=st.sampled_from(FIELDS), index=st.integers(0, 14))
def test_any_value_anywhere_is_read_or_refused_and_numbers_keep_their_value(tmp_path_factory, value, field, index):
    """A random JSON value in one field never breaks the importer; every number it imports is the file's
    score on the registry's 0–100 scale."""
    data = json.loads(MMLU_PRO.read_text())
    target = data if field[0] in ("model_info", "source_metadata", "schema_version", "evaluation_timestamp") \
        else data["evaluation_results"][index]
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = value
    path = tmp_path_factory.mktemp("fuzz") / "mutated.json"
    path.write_text(json.dumps(data))
    try:
        result = import_files([path], "every-eval-ever", store=SHIPPED)
    except FormatError as exc:
        assert "mutated.json" in str(exc)
        return
    original = results_of(MMLU_PRO)
    for row in records(result):
        i = int(row["where"].split("evaluation_results[")[1].split("]")[0])
        if i != index:
            assert row["value"] == percent(original[i]["score_details"]["score"])
        assert math.isfinite(row["value"]) and 0 <= row["value"] <= 100


@given(st.dictionaries(st.sampled_from(["schema_version", "evaluation_results", "model_info", "source_metadata",
                                        "evaluation_id"]), JSON, max_size=5))
def test_any_document_is_read_or_refused(tmp_path_factory, document):
    document.setdefault("schema_version", "0.3.0")
    document.setdefault("evaluation_results", [])
    path = tmp_path_factory.mktemp("fuzz") / "doc.json"
    path.write_text(json.dumps(document))
    try:
        import_files([path], "every-eval-ever", store=SHIPPED)
    except FormatError as exc:
        assert "doc.json" in str(exc)


# --------------------------------------------------------------------------- export, and back


def test_export_validates_against_the_0_3_0_schema_and_is_deterministic():
    documents = export_every_eval_ever(SHIPPED, timestamp="1700000000")
    validator = jsonschema.Draft7Validator(SCHEMA)
    for doc in documents:
        assert not [e.message for e in validator.iter_errors(doc)], doc["evaluation_id"]
    assert json.dumps(documents) == json.dumps(export_every_eval_ever(SHIPPED, timestamp="1700000000"))
    assert {d["schema_version"] for d in documents} == {"0.3.0"}
    by_id = {d["evaluation_id"]: d for d in documents}
    loss = by_id["ma2024megalodon/megalodon-7b/1700000000"]["evaluation_results"]
    config = next(r["metric_config"] for r in loss if r["metric_config"]["metric_id"] == "train_loss")
    assert (config["lower_is_better"], config["min_score"], config["max_score"]) == (True, 0.0, "Infinity")
    mistral = by_id["ma2024megalodon/mistralai/Mistral-7B-v0.1/1700000000"]
    assert mistral["source_metadata"]["evaluator_relationship"] == "third_party"
    assert mistral["model_info"]["additional_details"] == {
        "deployment_type": "unknown", "model_availability": "open_weights", "benchtables_model_id": "mistral-7b"}  # open_weights: true
    (mmlu,) = mistral["evaluation_results"]
    assert mmlu["metric_config"]["metric_unit"] == "percent" and mmlu["score_details"] == {"score": 60.1}
    assert mmlu["source_data"] == {"dataset_name": "MMLU", "source_type": "hf_dataset", "hf_repo": "cais/mmlu",
                                   "hf_split": "test"}
    palm = by_id["chowdhery2022palm/palm-540b/1700000000"]
    assert palm["source_metadata"]["evaluator_relationship"] == "first_party"
    stem = next(r for r in palm["evaluation_results"] if r["evaluation_name"] == "MMLU (stem)")
    assert stem["generation_config"]["additional_details"] == {"num_fewshot": "5", "subset": "stem", "where": "Table 6"}


def test_export_round_trip_gives_the_same_scores(here):
    path = here / "all.json"
    path.write_text(json.dumps(export_every_eval_ever(SHIPPED, timestamp="1700000000")))
    result = import_files([path], store=SHIPPED)
    store = Store.open(SHIPPED).table("scores").to_pylist()
    assert sorted(tuple(r[k] for k in KEY) for r in records(result)) == sorted(tuple(r[k] for k in KEY) for r in store)
    assert all(s.reference for s in result.sources.values())  # the store's own sources, referred to
    assert not result.models and not result.skipped and not result.unknown


def test_export_of_every_kind_of_value_round_trips(project, cli):
    """Stderr, an interval, a setting, a split, n_samples and partial runs, and a checkpoint model survive."""
    project.write("run.yaml", """\
        source: {id: run2025, title: A run, url: 'https://example.org/run', year: 2025, kind: evaluation}
        models:
          - {id: pythia-160m, name: Pythia 160M, aliases: [EleutherAI/pythia-160m], open_weights: true}
          - {id: pythia-160m@step3000, name: Pythia 160M step 3000, base_model: pythia-160m, revision: step3000}
        scores:
          - {model: pythia-160m@step3000, benchmark: gsm8k, value: 2.5, stderr: 0.4, n_shot: 8,
             setting: 'cot,strict-match', split: train, n_samples: 100, partial: true, where: Table 1}
          - {model: pythia-160m, benchmark: mt-bench, value: 3.25, ci_low: 3.0, ci_high: 3.5, where: Table 2}
          - {model: pythia-160m, benchmark: chatbot-arena, value: 1012.5, where: Table 3}
        """)
    assert cli("build").code == 0
    documents = export_every_eval_ever(project.store, timestamp="1")
    validator = jsonschema.Draft7Validator(SCHEMA)
    assert all(not list(validator.iter_errors(d)) for d in documents)
    out = project.root / "eee"
    assert cli("export", "every-eval-ever", "-o", out, "--timestamp", "1").code == 0
    files = sorted(out.iterdir())
    assert sorted((json.loads(p.read_text()) for p in files), key=str) == sorted(documents, key=str)
    result = import_files(files)
    store = Store.open(project.store).table("scores").to_pylist()
    key = (*KEY, "ci_low", "ci_high", "n_samples", "partial")
    assert sorted(tuple(r[k] for k in key) for r in records(result)) == sorted(
        tuple(r[k] or None if k == "partial" else r[k] for k in key) for r in store)
    arena = next(d for d in documents if any(r["metric_config"]["metric_id"] == "elo" for r in d["evaluation_results"]))
    elo = next(r["metric_config"] for r in arena["evaluation_results"] if r["metric_config"]["metric_id"] == "elo")
    assert (elo["min_score"], elo["max_score"]) == ("-Infinity", "Infinity")
    step = next(d for d in documents if d["model_info"]["additional_details"].get("revision"))
    assert step["model_info"]["id"] == "EleutherAI/pythia-160m" and len(files) == len(documents) == 2
    assert step["evaluation_id"] == "run2025/EleutherAI/pythia-160m@step3000/1"
    assert step["source_metadata"]["source_type"] == "evaluation_run"


def test_export_files_from_the_cli_are_one_per_model_and_source(tmp_path, cli):
    out = tmp_path / "eee"
    assert cli("export", "every-eval-ever", "-o", out, "--store", SHIPPED, "--timestamp", "5").code == 0
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == len(export_every_eval_ever(SHIPPED, timestamp="5"))
    assert "chowdhery2022palm__palm-540b__5.json" in names and not list(out.glob("*.tmp*"))
    shutil.rmtree(out)


def test_helm_classic_columns_are_metrics_and_run_counts_are_settings(here):
    """HELM Classic as EEE converts it: ``BoolQ - EM`` is BoolQ's accuracy (EM is the column, not a
    subset); ``# train`` of 5 in every run is 5-shot and ``# eval`` the sample count; the perturbed
    runs and calibration nested in the details are no numbers; HELM's -1 (not run) is never a score."""
    path = EEE / "helm-classic_llama-2-70b_0.1.0.json"
    result = import_files([path], store=SHIPPED)
    rows = records(result)
    boolq = by(rows, benchmark="boolq")
    assert (boolq["metric"], boolq["value"], boolq["n_shot"], boolq["n_samples"], boolq["subset"]) == (
        "acc", 88.6, 5, 1000, None)
    assert boolq["where"] == f"{path.name}: evaluation_results[2] (BoolQ - EM)"
    assert (by(rows, benchmark="mmlu")["value"], by(rows, benchmark="mmlu")["n_shot"]) == (58.2, 5)
    assert by(rows, benchmark="narrativeqa")["metric"] == "f1"
    assert all(r["value"] >= 0 for r in rows)  # HellaSwag and OpenbookQA are -1 there: not run
    assert not {"hellaswag", "openbookqa"} & {r["benchmark"] for r in rows}
    assert len(rows) == len({(r["benchmark"], r["metric"]) for r in rows})  # no robustness/fairness copies


@pytest.mark.parametrize(("spread", "n_shot"), [("min=., mean=5, max=5, sum=5 (1)", 5), ("min=1.2.3, mean=5, max=5", 5),
                                               ("min=5, mean=5, max=7", None), ("min=4, mean=4.96, max=5", None)])
def test_a_helm_run_count_gives_an_n_shot_only_when_every_run_agrees(tmp_path, spread, n_shot):
    """``# train`` is the n-shot when its runs agree; a spread that is no spread (malformed) leaves
    its mean to decide, and never crashes the import."""
    def edit(data):
        train = data["evaluation_results"][2]["score_details"]["details"]["BoolQ - # train"]
        train["description"] = spread
        train["score"] = float(spread.split("mean=")[1].split(",")[0])
    path = changed(tmp_path, EEE / "helm-classic_llama-2-70b_0.1.0.json", edit)
    boolq = by(records(import_files([path], store=SHIPPED)), benchmark="boolq")
    assert (boolq["value"], boolq["n_shot"]) == (88.6, n_shot)


def test_helm_rules_are_for_helm_only(tmp_path):
    """A source named like HELMET (a benchmark, not HELM) does not turn HELM's column rules on."""
    from benchtables.importers.every_eval_ever import _HELM_NAME

    assert [bool(_HELM_NAME.match(n)) for n in ("helm_classic", "HELM Lite", "helm", "HELMET", "helmet-recall")] == [
        True, True, True, False, False]


def test_a_very_long_result_name_is_listed_not_split(tmp_path):
    def edit(data):
        data["evaluation_results"][2]["evaluation_name"] = "a - a" + " " * 20_000 + "b"
    path = changed(tmp_path, EEE / "helm-classic_llama-2-70b_0.1.0.json", edit)
    result = import_files([path], store=SHIPPED)
    assert "boolq" not in {r["benchmark"] for r in records(result)}
    assert any(name.startswith("a - a") for name in result.unknown)
