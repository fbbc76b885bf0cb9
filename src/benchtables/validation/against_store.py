"""Step 4 of validation: the files being read against the store built from the others.

A leaderboard repository validates one new entry file against everything already built:

* sources and models the store holds from other files count as declared (and their
  declarations are compared with new ones, :mod:`benchtables.validation.declarations`);
* the store's records of the same models join the pools of step 3, so a number the store
  already has is a duplicate, and another source's different number a disagreement;
* ``deleted_file`` — the store still has records from an entry file that no longer exists.

Store rows from the files being read are left out: those files' current contents replace them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import FALSE, array_of, strings
from benchtables.errors import StoreError
from benchtables.kinds import RECORDS
from benchtables.problems import Problem, Severity
from benchtables.validation.declarations import Known

__all__ = ["store_declarations", "store_rows"]


def _files_of(store: Any) -> set[str]:
    files: set[str] = set()
    for kind in RECORDS:
        column = store.scan(kind, ["file"])["file"]
        files.update(f for f in pc.unique(column.combine_chunks()).to_pylist() if f)
    files.update(f for f in store.table("sources", ["file"])["file"].to_pylist() if f)
    return files


def store_declarations(store: Any, read_here: Iterable[str],
                       existing: Callable[[str], bool] | None) -> tuple[Known, set[str], list[Problem]]:
    """The store's sources and models from files not being read (nor deleted), the files that are
    gone, and a ``deleted_file`` warning for each of them."""
    if store is None:
        return Known(), set(), []
    read = set(read_here)
    try:
        files = _files_of(store) if existing is not None else set()
        sources = store.table("sources")
        models = store.table("models")
    except StoreError:
        return Known(), set(), []
    deleted = {f for f in files if f not in read and existing is not None and not existing(f)}
    problems = [Problem(Severity.WARNING, "deleted_file", "the store still has records from this file, which no "
                        "longer exists", file=f, hint="run `benchtables build` to drop them") for f in sorted(deleted)]
    gone = strings(sorted(read | deleted))
    sources = sources.filter(pc.invert(pc.fill_null(pc.is_in(sources["file"], value_set=gone), FALSE)))
    if models.num_rows:
        # a model stays if a file that still exists and is not being read declares it
        declared = models["declared_in"].combine_chunks()
        flat = pc.list_flatten(declared)
        parents = pc.list_parent_indices(declared)
        keep_flat = pc.invert(pc.is_in(flat, value_set=gone))
        kept_parents = pc.unique(parents.filter(keep_flat))
        mask = pc.is_in(array_of(np.arange(models.num_rows, dtype=np.int64)), value_set=kept_parents.cast(pa.int64()))
        models = models.filter(mask)
    return Known(sources, models), deleted, problems


def store_rows(store: Any, kind: str, models: pa.Array, skip_files: set[str], columns: list[str]) -> pa.Table:
    """The store's rows of ``kind`` for ``models`` (ids), leaving out rows from ``skip_files``."""
    if store is None or not len(models):
        return pa.table({c: strings([]) for c in columns})
    wanted = sorted(set(models.to_pylist()) - {None})
    rows = store.scan(kind, None, where={"model": wanted})
    if skip_files and rows.num_rows:
        keep = pc.invert(pc.fill_null(pc.is_in(rows["file"], value_set=strings(sorted(skip_files))), FALSE))
        rows = rows.filter(keep)
    return rows.select([c for c in columns if c in rows.column_names])
