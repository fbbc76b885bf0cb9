"""Inspect AI eval logs → scores: ``.json`` logs and ``.eval`` archives.

An ``.eval`` file is a zip archive; its ``header.json`` holds the log without its samples (a
rewritten header is appended, so the last ``header.json`` is the current one). An archive
without ``header.json`` belongs to a run that never finished. Both are read with the standard
library (``json``, ``zipfile``): the header is plain JSON, and Inspect's own reader would make
``inspect_ai`` and its dependencies a requirement of importing. One log is one source.

* **Status**: only a ``success`` run is imported. ``started``, ``cancelled`` (even with
  results) and ``error`` are refused, as is a log marked ``invalidated``.
* **Benchmark**: the task's name without its package (``inspect_evals/gpqa_diamond`` →
  gpqa-diamond). A setting in the name is the setting (``mmlu_5_shot`` → mmlu, 5-shot;
  ``…_cot`` → cot); ``family_subset`` names a known subset (``agie_lsat_ar`` → agieval,
  lsat_ar). Tasks that match no benchmark are listed, never dropped silently. The dataset's name
  and location are not used: they may be a local path, or one dataset of several benchmarks.
* **Settings**: the log names no split: the benchmark's standard split is meant (``inspect_evals``
  runs those). n-shot from ``task_args`` (``fewshot``, ``num_fewshot``, …) or the task's name;
  ``cot`` from ``task_args.cot``, an argument valued ``chain_of_thought`` (BBH's ``prompt_type``) or a
  ``chain_of_thought`` solver; one subject or domain (``task_args.subjects``, MuSR's ``domain``) is
  the subset (several are a partial run); a ``language`` other than
  English is a translation, another benchmark (listed). From the generate config (``plan.config``
  over ``eval.model_generate_config``, as Inspect merges them): a non-zero ``temperature``,
  ``reasoning_effort`` and ``reasoning_tokens``; greedy decoding (temperature 0) is the standard
  setting and left unstated. Task arguments passed explicitly and not read as a setting go to
  ``notes``.
* **Metrics**: each ``results.scores[i].metrics`` entry is a number; ``stderr`` (or
  ``X_stderr`` beside ``X``/``X_acc``) is the standard error of its sibling, never a number of
  its own. The generic ``accuracy``/``mean`` take the scorer's name when that is a metric of the
  benchmark (DROP's ``f1`` scorer reports ``mean``). Epoch reducers: ``mean`` (or none) is the plain estimate;
  ``pass_at_k`` makes an accuracy pass@k (of another metric: the setting ``pass@k``); ``mode``
  is the setting ``maj@N`` and another reducer ``reducer@N`` (N epochs); a second reducer's
  estimate of one number (``mean`` and ``pass_at_1``) is counted, not added. Grouped breakdowns
  (a metric with a ``group``) are not imported. When several scorers give one metric, each
  number's setting names its scorer.
* **Scale**: Inspect's accuracy and means of 0–1 scorers are fractions of 1; for percent metrics
  they (and their stderr) are written ×100. A value outside 0–1 for a percent metric, or outside
  a metric's range, is left out with a warning: its scale cannot be known.
* **Identity**: ``eval.model`` is ``provider/name``. The provider (and a service after it:
  ``openai/azure/…``, ``anthropic/vertex/…``, ``openai-api/<service>/…``) is how the model was
  served, not which model: it is dropped, and the rest is the name, a Hugging Face repo id
  keeping its owner (``hf/meta-llama/Llama-3.1-8B`` → ``meta-llama/Llama-3.1-8B``, ``ollama/
  llama3.1`` → ``llama3.1``; an aggregator's ``openrouter/openai/gpt-4o`` keeps ``openai/`` too:
  declare it as an alias of the model it is). Provider syntax is read as the provider means it:
  Fireworks' ``accounts/fireworks/models/X`` is ``X``; a routing suffix (``:free``, ``:cerebras``)
  is dropped, a behaviour (``:thinking``, ``:online``) is a setting. ``model_args.model_path``
  names the weights when given (a local path needs ``--model``); ``model_args.revision`` and a
  vLLM ``base:adapter@revision`` are part of the identity; ``model_args.quantization`` is a
  setting. ``mockllm`` and ``none`` name no model: the log needs ``--model``.
* **Partial runs**: a number is ``partial`` with ``n_samples`` when fewer samples ran than the
  dataset has (``config.limit``, ``config.sample_id``: ``dataset.sample_ids`` or
  ``total_samples`` ÷ epochs below ``dataset.samples``), when ``completed_samples`` is below
  ``total_samples``, or when its scorer left samples unscored. More epochs are not partial.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, SourceDraft, parse_json, read_json, setting_in_name, slug

__all__ = ["import_inspect"]

#: The largest header.json read from an archive (headers hold no samples: a few kilobytes).
HEADER_LIMIT = 64 << 20
_STATUSES = {"started": "the run had not finished", "cancelled": "the run was cancelled before every sample ran",
             "error": "the run stopped on an error"}
#: Providers that name no model: Inspect's mock model, and the placeholder of runs with model roles.
_NO_MODEL = {"mockllm": "Inspect's mock model", "none": "no model (the run's models are in model_roles)"}
#: Providers whose names may begin with a service: any first part (None), or those listed.
_SERVICES: dict[str, frozenset[str] | None] = {
    "openai": frozenset({"azure", "bedrock"}), "anthropic": None, "google": None, "mistral": None,
    "openai-api": None, "openai-api-completions": None}
_ADAPTER_PROVIDERS = {"vllm", "vllm-completions"}
#: Providers whose ``name:suffix`` picks a route, price or host (dropped) or a behaviour (a setting).
_ROUTED = {"openrouter", "hf-inference-providers"}
_BEHAVIOURS = {"thinking", "online"}
#: Fireworks names models ``accounts/<owner>/models/<name>``; its own catalogue is owner ``fireworks``.
_FIREWORKS = re.compile(r"^accounts/(?P<owner>[^/]+)/models/(?P<name>[^/]+)$")
_MAIN_REVISIONS = {"main", "master", "head"}
_SHOT_ARGS = ("fewshot", "num_fewshot", "n_shot", "n_shots", "num_shots", "shots", "k_shot", "fewshot_n")
_COT_ARGS = ("cot", "chain_of_thought", "use_cot")
#: Values of a prompting argument (``prompt_type``, ``prompt_technique``) that mean chain of thought.
_COT_VALUES = {"cot", "chain_of_thought", "chain-of-thought"}
_SUBSET_ARGS = ("subjects", "subject", "subsets", "subset", "subset_name", "categories", "category", "subtasks",
                "subtask", "domains", "domain")
_LANGUAGE_ARGS = ("language", "lang")
#: Metric names that say only "the average of the scorer's values": the scorer's name may say which metric.
_GENERIC = {"accuracy", "mean"}
_STDERR = re.compile(r"^(?:.*_)?(?:bootstrap_)?stderr$")
_PASS_AT = re.compile(r"^pass_at_(\d+)$")
_KEY = re.compile(r"^[A-Za-z_][\w-]*$")
#: A value that may stand in a setting (a setting is comma-separated: no commas, spaces or symbols).
_WORD = re.compile(r"^[\w.-]{1,40}$")


# --------------------------------------------------------------------------- reading


def _read(path: Path) -> tuple[dict[str, Any], str]:
    """The log (its header, for an archive) and how ``where`` names it: ``log.json`` or ``log.eval[header.json]``."""
    try:
        with path.open("rb") as handle:
            zipped = handle.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise FormatError(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    if not zipped:
        return _mapping_root(read_json(path, "JSON (an Inspect .json log)"), path.name), path.name
    name = f"{path.name}[header.json]"
    return _mapping_root(parse_json(_header_text(path), name, "JSON"), name), name


def _header_text(path: Path) -> str:
    """The text of an archive's current header.json; a FormatError for a damaged, unfinished or foreign archive."""
    problem: str | None = None
    raw = b""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            headers = [m for m in members if m.filename == "header.json"]
            if not headers:
                started = any(m.filename == "_journal/start.json" for m in members)
                problem = ("has no header.json, which Inspect writes when a run ends: the run is still going or "
                           "crashed (status 'started'); nothing to import" if started else
                           "is a zip archive without header.json: not an Inspect .eval log")
            elif headers[-1].file_size > HEADER_LIMIT:
                problem = f"has a header.json of {headers[-1].file_size:,} bytes, too large for a log header"
            else:
                with archive.open(headers[-1]) as handle:  # the last one: a rewritten header is appended
                    raw = handle.read(HEADER_LIMIT + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            zlib.error, ValueError) as exc:
        problem = f"is not a readable .eval archive ({exc}); is the file complete?"
    if problem is not None:
        raise FormatError(f"{path.name} {problem}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{path.name}[header.json] is not UTF-8") from None


def _mapping_root(data: Any, name: str) -> dict[str, Any]:
    """The parsed log, when it has the shape of one."""
    if not isinstance(data, dict) or not isinstance(data.get("eval"), dict) or "status" not in data:
        raise FormatError(f"{name} is not an Inspect log: expected a mapping with 'status' and an 'eval' mapping")
    return data


def _shown(value: Any) -> str:
    """A value for a message: short, and only its type when it is a list or mapping."""
    text = repr(value) if isinstance(value, str | int | float | bool) or value is None else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "…"


def _at(where: str, key: str) -> str:
    """The path of ``key`` under ``where``: ``log.json: eval`` + ``task``, or ``log.json:`` + ``results``."""
    return f"{where} {key}" if where.endswith(":") else f"{where}.{key}"


def _get(parent: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str, where: str) -> Any:
    """``parent[key]``, None when missing or null, or a FormatError when it is not ``kind``."""
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple)
                                                                                  else (kind,))):
        raise FormatError(f"{_at(where, key)} should be {what}, not {_shown(value)}")
    return value


def _mapping(parent: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    """``parent[key]`` as a mapping (empty when missing)."""
    return _get(parent, key, dict, "a mapping", where) or {}


def _count(parent: Mapping[str, Any], key: str, where: str, least: int = 0) -> int | None:
    """``parent[key]`` as a whole number of at least ``least``, or None when missing."""
    value: int | None = _get(parent, key, int, f"a whole number ≥ {least}", where)
    if value is not None and value < least:
        raise FormatError(f"{_at(where, key)} should be a whole number ≥ {least}, not {value}")
    return value


def _text(parent: Mapping[str, Any], key: str, where: str, limit: int = 300) -> str | None:
    """``parent[key]`` as trimmed text of at most ``limit`` characters, or None when missing or blank."""
    value: str | None = _get(parent, key, str, "text", where)
    if value is not None and len(value) > limit:
        raise FormatError(f"{_at(where, key)} is {len(value):,} characters long; Inspect writes a short name there")
    return (value.strip() or None) if value is not None else None


# --------------------------------------------------------------------------- what the run was


@dataclass
class _Run:
    """What every number of one log shares."""

    file: str  #: the log as messages and ``where`` name it
    model: ModelRef
    benchmark: str
    subset: str | None = None
    n_shot: int | None = None
    settings: list[str] = field(default_factory=list)
    epochs: int = 1
    n_samples: int | None = None
    partial: list[str] = field(default_factory=list)
    notes: str | None = None


def _status(data: Mapping[str, Any], file: str) -> None:
    status = data.get("status")
    if status == "success":
        if data.get("invalidated") is True:
            raise FormatError(f"{file}: the log is marked invalidated; its numbers are not imported")
        return
    if not isinstance(status, str) or status not in _STATUSES:
        raise FormatError(f"{file}: status should be one of started, success, cancelled, error; not {_shown(status)}")
    error = data.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    detail = f": {message.strip().splitlines()[0][:200]}" if isinstance(message, str) and message.strip() else ""
    raise FormatError(f"{file}: status is {status!r}, not 'success' ({_STATUSES[status]}{detail}); only finished "
                      "runs are imported: run it again to completion (inspect eval-retry)")


def _served(provider: str, name: str) -> tuple[str, str | None]:
    """The model's name as its provider writes it, without the provider's own syntax; and a behaviour it selects."""
    service, sep, rest = name.partition("/")
    services = _SERVICES.get(provider, frozenset())
    if sep and rest and (services is None or service.lower() in services):
        name = rest
    if provider == "fireworks" and (m := _FIREWORKS.match(name)):
        name = m["name"] if m["owner"] == "fireworks" else f"{m['owner']}/{m['name']}"
    behaviour = None
    if provider in _ROUTED and ":" in name:
        name, _, suffix = name.partition(":")
        behaviour = suffix.strip().lower() if suffix.strip().lower() in _BEHAVIOURS else None
    return name, behaviour


def _model(importer: Importer, spec: Mapping[str, Any], file: str, given: str | None) -> tuple[ModelRef, list[str]]:
    """The model the numbers are of, and the settings its serving makes (a quantisation, a behaviour)."""
    args = _mapping(spec, "model_args", f"{file}: eval")
    quantization = args.get("quantization")
    settings = [quantization.strip().lower()] if isinstance(quantization, str) and _WORD.match(quantization.strip()) \
        else []
    if given:
        return importer.model(given, file), settings
    written = _text(spec, "model", f"{file}: eval")
    if written is None:
        raise FormatError(f"{file}: eval.model is missing; pass --model")
    provider, sep, name = written.partition("/")
    provider = provider.lower() if sep else ""
    if provider in _NO_MODEL:
        raise FormatError(f"{file}: eval.model is {written!r}, {_NO_MODEL[provider]}: the numbers are of no model it "
                          "names; pass --model")
    name, behaviour = _served(provider, name if sep else written)
    settings += [behaviour] if behaviour else []
    model_path = args.get("model_path")
    name, key = (model_path.strip(), "eval.model_args.model_path") if isinstance(model_path, str) and \
        model_path.strip() else (name, "eval.model")
    base = revision = None
    if provider in _ADAPTER_PROVIDERS and ":" in name:
        base, name = name.split(":", 1)
        name, _, revision = name.partition("@")
    stated = args.get("revision")
    if revision is None and isinstance(stated, str) and stated.strip().lower() not in _MAIN_REVISIONS:
        revision = stated.strip() or None
    try:
        return importer.model(name, file, revision=revision or None, base=base), settings
    except FormatError as exc:
        raise FormatError(f"{file}: {key}: {exc}") from None


def _task_names(spec: Mapping[str, Any], file: str) -> list[str]:
    """The task's names without their package (``inspect_evals/``) or file (``tasks.py@``), most specific first."""
    where = f"{file}: eval"
    task = _text(spec, "task", where)
    if task is None:
        raise FormatError(f"{where}.task is missing: an Inspect log names its task")
    names = [task, _text(spec, "task_registry_name", where), _text(spec, "task_display_name", where)]
    return list(dict.fromkeys(re.split(r"[/@]", n)[-1] or n for n in names if n))


def _benchmark(importer: Importer, names: list[str]) -> tuple[str, str | None, int | None, str | None] | None:
    """(benchmark id, subset, n-shot, setting) a task name stands for, or None."""
    for name in names:
        bare, n_shot, qualifier, found = setting_in_name(name.replace("_", " "))
        if found and (benchmark := importer.benchmark(bare)):
            return benchmark, None, n_shot, qualifier
        if benchmark := importer.benchmark(name):
            return benchmark, None, None, None
        parts = name.split("_")
        for end in range(len(parts) - 1, 0, -1):  # family_subset, the longest family first
            family, subset = "_".join(parts[:end]), "_".join(parts[end:])
            benchmark = importer.benchmark(family)
            if benchmark and subset in (importer.registry.benchmarks[benchmark].subsets or ()):
                return benchmark, subset, None, None
    return None


def _task_settings(run: _Run, spec: Mapping[str, Any], plan: Mapping[str, Any], importer: Importer) -> None:
    """Fill the run's n-shot, cot, subset, partial reasons and notes from the task arguments and the plan."""
    where = f"{run.file}: eval"
    args = _mapping(spec, "task_args", where)
    used: set[str] = set()
    for key in _SHOT_ARGS:
        value = args.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            used.add(key)
            if run.n_shot is not None and run.n_shot != value:
                importer.warn("setting_conflict", f"the task's name says {run.n_shot}-shot but task_args.{key} is "
                              f"{value}; using {value}", run.file, f"eval.task_args.{key}")
            run.n_shot = value
            break
    steps = plan.get("steps")
    solvers = [str(s["solver"]) for s in steps if isinstance(s, dict) and isinstance(s.get("solver"), str)] \
        if isinstance(steps, list) else []
    prompting = {k for k, v in args.items() if isinstance(v, str) and v.strip().lower() in _COT_VALUES}
    if any(args.get(k) is True for k in _COT_ARGS) or prompting or any(s.endswith("chain_of_thought") for s in solvers):
        run.settings.append("cot")
    used.update({k for k in _COT_ARGS if isinstance(args.get(k), bool)} | prompting)
    for key in _SUBSET_ARGS:
        value = args.get(key)
        chosen = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
        if not isinstance(chosen, list) or not all(isinstance(v, str | int) and 0 < len(str(v).strip()) <= 100
                                                   for v in chosen):
            continue
        used.add(key)
        if len(chosen) == 1 and run.subset is None:
            run.subset = str(chosen[0]).strip()
        elif chosen:
            shown = ", ".join(str(v) for v in chosen[:5]) + (", …" if len(chosen) > 5 else "")
            run.partial.append(f"only {key} {shown} of the task")
    used.update(_LANGUAGE_ARGS)
    passed = _mapping(spec, "task_args_passed", where)
    rest = [f"{k}={_shown(v)}" for k, v in passed.items() if k not in used]
    if rest:
        run.notes = "Inspect task arguments: " + ", ".join(rest)[:300]


def _translation(spec: Mapping[str, Any], file: str) -> str | None:
    """The language of a task run in translation (another benchmark than the English one), or None."""
    args = _mapping(spec, "task_args", f"{file}: eval")
    language = next((str(args[k]).strip() for k in _LANGUAGE_ARGS if isinstance(args.get(k), str)), None)
    return language if language and not re.match(r"^en(?:[-_]|glish|$)", language.lower()) else None


def _generation(spec: Mapping[str, Any], plan: Mapping[str, Any], file: str) -> list[str]:
    """Settings of the generate config: plan.config over eval.model_generate_config, as Inspect merges them."""
    configs = [(_mapping(spec, "model_generate_config", f"{file}: eval"), f"{file}: eval.model_generate_config"),
               (_mapping(plan, "config", f"{file}: plan"), f"{file}: plan.config")]
    found: dict[str, Any] = {}
    for config, where in configs:
        for key, kind, what in (("temperature", (int, float), "a number"), ("reasoning_effort", (str,), "text"),
                                ("reasoning_tokens", (int,), "a whole number")):
            value = _get(config, key, kind, what, where)
            if value is not None:
                found[key] = value
    out = []
    temperature = found.get("temperature")
    if temperature is not None and math.isfinite(temperature) and temperature != 0:
        out.append(f"temperature={temperature:g}")
    effort = found.get("reasoning_effort")
    if effort is not None and not _WORD.match(effort.strip()):
        raise FormatError(f"{file}: reasoning_effort should be a word such as low, medium or high, not {_shown(effort)}")
    if effort:
        out.append(f"reasoning_effort={effort.strip()}")
    if found.get("reasoning_tokens") is not None:
        out.append(f"reasoning_tokens={found['reasoning_tokens']}")
    return out


def _limit_count(config: Mapping[str, Any], where: str) -> tuple[str | None, int | None]:
    """How the run was limited (for the reason) and how many samples that allows (None: not a count)."""
    limit = config.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0:
        return f"limit {limit}", limit
    if isinstance(limit, list) and len(limit) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                                           for v in limit) and limit[1] >= limit[0]:
        return f"limit {limit[0]}–{limit[1]}", limit[1] - limit[0]
    if limit is not None:
        raise FormatError(f"{where}.limit should be a whole number or a [start, end] pair, not {_shown(limit)}")
    chosen = config.get("sample_id")
    if chosen is None:
        return None, None
    if isinstance(chosen, str | int) and not isinstance(chosen, bool):
        return "sample_id", 1
    if isinstance(chosen, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in chosen):
        return "sample_id", len(chosen)
    raise FormatError(f"{where}.sample_id should be a sample id or a list of them, not {_shown(chosen)}")


def _coverage(run: _Run, spec: Mapping[str, Any], results: Mapping[str, Any]) -> None:
    """The samples each number is over, and why the run covers part of the benchmark."""
    where = f"{run.file}: eval"
    config = _mapping(spec, "config", where)
    dataset = _mapping(spec, "dataset", where)
    run.epochs = _count(config, "epochs", f"{where}.config", least=1) or 1
    total = _count(results, "total_samples", f"{run.file}: results")
    completed = _count(results, "completed_samples", f"{run.file}: results")
    size = _count(dataset, "samples", f"{where}.dataset")
    ids = _get(dataset, "sample_ids", list, "a list of sample ids", f"{where}.dataset")
    how, allowed = _limit_count(config, f"{where}.config")
    ran = len(ids) if ids is not None else (total // run.epochs if total is not None else allowed)
    if total is not None and completed is not None and completed < total:
        run.partial.append(f"Inspect completed {completed} of {total} samples")
    if size is not None and ran is not None and ran < size:
        run.partial.append(f"Inspect ran {ran} of the dataset's {size} samples" + (f" ({how})" if how else ""))
    elif size is None and how is not None:
        run.partial.append(f"Inspect ran with {how} and the log does not say the dataset's size")
    counted = completed // run.epochs if completed is not None else ran
    run.n_samples = counted or None


# --------------------------------------------------------------------------- the numbers


@dataclass
class _Number:
    """One number found in the log, before it is added (its setting may still gain its scorer)."""

    record: dict[str, Any]
    scorer: str


def _scores(results: Mapping[str, Any], file: str) -> list[Any]:
    """``results.scores`` (version 1 logs: their one scorer), which must hold at least one score."""
    scores = results.get("scores")
    if scores is None and isinstance(results.get("scorer"), dict):  # version 1: one scorer, metrics beside it
        scorer = results["scorer"]
        scores = [{**scorer, "scorer": scorer.get("name"), "metrics": results.get("metrics") or {}}]
    if not isinstance(scores, list):
        raise FormatError(f"{file}: results.scores should be a list of scores, not {_shown(scores)}")
    if not scores:
        raise FormatError(f"{file}: results.scores is empty: the run has no scores to import")
    return scores


def _metric(importer: Importer, benchmark: str, candidates: list[str]) -> str | None:
    """The first candidate that names a metric of the benchmark; the last is counted as skipped when none does."""
    for name in candidates[:-1]:
        if found := importer.registry.resolve_metric_of(benchmark, name):
            return found
    return importer.metric_of(benchmark, candidates[-1])


def _stderr_key(key: str, name: str, keys: Mapping[str, Any]) -> str | None:
    """The key of the stderr beside metric ``key``: ``X_stderr`` for ``X`` or ``X_acc``; ``stderr`` for a mean."""
    stem = re.sub(r"_(?:acc|accuracy|mean)$", "", key)
    options = [f"{key}_stderr", f"{stem}_stderr", *(("stderr", "bootstrap_stderr") if name in _GENERIC else ())]
    return next((k for k in options if k in keys), None)


def _value(importer: Importer, raw: Any, metric: str, where: str, file: str, *, stderr: bool = False) -> float | None:
    """A metric value (or its stderr) on the registry's scale, or None (counted) when it is missing or cannot be placed."""
    what = "stderr" if stderr else "value"
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
        raise FormatError(f"{where}.value should be a number, not {_shown(raw)}")
    if raw is None:
        importer.skip(f"an Inspect metric without a value ({what})")
        return None
    value = importer.number(raw)
    if value is None:
        return None
    definition = importer.registry.metrics[metric]
    if definition.is_percent and not 0 <= value <= 1:
        importer.warn("out_of_range", f"{value:g} is not a fraction of 1, as Inspect writes {definition.name}; the "
                      f"{what} is not imported", file, where, "check the scorer's scale")
        importer.skip(f"a {what} of a percent metric outside 0–1")
        return None
    if definition.is_percent:
        return importer.percent(value, metric=metric)
    low, high = (0, None) if stderr else (definition.min, definition.max)
    if (low is not None and value < low) or (high is not None and value > high):
        importer.warn("out_of_range", f"{value:g} is outside the range of {definition.name}; the {what} is not "
                      "imported", file, where)
        importer.skip(f"a {what} outside its metric's range")
        return None
    return value


def _metric_at(where: str, key: str) -> str:
    """``where`` of one metric of a score: ``….metrics.accuracy``, or ``….metrics['odd key']``."""
    return f"{where}.metrics" + (f".{key}" if _KEY.match(key) else f"[{key!r}]")


def _numbers(importer: Importer, run: _Run, scores: list[Any]) -> list[_Number]:
    """The numbers of every score, with their stderr; what cannot be placed is counted."""
    out = []
    for i, score in enumerate(scores):
        where = f"{run.file}: results.scores[{i}]"
        if not isinstance(score, dict):
            raise FormatError(f"{where} should be a mapping, not {_shown(score)}")
        name = _text(score, "name", where)
        scorer = _text(score, "scorer", where) or name or f"scorer {i}"
        reducer = _text(score, "reducer", where)
        metrics = _mapping(score, "metrics", where)
        scored = _count(score, "scored_samples", where)
        unscored = _count(score, "unscored_samples", where)
        reasons = [*run.partial, *([f"Inspect left {unscored} samples unscored"] if unscored else [])]
        attached: set[str] = set()
        values = []
        for key, entry in metrics.items():
            at = _metric_at(where, key)
            if not isinstance(entry, dict):
                raise FormatError(f"{at} should be a mapping, not {_shown(entry)}")
            metric_name = _text(entry, "name", at) or key
            if _get(entry, "group", str, "text", at):
                importer.skip("a grouped breakdown of an Inspect metric (per group, not the benchmark)")
            elif not _STDERR.match(key):
                values.append((key, metric_name, entry, at))
        for key, metric_name, entry, at in values:
            stderr_key = _stderr_key(key, metric_name, metrics)
            if stderr_key is not None:
                attached.add(stderr_key)  # its metric's, even when that cannot be placed
            candidates, reduced = _reduced(reducer, run.epochs, metric_name, [n for n in (name, scorer) if n])
            metric = _metric(importer, run.benchmark, candidates)
            value = None if metric is None else _value(importer, entry.get("value"), metric, at, run.file)
            if metric is None or value is None:
                continue
            stderr = None if stderr_key is None else _value(importer, metrics[stderr_key].get("value"), metric,
                                                            _metric_at(where, stderr_key), run.file, stderr=True)
            record = {"model": run.model.id, "benchmark": run.benchmark, "metric": metric, "value": value,
                      "stderr": stderr, "n_shot": run.n_shot,
                      "setting": ",".join(sorted({*run.settings, *([reduced] if reduced else [])})) or None,
                      "subset": run.subset, "n_samples": scored or run.n_samples,
                      "partial": True if reasons else None, "_partial_reason": "; ".join(reasons) or None,
                      "where": at, "notes": run.notes}
            out.append(_Number(record, scorer))
        for key in metrics:
            if _STDERR.match(key) and key not in attached:
                importer.skip("an Inspect stderr with no metric beside it to belong to")
    return out


def _reduced(reducer: str | None, epochs: int, metric: str, scorer_names: list[str]) -> tuple[list[str], str | None]:
    """The names to try as the metric of a metric reduced over epochs, and the setting the reducer makes.

    ``mean`` (Inspect's default) is the plain estimate; ``pass_at_k`` of an accuracy is pass@k;
    ``mode`` is a majority vote (``maj@N``); other reducers are ``reducer@N``.
    """
    candidates = [*scorer_names, metric] if metric in _GENERIC else [metric]
    pass_at = _PASS_AT.match(reducer or "")
    if reducer in (None, "mean"):
        return candidates, None
    if pass_at and metric in _GENERIC:
        return [f"pass@{pass_at.group(1)}"], None
    return candidates, (f"pass@{pass_at.group(1)}" if pass_at else f"maj@{epochs}" if reducer == "mode"
                        else f"{reducer}@{epochs}")


def _add_all(importer: Importer, source: SourceDraft, run: _Run, numbers: list[_Number]) -> None:
    """Add the numbers; one metric given by several scorers names its scorer in the setting."""
    keys: dict[tuple[Any, ...], list[_Number]] = {}
    for number in numbers:
        r = number.record
        keys.setdefault((r["metric"], r["setting"], r["subset"]), []).append(number)
    for group in keys.values():
        scorers = {n.scorer for n in group}
        for number in group:
            if len(scorers) > 1:
                number.record["setting"] = ",".join(sorted({*(number.record["setting"] or "").split(","),
                                                            f"scorer={number.scorer}"} - {""}))
            elif number is not group[0]:  # another reducer's estimate of the same number (mean and pass_at_1)
                importer.skip("a second estimate of one number (another epoch reducer)")
                continue
            importer.add(source, number.record, model=run.model, file=run.file)


def _source(importer: Importer, spec: Mapping[str, Any], run: _Run, source_id: str | None,
            source_url: str | None) -> SourceDraft:
    """The log's source: one run of one task on one model, dated by ``eval.created``."""
    where = f"{run.file}: eval"
    created = _text(spec, "created", where, limit=64)
    date = None
    if created is not None:
        try:
            date = dt.datetime.fromisoformat(created.replace("Z", "+00:00")).date()
        except ValueError:
            raise FormatError(f"{where}.created should be an ISO date and time, not {_shown(created)}") from None
    task = _text(spec, "task", where) or "task"
    model = _text(spec, "model", where) or run.model.id
    run_id = _text(spec, "eval_id", where) or _text(spec, "run_id", where)
    packages = _mapping(spec, "packages", where)
    version = packages.get("inspect_ai") if isinstance(packages.get("inspect_ai"), str) else None
    dataset = _mapping(spec, "dataset", where)
    dataset_name = dataset.get("name") if isinstance(dataset.get("name"), str) else None
    notes = "; ".join(x for x in (f"Inspect AI {version}" if version else "", f"task {task}", f"model {model}",
                                  f"dataset {dataset_name[:200]}" if dataset_name else "") if x)
    return importer.source(
        source_id or f"inspect-{slug(task.split('/')[-1], 30)}-{slug(model.split('/')[-1], 30)}"
        + (f"-{date:%Y%m%d}" if date else ""),
        f"Inspect AI log: {task} on {model}" + (f", {date:%Y-%m-%d}" if date else "") + (f" (eval {run_id})"
                                                                                        if run_id else ""),
        url=source_url, year=date.year if date else None, kind="evaluation", notes=notes,
        date=f"{date:%Y-%m-%d}" if date else None)


def import_inspect(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                   model: str | None, **_: object) -> None:
    """Read one Inspect log (``.json`` or ``.eval``) into scores (see the module docstring for the rules)."""
    data, prefix = _read(path)
    _status(data, prefix)
    spec = data["eval"]
    plan = _mapping(data, "plan", f"{prefix}:")
    results = _get(data, "results", dict, "a mapping", f"{prefix}:")
    if results is None:
        raise FormatError(f"{prefix}: the log has no results: nothing to import")
    scores = _scores(results, prefix)
    names = _task_names(spec, prefix)
    mapped = _benchmark(importer, names)
    if mapped is None:
        importer.unknown(names[0])
        return
    language = _translation(spec, prefix)
    if language is not None:
        importer.unknown(f"{names[0]} ({language})")
        return
    benchmark, subset, n_shot, qualifier = mapped
    model_ref, model_settings = _model(importer, spec, prefix, model)
    run = _Run(prefix, model_ref, benchmark, subset, n_shot, [*([qualifier] if qualifier else []), *model_settings])
    _task_settings(run, spec, plan, importer)
    run.settings += _generation(spec, plan, prefix)
    _coverage(run, spec, results)
    numbers = _numbers(importer, run, scores)
    if numbers:
        _add_all(importer, _source(importer, spec, run, source_id, source_url), run, numbers)
