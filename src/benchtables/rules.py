"""Cross-field and reference rules of the record kinds, written once.

Each record class lists its rules in ``RULES``. A rule names the fields it reads
(``inputs``) and is evaluated on a record only when those fields passed their own type and
range checks, so one mistake is reported once, where it is. The same rule objects drive
the per-record validator (:meth:`Rule.check`, on one record) and the columnar validator
(:mod:`benchtables.columnar`, on whole Arrow columns); a property test holds the two to the
same verdicts.

This module knows nothing of YAML or files: a rule gets a record's values and a
:class:`Context` that answers "is this a known model / benchmark / metric?".
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
    "Context",
    "InMetricRange",
    "MetricOf",
    "ProductMatches",
    "Reference",
    "RequireOneOf",
    "Rule",
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


class Rule(Protocol):
    inputs: tuple[str, ...]

    def check(self, row: MutableMapping[str, Any], ctx: Context) -> list[Violation]:
        """Check one record (its fields already type-checked); may canonicalise ids in place."""
        ...


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
