"""Scores as Every Eval Ever aggregate documents (evaleval/every_eval_ever, schema 0.3.0).

One document per model and source, as Every Eval Ever keeps them. What each field holds:

* ``source_metadata``: the source's title; ``evaluation_run`` for a source of kind
  ``evaluation``, else ``documentation``; ``first_party`` when the source introduced the model
  (how the store derives first-party numbers), else ``third_party``; the source's link, id,
  date and kind in ``additional_details``.
* ``model_info``: the model's Hugging Face repository id when an alias is one (a checkpoint:
  its base model's, with ``revision``), else its id; ``model_availability`` from
  ``open_weights``; ``deployment_type`` ``unknown`` (the store does not say how it was run).
* Each result: ``metric_id`` is the registry metric; ``lower_is_better``, ``min_score`` and
  ``max_score`` are its direction and range (``"Infinity"`` where unbounded, e.g. Elo),
  ``metric_unit`` ``percent`` for percent metrics (values on the 0–100 scale);
  ``source_data`` the benchmark's Hugging Face dataset (with the split) when an alias names
  one, else its link; stderr and the 95% interval as ``uncertainty``, n_samples as
  ``num_samples``; n-shot (``num_fewshot``), setting, subset and partial in
  ``generation_config.additional_details``.

The documents validate against the 0.3.0 JSON Schema, and importing them gives back the same
records. For a fixed ``timestamp`` the output is the same, byte for byte.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchtables.export.common import find_model
from benchtables.names import REPO_ID
from benchtables.store import Store
from benchtables.tables.select import Setting

__all__ = ["EVERY_EVAL_EVER_VERSION", "export_every_eval_ever"]

#: Version of the every-eval-ever schema (evaleval/every_eval_ever, eval.schema.json) written.
EVERY_EVAL_EVER_VERSION = "0.3.0"


def export_every_eval_ever(store: Path | str | Store | None = None, models: list[str] | None = None,
                           timestamp: str | None = None) -> list[dict[str, Any]]:
    """Scores in the every-eval-ever schema (v0.3.0): one document per model and source.

    ``retrieved_timestamp`` is when this export was made (Unix time), as the schema asks;
    pass ``timestamp`` to fix it.
    """
    import time

    opened = Store.open(store)
    registry = opened.registry()
    stamp = timestamp or str(int(time.time()))
    wanted = {find_model(opened, m)["id"] for m in models} if models else None
    model_rows = {r["id"]: r for r in opened.table("models").to_pylist()}
    sources = {r["id"]: r for r in opened.table("sources").to_pylist()}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in opened.table("scores").to_pylist():
        if wanted is None or r["model"] in wanted:
            groups[(r["model"], r["source"])].append(r)
    documents = []
    for (model_id, source_id), rows in sorted(groups.items()):
        model = model_rows.get(model_id, {"id": model_id, "name": model_id})
        source = sources.get(source_id, {"id": source_id, "title": source_id})
        first_party = bool(rows[0].get("first_party"))
        info = _model_info(model, model_rows)
        documents.append({
            "schema_version": EVERY_EVAL_EVER_VERSION,
            "evaluation_id": f"{source_id}/{_revised(info)}/{stamp}",
            "retrieved_timestamp": stamp,
            "source_metadata": _source_metadata(source, model if first_party else None),
            "eval_library": {"name": "unknown", "version": "unknown"},
            "model_info": info,
            "evaluation_results": _results(rows, registry),
        })
    return documents


def _revised(info: dict[str, Any]) -> str:
    """The model of a document, a checkpoint with its revision: ``EleutherAI/pythia-160m@step3000``."""
    revision = info["additional_details"].get("revision")
    return f"{info['id']}@{revision}" if revision else str(info["id"])


def _hub_id(model: dict[str, Any]) -> str | None:
    return next((a for a in model.get("aliases") or [] if REPO_ID.match(a)), None)


def _model_info(model: dict[str, Any], models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``model_info``: the repository id (a checkpoint's base model's, with its revision) or the model id."""
    weights = model.get("open_weights")
    details = {"deployment_type": "unknown",
               "model_availability": "unknown" if weights is None else "open_weights" if weights else "closed_weights",
               "benchtables_model_id": model["id"]}
    base = models.get(model.get("base_model") or "")
    if base is not None and model.get("revision"):
        identity = _hub_id(base) or base["id"]
        details["revision"] = str(model["revision"])
    else:
        identity = _hub_id(model) or model["id"]
    parameters = model.get("parameters")
    if isinstance(parameters, float | int) and math.isfinite(parameters):
        details["num_parameters"] = f"{parameters:.0f}"
    info: dict[str, Any] = {"name": model.get("name") or model["id"], "id": identity}
    if model.get("organization"):
        info["developer"] = model["organization"]
    info["additional_details"] = details
    return info


def _source_metadata(source: dict[str, Any], introduced: dict[str, Any] | None) -> dict[str, Any]:
    """``source_metadata``; ``introduced``: the model, when this source introduced it (first-party)."""
    details = {k: str(v) for k, v in (("url", source.get("url")), ("benchtables_source_id", source["id"]),
                                      ("date", source.get("date")), ("year", source.get("year")),
                                      ("kind", source.get("kind"))) if v is not None}
    organization = source.get("venue") or (introduced or {}).get("organization") or "unknown"
    return {
        "source_name": source.get("title") or source["id"],
        "source_type": "evaluation_run" if source.get("kind") == "evaluation" else "documentation",
        "source_organization_name": organization,
        "evaluator_relationship": "first_party" if introduced is not None else "third_party",
        "additional_details": details,
    }


def _results(rows: list[dict[str, Any]], registry: Any) -> list[dict[str, Any]]:
    results, seen = [], set()
    for row in rows:
        if _number(row.get("value")) is None:
            continue
        result = _result(row, registry)
        key, n = result["evaluation_result_id"], 2
        while result["evaluation_result_id"] in seen:  # the same number from two places in one source
            result["evaluation_result_id"], n = f"{key}#{n}", n + 1
        seen.add(result["evaluation_result_id"])
        results.append(result)
    return results


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _bound(value: Any, unbounded: str) -> float | str:
    found = _number(value)
    return unbounded if found is None else found


def _result(row: dict[str, Any], registry: Any) -> dict[str, Any]:
    benchmark = registry.benchmarks[row["benchmark"]]
    metric = registry.metrics[row["metric"]]
    setting = Setting.of(row)
    label = setting.label(benchmark.split)
    parts = {"n_shot": setting.n_shot, "setting": setting.setting, "split": setting.split, "subset": setting.subset,
             "partial": "true" if setting.partial else None}
    result_id = "/".join([benchmark.id, metric.id, *(f"{k}={v}" for k, v in parts.items() if v is not None)])
    config = {
        "evaluation_description": f"{metric.name} on {benchmark.name}" + (f" ({label})" if label else ""),
        "metric_id": metric.id,
        "metric_name": metric.name,
        "metric_unit": "percent" if metric.is_percent else str(metric.unit),
        "lower_is_better": not metric.higher_is_better,
        "score_type": "continuous",
        "min_score": _bound(metric.min, "-Infinity"),
        "max_score": _bound(metric.max, "Infinity"),
    }
    uncertainty: dict[str, Any] = {}
    if (stderr := _number(row.get("stderr"))) is not None:
        uncertainty["standard_error"] = {"value": stderr}
    low, high = _number(row.get("ci_low")), _number(row.get("ci_high"))
    if low is not None and high is not None:
        uncertainty["confidence_interval"] = {"lower": low, "upper": high, "confidence_level": 0.95}
    if isinstance(row.get("n_samples"), int):
        uncertainty["num_samples"] = row["n_samples"]
    score: dict[str, Any] = {"score": float(row["value"])}
    if uncertainty:
        score["uncertainty"] = uncertainty
    details = {k: str(v) for k, v in (("num_fewshot", setting.n_shot), ("setting", setting.setting),
                                      ("subset", setting.subset), ("partial", parts["partial"]),
                                      ("where", row.get("where"))) if v is not None}
    name = benchmark.name + (f" ({setting.subset})" if setting.subset else "")
    out: dict[str, Any] = {"evaluation_result_id": result_id, "evaluation_name": name,
                           "source_data": _source_data(benchmark, setting.split), "metric_config": config,
                           "score_details": score}
    if details:
        out["generation_config"] = {"additional_details": details}
    return out


def _source_data(benchmark: Any, split: str | None) -> dict[str, Any]:
    """The benchmark's Hugging Face dataset (with the split) when an alias names one, else its link."""
    repo = next((a for a in benchmark.aliases if REPO_ID.match(a)), None)
    if repo is not None:
        return {"dataset_name": benchmark.name, "source_type": "hf_dataset", "hf_repo": repo,
                **({"hf_split": split} if split else {})}
    data: dict[str, Any] = {"dataset_name": benchmark.name, "source_type": "url" if benchmark.url else "other"}
    if benchmark.url:
        data["url"] = [benchmark.url]
    if split:
        data["additional_details"] = {"split": split}
    return data
