"""EleutherAI lm-evaluation-harness results JSON → scores.

Reads both layouts the harness has written: v0.4 (``"acc,none"`` / ``"acc_stderr,none"``
keys with a filter after the comma, per-task ``n-shot`` and ``configs[task].num_fewshot``,
``group_subtasks``, ``config.model_args``) and v0.3 (flat ``acc``/``acc_stderr`` keys, one
global ``config.num_fewshot``). Fractions become percents for percent metrics; ``acc`` and
``acc_norm`` stay distinct metrics; a stderr of ``"N/A"`` is missing; a filter other than
``none`` (``strict-match``, ``flexible-extract``) becomes the setting. Task names map to
benchmarks and subsets (``mmlu_philosophy`` → mmlu, subset philosophy); tasks that match no
benchmark are listed in the result, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, read_json

__all__ = ["SUPPORTED_VERSIONS", "import_lm_eval"]

SUPPORTED_VERSIONS = ("0.3", "0.4")

#: Tasks whose name is not a benchmark alias, with the metric the harness's ``acc`` stands for.
_TASKS: dict[str, tuple[str, str | None]] = {
    "truthfulqa_mc1": ("truthfulqa", "mc1"),
    "truthfulqa_mc2": ("truthfulqa", "mc2"),
    "lambada_openai": ("lambada", None),
    "hendrycks_math": ("math", None),
    "squadv2": ("squad-v2.0", None),
}
#: Benchmarks whose harness tasks are subsets named after the family (``mmlu_philosophy``).
_FAMILIES = {"mmlu", "mmlu-pro", "bbh"}
#: MMLU's 57 subjects and 4 categories: other ``mmlu_…`` tasks are variants (``mmlu_redux_…``,
#: ``mmlu_prox_…``, ``mmlu_continuation_…``), not subsets of MMLU.
_MMLU_SUBSETS = frozenset("""
    abstract_algebra anatomy astronomy business_ethics clinical_knowledge college_biology college_chemistry
    college_computer_science college_mathematics college_medicine college_physics computer_security
    conceptual_physics econometrics electrical_engineering elementary_mathematics formal_logic global_facts
    high_school_biology high_school_chemistry high_school_computer_science high_school_european_history
    high_school_geography high_school_government_and_politics high_school_macroeconomics high_school_mathematics
    high_school_microeconomics high_school_physics high_school_psychology high_school_statistics
    high_school_us_history high_school_world_history human_aging human_sexuality international_law jurisprudence
    logical_fallacies machine_learning management marketing medical_genetics miscellaneous moral_disputes
    moral_scenarios nutrition philosophy prehistory professional_accounting professional_law professional_medicine
    professional_psychology public_relations security_studies sociology us_foreign_policy virology world_religions
    humanities social_sciences stem other""".split())
_METRIC_ALIASES = {"em": "exact_match", "ppl": "perplexity"}


def _read(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise FormatError(f"{path.name} is not an lm-evaluation-harness results file: it has no 'results' mapping")
    return data


def _version(data: dict[str, Any], name: str) -> str:
    stated = data.get("lm_eval_version")
    if stated is not None:
        m = re.match(r"^(\d+)\.(\d+)", str(stated))
        version = f"{m.group(1)}.{m.group(2)}" if m else str(stated)
        if version not in SUPPORTED_VERSIONS:
            raise FormatError(f"{name} was written by lm-evaluation-harness {stated}; this importer reads the "
                              f"result files of versions {' and '.join(SUPPORTED_VERSIONS)}")
        return version
    comma_keys = any("," in key for task in data["results"].values() if isinstance(task, dict) for key in task)
    return "0.4" if comma_keys or "n-shot" in data else "0.3"


def _model_name(data: dict[str, Any], importer: Importer, file: str) -> str | None:
    config = data.get("config") or {}
    args = config.get("model_args") or ""
    pretrained = None
    if isinstance(args, str):
        m = re.search(r"(?:^|,)\s*(?:pretrained|model|peft)=([^,]+)", args)
        pretrained = m.group(1).strip() if m else None
    elif isinstance(args, dict):
        pretrained = args.get("pretrained") or args.get("model")
    named = data.get("model_name") or pretrained
    declared = config.get("model")
    if pretrained and declared and declared not in ("hf", "hf-causal", "hf-causal-experimental", "vllm", "local-completions") \
            and declared != pretrained:
        importer.warn("model_conflict", f"config.model is {declared!r} (the harness's model class) but model_args "
                      f"names {pretrained!r}; using {pretrained!r}", file, "config.model")
    return named


def _benchmark(task: str, importer: Importer) -> tuple[str, str | None, str | None] | None:
    """(benchmark id, subset, metric override) for a task name, or None."""
    name = task.removeprefix("leaderboard_")
    if name in _TASKS:
        benchmark, metric = _TASKS[name]
        return benchmark, None, metric
    found = importer.registry.benchmark_index.resolve(name)
    if found is not None:
        return found, None, None
    # the longest start that names a family, the rest a subset: mmlu_pro_biology → mmlu-pro, biology
    parts = re.split(r"([_-])", name)
    for end in range(len(parts) - 2, 0, -2):
        found = importer.registry.benchmark_index.resolve("".join(parts[:end]))
        if found is not None:
            subset = "".join(parts[end + 1:])
            known = found != "mmlu" or subset in _MMLU_SUBSETS
            return (found, subset, None) if found in _FAMILIES and known else None
    return None


def _group_shots(task: str, data: dict[str, Any], benchmark: Callable[[str], str | None]) -> int | None:
    """A group's n-shot: its subtasks' when they all agree, else None (also for a task that is no group).

    v0.4 files give n-shot for subtasks only, or (0.4.0–0.4.1) a 0 for the group whatever its
    subtasks used. Subtasks come from ``group_subtasks`` (recursively, leaves only); files
    without it list groups under ``groups``, whose subtasks are the other tasks of the group's
    benchmark (``mmlu_stem`` → ``mmlu_…``, not ``mmlu_pro_…``).
    """
    n_shots, members, groups = data.get("n-shot") or {}, data.get("group_subtasks") or {}, data.get("groups") or {}
    if task in members:
        leaves, stack, seen = set(), list(members[task]), {task}
        while stack:
            sub = stack.pop()
            if sub in seen:
                continue
            seen.add(sub)
            if members.get(sub):
                stack.extend(members[sub])
            else:
                leaves.add(sub)
    elif task in groups:
        leaves = {t for t in n_shots if t not in groups and t not in members and benchmark(t) == benchmark(task)}
    else:
        return None
    shots = {n_shots[t] for t in leaves if t in n_shots}
    return next(iter(shots)) if len(shots) == 1 else None


def _subset_setting(subset: str | None) -> tuple[str | None, str | None]:
    """``cot_fewshot_boolean_expressions`` → (``boolean_expressions``, ``cot``): the setting is not a subset."""
    if subset is None:
        return None, None
    setting = "cot" if subset.startswith("cot_") else None
    bare = re.sub(r"^(?:cot_)?(?:fewshot_|zeroshot_)?", "", subset)
    return bare or None, setting


def import_lm_eval(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                   model: str | None) -> None:
    data = _read(path)
    file = path.name
    version = _version(data, file)
    model_name = model or _model_name(data, importer, file)
    if not model_name:
        raise FormatError(f"{file} does not name the model it evaluated (no model_name or pretrained=); pass --model")
    parameters = (data.get("config") or {}).get("model_num_parameters")
    model_id = importer.model(model_name, file, parameters=float(parameters) if parameters else None)
    stamp = data.get("date")
    date = dt.datetime.fromtimestamp(stamp, dt.UTC) if isinstance(stamp, int | float) else None
    harness = data.get("lm_eval_version") or f"v{version}"
    source = importer.source(
        source_id or f"lm-eval-{model_name.split('/')[-1]}" + (f"-{date:%Y%m%d}" if date else ""),
        f"lm-evaluation-harness {harness} results for {model_name}" + (f", {date:%Y-%m-%d}" if date else ""),
        url=source_url, year=date.year if date else None, kind="evaluation",
    )
    n_shots = data.get("n-shot") or {}
    configs = data.get("configs") or {}
    default_shots = (data.get("config") or {}).get("num_fewshot")

    def family(task: str) -> str | None:
        return (_benchmark(task, importer) or (None,))[0]

    for task, metrics in sorted(data["results"].items()):
        if not isinstance(metrics, dict):
            continue
        mapped = _benchmark(task, importer)
        if mapped is None:
            importer.result.unknown[task] += 1
            continue
        benchmark_id, subset, override = mapped
        subset, subset_setting = _subset_setting(subset)
        shots = _group_shots(task, data, family)
        if shots is None:
            shots = n_shots.get(task, (configs.get(task) or {}).get("num_fewshot", default_shots))
        n_shot = int(shots) if isinstance(shots, int | float | str) and str(shots).isdigit() else None
        for key, raw in sorted(metrics.items()):
            name, _, filter_ = key.partition(",")
            if name == "alias" or name.endswith("_stderr"):
                continue
            scored = importer.scored(benchmark_id, override if (override and name == "acc")
                                     else _METRIC_ALIASES.get(name, name), raw)
            if scored is None:
                continue
            metric, value = scored
            where = f"{file}: results.{task}[{key!r}]"
            stderr_key = f"{name}_stderr" + (f",{filter_}" if filter_ else "")
            stderr = importer.number(metrics.get(stderr_key)) if stderr_key in metrics else None
            value, stderr = importer.percent(value, metric=metric), importer.percent(stderr, metric=metric)
            setting = ",".join(s for s in (subset_setting, filter_ if filter_ != "none" else None) if s) or None
            source.records["scores"].append({
                "model": model_id, "benchmark": benchmark_id, "metric": metric, "value": value, "stderr": stderr,
                "n_shot": n_shot, "setting": setting, "subset": subset, "where": where,
            })
