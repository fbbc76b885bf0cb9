"""``validate``: entry files checked on their own and against the store."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from benchtables.checks import cross_checks
from benchtables.entries import Known, read_entries
from benchtables.errors import StoreError, UsageError
from benchtables.problems import Report
from benchtables.project import find_project
from benchtables.registry import Registry
from benchtables.store import Store

__all__ = ["validate"]


def validate(paths: Iterable[Path | str] | None = None, *, store: Path | str | Store | None = None) -> Report:
    """Validate entry files and return every problem found.

    Args:
        paths: entry files or directories (default: the current project's ``data/entries``).
        store: the store the files are checked against (default: the project's). Models and
            sources declared in the store by other files count as declared.

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
    dataset, report = read_entries(paths, registry, project_relative=project.relative if project else None, known=known)
    report.extend(registry_problems)
    own_store = project is not None and opened is not None and opened.path.resolve() == project.store.resolve()
    report.extend(cross_checks(
        dataset, registry, store=opened, read_here=dataset.files,
        existing=(lambda f: (project.root / f).exists()) if own_store else None,
    ))
    return report
