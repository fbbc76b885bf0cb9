"""Cell text: numbers written the way papers write them, and text made safe for each format.

Formatting decides *what* a cell says (``70B``, ``5.76e23``, ``69.3``, ``>100B``);
escaping decides how that text survives a format (a ``|`` must not split a Markdown row, a
``<script>`` must not run in HTML, a ``%`` must not comment out LaTeX).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

from benchtables.units import format_compute, format_count, format_number

__all__ = ["column_formatter", "escape_html", "escape_latex", "escape_markdown", "is_missing"]

COUNT_UNITS = {"parameters", "tokens", "chips", "tokens/s", "hours"}
_QUALIFIER_TEXT = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "~": "≈"}


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA (pd.NA != pd.NA is NA → bool raises)
    except TypeError:
        return True


def _decimals(values: Sequence[float], cap: int) -> int:
    """The fewest decimals (up to ``cap``) that show every value as precisely as it is stored."""
    needed = 0
    for v in values:
        for d in range(cap + 1):
            if math.isclose(round(v, d), v, rel_tol=0, abs_tol=10 ** -(cap + 3)):
                needed = max(needed, d)
                break
        else:
            needed = cap
    return needed


def column_formatter(values: Sequence[Any], unit: str | None, precision: int | None = None):
    """A function that writes one cell of a column, chosen from the column's unit and values.

    Counts (parameters, tokens, chips) are written ``70B``; compute in FLOP ``5.76e23``;
    other numbers with the column's own precision (``60.0`` next to ``67.6``), at most
    ``precision`` decimals (default 2).
    """
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool) and not is_missing(v)]
    if unit in COUNT_UNITS:
        return lambda v: format_count(v)
    if unit == "FLOP":
        return lambda v: format_compute(v)
    if not numbers or all(float(v).is_integer() for v in numbers) and unit not in ("percent",):
        return lambda v: format_number(v, 0) if isinstance(v, int | float) and not isinstance(v, bool) else str(v)
    decimals = _decimals([float(v) for v in numbers], 2 if precision is None else precision)
    return lambda v: f"{v:.{decimals}f}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


def cell_text(value: Any, fmt) -> str:
    """The text of one cell: missing → empty, lists joined, booleans as ✓, numbers formatted."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays from Arrow lists
        return ", ".join(str(v) for v in value.tolist())
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, int | float):
        return fmt(value)
    return str(value)


def qualified(text: str, qualifier: str | None) -> str:
    """``>100B`` for a lower bound, ``≈7M`` for an approximation."""
    if not text or not qualifier:
        return text
    return f"{_QUALIFIER_TEXT.get(qualifier, qualifier)}{text}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&!~])")


def escape_markdown(text: str) -> str:
    """Text that stays one plain cell of a GitHub table: no row breaks, no markup, no HTML."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    return _MD_SPECIAL.sub(r"\\\1", text)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def escape_latex(text: str) -> str:
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def escape_html(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")
