"""Figures derived from stored numbers: tokens per parameter, 6·N·D compute, Chinchilla-optimal data.

Each is a plain function of its inputs (numbers or pandas Series), so it can be used on any
frame; :func:`add_derived` adds them as columns to a loaded table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHINCHILLA_TOKENS_PER_PARAMETER",
    "add_derived",
    "chinchilla_optimal_tokens",
    "chinchilla_ratio",
    "compute_6nd",
    "sampling_cost",
    "tokens_per_parameter",
]

#: Hoffmann et al. (2022): compute-optimal training uses about 20 tokens per parameter.
CHINCHILLA_TOKENS_PER_PARAMETER = 20.0

T = TypeVar("T")


def tokens_per_parameter(tokens: T, parameters: T) -> T:
    """Training tokens per parameter (Chinchilla: 1.4T / 70B = 20)."""
    return tokens / parameters  # type: ignore[operator]


def compute_6nd(parameters: T, tokens: T) -> T:
    """Training compute estimated as 6 · N · D FLOP (forward and backward pass of a dense model)."""
    return 6 * parameters * tokens  # type: ignore[operator]


def chinchilla_optimal_tokens(parameters: T, tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAMETER) -> T:
    """Tokens a compute-optimal run would use for this many parameters (about 20 per parameter)."""
    return parameters * tokens_per_param  # type: ignore[operator]


def chinchilla_ratio(tokens: T, parameters: T, tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAMETER) -> T:
    """Actual tokens ÷ Chinchilla-optimal tokens: 1 is compute-optimal, below 1 under-trained."""
    return tokens / chinchilla_optimal_tokens(parameters, tokens_per_param)  # type: ignore[operator]


def sampling_cost(steps: T, cost_per_step: T) -> T:
    """Total sampling cost: steps × cost of one step."""
    return steps * cost_per_step  # type: ignore[operator]


def add_derived(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``df`` with the derived columns of its table kind added (a copy).

    training: ``tokens_per_parameter``, ``compute_6nd``, ``training_compute`` (reported,
    else 6·N·D) with ``compute_estimated`` saying which, ``chinchilla_tokens`` and
    ``chinchilla_ratio``. sampling: ``sampling_cost`` filled from steps × cost_per_step.
    Other kinds are returned unchanged. ``attrs["derived"]`` names the columns added.
    """
    out = df.copy()
    units = dict(df.attrs.get("units", {}))
    if kind == "training":
        out["tokens_per_parameter"] = tokens_per_parameter(out["tokens"], out["parameters"])
        out["compute_6nd"] = compute_6nd(out["parameters"], out["tokens"])
        out["compute_estimated"] = out["compute"].isna() & out["compute_6nd"].notna()
        out["training_compute"] = out["compute"].fillna(out["compute_6nd"])
        out["chinchilla_tokens"] = chinchilla_optimal_tokens(out["parameters"])
        out["chinchilla_ratio"] = chinchilla_ratio(out["tokens"], out["parameters"])
        units.update(compute_6nd="FLOP", training_compute="FLOP", chinchilla_tokens="tokens",
                     tokens_per_parameter="tokens per parameter", chinchilla_ratio="× optimal")
    elif kind == "sampling":
        out["sampling_cost"] = out["sampling_cost"].fillna(sampling_cost(out["steps"].astype(float), out["cost_per_step"]))
    out.attrs = {**df.attrs, "units": units, "derived": [c for c in out.columns if c not in df.columns]}
    return out
