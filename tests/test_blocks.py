"""Render blocks in Markdown files: regenerated, checked, and never half-written."""

from __future__ import annotations

import pytest

import benchtables.rendering.blocks as blocks
from benchtables.cli.table_commands import produce_block
from benchtables.rendering.blocks import update_file
from conftest import REPO

DOC = """# Title

<!-- benchtables:begin leaderboard mmlu --top 2 -->
old table
<!-- benchtables:end -->

Text between.

```markdown
<!-- benchtables:begin leaderboard mmlu -->
<!-- benchtables:end -->
```

<!-- benchtables:begin compare --models palm-540b,chinchilla-70b --benchmarks mmlu@5 -->
<!-- benchtables:end -->
"""


@pytest.fixture
def doc(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHTABLES_STORE", str(REPO / "data" / "store"))
    path = tmp_path / "doc.md"
    path.write_text(DOC)
    return path


def test_blocks_are_regenerated_and_code_fences_left_alone(doc):
    result = update_file(doc, produce_block)
    assert result.ok and result.written and result.updated == [3, 14]
    text = doc.read_text()
    assert "old table" not in text and "| PaLM 540B" in text and "Chinchilla 70B" in text
    assert "```markdown\n<!-- benchtables:begin leaderboard mmlu -->\n<!-- benchtables:end -->\n```" in text
    assert "Text between." in text
    again = update_file(doc, produce_block)
    assert again.ok and not again.written and again.updated == []


def test_check_reports_stale_blocks_and_writes_nothing(doc):
    result = update_file(doc, produce_block, check=True)
    assert result.stale == [3, 14] and not result.ok and not result.written
    assert doc.read_text() == DOC
    update_file(doc, produce_block)
    assert update_file(doc, produce_block, check=True).ok


def test_a_bad_block_is_reported_and_the_others_still_render(doc):
    doc.write_text(DOC.replace("leaderboard mmlu --top 2", "leaderboard mmlu --top two"))
    result = update_file(doc, produce_block)
    assert [(p.code, p.line) for p in result.problems] == [("render_block", 3)]
    assert "--top" in result.problems[0].message
    text = doc.read_text()
    assert "old table" in text  # the bad block is left as it was
    assert "Chinchilla 70B" in text  # the good one rendered
    assert result.written


@pytest.mark.parametrize(("args", "says"), [("showx scores", "not a table command"), ("", "no command"),
                                              ("leaderboard nosuchbench", "unknown benchmark"),
                                              ("validate", "not a table command")])
def test_block_argument_errors(doc, args, says):
    doc.write_text(f"<!-- benchtables:begin {args} -->\n<!-- benchtables:end -->\n")
    result = update_file(doc, produce_block)
    assert says in result.problems[0].message and result.problems[0].line == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [("<!-- benchtables:begin leaderboard mmlu -->\nno end\n", 1),
     ("<!-- benchtables:end -->\n", 1),
     ("<!-- benchtables:begin leaderboard mmlu -->\n<!-- benchtables:begin show scores -->\n<!-- benchtables:end -->\n", 2)],
)
def test_broken_markers_leave_the_file_alone(doc, text, line):
    doc.write_text(text)
    result = update_file(doc, produce_block)
    assert [(p.code, p.line) for p in result.problems] == [("render_markers", line)]
    assert doc.read_text() == text


def test_file_is_replaced_atomically(doc, monkeypatch):
    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(blocks.os, "replace", fail)
    with pytest.raises(OSError):
        update_file(doc, produce_block)
    assert doc.read_text() == DOC
    assert [p.name for p in doc.parent.iterdir()] == ["doc.md"]  # no temporary file left


def test_crlf_files_keep_their_line_endings(doc):
    doc.write_bytes(DOC.replace("\n", "\r\n").encode())
    update_file(doc, produce_block)
    raw = doc.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_readme_tables_are_current(monkeypatch):
    monkeypatch.chdir(REPO)
    result = update_file(REPO / "README.md", produce_block, check=True)
    assert result.problems == [] and result.stale == [], "run `benchtables render README.md`"


def test_the_readme_notebook_quickstart_runs(monkeypatch, tmp_path):
    """The Python block a newcomer copies first works as written (on the shipped store)."""
    import re

    monkeypatch.chdir(tmp_path)  # outside any project: the shipped store
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Quickstart: in a notebook"):text.index("## Quickstart: a Markdown leaderboard")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own example
    board = namespace["board"]
    assert board.frame["model"].tolist()[0] == "palm-540b"
    assert namespace["checked"].ok and len(namespace["steps"].frame) == 2


def test_the_command_reference_is_what_help_prints(cli, monkeypatch):
    """Each `help COMMAND` block of the README shows that command's --help, as the command line prints it."""
    import re

    monkeypatch.setenv("COLUMNS", "100")
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- benchtables:begin help ?([^>]*?) -->\n\n```text\n(.*?)```", text, re.DOTALL)
    assert len(blocks) >= 10
    for words, shown in blocks:
        printed = cli(*words.split(), "--help").out
        usage = shown.splitlines()[0]
        assert usage == printed.splitlines()[0] and usage.startswith(f"Usage: {' '.join(['benchtables', *words.split()])} ")
        options = sorted(re.findall(r"^\s+(-{1,2}[\w-]+)", shown, re.MULTILINE))
        assert options == sorted(re.findall(r"^\s+(-{1,2}[\w-]+)", printed, re.MULTILINE)), words
