"""Ranks: the plain competition rank, and ranks that admit statistical ties.

*Competition rank*: ties share the best rank and the next is skipped (1, 2, 2, 4), in the
metric's direction.

*Group rank* (where uncertainty is known). Each model's 95% interval is its stated
``[ci_low, ci_high]``, else ``value ± 1.96 · stderr``; a model with neither has the point
``[value, value]``. Model A is *ahead* of model B when A's interval lies entirely beyond B's
(A's lower end above B's upper end, for higher-is-better metrics). A model's group rank is
1 + the number of models ahead of it — Chatbot Arena's "rank (UB)" rule: models whose
intervals overlap the leader's all share rank 1, and no model is ranked below one it cannot
be told apart from. Ranking *by the lower bound* orders models by the pessimistic end of
their interval instead of their value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Z95", "competition_rank", "group_rank", "intervals"]

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054


def competition_rank(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Ranks with ties sharing the best rank and the next rank skipped: 1, 2, 2, 4 (NaN: no rank, 0)."""
    v = np.asarray(values, dtype=float)
    key = -v if higher_is_better else v
    present = ~np.isnan(key)
    ranks = np.zeros(len(v), dtype=np.int64)
    if present.any():
        ordered = np.sort(key[present])
        ranks[present] = np.searchsorted(ordered, key[present], side="left") + 1
    return ranks


def intervals(values: np.ndarray, stderr: np.ndarray | None, ci_low: np.ndarray | None,
              ci_high: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each model's 95% interval (low, high), and whether it was known (stated or from a stderr)."""
    v = np.asarray(values, dtype=float)
    low, high = v.copy(), v.copy()
    known = np.zeros(len(v), dtype=bool)
    if stderr is not None:
        s = np.asarray(stderr, dtype=float)
        has = ~np.isnan(s)
        low[has], high[has] = v[has] - Z95 * s[has], v[has] + Z95 * s[has]
        known |= has
    if ci_low is not None and ci_high is not None:
        lo, hi = np.asarray(ci_low, dtype=float), np.asarray(ci_high, dtype=float)
        has = ~np.isnan(lo) & ~np.isnan(hi)
        low[has], high[has] = lo[has], hi[has]
        known |= has
    return low, high, known


def group_rank(low: np.ndarray, high: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """1 + the number of models whose interval lies entirely beyond each one's (see module docstring).

    Sorting the other ends makes it n log n: for higher-is-better, the models ahead of one
    with upper end ``u`` are those whose lower end exceeds ``u``.
    """
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if higher_is_better:
        ends = np.sort(lo[~np.isnan(lo)])
        ahead = len(ends) - np.searchsorted(ends, hi, side="right")
    else:
        ends = np.sort(hi[~np.isnan(hi)])
        ahead = np.searchsorted(ends, lo, side="left")
    out = (ahead + 1).astype(np.int64)
    out[np.isnan(lo) | np.isnan(hi)] = 0
    return out


def as_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    import pandas as pd

    return pd.Series(values, index=index).astype("Int64").where(values > 0)
