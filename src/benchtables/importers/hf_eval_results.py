"""Hugging Face Hub evaluation results (``.eval_results/*.yaml`` in a model repository) → scores.

The format (hub-docs ``eval_results.yaml``; huggingface_hub's ``EvalResultEntry`` and
``parse_eval_result_entries``) is a YAML list of results, each with ``dataset: {id, task_id,
revision?}``, ``value``, and optionally ``verifyToken``, ``date``, ``source: {url, name?, user?,
org?}`` and ``notes``. Items in the Hub API's shape (``{data: {…}}``) are read too. The older
``model-index`` block of a model card is :mod:`benchtables.importers.model_index`.

* **Model.** The file does not name its model: it holds the results of the repository it sits
  in, and copies of a repository carry another model's results. So ``--model`` (the repository
  id) is required, and a ``source.url`` that is another model's Hub repository gets an
  ``other_model_source`` warning.
* **Benchmark.** The registry benchmark that declares ``dataset.id`` and ``task_id``
  (``dataset``/``dataset_task``: Idavidrein/gpqa ``diamond`` is GPQA Diamond); else one the task
  id names within the dataset's benchmark and its variants (``gpqa_diamond``); else, for a dataset
  the registry does not know (``ai2_arc``), any benchmark the task id names, with a
  ``hub_dataset_unknown`` warning; else the dataset's own benchmark when the task is its whole
  (``default``, missing, or the dataset's name) or one of its known subsets (lukaemon/bbh
  ``navigate``). Anything else is listed as unknown, never guessed.
* **Metric.** The file names none: the benchmark's primary metric, the Hub task's score (a
  ``metric_defaulted`` warning says so), unless the notes name another of its metrics.
* **Scale.** Not specified; percent in practice. Values of percent metrics are kept on 0–100,
  except that a file whose values are all at most 1 holds fractions, converted with a warning
  (:meth:`Importer.rescale`). Values outside the metric's range are skipped and counted.
* **Notes** carry the setting, one variant per file. They are read part by part (split at commas
  and semicolons outside brackets): ``5-shot``/``zero-shot`` → n-shot; ``CoT``/
  ``chain-of-thought`` → ``cot``; ``tools``/``with tools`` → ``tools``; ``no tools`` → ``no-tools``;
  ``thinking`` (``on``/``off``) → ``thinking``/``no-thinking``; ``maj@k``; ``validation split`` →
  split; a metric of the benchmark → that metric; a variant's name (``GPQA Diamond``) → that
  variant; any other single lower-case word is a setting token. When a part is anything else,
  the notes are kept verbatim in the record's notes. Notes that say the run covered part of the
  benchmark (``limit 100``, ``first 200``, ``sample of 500``, ``partial run``) mark it partial.
* **Source.** ``source`` → a source (one per URL; a Hub model repository is a model card);
  ``date`` → its date; ``user``/``org`` → its notes. A result without source is the repository's
  own report: a source titled for the repository. ``--source-id``/``--source-url`` put every
  number under one source. ``verifyToken`` → the record's notes say the result is verified.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, SourceDraft, slug
from benchtables.names import REPO_ID, URL_PATTERN, normalize_name
from benchtables.problems import field_path
from benchtables.registry import Registry
from benchtables.spec import TextForm, forbidden_in
from benchtables.yamlpos import Document, read_yaml

__all__ = ["import_hf_eval_results"]

_At = tuple[str | int, ...]

#: Task ids that stand for a dataset's whole benchmark.
_WHOLE = {"default", "all", "full", "test"}
#: First path segments of huggingface.co pages that are not repositories.
_NOT_REPOS = {"api", "blog", "chat", "collections", "docs", "join", "learn", "login", "models", "organizations",
              "papers", "posts", "pricing", "settings", "tasks"}
_HUB_URL = re.compile(r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<kind>datasets/|spaces/)?"
                      r"(?P<repo>(?P<owner>[A-Za-z0-9][\w.-]*)/[\w.-]+)(?P<rest>[/?#].*)?$")
_DATE = re.compile(r"^(?P<date>(?P<year>\d{4})(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?)"
                   r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
#: One setting phrase of the notes; a part of the notes is a setting when phrases make all of it.
_PHRASE = re.compile(r"""\s*(?:
      (?P<shots>\d{1,4})[\s-]*shots?
    | (?P<zero>zero)[\s-]*shot
    | (?P<cot>cot|chain[\s-]*of[\s-]*thoughts?)
    | (?P<no_tools>(?:no|without|w/o)[\s-]*tools?)
    | (?P<tools>(?:with[\s-]+|w/[\s-]*)?tools?(?:[\s-]+use)?)
    | (?P<no_thinking>(?:non|no)[\s-]*thinking(?:[\s-]+mode)?|thinking(?:[\s-]+mode)?[\s-]+off)
    | (?P<thinking>thinking(?:[\s-]+mode)?(?:[\s-]+on)?)
    | (?P<maj>maj@\d{1,6})
    | (?P<split>[a-z][a-z0-9_]{0,30})[\s-]+split
    )(?=\s|$)\s*""", re.IGNORECASE | re.VERBOSE)
_TOKEN = re.compile(r"^(?=[0-9@._+-]*[a-z])[a-z0-9][a-z0-9@._+-]{0,39}$")
#: Longest text kept from the file in a title, a note or an unknown name.
_LONGEST = 1000
#: Notes that say a run covered part of the benchmark: ``limit 100``, ``first 200``, ``sample of 500``.
_PARTIAL = re.compile(r"\b(?:(?:limit(?:ed)?(?:\s+to)?|first|(?:random\s+)?sub-?sample[sd]?(?:\s+of)?|sample[sd]?\s+of"
                      r"|subset\s+of)\s*[=:]?\s*(?P<n>\d{1,9})(?![\d.,])(?!\s*(?:k\b|tokens?\b|toks?\b|chars?\b|"
                      r"characters\b|words?\b|s\b|secs?\b|seconds?\b|min\b|minutes?\b|h\b|hours?\b|[gm]b\b|%|-?shots?\b))"
                      r"|partial\s+run)", re.IGNORECASE)


@dataclass(frozen=True)
class HubRepo:
    """A repository a huggingface.co link points into."""

    kind: str  #: model, dataset or space
    id: str
    #: The link is the repository's page (or its README): for a model, its model card.
    page: bool


def hub_repo(url: str) -> HubRepo | None:
    """The Hub repository ``url`` points into (``https://huggingface.co/google/gemma-2b/blob/main/x``), or None."""
    m = _HUB_URL.match(url.strip())
    if m is None or (not m["kind"] and m["owner"].casefold() in _NOT_REPOS):
        return None
    rest = (m["rest"] or "").split("?")[0].split("#")[0].rstrip("/")
    return HubRepo({"datasets/": "dataset", "spaces/": "space"}.get(m["kind"] or "", "model"), m["repo"],
                   rest == "" or rest.casefold().endswith("/readme.md"))


# --------------------------------------------------------------------------- reading the file


@dataclass
class _Entry:
    """One result of the file, its fields checked for type."""

    at: _At
    dataset: str
    task: str | None
    revision: str | None
    value: Any
    date: str | None
    source: dict[str, str]
    notes: str | None
    verified: bool


class _Reader:
    """The file's document, and messages that say where in it something is."""

    def __init__(self, path: Path) -> None:
        self.file = path.name
        doc, problems = read_yaml(path, display=path.name)
        if doc is None or problems:  # a key twice in one mapping, and the like: the file says two things
            detail = problems[0].format() if problems else f"{self.file}: no YAML"
            raise FormatError(f"{detail}; a .eval_results file is a YAML list of results")
        self.doc: Document = doc

    def where(self, at: _At) -> str:
        line, _ = self.doc.position(at)
        place = field_path(at)
        return f"{self.file}{f':{line}' if line else ''}{f' {place}' if place else ''}"

    def entries(self) -> Iterator[_Entry]:
        data = self.doc.data
        if isinstance(data, dict) and ("dataset" in data or "data" in data):  # one result without the list around it
            yield self.entry((), data)
            return
        if not isinstance(data, list):
            raise FormatError(f"{self.where(())}: a .eval_results file is a list of results (- dataset: …, value: …), "
                              f"not {_kind(data)}")
        for i, item in enumerate(data):
            yield self.entry((i,), item)

    def entry(self, at: _At, item: Any) -> _Entry:
        item = self.mapping(at, item, "a result (dataset, value, …)")
        if "data" in item and "dataset" not in item:  # the Hub API's shape, as parse_eval_result_entries reads it
            at, item = (*at, "data"), self.mapping((*at, "data"), item["data"], "a result (dataset, value, …)")
        dataset = self.mapping((*at, "dataset"), item.get("dataset"), "the dataset (id, task_id)")
        dataset_id = self.text((*at, "dataset", "id"), dataset.get("id"))
        if not dataset_id:
            raise FormatError(f"{self.where((*at, 'dataset'))}: dataset.id is missing: it names the Hub dataset the "
                              "result is on (e.g. TIGER-Lab/MMLU-Pro)")
        if "value" not in item:
            draft = " (a metrics list is a draft of the format, not the published one: one value per result)" \
                if "metrics" in item else ""
            raise FormatError(f"{self.where(at)}: the result has no value{draft}")
        value = item["value"]
        if isinstance(value, dict | list):
            raise FormatError(f"{self.where((*at, 'value'))}: value must be a number, not {_kind(value)}")
        raw_source = item.get("source")
        source: dict[str, str] = {}
        if raw_source is not None:
            for key, text in self.mapping((*at, "source"), raw_source, "the source (url, name, user, org)").items():
                if key in ("url", "name", "user", "org") and (found := self.text((*at, "source", key), text)):
                    source[key] = found
        return _Entry(at, dataset_id, self.text((*at, "dataset", "task_id"), dataset.get("task_id")),
                      self.text((*at, "dataset", "revision"), dataset.get("revision")), value,
                      self.text((*at, "date"), item.get("date")), source,
                      self.text((*at, "notes"), item.get("notes")),
                      bool(self.text((*at, "verifyToken"), item.get("verifyToken"))))

    def mapping(self, at: _At, value: Any, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FormatError(f"{self.where(at)}: expected {what} as a mapping, not {_kind(value)}")
        return value

    def text(self, at: _At, value: Any) -> str | None:
        """A text field (numbers and yes/no as written; control and invisible characters, which entry
        files may not hold, as spaces); a list or mapping is an error."""
        if value is None:
            return None
        if isinstance(value, dict | list):
            raise FormatError(f"{self.where(at)}: expected text, not {_kind(value)}")
        text = self.doc.texts.get(at) or str(value)
        if forbidden_in(text, TextForm.MULTILINE):
            text = "".join(" " if forbidden_in(c, TextForm.MULTILINE) else c for c in text)
        return text.strip() or None


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), "a number")


# --------------------------------------------------------------------------- placing a result


class _Places:
    """Which registry benchmark a Hub (dataset, task) pair is."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.index = registry.benchmark_index
        self.declared: dict[tuple[str, str], str] = {}
        self.by_dataset: dict[str, set[str]] = {}
        self.owners: dict[str, set[str]] = {}  # name part → full ids, for ids written without owner
        self.families: dict[str, set[str]] = {}
        for b in registry.benchmarks.values():
            if b.dataset:
                key = b.dataset.casefold()
                self.by_dataset.setdefault(key, set()).add(b.id)
                self.owners.setdefault(key.rpartition("/")[2], set()).add(key)
                if b.dataset_task:
                    self.declared.setdefault((key, b.dataset_task.casefold()), b.id)

    def place(self, dataset: str, task: str | None) -> tuple[str | None, str | None, bool]:
        """(benchmark, subset, whether only the task id placed it), or (None, None, False)."""
        keys = [dataset.casefold()]
        if "/" not in dataset:  # a legacy id without owner (ai2_arc) is the dataset of that name
            keys += sorted(self.owners.get(keys[0], ()))
        for key in keys:
            if (key, (task or "").casefold()) in self.declared:
                return self.declared[(key, (task or "").casefold())], None, False
        base = self.index.resolve(dataset)
        declared = {b for key in keys for b in self.by_dataset.get(key, ())}
        if base is None and len(declared) == 1:
            base = next(iter(declared))
        related = {f for b in declared | ({base} if base else set()) for f in self.family(b)}
        named = self.index.resolve(task) if task else None
        if named is not None:
            if not related:
                return named, None, True
            return (named, None, False) if named in related else (None, None, False)
        if base is None:
            return None, None, False
        if task is None or task.casefold() in _WHOLE or normalize_name(task) in {
                normalize_name(dataset), normalize_name(dataset.rpartition("/")[2])}:
            return base, None, False
        subset = re.sub(r"[\s-]+", "_", task.casefold())
        return (base, subset, False) if subset in self.registry.benchmarks[base].subsets else (None, None, False)

    def family(self, benchmark: str) -> set[str]:
        """A benchmark, the one it is a variant of, and that one's variants."""
        root = self.registry.benchmarks[benchmark].variant_of or benchmark
        if root not in self.families:
            self.families[root] = {b.id for b in self.registry.benchmarks.values() if root in (b.id, b.variant_of)}
        return self.families[root]


# --------------------------------------------------------------------------- notes


@dataclass
class _Notes:
    """What the notes of a result say about its setting."""

    benchmark: str
    metric: str | None = None
    n_shot: int | None = None
    tokens: set[str] = field(default_factory=set)
    split: str | None = None
    partial: str | None = None
    n_samples: int | None = None
    #: The notes as written, when some of it is not a setting.
    kept: str | None = None


def _parts(text: str) -> list[str]:
    """``5-shot, CoT (8 samples, greedy)`` → ``["5-shot", "CoT (8 samples, greedy)"]``."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char in ",;" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _notes(text: str | None, benchmark: str, registry: Registry) -> _Notes:
    """The setting the notes give (see the module docstring), on ``benchmark`` or a variant they name."""
    out = _Notes(benchmark)
    if not text:
        return out
    understood = True
    for part in _parts(text):
        understood = _part(part, out, registry) and understood
    if not understood:
        out.kept = text if len(text) <= _LONGEST else text[:_LONGEST] + " … (cut)"
    m = _PARTIAL.search(text)
    if m:
        out.partial = f"the notes say the run covered part of the benchmark ({m.group(0).strip()!r})"
        out.n_samples = int(m["n"]) if m["n"] and int(m["n"]) > 0 else None
    return out


def _part(part: str, out: _Notes, registry: Registry) -> bool:
    """Apply one part of the notes to ``out``; whether it was a setting."""
    if (metric := registry.resolve_metric_of(out.benchmark, part)) is not None and out.metric in (None, metric):
        out.metric = metric
        return True
    named = registry.benchmark_index.resolve(part)
    if named is not None:
        if named == out.benchmark or registry.benchmarks[out.benchmark].variant_of == named:
            return True
        if registry.benchmarks[named].variant_of == out.benchmark:
            out.benchmark = named
            return True
        return False
    found: _Notes = _Notes(out.benchmark)
    pos = 0
    while pos < len(part):
        m = _PHRASE.match(part, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        if m["shots"] or m["zero"]:
            shots = int(m["shots"] or 0)
            if found.n_shot not in (None, shots):
                return False
            found.n_shot = shots
        elif m["split"]:
            found.split = m["split"].casefold()
        else:
            kind = next(k for k in ("cot", "no_tools", "tools", "no_thinking", "thinking", "maj") if m[k])
            found.tokens.add(m[kind].casefold() if kind == "maj" else kind.replace("_", "-"))
    if pos < len(part):  # not phrases throughout: one lower-case word is a setting token, else not a setting
        if not _TOKEN.match(part):
            return False
        found = _Notes(out.benchmark, tokens={part})
    if (found.n_shot is not None and out.n_shot not in (None, found.n_shot)) or \
            (found.split and out.split not in (None, found.split)):
        return False
    out.n_shot = found.n_shot if found.n_shot is not None else out.n_shot
    out.split = found.split or out.split
    out.tokens |= found.tokens
    return True


# --------------------------------------------------------------------------- importing


@dataclass
class _Context:
    """What every result of one file shares."""

    importer: Importer
    reader: _Reader
    model: ModelRef
    label: str
    source_id: str | None
    source_url: str | None
    repos: set[str]
    warned: set[str] = field(default_factory=set)


def import_hf_eval_results(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                           model: str | None, **_: object) -> None:
    reader = _Reader(path)
    file = reader.file
    entries = list(reader.entries())
    if not entries:
        importer.skip("an empty list of results")
    if not model:
        raise FormatError(f"{file} does not say which model its results are of: a .eval_results file holds the "
                          "results of the Hub repository it sits in (and copies of a repository carry another "
                          "model's); pass --model with that repository's id")
    model_ref = importer.model(model, file)
    stub = importer.result.models.get(model_ref.id) or importer.known.models.get(model_ref.id) or {}
    repos = {a.casefold() for a in [model, *(stub.get("aliases") or [])] if isinstance(a, str) and REPO_ID.match(a)}
    ctx = _Context(importer, reader, model_ref, model.strip(), source_id, source_url, repos)
    places = _Places(importer.registry)
    table: list[tuple[dict[str, Any], str]] = []
    defaulted: dict[str, str] = {}
    for entry in entries:
        added = _import(ctx, places, entry, defaulted)
        if added is not None:
            table.append(added)
    importer.rescale(table, file, by_benchmark=False)
    registry = importer.registry
    for benchmark, metric in sorted(defaulted.items()):
        importer.warn("metric_defaulted", f"the file names no metric: {registry.benchmarks[benchmark].name} imported "
                      f"as its primary metric, {registry.metrics[metric].name} (the Hub task's score)", file,
                      hint=f"other metrics: {registry.other_metrics(benchmark, metric) or 'none'}")


def _import(ctx: _Context, places: _Places, entry: _Entry, defaulted: dict[str, str]) -> tuple[dict[str, Any], str] | None:
    """Add one result; the record and its metric (for the file's scale), or None when it is not imported."""
    importer, file, where = ctx.importer, ctx.reader.file, ctx.reader.where
    if entry.task is None:
        importer.warn("missing", f"{entry.dataset}: no dataset.task_id (the format requires it); read as the "
                      "dataset's whole benchmark", file, field_path((*entry.at, "dataset")))
    benchmark, subset, by_task = places.place(entry.dataset, entry.task)
    if benchmark is None:
        same = entry.task is None or normalize_name(entry.task) == normalize_name(entry.dataset)
        importer.unknown((entry.dataset if same else f"{entry.dataset}, task {entry.task}")[:200])
        return None
    if by_task and entry.dataset not in ctx.warned:
        ctx.warned.add(entry.dataset)
        importer.warn("hub_dataset_unknown", f"the registry knows no benchmark on the Hub dataset {entry.dataset}; "
                      f"placed by its task id {entry.task!r}", file, field_path((*entry.at, "dataset")),
                      "check the dataset is that benchmark, or declare it in the registry (dataset, dataset_task)")
    notes = _notes(entry.notes, benchmark, importer.registry)
    definition = importer.registry.benchmarks[notes.benchmark]
    metric: str = definition.primary if notes.metric is None or notes.metric not in definition.metrics else notes.metric
    if metric != notes.metric:
        defaulted.setdefault(notes.benchmark, metric)
    value = _number(importer, entry.value)
    if value is None or not _in_range(importer, metric, value):
        return None
    record = {
        "model": ctx.model.id, "benchmark": notes.benchmark, "metric": metric, "value": value,
        "n_shot": notes.n_shot, "setting": ",".join(sorted(notes.tokens)) or None, "split": notes.split,
        "subset": subset, "n_samples": notes.n_samples, "partial": True if notes.partial else None,
        "_partial_reason": notes.partial, "where": where((*entry.at, "value")),
        "notes": "; ".join(n for n in (notes.kept, f"Hub dataset revision {entry.revision}" if entry.revision else None,
                                       "verified on the Hub (the result carries a verifyToken)" if entry.verified
                                       else None) if n) or None,
    }
    source = _source(ctx, entry)
    if not importer.add(source, record, model=ctx.model, file=file):
        return None
    return source.records["scores"][-1], metric


def _number(importer: Importer, raw: Any) -> float | None:
    """The value as a number, or None (counted); a bool or an integer too large for a float is none."""
    if raw is None:
        importer.skip("no value (null)")
        return None
    if isinstance(raw, bool):
        importer.skip(f"not a number: {raw}")
        return None
    if isinstance(raw, int) and abs(raw) > 2 ** 1000:
        importer.skip("not a finite number (NaN or infinity)")
        return None
    return importer.number(raw)


def _in_range(importer: Importer, metric: str, value: float) -> bool:
    definition = importer.registry.metrics[metric]
    low, high = definition.min, definition.max
    if (low is not None and value < low) or (high is not None and value > high):
        importer.skip(f"outside the range of {definition.name} ({'' if low is None else f'{low:g}'}–"
                      f"{'' if high is None else f'{high:g}'})")
        return False
    return True


def _source(ctx: _Context, entry: _Entry) -> SourceDraft:
    """The source of one result (see the module docstring)."""
    importer, file = ctx.importer, ctx.reader.file
    date = _date(ctx, entry)

    def source(id_: str, title: str, url: str | None = None, kind: str | None = None,
               notes: str | None = None) -> SourceDraft:
        return importer.source(id_, title[:_LONGEST], url=url, year=int(date[:4]) if date else None, kind=kind,
                               notes=notes, date=date if date and len(date) > 4 else None)

    if ctx.source_id or ctx.source_url:
        return source(ctx.source_id or f"hf-eval-results-{slug(ctx.label)}",
                      f"Evaluation results of {ctx.label} on the Hugging Face Hub", url=ctx.source_url)
    url, name = entry.source.get("url"), entry.source.get("name")
    if url and (len(url) > 2048 or not re.match(URL_PATTERN, url)):
        importer.warn("string_pattern_mismatch", f"source.url {url[:80]!r} is not an http(s) link; left out", file,
                      field_path((*entry.at, "source", "url")))
        url = None
    if entry.source and not url:
        importer.warn("no_url", "a source without a url (the format requires one)", file,
                      field_path((*entry.at, "source")))
    who = [f"{k} {entry.source[k]}" for k in ("user", "org") if entry.source.get(k)]
    notes = f"Submitted to the Hub by {' and '.join(who)}." if who else None
    if url:
        repo = hub_repo(url)
        title = " ".join((name or url).split())
        if repo is not None and repo.id.casefold() not in title.casefold():
            title = f"{title} ({repo.id})"
        if repo is not None and repo.kind == "model":
            _check_copy(ctx, repo.id, entry)
        return source(slug(title), title, url, "model-card" if repo and repo.kind == "model" and repo.page else None,
                      notes)
    if name:
        title = f"{' '.join(name.split())} ({ctx.label})"
        return source(slug(title), title, notes=notes)
    own = f"https://huggingface.co/{ctx.label}" if REPO_ID.match(ctx.label) else None
    return source(f"hf-eval-results-{slug(ctx.label)}", f"Evaluation results in the Hugging Face repository of "
                  f"{ctx.label}", own, "model-card")


def _date(ctx: _Context, entry: _Entry) -> str | None:
    """The ISO date of a result (a datetime's day), or None with a warning when it is not one."""
    if entry.date is None:
        return None
    m = _DATE.match(entry.date)
    if m is None or not 1900 <= int(m["year"]) <= 2100:
        ctx.importer.warn("string_pattern_mismatch", f"date {entry.date[:40]!r} is not an ISO-8601 date; left out",
                          ctx.reader.file, field_path((*entry.at, "date")))
        return None
    return m["date"]


def _check_copy(ctx: _Context, repo: str, entry: _Entry) -> None:
    """Warn (once per repository) when a result's source is another model's Hub repository."""
    if repo.casefold() in ctx.repos or repo.casefold() in ctx.warned:
        return
    other = ctx.importer.known_model(repo)
    if other == ctx.model.id or (other is None and not ctx.repos):
        return
    ctx.warned.add(repo.casefold())
    ctx.importer.warn("other_model_source", f"the results' source is the Hub repository {repo}, not "
                      f"{ctx.label}: a copy of another model's numbers?", ctx.reader.file,
                      field_path((*entry.at, "source", "url")),
                      "import them for the model they are of (--model), or check they are this model's")
