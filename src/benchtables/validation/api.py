"""``validate`` and ``validate_records``: the pipeline as the Python API and the CLI call it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchtables.errors import StoreError, UsageError
from benchtables.kinds import RECORDS
from benchtables.problems import Problem, Report, Severity
from benchtables.project import Project, find_project
from benchtables.registry import Registry
from benchtables.store import Store
from benchtables.validation.declarations import Known, check_declarations
from benchtables.validation.pipeline import check, run
from benchtables.validation.read import Inputs, Origin, Part, display_path, read_inputs

__all__ = ["RecordsResult", "validate", "validate_records"]


def _store_for(store: Path | str | Store | None, project: Project | None) -> tuple[Store | None, list[Problem]]:
    """The store to check against: given, else the project's; None when there is none to read.

    A project store that exists but cannot be read is a problem (the checks against it cannot
    run, and CI must not pass as if they had); a store given explicitly raises.
    """
    try:
        opened = Store.open(store if store is not None else (project.store if project else None))
        if not opened.path.is_dir():
            if store is not None:
                raise UsageError(f"no store at {opened.path}")
            return None, []
        opened.check()
    except StoreError as exc:
        if store is not None:
            raise
        where = project.relative(project.store) if project is not None else None
        return None, [Problem(Severity.ERROR, "store_unreadable", f"{exc}; nothing was checked against the store",
                              file=where, hint="or restore it from git")]
    return opened, []


def _context(project: Project, paths: list[Path], registry: Registry) -> Known | None:
    """The declarations of the project's other entry files, when only some are validated."""
    wanted = {p.resolve() for p in paths}
    if any(p.is_dir() and project.entries.resolve().is_relative_to(p.resolve()) for p in paths):
        return None  # every entry file is read anyway
    from benchtables.validation.read import ENTRY_SUFFIXES

    others = [p for p in sorted(project.entries.rglob("*")) if p.suffix in ENTRY_SUFFIXES and p.is_file()
              and p.resolve() not in wanted and not any(p.resolve().is_relative_to(w) for w in wanted if w.is_dir())]
    if not others:
        return None
    inputs = read_inputs(others, name_file=project.relative, root=project.root)
    inputs.records = []  # only what they declare counts
    return Known.of(check_declarations(inputs, registry, Known()))


def validate(paths: Iterable[Path | str] | None = None, *, store: Path | str | Store | None = None,
             kind: str | None = None, limit: int = 50, progress: bool | None = None) -> Report:
    """Validate entry files and bulk files, and return every problem found.

    Args:
        paths: entry files (YAML), bulk files (Parquet, CSV, Arrow) or directories
            (default: the current project's ``data/entries``).
        store: the store the files are checked against (default: the project's). Models and
            sources declared in the store by other files count as declared, and so do those of
            the project's other entry files.
        kind: the record kind of the bulk files (default: from their metadata or names).
        limit: problems kept per file; the report counts the rest (``omitted``).
        progress: progress bars for large bulk files (default: on a terminal, not in CI).

    Returns:
        A :class:`~benchtables.problems.Report`; ``report.ok`` is true when there are no errors.
        Validation never raises for bad input.
    """
    project = find_project()
    if project is None and paths is not None:
        given = [Path(p) for p in paths]
        paths = given
        project = find_project(given[0] if given[0].is_dir() else given[0].parent) if given else None
    if paths is None:
        if project is None:
            raise UsageError("no data/entries/ here or above: pass the entry files to validate")
        paths = [project.entries]
    files = [Path(p) for p in paths]
    for p in files:
        if not p.exists() and not p.is_symlink():
            raise UsageError(f"no such file or directory: {display_path(p)}")
    registry, registry_problems = Registry.shipped().extended(project.registry_file if project else None)
    opened, store_problems = _store_for(store, project)
    own = project is not None and opened is not None and opened.path.resolve() == project.store.resolve()
    existing = (lambda f: (project.root / f).exists()) if own and project is not None else None
    context = _context(project, files, registry) if project is not None else None
    result = run(files, registry=registry, name_file=project.relative if project else (lambda p: Path(p).as_posix()),
                 root=project.root if project else None, store=opened, existing=existing, kind=kind, limit=limit,
                 progress=progress, extra_problems=[*registry_problems, *store_problems], context=context)
    return result.report


@dataclass
class RecordsResult:
    """A validated table of records: the canonical rows, which are valid, and the problems found."""

    kind: str
    table: Any  #: canonical values (ids for names, defaults filled in), an Arrow table
    valid: np.ndarray  #: one flag per row
    problems: list[Problem] = field(default_factory=list)  #: the first ``limit``, in row order
    total: int = 0  #: errors found in all
    warnings: int = 0

    @property
    def ok(self) -> bool:
        return self.total == 0


def validate_records(data: Any, kind: str, *, store: Path | str | Store | None = None, limit: int = 50,
                     progress: bool | None = None) -> RecordsResult:
    """Validate a table of records — a pandas DataFrame or an Arrow table — as a bulk file would be.

    The rules are the entry files' (one engine checks both); models, and sources when the
    table has a ``source`` column, must be declared in the store.

    Args:
        data: one record per row, the record's fields as columns (plus ``source``).
        kind: ``scores``, ``training``, ``utilization`` or ``sampling``.
        store: the store whose registry, models and sources rows may name (default: see
            :func:`benchtables.load`).
        limit: problems kept (all are counted in ``total``).
        progress: a progress bar for large tables (default: on a terminal, not in CI).
    """
    import pyarrow as pa

    if kind not in RECORDS:
        raise UsageError(f"unknown record kind {kind!r}; kinds: {', '.join(RECORDS)}")
    opened = Store.open(store)
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    if "source" not in table.column_names:
        table = table.append_column("source", pa.nulls(table.num_rows, pa.string()))
        sources_given = False
    else:
        sources_given = True
    registry = opened.registry()
    known = Known(opened.table("sources"), opened.table("models"))
    origin = Origin("<records>", "<records>")
    inputs = Inputs(records=[Part(RECORDS[kind], table, origin)], files=["<records>"], checked=1)
    result = check(inputs, registry=registry, store=None, limit=limit, progress=progress, context=known,
                   sources_named=sources_given)
    pool = result.pools.get(kind)
    valid = np.zeros(table.num_rows, dtype=bool)
    canonical = table
    if pool is not None:
        valid[pool.local[pool.new]] = True
        canonical = pool.rows
    if not sources_given and "source" in canonical.column_names:
        canonical = canonical.drop_columns(["source"])
    report = result.report
    return RecordsResult(kind, canonical, valid, sorted(report.problems, key=lambda p: p.row or 0),
                         len(report.errors) + report.omitted, len(report.warnings) + report.omitted_warnings)
