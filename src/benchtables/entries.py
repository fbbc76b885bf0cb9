"""Entry files → validated sources, models and records, every problem at its line.

One entry file holds one source and what it reports (DESIGN §3). Reading a set of files:

1. parse each file (:mod:`benchtables.yamlpos`: safe, with positions);
2. validate every ``source`` and ``models`` declaration, then merge models declared in
   several files (different parameter counts are an error);
3. validate every record against its pydantic model, then run the record's rules
   (references, metric ranges, required-one-of) on the fields that passed;
4. check that no record key appears twice.

Nothing stops at the first problem: the result is the dataset of everything that
validated and a :class:`~benchtables.problems.Report` of everything that did not.
Models and sources already in a store (from files not being read now) count as declared,
so one new file can be validated on its own.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from benchtables.problems import Problem, Report, Severity, did_you_mean, field_path, pydantic_problems
from benchtables.records import apply_rules, check_fields
from benchtables.names import NameIndex
from benchtables.registry import Registry
from benchtables.schemas import RECORD_KINDS, EntryFile, Model, Record, Source
from benchtables.units import format_count
from benchtables.yamlpos import Document, read_yaml

__all__ = ["Dataset", "Known", "Located", "ValidationContext", "discover", "display_path", "read_entries"]

ENTRY_SUFFIXES = (".yaml", ".yml")
#: YAML problems after which the document lacks parts (a refused tag, a non-text key)
_INCOMPLETE = ("yaml_tag", "yaml_key", "yaml_too_deep")
SECTIONS = tuple(EntryFile.model_fields)


@dataclass
class Located:
    """A validated declaration or record and where it was written."""

    values: dict[str, Any]
    file: str  #: project-relative path: how the store names the file
    display: str  #: the path as messages show it
    doc: Document | None = None
    path: tuple[str | int, ...] = ()

    def position(self, name: str | None = None) -> tuple[int | None, int | None]:
        if self.doc is None:
            return None, None
        return self.doc.position((*self.path, name) if name else self.path)

    @property
    def line(self) -> int | None:
        return self.position()[0]

    def where(self) -> str:
        line = self.line
        return f"{self.display}:{line}" if line else self.display

    def problem(self, severity: Severity, code: str, message: str, name: str | None = None,
                hint: str | None = None) -> Problem:
        line, column = self.position(name)
        path = field_path((*self.path, name) if name else self.path) or None
        return Problem(severity, code, message, file=self.display, line=line, column=column, field=path, hint=hint)


@dataclass
class Known:
    """Sources and models already in a store, each with the files that declared it."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Dataset:
    """Everything that validated, ready to become store tables."""

    sources: dict[str, Located] = field(default_factory=dict)
    models: dict[str, Located] = field(default_factory=dict)
    records: dict[str, list[Located]] = field(default_factory=lambda: {k: [] for k in RECORD_KINDS})
    files: list[str] = field(default_factory=list)

    def model_index(self) -> NameIndex:
        """The declared models by id, name and alias: what a record's ``model`` may say."""
        return model_index(loc.values for loc in self.models.values())


def model_index(models: Iterable[Mapping[str, Any]]) -> NameIndex:
    """Models (mappings with id, name, aliases) by id, name and alias."""
    index = NameIndex("model")
    for model in models:
        index.add(model["id"], model["name"], *model.get("aliases") or [])
    return index


@dataclass
class ValidationContext:
    """What the record rules consult (see :class:`benchtables.rules.Context`)."""

    registry: Registry
    models: NameIndex
    #: Ids of model declarations that have errors: records naming them are not told to declare them.
    rejected_models: frozenset[str] = frozenset()


def discover(paths: Iterable[Path | str]) -> list[Path]:
    """Entry files among ``paths``: files as given, directories searched for ``*.yaml``/``*.yml``."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.suffix in ENTRY_SUFFIXES and f.is_file()))
        else:
            found.append(p)
    return found


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the current directory when below it."""
    try:
        return Path(os.path.relpath(path)).as_posix() if not os.path.relpath(path).startswith("..") else path.as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _validate(cls: type[BaseModel], raw: Any, doc: Document, prefix: tuple[str | int, ...],
              report: Report) -> tuple[BaseModel | None, dict[str, Any], set[str]]:
    """Validate one declaration or record; report its field problems at their positions.

    Returns the instance (``None`` if it has errors), the values of the fields that are
    valid, and the names of those fields.
    """
    if not isinstance(raw, Mapping):
        line, column = doc.position(prefix)
        report.add(Problem(Severity.ERROR, "mapping_type", f"expected a mapping of fields, got {_kind_of(raw)}",
                           file=doc.file, line=line, column=column, field=field_path(prefix)))
        return None, {}, set()
    checked = check_fields(cls, raw)
    if checked.error is not None:
        report.extend(pydantic_problems(checked.error, cls.model_fields, lambda p, k: doc.position(p, key=k),
                                        doc.file, prefix))
    return checked.instance, checked.values, checked.valid


def _kind_of(value: Any) -> str:
    return {list: "a list", dict: "a mapping", str: "text", type(None): "nothing"}.get(type(value), type(value).__name__)


def _read_file(path: Path, report: Report) -> tuple[Document, dict[str, Any]] | None:
    display = display_path(path)
    doc, problems = read_yaml(path, display)
    report.extend(problems)
    if doc is None or any(p.code in _INCOMPLETE for p in problems):
        return None  # the document is missing what the YAML error stands for: do not report its absence
    if not isinstance(doc.data, Mapping):
        report.add(Problem(Severity.ERROR, "file_shape", f"an entry file is a mapping of sections, not {_kind_of(doc.data)}",
                           file=display, line=1, column=1, hint=f"sections: {', '.join(SECTIONS)}"))
        return None
    sections: dict[str, Any] = {}
    for key, value in doc.data.items():
        if key not in SECTIONS:
            line, column = doc.position((key,), key=True)
            close = difflib.get_close_matches(str(key), SECTIONS, n=2, cutoff=0.6)
            report.add(Problem(Severity.ERROR, "extra_forbidden", f"unknown section {key!r}", file=display, line=line,
                               column=column, field=str(key),
                               hint=did_you_mean(close) or f"sections: {', '.join(SECTIONS)}"))
            continue
        if key == "source" and value is not None and not isinstance(value, Mapping | str):
            line, column = doc.position((key,))
            report.add(Problem(Severity.ERROR, "mapping_type", f"source must be a mapping (or the id of a source "
                               f"declared elsewhere), not {_kind_of(value)}", file=display, line=line, column=column,
                               field="source"))
            continue
        if key != "source" and value is not None and not isinstance(value, list):
            line, column = doc.position((key,))
            report.add(Problem(Severity.ERROR, "list_type", f"section {key!r} must be a list, not {_kind_of(value)}",
                               file=display, line=line, column=column, field=key,
                               hint="write each entry on its own line starting with '- '"))
            continue
        sections[key] = value or ([] if key != "source" else None)
    if sections.get("source") is None:
        line, column = doc.position(("source",), key=True) if "source" in doc.data else (1, 1)
        report.add(Problem(Severity.ERROR, "missing", "the file has no source: section", file=display, line=line,
                           column=column, field="source", hint="source: {id: …, title: …, url: …, year: …}"))
    return doc, sections


def read_entries(paths: Iterable[Path | str], registry: Registry | None = None, *,
                 project_relative: Any = None, known: Known | None = None) -> tuple[Dataset, Report]:
    """Read and validate entry files.

    Args:
        paths: entry files, or directories to search for them.
        registry: benchmarks and metrics that scores may name (default: the shipped one).
        project_relative: ``path -> str`` naming files the way the store does
            (default: as given).
        known: sources and models already in a store; those declared by files other than
            the ones read here count as declared.

    Returns:
        The dataset of everything valid, and the report of every problem.
    """
    registry = registry or Registry.shipped()
    known = known or Known()
    name_file = project_relative or (lambda p: Path(p).as_posix())
    report = Report()
    dataset = Dataset()
    files = discover(paths)
    parsed: list[tuple[str, Document, dict[str, Any]]] = []
    for path in files:
        report.checked += 1
        ident = name_file(path)
        dataset.files.append(ident)
        result = _read_file(path, report)
        if result is not None:
            parsed.append((ident, *result))
    read_here = set(dataset.files)

    # 1. sources: declared here, or referred to by id (declared in another file or the store)
    source_of: dict[str, str | None] = {}
    references: list[tuple[str, Document]] = []
    rejected_sources: set[str] = set()  # declared with errors, reported already
    for ident, doc, sections in parsed:
        source_of[ident] = None
        declared = sections.get("source")
        if declared is None:
            continue
        if isinstance(declared, str):
            references.append((ident, doc))
            continue
        instance, _, _ = _validate(Source, declared, doc, ("source",), report)
        if instance is None:
            rejected_sources.add(str(declared.get("id")) if isinstance(declared, Mapping) else "")
            continue
        loc = Located(instance.model_dump(), ident, doc.file, doc, ("source",))
        loc.values["file"] = ident
        source_of[ident] = instance.id
        _add_source(dataset, loc, known, read_here, report)
        if instance.id not in dataset.sources:  # refused (a duplicate id or url), reported there
            rejected_sources.add(instance.id)
    for ident, doc in references:
        ref = doc.data["source"]
        if ref in dataset.sources or ref in known.sources:
            source_of[ident] = ref
            continue
        line, column = doc.position(("source",))
        close = difflib.get_close_matches(ref, [*dataset.sources, *known.sources], n=2, cutoff=0.6)
        report.add(Problem(Severity.ERROR, "unknown_source", f"source {ref!r} is declared in no entry file",
                           file=doc.file, line=line, column=column, field="source",
                           hint=did_you_mean(close) or "declare it here as a mapping: {id: …, title: …, url: …}"))

    # 2. models, merged across files and with the store's
    declarations: list[Located] = []
    rejected_models: set[str] = set()
    for ident, doc, sections in parsed:
        seen: dict[str, Located] = {}
        for i, raw in enumerate(sections.get("models", [])):
            instance, _, _ = _validate(Model, raw, doc, ("models", i), report)
            if instance is None:
                rejected_models.add(str(raw.get("id")) if isinstance(raw, Mapping) else "")
                continue
            loc = Located(instance.model_dump(), ident, doc.file, doc, ("models", i))
            if instance.id in seen:
                report.add(loc.problem(Severity.ERROR, "duplicate_model",
                                       f"model {instance.id!r} is declared twice in this file (first at line {seen[instance.id].line})",
                                       "id"))
                continue
            seen[instance.id] = loc
            declarations.append(loc)
    for values in known.models.values():
        others = [f for f in values.get("declared_in") or [] if f not in read_here]
        if others:
            declarations.append(Located({**values, "declared_in": None}, others[0], others[0]))
    _merge_models(dataset, declarations, report)
    _check_introduced_by(dataset, known, report, rejected_sources)

    # 3. records
    ctx = ValidationContext(registry, dataset.model_index(), frozenset(rejected_models))
    for ident, doc, sections in parsed:
        for kind, cls in RECORD_KINDS.items():
            for i, raw in enumerate(sections.get(kind, [])):
                loc = _validate_record(cls, raw, doc, (kind, i), ctx, report)
                if loc is not None and source_of[ident] is not None:
                    loc.file = ident
                    loc.values.update(source=source_of[ident], file=ident)
                    dataset.records[kind].append(loc)

    # 4. one number, one record
    for kind, cls in RECORD_KINDS.items():
        _check_unique(dataset.records[kind], cls, report)
    return dataset, report


def _validate_record(cls: type[Record], raw: Any, doc: Document, prefix: tuple[str | int, ...],
                     ctx: ValidationContext, report: Report) -> Located | None:
    instance, values, valid = _validate(cls, raw, doc, prefix, report)
    if not valid:
        return None
    loc = Located(values, "", doc.file, doc, prefix)
    violations = apply_rules(cls, values, valid, ctx)
    ok = instance is not None and not violations
    for v in violations:
        report.add(loc.problem(Severity.ERROR, v.code, v.message, v.field, v.hint))
    if instance is not None and "value" in getattr(instance, "_percent", ()) and "metric" in valid:
        metric = ctx.registry.metrics.get(values.get("metric") or "")
        if metric is not None and not metric.is_percent:
            ok = False
            report.add(loc.problem(Severity.ERROR, "unit_mismatch",
                                   f"the value is written as a percentage but {metric.name} is measured in {metric.unit}",
                                   "value", "write the number without %"))
    return loc if ok else None


def _add_source(dataset: Dataset, loc: Located, known: Known, read_here: set[str], report: Report) -> None:
    id_ = loc.values["id"]
    if id_ in dataset.sources:
        first = dataset.sources[id_]
        report.add(loc.problem(Severity.ERROR, "duplicate_source",
                               f"source {id_!r} is also the source of {first.where()}", "id",
                               "each source has one entry file; merge them or choose another id"))
        return
    store_copy = known.sources.get(id_)
    if store_copy and store_copy.get("file") not in read_here and store_copy.get("file") != loc.file:
        report.add(loc.problem(Severity.ERROR, "duplicate_source",
                               f"source {id_!r} is already in the store, from {store_copy.get('file')}", "id",
                               "add the numbers to that file instead"))
        return
    url = (loc.values["url"] or "").rstrip("/")
    clashes = [(s.values["id"], s.where()) for s in dataset.sources.values()
               if url and (s.values["url"] or "").rstrip("/") == url]
    clashes += [(k, v.get("file")) for k, v in known.sources.items()
                if url and k != id_ and v.get("file") not in read_here and str(v.get("url") or "").rstrip("/") == url]
    if clashes:
        other, where = clashes[0]
        report.add(loc.problem(Severity.ERROR, "duplicate_url",
                               f"the url is also the url of source {other!r} ({where})", "url",
                               "one work, one source id"))
        return
    dataset.sources[id_] = loc


_HARD_CONFLICTS = ("parameters", "active_parameters")
_SOFT_CONFLICTS = ("name", "organization", "kind", "released", "introduced_by")


def _merge_models(dataset: Dataset, declarations: list[Located], report: Report) -> None:
    for loc in declarations:
        id_ = loc.values["id"]
        merged = dataset.models.get(id_)
        if merged is None:
            values = dict(loc.values)
            values["declared_in"] = [loc.file]
            dataset.models[id_] = Located(values, loc.file, loc.display, loc.doc, loc.path)
            continue
        first = merged.values
        for name in (*_HARD_CONFLICTS, *_SOFT_CONFLICTS):
            a, b = first.get(name), loc.values.get(name)
            if a is None or b is None:
                if a is None and b is not None:
                    first[name] = b
                continue
            same = math.isclose(a, b, rel_tol=1e-9) if isinstance(a, float) else a == b
            if same:
                continue
            here, there = (loc, merged) if loc.doc is not None else (merged, loc)
            mine, theirs = (_shown(x.values[name]) for x in (here, there))
            hard = name in _HARD_CONFLICTS
            report.add(here.problem(
                Severity.ERROR if hard else Severity.WARNING, "model_conflict",
                f"model {id_!r} is declared with {name} {mine} here but {theirs} in {there.where()}",
                name, "declare it the same way everywhere" if hard else None))
        first["aliases"] = sorted(set(first.get("aliases") or []) | set(loc.values.get("aliases") or []))
        first["qualifiers"] = sorted(set(first.get("qualifiers") or []) | set(loc.values.get("qualifiers") or []))
        first["declared_in"] = sorted(set(first["declared_in"]) | {loc.file})


def _shown(value: Any) -> str:
    return format_count(value) if isinstance(value, float) else repr(value)


def _check_introduced_by(dataset: Dataset, known: Known, report: Report, rejected: set[str]) -> None:
    sources = set(dataset.sources) | set(known.sources) | rejected
    for loc in dataset.models.values():
        ref = loc.values.get("introduced_by")
        if ref and ref not in sources and loc.doc is not None:
            report.add(loc.problem(Severity.ERROR, "unknown_source",
                                   f"introduced_by names source {ref!r}, which no entry file declares",
                                   "introduced_by", "use the id of a source: in an entry file, or leave it out"))


def _check_unique(records: list[Located], cls: type[Record], report: Report) -> None:
    seen: dict[tuple[Any, ...], Located] = {}
    numbers: dict[tuple[Any, ...], list[Located]] = {}
    what = cls.KIND[:-1] if cls.KIND.endswith("s") else cls.KIND

    def shown(key: tuple[Any, ...]) -> str:
        return ", ".join(f"{k}={v}" for k, v in zip(cls.KEY, key, strict=True)
                         if v is not None and k not in ("source", "where"))

    for loc in records:
        key = tuple(loc.values.get(k) for k in cls.KEY)
        same_number = numbers.setdefault(number_key(cls, loc.values), [])
        if key in seen:
            report.add(loc.problem(Severity.ERROR, "duplicate_record",
                                   f"the same {what} record as {seen[key].where()} ({shown(key)})",
                                   hint="one number per record; if the source gives two different numbers here, "
                                        "give each its where"))
        elif earlier := next((e for e in same_number if repeats(cls, loc.values, e.values)), None):
            report.add(loc.problem(Severity.ERROR, "duplicate_record",
                                   f"the same {what} number as {earlier.where()} ({shown(key)}), only its where differs",
                                   hint="one number, one record: keep one (imported twice?)"))
        else:
            seen[key] = loc
            same_number.append(loc)


#: Fields that say where a number stands or add prose, not what the number is.
PLACE_FIELDS = frozenset({"where", "notes", "quote", "file"})


def number_key(cls: type[Record], values: Mapping[str, Any]) -> tuple[Any, ...]:
    """A record's key without ``where``: records of one number from one source share it."""
    return tuple(values.get(k) for k in cls.KEY if k != "where")


def repeats(cls: type[Record], values: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether ``values`` states the same number as ``other`` (every field alike), perhaps at another ``where``."""
    def same(a: Any, b: Any) -> bool:
        return (a or None) == (b or None) if isinstance(a, list | type(None)) or isinstance(b, list | type(None)) else a == b

    return number_key(cls, values) == number_key(cls, other) and all(
        same(values.get(k), other.get(k)) for k in cls.model_fields if k not in PLACE_FIELDS)