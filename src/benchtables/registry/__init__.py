"""The registry: benchmarks, metrics, suites and hardware that entries may refer to.

The package ships a registry as data (the YAML files beside this module). A leaderboard
repository can add its own in ``data/registry.yaml`` (same sections); an id that clashes
with the shipped registry is an error, not a silent override. Names resolve through
aliases, ignoring case and punctuation, so ``MMLU``, ``mmlu`` and ``Massive Multitask
Language Understanding`` are one benchmark.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from benchtables.errors import UnknownIdError
from benchtables.names import NameIndex
from benchtables.problems import Problem, Severity, pydantic_problems
from benchtables.schemas import Benchmark, Hardware, Metric, Suite
from benchtables.yamlpos import Document, parse_yaml, read_yaml

__all__ = ["Registry"]

SECTIONS: dict[str, type[BaseModel]] = {
    "metrics": Metric,
    "benchmarks": Benchmark,
    "suites": Suite,
    "hardware": Hardware,
}


@dataclass
class Registry:
    """Metrics, benchmarks, suites and hardware, by id."""

    metrics: dict[str, Metric] = field(default_factory=dict)
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    suites: dict[str, Suite] = field(default_factory=dict)
    hardware: dict[str, Hardware] = field(default_factory=dict)

    # ------------------------------------------------------------------ loading

    @classmethod
    def shipped(cls) -> Registry:
        """The registry that comes with the package."""
        return _shipped()

    @classmethod
    def from_documents(cls, docs: Iterable[Document], base: Registry | None = None) -> tuple[Registry, list[Problem]]:
        """Build a registry from parsed YAML documents on top of ``base``."""
        registry = base.copy() if base is not None else cls()
        problems: list[Problem] = []
        for doc in docs:
            problems.extend(registry._add_document(doc, base))
        problems.extend(registry.consistency_problems())
        return registry, problems

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
        problems: list[Problem] = []
        data = doc.data if isinstance(doc.data, Mapping) else {}
        if not isinstance(doc.data, Mapping):
            return [Problem(Severity.ERROR, "registry_shape", "a registry file is a mapping of sections",
                            file=doc.file, line=1, hint=f"sections: {', '.join(SECTIONS)}")]
        for section, items in data.items():
            model = SECTIONS.get(section)
            line, column = doc.position((section,), key=True)
            if model is None:
                problems.append(Problem(Severity.ERROR, "extra_forbidden", f"unknown section {section!r}",
                                        file=doc.file, line=line, column=column, field=section,
                                        hint=f"sections: {', '.join(SECTIONS)}"))
                continue
            target: dict[str, Any] = getattr(self, section)
            for i, item in enumerate(items or []):
                try:
                    obj = model.model_validate(item)
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
        """References inside the registry that do not resolve."""
        out: list[Problem] = []

        def bad(message: str) -> None:
            out.append(Problem(Severity.ERROR, "registry_reference", message))

        for b in self.benchmarks.values():
            for m in b.metrics:
                if m not in self.metrics:
                    bad(f"benchmark {b.id!r} lists unknown metric {m!r}")
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

    def benchmark(self, name: str) -> Benchmark:
        """The benchmark ``name`` (id or alias) stands for; raises UnknownIdError."""
        return self.benchmarks[self.benchmark_index.require(name)]

    def metric(self, name: str) -> Metric:
        return self.metrics[self.metric_index.require(name)]

    def suite(self, name: str) -> Suite:
        return self.suites[self.suite_index.require(name)]

    def resolve_metric_of(self, benchmark_id: str, name: str) -> str | None:
        """The metric id ``name`` stands for among ``benchmark_id``'s metrics, or ``None``."""
        benchmark = self.benchmarks[benchmark_id]
        metric = self.metric_index.resolve(name)
        return metric if metric in benchmark.metrics else None

    def metric_of(self, benchmark_id: str, name: str | None) -> Metric:
        """The metric of a benchmark (its primary when ``name`` is None); raises UnknownIdError."""
        benchmark = self.benchmarks[benchmark_id]
        if name is None:
            return self.metrics[benchmark.primary or benchmark.metrics[0]]
        resolved = self.resolve_metric_of(benchmark_id, name)
        if resolved is None:
            raise UnknownIdError(f"metric of {benchmark.name}", name,
                                 difflib.get_close_matches(name, benchmark.metrics, n=2), benchmark.metrics)
        return self.metrics[resolved]

    def peak_flops(self, hardware: str | None) -> float | None:
        """Peak FLOP/s of one chip of ``hardware`` (free text such as 'A100 40GB'), if known."""
        if not hardware:
            return None
        found = self.hardware_index.resolve(hardware)
        return self.hardware[found].peak_flops if found else None


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
    registry, problems = Registry.from_documents(docs)
    if problems:
        raise RuntimeError("the shipped registry is broken:\n" + "\n".join(p.format() for p in problems))
    return registry
