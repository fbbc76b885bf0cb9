"""Pareto fronts: the points no other point beats on both axes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from benchtables.errors import UsageError
from benchtables.registry import Registry

if TYPE_CHECKING:
    import pandas as pd

    from benchtables.tables.view import TableView

__all__ = ["COMPARABLE", "comparable", "pareto", "pareto_mask"]

#: Per record kind, the columns two rows must share for their numbers to be comparable: an
#: ImageNet-256 FID and a COCO-512 FID do not belong on one front.
COMPARABLE: dict[str, tuple[str, ...]] = {
    "sampling": ("dataset", "resolution"),
    "scores": ("benchmark", "metric", "n_shot", "setting", "split", "subset"),
}

Directions = bool | Sequence[bool] | Mapping[str, bool] | None


def _minimize(axis: str, directions: Directions, position: int, registry: Registry) -> bool:
    if isinstance(directions, bool):
        return directions
    if isinstance(directions, Mapping):
        if axis in directions:
            return bool(directions[axis])
    elif directions is not None:
        return bool(list(directions)[position])
    metric = registry.metric_index.resolve(axis)
    if metric is not None:  # fid, clip_score, train_loss… know their direction
        return not registry.metrics[metric].higher_is_better
    return True  # costs, sizes, compute: less is better


def pareto_mask(df: pd.DataFrame, x: str, y: str, *, minimize: Directions = None, by: str | Sequence[str] | None = None) -> pd.Series:
    """True for rows on the front of ``y`` against ``x`` (within each ``by`` group).

    ``minimize`` is one boolean for both axes, a pair (x, y) or a mapping by column name;
    by default costs are minimised and metrics follow their registry direction (FID down,
    CLIP score up). A row is on the front when no other row is at least as good on both
    axes and strictly better on one; rows missing either value are not on it.
    """
    import numpy as np
    import pandas as pd

    for column in (x, y):
        if column not in df.columns:
            raise UsageError(f"no column {column!r}; columns: {', '.join(map(str, df.columns))}")
    registry = Registry.shipped()
    sign_x = 1.0 if _minimize(x, minimize, 0, registry) else -1.0
    sign_y = 1.0 if _minimize(y, minimize, 1, registry) else -1.0
    on_front = np.zeros(len(df), dtype=bool)
    positions = df.reset_index(drop=True)  # positions, not labels: labels may repeat after a concat
    groups = [positions] if by is None else [
        g for _, g in positions.groupby(by if isinstance(by, str) else list(by), dropna=False)]
    for group in groups:
        points = pd.DataFrame({"x": group[x].astype(float) * sign_x, "y": group[y].astype(float) * sign_y}).dropna()
        points = points.sort_values(["x", "y"], kind="stable")
        best_y = float("inf")
        last: tuple[float, float] | None = None
        for position, px, py in zip(points.index, points["x"], points["y"], strict=True):
            if py < best_y or (last is not None and (px, py) == last):
                on_front[position] = True
                best_y = min(best_y, py)
                last = (px, py)
    return pd.Series(on_front, index=df.index)


def pareto(df: pd.DataFrame, x: str, y: str, *, minimize: Directions = None, by: str | Sequence[str] | None = None,
           within: Sequence[str] | None = None, mix_settings: bool = False, store: Any = None) -> TableView:
    """The rows of ``df`` on the Pareto front of ``y`` against ``x``, sorted by ``x``.

    Example: ``bt.pareto(bt.load("sampling"), x="sampling_cost", y="fid")`` — the model
    sizes and step counts that give the best FID for their sampling cost.

    Only comparable numbers share a front. ``within`` names the columns that must match
    (default for a loaded table: :data:`COMPARABLE` of its kind, e.g. a sampling row's dataset
    and resolution). When the rows span several such settings, those not named in ``by``, the
    setting with the most rows is used and the caption says so, the others are listed in
    notes; ``mix_settings=True`` puts them all on one front. Returns a
    :class:`~benchtables.tables.view.TableView` (``.frame`` is the DataFrame).
    """
    from benchtables.frames import COLUMN_LABELS
    from benchtables.tables.view import TableView

    groups = [by] if isinstance(by, str) else list(by or [])
    rows, setting, notes = comparable(df, x, y, by=by, within=within, mix_settings=mix_settings)
    mask = pareto_mask(rows, x, y, minimize=minimize, by=by)
    front = rows[mask.to_numpy()].sort_values([*groups, x], kind="stable")
    front = front.reset_index(drop=True)
    registry = Registry.shipped()
    ways = [("lower" if _minimize(a, minimize, i, registry) else "higher") + " is better" for i, a in enumerate((x, y))]
    labels = {c: COLUMN_LABELS[c] for c in front.columns if c in COLUMN_LABELS}
    caption = f"Pareto front: {labels.get(y, y)} ({ways[1]}) against {labels.get(x, x)} ({ways[0]}){setting}"
    qualifiers = [list(q) if isinstance(q, list | tuple) else [] for q in front["qualifiers"]] \
        if "qualifiers" in front.columns else None
    sources: dict[str, Any] = {}
    first_party = None
    if "source" in front.columns:
        from benchtables.tables.select import ScoreView

        sources = ScoreView.open(store).source_info(list(front["source"].dropna()))
        if "first_party" in front.columns:
            first_party = [bool(v) for v in front["first_party"]]
    return TableView(front, caption=caption, notes=notes, labels=labels, units=dict(df.attrs.get("units", {})),
                     qualifiers=qualifiers, sources=sources, source_column="source" if sources else None,
                     first_party=first_party, hidden={"qualifiers", "first_party"})


def comparable(df: pd.DataFrame, x: str, y: str, *, by: str | Sequence[str] | None = None,
               within: Sequence[str] | None = None, mix_settings: bool = False) -> tuple[pd.DataFrame, str, list[str]]:
    """The rows of ``df`` whose x and y numbers are comparable (see :func:`pareto`), a caption
    suffix naming the setting chosen (empty when there was no choice) and notes on the others."""
    groups = [by] if isinstance(by, str) else list(by or [])
    columns = COMPARABLE.get(df.attrs.get("kind", ""), ()) if within is None else tuple(within)
    columns = tuple(c for c in columns if c in df.columns and c not in groups)
    chosen, kept, others = (None, [], []) if mix_settings else _setting(df, x, y, columns, groups)
    if chosen is None:
        return df, "", []
    suffix = f", {kept[0]} (the setting with the most rows)" if len(kept) == 1 else \
        " (in each group, the setting with the most rows)"
    note = "Other settings, not compared: " + "; ".join(f"{label} ({n} row{'s' if n != 1 else ''})"
                                                        for label, n in others) + "."
    return df[chosen], suffix, [note]


def _setting(df: pd.DataFrame, x: str, y: str, columns: tuple[str, ...],
             groups: list[str]) -> tuple[Any, list[str], list[tuple[str, int]]]:
    """A mask of the setting with the most rows that have both x and y (in each ``groups`` group),
    the chosen settings' labels, and the label and size of each setting left out.

    Returns (None, [], []) when every group holds one setting (nothing to choose).
    """
    import numpy as np

    if not columns or x not in df.columns or y not in df.columns:
        return None, [], []
    df = df.reset_index(drop=True)  # positions, not labels
    usable = df[df[x].notna() & df[y].notna()]
    values = usable[list(columns)].astype(object).where(usable[list(columns)].notna(), None)
    settings = list(map(tuple, values.itertuples(index=False)))
    keys = list(map(tuple, usable[groups].astype(object).itertuples(index=False))) if groups else [()] * len(usable)
    counts: dict[tuple[Any, ...], dict[tuple[Any, ...], int]] = {}
    for key, setting in zip(keys, settings, strict=True):
        counts.setdefault(key, {}).setdefault(setting, 0)
        counts[key][setting] += 1
    if all(len(c) <= 1 for c in counts.values()):
        return None, [], []

    def label(values: tuple[Any, ...]) -> str:
        named = [f"{c} {v}" for c, v in zip(columns, values, strict=True) if v is not None]
        return ", ".join(named) or "no " + "/".join(columns) + " stated"

    chosen: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    left_out: list[tuple[str, int]] = []
    for key, found in counts.items():
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], [str(v) for v in kv[0]]))
        chosen[key] = ranked[0][0]
        left_out += [(label(s), n) for s, n in ranked[1:]]
    keep = [chosen[k] == s for k, s in zip(keys, settings, strict=True)]
    labels = list(dict.fromkeys(label(s) for s in chosen.values()))
    return df.index.isin(usable.index[np.array(keep, dtype=bool)]), labels, left_out  # a positional mask
