"""Pareto fronts: the points no other point beats on both axes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from benchtables.errors import UsageError
from benchtables.registry import Registry

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["pareto", "pareto_mask"]

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
    import pandas as pd

    for column in (x, y):
        if column not in df.columns:
            raise UsageError(f"no column {column!r}; columns: {', '.join(map(str, df.columns))}")
    registry = Registry.shipped()
    sign_x = 1.0 if _minimize(x, minimize, 0, registry) else -1.0
    sign_y = 1.0 if _minimize(y, minimize, 1, registry) else -1.0
    mask = pd.Series(False, index=df.index)
    groups = [df] if by is None else [g for _, g in df.groupby(by if isinstance(by, str) else list(by), dropna=False)]
    for group in groups:
        points = pd.DataFrame({"x": group[x].astype(float) * sign_x, "y": group[y].astype(float) * sign_y}).dropna()
        points = points.sort_values(["x", "y"], kind="stable")
        best_y = float("inf")
        last: tuple[float, float] | None = None
        for label, px, py in zip(points.index, points["x"], points["y"], strict=True):
            if py < best_y or (last is not None and (px, py) == last):
                mask[label] = True
                best_y = min(best_y, py)
                last = (px, py)
    return mask


def pareto(df: pd.DataFrame, x: str, y: str, *, minimize: Directions = None, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``df`` on the Pareto front of ``y`` against ``x``, sorted by ``x``.

    Example: ``bt.pareto(bt.load("sampling"), x="sampling_cost", y="fid")`` — the model
    sizes and step counts that give the best FID for their sampling cost.
    """
    mask = pareto_mask(df, x, y, minimize=minimize, by=by)
    front = df[mask].sort_values([*([by] if isinstance(by, str) else list(by or [])), x], kind="stable")
    front = front.reset_index(drop=True)
    labels = df.attrs.get("labels", {})
    registry = Registry.shipped()
    ways = [("lower" if _minimize(a, minimize, i, registry) else "higher") + " is better" for i, a in enumerate((x, y))]
    front.attrs = {**df.attrs, "notes": [], "best": {}, "flagged": {},
                   "caption": f"Pareto front: {labels.get(y, y)} ({ways[1]}) against {labels.get(x, x)} ({ways[0]})"}
    return front
