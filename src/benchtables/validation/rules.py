"""Cross-field and reference rules of the declared tables, each written once.

A table's ``rules`` (:mod:`benchtables.kinds`) run in order after its fields were checked
(:mod:`benchtables.validation.records`). A rule reads whole columns of the rows being checked
and records what it finds; it only looks at rows whose inputs passed their own checks, so one
mistake is reported once, where it is. Rules also write the canonical form as they go: a
model's or benchmark's name becomes its id, a missing metric the benchmark's primary one, a
missing split the benchmark's standard split.

Each rule decides in vectorised form (numpy and Arrow, no Python per row) and words its
message only for the rows shown to people (``describe``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import (
    FALSE,
    TRUE,
    array_of,
    choose,
    coded,
    combinations,
    distinct,
    numpy_of,
    per_row,
    rejoin,
    scalar,
    strings,
    take,
)
from benchtables.names import name_keys
from benchtables.problems import Severity, did_you_mean
from benchtables.units import format_number

if TYPE_CHECKING:
    from benchtables.registry import Registry
    from benchtables.validation.records import Rows

__all__ = [
    "ArxivFromUrl",
    "DateAndYear",
    "InMetricRange",
    "MetricOf",
    "Ordered",
    "ProductMatches",
    "Reference",
    "RequireOneOf",
    "Revision",
    "StandardSplit",
    "SuiteProtocol",
    "WrittenAsPercent",
]

_SEP = "\x1f"
_SETTING_WORDS = re.compile(r"\(.*?\)|\b(?:\d+|few|zero|one)[- ]?shots?\b|\bcot\b|chain[- ]of[- ]thought|maj@\d+",
                            re.IGNORECASE)


@dataclass(frozen=True)
class _RegistryColumns:
    """The registry as Arrow arrays, for rules that look up whole columns."""

    benchmarks: pa.Array
    primaries: pa.Array
    splits: pa.Array
    metric_counts: np.ndarray
    metrics: pa.Array
    low: np.ndarray
    high: np.ndarray
    percent: np.ndarray


_COLUMNS: dict[int, _RegistryColumns] = {}


def registry_columns(registry: Registry) -> _RegistryColumns:
    found = _COLUMNS.get(id(registry))
    if found is None:
        bs = list(registry.benchmarks.values())
        ms = list(registry.metrics.values())
        found = _RegistryColumns(
            benchmarks=strings([b.id for b in bs]),
            primaries=strings([b.primary for b in bs]),
            splits=strings([b.split for b in bs]),
            metric_counts=np.array([len(b.metrics) for b in bs] + [0]),
            metrics=strings([m.id for m in ms]),
            low=np.array([np.nan if m.min is None else m.min for m in ms] + [np.nan]),
            high=np.array([np.nan if m.max is None else m.max for m in ms] + [np.nan]),
            percent=np.array([m.is_percent for m in ms] + [False]),
        )
        _COLUMNS[id(registry)] = found
    return found


def _positions(values: pa.Array, among: pa.Array) -> np.ndarray:
    """Each value's position in ``among``; -1 where it is not there (or null). Once per distinct value."""
    plain, codes = distinct(values)
    found = numpy_of(pc.index_in(plain, value_set=among))
    found = np.where(np.isnan(found), -1, found).astype(np.int64) if found.dtype.kind == "f" else found.astype(np.int64)
    return per_row(found, codes, fill=-1)


def _equals(values: pa.Array, value: str | int) -> np.ndarray:
    """Which rows hold ``value`` (once per distinct value)."""
    plain, codes = distinct(values)
    return per_row(numpy_of(pc.fill_null(pc.equal(plain, scalar(value)), FALSE)), codes)


def _among(values: pa.Array, among: pa.Array) -> np.ndarray:
    """Which rows hold one of ``among`` (once per distinct value)."""
    plain, codes = distinct(values)
    return per_row(numpy_of(pc.fill_null(pc.is_in(plain, value_set=among), FALSE)), codes)


def _resolve(index: Any, given: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Names resolved to ids by a name index, once per distinct name: the column with each name
    found replaced by its id (others kept as given), and which rows were found, and ambiguous."""
    plain, codes = distinct(given)
    plain = plain.cast(pa.string())
    resolved, ambiguous = index.resolve_array(plain)
    found = numpy_of(resolved.is_valid()) if len(resolved) else np.zeros(0, dtype=bool)
    if not len(ambiguous):
        ambiguous = np.zeros(len(plain), dtype=bool)
    canonical = rejoin(pc.if_else(resolved.is_valid(), resolved, plain), codes)
    return canonical, per_row(found, codes), per_row(ambiguous, codes)


def _distinct_at(values: pa.Array, rows: np.ndarray) -> list[Any]:
    """The distinct values of some rows, sorted."""
    plain, codes = distinct(values)
    if codes is None:
        return sorted(set(take(plain, np.flatnonzero(rows)).drop_null().to_pylist()))
    return sorted(set(take(plain, np.unique(codes[rows & (codes >= 0)])).drop_null().to_pylist()))


# --------------------------------------------------------------------------- references


@dataclass(frozen=True)
class Reference:
    """A field that names a declared model or a registry benchmark; names and aliases become ids."""

    field: str
    target: Literal["model", "benchmark"]

    def check(self, rows: Rows) -> None:
        ctx = rows.ctx
        index = ctx.models if self.target == "model" else ctx.registry.benchmark_index
        applies = rows.valid(self.field) & rows.present(self.field)
        if not applies.any():
            return
        given = rows.array(self.field)
        canonical, found, ambiguous = _resolve(index, given)
        rows.set(self.field, canonical)
        rows.find(f"unknown_{self.target}", self.field, applies & ~found,
                  describe=lambda r: self._describe(rows, str(given[r].as_py()), bool(ambiguous[r])))

    def _describe(self, rows: Rows, name: str, ambiguous: bool) -> tuple[str, str | None]:
        ctx = rows.ctx
        index = ctx.models if self.target == "model" else ctx.registry.benchmark_index
        if ambiguous:
            return (f"{self.target} {name!r} is ambiguous: it is a name of {', '.join(index.candidates(name))}",
                    "use the id")
        if self.target == "model":
            if name in ctx.rejected_models:
                return (f"model {name!r} is declared, but its declaration has errors",
                        "fix the errors reported at the declaration")
            return (f"unknown model {name!r}: declare it under models: in this file or another entry file",
                    did_you_mean(index.suggest(name)))
        message = f"unknown benchmark {name!r}: it is not in the registry"
        if _SETTING_WORDS.search(name):
            message += "; the name includes a setting: name the benchmark alone and give n_shot or setting"
            bare = _SETTING_WORDS.sub(" ", name).strip(" -_")
            return message, did_you_mean((index.suggest(bare) if bare else []) or index.suggest(name))
        return message, did_you_mean(index.suggest(name)) or "add it to data/registry.yaml"


# --------------------------------------------------------------------------- the standard setting


def _benchmark_rows(rows: Rows, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Each row's position among the registry's benchmarks (-1: none), and whether it has one."""
    columns = registry_columns(rows.ctx.registry)
    at = _positions(rows.array(field), columns.benchmarks)
    return at, (at >= 0) & rows.valid(field)


@dataclass(frozen=True)
class SuiteProtocol:
    """A score that follows a suite's protocol (its ``suite``, or its source's) takes the member's
    metric, n-shot, split and setting where it gives none; one that gives others is an error."""

    stage: Literal["fill", "agree"] = "fill"

    def check(self, rows: Rows) -> None:
        registry = rows.ctx.registry
        if rows.ctx.source_suites and self.stage == "fill":
            self._from_sources(rows)
        named = rows.present("suite")
        if not named.any():
            return
        at, known_benchmark = _benchmark_rows(rows, "benchmark")
        suites = rows.array("suite")
        index = registry.suite_index
        canonical, found, _ = _resolve(index, suites)
        if self.stage == "fill":
            rows.set("suite", canonical)
            rows.find("unknown_suite", "suite", named & rows.valid("suite") & ~found, describe=lambda r: (
                f"unknown suite {suites[r].as_py()!r}", did_you_mean(index.suggest(str(suites[r].as_py())))))
        benchmarks = registry_columns(registry).benchmarks
        for suite_id in _distinct_at(canonical, found):
            suite = registry.suites[suite_id]
            in_suite = _equals(canonical, suite_id) & found & known_benchmark
            covered = np.zeros(rows.n, dtype=bool)
            for member in suite.members:
                bench = registry.benchmark_index.resolve(member.benchmark)
                where = in_suite & (at == _positions(strings([bench]), benchmarks)[0])
                covered |= where
                if where.any():
                    self._member(rows, suite, member, where)
            if self.stage == "fill":
                rows.find("not_a_member", "benchmark", in_suite & ~covered,
                          describe=lambda r, s=suite: (  # type: ignore[misc]
                    f"{rows.array('benchmark')[r].as_py()} is not a benchmark of suite {s.id}",
                    "its members: " + ", ".join(m.benchmark for m in s.members)))

    def _from_sources(self, rows: Rows) -> None:
        """Scores of member benchmarks whose source follows a suite take that suite."""
        registry = rows.ctx.registry
        from_source = _mapped(rows.array("source"), rows.ctx.source_suites)
        member = np.zeros(rows.n, dtype=bool)
        for suite_id in set(rows.ctx.source_suites.values()):
            suite = registry.suites.get(suite_id)
            if suite is None:
                continue
            ids = [registry.benchmark_index.resolve(m.benchmark) for m in suite.members]
            member |= _equals(from_source, suite_id) & _among(rows.array("benchmark"), strings([i for i in ids if i]))
        chosen = member & ~rows.present("suite")
        if chosen.any():
            rows.set("suite", choose(chosen, from_source, rows.array("suite")))

    def _member(self, rows: Rows, suite: Any, member: Any, where: np.ndarray) -> None:
        from benchtables.spec import TextForm, normalize_text

        registry = rows.ctx.registry
        bench = registry.benchmark_index.resolve(member.benchmark)
        assert bench is not None  # only members whose benchmark rows were found get here
        wanted = {
            "metric": registry.resolve_metric_of(bench, member.metric) if member.metric else None,
            "n_shot": member.n_shot,
            "setting": normalize_text(member.setting, TextForm.SETTING) if member.setting else None,
            "split": member.split or registry.benchmarks[bench].split,
        }
        for name, value in wanted.items():
            if value is None:
                continue
            current = rows.array(name)
            present = rows.present(name)
            if self.stage == "fill":
                fill = where & ~present
                if fill.any() and isinstance(value, int):
                    rows.set(name, pc.if_else(array_of(fill), scalar(value, pa.int64()), current.cast(pa.int64())))
                elif fill.any():
                    rows.set(name, choose(fill, rejoin(strings([value]), np.zeros(rows.n, dtype=np.int64)), current))
                continue
            differs = where & present & rows.valid(name) & ~_equals(current, value)
            rows.find("suite_conflict", name, differs,
                      describe=lambda r, name=name, value=value: (  # type: ignore[misc]
                f"{suite.name} scores {registry.benchmarks[bench].name} with {name} {value}, but this record gives "
                f"{rows.array(name)[r].as_py()}", f"leave {name} out, or leave out suite"))


@dataclass(frozen=True)
class MetricOf:
    """A metric of the record's benchmark; empty means the benchmark's primary metric (with a
    warning when the benchmark has several, naming the one assumed and the others)."""

    field: str
    benchmark_field: str

    def check(self, rows: Rows) -> None:
        registry = rows.ctx.registry
        columns = registry_columns(registry)
        at, known = _benchmark_rows(rows, self.benchmark_field)
        applies = known & rows.valid(self.field)
        if not applies.any():
            return
        # decided once per (benchmark, metric) combination
        (benchmarks, metrics), combination = combinations(rows.array(self.benchmark_field), rows.array(self.field))
        benchmarks, metrics = benchmarks.cast(pa.string()), metrics.cast(pa.string())
        keys, ids = registry.metric_lookup
        found = pc.take(ids, pc.index_in(pc.binary_join_element_wise(benchmarks, name_keys(metrics), scalar(_SEP)),
                                         value_set=keys))
        at_combination = _positions(benchmarks, columns.benchmarks)
        primary = take(columns.primaries, np.where(at_combination >= 0, at_combination, 0))
        resolved = pc.if_else(metrics.is_valid(), found, primary)
        rows.set(self.field, choose(applies, rejoin(resolved, combination), rows.array(self.field)))
        given = per_row(numpy_of(metrics.is_valid()), combination)
        unknown = applies & given & ~per_row(numpy_of(found.is_valid()), combination)
        rows.find("unknown_metric", self.field, unknown, describe=lambda r: self._unknown(rows, r))
        several = columns.metric_counts[np.where(at >= 0, at, -1)] > 1
        rows.find("metric_defaulted", self.field, applies & ~given & several, severity=Severity.WARNING,
                  describe=lambda r: self._defaulted(rows, r))

    def _unknown(self, rows: Rows, row: int) -> tuple[str, str | None]:
        registry = rows.ctx.registry
        benchmark = registry.benchmarks[rows.array(self.benchmark_field)[row].as_py()]
        name = rows.raw_value(self.field, row)
        return (f"{benchmark.name} is not reported in metric {name!r}", f"its metrics: {', '.join(benchmark.metrics)}")

    def _defaulted(self, rows: Rows, row: int) -> tuple[str, str | None]:
        registry = rows.ctx.registry
        benchmark = registry.benchmarks[rows.array(self.benchmark_field)[row].as_py()]
        assumed = benchmark.primary
        return (f"no metric given: {assumed} assumed, the primary metric of {benchmark.name}; it is also "
                f"reported in {registry.other_metrics(benchmark.id, assumed)}", "name the metric the source reports")


_SPLIT_SYNONYMS = strings(["val", "valid"])


@dataclass(frozen=True)
class StandardSplit:
    """A score that names no split is on its benchmark's standard split; ``val`` and ``valid`` (HELM's
    word) are the ``validation`` split."""

    field: str
    benchmark_field: str

    def check(self, rows: Rows) -> None:
        named, codes = distinct(rows.array(self.field))
        named = named.cast(pa.string())
        synonym = pc.fill_null(pc.is_in(named, value_set=_SPLIT_SYNONYMS), FALSE)
        if numpy_of(synonym).any():
            rows.set(self.field, rejoin(pc.if_else(synonym, scalar("validation"), named), codes))
        at, known = _benchmark_rows(rows, self.benchmark_field)
        fill = known & ~rows.present(self.field) & rows.valid(self.field)
        if fill.any():
            standard = rejoin(registry_columns(rows.ctx.registry).splits, at)
            rows.set(self.field, choose(fill, standard, rows.array(self.field)))


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class InMetricRange:
    """A value inside its metric's valid range (percent 0–100, FID ≥ 0, …)."""

    field: str
    metric: str | None = None
    metric_field: str | None = None

    def check(self, rows: Rows) -> None:
        columns = registry_columns(rows.ctx.registry)
        inputs = (self.field,) if self.metric_field is None else (self.field, self.metric_field)
        values = rows.numbers(self.field)
        if self.metric_field is None:
            at = np.full(rows.n, _positions(strings([self.metric or ""]), columns.metrics)[0])
        else:
            at = _positions(rows.array(self.metric_field), columns.metrics)
        low, high = columns.low[at], columns.high[at]
        with np.errstate(invalid="ignore"):
            outside = (values < low) | (values > high)  # NaN compares False: no value or no bound
        rows.find("out_of_range", self.field, outside & rows.valid(*inputs), describe=lambda r: self._describe(rows, r))

    def _describe(self, rows: Rows, row: int) -> tuple[str, str | None]:
        metric_id = self.metric if self.metric_field is None else rows.array(self.metric_field)[row].as_py()
        assert metric_id is not None  # a value out of range has a metric: unknown metrics have no bounds
        metric = rows.ctx.registry.metrics[metric_id]
        value = rows.numbers(self.field)[row]
        low, high = metric.min, metric.max
        bounds = f"{format_number(low, 4) if low is not None else '−∞'}–{format_number(high, 4) if high is not None else '∞'}"
        side = "below the minimum" if low is not None and value < low else "above the maximum"
        hint = f"{metric.id} is measured in {metric.unit}, valid range {bounds}"
        if metric.is_percent and high is not None and value > high:
            hint += "; percent metrics are on a 0–100 scale"
        return f"{format_number(value, 6)} is {side} for {metric.name}", hint


@dataclass(frozen=True)
class WrittenAsPercent:
    """A value written with a percent sign must be of a percent metric."""

    field: str
    metric_field: str

    def check(self, rows: Rows) -> None:
        marked = rows.percent.get(self.field)
        if marked is None:
            return
        columns = registry_columns(rows.ctx.registry)
        at = _positions(rows.array(self.metric_field), columns.metrics)
        wrong = marked & ~columns.percent[at] & (at >= 0) & rows.valid(self.field, self.metric_field)
        rows.find("unit_mismatch", self.field, wrong, describe=lambda r: (
            f"the value is written as a percentage but {rows.ctx.registry.metrics[rows.array(self.metric_field)[r].as_py()].name} "
            f"is measured in {rows.ctx.registry.metrics[rows.array(self.metric_field)[r].as_py()].unit}",
            "write the number without %"))


@dataclass(frozen=True)
class Ordered:
    """Fields that must not decrease in the order given, where both are known (ci_low ≤ value ≤ ci_high;
    active parameters ≤ parameters)."""

    fields: tuple[str, ...]
    code: str

    def check(self, rows: Rows) -> None:
        for low, high in zip(self.fields, self.fields[1:], strict=False):
            a, b = rows.numbers(low), rows.numbers(high)
            with np.errstate(invalid="ignore"):
                wrong = (a > b) & rows.valid(low, high)
            rows.find(self.code, low, wrong, describe=lambda r, low=low, high=high, a=a, b=b: (  # type: ignore[misc]
                f"{low} ({_shown(a[r])}) is more than {high} ({_shown(b[r])})", None))


def _shown(value: float) -> str:
    from benchtables.units import format_count

    return format_count(value) if abs(value) >= 1e4 else format_number(value, 6)


@dataclass(frozen=True)
class RequireOneOf:
    """At least one of these fields must be given."""

    fields: tuple[str, ...]

    def check(self, rows: Rows) -> None:
        given = np.zeros(rows.n, dtype=bool)
        for name in self.fields:
            given |= rows.present(name) | ~rows.valid(name)
        names = ", ".join(self.fields[:-1]) + f" or {self.fields[-1]}"
        rows.find("required_one_of", None, ~given, describe=lambda r: (f"give at least one of {names}", None))


@dataclass(frozen=True)
class ProductMatches:
    """A stated product (sampling_cost) agrees with its factors (steps × cost_per_step)."""

    field: str
    factors: tuple[str, str]
    #: Relative tolerance: sources round their numbers.
    tolerance: float = 0.01

    def check(self, rows: Rows) -> None:
        stated = rows.numbers(self.field)
        with np.errstate(invalid="ignore", over="ignore"):
            product = rows.numbers(self.factors[0]) * rows.numbers(self.factors[1])
            off = np.abs(product - stated) > self.tolerance * np.maximum(np.abs(stated), np.abs(product))
        rows.find("inconsistent", self.field, off & rows.valid(self.field, *self.factors), describe=lambda r: (
            f"{format_number(stated[r], 6)} is not {self.factors[0]} × {self.factors[1]} = {format_number(product[r], 6)}",
            f"leave {self.field} out and it is computed"))


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class DateAndYear:
    """A source's year comes from its date when it has one; both given must agree."""

    def check(self, rows: Rows) -> None:
        dates = rows.array("date")
        has_date = rows.present("date") & rows.valid("date")
        if not has_date.any():
            return
        from_date = pc.cast(pc.utf8_slice_codeunits(dates, 0, 4), pa.int64())
        years = rows.array("year")
        has_year = rows.present("year") & rows.valid("year")
        differs = has_date & has_year & ~numpy_of(pc.fill_null(pc.equal(from_date, years), TRUE))
        rows.find("date_year_conflict", "year", differs, describe=lambda r: (
            f"year {years[r].as_py()} is not the year of date {dates[r].as_py()}", "give one of them"))
        rows.set("year", pc.if_else(array_of(has_date & ~has_year), from_date, years))


_ARXIV_URL = r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<id>[0-9]{4}\.[0-9]{4,5})(?:v[0-9]+)?(?:\.pdf)?/?$"


@dataclass(frozen=True)
class ArxivFromUrl:
    """A source whose URL is an arXiv page has that arXiv id."""

    def check(self, rows: Rows) -> None:
        urls = rows.array("url")
        missing = ~rows.present("arxiv") & rows.present("url") & rows.valid("url")
        if not missing.any():
            return
        found = pc.extract_regex(urls, _ARXIV_URL)
        ids = pc.struct_field(found, "id") if len(found) else pa.nulls(0, pa.string())
        fill = missing & numpy_of(ids.is_valid()) if len(ids) else missing
        rows.set("arxiv", pc.if_else(array_of(fill), ids, rows.array("arxiv").cast(pa.string())))


@dataclass(frozen=True)
class Revision:
    """A model with a revision is that checkpoint: its id ends in ``@`` and the revision."""

    def check(self, rows: Rows) -> None:
        revisions = rows.array("revision")
        given = rows.present("revision") & rows.valid("revision", "id")
        if not given.any():
            return
        suffix = pc.utf8_lower(pc.replace_substring_regex(revisions, r"[^A-Za-z0-9._+-]+", "-"))
        expected = pc.binary_join_element_wise(strings(["@"] * rows.n), suffix, scalar(""))
        ok = _ends_with(rows.array("id"), expected, given)
        rows.find("revision_not_in_id", "id", given & ~ok, describe=lambda r: (
            f"model {rows.array('id')[r].as_py()!r} is revision {revisions[r].as_py()!r} but its id does not say so",
            f"end the id with {expected[r].as_py()!r}: a checkpoint is a model of its own"))


def _mapped(values: pa.Array, mapping: Any) -> pa.Array:
    """``mapping[value]`` for each value of a text column (null where it has none), once per distinct value."""
    if not mapping:
        return pa.nulls(len(values), pa.string())
    plain, codes = coded(values)
    return rejoin(strings([mapping.get(v) for v in plain.to_pylist()]), codes)


def _ends_with(values: pa.Array, suffixes: pa.Array, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` (models with a revision: a few) ends with its suffix."""
    out = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(rows).tolist():
        value, suffix = values[i].as_py(), suffixes[i].as_py()
        out[i] = bool(value and suffix and value.endswith(suffix))
    return out
