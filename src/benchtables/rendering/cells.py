"""Cell text: numbers written the way papers write them, and text made safe for each format.

Formatting decides *what* a cell says (``70B``, ``5.76e23``, ``69.3``, ``>100B``); escaping
decides how that text survives a format: a ``|`` must not split a Markdown row, ``@name`` must
not notify anyone in a pull-request comment, a ``<script>`` must not run in HTML, a ``%`` or
``\\input`` must not act in LaTeX, a cell starting with ``=`` must not be a spreadsheet formula,
and a link must be a link to an http(s) page, whatever the store holds.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from benchtables.units import format_compute, format_count, format_number

__all__ = [
    "cell_text",
    "column_formatter",
    "csv_cell",
    "escape_html",
    "escape_latex",
    "escape_markdown",
    "is_missing",
    "qualified",
    "qualifier_map",
    "safe_url",
    "visible",
]

COUNT_UNITS = {"parameters", "tokens", "chips", "tokens/s", "hours"}
_QUALIFIER_TEXT = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "~": "≈"}
Formatter = Callable[[Any], str]


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA (pd.NA != pd.NA is NA → bool raises)
    except TypeError:
        return True


def shown_decimals(values: Sequence[float], cap: int = 4) -> int:
    """The fewest decimals (up to ``cap``) that show every value as precisely as it is stored."""
    needed = 0
    for v in values:
        if not math.isfinite(v):
            continue
        for d in range(cap + 1):
            if math.isclose(round(v, d), v, rel_tol=0, abs_tol=10 ** -(cap + 3)):
                needed = max(needed, d)
                break
        else:
            needed = cap
    return needed


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite_or(text: Callable[[float], str]) -> Formatter:
    def write(v: Any) -> str:
        if not _number(v):
            return str(v)
        if not math.isfinite(v):
            return "∞" if v > 0 else "−∞" if v < 0 else ""
        return text(v)

    return write


def column_formatter(values: Sequence[Any], unit: str | None, precision: int | None = None) -> Formatter:
    """A function that writes one cell of a column, chosen from the column's unit and values.

    Counts (parameters, tokens, chips) are written ``70B``; compute in FLOP ``5.76e23``;
    other numbers with one precision for the whole column: ``precision`` decimals when given,
    else the fewest decimals that show every stored value exactly (``60.0`` next to ``67.6``;
    ``0.305`` next to ``0.31``), at most 4. Magnitudes from 10¹⁵ on are powers of ten.
    """
    numbers = [float(v) for v in values if _number(v) and not is_missing(v)]
    if unit in COUNT_UNITS:
        return _finite_or(lambda v: format_count(v, precision if precision is not None else 2))
    if unit == "FLOP":
        return _finite_or(lambda v: format_compute(v))
    if any(abs(v) >= 1e15 for v in numbers if math.isfinite(v)):  # fixed decimals would print 300 digits
        return _finite_or(lambda v: format_compute(v, 4) if abs(v) >= 1e15 else format_number(v, precision or 4))
    if precision is not None:
        return _finite_or(lambda v: f"{v:.{precision}f}")
    if not numbers or (all(v.is_integer() for v in numbers if math.isfinite(v)) and unit not in ("percent",)):
        return _finite_or(lambda v: format_number(v, 0))
    decimals = shown_decimals(numbers)
    return _finite_or(lambda v: f"{v:.{decimals}f}")


def cell_text(value: Any, fmt: Formatter) -> str:
    """The text of one cell: missing → empty, lists joined, booleans as ✓, numbers formatted."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is float:
        return "" if value != value else fmt(value)  # NaN is missing
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if getattr(value, "ndim", 0) > 0:  # numpy arrays from Arrow lists (numpy scalars have ndim 0)
        return ", ".join(str(v) for v in value.tolist())
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if _number(value):
        return fmt(value)
    return str(value)


def qualified(text: str, qualifier: str | None) -> str:
    """``>100B`` for a lower bound, ``≈7M`` for an approximation."""
    if not text or not qualifier:
        return text
    return f"{_QUALIFIER_TEXT.get(qualifier, qualifier)}{text}"


def qualifier_map(qualifiers: Any) -> dict[str, str]:
    """Field → qualifier (">", "<=", "~"…) from a record's qualifiers list."""
    out: dict[str, str] = {}
    if hasattr(qualifiers, "tolist"):
        qualifiers = qualifiers.tolist()
    if not isinstance(qualifiers, list | tuple):
        return out
    for q in qualifiers:
        for op in (">=", "<=", ">", "<", "~"):
            if isinstance(q, str) and q.endswith(op):
                out[q[: -len(op)]] = op
                break
    return out


# --------------------------------------------------------------------------- escaping


#: Invisible characters (zero-width, bidi controls) and control characters (Unicode's Cc: U+0000–U+001F
#: and U+007F–U+009F) but the line break.
_UNSEEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACES = re.compile(" {2,}")


def visible(text: str, *, one_line: bool = True) -> str:
    """Whitespace runs as one space (for one-line cells); control and invisible characters as U+FFFD.

    Control characters are invisible, and tabulate reads "\\x01" as a rule between rows; bidi
    overrides would reorder what readers see.
    """
    if text.isascii() and text.isprintable():  # most cells: nothing to replace, spaces at most to join
        return _SPACES.sub(" ", text) if one_line and "  " in text else text
    if one_line:
        text = re.sub(r"\s+", " ", text)
    return _UNSEEN.sub("\ufffd", text)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&!~$])")
#: ``@name`` at the start of a word notifies that user or team in a GitHub comment.
_MENTION = re.compile(r"(?<![\w.@])@(?=[A-Za-z0-9])")
_MD_ANY = re.compile(r"[\\`*_\[\]<>|#&!~$@]")


def escape_markdown(text: str) -> str:
    """Text that stays one plain cell of a GitHub table: no row breaks, no markup, no HTML, no
    links, and no @-mentions (a word joiner after ``@`` keeps it from notifying anyone)."""
    text = visible(text)
    if _MD_ANY.search(text) is None:  # most cells: nothing to escape
        return text
    return _MENTION.sub("@\u2060", _MD_SPECIAL.sub(r"\\\1", text))


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    # symbols benchtables writes itself, as commands any LaTeX setup typesets
    "⚠": r"$\dagger$", "≈": r"$\approx$", "≥": r"$\geq$", "≤": r"$\leq$", "×": r"$\times$", "·": r"$\cdot$",
    "∞": r"$\infty$", "−": r"$-$", "—": "---", "–": "--", "✓": r"yes", "…": r"\ldots{}", "’": "'", "‘": "`",
    "“": "``", "”": "''", "→": r"$\rightarrow$", "±": r"$\pm$", "§": r"\S{}", "\u00a0": "~",
}


def escape_latex(text: str) -> str:
    """Text as LaTeX typesets it literally: its special characters as commands, and the symbols
    benchtables writes (≈, ≥, ⚠, —) as commands pdflatex knows without extra packages."""
    text = visible(text)
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def escape_html(text: str) -> str:
    return html.escape(visible(text.replace("\r\n", "\n"), one_line=False), quote=True).replace("\n", "<br>")


def safe_url(url: Any) -> str | None:
    """An http(s) URL with every character that could end or change the markup around it
    percent-encoded (spaces, quotes, brackets, parentheses, braces, backslashes, ``%`` kept only
    before two hex digits); None for anything that is not an http(s) URL."""
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/?#]+", url.strip(), re.IGNORECASE):
        return None
    text = visible(url.strip())
    text = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", text)
    return quote(text, safe="/:?#=&;,+@!*.~-_%") or None


def csv_cell(value: Any) -> Any:
    """A value safe in a spreadsheet: text starting with ``= + - @`` (or a tab or carriage
    return) gets a leading ``'`` so it is not run as a formula; numbers are left as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value
