"""What every importer shares: model identity, settings, sources, warnings, and writing entry files.

An import never touches the store: it writes entry files for a person to review, one per
source (an entry file holds one source). Every number carries ``where`` naming the input file
and the key or row it came from, and every rule below applies to every format:

* **Identity is exact.** A name resolves to a known model through its id, name and aliases,
  ignoring case and spacing (``Qwen 1.8B`` and ``QWEN 1.8B`` are one model). A Hugging Face
  repository id keeps its owner: ``allknowingroger/Yi-1.5-34B`` is not ``01-ai/Yi-1.5-34B``
  unless an entry declares the alias. A revision (``step3000``) is part of the identity
  (``pythia-160m@step3000``); an adapter (``peft=…``) is a model of its own with its base
  recorded; a local path is no identity (the file is refused: pass ``--model``). A name that
  carries a setting (``GPT-4 (8-shot)``, ``8-shot Minerva``) is the model plus the setting.
  A name that matches nothing becomes a model stub to review, with the closest known ids.
* **Settings are stated.** Every record gets its metric; n-shot and split where the file says.
* **Partial runs are marked.** A number computed on part of a benchmark (a ``limit``, a
  sample) has ``partial: true`` and ``n_samples``; leaderboards leave it out unless asked, and
  the summary counts them with the reason.
* **One number, one record.** A row repeated in a file is imported once (and counted); a
  source already declared (same canonical URL, or the same title) is referred to, not declared
  again, so importing a file twice gives duplicate-record errors on ``validate``.
* **Nothing is placed silently.** What matches no benchmark is listed, with suggestions.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from benchtables.arrays import numpy_of
from benchtables.errors import FormatError, QuantityError
from benchtables.names import (
    REPO_ID,
    NameIndex,
    canonical_url,
    is_local_path,
    model_candidates,
    normalize_name,
    unrouted,
)
from benchtables.problems import Problem, Severity, did_you_mean
from benchtables.registry import Registry
from benchtables.units import Kind, format_count, parse_quantity

__all__ = [
    "ImportResult",
    "Importer",
    "KnownDeclarations",
    "ModelRef",
    "Percent",
    "SourceDraft",
    "entry_yaml",
    "parse_json",
    "read_json",
    "setting_in_name",
    "slug",
]

_RECORD_ORDER = ("scores", "training", "utilization", "sampling")
#: New models that get a warning each, with suggestions (finding them costs; a table of
#: thousands of models gets one warning for the rest).
_HINTED = 25
_PLACE = ("where", "notes", "quote")
#: More records of one kind from one source than this are written as a Parquet bulk file beside
#: the entry file (which then declares only the source and models): an entry file is for review.
BULK_ROWS = 1000


def read_json(path: Path, what: str = "JSON") -> Any:
    """Parsed JSON, or a FormatError that says where it breaks (truncated files end early)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{path.name} is not UTF-8") from None
    return parse_json(text, path.name, what)


def parse_json(text: str, name: str, what: str = "JSON") -> Any:
    """Parsed JSON text read from ``name`` (a file, or a member of an archive), as :func:`read_json`."""
    try:
        return json.loads(text, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{name} is not valid {what} (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                          "is the file complete?") from None
    except ValueError as exc:  # an integer too long to convert
        raise FormatError(f"{name}: {exc}") from None
    except RecursionError:
        raise FormatError(f"{name}: values are nested too deep") from None


def _constant(name: str) -> float:
    return float("nan")  # NaN, Infinity in the file: no number (skipped and counted where read)


_SETTING_IN_NAME = re.compile(  # runs bounded, so a name of many spaces costs linear time
    r"\(?\s{0,8}(?:(?<!\d)(?P<n>\d{1,4})[\s-]{0,4}shots?|(?P<few>few)[\s-]{0,4}shots?|(?P<one>one)[\s-]{0,4}shot"
    r"|zero[\s-]{0,4}shot|(?P<cot>cot|chain[\s-]of[\s-]thought))"
    r"\s{0,8}\)?",
    re.IGNORECASE,
)


def whole_number(value: Any, below: int = 10**6) -> int | None:
    """A count a file states (an n-shot, a level): a non-negative int, or ASCII digits, below
    ``below``; None for anything else (``²``, ``-1``, 5,000 digits, text, true/false)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= len(str(below)) else None
    return value if isinstance(value, int) and 0 <= value < below else None


def slug(text: str, limit: int = 80) -> str:
    """An id from free text: ``"Llama 2 70B (chat)"`` → ``llama-2-70b-chat``."""
    text = re.sub(r"[^a-z0-9.+@]+", "-", text.casefold()).strip("-.")
    text = re.sub(r"-{2,}", "-", text)[:limit].strip("-.")
    return text or "unnamed"


def setting_in_name(name: str) -> tuple[str, int | None, str | None, bool]:
    """Split a setting out of a name: ``"MMLU (5-shot)"`` → ("MMLU", 5, None, True).

    Returns the name without the setting, the n-shot, a setting qualifier (``cot``) and whether
    the name held a setting at all. ``few-shot`` says there is one but not how many (n-shot None).
    """
    found = False
    n_shot: int | None = None
    qualifier: str | None = None
    for m in _SETTING_IN_NAME.finditer(name):
        found = True
        if m["n"] or m["one"]:
            n_shot = int(m["n"] or 1)
        elif m["cot"]:
            qualifier = "cot"
        elif not m["few"]:
            n_shot = 0
    bare = re.sub(r"\(\s*\)|\s{2,}", " ", _SETTING_IN_NAME.sub(" ", name)).strip(" -_,")
    while bare.count("(") > bare.count(")") and bare.endswith("("):
        bare = bare[:-1].strip(" -_,")
    return bare or name, n_shot, qualifier, found


# --------------------------------------------------------------------------- what an import produces


@dataclass
class SourceDraft:
    """A source and the records an import attributes to it."""

    id: str
    title: str
    url: str | None = None
    year: int | None = None
    kind: str | None = None
    notes: str | None = None
    date: str | None = None
    #: The source is declared in another entry file: this import only refers to it.
    reference: bool = False
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {k: [] for k in _RECORD_ORDER})
    #: Records added a table at a time (large imports), as Arrow tables of entry-file fields.
    tables: dict[str, list[pa.Table]] = field(default_factory=lambda: {k: [] for k in _RECORD_ORDER})
    #: Per kind, the records that go to a bulk file (set by :meth:`bulk`).
    bulk_tables: dict[str, pa.Table] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set, repr=False)

    def header(self) -> dict[str, Any]:
        return {k: v for k, v in {"id": self.id, "title": self.title, "url": self.url, "date": self.date,
                                  "year": self.year if not self.date else None, "kind": self.kind,
                                  "notes": self.notes}.items() if v is not None}

    @property
    def count(self) -> int:
        rows: int = sum(len(v) for v in self.records.values())
        rows += sum(int(t.num_rows) for v in self.tables.values() for t in v)
        return rows + sum(int(t.num_rows) for t in self.bulk_tables.values())

    def rows(self, kind: str) -> list[dict[str, Any]]:
        """Every record of ``kind``, added one at a time or a table at a time, as mappings of the
        fields it has."""
        tables = [*self.tables[kind], *([self.bulk_tables[kind]] if kind in self.bulk_tables else [])]
        return [*self.records[kind], *({k: v for k, v in row.items() if v is not None and v != [] and k != "source"}
                                       for table in tables for row in table.to_pylist())]

    def bulk(self) -> dict[str, pa.Table]:
        """Per kind, the records to write as a bulk file (more than :data:`BULK_ROWS` of them), with
        their ``source``; fewer are moved into ``records`` for the entry file. Idempotent."""
        for kind, parts in self.tables.items():
            if not parts:
                continue
            table = pa.concat_tables([*parts, *([self.bulk_tables.pop(kind).drop_columns(["source"])]
                                                if kind in self.bulk_tables else [])], promote_options="permissive")
            if table.num_rows + len(self.records[kind]) <= BULK_ROWS:
                self.records[kind] += [{k: v for k, v in row.items() if v is not None and v != []}
                                       for row in table.to_pylist()]
            else:
                self.bulk_tables[kind] = table.append_column("source", pa.array([self.id] * table.num_rows, pa.string()))
            self.tables[kind] = []
        return dict(self.bulk_tables)


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
    #: Suggestions for unknown names.
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    #: Numbers of partial runs (imported with partial: true), by reason.
    partial: Counter[str] = field(default_factory=Counter)
    #: Files not imported, with why.
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sources.values())

    def entry_files(self, taken: set[str] | frozenset[str] = frozenset()) -> dict[str, str | pa.Table]:
        """File name → YAML text, one entry file per source (``taken``: names already in use), and
        name → Arrow table for the bulk files of large imports (``scores-<source>.parquet``)."""
        files: dict[str, str | pa.Table] = {}
        for source in self.sources.values():
            if not source.count:
                continue
            bulk = source.bulk()
            for kind, table in bulk.items():
                name, n = f"{kind}-{source.id}.parquet", 2
                while name in taken or name in files:
                    name, n = f"{kind}-{source.id}-{n}.parquet", n + 1
                files[name] = table
            used = {r["model"] for records in source.records.values() for r in records}
            used |= {m for table in bulk.values() for m in table["model"].unique().to_pylist()}
            while bases := {b for id_ in used if (b := self.models.get(id_, {}).get("base_model")) and b not in used}:
                used |= bases  # a new model's base is declared beside it
            models = [m for id_, m in sorted(self.models.items()) if id_ in used]
            name, n = f"{source.id}.yaml", 2
            while name in taken or name in files:
                name, n = f"{source.id}-{n}.yaml", n + 1
            files[name] = entry_yaml(source, models, self)
        return files

    def summary(self) -> list[str]:
        lines = [f"{self.count} record{'s' if self.count != 1 else ''} from {', '.join(self.inputs)} "
                 f"in {len([s for s in self.sources.values() if s.count])} source"
                 f"{'s' if len(self.sources) != 1 else ''}"]
        if self.models:
            shown = sorted(self.models)
            listed = ", ".join(shown[:8]) + (f", … ({len(shown) - 8} more)" if len(shown) > 8 else "")
            lines.append(f"{len(self.models)} new model stub{'s' if len(self.models) != 1 else ''} to review: {listed}")
        for reason, n in sorted(self.partial.items()):
            lines.append(f"{n} partial-run number{'s' if n != 1 else ''} marked partial ({reason}): left out of "
                         "leaderboards unless asked for")
        for reason, n in sorted(self.skipped.items()):
            lines.append(f"skipped {n}: {reason}")
        for file, reason in sorted(self.refused.items()):
            lines.append(f"not imported: {reason}" if reason.startswith(file) else f"not imported: {file}: {reason}")
        if self.unknown:
            parts = []
            names = sorted(self.unknown.items())
            for name, n in names[:_LISTED_UNKNOWN]:
                hint = self.suggestions.get(name)
                parts.append((f"{name} ({n})" if n > 1 else name) + (f" [did you mean {', '.join(hint)}?]" if hint else ""))
            more = f", … ({len(names) - _LISTED_UNKNOWN} more)" if len(names) > _LISTED_UNKNOWN else ""
            lines.append("not imported, no matching benchmark (add it to data/registry.yaml if it is one): "
                         + ", ".join(parts) + more)
        return lines


#: Unknown benchmark names listed in an import's summary (each with suggestions); the rest are counted.
_LISTED_UNKNOWN = 200


@dataclass
class KnownDeclarations:
    """Sources and models already declared (in the store or the project's entry files)."""

    sources: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    models: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Training tokens per model, from the store (for the words-not-tokens warning).
    tokens: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelRef:
    """A model a name stands for, and the setting the name carried (``GPT-4 (8-shot)``)."""

    id: str
    n_shot: int | None = None
    setting: str | None = None


class Percent(float):
    """A number the input wrote with a percent sign ("0.8%"): its scale is stated, never guessed."""


class Importer:
    """Shared machinery: a registry, the known models and sources, and the result being built."""

    def __init__(self, fmt: str, inputs: Iterable[Path], registry: Registry, known: KnownDeclarations | None = None) -> None:
        self.registry = registry
        self.result = ImportResult(fmt, [p.name for p in inputs])
        self.known = known or KnownDeclarations()
        self.index = NameIndex("model")
        self._drafts: dict[tuple[str, str], SourceDraft] = {}
        for id_, row in self.known.models.items():
            self.index.add(id_, row.get("name"), *(row.get("aliases") or []))
        self._resolved: dict[str, str | None] = {}
        #: Models this import declares, by name key: a dict, so a table of thousands of new
        #: models does not rebuild the index of known ones for each.
        self._declared: dict[str, str] = {}
        self._unresolved = 0

    # ----------------------------------------------------------------- reporting

    def warn(self, code: str, message: str, file: str | None = None, field_: str | None = None,
             hint: str | None = None, row: int | None = None) -> None:
        self.result.warnings.append(Problem(Severity.WARNING, code, message, file=file, field=field_, hint=hint, row=row))

    def skip(self, reason: str, n: int = 1) -> None:
        self.result.skipped[reason] += n

    def unknown(self, name: str, n: int = 1) -> None:
        """A benchmark or task name that matches nothing: listed in the summary with suggestions."""
        self.result.unknown[name] += n
        if name not in self.result.suggestions and len(self.result.suggestions) < _LISTED_UNKNOWN:
            self.result.suggestions[name] = self.registry.benchmark_index.suggest(name, 2)

    # ----------------------------------------------------------------- sources

    def source(self, id_: str, title: str, url: str | None = None, year: int | None = None, kind: str | None = None,
               notes: str | None = None, date: str | None = None) -> SourceDraft:
        """The draft for a source, created on first use.

        A source already declared (in the store, an entry file or this import) with the same
        canonical URL is referred to, not declared again; without a URL on one side, the same
        title (or the same id asked for) is the same source. A new source gets a fresh id.
        """
        id_ = slug(id_)
        key = canonical_url(url) if url else None

        def same(other_url: Any, other_title: Any) -> bool:
            theirs = canonical_url(str(other_url)) if other_url else ""
            return (key == theirs) if key and theirs else _same_title(other_title, title)

        asked = ("url", key) if key else ("id", id_)
        found = self._drafts.get(asked) or next(
            (d for d in self.result.sources.values() if not d.reference and same(d.url, d.title)), None)
        if found is None:
            known_id = next((k for k, s in self.known.sources.items() if same(s.get("url"), s.get("title"))), None)
            if known_id is not None:
                known = self.known.sources[known_id]
                found = SourceDraft(known_id, str(known.get("title") or known_id), known.get("url"), reference=True)
            else:
                taken = set(self.known.sources) | set(self.result.sources)
                base, n = id_, 2
                while id_ in taken:
                    id_, n = f"{base}-{n}", n + 1
                found = SourceDraft(id_, title, url, year, kind, notes, date)
        self._drafts[asked] = self.result.sources.setdefault(found.id, found)
        return self._drafts[asked]

    def add_table(self, source: SourceDraft, kind: str, table: pa.Table) -> int:
        """Add records a table at a time (entry-file fields as columns, model ids resolved); rows
        repeating another but for their place are dropped and counted. Returns the rows added."""
        from benchtables.validation.keys import key_hashes, repeated_keys, table_keys

        identity = [c for c in table.column_names if c not in _PLACE]
        earlier = [t.select([c for c in identity if c in t.column_names]) for t in source.tables[kind]]
        together = pa.concat_tables([*earlier, table.select(identity)], promote_options="permissive")
        before = together.num_rows - table.num_rows  # rows this source already has, from another table
        repeated = (repeated_keys(key_hashes(together, identity), np.ones(together.num_rows, dtype=bool),
                                  table_keys(together, identity)) >= 0)[before:] if together.num_rows > 1 else \
            np.zeros(table.num_rows, dtype=bool)
        if repeated.any():
            self.skip("repeated row (the same number again)", int(repeated.sum()))
            table = table.filter(pa.array(~repeated))
        if "partial" in table.column_names:
            marked = int(numpy_of(table["partial"]).sum())
            if marked:
                self.result.partial["marked partial in the file"] += marked
        source.tables[kind].append(table)
        return int(table.num_rows)

    def add(self, source: SourceDraft, record: dict[str, Any], kind: str = "scores", model: ModelRef | None = None,
            file: str | None = None) -> bool:
        """Add a record (with the setting its model's name carried); a row repeated is counted, not added."""
        if model is not None:
            self._merge_setting(record, model, file)
        record = {k: v for k, v in record.items() if v is not None and v != []}
        identity = json.dumps({k: v for k, v in record.items() if k not in _PLACE}, sort_keys=True, default=str)
        if identity in source._seen:
            self.skip("repeated row (the same number again)")
            return False
        source._seen.add(identity)
        source.records[kind].append(record)
        if record.get("partial"):
            self.result.partial[record.get("_partial_reason") or "a sample of the benchmark"] += 1
            record.pop("_partial_reason", None)
        return True

    def _merge_setting(self, record: dict[str, Any], model: ModelRef, file: str | None) -> None:
        if model.n_shot is not None:
            if record.get("n_shot") is None:
                record["n_shot"] = model.n_shot
            elif record["n_shot"] != model.n_shot:
                self.warn("setting_in_name", f"the model name says {model.n_shot}-shot but the row says "
                          f"{record['n_shot']}; using {record['n_shot']}", file, record.get("where"))
        if model.setting:
            parts = {p for p in (record.get("setting") or "").split(",") if p} | {model.setting}
            record["setting"] = ",".join(sorted(parts))

    # ----------------------------------------------------------------- models

    def known_model(self, name: str) -> str | None:
        """The id of the known (or already imported) model ``name`` stands for, or None."""
        key = name.strip()
        if key not in self._resolved:
            self._resolved[key] = next((found for c in model_candidates(key) if (
                found := self.index.resolve(c) or self._declared.get(normalize_name(c)))), None)
        return self._resolved[key]

    def model(self, name: str, file: str | None = None, *, revision: str | None = None, base: str | None = None,
              **details: Any) -> ModelRef:
        """The model ``name`` stands for (see the module docstring for the rules).

        Args:
            name: as the file writes it.
            file: for warnings.
            revision: a checkpoint or revision of the model named.
            base: the model an adapter named by ``name`` applies to.
            details: declarations for a new stub (parameters, organization, released …).

        Raises:
            FormatError: the name is a local path (the file needs ``--model``).
        """
        written = unrouted(name)  # openrouter/openai/gpt-5.2 is openai/gpt-5.2
        if is_local_path(written):
            raise FormatError(f"the model is named by a local path ({written}), which says where weights were, not "
                              "which model they are: pass --model ID")
        bare, n_shot, qualifier, had_setting = setting_in_name(written)
        if not had_setting or bare == written or REPO_ID.match(written):
            bare, n_shot, qualifier = written, None, None
        elif n_shot is None and qualifier is None:
            self.warn("setting_in_name", f"the model name {written!r} says few-shot but not how many; n_shot left "
                      "empty", file)
        found = self.known_model(bare)
        base_id = (self.known_model(base) or self._stub(base, file)) if base else None
        if revision:
            base_model = found or self._stub(bare, file)
            revised = f"{base_model}@{slug(revision)}"
            if self.known_model(revised) is None:
                stub = {"id": revised, "name": f"{self.model_name(base_model, bare)} ({revision})", "revision": revision,
                        "base_model": base_model}
                self._new(stub, [f"{bare}@{revision}"], file, quiet=True)
            return ModelRef(revised, n_shot, qualifier)
        if found is not None:
            return ModelRef(found, n_shot, qualifier)
        id_ = self._stub(bare, file, base_id=base_id, **details)
        return ModelRef(id_, n_shot, qualifier)

    def model_name(self, id_: str, fallback: str | None = None) -> str:
        """The display name of a model (new in this import or known), for source titles."""
        if id_ in self.result.models:
            return str(self.result.models[id_]["name"])
        known = self.known.models.get(id_)
        return str(known.get("name")) if known and known.get("name") else (fallback or id_)

    def _stub(self, name: str, file: str | None, base_id: str | None = None, **details: Any) -> str:
        repo = bool(REPO_ID.match(name))
        id_ = slug(name.replace("/", "-") if repo else name)
        base, n = id_, 2
        while id_ in self.result.models or id_ in self.known.models:
            id_, n = f"{base}-{n}", n + 1
        stub: dict[str, Any] = {"id": id_, "name": name}
        if base_id:
            stub["base_model"] = base_id
        stub.update({k: v for k, v in details.items() if v is not None})
        self._new(stub, [name] if repo else [], file)
        return id_

    def _new(self, stub: dict[str, Any], aliases: list[str], file: str | None, quiet: bool = False) -> None:
        if aliases:
            stub["aliases"] = aliases
        for name in (stub["id"], stub["name"], *aliases):
            self._declared.setdefault(normalize_name(name), stub["id"])
        self._resolved.clear()
        self.result.models[stub["id"]] = stub
        if quiet:
            return
        self._unresolved += 1
        if self._unresolved > _HINTED:
            if self._unresolved == _HINTED + 1:
                self.warn("unresolved_model", f"more than {_HINTED} models match no known model; the others are "
                          "written as new models without a warning each (the summary lists them)", file)
            return
        hint = did_you_mean(self.index.suggest(str(stub["name"])))
        self.warn("unresolved_model", f"model {stub['name']!r} matches no known model; written as a new model "
                  f"{stub['id']!r} for review", file,
                  hint=f"{hint} If it is that model, declare the name as an alias" if hint else
                  "declare its parameters and organization if known")

    # ----------------------------------------------------------------- benchmarks and values

    def benchmark(self, name: str) -> str | None:
        """The benchmark id a name stands for (variants are benchmarks of their own), or None."""
        return self.registry.benchmark_index.resolve(name) if name else None

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
        return None if value is None else (metric_id, value)  # type: ignore[return-value]

    def number(self, raw: Any, kind: Kind = Kind.NUMBER) -> float | None:
        """A number from the input, or None (counted as skipped) for blanks, dashes, N/A and NaN."""
        if raw is None or isinstance(raw, bool):
            return None
        if isinstance(raw, float) and not math.isfinite(raw):
            self.skip("not a finite number (NaN or infinity)")
            return None
        if isinstance(raw, str) and raw.strip().casefold() in {"", "-", "—", "–", "n/a", "na", "nan", "none", "null", "?"}:
            if raw.strip():
                self.skip(f"not a number: {raw.strip()!r}")
            return None
        try:
            quantity = parse_quantity(raw, kind)
        except (QuantityError, OverflowError):  # OverflowError: an integer beyond any float
            self.skip(f"not a number: {str(raw).strip()[:20]!r}")
            return None
        return Percent(quantity.value) if quantity.percent else quantity.value

    def percent(self, value: float | None, *, metric: str) -> float | None:
        """A value of a percent metric given as a fraction of 1, on the 0–100 scale."""
        metric_def = self.registry.metrics.get(metric)
        if value is None or metric_def is None or not metric_def.is_percent:
            return value
        return float(f"{value * 100:.12g}")

    def rescale(self, table: list[tuple[dict[str, Any], str]], file: str | None, *, by_benchmark: bool = True,
                one_column: bool = False) -> None:
        """Put one table's values of percent metrics on the 0–100 scale, in place.

        ``table`` holds (record, metric) pairs of one table of one source. Tools write percents
        (``72.95``) or fractions (``0.7295``), and a table keeps one scale per benchmark and metric
        (per metric across its benchmarks with ``by_benchmark=False``; the whole table is one column
        with ``one_column=True``, for a card's results of one metric name, whatever their ids):
        values all at most 1 are fractions and are converted; next to larger values a value at
        most 1 is a small percent (0.68 on GSM8K) and is kept. Both get a warning. A value
        written with a percent sign states its scale and is left as it is.
        """
        columns: dict[tuple[Any, str] | None, list[tuple[dict[str, Any], str]]] = {}
        for record, metric in table:
            definition = self.registry.metrics.get(metric)
            if record.get("value") is not None and definition is not None and definition.is_percent \
                    and not isinstance(record["value"], Percent):  # "0.8%" says its scale
                column = None if one_column else (record.get("benchmark") if by_benchmark else None, metric)
                columns.setdefault(column, []).append((record, metric))
        for pairs in columns.values():
            fractions = all(abs(r["value"]) <= 1 for r, _ in pairs)
            for record, metric in pairs:
                value = record["value"]
                name = self.registry.metrics[metric].name
                if fractions and value != 0:
                    self.warn("fraction_as_percent", f"{value:g} looks like a fraction of 1 for {name}, a percentage;"
                              f" imported as {value * 100:g}", file, record["where"], "check the source's scale")
                    record["value"] = self.percent(value, metric=metric)
                    if record.get("stderr") is not None:
                        record["stderr"] = self.percent(record["stderr"], metric=metric)
                elif 0 < value <= 1:
                    self.warn("small_percent", f"{value:g} is at most 1 while other {name} values of this table are "
                              f"percents; kept as {value:g}%", file, record["where"], "check the source's scale")


def _same_title(a: Any, b: Any) -> bool:
    """Titles equal but for case and spacing: ``PaLM: Scaling Language Modeling with Pathways``."""
    return bool(a and b) and " ".join(str(a).casefold().split()) == " ".join(str(b).casefold().split())


# ----------------------------------------------------------------------------- writing YAML

_COUNT_FIELDS = {"parameters", "active_parameters", "tokens", "chip_hours"}


def _plain(key: str, value: Any) -> Any:
    """A value as the entry file writes it: counts as ``70B`` when that reads back exactly."""
    if isinstance(value, Percent):
        return float(value)
    if isinstance(value, float) and key in _COUNT_FIELDS:
        text = format_count(value, precision=4)
        try:
            if parse_quantity(text, Kind.COUNT).value == value:
                return text
        except QuantityError:
            pass
        if value.is_integer() and abs(value) < 2 ** 53:
            return int(value)  # 3085938688, not 3085938688.0
    return value


def _dump(data: Any) -> str:
    """YAML by PyYAML's safe dumper (its libyaml build where installed: the same output, faster)."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=10_000,
                         default_flow_style=None))


def entry_yaml(source: SourceDraft, models: list[dict[str, Any]], result: ImportResult) -> str:
    """An entry file for ``source``: header comment, source, new model stubs, records (YAML by ``yaml.safe_dump``)."""
    from benchtables.problems import safe_text

    lines = [f"# Imported by `benchtables import {result.format}` from {', '.join(result.inputs)}.",
             "# Review before committing: check models, settings and where each number stands."]
    lines += [f"# {safe_text(note)}" for note in result.summary()[1:]]
    lines += [f"# The {table.num_rows:,} {kind} records of this source are in {kind}-{source.id}.parquet (a bulk "
              "file: validate and build read it beside this file)." for kind, table in source.bulk_tables.items()]
    document: dict[str, Any] = {"source": source.id if source.reference else source.header()}
    if models:
        document["models"] = [{k: _plain(k, v) for k, v in m.items() if v is not None and v != []} for m in models]
    for kind in _RECORD_ORDER:
        if source.records[kind]:
            document[kind] = [{k: _plain(k, v) for k, v in r.items()} for r in source.records[kind]]
    text = _dump(document)
    if source.reference:
        text = text.replace(f"source: {source.id}\n", f"source: {source.id}  # declared in another entry file\n", 1)
    return "\n".join(lines) + "\n" + text
