"""Bulk record files: Parquet, CSV or Arrow tables of records, beside the YAML entry files.

An imported evaluation suite (every model × benchmark × setting, per-subject MMLU, per-step
sampling sweeps) is millions of rows; nobody reviews it as YAML. A bulk file holds records of
one kind — its columns are the record's fields plus ``source``, the id of a source declared
in an entry file or the store — and is validated by the columnar validator
(:mod:`benchtables.columnar`), which applies the same rules as the entry-file path.

Which kind a file holds: ``--kind``, else the ``benchtables.table`` metadata a store table
carries, else the file name (``scores.parquet``, ``scores-lm-eval.csv``).

Across files, a bulk row whose key an entry file, an earlier bulk file or (when
validating) the store already holds is an error at that row. Of the warnings entry files
get, bulk files get the one that matters most for harness output — a percent metric given as
fractions — per file; the others compare records one by one and are not run on bulk rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import numpy_of
from benchtables.columnar import ColumnarResult, key_hashes, repeated_keys, table_keys, validate_table
from benchtables.errors import FormatError, UsageError
from benchtables.problems import Problem, Report, Severity
from benchtables.rules import Context
from benchtables.schemas import RECORD_KINDS

__all__ = ["BULK_SUFFIXES", "BulkFile", "bulk_kind", "check_bulk", "cross_duplicates", "find_bulk", "is_bulk", "read_bulk"]

BULK_SUFFIXES = (".parquet", ".csv", ".arrow", ".feather", ".ipc")


def is_bulk(path: Path | str) -> bool:
    return Path(path).suffix.lower() in BULK_SUFFIXES


def find_bulk(paths: Iterable[Path | str]) -> list[Path]:
    """Bulk files among ``paths``: files as given, directories searched."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if is_bulk(f) and f.is_file()))
        elif is_bulk(p):
            found.append(p)
    return found


def read_bulk(path: Path | str) -> pa.Table:
    """Records from a Parquet, CSV or Arrow/Feather file; FormatError if it cannot be read.

    Text columns of Parquet files are read dictionary-encoded: ids repeat, and the
    validator works on distinct values. CSV columns are all read as text (a CSV file has no
    types; guessing them would turn one stray cell into an error about the whole column), and
    empty cells are missing values; the validator reads numbers and flags row by row.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in BULK_SUFFIXES:
        raise UsageError(f"{path.name}: bulk inputs are {', '.join(BULK_SUFFIXES)} files")
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            strings = [f.name for f in pq.read_schema(path) if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
            table = pq.ParquetFile(path, read_dictionary=strings).read()
            pa.default_memory_pool().release_unused()  # the reader's buffers, before validation needs memory
            return table
        if suffix == ".csv":
            import csv

            import pyarrow.csv as pacsv

            with open(path, encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), [])
            convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in header},
                                           null_values=[""], strings_can_be_null=True)
            return pacsv.read_csv(path, convert_options=convert)
        import pyarrow.feather as feather

        return feather.read_table(path)
    except (pa.ArrowException, OSError, UnicodeDecodeError, csv_error()) as exc:
        raise FormatError(f"cannot read {path.name} as {suffix[1:]}: {exc} (is the file complete?)") from None


def csv_error() -> type[Exception]:
    import csv

    return csv.Error


def bulk_kind(path: Path | str, table: pa.Table, kind: str | None = None) -> str:
    """The record kind of a bulk file: given, from its metadata, or from its name."""
    if kind is not None:
        if kind not in RECORD_KINDS:
            raise UsageError(f"unknown record kind {kind!r}; kinds: {', '.join(RECORD_KINDS)}")
        return kind
    meta = (table.schema.metadata or {}).get(b"benchtables.table", b"").decode()
    if meta in RECORD_KINDS:
        return meta
    name = Path(path).name.lower()
    for candidate in RECORD_KINDS:
        if name.startswith(candidate):
            return candidate
    if name.startswith(("model", "source")):
        raise UsageError(f"{Path(path).name}: bulk files hold records ({', '.join(RECORD_KINDS)}); "
                         "declare models and sources in an entry file (YAML)")
    raise UsageError(f"{Path(path).name}: say which records it holds: name it scores-{Path(path).stem}{Path(path).suffix} "
                     f"(or training-, utilization-, sampling-…), or pass --kind to validate")


@dataclass
class BulkFile:
    """A bulk file and what validating it found."""

    path: Path
    name: str  #: how the store names the file (project-relative)
    display: str  #: how messages name it
    kind: str
    result: ColumnarResult

    def valid_rows(self) -> pa.Table:
        """The valid rows, canonical, with the file's name in a ``file`` column."""
        table = self.result.table.filter(pa.array(self.result.valid))
        here = pa.array(np.full(table.num_rows, self.name, dtype=object), pa.string())
        if "file" in table.column_names:  # a store table fed back: its rows now come from this file
            return table.set_column(table.column_names.index("file"), "file", here)
        return table.append_column("file", here)


def _one_line_per_row(path: Path, rows: int) -> bool:
    """Whether a CSV file is a header line and one line per row (no quoted line breaks), so that
    row N is line N + 1 — which GitHub annotations need to point at the row."""
    newlines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    return newlines + (last != b"\n") == rows + 1


def check_bulk(paths: Sequence[Path], ctx: Context, sources: set[str], *, name_file: Callable[[Path], str],
               display: Callable[[Path], str], kind: str | None = None, limit: int = 50,
               progress: bool | None = None) -> tuple[list[BulkFile], Report]:
    """Read and validate bulk files; problems carry 1-based row numbers, the first ``limit`` per file.

    Args:
        paths: bulk files.
        ctx: the registry and the models rows may name.
        sources: the source ids rows may name.
        name_file, display: how the store and messages name a file.
        kind: the record kind of every file (default: from metadata or the name).
        limit: problems kept per file; the report counts the rest in ``omitted``.
        progress: progress bars (default: on a terminal, not in CI).
    """
    report = Report()
    files = []
    for path in paths:
        report.checked += 1
        shown = display(path)
        try:
            table = read_bulk(path)
            file_kind = bulk_kind(path, table, kind)
        except (FormatError, UsageError) as exc:
            report.add(Problem(Severity.ERROR, "bulk_file", str(exc), file=shown))
            continue
        is_csv = Path(path).suffix.lower() == ".csv"
        result = validate_table(table, file_kind, ctx, file=shown, limit=limit, sources=sources, progress=progress,
                                text_values=is_csv)
        if is_csv and result.problems and _one_line_per_row(Path(path), table.num_rows):
            result.problems = [p.at(line=p.row + 1) if p.row is not None else p for p in result.problems]
        report.extend(result.problems)
        report.omitted += result.total - len(result.problems)
        if table.num_rows == 0:
            report.add(Problem(Severity.WARNING, "empty_file", "the file has no rows", file=shown))
        report.extend(fraction_warnings(result, ctx, shown))
        files.append(BulkFile(path, name_file(path), shown, file_kind, result))
    return files, report


#: Percent fields of each record kind, with the field naming their metric (None: the field is the metric).
_PERCENT_FIELDS = {"scores": (("value", "metric"),), "utilization": (("mfu", None), ("hfu", None))}


def fraction_warnings(result: ColumnarResult, ctx: Context, file: str) -> list[Problem]:
    """A percent metric whose values in the file are all ≤ 1: fractions (0.578) where percents (57.8) belong.

    Evaluation harnesses report accuracy as a fraction; one file of them would otherwise
    enter the store as numbers a hundred times too small.
    """
    out = []
    table = result.table
    for field, metric_field in _PERCENT_FIELDS.get(result.kind, ()):
        if field not in table.column_names or not result.valid.any():
            continue
        values = numpy_of(pc.cast(table[field], pa.float64()))
        given = result.valid & ~np.isnan(values)
        if metric_field is None:  # mfu, hfu: the field is its own metric
            selections = [(field, given)]
        else:
            ids = [m for m in pc.unique(table[metric_field]).to_pylist() if m is not None]
            selections = [(m, given & numpy_of(pc.fill_null(pc.equal(table[metric_field], m), False))) for m in ids]
        groups = [(m, float(values[rows].max()) if rows.any() else None, int(rows.sum())) for m, rows in selections]
        for metric_id, largest, count in groups:
            metric = ctx.registry.metrics.get(metric_id or "")
            if metric is None or not metric.is_percent or largest is None or count == 0 or largest > 1:
                continue
            out.append(Problem(Severity.WARNING, "fraction_as_percent",
                               f"all {count} {metric.name} values in {field} are at most 1, but {metric.name} is a "
                               "percentage (0–100)", file=file, field=field,
                               hint="multiply by 100 if these are fractions"))
    return out


def cross_duplicates(kind: str, earlier: Sequence[pa.Table], files: Sequence[BulkFile], limit: int = 50) -> Report:
    """Bulk rows whose key a row of ``earlier`` (entry-file records, the store) or an earlier bulk file holds.

    ``earlier`` tables have the record key columns and ``file``. Keys are compared by their
    hashes, which the validator already computed for bulk rows, so no table is copied or decoded.
    """
    report = Report()
    mine = [f for f in files if f.kind == kind]
    earlier = [t for t in earlier if t.num_rows]
    if not mine or (not earlier and len(mine) < 2):
        return report  # repeats inside one file are the validator's
    key = list(RECORD_KINDS[kind].KEY)
    tables = [*earlier, *(f.result.table for f in mine)]
    hashes = np.concatenate([*(key_hashes(t, key) for t in earlier), *(f.result.hashes for f in mine)])
    candidates = np.concatenate([*(np.ones(t.num_rows, dtype=bool) for t in earlier), *(f.result.valid for f in mine)])
    starts = np.cumsum([0, *(t.num_rows for t in tables)])

    def part_of(row: int) -> tuple[int, int]:
        part = int(np.searchsorted(starts, row, side="right")) - 1
        return part, row - int(starts[part])

    def keys(rows: np.ndarray) -> list[tuple[object, ...]]:
        parts = np.searchsorted(starts, rows, side="right") - 1
        out: list[tuple[object, ...]] = [()] * len(rows)
        for part in np.unique(parts).tolist():
            at = np.flatnonzero(parts == part)
            for i, k in zip(at.tolist(), table_keys(tables[part], key)(rows[at] - starts[part]), strict=True):
                out[i] = k
        return out

    previous = repeated_keys(hashes, candidates, keys)
    for index, f in enumerate(mine, start=len(earlier)):
        found = np.flatnonzero(previous[starts[index]:starts[index + 1]] >= 0)
        for row in found[:limit].tolist():
            part, local = part_of(int(previous[starts[index] + row]))
            where = (f"{mine[part - len(earlier)].display}: row {local + 1}" if part >= len(earlier)
                     else str(tables[part]["file"][local].as_py()))
            report.add(Problem(Severity.ERROR, "duplicate_record", f"the same {kind} record as {where}",
                               file=f.display, row=row + 1, hint="one number, one record"))
        report.omitted += max(0, len(found) - limit)
    return report
