"""Building the store from entry files, and checking that a committed store is current."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from benchtables.errors import UsageError, ValidationFailed
from benchtables.problems import Report
from benchtables.project import Project, find_project
from benchtables.registry import Registry
from benchtables.store import PARTITION_COLUMNS, RECORD_TABLES, Store, partitioned, tables_from, write_store
from benchtables.store.write import recover

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


def compile_entries(entries: Path | str, project: Project, registry: Registry | None = None, *,
                    partition_by: str | None = None, progress: bool | None = None) -> tuple[dict[str, pa.Table], Report]:
    """Validate every entry file and bulk file under ``entries`` (the pipeline of
    :mod:`benchtables.validation.pipeline`) and turn what is valid into store tables.

    Raises:
        ValidationFailed: some entry has an error; nothing is compiled.
    """
    from benchtables.validation.pipeline import run

    base = registry or Registry.shipped()
    registry, registry_problems = base.extended(project.registry_file)
    result = run([entries], registry=registry, name_file=project.relative, root=project.root, progress=progress,
                 extra_problems=registry_problems)
    report = result.report
    if not report.ok:
        raise ValidationFailed(report, "build")
    records = {kind: [table] for kind, table in result.record_tables().items()}
    sources = list(result.declared.sources.values())
    tables = tables_from(records, list(result.declared.models.values()), sources, registry, partition_by)
    return tables, report


def build(*, project: Project | None = None, entries: Path | str | None = None, store: Path | str | None = None,
          check: bool = False, registry: Registry | None = None, partition_by: str | None = None,
          progress: bool | None = None) -> BuildResult:
    """Compile the entry files into the store.

    Args:
        project: the project to build (default: found from the current directory).
        entries: entry directory (default: the project's ``data/entries``).
        store: store directory to write (default: the project's ``data/store``).
        check: compare only; never write. ``result.stale`` lists what is out of date.
        registry: base registry (default: the shipped one, plus the project's registry.yaml).
        partition_by: write record tables that have this column as Hive-style partitions
            (``scores/benchmark=mmlu/part-0.parquet``), for engines that prune by directory;
            ``"none"`` for one file per table. Default: as the store on disk is.
        progress: progress bars for large bulk files (default: on a terminal, not in CI).

    Raises:
        ValidationFailed: the entries have errors; the store is left as it was.
        UsageError: there is no project or entries directory.
        StoreWriteError: the store cannot be written; it is left as it was.
    """
    project, entries_dir, store_dir = _locate(project, entries, store)
    if not check and store_dir.parent.is_dir():
        recover(store_dir)  # a killed build's leftovers go, even when this build has nothing new to write
    on_disk = Store(store_dir)
    exists = store_dir.is_dir()
    layout = {kind: on_disk.partition_column(kind) if exists else None for kind in RECORD_TABLES}
    if partition_by is None:
        partition_by = next((c for c in layout.values() if c), None)
    elif partition_by == "none":
        partition_by = None
    elif partition_by not in PARTITION_COLUMNS:
        raise UsageError(f"cannot partition by {partition_by!r}: partition by one of {', '.join(PARTITION_COLUMNS)} "
                         "(or 'none' for one file per table)")
    tables, report = compile_entries(entries_dir, project, registry, partition_by=partition_by, progress=progress)
    wanted = {kind: partition_by if partitioned(tables[kind], partition_by) else None for kind in RECORD_TABLES}
    stale = sorted(set(on_disk.equals(tables) if exists else tables) | {k for k in RECORD_TABLES if layout[k] != wanted[k]},
                   key=list(tables).index)
    result = BuildResult(store=store_dir, tables=tables, report=report, stale=stale)
    if not check and stale:
        write_store(tables, store_dir, partition_by)
        result.written = True
    return result
