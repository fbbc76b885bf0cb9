"""Figures derived from stored numbers: tokens per parameter, 6·N·D compute, Chinchilla-optimal data.

Each is a plain function of its inputs (numbers or pandas Series), so it can be used on any
frame; :func:`add_derived` adds them as columns to a loaded table.

A derived number is only as exact as what it comes from. When an input is a bound (``>100B``
parameters) or approximate (``≈7M``), the derived figure carries it: 6·N·D of ``>100B`` and
``>2T`` is ``>1.2e24``; a ratio flips the bound of its divisor (``>2T`` tokens ÷ ``70B``
parameters is ``>28.6``, but ``2T`` ÷ ``>100B`` is ``<20``). Where the bounds point both ways
(``>2T`` ÷ ``>100B``) nothing can be said, and the figure is left empty rather than printed
as if it were known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHINCHILLA_TOKENS_PER_PARAMETER",
    "add_derived",
    "chinchilla_optimal_tokens",
    "chinchilla_ratio",
    "combine_qualifiers",
    "compute_6nd",
    "sampling_cost",
    "tokens_per_parameter",
]

#: Hoffmann et al. (2022): compute-optimal training uses about 20 tokens per parameter.
CHINCHILLA_TOKENS_PER_PARAMETER = 20.0

#: A pandas Series of numbers, or a number.
T = TypeVar("T", "pd.Series", float)


def tokens_per_parameter(tokens: T, parameters: T) -> T:
    """Training tokens per parameter (Chinchilla: 1.4T / 70B = 20)."""
    return tokens / parameters


def compute_6nd(parameters: T, tokens: T) -> T:
    """Training compute estimated as 6 · N · D FLOP (forward and backward pass of a dense model)."""
    return 6 * parameters * tokens


def chinchilla_optimal_tokens(parameters: T, tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAMETER) -> T:
    """Tokens a compute-optimal run would use for this many parameters (about 20 per parameter)."""
    return parameters * tokens_per_param


def chinchilla_ratio(tokens: T, parameters: T, tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAMETER) -> T:
    """Actual tokens ÷ Chinchilla-optimal tokens: 1 is compute-optimal, below 1 under-trained."""
    return tokens / chinchilla_optimal_tokens(parameters, tokens_per_param)


def sampling_cost(steps: T, cost_per_step: T) -> T:
    """Total sampling cost: steps × cost of one step."""
    return steps * cost_per_step


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


def combine_qualifiers(qualifiers: list[str], inputs: list[str], divisors: tuple[str, ...] = ()) -> str | None:
    """The qualifier of a figure computed from ``inputs`` (fields of one record), or ``"?"`` when
    the inputs' bounds point both ways; ``None`` when it is exact.

    ``divisors``: inputs the figure divides by, whose bounds flip.
    """
    marks: dict[str, str] = {}
    for q in qualifiers:
        for op in (">=", "<=", ">", "<", "~"):
            if q.endswith(op):
                marks.setdefault(q[: -len(op)], op)
                break
    bounds: set[str] = set()
    approximate = False
    for name in inputs:
        mark = marks.get(name)
        if mark == "~":
            approximate = True
        elif mark is not None:
            bounds.add(_FLIP[mark] if name in divisors else mark)
    directions = {b[0] for b in bounds}
    if len(directions) > 1:
        return "?"
    if bounds:
        return next(iter(bounds)) if len(bounds) == 1 else directions.pop()
    return "~" if approximate else None


#: Derived column → (inputs, divisors).
_DERIVED: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "tokens_per_parameter": (["tokens", "parameters"], ("parameters",)),
    "compute_6nd": (["parameters", "tokens"], ()),
    "chinchilla_tokens": (["parameters"], ()),
    "chinchilla_ratio": (["tokens", "parameters"], ("parameters",)),
}


def add_derived(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``df`` with the derived columns of its table kind added (a copy).

    training: ``tokens_per_parameter``, ``compute_6nd``, ``training_compute`` (reported,
    else 6·N·D) with ``compute_estimated`` saying which, ``chinchilla_tokens`` and
    ``chinchilla_ratio``, each carrying its inputs' bound or approximation in the row's
    ``qualifiers`` (and left empty when they point both ways). sampling: ``sampling_cost``
    filled from steps × cost_per_step. Other kinds are returned unchanged.
    ``attrs["derived"]`` names the columns added.
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
        _qualify(out)
        units.update(compute_6nd="FLOP", training_compute="FLOP", chinchilla_tokens="tokens",
                     tokens_per_parameter="tokens per parameter", chinchilla_ratio="× optimal")
    elif kind == "sampling":
        out["sampling_cost"] = out["sampling_cost"].fillna(sampling_cost(out["steps"].astype(float), out["cost_per_step"]))
    out.attrs = {**df.attrs, "units": units, "derived": [c for c in out.columns if c not in df.columns]}
    return out


def _qualify(out: pd.DataFrame) -> None:
    """Derived columns take the qualifiers of their inputs (see the module docstring)."""
    if "qualifiers" not in out.columns:
        return
    lists: list[list[str]] = [list(q) if isinstance(q, list | tuple) else list(getattr(q, "tolist", lambda: [])())
                              for q in out["qualifiers"]]
    estimated_compute = out["compute_estimated"].to_numpy(dtype=bool)
    for i, qualifiers in enumerate(lists):
        if not qualifiers:
            continue
        added: list[str] = []
        for column, (inputs, divisors) in _DERIVED.items():
            mark = combine_qualifiers(qualifiers, inputs, divisors)
            if mark == "?":
                out.loc[out.index[i], column] = float("nan")  # nothing can be said: not a number to print
            elif mark is not None:
                added.append(f"{column}{mark}")
        if estimated_compute[i]:
            mark = combine_qualifiers(qualifiers, ["parameters", "tokens"])
            if mark == "?":
                out.loc[out.index[i], "training_compute"] = float("nan")
            elif mark is not None:
                added.append(f"training_compute{mark}")
        lists[i] = sorted(set(qualifiers) | set(added))
    out["qualifiers"] = _object_series(lists, out.index)


def _object_series(values: list[Any], index: Any) -> pd.Series:
    import pandas as pd

    return pd.Series(values, index=index, dtype=object)
