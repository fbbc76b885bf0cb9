"""A model's scores as a Hugging Face ``model-index`` block (model card front matter)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchtables.export.common import model_scores
from benchtables.store import Store

__all__ = ["export_model_index"]


def export_model_index(model: str, store: Path | str | Store | None = None) -> str:
    """A ``model-index`` block for a Hugging Face model card with every score of ``model``.

    Each result keeps its setting (``args.num_few_shot``, ``split``, ``config`` for a subset,
    ``args.setting``) and its source (``source.name``, ``source.url``).
    """
    import yaml

    found = model_scores(store, model)
    info, scores, registry, sources = found.model, found.scores, found.registry, found.sources
    results = []
    for r in scores:
        benchmark = registry.benchmarks[r["benchmark"]]
        metric = registry.metrics[r["metric"]]
        dataset: dict[str, Any] = {"name": benchmark.name, "type": benchmark.id}
        if r["subset"]:
            dataset["config"] = r["subset"]
        if r["split"]:
            dataset["split"] = r["split"]
        args = {k: v for k, v in (("num_few_shot", r["n_shot"]), ("setting", r["setting"])) if v is not None}
        if args:
            dataset["args"] = args
        source = sources.get(r["source"], {})
        result: dict[str, Any] = {
            "task": {"type": "text-generation"},
            "dataset": dataset,
            "metrics": [{"type": metric.id, "value": r["value"], "name": metric.name}],
            "source": {k: v for k, v in (("name", source.get("title")), ("url", source.get("url"))) if v},
        }
        results.append(result)
    block = {"model-index": [{"name": info["id"], "results": results}]}
    return yaml.safe_dump(block, sort_keys=False, allow_unicode=True, width=120)


