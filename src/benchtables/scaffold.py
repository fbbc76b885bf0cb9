"""``benchtables init DIR``: a leaderboard repository that guards itself in CI.

The scaffold holds one real entry file, a README with a live table, the entry-file JSON
Schema for editors, a GitHub Actions workflow (validate with annotations, build --check,
render --check, and the leaderboard diff posted on pull requests as one comment updated in
place) and a pre-commit configuration, in a git repository on ``main``. The store is built
and the README rendered before ``init`` returns, so the scaffold passes its own CI commands
as generated.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from benchtables.errors import UsageError
from benchtables.files import write_text_atomically
from benchtables.project import git
from benchtables.schemas import entry_schema

__all__ = ["init_git", "init_project", "next_steps"]

EXAMPLE = """\
# yaml-language-server: $schema=../../entry.schema.json
# One entry file per source: the numbers it reports, each with where it stands.
# `benchtables validate` checks this file; `benchtables build` compiles data/store.
source:
  id: chowdhery2022palm
  title: "PaLM: Scaling Language Modeling with Pathways"
  url: https://arxiv.org/abs/2204.02311
  year: 2022
  kind: paper

models:
  - {id: palm-540b, name: PaLM 540B, organization: Google, parameters: 540.35B, kind: llm,
     introduced_by: chowdhery2022palm}
  - {id: palm-8b, name: PaLM 8B, organization: Google, kind: llm, introduced_by: chowdhery2022palm}

scores:
  - {model: palm-540b, benchmark: mmlu, n_shot: 5, value: 69.3, where: Table 6}
  - {model: palm-8b, benchmark: mmlu, n_shot: 5, value: 25.3, where: Table 6}

training:
  - {model: palm-540b, parameters: 540.35B, tokens: 780B, hardware: TPU v4, chips: 6144,
     where: "§1, §4, Table 1"}

utilization:
  - {model: palm-540b, hardware: TPU v4, chips: 6144, mfu: 46.2%, hfu: 57.8%, where: "§4.1, Table 3"}
"""

README = """\
# {title}

Numbers from papers, each with its source and where it stands, kept by
[benchtables](https://pypi.org/project/benchtables/). Add a source as one YAML file under
`data/entries/`, then run `benchtables validate && benchtables build && benchtables render README.md`.

## MMLU

<!-- benchtables:begin leaderboard mmlu --footnotes -->
<!-- benchtables:end -->
"""

WORKFLOW = """\
name: benchtables
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  pull-requests: write
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install benchtables
        run: pip install {install}
      - name: Validate entries (problems appear on the lines of the pull request)
        run: benchtables validate --format github
      - name: The committed store is what the entries give
        run: benchtables build --check
      - name: The README tables are current
        run: benchtables render --check README.md
      - name: How the leaderboards change
        if: github.event_name == 'pull_request'
        run: benchtables diff origin/${{{{ github.base_ref }}}} HEAD --format markdown > benchtables-diff.md
      - name: Post the change as one comment, updated in place on every push
        if: github.event_name == 'pull_request'
        uses: marocchino/sticky-pull-request-comment@v2
        with:
          header: benchtables
          path: benchtables-diff.md
"""

PRE_COMMIT = """\
# pre-commit install  →  entry files are validated and the store checked before each commit.
repos:
  - repo: local
    hooks:
      - id: benchtables-validate
        name: benchtables validate
        entry: benchtables validate
        language: system
        files: ^data/entries/.*\\.(ya?ml|parquet|csv|arrow|feather|ipc)$
      - id: benchtables-build-check
        name: benchtables build --check
        entry: benchtables build --check
        language: system
        pass_filenames: false
        files: ^data/
"""

GITIGNORE = """\
__pycache__/
benchtables-diff.md
data/.store-new-*
data/.store-old-*
data/.store.lock
data/.store.swap
"""


def install_spec() -> str:
    """What a new repository's CI should ``pip install`` to get this benchtables.

    From a git install (PEP 610 ``direct_url.json``): that repository at that commit; from a
    local checkout: its ``origin`` remote at its HEAD commit, when the remote is a URL CI can
    reach; otherwise this version from the package index (see :func:`install_caveat`).
    """
    import benchtables

    direct = json.loads(_direct_url() or "{}")
    url, vcs = str(direct.get("url", "")), direct.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and url.startswith(_REMOTE):
        return f"benchtables @ git+{url}@{vcs.get('commit_id') or vcs.get('requested_revision') or 'HEAD'}"
    if url.startswith("file://"):
        checkout = Path(url.removeprefix("file://"))
        remote, commit = _git(checkout, "remote", "get-url", "origin"), _git(checkout, "rev-parse", "HEAD")
        if remote and remote.startswith("git@"):  # scp-like git@host:owner/repo → a URL pip reads
            remote = "ssh://" + remote.replace(":", "/", 1)
        if remote and commit and remote.startswith(_REMOTE):
            return f"benchtables @ git+{remote}@{commit}"
    return f"benchtables>={benchtables.__version__}"


def install_caveat(spec: str) -> str | None:
    """A warning when ``spec`` is a package-index name this installation did not come from."""
    if spec.startswith("benchtables>=") and str(json.loads(_direct_url() or "{}").get("url", "")).startswith("file://"):
        return ("benchtables is installed from a local directory without a reachable git remote: the workflow "
                f"installs {spec!r} from the package index; if it is not published there, run init with "
                "--install 'benchtables @ git+https://…' (the repository you install it from)")
    return None


#: Git remotes a CI machine can clone.
_REMOTE = ("https://", "ssh://", "git@")


def _git(directory: Path, *args: str) -> str | None:
    out = git(directory, *args)
    return out.decode().strip() or None if out is not None else None


def _direct_url() -> str | None:
    """This installation's PEP 610 record of where it came from, if pip wrote one."""
    from importlib import metadata

    try:
        return metadata.distribution("benchtables").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None


def init_project(directory: Path | str, *, title: str | None = None, install: str | None = None,
                 force: bool = False) -> list[Path]:
    """Create a leaderboard repository in ``directory`` and build its store.

    Args:
        directory: where to create it (created if missing).
        title: the README title (default: the directory name).
        install: what the CI workflow passes to ``pip install`` (default: :func:`install_spec`).
        force: overwrite files that already exist.

    Returns:
        The files written (the store's tables included).

    Raises:
        UsageError: a file to write exists and ``force`` is not set.
    """
    from benchtables.builder import build
    from benchtables.project import Project

    root = Path(directory)
    files = {
        root / "data" / "entries" / "chowdhery2022palm.yaml": EXAMPLE,
        root / "README.md": README.format(title=title or root.resolve().name),
        root / "entry.schema.json": json.dumps(entry_schema(), indent=2) + "\n",
        root / ".github" / "workflows" / "benchtables.yml": WORKFLOW.format(install=shlex.quote(install or install_spec())),
        root / ".pre-commit-config.yaml": PRE_COMMIT,
        root / ".gitignore": GITIGNORE,
    }
    existing = [p for p in files if p.exists() or p.is_symlink()]
    if existing and not force:
        raise UsageError(f"{existing[0]} already exists; pass --force to overwrite")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, text)  # never through a symlink
    project = Project(root)
    result = build(project=project)
    from benchtables.cli.table_commands import produce_block  # a render block's words are CLI arguments
    from benchtables.rendering.blocks import update_file

    update_file(root / "README.md", lambda args: produce_block([*args, "--store", str(project.store)]))
    return [*files, *(result.store / f"{name}.parquet" for name in result.tables)]


def init_git(directory: Path | str) -> bool | None:
    """Make ``directory`` a git repository on branch ``main`` (the branch the workflow runs on).

    Returns True when one was created, False when it already is one, None when git is missing.
    """
    root = Path(directory)
    if git(root, "rev-parse", "--git-dir") is not None:
        return False
    if git(root, "init", "--initial-branch=main") is None and git(root, "init") is None:
        return None
    git(root, "symbolic-ref", "HEAD", "refs/heads/main")  # git before 2.28 has no --initial-branch
    return True


def next_steps(directory: Path | str, repository: bool | None) -> list[str]:
    """What to do after ``init``, only the steps that apply here."""
    import shutil

    steps = [f"cd {shlex.quote(str(directory))}"]
    if repository is None:
        steps.append("git init --initial-branch=main  (git was not found here; the workflow runs on main)")
    steps.append("git add -A && git commit -m 'Start a benchtables leaderboard'")
    if shutil.which("pre-commit"):
        steps.append("pre-commit install  (entry files are checked before each commit)")
    else:
        steps.append("to check entry files before each commit: pip install pre-commit && pre-commit install")
    steps.append("push to GitHub: the workflow validates pull requests and posts their leaderboard changes")
    return steps
