"""Step 3 of validation: checks across records — the mistakes no single record shows.

The records of every file being read (and, for step 4, the store's records from other files)
are pooled per kind, and checked together by sorting and grouping, so the cost grows as
n log n in rows:

Errors:
  * ``duplicate_record`` — one number twice: the same key, or the same number with only its
    ``where`` (or notes, quote) different;
Warnings (a person should look; nothing is necessarily wrong):
  * ``disagreement`` — two reports of the same number (same model and setting, from one
    source or two) whose values differ by more than their written precision explains;
  * ``fraction_as_percent`` — a percent metric given as a fraction;
  * ``quote_mismatch`` — a record's ``quote`` does not contain its value;
  * ``no_where`` — a number from a paper that does not say where in the paper it stands.

**The one tolerance rule.** A number is written to some precision: ``67.6`` means 67.55–67.65,
``1.4T`` means 1.35T–1.45T (for large numbers, trailing zeros are not significant), ``7`` means
6.5–7.5. Two reports disagree when their values are further apart than half their two units
together: 67.5 and 67.6 disagree (a paper's abstract and its Table 6), 60 and 60.4 do not.
The same rule serves every record kind and both one source and two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import FALSE, codes_of, numpy_of, strings, take
from benchtables.errors import QuantityError
from benchtables.problems import Severity
from benchtables.registry import Registry
from benchtables.spec import Number, Table
from benchtables.units import Kind, format_compute, format_number, parse_quantity
from benchtables.validation.keys import key_hashes, repeated_hashes, repeated_keys, table_keys
from benchtables.validation.read import Origin

__all__ = ["Across", "Pool", "disagreeing", "precision_units"]


@dataclass
class Pool:
    """Valid records of one kind from every file being read, and the store's from other files."""

    table: Table
    rows: pa.Table  #: canonical rows: the table's fields, ``source`` and ``file``
    part: np.ndarray  #: each row's file (an index into ``origins``); -1 for a store row
    local: np.ndarray  #: each row's number in its file
    origins: list[Origin]
    #: rows found to repeat another (duplicate_record): not compared again as disagreements
    repeated: np.ndarray | None = None
    _identity: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def new(self) -> np.ndarray:
        """Rows of the files being read (the ones problems are reported for)."""
        return self.part >= 0

    def hashes(self, columns: Sequence[str]) -> np.ndarray:
        """:func:`key_hashes` of the rows. A key and a number both start with the table's identity
        columns: their hashes are computed once and carried on from."""
        identity = list(self.table.identity)
        if list(columns[:len(identity)]) != identity:
            return key_hashes(self.rows, columns)
        if self._identity is None:
            self._identity = key_hashes(self.rows, identity)
        return key_hashes(self.rows, columns[len(identity):], start=self._identity)

    def column(self, name: str) -> list[Any]:
        return cast(list[Any], self.rows[name].to_pylist())

    def value(self, name: str, row: int) -> Any:
        return self.rows[name][row].as_py()

    def place(self, row: int) -> str:
        """Where a row stands, for a message: ``hoffmann2022chinchilla at data/entries/x.yaml:12``."""
        source = self.value("source", row)
        part = int(self.part[row])
        if part >= 0:
            problem = self.origins[part].problem(Severity.WARNING, "", "", int(self.local[row]), None)
            line = f":{problem.line}" if problem.line else f": row {problem.row}" if problem.row else ""
            return f"{source} at {problem.file}{line}"
        where = self.value("where", row)
        file = self.value("file", row)
        return f"{source} ({where}; {file})" if where else f"{source} ({file})"


@dataclass
class Across:
    """Findings over pool rows: (code, field, severity, rows, describe)."""

    items: list[tuple[str, str | None, Severity, np.ndarray, Callable[[int], tuple[str, str | None]]]] = \
        field(default_factory=list)

    def add(self, code: str, name: str | None, severity: Severity, rows: np.ndarray,
            describe: Callable[[int], tuple[str, str | None]]) -> None:
        if len(rows):
            self.items.append((code, name, severity, rows, describe))


# --------------------------------------------------------------------------- duplicates


def check_duplicates(pool: Pool, found: Across) -> None:
    """One number, one record: the same key twice, or the same number at another ``where``."""
    table = pool.table
    n = pool.rows.num_rows
    if n < 2:
        return
    what = table.name[:-1] if table.name.endswith("s") else table.name
    everyone = np.ones(n, dtype=bool)
    key = list(table.key)
    earlier = repeated_keys(pool.hashes(key), everyone, table_keys(pool.rows, key))
    same_key = np.flatnonzero((earlier >= 0) & pool.new)
    found.add("duplicate_record", None, Severity.ERROR, same_key, lambda r: (
        f"the same {what} record as {pool.place(int(earlier[r]))} ({_shown_key(pool, r)})",
        "one number per record; if the source gives two different numbers here, give each its where"))
    # the same number with only its place (where, notes, quote) different
    number = [k for k in key if k not in table.place] + [f.name for f in table.fields if f.name not in key
                                                          and f.name not in table.place]
    candidates = earlier < 0
    again = repeated_keys(pool.hashes(number), candidates, table_keys(pool.rows, number))
    moved = np.flatnonzero((again >= 0) & pool.new)
    pool.repeated = (earlier >= 0) | (again >= 0)
    found.add("duplicate_record", None, Severity.ERROR, moved, lambda r: (
        f"the same {what} number as {pool.place(int(again[r]))} ({_shown_key(pool, r)}), only its where differs",
        "one number, one record: keep one (imported twice?)"))


def _shown_key(pool: Pool, row: int) -> str:
    return ", ".join(f"{k}={v}" for k in pool.table.key if k not in ("source", "where")
                     and (v := pool.value(k, row)) is not None and v is not False)


# --------------------------------------------------------------------------- disagreements


def precision_units(values: np.ndarray) -> np.ndarray:
    """The unit of the last digit each value is written to (see the module's tolerance rule).

    Below 10,000 a value's decimals count (``60.0`` is written to units, ``67.6`` to tenths);
    from 10,000 on its significant digits, trailing zeros not counted (``1.4e12`` is written to
    1e11). Vectorised: a few passes of rounding over the array.
    """
    v = np.asarray(values, dtype=float)
    out = np.full(len(v), np.nan)
    magnitude = np.abs(v)
    finite = np.isfinite(v)
    small = finite & (magnitude < 1e4)
    large = finite & ~small
    decimals = np.full(len(v), -1)
    with np.errstate(invalid="ignore", over="ignore"):
        for d in range(13):
            hit = small & (decimals < 0) & (np.abs(np.round(v, d) - v) <= 1e-9 * np.maximum(1.0, magnitude))
            decimals[hit] = d
        decimals[small & (decimals < 0)] = 12
        out[small] = 10.0 ** -decimals[small]
        exponent = np.floor(np.log10(np.where(large, magnitude, 1.0)))
        digits = np.full(len(v), -1)
        for s in range(1, 16):
            scale = 10.0 ** (exponent - s + 1)
            hit = large & (digits < 0) & (np.abs(np.round(v / scale) * scale - v) <= 1e-12 * magnitude)
            digits[hit] = s
        digits[large & (digits < 0)] = 15
        out[large] = 10.0 ** (exponent[large] - digits[large] + 1)
    return out


def disagreeing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether values ``a`` and ``b`` disagree beyond what rounding to their written precision explains."""
    ua, ub = precision_units(a), precision_units(b)
    limit = (ua + ub) / 2
    with np.errstate(invalid="ignore"):
        return cast(np.ndarray, np.abs(a - b) >= limit * (1 - 1e-9))


def _reported_again(ids: np.ndarray, repeated: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose identity ``ids`` another row shares (rows ``repeated`` left out), in groups
    of one identity each in pool order, and each row's group number (0, 1, …).

    Sorting the hashes finds the identities reported twice; only their rows are then ordered, so
    the cost of a table where few numbers repeat is one sort, not an ordering of every row.
    """
    compared = np.flatnonzero(~repeated) if repeated is not None else None
    candidates = ids[compared] if compared is not None else ids
    twice = repeated_hashes(candidates)
    if not len(twice):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    few = len(twice) * 8 < len(candidates)  # few repeat: order only their rows; else every row
    at = np.flatnonzero(np.isin(candidates, twice)) if few else np.arange(len(candidates))
    rows = compared[at] if compared is not None else at
    order = np.argsort(ids[rows], kind="stable")  # rows ascend, so each group stays in pool order
    rows, group_ids = rows[order], ids[rows][order]
    starts = np.r_[True, group_ids[1:] != group_ids[:-1]]
    sizes = np.diff(np.r_[np.flatnonzero(starts), len(rows)])
    shared = np.repeat(sizes > 1, sizes)  # rows whose identity another row shares
    groups = np.cumsum(starts) - 1
    return rows[shared], groups[shared]


def check_disagreements(pool: Pool, found: Across) -> None:
    """Reports of the same number (same identity) whose values disagree (see the tolerance rule).

    A later report is compared with the first report of its number (the store's rows come
    first, then the files in the order read), so each disagreement is told once, where it was
    added.
    """
    table = pool.table
    n = pool.rows.num_rows
    if n < 2 or not table.compared:
        return
    rows_in, groups = _reported_again(pool.hashes(list(table.identity)), pool.repeated)
    if not len(rows_in):
        return
    for name in table.compared:
        values = numpy_of(pc.cast(take(pool.rows[name], rows_in).combine_chunks(), pa.float64(), safe=False))
        have = ~np.isnan(values)
        if have.sum() < 2:
            continue
        rows_f, groups_f, values_f = rows_in[have], groups[have], values[have]
        # each later report against the first of its group (pool order: the store's, then files as read),
        # so a pair that disagrees is reported once, on the later row
        first = np.r_[True, groups_f[1:] != groups_f[:-1]]
        reference = np.maximum.accumulate(np.where(first, np.arange(len(values_f)), 0))
        against = ~first & (values_f != values_f[reference])
        against[against] = disagreeing(values_f[against], values_f[reference][against])
        other = np.where(against, rows_f[reference], -1)
        flagged = (other >= 0) & pool.new[rows_f]
        if not flagged.any():
            continue
        partner = dict(zip(rows_f[flagged].tolist(), other[flagged].tolist(), strict=True))
        found.add("disagreement", name, Severity.WARNING, rows_f[flagged],
                  lambda r, name=name, partner=partner: _disagreement(pool, name, r, partner[r]))  # type: ignore[misc]


def _disagreement(pool: Pool, name: str, row: int, other: int) -> tuple[str, str | None]:
    mine, theirs = pool.value(name, row), pool.value(name, other)
    same = pool.value("source", row) == pool.value("source", other)
    hint = ("check both, and keep both if " + ("the source states both (its where says where)" if same
                                                else "both sources say so"))
    if name == "tokens" and 0.65 <= min(mine, theirs) / max(mine, theirs) <= 0.85:
        hint = "the smaller count looks like words, not tokens (about 0.75 words per token)"
    return f"{name} is {_qualified(pool, name, row)} here but {_qualified(pool, name, other)} in {pool.place(other)}", hint


def _qualified(pool: Pool, name: str, row: int) -> str:
    """A value as written: ``≈7``, ``>100B`` (its qualifier kept)."""
    text = _num(pool.value(name, row))
    marks = pool.value("qualifiers", row) if "qualifiers" in pool.rows.column_names else None
    for mark in marks or []:
        if mark.startswith(name) and mark[len(name):] in _SHOWN_QUALIFIERS:
            return _SHOWN_QUALIFIERS[mark[len(name):]] + text
    return text


_SHOWN_QUALIFIERS = {"~": "≈", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def _num(value: float) -> str:
    return format_compute(value) if abs(value) >= 1e6 else format_number(value, 4)


# --------------------------------------------------------------------------- scales


def check_fractions(pool: Pool, registry: Registry, found: Across) -> None:
    """A percent metric given as a fraction: a value below 1 where the metric's other values
    (the store's too) have a median of 10 or more; or every value of a file at most 1."""
    if pool.table.name != "scores" or pool.rows.num_rows == 0:
        return
    percent = [m.id for m in registry.metrics.values() if m.is_percent]
    rows = pool.rows.select(["benchmark", "metric", "value", "file"])
    is_percent = numpy_of(pc.fill_null(pc.is_in(rows["metric"], value_set=strings(percent)), FALSE))
    values = numpy_of(pc.cast(rows["value"], pa.float64(), safe=False))
    small = is_percent & (values > 0) & (values < 1) & pool.new
    if not small.any():
        return
    # a file (or section) whose every value of a percent metric is below 1: one warning for the file
    group = _codes(rows["file"]) * (len(percent) + 1) + _codes(rows["metric"])
    considered = is_percent & pool.new
    all_small: dict[int, bool] = {}
    counts_of: dict[int, int] = {}
    for g, s in zip(group[considered].tolist(), small[considered].tolist(), strict=True):
        all_small[g] = all_small.get(g, True) and s
        counts_of[g] = counts_of.get(g, 0) + 1
    whole = np.array([all_small.get(int(g), False) and counts_of[int(g)] > 1 for g in group], dtype=bool) \
        if all_small else np.zeros(len(group), dtype=bool)  # one value alone is compared with the others
    first: dict[int, int] = {}
    for i in np.flatnonzero(small & whole).tolist():
        first.setdefault(int(group[i]), i)
    if first:
        counts = {i: counts_of[g] for g, i in first.items()}
        chosen = np.array(sorted(first.values()), dtype=np.int64)
        found.add("fraction_as_percent", "value", Severity.WARNING, chosen, lambda r: (
            f"all {counts[r]} {registry.metrics[str(rows['metric'][r].as_py())].name} values of this file are below "
            "1, but it is a percentage (0–100)", "multiply by 100 if these are fractions"))
    # one value below 1 among larger ones of its benchmark and metric
    candidates = np.flatnonzero(small & ~whole)
    if not len(candidates):
        return
    keyed = _medians(rows, values, candidates)
    benchmarks = take(rows["benchmark"], candidates).to_pylist()
    metrics = take(rows["metric"], candidates).to_pylist()
    median = np.array([keyed.get((b, m)) or np.nan for b, m in zip(benchmarks, metrics, strict=True)], dtype=float)
    against_median = candidates[median >= 10]
    medians_of = dict(zip(against_median.tolist(), median[median >= 10].tolist(), strict=True))
    found.add("fraction_as_percent", "value", Severity.WARNING, against_median, lambda r: (
        f"{_num(pool.value('value', r))} looks like a fraction, but {registry.metrics[pool.value('metric', r)].name} "
        f"is a percentage (other values: median {_num(medians_of[r])})",
        f"did you mean {_num(pool.value('value', r) * 100)}?"))


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    return codes_of(pc.dictionary_encode(column.combine_chunks().cast(pa.string())))


def _medians(rows: pa.Table, values: np.ndarray, candidates: np.ndarray) -> dict[tuple[str, str], float]:
    """The median of the values above 1, per (benchmark, metric) of the candidate rows."""
    benchmark, metric = _codes(rows["benchmark"]), _codes(rows["metric"])
    group = benchmark * (int(metric.max(initial=0)) + 1) + metric
    wanted = set(group[candidates].tolist())
    out: dict[tuple[str, str], float] = {}
    for g in wanted:
        rows_of = np.flatnonzero((group == g) & (values > 1))
        if len(rows_of):
            first = int(np.flatnonzero(group == g)[0])
            out[(str(rows["benchmark"][first].as_py()), str(rows["metric"][first].as_py()))] = float(
                np.median(values[rows_of]))
    return out


# --------------------------------------------------------------------------- what a record says of itself


def check_no_where(pool: Pool, paper_sources: set[str], found: Across) -> None:
    """A number from a paper should say where in it it stands (Table 6, §4.1)."""
    if not paper_sources or pool.rows.num_rows == 0:
        return
    rows = pool.rows
    missing = numpy_of(pc.is_null(rows["where"])) & pool.new & numpy_of(
        pc.fill_null(pc.is_in(rows["source"], value_set=strings(sorted(paper_sources))), FALSE))
    found.add("no_where", "where", Severity.WARNING, np.flatnonzero(missing), lambda r: (
        f"a number from the paper {pool.value('source', r)} without where: readers cannot find it",
        "add where: Table 6, Figure 2 caption, §4.1, …"))


_QUOTED_NUMBER = re.compile(
    r"(?:[-+]?\d[\d,]*(?:\.\d+)?(?:\s*(?:[eE][-+]?\d+|[x×]\s*10\^?[-+]?\d+))?|[零一二两三四五六七八九十])"
    r"(?:\s*(?:%|percent|thousand|million|billion|trillion|[KkMBTG](?![A-Za-z])|[十百千万亿]+))?"
    r"|[十百千万亿]+"
)
_MANTISSA = re.compile(r"[-+]?\d[\d,]*(?:\.(?P<decimals>\d+))?")
_CHINESE_DIGIT = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
                  "十": 10}


def quoted_values(quote: str) -> list[tuple[float, float]]:
    """Numbers in a quote, each with half the unit of its last written digit.

    "540 billion" is 5.4e11 ± 0.5e9, so it matches 540.35B; "57.8%" is 57.8 ± 0.05.
    """
    found = []
    for m in _QUOTED_NUMBER.finditer(quote[:20_000]):
        text = m.group(0).strip()
        for kind in (Kind.COUNT, Kind.NUMBER):
            try:
                value = parse_quantity(text, kind).value
            except QuantityError:
                continue
            mantissa = _MANTISSA.match(text)
            if mantissa:
                written = float(mantissa.group(0).replace(",", ""))
                decimals = len(mantissa["decimals"] or "")
            else:  # 两万亿, 千亿: a Chinese digit, or the unit alone
                written, decimals = float(_CHINESE_DIGIT.get(text[0], 1)), 0
            multiplier = abs(value / written) if written else 1.0
            found.append((value, 0.5 * 10 ** -decimals * multiplier))
            break
    return found


def check_quotes(pool: Pool, found: Across) -> None:
    """A record's ``quote`` should contain its number."""
    table = pool.table
    if "quote" not in pool.rows.column_names:
        return
    with_quote = np.flatnonzero(numpy_of(pool.rows["quote"].is_valid()) & pool.new) \
        if pool.rows.num_rows else np.zeros(0, np.int64)
    if not len(with_quote):
        return
    numeric = [f.name for f in table.fields if isinstance(f.type, Number) and f.name not in ("n_samples",)]
    rows = take(pool.rows, with_quote).to_pylist()
    bad: list[int] = []
    wanted_of: dict[int, list[str]] = {}
    for index, values in zip(with_quote.tolist(), rows, strict=True):
        wanted = ["value"] if table.name == "scores" else [f for f in numeric if values.get(f) is not None]
        quoted = quoted_values(values["quote"])
        if any(_appears(values[f], quoted) for f in wanted):
            continue
        bad.append(index)
        wanted_of[index] = [f"{f} {_num(values[f])}" for f in wanted]
    found.add("quote_mismatch", "quote", Severity.WARNING, np.array(bad, dtype=np.int64), lambda r: (
        f"the quote does not contain {', '.join(wanted_of[r]) or 'no number'}",
        "the quote should be the source's words for this number"))


def _appears(value: float, quoted: Sequence[tuple[float, float]]) -> bool:
    return any(math.isclose(value, q, rel_tol=1e-9) or abs(value - q) <= half for q, half in quoted)
