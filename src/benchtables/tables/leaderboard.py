"""Leaderboards: comparable numbers, one row per model, ranked in the metric's direction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchtables.errors import EmptyResultError, UsageError
from benchtables.store import Store
from benchtables.tables.ranks import competition_rank, group_rank, intervals
from benchtables.tables.select import ModelFilter, ScoreView, Selection, setting_labels
from benchtables.tables.view import TableView

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LABELS", "leaderboard", "model_columns"]

LABELS = {"rank": "#", "group": "Group", "name": "Model", "organization": "Organization", "parameters": "Params",
          "stderr": "± stderr", "ci_low": "95% CI low", "ci_high": "95% CI high", "setting": "Setting",
          "source": "Source", "reports": "Reports", "spread": "Spread", "where": "Where", "quote": "Quote",
          "notes": "Notes", "estimated": "Estimated", "first_party": "First party", "released": "Released",
          "kind": "Kind", "introduced_by": "Introduced by", "n_samples": "Samples", "open_weights": "Open weights"}
#: Other settings named under a leaderboard (per-subject MMLU has hundreds).
OTHER_SETTINGS_SHOWN = 8
RECORD_EXTRAS = ("where", "quote", "notes", "estimated", "first_party", "split", "subset", "n_shot", "file",
                 "n_samples")
MODEL_EXTRAS = ("kind", "released", "introduced_by", "active_parameters", "aliases", "open_weights")
RANK_BY = ("value", "lower")


def model_columns(view: ScoreView) -> pd.DataFrame:
    """Models indexed by id: name, organization, parameters and their qualifiers."""
    from benchtables.frames import to_pandas

    return to_pandas(view.models()).set_index("id")


def leaderboard(
    benchmark: str | None = None,
    metric: str | None = None,
    n_shot: int | None = None,
    setting: str | None = None,
    split: str | None = None,
    subset: str | None = None,
    prefer: str = "original",
    top: int | None = None,
    *,
    suite: str | None = None,
    mix_settings: bool = False,
    include_baselines: bool = False,
    include_partial: bool = False,
    tolerance: float | None = None,
    columns: Sequence[str] = (),
    require_all: bool = True,
    rank_by: str = "value",
    filters: ModelFilter | None = None,
    allow_empty: bool = False,
    store: Path | str | Store | None = None,
) -> TableView:
    """Rank models on one benchmark (or on a suite of benchmarks).

    Args:
        benchmark: benchmark id or alias (``"mmlu"``, ``"MMLU"``).
        metric: metric id (default: the benchmark's primary metric).
        n_shot, setting, split: the setting to rank. Any left out is chosen: the setting with
            the most models wins, and the caption says which. A split left out is the
            benchmark's standard split when its scores are on it.
        subset: rank one subset (MMLU humanities) instead of the whole benchmark.
        prefer: which report to show when several sources report a model: ``original``
            (the introducing source, else the newest), ``best`` or ``latest``.
        top: keep ranks up to this one (ties at the boundary stay).
        suite: rank by a suite's mean instead (e.g. ``"open-llm-v1"``); see :func:`suite_leaderboard`.
        mix_settings: rank across settings of the whole benchmark; each row shows its own.
        include_baselines: keep reference rows such as random chance or human raters.
        include_partial: rank runs on part of the benchmark too (in a setting of their own).
        tolerance: spread between sources to flag, in the metric's unit (default: more than
            rounding to the written precision explains).
        columns: extra columns: from the score record (where, quote, estimated, …) or the
            model (released, kind, …).
        require_all: for suites, rank only models with every member.
        rank_by: ``value``, or ``lower``: the pessimistic end of each model's 95% interval.
        filters: which models to rank (size, organisation, weights, release date, kind).
        allow_empty: return an empty table instead of raising when nothing matches.
        store: the store to read (default: see :func:`benchtables.load`).

    Returns:
        A :class:`~benchtables.tables.view.TableView`: rank, group (where uncertainty is
        known; see :mod:`benchtables.tables.ranks`), model, name, organization, parameters,
        value, stderr, source, reports (how many sources reported the model), spread, plus
        ``columns``.

    Raises:
        UnknownIdError: unknown benchmark, metric or suite (with did-you-mean).
        EmptyResultError: nothing to rank (the message lists the settings that exist).
    """
    if rank_by not in RANK_BY:
        raise UsageError(f"rank_by must be one of {', '.join(RANK_BY)}, not {rank_by!r}")
    if suite is not None:
        if benchmark is not None:
            raise UsageError("give a benchmark or a suite, not both")
        from benchtables.tables.suites import suite_leaderboard

        return suite_leaderboard(suite, prefer=prefer, top=top, require_all=require_all, columns=columns,
                                 include_baselines=include_baselines, filters=filters, allow_empty=allow_empty,
                                 store=store)
    if benchmark is None:
        raise UsageError("name a benchmark (or a suite)")
    view = ScoreView.open(store)
    requested = {"n_shot": n_shot, "setting": setting, "split": split, "subset": subset}
    try:
        selection = view.select(benchmark, metric, requested=requested, prefer=prefer, mix_settings=mix_settings,
                                include_baselines=include_baselines, include_partial=include_partial,
                                columns=[c for c in columns if c in RECORD_EXTRAS], filters=filters,
                                tolerance=tolerance)
    except EmptyResultError:
        if not allow_empty:
            raise
        b, m = view.target(benchmark, metric)
        return _empty(b.name, m.name)
    return _view(selection, view, top=top, columns=columns, rank_by=rank_by)


def _empty(benchmark: str, metric: str) -> TableView:
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ("rank", "name", "organization", "parameters", "value",
                                                                  "source")})
    return TableView(frame, caption=f"{benchmark} — {metric}: no scores match", labels={**LABELS, "value": benchmark})


def _floats(column: Any) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=float) if hasattr(column, "to_numpy") else \
        np.asarray(column, dtype=float)


def _view(selection: Selection, view: ScoreView, *, top: int | None, columns: Sequence[str],
          rank_by: str) -> TableView:
    import pandas as pd

    rows = selection.rows
    models = model_columns(view)
    ids = rows["model"].to_pylist()
    info = models.reindex(ids)
    value = _floats(rows["value"])
    stderr = _floats(rows["stderr"])
    ci_low, ci_high = _floats(rows["ci_low"]), _floats(rows["ci_high"])
    low, high = rows["low"].to_pylist(), rows["high"].to_pylist()
    higher = selection.higher_is_better
    low_end, high_end, known = intervals(value, stderr, ci_low, ci_high)
    ranked_on = value if rank_by == "value" else (low_end if higher else high_end)
    frame = pd.DataFrame({
        "rank": competition_rank(ranked_on, higher),
        "group": group_rank(low_end, high_end, higher) if known.any() else np.zeros(len(ids), np.int64),
        "model": ids,
        "name": info["name"].to_numpy(dtype=object),
        "organization": info["organization"].to_numpy(dtype=object),
        "parameters": info["parameters"].to_numpy(dtype=float),
        "value": value,
        "stderr": stderr,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "setting": setting_labels(rows, selection.benchmark.split),
        "source": rows["source"].to_pylist(),
        "reports": rows["reports"].to_numpy(),
        # a difference of written numbers, without float noise (67.6 - 67.5 is 0.1, not 0.0999999999999943)
        "spread": np.where(np.array(high, dtype=float) != np.array(low, dtype=float),
                           np.round(np.array(high, dtype=float) - np.array(low, dtype=float), 9), np.nan),
    })
    for extra in columns:
        if extra in frame.columns:
            continue
        if extra in rows.column_names and extra in RECORD_EXTRAS:
            frame[extra] = rows[extra].to_pylist()
        elif extra in models.columns and extra in MODEL_EXTRAS:
            frame[extra] = info[extra].to_numpy(dtype=object)
        else:
            raise UsageError(f"unknown column {extra!r}; extra columns: {', '.join(RECORD_EXTRAS + MODEL_EXTRAS)}")
    record_qualifiers = rows["qualifiers"].to_pylist()
    model_qualifiers = [[q for q in (qs if isinstance(qs, list) else []) if q.startswith("parameters")]
                        for qs in info["qualifiers"]]
    qualifiers = [list(a or []) + b for a, b in zip(record_qualifiers, model_qualifiers, strict=True)]
    first_party = [bool(x) for x in rows["first_party"].to_pylist()]
    disputed = np.asarray(rows["disputed"].to_numpy(zero_copy_only=False), dtype=bool)
    order = np.lexsort((np.array(ids, dtype=object).astype(str), frame["rank"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    qualifiers = [qualifiers[i] for i in order]
    first_party = [first_party[i] for i in order]
    disputed = disputed[order]
    keep = len(frame) if top is None else int((frame["rank"] <= top).sum())
    frame, qualifiers, first_party, disputed = frame.head(keep), qualifiers[:keep], first_party[:keep], disputed[:keep]
    hidden = {"model"}
    if selection.setting is not None:
        hidden.add("setting")
    if not known.any():
        hidden |= {"group"}
    for name in ("stderr", "ci_low", "ci_high"):
        if frame[name].isna().all():
            hidden.add(name)
    caption, notes = _describe(selection, view, known, rank_by)
    if disputed.any():
        notes.append("⚠ sources disagree on this model beyond what rounding explains (see spread).")
    b, m, setting = selection.benchmark, selection.metric, selection.setting
    label = f"{b.name}" + ("" if m.id == b.primary else f" {m.name}")
    if setting is not None and setting.label(b.split):
        label += f" ({setting.label(b.split)})"
    return TableView(
        frame, caption=caption, notes=notes,
        labels={**LABELS, "value": label},
        units={"value": m.unit, "stderr": m.unit, "ci_low": m.unit, "ci_high": m.unit, "spread": m.unit,
               "parameters": "parameters"},
        best={"value": set(np.flatnonzero(frame["rank"].to_numpy() == 1).tolist())},
        flagged={"spread": set(np.flatnonzero(disputed).tolist())},
        qualifiers=qualifiers, sources=view.source_info(list(frame["source"])), source_column="source",
        first_party=first_party, hidden=hidden,
        meta={"benchmark": b.id, "metric": m.id, "higher_is_better": m.higher_is_better,
              "setting": None if setting is None else {k: getattr(setting, k) for k in
                                                       ("n_shot", "setting", "split", "subset", "partial")}})


def _describe(selection: Selection, view: ScoreView, known: np.ndarray, rank_by: str) -> tuple[str, list[str]]:
    b, m, setting = selection.benchmark, selection.metric, selection.setting
    direction = "higher is better" if m.higher_is_better else "lower is better"
    unit = f", {m.unit}" if m.unit else ""
    shown = setting.describe(b.split) if setting is not None else "all settings of the whole benchmark"
    caption = f"{b.name} — {m.name}{unit}, {shown}; {direction}"
    if selection.chosen_automatically and setting is not None:
        caption += " (the setting with the most models)"
    notes: list[str] = []
    if selection.filtered is not None:
        notes.append(f"Models: {selection.filtered.describe()}.")
    if b.split and (setting is None or setting.split == b.split):
        notes.append(f"Split: {b.split} (the standard split; numbers that name none are on it).")
    if selection.others:
        listed = "; ".join(f"{s.describe(b.split)} ({n} model{'s' if n != 1 else ''})"
                           for s, n in selection.others[:OTHER_SETTINGS_SHOWN])
        more = len(selection.others) - OTHER_SETTINGS_SHOWN
        listed += f"; and {more} more (mix them with --mix-settings)" if more > 0 else ""
        notes.append(f"Other settings in the store: {listed}.")
    if selection.subsets:
        listed = "; ".join(f"{s} ({n})" for s, n in selection.subsets[:OTHER_SETTINGS_SHOWN])
        more = len(selection.subsets) - OTHER_SETTINGS_SHOWN
        notes.append(f"Subsets, ranked separately (--subset): {listed}" + (f"; and {more} more" if more > 0 else "")
                     + ".")
    if selection.partial:
        notes.append(f"{selection.partial} model{'s' if selection.partial != 1 else ''} with partial runs only "
                     "(on a sample of the benchmark) left out; --include-partial ranks them separately.")
    if known.any():
        rule = "value" if rank_by == "value" else "the lower end of the 95% interval"
        notes.append(f"# ranks by {rule}; group = 1 + the number of models whose 95% interval lies entirely above "
                     "this one's (models that cannot be told apart share a group).")
        if not known.all():
            notes.append("Models without a stderr or interval count as exact in the groups.")
    return caption, notes
