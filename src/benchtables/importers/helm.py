"""A HELM run directory (``run_spec.json`` + ``stats.json``) → one score.

The run spec gives the scenario (``MMLUScenario`` with ``subject``), the group (``mmlu``),
the model (``adapter_spec.model``), the number of in-context examples
(``max_train_instances``) and the adaptation method (the setting). From the flat list of
stats, the main metric's ``mean`` on the ``test`` split without a perturbation is the number,
or on the ``valid`` split for scenarios HELM runs only there (HellaSwag); robustness and
fairness variants and stats with no mean are left out.
HELM's values are fractions; ``max_eval_instances`` is reported, because a score over ten
questions is not an MMLU score in the usual sense.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, read_json

__all__ = ["import_helm"]

#: HELM's splits in order of preference, with the names entry files use.
_SPLITS = {"test": "test", "valid": "validation"}
#: HELM's main metric per benchmark, where it is not exact_match.
_MAIN = {"truthfulqa": "exact_match", "gsm8k": "final_number_exact_match", "math": "math_equiv_chain_of_thought"}


def _load(path: Path, name: str) -> Any:
    target = path / name if path.is_dir() else path.with_name(name)
    if not target.exists():
        raise FormatError(f"a HELM run is a directory with run_spec.json and stats.json; {target} is missing")
    return read_json(target)


def import_helm(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                model: str | None) -> None:
    spec = _load(path, "run_spec.json")
    stats = _load(path, "stats.json")
    if not isinstance(spec, dict) or "adapter_spec" not in spec or not isinstance(stats, list):
        raise FormatError(f"{path} is not a HELM run: expected run_spec.json with adapter_spec and a list in stats.json")
    run = str(spec.get("name", path.name))
    adapter = spec["adapter_spec"]
    scenario_args = (spec.get("scenario_spec") or {}).get("args") or {}
    groups = spec.get("groups") or []
    candidates = [*groups, run.split(":")[0]]
    benchmark_id = next((b for c in candidates if (b := importer.registry.benchmark_index.resolve(str(c)))), None)
    if benchmark_id is None:
        importer.result.unknown[run.split(":")[0]] += 1
        return
    benchmark = importer.registry.benchmarks[benchmark_id]
    main = _MAIN.get(benchmark_id, "exact_match")
    unperturbed = {(s.get("name") or {}).get("split"): s for s in stats if isinstance(s, dict) and "mean" in s
                   and (s.get("name") or {}).get("name") == main and "perturbation" not in (s.get("name") or {})}
    file = f"{path.name}/stats.json"
    split = next((s for s in _SPLITS if s in unperturbed), None)
    if split is None:
        importer.skip(f"no {main} on the test or valid split without perturbation")
        return
    chosen = [unperturbed[split]]
    metric_id = importer.registry.resolve_metric_of(benchmark_id, main) or benchmark.primary
    where = f"{file}: {main} (split {split})"
    value = importer.percent(float(chosen[0]["mean"]), metric=metric_id)
    model_name = model or adapter.get("model") or adapter.get("model_deployment")
    if not model_name:
        raise FormatError(f"{path}: the run spec names no model; pass --model")
    model_id = importer.model(str(model_name), file)
    limit = adapter.get("max_eval_instances")
    notes = [f"HELM run {run}", f"HELM metric {main}" if metric_id != main else ""]
    if limit:
        notes.append(f"max_eval_instances {limit}")
        importer.warn("small_sample", f"HELM evaluated at most {limit} instances (max_eval_instances) for this number",
                      file, main, "a sample this small is not comparable with full-benchmark scores")
    method = adapter.get("method")
    subject = scenario_args.get("subject")
    label = "-".join(str(x) for x in (benchmark_id, subject, model_name) if x)
    source = importer.source(source_id or f"helm-{label}", f"HELM run {run}",
                             url=source_url, kind="evaluation")
    shots = adapter.get("max_train_instances")
    source.records["scores"].append({
        "model": model_id, "benchmark": benchmark_id, "metric": metric_id, "value": value,
        "n_shot": int(shots) if isinstance(shots, int) else None, "setting": method,
        "split": _SPLITS[split], "subset": subject, "where": where,
        "notes": "; ".join(n for n in notes if n),
    })
