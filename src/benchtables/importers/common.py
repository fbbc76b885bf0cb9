"""What every importer shares: model identity, sources, warnings, and writing entry files.

An import never touches the store: it writes entry files for a person to review, one per
source (an entry file holds one source). Every number carries ``where`` naming the input
file and key it came from. Model names resolve to known models through their ids, names and
aliases (``meta-llama/Llama-2-70b-hf``, ``Llama 2 70B`` and ``LLaMA-2-70B`` are one model);
a name that resolves to nothing becomes a model stub for review, with the closest known ids
in a warning, instead of a guess.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchtables.entries import Known
from benchtables.errors import FormatError, QuantityError
from benchtables.names import NameIndex
from benchtables.problems import Problem, Severity, did_you_mean
from benchtables.registry import Registry
from benchtables.units import Kind, format_count, parse_quantity

__all__ = ["ImportResult", "Importer", "SourceDraft", "entry_yaml", "read_json", "slug"]


def read_json(path: Path, what: str = "JSON") -> Any:
    """Parsed JSON, or a FormatError that says where it breaks (truncated files end early)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise FormatError(f"{path.name} is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path.name} is not valid {what} (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                          "is the file complete?") from None

_RECORD_ORDER = ("scores", "training", "utilization", "sampling")
_SETTING_IN_NAME = re.compile(
    r"\(?\s*(?:(?P<n>\d+)[\s-]*shots?|(?P<few>few)[\s-]*shots?|zero[\s-]*shot|(?P<cot>cot|chain[\s-]of[\s-]thought))\s*\)?",
    re.IGNORECASE,
)


def slug(text: str, limit: int = 60) -> str:
    """An id from free text: ``"Llama 2 70B (chat)"`` → ``llama-2-70b-chat``."""
    text = re.sub(r"[^a-z0-9.+@]+", "-", text.casefold()).strip("-.")
    text = re.sub(r"-{2,}", "-", text)[:limit].strip("-.")
    return text or "unnamed"


def setting_in_name(name: str) -> tuple[str, int | None, str | None, bool]:
    """Split a setting out of a benchmark or metric name: ``"MMLU (5-shot)"`` → ("MMLU", 5, None, True).

    Returns the name without the setting, the n-shot, a setting qualifier (``cot``) and whether
    the name held a setting at all. ``few-shot`` says there is one but not how many (n-shot None).
    """
    found = False
    n_shot: int | None = None
    qualifier: str | None = None
    for m in _SETTING_IN_NAME.finditer(name):
        found = True
        if m["n"]:
            n_shot = int(m["n"])
        elif m["cot"]:
            qualifier = "cot"
        elif not m["few"]:
            n_shot = 0
    bare = _SETTING_IN_NAME.sub("", name).strip(" -_()")
    return bare or name, n_shot, qualifier, found


@dataclass
class SourceDraft:
    """A source and the declarations and records an import attributes to it."""

    id: str
    title: str
    url: str | None = None
    year: int | None = None
    kind: str | None = None
    notes: str | None = None
    #: The source is declared in another entry file: this import only refers to it.
    reference: bool = False
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {k: [] for k in _RECORD_ORDER})

    def header(self) -> dict[str, Any]:
        return {k: v for k, v in {"id": self.id, "title": self.title, "url": self.url, "year": self.year,
                                  "kind": self.kind, "notes": self.notes}.items() if v is not None}

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.records.values())


@dataclass
class ImportResult:
    """What an import produced and what it noticed."""

    format: str
    inputs: list[str]
    sources: dict[str, SourceDraft] = field(default_factory=dict)
    #: New models (not in the store): stubs to review, by id.
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    #: Values left out, by reason ("not a number: '—'": 3).
    skipped: Counter[str] = field(default_factory=Counter)
    #: Names in the input that match no benchmark, with how often they occur.
    unknown: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sources.values())

    def entry_files(self, taken: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
        """File name → YAML text, one entry file per source (``taken``: names already in use)."""
        files = {}
        for source in self.sources.values():
            used = {r["model"] for records in source.records.values() for r in records}
            models = [m for id_, m in sorted(self.models.items()) if id_ in used]
            name, n = f"{source.id}.yaml", 2
            while name in taken or name in files:
                name, n = f"{source.id}-{n}.yaml", n + 1
            files[name] = entry_yaml(source, models, self)
        return files

    def summary(self) -> list[str]:
        lines = [f"{self.count} record{'s' if self.count != 1 else ''} from {', '.join(self.inputs)} "
                 f"in {len(self.sources)} source{'s' if len(self.sources) != 1 else ''}"]
        if self.models:
            shown = sorted(self.models)
            listed = ", ".join(shown[:8]) + (f", … ({len(shown) - 8} more)" if len(shown) > 8 else "")
            lines.append(f"{len(self.models)} new model stub{'s' if len(self.models) != 1 else ''} to review: {listed}")
        for reason, n in sorted(self.skipped.items()):
            lines.append(f"skipped {n}: {reason}")
        if self.unknown:
            lines.append("not imported, no matching benchmark: " + ", ".join(
                f"{name} ({n})" if n > 1 else name for name, n in sorted(self.unknown.items())))
        return lines


class Importer:
    """Shared machinery: a registry, the known models, and the result being built."""

    def __init__(self, fmt: str, inputs: list[Path], registry: Registry, known: Known | None = None) -> None:
        self.registry = registry
        self.result = ImportResult(fmt, [p.name for p in inputs])
        self.index = NameIndex("model")
        self.known_sources = (known or Known()).sources
        self._drafts: dict[tuple[str, str], SourceDraft] = {}  # by URL, or by the id asked for
        for id_, row in (known or Known()).models.items():
            self.index.add(id_, row.get("name"), *(row.get("aliases") or []))

    # ----------------------------------------------------------------- reporting

    def warn(self, code: str, message: str, file: str | None = None, field_: str | None = None,
             hint: str | None = None, row: int | None = None) -> None:
        self.result.warnings.append(Problem(Severity.WARNING, code, message, file=file, field=field_, hint=hint, row=row))

    def skip(self, reason: str, n: int = 1) -> None:
        self.result.skipped[reason] += n

    # ----------------------------------------------------------------- sources

    def source(self, id_: str, title: str, url: str | None = None, year: int | None = None, kind: str | None = None,
               notes: str | None = None) -> SourceDraft:
        """The draft for a source, created on first use.

        A source already declared (in the store, an entry file or this import) with the same
        URL is referred to, not declared again; without a URL on one side, the same title (or
        the same id asked for) is the same source. So importing a file twice repeats records
        (errors validate reports) instead of adding a source. A new source gets a fresh id.
        """
        id_ = slug(id_)
        key = url.rstrip("/") if url else None

        def same(other_url: Any, other_title: Any) -> bool:
            theirs = str(other_url or "").rstrip("/")
            return (key == theirs) if key and theirs else _same_title(other_title, title)

        asked = ("url", key) if key else ("id", id_)
        found = self._drafts.get(asked) or next(
            (d for d in self.result.sources.values() if not d.reference and same(d.url, d.title)), None)
        if found is None:
            known_id = next((k for k, known in self.known_sources.items() if same(known.get("url"), known.get("title"))), None)
            if known_id is not None:
                known = self.known_sources[known_id]
                found = SourceDraft(known_id, known.get("title") or known_id, known.get("url"), reference=True)
            else:
                taken = set(self.known_sources) | set(self.result.sources)
                base, n = id_, 2
                while id_ in taken:
                    id_, n = f"{base}-{n}", n + 1
                found = SourceDraft(id_, title, url, year, kind, notes)
        self._drafts[asked] = self.result.sources.setdefault(found.id, found)
        return self._drafts[asked]

    # ----------------------------------------------------------------- models

    def known_model(self, name: str) -> str | None:
        """The id of the known (or already imported) model ``name`` stands for, or None."""
        return next((found for c in _candidates(name.strip()) if (found := self.index.resolve(c))), None)

    def model(self, name: str, file: str | None = None, **details: Any) -> str:
        """The id of the model ``name`` stands for; a new stub (and a warning) when nothing matches."""
        name = name.strip()
        if (found := self.known_model(name)) is not None:
            return found
        short = name.split("/")[-1] if _REPO_ID.match(name) else name
        id_ = slug(short)
        if id_ in self.result.models or id_ in self.index:
            id_ = slug(name)
        stub = {"id": id_, "name": short}
        if short != name:
            stub["aliases"] = [name]
        stub.update({k: v for k, v in details.items() if v is not None})
        suggestions = self.index.suggest(name)
        self.index.add(id_, name, *stub.get("aliases", []))
        self.result.models[id_] = stub
        self.warn("unresolved_model", f"model {name!r} matches no known model; written as a new model {id_!r} for review",
                  file, hint=did_you_mean(suggestions) or "declare its parameters and organization if known")
        return id_

    # ----------------------------------------------------------------- values

    def metric_of(self, benchmark_id: str, name: str) -> str | None:
        """The metric id ``name`` stands for on this benchmark, or None (counted as skipped)."""
        metric = self.registry.resolve_metric_of(benchmark_id, name)
        if metric is None:
            self.skip(f"metric {name!r} is not a metric of {self.registry.benchmarks[benchmark_id].name}")
        return metric

    def scored(self, benchmark_id: str, metric: str, raw: Any) -> tuple[str, float] | None:
        """(metric id, value) of one reported number, or None when either is unusable (counted as skipped)."""
        metric_id = self.metric_of(benchmark_id, metric)
        value = self.number(raw) if metric_id is not None else None
        return None if value is None else (metric_id, value)

    def number(self, raw: Any, kind: Kind = Kind.NUMBER) -> float | None:
        """A number from the input, or None (counted as skipped) for blanks, dashes and N/A."""
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            return None
        if isinstance(raw, str) and raw.strip().casefold() in {"", "-", "—", "–", "n/a", "na", "nan", "none", "null", "?"}:
            if raw.strip():
                self.skip(f"not a number: {raw.strip()!r}")
            return None
        try:
            quantity = parse_quantity(raw, kind)
        except QuantityError:
            self.skip(f"not a number: {str(raw).strip()[:20]!r}")
            return None
        return Percent(quantity.value) if quantity.percent else quantity.value

    def percent(self, value: float | None, *, metric: str) -> float | None:
        """A value of a percent metric given as a fraction of 1, on the 0–100 scale."""
        metric_def = self.registry.metrics.get(metric)
        if value is None or metric_def is None or not metric_def.is_percent:
            return value
        return round(value * 100, 10)

    def rescale(self, table: list[tuple[dict[str, Any], str]], file: str | None, *, by_benchmark: bool = True) -> None:
        """Put one table's values of percent metrics on the 0–100 scale, in place.

        ``table`` holds (record, metric) pairs of one table of one source. Tools write percents
        (``72.95``) or fractions (``0.7295``), and a table keeps one scale per benchmark and metric
        (per metric across its benchmarks with ``by_benchmark=False``, as in a model card's results):
        values all at most 1 are fractions and are converted; next to larger values a value at
        most 1 is a small percent (0.68 on GSM8K) and is kept. Both get a warning. A value
        written with a percent sign states its scale and is left as it is.
        """
        columns: dict[tuple[Any, str], list[tuple[dict[str, Any], str]]] = {}
        for record, metric in table:
            definition = self.registry.metrics.get(metric)
            if record.get("value") is not None and definition is not None and definition.is_percent \
                    and not isinstance(record["value"], Percent):  # "0.8%" says its scale
                columns.setdefault((record.get("benchmark") if by_benchmark else None, metric), []).append((record, metric))
        for pairs in columns.values():
            fractions = all(abs(r["value"]) <= 1 for r, _ in pairs)
            for record, metric in pairs:
                value = record["value"]
                name = self.registry.metrics[metric].name
                if fractions and value != 0:
                    self.warn("fraction_as_percent", f"{value:g} looks like a fraction of 1 for {name}, a percentage;"
                              f" imported as {value * 100:g}", file, record["where"], "check the source's scale")
                    record["value"] = self.percent(value, metric=metric)
                    if "stderr" in record:
                        record["stderr"] = self.percent(record["stderr"], metric=metric)
                elif 0 < value <= 1:
                    self.warn("small_percent", f"{value:g} is at most 1 while other {name} values of this table are "
                              f"percents; kept as {value:g}%", file, record["where"], "check the source's scale")


class Percent(float):
    """A number the input wrote with a percent sign ("0.8%"): its scale is stated, never guessed."""


def _same_title(a: Any, b: Any) -> bool:
    """Titles equal but for case and spacing: ``PaLM: Scaling Language Modeling with Pathways``."""
    return bool(a and b) and " ".join(str(a).casefold().split()) == " ".join(str(b).casefold().split())


_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/(?=[\w.+-]*[A-Za-z])[\w.+-]{3,}$")  # meta-llama/Llama-2-70b-hf, not DiT-XL/2


def _candidates(name: str) -> list[str]:
    """Forms of a model name to try: as given, without an organisation prefix, without a -hf suffix."""
    out = [name]
    short = name.split("/")[-1] if _REPO_ID.match(name) else name
    out.append(short)
    for form in (short,):
        trimmed = re.sub(r"[-_]hf$", "", form, flags=re.IGNORECASE)
        if trimmed != form:
            out.append(trimmed)
    return list(dict.fromkeys(out))


# ----------------------------------------------------------------------------- writing YAML

_PLAIN = re.compile(r"^[A-Za-z_][\w ./@+()%-]*$")  # no flow indicators (, [ ] { }), no ": " or " #"
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "~"}


def _scalar(value: Any, key: str | None = None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if key in _COUNT_FIELDS:
            text = format_count(value, precision=4)
            try:
                if parse_quantity(text, Kind.COUNT).value == value:
                    return text
            except QuantityError:
                pass
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.match(text) and text.casefold() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


_COUNT_FIELDS = {"parameters", "active_parameters", "tokens", "chip_hours"}


def _mapping(values: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v, k)}" for k, v in values.items() if v is not None and v != []) + "}"


def entry_yaml(source: SourceDraft, models: list[dict[str, Any]], result: ImportResult) -> str:
    """An entry file for ``source``: header comment, source, new model stubs, records."""
    lines = [f"# Imported by `benchtables import {result.format}` from {', '.join(result.inputs)}.",
             "# Review before committing: check models, settings and where each number stands."]
    for note in result.summary()[1:]:
        lines.append(f"# {note}")
    if source.reference:
        lines.append(f"source: {source.id}  # declared in another entry file")
    else:
        lines.append("source:")
        lines += [f"  {k}: {_scalar(v)}" for k, v in source.header().items()]
    if models:
        lines.append("models:")
        lines += [f"  - {_mapping(m)}" for m in models]
    for kind in _RECORD_ORDER:
        records = source.records[kind]
        if records:
            lines.append(f"{kind}:")
            lines += [f"  - {_mapping(r)}" for r in records]
    return "\n".join(lines) + "\n"
