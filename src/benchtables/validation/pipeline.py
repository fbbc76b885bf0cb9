"""The validation pipeline: read → check each record → check across records → check against the store.

Every way in runs this one sequence — ``benchtables validate`` in CI, ``build``,
:func:`benchtables.validate` and :func:`benchtables.validate_records` — so a number is judged
the same whichever door it comes through:

1. :mod:`~benchtables.validation.read` — entry files and bulk files into raw tables;
2. :mod:`~benchtables.validation.declarations` and :mod:`~benchtables.validation.records` —
   every declaration, then every record, checked on its own by one engine;
3. :mod:`~benchtables.validation.across` and :mod:`~benchtables.validation.physics` — the
   valid records pooled per kind and checked together;
4. :mod:`~benchtables.validation.against_store` — the store's declarations and records from
   other files joined in.

The result is a :class:`Run`: the :class:`~benchtables.problems.Report` (the first ``limit``
problems of each file, every one counted) and the valid rows, which ``build`` stores.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from benchtables.arrays import array_of, strings, take
from benchtables.kinds import RECORDS
from benchtables.problems import Problem, Report, Severity
from benchtables.registry import Registry
from benchtables.validation.across import (
    Across,
    Pool,
    check_disagreements,
    check_duplicates,
    check_fractions,
    check_no_where,
    check_quotes,
)
from benchtables.validation.against_store import store_declarations, store_rows
from benchtables.validation.declarations import Declared, Known, check_declarations
from benchtables.validation.physics import check_physics
from benchtables.validation.read import Inputs, Origin, Part, read_inputs
from benchtables.validation.records import CHUNK_ROWS, Checked, Context, Finding, check_table

__all__ = ["Run", "check", "run"]


@dataclass
class Run:
    """What one pass of the pipeline found, and the valid rows it leaves."""

    report: Report
    declared: Declared
    pools: dict[str, Pool]
    inputs: Inputs

    def record_tables(self) -> dict[str, pa.Table]:
        """The valid records of the files read, per kind (what ``build`` stores)."""
        out = {}
        for kind, pool in self.pools.items():
            new = pool.rows.filter(array_of(pool.new)) if not pool.new.all() else pool.rows
            out[kind] = new
        return out


# --------------------------------------------------------------------------- problems, capped per file


class _Collector:
    """Problems per file: every one counted, the first ``limit`` of each file kept (in reading order)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: dict[str, list[Problem]] = {}
        self.totals: Counter[tuple[str, Severity]] = Counter()

    def add(self, problem: Problem) -> None:
        file = problem.file or ""
        self.totals[(file, problem.severity)] += 1
        self.kept.setdefault(file, []).append(problem)

    def add_rows(self, rows: np.ndarray, file: str, severity: Severity, make: Callable[[int], Problem]) -> None:
        """Problems at ``rows`` (in order): all counted, only the first few worded."""
        self.totals[(file, severity)] += len(rows)
        for row in rows[: self.limit].tolist():
            self.kept.setdefault(file, []).append(make(row))

    def report(self, checked: int) -> Report:
        report = Report(checked=checked)
        for file, problems in self.kept.items():
            problems.sort(key=_order)
            shown = problems[: self.limit]
            report.extend(shown)
            errors = sum(1 for p in shown if p.is_error)
            report.omitted += self.totals[(file, Severity.ERROR)] - errors
            report.omitted_warnings += self.totals[(file, Severity.WARNING)] - (len(shown) - errors)
        return report


def _order(p: Problem) -> tuple[Any, ...]:
    return (p.line or 0, p.row or 0, p.column or 0, p.field or "", p.code, p.message)


def _describe(finding: Finding, row: int) -> tuple[str, str | None]:
    if finding.describe is None:
        return finding.code.replace("_", " "), None
    try:
        return finding.describe(row)
    except Exception as exc:
        return f"{finding.code.replace('_', ' ')} ({type(exc).__name__} while wording it)", None


def _step2_problems(collector: _Collector, part: Part, checked: Checked) -> None:
    origin = part.origin
    for code, column, message, hint in checked.schema:
        collector.add(origin.problem(Severity.ERROR, code, message, None, column, hint))
    for finding in checked.findings:
        mask = finding.mask
        if finding.field in part.reported:
            mask = mask & ~part.reported[finding.field]
        rows = np.flatnonzero(mask)

        def make(row: int, finding: Finding = finding) -> Problem:
            message, hint = _describe(finding, row)
            return origin.problem(finding.severity, finding.code, message, row, finding.field, hint,
                                  key=finding.code == "extra_forbidden")

        collector.add_rows(rows, origin.display, finding.severity, make)


def _step3_problems(collector: _Collector, pools: Mapping[str, Pool], found: Mapping[str, Across]) -> None:
    for kind, across in found.items():
        pool = pools[kind]
        for code, name, severity, rows, describe in across.items:
            rows = np.asarray(rows, dtype=np.int64)
            rows = rows[pool.part[rows] >= 0]
            for part in np.unique(pool.part[rows]).tolist():
                origin = pool.origins[part]
                here = rows[pool.part[rows] == part]
                here = here[np.argsort(pool.local[here], kind="stable")]

                def make(row: int, origin: Origin = origin, describe: Any = describe, name: Any = name,
                         code: str = code, severity: Severity = severity, pool: Pool = pool) -> Problem:
                    try:
                        message, hint = describe(row)
                    except Exception as exc:
                        message, hint = f"{code.replace('_', ' ')} ({type(exc).__name__} while wording it)", None
                    return origin.problem(severity, code, message, int(pool.local[row]), name, hint)

                collector.add_rows(here, origin.display, severity, make)


# --------------------------------------------------------------------------- pooling


def _constant(value: str | None, n: int) -> pa.Array:
    """One value for ``n`` rows, as a dictionary array (no copy of the text per row)."""
    if value is None:
        return pa.nulls(n, pa.string())
    return pa.DictionaryArray.from_arrays(array_of(np.zeros(n, dtype=np.int32)), strings([value]))


def _unify(tables: list[pa.Table]) -> pa.Table:
    """One chunked table from tables of one kind whose text columns may be plain or dictionary-encoded:
    each column takes the type it has in the largest table (small tables are cast to it)."""
    largest = max(tables, key=lambda t: t.num_rows)
    schema = largest.schema
    out = []
    for table in tables:
        columns = []
        for f in schema:
            column = table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            if column.type != f.type:
                column = column.cast(f.type) if not pa.types.is_dictionary(f.type) else \
                    column.cast(f.type.value_type).dictionary_encode()
                if pa.types.is_dictionary(column.type) and column.type != f.type:
                    column = column.cast(f.type)
            columns.append(column)
        out.append(pa.Table.from_arrays(columns, schema=schema))
    return pa.concat_tables(out) if len(out) > 1 else out[0]


def _pool(kind: str, parts: list[tuple[Part, Checked, str | None]], store: Any, skip_files: set[str]) -> Pool | None:
    """The valid rows of ``kind`` from every part, and the store's rows for the same models."""
    table = RECORDS[kind]
    tables: list[pa.Table] = []
    part_index: list[np.ndarray] = []
    local: list[np.ndarray] = []
    origins: list[Origin] = []
    for part, checked, source in parts:
        if checked.schema:
            continue
        valid = np.flatnonzero(checked.valid)
        if not len(valid):
            continue
        rows = checked.rows if len(valid) == checked.rows.num_rows else take(checked.rows, valid)
        if part.origin.doc is not None:
            if source is None:
                continue  # the file's source has errors (reported there): its records go nowhere
            rows = rows.drop_columns([c for c in ("source",) if c in rows.column_names])
            rows = rows.append_column("source", _constant(source, rows.num_rows))
        rows = rows.append_column("file", _constant(part.origin.file, rows.num_rows))
        tables.append(rows)
        part_index.append(np.full(rows.num_rows, len(origins), dtype=np.int32))
        local.append(valid.astype(np.int64))
        origins.append(part.origin)
    if store is not None and tables:
        import pyarrow.compute as pc

        # the models named, from each chunk's distinct values (a dictionary's, not a copy of the text per row)
        models = pc.unique(pa.concat_arrays([pc.unique(chunk).cast(pa.string()) for t in tables
                                             for chunk in t["model"].chunks]))
        columns = [*table.names, "source", "file"]
        others = store_rows(store, kind, models, skip_files, columns)
        if others.num_rows:  # first: a new row repeating one the store has is the one reported
            tables.insert(0, others)
            part_index.insert(0, np.full(others.num_rows, -1, dtype=np.int32))
            local.insert(0, np.arange(others.num_rows, dtype=np.int64))
    if not tables:
        return None
    return Pool(table, _unify(tables), np.concatenate(part_index), np.concatenate(local), origins)


def _store_parameters(known: Known) -> dict[str, float]:
    """The parameters the store's models are declared with (from files not being read)."""
    if known.models is None or "parameters" not in known.models.column_names:
        return {}
    rows = known.models.select(["id", "parameters"]).to_pylist()
    return {r["id"]: r["parameters"] for r in rows if r["parameters"] is not None}


def _store_pool(kind: str, models: pa.ChunkedArray, store: Any, skip_files: set[str]) -> Pool | None:
    """A pool of only the store's rows of ``kind`` for ``models`` (none of the files read has such rows)."""
    import pyarrow.compute as pc

    columns = [*RECORDS[kind].names, "source", "file"]
    rows = store_rows(store, kind, pc.unique(models.combine_chunks().cast(pa.string())), skip_files, columns)
    if not rows.num_rows:
        return None
    return Pool(RECORDS[kind], rows, np.full(rows.num_rows, -1, dtype=np.int32), np.arange(rows.num_rows), [])


# --------------------------------------------------------------------------- the pipeline


def _progress(total: int, enabled: bool | None) -> Any:
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    if not enabled or total <= CHUNK_ROWS:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="rows", unit_scale=True, desc="validating", file=sys.stderr, leave=False)


def run(paths: Iterable[Path | str], *, registry: Registry, name_file: Callable[[Path], str],
        root: Path | None = None, store: Any = None, existing: Callable[[str], bool] | None = None,
        kind: str | None = None, limit: int = 50, progress: bool | None = None,
        extra_problems: Iterable[Problem] = (), context: Known | None = None) -> Run:
    """Read and check ``paths`` (files or directories), and return what was found and what is valid.

    Args:
        paths: entry files, bulk files, directories.
        registry: benchmarks and metrics records may name.
        name_file: ``path -> str`` naming files the way the store does.
        root: the project root (files under it that link outside it are refused).
        store: a :class:`~benchtables.store.Store` to check against (step 4), or None.
        existing: ``file -> bool``: whether a file the store names still exists (None: not asked).
        kind: the record kind of every bulk file (default: from metadata or name).
        limit: problems kept per file (all are counted).
        progress: progress bars for large files (default: on a terminal, not in CI).
        extra_problems: problems found before (the project's registry file).
        context: declarations of files not being checked that count as declared.
    """
    inputs = read_inputs(paths, name_file=name_file, root=root, kind=kind)
    return check(inputs, registry=registry, store=store, existing=existing, limit=limit, progress=progress,
                 extra_problems=extra_problems, context=context)


def check(inputs: Inputs, *, registry: Registry, store: Any = None, existing: Callable[[str], bool] | None = None,
          limit: int = 50, progress: bool | None = None, extra_problems: Iterable[Problem] = (),
          context: Known | None = None, sources_named: bool = True) -> Run:
    """Steps 2 to 4 on what step 1 read (see :func:`run`); ``context``: declarations of other
    files that count as declared (and replace the store's for those files); ``sources_named``:
    whether bulk rows must name a declared source (records checked before they have one do not)."""
    collector = _Collector(limit)
    for problem in [*extra_problems, *inputs.problems]:
        collector.add(problem)
    known, deleted, store_problems = store_declarations(store, inputs.files, existing)
    if context is not None:
        known = known.joined(context)
    for problem in store_problems:
        collector.add(problem)
    declared = check_declarations(inputs, registry, known)
    for part, checked in declared.checked:
        _step2_problems(collector, part, checked)
    for problem in declared.problems:
        collector.add(problem)
    ctx = Context(registry, declared.index, sources=frozenset(declared.source_ids) if sources_named else None,
                  rejected_models=frozenset(declared.rejected_models), source_suites=declared.source_suites)
    entry_ctx = Context(registry, declared.index, None, ctx.rejected_models, declared.source_suites)
    by_kind: dict[str, list[tuple[Part, Checked, str | None]]] = {k: [] for k in RECORDS}
    bar = _progress(sum(p.raw.num_rows for p in inputs.records), progress)
    for part in inputs.records:
        yaml = part.origin.doc is not None
        source = declared.file_source.get(part.origin.file) if yaml else None
        raw = part.raw
        if yaml and source is not None and "source" not in raw.column_names:
            raw = raw.append_column("source", _constant(source, raw.num_rows))  # the file's source, for its suite
        checked = check_table(part.table, raw, entry_ctx if yaml else ctx)
        if bar is not None:
            bar.update(part.raw.num_rows)
        _step2_problems(collector, part, checked)
        by_kind[part.table.name].append((part, checked, source))
    if bar is not None:
        bar.close()
    skip = set(inputs.files) | deleted
    pools = {k: p for k, parts in by_kind.items() if (p := _pool(k, parts, store, skip)) is not None}
    found = {k: Across() for k in pools}
    for kind_name, pool in pools.items():
        check_duplicates(pool, found[kind_name])
        check_disagreements(pool, found[kind_name])
        check_quotes(pool, found[kind_name])
        check_no_where(pool, declared.paper_sources, found[kind_name])
    if "scores" in pools:
        check_fractions(pools["scores"], registry, found["scores"])
    if "utilization" in pools and "training" not in pools and store is not None:
        # the utilisation physics needs the training runs the store has of those models
        training = _store_pool("training", pools["utilization"].rows["model"], store, skip)
        if training is not None:
            pools["training"] = training
            found["training"] = Across()
    check_physics(pools, registry, declared.active, found, {**_store_parameters(known), **declared.parameters})
    _step3_problems(collector, pools, found)
    report = collector.report(inputs.checked)
    return Run(report, declared, pools, inputs)
