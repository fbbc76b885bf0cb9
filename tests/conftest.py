"""Shared fixtures: a throwaway project directory and the command line run in-process."""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, derandomize=True, max_examples=150,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

SOURCE = "source: {id: test2024, title: A test source, url: 'https://example.org/test', year: 2024}\n"


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class ProjectDir:
    """A benchtables project in a temporary directory, which is also the working directory."""

    root: Path

    @property
    def entries(self) -> Path:
        return self.root / "data" / "entries"

    @property
    def store(self) -> Path:
        return self.root / "data" / "store"

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.entries / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def store_bytes(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.store.glob("*.parquet"))}


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCHTABLES_STORE", raising=False)
    monkeypatch.setenv("BENCHTABLES_DEBUG", "1")  # a bug raises in tests instead of printing one line


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectDir:
    root = tmp_path / "project"
    (root / "data" / "entries").mkdir(parents=True)
    monkeypatch.chdir(root)
    return ProjectDir(root)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``benchtables ARGS…`` through its entry point; return code, stdout and stderr."""
    from benchtables.cli import run

    def invoke(*args: str) -> Result:
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test in an empty directory (no project around it)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def import_shipped(path: Path, fmt: str | None = None, **options: object) -> object:
    """``import_files`` of one file, models resolved against the shipped store."""
    from benchtables.importers import import_files

    return import_files([path], fmt, store=REPO / "data" / "store", **options)


def by(rows: list[dict], **match: object) -> dict:
    """The one row whose fields have the values given (fails when none or several do)."""
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def imported(result, kind: str = "scores") -> list[dict]:
    """The records an import produced (added one at a time or a table at a time), every field of the
    kind present: None where the import left it out."""
    from benchtables.kinds import RECORDS

    fields = [f.name for f in RECORDS[kind].fields]
    return [{**dict.fromkeys(fields), **r} for s in result.sources.values() for r in s.rows(kind)]


def assert_plausible(result) -> None:
    """Every imported score finite, inside its metric's range, with a non-negative stderr."""
    import math

    from benchtables.registry import Registry

    registry = Registry.shipped()
    for r in imported(result):
        metric = registry.metrics[r["metric"]]
        assert math.isfinite(r["value"])
        assert metric.min is None or r["value"] >= metric.min
        assert metric.max is None or r["value"] <= metric.max
        assert r["stderr"] is None or r["stderr"] >= 0


@pytest.fixture
def shipped_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped data (entries and store) as the current project."""
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(REPO / "data", root / "data")
    monkeypatch.chdir(root)
    return root
