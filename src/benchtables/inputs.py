"""Everything a ``validate`` or ``build`` run reads: entry files and bulk files, checked together.

Entry files (YAML) declare sources and models and hold reviewed records; bulk files
(Parquet/CSV/Arrow, :mod:`benchtables.bulk`) hold records by the million and name the
sources and models the entry files (or the store) declare. Both are checked by the same
rules, and no record key may appear twice across them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from benchtables.bulk import BulkFile, check_bulk, cross_duplicates, find_bulk, is_bulk
from benchtables.entries import Dataset, Known, ValidationContext, display_path, read_entries
from benchtables.problems import Report
from benchtables.registry import Registry
from benchtables.schemas import RECORD_KINDS

__all__ = ["Inputs", "read_inputs"]


@dataclass
class Inputs:
    """What the entry and bulk files hold, and every problem found in them."""

    dataset: Dataset
    bulk: list[BulkFile] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    @property
    def files(self) -> list[str]:
        """Every file read, as the store names them."""
        return [*self.dataset.files, *(f.name for f in self.bulk)]

    def bulk_tables(self) -> dict[str, list[pa.Table]]:
        """The valid rows of the bulk files, by record kind."""
        return {kind: [f.valid_rows() for f in self.bulk if f.kind == kind] for kind in RECORD_KINDS}


def read_inputs(paths: Iterable[Path | str], registry: Registry, *, project_relative: Callable[[Path], str] | None = None,
                known: Known | None = None, store: Any = None, kind: str | None = None, limit: int = 50,
                progress: bool | None = None, existing: Callable[[str], bool] | None = None) -> Inputs:
    """Read and validate entry files and bulk files.

    Args:
        paths: files, or directories to search for ``*.yaml`` and bulk files.
        registry: benchmarks and metrics records may name.
        project_relative: ``path -> str`` naming files the way the store does.
        known: sources and models already in a store.
        store: a :class:`~benchtables.store.Store` whose rows bulk rows must not repeat
            (rows from the files read here excepted); None to skip.
        kind: the record kind of every bulk file (default: from metadata or file name).
        limit: problems kept per bulk file (all are counted).
        progress: progress bars for large bulk files (default: on a terminal, not in CI).
        existing: ``file -> bool``, whether a file the store names still exists; rows of
            files that do not (renamed or deleted) are not compared with.
    """
    paths = [Path(p) for p in paths]
    known = known or Known()
    name_file = project_relative or (lambda p: Path(p).as_posix())
    dataset, report = read_entries([p for p in paths if p.is_dir() or not is_bulk(p)], registry,
                                   project_relative=project_relative, known=known)
    bulk_paths = find_bulk(paths)
    if not bulk_paths:
        return Inputs(dataset, [], report)
    ctx = ValidationContext(registry, dataset.model_index())
    sources = set(dataset.sources) | set(known.sources)
    bulk, bulk_report = check_bulk(bulk_paths, ctx, sources, name_file=name_file, display=display_path, kind=kind,
                                   limit=limit, progress=progress)
    report.merge(bulk_report)
    read_here = {*dataset.files, *(f.name for f in bulk)}
    for record_kind, cls in RECORD_KINDS.items():
        if not any(f.kind == record_kind for f in bulk):
            continue
        columns = [*cls.KEY, "file"]
        earlier = [pa.Table.from_pylist([{c: loc.values.get(c) for c in columns}
                                         for loc in dataset.records[record_kind]])]
        if store is not None:
            rows = store.table(record_kind, columns)
            files = pc.unique(rows["file"]).to_pylist()
            gone = {f for f in files if f is not None and existing is not None and not existing(f)}
            others = pc.invert(pc.is_in(rows["file"], value_set=pa.array(sorted(read_here | gone), pa.string())))
            earlier.insert(0, rows.filter(others))
        report.merge(cross_duplicates(record_kind, earlier, bulk, limit))
    _cap(report, [f.display for f in bulk], limit)
    return Inputs(dataset, bulk, report)


def _cap(report: Report, files: list[str], limit: int) -> None:
    """Keep the first ``limit`` row problems of each bulk file (checks of the file and across files together)."""
    for file in files:
        rows = sorted((p for p in report.problems if p.file == file and p.row is not None), key=lambda p: p.row or 0)
        extra = {id(p) for p in rows[limit:]}
        if extra:
            report.problems = [p for p in report.problems if id(p) not in extra]
            report.omitted += len(extra)
