"""A HELM run directory (``run_spec.json`` + ``stats.json``) → one score.

The run spec gives the scenario (``MMLUScenario`` with ``subject``), the group (``mmlu``),
the model (``adapter_spec.model``), the number of in-context examples
(``max_train_instances``) and the adaptation method (the setting). From the flat list of
stats, the number is the ``mean`` of the benchmark's *main metric* — the stat whose name the
registry knows as the benchmark's primary metric (HELM's ``f1_score`` is NarrativeQA's F1,
``exact_match`` MMLU's accuracy, ``final_number_exact_match`` GSM8K's exact match) — on the
``test`` split without a perturbation, or on ``valid`` for scenarios HELM runs only there.

HELM's values are fractions. A run capped by ``max_eval_instances`` below HELM's own standard
(1,000) evaluated a sample: its number is marked ``partial`` with the instances counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, read_json

__all__ = ["import_helm"]

#: HELM's splits in order of preference, with the names entry files use.
_SPLITS = {"test": "test", "valid": "validation"}
#: HELM's standard cap on evaluated instances; a smaller one is a sample of a sample.
HELM_STANDARD_INSTANCES = 1000


def _load(path: Path, name: str) -> Any:
    target = path / name if path.is_dir() else path.with_name(name)
    if not target.exists():
        raise FormatError(f"a HELM run is a directory with run_spec.json and stats.json; {target} is missing")
    return read_json(target)


def _main_stats(importer: Importer, benchmark_id: str, stats: list[Any]) -> dict[str | None, dict[str, Any]]:
    """The main metric's unperturbed stats by split: the stat named as the benchmark's primary metric."""
    primary = importer.registry.benchmarks[benchmark_id].primary
    found: dict[str | None, dict[str, Any]] = {}
    for stat in stats:
        name = stat.get("name") if isinstance(stat, dict) else None
        if not isinstance(name, dict) or "perturbation" in name or "mean" not in stat:
            continue
        if importer.registry.resolve_metric_of(benchmark_id, str(name.get("name"))) != primary:
            continue
        split = name.get("split")
        exact = name.get("name") == primary
        if split not in found or exact:  # a stat named as the metric itself wins
            found[split] = stat
    return found


def _instances(stats: list[Any], split: str) -> int | None:
    for stat in stats:
        name = stat.get("name") if isinstance(stat, dict) else None
        if isinstance(name, dict) and name.get("name") == "num_instances" and name.get("split") == split \
                and "perturbation" not in name and isinstance(stat.get("mean"), int | float):
            return int(stat["mean"])
    return None


def import_helm(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                model: str | None) -> None:
    spec = _load(path, "run_spec.json")
    stats = _load(path, "stats.json")
    if not isinstance(spec, dict) or not isinstance(spec.get("adapter_spec"), dict) or not isinstance(stats, list):
        raise FormatError(f"{path} is not a HELM run: expected run_spec.json with adapter_spec and a list in stats.json")
    run = str(spec.get("name", path.name))
    adapter = spec["adapter_spec"]
    scenario = given if isinstance(given := spec.get("scenario_spec"), dict) else {}
    scenario_args = given if isinstance(given := scenario.get("args"), dict) else {}
    groups = given if isinstance(given := spec.get("groups"), list) else []
    candidates = [*groups, run.split(":")[0]]
    benchmark_id = next((b for c in candidates if (b := importer.benchmark(str(c)))), None)
    if benchmark_id is None:
        importer.unknown(run.split(":")[0])
        return
    main = _main_stats(importer, benchmark_id, stats)
    file = f"{path.name}/stats.json"
    split = next((s for s in _SPLITS if s in main), None)
    if split is None:
        importer.skip(f"no main metric of {benchmark_id} on the test or valid split without perturbation")
        return
    stat = main[split]
    stat_name = stat["name"]["name"]
    metric_id = importer.registry.benchmarks[benchmark_id].primary
    value = importer.number(stat["mean"])
    if value is None:
        return
    value = importer.percent(value, metric=metric_id)
    model_name = model or adapter.get("model") or adapter.get("model_deployment")
    if not model_name:
        raise FormatError(f"{path}: the run spec names no model; pass --model")
    model_ref = importer.model(str(model_name), file)
    limit = adapter.get("max_eval_instances")
    instances = _instances(stats, split)
    partial = isinstance(limit, int) and limit < HELM_STANDARD_INSTANCES
    notes = [f"HELM run {run}", f"HELM metric {stat_name}" if stat_name != metric_id else "",
             f"max_eval_instances {limit}" if limit else ""]
    subject = scenario_args.get("subject")
    label = "-".join(str(x) for x in (benchmark_id, subject, model_name) if x)
    source = importer.source(source_id or f"helm-{label}", f"HELM run {run}", url=source_url, kind="evaluation")
    shots = adapter.get("max_train_instances")
    importer.add(source, {
        "model": model_ref.id, "benchmark": benchmark_id, "metric": metric_id, "value": value,
        "n_shot": int(shots) if isinstance(shots, int) else None, "setting": adapter.get("method"),
        "split": _SPLITS[split], "subset": subject, "n_samples": instances, "partial": True if partial else None,
        "_partial_reason": f"HELM max_eval_instances {limit} (below its standard {HELM_STANDARD_INSTANCES})"
        if partial else None,
        "where": f"{file}: {stat_name} (split {split})", "notes": "; ".join(n for n in notes if n),
    }, model=model_ref, file=file)
