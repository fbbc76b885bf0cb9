"""Rankings across benchmarks: a suite's mean and HELM-style mean win rate.

A suite (shipped as data, e.g. ``open-llm-v1``) names (benchmark, metric, setting) members.
A model's suite score is the mean of its member scores; its *mean win rate* is, averaged
over members, the share of the other ranked models it beats on that member (ties count
half), as HELM reports it. Only models with every member are ranked unless asked; then the
row says how many members it has.

Sources often state a suite's average themselves (the Open LLM Leaderboard average a paper
quotes). That number is shown beside the computed mean (``reported``), and a model that has
only the reported average is ranked by it, marked ``basis = reported``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from benchtables.errors import EmptyResultError, UsageError
from benchtables.schemas import SuiteMember
from benchtables.store import Store
from benchtables.tables.leaderboard import competition_rank, model_columns
from benchtables.tables.select import ScoreView, Setting

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["mean_win_rate", "suite_leaderboard"]


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


def _member_label(view: ScoreView, member: SuiteMember, full: bool = False) -> str:
    """``ARC-Challenge (25-shot)`` for a column; with ``full``, metric and every setting for the notes."""
    b, m = view.target(member.benchmark, member.metric)
    if not full:
        shots = Setting(member.n_shot).label()
        return f"{b.name} ({shots})" if shots else b.name
    setting = Setting(member.n_shot, member.setting, member.split, member.subset).label()
    label = f"{b.name} {m.name}"
    return f"{label} ({setting})" if setting else label


def _member_values(view: ScoreView, member: SuiteMember, prefer: str, include_baselines: bool) -> pd.Series:
    import pandas as pd

    requested = {"n_shot": member.n_shot, "setting": member.setting, "split": member.split, "subset": member.subset}
    try:
        selection = view.select(member.benchmark, member.metric, requested=requested, prefer=prefer,
                                include_baselines=include_baselines, exact=True)
    except EmptyResultError:
        return pd.Series(dtype=float)
    table = selection.rows.select(["model", "value"]).to_pydict()
    return pd.Series(table["value"], index=table["model"], dtype=float)


def suite_leaderboard(suite: str, *, prefer: str = "original", top: int | None = None, require_all: bool = True,
                      columns: Sequence[str] = (), include_baselines: bool = False, allow_empty: bool = False,
                      store: Path | str | Store | None = None) -> pd.DataFrame:
    """Rank models by a suite's mean; see the module docstring for the rules."""
    import pandas as pd

    if columns:
        raise UsageError("extra columns are not available for suite rankings")
    view = ScoreView.open(store)
    spec = view.registry.suite(suite)
    members = spec.members
    labels = [_member_label(view, m) for m in members]
    matrix = pd.DataFrame({label: _member_values(view, m, prefer, include_baselines)
                           for label, m in zip(labels, members, strict=True)})
    directions = [view.target(m.benchmark, m.metric)[1].higher_is_better for m in members]
    counts = matrix.notna().sum(axis=1)
    complete = counts == len(members)
    reported = pd.Series(dtype=float)
    if spec.reported_as is not None:
        reported = _member_values(view, spec.reported_as, prefer, include_baselines)
    index = sorted(set(matrix.index[complete if require_all else counts > 0]) | set(reported.index))
    matrix = matrix.reindex(index)
    counts = counts.reindex(index).fillna(0).astype(int)
    computed = matrix.mean(axis=1, skipna=True).where(counts == len(members) if require_all else counts > 0)
    reported = reported.reindex(index)
    if not index:
        if allow_empty:
            df = pd.DataFrame(columns=["rank", "model", "name", "value"])
            df.attrs.update(caption=f"{spec.name}: no model has all {len(members)} members", notes=[])
            return df
        raise EmptyResultError(f"no model has every member of suite {spec.id!r} ({', '.join(labels)}), "
                               "and no source reports its average; pass require_all=False (--partial) to rank partial rows")
    use_computed = computed.notna() & ((counts == len(members)) | reported.isna())
    ranked_on_members = counts == len(members) if require_all else counts > 0
    value = computed.where(use_computed, reported)
    models = model_columns(view).reindex(index)
    df = pd.DataFrame({
        "model": index,
        "name": models["name"].to_numpy(),
        "organization": models["organization"].to_numpy(),
        "parameters": models["parameters"].to_numpy(dtype=float),
        "value": value.to_numpy(dtype=float),
        "win_rate": (mean_win_rate(matrix[ranked_on_members], directions).reindex(index) * 100).to_numpy(dtype=float),
        "members": [f"{c}/{len(members)}" for c in counts],
        "reported": reported.to_numpy(dtype=float),
        "basis": ["computed" if u else "reported" for u in use_computed],
    })
    for label in labels:
        df[label] = matrix[label].to_numpy(dtype=float)
    df.insert(0, "rank", competition_rank(df["value"], True))
    df = df.sort_values(["rank", "model"], kind="stable").reset_index(drop=True)
    if top is not None:
        df = df[df["rank"] <= top].reset_index(drop=True)
    disputed = (df["reported"].notna() & df["basis"].eq("computed") & ((df["reported"] - df["value"]).abs() > 0.5))
    described = ", ".join(_member_label(view, m, full=True) for m in members)
    notes = [f"Mean of {described}; win rate as in HELM (share of other models beaten, averaged)."]
    if (df["basis"] == "reported").any():
        notes.append("basis = reported: the source's own average, where member scores are not in the store.")
    if disputed.any():
        notes.append("⚠ the reported average differs from the mean of the member scores by more than 0.5 points.")
    df.attrs.update(
        caption=f"{spec.name} — mean of {len(members)} benchmarks, higher is better",
        notes=notes,
        suite=spec.id,
        units={"value": "percent", "win_rate": "percent", "reported": "percent", "parameters": "parameters",
               **{label: "percent" for label in labels}},
        precision={"value": 2, "reported": 2, "win_rate": 1, **{label: 2 for label in labels}},
        labels={"rank": "#", "name": "Model", "organization": "Organization", "parameters": "Params",
                "value": "Average", "win_rate": "Win rate", "members": "Members", "reported": "Reported",
                "basis": "Basis"},
        best={"value": list(df.index[df["rank"] == 1]), "win_rate": list(df.index[df["win_rate"] == df["win_rate"].max()])},
        flagged={"reported": list(df.index[disputed])},
        hidden=["model"],
    )
    return df
