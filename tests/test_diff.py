"""diff: records added, removed and changed, and the leaderboards they move."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from benchtables.builder import build
from benchtables.diff import diff_stores
from benchtables.store import Store

OLD = {
    "a.yaml": """
        source: {id: a2020, title: A, url: 'https://example.org/a', year: 2020}
        models:
          - {id: alpha, name: Alpha, parameters: 10B}
          - {id: beta, name: Beta, parameters: 20B}
          - {id: gamma, name: Gamma, parameters: 30B}
        scores:
          - {model: alpha, benchmark: mmlu, n_shot: 5, value: 70.0}
          - {model: beta, benchmark: mmlu, n_shot: 5, value: 60.0}
          - {model: gamma, benchmark: mmlu, n_shot: 5, value: 50.0}
          - {model: gamma, benchmark: hellaswag, n_shot: 0, value: 80.0}
        training:
          - {model: alpha, parameters: 10B, tokens: 200B}
        """,
}
# The change under test: gamma's MMLU score is corrected (with a new `where`: the same record), its
# HellaSwag score is dropped, alpha's training tokens change, and a new source adds delta.
NEW = {
    "a.yaml": OLD["a.yaml"]
    .replace("{model: gamma, benchmark: mmlu, n_shot: 5, value: 50.0}",
             "{model: gamma, benchmark: mmlu, n_shot: 5, value: 65.0, where: corrected}")
    .replace("          - {model: gamma, benchmark: hellaswag, n_shot: 0, value: 80.0}\n", "")
    .replace("tokens: 200B", "tokens: 300B"),
    "d.yaml": """
        source: {id: d2024, title: D, url: 'https://example.org/d', year: 2024}
        models:
          - {id: delta, name: Delta, parameters: 5B}
        scores:
          - {model: delta, benchmark: mmlu, n_shot: 5, value: 75.0}
        """,
}


def make_store(root, files):
    entries = root / "data" / "entries"
    entries.mkdir(parents=True)
    for name, text in files.items():
        (entries / name).write_text(textwrap.dedent(text))
    build(entries=entries, store=root / "data" / "store")
    return Store(root / "data" / "store")


@pytest.fixture
def stores(tmp_path):
    return make_store(tmp_path / "old", OLD), make_store(tmp_path / "new", NEW)


def test_records_added_removed_changed(stores):
    diff = diff_stores(*stores)
    summary = sorted((r.kind, r.status, r.key["model"], r.key.get("benchmark") or "") for r in diff.records)
    assert summary == [
        ("scores", "added", "delta", "mmlu"),
        ("scores", "changed", "gamma", "mmlu"),  # its where changed too: the same number, moved
        ("scores", "removed", "gamma", "hellaswag"),
        ("training", "changed", "alpha", ""),
    ]
    tokens = next(r for r in diff.records if r.status == "changed" and r.kind == "training")
    assert tokens.fields == ["tokens"] and (tokens.old["tokens"], tokens.new["tokens"]) == (200e9, 300e9)
    moved = next(r for r in diff.records if r.status == "changed" and r.kind == "scores")
    assert moved.fields == ["value", "where"] and (moved.old["value"], moved.new["value"]) == (50.0, 65.0)
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 2}


def test_rank_movements(stores):
    diff = diff_stores(*stores)
    boards = {b.label: b for b in diff.boards}
    assert set(boards) == {"MMLU (5-shot)", "HellaSwag (0-shot)"}
    mmlu = boards["MMLU (5-shot)"]
    rows = [(r["model"], r["old_rank"], r["new_rank"], r["status"]) for r in mmlu.rows]
    assert rows == [("delta", None, 1, "new"), ("alpha", 1, 2, "down 1"), ("gamma", 3, 3, "value changed"),
                    ("beta", 2, 4, "down 2")]
    assert sorted(mmlu.overtaken) == [("delta", "alpha"), ("delta", "beta"), ("delta", "gamma"), ("gamma", "beta")]
    hellaswag = boards["HellaSwag (0-shot)"]
    assert [(r["model"], r["status"]) for r in hellaswag.rows] == [("gamma", "removed")]


def test_markdown_and_json(stores):
    diff = diff_stores(*stores, "main", "HEAD")
    text = diff.to_markdown()
    assert text.startswith("## benchtables: main → HEAD")
    assert "**Records:** 1 added, 1 removed, 2 changed." in text and "| value, where " in text
    assert "Overtaken: " in text and "Beta by Gamma" in text and "Alpha by Delta" in text
    payload = json.loads(json.dumps(diff.to_dict()))
    assert payload["counts"] == {"added": 1, "removed": 1, "changed": 2}
    assert payload["leaderboards"][0]["rows"][0]["status"]


def test_no_change(stores):
    old, _ = stores
    diff = diff_stores(old, old)
    assert diff.empty and diff.boards == [] and "No records changed." in diff.to_markdown()


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_git_revisions(tmp_path, monkeypatch, cli):
    root = tmp_path / "repo"
    make_store(root, OLD)
    git(root, "init", "-q")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=t", "add", "-A")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "old")
    for name, text in NEW.items():
        (root / "data" / "entries" / name).write_text(textwrap.dedent(text))
    build(entries=root / "data" / "entries", store=root / "data" / "store")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=t", "add", "-A")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "new")
    monkeypatch.chdir(root)
    result = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["counts"] == {"added": 1, "removed": 1, "changed": 2}
    result = cli("diff", "HEAD~1", "data/store")  # a revision against the working store
    assert result.code == 0 and "Delta" in result.out
    assert "warning" not in cli("diff", "HEAD~1", "HEAD").err  # both stores built from their entries
    (root / "data" / "entries" / "e.yaml").write_text(textwrap.dedent(NEW["d.yaml"]).replace("d2024", "e2025")
                                                       .replace("example.org/d", "example.org/e"))
    git(root, "add", "-A")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "unbuilt")
    result = cli("diff", "HEAD~1", "HEAD")
    assert result.code == 0 and "data/entries/e.yaml at HEAD is not in that revision's store" in result.err
    result = cli("diff", "no-such-rev", "HEAD")
    assert result.code == 2 and "neither a store directory nor a git revision" in result.err


def test_text_format_says_the_same_as_markdown(stores):
    diff = diff_stores(*stores, "main", "HEAD")
    text = diff.to_text()
    assert text.startswith("benchtables: main → HEAD") and "1 added, 1 removed, 2 changed" in text
    assert "**" not in text and "|" not in text.splitlines()[0]
    assert "Beta" in text and "Delta" in text


HOSTILE_NAME = "![x](https://evil.example/p.png) <img src=x> [link](https://evil.example) @octocat **bold**"


def test_markdown_for_a_pull_request_comment_is_inert(tmp_path):
    """diff --format markdown is posted on pull requests: names from data cannot become images,
    links, HTML or mentions there."""
    from markdown_it import MarkdownIt

    hostile = {name: text.replace("name: Delta", f"name: '{HOSTILE_NAME}'") for name, text in NEW.items()}
    diff = diff_stores(make_store(tmp_path / "old", OLD), make_store(tmp_path / "new", hostile), "main", "HEAD")
    text = diff.to_markdown()
    tokens = [t for block in MarkdownIt("commonmark", {"html": True}).enable("table").parse(text)
              for t in ([block, *(block.children or [])])]
    assert not {t.type for t in tokens} & {"image", "link_open", "html_inline", "html_block"}
    assert "@octocat" not in text.replace("@\u2060octocat", "")  # the mention is broken by a word joiner
    for line in diff.to_text().splitlines():
        assert not line.startswith("::")


def test_a_value_and_what_it_was_show_the_same_decimals(tmp_path):
    """A correction from 70.0 to 70.25 reads 70.25 beside 70.00, in both formats, not beside 70.0."""
    old = make_store(tmp_path / "old", OLD)
    new = make_store(tmp_path / "new", {"a.yaml": OLD["a.yaml"].replace("n_shot: 5, value: 70.0", "n_shot: 5, value: 70.25")})
    diff = diff_stores(old, new)
    for text in (diff.to_markdown(), diff.to_text()):
        alpha = next(line for line in text.splitlines() if "Alpha" in line and "value changed" in line)
        assert "70.25" in alpha and "70.00" in alpha and "60.00" in next(
            line for line in text.splitlines() if "Beta" in line and "same" in line)
