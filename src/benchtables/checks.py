"""Checks across records, files and the store: the mistakes no single record shows.

Errors:
  * ``duplicate_record`` — a record the store already holds from another file (the same key,
    or the same number with only its ``where`` different).

Warnings (a person should look; nothing is necessarily wrong):
  * ``disagreement`` — another source (or another place in the same source) reports the same
    comparable number with a value beyond tolerance; both places are named;
  * ``fraction_as_percent`` — a percent metric given as a fraction (≤ 1 where its other values are ≥ 10;
    an MFU or HFU of at most 1);
  * ``mfu_above_hfu`` — a record's MFU above its HFU (HFU also counts recomputation);
  * ``compute_mismatch`` — reported training compute more than 3× off 6·N·D;
  * ``utilization_mismatch`` — MFU/HFU more than 2× off compute ÷ (chip-hours × peak FLOP/s);
  * ``compute_exceeds_hardware`` — training compute above chips × time × peak FLOP/s;
  * ``cost_mismatch`` — a cost per step out of proportion with FLOP per step, against the
    other records of its source (the 39M row of Mei et al., 2024, Table 1);
  * ``quote_mismatch`` — a record's ``quote`` does not contain its value;
  * ``deleted_file`` — the store still has records from an entry file that no longer exists;
  * ``no_url`` — a source without a link (allowed for local evaluation runs, but untraceable);
  * ``mfu_hfu_swap`` — an MFU that equals another report's HFU for the model (or the reverse);
  * ``active_as_total`` — a parameter count equal to the model's active (not total) parameters.

Store rows from the files being validated are not compared with themselves: those files'
current contents replace them.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from benchtables.entries import Dataset, Located, number_key, repeats
from benchtables.errors import QuantityError
from benchtables.problems import Problem, Severity
from benchtables.registry import Registry
from benchtables.schemas import RECORD_KINDS, quantity_fields
from benchtables.arrays import numpy_of, string_array
from benchtables.units import Kind, format_compute, format_count, format_number, parse_quantity

__all__ = ["cross_checks"]

#: Fields compared between reports of the same number, with their tolerance.
COMPARED = {
    "scores": (("value",), ("model", "benchmark", "metric", "n_shot", "setting", "split", "subset")),
    "training": (("parameters", "tokens", "compute"), ("model",)),
    "utilization": (("mfu", "hfu"), ("model", "hardware", "chips", "setting")),
    "sampling": (("fid", "clip_score", "lpips"), ("model", "sampler", "steps", "guidance", "distilled", "resolution", "dataset")),
}
RELATIVE_TOLERANCE = 0.02  #: counts, compute and non-percent metrics
PERCENT_TOLERANCE = 0.5  #: percent metrics, in points
COMPUTE_FACTOR = 3.0
UTILIZATION_FACTOR = 2.0
COST_FACTOR = 1.25


@dataclass
class _Report:
    """One reported number: a record from the files being validated or a row of the store."""

    kind: str
    values: dict[str, Any]
    loc: Located | None  #: None for store rows

    @property
    def where(self) -> str:
        if self.loc is not None:
            return f"{self.values['source']} at {self.loc.where()}"
        place = self.values.get("where")
        return f"{self.values['source']} ({place}; {self.values.get('file')})" if place else \
            f"{self.values['source']} ({self.values.get('file')})"


def _store_rows(store: Any, kind: str, models: set[str], skip_files: set[str]) -> list[dict[str, Any]]:
    """Store rows of ``kind`` for ``models``, leaving out rows from ``skip_files``."""
    table = store.scan(kind, where={"model": sorted(models)})
    return [r for r in table.to_pylist() if r.get("file") not in skip_files]


def cross_checks(dataset: Dataset, registry: Registry, *, store: Any = None, read_here: Iterable[str] = (),
                 existing: Any = None) -> list[Problem]:
    """Problems that only show across records, files and the store.

    Args:
        dataset: what the files being validated hold.
        registry: metric directions and ranges; hardware peaks.
        store: the store to check against (a :class:`~benchtables.store.Store`), or None.
        read_here: files being validated (their store rows are replaced, not compared).
        existing: ``file -> bool``, whether a file the store names still exists (for
            ``deleted_file``); None to skip that check.
    """
    read_here = set(read_here)
    reports: dict[str, list[_Report]] = {k: [_Report(k, loc.values, loc) for loc in dataset.records[k]]
                                          for k in RECORD_KINDS}
    problems: list[Problem] = []
    if store is not None:
        deleted: set[str] = set()
        if existing is not None:
            files = {f for kind in RECORD_KINDS for f in store.table(kind, ["file"])["file"].to_pylist()}
            deleted = {f for f in files if f and f not in read_here and not existing(f)}
            problems += [Problem(Severity.WARNING, "deleted_file",
                                 "the store still has records from this file, which no longer exists",
                                 file=f, hint="run `benchtables build` to drop them") for f in sorted(deleted)]
        models = {r.values["model"] for rs in reports.values() for r in rs}
        for kind in RECORD_KINDS:
            rows = _store_rows(store, kind, models, read_here | deleted) if models else []
            problems += _store_duplicates(kind, reports[kind], rows)
            reports[kind] += [_Report(kind, row, None) for row in rows]
    problems += _disagreements(reports, registry)
    problems += _fractions(reports["scores"], registry, store, read_here)
    problems += _compute(reports["training"])
    problems += _utilization(reports["utilization"], reports["training"], registry)
    problems += _hardware_budget(reports["training"], registry)
    problems += _costs(reports["sampling"])
    problems += _mfu_hfu(reports["utilization"])
    problems += _active_as_total(reports["training"], dataset, store)
    problems += _quotes(dataset)
    problems += [loc.problem(Severity.WARNING, "no_url", "the source has no url: readers cannot trace its numbers",
                             None, "add the link (arXiv abs page, blog post, leaderboard page)")
                 for loc in dataset.sources.values() if not loc.values.get("url")]
    return problems


def _warn(report: _Report, code: str, message: str, field: str | None, hint: str | None = None) -> Problem | None:
    if report.loc is None:
        return None  # only what is being validated is reported
    return report.loc.problem(Severity.WARNING, code, message, field, hint)


def _store_duplicates(kind: str, new: list[_Report], rows: list[dict[str, Any]]) -> list[Problem]:
    cls = RECORD_KINDS[kind]
    in_store = {tuple(row.get(k) for k in cls.KEY): row for row in rows}
    numbers: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        numbers.setdefault(number_key(cls, row), []).append(row)
    out = []
    for report in new:
        row = in_store.get(tuple(report.values.get(k) for k in cls.KEY))
        same = row or next((r for r in numbers.get(number_key(cls, report.values), [])
                            if repeats(cls, report.values, r)), None)
        if same is not None and report.loc is not None:
            also = "" if row is not None else f" (at {same.get('where')}; only where differs)"
            out.append(report.loc.problem(Severity.ERROR, "duplicate_record",
                                          f"the store already has this record, from {same.get('file')}{also}", None,
                                          "one number, one record: remove it here or there (imported twice?)"))
    return out


def _tolerance(kind: str, field: str, values: Mapping[str, Any], registry: Registry) -> tuple[float, bool]:
    """(tolerance, is_absolute) for comparing ``field`` of a ``kind`` record."""
    metric = None
    if kind == "scores":
        metric = registry.metrics.get(values.get("metric") or "")
    elif field in registry.metrics:
        metric = registry.metrics[field]
    if metric is not None and metric.is_percent:
        return PERCENT_TOLERANCE, True
    return RELATIVE_TOLERANCE, False


def _differ(a: float, b: float, tolerance: float, absolute: bool) -> bool:
    limit = tolerance if absolute else tolerance * max(abs(a), abs(b))
    return abs(a - b) > limit + 1e-12


def _disagreements(reports: dict[str, list[_Report]], registry: Registry) -> list[Problem]:
    out: list[Problem] = []
    for kind, (fields, key_fields) in COMPARED.items():
        groups: dict[tuple[Any, ...], list[_Report]] = defaultdict(list)
        for report in reports[kind]:
            groups[tuple(report.values.get(k) for k in key_fields)].append(report)
        for group in groups.values():
            if len(group) < 2:
                continue
            for report in group:
                for field in fields:
                    mine = report.values.get(field)
                    if mine is None:
                        continue
                    tolerance, absolute = _tolerance(kind, field, report.values, registry)
                    for other in group:
                        theirs = other.values.get(field)
                        if other is report or theirs is None or not _differ(mine, theirs, tolerance, absolute):
                            continue
                        shown = f"{tolerance:g} points" if absolute else f"{tolerance:.0%}"
                        same = other.values.get("source") == report.values.get("source")
                        hint = (f"differs by more than {shown}; check both, and keep both if "
                                + ("the source states both (its where says where)" if same else "both sources say so"))
                        if field == "tokens" and 0.65 <= min(mine, theirs) / max(mine, theirs) <= 0.85:
                            hint = "the smaller count looks like words, not tokens (about 0.75 words per token)"
                        problem = _warn(report, "disagreement",
                                        f"{field} is {_num(mine)} here but {_num(theirs)} in {other.where}", field, hint)
                        if problem:
                            out.append(problem)
                        break
    return out


def _num(value: float) -> str:
    return format_compute(value) if abs(value) >= 1e6 else format_number(value, 4)


def _fractions(scores: list[_Report], registry: Registry, store: Any, read_here: set[str]) -> list[Problem]:
    import numpy as np
    import pyarrow.compute as pc

    by_metric: dict[tuple[str, str], list[float]] = defaultdict(list)
    for report in scores:
        by_metric[(report.values["benchmark"], report.values["metric"])].append(report.values["value"])
    medians: dict[tuple[str, str], float | None] = {}
    for (benchmark, metric), values in by_metric.items():
        others = np.array(values, dtype=float)
        if store is not None:
            rows = store.scan("scores", ["value", "file"], where={"benchmark": [benchmark], "metric": [metric]})
            elsewhere = pc.invert(pc.is_in(rows["file"], value_set=string_array(sorted(read_here))))
            others = np.concatenate([others, numpy_of(rows["value"].filter(elsewhere).combine_chunks())])
        others = others[others > 1]
        medians[(benchmark, metric)] = float(np.median(others)) if len(others) else None
    out = []
    for report in scores:
        metric = registry.metrics.get(report.values["metric"])
        value = report.values["value"]
        median = medians[(report.values["benchmark"], report.values["metric"])]
        if metric is None or not metric.is_percent or not 0 < value <= 1 or median is None or median < 10:
            continue
        problem = _warn(report, "fraction_as_percent",
                        f"{_num(value)} looks like a fraction, but {metric.name} is a percentage "
                        f"(other values: median {_num(median)})", "value", f"did you mean {_num(value * 100)}?")
        if problem:
            out.append(problem)
    return out


def _model_sizes(training: list[_Report]) -> dict[str, list[tuple[float, float, str]]]:
    sizes: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for report in training:
        n, d = report.values.get("parameters"), report.values.get("tokens")
        if n and d:
            sizes[report.values["model"]].append((n, d, report.values["source"]))
    return sizes


def _compute(training: list[_Report]) -> list[Problem]:
    sizes = _model_sizes(training)
    out = []
    for report in training:
        compute = report.values.get("compute")
        candidates = sizes.get(report.values["model"], [])
        if not compute or not candidates:
            continue
        same_source = [c for c in candidates if c[2] == report.values["source"]]
        n, d, _ = (same_source or candidates)[0]
        estimate = 6 * n * d
        ratio = compute / estimate
        if ratio > COMPUTE_FACTOR or ratio < 1 / COMPUTE_FACTOR:
            problem = _warn(report, "compute_mismatch",
                            f"compute {_num(compute)} FLOP is {format_number(ratio, 2)}× 6·N·D = {_num(estimate)} "
                            f"(N = {format_count(n)} parameters, D = {format_count(d)} tokens)", "compute",
                            "check the exponent, and that tokens are tokens (not words or examples)")
            if problem:
                out.append(problem)
    return out


def _chip_seconds(v: Mapping[str, Any]) -> float | None:
    """Chip-time of a training record: its chip-hours, else days × chips."""
    if v.get("chip_hours"):
        return v["chip_hours"] * 3600
    return v["days"] * 86400 * v["chips"] if v.get("days") and v.get("chips") else None


def _hardware_budget(training: list[_Report], registry: Registry) -> list[Problem]:
    """Reported compute that the record's own chips could not deliver in its time, even at peak."""
    out = []
    for report in training:
        v = report.values
        seconds = _chip_seconds(v)
        peak = registry.peak_flops(v.get("hardware"))
        if v.get("compute") and seconds and peak and v["compute"] > seconds * peak:
            out.append(_warn(report, "compute_exceeds_hardware",
                             f"compute {_num(v['compute'])} FLOP is {v['compute'] / (seconds * peak):.0%} of what "
                             f"the chips could do at peak ({_num(seconds * peak)} FLOP)", "compute",
                             "is it the base model's compute, or another run's hardware?"))
    return [p for p in out if p is not None]


def _utilization(utilization: list[_Report], training: list[_Report], registry: Registry) -> list[Problem]:
    budgets: dict[str, list[tuple[float, float]]] = defaultdict(list)  # model -> (compute, chip-seconds)
    for report in training:
        v = report.values
        seconds = _chip_seconds(v)
        if seconds:
            budgets[v["model"]].append((v.get("compute"), seconds))
    computes = {r.values["model"]: r.values["compute"] for r in training if r.values.get("compute")}
    out = []
    for report in utilization:
        v = report.values
        peak = registry.peak_flops(v.get("hardware"))
        if not peak:
            continue
        for compute, seconds in budgets.get(v["model"], []):
            compute = compute or computes.get(v["model"])
            if not compute:
                continue
            implied = 100 * compute / (seconds * peak)
            for field in ("mfu", "hfu"):
                stated = v.get(field)
                if stated and (stated / implied > UTILIZATION_FACTOR or implied / stated > UTILIZATION_FACTOR):
                    problem = _warn(report, "utilization_mismatch",
                                    f"{field} {_num(stated)}% is far from compute ÷ (chip-time × peak) = {implied:.1f}%",
                                    field, f"peak {_num(peak)} FLOP/s per {v.get('hardware')}; is it MFU or HFU?")
                    if problem:
                        out.append(problem)
            break
    return out


def _costs(sampling: list[_Report]) -> list[Problem]:
    by_source: dict[str, list[_Report]] = defaultdict(list)
    for report in sampling:
        if report.values.get("cost_per_step") and report.values.get("flops_per_step"):
            by_source[report.values["source"]].append(report)
    out = []
    for group in by_source.values():
        if len(group) < 3:
            continue
        ratios = [r.values["cost_per_step"] / r.values["flops_per_step"] for r in group]
        typical = statistics.median(ratios)
        for report, ratio in zip(group, ratios, strict=True):
            if ratio / typical > COST_FACTOR or typical / ratio > COST_FACTOR:
                expected = report.values["flops_per_step"] * typical
                problem = _warn(report, "cost_mismatch",
                                f"cost per step {_num(report.values['cost_per_step'])} is not in proportion to "
                                f"{_num(report.values['flops_per_step'])} FLOP per step like the source's other "
                                f"records (expected about {expected:.2g})", "cost_per_step",
                                "the source may be inconsistent; keep its number and say so in notes")
                if problem:
                    out.append(problem)
    return out


def _mfu_hfu(utilization: list[_Report]) -> list[Problem]:
    """MFU and HFU mixed up: one written as a fraction, MFU above HFU, one source's MFU as another's HFU."""
    out = []
    for report in utilization:
        mfu, hfu = report.values.get("mfu"), report.values.get("hfu")
        if mfu is not None and hfu is not None and mfu > hfu:
            out.append(_warn(report, "mfu_above_hfu", f"MFU {_num(mfu)}% is above HFU {_num(hfu)}%", "mfu",
                             "HFU counts recomputed activations too, so it is at least MFU: are the two swapped?"))
        for field, other_field in (("mfu", "hfu"), ("hfu", "mfu")):
            mine = report.values.get(field)
            if mine is None:
                continue
            if 0 < mine <= 1:
                out.append(_warn(report, "fraction_as_percent", f"{field} {_num(mine)} looks like a fraction, but "
                                 f"{field.upper()} is a percentage", field, f"did you mean {_num(mine * 100)}%?"))
            for other in utilization:
                theirs = other.values.get(other_field)
                if other.values["model"] == report.values["model"] and theirs is not None and abs(mine - theirs) < 0.05:
                    problem = _warn(report, "mfu_hfu_swap",
                                    f"{field} {_num(mine)}% equals the {other_field} that {other.where} reports",
                                    field, "MFU and HFU are different figures: check which one the source gives")
                    if problem:
                        out.append(problem)
                    break
    return [p for p in out if p is not None]


def _active_as_total(training: list[_Report], dataset: Dataset, store: Any) -> list[Problem]:
    active = {id_: loc.values["active_parameters"] for id_, loc in dataset.models.items()
              if loc.values.get("active_parameters")}
    if store is not None:
        active.update({id_: row["active_parameters"] for id_, row in store.known().models.items()
                       if row.get("active_parameters") and id_ not in active})
    out = []
    for report in training:
        count = active.get(report.values["model"])
        parameters = report.values.get("parameters")
        if count and parameters and math.isclose(count, parameters, rel_tol=0.01):
            problem = _warn(report, "active_as_total",
                            f"parameters {format_count(parameters)} is the model's active parameter count, not its total",
                            "parameters", "give the total here; active parameters belong in the model's active_parameters")
            if problem:
                out.append(problem)
    return out


_QUOTED_NUMBER = re.compile(
    r"(?:[-+]?\d[\d,]*(?:\.\d+)?(?:\s*(?:[eE][-+]?\d+|[x×]\s*10\^?[-+]?\d+))?|[零一二两三四五六七八九十])"
    r"(?:\s*(?:%|percent|thousand|million|billion|trillion|[KkMBTG](?![A-Za-z])|[十百千万亿]+))?"
    r"|[十百千万亿]+"
)


_MANTISSA = re.compile(r"[-+]?\d[\d,]*(?:\.(?P<decimals>\d+))?")
_CHINESE_DIGIT = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _quoted_values(quote: str) -> list[tuple[float, float]]:
    """Numbers in a quote, each with half the unit of its last written digit.

    "540 billion" is 5.4e11 ± 0.5e9, so it matches 540.35B; "57.8%" is 57.8 ± 0.05.
    """
    found = []
    for m in _QUOTED_NUMBER.finditer(quote):
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
            found.append((value, 0.5 * 10**-decimals * multiplier))
            break
    return found


def _quotes(dataset: Dataset) -> list[Problem]:
    out = []
    for kind, cls in RECORD_KINDS.items():
        numeric = [f for f in cls.model_fields if f in quantity_fields(cls) or f in ("steps", "n_shot")]
        for loc in dataset.records[kind]:
            quote = loc.values.get("quote")
            if not quote:
                continue
            wanted = ["value"] if kind == "scores" else [f for f in numeric if loc.values.get(f) is not None]
            quoted = _quoted_values(quote)
            if any(_appears(loc.values[f], quoted) for f in wanted):
                continue
            shown = ", ".join(f"{f} {_num(loc.values[f])}" for f in wanted) or "no number"
            out.append(loc.problem(Severity.WARNING, "quote_mismatch",
                                   f"the quote does not contain {shown}", "quote",
                                   "the quote should be the source's words for this number"))
    return out


def _appears(value: float, quoted: list[tuple[float, float]]) -> bool:
    return any(math.isclose(value, q, rel_tol=1e-9) or abs(value - q) <= half for q, half in quoted)
