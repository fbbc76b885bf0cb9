"""The Inspect AI importer on real logs (tests/fixtures/inspect, provenance in its README)."""

from __future__ import annotations

import ast
import json
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import benchtables
from benchtables.errors import FormatError
from benchtables.importers import import_files, inspect_log, write_entries
from benchtables.importers.common import Importer, KnownDeclarations
from benchtables.importers.formats import detect
from benchtables.registry import Registry
from conftest import FIXTURES, REPO
from conftest import imported as records

LOGS = FIXTURES / "inspect"
SHIPPED = REPO / "data" / "store"
ARC = LOGS / "data_arc_qwen.json"
MMLU = LOGS / "mmlu-summary-choices.eval"


def run(path: Path, fmt: str | None = "inspect", **options: Any) -> Any:
    return import_files([path], fmt, store=SHIPPED, **options)


def register(project: Any, text: str) -> None:
    """Benchmarks the project declares for tasks the shipped registry does not know."""
    (project.root / "data" / "registry.yaml").write_text("benchmarks:\n" + text)


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def header(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("header.json"))


def write_json(tmp_path: Path, data: Any, name: str = "log.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def rezip(source: Path, target: Path, drop: set[str] = frozenset(), extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a real archive without some members, with members appended (a rewritten header)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in drop:
                new.writestr(info, old.read(info))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # zipfile warns of a duplicate name: that is the point
            for name, data in (extra or {}).items():
                new.writestr(name, data)
    return target


# --------------------------------------------------------------------------- real logs


def test_arc_easy_with_a_limit_is_partial(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(ARC)
    (row,) = records(result)
    accuracy = load(ARC)["results"]["scores"][0]["metrics"]
    assert (row["benchmark"], row["metric"]) == ("arc-easy", "acc")
    assert row["value"] == pytest.approx(accuracy["accuracy"]["value"] * 100)
    assert row["stderr"] == pytest.approx(accuracy["stderr"]["value"] * 100)
    assert row["where"] == "data_arc_qwen.json: results.scores[0].metrics.accuracy"
    assert row["partial"] is True and row["n_samples"] == 3
    assert dict(result.partial) == {"Inspect ran 3 of the dataset's 2376 samples (limit 3)": 1}
    assert (row["n_shot"], row["setting"], row["subset"], row["split"]) == (None, None, None, None)
    # ollama/qwen2.5:0.5b: the provider is how it was served; the Ollama tag stays in the name
    assert row["model"] == "qwen2.5-0.5b" and result.models["qwen2.5-0.5b"]["name"] == "qwen2.5:0.5b"
    source = next(iter(result.sources.values()))
    assert source.date == "2025-10-21" and source.kind == "evaluation"
    assert source.title == ("Inspect AI log: inspect_evals/arc_easy on ollama/qwen2.5:0.5b, 2025-10-21 "
                            "(eval ErsZeo8F7tAAXHK4c9eNe7)")


@pytest.mark.parametrize(("name", "benchmark", "model", "value"), [
    ("data_arc_sonnet.json", "arc-easy", "claude-sonnet-4-0", 100.0),
    ("data_pubmedqa_gpt4o_mini.json", "pubmedqa", "gpt-4o-mini", 100.0),  # openai/azure/gpt-4o-mini: a service
])
def test_providers_and_services_are_not_the_model(tmp_path, monkeypatch, name, benchmark, model, value):
    monkeypatch.chdir(tmp_path)
    (row,) = records(run(LOGS / name))
    assert (row["benchmark"], row["model"], row["metric"], row["value"], row["stderr"]) == (
        benchmark, model, "acc", value, 0.0)
    assert row["partial"] is True


def test_eval_archive_mmlu_0_shot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(MMLU, None)  # detected from the content
    (row,) = records(result)
    assert header(MMLU)["eval"]["task"] == "inspect_evals/mmlu_0_shot"
    assert (row["benchmark"], row["metric"], row["value"], row["n_shot"]) == ("mmlu", "acc", 0.0, 0)
    assert row["setting"] is None  # temperature 0 is greedy decoding, the standard; task_args.cot is false
    assert row["where"] == "mmlu-summary-choices.eval[header.json]: results.scores[0].metrics.accuracy"
    assert row["partial"] is True and row["n_samples"] == 1 and row["model"] == "gpt-4o"
    assert result.format == "inspect"


def test_unknown_tasks_are_listed_not_dropped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, task in [("data_cvebench_empty_choices.json", "cvebench"),
                       ("data_intercode_ctf_local_path.json", "gdm_intercode_ctf"),
                       ("log_streaming.eval", "popularity")]:
        result = run(LOGS / name)
        assert result.count == 0 and dict(result.unknown) == {task: 1}
        assert not result.models  # no model stub for a log that gave nothing


def test_completed_below_total_is_partial(project):
    register(project, "  - {id: cve-bench, name: CVE-Bench, aliases: [cvebench], metrics: [acc], "
                      "metric_aliases: {mean: acc}}\n")
    result = run(LOGS / "data_cvebench_empty_choices.json")
    (row,) = records(result)
    assert row["value"] == pytest.approx(70.51282051282052) and row["stderr"] is None
    assert row["partial"] is True and row["n_samples"] == 78  # the scorer's scored_samples
    assert dict(result.partial) == {"Inspect completed 78 of 80 samples": 1}
    assert row["model"] == "claude-opus-4-6" and row["setting"] is None  # reducer mean: the plain estimate
    write_entries(result, project.entries)
    assert benchtables.validate().ok


def test_epochs_and_the_generate_config(project):
    register(project, "  - {id: cyse2-exploit, name: CyberSecEval 2 exploits, aliases: [cyse2_vulnerability_exploit],"
                      " metrics: [acc]}\n")
    result = run(LOGS / "data_cyse2_vuln_exploit_challenges.json")
    (row,) = records(result)
    assert row["value"] == pytest.approx(38.108974358974373) and row["metric"] == "acc"
    assert row["setting"] == "temperature=0.75"  # plan.config (model_generate_config is empty)
    assert row["n_samples"] == 2340 // 4 and row["partial"] is None  # four epochs are not a partial run
    assert result.skipped["metric 'mean' is not a metric of CyberSecEval 2 exploits"] == 1
    assert result.skipped["metric 'std' is not a metric of CyberSecEval 2 exploits"] == 1


def test_two_epochs_and_a_limit(project):
    register(project, "  - {id: popularity, name: Popularity, metrics: [acc]}\n")
    result = run(LOGS / "log_streaming.eval")
    (row,) = records(result)
    assert (row["value"], row["stderr"], row["n_samples"]) == (75.0, 25.0, 2)  # 4 samples over 2 epochs
    assert dict(result.partial) == {"Inspect ran 2 of the dataset's 100 samples (limit 2)": 1}
    assert row["model"] == "meta-llama-3-1-405b-instruct-jqf"  # azureai/…: the deployment's name


def test_statuses_other_than_success_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match=r"no-samples\.json: status is 'cancelled', not 'success'"):
        run(LOGS / "2025-05-12T20-28-13-04-00_no-samples.json")
    data = load(ARC)
    data["status"], data["error"] = "error", {"message": "RuntimeError: out of credits\nTraceback …"}
    with pytest.raises(FormatError, match=r"status is 'error'.*out of credits"):
        run(write_json(tmp_path, data))
    data["status"] = "success"
    data["invalidated"] = True
    with pytest.raises(FormatError, match="invalidated"):
        run(write_json(tmp_path, data))


def test_empty_scores_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match=r"dPiJ.*\.eval\[header\.json\]: results\.scores is empty"):
        run(LOGS / "2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval")


def test_mock_model_needs_model(project):
    register(project, "  - {id: popularity, name: Popularity, metrics: [acc]}\n")
    mock = LOGS / "2024-08-29T15-11-17+00-00_popularity_5EAmX6wjMFqea6WY7XHzZp.json"
    with pytest.raises(FormatError, match=r"mockllm/model.*pass --model"):
        run(mock)
    (row,) = records(run(mock, model="Llama 2 70B"))
    assert row["model"] == "llama-2-70b" and row["setting"] == "temperature=1"


# --------------------------------------------------------------------------- rules, on variants of real logs


@pytest.mark.parametrize(("model", "args", "expected", "setting", "revision"), [
    ("hf/meta-llama/Llama-3.1-8B", {}, "meta-llama-llama-3.1-8b", None, None),  # the owner stays
    ("vllm/EleutherAI/pythia-160m", {"revision": "step3000"}, "eleutherai-pythia-160m@step3000", None, "step3000"),
    ("vllm/meta-llama/Llama-3.1-8B:myorg/my-lora@v2", {}, "myorg-my-lora@v2", None, "v2"),  # a LoRA adapter
    ("together/meta-llama/Llama-3.1-8B", {"quantization": "AWQ"}, "meta-llama-llama-3.1-8b", "awq", None),
    ("openai-api/deepseek/deepseek-chat", {}, "deepseek-chat", None, None),
    ("anthropic/vertex/claude-3-5-sonnet-v2@20241022", {}, "claude-3-5-sonnet-v2@20241022", None, None),
    ("hf/local", {"model_path": "EleutherAI/pythia-1b"}, "eleutherai-pythia-1b", None, None),
    ("fireworks/accounts/fireworks/models/llama-v3p1-70b-instruct", {}, "llama-v3p1-70b-instruct", None, None),
    ("openrouter/meta-llama/llama-3.1-8b-instruct:free", {}, "meta-llama-llama-3.1-8b-instruct", None, None),
    ("openrouter/anthropic/claude-3.7-sonnet:thinking", {}, "anthropic-claude-3.7-sonnet", "thinking", None),
    ("hf-inference-providers/openai/gpt-oss-120b:cerebras", {}, "openai-gpt-oss-120b", None, None),
])
def test_model_identity(project, model, args, expected, setting, revision):
    data = load(ARC)
    data["eval"]["model"], data["eval"]["model_args"] = model, args
    result = run(write_json(project.root, data))
    (row,) = records(result)
    assert row["model"] == expected and row["setting"] == setting
    assert result.models[expected].get("revision") == revision
    write_entries(result, project.entries)
    assert benchtables.validate().ok


def test_known_model_resolves(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    data["eval"]["model"] = "vllm/meta-llama/Llama-2-70b-hf"  # an alias of llama-2-70b in the shipped store
    (row,) = records(run(write_json(tmp_path, data)))
    assert row["model"] == "llama-2-70b"


@pytest.mark.parametrize(("model", "args", "where"), [
    ("hf//data/checkpoints/step-100", {}, "eval.model"),
    ("hf/local", {"model_path": "../gemma-2-2b-it"}, "eval.model_args.model_path"),
    ("none/none", {}, "eval.model"),
])
def test_local_paths_need_model(tmp_path, monkeypatch, model, args, where):
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    data["eval"]["model"], data["eval"]["model_args"] = model, args
    path = write_json(tmp_path, data)
    with pytest.raises(FormatError, match=rf"log\.json: {re.escape(where)}.*--model"):
        run(path)
    assert records(run(path, model="Qwen/Qwen2.5-0.5B"))[0]["model"] == "qwen-qwen2.5-0.5b"


def test_task_names_and_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = header(MMLU)
    data["eval"]["task"] = data["eval"]["task_registry_name"] = "inspect_evals/mmlu_5_shot"
    data["eval"]["task_args"].update(subjects=["philosophy"], cot=True)
    data["eval"]["task_args_passed"] = {"subjects": ["philosophy"], "cot": True, "seed": 7}
    data["plan"]["config"]["temperature"] = 0.5
    data["eval"]["model_generate_config"] = {"reasoning_effort": "high", "temperature": 1.0}
    (row,) = records(run(write_json(tmp_path, data)))
    assert (row["benchmark"], row["n_shot"], row["subset"]) == ("mmlu", 5, "philosophy")
    assert row["setting"] == "cot,reasoning_effort=high,temperature=0.5"  # plan.config wins over the model's
    assert row["notes"] == "Inspect task arguments: seed=7"
    data["eval"]["task_args"]["subjects"] = ["philosophy", "virology"]
    result = run(write_json(tmp_path, data))
    assert records(result)[0]["partial"] is True and records(result)[0]["subset"] is None
    assert "only subjects philosophy, virology of the task" in next(iter(result.partial))
    data["eval"]["task_args"]["language"] = "FR_FR"  # MMMLU in French is not MMLU
    result = run(write_json(tmp_path, data))
    assert result.count == 0 and dict(result.unknown) == {"mmlu_5_shot (FR_FR)": 1}


def test_name_and_arguments_disagreeing_on_n_shot_warn(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = header(MMLU)
    data["eval"]["task"] = "inspect_evals/mmlu_5_shot"
    data["eval"]["task_args"]["fewshot"] = 3
    result = run(write_json(tmp_path, data))
    assert records(result)[0]["n_shot"] == 3
    assert [w.code for w in result.warnings if w.code == "setting_conflict"] == ["setting_conflict"]


def test_one_domain_is_a_subset_and_a_prompt_type_the_setting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    data["eval"]["task"] = "inspect_evals/musr"
    data["eval"]["task_args"] = {"domain": "team_allocation", "prompt_technique": "chain_of_thought"}
    (row,) = records(run(write_json(tmp_path, data)))
    assert (row["benchmark"], row["subset"], row["setting"]) == ("musr", "team_allocation", "cot")


def test_family_subset_task_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    data["eval"]["task"] = data["eval"]["task_registry_name"] = "inspect_evals/agie_lsat_ar"
    (row,) = records(run(write_json(tmp_path, data)))
    assert (row["benchmark"], row["subset"]) == ("agieval", "lsat_ar")


def test_reducers_scorers_and_stderr_siblings(tmp_path, monkeypatch):
    """HumanEval's five epochs reduced four ways; IFEval's paired metrics; two scorers of one metric."""
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    data["eval"]["task"] = "inspect_evals/humaneval"
    data["eval"]["config"]["epochs"] = 5
    data["eval"]["dataset"].update(samples=3)
    data["results"].update(total_samples=15, completed_samples=15)
    verify = {"mean": {"name": "mean", "value": 0.6}, "std": {"name": "std", "value": 0.4}}
    data["results"]["scores"] = [{"name": "verify", "scorer": "verify", "reducer": r, "metrics": verify}
                                 for r in ("mean", "pass_at_1", "pass_at_2", "mode")]
    result = run(write_json(tmp_path, data))
    rows = records(result)
    assert [(r["metric"], r["value"], r["setting"]) for r in rows] == [("pass@1", 60.0, None),
                                                                        ("pass@1", 60.0, "maj@5")]
    assert rows[0]["where"].endswith("results.scores[0].metrics.mean") and rows[0]["n_samples"] == 3
    assert result.skipped["metric 'pass@2' is not a metric of HumanEval"] == 1
    assert result.skipped["a second estimate of one number (another epoch reducer)"] == 1

    data["eval"]["task"] = "inspect_evals/ifeval"
    data["results"]["scores"] = [{"name": "instruction_following", "scorer": "instruction_following", "metrics": {
        k: {"name": k, "value": v} for k, v in {"prompt_strict_acc": 0.5, "prompt_strict_stderr": 0.1,
                                                "inst_strict_acc": 0.6, "inst_strict_stderr": 0.05,
                                                "final_acc": 0.55}.items()}}]
    result = run(write_json(tmp_path, data))
    assert {(r["metric"], r["value"], r["stderr"]) for r in records(result)} == {
        ("prompt_level_strict_acc", 50.0, 10.0), ("inst_level_strict_acc", 60.0, 5.0)}
    assert result.skipped["metric 'final_acc' is not a metric of IFEval"] == 1

    data["eval"]["task"] = "inspect_evals/arc_easy"
    choice = data["results"]["scores"] = [load(ARC)["results"]["scores"][0]]
    choice.append({**choice[0], "name": "model_graded", "scorer": "model_graded"})
    choice[1]["metrics"] = {"accuracy": {"name": "accuracy", "value": 0.5}}
    rows = records(run(write_json(tmp_path, data)))
    assert sorted((r["setting"], r["value"]) for r in rows) == [("scorer=choice", pytest.approx(100 / 3)),
                                                                ("scorer=model_graded", 50.0)]


def test_the_scorer_names_the_metric_of_a_mean(tmp_path, monkeypatch):
    """inspect_evals/drop: scorer f1 with metrics mean and stderr, three-shot by default."""
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    data["eval"]["task"], data["eval"]["task_args"] = "inspect_evals/drop", {"fewshot": 3, "fewshot_seed": 42}
    data["results"]["scores"] = [{"name": "f1", "scorer": "f1", "metrics": {
        "mean": {"name": "mean", "value": 0.8}, "stderr": {"name": "stderr", "value": 0.02}}}]
    (row,) = records(run(write_json(tmp_path, data)))
    assert (row["benchmark"], row["metric"], row["value"], row["stderr"], row["n_shot"]) == ("drop", "f1", 80.0, 2.0, 3)


def test_grouped_metrics_and_orphan_stderr_are_counted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    metrics = data["results"]["scores"][0]["metrics"]
    metrics["physics"] = {"name": "physics", "group": "grouped", "value": 0.5}
    metrics["custom_stderr"] = {"name": "custom_stderr", "value": 0.1}
    result = run(write_json(tmp_path, data))
    assert result.count == 1
    assert result.skipped["a grouped breakdown of an Inspect metric (per group, not the benchmark)"] == 1
    assert result.skipped["an Inspect stderr with no metric beside it to belong to"] == 1


def test_legacy_version_1_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = load(ARC)
    score = data["results"].pop("scores")[0]
    data["results"]["scorer"] = {"name": score["name"], "params": {}}
    data["results"]["metrics"] = score["metrics"]
    (row,) = records(run(write_json(tmp_path, data)))
    assert row["value"] == pytest.approx(100 / 3) and row["where"].endswith("results.scores[0].metrics.accuracy")


def test_last_header_wins_and_no_header_is_an_unfinished_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rewritten = header(MMLU)
    rewritten["results"]["scores"][0]["metrics"]["accuracy"]["value"] = 1.0
    path = rezip(MMLU, tmp_path / "rewritten.eval", extra={"header.json": json.dumps(rewritten).encode()})
    assert [i.filename for i in zipfile.ZipFile(path).infolist()].count("header.json") == 2
    assert records(run(path))[0]["value"] == 100.0
    unfinished = rezip(MMLU, tmp_path / "unfinished.eval", drop={"header.json"})
    assert detect(unfinished) == "inspect"
    with pytest.raises(FormatError, match=r"unfinished\.eval has no header\.json.*'started'"):
        run(unfinished, None)


# --------------------------------------------------------------------------- detection and the entry files


def test_detection(tmp_path):
    assert {detect(p) for p in LOGS.iterdir() if p.suffix in (".json", ".eval")} == {"inspect"}
    others = [p for p in (FIXTURES / "realdata").rglob("*") if p.is_file() and p.suffix in (".json", ".csv", ".md")]
    assert others and "inspect" not in {detect(p) for p in others}
    for log in (ARC, MMLU):
        with pytest.raises(FormatError, match=rf"{re.escape(log.name)} is an Inspect log, not lm-evaluation-harness"):
            run(log, "lm-eval")


def test_cli_wrong_format_word(project, cli):
    out = cli("import", "lm-eval", ARC)
    assert out.code != 0 and "is an Inspect log, not lm-evaluation-harness results" in out.err


def test_entries_validate_and_a_second_import_duplicates(project, cli):
    first = import_files([ARC, MMLU, LOGS / "data_pubmedqa_gpt4o_mini.json"])
    assert first.count == 3
    write_entries(first, project.entries)
    assert benchtables.validate().ok
    again = import_files([ARC])
    assert [s.reference for s in again.sources.values()] == [True]  # the source is referred to, not declared again
    write_entries(again, project.entries)
    out = cli("validate")
    assert out.code == 1 and "duplicate_record" in out.out + out.err


# --------------------------------------------------------------------------- hostile variants


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    node: Any = data
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "message"), [
    ("status", "done", "status should be one of"),
    ("eval", "arc", "not an Inspect log"),
    ("eval.task", ["arc_easy"], r"eval\.task should be text"),
    ("eval.task", None, r"eval\.task is missing"),
    ("eval.task", "x" * 5000, r"eval\.task is 5,000 characters long"),
    ("eval.model", 42, r"eval\.model should be text"),
    ("eval.model_args", [1, 2], r"eval\.model_args should be a mapping"),
    ("eval.config", "all", r"eval\.config should be a mapping"),
    ("eval.config.limit", "ten", r"eval\.config\.limit should be a whole number or a \[start, end\] pair"),
    ("eval.config.epochs", 0, r"eval\.config\.epochs should be a whole number ≥ 1"),
    ("eval.dataset.samples", -1, r"eval\.dataset\.samples should be a whole number ≥ 0"),
    ("eval.dataset.sample_ids", {"a": 1}, r"eval\.dataset\.sample_ids should be a list"),
    ("eval.created", "yesterday", r"eval\.created should be an ISO date"),
    ("results", [], r"log\.json: results should be a mapping"),
    ("results.scores", {}, r"results\.scores should be a list"),
    ("results.scores.0", "choice", r"results\.scores\[0\] should be a mapping"),
    ("results.scores.0.metrics", [0.3], r"results\.scores\[0\]\.metrics should be a mapping"),
    ("results.scores.0.metrics.accuracy", 0.3, r"metrics\.accuracy should be a mapping"),
    ("results.scores.0.metrics.accuracy.value", "0.3", r"metrics\.accuracy\.value should be a number"),
    ("results.scores.0.metrics.accuracy.value", True, r"metrics\.accuracy\.value should be a number"),
    ("results.total_samples", 2.5, r"results\.total_samples should be a whole number"),
    ("plan.config.temperature", "hot", r"plan\.config\.temperature should be a number"),
    ("eval.model_generate_config.reasoning_effort", "high,cot", "reasoning_effort should be a word"),
])
def test_wrong_types_are_format_errors(tmp_path, monkeypatch, path, value, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match=message) as error:
        run(write_json(tmp_path, _set(load(ARC), path, value)))
    assert str(error.value).startswith("log.json")


@pytest.mark.parametrize(("value", "skipped"), [
    ("NaN", "not a finite number (NaN or infinity)"),
    ("Infinity", "not a finite number (NaN or infinity)"),
    ("1e308", "a value of a percent metric outside 0–1"),
    ("-0.5", "a value of a percent metric outside 0–1"),
    ("null", "an Inspect metric without a value (value)"),
])
def test_values_that_cannot_be_placed_are_skipped_and_counted(tmp_path, monkeypatch, value, skipped):
    monkeypatch.chdir(tmp_path)
    text = ARC.read_text(encoding="utf-8").replace('"value": 0.3333333333333333', f'"value": {value}', 1)
    path = tmp_path / "log.json"
    path.write_text(text, encoding="utf-8")
    result = run(path)
    assert result.count == 0 and dict(result.skipped) == {skipped: 1}  # its stderr goes with it, uncounted


def test_broken_files_are_format_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = ARC.read_text(encoding="utf-8")
    cases = {
        "truncated.json": text[: len(text) // 2].encode(),
        "huge-int.json": text.replace('"value": 0.3333333333333333', '"value": 1' + "0" * 5000, 1).encode(),
        "deep.json": b'{"status": "success", "eval": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "list.json": b"[1, 2, 3]",
        "latin1.json": text.replace("qwen", "qw\u00e9n").encode("latin-1"),
        "truncated.eval": MMLU.read_bytes()[:3000],
        "not-a-zip.eval": b"PK\x03\x04" + b"\x00" * 200,
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(FormatError) as error:
            run(path)
        assert name in str(error.value), name
    other = rezip(MMLU, tmp_path / "other.eval", drop={"header.json", "_journal/start.json"})
    with pytest.raises(FormatError, match=r"without header\.json: not an Inspect \.eval log"):
        run(other)


def test_a_header_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(inspect_log, "HEADER_LIMIT", 100)
    with pytest.raises(FormatError, match="too large for a log header"):
        run(MMLU)


# --------------------------------------------------------------------------- properties


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a parsed log."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:3]):
            out += _paths(value, (*prefix, i))
    return out


_BASE = load(ARC)
_PATHS = _paths(_BASE)
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=8)


def _import(path: Path) -> Importer:
    importer = Importer("inspect", [path], Registry.shipped(), KnownDeclarations())
    inspect_log.import_inspect(importer, path, source_id=None, source_url=None, model=None)
    return importer


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(_PATHS), _JSON), min_size=1, max_size=3))
def test_mutated_logs_import_or_refuse(tmp_path, mutations):
    """Any value anywhere: a FormatError or records whose values are the file's, on the registry's scale."""
    data = json.loads(json.dumps(_BASE))
    for path, value in mutations:
        node: Any = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced the parent
    log = tmp_path / "log.json"
    log.write_text(json.dumps(data), encoding="utf-8")
    try:
        importer = _import(log)
    except FormatError as exc:
        assert str(exc).startswith("log.json"), exc
        return
    for source in importer.result.sources.values():
        for record in source.records["scores"]:
            found = re.fullmatch(r"log\.json: results\.scores\[(\d+)\]\.metrics(?:\.(\w[\w-]*)|\[(.+)\])", record["where"])
            assert found, record["where"]
            key = found[2] if found[2] is not None else ast.literal_eval(found[3])  # a repr written by the importer
            written = data["results"]["scores"][int(found[1])]["metrics"][key]["value"]
            assert 0 <= written <= 1 and record["value"] == pytest.approx(written * 100)
            assert record["metric"] == "acc" and record["benchmark"] == "arc-easy"


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=MMLU.stat().st_size - 1), junk=st.binary(max_size=64))
def test_damaged_archives_refuse(tmp_path, cut, junk):
    data = MMLU.read_bytes()
    log = tmp_path / "log.eval"
    log.write_bytes(data[:cut] + junk)
    try:
        _import(log)
    except FormatError as exc:
        assert str(exc).startswith("log.eval"), exc
