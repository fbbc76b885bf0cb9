"""Leaderboards: comparable numbers, one row per model, ranked in the metric's direction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from benchtables.errors import EmptyResultError, UsageError
from benchtables.store import Store
from benchtables.tables.select import ScoreView, Selection, setting_labels

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["competition_rank", "leaderboard", "model_columns"]

BASE_COLUMNS = ["rank", "model", "name", "organization", "parameters", "value", "stderr", "setting", "source",
                "reports", "spread"]
LABELS = {"rank": "#", "name": "Model", "organization": "Organization", "parameters": "Params", "stderr": "± stderr",
          "setting": "Setting", "source": "Source", "reports": "Reports", "spread": "Spread", "where": "Where",
          "quote": "Quote", "notes": "Notes", "estimated": "Estimated", "first_party": "First party",
          "released": "Released", "kind": "Kind", "introduced_by": "Introduced by"}
#: Other settings named under a leaderboard (per-subject MMLU has hundreds).
OTHER_SETTINGS_SHOWN = 8
RECORD_EXTRAS = ("where", "quote", "notes", "estimated", "first_party", "split", "subset", "n_shot", "file")
MODEL_EXTRAS = ("kind", "released", "introduced_by", "active_parameters", "aliases")


def competition_rank(values: pd.Series, higher_is_better: bool) -> pd.Series:
    """Ranks with ties sharing the best rank and the next rank skipped: 1, 2, 2, 4."""
    return values.rank(method="min", ascending=not higher_is_better).astype("Int64")


def model_columns(view: ScoreView) -> pd.DataFrame:
    """Models indexed by id: name, organization, parameters and their qualifiers."""
    from benchtables.frames import to_pandas

    models = to_pandas(view.models()).set_index("id")
    return models


def _spread_tolerance(selection: Selection, tolerance: float | None, values: pd.Series) -> pd.Series:
    if tolerance is not None:
        return values * 0 + tolerance
    if selection.metric.is_percent:
        return values * 0 + 0.5
    return values.abs() * 0.01


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
    tolerance: float | None = None,
    columns: Sequence[str] = (),
    require_all: bool = True,
    allow_empty: bool = False,
    store: Path | str | Store | None = None,
) -> pd.DataFrame:
    """Rank models on one benchmark (or on a suite of benchmarks).

    Args:
        benchmark: benchmark id or alias (``"mmlu"``, ``"MMLU"``).
        metric: metric id (default: the benchmark's primary metric).
        n_shot, setting, split, subset: the setting to rank. Any left out is chosen: the
            setting with the most models wins, and the frame says which (``attrs``).
        prefer: which report to show when several sources report a model: ``original``
            (the introducing source, else the newest), ``best`` or ``latest``.
        top: keep ranks up to this one (ties at the boundary stay).
        suite: rank by a suite's mean instead (e.g. ``"open-llm-v1"``); see :func:`suite_leaderboard`.
        mix_settings: rank across settings; each row shows its own.
        include_baselines: keep reference rows such as random chance or human raters.
        tolerance: spread between sources to flag (default 0.5 points for percent metrics,
            else 1% of the value).
        columns: extra columns: from the score record (where, quote, estimated, …) or the
            model (released, kind, …).
        require_all: for suites, rank only models with every member.
        allow_empty: return an empty frame instead of raising when nothing matches.
        store: the store to read (default: see :func:`benchtables.load`).

    Returns:
        A DataFrame with rank, model, name, organization, parameters, value, stderr, setting,
        source, reports (how many sources reported the model), spread (between them), plus
        ``columns``. ``attrs`` carries the caption, the setting, units and footnote sources.

    Raises:
        UnknownIdError: unknown benchmark, metric or suite (with did-you-mean).
        EmptyResultError: nothing to rank (the message lists the settings that exist).
    """
    if suite is not None:
        if benchmark is not None:
            raise UsageError("give a benchmark or a suite, not both")
        from benchtables.tables.suites import suite_leaderboard

        return suite_leaderboard(suite, prefer=prefer, top=top, require_all=require_all, columns=columns,
                                 include_baselines=include_baselines, allow_empty=allow_empty, store=store)
    if benchmark is None:
        raise UsageError("name a benchmark (or a suite)")
    view = ScoreView.open(store)
    requested = {"n_shot": n_shot, "setting": setting, "split": split, "subset": subset}
    try:
        selection = view.select(benchmark, metric, requested=requested, prefer=prefer, mix_settings=mix_settings,
                                include_baselines=include_baselines,
                                columns=[c for c in columns if c in RECORD_EXTRAS])
    except EmptyResultError:
        if not allow_empty:
            raise
        b, m = view.target(benchmark, metric)
        return _empty(b.name, m.name, view)
    return _frame(selection, view, top=top, tolerance=tolerance, columns=columns)


def _empty(benchmark: str, metric: str, view: ScoreView) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame({c: pd.Series(dtype="object") for c in BASE_COLUMNS})
    df.attrs.update(caption=f"{benchmark} — {metric}: no scores match", notes=[], hidden=["model"],
                    labels={**LABELS, "value": benchmark})
    return df


def _frame(selection: Selection, view: ScoreView, *, top: int | None, tolerance: float | None,
           columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    from benchtables.frames import to_pandas

    rows = to_pandas(selection.rows)
    models = model_columns(view)
    info = models.reindex(rows["model"].astype(str))
    df = pd.DataFrame({
        "model": rows["model"].to_numpy(),
        "name": info["name"].to_numpy(),
        "organization": info["organization"].to_numpy(),
        "parameters": info["parameters"].to_numpy(dtype=float),
        "value": rows["value"].to_numpy(dtype=float),
        "stderr": rows["stderr"].to_numpy(dtype=float),
        "setting": setting_labels(selection.rows),
        "source": rows["source"].to_numpy(),
        "reports": rows["reports"].to_numpy(dtype=int),
        "spread": (rows["high"] - rows["low"]).where(rows["high"] != rows["low"]).to_numpy(dtype=float),
    })
    model_qualifiers = [[q for q in (qs if isinstance(qs, list) else []) if q.startswith("parameters")]
                        for qs in info["qualifiers"]]
    df["qualifiers"] = [list(a) + b for a, b in zip(rows["qualifiers"], model_qualifiers, strict=True)]
    df["first_party"] = rows["first_party"].to_numpy(dtype=bool)
    tol = _spread_tolerance(selection, tolerance, df["value"])
    df["disputed"] = (df["spread"].fillna(0) > tol + 1e-9).to_numpy()
    for extra in columns:
        if extra in df.columns:
            continue
        if extra in rows.columns and extra in RECORD_EXTRAS:
            df[extra] = rows[extra].to_numpy()
        elif extra in models.columns and extra in MODEL_EXTRAS:
            df[extra] = info[extra].to_numpy()
        else:
            raise UsageError(f"unknown column {extra!r}; extra columns: {', '.join(RECORD_EXTRAS + MODEL_EXTRAS)}")
    higher = selection.higher_is_better
    df.insert(0, "rank", competition_rank(df["value"], higher))
    df = df.sort_values(["rank", "model"], kind="stable").reset_index(drop=True)
    if top is not None:
        df = df[df["rank"] <= top].reset_index(drop=True)
    _describe(df, selection, view)
    return df


def _describe(df: pd.DataFrame, selection: Selection, view: ScoreView) -> None:
    b, m, setting = selection.benchmark, selection.metric, selection.setting
    direction = "higher is better" if m.higher_is_better else "lower is better"
    unit = f", {m.unit}" if m.unit else ""
    shown = setting.describe() if setting is not None else "all settings"
    caption = f"{b.name} — {m.name}{unit}, {shown}; {direction}"
    notes: list[str] = []
    if selection.chosen_automatically and setting is not None:
        caption += " (the setting with the most models)"
    if selection.others:
        shown = OTHER_SETTINGS_SHOWN
        listed = "; ".join(f"{s.describe()} ({n} model{'s' if n != 1 else ''})" for s, n in selection.others[:shown])
        more = len(selection.others) - shown
        listed += f"; and {more} more (--mix-settings lists every row's)" if more > 0 else ""
        notes.append(f"Other settings in the store: {listed}.")
    if df["disputed"].any():
        notes.append("⚠ sources disagree on this model by more than the tolerance (see spread).")
    label = f"{b.name}" + ("" if m.id == b.primary else f" {m.name}")
    if setting is not None and setting.label():
        label += f" ({setting.label()})"
    df.attrs.update(
        caption=caption,
        notes=notes,
        benchmark=b.id,
        metric=m.id,
        higher_is_better=m.higher_is_better,
        setting=None if setting is None else {k: getattr(setting, k) for k in ("n_shot", "setting", "split", "subset")},
        units={"value": m.unit, "stderr": m.unit, "spread": m.unit, "parameters": "parameters"},
        labels={**LABELS, "value": label},
        best={"value": list(df.index[df["rank"] == 1])},
        flagged={"spread": list(df.index[df["disputed"]])},
        sources=view.source_info(list(df["source"].dropna())),
        hidden=["model", "qualifiers", "first_party", "disputed"] + (["setting"] if setting is not None else []),
    )
