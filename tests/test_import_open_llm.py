"""The Open LLM Leaderboard v2 contents table: raw and normalised scores, identity, hostile tables."""

from __future__ import annotations

import csv
import io
import json
import math
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

HERE = FIXTURES / "open-llm-leaderboard"
CONTENTS = HERE / "contents_excerpt.csv"
RECORDS = HERE / "contents_records_excerpt.json"
FLAT = HERE / "formatted_same_name_different_owner.csv"
#: (benchmark, raw column, normalised column, raw metric, n-shot) as the leaderboard runs them
COLUMNS = [("ifeval", "IFEval Raw", "IFEval", "mean_strict_acc", 0), ("bbh", "BBH Raw", "BBH", "acc_norm", 3),
           ("math-hard", "MATH Lvl 5 Raw", "MATH Lvl 5", "exact_match", 4), ("gpqa", "GPQA Raw", "GPQA", "acc_norm", 0),
           ("musr", "MUSR Raw", "MUSR", "acc_norm", 0), ("mmlu-pro", "MMLU-PRO Raw", "MMLU-PRO", "acc", 5)]


def table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def changed(tmp_path: Path, column: str, value: str, row: int = 0, name: str = "contents.csv") -> Path:
    header, rows = table(CONTENTS)
    rows[row][column] = value
    return write(tmp_path / name, header, rows)


# --------------------------------------------------------------------------- the real table


def test_raw_and_normalised_columns_are_two_metrics(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([CONTENTS])
    assert result.format == "open-llm-leaderboard"
    rows, (_, written) = records(result), table(CONTENTS)
    for i, line in enumerate(written):
        if line["Available on the hub"] == "False":
            continue
        model = next(r["model"] for r in rows if f"row {i + 1} (" in r["where"])
        for benchmark, raw, normalised, metric, shots in COLUMNS:
            got = by(rows, model=model, benchmark=benchmark, metric=metric)
            assert got["value"] == pytest.approx(float(line[raw]) * 100, rel=1e-10) and got["n_shot"] == shots
            assert got["where"] == f"contents_excerpt.csv: row {i + 1} ({line['fullname']}), column {raw!r}"
            score = by(rows, model=model, benchmark=benchmark, metric="normalized_score")
            assert score["value"] == float(line[normalised]) and score["n_shot"] == shots
        average = by(rows, model=model, benchmark="open-llm-v2")
        assert (average["metric"], average["value"]) == ("average", float(line["Average ⬆️"]))
    assert all(r.get("setting") is None for r in rows)  # bfloat16 rows: the models' own weights


def test_identity_parameters_notes_and_left_out_rows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = import_files([CONTENTS])
    assert result.models["maziyarpanahi-calme-3.2-instruct-78b"]["aliases"] == ["MaziyarPanahi/calme-3.2-instruct-78b"]
    assert result.models["maziyarpanahi-calme-3.2-instruct-78b"]["parameters"] == pytest.approx(77.965e9)
    assert "parameters" not in result.models["jungzoona-t3q-qwen2.5-14b-instruct-1m-e3"]  # #Params (B) 0.0: unknown
    assert "ehristoforu-qwen2.5-test-32b-it" not in result.models
    assert result.skipped["row of a model no longer on the Hugging Face Hub"] == 1
    first = by(records(result), model="qwen-qwen2.5-72b-instruct", metric="normalized_score", benchmark="gpqa")
    assert first["notes"].endswith("bfloat16, at a13fff9, chat template")
    (source,) = result.sources.values()
    assert (source.kind, source.url) == ("leaderboard", "https://huggingface.co/datasets/open-llm-leaderboard/contents")


def test_json_records_read_as_the_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert detect(RECORDS) == "open-llm-leaderboard"
    from_json = records(import_files([RECORDS]))
    from_csv = {(r["model"], r["benchmark"], r["metric"]): r["value"] for r in records(import_files([CONTENTS]))}
    assert len(from_json) == 13
    for row in from_json:  # the JSON export rounds to 10 decimals
        assert row["value"] == pytest.approx(from_csv[(row["model"], row["benchmark"], row["metric"])], abs=1e-8)
        assert row["where"].startswith("contents_records_excerpt.json: row 1 (MaziyarPanahi/calme-3.2-instruct-78b)")


def test_parquet_reads_as_the_csv(tmp_path, monkeypatch):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "train-00000-of-00001.parquet"
    pq.write_table(pacsv.read_csv(CONTENTS), path)
    assert detect(path) == "open-llm-leaderboard"
    strip = lambda rows: sorted((r["model"], r["benchmark"], r["metric"], r["value"]) for r in rows)  # noqa: E731
    assert strip(records(import_files([path]))) == strip(records(import_files([CONTENTS])))


def test_same_name_other_owner_stays_another_model(project):
    """A table with allknowingroger/Yi-1.5-34B next to 01-ai/Yi-1.5-34B: never merged by the short name."""
    project.write("yi.yaml", """\
        source: {id: yi2024, title: Yi, url: 'https://arxiv.org/abs/2403.04652', year: 2024}
        models:
          - {id: yi-1.5-34b, name: Yi-1.5 34B, aliases: [01-ai/Yi-1.5-34B]}
        """)
    header, written = table(FLAT)
    for line in written:  # allknowingroger/Yi-1.5-34B is no longer on the Hub: read its row as if it were
        if line["model_name"] == "allknowingroger/Yi-1.5-34B":
            line["features_is_not_available_on_hub"] = "TRUE"
    result = import_files([write(project.root / "huggingface_v2.csv", header, written)])
    rows = records(result)
    assert by(rows, model="yi-1.5-34b", benchmark="open-llm-v2")["value"] == 25.6464941942931
    assert by(rows, model="allknowingroger-yi-1.5-34b", benchmark="open-llm-v2")["value"] == 4.25273291237777
    assert result.models["allknowingroger-yi-1.5-34b"]["aliases"] == ["allknowingroger/Yi-1.5-34B"]
    for one, other in [("qingy2019-qwen2.5-math-14b-instruct-alpha", "qingy2024-qwen2.5-math-14b-instruct-alpha"),
                       ("allknowingroger-qwenslerp2-14b", "hotmailuser-qwenslerp2-14b")]:  # owner typo, case only
        assert by(rows, model=one, benchmark="open-llm-v2")["value"] != by(rows, model=other, benchmark="open-llm-v2")[
            "value"]
    gone = sum(1 for line in written if line["features_is_not_available_on_hub"] == "FALSE")  # the API's name (sic)
    assert gone and result.skipped["row of a model no longer on the Hugging Face Hub"] == gone
    phi = [r for r in rows if r["model"] == "microsoft-phi-4" and r["benchmark"] == "ifeval" and
           r["metric"] == "normalized_score"]  # two rows of one model: float16 and bfloat16 with its chat template
    assert sorted(r["value"] for r in phi) == [4.87850015736025, 5.85269307659233]
    write_entries(result, project.entries)
    assert benchtables.validate().ok


def test_adapters_quantised_and_flagged_rows(project):
    project.write("base.yaml", """\
        source: {id: qwen2024, title: Qwen2.5, url: 'https://arxiv.org/abs/2412.15115', year: 2024}
        models:
          - {id: qwen2.5-72b, name: Qwen2.5 72B, aliases: [Qwen/Qwen2.5-72B]}
        """)
    header, rows = table(CONTENTS)
    rows[1]["Weight type"] = "Adapter"  # Qwen/Qwen2.5-72B-Instruct, whose Base Model is Qwen/Qwen2.5-72B
    rows[0]["Precision"] = "4bit"
    rows[3]["Flagged"] = "True"
    result = import_files([write(project.root / "contents.csv", header, rows)])
    assert result.models["qwen-qwen2.5-72b-instruct"]["base_model"] == "qwen2.5-72b"
    assert all(r["notes"].endswith("adapter weights on Qwen/Qwen2.5-72B") for r in records(result)
               if r["model"] == "qwen-qwen2.5-72b-instruct")
    assert {r.get("setting") for r in records(result) if r["model"] == "maziyarpanahi-calme-3.2-instruct-78b"} == {"4bit"}
    assert result.skipped["row flagged on the leaderboard (its results are contested)"] == 1
    assert "jungzoona-t3q-qwen2.5-14b-v1.0-e3" not in result.models


def test_the_contents_table_ranks_on_the_open_llm_v2_suite(project, cli):
    write_entries(import_files([CONTENTS]), project.entries)
    assert cli("build").code == 0
    out = json.loads(cli("leaderboard", "--suite", "open-llm-v2", "--format", "json").out)["rows"]
    _, written = table(CONTENTS)
    for row in out:  # the mean of the six normalised columns is the table's own average
        line = next(r for r in written if r["fullname"] == row["name"])
        assert row["members"] == "6/6" and row["value"] == pytest.approx(float(line["Average ⬆️"]), abs=1e-9)
        assert row["reported"] == pytest.approx(float(line["Average ⬆️"]), rel=1e-14)


def test_detection_wrong_format_word_and_model_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert detect(CONTENTS) == detect(FLAT) == "open-llm-leaderboard"
    with pytest.raises(FormatError, match="an Open LLM Leaderboard contents table, not an AlpacaEval leaderboard"):
        import_files([CONTENTS], "alpacaeval")
    with pytest.raises(FormatError, match="--model does not apply"):
        import_files([CONTENTS], model="org/name")


def test_importing_twice_is_a_duplicate(project, cli):
    for _ in range(2):
        assert cli("import", CONTENTS, "-o", "data/entries").code == 0
    (second,) = project.entries.glob("*-2.yaml")
    assert "declared in another entry file" in second.read_text()
    report = json.loads(cli("validate", "--format", "json").out)
    duplicates = [p for p in report["problems"] if p["code"] == "duplicate_record"]
    assert report["errors"] == 52 and duplicates and {p["severity"] for p in duplicates} == {"error"}


# --------------------------------------------------------------------------- hostile tables


@pytest.mark.parametrize(("column", "value", "skipped"), [
    ("IFEval Raw", "abc", "not a number: 'abc'"),
    ("IFEval Raw", "nan", None),
    ("IFEval Raw", "1e999", "not a number: '1e999'"),
    ("IFEval Raw", "80.6", "IFEval Raw: a value outside 0–1"),  # a percent in a column of fractions
    ("IFEval", "-3", "IFEval: a value outside 0–100"),
    ("Average ⬆️", "1e5", "Average ⬆️: a value outside 0–100"),
    ("Average ⬆️", "1" * 400, "not a number: '11111111111111111111'"),
    ("BBH", "", None),
])
def test_bad_cells_are_skipped_and_counted(tmp_path, monkeypatch, column, value, skipped):
    monkeypatch.chdir(tmp_path)
    result = import_files([changed(tmp_path, column, value)])
    assert not [r for r in records(result) if r["where"].startswith("contents.csv: row 1 (") and
                r["where"].endswith(f"column {column!r}")]
    if skipped:
        assert result.skipped[skipped] == 1
    assert result.count == 51


def test_a_percent_sign_states_the_scale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = records(import_files([changed(tmp_path, "IFEval Raw", "80.6%")]))
    assert by(rows, model="maziyarpanahi-calme-3.2-instruct-78b", metric="mean_strict_acc")["value"] == 80.6


@pytest.mark.parametrize("name", ["", "/data/models/calme", "../ckpt/x", "a\nb", "x" * 400, "org/\x00bad"])
def test_rows_without_a_model_id_are_skipped(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    result = import_files([changed(tmp_path, "fullname", name)])
    assert result.skipped["row without a model id in its name column (empty, a local path, or not a name)"] == 1
    assert result.count == 39


@pytest.mark.parametrize("text", [
    "", "\n", "fullname\n", "a,b\n1,2\n", CONTENTS.read_text(encoding="utf-8")[:3000],
    "fullname,IFEval Raw,fullname\nx/y,0.5,z/w\n", "fullname,IFEval Raw\nx/y,0.5,1,2,3\n", '"unclosed,\n',
])
def test_broken_tables_are_refused_or_read_cleanly(tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "contents.csv"
    path.write_text(text, encoding="utf-8")
    try:
        result = import_files([path], "open-llm-leaderboard")
    except FormatError as exc:
        assert "contents.csv" in str(exc)
    else:
        assert all(math.isfinite(r["value"]) for r in records(result))


@pytest.mark.parametrize(("name", "content"), [
    ("contents.json", b'{"fullname": "x/y"}'),
    ("contents.json", b'[{"fullname": "x/y", "IFEval Raw": 0.5}, 3]'),
    ("contents.json", b'[{"fullname": ["x"], "IFEval Raw": {"a": 1}, "IFEval": [1], "Flagged": {}}]'),
    ("contents.json", b"[" * 100_000),
    ("contents.parquet", b"PAR1" + b"\x00" * 64),
    ("contents.csv", b"fullname,IFEval Raw\n\xff\xfe,0.5\n"),
])
def test_hostile_files_give_format_errors_or_nothing(tmp_path, monkeypatch, name, content):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.write_bytes(content)
    try:
        result = import_files([path], "open-llm-leaderboard")
    except FormatError as exc:
        assert name in str(exc)
    else:
        assert result.count == 0


CELLS = st.one_of(st.none(), st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.floats(min_value=0, max_value=1).map(repr), st.sampled_from(["True", "False", "4bit", "Adapter"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 35), CELLS), max_size=8))
def test_random_cells_never_break_the_import(tmp_path_factory, changes):
    """Any text in any cell: a FormatError or numbers equal to the table's, raw ones ×100."""
    directory = tmp_path_factory.mktemp("contents")
    header, rows = table(CONTENTS)
    for row, column, value in changes:
        rows[row][header[column]] = "" if value is None else value
    path = write(directory / "contents.csv", header, rows)
    try:
        result = import_files([path], "open-llm-leaderboard")
    except FormatError:
        return
    raw_columns = {raw for _, raw, _, _, _ in COLUMNS}
    for record in records(result):
        row_number, column = record["where"].split(": row ", 1)[1].split(" ", 1)[0], record["where"].rsplit(
            "column ", 1)[1]
        name = json.loads(column.replace("'", '"'))
        cell = parse_quantity(rows[int(row_number) - 1][name], Kind.NUMBER)
        expected = cell.value * 100 if name in raw_columns and not cell.percent else cell.value
        assert record["value"] == pytest.approx(expected, rel=1e-10, abs=1e-12)
