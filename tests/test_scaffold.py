"""schema and init: editors can check entries, and a new leaderboard repository passes its own CI."""

from __future__ import annotations

import json
import shlex
import subprocess

import jsonschema
import pytest
import yaml

from benchtables.schemas import entry_schema
from benchtables.yamlpos import read_yaml
from conftest import REPO


@pytest.fixture(scope="module")
def validator():
    schema = entry_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", sorted((REPO / "data" / "entries").glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_the_shipped_entries(validator, path):
    doc, _ = read_yaml(path)
    assert list(validator.iter_errors(doc.data)) == []


@pytest.mark.parametrize(
    ("data", "where"),
    [({"models": []}, "source"),
     ({"source": {"id": "s", "title": "t", "url": "https://x.org", "year": 2020}, "scores": [{"model": "m"}]}, "benchmark"),
     ({"source": {"id": "s", "title": "t", "url": "https://x.org", "year": 2020}, "score": []}, "score"),
     ({"source": {"id": "S S", "title": "t", "url": "https://x.org", "year": 2020}}, "S S"),
     ({"source": {"id": "s", "title": "t", "url": "https://x.org", "year": 2020},
       "scores": [{"model": "m", "benchmark": "b", "value": 1, "n_shot": "five"}]}, "five")],
)
def test_schema_rejects_what_editors_should_flag(validator, data, where):
    errors = list(validator.iter_errors(data))
    assert errors and where in " ".join(e.message for e in errors)


def test_schema_command(cli, tmp_path):
    result = cli("schema")
    assert json.loads(result.out) == entry_schema()
    assert json.loads(result.out)["properties"]["scores"]["type"] == "array"
    assert cli("schema", "-o", tmp_path / "s.json").code == 0
    assert json.loads((tmp_path / "s.json").read_text()) == entry_schema()


@pytest.fixture
def scaffold(tmp_path, monkeypatch, cli):
    root = tmp_path / "leaderboard"
    result = cli("init", root, "--title", "My leaderboard")
    assert result.code == 0
    monkeypatch.chdir(root)
    return root


def workflow_commands(root):
    workflow = yaml.safe_load((root / ".github" / "workflows" / "benchtables.yml").read_text())
    runs = [step["run"] for step in workflow["jobs"]["check"]["steps"] if "run" in step]
    return [shlex.split(r) for r in runs if r.startswith("benchtables ") and "${{" not in r], runs


def test_scaffold_passes_its_own_ci_commands(scaffold, cli):
    commands, runs = workflow_commands(scaffold)
    assert [c[:2] for c in commands] == [["benchtables", "validate"], ["benchtables", "build"], ["benchtables", "render"]]
    assert any(r.startswith("benchtables diff origin/") for r in runs)
    for command in commands:
        result = cli(*command[1:])
        assert result.code == 0, (command, result.out, result.err)


def test_scaffold_installs_this_benchtables(tmp_path, cli, monkeypatch):
    """The workflow's pip install names what can be installed: a git URL at a commit, or a version."""
    from benchtables import __version__
    from benchtables import scaffold as scaffolding

    default = cli("init", tmp_path / "a")
    (install,) = [shlex.split(r) for r in workflow_commands(tmp_path / "a")[1] if r.startswith("pip install")]
    assert install == ["pip", "install", scaffolding.install_spec()] and f"installs: {install[2]}" in default.err
    assert install[2] in (f"benchtables>={__version__}",) or install[2].startswith("benchtables @ git+")
    direct = '{"url": "https://github.com/o/benchtables", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}'
    monkeypatch.setattr(scaffolding, "_direct_url", lambda: direct)
    assert scaffolding.install_spec() == "benchtables @ git+https://github.com/o/benchtables@abc123"
    checkout = tmp_path / "checkout"  # a local clone: its origin at its HEAD
    checkout.mkdir()
    git = ["git", "-C", str(checkout), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "x"],
                 ["remote", "add", "origin", "git@github.com:o/benchtables.git"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    monkeypatch.setattr(scaffolding, "_direct_url", lambda: json.dumps({"url": checkout.as_uri(), "dir_info": {}}))
    assert scaffolding.install_spec() == f"benchtables @ git+ssh://git@github.com/o/benchtables.git@{head}"
    subprocess.run([*git, "remote", "remove", "origin"], check=True)
    assert scaffolding.install_spec() == f"benchtables>={__version__}" and scaffolding.install_caveat(f"benchtables>={__version__}")
    cli("init", tmp_path / "b", "--install", "benchtables @ git+https://example.org/b.git@v1")
    runs = workflow_commands(tmp_path / "b")[1]
    assert ["pip", "install", "benchtables @ git+https://example.org/b.git@v1"] in [shlex.split(r) for r in runs]


def test_scaffold_is_a_git_repository_on_the_branch_its_workflow_runs_on(scaffold, cli):
    branch = subprocess.run(["git", "symbolic-ref", "--short", "HEAD"], cwd=scaffold, capture_output=True, text=True)
    workflow = yaml.safe_load((scaffold / ".github" / "workflows" / "benchtables.yml").read_text())
    assert branch.stdout.strip() == "main" and workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads on: as True
    for args in (["add", "-A"], ["-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "init"]):
        subprocess.run(["git", *args], cwd=scaffold, check=True, capture_output=True)
    result = cli("diff", "HEAD", "HEAD", "--format", "markdown")
    assert result.code == 0 and "No records changed." in result.out


def test_the_pull_request_comment_is_one_comment_updated_in_place(scaffold):
    steps = yaml.safe_load((scaffold / ".github" / "workflows" / "benchtables.yml").read_text())["jobs"]["check"]["steps"]
    (post,) = [s for s in steps if "comment" in s.get("name", "").lower()]
    assert post["uses"].startswith("marocchino/sticky-pull-request-comment@") and post["with"]["header"] == "benchtables"
    (diff,) = [s for s in steps if s.get("run", "").startswith("benchtables diff")]
    assert post["with"]["path"] in diff["run"] and post["if"] == diff["if"] == "github.event_name == 'pull_request'"
    assert all(s.get("if") != "always()" for s in steps)  # a failing check fails the job


def test_init_says_only_what_applies(tmp_path, cli, monkeypatch):
    import shutil as shutil_module

    monkeypatch.setattr(shutil_module, "which", lambda name: None)  # no pre-commit here
    out = cli("init", tmp_path / "repo").err
    assert "pip install pre-commit && pre-commit install" in out and "git init" not in out.split("next:")[1]
    monkeypatch.setattr(shutil_module, "which", lambda name: "/usr/bin/" + name)
    out = cli("init", tmp_path / "other").err
    assert "\n  pre-commit install" in out


def test_init_does_not_write_through_a_symlink(tmp_path, cli):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").symlink_to(tmp_path / "elsewhere.md")  # dangling
    result = cli("init", root)
    assert result.code == 2 and "already exists" in result.err
    forced = cli("init", root, "--force")
    assert forced.code == 2 and not (tmp_path / "elsewhere.md").exists()


def test_scaffold_validates_against_the_schema_it_ships(scaffold):
    schema = json.loads((scaffold / "entry.schema.json").read_text())
    doc, problems = read_yaml(scaffold / "data" / "entries" / "chowdhery2022palm.yaml")
    assert problems == [] and list(jsonschema.Draft202012Validator(schema).iter_errors(doc.data)) == []
    first_line = (scaffold / "data" / "entries" / "chowdhery2022palm.yaml").read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../entry.schema.json"


def test_pre_commit_hooks_run(scaffold, cli):
    config = yaml.safe_load((scaffold / ".pre-commit-config.yaml").read_text())
    ours = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hooks = config["repos"][0]["hooks"] + ours
    assert {h["id"] for h in hooks} == {"benchtables-validate", "benchtables-build-check"}
    entry_file = "data/entries/chowdhery2022palm.yaml"
    for hook in hooks:
        args = shlex.split(hook["entry"])[1:] + ([] if hook.get("pass_filenames") is False else [entry_file])
        assert cli(*args).code == 0, hook["id"]


def test_init_refuses_to_overwrite(scaffold, cli):
    result = cli("init", scaffold)
    assert result.code == 2 and "already exists" in result.err
    assert cli("init", scaffold, "--force").code == 0


def test_scaffold_rejects_a_bad_pull_request(scaffold, cli):
    (scaffold / "data" / "entries" / "new.yaml").write_text(
        "source: {id: new2024, title: New, url: 'https://example.org/new', year: 2024}\n"
        "scores:\n  - {model: palm-540b, benchmark: mmlu, n_shot: 5, value: 0.693}\n")
    result = cli("validate", "--format", "github")
    assert result.code == 0  # a warning: the fraction is reported on its line, not an error
    lines = result.out.splitlines()
    assert any(ln.startswith("::warning file=data/entries/new.yaml,line=3,col=")
               and "title=fraction_as_percent scores[0].value::" in ln and "did you mean 69.3?" in ln for ln in lines)
    assert cli("build", "--check").code == 1  # the store was not rebuilt
