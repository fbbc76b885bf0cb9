"""CI guard: every bad entry file reported with exact severity, line, column and field, in all formats."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchtables.cli.store_commands import github_annotation
from benchtables.problems import Problem, Severity
from conftest import FIXTURES

GUARD = FIXTURES / "guard"
EXPECTED = json.loads((GUARD / "expected.json").read_text(encoding="utf-8"))
TEXT_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): "
    r"(?:(?P<field>[\w\[\].]+): )?(?P<message>.*) \[(?P<code>\w+)\]$"
)
COMMAND = re.compile(r"^::(?P<command>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """A GitHub Actions workflow command, by the documented grammar: ::cmd k=v,k=v::data.

    Property values escape % \\r \\n : and , as %25 %0D %0A %3A %2C; data escapes % \\r \\n.
    """
    m = COMMAND.match(line)
    assert m, f"not a workflow command: {line!r}"

    def unescape(text: str) -> str:
        return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")

    props = {}
    for part in (m["props"] or "").split(","):
        key, _, value = part.partition("=")
        props[key] = unescape(value)
    return m["command"], props, unescape(m["data"])


@pytest.fixture
def guarded(tmp_path, monkeypatch, cli):
    root = tmp_path / "repo"
    shutil.copytree(GUARD / "base", root)
    monkeypatch.chdir(root)
    assert cli("build").code == 0
    return root


def _expected(name):
    return [tuple(p) for p in EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_in_all_three_formats(guarded, cli, name):
    target = guarded / "data" / "entries" / name
    shutil.copy(GUARD / "bad" / name, target)
    rel = f"data/entries/{name}"
    expected = _expected(name)
    errors = any(p[0] == "error" for p in expected)

    as_json = cli("validate", rel, "--format", "json")
    problems = json.loads(as_json.out)["problems"]
    assert [(p["severity"], p["code"], p["line"], p["column"], p["field"]) for p in problems] == expected
    assert all(p["file"] == rel and p["message"] for p in problems)
    assert as_json.code == (1 if errors else 0)

    text = cli("validate", rel)
    parsed = [TEXT_LINE.match(line) for line in text.out.splitlines()]
    assert all(parsed), text.out
    assert [(m["sev"], m["code"], int(m["line"]), int(m["col"]), m["field"]) for m in parsed] == expected
    assert text.code == as_json.code

    github = cli("validate", rel, "--format", "github")
    commands = [parse_workflow_command(line) for line in github.out.splitlines()]
    assert [(c, props["title"].split(" ")[0], int(props["line"]), int(props["col"]), props["file"])
            for c, props, _ in commands] == [(s, code, line, col, rel) for s, code, line, col, _ in expected]
    assert [data for *_, data in commands] == [p["message"] + (f" ({p['hint']})" if p["hint"] else "") for p in problems]
    assert github.code == as_json.code


def test_strict_fails_on_warnings(guarded, cli):
    shutil.copy(GUARD / "bad" / "disagreement.yaml", guarded / "data" / "entries")
    assert cli("validate", "data/entries/disagreement.yaml").code == 0
    assert cli("validate", "data/entries/disagreement.yaml", "--strict").code == 1


def test_default_run_checks_every_entry_file(guarded, cli):
    for name in ("unknown_model.yaml", "disagreement.yaml"):
        shutil.copy(GUARD / "bad" / name, guarded / "data" / "entries")
    result = cli("validate", "--format", "json")
    payload = json.loads(result.out)
    assert payload["checked"] == 3 and result.code == 1
    # both files declare source new2024: that is reported too
    assert {p["code"] for p in payload["problems"]} >= {"unknown_model", "disagreement", "duplicate_source"}


def test_a_deleted_file_the_store_still_has(guarded, cli):
    extra = guarded / "data" / "entries" / "extra.yaml"
    extra.write_text("source: {id: extra2024, title: Extra, url: 'https://example.org/extra', year: 2024}\n"
                     "scores:\n  - {model: base-7b, benchmark: mmlu, n_shot: 0, value: 55}\n")
    assert cli("build").code == 0
    extra.unlink()
    result = cli("validate", "--format", "json")
    assert result.code == 0
    assert [(p["severity"], p["code"], p["file"]) for p in json.loads(result.out)["problems"]] == [
        ("warning", "deleted_file", "data/entries/extra.yaml")]
    assert cli("build", "--check").code == 1


def test_a_50_megabyte_file_is_refused_without_being_parsed(guarded, cli):
    big = guarded / "data" / "entries" / "big.yaml"
    with big.open("w") as handle:
        handle.write("source: {id: big, title: Big, url: 'https://example.org/big', year: 2024}\nnotes: |\n")
        line = "  " + "x" * 98 + "\n"
        handle.write(line * (50 * 1024 * 1024 // len(line)))
    result = cli("validate", "data/entries/big.yaml", "--format", "json")
    problems = json.loads(result.out)["problems"]
    assert result.code == 1 and [(p["code"], p["file"]) for p in problems] == [("file_too_large", "data/entries/big.yaml")]


def test_entry_fields_never_open_files(guarded, cli, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("secret")
    (guarded / "data" / "entries" / "paths.yaml").write_text(
        "source: {id: paths2024, title: Paths, url: 'https://example.org/paths', year: 2024}\n"
        f"scores:\n  - {{model: base-7b, benchmark: mmlu, n_shot: 0, value: 55, where: '{secret}', "
        f"notes: '../../../{secret.name}', quote: 'file://{secret}'}}\n")
    opened: list[str] = []
    active = True

    def hook(event, args):
        if active and event == "open" and isinstance(args[0], str | Path):
            opened.append(str(args[0]))

    sys.addaudithook(hook)
    try:
        assert cli("validate").code == 0
        assert cli("build").code == 0
    finally:
        active = False
    assert not [p for p in opened if "outside" in p]


def test_unknown_format_is_a_usage_error(guarded, cli):
    assert cli("validate", "--format", "sarif").code == 2


@given(st.text(max_size=40), st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=40),
       st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=500))
def test_annotations_round_trip_through_the_grammar(message, file, line, column):
    problem = Problem(Severity.WARNING, "disagreement", message, file=file or "x.yaml", line=line, column=column,
                      field="scores[0].value", hint=None)
    command, props, data = parse_workflow_command(github_annotation(problem))
    assert command == "warning" and data == message
    assert props == {"file": file or "x.yaml", "line": str(line), "col": str(column),
                     "title": "disagreement scores[0].value"}
