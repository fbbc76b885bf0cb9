"""Rankings across benchmarks: a suite's mean and HELM-style mean win rate.

A suite (shipped as data, e.g. ``open-llm-v1``) names (benchmark, metric, setting) members;
a member that names no split is on its benchmark's standard split, like any score. A model's
suite score is the mean of its member scores; its *mean win rate* is, averaged over members,
the share of the other ranked models it beats on that member (ties count half), as HELM
reports it. Only models with every member are ranked unless asked (``require_all=False``);
then the row says how many members it has. A model with a number for a member's benchmark in
another setting (``acc`` where the suite uses ``acc_norm``) is named in the notes, not counted.

Sources often state a suite's average themselves (the Open LLM Leaderboard average a paper
quotes). That number is shown beside the computed mean (``reported``), and a model that has
only the reported average is ranked by it, marked ``basis = reported``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchtables.errors import EmptyResultError, UsageError
from benchtables.store import Store
from benchtables.tables.leaderboard import model_columns
from benchtables.tables.ranks import competition_rank
from benchtables.tables.select import ModelFilter, ScoreView, Setting
from benchtables.tables.view import TableView

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["mean_win_rate", "member_setting", "suite_leaderboard"]


def mean_win_rate(matrix: pd.DataFrame, higher_is_better: Sequence[bool]) -> pd.Series:
    """HELM's mean win rate: per column, the share of other rows beaten (ties half); then the row mean.

    Missing cells are left out of both the comparison and the mean.
    """
    import pandas as pd

    rates = []
    for column, higher in zip(matrix.columns, higher_is_better, strict=True):
        values = matrix[column]
        present = values.notna()
        n = int(present.sum())
        if n < 2:
            rates.append(pd.Series(float("nan"), index=matrix.index))
            continue
        ranks = values[present].rank(method="average", ascending=higher)  # 1 = worst
        rates.append(((ranks - 1) / (n - 1)).reindex(matrix.index))
    return pd.concat(rates, axis=1).mean(axis=1, skipna=True)


def member_setting(view: ScoreView, member: Any) -> tuple[Any, Any, Setting]:
    """A suite member's benchmark, metric and setting (its split: the benchmark's standard one if unsaid)."""
    b, m = view.target(member.benchmark, member.metric)
    from benchtables.spec import TextForm, normalize_text

    setting = normalize_text(member.setting, TextForm.SETTING) if member.setting else None
    return b, m, Setting(member.n_shot, setting, member.split or b.split, member.subset)


def _label(view: ScoreView, member: Any, full: bool = False) -> str:
    """``ARC-Challenge (25-shot)`` for a column; with ``full``, metric and every setting for the notes."""
    b, m, setting = member_setting(view, member)
    if not full:
        shots = Setting(member.n_shot).label()
        return f"{b.name} ({shots})" if shots else b.name
    label = f"{b.name} {m.name}"
    described = setting.label(b.split)
    return f"{label} ({described})" if described else label


def _member_values(view: ScoreView, member: Any, prefer: str, include_baselines: bool,
                   filters: ModelFilter | None) -> pd.Series:
    import pandas as pd

    b, m, setting = member_setting(view, member)
    requested = {"n_shot": setting.n_shot, "setting": setting.setting, "split": setting.split,
                 "subset": setting.subset}
    try:
        selection = view.select(b.id, m.id, requested=requested, prefer=prefer, include_baselines=include_baselines,
                                exact=True, filters=filters)
    except EmptyResultError:
        return pd.Series(dtype=float)
    table = selection.rows.select(["model", "value"]).to_pydict()
    return pd.Series(table["value"], index=table["model"], dtype=float)


def suite_leaderboard(suite: str, *, prefer: str = "original", top: int | None = None, require_all: bool = True,
                      columns: Sequence[str] = (), include_baselines: bool = False, filters: ModelFilter | None = None,
                      allow_empty: bool = False, store: Path | str | Store | None = None) -> TableView:
    """Rank models by a suite's mean; see the module docstring for the rules."""
    import pandas as pd

    if columns:
        raise UsageError("extra columns are not available for suite rankings")
    view = ScoreView.open(store)
    spec = view.registry.suite(suite)
    members = spec.members
    labels = [_label(view, m) for m in members]
    matrix = pd.DataFrame({label: _member_values(view, m, prefer, include_baselines, filters)
                           for label, m in zip(labels, members, strict=True)})
    directions = [view.target(m.benchmark, m.metric)[1].higher_is_better for m in members]
    counts = matrix.notna().sum(axis=1)
    reported = pd.Series(dtype=float)
    if spec.reported_as is not None:
        reported = _member_values(view, spec.reported_as, prefer, include_baselines, filters)
    eligible = counts == len(members) if require_all else counts > 0
    index = sorted(set(matrix.index[eligible]) | set(reported.index))
    if not index:
        if allow_empty:
            return TableView(pd.DataFrame(columns=["rank", "name", "value"]),
                             caption=f"{spec.name}: no model has all {len(members)} members")
        raise EmptyResultError(f"no model has every member of suite {spec.id!r} ({', '.join(labels)}), and no source "
                               "reports its average; rank models with some members with {partial}",
                               options={"partial": ("require_all=False", "--partial")})
    matrix = matrix.reindex(index)
    counts = counts.reindex(index).fillna(0).astype(int)
    complete = counts == len(members)
    ranked_on_members = complete if require_all else counts > 0
    computed = matrix.mean(axis=1, skipna=True).where(ranked_on_members)
    reported = reported.reindex(index)
    use_computed = computed.notna() & (complete | reported.isna())
    value = computed.where(use_computed, reported)
    # a mean of every member, or the source's own average, ranks before a mean of some members:
    # those rank after, by how many members they have, then by value
    whole = (complete | ~use_computed).to_numpy(dtype=bool)
    order_key = np.where(whole, 0, len(members) + 1 - counts.to_numpy()) * 1e6 - value.to_numpy(dtype=float)
    models = model_columns(view).reindex(index)
    frame = pd.DataFrame({
        "rank": competition_rank(order_key, False),
        "model": index,
        "name": models["name"].to_numpy(dtype=object),
        "organization": models["organization"].to_numpy(dtype=object),
        "parameters": models["parameters"].to_numpy(dtype=float),
        "value": value.to_numpy(dtype=float),
        "win_rate": (mean_win_rate(matrix[ranked_on_members], directions).reindex(index) * 100).to_numpy(dtype=float),
        "members": [f"{c}/{len(members)}" for c in counts],
        "reported": reported.to_numpy(dtype=float),
        "basis": ["computed" if u else "reported" for u in use_computed],
    })
    for label in labels:
        frame[label] = matrix[label].to_numpy(dtype=float)
    frame = frame.sort_values(["rank", "model"], kind="stable").reset_index(drop=True)
    if top is not None:
        frame = frame[frame["rank"] <= top].reset_index(drop=True)
    disputed = frame["reported"].notna() & frame["basis"].eq("computed") & ((frame["reported"] - frame["value"]).abs() > 0.5)
    described = ", ".join(_label(view, m, full=True) for m in members)
    notes = [f"Mean of {described}; win rate as in HELM (share of other models beaten, averaged)."]
    if spec.id == "open-llm-v2":
        notes.append("Normalised scores: each raw score rescaled so that random guessing is 0 and a perfect score 100.")
    if (frame["basis"] == "reported").any():
        notes.append("basis = reported: the source's own average, where member scores are not in the store.")
    if not frame.empty and (frame["members"] != f"{len(members)}/{len(members)}").where(frame["basis"] == "computed",
                                                                                        False).any():
        notes.append("Rows with some members only rank after the complete ones, by how many members they have: "
                     "their average is not comparable with a mean of all members.")
    if disputed.any():
        notes.append("⚠ the reported average differs from the mean of the member scores by more than 0.5 points.")
    notes += _near_misses(view, members, labels, frame, matrix)
    positions = np.arange(len(frame))
    return TableView(
        frame, caption=f"{spec.name} — mean of {len(members)} benchmarks, higher is better", notes=notes,
        units={"value": "percent", "win_rate": "percent", "reported": "percent", "parameters": "parameters",
               **{label: "percent" for label in labels}},
        precision={"value": 2, "reported": 2, "win_rate": 1, **{label: 2 for label in labels}},
        labels={"rank": "#", "name": "Model", "organization": "Organization", "parameters": "Params",
                "value": "Average", "win_rate": "Win rate", "members": "Members", "reported": "Reported",
                "basis": "Basis"},
        best={"value": set(positions[frame["rank"].to_numpy() == 1].tolist()),
              "win_rate": set(positions[(frame["win_rate"] == frame["win_rate"].max()).to_numpy()].tolist())},
        flagged={"reported": set(positions[disputed.to_numpy()].tolist())},
        hidden={"model"}, meta={"suite": spec.id})


def _near_misses(view: ScoreView, members: Sequence[Any], labels: Sequence[str], frame: pd.DataFrame,
                 matrix: pd.DataFrame) -> list[str]:
    """Notes on models that have a member's benchmark in another setting or metric (not counted)."""
    notes = []
    shown = list(frame["model"])
    names = dict(zip(frame["model"], frame["name"], strict=True))
    for member, label in zip(members, labels, strict=True):
        b, m, setting = member_setting(view, member)
        missing = [model for model in shown if model in matrix.index and np.isnan(matrix.loc[model, label])]
        near = view.near_misses(b, m, setting, missing)
        wanted = setting.label(b.split) or "as the suite runs it"
        for model, what in sorted(near.items()):
            notes.append(f"{names.get(model) or model} has {b.name} as {what}, not {m.id} ({wanted}): not counted.")
    return notes
