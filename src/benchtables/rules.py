"""Cross-field and reference rules of the record kinds, written once.

Each record class lists its rules in ``RULES``. A rule names the fields it reads
(``inputs``) and is evaluated on a record only when those fields passed their own type and
range checks, so one mistake is reported once, where it is. The same rule objects drive
the per-record validator (:meth:`Rule.check`, on one record) and the columnar validator
(:mod:`benchtables.columnar`, on whole Arrow columns); a property test holds the two to the
same verdicts.

This module knows nothing of YAML or files: a rule gets a record's values (or a table's
columns) and a :class:`Context` that answers "is this a known model / benchmark / metric?".
Each rule's ``check_table`` returns, per violation kind, a boolean mask over the rows; the
messages for the rows shown to people come from ``check`` on those rows, so both paths say
the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from benchtables.problems import did_you_mean
from benchtables.units import format_number

if TYPE_CHECKING:
    from benchtables.names import NameIndex
    from benchtables.registry import Registry

__all__ = [
    "Columns",
    "Context",
    "InMetricRange",
    "MetricOf",
    "ProductMatches",
    "Reference",
    "RequireOneOf",
    "Rule",
    "TableViolation",
    "Violation",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule: the field it is about (``None``: the whole record), a code and words."""

    field: str | None
    code: str
    message: str
    hint: str | None = None


class Context(Protocol):
    """What rules need to know beyond the record."""

    @property
    def registry(self) -> Registry: ...

    @property
    def models(self) -> NameIndex: ...


class Columns(Protocol):
    """A table being validated, as the columnar rules see it (numpy arrays, one entry per row)."""

    n: int

    def codes(self, name: str) -> tuple[Any, list[Any]]:
        """The column as codes into its distinct values (-1 for null), and those values."""
        ...

    def set_codes(self, name: str, codes: Any, values: list[Any]) -> None:
        """Replace the column by ``values[code]`` per row (null for -1): ids for aliases, defaults filled."""
        ...

    def numbers(self, name: str) -> Any:
        """A numeric column as float64, NaN for nulls."""
        ...

    def present(self, name: str) -> Any:
        """Boolean mask of rows where the column has a value."""
        ...

    def rows(self, *fields: str) -> Any:
        """Boolean mask of rows where every one of ``fields`` is still valid."""
        ...


@dataclass(frozen=True, slots=True)
class TableViolation:
    """Rows (a boolean mask) that break a rule in the same way."""

    field: str | None
    code: str
    mask: Any


class Rule(Protocol):
    inputs: tuple[str, ...]

    def check(self, row: MutableMapping[str, Any], ctx: Context) -> list[Violation]:
        """Check one record (its fields already type-checked); may canonicalise ids in place."""
        ...

    def check_table(self, cols: Columns, ctx: Context) -> list[TableViolation]:
        """Check every row of a table whose inputs are valid; may canonicalise columns."""
        ...


def small_unique(keys: Any, size: int) -> tuple[Any, Any]:
    """``np.unique(keys, return_inverse=True)`` for keys in ``0..size-1``, by counting instead of sorting."""
    import numpy as np

    if size > 4 * len(keys) + 1024:
        pairs, inverse = np.unique(keys, return_inverse=True)
        return pairs, inverse.reshape(-1)
    pairs = np.flatnonzero(np.bincount(keys, minlength=size))
    lookup = np.zeros(size, dtype=np.int64)
    lookup[pairs] = np.arange(len(pairs))
    return pairs, lookup[keys]


_SETTING_WORDS = re.compile(r"\(.*?\)|\b(?:\d+|few|zero|one)[- ]?shots?\b|\bcot\b|chain[- ]of[- ]thought|maj@\d+",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """A field that names a declared model or a registry benchmark; aliases become ids."""

    field: str
    target: Literal["model", "benchmark"]

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.field,)

    def index(self, ctx: Context) -> NameIndex:
        return ctx.models if self.target == "model" else ctx.registry.benchmark_index

    def violation(self, name: str, ctx: Context) -> Violation:
        index = self.index(ctx)
        if self.target == "model" and name in getattr(ctx, "rejected_models", ()):
            return Violation(self.field, "unknown_model", f"model {name!r} is declared, but its declaration has "
                             "errors", "fix the errors reported at the declaration")
        if self.target == "model":
            message = f"unknown model {name!r}: declare it under models: in this file or another entry file"
        else:
            message = f"unknown benchmark {name!r}: it is not in the registry"
            if _SETTING_WORDS.search(name):
                message += "; the name includes a setting: name the benchmark alone and give n_shot or setting"
                bare = _SETTING_WORDS.sub(" ", name).strip(" -_")
                suggestions = index.suggest(bare) if bare else []
                return Violation(self.field, "unknown_benchmark", message,
                                 did_you_mean(suggestions or index.suggest(name)))
        return Violation(self.field, f"unknown_{self.target}", message, did_you_mean(index.suggest(name)))

    def check(self, row: MutableMapping[str, Any], ctx: Context) -> list[Violation]:
        name = row.get(self.field)
        if name is None:
            return []
        resolved = self.index(ctx).resolve(name)
        if resolved is None:
            return [self.violation(name, ctx)]
        row[self.field] = resolved
        return []

    def check_table(self, cols: Columns, ctx: Context) -> list[TableViolation]:
        import numpy as np

        codes, names = cols.codes(self.field)
        index = self.index(ctx)
        resolved = [index.resolve(n) for n in names]
        unknown = np.array([r is None for r in resolved] + [False], dtype=bool)[codes]  # code -1 → False
        cols.set_codes(self.field, codes, [r or n for r, n in zip(resolved, names, strict=True)])
        return [TableViolation(self.field, f"unknown_{self.target}", unknown & cols.rows(self.field))]


@dataclass(frozen=True)
class MetricOf:
    """A metric of the record's benchmark; empty means the benchmark's primary metric."""

    field: str
    benchmark_field: str

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.benchmark_field, self.field)

    def check(self, row: MutableMapping[str, Any], ctx: Context) -> list[Violation]:
        benchmark = ctx.registry.benchmarks.get(row.get(self.benchmark_field) or "")
        if benchmark is None:
            return []  # the benchmark's own rule reports it
        name = row.get(self.field)
        if name is None:
            row[self.field] = benchmark.primary
            return []
        resolved = ctx.registry.resolve_metric_of(benchmark.id, name)
        if resolved is None:
            return [Violation(
                self.field, "unknown_metric",
                f"{benchmark.name} is not reported in metric {name!r}",
                f"its metrics: {', '.join(benchmark.metrics)}",
            )]
        row[self.field] = resolved
        return []

    def check_table(self, cols: Columns, ctx: Context) -> list[TableViolation]:
        import numpy as np

        b_codes, benchmarks = cols.codes(self.benchmark_field)
        m_codes, metrics = cols.codes(self.field)
        width = len(metrics) + 1
        pairs, inverse = small_unique((b_codes + 1) * width + (m_codes + 1), (len(benchmarks) + 1) * width)
        results: list[str | None] = []
        unknown: list[bool] = []
        for pair in pairs.tolist():
            b, m = pair // width - 1, pair % width - 1
            benchmark = ctx.registry.benchmarks.get(benchmarks[b]) if b >= 0 else None
            name = metrics[m] if m >= 0 else None
            found = None if benchmark is None else (
                benchmark.primary if name is None else ctx.registry.resolve_metric_of(benchmark.id, name))
            results.append(found or name)
            unknown.append(benchmark is not None and found is None)
        applies = cols.rows(*self.inputs)
        # rows the rule applies to take the resolved metric; the others keep theirs
        kept = np.where(m_codes < 0, -1, len(results) + m_codes)
        cols.set_codes(self.field, np.where(applies, inverse, kept), [*results, *metrics])
        missing = np.array([*unknown, False], dtype=bool)[np.where(applies, inverse, -1)]
        return [TableViolation(self.field, "unknown_metric", missing)]


@dataclass(frozen=True)
class InMetricRange:
    """A value inside its metric's valid range (percent 0–100, FID ≥ 0, …)."""

    field: str
    metric: str | None = None
    metric_field: str | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.field,) if self.metric_field is None else (self.field, self.metric_field)

    def metric_id(self, row: Mapping[str, Any]) -> str | None:
        return self.metric if self.metric_field is None else row.get(self.metric_field)

    def check(self, row: MutableMapping[str, Any], ctx: Context) -> list[Violation]:
        value = row.get(self.field)
        metric = ctx.registry.metrics.get(self.metric_id(row) or "")
        if value is None or metric is None:
            return []
        return [v for v in [range_violation(self.field, value, metric)] if v]

    def check_table(self, cols: Columns, ctx: Context) -> list[TableViolation]:
        import numpy as np

        values = cols.numbers(self.field)
        if self.metric_field is None:
            metric = ctx.registry.metrics.get(self.metric or "")
            low = np.full(cols.n, np.nan if metric is None or metric.min is None else metric.min)
            high = np.full(cols.n, np.nan if metric is None or metric.max is None else metric.max)
        else:
            codes, ids = cols.codes(self.metric_field)
            known = [ctx.registry.metrics.get(i) for i in ids]
            low = np.array([np.nan if m is None or m.min is None else m.min for m in known] + [np.nan])[codes]
            high = np.array([np.nan if m is None or m.max is None else m.max for m in known] + [np.nan])[codes]
        with np.errstate(invalid="ignore"):
            outside = (values < low) | (values > high)  # NaN compares False: no value or no bound
        return [TableViolation(self.field, "out_of_range", outside & cols.rows(*self.inputs))]


def range_violation(field: str, value: float, metric: Any) -> Violation | None:
    """The violation for ``value`` outside ``metric``'s range, or ``None``."""
    low, high = metric.min, metric.max
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    bounds = f"{format_number(low, 4) if low is not None else '−∞'}–{format_number(high, 4) if high is not None else '∞'}"
    side = "below the minimum" if low is not None and value < low else "above the maximum"
    hint = f"{metric.id} is measured in {metric.unit}, valid range {bounds}"
    if metric.is_percent and high is not None and value > high:
        hint += "; percent metrics are on a 0–100 scale"
    return Violation(field, "out_of_range", f"{format_number(value, 6)} is {side} for {metric.name}", hint)


@dataclass(frozen=True)
class RequireOneOf:
    """At least one of these fields must be given."""

    fields: tuple[str, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.fields

    def check(self, row: MutableMapping[str, Any], ctx: Context) -> list[Violation]:
        if any(row.get(f) is not None for f in self.fields):
            return []
        names = ", ".join(self.fields[:-1]) + f" or {self.fields[-1]}"
        return [Violation(None, "required_one_of", f"give at least one of {names}")]

    def check_table(self, cols: Columns, ctx: Context) -> list[TableViolation]:
        import numpy as np

        given = np.zeros(cols.n, dtype=bool)
        for name in self.fields:
            given |= cols.present(name)
        return [TableViolation(None, "required_one_of", ~given & cols.rows(*self.fields))]


@dataclass(frozen=True)
class ProductMatches:
    """A stated product (sampling_cost) agrees with its factors (steps × cost_per_step)."""

    field: str
    factors: tuple[str, str]
    #: Relative tolerance: sources round their numbers.
    tolerance: float = 0.01

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.field, *self.factors)

    def check(self, row: MutableMapping[str, Any], ctx: Context) -> list[Violation]:
        stated = row.get(self.field)
        a, b = (row.get(f) for f in self.factors)
        if stated is None or a is None or b is None:
            return []
        product = a * b
        if abs(product - stated) <= self.tolerance * max(abs(stated), abs(product)):
            return []
        return [Violation(
            self.field, "inconsistent",
            f"{format_number(stated, 6)} is not {self.factors[0]} × {self.factors[1]} = {format_number(product, 6)}",
            f"leave {self.field} out and it is computed",
        )]

    def check_table(self, cols: Columns, ctx: Context) -> list[TableViolation]:
        import numpy as np

        stated = cols.numbers(self.field)
        with np.errstate(invalid="ignore", over="ignore"):  # rows with inf or NaN inputs are not checked
            product = cols.numbers(self.factors[0]) * cols.numbers(self.factors[1])
            off = np.abs(product - stated) > self.tolerance * np.maximum(np.abs(stated), np.abs(product))
        return [TableViolation(self.field, "inconsistent", off & cols.rows(*self.inputs))]
