"""lm-evaluation-harness results tables pasted into READMEs: real files, their traps and hostile variants."""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import benchtables
from benchtables.errors import FormatError, UsageError
from benchtables.importers import import_files, write_entries
from benchtables.importers.formats import detect
from benchtables.importers.leaderboards import text_lines
from benchtables.importers.lm_eval_table import find_tables
from benchtables.registry import Registry
from conftest import FIXTURES, REPO, assert_plausible, by
from conftest import import_shipped as run
from conftest import imported as records

HERE = FIXTURES / "lm-eval-tables"
SHIPPED = REPO / "data" / "store"
ARC = HERE / "harness_testdata_ai2_arc_pythia-14m.txt"
LAMBADA = HERE / "harness_testdata_lambada_openai_pythia-14m.txt"
WIKITEXT = HERE / "harness_testdata_wikitext_pythia-14m.txt"
STEM = HERE / "harness_testdata_mmlu_stem_pythia-14m.txt"
MMLU = HERE / "v04_tiebreaker4869_alpaca-lora_mmlu_result.md"
ALIASES = HERE / "v040_alias_rows_kcabkooltonod_AutoAWQ_awq_mmlu_output_table.md"
LLAMA = HERE / "v03_teknium1_Llama-2-7B-Base.md"
DOLPHIN = HERE / "v03_underscore_pm_teknium1_Dolphin-2.6-Mixtral-7x8.md"
MMMU = HERE / "harness_mmmu_README_groups_table_excerpt.md"
OVMS = HERE / "ovms_accuracy_README_03688139.md"
OVMS_NEW = HERE / "ovms_accuracy_README_7e4df0c7.md"
SCRIPT = HERE / "commented_jonasknobloch_mbpe-eval_run_lm_eval.sh"
MINDFORMERS = HERE / "commented_mindformers_Harness_Eval_excerpt.md"
RUST = HERE / "source_psyche_boolq_rs_header.rs"
PERCENT = HERE / "percent_saucam_Orpomis-Prime-7B_gpt4all_excerpt.md"
KEYED = HERE / "keyed_saucam_mera-mix-4x7B_excerpt.md"
LIMITED = HERE / "limit_SMoE_Qwen1.5-MoE-A2.7B_excerpt.md"
ALL = sorted(p for p in HERE.iterdir() if p.name != "README.md")



def _cells(text):
    text = text.strip()
    return [c.strip() for c in text[1:text.rfind("|")].split("|")]


def value_cell(path, where):
    """The Value cell of the line a `where` names (``file: line N``), by the header of its table."""
    lines = text_lines(path.read_text(encoding="utf-8"))  # as editors number them (and the importer)
    number = int(re.fullmatch(r".+: line (\d+)", where)[1])
    header = next(_cells(lines[i]) for i in range(number - 1, -1, -1) if "Stderr" in lines[i])
    return _cells(lines[number - 1])[header.index("Value")]


pytestmark = pytest.mark.usefixtures("in_tmp")  # imports write nothing, but run where no project is


# --------------------------------------------------------------------------- the harness's own tables


def test_a_table_without_a_model_line_needs_model():
    with pytest.raises(FormatError, match=r"line 1 .*pass --model"):
        run(ARC)
    result = run(ARC, model="EleutherAI/pythia-14m")
    assert result.format == "lm-eval-table"
    rows = records(result)
    easy = by(rows, benchmark="arc-easy", metric="acc")
    assert (easy["value"], easy["stderr"], easy["n_shot"], easy["where"]) == (
        30.0, None, 0, f"{ARC.name}: line 5")  # 0.3 as a percent; N/A stderr is none
    assert by(rows, benchmark="arc-challenge", metric="acc_norm")["value"] == 0.0
    assert set(result.models) == {"eleutherai-pythia-14m"} and not result.skipped


def test_perplexities_keep_their_scale():
    rows = records(run(LAMBADA, model="EleutherAI/pythia-14m"))
    assert by(rows, metric="perplexity")["value"] == 605.3866
    assert by(rows, metric="acc")["value"] == pytest.approx(10.0)
    result = run(WIKITEXT, model="EleutherAI/pythia-14m")
    rows = records(result)
    assert (by(rows, metric="word_perplexity")["value"], by(rows, metric="bits_per_byte")["value"]) == (130.4801, 1.3394)
    assert result.skipped["metric 'byte_perplexity' is not a metric of WikiText-103"] == 1


def test_subtasks_groups_tables_and_group_n_shot():
    result = run(MMLU, model="tloen/alpaca-lora-7b")
    rows = records(result)
    mmlu = by(rows, benchmark="mmlu", subset=None)
    assert (mmlu["value"], mmlu["stderr"], mmlu["n_shot"], mmlu["where"]) == (
        pytest.approx(62.11), pytest.approx(0.38), 0, f"{MMLU.name}: line 14")  # n-shot: its subtasks' 0
    assert by(rows, subset="social_sciences")["value"] == pytest.approx(73.35)  # " - social sciences"
    logic = by(rows, subset="formal_logic")  # "  - formal_logic", under " - humanities"
    assert (logic["benchmark"], logic["value"], logic["stderr"]) == ("mmlu", pytest.approx(42.86), pytest.approx(4.43))
    assert len(rows) == 57 + 4 + 1
    assert result.skipped["repeated row (the same number again)"] == 5  # the Groups table repeats the group rows
    assert set(result.unknown) == {f"arithmetic_{n}" for n in ("1dc", "2da", "2dm", "2ds", "3da", "3ds", "4da", "4ds",
                                                             "5da", "5ds")}


def test_subtasks_of_an_unknown_group_are_listed():
    result = run(STEM, model="EleutherAI/pythia-14m")  # the mmlu_stem group printed under its alias "stem"
    assert result.count == 0 and "stem" in result.unknown and "abstract_algebra" in result.unknown


def test_early_0_4_alias_rows_and_unformatted_numbers():
    rows = records(run(ALIASES, model="TheBloke/Mistral-7B-AWQ"))
    mmlu = by(rows, subset=None)
    assert mmlu["value"] == pytest.approx(57.45) and mmlu["stderr"] == pytest.approx(12.87999886693372)  # np.float64(…)
    logic = by(rows, subset="formal_logic")
    assert logic["stderr"] == pytest.approx(4.216370213557835) and logic["where"] == f"{ALIASES.name}: line 8"
    assert len(rows) == sum(1 for text in ALIASES.read_text(encoding="utf-8").splitlines() if "|acc   |" in text)


def test_v0_3_tables_and_underscore_for_plus_minus():
    with pytest.raises(FormatError, match="pass --model"):
        run(LLAMA)
    rows = records(run(LLAMA, model="meta-llama/Llama-2-7b-hf"))
    arc = by(rows, benchmark="arc-challenge", metric="acc")
    assert (arc["model"], arc["value"], arc["stderr"], arc["n_shot"]) == ("llama-2-7b", pytest.approx(43.43),
                                                                          pytest.approx(1.45), None)
    assert by(rows, benchmark="bigbench", subset="date_understanding")["metric"] == "multiple_choice_grade"
    assert by(rows, benchmark="agieval", subset="sat_en_without_passage", metric="acc_norm")["value"] == \
        pytest.approx(21.36)
    dolphin = records(run(DOLPHIN, model="cognitivecomputations/dolphin-2.6-mixtral-8x7b"))
    assert by(dolphin, benchmark="arc-challenge", metric="acc")["stderr"] == pytest.approx(1.45)  # "_" for "±"
    assert by(dolphin, benchmark="truthfulqa", metric="mc2")["value"] == pytest.approx(54.78)


# --------------------------------------------------------------------------- the model line above the tables


@pytest.mark.parametrize(("path", "instruct", "base"), [
    (OVMS, "meta-llama-meta-llama-3-8b-instruct", "meta-llama-meta-llama-3-8b"),
    (OVMS_NEW, "meta-llama-meta-llama-3.1-8b-instruct", "meta-llama-meta-llama-3.1-8b")])  # args as a dict
def test_the_model_line_names_each_run_and_its_limit(path, instruct, base):
    result = run(path)
    rows = records(result)
    flexible = by(rows, model=instruct, setting="flexible-extract")
    assert (flexible["benchmark"], flexible["metric"], flexible["value"], flexible["stderr"], flexible["n_shot"]) == (
        "gsm8k", "exact_match", 62.0, 4.88, 5)
    assert by(rows, model=instruct, setting="strict-match")["value"] == 17.0
    assert by(rows, model=base, setting="strict-match")["value"] == 43.0
    # limit: 100.0 is a run on at most 100 examples of each task, never a full one (nor a count of 100)
    assert all(r["partial"] and r["n_samples"] is None for r in rows)
    assert [(reason.split(":")[0], n) for reason, n in result.partial.items()] == [("lm-eval limit 100.0", 4)]
    # the third run names its model by another tool's class (lmms-eval's openai_compatible): left out, counted
    assert [k for k in result.skipped if k.startswith("table at")] and len(rows) == 4
    assert result.models[instruct]["aliases"][0].startswith("meta-llama/")
    with pytest.raises(FormatError, match="--model would put them all on one model"):
        run(path, model="meta-llama/Meta-Llama-3-8B")


def test_one_model_line_per_run_of_a_groups_table():
    rows = records(run(MMMU))
    assert by(rows, model="qwen-qwen2-vl-2b-instruct", subset=None)["value"] == pytest.approx(37.78)
    art = by(rows, model="qwen-qwen2-vl-7b-instruct", subset="art_and_design")
    assert (art["benchmark"], art["value"], art["stderr"], art["where"]) == (
        "mmmu", pytest.approx(69.17), pytest.approx(3.98), f"{MMMU.name}: line 28")


@pytest.mark.parametrize(("change", "says"), [
    (lambda t: t.replace("pretrained=Qwen/Qwen2-VL-2B-Instruct", "pretrained=/scratch/ckpt/qwen2b")
     .replace("pretrained=Qwen/Qwen2-VL-7B-Instruct", "pretrained=/scratch/ckpt/qwen7b"), "local path"),
    (lambda t: t.replace("hf-multimodal (", "mamba_ssm ("), "another implementation|'mamba_ssm' class"),
])
def test_a_model_line_that_is_no_identity_is_refused(tmp_path, change, says):
    path = tmp_path / "README.md"
    path.write_text(change(MMMU.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(FormatError, match=says):
        run(path)
    with pytest.raises(FormatError, match="--model would put them all on one model"):
        run(path, model="Qwen/Qwen2-VL-2B-Instruct")
    path.write_text(path.read_text(encoding="utf-8").split("Qwen2-VL-7B:")[0], encoding="utf-8")  # one run
    rows = records(run(path, model="Qwen/Qwen2-VL-2B-Instruct"))
    assert {r["model"] for r in rows} == {"qwen-qwen2-vl-2b-instruct"} and len(rows) == 7


def test_limit_as_a_fraction_and_revision(tmp_path):
    path = tmp_path / "README.md"
    text = MMMU.read_text(encoding="utf-8").split("Qwen2-VL-7B:")[0]
    path.write_text(text.replace("limit: None", "limit: 0.1").replace(
        "pretrained=Qwen/Qwen2-VL-2B-Instruct,", "pretrained=Qwen/Qwen2-VL-2B-Instruct,revision=step500,"),
        encoding="utf-8")
    result = run(path)
    rows = records(result)
    assert {r["model"] for r in rows} == {"qwen-qwen2-vl-2b-instruct@step500"}
    assert all(r["partial"] and r["n_samples"] is None for r in rows)
    assert result.partial == {"lm-eval limit 0.1: 10% of each task's examples": 7}


# --------------------------------------------------------------------------- detection, validation, idempotency


def test_find_tables_and_detection():
    for path in ALL:
        assert find_tables(path.read_text(encoding="utf-8")), path
        assert detect(path) == "lm-eval-table", path
    assert [t.line for t in find_tables(MMLU.read_text(encoding="utf-8"))] == [2, 77]
    others = [FIXTURES / "leaderboards/opencompass/musr_README_md_summary_table.md", HERE / "README.md",
              FIXTURES / "realdata/markdown-leaderboard/llm-leaderboard-README.md"]
    for path in others:
        assert find_tables(path.read_text(encoding="utf-8")) == [], path
    junk = ("| a | b |\n|---|---|\n| Metric | Stderr |\n" * 20_000) + "x" * 1_000_000
    start = time.perf_counter()
    assert find_tables(junk) == [] and find_tables("") == []
    assert time.perf_counter() - start < 2
    with pytest.raises(FormatError, match="is an lm-eval results table, not an OpenCompass summary"):
        run(OVMS, "opencompass")


def test_tables_in_comments_and_in_any_text_file(tmp_path):
    """Tables pasted into comments (``# |Tasks|…`` in a script, a Markdown code block) and into source files are
    found, and told by detection whatever the file's suffix."""
    tables = find_tables(SCRIPT.read_text(encoding="utf-8"))
    assert [t.line for t in tables] == [17, 23, 29, 35, 41, 47]
    assert [t.run.line for t in tables] == [16, 22, 28, 34, 40, 46]
    assert [len(t.rows) for t in tables] == [2] * 6
    assert detect(SCRIPT) == detect(RUST) == detect(MINDFORMERS) == "lm-eval-table"
    script = run(SCRIPT)  # five runs on Hub models, one on a local path (left out, counted); swag is no benchmark
    assert set(script.models) == {"jonasknobloch-gpt2-cx-en-00000-00009-50k", "jonasknobloch-gpt2-ts-cx-en-00000-00009-50k",
                                  "jonasknobloch-gpt2-morf-u0-30-50-x-cx-en-00000-00009-50k",
                                  "jonasknobloch-gpt2-morf-s0-30-x-2-cx-en-00000-00009-50k"}
    assert script.unknown == {"swag": 5} and script.count == 0
    assert any("line 47 left out" in reason and "local path" in reason for reason in script.skipped)
    boolq = by(records(run(RUST)), benchmark="boolq")
    assert (boolq["model"], boolq["metric"], boolq["value"], boolq["n_shot"], boolq["where"]) == (
        "nousresearch-llama-2-7b-hf", "acc", pytest.approx(77.8), 0, f"{RUST.name}: line 5")
    with pytest.raises(FormatError, match="'mf' class"):  # MindFormers' own implementation: --model says which
        run(MINDFORMERS)
    rows = records(run(MINDFORMERS, model="meta-llama/Meta-Llama-3-8B"))
    assert [(r["setting"], r["value"], r["n_shot"], r["where"]) for r in rows] == [
        ("flexible-extract", pytest.approx(50.34), 5, f"{MINDFORMERS.name}: line 12"),
        ("strict-match", pytest.approx(50.11), 5, f"{MINDFORMERS.name}: line 13")]
    # one marker on every line of a table: a row without it ends the table; a run line commented out twice counts
    text = MINDFORMERS.read_text(encoding="utf-8")
    (table,) = find_tables(text.replace("# |     |", "|     |"))
    assert len(table.rows) == 1
    (table,) = find_tables(text.replace("# mf (", "# # mf ("))
    assert table.run is not None and table.run.model_class == "mf"
    for marker in ("// ", "-- "):
        (table,) = find_tables(text.replace("# ", marker))
        assert (table.run.line, len(table.rows)) == (9, 2), marker
    assert find_tables(text.replace("# |-----", "// |-----")) == []  # the header's marker is not the rule's


def test_detection_tries_tables_last_and_only_in_small_text_files(tmp_path):
    from benchtables.importers import formats

    # every other fixture is told as before: the last try claims no file another format reads, or no format at all
    others = [p for p in FIXTURES.rglob("*") if p.is_file() and HERE not in p.parents]
    assert others and all(detect(p) == formats._detect(p) for p in others)
    notes = tmp_path / "notes.py"
    notes.write_text('"""No table here: Metric and Stderr are just words."""\n', encoding="utf-8")
    binary = tmp_path / "dump.bin"
    binary.write_bytes(b"\x00" + SCRIPT.read_bytes())
    latin = tmp_path / "notes.sh"
    latin.write_bytes(SCRIPT.read_bytes() + "\n# caf\xe9\n".encode("latin-1"))
    assert detect(notes) is detect(binary) is detect(latin) is None
    big = tmp_path / "run.log"
    big.write_bytes(b"x" * (formats._TEXT_LIMIT + 1) + SCRIPT.read_bytes())
    assert detect(big) is None
    small = tmp_path / "run.log"
    small.write_bytes(SCRIPT.read_bytes())
    assert detect(small) == "lm-eval-table"


def test_entries_validate(project):
    write_entries(import_files([OVMS]), project.entries)
    write_entries(import_files([MMLU], model="tloen/alpaca-lora-7b"), project.entries)
    write_entries(import_files([MMMU]), project.entries)
    report = benchtables.validate()
    assert report.ok, [p.format() for p in report.problems if p.is_error][:3]


def test_importing_twice_refers_to_the_source_and_duplicates(project, cli):
    assert cli("import", OVMS, "-o", "data/entries").code == 0
    assert cli("import", OVMS, "-o", "data/entries").code == 0
    texts = [p.read_text() for p in project.entries.glob("*.yaml")]
    assert len(texts) == 2 and sum("declared in another entry file" in t for t in texts) == 1
    checked = cli("validate", "--format", "json")
    errors = {p["code"] for p in json.loads(checked.out)["problems"] if p["severity"] == "error"}
    assert checked.code == 1 and errors == {"duplicate_record"}


# --------------------------------------------------------------------------- hostile variants


def _variants(text):
    number = re.compile(r"(?<=\|)(\s*)(\d+\.\d+)(?=\s*\|)")
    return {
        "truncated mid-row": text[: text.rfind("|") - 3],
        "half": text[: len(text) // 2],
        "cells removed": re.sub(r"\|[^|\n]*\|\n", "|\n", text, count=5),
        "nan and infinity": number.sub(lambda m: m[1] + "np.float64(nan)", text, count=3).replace("0.0", "inf", 2),
        "huge": number.sub(lambda m: m[1] + "1e999", text, count=4).replace("0.0", "9" * 500, 2),
        "negative": number.sub(lambda m: m[1] + "-" + m[2], text),
        "words": number.sub("lots", text),
        "percent": number.sub(lambda m: m[1] + str(float(m[2]) * 100), text),
        "n-shot junk": re.sub(r"\|\s+0\|", "|   ab|", text).replace("|     5|", "|99999999|"),
        "deep indentation": text.replace("| - ", "|" + " " * 3000 + "- "),
        "control characters": text.replace("|acc", "|a\x00c\x1bc\u202e", 3),
        "no separator": "\n".join(t for t in text.splitlines() if not t.startswith("|--")),
        "only a header": "|Tasks|Version|Filter|n-shot|Metric|Value|   |Stderr|\n|---|---|---|---|---|---|---|---|\n",
    }


_CASES = [(p, v) for p in (MMLU, OVMS, ALIASES, DOLPHIN) for v in _variants(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("path", "variant"), _CASES, ids=[f"{p.name[:20]}-{v}" for p, v in _CASES])
def test_hostile_variants_are_refused_or_skipped(tmp_path, path, variant):
    bad = tmp_path / path.name
    bad.write_text(_variants(path.read_text(encoding="utf-8"))[variant], encoding="utf-8")
    model = None if path == OVMS else "org/some-model"
    try:
        result = import_files([bad], "lm-eval-table", store=SHIPPED, model=model)
    except (FormatError, UsageError) as exc:
        assert bad.name in str(exc)
        return
    _check_values(result)


def _check_values(result):
    assert_plausible(result)
    for r in records(result):
        assert r["n_shot"] is None or 0 <= r["n_shot"] < 100_000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([MMLU, OVMS, ALIASES, LAMBADA]), data=st.data())
def test_random_cells_never_break_the_importer(tmp_path_factory, path, data):
    """Any text in any cell: a clean refusal, or values equal to the file's on the registry scale."""
    lines = path.read_text(encoding="utf-8").splitlines()
    junk = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=10),
                     st.sampled_from(["", "N/A", "np.float64(0.5)", "1e999", "None", " - x", "alias", "±"]))
    rows = [i for i, text in enumerate(lines) if text.startswith("|") and not text.startswith("|--")
            and "Stderr" not in text]
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.sampled_from(rows))
        cells = lines[i].split("|")
        cells[data.draw(st.integers(1, len(cells) - 2))] = data.draw(junk).replace("|", "").replace("\n", " ")
        lines[i] = "|".join(cells)
    mutated = tmp_path_factory.mktemp("mutated") / path.name
    mutated.write_text("\n".join(lines), encoding="utf-8")
    model = None if path == OVMS else "org/some-model"
    try:
        result = import_files([mutated], store=SHIPPED, model=model)
    except (FormatError, UsageError):
        return
    _check_values(result)
    registry = Registry.shipped()
    # a table whose percent metrics went above 1 is read as written in percent (one warning per table)
    in_percent = {int(w.field.split()[1]) for w in result.warnings if w.code == "percent_table"}
    starts = [t.line for t in find_tables(mutated.read_text(encoding="utf-8"))]
    for r in records(result):
        written = float(re.sub(r"^np\.float\d*\((.*)\)$", r"\1", value_cell(mutated, r["where"])))
        line = int(r["where"].rsplit(" ", 1)[1])
        table = max(start for start in starts if start <= line)
        scale = 100 if registry.metrics[r["metric"]].is_percent and table not in in_percent else 1
        assert r["value"] == pytest.approx(written * scale, rel=1e-9)


# --------------------------------------------------------------------------- tables as other tools print them


def test_a_table_printed_in_percent_is_read_in_percent():
    """LLM AutoEval prints the harness's v0.3 tables in percent: 54.44 is 54.44%, never out of range."""
    result = run(PERCENT, model="saucam/Orpomis-Prime-7B")
    rows = records(result)
    arc = by(rows, benchmark="arc-challenge", metric="acc")
    assert (arc["value"], arc["stderr"]) == (54.44, 1.46)
    assert by(rows, benchmark="winogrande")["value"] == 72.3
    assert len(rows) == 12 and not [k for k in result.skipped if "outside its range" in k]
    assert [w.code for w in result.warnings].count("percent_table") == 1


def test_raw_result_keys_in_the_metric_column():
    """``acc,none`` is acc with no filter and ``acc_stderr,none`` below it its stderr; ``exact_match,strict-match``
    is exact match under the strict-match filter; alias rows are no numbers."""
    result = run(KEYED, model="meraGPT/mera-mix-4x7B")
    rows = records(result)
    arc = by(rows, benchmark="arc-challenge", metric="acc_norm")
    assert (arc["value"], arc["stderr"], arc["setting"]) == (72.0, 1.0, None)
    strict = by(rows, benchmark="gsm8k", setting="strict-match")
    assert (strict["metric"], strict["value"], strict["stderr"]) == ("exact_match", 73.0, 1.0)
    assert len(rows) == 6  # two per task: no stderr or alias row became a number
    assert not any("stderr" in k for k in result.skipped) and not result.unknown


def test_a_limit_marks_a_run_partial_without_claiming_a_sample_count():
    """``limit: 1000.0`` caps each task at 1000 examples; MMLU's subjects have fewer, so 1000 is no count."""
    rows = records(run(LIMITED))
    assert rows and all(r["partial"] and r["n_samples"] is None for r in rows)
    assert by(rows, benchmark="mmlu", subset="formal_logic")["value"] == 31.75
