"""The state of the art over time: the best comparable value at each date, as Papers with Code showed it.

Every report in one setting (chosen like a leaderboard's: the one with the most models, unless
named) is dated — by its source's publication date (``date``, else the month of its arXiv id,
else ``year``) or, with
``date_of="model"``, by its model's release — and walked in date order. A report that beats
the best before it (strictly, in the metric's direction) is a step of the state of the art.
A date that is only a year sorts before the months of that year.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from benchtables.errors import EmptyResultError, UsageError
from benchtables.store import Store
from benchtables.tables.select import ModelFilter, ScoreView, _setting_mask
from benchtables.tables.view import TableView

__all__ = ["sota"]


def sota(benchmark: str, metric: str | None = None, *, n_shot: int | None = None, setting: str | None = None,
         split: str | None = None, subset: str | None = None, date_of: str = "source",
         filters: ModelFilter | None = None, store: Path | str | Store | None = None) -> TableView:
    """The steps of the state of the art on one benchmark, metric and setting.

    Returns a view of one row per step: ``date``, ``model``, ``name``, ``value``, ``gain``
    (over the step before), ``source``. Reports with no date are left out and counted in a note.
    """
    import pandas as pd

    if date_of not in ("source", "model"):
        raise UsageError(f"date_of must be source or model, not {date_of!r}")
    view = ScoreView.open(store)
    selection = view.select(benchmark, metric, requested={"n_shot": n_shot, "setting": setting, "split": split,
                                                          "subset": subset}, filters=filters)
    b, m, chosen = selection.benchmark, selection.metric, selection.setting
    rows = view.rows(b, m, models=list(selection.rows["model"].to_pylist()))
    if chosen is not None:
        rows = rows.filter(_setting_mask(rows, chosen))
    records = rows.select(["model", "value", "source", "where"]).to_pylist()
    sources = {r["id"]: r for r in view.store.table("sources").to_pylist()}
    models = {r["id"]: r for r in view.models().to_pylist()}
    dated: list[dict[str, Any]] = []
    undated = 0
    for r in records:
        when = _date(sources.get(r["source"], {}), models.get(r["model"], {}), date_of)
        if when is None:
            undated += 1
            continue
        dated.append({**r, "date": when})
    if not dated:
        raise EmptyResultError(f"no {b.name} numbers with a date ({'source dates' if date_of == 'source' else 'model release dates'})")
    higher = m.higher_is_better
    dated.sort(key=lambda r: (r["date"], -r["value"] if higher else r["value"], r["model"]))
    steps: list[dict[str, Any]] = []
    best: float | None = None
    for r in dated:
        if best is None or (r["value"] > best if higher else r["value"] < best):
            gain = None if best is None else round(abs(r["value"] - best), 9)  # no float noise
            best = r["value"]
            steps.append({**r, "gain": gain})
    frame = pd.DataFrame({
        "date": [s["date"] for s in steps],
        "model": [s["model"] for s in steps],
        "name": [models.get(s["model"], {}).get("name") or s["model"] for s in steps],
        "value": np.array([s["value"] for s in steps], dtype=float),
        "gain": np.array([np.nan if s["gain"] is None else s["gain"] for s in steps], dtype=float),
        "source": [s["source"] for s in steps],
        "where": [s["where"] for s in steps],
    })
    label = b.name + ("" if m.id == b.primary else f" {m.name}")
    if chosen is not None and chosen.label(b.split):
        label += f" ({chosen.label(b.split)})"
    notes = [f"Dated by {'each source’s publication' if date_of == 'source' else 'each model’s release'}; a step is a "
             "number better than every one dated before it."]
    if undated:
        notes.append(f"{undated} report{'s' if undated != 1 else ''} without a date left out.")
    return TableView(
        frame, caption=f"State of the art on {b.name} — {m.name}, {chosen.describe(b.split) if chosen else 'all settings'}",
        notes=notes, labels={"date": "Date", "name": "Model", "value": label, "gain": "Gain", "source": "Source",
                             "where": "Where"},
        units={"value": m.unit, "gain": m.unit}, sources=view.source_info(list(frame["source"])),
        source_column="source", hidden={"model"},
        meta={"benchmark": b.id, "metric": m.id, "higher_is_better": higher, "date_of": date_of})


def _date(source: dict[str, Any], model: dict[str, Any], date_of: str) -> str | None:
    """A report's date: its source's ``date``; else the month its arXiv id was submitted (2204.02311 is
    2022-04, which the id states); else the source's year. With ``date_of="model"``, the release."""
    if date_of == "model":
        return model.get("released")
    if source.get("date"):
        return str(source["date"])
    arxiv = re.match(r"^(\d{2})(0[1-9]|1[0-2])\.\d{4,5}", str(source.get("arxiv") or ""))
    if arxiv:
        return f"20{arxiv[1]}-{arxiv[2]}"
    return str(source["year"]) if source.get("year") else None

