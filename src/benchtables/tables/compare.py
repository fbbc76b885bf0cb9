"""Comparison tables: models × benchmarks, each column one metric in one setting."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchtables.errors import EmptyResultError, UsageError
from benchtables.store import Store
from benchtables.tables.leaderboard import model_columns
from benchtables.tables.select import SETTING_COLUMNS, ModelFilter, ScoreView, Setting
from benchtables.tables.view import TableView

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["compare", "parse_column"]

_SPEC = re.compile(r"^(?P<benchmark>[^/@]+)(?:/(?P<metric>[^@]+))?(?:@(?P<n_shot>\d+))?$")


def parse_column(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """A column spec: ``"mmlu"``, ``"mmlu@5"`` (5-shot), ``"hellaswag/acc_norm@10"``, or a mapping
    with benchmark, metric, n_shot, setting, split, subset."""
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"benchmark", "metric", *SETTING_COLUMNS}
        if unknown or "benchmark" not in spec:
            raise UsageError(f"a column is a benchmark with optional metric and setting, not {dict(spec)!r}")
        return dict(spec)
    m = _SPEC.match(spec.strip())
    if not m:
        raise UsageError(f"cannot read column {spec!r}: write BENCHMARK[/METRIC][@N_SHOT], e.g. hellaswag/acc_norm@10")
    return {"benchmark": m["benchmark"], "metric": m["metric"],
            "n_shot": int(m["n_shot"]) if m["n_shot"] is not None else None}


def compare(models: Sequence[str] | None, benchmarks: Sequence[str | Mapping[str, Any]], *, prefer: str = "original",
            include_baselines: bool = False, filters: ModelFilter | None = None, top: int | None = None,
            store: Path | str | Store | None = None) -> TableView:
    """A models × benchmarks table.

    Args:
        models: model ids or aliases, in the row order wanted; ``None`` for every model with
            a score in any of the columns.
        benchmarks: column specs (see :func:`parse_column`), or a suite's members. A column
            whose setting is not given takes the setting that covers the most of these models;
            a split not given is the benchmark's standard split.
        prefer: which report to show when several sources report a model (see :func:`leaderboard`).
        filters: which models to show (size, organisation, weights, release date, kind).
        top: show the first ``top`` models.

    Returns:
        A view with one row per model (``model``, ``name``, then one column per benchmark headed
        ``MMLU (5-shot)``); missing cells are empty, and a note names numbers a model has for
        that benchmark in another setting. Each column's best cell is bold.
    """
    import pandas as pd

    if not benchmarks:
        raise UsageError("name at least one benchmark to compare")
    view = ScoreView.open(store)
    ids = view.resolve_models(models) if models is not None else None
    columns: dict[str, pd.Series] = {}
    units: dict[str, str] = {}
    directions: dict[str, bool] = {}
    cell_sources: dict[tuple[str, str], str] = {}
    settings: dict[str, tuple[Any, Any, Setting]] = {}
    notes: list[str] = []
    for raw in benchmarks:
        spec = parse_column(raw)
        b, m = view.target(spec["benchmark"], spec.get("metric"))
        requested: dict[str, Any] = {k: spec.get(k) for k in SETTING_COLUMNS if k != "partial"}
        if isinstance(raw, Mapping) and requested.get("split") is None:
            requested["split"] = b.split
        label = b.name + ("" if m.id == b.primary else f" {m.name}")
        try:
            selection = view.select(b.id, m.id, requested=requested, prefer=prefer, models=ids,
                                    include_baselines=include_baselines, filters=filters, exact=isinstance(raw, Mapping))
        except EmptyResultError as exc:
            notes.append(f"{label}: {exc.for_cli()}")
            columns[label] = pd.Series(dtype=float)
            units[label] = m.unit
            settings[label] = (b, m, Setting(**{k: v for k, v in requested.items() if k in ("n_shot", "setting",
                                                                                               "split", "subset")}))
            continue
        setting = selection.setting or Setting()
        if setting.label(b.split):
            label += f" ({setting.label(b.split)})"
        if label in columns:
            raise UsageError(f"column {label!r} is asked for twice")
        chosen = selection.rows.select(["model", "value", "source"]).to_pydict()
        columns[label] = pd.Series(chosen["value"], index=chosen["model"], dtype=float)
        for model, source in zip(chosen["model"], chosen["source"], strict=True):
            cell_sources[(model, label)] = source
        units[label] = m.unit
        directions[label] = m.higher_is_better
        settings[label] = (b, m, setting)
    index = ids if ids is not None else sorted(set().union(*(s.index for s in columns.values())))
    if not index:
        raise EmptyResultError("none of these benchmarks has scores in the store")
    table = pd.DataFrame({label: series.reindex(index) for label, series in columns.items()})
    info = model_columns(view).reindex(index)
    frame = pd.concat([pd.DataFrame({"model": index, "name": info["name"].to_numpy(dtype=object)}),
                       table.reset_index(drop=True)], axis=1)
    if top is not None:
        frame = frame.head(top)
    best: dict[str, set[int]] = {}
    for label, higher in directions.items():
        values = frame[label]
        if values.notna().any():
            target = values.max() if higher else values.min()
            best[label] = set(np.flatnonzero((values == target).to_numpy()).tolist())
    positions = {model: i for i, model in enumerate(frame["model"])}
    names = dict(zip(frame["model"], frame["name"], strict=True))
    for label, (b, m, setting) in settings.items():
        missing = [model for model in frame["model"] if np.isnan(frame.loc[positions[model], label])]
        for model, what in sorted(view.near_misses(b, m, setting, missing).items()):
            notes.append(f"{names.get(model) or model} has {b.name} as {what}: not the column's {m.id} "
                         f"({setting.label(b.split) or 'no setting stated'}), not shown.")
    return TableView(
        frame, caption="Comparison of " + ", ".join(columns) + " (best per column in bold)", notes=notes,
        labels={"name": "Model"}, units=units, best=best, missing="—",
        cell_sources={(positions[m], label): s for (m, label), s in cell_sources.items() if m in positions},
        sources=view.source_info(list(cell_sources.values())), hidden={"model"},
        meta={"columns": list(columns)})
