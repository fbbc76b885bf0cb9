"""Leaderboard tables (AlpacaEval, Chatbot Arena, Arena-Hard-Auto, OpenCompass) on real files and hostile variants."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import benchtables
from benchtables.errors import FormatError, UsageError
from benchtables.importers import import_files, write_entries
from benchtables.importers.leaderboards import file_date
from conftest import FIXTURES, REPO, assert_plausible, by
from conftest import import_shipped as run
from conftest import imported as records

HERE = FIXTURES / "leaderboards"
SHIPPED = REPO / "data" / "store"
AE2 = HERE / "data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"
AE2_OPUS = HERE / "data_AlpacaEval_2/claude_3_opus_ranking_leaderboard.csv"
AE2_COT = HERE / "data_AlpacaEval_2/alpaca_eval_cot_gpt4_turbo_fn_leaderboard.csv"
AE1 = HERE / "data_AlpacaEval/alpaca_eval_gpt4_leaderboard.csv"
AE1_CLAUDE = HERE / "data_AlpacaEval/claude_leaderboard.csv"
AE_SITE = HERE / "docs/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"
ARENA = {date: HERE / f"lmsys/leaderboard_table_{date}.csv"
         for date in ("20230619", "20230717", "20230802", "20231206", "20240118", "20250511")}
HARD = HERE / "arena_hard/arena_hard_leaderboard_20240731.csv"
HARD_0703 = HERE / "arena_hard/arena_hard_leaderboard_20240703.csv"
HARD_0715 = HERE / "arena_hard/arena_hard_leaderboard_20240715.csv"
HARD_0723 = HERE / "arena_hard/arena_hard_leaderboard_20240723.csv"
AE1_DAVINCI = HERE / "data_AlpacaEval/text_davinci_003_leaderboard.csv"
AISBENCH = HERE / "opencompass/aisbench_summary_20260809.csv"
AISBENCH_MD = HERE / "opencompass/aisbench_tau2_bench_md_summary_table.md"
ARENA_SPACE = "https://huggingface.co/spaces/lmarena-ai/chatbot-arena-leaderboard/blob/main/"
HARD_REPO = "https://github.com/lmarena/arena-hard-auto/blob/main/leaderboard/"
HARD_SPACE = HERE / "arena_hard/arena_hard_auto_leaderboard_v0.1.csv"
MUSR = HERE / "opencompass/musr_README_md_summary_table.md"
IFEVAL = HERE / "opencompass/IFEval_tabulate_summary.txt"
CSV_FILES = [AE2, AE2_OPUS, AE2_COT, AE1, AE1_CLAUDE, AE_SITE, *ARENA.values(), HARD, HARD_0703, HARD_SPACE]



def table(path):
    """Rows of a real CSV as the csv module reads them (the reference the importer is checked against)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def cell(path, where):
    """The text of the cell a `where` names (``file: row N, column 'X'``)."""
    m = re.fullmatch(r".+: row (\d+), column '(.+)'", where)
    return table(path)[int(m[1]) - 1][m[2]]


pytestmark = pytest.mark.usefixtures("in_tmp")  # imports write nothing, but run where no project is


# --------------------------------------------------------------------------- AlpacaEval


def test_alpacaeval_2_length_controlled_win_rate_with_its_stderr():
    result = run(AE2)
    assert result.format == "alpacaeval"
    rows = records(result)
    lc = by(rows, model="blendaxai-gm-l6-vo31", metric="lc_win_rate")
    assert lc["benchmark"] == "alpacaeval-2" and lc["setting"] is None and lc["n_samples"] == 805
    assert lc["value"] == pytest.approx(76.91981221023656) and lc["stderr"] == pytest.approx(0.5725365663132986)
    assert lc["where"] == f"{AE2.name}: row 4, column 'length_controlled_winrate'"
    win = by(rows, model="blendaxai-gm-l6-vo31", metric="win_rate")
    assert win["value"] == pytest.approx(69.11033492869565) and win["stderr"] == pytest.approx(1.3280735654354865)
    assert by(rows, model="gpt4", metric="lc_win_rate")["stderr"] is None  # lc_standard_error empty in the file
    # the baseline against itself, the dev prompt variants and the adversarial rows are not a model's score
    assert result.skipped["AlpacaEval baseline row (the baseline against itself, 50% by construction)"] == 1
    assert result.skipped["AlpacaEval dev row (a prompt variant the leaderboard hides)"] == sum(
        r["mode"] == "dev" for r in table(AE2))
    assert result.skipped["AlpacaEval adversarial submission (gamed outputs, not a model's answers)"] == 2
    models = {r["model"] for r in rows}
    assert not {"nullmodel", "gpt4-gamed", "gpt4-1106-preview", "gpt4-1106-preview-verbose"} & models
    assert all(0 <= r["value"] <= 100 and r["partial"] is None for r in rows)
    (source,) = result.sources.values()
    assert (source.url, source.kind) == ("https://tatsu-lab.github.io/alpaca_eval/", "leaderboard")


def test_alpacaeval_1_and_other_annotators():
    rows = records(run(AE1))
    assert {r["benchmark"] for r in rows} == {"alpacaeval"} and {r["setting"] for r in rows} == {None}
    # an older row without a length-controlled rate gives only its win rate
    assert [r["metric"] for r in rows if r["model"] == "xwinlm-70b-v0.1"] == ["win_rate"]
    assert by(rows, model="xwinlm-70b-v0.1")["n_samples"] == 801
    assert by(rows, model="gpt4", metric="lc_win_rate")["value"] == pytest.approx(86.51018625518144)
    # the annotator is part of the setting: a Claude-judged win rate is not a GPT-4-judged one
    claude = by(records(run(AE1_CLAUDE)), model="claude")
    assert (claude["benchmark"], claude["setting"], claude["value"]) == ("alpacaeval", "judge=claude",
                                                                        pytest.approx(75.83850931677019))
    opus = records(run(AE2_OPUS))
    assert {r["setting"] for r in opus} == {"judge=claude_3_opus_ranking"}
    assert by(opus, model="claude-3-opus-20240229", metric="lc_win_rate")["value"] == pytest.approx(43.25056335573304)
    assert "gpt4-1106-preview" not in {r["model"] for r in opus}  # its baseline row is marked community
    cot = by(records(run(AE2_COT)), model="yi-34b-chat")  # counts written as floats (805.0)
    assert (cot["benchmark"], cot["n_samples"], cot["setting"]) == ("alpacaeval-2", 805,
                                                                   "judge=alpaca_eval_cot_gpt4_turbo_fn")


def test_alpacaeval_version_from_the_baseline_row_and_the_annotator(tmp_path):
    for path, benchmark in ((AE2, "alpacaeval-2"), (AE1, "alpacaeval")):
        copy = tmp_path / "elsewhere" / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(path, copy)
        assert {r["benchmark"] for r in records(run(copy))} == {benchmark}
    # renamed: the version from its baseline row, the default annotator assumed, with a warning
    renamed = tmp_path / "ae.csv"
    shutil.copy(AE_SITE, renamed)
    result = run(renamed)
    assert {r["benchmark"] for r in records(result)} == {"alpacaeval-2"}
    assert [w.code for w in result.warnings if w.code == "assumed_setting"] == ["assumed_setting"]
    # neither folder, nor baseline row, nor annotator name: refused
    lines = AE_SITE.read_text(encoding="utf-8").splitlines(keepends=True)
    renamed.write_text("".join(line for line in lines if "gpt4_1106_preview/" not in line), encoding="utf-8")
    with pytest.raises(FormatError, match=r"cannot tell AlpacaEval 1\.0 from 2\.0"):
        run(renamed)


@pytest.mark.parametrize(("name", "annotator"), [
    ("weighted_alpaca_eval_gpt4_turbo_leaderboard.csv", "weighted_alpaca_eval_gpt4_turbo"),
    ("data_AlpacaEval_alpaca_eval_gpt4_leaderboard.csv", "alpaca_eval_gpt4"),  # a flattened copy's name
    ("data_AlpacaEval_2_weighted_alpaca_eval_gpt4_turbo_leaderboard.csv", "weighted_alpaca_eval_gpt4_turbo"),
    ("data_AlpacaEval_2_claude_3_opus_ranking_leaderboard.csv", "claude_3_opus_ranking"),  # not "claude"
    ("data_AlpacaEval_2_mistral-large-2402_ranking_leaderboard.csv", "mistral-large-2402_ranking"),
    ("text_davinci_003_leaderboard (1).csv", "text_davinci_003"),
    ("claude_leaderboard_2023.csv", "claude"),
    ("alpaca_eval_gpt4o_fn_leaderboard.csv", "alpaca_eval_gpt4o_fn"),  # an evaluator config newer than the list
    ("leaderboard.csv", None), ("ae.csv", None), ("my_run_leaderboard.csv", None), ("data_AlpacaEval_2_x.csv", None),
    ("claude_vs_chatgpt_fn.csv", None),  # two annotators: neither
    ("chatgpt_fn_vs_claude_leaderboard.csv", "claude"),  # the one before _leaderboard
])
def test_alpacaeval_annotator_from_the_file_name(name, annotator):
    from benchtables.importers.leaderboards import _ae_annotator

    assert _ae_annotator(Path(name).stem) == annotator


def test_alpacaeval_annotator_wherever_the_file_is(tmp_path):
    """The tester's flattened copies: the annotator from its name, the version from the name's folder part, and no
    path text as a setting."""
    cases = [(AE1, "data_AlpacaEval_alpaca_eval_gpt4_leaderboard.csv", "alpacaeval", None),
             (AE2_OPUS, "data_AlpacaEval_2_claude_3_opus_ranking_leaderboard.csv", "alpacaeval-2",
              "judge=claude_3_opus_ranking"),
             (AE1_DAVINCI, "data_AlpacaEval_text_davinci_003_leaderboard.csv", "alpacaeval", "judge=text_davinci_003"),
             # outside its folder, without a baseline row: the version of the annotator's published leaderboard
             (AE1_DAVINCI, "text_davinci_003_leaderboard.csv", "alpacaeval", "judge=text_davinci_003"),
             (AE1_CLAUDE, "claude_leaderboard.csv", "alpacaeval", "judge=claude")]
    for path, name, benchmark, setting in cases:
        copy = tmp_path / "flat" / name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(path, copy)
        result = run(copy)
        rows = records(result)
        assert {(r["benchmark"], r["setting"]) for r in rows} == {(benchmark, setting)}, name
        assert not [w for w in result.warnings if w.code == "assumed_setting"], name
    davinci = by(records(run(AE1_DAVINCI)), model="vicuna-13b")
    assert (davinci["benchmark"], davinci["setting"], davinci["value"], davinci["n_samples"]) == (
        "alpacaeval", "judge=text_davinci_003", pytest.approx(74.6583850931677), 805)
    # a name that names no annotator: the version's default assumed, with a warning; the name is no setting
    for name in ("my_run_leaderboard.csv", "AE2 results.csv"):
        copy = tmp_path / "data_AlpacaEval_2" / name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(AE2_OPUS, copy)
        result = run(copy)
        assert {r["setting"] for r in records(result)} == {None}
        (warning,) = [w for w in result.warnings if w.code == "assumed_setting"]
        assert "weighted_alpaca_eval_gpt4_turbo" in warning.message and "names no AlpacaEval annotator" in warning.message


def test_alpacaeval_website_export():
    rows = records(run(AE_SITE))
    assert {r["benchmark"] for r in rows} == {"alpacaeval-2"}
    blendax = by(rows, model="blendaxai-gm-l6-vo31", metric="lc_win_rate")  # the key from its samples link
    assert blendax["value"] == pytest.approx(76.91981221023656) and blendax["stderr"] is None
    # one pretty name, two models: "GPT 3.5 Turbo (06/13)" twice, told apart by key (one has no link)
    gpt35 = [r for r in rows if r["metric"] == "lc_win_rate" and "3.5-turbo" in r["model"] and "06" in r["model"]]
    assert sorted(r["value"] for r in gpt35) == pytest.approx([22.35251298054288, 22.720189163383225])
    assert "nullmodel" not in {r["model"] for r in rows}


def test_alpacaeval_a_run_on_part_of_the_instructions_is_partial(tmp_path):
    path = tmp_path / "data_AlpacaEval_2" / AE2.name
    path.parent.mkdir()
    path.write_text(AE2.read_text(encoding="utf-8").replace(",562,242,1,805,", ",62,37,1,100,"), encoding="utf-8")
    result = run(path)
    partial = [r for r in records(result) if r["partial"]]
    assert [(r["model"], r["n_samples"]) for r in partial] == [("blendaxai-gm-l6-vo31", 100)] * 2
    assert result.partial == {"AlpacaEval judged 100 of its 805 instructions": 2}


# --------------------------------------------------------------------------- Chatbot Arena


def test_lmsys_2023_tables_elo_mt_bench_and_mmlu():
    result = run(ARENA["20230619"])
    assert result.format == "lmsys"
    rows = records(result)
    assert by(rows, model="gpt-4", benchmark="chatbot-arena") | {"value": 1227.0, "metric": "elo"} == by(
        rows, model="gpt-4", benchmark="chatbot-arena")  # Elo: points, no rescaling
    mt = by(rows, model="gpt-4", benchmark="mt-bench")
    assert (mt["metric"], mt["value"], mt["where"]) == ("mt_bench_score", 8.99,
                                                        "leaderboard_table_20230619.csv: row 1, column 'MT-bench (score)'")
    mmlu = by(rows, model="gpt-4", benchmark="mmlu")
    assert (mmlu["metric"], mmlu["value"]) == ("acc", pytest.approx(86.4))  # written 0.864
    # the leaderboard's MMLU is 5-shot (its page says "MMLU (5-shot)"; the table does not): assumed, with a warning
    assert {r["n_shot"] for r in rows if r["benchmark"] == "mmlu"} == {5}
    assert {r["n_shot"] for r in rows if r["benchmark"] != "mmlu"} == {None}
    (assumed,) = [w for w in result.warnings if w.code == "assumed_setting"]
    assert "5-shot" in assumed.message and "MMLU" in assumed.message
    win_rates = sum(r["MT-bench (win rate %)"] != "-" for r in table(ARENA["20230619"]))
    assert result.skipped["Chatbot Arena 'MT-bench (win rate %)': a pairwise win rate whose baseline the table does "
                          "not state"] == win_rates
    (source,) = result.sources.values()  # a dated snapshot: the space's file of that date
    assert (source.id, source.url, source.date, source.kind) == (
        "chatbot-arena-2023-06-19", ARENA_SPACE + "leaderboard_table_20230619.csv", "2023-06-19", "leaderboard")
    assert source.title == "Chatbot Arena leaderboard, snapshot of 2023-06-19"
    july = records(run(ARENA["20230717"]))
    assert {r["benchmark"] for r in july if r["model"] == "claude-2"} == {"mt-bench", "mmlu"}  # Elo '-'


def test_lmsys_2024_tables_join_on_key():
    result = run(ARENA["20240118"])  # CRLF line endings
    rows = records(result)
    assert by(rows, model="wizardlm-30b", benchmark="mmlu")["value"] == pytest.approx(58.7)
    assert result.models["wizardlm-30b"]["organization"] == "Microsoft"
    assert {r["benchmark"] for r in rows} == {"mt-bench", "mmlu"}  # no Elo in the 2024 tables
    later = run(ARENA["20250511"])
    rows = records(later)
    # two keys under one display name are two models; a key listed twice is one
    assert by(rows, model="gemini-1.5-pro-api-0514")["value"] == by(rows, model="gemini-1.5-pro-001")["value"] == \
        pytest.approx(85.9)
    assert later.skipped["repeated row (the same number again)"] == 1
    assert "chatgpt-4o-latest" not in later.models  # a row with no number adds no model
    for r in rows:
        scale = 100 if r["benchmark"] == "mmlu" else 1
        assert r["value"] == pytest.approx(float(cell(ARENA["20250511"], r["where"])) * scale)


# --------------------------------------------------------------------------- Arena-Hard


def test_arena_hard_score_with_its_interval():
    result = run(HARD)
    assert result.format == "arena-hard"
    rows = records(result)
    top = by(rows, model="gpt-4-turbo-2024-04-09")
    assert (top["benchmark"], top["metric"], top["value"], top["ci_low"], top["ci_high"]) == (
        "arena-hard", "win_rate", 82.63, 80.75, 84.6)
    assert top["where"] == "arena_hard_leaderboard_20240731.csv: row 1, column 'score'"
    assert "gpt-4-0314" not in {r["model"] for r in rows}  # the baseline: 50 with a zero-width interval
    assert len(rows) == len(table(HARD)) - 1
    (source,) = result.sources.values()
    assert (source.url, source.date) == (HARD_REPO + "arena_hard_leaderboard_20240731.csv", "2024-07-31")
    space = run(HARD_SPACE)  # the same snapshot (its rows' date), its CI text written "(1.9, 2.0)"
    assert by(records(space), model="gpt-4-turbo-2024-04-09")["ci_low"] == 80.75
    assert next(iter(space.sources.values())).url == source.url
    early = run(HARD_0703)  # before the date column: the date from the file name
    assert next(iter(early.sources.values())).date == "2024-07-03"


def test_arena_hard_interval_from_the_ci_text_and_elo_tables(tmp_path):
    rows = table(HARD_0703)
    path = tmp_path / "arena_hard_leaderboard_20240703.csv"
    out = io.StringIO()
    writer = csv.DictWriter(out, ["model", "score", "CI"], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    top = by(records(run(path, "arena-hard")), model="gpt-4-turbo-2024-04-09")  # "(-1.81, +2.42)"
    assert (top["ci_low"], top["ci_high"]) == (pytest.approx(80.82), pytest.approx(85.05))
    path.write_text(HARD.read_text(encoding="utf-8").replace(",82.63,80.75,84.6,", ",1251,1240,1262,"), encoding="utf-8")
    with pytest.raises(FormatError, match="Elo ratings"):
        run(path)


# --------------------------------------------------------------------------- OpenCompass


def test_opencompass_markdown_summary():
    result = run(MUSR)
    assert result.format == "opencompass"
    rows = records(result)
    murder = by(rows, model="internlm2-5-7b-chat-turbomind", subset="murder_mysteries")
    assert (murder["benchmark"], murder["metric"], murder["value"], murder["setting"], murder["notes"]) == (
        "musr", "acc", 59.2, "gen", "OpenCompass dataset config a5ce30")
    assert murder["where"] == f"{MUSR.name}: line 5, column 'internlm2_5-7b-chat-turbomind'"
    mean = by(rows, model="internlm2-5-7b-chat-turbomind", subset=None)  # musr_average, the group's mean
    assert (mean["metric"], mean["value"], mean["setting"], mean["notes"]) == ("acc", 51.03, "gen,naive_average",
                                                                               None)
    assert len(rows) == 4 * 10
    assert next(iter(result.sources.values())).kind == "evaluation"


def test_opencompass_tabulate_summaries():
    rows = records(run(IFEVAL))
    assert {r["metric"] for r in rows} == {"prompt_level_strict_acc", "inst_level_strict_acc",
                                           "prompt_level_loose_acc", "inst_level_loose_acc"}
    assert by(rows, model="llama-2-13b-chat-hf", metric="inst_level_loose_acc")["value"] == 58.03
    cut = run(HERE / "opencompass/contamination_eval_tabulate_summary.txt")  # columns cut with "..."
    assert cut.skipped["OpenCompass column without a model name"] == 1
    assert set(cut.unknown) == {"gsm8k-train-ppl", "gsm8k-test-ppl", "gsm8k-ref-ppl"}
    babilong = run(HERE / "opencompass/babilong_README_md_summary_table.md")
    assert babilong.count == 0 and len(babilong.unknown) == 6


def test_opencompass_csv_as_the_summarizer_writes_it(tmp_path):
    lines = [line for line in MUSR.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines if "-----" not in line]
    path = tmp_path / "summary_20241105_120000.csv"
    path.write_text("".join(",".join(row) + "\n" for row in cells), encoding="utf-8")
    result = run(path)
    assert result.format == "opencompass"
    rows = records(result)
    assert by(rows, model="glm-4-9b-chat-turbomind", subset="team_allocation")["value"] == 50.4
    assert by(rows, model="glm-4-9b-chat-turbomind", subset="team_allocation")["where"] == \
        "summary_20241105_120000.csv: row 3, column 'glm-4-9b-chat-turbomind'"
    from_markdown = {(r["model"], r["subset"], r["setting"]): r["value"] for r in records(run(MUSR))}
    assert {(r["model"], r["subset"], r["setting"]): r["value"] for r in rows} == from_markdown
    assert next(iter(result.sources.values())).date == "2024-11-05"


def test_aisbench_summary_count_column_and_counted_cells(tmp_path):
    """AISBench writes ``total_count`` after ``mode`` and ``82.00 (7/8)`` cells: the column is no model, the cell is
    82.0 on 8 samples, and a count that does not give its value is a warning."""
    result = run(AISBENCH)
    assert result.format == "opencompass"
    (row,) = records(result)
    assert (row["model"], row["benchmark"], row["metric"], row["value"], row["n_samples"]) == (
        "multi-node-vllm", "gsm8k", "exact_match", 82.0, 8)
    assert "total-count" not in result.models and not result.skipped
    (warning,) = [w for w in result.warnings if w.code == "disagreement"]
    assert "7/8" in warning.message and "87.50%" in warning.message
    (source,) = result.sources.values()
    assert (source.url, source.date) == (None, "2026-08-09") and AISBENCH.name in source.title
    text = AISBENCH.read_text(encoding="utf-8")
    for cell, value in (("87.50 (7/8)", 87.5), ("0.88 (7/8)", 88.0), ("87.5", 87.5)):
        path = tmp_path / "summary_20260809.csv"
        path.write_text(text.replace("82.00 (7/8)", cell), encoding="utf-8")
        result = run(path)
        (row,) = records(result)
        assert (row["value"], row["n_samples"]) == (pytest.approx(value), 8)  # "87.5": the total_count column's
        assert "disagreement" not in {w.code for w in result.warnings}
    path.write_text(text.replace("82.00 (7/8)", "82.00 (9/8)"), encoding="utf-8")
    (row,) = records(result := run(path))
    assert (row["value"], row["n_samples"]) == (82.0, 8)  # the column's count; the cell's is no count
    assert result.skipped == {"a correct/total count that is no count (more correct than total, or of nothing): "
                              "left out": 1}
    # AISBench's Markdown summary (its tau2-bench docs): total_count is no model, "/" no number
    tau2 = run(AISBENCH_MD)
    assert set(tau2.unknown) == {"tau2_bench_airline", "tau2_bench_retail", "tau2_bench_telecom",
                                 "tau2_bench_pass^1_avg", "tau2_bench_pass^1_avg-weighted"}
    assert not tau2.models and not tau2.skipped


def test_opencompass_runs_are_sources_of_their_own(tmp_path):
    """A summary is one run: its own source (its file and models in the title), no URL claimed."""
    lines = [line for line in MUSR.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines if "-----" not in line]
    runs = []
    for stamp, columns in (("20241105_120000", slice(0, 1)), ("20241106_090000", slice(5, 6))):
        path = tmp_path / f"summary_{stamp}.csv"
        path.write_text("".join(",".join(row[:4] + row[4:][columns]) + "\n" for row in cells), encoding="utf-8")
        runs.append(path)
    result = import_files(runs, store=SHIPPED)
    sources = sorted(result.sources.values(), key=lambda s: s.date)
    assert [(s.id, s.date, s.url) for s in sources] == [("opencompass-2024-11-05", "2024-11-05", None),
                                                        ("opencompass-2024-11-06", "2024-11-06", None)]
    assert sources[0].title == "OpenCompass evaluation summary summary_20241105_120000.csv: internlm2_5-7b-chat-turbomind"


def test_opencompass_model_option(tmp_path):
    single = HERE / "opencompass/summarizer_doc_tabulate_summary.txt"
    assert set(run(single, model="internlm/internlm-7b").unknown) == {"race", "race-high", "race-middle"}
    one = tmp_path / MUSR.name  # the MuSR table cut to its first model's column
    one.write_text("\n".join("|".join(text.split("|")[:6]) + "|" if text.startswith("|") else text
                             for text in MUSR.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    rows = records(run(one, model="internlm/internlm2_5-7b-chat"))
    assert {r["model"] for r in rows} == {"internlm-internlm2-5-7b-chat"} and len(rows) == 4
    assert by(rows, subset="murder_mysteries")["value"] == 59.2
    with pytest.raises(UsageError, match="--model names one"):
        run(MUSR, model="internlm/internlm2_5-7b-chat")
    with pytest.raises(UsageError, match="--model does not apply"):
        run(AE2, model="x/y")


# --------------------------------------------------------------------------- detection, validation, idempotency


@pytest.mark.parametrize(("path", "fmt"), [(AE2, "alpacaeval"), (AE_SITE, "alpacaeval"), (AE1_CLAUDE, "alpacaeval"),
                                           (ARENA["20230619"], "lmsys"), (ARENA["20240118"], "lmsys"),
                                           (HARD, "arena-hard"), (HARD_0703, "arena-hard"), (MUSR, "opencompass"),
                                           (IFEVAL, "opencompass")])
def test_detection_and_wrong_format_words(path, fmt):
    from benchtables.importers.formats import detect

    assert detect(path) == fmt
    wrong = "lmsys" if fmt != "lmsys" else "arena-hard"
    with pytest.raises(FormatError, match=f"{re.escape(path.name)} is an? .*, not "):
        run(path, wrong)


def test_entries_validate(project):
    for path in (AE2, AE1_CLAUDE, ARENA["20250511"], HARD, MUSR):
        write_entries(import_files([path]), project.entries)
    report = benchtables.validate()
    assert report.ok, [p.format() for p in report.problems if p.is_error][:3]


@pytest.mark.parametrize("path", [AE2, ARENA["20240118"], HARD, MUSR])
def test_importing_twice_refers_to_the_source_and_duplicates(project, cli, path):
    assert cli("import", path, "-o", "data/entries").code == 0
    again = cli("import", path, "-o", "data/entries")
    assert again.code == 0
    second = [p for p in project.entries.glob("*.yaml") if "declared in another entry file" in p.read_text()]
    assert len(second) == 1
    checked = cli("validate", "--format", "json")
    problems = json.loads(checked.out)["problems"]
    assert checked.code == 1 and {p["code"] for p in problems if p["severity"] == "error"} == {"duplicate_record"}


@pytest.mark.parametrize(("first", "second"), [(ARENA["20230802"], ARENA["20231206"]), (HARD_0715, HARD_0723)])
def test_dated_snapshots_are_sources_of_their_own(project, cli, first, second):
    """Two snapshots of one leaderboard: two sources with their own dates, so validate finds no duplicates and sota
    follows the leaderboard over time; the same snapshot again still refers to its source."""
    assert cli("import", first, "-o", "data/entries").code == 0
    assert cli("import", second, "-o", "data/entries").code == 0
    texts = {p.name: p.read_text() for p in project.entries.glob("*.yaml")}
    assert len(texts) == 2 and not any("declared in another entry file" in text for text in texts.values())
    dates = {file_date(p.name) for p in (first, second)}
    assert {re.search(r"date: '?(\d{4}-\d\d-\d\d)", text)[1] for text in texts.values()} == dates
    checked = cli("validate", "--format", "json")
    problems = json.loads(checked.out)["problems"]
    assert checked.code == 0, [p for p in problems if p["severity"] == "error"][:3]
    # a rating that moved between snapshots is two sources' reports that differ: a warning to look at, no error
    assert not {"duplicate_record", "duplicate_url"} & {p["code"] for p in problems}
    assert {p["severity"] for p in problems if p["code"] == "disagreement"} <= {"warning"}
    assert cli("build").code == 0
    benchmark, ids = ("chatbot-arena", "chatbot-arena") if first.name.startswith("leaderboard_") else (
        "arena-hard", "arena-hard-auto")
    sota = cli("sota", benchmark, "--format", "json")
    assert sota.code == 0, sota.err
    steps = json.loads(sota.out)["rows"]
    assert steps[0]["source"] == f"{ids}-{file_date(first.name)}" and steps[0]["date"] == file_date(first.name)
    if benchmark == "chatbot-arena":  # GPT-4-Turbo's Elo in December beat GPT-4's in August
        assert [(s["date"], s["model"]) for s in steps] == [("2023-08-02", "gpt-4"), ("2023-12-06", "gpt-4-turbo")]
    assert cli("import", second, "-o", "data/entries").code == 0  # the same snapshot again: its source, duplicates
    again = [text for text in (p.read_text() for p in project.entries.glob("*.yaml")) if "declared in another" in text]
    assert len(again) == 1
    errors = {p["code"] for p in json.loads(cli("validate", "--format", "json").out)["problems"]
              if p["severity"] == "error"}
    assert errors == {"duplicate_record"}


def test_a_renamed_copy_of_a_snapshot_is_that_snapshot(tmp_path):
    copy = tmp_path / "arena_hard_20240723 (copy).csv"
    shutil.copy(HARD_0723, copy)
    result = import_files([HARD_0723, copy, HARD_0715], store=SHIPPED)
    assert sorted(s.url for s in result.sources.values()) == [HARD_REPO + "arena_hard_leaderboard_20240715.csv",
                                                              HARD_REPO + "arena_hard_leaderboard_20240723.csv"]
    assert result.skipped["repeated row (the same number again)"] == len(table(HARD_0723)) - 1
    july_23 = by(records(result), model="claude-3-5-sonnet-20240620", where=f"{HARD_0723.name}: row 2, column 'score'")
    assert (july_23["ci_low"], july_23["ci_high"]) == (77.65, 81.31)  # not July 15's (77.39, 81.06)
    undated = tmp_path / "arena_hard.csv"  # no date in its name or rows: the leaderboard itself
    undated.write_text("\n".join(line.rsplit(",", 1)[0] if "," in line else line
                                 for line in HARD_0723.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    (source,) = run(undated, "arena-hard").sources.values()
    assert (source.id, source.url, source.date) == ("arena-hard-auto", "https://github.com/lmarena/arena-hard-auto", None)


# --------------------------------------------------------------------------- hostile variants

_NUMBER = re.compile(r"(?<=,)\d+\.\d+(?=[,\r\n])")


def _variants(text):
    """Damaged copies of a real table: its header kept unless the damage is to the header."""
    lines = text.splitlines(keepends=True)
    header, body = lines[0], "".join(lines[1:])
    specials = itertools.cycle(["nan", "inf", "-Infinity", "NaN"])
    return {
        "truncated": text[: len(text) // 2 + 7],
        "header only": header,
        "empty": "",
        "binary": "\x00\x01\x02PK\x03\x04 garbage",
        "nan and infinity": header + _NUMBER.sub(lambda m: next(specials), body),
        "huge numbers": header + _NUMBER.sub("1e308", body),
        "words for numbers": header + _NUMBER.sub("lots", body),
        "negative": header + _NUMBER.sub(lambda m: "-" + m[0], body),
        "nested junk": header + _NUMBER.sub('"{""a"": [1, {""b"": null}]}"', body, count=7),
        "missing columns": "\n".join(",".join(line.split(",")[:1]) for line in text.splitlines()),
        "extra cell": text.replace("\n", ",x\n", 3),
        "local path model": "".join([header, *("/data/ckpt/" + line for line in lines[1:3]), *lines[3:]]),
        "control characters": header + body.replace(",", ",\x1b[31m\u202e", 5),
        "duplicate header": header + text,
    }


_FORMATS = {AE2_OPUS: "alpacaeval", AE_SITE: "alpacaeval", ARENA["20230619"]: "lmsys", ARENA["20240118"]: "lmsys",
            HARD: "arena-hard"}
_CASES = [(path, name, fmt) for path in _FORMATS for name in _variants(path.read_text(encoding="utf-8"))
          for fmt in (None, _FORMATS[path])]


@pytest.mark.parametrize(("path", "variant", "fmt"), _CASES,
                         ids=[f"{p.parent.name}/{p.name}-{v}-{f or 'detected'}" for p, v, f in _CASES])
def test_hostile_variants_are_refused_or_skipped(tmp_path, path, variant, fmt):
    bad = tmp_path / path.parent.name / path.name
    bad.parent.mkdir()
    bad.write_text(_variants(path.read_text(encoding="utf-8"))[variant], encoding="utf-8")
    try:
        result = import_files([bad], fmt, store=SHIPPED)
    except (FormatError, UsageError) as exc:
        assert bad.name in str(exc)
        return
    _check_values(result)


def _check_values(result):
    assert_plausible(result)
    for r in records(result):
        assert (r["ci_low"] is None) == (r["ci_high"] is None)
        assert r["ci_low"] is None or r["ci_low"] <= r["value"] <= r["ci_high"]
        assert "\x1b" not in r["model"] and "/data/ckpt" not in r["model"]


_SCALE = {"mmlu": 100}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(CSV_FILES), data=st.data())
def test_random_cells_never_break_the_importers(tmp_path_factory, path, data):
    """Any value in any cell: a clean refusal, or values equal to the file's on the registry scale."""
    rows = table(path)
    header = list(rows[0])
    junk = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers().map(str),
                     st.text(max_size=12), st.sampled_from(["-", "N/A", "", "1e999", "50.0", "0.0", "805"]))
    for _ in range(data.draw(st.integers(1, 6))):
        row = data.draw(st.integers(0, len(rows) - 1))
        rows[row][data.draw(st.sampled_from(header))] = data.draw(junk)
    folder = tmp_path_factory.mktemp("mutated") / path.parent.name
    folder.mkdir()
    mutated = folder / path.name
    with mutated.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    try:
        result = import_files([mutated], store=SHIPPED)
    except (FormatError, UsageError):
        return
    _check_values(result)
    for r in records(result):
        written = float(cell(mutated, r["where"]).strip().removesuffix("%"))
        assert r["value"] == pytest.approx(written * _SCALE.get(r["benchmark"], 1), rel=1e-9)


def _summary_variants(text):
    """Damaged copies of a real OpenCompass Markdown or text summary."""
    number = re.compile(r"(?<![\w.])(\d+)\.(\d+)(?![\w.])")
    return {
        "truncated": text[: len(text) // 2],
        "words for numbers": number.sub("lots", text),
        "nan": number.sub("nan", text),
        "huge": number.sub("9" * 400, text),
        "control characters": text.replace("|", "|\x1b\u2028", 9).replace("  ", " \x00", 9),
        "extra cells": text.replace(" |\n", " | x |\n", 2).replace("gen  ", "gen  x  ", 2),
        "local path column": text.replace("internlm2_5-7b-chat-turbomind", "/mnt/models/internlm2_5-7b-chat")
                                 .replace("baichuan2-7b-chat-hf", "/mnt/baichuan2-7b-chat"),
        "header only": "\n".join(text.splitlines()[:4]),
    }


_SUMMARIES = [(path, name) for path in (MUSR, IFEVAL) for name in _summary_variants(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("path", "variant"), _SUMMARIES, ids=[f"{p.name}-{v}" for p, v in _SUMMARIES])
def test_hostile_opencompass_summaries(tmp_path, path, variant):
    bad = tmp_path / path.name
    bad.write_text(_summary_variants(path.read_text(encoding="utf-8"))[variant], encoding="utf-8")
    try:
        result = import_files([bad], "opencompass", store=SHIPPED)
    except (FormatError, UsageError) as exc:
        assert bad.name in str(exc) or "local path" in str(exc)
        return
    _check_values(result)
    assert "mnt" not in " ".join(result.models)


def test_opencompass_fractions_are_converted_with_a_warning(tmp_path):
    path = tmp_path / MUSR.name
    path.write_text(re.sub(r"\| (\d\d)\.(\d\d) ", r"| 0.\1\2 ", MUSR.read_text(encoding="utf-8")), encoding="utf-8")
    result = run(path)
    assert by(records(result), model="internlm2-5-7b-chat-turbomind", subset="murder_mysteries")["value"] == \
        pytest.approx(59.2)
    assert {w.code for w in result.warnings} >= {"fraction_as_percent"}
