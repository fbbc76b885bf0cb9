"""Leaderboard tables (AlpacaEval, Chatbot Arena, Arena-Hard-Auto, OpenCompass) on real files and hostile variants."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import benchtables
from benchtables.errors import FormatError, UsageError
from benchtables.importers import import_files, write_entries
from conftest import FIXTURES, REPO, assert_plausible
from conftest import imported as records

HERE = FIXTURES / "leaderboards"
SHIPPED = REPO / "data" / "store"
AE2 = HERE / "data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"
AE2_OPUS = HERE / "data_AlpacaEval_2/claude_3_opus_ranking_leaderboard.csv"
AE2_COT = HERE / "data_AlpacaEval_2/alpaca_eval_cot_gpt4_turbo_fn_leaderboard.csv"
AE1 = HERE / "data_AlpacaEval/alpaca_eval_gpt4_leaderboard.csv"
AE1_CLAUDE = HERE / "data_AlpacaEval/claude_leaderboard.csv"
AE_SITE = HERE / "docs/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"
ARENA = {date: HERE / f"lmsys/leaderboard_table_{date}.csv" for date in ("20230619", "20230717", "20240118", "20250511")}
HARD = HERE / "arena_hard/arena_hard_leaderboard_20240731.csv"
HARD_0703 = HERE / "arena_hard/arena_hard_leaderboard_20240703.csv"
HARD_SPACE = HERE / "arena_hard/arena_hard_auto_leaderboard_v0.1.csv"
MUSR = HERE / "opencompass/musr_README_md_summary_table.md"
IFEVAL = HERE / "opencompass/IFEval_tabulate_summary.txt"
CSV_FILES = [AE2, AE2_OPUS, AE2_COT, AE1, AE1_CLAUDE, AE_SITE, *ARENA.values(), HARD, HARD_0703, HARD_SPACE]



def by(rows, **match):
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def table(path):
    """Rows of a real CSV as the csv module reads them (the reference the importer is checked against)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def cell(path, where):
    """The text of the cell a `where` names (``file: row N, column 'X'``)."""
    m = re.fullmatch(r".+: row (\d+), column '(.+)'", where)
    return table(path)[int(m[1]) - 1][m[2]]


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def run(path, fmt=None, **options):
    return import_files([path], fmt, store=SHIPPED, **options)


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
    win_rates = sum(r["MT-bench (win rate %)"] != "-" for r in table(ARENA["20230619"]))
    assert result.skipped["Chatbot Arena 'MT-bench (win rate %)': a pairwise win rate whose baseline the table does "
                          "not state"] == win_rates
    (source,) = result.sources.values()
    assert (source.url, source.date, source.kind) == ("https://lmarena.ai", "2023-06-19", "leaderboard")
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
    assert (source.url, source.date) == ("https://github.com/lmarena/arena-hard-auto", "2024-07-31")
    space = records(run(HARD_SPACE))  # the same leaderboard, its CI text written "(1.9, 2.0)"
    assert by(space, model="gpt-4-turbo-2024-04-09")["ci_low"] == 80.75
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
