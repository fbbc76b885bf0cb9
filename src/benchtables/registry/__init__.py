"""The registry: benchmarks, metrics, suites and hardware that entries may refer to.

The package ships a registry as data (the YAML files beside this module). A leaderboard
repository can add its own in ``data/registry.yaml`` (same sections); an id that clashes
with the shipped registry is an error, not a silent override. Names resolve through
aliases, ignoring case and punctuation, so ``MMLU``, ``mmlu`` and ``Massive Multitask
Language Understanding`` are one benchmark.

A benchmark states its *standard setting*: its ``split`` is the split of a score that names
none, and its first (or ``primary``) metric is the metric of a score that names none. Its
``metric_aliases`` are the names tools give its metrics (lm-eval's ``acc`` is GSM8K's
``exact_match``); a metric of other benchmarks only is never taken for one of its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchtables.errors import UnknownIdError
from benchtables.names import NameIndex, normalize_name
from benchtables.problems import Problem, Severity, pydantic_problems
from benchtables.yamlpos import Document, parse_yaml, read_yaml

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Registry"]

SECTIONS = ("metrics", "benchmarks", "suites", "hardware")
#: Separates a benchmark id from a metric name in the keys metrics are looked up by.
_SEP = "\x1f"


class Entry:
    """A registry entry: a metric, benchmark, suite, suite member or piece of hardware.

    Entries hold their declared fields as attributes (defaults filled in). They are built from
    data already checked — the shipped registry (a test validates it with the pydantic models
    of :mod:`benchtables.schemas`), a project's ``registry.yaml`` after those models accepted
    it, or a store's tables — so loading the registry costs no validation.
    """

    _table = "metrics"

    def __init__(self, data: Mapping[str, Any]) -> None:
        from benchtables.kinds import REGISTRY, SUITE_MEMBERS

        table = {**REGISTRY, "suite_members": SUITE_MEMBERS}[self._table]
        for spec in table.fields:
            value = data.get(spec.name, spec.default)
            if isinstance(value, list | dict):
                value = type(value)(value)
            setattr(self, spec.name, value)
        self._fields = table.names

    if TYPE_CHECKING:  # the declared fields, set in __init__
        def __getattr__(self, name: str) -> Any: ...

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        out = {}
        for name in self._fields:
            value = getattr(self, name)
            if isinstance(value, Entry):
                value = value.model_dump(exclude_none)
            elif isinstance(value, list) and value and isinstance(value[0], Entry):
                value = [v.model_dump(exclude_none) for v in value]
            if value is None and exclude_none:
                continue
            out[name] = value
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self, 'id', getattr(self, 'benchmark', ''))!r})"


class MetricEntry(Entry):
    _table = "metrics"

    @property
    def is_percent(self) -> bool:
        return bool(self.unit == "percent")


class BenchmarkEntry(Entry):
    _table = "benchmarks"

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        if getattr(self, "primary", None) is None:
            self.primary = self.metrics[0] if self.metrics else None


class MemberEntry(Entry):
    _table = "suite_members"


class SuiteEntry(Entry):
    _table = "suites"

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.members = [MemberEntry(m) for m in data.get("members") or []]
        self.reported_as = MemberEntry(data["reported_as"]) if data.get("reported_as") else None


class HardwareEntry(Entry):
    _table = "hardware"


ENTRIES: dict[str, type[Entry]] = {"metrics": MetricEntry, "benchmarks": BenchmarkEntry, "suites": SuiteEntry,
                                   "hardware": HardwareEntry}


@dataclass
class Registry:
    """Metrics, benchmarks, suites and hardware, by id (pydantic models of :mod:`benchtables.schemas`)."""

    metrics: dict[str, Any] = field(default_factory=dict)
    benchmarks: dict[str, Any] = field(default_factory=dict)
    suites: dict[str, Any] = field(default_factory=dict)
    hardware: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ loading

    @classmethod
    def shipped(cls) -> Registry:
        """The registry that comes with the package."""
        return _shipped()

    @classmethod
    def from_documents(cls, docs: Iterable[Document], base: Registry | None = None,
                       trusted: bool = False) -> tuple[Registry, list[Problem]]:
        """Build a registry from parsed YAML documents on top of ``base``.

        ``trusted``: the documents are the shipped registry, which a test validates; they are
        read without validation (and without the consistency checks the test also makes).
        """
        registry = base.copy() if base is not None else cls()
        problems: list[Problem] = []
        for doc in docs:
            problems.extend(registry._add_trusted(doc) if trusted else registry._add_document(doc, base))
        if not trusted:
            problems.extend(registry.consistency_problems())
        return registry, problems

    def _add_trusted(self, doc: Document) -> list[Problem]:
        for section, items in doc.data.items():
            target: dict[str, Any] = getattr(self, section)
            for item in items:
                entry = ENTRIES[section](item)
                target[entry.id] = entry
        return []

    def extended(self, path: Path | str | None) -> tuple[Registry, list[Problem]]:
        """This registry plus a project's ``registry.yaml`` (if ``path`` exists)."""
        if path is None or not Path(path).exists():
            return self, []
        doc, problems = read_yaml(path)
        if doc is None:
            return self, problems
        registry, more = Registry.from_documents([doc], base=self)
        return registry, problems + more

    def copy(self) -> Registry:
        return Registry(dict(self.metrics), dict(self.benchmarks), dict(self.suites), dict(self.hardware))

    def _add_document(self, doc: Document, base: Registry | None) -> list[Problem]:
        from pydantic import ValidationError

        from benchtables.schemas import model_class

        problems: list[Problem] = []
        if not isinstance(doc.data, Mapping):
            return [Problem(Severity.ERROR, "registry_shape", "a registry file is a mapping of sections",
                            file=doc.file, line=1, hint=f"sections: {', '.join(SECTIONS)}")]
        for section, items in doc.data.items():
            line, column = doc.position((section,), key=True)
            if section not in SECTIONS:
                problems.append(Problem(Severity.ERROR, "extra_forbidden", f"unknown section {section!r}",
                                        file=doc.file, line=line, column=column, field=str(section),
                                        hint=f"sections: {', '.join(SECTIONS)}"))
                continue
            if not isinstance(items, list):
                problems.append(Problem(Severity.ERROR, "list_type", f"section {section!r} must be a list",
                                        file=doc.file, line=line, column=column, field=str(section)))
                continue
            model = model_class(section)
            target: dict[str, Any] = getattr(self, section)
            for i, item in enumerate(items):
                try:
                    obj = ENTRIES[section](model.model_validate(item).model_dump())
                except ValidationError as exc:
                    problems.extend(pydantic_problems(exc, model.model_fields, lambda p, k: doc.position(p, key=k),
                                                      doc.file, (section, i)))
                    continue
                if base is not None and obj.id in getattr(base, section):
                    line, column = doc.position((section, i, "id"))
                    problems.append(Problem(Severity.ERROR, "registry_conflict",
                                            f"{section[:-1]} {obj.id!r} is already in the shipped registry",
                                            file=doc.file, line=line, column=column, field=f"{section}[{i}].id",
                                            hint="choose another id, or use the shipped one"))
                    continue
                target[obj.id] = obj
        return problems

    def consistency_problems(self) -> list[Problem]:
        """References inside the registry that do not resolve, and names that stand for several things."""
        out: list[Problem] = []

        def bad(message: str) -> None:
            out.append(Problem(Severity.ERROR, "registry_reference", message))

        for b in self.benchmarks.values():
            for m in [*b.metrics, *b.metric_aliases.values()]:
                if m not in self.metrics:
                    bad(f"benchmark {b.id!r} names unknown metric {m!r}")
            if b.variant_of and b.variant_of not in self.benchmarks:
                bad(f"benchmark {b.id!r} is a variant of unknown benchmark {b.variant_of!r}")
        for s in self.suites.values():
            for member in [*s.members, *([s.reported_as] if s.reported_as else [])]:
                bid = self.benchmark_index.resolve(member.benchmark)
                if bid is None:
                    bad(f"suite {s.id!r} names unknown benchmark {member.benchmark!r}")
                elif member.metric and self.resolve_metric_of(bid, member.metric) is None:
                    bad(f"suite {s.id!r}: {bid} has no metric {member.metric!r}")
        for index in (self.benchmark_index, self.metric_index):
            for key, ids in index.collisions().items():
                bad(f"the name {key!r} stands for several {index.what}s: {', '.join(sorted(ids))}")
        seen: dict[str, str] = {}
        for key, metric in self._metric_keys().items():
            benchmark = key.split(_SEP)[0]
            if seen.get(key, metric) != metric:
                bad(f"benchmark {benchmark!r}: the name {key.split(_SEP)[1]!r} stands for two of its metrics")
            seen[key] = metric
        return out

    # ------------------------------------------------------------------ lookups

    @cached_property
    def benchmark_index(self) -> NameIndex:
        return _index("benchmark", self.benchmarks.values())

    @cached_property
    def metric_index(self) -> NameIndex:
        return _index("metric", self.metrics.values())

    @cached_property
    def suite_index(self) -> NameIndex:
        return _index("suite", self.suites.values())

    @cached_property
    def hardware_index(self) -> NameIndex:
        return _index("hardware", self.hardware.values())

    def benchmark(self, name: str) -> Any:
        """The benchmark ``name`` (id or alias) stands for; raises UnknownIdError."""
        return self.benchmarks[self.benchmark_index.require(name)]

    def metric(self, name: str) -> Any:
        return self.metrics[self.metric_index.require(name)]

    def suite(self, name: str) -> Any:
        return self.suites[self.suite_index.require(name)]

    def _metric_keys(self) -> dict[str, str]:
        """``benchmark<SEP>name key`` → metric id, for every name a benchmark's metrics go by."""
        out: dict[str, str] = {}
        for b in self.benchmarks.values():
            for metric_id in b.metrics:
                metric = self.metrics.get(metric_id)
                names = [metric_id] + ([metric.name, *metric.aliases] if metric is not None else [])
                for name in names:
                    out.setdefault(f"{b.id}{_SEP}{normalize_name(name)}", metric_id)
            for name, metric_id in b.metric_aliases.items():
                out[f"{b.id}{_SEP}{normalize_name(name)}"] = metric_id
        return out

    @cached_property
    def metric_lookup(self) -> tuple[pa.Array, pa.Array]:
        """(keys, metric ids): what :meth:`resolve_metric_of` consults, as Arrow arrays for whole columns."""
        from benchtables.arrays import strings

        keys = self._metric_keys()
        return strings(list(keys)), strings(list(keys.values()))

    def resolve_metric_of(self, benchmark_id: str, name: str) -> str | None:
        """The metric id ``name`` stands for among ``benchmark_id``'s metrics (or the names tools
        give them), or ``None``."""
        return self._python_metric_keys.get(f"{benchmark_id}{_SEP}{normalize_name(name)}")

    @cached_property
    def _python_metric_keys(self) -> dict[str, str]:
        return self._metric_keys()

    def metric_of(self, benchmark_id: str, name: str | None) -> Any:
        """The metric of a benchmark (its primary when ``name`` is None); raises UnknownIdError."""
        benchmark = self.benchmarks[benchmark_id]
        if name is None:
            return self.metrics[benchmark.primary]
        resolved = self.resolve_metric_of(benchmark_id, name)
        if resolved is None:
            raise UnknownIdError(f"metric of {benchmark.name}", name,
                                 difflib.get_close_matches(name, benchmark.metrics, n=2), benchmark.metrics)
        return self.metrics[resolved]

    def member(self, suite_id: str, benchmark_id: str) -> Any | None:
        """The member of a suite on this benchmark, or None."""
        suite = self.suites.get(suite_id)
        if suite is None:
            return None
        return next((m for m in suite.members if self.benchmark_index.resolve(m.benchmark) == benchmark_id), None)

    def other_metrics(self, benchmark_id: str, metric_id: str) -> str:
        """What a warning about a defaulted metric says: the benchmark's other metrics, and which
        suites use which (``acc_norm (the Open LLM Leaderboard v1 uses it)``)."""
        benchmark = self.benchmarks[benchmark_id]
        parts = []
        for other in benchmark.metrics:
            if other == metric_id:
                continue
            users = [s.name for s in self.suites.values() for m in s.members
                     if self.benchmark_index.resolve(m.benchmark) == benchmark_id and m.metric == other]
            named = sorted(set(users))
            parts.append(other + (f" ({' and '.join(named)} use{'s' if len(named) == 1 else ''} it)" if named else ""))
        return ", ".join(parts)

    def peak_flops(self, hardware: str | None) -> float | None:
        """Peak FLOP/s of one chip of ``hardware`` (free text such as 'A100 40GB'), if known."""
        if not hardware:
            return None
        found = self.hardware_index.resolve(hardware)
        return float(self.hardware[found].peak_flops) if found else None


def _index(what: str, items: Iterable[Any]) -> NameIndex:
    index = NameIndex(what)
    for item in items:
        index.add(item.id, item.name, *item.aliases)
    return index


@cache
def _shipped() -> Registry:
    docs = []
    for section in SECTIONS:
        text = resources.files(__package__).joinpath(f"{section}.yaml").read_text(encoding="utf-8")
        doc, problems = parse_yaml(text, f"benchtables/registry/{section}.yaml")
        if doc is None or problems:
            raise RuntimeError(f"the shipped registry is broken: {problems}")  # a packaging bug, not user input
        docs.append(doc)
    registry, _ = Registry.from_documents(docs, trusted=True)
    return registry
