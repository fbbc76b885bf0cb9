"""Where things are: the project (a directory with ``data/entries``), its store, its registry.

A *project* is any directory holding ``data/entries/`` (or a built ``data/store/``): this
repository, or a leaderboard repository made with ``benchtables init``. Commands find the
project by walking up from the current directory, the way git finds a repository.

A store to read is chosen in this order: an explicit path (``--store``), the
``BENCHTABLES_STORE`` environment variable, the current project's ``data/store``, the store
of the checkout this package runs from, and finally the copy shipped inside the installed
package, so ``benchtables.load()`` works anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["ENV_STORE", "Project", "find_project", "git", "packaged_store", "resolve_store"]

ENV_STORE = "BENCHTABLES_STORE"


def git(directory: Path, *args: str) -> bytes | None:
    """The output of ``git -C directory ARGS``, or None when git fails or is not installed."""
    import subprocess

    try:
        done = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True)
class Project:
    """A directory with ``data/entries`` (the reviewed source) and ``data/store`` (the build)."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def entries(self) -> Path:
        return self.data / "entries"

    @property
    def store(self) -> Path:
        return self.data / "store"

    @property
    def registry_file(self) -> Path:
        """Optional additions to the shipped registry."""
        return self.data / "registry.yaml"

    def relative(self, path: Path | str) -> str:
        """``path`` relative to the project root, in POSIX form: how the store names files."""
        absolute = Path(path).resolve()
        try:
            return absolute.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return absolute.as_posix()


def find_project(start: Path | str | None = None) -> Project | None:
    """The nearest directory at or above ``start`` (default: the current one) that is a project."""
    here = Path(start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        data = directory / "data"
        if (data / "entries").is_dir() or (data / "store").is_dir():
            return Project(directory)
    return None


def _checkout_store() -> Path | None:
    """``data/store`` of the source checkout this package is imported from, if it is one."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "data" / "store").is_dir():
        return root / "data" / "store"
    return None


def packaged_store() -> Path | None:
    """The store copy inside the installed package, if the package has one."""
    candidate = resources.files("benchtables").joinpath("_store")
    path = Path(str(candidate))
    return path if path.is_dir() else None


def resolve_store(store: Path | str | None = None) -> Path:
    """The store directory to read, chosen as the module docstring says.

    Returns a path even when nothing exists there, so that the error names where it looked.
    """
    if store is not None:
        return Path(store)
    if os.environ.get(ENV_STORE):
        return Path(os.environ[ENV_STORE])
    project = find_project()
    if project is not None:
        return project.store
    for candidate in (_checkout_store(), packaged_store()):
        if candidate is not None:
            return candidate
    return Path("data") / "store"
