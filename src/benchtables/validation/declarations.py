"""Steps 2 and 3 for declarations: each source and model checked, then merged across files and the store.

Records name sources and models, so declarations are checked first:

* each declaration by the engine (:mod:`benchtables.validation.records`), like any record;
* a source id or URL declared twice (URLs compared in their canonical form: one arXiv paper
  under ``abs/…``, ``pdf/…v2`` or ``http://`` is one source) is an error;
* a model declared in several files is one model: different parameter counts are an error,
  other differences a warning; a model declared twice in one file is an error;
* ``introduced_by`` must name a source, ``base_model`` a model, a source's ``suite`` a suite;
* a new model whose display name looks like another model's (``PaLM 540B`` again, or with a
  Cyrillic ``Р``) gets a warning: readers would take one for the other.

Declarations in the store from files not being read count as declared, so one file can be
checked on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from benchtables.arrays import lists_of, strings
from benchtables.kinds import MODELS, SOURCES
from benchtables.names import NameIndex, canonical_url, display_key
from benchtables.problems import Problem, Severity, did_you_mean
from benchtables.registry import Registry
from benchtables.units import format_count
from benchtables.validation.read import EntryDoc, Inputs, Origin, Part
from benchtables.validation.records import Checked, Context, check_table

__all__ = ["Declared", "Known", "check_declarations"]

_HARD_CONFLICTS = ("parameters", "active_parameters")
_SOFT_CONFLICTS = ("name", "organization", "kind", "released", "introduced_by", "base_model", "revision",
                   "open_weights")


@dataclass
class Known:
    """Sources and models a store holds from files not being read (Arrow tables of its rows)."""

    sources: pa.Table | None = None
    models: pa.Table | None = None

    def source_rows(self) -> list[dict[str, Any]]:
        return self.sources.to_pylist() if self.sources is not None else []

    def joined(self, other: Known) -> Known:
        """These declarations and ``other``'s, ``other`` winning for ids both have."""
        import pyarrow.compute as pc

        def join(mine: pa.Table | None, theirs: pa.Table | None) -> pa.Table | None:
            if mine is None or theirs is None:
                return theirs if mine is None else mine
            keep = mine.filter(pc.invert(pc.is_in(mine["id"], value_set=theirs["id"].combine_chunks())))
            return pa.concat_tables([keep, theirs.select(keep.column_names).cast(keep.schema)])

        return Known(join(self.sources, other.sources), join(self.models, other.models))

    @classmethod
    def of(cls, declared: Declared) -> Known:
        """What a run's declarations leave, as the store would hold them."""
        from benchtables.store import table_of

        return cls(table_of("sources", list(declared.sources.values())),
                   table_of("models", list(declared.models.values())))


@dataclass
class _Declaration:
    values: dict[str, Any]
    origin: Origin | None  #: None: from the store
    row: int = 0

    def problem(self, severity: Severity, code: str, message: str, name: str | None = None,
                hint: str | None = None) -> Problem | None:
        if self.origin is None:
            return None
        return self.origin.problem(severity, code, message, self.row, name, hint)

    def where(self) -> str:
        if self.origin is None:
            return str(self.values.get("file") or "the store")
        problem = self.origin.problem(Severity.ERROR, "", "", self.row, None)
        return f"{problem.file}:{problem.line}" if problem.line else problem.file or ""


@dataclass
class Declared:
    """What the declarations of a run amount to."""

    #: Valid sources declared in the files being read, by id.
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Each entry file's source id (declared there or referred to), or None if it has none that is valid.
    file_source: dict[str, str | None] = field(default_factory=dict)
    #: Valid models declared in the files being read, merged across files, by id (with ``declared_in``).
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejected_models: set[str] = field(default_factory=set)
    #: Every model a record may name: declared now, or in the store by other files.
    index: NameIndex = field(default_factory=lambda: NameIndex("model"))
    #: Every source id a record may name, with its kind and suite.
    source_ids: set[str] = field(default_factory=set)
    #: Sources declared but refused (a duplicate id or URL): references to them are not "unknown" too.
    refused_sources: set[str] = field(default_factory=set)
    paper_sources: set[str] = field(default_factory=set)
    source_suites: dict[str, str] = field(default_factory=dict)
    #: Model id → active parameters (for the active-as-total check).
    active: dict[str, float] = field(default_factory=dict)
    #: Model id → the parameters its declaration states (training records must not say otherwise).
    parameters: dict[str, float] = field(default_factory=dict)
    #: Model id → the source that introduced it.
    introduced: dict[str, str | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checked: list[tuple[Part, Checked]] = field(default_factory=list)
    #: Where each model of ``models`` was first declared.
    first: dict[str, _Declaration] = field(default_factory=dict)


def _valid_rows(part: Part, checked: Checked) -> list[tuple[int, dict[str, Any]]]:
    rows = checked.rows.to_pylist() if not checked.schema else []
    return [(i, row) for i, row in enumerate(rows) if checked.valid[i]]


def check_declarations(inputs: Inputs, registry: Registry, known: Known) -> Declared:
    """Check the sources and models of the files read, against each other and the store's."""
    out = Declared()
    ctx = Context(registry, NameIndex("model"))
    store_sources = known.source_rows()
    # ---------------------------------------------------------------- sources
    declared: dict[str, _Declaration] = {}
    for part in inputs.sources:
        checked = check_table(SOURCES, part.raw, ctx)
        out.checked.append((part, checked))
        for row, values in _valid_rows(part, checked):
            _add_source(out, declared, _Declaration(values, part.origin, row), store_sources, registry)
    for entry in inputs.entries:
        _file_source(out, entry, declared, store_sources)
    for stored in store_sources:
        out.source_ids.add(stored["id"])
        if stored.get("kind") == "paper" or stored.get("arxiv"):
            out.paper_sources.add(stored["id"])
        if stored.get("suite"):
            out.source_suites[stored["id"]] = stored["suite"]
    # ---------------------------------------------------------------- models
    declarations: list[_Declaration] = []
    for part in inputs.models:
        checked = check_table(MODELS, part.raw, ctx)
        out.checked.append((part, checked))
        valid = set(i for i, _ in _valid_rows(part, checked))
        for i in range(part.raw.num_rows):
            if i not in valid:
                model_id = part.raw["id"][i].as_py() if "id" in part.raw.column_names else None
                out.rejected_models.add(str(model_id))
        seen: dict[str, _Declaration] = {}
        for row, values in _valid_rows(part, checked):
            declaration = _Declaration(values, part.origin, row)
            if values["id"] in seen:
                _report(out, declaration.problem(
                    Severity.ERROR, "duplicate_model", f"model {values['id']!r} is declared twice in this file "
                    f"(first at {seen[values['id']].where()})", "id"))
                continue
            seen[values["id"]] = declaration
            declarations.append(declaration)
    store_models = known.models.to_pylist() if known.models is not None else []
    by_id = {row["id"]: row for row in store_models}
    for declaration in declarations:
        _merge(out, declaration, by_id)
    _model_index(out, known)
    _references(out, registry)
    _display_names(out, store_models)
    for values in [*by_id.values(), *out.models.values()]:
        if values.get("active_parameters"):
            out.active[values["id"]] = values["active_parameters"]
        if values.get("parameters"):
            out.parameters[values["id"]] = values["parameters"]
        out.introduced[values["id"]] = values.get("introduced_by")
    return out


def _report(out: Declared, problem: Problem | None) -> None:
    if problem is not None:
        out.problems.append(problem)


def _add_source(out: Declared, declared: dict[str, _Declaration], declaration: _Declaration,
                store_sources: Sequence[Mapping[str, Any]], registry: Registry) -> None:
    values = declaration.values
    id_ = values["id"]
    file = declaration.origin.file if declaration.origin else None
    if id_ in declared:
        _report(out, declaration.problem(Severity.ERROR, "duplicate_source",
                                         f"source {id_!r} is also the source of {declared[id_].where()}", "id",
                                         "each source has one entry file; merge them or choose another id"))
        out.refused_sources.add(id_)
        return
    in_store = next((s for s in store_sources if s["id"] == id_ and s.get("file") != file), None)
    if in_store is not None:
        _report(out, declaration.problem(Severity.ERROR, "duplicate_source",
                                         f"source {id_!r} is already in the store, from {in_store.get('file')}", "id",
                                         "add the numbers to that file instead"))
        out.refused_sources.add(id_)
        return
    url = values.get("url")
    if url:
        key = canonical_url(url)
        clash = next((d for d in declared.values() if d.values.get("url") and canonical_url(d.values["url"]) == key),
                     None)
        other = clash.values["id"] if clash else next(
            (s["id"] for s in store_sources if s["id"] != id_ and s.get("url") and canonical_url(s["url"]) == key),
            None)
        if other is not None:
            where = clash.where() if clash else "the store"
            _report(out, declaration.problem(Severity.ERROR, "duplicate_url",
                                             f"the url is also the url of source {other!r} ({where})", "url",
                                             "one work, one source id: refer to it with source: " + other))
            out.refused_sources.add(id_)
            return
    else:
        _report(out, declaration.problem(Severity.WARNING, "no_url", "the source has no url: readers cannot trace "
                                         "its numbers", None, "add the link (arXiv abs page, blog post, leaderboard page)"))
    suite = values.get("suite")
    if suite and registry.suite_index.resolve(suite) is None:
        _report(out, declaration.problem(Severity.ERROR, "unknown_suite", f"unknown suite {suite!r}", "suite",
                                         did_you_mean(registry.suite_index.suggest(suite))))
        out.refused_sources.add(id_)
        return
    declared[id_] = declaration
    out.sources[id_] = {**values, "file": file}
    out.source_ids.add(id_)
    if values.get("kind") == "paper" or values.get("arxiv"):
        out.paper_sources.add(id_)
    if suite:
        out.source_suites[id_] = registry.suite_index.resolve(suite) or suite


def _file_source(out: Declared, entry: EntryDoc, declared: Mapping[str, _Declaration],
                 store_sources: Sequence[Mapping[str, Any]]) -> None:
    source = entry.source
    if isinstance(source, Mapping):
        id_ = source.get("id")
        out.file_source[entry.file] = id_ if isinstance(id_, str) and id_ in out.sources and \
            declared[id_].origin is not None and declared[id_].origin.file == entry.file else None  # type: ignore[union-attr]
        return
    if isinstance(source, str):
        known = [*out.sources, *(s["id"] for s in store_sources)]
        if source in known:
            out.file_source[entry.file] = source
            return
        import difflib

        line, column = entry.doc.position(("source",))
        close = difflib.get_close_matches(source, known, n=2, cutoff=0.6)
        out.problems.append(Problem(Severity.ERROR, "unknown_source", f"source {source!r} is declared in no entry file",
                                    file=entry.display, line=line, column=column, field="source",
                                    hint=did_you_mean(close) or "declare it here as a mapping: {id: …, title: …, url: …}"))
    out.file_source[entry.file] = None


def _shown(value: Any) -> str:
    return format_count(value) if isinstance(value, float) else repr(value)


def _merge(out: Declared, declaration: _Declaration, store: Mapping[str, Mapping[str, Any]]) -> None:
    values = declaration.values
    id_ = values["id"]
    file = declaration.origin.file if declaration.origin else None
    first = out.models.get(id_)
    theirs: Mapping[str, Any] | None = first
    there = "another entry file"
    if first is None and id_ in store:
        theirs = store[id_]
        there = ", ".join(theirs.get("declared_in") or []) or "the store"
    elif first is not None:
        there = ", ".join(first["declared_in"])
    if theirs is not None:
        for name in (*_HARD_CONFLICTS, *_SOFT_CONFLICTS):
            a, b = theirs.get(name), values.get(name)
            if a is None or b is None:
                continue
            same = math.isclose(a, b, rel_tol=1e-9) if isinstance(a, float) else a == b
            if not same:
                hard = name in _HARD_CONFLICTS
                _report(out, declaration.problem(
                    Severity.ERROR if hard else Severity.WARNING, "model_conflict",
                    f"model {id_!r} is declared with {name} {_shown(b)} here but {_shown(a)} in {there}", name,
                    "declare it the same way everywhere" if hard else None))
    if first is None:
        merged = dict(values)
        merged["declared_in"] = [file] if file else []
        out.models[id_] = merged
        out.first[id_] = declaration
        return
    for name in (*_HARD_CONFLICTS, *_SOFT_CONFLICTS):
        if first.get(name) is None and values.get(name) is not None:
            first[name] = values[name]
    first["aliases"] = sorted(set(first.get("aliases") or []) | set(values.get("aliases") or []))
    first["qualifiers"] = sorted(set(first.get("qualifiers") or []) | set(values.get("qualifiers") or []))
    first["declared_in"] = sorted(set(first["declared_in"]) | ({file} if file else set()))


def _model_index(out: Declared, known: Known) -> None:
    declared = list(out.models.values())
    index = NameIndex.from_columns(
        "model", strings([m["id"] for m in declared]), [strings([m["name"] for m in declared])],
        [lists_of([m.get("aliases") or [] for m in declared])])
    if known.models is not None and known.models.num_rows:
        mine = strings(list(out.models))
        import pyarrow.compute as pc

        others = known.models.filter(pc.invert(pc.is_in(known.models["id"], value_set=mine)))
        store_index = NameIndex.from_columns("model", others["id"].combine_chunks(), [others["name"].combine_chunks()],
                                             [others["aliases"].combine_chunks()])
        index = index.merged(store_index)
    out.index = index


def _references(out: Declared, registry: Registry) -> None:
    """introduced_by names a source; base_model a model."""
    for id_, values in out.models.items():
        declaration = out.first[id_]
        ref = values.get("introduced_by")
        if ref and ref not in out.source_ids and ref not in out.refused_sources:
            _report(out, declaration.problem(Severity.ERROR, "unknown_source",
                                             f"introduced_by names source {ref!r}, which no entry file declares",
                                             "introduced_by", "use the id of a source: in an entry file, or leave it out"))
        base = values.get("base_model")
        if base and out.index.resolve(base) is None:
            _report(out, declaration.problem(Severity.ERROR, "unknown_model",
                                             f"base_model names model {base!r}, which no entry file declares",
                                             "base_model",
                                             did_you_mean(out.index.suggest(base)) or "declare it, or leave base_model out"))


def _display_names(out: Declared, store_models: Sequence[Mapping[str, Any]]) -> None:
    """A new model whose name looks like another model's: a warning (readers would confuse them).

    Of two such models the later one (the store's first, then in the order files are read) is
    warned about, naming the earlier.
    """
    if not out.models:
        return
    keys: dict[str, list[tuple[str, str]]] = {}
    for row in [*store_models, *out.models.values()]:
        name = row.get("name")
        if name:
            keys.setdefault(display_key(name), []).append((row["id"], name))
    for id_, values in out.models.items():
        same = keys.get(display_key(values["name"]), [])
        position = next(k for k, (i, _) in enumerate(same) if i == id_)
        others = [(i, n) for i, n in same[:position] if i != id_]  # the earlier one is told nothing
        if others:
            other_id, other_name = others[0]
            how = "the same name as" if other_name == values["name"] else "a name that looks like the name of"
            _report(out, out.first[id_].problem(
                Severity.WARNING, "name_clash", f"model {id_!r} has {how} {other_id!r} ({other_name!r})", "name",
                "if it is that model, use its id; else give it a name readers can tell apart"))
