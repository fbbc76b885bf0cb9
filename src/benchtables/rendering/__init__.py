"""Frames → Markdown, LaTeX, HTML, CSV, JSON or terminal text.

Any DataFrame renders; frames made by benchtables carry presentation hints in ``attrs``:

``units``      column → unit (counts become ``70B``, FLOP ``5.76e23``)
``labels``     column → header text (``value`` → ``MMLU acc (5-shot)``)
``caption``    a line above the table (what it shows, which setting)
``notes``      lines under the table
``best``       column → row labels whose cell is the best (bold in Markdown/LaTeX/HTML)
``flagged``    column → row labels to mark with ⚠ (sources disagree)
``sources``    source id → {title, url}, for numbered footnotes
``cell_sources`` (row position, column) → source id, for footnotes on single cells
``precision``  column → decimals, where the frame knows better than the data
``missing``    text for missing cells (default: empty)
``hidden``     columns used for formatting but not shown (``qualifiers``, ``first_party``)

Markdown, LaTeX, HTML and text show formatted cells and leave out columns with no values;
CSV and JSON carry every column with the raw numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tabulate import DataRow, Line, TableFormat, tabulate

from benchtables.errors import UsageError
from benchtables.rendering.cells import (
    cell_text,
    column_formatter,
    escape_html,
    escape_latex,
    escape_markdown,
    is_missing,
    qualified,
    qualifier_map,
    visible,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "render", "to_csv", "to_html", "to_json", "to_latex", "to_markdown", "to_text"]

FORMATS = ("markdown", "latex", "html", "csv", "json", "text")
_ALWAYS_HIDDEN = ("qualifiers",)

_BOOKTABS = TableFormat(
    lineabove=Line("\\begin{tabular}{ALIGN}\n\\toprule", "", "", ""),
    linebelowheader=Line("\\midrule", "", "", ""),
    linebetweenrows=None,
    linebelow=Line("\\bottomrule\n\\end{tabular}", "", "", ""),
    headerrow=DataRow("", " & ", " \\\\"),
    datarow=DataRow("", " & ", " \\\\"),
    padding=1,
    with_header_hide=None,
)


class _Table:
    """A frame laid out for presentation: header texts, cell texts, alignments, best cells."""

    def __init__(self, df: pd.DataFrame, escape: Callable[[str], str], precision: int | None, footnotes: bool):
        attrs = df.attrs
        hidden = set(attrs.get("hidden", ())) | set(_ALWAYS_HIDDEN)
        self.columns = [c for c in df.columns if c not in hidden and (df.empty or not df[c].map(is_missing).all())]
        labels = attrs.get("labels", {})
        units = attrs.get("units", {})
        decimals = attrs.get("precision", {})
        best = {c: set(rows) for c, rows in attrs.get("best", {}).items()}
        flagged = {c: set(rows) for c, rows in attrs.get("flagged", {}).items()}
        cell_sources = attrs.get("cell_sources", {}) if footnotes else {}
        known_sources = attrs.get("sources", {})
        missing = attrs.get("missing", "")
        self.headers = [escape(str(labels.get(c, c))) for c in self.columns]
        self.align = ["right" if _numeric(df[c]) else "left" for c in self.columns]
        self.caption = attrs.get("caption")
        self.notes = list(attrs.get("notes", ()))
        self.best_cells: set[tuple[int, int]] = set()
        self.sources: list[tuple[int, str, dict[str, Any]]] = []
        numbers: dict[str, int] = {}
        qualifiers = df["qualifiers"] if "qualifiers" in df.columns else None
        formatters = {c: column_formatter(list(df[c]), units.get(c), decimals.get(c, precision)) for c in self.columns}
        self.rows: list[list[str]] = []
        third_party = False

        def marker(source: str) -> str:
            return f"[{numbers.setdefault(source, len(numbers) + 1)}]"

        for i, (label, row) in enumerate(df.iterrows()):
            cells = []
            marks = qualifier_map(qualifiers.iloc[i] if qualifiers is not None else None)
            for j, c in enumerate(self.columns):
                value = row[c]
                if c == "source" and footnotes and isinstance(value, str) and value in known_sources:
                    text = marker(value)
                    if "first_party" in df.columns and row["first_party"] is False:
                        text += "*"
                        third_party = True
                else:
                    text = qualified(cell_text(value, formatters[c]), marks.get(c))
                    if text and label in flagged.get(c, ()):
                        text = f"⚠ {text}"
                    source = cell_sources.get((i, c))
                    if text and source in known_sources:
                        text += f" {marker(source)}"
                if label in best.get(c, ()) and text:
                    self.best_cells.add((i, j))
                cells.append(escape(text) if text else escape(missing))
            self.rows.append(cells)
        for source, n in numbers.items():
            self.sources.append((n, source, known_sources[source]))
        if third_party:
            self.notes.append("* third-party number: the source is not the one that introduced the model.")


def _numeric(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _bold(table: _Table, wrap: Callable[[str], str]) -> list[list[str]]:
    return [[wrap(c) if (i, j) in table.best_cells else c for j, c in enumerate(row)] for i, row in enumerate(table.rows)]


def to_markdown(df: pd.DataFrame, *, footnotes: bool = False, precision: int | None = None) -> str:
    """A GitHub-flavoured Markdown table; best values bold, sources optionally as footnotes."""
    table = _Table(df, escape_markdown, precision, footnotes)
    body = tabulate(_bold(table, lambda c: f"**{c}**"), headers=table.headers, tablefmt="github",
                    colalign=table.align, disable_numparse=True) if table.columns else ""
    parts = [f"*{escape_markdown(table.caption)}*", ""] if table.caption else []
    parts.append(body)
    if table.notes:
        parts += [""] + [escape_markdown(n) + "  " for n in table.notes]
    if table.sources:
        parts.append("")
        parts += [f"{n}. [{escape_markdown(s.get('title') or sid)}]({s.get('url', '')})" for n, sid, s in table.sources]
    return "\n".join(parts).rstrip() + "\n"


def to_latex(df: pd.DataFrame, *, footnotes: bool = False, precision: int | None = None) -> str:
    """A booktabs ``tabular`` in a ``table`` float; best values in ``\\textbf``."""
    table = _Table(df, escape_latex, precision, footnotes)
    spec = "".join("r" if a == "right" else "l" for a in table.align)
    fmt = TableFormat(lineabove=Line(_BOOKTABS.lineabove.begin.replace("ALIGN", spec), "", "", ""),
                      **{k: getattr(_BOOKTABS, k) for k in _BOOKTABS._fields if k != "lineabove"})
    body = tabulate(_bold(table, lambda c: f"\\textbf{{{c}}}"), headers=table.headers, tablefmt=fmt,
                    colalign=table.align, disable_numparse=True)
    lines = ["\\begin{table}[t]", "\\centering"]
    if table.caption:
        lines.append(f"\\caption{{{escape_latex(table.caption)}}}")
    lines.append(body)
    if table.notes or table.sources:
        lines.append("\\par\\footnotesize")
        lines += [escape_latex(n) + "\\\\" for n in table.notes]
        lines += [f"[{n}] {escape_latex(s.get('title') or sid)}, \\url{{{s.get('url', '')}}}\\\\" for n, sid, s in table.sources]
    lines.append("\\end{table}")
    return "\n".join(lines) + "\n"


def to_html(df: pd.DataFrame, *, footnotes: bool = False, precision: int | None = None) -> str:
    """An HTML ``<table>``; every cell escaped, best values in ``<strong>``."""
    table = _Table(df, escape_html, precision, footnotes)
    body = tabulate(_bold(table, lambda c: f"<strong>{c}</strong>"), headers=table.headers, tablefmt="unsafehtml",
                    colalign=table.align, disable_numparse=True)
    if table.caption:
        body = body.replace("<table>", f"<table>\n<caption>{escape_html(table.caption)}</caption>", 1)
    extra = [f"<p>{escape_html(n)}</p>" for n in table.notes]
    if table.sources:
        extra.append("<ol>")
        extra += [f'<li value="{n}"><a href="{escape_html(s.get("url", ""))}">{escape_html(s.get("title") or sid)}</a></li>'
                  for n, sid, s in table.sources]
        extra.append("</ol>")
    return "\n".join([body, *extra]) + "\n"


def to_text(df: pd.DataFrame, *, footnotes: bool = False, precision: int | None = None) -> str:
    """A plain table for the terminal."""
    table = _Table(df, visible, precision, footnotes)
    body = tabulate(table.rows, headers=table.headers, tablefmt="simple", colalign=table.align,
                    disable_numparse=True) if table.rows else "(no rows)"
    parts = [table.caption, ""] if table.caption else []
    parts.append(body)
    parts += table.notes
    parts += [f"[{n}] {s.get('title') or sid} {s.get('url', '')}" for n, sid, s in table.sources]
    return "\n".join(parts).rstrip() + "\n"


def _raw(value: Any) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_raw(v) for v in value]
    if is_missing(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_json(df: pd.DataFrame) -> str:
    """``{"caption", "notes", "columns", "rows"}`` with raw values (missing → null)."""
    columns = list(df.columns)
    rows = [{c: _raw(v) for c, v in zip(columns, row, strict=True)} for row in df[columns].itertuples(index=False)]
    payload = {
        "caption": df.attrs.get("caption"),
        "notes": list(df.attrs.get("notes", ())),
        "columns": columns,
        "rows": rows,
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_csv(df: pd.DataFrame) -> str:
    """Raw values; list cells joined with ``;``."""
    out = df.copy()
    for c in out.columns:
        if out[c].map(lambda v: isinstance(v, list | tuple)).any():
            out[c] = out[c].map(lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple) else v)
    return out.to_csv(index=False, lineterminator="\n")


def render(df: pd.DataFrame, fmt: str = "markdown", *, footnotes: bool = False, precision: int | None = None) -> str:
    """Render ``df`` in ``fmt``: one of markdown, latex, html, csv, json, text."""
    if fmt == "markdown":
        return to_markdown(df, footnotes=footnotes, precision=precision)
    if fmt == "latex":
        return to_latex(df, footnotes=footnotes, precision=precision)
    if fmt == "html":
        return to_html(df, footnotes=footnotes, precision=precision)
    if fmt == "text":
        return to_text(df, footnotes=footnotes, precision=precision)
    if fmt == "csv":
        return to_csv(df)
    if fmt == "json":
        return to_json(df)
    raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
