"""Comparison tables: models × benchmarks, each column one metric in one setting."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchtables.errors import EmptyResultError, UsageError
from benchtables.store import Store
from benchtables.tables.leaderboard import model_columns
from benchtables.tables.select import SETTING_COLUMNS, ScoreView, Setting

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
            include_baselines: bool = False, store: Path | str | Store | None = None) -> pd.DataFrame:
    """A models × benchmarks table.

    Args:
        models: model ids or aliases, in the row order wanted; ``None`` for every model with
            a score in any of the columns.
        benchmarks: column specs (see :func:`parse_column`). A column whose setting is not
            given takes the setting that covers the most of these models.
        prefer: which report to show when several sources report a model (see :func:`leaderboard`).

    Returns:
        One row per model (``model``, ``name``, then one column per benchmark headed
        ``MMLU (5-shot)``); missing cells are NaN. ``attrs["best"]`` marks each column's
        best cell, in the metric's direction.
    """
    import pandas as pd

    if not benchmarks:
        raise UsageError("name at least one benchmark to compare")
    view = ScoreView.open(store)
    ids = view.resolve_models(models) if models is not None else None
    columns: dict[str, pd.Series] = {}
    units: dict[str, str] = {}
    best: dict[str, list[Any]] = {}
    directions: dict[str, bool] = {}
    cell_sources: dict[tuple[str, str], str] = {}
    notes: list[str] = []
    for raw in benchmarks:
        spec = parse_column(raw)
        requested = {k: spec.get(k) for k in SETTING_COLUMNS}
        b, m = view.target(spec["benchmark"], spec.get("metric"))
        try:
            selection = view.select(b.id, m.id, requested=requested, prefer=prefer, models=ids,
                                    include_baselines=include_baselines)
        except EmptyResultError as exc:
            label = b.name + ("" if m.id == b.primary else f" {m.name}")
            notes.append(f"{label}: {exc}")
            columns[label] = pd.Series(dtype=float)
            units[label] = m.unit
            continue
        setting = selection.setting or Setting()
        label = b.name + ("" if m.id == b.primary else f" {m.name}")
        if setting.label():
            label += f" ({setting.label()})"
        if label in columns:
            raise UsageError(f"column {label!r} is asked for twice")
        chosen = selection.rows.select(["model", "value", "source"]).to_pydict()
        columns[label] = pd.Series(chosen["value"], index=chosen["model"], dtype=float)
        for model, source in zip(chosen["model"], chosen["source"], strict=True):
            cell_sources[(model, label)] = source
        units[label] = m.unit
        directions[label] = m.higher_is_better
    index = ids if ids is not None else sorted(set().union(*(s.index for s in columns.values())))
    if not index:
        raise EmptyResultError("none of these benchmarks has scores in the store")
    table = pd.DataFrame({label: series.reindex(index) for label, series in columns.items()})
    info = model_columns(view).reindex(index)
    df = pd.concat([pd.DataFrame({"model": index, "name": info["name"].to_numpy()}), table.reset_index(drop=True)], axis=1)
    for label, higher in directions.items():
        values = df[label]
        if values.notna().any():
            target = values.max() if higher else values.min()
            best[label] = list(df.index[values == target])
    positions = {model: i for i, model in enumerate(df["model"])}
    df.attrs.update(
        caption="Comparison of " + ", ".join(columns) + " (best per column in bold)",
        notes=notes,
        units=units,
        labels={"name": "Model"},
        best=best,
        missing="—",
        cell_sources={(positions[m], label): s for (m, label), s in cell_sources.items() if m in positions},
        sources=view.source_info(list(cell_sources.values())),
        hidden=["model"],
    )
    return df
