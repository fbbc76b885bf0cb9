"""validate, build and show through the real command-line entry point."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchtables.validation import validate
from conftest import SOURCE

GOOD = SOURCE + "models:\n  - {id: m-7b, name: M 7B, parameters: 7B}\nscores:\n  - {model: m-7b, benchmark: mmlu, n_shot: 5, value: 60.1}\n"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<field>[\w\[\].]+): .+ \[(?P<code>\w+)\]$")


def test_validate_good_file(project, cli):
    project.write("good.yaml", GOOD)
    result = cli("validate")
    assert result.code == 0
    assert result.out == ""
    assert "1 file checked: 0 errors" in result.err


# The bad inputs of the capture issue, each as a whole file: (name, text, line, field, code).
BAD_FILES = [
    ("malformed", SOURCE + "scores: [\n", 3, None, "yaml_syntax"),
    ("duplicate key", SOURCE + "models:\n  - {id: m, name: M, name: N}\n", 3, None, "duplicate_key"),
    ("unknown section", SOURCE + "benchmarks:\n  - {id: x}\n", 2, "benchmarks", "extra_forbidden"),
    ("wrong type", GOOD.replace("n_shot: 5", "n_shot: [5]"), 5, "scores[0].n_shot", "int_type"),
    ("NaN", GOOD.replace("60.1", ".nan"), 5, "scores[0].value", "finite_number"),
    ("inf", GOOD.replace("60.1", "-.inf"), 5, "scores[0].value", "finite_number"),
    ("negative count", GOOD.replace("parameters: 7B", "parameters: -7B"), 3, "models[0].parameters", "greater_than"),
    ("percent over 100", GOOD.replace("60.1", "160.1"), 5, "scores[0].value", "out_of_range"),
    ("FID below 0", GOOD + "sampling:\n  - {model: m-7b, steps: 4, fid: -3}\n", 7, "sampling[0].fid", "out_of_range"),
    ("steps 0", GOOD + "sampling:\n  - {model: m-7b, steps: 0}\n", 7, "sampling[0].steps", "greater_than_equal"),
    ("steps 2.5", GOOD + "sampling:\n  - {model: m-7b, steps: 2.5}\n", 7, "sampling[0].steps", "int_from_float"),
    ("unknown model", GOOD.replace("{model: m-7b,", "{model: m-8b,"), 5, "scores[0].model", "unknown_model"),
    ("unknown benchmark", GOOD.replace("mmlu", "mmmlu"), 5, "scores[0].benchmark", "unknown_benchmark"),
    ("unknown metric", GOOD.replace("n_shot: 5", "metric: bleu"), 5, "scores[0].metric", "unknown_metric"),
    ("bananas", GOOD.replace("parameters: 7B", "parameters: 12 bananas"), 3, "models[0].parameters", "quantity_parsing"),
    ("empty file", "", 1, None, "empty_file"),
    ("not UTF-8", GOOD.encode().replace(b"M 7B", b"M \xe9 7B"), 3, None, "not_utf8"),
    ("alias bomb", "a: &a [x,x,x,x,x,x,x,x,x]\n" + "\n".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)) + "\n", None, None,
     "yaml_alias"),
]


@pytest.mark.parametrize(("text", "line", "field", "code"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_input_is_one_clear_line_and_the_store_is_untouched(project, cli, text, line, field, code):
    project.write("base.yaml", GOOD.replace("test2024", "base2024").replace("example.org/test", "example.org/base"))
    assert cli("build").code == 0
    before = project.store_bytes()
    project.write("bad.yaml", text)

    result = cli("build")
    assert result.code == 1
    assert "Traceback" not in result.err + result.out
    problems = [ln for ln in result.out.splitlines() if "bad.yaml" in ln]
    assert len(problems) == 1, result.out
    prefix = "data/entries/bad.yaml" + (f":{line}:" if line else ":")
    assert problems[0].startswith(prefix)
    assert problems[0].endswith(f"[{code}]")
    if field:
        assert f" {field}: " in problems[0]
    assert "store was not changed" in result.err
    assert project.store_bytes() == before


def test_validate_text_lines_have_file_line_column_field_and_code(project, cli):
    project.write("bad.yaml", GOOD.replace("60.1", "160.1").replace("m-7b, bench", "m-8b, bench"))
    result = cli("validate", "data/entries/bad.yaml")
    assert result.code == 1
    matches = [LINE.match(ln) for ln in result.out.splitlines()]
    assert all(matches), result.out
    assert [(m["line"], m["field"], m["code"]) for m in matches] == [
        ("5", "scores[0].model", "unknown_model"), ("5", "scores[0].value", "out_of_range")]


def test_validate_json_is_what_the_library_returns(project, cli):
    project.write("bad.yaml", GOOD.replace("60.1", "160.1"))
    result = cli("validate", "--format", "json")
    assert result.code == 1
    assert json.loads(result.out) == validate().to_dict()
    problem = json.loads(result.out)["problems"][0]
    assert problem == {"severity": "error", "code": "out_of_range", "message": problem["message"],
                       "file": "data/entries/bad.yaml", "line": 5, "column": 54, "field": "scores[0].value",
                       "hint": problem["hint"], "row": None}


def test_usage_errors_exit_2(project, cli):
    assert cli("validate", "missing.yaml").code == 2
    assert cli("validate", "--format", "xml").code == 2
    assert cli("show", "nonsense").code == 2
    assert cli("no-such-command").code == 2


def test_build_and_check(project, cli):
    project.write("good.yaml", GOOD)
    assert cli("build", "--check").code == 1  # no store yet
    result = cli("build")
    assert result.code == 0 and "scores 1" in result.err
    assert cli("build", "--check").code == 0
    project.write("good.yaml", GOOD.replace("60.1", "60.2"))
    result = cli("build", "--check")
    assert result.code == 1 and "scores" in result.err and "out of date" in result.err


def test_build_outside_a_project(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    result = cli("build")
    assert result.code == 2 and "no data/entries" in result.err


def test_show(project, cli):
    project.write("good.yaml", GOOD)
    cli("build")
    result = cli("show", "scores")
    assert result.code == 0
    assert "m-7b" in result.out and "60.1" in result.out
    assert cli("show", "scores", "--columns", "model,bogus").code == 2
    csv = cli("show", "models", "--format", "csv", "--columns", "all").out
    assert csv.splitlines()[0].startswith("id,name,organization,parameters")
    assert "7000000000.0" in csv  # CSV carries raw numbers


def test_show_derived_columns(project, cli):
    project.write("good.yaml", GOOD + "training:\n  - {model: m-7b, parameters: 7B, tokens: 2T}\n")
    cli("build")
    plain = cli("show", "training", "--columns", "model,tokens_per_parameter")
    assert plain.code == 2 and "need --derived" in plain.err
    rows = cli("show", "training", "--derived", "--format", "csv", "--columns", "model,tokens_per_parameter,compute_6nd").out
    model, ratio, compute = rows.splitlines()[1].split(",")
    assert (model, float(ratio), float(compute)) == ("m-7b", 2e12 / 7e9, 6 * 7e9 * 2e12)
    assert "Tokens/param" in cli("show", "training", "--derived").out


def test_show_without_a_store_is_a_clear_error(project, cli):
    result = cli("show", "scores")
    assert result.code == 2 and "no store at" in result.err and "Traceback" not in result.err


def test_every_command_has_help(cli):
    from benchtables.cli import cli as group

    for name, command in group.commands.items():
        assert command.help, name
        result = cli(name, "--help")
        assert result.code == 0 and "Usage:" in result.out


def test_console_script_runs_as_a_real_process(project):
    project.write("good.yaml", GOOD)
    done = subprocess.run([sys.executable, "-m", "benchtables", "validate"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    script = Path(sys.executable).parent / "benchtables"  # the installed console script
    done = subprocess.run([str(script), "validate", "data/entries/none.yaml"], capture_output=True, text=True)
    assert done.returncode == 2 and "no such file" in done.stderr


def test_status_lines_go_to_stderr_and_quiet_silences_them(project, cli, tmp_path):
    """Results on stdout, status (wrote, built, created, next) on stderr; -q leaves only errors."""
    project.write("good.yaml", GOOD)
    built = cli("build")
    assert built.out == "" and "built" in built.err
    assert cli("build", "-q").err == "" and cli("validate", "-q").err == ""
    site = cli("site", "-o", tmp_path / "site", "-q")
    assert site.code == 0 and site.out == site.err == ""
    init = cli("init", tmp_path / "repo", "-q")
    assert init.code == 0 and init.out == init.err == ""
    from conftest import REPO

    plot = cli("plot", "scaling", "-o", tmp_path / "s.svg", "--store", REPO / "data" / "store")
    assert plot.out == "" and "wrote" in plot.err
