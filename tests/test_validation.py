"""Entry files: every rule of the format, each bad input reported at its line and field.

The checks run through the one validation pipeline (read → each record → across records →
against the store) as ``validate`` and ``build`` call it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import pytest

from benchtables.registry import Registry
from benchtables.store import table_of
from benchtables.validation.declarations import Known
from benchtables.validation.pipeline import run
from conftest import SOURCE

MODEL = "models:\n  - {id: m-7b, name: M 7B, parameters: 7B}\n"


@dataclass
class Dataset:
    """What a run leaves: valid records per kind, declared sources and models."""

    records: dict[str, list[dict[str, Any]]]
    sources: dict[str, dict[str, Any]]
    models: dict[str, dict[str, Any]]


def read_entries(paths, known=None):
    found = run(paths, registry=Registry.shipped(), name_file=lambda p: p.as_posix(), context=known)
    tables = found.record_tables()
    records = {kind: tables[kind].to_pylist() if kind in tables else [] for kind in
               ("scores", "training", "utilization", "sampling")}
    return Dataset(records, found.declared.sources, found.declared.models), found.report


def check(tmp_path, text: str):
    path = tmp_path / "e.yaml"
    path.write_text(text, encoding="utf-8")
    return read_entries([path])


def problems_of(tmp_path, text):
    _, report = check(tmp_path, text)
    return [(p.code, p.line, p.field) for p in report.sorted()]


# Each case: the body after the source and model lines (source is line 1, models lines 2-3),
# and the (code, line, field) of the one error it must produce.
BAD_RECORDS = [
    ("percent above 100", "scores:\n  - {model: m-7b, benchmark: mmlu, value: 101}", ("out_of_range", 5, "scores[0].value")),
    ("percent below 0", "scores:\n  - {model: m-7b, benchmark: mmlu, value: -1}", ("out_of_range", 5, "scores[0].value")),
    ("fraction is fine for the schema", None, None),
    ("NaN value", "scores:\n  - {model: m-7b, benchmark: mmlu, value: .nan}", ("finite_number", 5, "scores[0].value")),
    ("inf value", "scores:\n  - {model: m-7b, benchmark: mmlu, value: .inf}", ("finite_number", 5, "scores[0].value")),
    ("inf text", "scores:\n  - {model: m-7b, benchmark: mmlu, value: inf}", ("finite_number", 5, "scores[0].value")),
    ("wrong type", "scores:\n  - {model: m-7b, benchmark: mmlu, value: 60, n_shot: five}", ("number_expected", 5, "scores[0].n_shot")),
    ("list for a number", "scores:\n  - {model: m-7b, benchmark: mmlu, value: [60]}", ("float_type", 5, "scores[0].value")),
    ("negative shots", "scores:\n  - {model: m-7b, benchmark: mmlu, value: 60, n_shot: -1}", ("greater_than_equal", 5, "scores[0].n_shot")),
    ("unknown model", "scores:\n  - {model: m-7bb, benchmark: mmlu, value: 60}", ("unknown_model", 5, "scores[0].model")),
    ("unknown benchmark", "scores:\n  - {model: m-7b, benchmark: mmluu, value: 60}", ("unknown_benchmark", 5, "scores[0].benchmark")),
    ("unknown metric", "scores:\n  - {model: m-7b, benchmark: mmlu, metric: fid, value: 6}", ("unknown_metric", 5, "scores[0].metric")),
    ("missing value", "scores:\n  - {model: m-7b, benchmark: mmlu}", ("missing", 5, "scores[0].value")),
    ("null value", "scores:\n  - {model: m-7b, benchmark: mmlu, value: }", ("missing", 5, "scores[0].value")),
    ("unknown field", "scores:\n  - {model: m-7b, benchmark: mmlu, value: 6, nshot: 5}", ("extra_forbidden", 5, "scores[0].nshot")),
    ("percent sign on a loss", "scores:\n  - {model: m-7b, benchmark: pretraining, metric: train_loss, value: 1.7%}", ("unit_mismatch", 5, "scores[0].value")),
    ("negative count", "training:\n  - {model: m-7b, parameters: -7B}", ("greater_than", 5, "training[0].parameters")),
    ("zero tokens", "training:\n  - {model: m-7b, tokens: 0}", ("greater_than", 5, "training[0].tokens")),
    ("bananas", "training:\n  - {model: m-7b, parameters: 12 bananas}", ("quantity_parsing", 5, "training[0].parameters")),
    ("words for tokens", "training:\n  - {model: m-7b, tokens: 1.05e12 words}", ("quantity_parsing", 5, "training[0].tokens")),
    ("none of params/tokens/compute", "training:\n  - {model: m-7b, hardware: TPU v4}", ("required_one_of", 5, "training[0]")),
    ("fractional chips", "training:\n  - {model: m-7b, parameters: 7B, chips: 2.5}", ("int_from_float", 5, "training[0].chips")),
    ("neither mfu nor hfu", "utilization:\n  - {model: m-7b, hardware: TPU v4}", ("required_one_of", 5, "utilization[0]")),
    ("hfu above 100", "utilization:\n  - {model: m-7b, hfu: 157.8%}", ("out_of_range", 5, "utilization[0].hfu")),
    ("mfu as a count", "utilization:\n  - {model: m-7b, mfu: 46B}", ("quantity_parsing", 5, "utilization[0].mfu")),
    ("steps zero", "sampling:\n  - {model: m-7b, steps: 0, fid: 20}", ("greater_than_equal", 5, "sampling[0].steps")),
    ("steps fractional", "sampling:\n  - {model: m-7b, steps: 2.5, fid: 20}", ("int_from_float", 5, "sampling[0].steps")),
    ("yes/no as n-shot", "scores:\n  - {model: m-7b, benchmark: mmlu, n_shot: true, value: 60}", ("bool_not_allowed", 5, "scores[0].n_shot")),
    ("yes/no as a value", "scores:\n  - {model: m-7b, benchmark: mmlu, value: true}", ("bool_not_allowed", 5, "scores[0].value")),
    ("yes/no as a count", "training:\n  - {model: m-7b, parameters: true}", ("bool_not_allowed", 5, "training[0].parameters")),
    ("yes/no as steps", "sampling:\n  - {model: m-7b, steps: false, fid: 20}", ("bool_not_allowed", 5, "sampling[0].steps")),
    ("negative FID", "sampling:\n  - {model: m-7b, steps: 50, fid: -0.1}", ("out_of_range", 5, "sampling[0].fid")),
    ("cost does not multiply", "sampling:\n  - {model: m-7b, steps: 50, cost_per_step: 0.5, sampling_cost: 30}", ("inconsistent", 5, "sampling[0].sampling_cost")),
    ("approximate but not estimated", "sampling:\n  - {model: m-7b, sampling_cost: ≈8, estimated: false}", ("estimated_conflict", 5, "sampling[0].estimated")),
    ("record not a mapping", "scores:\n  - just text", ("mapping_type", 5, "scores[0]")),
]


@pytest.mark.parametrize(("body", "expected"), [(b, e) for _, b, e in BAD_RECORDS if b], ids=[n for n, b, _ in BAD_RECORDS if b])
def test_each_rule_reports_one_error_at_its_field(tmp_path, body, expected):
    found = problems_of(tmp_path, SOURCE + MODEL + body + "\n")
    assert found == [expected]


def test_a_valid_file_has_no_problems_and_canonical_values(tmp_path):
    dataset, report = check(tmp_path, SOURCE + textwrap.dedent("""\
        models:
          - {id: m-7b, name: M 7B, parameters: 7B, aliases: [M-7B]}
        scores:
          - {model: M-7B, benchmark: Massive Multitask Language Understanding, n_shot: 5, value: 57.8%, setting: CoT, subset: Social Sciences}
        training:
          - {model: m-7b, parameters: 7B, tokens: 3.5万亿, compute: 1.47e23 FLOP, chips: '6,144', chip_hours: ≈7M, days: under 0.5}
        """))
    assert report.problems == []
    score = dataset.records["scores"][0]
    assert score["model"] == "m-7b" and score["benchmark"] == "mmlu" and score["metric"] == "acc"
    assert score["value"] == 57.8 and score["setting"] == "cot" and score["subset"] == "social_sciences"
    assert score["source"] == "test2024"
    training = dataset.records["training"][0]
    assert training["tokens"] == 3.5e12 and training["chips"] == 6144 and training["chip_hours"] == 7e6
    assert training["qualifiers"] == ["chip_hours~", "days<"]
    assert training["estimated"] is True  # ≈ marks the record estimated


def test_several_problems_in_one_record_are_all_reported(tmp_path):
    found = problems_of(tmp_path, SOURCE + MODEL + "scores:\n  - {model: nope, benchmark: mmlu, value: 120, n_shot: x}\n")
    assert found == [("unknown_model", 5, "scores[0].model"), ("out_of_range", 5, "scores[0].value"),
                     ("number_expected", 5, "scores[0].n_shot")]


def test_did_you_mean_for_ids_and_fields(tmp_path):
    _, report = check(tmp_path, SOURCE + MODEL + "scores:\n  - {model: m-7c, benchmark: hellaswg, value: 60, n_shots: 5}\n")
    hints = {p.code: p.hint for p in report}
    assert hints["unknown_model"] == "did you mean 'm-7b'?"
    assert hints["unknown_benchmark"] == "did you mean 'hellaswag'?"
    assert hints["extra_forbidden"].startswith("did you mean 'n_shot'")


def test_comma_in_a_flow_mapping_number_is_caught(tmp_path):
    # YAML reads `chips: 6,144` inside {…} as chips: 6 and a key "144" with no value
    found = problems_of(tmp_path, SOURCE + MODEL + "training:\n  - {model: m-7b, parameters: 7B, chips: 6,144}\n")
    assert found == [("extra_forbidden", 5, "training[0].144")]


def test_names_match_ignoring_case_and_punctuation(tmp_path):
    dataset, report = check(tmp_path, SOURCE + MODEL + "scores:\n  - {model: M7B, benchmark: Hella-Swag, metric: acc_norm, value: 60}\n")
    assert report.problems == []
    assert (dataset.records["scores"][0]["model"], dataset.records["scores"][0]["benchmark"]) == ("m-7b", "hellaswag")


def test_unknown_section_with_did_you_mean(tmp_path):
    found = check(tmp_path, SOURCE + "score:\n  - {model: m-7b}\n")[1].sorted()
    assert [(p.code, p.line, p.field, p.hint) for p in found] == [
        ("extra_forbidden", 2, "score", "did you mean 'scores' or 'source'?")]


def test_missing_source(tmp_path):
    found = problems_of(tmp_path, MODEL)
    assert found == [("missing", 1, "source")]


def test_section_must_be_a_list(tmp_path):
    assert problems_of(tmp_path, SOURCE + "models: {id: m}\n") == [("list_type", 2, "models")]


def test_bad_source_fields(tmp_path):
    found = problems_of(tmp_path, "source: {id: Bad Id, title: t, url: not-a-url, year: 20}\n")
    assert found == [("string_pattern_mismatch", 1, "source.id"), ("string_pattern_mismatch", 1, "source.url"),
                     ("greater_than_equal", 1, "source.year")]


def test_arxiv_id_is_taken_from_the_url(tmp_path):
    dataset, _ = check(tmp_path, "source: {id: s, title: t, url: 'https://arxiv.org/abs/2204.02311v2', year: 2022}\n")
    assert dataset.sources["s"]["arxiv"] == "2204.02311"


def test_same_number_twice_is_a_duplicate_record(tmp_path):
    found = problems_of(tmp_path, SOURCE + MODEL + textwrap.dedent("""\
        scores:
          - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60, where: Table 1}
          - {model: m-7b, benchmark: MMLU, metric: acc, n_shot: 5, value: 61, where: Table 1}
          - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60, where: Abstract}
          - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60.5, where: Figure 2}
        """))
    # the same key; then the same number at another place (one record, its where naming both);
    # a different number at another place is the source disagreeing with itself, kept
    assert found == [("duplicate_record", 6, "scores[1]"), ("duplicate_record", 7, "scores[2]")]


def test_an_invalid_declaration_is_reported_once(tmp_path):
    """Records naming a model whose declaration failed are not told to declare it."""
    found = problems_of(tmp_path, SOURCE + textwrap.dedent("""\
        models:
          - {id: Llama-Big, name: Big}
        scores:
          - {model: Llama-Big, benchmark: mmlu, value: 50}
        """))
    assert found == [("string_pattern_mismatch", 3, "models[0].id"), ("unknown_model", 5, "scores[0].model")]
    _, report = check(tmp_path, SOURCE + "models:\n  - {id: Llama-Big, name: Big}\nscores:\n"
                                         "  - {model: Llama-Big, benchmark: mmlu, value: 50}\n")
    assert "is declared, but its declaration has errors" in report.sorted()[-1].message


def test_a_refused_source_is_not_unknown_to_its_models(tmp_path):
    (tmp_path / "a.yaml").write_text(SOURCE)
    text = SOURCE.replace("id: test2024", "id: other") + "models:\n  - {id: m-7b, name: M, introduced_by: other}\n"
    path = tmp_path / "b.yaml"
    path.write_text(text)
    _, report = read_entries([tmp_path / "a.yaml", path])
    assert [p.code for p in report.sorted()] == ["duplicate_url"]


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_repeated_number_does_not_depend_on_order(tmp_path, order):
    records = ["  - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60, stderr: 0.4, where: Table 1}\n",
               "  - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60, where: Abstract}\n"]
    found = problems_of(tmp_path, SOURCE + MODEL + "scores:\n" + "".join(records[i] for i in order))
    assert found == []  # one states a standard error, the other does not: not the same record


def test_model_declared_twice_in_one_file(tmp_path):
    found = problems_of(tmp_path, SOURCE + "models:\n  - {id: a, name: A}\n  - {id: a, name: A again}\n")
    assert found == [("duplicate_model", 4, "models[1].id")]


def test_models_across_files_merge_and_conflicts_are_errors(tmp_path):
    (tmp_path / "a.yaml").write_text("source: {id: a, title: A, url: 'https://a.org', year: 2020}\n"
                                     "models:\n  - {id: m, name: M, parameters: 7B, aliases: [em]}\n")
    (tmp_path / "b.yaml").write_text("source: {id: b, title: B, url: 'https://b.org', year: 2021}\n"
                                     "models:\n  - {id: m, name: M, parameters: 7B, aliases: [emm]}\n"
                                     "scores:\n  - {model: em, benchmark: mmlu, value: 50}\n")
    (tmp_path / "c.yaml").write_text("source: {id: c, title: C, url: 'https://c.org', year: 2022}\n"
                                     "models:\n  - {id: m, name: Em, parameters: 6.7B}\n")
    dataset, report = read_entries([tmp_path])
    found = [(p.file.rsplit("/", 1)[-1], p.severity.value, p.code, p.line, p.field) for p in report.sorted()]
    assert found == [("c.yaml", "warning", "model_conflict", 3, "models[0].name"),
                     ("c.yaml", "error", "model_conflict", 3, "models[0].parameters")]
    model = dataset.models["m"]
    assert model["aliases"] == ["em", "emm"] and len(model["declared_in"]) == 3
    assert dataset.records["scores"][0]["model"] == "m"  # resolved through the other file's alias


def test_sources_must_be_unique_by_id_and_url(tmp_path):
    (tmp_path / "a.yaml").write_text("source: {id: a, title: A, url: 'https://a.org/x', year: 2020}\n")
    (tmp_path / "b.yaml").write_text("source: {id: a, title: B, url: 'https://b.org', year: 2021}\n")
    (tmp_path / "c.yaml").write_text("source: {id: c, title: C, url: 'https://a.org/x/', year: 2022}\n")
    _, report = read_entries([tmp_path])
    assert [(p.code, p.file.rsplit("/", 1)[-1], p.field) for p in report.sorted()] == [
        ("duplicate_source", "b.yaml", "source.id"), ("duplicate_url", "c.yaml", "source.url")]


def test_introduced_by_must_name_a_source(tmp_path):
    found = problems_of(tmp_path, SOURCE + "models:\n  - {id: m, name: M, introduced_by: nobody2020}\n")
    assert found == [("unknown_source", 3, "models[0].introduced_by")]


def test_models_from_the_store_count_as_declared(tmp_path):
    known = Known(models=table_of("models", [{"id": "llama-2-7b", "name": "Llama 2 7B", "aliases": ["Llama2-7B"],
                                              "declared_in": ["data/entries/other.yaml"]}]))
    path = tmp_path / "new.yaml"
    path.write_text(SOURCE + "scores:\n  - {model: Llama2-7B, benchmark: mmlu, value: 45.3}\n")
    dataset, report = read_entries([path], known=known)
    assert report.problems == []
    assert dataset.records["scores"][0]["model"] == "llama-2-7b"


def test_store_declarations_from_the_files_being_read_do_not_count(project, cli):
    """A model the store has from the very file being validated is gone once that file drops it."""
    path = project.write("new.yaml", SOURCE + "models:\n  - {id: gone, name: Gone}\n"
                                              "scores:\n  - {model: gone, benchmark: mmlu, value: 45.3}\n")
    assert cli("build").code == 0
    path.write_text(SOURCE + "scores:\n  - {model: gone, benchmark: mmlu, value: 45.3}\n")
    result = cli("validate", "--format", "json", path)
    assert result.code == 1 and '"unknown_model"' in result.out


def test_model_parameters_conflicting_with_the_store(tmp_path):
    path = tmp_path / "new.yaml"
    path.write_text(SOURCE + "models:\n  - {id: m, name: M, parameters: 8B}\n")
    known = Known(models=table_of("models", [{"id": "m", "name": "M", "parameters": 7e9,
                                              "declared_in": ["data/entries/a.yaml"]}]))
    _, report = read_entries([path], known=known)
    assert [(p.code, p.line, p.field) for p in report] == [("model_conflict", 3, "models[0].parameters")]
    assert "data/entries/a.yaml" in report.problems[0].message


def test_records_in_a_file_with_a_bad_source_are_checked_but_not_kept(tmp_path):
    dataset, report = check(tmp_path, "source: {id: s}\n" + MODEL + "scores:\n  - {model: m-7b, benchmark: mmlu, value: 500}\n")
    assert {p.code for p in report} == {"missing", "out_of_range"}
    assert dataset.records["scores"] == []


def test_the_pydantic_models_check_like_entry_files():
    """Score(...) and model_validate run the same engine as entry files: canonical values, the same codes."""
    import pydantic

    from benchtables.schemas import Score, Source

    score = Score(model="palm-540b", benchmark="MMLU", value="69.3%", n_shot=5)
    assert (score.benchmark, score.metric, score.value, score.split) == ("mmlu", "acc", 69.3, "test")
    assert Score.model_validate({"model": "m", "benchmark": "mmlu", "value": 50}).value == 50.0
    with pytest.raises(pydantic.ValidationError) as failed:
        Score(model="m", benchmark="mmlu", value=500, n_shot=-1)
    assert {e["type"] for e in failed.value.errors()} == {"out_of_range", "greater_than_equal"}
    assert Source(id="s", title="T", url="https://arxiv.org/abs/2204.02311v2").arxiv == "2204.02311"


def test_split_synonyms_are_the_validation_split(tmp_path):
    dataset, report = check(tmp_path, SOURCE + MODEL + "scores:\n"
                            "  - {model: m-7b, benchmark: hellaswag, metric: acc, value: 50, split: val, where: T1}\n"
                            "  - {model: m-7b, benchmark: arc-challenge, metric: acc, value: 40, split: Valid, where: T1}\n")
    assert report.problems == []
    assert {r["split"] for r in dataset.records["scores"]} == {"validation"}


def test_a_training_record_that_contradicts_the_declared_size(tmp_path):
    found = problems_of(tmp_path, SOURCE + MODEL + "training:\n  - {model: m-7b, parameters: 13B, where: T1}\n")
    assert found == [("parameters_mismatch", 5, "training[0].parameters")]
    assert problems_of(tmp_path, SOURCE + MODEL + "training:\n  - {model: m-7b, parameters: 7.0B, where: T1}\n") == []


@pytest.mark.parametrize(("written", "hint"), [("5-shot", "write the number alone: 5"), ("0 shot", "write the number alone: 0"),
                                               ("five", None), ("5.5x", None), ("1e3 shots", None),
                                               ("2k", None)])
def test_a_number_with_words_after_it_names_the_number(tmp_path, written, hint):
    """``n_shot: 5-shot`` is how people type it: the error says to keep the number alone."""
    _, report = check(tmp_path, SOURCE + MODEL + f"scores:\n  - {{model: m-7b, benchmark: mmlu, value: 60, n_shot: {written}}}\n")
    (problem,) = report.problems
    assert (problem.code, problem.field, problem.hint) == ("number_expected", "scores[0].n_shot", hint)
