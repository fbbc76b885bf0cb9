"""Importers on real files: the numbers, settings and `where` they produce, and their traps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from benchtables.errors import FormatError, UsageError
from benchtables.importers import import_files, write_entries
from conftest import FIXTURES, REPO, by
from conftest import imported as records

REAL = FIXTURES / "realdata"
SHIPPED = REPO / "data" / "store"




# --------------------------------------------------------------------------- lm-evaluation-harness


def test_lm_eval_v03(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "lm-eval/results_v03.json"], "lm-eval", store=SHIPPED)
    rows = records(result)
    sciq = by(rows, benchmark="sciq", metric="acc")
    assert sciq["value"] == pytest.approx(89.1) and sciq["stderr"] == pytest.approx(0.98598284)
    assert sciq["n_shot"] == 0 and sciq["where"] == "results_v03.json: results.sciq['acc']"
    assert by(rows, benchmark="arc-easy", metric="acc_norm")["value"] == pytest.approx(53.28282828)  # acc_norm kept apart
    assert {r["model"] for r in rows} == {"bigscience-bloom-3b"}  # model_args, not config.model ("gpt2")
    assert result.models["bigscience-bloom-3b"]["aliases"] == ["bigscience/bloom-3b"]
    codes = [w.code for w in result.warnings]
    assert "model_conflict" in codes and "unresolved_model" in codes


def test_lm_eval_v04_lists_unknown_tasks(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "lm-eval/results_v04.json"], "lm-eval", store=SHIPPED)
    assert result.count == 0
    assert dict(result.unknown) == {"math_perturbed_full": 1, "math_rephrased_full": 1}
    out = cli("import", "lm-eval", REAL / "lm-eval/results_v04.json", "--store", SHIPPED)
    assert out.code == 1 and "math_perturbed_full" in out.err and "nothing to import" in out.err


def test_lm_eval_v04_with_the_tasks_registered(project):
    (project.root / "data" / "registry.yaml").write_text(
        "benchmarks:\n"
        "  - {id: math-perturbed, name: MATH (perturbed), aliases: [math_perturbed_full], metrics: [exact_match]}\n"
        "  - {id: math-rephrased, name: MATH (rephrased), aliases: [math_rephrased_full], metrics: [exact_match]}\n")
    result = import_files([REAL / "lm-eval/results_v04.json"], "lm-eval")
    rows = records(result)
    rephrased = by(rows, benchmark="math-rephrased")
    assert rephrased["value"] == pytest.approx(0.04) and rephrased["stderr"] == pytest.approx(0.02828144)
    assert rephrased["metric"] == "exact_match" and rephrased["n_shot"] == 0 and rephrased["setting"] is None
    assert rephrased["where"] == "results_v04.json: results.math_rephrased_full['exact_match,none']"
    (stub,) = result.models.values()
    assert stub["parameters"] == 93069280 and stub["aliases"][0].startswith("RylanSchaeffer/")
    source = next(iter(result.sources.values()))
    assert source.year == 2026 and source.kind == "evaluation" and "0.4.9.2" in source.title
    write_entries(result, project.entries)
    assert __import__("benchtables").validate().ok


def test_lm_eval_stderr_na_and_filters(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = json.loads((REAL / "lm-eval/results_v04.json").read_text())
    data["results"]["gsm8k"] = {"alias": "gsm8k", "exact_match,strict-match": 0.5, "exact_match_stderr,strict-match": "N/A"}
    data["n-shot"]["gsm8k"] = 5
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    (row,) = records(import_files([path], "lm-eval", store=SHIPPED))
    assert (row["benchmark"], row["metric"], row["value"], row["stderr"], row["setting"], row["n_shot"]) == (
        "gsm8k", "exact_match", 50.0, None, "strict-match", 5)


def test_lm_eval_task_names_map_to_benchmarks_and_subsets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = json.loads((REAL / "lm-eval/results_v04.json").read_text())
    data["results"] = {"mmlu": {"acc,none": 0.6}, "mmlu_philosophy": {"acc,none": 0.7},
                       "truthfulqa_mc2": {"acc,none": 0.5}, "bbh_cot_fewshot_boolean_expressions": {"exact_match,get-answer": 0.8}}
    data["n-shot"] = {"mmlu": 5, "mmlu_philosophy": 5}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    rows = records(import_files([path], "lm-eval", store=SHIPPED))
    assert by(rows, benchmark="mmlu", subset=None)["value"] == pytest.approx(60)
    assert by(rows, subset="philosophy")["n_shot"] == 5
    assert by(rows, benchmark="truthfulqa")["metric"] == "mc2"  # the harness's acc is MC2 there
    bbh = by(rows, benchmark="bbh")
    assert (bbh["subset"], bbh["setting"]) == ("boolean_expressions", "cot,get-answer")


def test_lm_eval_families_and_group_shots(tmp_path, monkeypatch):
    """Subtasks split off their family only; a group takes its subtasks' n-shot when it has none."""
    monkeypatch.chdir(tmp_path)
    data = json.loads((REAL / "lm-eval/results_v04.json").read_text())
    data["results"] = {"mmlu": {"acc,none": 0.6}, "mmlu_stem": {"acc,none": 0.5}, "mmlu_abstract_algebra": {"acc,none": 0.4},
                       "mmlu_pro_biology": {"exact_match,custom-extract": 0.3}, "math_perturbed_full": {"exact_match,none": 0.1}}
    data["groups"] = {"mmlu": {}, "mmlu_stem": {}}
    data["n-shot"] = {"mmlu_abstract_algebra": 0, "mmlu_pro_biology": 5}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    result = import_files([path], "lm-eval", store=SHIPPED)
    rows = records(result)
    assert by(rows, benchmark="mmlu", subset=None)["n_shot"] == 0
    assert by(rows, benchmark="mmlu", subset="stem")["n_shot"] == 0
    pro = by(rows, benchmark="mmlu-pro")
    assert (pro["subset"], pro["value"], pro["n_shot"]) == ("biology", 30.0, 5)
    assert dict(result.unknown) == {"math_perturbed_full": 1}  # not MATH with a subset "perturbed_full"
    data["results"]["mmlu_redux_philosophy"] = {"acc,none": 0.7}  # a variant of MMLU, not its subject
    path.write_text(json.dumps(data))
    assert import_files([path], "lm-eval", store=SHIPPED).unknown["mmlu_redux_philosophy"] == 1
    # 0.4.0–0.4.1 write a 0 for groups whatever their subtasks used: the subtasks decide
    data["group_subtasks"] = {"mmlu": ["mmlu_stem"], "mmlu_stem": ["mmlu_abstract_algebra", "mmlu_college_physics"]}
    data["n-shot"].update({"mmlu": 0, "mmlu_stem": 0, "mmlu_abstract_algebra": 5, "mmlu_college_physics": 5})
    path.write_text(json.dumps(data))
    rows = records(import_files([path], "lm-eval", store=SHIPPED))
    assert by(rows, benchmark="mmlu", subset=None)["n_shot"] == 5 and by(rows, subset="stem")["n_shot"] == 5
    data["n-shot"]["mmlu_college_physics"] = 0  # the subtasks disagree: the group's own entry stands
    path.write_text(json.dumps(data))
    rows = records(import_files([path], "lm-eval", store=SHIPPED))
    assert by(rows, benchmark="mmlu", subset=None)["n_shot"] == 0


@pytest.mark.parametrize(
    ("mutate", "says"),
    [(lambda raw: raw[: len(raw) // 2], "not valid JSON"),
     (lambda raw: raw.replace('"0.4.9.2"', '"0.5.1"'), "versions 0.3 and 0.4"),
     (lambda raw: '{"config": {}}', "no 'results' mapping")],
)
def test_lm_eval_bad_files(tmp_path, monkeypatch, cli, mutate, says):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bad.json"
    path.write_text(mutate((REAL / "lm-eval/results_v04.json").read_text()))
    with pytest.raises(FormatError, match=says):
        import_files([path], "lm-eval", store=SHIPPED)
    result = cli("import", "lm-eval", path, "--store", SHIPPED)
    assert result.code == 1 and says in result.err and "Traceback" not in result.err


# --------------------------------------------------------------------------- model cards


def test_model_index_percent_card(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "hf-model-index/NeuralBeagle14-7B.md"], "model-index", store=SHIPPED)
    rows = records(result)
    assert len(rows) == 6
    arc = by(rows, benchmark="arc-challenge")
    assert (arc["metric"], arc["value"], arc["n_shot"], arc["split"]) == ("acc_norm", 72.95, 25, "test")
    assert arc["where"].startswith("NeuralBeagle14-7B.md:") and "model-index[0].results[0].metrics[0]" in arc["where"]
    truthful = by(rows, benchmark="truthfulqa")  # its metric has a type but no name
    assert (truthful["metric"], truthful["value"], truthful["n_shot"]) == ("mc2", 69.93, 0)
    (source,) = result.sources.values()
    assert source.title == "Open LLM Leaderboard" and source.url.endswith("?query=mlabonne/NeuralBeagle14-7B")
    assert not [w for w in result.warnings if w.code == "fraction_as_percent"]


def test_model_index_fractions_and_scales(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    zephyr = import_files([REAL / "hf-model-index/zephyr-7B-beta.md"], "model-index", store=SHIPPED)
    rows = records(zephyr)
    assert by(rows, benchmark="alpacaeval")["value"] == pytest.approx(90.6)  # 0.9060, a fraction, converted
    assert by(rows, benchmark="mt-bench")["value"] == 7.34  # a 1–10 score stays as it is
    assert by(rows, benchmark="drop")["metric"] == "f1"
    fractions = [w for w in zephyr.warnings if w.code == "fraction_as_percent"]
    assert len(fractions) == 1 and "0.906" in fractions[0].message
    notus = records(import_files([REAL / "hf-model-index/notus-7B-v1.md"], "model-index", store=SHIPPED))
    assert by(notus, benchmark="arc-challenge")["value"] == pytest.approx(64.5904437)


def card_with(tmp_path, *edits):
    """The zephyr card with text replacements: one real card, one deliberate change each."""
    text = (REAL / "hf-model-index/zephyr-7B-beta.md").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "README.md"
    path.write_text(text)
    return path


def test_model_index_small_percent_next_to_percents_is_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gsm8k = records(import_files([REAL / "hf-model-index/zephyr-7B-beta.md"], "model-index", store=SHIPPED))
    old = by(gsm8k, benchmark="gsm8k")["value"]
    path = card_with(tmp_path, (f"value: {old}", "value: 0.68"))
    result = import_files([path], "model-index", store=SHIPPED)
    assert by(records(result), benchmark="gsm8k")["value"] == 0.68  # 0.68%, not 68%
    (small,) = [w for w in result.warnings if w.code == "small_percent"]
    assert "0.68" in small.message and "GSM8K" not in small.message and "kept" in small.message
    # DROP's F1 is the only F1: its own scale, a fraction
    path = card_with(tmp_path, (f"value: {old}", "value: 0.68"), ("value: 9.662437080536909", "value: 0.652"))
    assert by(records(import_files([path], "model-index", store=SHIPPED)), benchmark="drop")["value"] == 65.2


@pytest.mark.parametrize(
    ("name", "dataset_type", "variant"),
    [("MMLU-Redux (5-Shot)", "cais/mmlu", "mmlu-redux"), ("HumanEval+ (pass@1)", "openai_humaneval", "humaneval-plus"),
     ("MATH Lvl 5 (4-Shot)", "gsm8k", "math-hard"), ("WikiText-2 Perplexity", "gsm8k", None)],
)
def test_model_index_variant_names_are_not_their_parent(tmp_path, monkeypatch, name, dataset_type, variant):
    """The Hub dataset a variant was built from does not make it that benchmark: it lands on its own, or is listed."""
    monkeypatch.chdir(tmp_path)
    path = card_with(tmp_path, ("name: GSM8k (5-shot)\n      type: gsm8k", f"name: {name}\n      type: {dataset_type}"))
    original = records(import_files([REAL / "hf-model-index/zephyr-7B-beta.md"], "model-index", store=SHIPPED))
    result = import_files([path], "model-index", store=SHIPPED)
    assert (name in result.unknown) == (variant is None)
    benchmarks = sorted(r["benchmark"] for r in records(result) if r["benchmark"] != variant)
    assert benchmarks == sorted(r["benchmark"] for r in original if r["benchmark"] != "gsm8k")


@pytest.mark.parametrize(("name", "dataset_type", "config", "expected"), [
    ("GSM8K (8-shot, maj@1)", "gsm8k", None, "gsm8k"),
    ("HumanEval (pass@1)", "openai_humaneval", None, "humaneval"),
    ("HellaSwag (acc_norm)", "hellaswag", None, "hellaswag"),
    ("ARC-Challenge (25-shot) normalized accuracy", "ai2_arc", "ARC-Challenge", "arc-challenge"),
    ("ARC (25-shot)", "ai2_arc", "ARC-Challenge", "arc-challenge"),
    ("GSM8K exact match", "gsm8k", None, "gsm8k"),
    ("MMLU (STEM)", "cais/mmlu", "stem", "mmlu"),
    ("MMLU Humanities", "cais/mmlu", "humanities", "mmlu"),  # the config names the subset
    ("MMLU Humanities", "cais/mmlu", None, None),  # a subset score is not MMLU's
    ("MMLU-Redux (5-Shot)", "cais/mmlu", None, "mmlu-redux"),  # variants are benchmarks of their own
    ("HumanEval+ (pass@1)", "openai_humaneval", None, "humaneval-plus"),
    ("WikiText-2 Perplexity", "wikitext", "wikitext-2-raw-v1", None),
    ("MATH Lvl 5 (4-Shot)", "hendrycks/competition_math", None, "math-hard"),
    ("MMLU-PRO (5-shot)", "TIGER-Lab/MMLU-Pro", "main", "mmlu-pro"),
    ("IFEval (0-Shot)", "HuggingFaceH4/ifeval", None, "ifeval"),
    ("TruthfulQA (MC2)", "truthful_qa", "multiple_choice", "truthfulqa"),
    (None, "Rowan/hellaswag", None, "hellaswag"),
    (None, "cais/mmlu", None, "mmlu"),  # no name: the Hub dataset decides
])
def test_model_index_dataset_names(name, dataset_type, config, expected):
    from benchtables.importers.common import Importer
    from benchtables.importers.model_index import _benchmark
    from benchtables.registry import Registry

    importer = Importer("model-index", [], Registry.shipped())
    assert _benchmark(importer, {"name": name, "type": dataset_type, "config": config})[0] == expected


def test_model_index_metric_of_another_benchmark_is_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = card_with(tmp_path)
    text = path.read_text()
    start = text.index("name: Winogrande (5-shot)")
    path.write_text(text[:start] + text[start:].replace("- type: acc\n", "- type: acc_norm\n", 1))
    result = import_files([path], "model-index", store=SHIPPED)
    assert not [r for r in records(result) if r["benchmark"] == "winogrande"]  # not relabelled as acc
    assert result.skipped["metric 'acc_norm' is not a metric of Winogrande"] == 1


def test_model_card_without_model_index(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    card = REAL / "markdown-leaderboard/llm-leaderboard-README.md"
    with pytest.raises(FormatError, match="no model-index block"):
        import_files([card], "model-index", store=SHIPPED)
    assert cli("import", "model-index", card, "--store", SHIPPED).code == 1


# --------------------------------------------------------------------------- Papers with Code, HELM


def test_paperswithcode(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "paperswithcode/squad.json"], "paperswithcode", store=SHIPPED)
    rows = records(result)
    assert result.skipped["row without a model name"] == 65
    assert len(rows) == 2 * (234 + 217 - 65)
    (source,) = result.sources.values()
    assert (source.title, source.url) == ("SQuAD Leaderboard", "https://rajpurkar.github.io/SQuAD-explorer/")
    first = by(rows, where="squad.json: Question Answering / SQuAD2.0 / sota.rows[0] EM")
    assert (first["benchmark"], first["metric"], first["value"]) == ("squad-v2.0", "exact_match", 90.871)
    retro = by(rows, model="retro-reader-ensemble", metric="f1", benchmark="squad-v2.0")
    assert retro["value"] == 92.978 and retro["notes"].startswith("paper: http://arxiv.org/abs/2001.09694")
    fpnet = [r for r in rows if r["model"] == "fpnet-ensemble" and r["metric"] == "exact_match"]
    assert len(fpnet) == 2 and len({r["value"] for r in fpnet}) == 2  # a resubmission keeps both rows


def test_paperswithcode_task_with_only_subtasks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tasks = json.loads((REAL / "paperswithcode/squad.json").read_text())
    tasks = tasks if isinstance(tasks, list) else [tasks]
    path = tmp_path / "evaluation-tables.json"
    path.write_text(json.dumps([{"task": "Natural Language Processing", "datasets": [], "subtasks": tasks}]))
    rows = records(import_files([path], "paperswithcode", store=SHIPPED))
    assert len(rows) == 2 * (234 + 217 - 65)
    assert by(rows, where="evaluation-tables.json: Natural Language Processing / Question Answering / SQuAD2.0 / "
                          "sota.rows[0] EM")["value"] == 90.871
    path.write_text(json.dumps([{"task": "Natural Language Processing", "subtasks": tasks}]))  # no datasets key
    assert len(records(import_files([path], "paperswithcode", store=SHIPPED))) == 2 * (234 + 217 - 65)


def test_helm(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "helm/mmlu-philosophy-gpt2"], "helm", store=SHIPPED)
    (row,) = records(result)
    assert row["value"] == pytest.approx(100 / 9) and row["metric"] == "acc"
    assert (row["benchmark"], row["subset"], row["n_shot"], row["split"]) == ("mmlu", "philosophy", 5, "test")
    assert row["setting"] == "multiple_choice_joint"
    assert row["partial"] is True and row["n_samples"] == 9  # max_eval_instances 10: 9 test instances, not the benchmark
    assert sum(result.partial.values()) == 1 and "10" in next(iter(result.partial))
    assert result.models["openai-gpt2"]["aliases"] == ["openai/gpt2"]  # the owner is kept


def test_helm_valid_split_when_there_is_no_test(tmp_path, monkeypatch):
    """HELM runs some scenarios (HellaSwag) on the valid split only."""
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "run"
    shutil.copytree(REAL / "helm/mmlu-philosophy-gpt2", run)
    stats = [s for s in json.loads((run / "stats.json").read_text()) if s["name"].get("split") != "test"]
    (run / "stats.json").write_text(json.dumps(stats))
    (valid,) = [s for s in stats if s["name"] == {"name": "exact_match", "split": "valid"}]
    (row,) = records(import_files([run], "helm", store=SHIPPED))
    assert (row["split"], row["value"]) == ("validation", pytest.approx(valid["mean"] * 100))
    assert row["where"].endswith("(split valid)")


# --------------------------------------------------------------------------- CSV


def test_epoch_benchmark_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "epoch/external_benchmark_mmlu.csv"], "csv", preset="epoch-benchmark", store=SHIPPED)
    rows = records(result)
    llama_paper = result.sources["arxiv-2302.13971"]
    assert llama_paper.title == "LLaMA: Open and Efficient Foundation Language Models" and llama_paper.year == 2023
    chinchilla = by(llama_paper.rows("scores"), model="chinchilla-70b")  # "Chinchilla (70B)" resolved
    assert (chinchilla["value"], chinchilla["n_shot"], chinchilla["benchmark"]) == (67.5, 5, "mmlu")
    assert chinchilla["where"].startswith("external_benchmark_mmlu.csv: row ") and "(id rec" in chinchilla["where"]
    assert by(llama_paper.rows("scores"), model="palm-540b")["value"] == 69.3
    nova = by(rows, model="amazon.nova-lite-v1-0")
    assert nova["value"] == 77.0 and nova["n_shot"] == 5
    assert any(r["n_shot"] is None for r in rows)  # blank Shots stay blank


def test_epoch_benchmark_csv_of_another_benchmark(tmp_path, monkeypatch):
    """Epoch names the score column per benchmark (HellaSwag: Overall accuracy); a model's Name is
    used when its Model version names no known model but the same words (70B Chinchilla), never when
    the version names more (an instruct or versioned variant); a row citing a known paper by title
    alone is that paper."""
    monkeypatch.chdir(tmp_path)
    text = (REAL / "epoch/external_benchmark_mmlu.csv").read_text(encoding="utf-8-sig")
    header, *lines = text.splitlines(keepends=True)
    path = tmp_path / "external_benchmark_hellaswag.csv"
    chinchilla = next(line for line in lines if ",Chinchilla (70B)," in line)
    palm_paper = chinchilla.replace("Chinchilla (70B)", "70B Chinchilla").replace(
        "LLaMA: Open and Efficient Foundation Language Models,http://arxiv.org/abs/2302.13971",
        "Training Compute-Optimal Large Language Models,")
    path.write_text(header.replace(",EM,", ",Overall accuracy,") + palm_paper + lines[0], encoding="utf-8")
    result = import_files([path], "csv", preset="epoch-benchmark", store=SHIPPED)
    row = by(records(result), model="chinchilla-70b")  # by its Name, "Chinchilla 70B"
    assert (row["benchmark"], row["value"]) == ("hellaswag", 67.5)
    assert result.sources["hoffmann2022chinchilla"].reference  # the same title as the shipped source, no URL
    variant = tmp_path / "external_benchmark_winogrande.csv"
    variant.write_text(header + chinchilla.replace("Chinchilla (70B)", "Chinchilla-70B-v0.2-instruct"), encoding="utf-8")
    result = import_files([variant], "csv", preset="epoch-benchmark", store=SHIPPED)
    assert {r["model"] for r in records(result)} == {"chinchilla-70b-v0.2-instruct"}
    (said,) = [w for w in result.warnings if w.code == "model_names_disagree"]
    assert "(instruct, v0.2)" in said.message and "'chinchilla-70b'" in said.message
    broken = tmp_path / "external_benchmark_arc.csv"
    broken.write_text(header.replace(",EM,", ",Mean,") + lines[0], encoding="utf-8")
    with pytest.raises(FormatError, match="no column 'EM' or 'Overall accuracy'"):
        import_files([broken], "csv", preset="epoch-benchmark", store=SHIPPED)


def test_values_with_a_percent_sign_keep_their_scale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    header, *lines = (REAL / "epoch/external_benchmark_mmlu.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    small = [line.replace(",77.0%,", ",0.8%,") for line in lines if ",77.0%," in line][:1]
    path = tmp_path / "external_benchmark_mmlu.csv"
    path.write_text(header + "".join(small), encoding="utf-8")
    result = import_files([path], "csv", preset="epoch-benchmark", store=SHIPPED)
    assert [r["value"] for r in records(result)] == [0.8]
    assert not [w for w in result.warnings if w.code == "fraction_as_percent"]
    path.write_text(header + "".join(small).replace(",0.8%,", ",0.008,"), encoding="utf-8")
    assert [r["value"] for r in records(import_files([path], "csv", preset="epoch-benchmark", store=SHIPPED))] == [0.8]


def test_csv_dashes_are_skipped_and_counted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (REAL / "epoch/external_benchmark_mmlu.csv").read_text(encoding="utf-8-sig")
    text = text.replace(",77.0%,", ",—,", 1).replace(",70.8%,", ",N/A,", 1)
    path = tmp_path / "external_benchmark_mmlu.csv"
    path.write_text(text, encoding="utf-8")
    result = import_files([path], "csv", preset="epoch-benchmark", store=SHIPPED)
    assert result.skipped["not a number: '—'"] == 1 and result.skipped["not a number: 'N/A'"] == 1


def test_csv_mapping_names_a_missing_column(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    path = REAL / "epoch/external_benchmark_mmlu.csv"
    with pytest.raises(FormatError, match=r"no column 'Score'; its columns are: id, Name, EM"):
        import_files([path], "csv", columns={"model": "Name", "value": "Score"}, constants={"benchmark": "mmlu"},
                     store=SHIPPED)
    result = cli("import", "csv", path, "--map", "model=Name", "--map", "value=Score", "--set", "benchmark=mmlu",
                 "--store", SHIPPED)
    assert result.code == 1 and "no column 'Score'" in result.err
    assert cli("import", "csv", path, "--map", "colour=Name", "--store", SHIPPED).code == 2


def test_csv_constants_take_their_field_type(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "epoch/external_benchmark_mmlu.csv"], "csv", columns={"model": "Name", "value": "EM"},
                          constants={"benchmark": "mmlu", "n_shot": "5", "estimated": "yes"}, store=SHIPPED)
    row = records(result)[0]
    assert (row["n_shot"], row["estimated"], row["benchmark"]) == (5, True, "mmlu")


def test_csv_duplicate_rows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = (REAL / "epoch/external_benchmark_mmlu.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = tmp_path / "external_benchmark_mmlu.csv"
    path.write_text("".join([*lines[:4], lines[3], lines[3]]), encoding="utf-8")
    result = import_files([path], "csv", preset="epoch-benchmark", store=SHIPPED)
    assert result.skipped["duplicate row"] == 2 and result.count == 3


def test_epoch_models_traps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([REAL / "epoch/notable_ai_models_2025-02-24.csv"], "csv", preset="epoch-models", store=SHIPPED)
    (source,) = result.sources.values()
    assert source.title == "Epoch AI, Notable AI Models (export of 2025-02-24)" and source.year == 2025
    training = records(result, "training")
    palm = by(training, model="palm-540b")
    assert palm["compute"] == 2.5272e24 and palm["chips"] == 6144 and palm["estimated"] is True  # "Hardware" method
    assert by(source.records["utilization"], model="palm-540b")["mfu"] == pytest.approx(46.2)
    chinchilla = by(training, model="chinchilla-70b")
    assert chinchilla["tokens"] is None and chinchilla["compute"] == 5.76e23
    warnings = {(w.code, w.row) for w in result.warnings}
    palm_row, chinchilla_row = 226, 227
    assert ("utilization_unlabelled", palm_row) in warnings
    assert ("dataset_size_not_tokens", palm_row) in warnings and ("dataset_size_not_tokens", chinchilla_row) in warnings
    chinchilla_words = next(w for w in result.warnings if w.code == "dataset_size_not_tokens" and w.row == chinchilla_row)
    assert "1.05T" in chinchilla_words.message and "1.4T tokens for chinchilla-70b" in chinchilla_words.hint
    assert any(w.code == "total_vs_active" and "Mixtral" in w.message for w in result.warnings)
    assert not any(w.code == "total_vs_active" and "PaLM" in w.message for w in result.warnings)
    # a fine-tune: Epoch's compute includes the base model's; the 64 A100s for 14 days are the fine-tune's
    openvla = by(training, model="openvla")
    assert openvla["compute"] == 1.1e23 and openvla["chips"] is None and openvla["hardware"] is None
    assert "fine-tuned from Llama 2-7B on 64 × NVIDIA A100, 14 days" in openvla["notes"]
    finetune = next(w for w in result.warnings if w.code == "finetune_compute" and "OpenVLA" in w.message)
    assert "9.66e+21" in finetune.hint


# --------------------------------------------------------------------------- identity, output


@pytest.mark.parametrize("name", ["meta-llama/Llama-2-70b-hf", "Llama 2 70B", "LLaMA-2-70B", "Llama-2-70b"])
def test_model_names_resolve_through_aliases(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "card.yaml"
    path.write_text(f"model-index:\n  - name: {name}\n    results:\n      - dataset: {{name: MMLU, type: mmlu}}\n"
                    "        metrics: [{type: acc, value: 69.8}]\n")
    result = import_files([path], "model-index", store=SHIPPED)
    assert [r["model"] for r in records(result)] == ["llama-2-70b"] and result.models == {}


def test_unresolved_names_become_stubs_with_suggestions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "card.yaml"
    path.write_text("model-index:\n  - name: Llama 2 7O B\n    results:\n      - dataset: {type: mmlu}\n"
                    "        metrics: [{type: acc, value: 45.3}]\n")
    result = import_files([path], "model-index", store=SHIPPED)
    (warning,) = [w for w in result.warnings if w.code == "unresolved_model"]
    assert "llama-2-70b" in warning.hint and list(result.models) == ["llama-2-7o-b"]


def test_imported_files_validate_and_build_unchanged(shipped_project, cli):
    inputs = [("lm-eval", REAL / "lm-eval/results_v03.json", []),
              ("model-index", REAL / "hf-model-index/zephyr-7B-beta.md", []),
              ("model-index", REAL / "hf-model-index/notus-7B-v1.md", []),
              ("model-index", REAL / "hf-model-index/NeuralBeagle14-7B.md", []),
              ("helm", REAL / "helm/mmlu-philosophy-gpt2", []),
              ("paperswithcode", REAL / "paperswithcode/squad.json", []),
              ("csv", REAL / "epoch/external_benchmark_mmlu.csv", ["--preset", "epoch-benchmark"]),
              ("csv", REAL / "epoch/notable_ai_models_2025-02-24.csv", ["--preset", "epoch-models"])]
    for fmt, path, extra in inputs:
        result = cli("import", fmt, path, *extra, "-o", "data/entries")
        assert result.code == 0, result.err
    report = json.loads(cli("validate", "--format", "json").out)
    assert report["errors"] == 0, [p for p in report["problems"] if p["severity"] == "error"][:3]
    assert cli("build").code == 0
    # two cards cite the same AlpacaEval page: one source, the second file refers to it
    assert (shipped_project / "data/entries/alpacaeval-results-2.yaml").read_text().count("source: alpacaeval-results") == 1
    suite = cli("leaderboard", "--suite", "open-llm-v1-6", "--format", "json")
    rows = {r["model"]: r for r in json.loads(suite.out)["rows"]}
    assert rows["mlabonne-neuralbeagle14-7b"]["value"] == pytest.approx(74.74, abs=0.005)  # the card's own average


def test_importing_a_file_twice_is_a_duplicate(shipped_project, cli):
    """The second import refers to the first one's source, so validate sees the same numbers twice."""
    results = REAL / "lm-eval/results_v03.json"
    assert cli("import", "lm-eval", results, "-o", "data/entries").code == 0
    assert cli("build").code == 0
    again = cli("import", "lm-eval", results, "-o", "data/entries")
    assert again.code == 0 and "declared in another entry file" in next((shipped_project / "data/entries").glob("*-2.yaml")).read_text()
    checked = cli("validate", "--format", "json")
    duplicates = [p for p in json.loads(checked.out)["problems"] if p["code"] == "duplicate_record"]
    assert checked.code == 1 and duplicates and all(p["severity"] == "error" for p in duplicates)
    assert {Path(p["file"]).name.startswith("lm-eval-bloom") for p in duplicates} == {True}


def test_same_title_other_url_is_another_source(shipped_project, cli):
    """Every model card links its own Open LLM Leaderboard page: one title, a source per URL."""
    assert cli("import", "model-index", REAL / "hf-model-index/zephyr-7B-beta.md", "-o", "data/entries").code == 0
    assert cli("build").code == 0
    result = import_files([REAL / "hf-model-index/NeuralBeagle14-7B.md"], "model-index")
    (source,) = result.sources.values()
    assert not source.reference and source.url.endswith("?query=mlabonne/NeuralBeagle14-7B")


def test_same_number_at_another_where_is_a_duplicate(shipped_project, cli):
    """One source stating one number in two places is one record; another number is a disagreement."""
    path = shipped_project / "data/entries/again.yaml"
    path.write_text("source: chowdhery2022palm\n"
                    "scores:\n"
                    "  - {model: palm-540b, benchmark: winogrande, n_shot: 0, value: 81.1, where: Table 99}\n"
                    "  - {model: palm-540b, benchmark: winogrande, n_shot: 0, value: 81.1, where: Table 98}\n")
    report = json.loads(cli("validate", "--format", "json", path).out)
    (dup,) = [p for p in report["problems"] if p["code"] == "duplicate_record"]
    assert (dup["line"], dup["field"], dup["severity"]) == (4, "scores[1]", "error")
    assert "only its where differs" in dup["message"] and "again.yaml:3" in dup["message"]
    path.write_text(path.read_text() + "  - {model: palm-540b, benchmark: winogrande, n_shot: 0, value: 81.9, where: Table 97}\n")
    problems = json.loads(cli("validate", "--format", "json", path).out)["problems"]
    disagree = [(p["line"], p["severity"]) for p in problems if p["code"] == "disagreement"]
    assert (5, "warning") in disagree and [p["line"] for p in problems if p["code"] == "duplicate_record"] == [4]


def test_import_output_modes(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    single = cli("import", "helm", REAL / "helm/mmlu-philosophy-gpt2", "--store", SHIPPED)
    assert single.code == 0 and single.out.startswith("# Imported by `benchtables import helm`")
    several = cli("import", "model-index", REAL / "hf-model-index/zephyr-7B-beta.md", "--store", SHIPPED)
    assert several.code == 2 and "-o DIRECTORY" in several.err
    assert cli("import", "helm", REAL / "helm/mmlu-philosophy-gpt2", "-o", "one.yaml", "--store", SHIPPED).code == 0
    again = cli("import", "helm", REAL / "helm/mmlu-philosophy-gpt2", "-o", "one.yaml", "--store", SHIPPED)
    assert again.code == 2 and "--force" in again.err
    with pytest.raises(UsageError, match="unknown import format"):
        import_files([REAL / "lm-eval/results_v03.json"], "excel")


def test_a_large_csv_import_writes_its_records_as_a_bulk_file(project, cli):
    """Thousands of records are no entry file to review: they go to a Parquet bulk file beside it."""
    import csv as csv_module

    from conftest import SOURCE

    project.write("models.yaml", SOURCE + "models:\n" + "".join(f"  - {{id: m-{i}, name: M {i}}}\n" for i in range(300)))
    path = project.root / "run.csv"
    with path.open("w", newline="") as handle:
        writer = csv_module.writer(handle)
        writer.writerow(["Model", "Task", "Shots", "Score"])
        for i in range(3000):
            writer.writerow([f"M {i % 300}", ["mmlu", "gsm8k"][i % 2], [0, 5, 10, 25, 50][(i // 600) % 5], f"{(i % 97):.1f}%"])
    unrouted = cli("import", "csv", path, "--map", "model=Model", "--map", "benchmark=Task", "--map", "n_shot=Shots",
                   "--map", "value=Score", "--set", "metric=acc")
    assert unrouted.code == 2 and "-o DIRECTORY" in unrouted.err
    done = cli("import", "csv", path, "--map", "model=Model", "--map", "benchmark=Task", "--map", "n_shot=Shots",
               "--map", "value=Score", "--source-id", "run2026", "-o", "data/entries")
    assert done.code == 0, done.err
    bulk = project.entries / "scores-run2026.parquet"
    table = pq.read_table(bulk)
    assert table.num_rows == 3000 and set(table["source"].to_pylist()) == {"run2026"}
    assert set(table["metric"].to_pylist()) == {"acc", "exact_match"}  # every record names its metric
    assert "scores-run2026.parquet" in (project.entries / "run2026.yaml").read_text()
    assert cli("validate").code == 0 and cli("build").code == 0
    assert cli("leaderboard", "gsm8k", "--n-shot", "5", "--format", "csv").out.count("\n") > 100


@pytest.mark.parametrize(("count", "written"), [(3085938688.0, "3085938688"), (7e9, "7B"), (1.5e12, "1.5T")])
def test_counts_are_written_as_people_write_them(count, written):
    """A count that a short form states exactly is written so (70B); another whole count as an integer,
    never as a float with a trailing .0."""
    from benchtables.importers.common import _plain

    assert str(_plain("parameters", count)) == written
