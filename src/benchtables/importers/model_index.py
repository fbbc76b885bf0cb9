"""Hugging Face model cards: the ``model-index`` block → scores.

The block sits in the YAML front matter of a card's README.md (or is a bare YAML file). Each
result names a task, a dataset (``type``, ``name``, ``config``, ``split``,
``args.num_few_shot``), metrics (``type``, ``value``, ``name``) and a ``source`` (``name``,
``url``). Results with a source become numbers of that source (the Open LLM Leaderboard);
results without one are the card's own. Values may be percents (``72.95``) or fractions
(``0.6459``), even in one card; each source's values of one metric share a scale: all at most
1 are fractions and are converted, a value at most 1 among larger ones is a small percent and
is kept (see :meth:`Importer.rescale`). A dataset's name decides its benchmark over its Hub
``type``, which variants share (MMLU-Redux lists ``cais/mmlu``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, setting_in_name, slug, whole_number
from benchtables.yamlpos import Document, parse_yaml

__all__ = ["import_model_index"]

#: Dataset configs that name the whole dataset, not a subset of it.
_WHOLE = {"all", "main", "default", "multiple_choice", "generation", "plain_text", "winogrande_xl",
          "winogrande_debiased", "arc-challenge", "arc-easy", "arc_challenge", "arc_easy"}


def _front_matter(text: str, name: str) -> tuple[str, int]:
    """The YAML part of a card and the line it starts on."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].strip() == "---":
        for i, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                return "".join(lines[1:i]), 1
        raise FormatError(f"{name}: the front matter starting at line 1 is never closed with ---")
    return text, 0


def _document(path: Path) -> tuple[Document, int]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{path.name} is not UTF-8") from None
    yaml_text, offset = _front_matter(text, path.name)
    doc, problems = parse_yaml(yaml_text, path.name)
    if offset == 0 and (doc is None or problems or not isinstance(doc.data, dict)):
        raise FormatError(f"{path.name} has no model-index block: it has no YAML front matter (--- … ---) "
                          "and is not a YAML file")
    if doc is None or problems:
        detail = problems[0].format() if problems else "no YAML"
        raise FormatError(f"{path.name}: cannot read the card's YAML front matter: {detail}")
    if isinstance(doc.data, dict) and "model_index" in doc.data and "model-index" not in doc.data:
        raise FormatError(f"{path.name} has a model_index block, the spelling of 2021 cards (one metric: per "
                          "result), which the Hub no longer reads; to import it, rename it model-index and write "
                          "each result's metric: as a list under metrics:")
    if not isinstance(doc.data, dict) or "model-index" not in doc.data:
        raise FormatError(f"{path.name} has no model-index block in its front matter; nothing to import")
    return doc, offset


def _benchmark(importer: Importer, dataset: dict[str, Any]) -> tuple[str | None, int | None, str | None, bool]:
    """Benchmark id, n-shot and setting named in the dataset's name, and whether the name held a setting.

    The name says what was measured; ``type`` and ``config`` name the Hub dataset it was drawn
    from, which variants share (MMLU-Redux and MMLU-Pro list ``cais/mmlu``, HumanEval+ lists
    ``openai_humaneval``). So a name the registry knows decides; ``config``/``type`` decide
    when the name is missing, or is a known name with settings and metric words around it
    (``ARC (25-shot)``, ``GSM8K exact match``); a metric in parentheses is no part of the name
    (``HumanEval+ (pass@1)`` is HumanEval+). A known name with more glued on that the registry
    does not know (``WikiText-2``), or with more words that no ``config`` subset explains
    (``MMLU Humanities``), names another benchmark: None, listed as unknown.
    """
    name = str(dataset.get("name") or "")
    bare, n_shot, qualifier, found = setting_in_name(name)
    index = importer.registry.benchmark_index
    unmetred = _PARENTHESES.sub(lambda m: "" if importer.registry.metric_index.resolve(m[1]) else m[0], name).strip()
    named = next((r for c in dict.fromkeys((bare, name, unmetred)) if c and (r := index.resolve(c))), None)
    if named is not None:
        return named, n_shot, qualifier, found
    config = str(dataset.get("config") or "")
    subset = bool(config) and config.casefold() not in _WHOLE and index.resolve(config) is None
    if name and _names_another(importer, name, subset):
        return None, n_shot, qualifier, found
    for candidate in (config, dataset.get("type")):
        if candidate and str(candidate) != "unknown" and (resolved := index.resolve(str(candidate))):
            return resolved, n_shot, qualifier, found
    return None, n_shot, qualifier, found


_PARENTHESES = re.compile(r"\s*\(([^()]*)\)")
#: Words a dataset name may add to a benchmark's name without naming another benchmark.
_PLAIN_WORDS = {"test", "validation", "val", "dev", "set", "split", "score", "results", "benchmark", "eval"}
_SETTING_WORD = re.compile(r"^(?:\d+|few|zero|one|shots?|cot|[a-z]+@\d+)$")


def _names_another(importer: Importer, name: str, config_subset: bool) -> bool:
    """Whether ``name`` starts with a known benchmark name but names something else."""
    text = re.sub(r"\([^)]*\)", " ", name.casefold()).strip()
    words = re.findall(r"[a-z0-9@]+|\+", text)
    index, metrics = importer.registry.benchmark_index, importer.registry.metric_index
    for k in range(1, len(words)):
        if index.resolve("".join(words[:k])) is None:
            continue
        prefix = re.match(r"[^a-z0-9@+]*".join(map(re.escape, words[:k])), text)
        if prefix is not None and text[prefix.end():prefix.end() + 1] not in (" ", ""):
            return True  # glued on: MMLU-Redux, HumanEval+, WikiText-2
        rest = words[k:]
        if metrics.resolve(" ".join(rest)):
            return False
        other = [w for w in rest if w not in _PLAIN_WORDS and not metrics.resolve(w) and not _SETTING_WORD.match(w)]
        return bool(other) and not config_subset
    return False


def _with_owner(name: str, entry: dict[str, Any]) -> str:
    """A name without its owner (``Qwen2.5-7B-Instruct-Uncensored``) as the repository id the card's
    results pages name (``…open_llm_leaderboard?query=Orion-zhen/Qwen2.5-7B-Instruct-Uncensored``),
    when they all name one and it ends in that name: the model those numbers were measured on."""
    if "/" in name:
        return name
    named: set[str] = set()
    for result in entry.get("results") or []:
        source = result.get("source") if isinstance(result, dict) else None
        url = source.get("url") if isinstance(source, dict) else None
        try:
            query = parse_qs(urlsplit(url).query).get("query", []) if isinstance(url, str) else []
        except ValueError:  # not a URL (http://[zz]/): it names no repository
            query = []
        named.update(str(q).strip() for q in query)
    if len(named) == 1 and (repo := named.pop()).count("/") == 1 and repo.split("/")[1].casefold() == name.casefold():
        return repo
    return name


def import_model_index(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                       model: str | None) -> None:
    doc, offset = _document(path)
    file = path.name
    entries = doc.data["model-index"]
    if not isinstance(entries, list):
        raise FormatError(f"{file}: model-index must be a list of models")
    for i, entry in enumerate(entries):
        entry = entry or {}
        if not isinstance(entry, dict):
            raise FormatError(f"{file}: model-index[{i}] must be a mapping (name:, results:), not "
                              f"{type(entry).__name__}")
        if not isinstance(entry.get("results") or [], list):
            raise FormatError(f"{file}: model-index[{i}].results must be a list of results")
        name = model or entry.get("name")
        if not name:
            raise FormatError(f"{file}: model-index[{i}] has no name; pass --model")
        if not isinstance(name, str | int | float):
            raise FormatError(f"{file}: model-index[{i}].name must be a name, not {type(name).__name__}")
        if not model:
            name = _with_owner(str(name), entry)
        model_ref = importer.model(str(name), file)
        own = importer.source(source_id or f"model-card-{slug(str(name))}", f"Model card of {name}",
                              url=source_url, kind="model-card")
        tables: dict[tuple[str, str], list[tuple[dict[str, Any], str]]] = {}
        for j, result in enumerate(entry.get("results") or []):
            if isinstance(result, dict):
                _result(importer, doc, offset, file, model_ref, own, (i, j), result, source_id, tables)
        for group in tables.values():  # one scale per metric name of one source's results for one model
            importer.rescale(group, file, one_column=True)


def _result(importer: Importer, doc: Document, offset: int, file: str, model_ref: ModelRef, own: Any,
            at: tuple[int, int], result: dict[str, Any], source_id: str | None,
            tables: dict[tuple[str, str], list[tuple[dict[str, Any], str]]]) -> None:
    i, j = at
    path = ("model-index", i, "results", j)
    dataset = given if isinstance(given := result.get("dataset"), dict) else {}
    benchmark_id, named_shots, qualifier, had_setting = _benchmark(importer, dataset)
    label = dataset.get("name") or dataset.get("type") or "?"
    if benchmark_id is None:
        importer.unknown(str(label))
        return
    args = given if isinstance(given := dataset.get("args"), dict) else {}
    shots = args.get("num_few_shot")
    n_shot = whole_number(shots)
    if had_setting and named_shots is not None and n_shot is not None and named_shots != n_shot:
        importer.warn("setting_in_name", f"the dataset name {label!r} says {named_shots}-shot but args.num_few_shot "
                      f"is {n_shot}; using {n_shot}", file, f"model-index[{i}].results[{j}].dataset")
    elif had_setting and n_shot is None:
        n_shot = named_shots
        if named_shots is None and qualifier is None:
            importer.warn("setting_in_name", f"the dataset name {label!r} says few-shot but not how many; "
                          "n_shot left empty", file, f"model-index[{i}].results[{j}].dataset")
    config = dataset.get("config")
    subset = None
    if config and str(config).casefold() not in _WHOLE and importer.registry.benchmark_index.resolve(str(config)) is None:
        subset = str(config)
    source = own
    card_source = given if isinstance(given := result.get("source"), dict) else {}
    if card_source and not source_id:
        source_name = str(card_source.get("name") or f"{label} results")
        url = card_source.get("url")
        url = url if isinstance(url, str) and url.startswith("http") else None
        # a results page per model (?query=…) is a source per model; one page for every model is one source
        per_model = bool(url and "?" in url) or url is None
        source = importer.source(slug(f"{source_name}-{own.id.removeprefix('model-card-')}" if per_model else source_name),
                                 source_name, url=url,
                                 kind="leaderboard" if "leaderboard" in source_name.casefold() else None)
    normalized = _open_llm_v2(importer, card_source, benchmark_id)
    metrics = result.get("metrics") or []
    if not isinstance(metrics, list):
        importer.skip(f"model-index[{i}].results[{j}].metrics is not a list: left out")
        return
    for k, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            continue
        where = f"{file}:{(doc.position((*path, 'metrics', k))[0] or 0) + offset} model-index[{i}].results[{j}].metrics[{k}]"
        task = given if isinstance(given := result.get("task"), dict) else {}
        metric_id = "normalized_score" if normalized else _metric(importer, benchmark_id, metric, file, where,
                                                                  f"{dataset.get('name') or ''} {task.get('name') or ''}")
        value = importer.number(metric.get("value"))
        if metric_id is None or value is None:
            continue
        record = {
            "model": model_ref.id, "benchmark": benchmark_id, "metric": metric_id, "value": value, "n_shot": n_shot,
            "setting": args.get("setting") or qualifier, "split": dataset.get("split"), "subset": subset, "where": where,
            "notes": "the Open LLM Leaderboard v2's normalised score (random baseline 0)" if normalized else None,
        }
        if importer.add(source, record, model=model_ref, file=file):
            written = str(metric.get("type") or metric.get("name") or metric_id).casefold()
            tables.setdefault((source.id, written), []).append((source.records["scores"][-1], metric_id))


def _open_llm_v2(importer: Importer, card_source: dict[str, Any], benchmark_id: str) -> bool:
    """Whether a result is the Open LLM Leaderboard v2's, whose numbers are its normalised scores."""
    url = str(card_source.get("url") or "")
    if "open-llm-leaderboard/open_llm_leaderboard" not in url:
        return False
    suite = importer.registry.suites.get("open-llm-v2")
    return suite is not None and importer.registry.member("open-llm-v2", benchmark_id) is not None


def _metric(importer: Importer, benchmark_id: str, metric: dict[str, Any], file: str, where: str,
            names_of_result: str) -> str | None:
    """The metric a result's metric entry stands for on this benchmark, or None (skipped and counted).

    The first of ``type`` and ``name`` this benchmark has a metric for decides (tools' names
    included: GSM8K's ``acc`` is its exact match), except that a ``type`` naming a known metric of
    other benchmarks is never overridden by a ``name``; else a metric the dataset's name states
    (``TruthfulQA (MC2)`` as the dataset's or the task's name, with type ``accuracy``). A metric of other benchmarks only is skipped,
    not relabelled. A metric the registry does not know (``type: unknown``) is the benchmark's
    only metric, if it has exactly one.
    """
    benchmark = importer.registry.benchmarks[benchmark_id]
    names = [str(n) for n in (metric.get("type"), metric.get("name")) if n and str(n) != "unknown"]
    typed = str(metric.get("type") or "")
    if typed and importer.registry.metric_index.resolve(typed) and not importer.registry.resolve_metric_of(
            benchmark_id, typed):
        names = [typed]  # the type is a known metric of other benchmarks: the name cannot relabel it
    own = next((m for n in names if (m := importer.registry.resolve_metric_of(benchmark_id, n))), None)
    if own is not None:
        return own
    words = re.findall(r"[A-Za-z0-9@_]+", names_of_result)
    stated = next((m for w in words if (m := importer.registry.resolve_metric_of(benchmark_id, w))
                   and len(benchmark.metrics) > 1), None)
    if stated is not None:
        return stated
    known = next((m for n in names if (m := importer.registry.metric_index.resolve(n))), None)
    if known is None and len(benchmark.metrics) == 1:
        importer.warn("unknown_metric", f"metric {metric.get('name') or metric.get('type')!r} of {benchmark.name} "
                      f"is not in the registry; imported as its only metric {benchmark.metrics[0]}", file, where)
        return cast(str, benchmark.metrics[0])
    importer.skip(f"metric {known or (names[0] if names else 'unknown')!r} is not a metric of {benchmark.name}")
    return None
