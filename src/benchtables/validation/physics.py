"""Step 3 of validation, continued: physics checks across training, utilisation and sampling records.

Warnings, never errors: a number can be right and still look wrong.

* ``compute_mismatch`` — reported training compute more than 3× off 6·N·D;
* ``utilization_mismatch`` — MFU/HFU more than 2× off compute ÷ (chip-hours × peak FLOP/s);
* ``compute_exceeds_hardware`` — training compute above chips × time × peak FLOP/s;
* ``cost_mismatch`` — a cost per step out of proportion with FLOP per step, against the other
  records of its source (the 39M row of Mei et al., 2024, Table 1);
* ``mfu_above_hfu``, ``mfu_hfu_swap``, ``fraction_as_percent`` — MFU and HFU mixed up or
  written as fractions;
* ``active_as_total`` — a parameter count equal to the model's active (not total) parameters.

These compare a model's few records with each other, in Python; every quantity computed is
checked to be finite, so no input can make them divide by zero.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, TypeGuard

import numpy as np

from benchtables.problems import Severity
from benchtables.registry import Registry
from benchtables.units import format_compute, format_count, format_number
from benchtables.validation.across import Across, Pool

__all__ = ["check_physics"]

COMPUTE_FACTOR = 3.0
UTILIZATION_FACTOR = 2.0
COST_FACTOR = 1.25


def _num(value: float) -> str:
    return format_compute(value) if abs(value) >= 1e6 else format_number(value, 4)


def _finite(value: Any, *more: Any) -> TypeGuard[float]:
    """Whether every value is a finite, non-zero number (the first is then known to be one)."""
    return all(isinstance(v, int | float) and math.isfinite(v) and v != 0 for v in (value, *more))


class _Warnings:
    """Warnings for rows of a pool, each with its own message (physics checks word each one)."""

    def __init__(self, pool: Pool, found: Across) -> None:
        self.pool, self.found = pool, found
        self.messages: dict[tuple[str, str], dict[int, tuple[str, str | None]]] = defaultdict(dict)

    def add(self, row: int, code: str, name: str, message: str, hint: str | None) -> None:
        if self.pool.part[row] >= 0:
            self.messages[(code, name)].setdefault(row, (message, hint))

    def flush(self) -> None:
        for (code, name), messages in self.messages.items():
            self.found.add(code, name, Severity.WARNING, np.array(sorted(messages), dtype=np.int64),
                           lambda r, messages=messages: messages[r])  # type: ignore[misc]


def _records(pool: Pool | None) -> list[dict[str, Any]]:
    return pool.rows.to_pylist() if pool is not None and pool.rows.num_rows else []


def check_physics(pools: Mapping[str, Pool], registry: Registry, active: Mapping[str, float],
                  found: Mapping[str, Across], declared: Mapping[str, float] | None = None) -> None:
    """Every physics check over the pooled training, utilisation and sampling records (``declared``:
    the parameters each model's declaration states)."""
    training, utilization, sampling = pools.get("training"), pools.get("utilization"), pools.get("sampling")
    trained = _records(training)
    if training is not None:
        warn = _Warnings(training, found["training"])
        _compute(trained, warn)
        _hardware_budget(trained, registry, warn)
        _active_as_total(trained, active, warn)
        _declared_size(trained, declared or {}, warn)
        warn.flush()
    if utilization is not None:
        warn = _Warnings(utilization, found["utilization"])
        used = _records(utilization)
        _utilization(used, trained, registry, warn)
        _mfu_hfu(used, utilization, warn)
        warn.flush()
    if sampling is not None:
        warn = _Warnings(sampling, found["sampling"])
        _costs(_records(sampling), warn)
        warn.flush()


def _compute(training: list[dict[str, Any]], warn: _Warnings) -> None:
    sizes: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for v in training:
        if _finite(v.get("parameters"), v.get("tokens")):
            sizes[v["model"]].append((v["parameters"], v["tokens"], v["source"]))
    for row, v in enumerate(training):
        compute = v.get("compute")
        candidates = sizes.get(v["model"], [])
        if not _finite(compute) or not candidates:
            continue
        same_source = [c for c in candidates if c[2] == v["source"]]
        n, d, _ = (same_source or candidates)[0]
        estimate = 6 * n * d
        if not _finite(estimate):
            continue
        ratio = compute / estimate
        if ratio > COMPUTE_FACTOR or ratio < 1 / COMPUTE_FACTOR:
            warn.add(row, "compute_mismatch", "compute",
                     f"compute {_num(compute)} FLOP is {format_number(ratio, 2)}× 6·N·D = {_num(estimate)} "
                     f"(N = {format_count(n)} parameters, D = {format_count(d)} tokens)",
                     "check the exponent, and that tokens are tokens (not words or examples)")


def _chip_seconds(v: Mapping[str, Any]) -> float | None:
    """Chip-time of a training record: its chip-hours, else days × chips."""
    if _finite(v.get("chip_hours")):
        seconds = v["chip_hours"] * 3600
    elif _finite(v.get("days"), v.get("chips")):
        seconds = v["days"] * 86400 * v["chips"]
    else:
        return None
    return float(seconds) if _finite(seconds) else None


def _hardware_budget(training: list[dict[str, Any]], registry: Registry, warn: _Warnings) -> None:
    """Reported compute that the record's own chips could not deliver in its time, even at peak."""
    for row, v in enumerate(training):
        seconds = _chip_seconds(v)
        peak = registry.peak_flops(v.get("hardware"))
        if not (_finite(v.get("compute")) and seconds and peak and _finite(seconds * peak)):
            continue
        if v["compute"] > seconds * peak:
            warn.add(row, "compute_exceeds_hardware", "compute",
                     f"compute {_num(v['compute'])} FLOP is {v['compute'] / (seconds * peak):.0%} of what the chips "
                     f"could do at peak ({_num(seconds * peak)} FLOP)",
                     "is it the base model's compute, or another run's hardware?")


def _utilization(utilization: list[dict[str, Any]], training: list[dict[str, Any]], registry: Registry,
                 warn: _Warnings) -> None:
    budgets: dict[str, list[tuple[float | None, float]]] = defaultdict(list)
    for v in training:
        seconds = _chip_seconds(v)
        if seconds:
            budgets[v["model"]].append((v.get("compute"), seconds))
    computes = {v["model"]: v["compute"] for v in training if _finite(v.get("compute"))}
    for row, v in enumerate(utilization):
        peak = registry.peak_flops(v.get("hardware"))
        if not peak:
            continue
        for compute, seconds in budgets.get(v["model"], []):
            compute = compute if _finite(compute) else computes.get(v["model"])
            if not _finite(compute) or not _finite(seconds * peak):
                continue
            implied = 100 * compute / (seconds * peak)
            if not _finite(implied):
                continue
            for name in ("mfu", "hfu"):
                stated = v.get(name)
                if _finite(stated) and (stated / implied > UTILIZATION_FACTOR or implied / stated > UTILIZATION_FACTOR):
                    warn.add(row, "utilization_mismatch", name,
                             f"{name} {_num(stated)}% is far from compute ÷ (chip-time × peak) = {implied:.1f}%",
                             f"peak {_num(peak)} FLOP/s per {v.get('hardware')}; is it MFU or HFU?")
            break


def _costs(sampling: list[dict[str, Any]], warn: _Warnings) -> None:
    by_source: dict[str, list[int]] = defaultdict(list)
    for row, v in enumerate(sampling):
        if _finite(v.get("cost_per_step"), v.get("flops_per_step")):
            by_source[v["source"]].append(row)
    for rows in by_source.values():
        if len(rows) < 3:
            continue
        ratios = [sampling[r]["cost_per_step"] / sampling[r]["flops_per_step"] for r in rows]
        typical = statistics.median(ratios)
        if not _finite(typical):
            continue
        for row, ratio in zip(rows, ratios, strict=True):
            if _finite(ratio) and (ratio / typical > COST_FACTOR or typical / ratio > COST_FACTOR):
                v = sampling[row]
                warn.add(row, "cost_mismatch", "cost_per_step",
                         f"cost per step {_num(v['cost_per_step'])} is not in proportion to {_num(v['flops_per_step'])} "
                         f"FLOP per step like the source's other records (expected about "
                         f"{v['flops_per_step'] * typical:.2g})",
                         "the source may be inconsistent; keep its number and say so in notes")


def _mfu_hfu(utilization: list[dict[str, Any]], pool: Pool, warn: _Warnings) -> None:
    """MFU and HFU mixed up: one written as a fraction, MFU above HFU, one source's MFU as another's HFU."""
    by_model: dict[str, list[int]] = defaultdict(list)
    for row, v in enumerate(utilization):
        by_model[v["model"]].append(row)
    for row, v in enumerate(utilization):
        mfu, hfu = v.get("mfu"), v.get("hfu")
        if mfu is not None and hfu is not None and mfu > hfu:
            warn.add(row, "mfu_above_hfu", "mfu", f"MFU {_num(mfu)}% is above HFU {_num(hfu)}%",
                     "HFU counts recomputed activations too, so it is at least MFU: are the two swapped?")
        for name, other_name in (("mfu", "hfu"), ("hfu", "mfu")):
            mine = v.get(name)
            if mine is None:
                continue
            if 0 < mine <= 1:
                warn.add(row, "fraction_as_percent", name, f"{name} {_num(mine)} looks like a fraction, but "
                         f"{name.upper()} is a percentage", f"did you mean {_num(mine * 100)}%?")
            for other in by_model[v["model"]]:
                theirs = utilization[other].get(other_name)
                if theirs is not None and abs(mine - theirs) < 0.05:
                    warn.add(row, "mfu_hfu_swap", name,
                             f"{name} {_num(mine)}% equals the {other_name} that {pool.place(other)} reports",
                             "MFU and HFU are different figures: check which one the source gives")
                    break


def _declared_size(training: list[dict[str, Any]], declared: Mapping[str, float], warn: _Warnings) -> None:
    """A training record's parameters against the model's declaration (beyond the rounding of either)."""
    from benchtables.validation.across import disagreeing

    for row, v in enumerate(training):
        stated, parameters = declared.get(v["model"]), v.get("parameters")
        if _finite(stated) and _finite(parameters) and disagreeing(np.array([parameters]), np.array([stated]))[0]:
            warn.add(row, "parameters_mismatch", "parameters",
                     f"parameters {format_count(parameters)} here, but model {v['model']!r} is declared with "
                     f"{format_count(stated)}", "one of them is another model, or a typo: make them agree")


def _active_as_total(training: list[dict[str, Any]], active: Mapping[str, float], warn: _Warnings) -> None:
    for row, v in enumerate(training):
        count = active.get(v["model"])
        parameters = v.get("parameters")
        if _finite(count) and _finite(parameters) and math.isclose(count, parameters, rel_tol=0.01):
            warn.add(row, "active_as_total", "parameters",
                     f"parameters {format_count(parameters)} is the model's active parameter count, not its total",
                     "give the total here; active parameters belong in the model's active_parameters")
