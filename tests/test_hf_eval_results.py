"""Hugging Face Hub evaluation results (``.eval_results/*.yaml``): import from real files, export, round trip."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import benchtables
from benchtables.errors import EmptyResultError, FormatError, UnknownIdError, UsageError
from benchtables.export import export_hf_eval_results
from benchtables.importers import import_files, write_entries
from conftest import FIXTURES, REPO
from conftest import imported as records

HF = FIXTURES / "hf-eval-results"
SHIPPED = REPO / "data" / "store"
VEDIKA = "Vedika-advanced-AI/Vedika-4.1-flash"


def only(result):
    (record,) = records(result)
    return record


def imported(path, model=VEDIKA, **options):
    return import_files([path], "hf-eval-results", store=SHIPPED, model=model, **options)


def codes(result):
    return [w.code for w in result.warnings]


# --------------------------------------------------------------------------- real files


@pytest.mark.parametrize(("path", "benchmark", "value", "setting", "where"), [
    ("Vedika-4.1-flash/gpqa.yaml", "gpqa-diamond", 78.8, None, "gpqa.yaml:4 [0].value"),
    ("Vedika-4.1-flash/hle.yaml", "hle", 5.2, "no-tools", "hle.yaml:4 [0].value"),
    ("Vedika-4.1-flash/mmlu_pro.yaml", "mmlu-pro", 77.2, None, "mmlu_pro.yaml:4 [0].value"),
    ("Aura-Gen-2.0/gsm8k.yaml", "gsm8k", 96.06, None, "gsm8k.yaml:7 [0].value"),
    ("Aura-Gen-2.0/gpqa_diamond.yaml", "gpqa-diamond", 72.22, "thinking", "gpqa_diamond.yaml:5 [0].value"),
    ("dual-loop-controller/mmlu_pro.yaml", "mmlu-pro", 55.3, None, "mmlu_pro.yaml:4 [0].value"),
    ("dual-loop-controller/piqa.yaml", "piqa", 80.0, None, "piqa.yaml:4 [0].value"),
])
def test_real_files(tmp_path, monkeypatch, path, benchmark, value, setting, where):
    monkeypatch.chdir(tmp_path)
    result = imported(HF / path)
    record = only(result)
    assert (record["benchmark"], record["value"], record["setting"], record["subset"], record["where"]) == (
        benchmark, value, setting, None, where)
    metric = benchtables.Registry.shipped().benchmarks[benchmark].primary
    assert record["metric"] == metric and record["model"] == "vedika-advanced-ai-vedika-4.1-flash"
    assert record["n_shot"] is None and record["partial"] is None
    assert "metric_defaulted" in codes(result)  # the file names no metric: said, not silent
    assert result.models["vedika-advanced-ai-vedika-4.1-flash"]["aliases"] == [VEDIKA]  # the owner is kept


def test_sources_and_dates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (card,) = imported(HF / "Vedika-4.1-flash/gpqa.yaml").sources.values()
    assert (card.title, card.url, card.date, card.kind) == (
        "Model Card (google/gemma-4-12B-it)", "https://huggingface.co/google/gemma-4-12B-it", "2026-05-23", "model-card")
    (community,) = imported(HF / "Aura-Gen-2.0/gpqa_diamond.yaml").sources.values()
    assert community.url == "https://huggingface.co/datasets/Idavidrein/gpqa" and community.kind is None
    assert community.date == "2026-07-18" and community.notes == "Submitted to the Hub by user christopher-oneill."
    (run,) = imported(HF / "dual-loop-controller/piqa.yaml").sources.values()
    assert run.kind is None and run.title == "Authentic 20-Benchmark Evaluation Run (CH3NDev/dual-loop-qwen3.5-2b)"


def test_notes_that_are_not_a_setting_are_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record = only(imported(HF / "Aura-Gen-2.0/gpqa_diamond.yaml"))
    assert record["setting"] == "thinking"  # "thinking mode ON"; the rest is free text, kept as written
    assert record["notes"].startswith("Q2, CTX=32768, thinking mode ON, temp=0.7") and record["notes"].endswith("tok/s avg")
    dual = only(imported(HF / "dual-loop-controller/mmlu_pro.yaml"))
    assert dual["notes"] == "Base model Qwen/Qwen3.5-2B backbone with Dual-Loop Cognitive Controller adapter Layer 11 hook"


def test_the_model_is_required(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match="--model") as error:
        import_files([HF / "Vedika-4.1-flash/gpqa.yaml"], store=SHIPPED)
    assert "gpqa.yaml" in str(error.value)
    out = cli("import", HF / "Vedika-4.1-flash/gpqa.yaml", "--store", SHIPPED)
    assert out.code != 0 and "--model" in out.err and "Traceback" not in out.err


def test_a_local_path_is_no_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match="local path"):
        imported(HF / "Vedika-4.1-flash/gpqa.yaml", model="/checkpoints/run-3")


def test_copied_results_are_flagged(tmp_path, monkeypatch):
    """Vedika's files are google/gemma-4-12B-it's card numbers; importing them for gemma itself is quiet."""
    monkeypatch.chdir(tmp_path)
    copy = imported(HF / "Vedika-4.1-flash/gpqa.yaml")
    (warning,) = [w for w in copy.warnings if w.code == "other_model_source"]
    assert "google/gemma-4-12B-it" in warning.message and warning.field == "[0].source.url"
    assert "other_model_source" not in codes(imported(HF / "Vedika-4.1-flash/gpqa.yaml", model="google/gemma-4-12B-it"))
    # a dataset page is no model's repository
    assert "other_model_source" not in codes(imported(HF / "Aura-Gen-2.0/gpqa_diamond.yaml"))


def test_unknown_datasets_and_tasks_are_listed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = [HF / p for p in ("Vedika-4.1-flash/aime_2026.yaml", "Vedika-4.1-flash/mmmu_pro.yaml",
                              "dual-loop-controller/macro_20_benchmarks.yaml", "dual-loop-controller/bbh.yaml")]
    result = import_files(paths, "hf-eval-results", store=SHIPPED, model=VEDIKA)
    assert dict(result.unknown) == {"MathArena/aime_2026": 1, "MMMU/MMMU_Pro, task mmmu_pro": 1,
                                    "AI-Evaluation/macro_reasoning_suite, task 20_benchmark_macro_suite": 1,
                                    "lukaemon/bbh, task colored_objects": 1}  # not a BBH subset's name
    rows = records(result)
    assert [(r["benchmark"], r["subset"], r["value"]) for r in rows] == [("bbh", "boolean_expressions", 90.0),
                                                                        ("bbh", "navigate", 60.0)]
    assert any("lukaemon/bbh, task colored_objects" in line for line in result.summary())


def test_a_dataset_the_registry_does_not_know_is_placed_by_its_task(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = imported(HF / "dual-loop-controller/ai2_arc.yaml")
    assert [(r["benchmark"], r["value"], r["where"]) for r in records(result)] == [
        ("arc-easy", 80.0, "ai2_arc.yaml:4 [0].value"), ("arc-challenge", 50.0, "ai2_arc.yaml:14 [1].value")]
    (warning,) = [w for w in result.warnings if w.code == "hub_dataset_unknown"]
    assert "ai2_arc" in warning.message


def test_spec_placeholders_are_refused_cleanly(tmp_path, monkeypatch):
    """The spec's own file holds `{metric_value}` (a YAML mapping) where the value goes."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match=r"eval_results\.spec\.yaml:9 \[0\]\.value: value must be a number"):
        imported(HF / "spec/eval_results.spec.yaml")


def _spec_minimal(tmp_path: Path) -> Path:
    """The spec's second, minimal entry (gpqa_diamond 0.412), as a file of its own."""
    lines = (HF / "spec/eval_results.spec.yaml").read_text().splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("- dataset:"))
    path = tmp_path / "gpqa_diamond.yaml"
    path.write_text("\n".join(lines[start:]) + "\n")
    return path


def test_fractions_become_percents(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = imported(_spec_minimal(tmp_path))
    record = only(result)
    assert (record["benchmark"], record["metric"], record["value"]) == ("gpqa-diamond", "acc", pytest.approx(41.2))
    assert "fraction_as_percent" in codes(result)
    assert "missing" not in codes(result)  # task_id gpqa_diamond is given (the spec's spelling: an alias)


# --------------------------------------------------------------------------- notes, variants, sources


def _variant(tmp_path: Path, name: str = "gpqa.yaml", **changes: object) -> Path:
    """Vedika's real gpqa.yaml with fields replaced (``None`` removes one; keys with dots reach into dataset/source)."""
    data = yaml.safe_load((HF / "Vedika-4.1-flash/gpqa.yaml").read_text())
    for key, value in changes.items():
        target, last = data[0], key
        if "." in key:
            outer, last = key.split(".", 1)
            target = data[0].setdefault(outer, {})
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


@pytest.mark.parametrize(("notes", "n_shot", "setting", "split", "kept"), [
    ("No tools", None, "no-tools", None, None),
    ("With tools", None, "tools", None, None),
    ("8-shot CoT", 8, "cot", None, None),  # EEE's documented example
    ("5-shot, CoT", 5, "cot", None, None),
    ("chain-of-thought", None, "cot", None, None),
    ("0-shot, cot, maj@1, validation split", 0, "cot,maj@1", "validation", None),  # what the exporter writes
    ("zero-shot, strict-match", 0, "strict-match", None, None),
    ("GPQA Diamond", None, None, None, None),  # names the benchmark itself
    ("Revision v1.0, no tools", None, "no-tools", None, "Revision v1.0, no tools"),
    ("acc, 0-shot, temp=1.0, sampling (non-standard)", 0, None, None, "acc, 0-shot, temp=1.0, sampling (non-standard)"),
])
def test_notes_give_the_setting(tmp_path, monkeypatch, notes, n_shot, setting, split, kept):
    monkeypatch.chdir(tmp_path)
    result = imported(_variant(tmp_path, notes=notes))
    record = only(result)
    assert (record["n_shot"], record["setting"], record["split"], record["notes"]) == (n_shot, setting, split, kept)
    assert record["metric"] == "acc" and record["value"] == 78.8


def test_notes_name_a_variant_or_a_metric(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    variant = only(imported(_variant(tmp_path, **{"dataset.task_id": "default", "notes": "GPQA Diamond"})))
    assert variant["benchmark"] == "gpqa-diamond"  # the dataset's default task, narrowed by the notes
    whole = only(imported(_variant(tmp_path, **{"dataset.task_id": "default"})))
    assert whole["benchmark"] == "gpqa"
    result = imported(_variant(tmp_path, notes="acc_norm"))
    assert only(result)["metric"] == "acc_norm" and "metric_defaulted" not in codes(result)
    # GPQA's normalised score is no metric of GPQA Diamond: the variant's primary metric, said
    switched = imported(_variant(tmp_path, **{"dataset.task_id": "default", "notes": "normalized_score, GPQA Diamond"}))
    assert (only(switched)["benchmark"], only(switched)["metric"]) == ("gpqa-diamond", "acc")
    assert "metric_defaulted" in codes(switched)


@pytest.mark.parametrize(("notes", "partial", "n_samples"), [
    ("5-shot, limit 100", True, 100),
    ("first 200 questions", True, 200),
    ("random sample of 50", True, 50),
    ("partial run", True, None),
    ("CTX limit 32768 tokens", None, None),  # a context limit, not a sample
    ("first 5-shot run", None, None),
    ("143/198 correct, 44 wrong", None, None),  # the whole of GPQA Diamond
])
def test_partial_runs_are_marked(tmp_path, monkeypatch, notes, partial, n_samples):
    monkeypatch.chdir(tmp_path)
    result = imported(_variant(tmp_path, notes=notes))
    record = only(result)
    assert (record["partial"], record["n_samples"]) == (partial, n_samples)
    assert sum(result.partial.values()) == (1 if partial else 0)
    assert any("partial" in line for line in result.summary()) == bool(partial)


def test_task_ids_as_the_spec_and_tools_write_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for task, benchmark in (("gpqa_diamond", "gpqa-diamond"), ("diamond", "gpqa-diamond"), ("main", "gpqa-main"),
                            ("gpqa_extended", "gpqa-extended")):
        assert only(imported(_variant(tmp_path, **{"dataset.task_id": task})))["benchmark"] == benchmark
    hle = only(imported(_variant(tmp_path, **{"dataset.id": "cais/hle", "dataset.task_id": "default"})))
    assert hle["benchmark"] == "hle"  # HF's older skill wrote task_id default
    conflict = imported(_variant(tmp_path, **{"dataset.id": "cais/hle", "dataset.task_id": "mmlu"}))
    assert conflict.count == 0 and dict(conflict.unknown) == {"cais/hle, task mmlu": 1}
    missing = imported(_variant(tmp_path, **{"dataset.id": "TIGER-Lab/MMLU-Pro", "dataset.task_id": None}))
    assert only(missing)["benchmark"] == "mmlu-pro" and "missing" in codes(missing)


def test_verify_token_revision_and_api_shape(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record = only(imported(_variant(tmp_path, verifyToken="eyJhbGciOi", **{"dataset.revision": "5503434d"})))
    assert record["notes"] == "Hub dataset revision 5503434d; verified on the Hub (the result carries a verifyToken)"
    data = yaml.safe_load((HF / "Vedika-4.1-flash/gpqa.yaml").read_text())
    path = tmp_path / "api.yaml"
    path.write_text(yaml.safe_dump([{"data": data[0]}]))  # parse_eval_result_entries reads item.get("data", item)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("value:"))
    record = only(imported(path))
    assert record["where"] == f"api.yaml:{line} [0].data.value" and record["value"] == 78.8


def test_one_source_for_every_number_and_results_without_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    given = imported(HF / "Vedika-4.1-flash/gpqa.yaml", source_id="vedika-card", source_url="https://example.org/v")
    (source,) = given.sources.values()
    assert (source.id, source.url, source.date) == ("vedika-card", "https://example.org/v", "2026-05-23")
    own = imported(_variant(tmp_path, source=None))
    (source,) = own.sources.values()
    assert source.url == f"https://huggingface.co/{VEDIKA}" and source.kind == "model-card"
    assert source.title == f"Evaluation results in the Hugging Face repository of {VEDIKA}"
    nameless = imported(_variant(tmp_path, **{"source.url": None}))  # name without url: the model's
    assert next(iter(nameless.sources.values())).title == f"Model Card ({VEDIKA})" and "no_url" in codes(nameless)


# --------------------------------------------------------------------------- detection, entry files, idempotency


def test_detection(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in sorted(HF.glob("*/*.yaml")):
        result = import_files([path], store=SHIPPED, model=VEDIKA) if "spec" not in path.parts else None
        assert result is None or result.format == "hf-eval-results"
    with pytest.raises(FormatError, match="Hugging Face evaluation results, not lm-evaluation-harness"):
        import_files([HF / "Vedika-4.1-flash/gpqa.yaml"], "lm-eval", store=SHIPPED)
    with pytest.raises(FormatError, match="not Hugging Face evaluation results"):
        import_files([FIXTURES / "realdata/lm-eval/results_v03.json"], "hf-eval-results", store=SHIPPED, model=VEDIKA)
    entry_file = next((REPO / "data" / "entries").glob("*.yaml"))
    with pytest.raises(FormatError, match=r"\.eval_results|dataset"):  # a benchtables entry file is not one
        import_files([entry_file], "hf-eval-results", store=SHIPPED, model=VEDIKA)


def test_written_entries_validate(project):
    paths = sorted(p for p in HF.glob("*/*.yaml") if "spec" not in p.parts)
    result = import_files(paths, store=SHIPPED, model=VEDIKA)
    assert result.count == 11 and not result.refused
    write_entries(result, project.entries)
    report = benchtables.validate()
    assert report.ok, [p.format() for p in report.problems][:3]


def test_importing_a_file_twice_is_a_duplicate(project, cli):
    path = HF / "Vedika-4.1-flash/hle.yaml"
    assert cli("import", path, "--model", VEDIKA, "-o", "data/entries").code == 0
    again = import_files([path], model=VEDIKA)
    (source,) = again.sources.values()
    assert source.reference  # the first import's source, referred to
    write_entries(again, project.entries)
    checked = json.loads(cli("validate", "--format", "json").out)
    assert [p["code"] for p in checked["problems"] if p["severity"] == "error"] == ["duplicate_record"]
    declared = [p for p in project.entries.glob("*.yaml") if isinstance(yaml.safe_load(p.read_text())["source"], dict)]
    assert len(declared) == 1


# --------------------------------------------------------------------------- hostile files


GPQA = (HF / "Vedika-4.1-flash/gpqa.yaml").read_text()
_DEEP = "- " + "[" * 200 + "]" * 200 + "\n"
_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))


@pytest.mark.parametrize(("text", "outcome"), [
    ("", "error:empty"),
    (GPQA[: len(GPQA) // 2], "error"),
    (GPQA[:-40], "ok"),  # cut inside source.url: still YAML, and a result
    (GPQA.replace("value: 78.8", "value: .nan"), "skip:finite"),
    (GPQA.replace("value: 78.8", "value: .inf"), "skip:finite"),
    (GPQA.replace("value: 78.8", "value: 1e400"), "skip:finite"),
    (GPQA.replace("value: 78.8", "value: 1" + "0" * 400), "skip:finite"),
    (GPQA.replace("value: 78.8", "value: 178.8"), "skip:range"),
    (GPQA.replace("value: 78.8", "value: -3"), "skip:range"),
    (GPQA.replace("value: 78.8", "value: N/A"), "skip:N/A"),
    (GPQA.replace("value: 78.8", "value: true"), "skip:not a number"),
    (GPQA.replace("value: 78.8", "value: null"), "skip:no value"),
    (GPQA.replace("value: 78.8", "value: [78.8]"), "error:must be a number"),
    (GPQA.replace("value: 78.8", "value: {a: 1}"), "error:must be a number"),
    (GPQA.replace("  value: 78.8\n", ""), "error:no value"),
    (GPQA.replace("  value: 78.8\n", "  metrics:\n  - {metric_id: accuracy, value: 78.8}\n"), "error:draft"),
    (GPQA.replace("    id: Idavidrein/gpqa\n", ""), "error:dataset.id is missing"),
    (GPQA.replace("id: Idavidrein/gpqa", "id: [a, b]"), "error:expected text"),
    (GPQA.replace("task_id: diamond", "task_id: {x: 1}"), "error:expected text"),
    (GPQA.replace("- dataset:\n    id: Idavidrein/gpqa\n    task_id: diamond\n", "- dataset: [1, 2]\n"),
     "error:dataset"),
    (GPQA.replace("  source:\n    url: https://huggingface.co/google/gemma-4-12B-it\n    name: Model Card\n",
                  "  source: somewhere\n"), "error:source"),
    (GPQA.replace("url: https://huggingface.co/google/gemma-4-12B-it", "url: [x]"), "error:expected text"),
    (GPQA.replace("url: https://huggingface.co/google/gemma-4-12B-it", "url: not a link"), "warn:string_pattern_mismatch"),
    (GPQA.replace("date: '2026-05-23'", "date: yesterday"), "warn:string_pattern_mismatch"),
    (GPQA.replace("date: '2026-05-23'", "date: [2026]"), "error:expected text"),
    (GPQA.replace("date: '2026-05-23'", "date: 2026-05-23"), "ok"),  # unquoted: YAML 1.2 keeps it text
    (GPQA + "  notes: {a: 1}\n", "error:expected text"),
    (GPQA + "  notes: " + "x, " * 5000 + "\n", "ok"),
    ("42\n", "error:list of results"),
    ("[]\n", "skip:empty list"),
    (GPQA + "- just text\n", "error:[1]"),
    (GPQA.replace("    id:", "\tid:"), "error:tabs"),
    (GPQA.replace("    task_id: diamond\n", "    task_id: diamond\n    task_id: main\n"), "error:duplicate"),
    (_DEEP, "error"),
    (_BOMB, "error"),
    (b"\xff\xfe\x00junk", "error"),
    (b"- dataset: {id: \xff}\n", "error:UTF-8"),
    ("- !!python/object/apply:os.system [echo hi]\n", "error"),
    (yaml.safe_dump(yaml.safe_load(GPQA)[0]), "ok"),  # one result without the list around it
    ("source: {id: x, title: An entry file}\n", "error:list of results"),
])
def test_hostile_files(tmp_path, monkeypatch, text, outcome):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "gpqa.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    kind, _, detail = outcome.partition(":")
    if kind == "error":
        with pytest.raises(FormatError) as error:
            imported(path)
        assert "gpqa.yaml" in str(error.value) and detail in str(error.value)
        return
    result = imported(path)
    if kind == "skip":
        assert result.count == 0 and any(detail in reason for reason in result.skipped)
    elif kind == "warn":
        assert result.count == 1 and detail in codes(result)
    else:
        assert result.count == 1


def test_invisible_characters_do_not_reach_entry_files(project):
    path = _variant(project.root, notes="Q2\x1b[31m, thinking\u202emode", **{"source.name": "Model\x00 Card"})
    result = import_files([path], "hf-eval-results", model=VEDIKA)
    assert only(result)["notes"] == "Q2 [31m, thinking mode"
    write_entries(result, project.entries)
    assert benchtables.validate().ok


# --------------------------------------------------------------------------- property: any JSON value anywhere

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)
_FIELDS_TO_BREAK = ("value", "dataset", "dataset.id", "dataset.task_id", "dataset.revision", "date", "source",
                    "source.url", "source.name", "source.user", "notes", "verifyToken")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_FIELDS_TO_BREAK), value=_JSON)
def test_any_value_in_any_field_is_read_or_refused(tmp_path, monkeypatch, field, value):
    monkeypatch.chdir(tmp_path)
    path = _variant(tmp_path, **{field: value})  # None removes the field
    try:
        result = import_files([path], "hf-eval-results", store=SHIPPED, model=VEDIKA)
    except FormatError as error:
        assert "gpqa.yaml" in str(error)
        return
    raw = yaml.safe_load(path.read_text())[0]["value"]
    for record in records(result):
        if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
            expected = raw * 100 if 0 < abs(raw) <= 1 else raw
            assert record["value"] == pytest.approx(expected)
        assert 0 <= record["value"] <= 100


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, len(GPQA)), st.integers(0, 8), st.text(max_size=4)), max_size=4))
def test_any_edit_of_the_text_is_read_or_refused(tmp_path, monkeypatch, cuts):
    """Characters deleted and inserted anywhere in the real file: a result, nothing, or a FormatError."""
    monkeypatch.chdir(tmp_path)
    text = GPQA
    for at, deleted, inserted in cuts:
        text = text[:at] + inserted + text[at + deleted:]
    path = tmp_path / "gpqa.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        result = import_files([path], "hf-eval-results", store=SHIPPED, model=VEDIKA)
    except FormatError as error:
        assert "gpqa.yaml" in str(error)
        return
    assert all(0 <= r["value"] <= 100 for r in records(result))


# --------------------------------------------------------------------------- export

#: The published format (hub-docs eval_results.yaml @ 242f4a1e; huggingface_hub EvalResultEntry) as a JSON Schema.
SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["dataset", "value"],
        "additionalProperties": False,
        "properties": {
            "dataset": {"type": "object", "required": ["id", "task_id"], "additionalProperties": False,
                        "properties": {"id": {"type": "string", "pattern": r"^\S+$"},
                                       "task_id": {"type": "string", "minLength": 1},
                                       "revision": {"type": "string"}}},
            "value": {"type": "number"},
            "verifyToken": {"type": "string"},
            "date": {"type": "string",
                     "pattern": r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$"},
            "source": {"type": "object", "required": ["url"], "additionalProperties": False,
                       "properties": {"url": {"type": "string", "pattern": "^https?://"}, "name": {"type": "string"},
                                      "user": {"type": "string"}, "org": {"type": "string"}}},
            "notes": {"type": "string"},
        },
    },
}


def parse_like_huggingface_hub(data):
    """huggingface_hub's ``parse_eval_result_entries`` (and ``EvalResultEntry.__post_init__``), step for step."""
    entries = []
    for item in data:
        entry = item.get("data", item)
        dataset, source = entry.get("dataset", {}), entry.get("source", {})
        parsed = {"dataset_id": dataset["id"], "value": entry["value"], "task_id": dataset["task_id"],
                  "dataset_revision": dataset.get("revision"), "verify_token": entry.get("verifyToken"),
                  "date": entry.get("date"), "notes": entry.get("notes"),
                  **{f"source_{k}": source.get(k) if source else None for k in ("url", "name", "user", "org")}}
        if any(parsed[f"source_{k}"] is not None for k in ("name", "user", "org")) and parsed["source_url"] is None:
            raise ValueError("source_url must be provided")
        entries.append(parsed)
    return entries


def test_the_schema_fits_real_files():
    for path in sorted(HF.glob("*/*.yaml")):
        if "spec" not in path.parts:
            data = yaml.safe_load(path.read_text())
            jsonschema.validate(data, SCHEMA)
            assert len(parse_like_huggingface_hub(data)) == len(data)


def test_shipped_store_has_nothing_for_the_hub(cli):
    with pytest.raises(UsageError, match="MMLU: the registry names no Hub benchmark dataset"):
        export_hf_eval_results("Chinchilla", SHIPPED)
    with pytest.raises(UnknownIdError):
        export_hf_eval_results("no-such-model", SHIPPED)
    with pytest.raises(EmptyResultError):
        export_hf_eval_results("hunyuan", SHIPPED)  # declared, no scores
    out = cli("export", "hf-eval-results", "chinchilla-70b", "--store", SHIPPED)
    assert out.code == 2 and "no Hub benchmark dataset" in out.err


def _build(root: Path, monkeypatch, cli, *imports: list[object]) -> Path:
    (root / "data" / "entries").mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(root)
    for args in imports:
        assert cli("import", *args, "-o", "data/entries").code == 0
    assert cli("build").code == 0
    return root


def _scores(root: Path) -> list[tuple]:
    rows = benchtables.Store.open(root / "data" / "store").table("scores").to_pylist()
    keep = ("benchmark", "metric", "value", "n_shot", "setting", "split", "subset", "partial")
    return sorted(tuple(r[k] for k in keep) for r in rows)


def _sources(root: Path) -> list[tuple]:
    rows = benchtables.Store.open(root / "data" / "store").table("sources").to_pylist()
    return sorted((r["title"], r["url"], r["date"], r["year"]) for r in rows)


def test_round_trip_of_real_files(tmp_path, monkeypatch, cli):
    files = [HF / p for p in ("Vedika-4.1-flash/gpqa.yaml", "Vedika-4.1-flash/hle.yaml", "Vedika-4.1-flash/mmlu_pro.yaml",
                              "Aura-Gen-2.0/gpqa_diamond.yaml", "Aura-Gen-2.0/gsm8k.yaml")]
    first = _build(tmp_path / "first", monkeypatch, cli, *[[f, "--model", VEDIKA] for f in files])
    out = first / "out"
    assert cli("export", "hf-eval-results", VEDIKA, "-o", out).code == 0
    assert sorted(p.name for p in out.iterdir()) == ["gpqa_diamond.yaml", "gpqa_diamond_thinking.yaml", "gsm8k.yaml",
                                                     "hle_no_tools.yaml", "mmlu_pro.yaml"]
    for path in out.iterdir():
        data = yaml.safe_load(path.read_text())
        jsonschema.validate(data, SCHEMA)
        parse_like_huggingface_hub(data)
    hle = yaml.safe_load((out / "hle_no_tools.yaml").read_text())
    assert hle == [{"dataset": {"id": "cais/hle", "task_id": "hle"}, "value": 5.2, "date": "2026-05-23",
                    "source": {"url": "https://huggingface.co/google/gemma-4-12B-it",
                               "name": "Model Card (google/gemma-4-12B-it)"}, "notes": "no-tools"}]
    second = _build(tmp_path / "second", monkeypatch, cli, [*sorted(out.iterdir()), "--model", VEDIKA])
    assert _scores(second) == _scores(first) and len(_scores(first)) == 5
    assert _sources(second) == _sources(first)


SETTINGS = """\
    source: {id: test2024, title: A test source, url: 'https://example.org/test', year: 2024}
    models:
      - {id: tiny, name: Tiny, aliases: [org/tiny]}
    scores:
      - {model: tiny, benchmark: mmlu-pro, n_shot: 5, setting: cot, value: 41.5, where: Table 1}
      - {model: tiny, benchmark: mmlu-pro, n_shot: 5, split: validation, value: 40.25, where: Table 1}
      - {model: tiny, benchmark: gsm8k, n_shot: 8, setting: 'maj@1, cot', value: 30.2, where: Table 2}
      - {model: tiny, benchmark: hle, setting: tools, value: 9.5, where: Table 3}
      - {model: tiny, benchmark: mmlu-pro, metric: exact_match, value: 39.0, where: Table 1}
      - {model: tiny, benchmark: gpqa-diamond, value: 30.0, partial: true, n_samples: 50, where: Table 4}
      - {model: tiny, benchmark: mmlu-pro, subset: biology, n_shot: 5, value: 50.0, where: Table 5}
      - {model: tiny, benchmark: mmlu, n_shot: 5, value: 45.0, where: Table 5}
    """


def test_round_trip_keeps_settings_and_says_what_is_left_out(tmp_path, monkeypatch, cli):
    first = tmp_path / "first"
    (first / "data" / "entries").mkdir(parents=True)
    (first / "data" / "entries" / "test.yaml").write_text(textwrap.dedent(SETTINGS))
    _build(first, monkeypatch, cli)
    files = export_hf_eval_results("org/tiny")
    assert sorted(files) == ["gsm8k_8_shot_cot_maj_1.yaml", "hle_tools.yaml", "mmlu_pro_5_shot_cot.yaml",
                             "mmlu_pro_5_shot_validation_split.yaml"]
    gsm8k = yaml.safe_load(files["gsm8k_8_shot_cot_maj_1.yaml"])
    assert gsm8k == [{"dataset": {"id": "openai/gsm8k", "task_id": "gsm8k"}, "value": 30.2, "date": "2024",
                      "source": {"url": "https://example.org/test", "name": "A test source"},
                      "notes": "8-shot, cot, maj@1"}]
    header = files["hle_tools.yaml"].split("\n- dataset")[0]
    for left_out in ("MMLU-Pro Exact match: its Hub task reports Accuracy", "GPQA Diamond: partial runs",
                     "MMLU-Pro subsets: its Hub task is the whole benchmark",
                     "MMLU: the registry names no Hub benchmark dataset and task for it"):
        assert f"#   1 score: {left_out}" in header
    assert "https://huggingface.co/org/tiny" in header
    out = tmp_path / "out"
    for name, text in files.items():
        jsonschema.validate(yaml.safe_load(text), SCHEMA)
        out.mkdir(exist_ok=True)
        (out / name).write_text(text)
    second = _build(tmp_path / "second", monkeypatch, cli, [*sorted(out.iterdir()), "--model", "org/tiny"])
    exportable = [s for s in _scores(first) if s[0] != "mmlu" and not s[7] and not s[6]
                  and s[:2] != ("mmlu-pro", "exact_match")]
    assert _scores(second) == exportable and len(exportable) == 4
    assert _sources(second) == _sources(first) == [("A test source", "https://example.org/test", None, 2024)]


def test_export_command_writes_files(tmp_path, monkeypatch, cli):
    root = _build(tmp_path / "p", monkeypatch, cli, [HF / "Vedika-4.1-flash/hle.yaml", "--model", VEDIKA])
    assert cli("export", "hf-eval-results", VEDIKA).code == 0
    written = root / ".eval_results" / "hle_no_tools.yaml"
    assert yaml.safe_load(written.read_text())[0]["value"] == 5.2
    again = cli("export", "hf-eval-results", VEDIKA)
    assert again.code == 2 and "--force" in again.err
    assert cli("export", "hf-eval-results", VEDIKA, "--force").code == 0
