"""Every Eval Ever aggregate files (evaleval/every_eval_ever) → scores.

An Every Eval Ever (EEE) file is one JSON document per model and source — or a list of them,
as ``benchtables export every-eval-ever -o all.json`` writes: who reported (``source_metadata``),
which model (``model_info``), and ``evaluation_results``, each with its dataset
(``source_data``), ``metric_config`` and ``score_details``. Schema 0.3.0 is read, and the
earlier layouts real files carry (0.2.0–0.2.2; 0.1 and 0.0 keep ``source_data`` at the top and
a run's arguments in ``generation_config``, 0.0 names its source in ``evaluation_source``); the
source's notes say which version was read. A version newer than 0.3 is refused, never misread.
The whole file is checked before anything is imported, so a malformed file is refused as a
whole, saying where.

* **Benchmark**: the evaluation name, else ``source_data`` (dataset name, ``hf_repo``),
  through the registry's aliases. Names that carry more give the benchmark and a subset or a
  metric: ``MMLU-Pro (Biology)``, ``NarrativeQA - F1``, ``GAIA - GAIA Level 1``,
  ``accuracy on arc_easy for scorer choice``, ``mmlu_pro/biology``, ``helm.mmlu.philosophy``.
  A name is read in the context of the dataset the result names: ``Math`` of ``RewardBench 2``
  is no MATH. A name that is no benchmark is a subset of its dataset where the file reports
  several (``Arabic`` of ``global-mmlu-lite``), not where it is the only one (an Inspect scorer,
  ``choice``); a ``subset``, ``subject`` or ``level`` the file states wins, and a subset that
  is a variant (GPQA's ``gpqa_main``) is that benchmark. A name that ends in a word for the whole
  (``MMLU All Subjects``) is the benchmark; a name that is no benchmark but a listed subset of
  exactly one benchmark the document reports is that subset (HELM's ``Abstract Algebra - EM``
  beside ``MMLU All Subjects - EM``). Files of lm-evaluation-harness runs name harness tasks, read
  as the lm-eval importer reads them. What matches nothing is listed.
* **Metric**: ``metric_id`` or ``metric_name``; one that is another benchmark's metric is
  skipped, a label (``mmlu_pro/overall``) lets ``metric_kind`` say; else the metric a name or
  description states (``EM`` of ``MMLU - EM``; ``Accuracy on IFEval``, with a warning), through
  the benchmark's ``metric_aliases`` (``BoolQ - EM`` is BoolQ's accuracy). A metric after the
  dash is the metric, never a subset; one the benchmark is not reported in is skipped. The
  bare word accuracy on a benchmark reported in acc and acc_norm says neither (skipped). A
  benchmark reported in one metric only needs none. A result whose ``lower_is_better``
  contradicts the registry metric's direction measures something else (skipped), as does a
  ``levels`` score (a category, not a number).
* **Scale**, per result, from what the file states: ``metric_unit`` ``proportion`` or bounds
  0–1 are fractions (a percent metric gets ×100, its stderr and interval too; a warning counts
  them), ``percent`` or bounds 0–100 percentages; a unit and bounds that disagree, or another
  scale, do not fit a percent metric. Without unit or bounds the document's values decide,
  with a warning (:meth:`~benchtables.importers.common.Importer.rescale`). A score outside the
  bounds its result declares (HELM's -1 for "missing"), or the registry metric's range, is skipped.
* **Uncertainty**: ``standard_error.value`` → stderr; a 95% ``confidence_interval`` →
  ci_low/ci_high (another level is left out and counted; one without a level is kept with a
  note); ``num_samples`` → n_samples.
* **Settings** from the results' string maps (``generation_config``, ``metric_config``,
  ``source_data`` and the model's ``additional_details``): ``num_fewshot`` and its spellings,
  HELM's ``# train`` (below), a ``prompt_style`` such as ``5-shot CoT``,
  chain-of-thought flags, ``generation_args.reasoning``, lm-eval filters, a quantised precision,
  an agent scaffold, a ``setting``. The split is ``hf_split`` only where the dataset named is
  the benchmark's own (not a results dataset), or a ``split`` the file states (a HELM run file
  states it in ``score_details.details``).
* **HELM conversions** (``helm_classic``, ``helm_lite``, ``helm_mmlu``, ``helm_capabilities``, HELM
  run files): a name is ``<scenario> - <column>`` and the column is the metric (``EM``, ``F1``,
  ``ROUGE-2``), never a subset. The description's metric paragraph (``Quasi-exact match:
  Fraction of …``) says which of the benchmark's metrics HELM's label stands for (HELM shows
  exact and quasi-exact match alike as ``EM``: LegalBench's EM without that paragraph is
  skipped, not guessed); a benchmark reported in one metric gets no default. HELM's run statistics (``# eval``,
  ``# train``, ``# trials``, ``# prompt tokens``, ``# output tokens``, ``truncated``, inference
  times), its perturbed runs (``EM (Robustness)``, ``(Fairness)``, a run file's ``perturbation``)
  and its other measures (calibration, bias, toxicity, summarization columns) are never numbers:
  they are skipped and counted, by the ``tab`` the file states or the column's name, whether
  written as results of their own (0.0) or nested in a result's details (0.1+). The n-shot is
  HELM's ``# train`` of the result's own scenario where the file states it — nested in the
  result's details, else the scenario's ``# train`` result (0.0) — when it is one whole number,
  the same in every run (``min=5, mean=5, max=5``; the spread wins over a 0.0 file's -1 for 0);
  a mean such as 4.96, or no ``# train`` at all, gives none. ``# eval`` gives n_samples the
  same way. A document whose ``generation_config`` entries belong to other results (early 0.0
  conversions shifted them: MMLU states MATH's subjects, MMLU-Pro GPQA's ``gpqa_main``) is
  skipped as a whole, with a warning: its settings cannot be read.
* **Partial runs**: ``num_samples`` or ``sample_ids`` fewer than the dataset's
  ``samples_number`` (or a result marked ``partial``) make the number ``partial`` with
  n_samples.
* **Identity** (:mod:`benchtables.importers.common`): ``model_info.id`` keeps its owner (EEE
  lowercases ids; names match ignoring case); an inference platform inside the id
  (``openai/azure/gpt-4o``) is not part of the model; ``additional_details.revision`` is; an id
  that is a local path, or more than owner/name, needs ``--model``.
* **Source**: ``source_metadata``. Documentation (numbers a leaderboard, paper or card
  reports) is one source per ``source_name``, linked to the ``url`` or leaderboard page its
  details give; an ``evaluation_run`` is a source per model and date. ``evaluator_relationship:
  first_party`` makes a new model introduced by the source, which is how benchtables marks
  first-party numbers; a known model introduced by another source keeps its numbers
  third-party, and a warning says so.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, SourceDraft, read_json, setting_in_name, slug, whole_number
from benchtables.importers.lm_eval import _benchmark as lm_eval_task
from benchtables.names import URL_PATTERN, is_local_path, normalize_name
from benchtables.problems import safe_text
from benchtables.spec import TextForm, normalize_text

__all__ = ["NEWEST_VERSION", "import_every_eval_ever"]

#: The newest schema version read (major, minor); older 0.x layouts are read too.
NEWEST_VERSION = (0, 3)

_LM_EVAL = {"lm_eval", "lm-eval", "lm-evaluation-harness", "lm_evaluation_harness", "lmeval"}
#: A name's tail that stands for the whole benchmark, not a subset of it.
_WHOLE = {"overall", "all", "total", "average", "avg", "mean", "aggregate", "full", "main", "default", "none",
          "all subjects", "all tasks", "all categories"}
_SUBSET_KEYS = ("subset", "subject", "category")
#: The generic word for accuracy, which does not say which of a benchmark's accuracies it is.
_GENERIC_ACCURACY = {"accuracy", "acc"}
_SHOT_KEYS = {"num_fewshot", "n_shot", "n_shots", "num_shots", "num_few_shot", "fewshot", "few_shot", "shots", "nshot",
              "k_shot", "num_fewshot_examples"}
_COT_KEYS = {"use_chain_of_thought", "chain_of_thought", "cot", "use_cot"}
_PROMPT_KEYS = {"prompt_style", "prompting", "prompt_format", "prompt_setting", "eval_setting"}
_AGENT_KEYS = {"agent_scaffold", "scaffold", "agent", "agent_name"}
_PRECISION_KEYS = {"precision", "quantization", "quantisation", "dtype"}
_QUANTIZED = {"4bit", "8bit", "int4", "int8", "gptq", "awq", "nf4", "fp8"}
_SPLIT_KEYS = {"split", "eval_split", "hf_split"}
_PROPORTION = {"proportion", "fraction", "ratio"}
_PERCENT = {"percent", "percentage", "%"}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_SPLITS = {"val": "validation", "valid": "validation", "dev": "validation"}
_PARAMETER_KEYS = (("params_billions", 1e9), ("size_billions_parameters", 1e9), ("parameters_billions", 1e9),
                   ("num_parameters", 1.0), ("parameters", 1.0), ("params", 1.0))

_PAREN = re.compile(r"^(?P<head>.+?)\s*\((?P<tail>[^()]+)\)$")
_DASH = re.compile(r"^(?P<head>.+?)\s+[-–—:]\s+(?P<tail>.+)$")
_ON = re.compile(r"^(?P<metric>.+?)\s+on\s+(?P<head>.+?)(?:\s+for\s+scorer\s+.+)?$", re.IGNORECASE)
_SLASH = re.compile(r"^(?P<head>[^/\s]+)/(?P<tail>[^/\s]+)$")
_FILTER = re.compile(r"\s*\(filter:\s*(?P<filter>[^()]+)\)\s*$", re.IGNORECASE)
_QUALIFIED = re.compile(r"^(?:overall|mean|average|avg\.?|aggregate)\s+", re.IGNORECASE)
_VERSION = re.compile(r"^(?P<major>\d{1,4})\.(?P<minor>\d{1,4})(?:\.\d{1,6})?(?:[-+.\w]*)$")
#: A name followed by a word for the whole of it: ``MMLU All Subjects`` is MMLU.
_WHOLE_AFTER = re.compile(r"\s(?:all subjects|all tasks|all categories|overall)$", re.IGNORECASE)
#: Names longer than this are read as they are, never split by the patterns above (each is
#: quadratic on hostile text, and no benchmark's name is this long).
_NAME_LIMIT = 500

# HELM's leaderboards, as EEE's HELM adapter converts them: a result is ``<scenario> - <column>``, and HELM's
# tabs other than the scores hold run statistics, perturbed variants and other measures of each scenario.
#: Tabs of statistics (counts, costs) and of perturbations; the other side tabs hold measures that are not scores.
_HELM_STATISTIC_TABS = {"general information", "efficiency"}
_HELM_PERTURBATION_TABS = {"robustness", "fairness"}
_HELM_OTHER_TABS = {"calibration", "bias", "toxicity", "summarization metrics"}
#: A HELM column that is a run statistic: ``# eval``, ``# train``, ``# trials``, ``# prompt tokens``,
#: ``truncated``, ``Observed inference time (s)``.
_HELM_STATISTIC = re.compile(r"^(?:#\s*\S.*|truncated|(?:\w+\s+)?inference\s+(?:run)?time\b.*)$", re.IGNORECASE)
#: A HELM column of a perturbed run (``EM (Robustness)``) or of another measure (``ECE (10-bin)``,
#: ``Stereotypes (race)``, ``Toxic fraction``).
_HELM_PERTURBED = re.compile(r"^.+\((?:robustness|fairness)\)$", re.IGNORECASE)
_HELM_OTHER = re.compile(r"^(?:ECE\b.*|(?:stereotypes|representation)\s*\(.*\)|toxic fraction)$", re.IGNORECASE)
#: HELM's run counts as its statistics state them: ``min=5, mean=5, max=5, sum=75 (15)``.
#: A HELM leaderboard's name (``helm_lite``, ``HELM Classic``), not a benchmark that starts so (HELMET).
_HELM_NAME = re.compile(r"helm(?:[_\s/-]|$)", re.IGNORECASE)
_NUMBER = r"-?\d{1,30}(?:\.\d{1,30})?(?:[eE][-+]?\d{1,4})?"
_HELM_SPREAD = re.compile(rf"min=(?P<min>{_NUMBER}),\s*mean={_NUMBER},\s*max=(?P<max>{_NUMBER})")
#: HELM's metric paragraph of a description: ``…\n\nQuasi-exact match: Fraction of instances …``.
_HELM_METRIC_LINE = re.compile(r"^(?P<metric>[^:\n]{1,60}):\s")


# --------------------------------------------------------------------------- reading the file


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return {dict: "an object", list: "a list", str: "text", type(None): "null"}.get(type(value), type(value).__name__)


class _Object:
    """One JSON object of the file, read with its key path: a wrong type is a FormatError that says where."""

    def __init__(self, file: str, at: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise FormatError(f"{file}: {at or 'the document'}: expected an object, got {_kind(data)}")
        self.file, self.at, self.data = file, at, data

    def path(self, key: str) -> str:
        return f"{self.at}.{key}" if self.at else key

    def _bad(self, key: str, expected: str) -> FormatError:
        return FormatError(f"{self.file}: {self.path(key)}: expected {expected}, got {_kind(self.data[key])}")

    def obj(self, key: str, *, required: str | None = None) -> _Object | None:
        """The object under ``key`` (None when absent); ``required``: what a missing one means."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise FormatError(f"{self.file}: {self.path(key)} is missing: {required}")
            return None
        if not isinstance(value, dict):
            raise self._bad(key, "an object")
        return _Object(self.file, self.path(key), value)

    def text(self, key: str) -> str | None:
        """Text under ``key``, trimmed (None when absent or empty)."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._bad(key, "text")
        return value.strip() or None

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def items(self, key: str) -> list[Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        return value

    def count(self, key: str) -> int | None:
        """A whole number ≥ 1 under ``key`` (None when absent, not whole, or not positive)."""
        value = self.data.get(key)
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 19:
            value = int(value.strip())
        return value if isinstance(value, int) and 0 < value < 2**63 else None

    def strings(self, key: str | None = None) -> dict[str, str]:
        """A string map (``additional_details``; this object itself without ``key``): keys case-folded,
        scalar values as text. Free-form maps: other values, and a map that is not one, are left out."""
        found = self.data if key is None else self.data.get(key)
        if not isinstance(found, dict):
            return {}
        return {str(k).strip().casefold(): (str(v).lower() if isinstance(v, bool) else str(v)).strip()
                for k, v in found.items() if isinstance(v, str | int | float | bool)}


def _bound(value: Any) -> float | None:
    """A metric bound: a number, ``"Infinity"``/``"-Infinity"`` (unbounded), or None (not stated)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return math.copysign(math.inf, value)
    if isinstance(value, str) and value.strip().casefold().lstrip("+-") in ("infinity", "inf"):
        return -math.inf if value.strip().startswith("-") else math.inf
    return None


@dataclass(frozen=True)
class _Count:
    """One of HELM's run counts: its mean, and its spread where the file states it (``min=5, mean=5, max=5``)."""

    mean: float
    low: float | None = None
    high: float | None = None


@dataclass
class _Result:
    """What one ``evaluation_results`` item says, read and type-checked before anything is imported."""

    at: str
    name: str | None
    dataset: str | None
    hf_repo: str | None
    hf_split: str | None
    result_id: str | None
    samples_total: int | None
    samples_listed: int | None
    #: ``metric_id`` and ``metric_name``: what the file says the metric is.
    declared_metrics: list[str]
    #: ``metric_kind``: the metric's family (``accuracy`` covers normalised accuracy too).
    metric_kind: str | None
    unit: str | None
    description: str | None
    lower_is_better: bool | None
    score_type: str | None
    low: float | None
    high: float | None
    timestamp: Any
    score: Any
    stderr: Any
    interval: tuple[Any, Any, Any] | None
    num_samples: int | None
    details: dict[str, str]
    #: HELM's run counts (``# train``, ``# eval``) in the result's details, by (scenario, count).
    helm_counts: dict[tuple[str, str], list[_Count]]
    reasoning: bool | None
    judged_by: list[str] = field(default_factory=list)
    #: HELM's tab of the number (``Accuracy``, ``Robustness``, ``General information``), where stated.
    tab: str | None = None
    #: A perturbation the number was computed under (HELM run files state one in the details).
    perturbation: str | None = None
    #: Subjects a list states (``subject: [algebra, geometry, …]``), case-folded.
    subjects: list[str] = field(default_factory=list)
    #: HELM's spread of the number over its runs (``min=5, mean=5, max=5, sum=75 (15)``).
    spread: str | None = None


@dataclass
class _Document:
    """One EEE document: its source, model and results."""

    at: str
    version: str
    source_name: str | None
    source_type: str | None
    organization: str | None
    organization_url: str | None
    relationship: str | None
    source_details: dict[str, str]
    library: str | None
    library_version: str | None
    model_id: str | None
    model_name: str | None
    developer: str | None
    platform: str | None
    model_details: dict[str, str]
    timestamp: Any
    results: list[_Result]
    #: A conversion of a HELM leaderboard or run (names are ``<scenario> - <column>``).
    helm: bool = False


def _version(doc: _Object) -> str:
    version = doc.text("schema_version")
    if version is None:
        raise FormatError(f"{doc.file}: {doc.path('schema_version')} is missing: not an Every Eval Ever file")
    m = _VERSION.match(version)
    if m is None or (int(m["major"]), int(m["minor"])) > NEWEST_VERSION:
        raise FormatError(f"{doc.file}: schema_version {safe_text(version[:40])!r}: this importer reads Every Eval "
                          f"Ever schema 0.{NEWEST_VERSION[1]} and the earlier 0.x layouts")
    return version


def _parse_result(item: _Object, fallback_data: _Object | None) -> _Result:
    data = item.obj("source_data") or fallback_data
    config = item.obj("metric_config", required="every result states its metric_config")
    scores = item.obj("score_details", required="every result states its score_details")
    assert config is not None and scores is not None
    uncertainty = scores.obj("uncertainty")
    generation = item.obj("generation_config")
    args = generation.obj("generation_args") if generation else None
    stderr: Any = None
    interval: tuple[Any, Any, Any] | None = None
    num_samples = None
    if uncertainty is not None:
        error = uncertainty.data.get("standard_error")
        stderr = error.get("value") if isinstance(error, dict) else error
        ci = uncertainty.obj("confidence_interval")
        if ci is not None:
            interval = (ci.data.get("lower"), ci.data.get("upper"), ci.data.get("confidence_level"))
        num_samples = uncertainty.count("num_samples")
    details: dict[str, str] = {}
    # 0.1 files wrote a run's arguments (eval_split, subject) straight into generation_config
    for part in (generation.strings() if generation else {}, data.strings("additional_details") if data else {},
                 config.strings("additional_details"), generation.strings("additional_details") if generation else {}):
        details.update(part)
    helm = scores.data.get("details")
    helm = helm if isinstance(helm, dict) else {}
    split = helm.get("split")  # a HELM run file states the split each number is of
    if isinstance(split, str) and split.strip() and not any(details.get(k) for k in _SPLIT_KEYS):
        details["split"] = split.strip()
    perturbation = helm.get("perturbation")
    if isinstance(perturbation, dict):
        perturbation = str(perturbation.get("name") or "a perturbation") if perturbation else None
    tab = helm.get("tab")
    subjects = [str(v).strip().casefold()
                for part in (generation.data if generation else {}, generation.data.get("additional_details")
                             if generation else None, data.data.get("additional_details") if data else None)
                if isinstance(part, dict)
                for key in _SUBSET_KEYS if isinstance(part.get(key), list)
                for v in part[key] if isinstance(v, str) and v.strip()]
    ids = data.items("sample_ids") if data else None
    judges = []
    scoring = config.obj("llm_scoring")
    if scoring is not None:
        for i, judge in enumerate(scoring.items("judges") or []):
            info = _Object(item.file, f"{scoring.path('judges')}[{i}]", judge).obj("model_info")
            name = (info.text("id") or info.text("name")) if info else None
            if name:
                judges.append(name)
    return _Result(
        at=item.at, name=item.text("evaluation_name"), dataset=data.text("dataset_name") if data else None,
        hf_repo=data.text("hf_repo") if data else None, hf_split=data.text("hf_split") if data else None,
        result_id=item.text("evaluation_result_id"), samples_total=data.count("samples_number") if data else None,
        samples_listed=len(ids) if ids else None,
        declared_metrics=[t for t in (config.text("metric_id"), config.text("metric_name")) if t],
        metric_kind=config.text("metric_kind"),
        unit=(config.text("metric_unit") or "").casefold() or None, description=config.text("evaluation_description"),
        lower_is_better=config.flag("lower_is_better"), score_type=(config.text("score_type") or "").casefold() or None,
        low=_bound(config.data.get("min_score")), high=_bound(config.data.get("max_score")),
        timestamp=item.data.get("evaluation_timestamp"), score=scores.data.get("score"), stderr=stderr,
        interval=interval, num_samples=num_samples, details=details, helm_counts=_helm_counts(helm),
        reasoning=args.flag("reasoning") if args else None, judged_by=judges,
        tab=tab.strip() if isinstance(tab, str) and tab.strip() else None,
        perturbation=_line(perturbation, 40) if isinstance(perturbation, str) and perturbation.strip() else None,
        subjects=subjects, spread=helm["description"] if isinstance(helm.get("description"), str) else None,
    )


_HELM_COUNTS = ("# train", "# eval")


def _helm_count(name: str, value: Any) -> tuple[tuple[str, str], _Count] | None:
    """((scenario, count), the count) of one of HELM's counts: ``"MMLU - # train": {"score": 5, "description":
    "min=5, mean=5, max=5, sum=75 (15)"}``, as a result of its own (0.0.x) or in a result's details (0.1+)."""
    scenario, _, label = name.rpartition(" - ")
    label = label.strip().casefold()
    number = value.get("score") if isinstance(value, dict) else None
    if not scenario or label not in _HELM_COUNTS or isinstance(number, bool) or not isinstance(number, int | float):
        return None
    try:
        mean = float(number)
    except OverflowError:
        return None
    if not math.isfinite(mean):
        return None
    described = value.get("description")
    spread = _HELM_SPREAD.search(described) if isinstance(described, str) else None
    low, high = (float(spread["min"]), float(spread["max"])) if spread else (None, None)
    return (normalize_name(scenario), label), _Count(mean, low, high)


def _helm_counts(details: dict[Any, Any]) -> dict[tuple[str, str], list[_Count]]:
    """HELM's run counts as EEE's HELM adapter keeps them in ``details``: ``"X - # train": {"score": 5}``."""
    found: dict[tuple[str, str], list[_Count]] = {}
    for key, value in details.items():
        if (count := _helm_count(str(key), value)) is not None:
            found.setdefault(count[0], []).append(count[1])
    return found


def _parse(file: str, at: str, raw: Any, model_given: bool) -> _Document:
    doc = _Object(file, at, raw)
    version = _version(doc)
    meta = doc.obj("source_metadata", required="who reported these numbers (source_name, source_type, "
                   "evaluator_relationship)")
    info = doc.obj("model_info") if not model_given else None
    if info is None and not model_given:
        raise FormatError(f"{file}: {doc.path('model_info')} is missing: pass --model to say which model the numbers "
                          "are of")
    items = doc.items("evaluation_results")
    if items is None:
        raise FormatError(f"{file}: {doc.path('evaluation_results')} is missing: an Every Eval Ever file lists its "
                          "results there")
    library = doc.obj("eval_library")
    # 0.0/0.1 files state the dataset once, at the top (some as a list of URLs: no dataset name)
    top_data = doc.obj("source_data") if isinstance(doc.data.get("source_data"), dict) else None
    model_id = info.text("id") or info.text("name") if info else None
    if info is not None and model_id is None:
        raise FormatError(f"{file}: {info.path('id')} is missing: pass --model to say which model the numbers are of")
    assert meta is not None
    # 0.0 files name the source in evaluation_source
    origin = doc.obj("evaluation_source")
    source_name = meta.text("source_name") or (origin.text("evaluation_source_name") if origin else None)
    results = [_parse_result(_Object(file, f"{doc.path('evaluation_results')}[{i}]", item), top_data)
               for i, item in enumerate(items)]
    evaluation = doc.data.get("evaluation_id")
    helm = any(isinstance(t, str) and _HELM_NAME.match(t)
               for t in (source_name, evaluation, *(r.dataset for r in results))) or any(r.tab for r in results)
    return _Document(
        at=at, version=version, source_name=source_name,
        source_type=meta.text("source_type") or (origin.text("evaluation_source_type") if origin else None),
        organization=meta.text("source_organization_name"), organization_url=meta.text("source_organization_url"),
        relationship=meta.text("evaluator_relationship"), source_details=meta.strings("additional_details"),
        library=library.text("name") if library else None, library_version=library.text("version") if library else None,
        model_id=model_id, model_name=info.text("name") if info else None,
        developer=info.text("developer") if info else None,
        platform=info.text("inference_platform") if info else None,
        model_details=info.strings("additional_details") if info else {},
        timestamp=doc.data.get("evaluation_timestamp"), results=results, helm=helm,
    )


# --------------------------------------------------------------------------- placing what it says


def _date(value: Any) -> dt.date | None:
    """A timestamp as EEE writes it (Unix seconds as text, or an ISO date and time), or None."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except (ValueError, OverflowError):
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    if not 0 < seconds < 4e9:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def _line(text: str, limit: int = 100) -> str:
    """Text for one line of an entry file (``where``, a title): spaces collapsed, escapes shown, bounded."""
    flat = safe_text(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _url(text: str | None) -> str | None:
    return text if text and re.match(URL_PATTERN, text) else None


def _parameters(details: dict[str, str]) -> float | None:
    for key, scale in _PARAMETER_KEYS:
        try:
            value = float(details.get(key, "")) * scale
        except (ValueError, OverflowError):
            continue
        if math.isfinite(value) and value >= 1:
            return float(round(value))
    return None


class _Reader:
    """Imports the documents of one file (parsed and checked beforehand)."""

    def __init__(self, importer: Importer, file: str, source_id: str | None, source_url: str | None,
                 model: str | None) -> None:
        self.importer, self.file = importer, file
        self.source_id, self.source_url, self.given_model = source_id, source_url, model
        self.converted = 0
        self.from_text: set[str] = set()
        #: The evaluation names of the document being read, by the dataset they name.
        self.names_of: defaultdict[str, set[str | None]] = defaultdict(set)
        #: Whether the document being read is a HELM conversion, its HELM counts stated as results of their own
        #: (0.0.x), and the benchmarks its results name.
        self.helm = False
        self.counts: dict[tuple[str, str], list[_Count]] = {}
        self.reported: set[str] = set()

    def check_model(self, doc: _Document) -> str:
        """The model name to resolve: ``model_info.id`` without the inference platform a route adds.

        Raises:
            FormatError: an id that is a local path, or more than owner/name.
        """
        if self.given_model:
            return self.given_model
        assert doc.model_id is not None
        name, where = doc.model_id, _path(doc.at, "model_info.id")
        if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
            raise FormatError(f"{self.file}: {where} {safe_text(name[:120])!r} holds control or invisible characters: "
                              "pass --model ID to say which model it is")
        parts = name.split("/")
        if len(parts) > 2 and doc.platform:
            kept = [p for p in parts[:-1] if p.casefold() != doc.platform.casefold()] + parts[-1:]
            name = "/".join(kept) if len(kept) >= 2 else name
        if is_local_path(name):
            if name.count("/") > 1 and not re.match(r"^(?:[/.~\\]|[A-Za-z]:)", name):
                raise FormatError(f"{self.file}: {where} {safe_text(name[:120])!r} is more than owner/name: pass "
                                  "--model ID to say which model it is")
            raise FormatError(f"{self.file}: {where} is a local path ({safe_text(name[:120])}), which says where "
                              "weights were, not which model they are: pass --model ID")
        return name

    def source(self, doc: _Document, model_name: str) -> SourceDraft:
        kind = doc.source_type.casefold() if doc.source_type else None
        relationship = (doc.relationship or "").casefold() or None
        run = kind == "evaluation_run"
        date = _date(doc.timestamp if doc.timestamp is not None else
                     next((r.timestamp for r in doc.results if r.timestamp is not None), None))
        label = doc.source_name or doc.organization or doc.library or "Every Eval Ever"
        title = _line(f"{label}: evaluation of {model_name}" + (f", {date:%Y-%m-%d}" if date else ""), 200) if run \
            else _line(label, 200)
        notes = [f"Every Eval Ever schema {doc.version} file ({kind or 'no source_type'}; evaluator "
                 f"{relationship or 'relationship not stated'})."]
        if doc.organization and doc.organization.casefold() != "unknown":
            notes.append(f"Data from {_line(doc.organization)}" +
                         (f" ({_line(doc.organization_url)})" if doc.organization_url else "") + ".")
        if doc.library and doc.library.casefold() != "unknown":
            version = f" {_line(doc.library_version)}" if doc.library_version not in (None, "unknown") else ""
            notes.append(f"Evaluated with {_line(doc.library)}{version}.")
        links = doc.source_details  # a link the file states, else its leaderboard's page
        pages = [v for k, v in links.items() if "leaderboard" in k and k.endswith(("url", "repository"))]
        url = self.source_url or next((u for v in (links.get("url"), links.get("source_url"), *pages) if (u := _url(v))),
                                      None)
        return self.importer.source(
            self.source_id or title, title, url=url, kind="evaluation" if run else
            ("leaderboard" if relationship == "third_party" else "other"),
            date=f"{date:%Y-%m-%d}" if date and run else None, year=date.year if date and run else None,
            notes=" ".join(notes))

    def model(self, doc: _Document, name: str, source: SourceDraft) -> ModelRef:
        first_party = (doc.relationship or "").casefold() == "first_party"
        details = doc.model_details
        revision = details.get("revision")
        if revision and revision.casefold() not in ("main", "master", "head") and not self.given_model:
            ref = self.importer.model(name, self.file, revision=revision)
        else:
            availability = details.get("model_availability", "").casefold()
            ref = self.importer.model(
                name, self.file, organization=doc.developer, parameters=_parameters(details),
                open_weights={"open_weights": True, "closed_weights": False}.get(availability),
                introduced_by=source.id if first_party else None)
        if first_party:
            declared = self.importer.result.models.get(ref.id) or self.importer.known.models.get(ref.id) or {}
            if declared.get("introduced_by") != source.id:
                self.importer.warn("first_party_unrepresented", f"the file says its numbers of {ref.id} are "
                                   f"first-party, but {ref.id} is introduced by "
                                   f"{declared.get('introduced_by') or 'no source'}: they are imported as "
                                   f"{source.id}'s, third-party", self.file,
                                   _path(doc.at, "source_metadata.evaluator_relationship"),
                                   f"set introduced_by: {source.id} on the model if {source.id} introduced it")
        return ref

    def read(self, doc: _Document) -> None:
        name = self.check_model(doc)
        lm_eval = (doc.library or "").casefold() in _LM_EVAL
        self.names_of = defaultdict(set)
        for result in doc.results:
            self.names_of[_dataset_key(result)].add(result.name)
        self.helm, self.counts = doc.helm, {}
        for result in doc.results:  # 0.0.x: HELM's counts are results of their own ("MMLU - # train")
            if result.name and (count := _helm_count(result.name, {"score": result.score,
                                                                   "description": result.spread})):
                self.counts.setdefault(count[0], []).append(count[1])
        mapped = [None if _side_column(r) else self.benchmark(r, lm_eval, context=False) for r in doc.results]
        self.reported = {m[0] for m in mapped if m}
        if (mixed := self.misaligned(doc, mapped)) is not None:
            self.importer.warn("eee_settings_misplaced", f"{mixed}: the generation_config of each result belongs to "
                               "another, so no result's settings can be read; the document's results are skipped",
                               self.file, _path(doc.at, "evaluation_results"),
                               "import a later conversion of the same data (Every Eval Ever schema 0.1 or later)")
            self.importer.skip("a result of a document whose settings belong to other results", len(doc.results))
            return
        source = self.source(doc, doc.model_name or name)
        ref = self.model(doc, name, source)
        quantized = {v.casefold() for k, v in doc.model_details.items() if k in _PRECISION_KEYS} & _QUANTIZED
        agent = next((slug(v) for k, v in doc.model_details.items() if k in _AGENT_KEYS and v), None)
        pending: list[tuple[dict[str, Any], str, bool]] = []
        for result in doc.results:
            placed = self.place(result, lm_eval, ref.id)
            if placed is None:
                continue
            record, metric, stated = placed
            settings = {p for p in (record.pop("setting") or "").split(",") if p} | quantized
            if agent and not any(k in _AGENT_KEYS for k in result.details):
                settings.add(agent)
            record["setting"] = ",".join(sorted(settings)) or None
            pending.append((record, metric, stated))
        self.importer.rescale([(r, m) for r, m, stated in pending if not stated], self.file)
        for record, _, _ in pending:
            self.importer.add(source, record, model=ref, file=self.file)

    # ----------------------------------------------------------------- one result

    def misaligned(self, doc: _Document,
                   mapped: list[tuple[str, str | None, list[str], str | None] | None]) -> str | None:
        """What shows that a document's settings belong to other results, or None.

        Early conversions of HELM (schema 0.0) shifted ``generation_config`` by one result: MMLU states MATH's
        subjects and level, MMLU-Pro GPQA's ``gpqa_main``. A result states another benchmark's settings when its
        stated subset is a variant of another benchmark, or its subjects are all listed subsets of an unrelated
        benchmark and none is its own.
        """
        registry = self.importer.registry
        for result, found in zip(doc.results, mapped, strict=True):
            if found is None:
                continue
            bench = found[0]
            entry = registry.benchmarks[bench]
            related = {bench, *([entry.variant_of] if entry.variant_of else [])}
            related |= {b.id for b in registry.benchmarks.values() if b.variant_of in related}
            stated = next((result.details[k] for k in _SUBSET_KEYS if result.details.get(k)), None)
            other = self.importer.benchmark(stated) if stated else None
            if other is not None and other not in related and registry.benchmarks[other].variant_of:
                return f"{entry.name} states the subset {_line(stated or '', 40)!r} ({registry.benchmarks[other].name})"
            subjects = {t for t in (normalize_text(safe_text(s), TextForm.SUBSET) for s in result.subjects) if t}
            if not subjects or subjects & set(entry.subsets or ()):
                continue
            owner = next((b for b in registry.benchmarks.values() if b.id not in related and b.subsets
                          and subjects <= set(b.subsets)), None)
            if owner is not None:
                return f"{entry.name} states subjects of {owner.name} ({', '.join(sorted(subjects)[:3])}, …)"
        return None

    def benchmark(self, result: _Result, lm_eval: bool,
                  context: bool = True) -> tuple[str, str | None, list[str], str | None] | None:
        """(benchmark id, subset, metric names the names carry, lm-eval filter), or None.

        With ``context``, a name that is no benchmark may be a listed subset of one the document reports.
        """
        filter_ = None
        if result.description and (m := _FILTER.search(result.description)):
            filter_ = m["filter"].strip()
        if lm_eval and result.name:
            task = result.name.split("/")[0] if filter_ else result.name
            task_found = lm_eval_task(task, self.importer)
            if task_found is not None:
                bench, subset, override = task_found
                return bench, subset, [override] if override else [], filter_
        readings = self.readings(result.name, filter_)
        if readings is not None and self.agrees(readings[0], result):
            return (*readings, filter_)
        for text in (result.dataset, result.hf_repo, result.hf_repo and result.hf_repo.split("/")[-1],
                     result.result_id):
            found = self.readings(text, filter_)
            if found is not None:
                bench, subset, metrics = found
                if subset is None and result.name:
                    part, metrics = self.tail(bench, result.name, filter_, metrics)
                    # a name is a part of its dataset where the file reports several (Arabic, English … of
                    # global-mmlu-lite); a lone one names the scorer or run (Inspect's "choice")
                    subset = part if len(self.names_of[_dataset_key(result)]) > 1 else None
                return bench, subset, metrics, filter_
        if context and (found := self.subset_reading(result.name, filter_)) is not None:
            return (*found, filter_)
        return None

    def subset_reading(self, text: str | None, filter_: str | None) -> tuple[str, str | None, list[str]] | None:
        """(benchmark, subset, metric names) of a name that is a listed subset of exactly one benchmark the
        document reports: HELM's ``Abstract Algebra - EM`` beside ``MMLU All Subjects - EM``."""
        if not text or not self.reported:
            return None
        registry = self.importer.registry
        for head, tail, metric, column in _name_parts(text):
            key = normalize_text(safe_text(head.strip()), TextForm.SUBSET)
            owners = [b for b in sorted(self.reported) if key and key in (registry.benchmarks[b].subsets or ())]
            if len(owners) == 1:
                rest, metrics = self.tail(owners[0], tail, filter_, [metric] if metric else [], column)
                if rest is None:
                    return owners[0], key, metrics
        return None

    def agrees(self, bench: str, result: _Result) -> bool:
        """Whether the dataset a result names is the benchmark its name gives, a variant of it, or mentions it.

        A name is read in the context of its dataset: ``Math`` of ``RewardBench 2`` is a part of
        RewardBench 2, not the MATH benchmark; ``MMLU-Pro (overall)`` of ``MMLU-Pro leaderboard
        submissions`` is MMLU-Pro.
        """
        datasets = [t for t in (result.dataset, result.hf_repo) if t]
        if not datasets:
            return True
        registry = self.importer.registry
        entry = registry.benchmarks[bench]
        names = {k for k in (normalize_name(n) for n in (entry.id, entry.name, *entry.aliases)) if len(k) >= 3}
        for text in datasets:
            other = self.importer.benchmark(text) or self.importer.benchmark(text.split("/")[-1])
            if other is not None:
                if bench in (other, registry.benchmarks[other].variant_of) or other == entry.variant_of:
                    return True
            elif any(k in normalize_name(text) for k in names):
                return True
        return False

    def readings(self, text: str | None, filter_: str | None) -> tuple[str, str | None, list[str]] | None:
        """(benchmark, subset, metric names) of one name, the plainest reading that names a benchmark."""
        if not text:
            return None
        for head, tail, metric, column in _name_parts(text):
            bench = self.importer.benchmark(head.strip())
            if bench is not None:
                subset, metrics = self.tail(bench, tail, filter_, [metric] if metric else [], column)
                return bench, subset, metrics
        return None

    def tail(self, bench: str, tail: str | None, filter_: str | None, metrics: list[str],
             column: bool = False) -> tuple[str | None, list[str]]:
        """What the rest of a name is: a metric, the whole of it, a filter, or a subset.

        A metric is one of the benchmark's, or any metric the registry knows (``BoolQ - EM``: a metric, never a
        subset; one the benchmark is not reported in is skipped later). In a HELM conversion the ``column``
        after `` - `` is always the metric (``CNN/DailyMail - ROUGE-2``).
        """
        if not tail or tail.strip().casefold() in _WHOLE or tail == filter_:
            return None, metrics
        registry = self.importer.registry

        def is_metric(text: str) -> bool:
            return bool(registry.resolve_metric_of(bench, text) or registry.metric_index.resolve(text.strip()))

        if is_metric(tail) or (column and self.helm):
            return None, [*metrics, tail]
        split = _match(_DASH, tail) or _match(_PAREN, tail)  # "Abstract Algebra - EM": a subset and its metric
        if split and is_metric(split["tail"]):
            tail, metrics = split["head"], [*metrics, split["tail"]]
        name = registry.benchmarks[bench].name
        bare = re.sub(rf"^{re.escape(name)}\s+", "", tail.strip(), flags=re.IGNORECASE)
        return (None if bare.casefold() in _WHOLE else bare), metrics

    def metric(self, bench: str, result: _Result, hinted: list[str]) -> str | None:
        """The metric of a result: declared (``metric_id``, ``metric_name``), else its family or the metric
        a name or description states; None when nothing names one of the benchmark's metrics (counted)."""
        registry = self.importer.registry
        benchmark = registry.benchmarks[bench]

        def resolve(text: str) -> tuple[str, str] | None:
            bare = _FILTER.sub("", text).strip()
            for candidate in (bare, re.split(r"[./]", bare)[-1], _QUALIFIED.sub("", bare)):
                if candidate and (found := registry.resolve_metric_of(bench, candidate)):
                    return found, candidate
            return None

        for text in result.declared_metrics:
            if found := resolve(text):
                return found[0]
            if registry.metric_index.resolve(_FILTER.sub("", text).strip()):  # a metric, but not one of these
                self.importer.metric_of(bench, text)  # counted as skipped, with its name
                return None
        if self.helm:  # HELM's description names the metric its short label stands for
            line = _helm_metric_line(result.description)
            if line and (found := resolve(line)):
                return found[0]
            on = _match(_ON, result.description.split("\n")[0]) if result.description else None
            if "quasi_exact_match" in benchmark.metrics and any(
                    normalize_name(t) == "em" for t in [*hinted, *([on["metric"]] if on else [])]):
                self.importer.skip(f"{benchmark.name}: HELM's EM is exact or quasi-exact match, and the file does "
                                   "not say which")
                return None
        # (text, whether it is read out of prose: "Accuracy on IFEval" says more loosely than "acc")
        texts = [(t, False) for t in ([result.metric_kind] if result.metric_kind else []) + hinted]
        if result.description:
            on = _match(_ON, result.description.split("\n")[0])
            texts.append((on["metric"], True) if on else (result.description, False))
        for text, prose in texts:
            if (found := resolve(text)) is None:
                continue
            metric, said = found
            if metric == "acc" and "acc_norm" in benchmark.metrics and said.casefold() in _GENERIC_ACCURACY:
                self.importer.skip(f"{benchmark.name}: {_line(text, 40)!r} does not say which accuracy (it is "
                                   "reported in acc and acc_norm)")
                return None
            if prose or said != _FILTER.sub("", text).strip():
                self.from_text.add(f"{benchmark.name}: {metric} from {_line(result.description or text, 60)!r}")
            return metric
        named = [*result.declared_metrics, *hinted, *([result.metric_kind] if result.metric_kind else [])]
        # HELM always names its metric (a run file in the description: exact_match, rouge_l): none is another
        if len(benchmark.metrics) == 1 and not self.helm and not any(registry.metric_index.resolve(t) for t in named):
            return str(benchmark.metrics[0])  # reported in one metric; "mt_bench/overall" is a label, not another
        if named:
            self.importer.metric_of(bench, named[0])  # counted as skipped, with its name
        else:
            self.importer.skip(f"{benchmark.name}: the file names none of its metrics ({', '.join(benchmark.metrics)})")
        return None

    def place(self, result: _Result, lm_eval: bool, model: str) -> tuple[dict[str, Any], str, bool] | None:
        """The record of one result, its metric, and whether its scale is stated — or None (listed or counted)."""
        importer = self.importer
        if (side := _side_column(result)) is not None:
            importer.skip(side)
            return None
        mapped = self.benchmark(result, lm_eval)
        if mapped is None:
            importer.unknown(_line(result.name or result.dataset or result.result_id or "(unnamed evaluation)", 80))
            return None
        bench, subset, hinted, filter_ = mapped
        named = next((result.details[k] for k in _SUBSET_KEYS if result.details.get(k)), None)
        if named is None and whole_number(result.details.get("level")) is not None:  # HELM's MATH: level 1 only
            named = f"level {result.details['level']}"
        if named is not None:  # stated outright: it beats what a name suggests
            subset = None if named.casefold() in _WHOLE else named
        variant = importer.benchmark(subset) if subset else None
        if variant is not None and importer.registry.benchmarks[variant].variant_of == bench:
            bench, subset = variant, None  # GPQA's gpqa_main is GPQA Main, a benchmark of its own
        subset = normalize_text(safe_text(subset), TextForm.SUBSET) if subset else None
        metric = self.metric(bench, result, hinted)
        if metric is None:
            return None
        definition = importer.registry.metrics[metric]
        name = importer.registry.benchmarks[bench].name
        if result.score_type == "levels":
            importer.skip(f"{name}: a levels score (a category, not a number)")
            return None
        if result.lower_is_better is not None and result.lower_is_better == bool(definition.higher_is_better):
            importer.skip(f"{name}: the file's metric is {'lower' if result.lower_is_better else 'higher'}-is-better, "
                          f"the registry's {metric} is not: another metric")
            return None
        if result.score is None:
            importer.skip(f"{name}: a result without a score")
            return None
        value = self.number(result.score, "score")
        if value is None:
            return None
        scale = self.scale(result, definition.is_percent, name)
        if scale is None:
            return None
        fraction, stated = scale
        if result.low is not None and result.high is not None and not result.low <= value <= result.high:
            importer.skip(f"{name}: a score outside the bounds its result declares")
            return None
        stderr = self.number(result.stderr, "standard error")
        if stderr is not None and stderr < 0:
            importer.skip("a negative standard error")
            stderr = None
        n_shot, settings = _settings(result, filter_, self.count(result, "# train"))
        n_samples = result.num_samples or self.count(result, "# eval", 1)
        used = result.num_samples or result.samples_listed
        partial = None
        if result.samples_total and used and used < result.samples_total:
            partial, n_samples = f"evaluated on {used} of {result.samples_total} samples", used
        elif result.details.get("partial", "").casefold() in _TRUE:
            partial = "the file marks the number partial"
        notes: list[str] = []
        ci_low, ci_high = self.interval(result, value, notes)
        if result.judged_by:
            notes.append(f"judged by {', '.join(_line(j, 60) for j in result.judged_by)}")
        if fraction:
            self.converted += 1
            value, stderr, ci_low, ci_high = (importer.percent(v, metric=metric)
                                              for v in (value, stderr, ci_low, ci_high))
        record: dict[str, Any] = {
            "model": model, "benchmark": bench, "metric": metric,
            "value": value, "stderr": stderr, "ci_low": ci_low, "ci_high": ci_high,
            "n_shot": n_shot, "split": self.split(bench, result), "subset": subset, "setting": settings,
            "n_samples": n_samples, "partial": True if partial else None, "_partial_reason": partial,
            "where": f"{self.file}: {result.at}" + (f" ({_line(result.name, 80)})" if result.name else ""),
            "notes": "; ".join(notes) or None,
        }
        if not _in_range(record["value"], definition):
            importer.skip(f"{name}: a value outside the range of {metric}")
            return None
        return record, metric, stated

    def count(self, result: _Result, label: str, least: int = 0) -> int | None:
        """HELM's count ``label`` (``# train``, ``# eval``) of the result's scenario where the file states it: in
        the result's details (0.1+), else as a result of its own (0.0.x); None unless one whole number, the same
        in every run (``# train`` is a mean: 4.96 says no n-shot, nor does ``min=0, mean=5, max=5``)."""
        scenarios = {normalize_name(t) for t in (_scenario(result.name), result.dataset) if t}
        for table in (result.helm_counts, self.counts):
            found = [c for (scenario, what), counts in table.items() if what == label and scenario in scenarios
                     for c in counts]
            if found:
                return _whole(found, least)
        return None

    def number(self, raw: Any, what: str) -> float | None:
        """A number the file writes (NaN, infinity, text and other types are counted as skipped)."""
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.importer.skip(f"{what} is not a number ({_kind(raw)})")
            return None
        if isinstance(raw, int) and abs(raw) > 2**1023:
            self.importer.skip("not a finite number (NaN or infinity)")
            return None
        value = self.importer.number(raw)
        return None if value is None else float(value)

    def scale(self, result: _Result, percent: bool, name: str) -> tuple[bool, bool] | None:
        """(whether the scores are fractions of a percent metric, whether the file states its scale), or
        None when the scale does not fit the metric (counted).

        The unit and the bounds must agree: a "proportion" bounded by 10 says two scales.
        """
        unit, low, high = result.unit, result.low, result.high
        if result.score_type == "binary" and high is None:
            low, high = 0.0, 1.0
        loose = high is None or math.isinf(high)

        def says(units: set[str], top: float) -> bool:
            return (unit in units and (loose or high == top)) or (unit is None and high == top and low in (0, None))

        if not percent:
            if unit in _PROPORTION | _PERCENT:
                self.importer.skip(f"{name}: a score in {unit} for a metric that is not a percentage")
                return None
            return False, True
        if says(_PROPORTION, 1):
            return True, True
        if says(_PERCENT, 100):
            return False, True
        if unit is None and loose:
            return False, False  # the document's values decide (Importer.rescale)
        stated = (f"a {low:g}–{high:g} scale" if low is not None and high is not None else "a scale") + \
            (f" in {unit}" if unit else "")
        self.importer.skip(f"{name}: a score on {stated}, which does not fit a percentage")
        return None

    def interval(self, result: _Result, value: float, notes: list[str]) -> tuple[float | None, float | None]:
        if result.interval is None:
            return None, None
        lower, upper, level = result.interval
        low, high = self.number(lower, "confidence interval"), self.number(upper, "confidence interval")
        if low is None or high is None:
            return None, None
        if isinstance(level, int | float) and not isinstance(level, bool):
            if not math.isclose(level if level <= 1 else level / 100, 0.95):
                self.importer.skip(f"a {level:g} confidence interval (entries keep 95% intervals)")
                return None, None
        else:
            notes.append("the confidence level of the interval is not stated")
        if not low <= value <= high:
            self.importer.skip("a confidence interval that does not contain its value")
            return None, None
        return low, high

    def split(self, bench: str, result: _Result) -> str | None:
        """The split stated for the benchmark's own dataset (a results dataset's split says nothing)."""
        stated = next((result.details[k] for k in _SPLIT_KEYS if result.details.get(k)), None)
        if stated is None and result.hf_split and result.hf_repo and self.importer.benchmark(result.hf_repo) == bench:
            stated = result.hf_split
        if not stated:
            return None
        split = normalize_text(safe_text(stated), TextForm.LABEL)
        return _SPLITS.get(split or "", split)


def _dataset_key(result: _Result) -> str:
    return (result.dataset or result.hf_repo or "").casefold()


def _path(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.match(text)`` for a name of a sensible length, else None (see ``_NAME_LIMIT``)."""
    return pattern.match(text) if len(text) <= _NAME_LIMIT else None


def _without_whole(name: str) -> str | None:
    """``MMLU`` for ``MMLU All Subjects``: the name without its word for the whole, or None."""
    m = _WHOLE_AFTER.search(name)
    return name[:m.start()].rstrip() or None if m else None


def _name_parts(text: str) -> Iterator[tuple[str, str | None, str | None, bool]]:
    """(benchmark name, the rest, a metric name, whether the rest follows `` - ``) readings of a name, the
    plainest first; a name that ends in a word for the whole (``MMLU All Subjects``) is also read without it."""
    yield text, None, None, False
    for pattern in (_PAREN, _DASH, _SLASH):
        if m := _match(pattern, text):
            yield m["head"], m["tail"], None, pattern is _DASH
            if whole := _without_whole(m["head"]):
                yield whole, m["tail"], None, pattern is _DASH
    if whole := _without_whole(text):
        yield whole, None, None, False
    if m := _match(_ON, text):
        yield m["head"], None, m["metric"], False
    if "." in text and len(text) <= _NAME_LIMIT and not any(c.isspace() for c in text):
        parts = text.split(".")
        for i, part in enumerate(parts[:-1] if len(parts) > 1 else parts):
            yield part, ".".join(parts[i + 1:]) or None, None, False
        yield parts[-1], None, None, False


def _settings(result: _Result, filter_: str | None, helm_shots: int | None) -> tuple[int | None, str | None]:
    """(n-shot, setting) that a result's string maps and generation arguments state (``helm_shots``: HELM's
    ``# train`` of the result's scenario)."""
    details = result.details
    n_shot = next((n for k, v in details.items() if k in _SHOT_KEYS and (n := whole_number(v, 1000)) is not None), None)
    parts: set[str] = set()
    if n_shot is None:
        n_shot = helm_shots
    for key in _PROMPT_KEYS & details.keys():
        _, shots, qualifier, _ = setting_in_name(details[key])
        n_shot = shots if n_shot is None else n_shot
        if qualifier:
            parts.add(qualifier)
    if n_shot is None and details.get("use_few_shot", "").casefold() in _FALSE:
        n_shot = 0
    if any(details.get(k, "").casefold() in _TRUE for k in _COT_KEYS):
        parts.add("cot")
    if result.reasoning:
        parts.add("reasoning")
    if filter_ and filter_.casefold() != "none":
        parts.add(filter_)
    parts |= {slug(v) for k, v in details.items() if k in _AGENT_KEYS and v}
    parts |= {v.casefold() for k, v in details.items() if k in _PRECISION_KEYS} & _QUANTIZED
    parts |= {p.strip() for p in details.get("setting", "").split(",") if p.strip()}
    return n_shot, normalize_text(safe_text(",".join(sorted(parts))), TextForm.SETTING) if parts else None


def _whole(counts: list[_Count], least: int = 0) -> int | None:
    """The one whole number of HELM counts, the same in every run (``# train`` is a mean: 4.96 says no n-shot).

    The spread, where stated, wins over the score: 0.0 files write a count of 0 as -1 (``min=0, mean=0, max=0``).
    """
    values = {c.mean if c.low is None else c.low if c.low == c.high else math.nan for c in counts}
    if len(values) != 1:
        return None
    value = values.pop()
    return int(value) if value.is_integer() and least <= value < 1e6 else None


def _scenario(name: str | None) -> str | None:
    """HELM's scenario of a name: ``MMLU`` of ``MMLU - EM``, the whole of ``MMLU``."""
    return name.rpartition(" - ")[0].strip() or name if name else None


def _helm_metric_line(description: str | None) -> str | None:
    """The metric HELM's description states in a paragraph of its own: ``Quasi-exact match`` of
    ``"…\\n\\nQuasi-exact match: Fraction of instances …"``."""
    for paragraph in (description or "").split("\n\n")[1:]:
        if m := _HELM_METRIC_LINE.match(paragraph.strip()):
            return m["metric"].strip()
    return None


def _side_column(result: _Result) -> str | None:
    """Why a result is not its benchmark's score — one of HELM's run statistics, a perturbed run or another
    measure, by the tab the file states or the column its name ends in — or None."""
    tab = (result.tab or "").casefold()
    column = result.name.rpartition(" - ")[2].strip() if result.name and " - " in result.name else ""
    if tab in _HELM_STATISTIC_TABS or _HELM_STATISTIC.match(column):
        return "HELM run statistics (# eval, # train, # trials, tokens, truncated, inference time): not scores"
    if result.perturbation or tab in _HELM_PERTURBATION_TABS or _HELM_PERTURBED.match(column):
        return "HELM scores under perturbation (robustness, fairness): not the benchmark's own score"
    if tab in _HELM_OTHER_TABS or _HELM_OTHER.match(column):
        return "HELM calibration, bias, toxicity and summarization columns: not the benchmark's score"
    return None


def _in_range(value: float, definition: Any) -> bool:
    low, high = definition.min, definition.max
    return (low is None or value >= low) and (high is None or value <= high)


def import_every_eval_ever(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                           model: str | None, **_: object) -> None:
    """Import one Every Eval Ever file (a document, or a list of them) into ``importer``."""
    data = read_json(path)
    file = path.name
    listed = isinstance(data, list)
    if listed and not data:
        raise FormatError(f"{file} is an empty list: no Every Eval Ever documents")
    documents = [_parse(file, f"[{i}]" if listed else "", raw, bool(model))
                 for i, raw in enumerate(data if listed else [data])]
    reader = _Reader(importer, file, source_id, source_url, model)
    for doc in documents:
        reader.check_model(doc)
    for doc in documents:
        reader.read(doc)
    if reader.converted:
        importer.warn("fraction_as_percent", f"{reader.converted} score{'s' if reader.converted != 1 else ''} stated "
                      "as proportions (metric_unit proportion, or bounds 0–1) converted to percent", file,
                      hint="the registry keeps percent metrics on the 0–100 scale")
    if reader.from_text:
        importer.warn("metric_from_text", "metrics read from names or descriptions, which the file does not declare "
                      "as metric_id: " + "; ".join(sorted(reader.from_text)[:6]) +
                      (f" … ({len(reader.from_text) - 6} more)" if len(reader.from_text) > 6 else ""), file,
                      hint="check that each is the metric the source reports")
