"""Building the store from entry files, and checking that a committed store is current."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from benchtables.checks import cross_checks
from benchtables.entries import read_entries
from benchtables.errors import UsageError, ValidationFailed
from benchtables.problems import Report
from benchtables.project import Project, find_project
from benchtables.registry import Registry
from benchtables.store import Store, tables_from, write_store

__all__ = ["BuildResult", "build", "compile_entries"]


@dataclass
class BuildResult:
    """What a build produced and what it found."""

    store: Path
    tables: dict[str, pa.Table]
    #: Warnings (a build with errors raises instead).
    report: Report = field(default_factory=Report)
    #: Tables whose content differs from the store on disk (all of them if there was none).
    stale: list[str] = field(default_factory=list)
    #: The store on disk was replaced.
    written: bool = False


def _locate(project: Project | None, entries: Path | str | None, store: Path | str | None) -> tuple[Project, Path, Path]:
    if entries is not None:
        entries = Path(entries)
        project = project or find_project(entries) or Project(entries.resolve().parent.parent)
    else:
        project = project or find_project()
        if project is None:
            raise UsageError("no data/entries/ here or above: run inside a benchtables project "
                             "(see `benchtables init`) or pass --entries DIR")
        entries = project.entries
    if not entries.is_dir():
        raise UsageError(f"no entries directory at {entries}")
    return project, entries, Path(store) if store is not None else project.store


def compile_entries(entries: Path | str, project: Project, registry: Registry | None = None) -> tuple[dict[str, pa.Table], Report]:
    """Validate every entry file under ``entries`` and turn them into store tables.

    Raises:
        ValidationFailed: some entry has an error; nothing is compiled.
    """
    base = registry or Registry.shipped()
    registry, registry_problems = base.extended(project.registry_file)
    dataset, report = read_entries([entries], registry, project_relative=project.relative)
    report.extend(registry_problems)
    report.extend(cross_checks(dataset, registry))
    if not report.ok:
        raise ValidationFailed(report, "build")
    return tables_from(dataset, registry), report


def build(*, project: Project | None = None, entries: Path | str | None = None, store: Path | str | None = None,
          check: bool = False, registry: Registry | None = None) -> BuildResult:
    """Compile the entry files into the store.

    Args:
        project: the project to build (default: found from the current directory).
        entries: entry directory (default: the project's ``data/entries``).
        store: store directory to write (default: the project's ``data/store``).
        check: compare only; never write. ``result.stale`` lists what is out of date.
        registry: base registry (default: the shipped one, plus the project's registry.yaml).

    Raises:
        ValidationFailed: the entries have errors; the store is left as it was.
        UsageError: there is no project or entries directory.
    """
    project, entries_dir, store_dir = _locate(project, entries, store)
    tables, report = compile_entries(entries_dir, project, registry)
    stale = Store(store_dir).equals(tables)
    result = BuildResult(store=store_dir, tables=tables, report=report, stale=stale)
    if not check and stale:
        write_store(tables, store_dir)
        result.written = True
    return result
