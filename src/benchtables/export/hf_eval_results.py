"""A model's scores as Hugging Face Hub evaluation results (``.eval_results/*.yaml``).

The Hub files a result under a benchmark dataset and one of its tasks and shows one number per
result, with no metric, n-shot or split of its own; its convention is one setting variant per
file, the variant said in ``notes``. So:

* Only scores that fit a Hub leaderboard are written: on a benchmark whose registry entry names
  its Hub dataset and task (``dataset``, ``dataset_task``), in its primary metric, on the whole
  benchmark (no subset) and from a full run (not partial). The rest are left out and listed in
  a comment at the top of every file; with nothing to write, :class:`UsageError` says why.
* One file per benchmark and setting, named after the benchmark (``gpqa_diamond.yaml``, as
  Every Eval Ever's exporter names them) plus the setting (``hle_tools.yaml``,
  ``mmlu_pro_5_shot.yaml``).
* Each result: ``dataset.id``/``task_id`` from the registry, the value on the metric's scale
  (percent metrics 0–100), ``date`` the source's date (or year, ISO-8601's reduced form),
  ``source`` its link and title, and ``notes`` the setting as benchtables labels it (``5-shot,
  cot, validation split``) — what :mod:`benchtables.importers.hf_eval_results` reads back.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from benchtables.errors import UsageError
from benchtables.export.common import model_scores
from benchtables.registry import Registry
from benchtables.store import Store
from benchtables.tables.select import Setting

__all__ = ["export_hf_eval_results"]


def export_hf_eval_results(model: str, store: Path | str | Store | None = None) -> dict[str, str]:
    """``model``'s scores as ``.eval_results`` files: file name → YAML text (see the module docstring).

    Raises:
        UnknownIdError: no such model.
        EmptyResultError: the store has no scores for it.
        UsageError: none of its scores can be written as Hub results (the message says why).
    """
    found = model_scores(store, model)
    info, scores, registry, sources = found.model, found.scores, found.registry, found.sources
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    left_out: Counter[str] = Counter()
    for row in sorted(scores, key=lambda r: (r["benchmark"], r["source"], str(r["value"]))):
        reason = _left_out(row, registry)
        if reason:
            left_out[reason] += 1
            continue
        benchmark = registry.benchmarks[row["benchmark"]]
        label = Setting.of(row).label(benchmark.split)
        entry = _entry(row, benchmark, sources.get(row["source"], {}), label)
        group = groups.setdefault((benchmark.id, label), [])
        if entry not in group:
            group.append(entry)
    omitted = [f"{n} score{'s' if n > 1 else ''}: {reason}" for reason, n in sorted(left_out.items())]
    if not groups:
        raise UsageError(f"none of the {len(scores)} scores of {info['id']} can be written as Hugging Face Hub "
                         f"evaluation results: {'; '.join(omitted)}")
    repo = next((a for a in info.get("aliases") or [] if "/" in a), None)
    files: dict[str, str] = {}
    for (benchmark_id, label), entries in sorted(groups.items()):
        benchmark = registry.benchmarks[benchmark_id]
        stem = benchmark_id.replace("-", "_") + (f"_{_slug(label)}" if label else "")
        name, n = f"{stem}.yaml", 2
        while name in files:
            name, n = f"{stem}_{n}.yaml", n + 1
        header = [f"{benchmark.name} results of {info.get('name') or info['id']} ({label or 'standard setting'}), "
                  "exported by benchtables.",
                  "Put this file in the model repository's .eval_results/ folder"
                  + (f" (https://huggingface.co/{repo})." if repo else ".")]
        header += ["Left out of this export:", *[f"  {line}" for line in omitted]] if omitted else []
        files[name] = "".join(f"# {line}\n" for line in header) + _dump(entries)
    return files


def _left_out(row: dict[str, Any], registry: Registry) -> str | None:
    """Why a score cannot be a Hub result, or None when it can."""
    benchmark = registry.benchmarks.get(row["benchmark"])
    if benchmark is None or not benchmark.dataset or not benchmark.dataset_task:
        name = benchmark.name if benchmark is not None else row["benchmark"]
        return f"{name}: the registry names no Hub benchmark dataset and task for it"
    if row["metric"] != benchmark.primary:
        return (f"{benchmark.name} {registry.metrics[row['metric']].name}: its Hub task reports "
                f"{registry.metrics[benchmark.primary].name}")
    if row.get("subset"):
        return f"{benchmark.name} subsets: its Hub task is the whole benchmark"
    if row.get("partial"):
        return f"{benchmark.name}: partial runs"
    return None


def _entry(row: dict[str, Any], benchmark: Any, source: dict[str, Any], label: str) -> dict[str, Any]:
    """One result, its keys in the order huggingface_hub's ``eval_result_entries_to_yaml`` writes them."""
    entry: dict[str, Any] = {"dataset": {"id": benchmark.dataset, "task_id": benchmark.dataset_task},
                             "value": row["value"]}
    date = source.get("date") or source.get("year")
    if date:
        entry["date"] = str(date)
    if source.get("url"):
        entry["source"] = {"url": source["url"], "name": source.get("title") or source["url"]}
    if label:
        entry["notes"] = label
    return entry


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")


def _dump(entries: list[dict[str, Any]]) -> str:
    import yaml

    return str(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=10_000))
