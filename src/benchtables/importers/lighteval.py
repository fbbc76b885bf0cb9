"""lighteval results JSON → scores, the Open LLM Leaderboard v1's results files included.

lighteval writes ``results_<time>.json``: ``config_general`` (the run: the model,
``max_samples``, generation parameters), ``results`` (``{"suite|task|n": {metric: value,
"<metric>_stderr": value}}``, ``"task|n"`` from v0.13), ``versions``, ``config_tasks``
(``original_num_docs`` and ``effective_num_docs`` per task) and summaries. The Open LLM
Leaderboard v1 ran an internal lighteval: its files are this format with the ``harness``
suite (``harness|arc:challenge|25``, 57 ``harness|hendrycksTest-<subject>|5``, …).

* **Tasks** are benchmarks through the registry (``arc:challenge`` is ARC-Challenge,
  ``gpqa:diamond`` GPQA Diamond); a subject of a benchmark with subsets is that subset
  (``hendrycksTest-anatomy``, ``mmlu:anatomy``: MMLU, subset anatomy). A task that matches
  nothing is listed with suggestions. ``all`` (lighteval's mean of each metric over every
  task: not the leaderboard's average) and ``…:_average`` (its mean over a task's subtasks,
  which are imported) are derived, and skipped with a count.
* **MMLU** is what the leaderboard made of it: the unweighted mean of its 57 subjects' scores.
  That mean is written, as the whole benchmark, only when the file has all 57 subjects;
  else it is skipped, saying how many there are (the subjects are still imported as subsets).
* **Metrics**: every metric of a task that the registry has for its benchmark is imported —
  ARC's ``acc`` beside the leaderboard's ``acc_norm``, TruthfulQA ``mc1`` beside ``mc2``,
  GSM8K's ``acc``, which is its exact match. lighteval writes fractions of 1: a percent
  metric is ×100, and a value of one outside 0–1 is skipped. ``<metric>_stderr`` is the
  stderr. A parameter of a metric's name is its setting: ``math_pass@1:32_samples`` is pass@1
  estimated from 32 samples (setting ``32-samples``).
* **n-shot** is the key's last field; the split is ``config_tasks``' ``evaluation_splits`` when it
  names one (else the benchmark's standard split).
* **Identity**: ``config_general.model_name`` (``model_config.model_name`` from v0.11), owner
  kept; a local path needs ``--model``. A revision asked for (``model_config.revision``
  other than ``main``) is part of the identity. ``model_sha`` is not: it is the commit the
  Hub repository was at when the run fetched it, and the leaderboard lists that run as the
  model, so the commit goes in the source's notes. A quantised dtype (``4bit``, ``8bit``,
  GPTQ) is a setting; float16, bfloat16 and float32 are the model itself.
* **Partial runs**: ``effective_num_docs`` below ``original_num_docs`` (``-1``: not known),
  or ``max_samples`` where ``config_tasks`` does not count the examples, mark the task's
  numbers ``partial``, with ``n_samples``.
* A file is one source, dated by the run time in its name (``results_2024-01-04T13-27-32…``);
  ``where`` is ``<file>: results['harness|arc:challenge|25']['acc_norm']``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, TypeGuard

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, Percent, SourceDraft, read_json, slug
from benchtables.spec import TextForm, forbidden_in

__all__ = ["import_lighteval", "model_name", "quantization"]

#: Benchmarks whose whole score the leaderboard takes as the unweighted mean of this many subjects.
_SUBJECT_MEANS = {"mmlu": 57}
#: lighteval's names for metrics the registry knows by another.
_METRIC_ALIASES = {"extractive_match": "exact_match", "loglikelihood_acc": "acc", "loglikelihood_acc_norm": "acc_norm",
                   "truthfulqa_mc1": "mc1", "truthfulqa_mc2": "mc2"}
#: Precisions that run a model's own weights (no setting), and words for an unstated one.
_UNQUANTIZED = {"float16", "bfloat16", "float32", "float64", "float", "half", "fp16", "bf16", "fp32", "auto", "default",
                "unknown", "none", "null", "original"}
_ALL = "lighteval's 'all' entry (each metric's mean over every task, not a leaderboard average)"
_AVERAGE = "lighteval's mean over a task's subtasks (…:_average; the subtasks are imported)"
_SHOTS = re.compile(r"[0-9]{1,4}")
_RUN_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2})[-:](\d{2})[-:](\d{2})")
_SHA = re.compile(r"[0-9a-f]{7,64}")
#: More examples than any benchmark has: a count at or past it is no count.
_MOST = 10**12


def quantization(precision: Any) -> str | None:
    """The setting a precision or dtype makes (``4bit``, ``8bit``, ``gptq``), or None for the
    model's own weights (float16, bfloat16, float32) and for an unstated or unreadable one."""
    if not isinstance(precision, str):
        return None
    name = precision.strip().lower().removeprefix("torch.")
    return name if re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,23}", name) and name not in _UNQUANTIZED else None


def model_name(value: Any, file: str, where: str) -> str | None:
    """A model name as a file writes it, or None (empty); a FormatError for text that is no name."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > 300 or forbidden_in(value, TextForm.LINE) \
            or re.search(r"\s", value.strip().replace(" ", "")):  # a line break or tab in a name
        raise FormatError(f"{file}: {where} is not a model name ({str(value)[:40]!r}); pass --model")
    return value.strip()


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> TypeGuard[int]:
    """Whether a value is a count of examples (lighteval writes -1 for one it does not know)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < _MOST


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FormatError(f"{path.name} is not a file")
    data = read_json(path, "lighteval results JSON")
    if not isinstance(data, dict) or not isinstance(data.get("config_general"), dict) \
            or not isinstance(data.get("results"), dict):
        raise FormatError(f"{path.name} is not a lighteval results file: it needs a 'config_general' and a "
                          "'results' mapping")
    return data


def _model(config: dict[str, Any], importer: Importer, file: str, given: str | None) -> tuple[ModelRef, str]:
    """The model the file's numbers are of, and its name as given (for the source's title)."""
    if given:
        return importer.model(given, file), given
    backend = _mapping(config.get("model_config"))
    name = model_name(config.get("model_name"), file, "config_general.model_name") \
        or model_name(backend.get("model_name"), file, "config_general.model_config.model_name")
    if name is None:
        raise FormatError(f"{file} does not name the model it evaluated (config_general.model_name); pass --model")
    revision = model_name(backend.get("revision"), file, "config_general.model_config.revision")
    revision = revision if revision not in ("main", "master", "HEAD") else None
    try:
        ref = importer.model(name, file, revision=revision)
    except FormatError as exc:  # a local path
        raise FormatError(f"{file}: {exc}") from None
    return ref, f"{name}@{revision}" if revision else name


def _max_samples(config: dict[str, Any], file: str) -> int | None:
    raw = config.get("max_samples")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 1 <= raw < _MOST or raw != int(raw):
        raise FormatError(f"{file}: config_general.max_samples is {str(raw)[:40]!r}; expected a whole number of "
                          "examples, or null")
    return int(raw)


def _task_key(key: str) -> tuple[str | None, str, int | None]:
    """(suite, task, n-shot) of a results key: ``suite|task|n``, ``task|n`` (v0.13) or
    ``suite|task|n|truncate`` (the task spec some tools write)."""
    parts = key.split("|")
    if len(parts) == 4 and _SHOTS.fullmatch(parts[2]) and _SHOTS.fullmatch(parts[3]):
        return parts[0], parts[1], int(parts[2])
    if len(parts) in (2, 3) and _SHOTS.fullmatch(parts[-1]):
        return (parts[0] if len(parts) == 3 else None), parts[-2], int(parts[-1])
    if len(parts) == 2:
        return parts[0], parts[1], None
    return None, key, None


def _benchmark(task: str, importer: Importer) -> tuple[str, str | None, str] | None:
    """(benchmark id, subset, the task's name up to its subset) of a task, or None.

    A subject is split off at the first ``:`` or ``-`` when the rest names a known subset of
    the benchmark the start names (``hendrycksTest-anatomy``); a benchmark without listed
    subsets has none (``truthfulqa:gen`` is not TruthfulQA).
    """
    found = importer.benchmark(task)
    if found is not None:
        return found, None, task
    for separator in (":", "-"):
        family, sep, subset = task.partition(separator)
        benchmark = importer.benchmark(family) if sep and subset else None
        if benchmark is not None and subset in (importer.registry.benchmarks[benchmark].subsets or ()):
            return benchmark, subset, family + sep
    return None


def _metric(name: str) -> tuple[str, str | None] | None:
    """(metric name, setting) of a lighteval metric key; None for parameters not understood.

    ``math_pass@1:32_samples`` → (``pass@1``, ``32-samples``); ``pass@k:k=1&n=8`` → (``pass@1``,
    ``8-samples``); ``truthfulqa_mc2`` → (``mc2``, None).
    """
    base, _, parameters = name.partition(":")
    base = re.sub(r"^[A-Za-z0-9]+_(?=(?:pass|maj)@)", "", base)
    samples = None
    if parameters:
        counted = re.fullmatch(r"([0-9]{1,6})_samples", parameters)
        fields = {k: v for k, _, v in (p.partition("=") for p in re.split(r"[&,]", parameters))}
        if counted:
            samples = counted.group(1)
        elif set(fields) <= {"k", "n"} and all(_SHOTS.fullmatch(v) for v in fields.values()):
            samples = fields.get("n")
            base = re.sub(r"@k$", f"@{fields['k']}", base) if "k" in fields else base
        else:
            return None
    return _METRIC_ALIASES.get(base, base), (f"{samples}-samples" if samples else None)


def _task_config(configs: dict[str, Any], key: str, suite: str | None, task: str) -> dict[str, Any]:
    """A task's entry of ``config_tasks``: keyed ``suite|task`` (≤ v0.10), ``suite|task|n`` or ``task|n``."""
    names = (key, f"{suite}|{task}" if suite else task, task)
    return next((c for n in names if isinstance(c := configs.get(n), dict)), {})


def _split(config: dict[str, Any]) -> str | None:
    """The split a task was evaluated on, when ``evaluation_splits`` names one."""
    splits = config.get("evaluation_splits")
    one = splits[0] if isinstance(splits, list) and len(splits) == 1 else None
    return one if isinstance(one, str) and re.fullmatch(r"[A-Za-z0-9_.+-]{1,40}", one) else None


def _samples(config: dict[str, Any], max_samples: int | None) -> tuple[int | None, str | None]:
    """(examples evaluated, why the run is partial) of a task; the reason is None for a full run."""
    effective, original = config.get("effective_num_docs"), config.get("original_num_docs")
    if _count(effective) and _count(original):
        if effective < original:
            return effective, f"lighteval ran {effective} of {original} examples"
        return original, None
    if max_samples is not None:
        return max_samples, f"lighteval max_samples {max_samples} (at most {max_samples} examples)"
    return None, None


def _scaled(importer: Importer, metric: str, value: float | None, what: str) -> float | None:
    """A value on the registry's scale: percent metrics from lighteval's fractions (others as
    written); None, counted, when it cannot be on that scale."""
    definition = importer.registry.metrics[metric]
    if value is None:
        return None
    if definition.is_percent and not isinstance(value, Percent):
        if not 0 <= value <= 1:
            importer.skip(f"{what} of {definition.name} outside 0–1 (lighteval writes fractions)")
            return None
        value = importer.percent(value, metric=metric)
    low, high = definition.min, definition.max
    if value is None or (low is not None and value < low) or (high is not None and value > high):
        importer.skip(f"{what} of {definition.name} outside its range")
        return None
    return float(value)


def _source_notes(config: dict[str, Any], max_samples: int | None) -> str | None:
    sha, tool = config.get("model_sha"), config.get("lighteval_sha")
    backend = _mapping(config.get("model_config"))
    generation = _mapping(backend.get("generation_parameters", config.get("generation_parameters")))
    sampling = {k: v for k, v in generation.items() if k in ("temperature", "top_p", "top_k") and
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)}
    parts = [f"model commit {sha}" if isinstance(sha, str) and _SHA.fullmatch(sha) else None,
             f"lighteval {tool[:12]}" if isinstance(tool, str) and _SHA.fullmatch(tool) else None,
             ", ".join(f"{k} {v:g}" for k, v in sampling.items()) or None,
             f"max_samples {max_samples}" if max_samples else None]
    return "; ".join(p for p in parts if p) or None


def import_lighteval(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                     model: str | None, **_: object) -> None:
    data = _read(path)
    file = path.name
    config: dict[str, Any] = data["config_general"]
    model_ref, label = _model(config, importer, file, model)
    backend = _mapping(config.get("model_config"))
    dtype_setting = quantization(backend.get("dtype", config.get("model_dtype")))
    max_samples = _max_samples(config, file)
    configs = _mapping(data.get("config_tasks"))
    keys = {key: _task_key(key) for key in data["results"]}
    v1 = any(suite == "harness" for suite, _, _ in keys.values())
    run = _RUN_TIME.search(file)
    stamp = f"{run.group(1)}T{run.group(2)}:{run.group(3)}:{run.group(4)}" if run else None
    tool = "Open LLM Leaderboard v1" if v1 else "lighteval"
    source = importer.source(
        source_id or f"{'open-llm-v1' if v1 else 'lighteval'}-{slug(label.split('/')[-1])}"
        + (f"-{run.group(1)}" if run else ""),
        f"{tool} results for {label}" + (f", run {stamp}" if stamp else f" ({file})"),
        url=source_url, year=int(stamp[:4]) if stamp else None, date=stamp[:10] if stamp else None,
        kind="leaderboard" if v1 else "evaluation", notes=_source_notes(config, max_samples))
    means: dict[tuple[Any, ...], dict[str, tuple[float, int | None, str | None]]] = {}
    for key, metrics in sorted(data["results"].items()):
        suite, task, n_shot = keys[key]
        if key == "all":
            importer.skip(_ALL)
            continue
        if task.endswith(":_average"):
            importer.skip(_AVERAGE)
            continue
        if not task:
            importer.skip("a results entry without a task name")
            continue
        mapped = _benchmark(task, importer)
        if mapped is None:
            importer.unknown(task)
            continue
        if not isinstance(metrics, dict):
            importer.skip("a results entry that is not a mapping of metrics")
            continue
        benchmark_id, subset, family = mapped
        task_config = _task_config(configs, key, suite, task)
        n_samples, partial = _samples(task_config, max_samples)
        split = _split(task_config)
        for name, raw in sorted(metrics.items()):
            if name.endswith("_stderr"):
                continue
            parsed = _metric(name)
            if parsed is None:
                importer.skip(f"metric parameters not understood: {name[:40]!r}")
                continue
            metric = importer.metric_of(benchmark_id, parsed[0])
            if metric is None:
                continue
            value = _scaled(importer, metric, importer.number(raw), "value")
            if value is None:
                continue
            stderr = _scaled(importer, metric, importer.number(metrics.get(f"{name}_stderr")), "stderr")
            setting = ",".join(sorted(s for s in (parsed[1], dtype_setting) if s)) or None
            added = importer.add(source, {
                "model": model_ref.id, "benchmark": benchmark_id, "metric": metric, "value": value, "stderr": stderr,
                "n_shot": n_shot, "setting": setting, "split": split, "subset": subset, "n_samples": n_samples,
                "partial": True if partial else None, "_partial_reason": partial,
                "where": f"{file}: results[{key!r}][{name!r}]",
            }, model=model_ref, file=file)
            if added and subset and benchmark_id in _SUBJECT_MEANS:
                pattern = f"{suite}|{family}*" if suite else f"{family}*"
                group = means.setdefault((benchmark_id, metric, name, n_shot, setting, split, pattern), {})
                group.setdefault(subset, (value, n_samples, partial))
    for (benchmark_id, metric, name, n_shot, setting, split, pattern), subjects in sorted(means.items(), key=str):
        shots = f"|{n_shot}" if n_shot is not None else ""
        _subject_mean(importer, source, {
            "model": model_ref.id, "benchmark": benchmark_id, "metric": metric, "n_shot": n_shot, "setting": setting,
            "split": split, "where": f"{file}: mean of results['{pattern}{shots}'][{name!r}]"}, model_ref, file,
            subjects)


def _subject_mean(importer: Importer, source: SourceDraft, record: dict[str, Any], model_ref: ModelRef, file: str,
                  subjects: dict[str, tuple[float, int | None, str | None]]) -> None:
    """The whole benchmark as the leaderboard scores it, the mean of all its subjects; or a skip saying why not."""
    wanted = _SUBJECT_MEANS[record["benchmark"]]
    name = importer.registry.benchmarks[record["benchmark"]].name
    if len(subjects) != wanted:
        importer.skip(f"{name} as a whole: {len(subjects)} of its {wanted} subjects in the file, and its score is "
                      f"the mean of all {wanted}")
        return
    counts = [n for _, n, _ in subjects.values()]
    partial = next((reason for _, _, reason in subjects.values() if reason), None)
    importer.add(source, {
        **record, "value": float(f"{math.fsum(v for v, _, _ in subjects.values()) / wanted:.12g}"),
        "n_samples": sum(c for c in counts if c) if all(counts) else None,
        "partial": True if partial else None, "_partial_reason": partial,
        "where": f"{record['where']} over its {wanted} subjects",
        "notes": f"the unweighted mean of the {wanted} subjects' scores, as the Open LLM Leaderboard scores {name}",
    }, model=model_ref, file=file)
