"""Cell text: numbers written the way papers write them, and text made safe for each format.

Formatting decides *what* a cell says (``70B``, ``5.76e23``, ``69.3``, ``>100B``);
escaping decides how that text survives a format (a ``|`` must not split a Markdown row, a
``<script>`` must not run in HTML, a ``%`` must not comment out LaTeX).
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from benchtables.units import format_compute, format_count, format_number

__all__ = ["column_formatter", "escape_html", "escape_latex", "escape_markdown", "is_missing", "qualified", "qualifier_map", "visible"]

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
    other numbers with one precision for the whole column, the fewest decimals that show
    every stored value exactly (``60.0`` next to ``67.6``; ``0.305`` next to ``0.31``),
    at most ``precision`` decimals (default 4).
    """
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool) and not is_missing(v)]
    if unit in COUNT_UNITS:
        return lambda v: format_count(v)
    if unit == "FLOP":
        return lambda v: format_compute(v)
    if not numbers or all(float(v).is_integer() for v in numbers) and unit not in ("percent",):
        return lambda v: format_number(v, 0) if isinstance(v, int | float) and not isinstance(v, bool) else str(v)
    decimals = _decimals([float(v) for v in numbers], 4 if precision is None else precision)
    return lambda v: f"{v:.{decimals}f}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


def cell_text(value: Any, fmt) -> str:
    """The text of one cell: missing → empty, lists joined, booleans as ✓, numbers formatted."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if getattr(value, "ndim", 0) > 0:  # numpy arrays from Arrow lists (numpy scalars have ndim 0)
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


def visible(text: str, *, one_line: bool = True) -> str:
    """Whitespace runs as one space (for one-line cells) and control characters as U+FFFD.

    Control characters are invisible, and tabulate reads "\x01" as a rule between rows.
    """
    if one_line:
        text = re.sub(r"\s+", " ", text)
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" and c not in "\n" else c for c in text)


def qualifier_map(qualifiers: Any) -> dict[str, str]:
    """Field → qualifier (">", "<=", "~"…) from a record's qualifiers list."""
    out: dict[str, str] = {}
    if hasattr(qualifiers, "tolist"):
        qualifiers = qualifiers.tolist()
    if not isinstance(qualifiers, list | tuple):
        return out
    for q in qualifiers:
        for op in (">=", "<=", ">", "<", "~"):
            if q.endswith(op):
                out[q[: -len(op)]] = op
                break
    return out


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&!~])")


def escape_markdown(text: str) -> str:
    """Text that stays one plain cell of a GitHub table: no row breaks, no markup, no HTML."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text))


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def escape_latex(text: str) -> str:
    text = visible(text)
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def escape_html(text: str) -> str:
    return html.escape(visible(text.replace("\r\n", "\n"), one_line=False), quote=True).replace("\n", "<br>")
