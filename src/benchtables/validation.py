"""``validate``: entry and bulk files checked on their own and against the store."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchtables.checks import cross_checks
from benchtables.columnar import ColumnarResult, validate_table
from benchtables.entries import Known, ValidationContext, model_index
from benchtables.errors import StoreError, UsageError
from benchtables.inputs import read_inputs
from benchtables.problems import Report
from benchtables.project import find_project
from benchtables.registry import Registry
from benchtables.store import Store

__all__ = ["validate", "validate_records"]


def validate(paths: Iterable[Path | str] | None = None, *, store: Path | str | Store | None = None,
             kind: str | None = None, limit: int = 50, progress: bool | None = None) -> Report:
    """Validate entry files and bulk files, and return every problem found.

    Args:
        paths: entry files (YAML), bulk files (Parquet, CSV, Arrow) or directories
            (default: the current project's ``data/entries``).
        store: the store the files are checked against (default: the project's). Models and
            sources declared in the store by other files count as declared.
        kind: the record kind of the bulk files (default: from their metadata or names).
        limit: problems kept per bulk file; the report counts the rest (``omitted``).
        progress: progress bars for large bulk files (default: on a terminal, not in CI).

    Returns:
        A :class:`~benchtables.problems.Report`; ``report.ok`` is true when there are no errors.
        Validation never raises for bad input. Besides each file's own problems it holds the
        checks across files and against the store (:mod:`benchtables.checks`).
    """
    project = find_project()
    if paths is None:
        if project is None:
            raise UsageError("no data/entries/ here or above: pass the entry files to validate")
        paths = [project.entries]
    paths = list(paths)
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"no such file or directory: {p}")
    registry, registry_problems = Registry.shipped().extended(project.registry_file if project else None)
    opened: Store | None = Store.open(store if store is not None else (project.store if project else None))
    try:
        known = opened.known()
    except StoreError:
        known, opened = Known(), None
    if opened is not None and not opened.path.is_dir():
        opened = None
    own_store = project is not None and opened is not None and opened.path.resolve() == project.store.resolve()
    existing = (lambda f: (project.root / f).exists()) if own_store and project is not None else None
    if existing is not None:  # what renamed or deleted files declared is gone with them
        known = Known(
            sources={k: v for k, v in known.sources.items() if not v.get("file") or existing(v["file"])},
            models={k: {**v, "declared_in": [f for f in v.get("declared_in") or [] if existing(f)]}
                    for k, v in known.models.items()},
        )
    inputs = read_inputs(paths, registry, project_relative=project.relative if project else None, known=known,
                         store=opened, kind=kind, limit=limit, progress=progress, existing=existing)
    report, dataset = inputs.report, inputs.dataset
    report.extend(registry_problems)
    report.extend(cross_checks(dataset, registry, store=opened, read_here=inputs.files, existing=existing))
    return report


def validate_records(data: Any, kind: str, *, store: Path | str | Store | None = None, limit: int = 50,
                     progress: bool | None = None, text_values: bool = False) -> ColumnarResult:
    """Validate a table of records — a pandas DataFrame or an Arrow table — with the columnar validator.

    The rules are the entry files' (see :mod:`benchtables.columnar`); models, and sources
    when the table has a ``source`` column, must be declared in the store.

    Args:
        data: one record per row, the record's fields as columns (plus ``source``).
        kind: ``scores``, ``training``, ``utilization`` or ``sampling``.
        store: the store whose registry, models and sources rows may name (default: see
            :func:`benchtables.load`).
        limit: problems kept (all are counted in ``total``).
        text_values: number columns may be text, converted row by row (a DataFrame read from
            CSV with ``dtype=str``); else a text column where numbers belong is one error.
        progress: a progress bar for large tables (default: on a terminal, not in CI).

    Returns:
        A :class:`~benchtables.columnar.ColumnarResult`: ``ok``, ``problems`` (with 1-based
        ``row``), ``total``, ``valid`` (one flag per row) and the canonical ``table``.
    """
    import pyarrow as pa

    opened = Store.open(store)
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    known = opened.known()
    ctx = ValidationContext(opened.registry(), model_index(known.models.values()))
    sources = set(known.sources) if "source" in table.column_names else None
    return validate_table(table, kind, ctx, limit=limit, sources=sources, progress=progress, text_values=text_values)
