"""EleutherAI lm-evaluation-harness results JSON → scores.

Reads both layouts the harness has written: v0.4 (``"acc,none"`` / ``"acc_stderr,none"``
keys with a filter after the comma, per-task ``n-shot`` and ``configs[task].num_fewshot``,
``n-samples``, ``group_subtasks``, ``config.model_args``) and v0.3 (flat ``acc``/``acc_stderr``
keys, one global ``config.num_fewshot``). The Open LLM Leaderboard v2 runs the harness, so its
results files (``leaderboard_*`` tasks) are this format; their *raw* scores are imported (the
leaderboard's normalised ones are another metric, read from its contents table, never computed).

* Fractions become percents for percent metrics; a stderr of ``"N/A"`` is missing; a filter
  other than ``none`` (``strict-match``, ``flexible-extract``) becomes the setting.
* Tasks map to benchmarks, variants to their own (``leaderboard_gpqa_diamond`` is GPQA
  Diamond), subtasks to subsets (``mmlu_philosophy`` → mmlu, subset philosophy); tasks that
  match no benchmark are listed with suggestions, never dropped silently.
* **Identity** (:mod:`benchtables.importers.common`): ``revision=step3000`` is part of the
  model; ``peft=…`` names an adapter, a model of its own; a local path, or a model class that
  runs the model through another implementation (``mamba_ssm``, ``sparseml``), needs
  ``--model``; quantisation (``load_in_4bit``) is a setting.
* **Partial runs**: ``config.limit`` or ``n-samples`` with ``effective`` below ``original``
  mark the task's numbers ``partial`` with ``n_samples``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, read_json, slug, whole_number
from benchtables.names import is_local_path

__all__ = ["SUPPORTED_VERSIONS", "import_lm_eval"]

SUPPORTED_VERSIONS = ("0.3", "0.4")

#: Tasks whose name is not a benchmark alias, with the metric the harness's ``acc`` stands for.
_TASKS: dict[str, tuple[str, str | None]] = {
    "truthfulqa_mc1": ("truthfulqa", "mc1"),
    "truthfulqa_mc2": ("truthfulqa", "mc2"),
    "truthfulqa:mc": ("truthfulqa", None),
    "lambada_openai": ("lambada", None),
    "hendrycks_math": ("math", None),
    "squadv2": ("squad-v2.0", None),
}
#: Task names of one benchmark's subtasks that are not ``family_subset``: (pattern, benchmark).
_SUBTASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^math_(?P<subset>.+)_hard$"), "math-hard"),
    (re.compile(r"^bigbench_(?P<subset>.+?)(?:_multiple_choice|_generate_until)?$"), "bigbench"),
)
#: Benchmarks whose harness tasks are subsets named after the family (``mmlu_philosophy``).
_FAMILIES = {"mmlu", "mmlu-pro", "bbh", "musr", "agieval", "math", "bigbench"}
_METRIC_ALIASES = {"em": "exact_match", "ppl": "perplexity"}
#: Model classes that load the named model's own weights (others run another implementation).
_SAME_WEIGHTS = {"hf", "hf-auto", "hf-causal", "hf-causal-experimental", "huggingface", "hf-seq2seq", "seq2seq",
                 "gpt2", "gpt3", "vllm", "sglang", "local-completions", "local-chat-completions", "openai-completions",
                 "openai-chat-completions", "openai", "anthropic", "anthropic-chat", "anthropic-chat-completions",
                 "anthropic-completions", "textsynth", "hf-multimodal", "vllm-vlm", "steered", "watsonx_llm",
                 "ibm_watsonx_ai", "gguf", "ggml", "nemo_lm", "neuronx"}
_ADAPTERS = ("peft", "lora", "adapter", "delta")
_QUANTIZED = {"load_in_4bit": "4bit", "load_in_8bit": "8bit", "gptq": "gptq", "autogptq": "gptq", "awq": "awq"}
#: Groups that are no benchmark: the leaderboard's own raw mean.
_NOT_BENCHMARKS = {"leaderboard": "the Open LLM Leaderboard v2 group's mean of raw scores (not its normalised "
                                  "average)"}


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


def model_args(value: Any) -> dict[str, str]:
    """``pretrained=x,revision=y`` (or a mapping) as a mapping of text."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    out: dict[str, str] = {}
    for part in str(value or "").split(","):
        key, sep, text = part.partition("=")
        if sep and key.strip():
            out[key.strip()] = text.strip()
    return out


def _model(data: dict[str, Any], importer: Importer, file: str, given: str | None) -> tuple[ModelRef, str | None]:
    """The model the file's numbers are of, and the setting its model arguments make (quantised: ``4bit``)."""
    config = data.get("config") or {}
    args = model_args(config.get("model_args"))
    quantized = sorted({q for k, q in _QUANTIZED.items() if args.get(k, "").lower() in ("true", "1", "yes")} |
                       ({args["quantization"].lower()} if args.get("quantization") else set()))
    setting = ",".join(quantized) or None
    adapter = next((args[k] for k in _ADAPTERS if args.get(k)), None)
    if given:
        return importer.model(given, file, base=(args.get("pretrained") if adapter else None)), setting
    pretrained = args.get("pretrained") or args.get("model") or args.get("model_name")
    declared = str(config.get("model") or "")
    name = data.get("model_name") if isinstance(data.get("model_name"), str) and not pretrained else pretrained
    if not name:
        raise FormatError(f"{file} does not name the model it evaluated (no model_name or pretrained=); pass --model")
    if declared and declared not in _SAME_WEIGHTS and not (pretrained and declared == pretrained):
        raise FormatError(f"the harness ran the model with its {declared!r} class ({name}): numbers of another "
                          "implementation need --model to say which model they are of")
    if declared in ("gpt2",) and pretrained and pretrained != "gpt2":
        importer.warn("model_conflict", f"config.model is {declared!r} (the harness's model class) but model_args "
                      f"names {pretrained!r}; using {pretrained!r}", file, "config.model")
    if adapter:
        if is_local_path(adapter):
            raise FormatError(f"the model is {name} with an adapter at a local path ({adapter}): a model of its "
                              "own, which the path does not name; pass --model ID (recorded with its base model)")
        return importer.model(adapter, file, base=name), setting
    revision = args.get("revision")
    if revision and revision not in ("main", "master", "HEAD"):
        return importer.model(name, file, revision=revision), setting
    parameters = config.get("model_num_parameters")
    return importer.model(name, file, parameters=float(parameters) if parameters else None), setting


#: A task that is another task with a chain-of-thought prompt: ``gsm8k_cot``, ``bbh_cot_zeroshot``
#: (not ``…_cot_llama`` and the like: prompts of their own, listed as unknown).
_COT_TASK = re.compile(r"^(?P<stem>.+?)_cot(?:_(?:zeroshot|fewshot))?$")


def _benchmark(task: str, importer: Importer) -> tuple[str, str | None, str | None] | None:
    """(benchmark id, subset, metric override) for a task name, or None."""
    name = task.removeprefix("leaderboard_")
    if name in _TASKS:
        benchmark, metric = _TASKS[name]
        return benchmark, None, metric
    if (cot := _COT_TASK.match(name)) and (stem := _benchmark(cot["stem"], importer)) and stem[1] is None:
        return stem[0], "cot", stem[2]  # gsm8k_cot: GSM8K with a chain-of-thought prompt, a setting of its own
    found = importer.registry.benchmark_index.resolve(name)
    if found is not None:
        return found, None, None
    for pattern, benchmark in _SUBTASKS:
        m = pattern.match(name)
        if m and benchmark in importer.registry.benchmarks:
            return benchmark, m["subset"], None
    # the longest start that names a family, the rest a subset: mmlu_pro_biology → mmlu-pro, biology
    parts = re.split(r"([_-])", name)
    for end in range(len(parts) - 2, 0, -2):
        found = importer.registry.benchmark_index.resolve("".join(parts[:end]))
        if found is not None:
            subset = "".join(parts[end + 1:])
            known = importer.registry.benchmarks[found].subsets
            bare = re.sub(r"^(?:cot_)?(?:fewshot_|zeroshot_)?", "", subset)
            if found in _FAMILIES and (not known or bare in known or subset in known):
                return found, subset, None
            return None
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
    setting = "cot" if subset == "cot" or subset.startswith("cot_") else None
    bare = re.sub(r"^(?:cot(?:_|$))?(?:fewshot_|zeroshot_)?", "", subset)
    return bare or None, setting


def _samples(task: str, data: dict[str, Any], members: dict[str, list[str]]) -> tuple[int | None, str | None]:
    """(examples evaluated, why the run is partial) for a task; (None, None) for a full run."""
    limit = (data.get("config") or {}).get("limit")
    counts = data.get("n-samples") or {}
    leaves = members.get(task) or [task]
    found = [counts[t] for t in leaves if isinstance(counts.get(t), dict)]
    if found:
        effective = sum(int(c.get("effective") or 0) for c in found)
        original = sum(int(c.get("original") or 0) for c in found)
        if effective < original:
            return effective, f"lm-eval limit {limit}: part of the task's examples (n_samples says how many)"
        return (effective or None), None
    return None, limited(limit)


def limited(limit: Any) -> str | None:
    """Why a run with lm-eval's ``limit`` is partial, or None for a run without one.

    The limit caps each task's examples (a count, or a share below 1). Without the harness's
    ``n-samples`` how many each task had is unknown: a task smaller than the limit ran whole,
    so the limit is never taken for a sample count.
    """
    if limit is None or str(limit).strip().casefold() in ("none", "", "0", "0.0"):
        return None  # lm-eval reads 1.0 as one example (below 1 a share, else a count)
    try:
        share = float(limit)
    except (TypeError, ValueError):
        share = None
    if share is not None and 0 < share < 1:
        return f"lm-eval limit {limit}: {share:.0%} of each task's examples"
    return f"lm-eval limit {str(limit)[:20]}: at most that many examples of each task (how many each had, the file " \
           "does not say)"


def import_lm_eval(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                   model: str | None) -> None:
    data = _read(path)
    file = path.name
    version = _version(data, file)
    model_ref, model_setting = _model(data, importer, file, model)
    stamp = data.get("date")
    date = dt.datetime.fromtimestamp(stamp, dt.UTC) if isinstance(stamp, int | float) and 0 < stamp < 4e9 else None
    harness = data.get("lm_eval_version") or f"v{version}"
    label = importer.model_name(model_ref.id)
    source = importer.source(
        source_id or f"lm-eval-{slug(str(label).split('/')[-1])}" + (f"-{date:%Y%m%d}" if date else ""),
        f"lm-evaluation-harness {harness} results for {label}" + (f", {date:%Y-%m-%d}" if date else ""),
        url=source_url, year=date.year if date else None, kind="evaluation",
        date=f"{date:%Y-%m-%d}" if date else None,
    )
    n_shots = data.get("n-shot") or {}
    configs = data.get("configs") or {}
    default_shots = (data.get("config") or {}).get("num_fewshot")
    members = data.get("group_subtasks") or {}

    def family(task: str) -> str | None:
        return (_benchmark(task, importer) or (None,))[0]

    for task, metrics in sorted(data["results"].items()):
        if not isinstance(metrics, dict):
            continue
        if task in _NOT_BENCHMARKS:
            importer.skip(_NOT_BENCHMARKS[task])
            continue
        mapped = _benchmark(task, importer)
        if mapped is None:
            importer.unknown(task)
            continue
        benchmark_id, subset, override = mapped
        subset, subset_setting = _subset_setting(subset)
        shots = _group_shots(task, data, family)
        if shots is None:
            shots = n_shots.get(task, (configs.get(task) or {}).get("num_fewshot", default_shots))
        n_shot = whole_number(shots)
        n_samples, partial = _samples(task, data, members)
        for key, raw in sorted(metrics.items()):
            name, _, filter_ = key.partition(",")
            if name == "alias" or name.endswith("_stderr"):
                continue
            if not name.strip():  # a group's " ": " " placeholder: no score of its own
                importer.skip(f"{task}: a group without a score of its own")
                continue
            scored = importer.scored(benchmark_id, override if (override and name == "acc")
                                     else _METRIC_ALIASES.get(name, name), raw)
            if scored is None:
                continue
            metric, number = scored
            stderr_key = f"{name}_stderr" + (f",{filter_}" if filter_ else "")
            raw_error = metrics.get(stderr_key)
            # "N/A": the harness computed none (a run too small, a metric without one), no number lost
            stderr = None if str(raw_error).strip().casefold() in ("n/a", "none", "") else importer.number(raw_error)
            value, stderr = importer.percent(number, metric=metric), importer.percent(stderr, metric=metric)
            setting = ",".join(s for s in (subset_setting, filter_ if filter_ not in ("none", "") else None,
                                           model_setting) if s) or None
            importer.add(source, {
                "model": model_ref.id, "benchmark": benchmark_id, "metric": metric, "value": value, "stderr": stderr,
                "n_shot": n_shot, "setting": setting, "subset": subset, "n_samples": n_samples,
                "partial": True if partial else None, "_partial_reason": partial,
                "where": f"{file}: results.{task}[{key!r}]",
            }, model=model_ref, file=file)
