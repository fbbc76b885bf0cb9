"""Numbers land on the model, benchmark and setting they belong to — on real files (tests/fixtures/identity).

Each test names the class of failure it guards: revisions and adapters are models of their own,
local paths and other implementations need --model, names that carry a setting are the model
plus the setting, variants are benchmarks of their own, partial runs are marked, and case
variants of one name are one model.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchtables.errors import FormatError
from benchtables.importers import import_files, write_entries
from benchtables.importers.common import setting_in_name
from conftest import FIXTURES, REPO
from conftest import imported as records

IDENTITY = FIXTURES / "identity"
LM_EVAL = IDENTITY / "lm-eval"
SHIPPED = REPO / "data" / "store"




def test_a_revision_is_a_model_of_its_own(shipped_project, cli):
    step3000 = LM_EVAL / "pythia-v1_1.4b-deduped_zero-shot_step3000.json"
    final = LM_EVAL / "pythia-v1_1.4b-deduped_zero-shot_step143000.json"
    result = import_files([step3000, final])
    models = {r["model"] for r in records(result)}
    assert models == {"eleutherai-pythia-v1.1-1.4b-deduped@step3000", "eleutherai-pythia-v1.1-1.4b-deduped@step143000"}
    early = result.models["eleutherai-pythia-v1.1-1.4b-deduped@step3000"]
    assert (early["revision"], early["base_model"]) == ("step3000", "eleutherai-pythia-v1.1-1.4b-deduped")
    arc = {r["model"]: r["value"] for r in records(result) if r["benchmark"] == "arc-challenge" and r["metric"] == "acc"}
    assert arc == {"eleutherai-pythia-v1.1-1.4b-deduped@step3000": pytest.approx(19.0273037543),
                   "eleutherai-pythia-v1.1-1.4b-deduped@step143000": pytest.approx(27.2184300341)}
    write_entries(result, shipped_project / "data/entries")
    checked = cli("validate", "--format", "json")
    problems = json.loads(checked.out)["problems"]
    assert checked.code == 0, problems
    assert not [p for p in problems if p["code"] == "disagreement" and "pythia" in p["message"]]


@pytest.mark.parametrize(("file", "says"), [
    ("kt_localpath_leaderboard_gpqa_limit2_results_2024-12-20T14-34-38.012985.json", "local path"),
    ("lmeval-v0.3_llama-7B_gsm8k_8-shot.json", "local path"),
    ("harness-pr2809_mamba_ssm_mamba-1.4b_results_2025-03-03T18-54-46.768410.json", "'mamba_ssm' class"),
    ("harness-pr2236_peft_epoch_20_asdiv_limit512_results_2024-08-21T04-37-55.218014.json", "adapter"),
])
def test_a_path_or_another_implementation_needs_model(tmp_path, monkeypatch, cli, file, says):
    """Never silently the base model: the file is refused with a message that asks for --model."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormatError, match=says) as refused:
        import_files([LM_EVAL / file], store=SHIPPED)
    assert "--model" in str(refused.value)
    out = cli("import", LM_EVAL / file, "--store", SHIPPED)
    assert out.code == 1 and "--model" in out.err and "Traceback" not in out.err


def test_model_names_the_model_and_an_adapter_keeps_its_base(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    llama = import_files([LM_EVAL / "lmeval-v0.3_llama-7B_gsm8k_8-shot.json"], model="LLaMA 7B", store=SHIPPED)
    (row,) = records(llama)
    assert (row["model"], row["n_shot"]) == ("llama-7b", 8)
    adapter = import_files([LM_EVAL / "harness-pr2236_peft_epoch_20_asdiv_limit512_results_2024-08-21T04-37-55.218014.json"],
                           model="pursuit-epoch-20", store=SHIPPED)
    assert adapter.models["pursuit-epoch-20"]["base_model"] == "meta-llama-meta-llama-3-8b-instruct"


def test_gsm8k_has_one_metric_whichever_harness_wrote_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    v03 = records(import_files([LM_EVAL / "lmeval-v0.3_llama-7B_gsm8k_8-shot.json"], model="LLaMA 7B", store=SHIPPED))
    v04 = records(import_files([LM_EVAL / "mattdepaolis_gemma-2b_gsm8k_limit10_results_20250530_115057.TRIMMED.json"],
                               store=SHIPPED))
    assert {r["metric"] for r in v03 + v04} == {"exact_match"}
    assert v03[0]["value"] == pytest.approx(8.03639120546)
    assert {r["setting"] for r in v04} == {"strict-match", "flexible-extract"}  # the filter is the setting


def test_variants_are_benchmarks_of_their_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([LM_EVAL / "kt_gpt-4o_leaderboard_gpqa_full_results_2024-11-22T00-40-05.032093.json"],
                          store=SHIPPED)
    values = {r["benchmark"]: r["value"] for r in records(result)}
    assert values == {"gpqa-diamond": pytest.approx(18.6868686869), "gpqa-main": pytest.approx(23.2142857143),
                      "gpqa-extended": pytest.approx(24.7252747253)}
    assert not [r for r in records(result) if r["partial"]]


def test_partial_runs_are_marked_and_counted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([LM_EVAL / "kt_gpt-4o_leaderboard_gpqa_limit3_results_2024-11-21T22-42-45.582189.json"],
                          store=SHIPPED)
    rows = records(result)
    assert rows and all(r["partial"] is True and r["n_samples"] == 3 for r in rows)
    assert sum(result.partial.values()) == len(rows)
    assert any("partial" in line and "limit 3" in line for line in result.summary())
    qwen = import_files([LM_EVAL / "mattdepaolis_Qwen3-8B_load_in_4bit_leaderboard_limit1_results_2025-10-09_150315"
                         ".TRIMMED.json"], store=SHIPPED)
    rows = records(qwen)
    pro = [r for r in rows if r["benchmark"] == "mmlu-pro"]
    assert pro and all(r["partial"] and r["n_samples"] == 1 for r in pro)  # 1 of 12,032: never a full 100.0
    assert {r["setting"] for r in rows} == {"4bit"}  # load_in_4bit is a setting of the run
    assert all(r["partial"] for r in rows)


def test_partial_runs_stay_out_of_default_leaderboards(shipped_project, cli):
    full = LM_EVAL / "kt_gpt-4o_leaderboard_gpqa_full_results_2024-11-22T00-40-05.032093.json"
    sample = LM_EVAL / "kt_gpt-4o_leaderboard_gpqa_limit3_results_2024-11-21T22-42-45.582189.json"
    assert cli("import", sample, "-o", "data/entries").code == 0
    assert cli("build").code == 0
    only_sample = cli("leaderboard", "gpqa-main", "--format", "csv")
    assert only_sample.code == 1 and "--include-partial" in only_sample.err
    assert "33.3" in cli("leaderboard", "gpqa-main", "--include-partial", "--format", "csv").out
    assert cli("import", full, "-o", "data/entries").code == 0
    assert cli("build").code == 0
    board = cli("leaderboard", "gpqa-main", "--format", "csv")
    assert board.code == 0 and "23.2" in board.out and "33.3" not in board.out


def test_helm_main_metric_is_the_scenarios(tmp_path, monkeypatch):
    """NarrativeQA's main metric is F1 (17.42 on test), not exact match."""
    monkeypatch.chdir(tmp_path)
    result = import_files([IDENTITY / "helm/narrative_qa-model=openai_gpt2"], store=SHIPPED)
    (row,) = records(result)
    assert (row["benchmark"], row["metric"], row["split"]) == ("narrativeqa", "f1", "test")
    assert row["value"] == pytest.approx(17.4242424242) and row["partial"] is True and row["n_samples"] == 4


def epoch(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return import_files([IDENTITY / "epoch" / name], "csv", preset="epoch-benchmark", store=SHIPPED)


def test_names_that_carry_a_setting_are_the_model_plus_the_setting(tmp_path, monkeypatch):
    rows = records(epoch("external_benchmark_gsm8k.csv", tmp_path, monkeypatch))
    gpt4 = [r for r in rows if r["model"] == "gpt-4"]
    assert {(r["n_shot"], r["value"]) for r in gpt4} >= {(8, 91.4)}
    assert not any(r["model"].endswith(("shot", "-8", "-0")) for r in rows)
    minerva = [r for r in rows if r["model"] == "minerva"]
    assert [(r["n_shot"], r["value"]) for r in minerva] == [(8, 58.8)]
    chat7b = sorted((r["n_shot"], r["value"]) for r in rows if r["model"] == "qwen-chat-7b")
    assert chat7b == [(0, 50.3), (8, 54.1)]


def test_settings_in_names_with_a_shots_column(tmp_path, monkeypatch):
    rows = records(epoch("external_benchmark_arc_ai2.csv", tmp_path, monkeypatch))
    glam = sorted((r["benchmark"], r["n_shot"], r["value"]) for r in rows if r["model"] == "glam-64b-64e")
    assert ("arc-challenge", 1, 50.3) in glam and ("arc-easy", 16, 78.9) in glam  # "(One-shot)" is 1-shot
    assert {r["benchmark"] for r in rows} == {"arc-challenge", "arc-easy"}  # a value column per benchmark


def test_case_variants_are_one_model_and_repeated_rows_count_once(shipped_project, cli):
    result = import_files([IDENTITY / "epoch/external_benchmark_bbh.csv"], "csv", preset="epoch-benchmark")
    rows = records(result)
    qwen = [r for r in rows if r["value"] == 28.2 and r["n_shot"] == 3]
    assert len(qwen) == 1 and qwen[0]["model"] == "qwen-1-8b"  # "Qwen 1.8B" and "QWEN 1.8B", one number
    assert result.skipped["repeated row (the same number again)"] >= 3
    write_entries(result, shipped_project / "data/entries")
    built = cli("build")
    assert built.code == 0, built.err


def test_model_card_names_and_hub_ids_map_to_benchmarks_and_metrics(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    juanako = records(import_files([IDENTITY / "model-cards/leliuga_juanako-7B-UNA_README.md"], store=SHIPPED))
    own = [r for r in juanako if r["n_shot"] is None]  # the author's entries, with no n-shot
    truthful = [r for r in own if r["benchmark"] == "truthfulqa"]
    assert [(r["metric"], r["value"]) for r in truthful] == [("mc2", 65.13)]  # "TruthfulQA (MC2)", type accuracy
    assert sorted(r["value"] for r in own if r["benchmark"] == "hellaswag") == [83.57, 85.34]  # Rowan/hellaswag
    calme = records(import_files([IDENTITY / "model-cards/hf-readme_MaziyarPanahi_calme-2.3-phi3-4b.md"],
                                 store=SHIPPED))
    assert {r["metric"] for r in calme if r["benchmark"] == "mmlu"} == {"acc"}
    pro = [r for r in calme if r["benchmark"] == "mmlu-pro"]
    assert [(r["metric"], r["value"]) for r in pro] == [("normalized_score", 31.42)]  # v2: normalised, kept apart
    gguf = import_files([IDENTITY / "model-cards/hf-readme_Orenguteng_Llama-3.1-8B-Lexi-Uncensored-V2-GGUF.md"],
                        store=SHIPPED)
    # the model-index's name, with the owner its results' leaderboard links give (the GGUF copy is not what was measured)
    assert {r["model"] for r in records(gguf)} == {"orenguteng-llama-3.1-8b-lexi-uncensored-v2"}


@given(st.text(alphabet="abcQWEN 0123456789()-.,", min_size=1, max_size=30).filter(str.strip),
       st.sampled_from(["", " (5-shot)", " (One-shot)", " (Zero-shot)", " (few-shot)", " 8-shot", " (CoT)"]))
def test_setting_in_name_keeps_the_name(name, setting):
    """Splitting a setting off never empties a name nor unbalances its parentheses, and finds the setting."""
    bare, n_shot, _, found = setting_in_name(name + setting)
    assert bare.strip()
    plain = "shot" not in name.casefold() and "cot" not in name.casefold()
    if plain and re.fullmatch(r"[^()]*(\([^()]*\)[^()]*)*", name):  # balanced, unnested
        assert bare.count("(") == bare.count(")")
    if setting and plain:
        assert found
        expected = {" (5-shot)": 5, " (One-shot)": 1, " (Zero-shot)": 0, " 8-shot": 8}.get(setting)
        if expected is not None and not any(c.isdigit() for c in name[-3:]):
            assert n_shot == expected


# --------------------------------------------------------------------------- suites and settings meet

LLAMA_2_70B = """\
source: {id: oll-page, title: Open LLM Leaderboard page for Llama-2-70b, url: 'https://huggingface.co/spaces/HuggingFaceH4/open_llm_leaderboard?query=meta-llama/Llama-2-70b-hf', year: 2023}
scores:
  - {model: meta-llama/Llama-2-70b-hf, benchmark: ARC-Challenge, METRIC_ARC n_shot: 25, value: 67.32, where: leaderboard row}
  - {model: meta-llama/Llama-2-70b-hf, benchmark: HellaSwag, METRIC_HS n_shot: 10, value: 87.33, where: leaderboard row}
  - {model: meta-llama/Llama-2-70b-hf, benchmark: MMLU, n_shot: 5, value: 69.83, where: leaderboard row}
  - {model: meta-llama/Llama-2-70b-hf, benchmark: TruthfulQA, metric: mc2, n_shot: 0, value: 44.92, where: leaderboard row}
"""


def test_typed_leaderboard_numbers_meet_the_suite(shipped_project, cli):
    """The four Open LLM Leaderboard v1 numbers of Llama-2-70b, typed as the page shows them (no split)."""
    (shipped_project / "data/entries/oll-page.yaml").write_text(
        LLAMA_2_70B.replace("METRIC_ARC ", "metric: acc_norm, ").replace("METRIC_HS ", "metric: acc_norm, "))
    assert cli("build").code == 0
    board = cli("leaderboard", "--suite", "open-llm-v1", "--format", "json")
    rows = {r["model"]: r for r in json.loads(board.out)["rows"]}
    assert rows["llama-2-70b"]["value"] == pytest.approx(67.35)  # (67.32 + 87.33 + 69.83 + 44.92) / 4
    assert rows["llama-2-70b"]["basis"] == "computed"


def test_a_metric_left_out_is_named_with_the_one_the_suite_uses(shipped_project, cli):
    path = shipped_project / "data/entries/oll-page.yaml"
    path.write_text(LLAMA_2_70B.replace("METRIC_ARC ", "").replace("METRIC_HS ", ""))
    report = json.loads(cli("validate", "--format", "json", path).out)
    defaulted = [p for p in report["problems"] if p["code"] == "metric_defaulted"]
    assert {p["line"] for p in defaulted} == {3, 4}  # ARC and HellaSwag; MMLU and TruthfulQA have one metric or name it
    assert all("acc assumed" in p["message"] and "acc_norm" in p["message"] and "Open LLM Leaderboard v1" in p["message"]
               for p in defaulted)


def test_split_less_mmlu_numbers_of_every_source_share_one_leaderboard(shipped_project, cli):
    (shipped_project / "data/entries/oll-page.yaml").write_text(
        LLAMA_2_70B.replace("METRIC_ARC ", "metric: acc_norm, ").replace("METRIC_HS ", "metric: acc_norm, ")
        .replace("benchmark: MMLU, n_shot: 5", "benchmark: MMLU, split: test, n_shot: 5"))  # the split named: the same
    assert cli("build").code == 0
    board = json.loads(cli("leaderboard", "mmlu", "--format", "json").out)
    models = {r["model"] for r in board["rows"]}
    assert {"palm-540b", "chinchilla-70b", "llama-2-70b"} <= models  # papers, and the typed leaderboard number
    assert "5-shot" in board["caption"] and "split" not in board["caption"].replace("standard split", "")


def test_lm_eval_runs_of_three_members_rank_as_a_partial_row(project, cli):
    runs = sorted((IDENTITY / "oll-v1-lm-eval").glob("*.json"))
    assert cli("import", *runs, "-o", "data/entries").code == 0
    assert cli("build").code == 0
    assert cli("leaderboard", "--suite", "open-llm-v1").code == 1  # nobody has all four
    board = json.loads(cli("leaderboard", "--suite", "open-llm-v1", "--partial", "--format", "json").out)
    (row,) = board["rows"]
    assert row["model"] == "meta-llama-meta-llama-3-8b" and row["members"] == "3/4"
    assert row["value"] == pytest.approx((57.50853242320819 + 65.04059250818972 + 43.93046477915496) / 3)


def test_a_routed_model_name_is_no_local_path(tmp_path, monkeypatch):
    """openrouter/openai/gpt-5.2 is OpenAI's gpt-5.2 reached through a router, not a directory."""
    monkeypatch.chdir(tmp_path)
    data = json.loads((LM_EVAL / "kt_gpt-4o_leaderboard_gpqa_full_results_2024-11-22T00-40-05.032093.json").read_text())
    data["config"]["model_args"] = "model=openrouter/openai/gpt-5.2"
    path = tmp_path / "routed.json"
    path.write_text(json.dumps(data))
    result = import_files([path], store=SHIPPED)
    assert {r["model"] for r in records(result)} == {"openai-gpt-5.2"}
    assert result.models["openai-gpt-5.2"]["name"] == "openai/gpt-5.2"
    data["config"]["model_args"] = "model=checkpoints/run-7/final"
    path.write_text(json.dumps(data))
    with pytest.raises(FormatError, match="local path"):
        import_files([path], store=SHIPPED)


def test_helm_multiple_choice_exact_match_is_the_benchmarks_accuracy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (row,) = records(import_files([IDENTITY / "helm/hellaswag-pythia-1b"], store=SHIPPED))
    assert (row["benchmark"], row["metric"], row["split"], row["value"]) == ("hellaswag", "acc", "validation", 30.0)
    assert row["partial"] is True and row["n_samples"] == 10


def test_a_chain_of_thought_task_is_a_setting_of_its_benchmark():
    """``gsm8k_cot`` is GSM8K with a chain-of-thought prompt: its numbers sit beside plain ``gsm8k``'s under
    setting cot, never merged with them (in the JSON and in the table the harness prints of it)."""
    result = import_files([LM_EVAL / "magicpig_llama3-8b-instruct_gsm8k_and_gsm8k_cot_results.json"],
                          model="meta-llama/Meta-Llama-3-8B-Instruct", store=SHIPPED)
    rows = records(result)
    settings = {(r["setting"], r["n_shot"]) for r in rows if r["benchmark"] == "gsm8k"}
    assert settings == {("strict-match", 5), ("flexible-extract", 5), ("cot,strict-match", 8), ("cot,flexible-extract", 8)}
    assert [r["value"] for r in rows if r["setting"] == "cot,strict-match"] == [pytest.approx(74.0712661107)]


def test_a_card_name_without_owner_takes_the_repository_its_results_pages_name():
    """A quantised copy's card names its base model without the owner; the Open LLM Leaderboard links of
    its results name the repository measured, so the numbers land on it, not on an ownerless stub."""
    result = import_files([IDENTITY / "model-cards/kdk-mlx_Qwen2.5-7B-Instruct-Uncensored-4bit_README.md"],
                          store=SHIPPED)
    assert {r["model"] for r in records(result)} == {"orion-zhen-qwen2.5-7b-instruct-uncensored"}
    assert "Orion-zhen/Qwen2.5-7B-Instruct-Uncensored" in result.models["orion-zhen-qwen2.5-7b-instruct-uncensored"]["aliases"]


def test_a_2021_model_index_card_is_refused_saying_how_to_read_it(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = cli("import", IDENTITY / "model-cards/model_index_2021_Alireza1044_albert-base-v2-cola_README.md")
    assert out.code == 1 and "model_index block, the spelling of 2021 cards" in out.err and "rename it model-index" in out.err


def test_a_stderr_the_harness_could_not_compute_is_missing_not_a_lost_number(tmp_path, monkeypatch):
    """A limit-1 run writes "N/A" for every stderr: the numbers are all imported, none counted as skipped."""
    monkeypatch.chdir(tmp_path)
    path = LM_EVAL / "mattdepaolis_Qwen3-8B_load_in_4bit_leaderboard_limit1_results_2025-10-09_150315.TRIMMED.json"
    result = import_files([path], store=SHIPPED)
    assert records(result) and all(r["stderr"] is None for r in records(result))
    assert not [reason for reason in result.skipped if reason.startswith("not a number")]
