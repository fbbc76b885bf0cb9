"""benchtables: keep the numbers ML papers report honest and usable.

::

    import benchtables as bt
    scores = bt.load("scores")                  # pandas DataFrame, typed columns
    report = bt.validate(["data/entries/new.yaml"])
    print(report.ok, [p.format() for p in report])

The public names below are imported on first use, so ``import benchtables`` is cheap and
commands load only what they need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # capture and store
    "BuildResult": "benchtables.builder",
    "build": "benchtables.builder",
    "load": "benchtables.frames",
    "to_pandas": "benchtables.frames",
    "Store": "benchtables.store",
    "validate": "benchtables.validation.api",
    "validate_records": "benchtables.validation.api",
    "RecordsResult": "benchtables.validation.api",
    "Problem": "benchtables.problems",
    "Report": "benchtables.problems",
    "Severity": "benchtables.problems",
    "Registry": "benchtables.registry",
    "Kind": "benchtables.units",
    "Quantity": "benchtables.units",
    "format_count": "benchtables.units",
    "parse_quantity": "benchtables.units",
    # schemas
    "Benchmark": "benchtables.schemas",
    "EntryFile": "benchtables.schemas",
    "Metric": "benchtables.schemas",
    "Model": "benchtables.schemas",
    "Sampling": "benchtables.schemas",
    "Score": "benchtables.schemas",
    "Source": "benchtables.schemas",
    "Suite": "benchtables.schemas",
    "Training": "benchtables.schemas",
    "Utilization": "benchtables.schemas",
    # tables
    "ModelFilter": "benchtables.tables",
    "SourceInfo": "benchtables.tables",
    "TableView": "benchtables.tables",
    "add_derived": "benchtables.tables",
    "compare": "benchtables.tables",
    "leaderboard": "benchtables.tables",
    "pareto": "benchtables.tables",
    "sota": "benchtables.tables.sota",
    "suite_leaderboard": "benchtables.tables",
    # rendering
    "render": "benchtables.rendering",
    "to_csv": "benchtables.rendering",
    "to_html": "benchtables.rendering",
    "to_json": "benchtables.rendering",
    "to_latex": "benchtables.rendering",
    "to_markdown": "benchtables.rendering",
    # repositories and other tools
    "diff_stores": "benchtables.diff",
    "entry_schema": "benchtables.schemas",
    "export_bibtex": "benchtables.export",
    "export_every_eval_ever": "benchtables.export",
    "export_hf_eval_results": "benchtables.export",
    "export_model_index": "benchtables.export",
    "export_table": "benchtables.export",
    "import_files": "benchtables.importers",
    "init_project": "benchtables.scaffold",
    "write_entries": "benchtables.importers",
    # errors
    "BenchtablesError": "benchtables.errors",
    "EmptyResultError": "benchtables.errors",
    "FormatError": "benchtables.errors",
    "MissingDependencyError": "benchtables.errors",
    "QuantityError": "benchtables.errors",
    "RenderError": "benchtables.errors",
    "StoreCorruptError": "benchtables.errors",
    "StoreError": "benchtables.errors",
    "StoreNotFoundError": "benchtables.errors",
    "StoreVersionError": "benchtables.errors",
    "StoreWriteError": "benchtables.errors",
    "UnknownIdError": "benchtables.errors",
    "UsageError": "benchtables.errors",
    "ValidationFailed": "benchtables.errors",
    "WriteError": "benchtables.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'benchtables' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return [*__all__, "__version__"]


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from benchtables.builder import BuildResult, build
    from benchtables.diff import diff_stores
    from benchtables.errors import (
        BenchtablesError,
        EmptyResultError,
        FormatError,
        MissingDependencyError,
        QuantityError,
        RenderError,
        StoreCorruptError,
        StoreError,
        StoreNotFoundError,
        StoreVersionError,
        StoreWriteError,
        UnknownIdError,
        UsageError,
        ValidationFailed,
        WriteError,
    )
    from benchtables.export import (
        export_bibtex,
        export_every_eval_ever,
        export_hf_eval_results,
        export_model_index,
        export_table,
    )
    from benchtables.frames import load, to_pandas
    from benchtables.importers import import_files, write_entries
    from benchtables.problems import Problem, Report, Severity
    from benchtables.registry import Registry
    from benchtables.rendering import render, to_csv, to_html, to_json, to_latex, to_markdown
    from benchtables.scaffold import init_project
    from benchtables.schemas import (
        Benchmark,
        EntryFile,
        Metric,
        Model,
        Sampling,
        Score,
        Source,
        Suite,
        Training,
        Utilization,
        entry_schema,
    )
    from benchtables.store import Store
    from benchtables.tables import ModelFilter, SourceInfo, TableView, add_derived, suite_leaderboard
    from benchtables.tables.compare import compare  # via benchtables.tables, mypy takes these for their modules
    from benchtables.tables.leaderboard import leaderboard
    from benchtables.tables.pareto import pareto
    from benchtables.tables.sota import sota
    from benchtables.units import Kind, Quantity, format_count, parse_quantity
    from benchtables.validation.api import RecordsResult, validate, validate_records
