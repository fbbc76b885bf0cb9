"""Tables → Markdown, LaTeX, HTML, CSV, JSON or terminal text.

Every renderer takes a :class:`~benchtables.tables.view.TableView` (or any DataFrame, shown
as it is) and escapes every string that comes from data — names, notes, titles and URLs alike
— for its format (see :mod:`benchtables.rendering.cells`). Markdown, LaTeX, HTML and text show
formatted cells and leave out columns with no values; CSV and JSON carry every column with
the values (rounded to ``precision`` decimals when it is given).

Rendering is linear in rows: cells are formatted column by column, once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tabulate import DataRow, Line, TableFormat, tabulate

from benchtables.errors import UsageError
from benchtables.rendering.cells import (
    cell_text,
    column_formatter,
    csv_cell,
    escape_html,
    escape_latex,
    escape_markdown,
    is_missing,
    qualified,
    qualifier_map,
    safe_url,
    visible,
)

if TYPE_CHECKING:
    import pandas as pd

    from benchtables.tables.view import SourceInfo, TableView

__all__ = ["FORMATS", "cite_key", "render", "to_csv", "to_html", "to_json", "to_latex", "to_markdown", "to_text"]

FORMATS = ("text", "markdown", "latex", "html", "csv", "json")
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


def _view(data: pd.DataFrame | TableView) -> TableView:
    from benchtables.tables.view import TableView

    return TableView.of(data)


def cite_key(source_id: str) -> str:
    """A BibTeX key for a source id (the characters BibTeX keys allow)."""
    return re.sub(r"[^A-Za-z0-9_:.-]", "-", source_id) or "source"


class _Layout:
    """A view laid out for presentation: header texts, cell texts, alignments, best cells, sources."""

    def __init__(self, view: TableView, escape: Callable[[str], str], precision: int | None, footnotes: bool,
                 cite: bool = False) -> None:
        frame = view.frame
        hidden = set(view.hidden) | set(_ALWAYS_HIDDEN)
        self.columns = [c for c in frame.columns if c not in hidden and (frame.empty or not frame[c].map(is_missing).all())]
        self.headers = [escape(str(view.labels.get(c, c))) for c in self.columns]
        self.align = ["right" if _numeric(frame[c]) else "left" for c in self.columns]
        self.caption = view.caption
        self.notes = list(view.notes)
        self.best_cells: set[tuple[int, int]] = set()
        self.sources: list[tuple[int, str, SourceInfo]] = []
        self.cited: list[str] = []
        numbers: dict[str, int] = {}
        third_party = False

        def marker(source: str) -> str:
            if cite:
                if source not in self.cited:
                    self.cited.append(source)
                return f"\\cite{{{cite_key(source)}}}"
            return f"[{numbers.setdefault(source, len(numbers) + 1)}]"

        n = len(frame)
        marks = [qualifier_map(q) for q in view.qualifiers] if view.qualifiers is not None else \
            [qualifier_map(q) for q in frame["qualifiers"]] if "qualifiers" in frame.columns else [{}] * n
        texts: list[list[str]] = [[] for _ in range(n)]
        for j, c in enumerate(self.columns):
            values = frame[c].tolist()
            fmt = column_formatter(values, view.units.get(c), view.precision.get(c, precision))
            best = view.best.get(c, set())
            flagged = view.flagged.get(c, set())
            source_cells = view.cell_sources if footnotes else {}
            for i, value in enumerate(values):
                if c == view.source_column and footnotes and isinstance(value, str) and value in view.sources:
                    text = marker(value)
                    if view.first_party is not None and not view.first_party[i]:
                        text += "*" if not cite else ""
                        third_party = True
                    texts[i].append(text)  # generated markup: not escaped
                    continue
                text = qualified(cell_text(value, fmt), marks[i].get(c))
                if text and i in flagged:
                    text = f"⚠ {text}"
                body = escape(text) if text else escape(view.missing)
                source = source_cells.get((i, c))
                if text and source in view.sources:
                    body += " " + marker(source)
                if i in best and text:
                    self.best_cells.add((i, j))
                texts[i].append(body)
        self.rows = texts
        for source, number in numbers.items():
            self.sources.append((number, source, view.sources[source]))
        if third_party and not cite:
            self.notes.append("* third-party number: the source is not the one that introduced the model.")


def _numeric(series: pd.Series) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def _bold(layout: _Layout, wrap: Callable[[str], str]) -> list[list[str]]:
    return [[wrap(c) if (i, j) in layout.best_cells else c for j, c in enumerate(row)]
            for i, row in enumerate(layout.rows)]


def _markdown_link(title: str, url: str | None) -> str:
    link = safe_url(url)
    return f"[{escape_markdown(title)}]({link})" if link else escape_markdown(title)


def to_markdown(data: pd.DataFrame | TableView, *, footnotes: bool = False, precision: int | None = None) -> str:
    """A GitHub-flavoured Markdown table; best values bold, sources optionally as footnotes."""
    view = _view(data)
    layout = _Layout(view, escape_markdown, precision, footnotes)
    body = tabulate(_bold(layout, lambda c: f"**{c}**"), headers=layout.headers, tablefmt="github",
                    colalign=layout.align, disable_numparse=True) if layout.columns else ""
    parts = [f"*{escape_markdown(layout.caption)}*", ""] if layout.caption else []
    parts.append(body)
    if layout.notes:
        parts += [""] + [escape_markdown(n) + "  " for n in layout.notes]
    if layout.sources:
        parts.append("")
        parts += [f"{n}. {_markdown_link(s.title, s.url)}" for n, _, s in layout.sources]
    return "\n".join(parts).rstrip() + "\n"


def _latex_url(url: str | None) -> str:
    link = safe_url(url)
    if link is None:
        return ""
    return "\\url{" + link.replace("%", "\\%").replace("#", "\\#").replace("~", "\\~{}") + "}"


def to_latex(data: pd.DataFrame | TableView, *, footnotes: bool = False, precision: int | None = None,
             cite: bool = False, label: str | None = None) -> str:
    """A booktabs ``tabular`` in a ``table`` float; best values in ``\\textbf``.

    With ``cite``, each row's source (or each cell's) is a ``\\cite{key}`` whose key is the
    source id (``benchtables export bibtex`` writes the matching ``.bib``); else, with
    ``footnotes``, numbered sources are listed under the table.
    """
    view = _view(data)
    layout = _Layout(view, escape_latex, precision, footnotes or cite, cite=cite)
    spec = "".join("r" if a == "right" else "l" for a in layout.align)
    top = _BOOKTABS.lineabove
    assert isinstance(top, Line)
    fmt = TableFormat(lineabove=Line(top.begin.replace("ALIGN", spec or "l"), "", "", ""),
                      **{k: getattr(_BOOKTABS, k) for k in _BOOKTABS._fields if k != "lineabove"})
    body = tabulate(_bold(layout, lambda c: f"\\textbf{{{c}}}"), headers=layout.headers, tablefmt=fmt,
                    colalign=layout.align, disable_numparse=True)
    lines = ["\\begin{table}[t]", "\\centering"]
    if layout.caption:
        lines.append(f"\\caption{{{escape_latex(layout.caption)}}}")
    if label:
        lines.append(f"\\label{{{re.sub(r'[^A-Za-z0-9:_.-]', '-', label)}}}")
    lines.append(body)
    if layout.notes or layout.sources:
        lines.append("\\par\\footnotesize")
        lines += ["{}" + escape_latex(n) + "\\\\" for n in layout.notes]
        # "{}" first: after a line break \\ a "[" would be read as the break's length
        lines += [f"{{}}[{n}] {escape_latex(s.title)}{', ' + _latex_url(s.url) if safe_url(s.url) else ''}\\\\"
                  for n, _, s in layout.sources]
    lines.append("\\end{table}")
    return "\n".join(lines) + "\n"


def to_html(data: pd.DataFrame | TableView, *, footnotes: bool = False, precision: int | None = None) -> str:
    """An HTML ``<table>``; every cell escaped, best values in ``<strong>``, links http(s) only."""
    view = _view(data)
    layout = _Layout(view, escape_html, precision, footnotes)
    body = tabulate(_bold(layout, lambda c: f"<strong>{c}</strong>"), headers=layout.headers, tablefmt="unsafehtml",
                    colalign=layout.align, disable_numparse=True)
    if layout.caption:
        body = body.replace("<table>", f"<table>\n<caption>{escape_html(layout.caption)}</caption>", 1)
    extra = [f"<p>{escape_html(n)}</p>" for n in layout.notes]
    if layout.sources:
        extra.append("<ol>")
        for n, _, s in layout.sources:
            link = safe_url(s.url)
            title = escape_html(s.title)
            extra.append(f'<li value="{n}">' + (f'<a href="{escape_html(link)}" rel="nofollow">{title}</a>' if link
                                                 else title) + "</li>")
        extra.append("</ol>")
    return "\n".join([body, *extra]) + "\n"


def to_text(data: pd.DataFrame | TableView, *, footnotes: bool = False, precision: int | None = None) -> str:
    """A plain table for the terminal."""
    from benchtables.problems import safe_text

    view = _view(data)
    layout = _Layout(view, visible, precision, footnotes)
    best = _bold(layout, lambda c: c)
    body = tabulate(best, headers=layout.headers, tablefmt="simple", colalign=layout.align,
                    disable_numparse=True) if layout.rows else "(no rows)"
    parts = [visible(layout.caption), ""] if layout.caption else []
    parts.append(body)
    parts += [visible(n) for n in layout.notes]
    parts += [f"[{n}] {visible(s.title)} {safe_url(s.url) or ''}".rstrip() for n, _, s in layout.sources]
    return "\n".join(safe_text(line) for line in "\n".join(parts).rstrip().split("\n")) + "\n"


def _raw(value: Any, precision: int | None) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_raw(v, precision) for v in value]
    if is_missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, precision) if precision is not None else value
    return value


def _data_columns(view: TableView) -> list[str]:
    """The columns CSV and JSON carry: the shown ones, the model id, and the qualifiers when any
    value has one (a ``>100B`` must not leave as a bare 100B)."""
    frame = view.frame
    qualified = "qualifiers" in frame.columns and any(len(q) for q in frame["qualifiers"]
                                                        if isinstance(q, list | tuple) or hasattr(q, "__len__"))
    return [c for c in frame.columns if c not in view.hidden or c == "model" or (c == "qualifiers" and qualified)]


def to_json(data: pd.DataFrame | TableView, *, precision: int | None = None) -> str:
    """``{"caption", "notes", "columns", "rows"}`` with values (missing → null; rounded to ``precision``)."""
    view = _view(data)
    columns = _data_columns(view)
    rows = [{c: _raw(v, precision) for c, v in zip(columns, row, strict=True)}
            for row in view.frame[columns].itertuples(index=False)]
    payload = {"caption": view.caption, "notes": list(view.notes), "columns": columns, "rows": rows}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_csv(data: pd.DataFrame | TableView, *, precision: int | None = None) -> str:
    """Values (rounded to ``precision`` decimals when given); list cells joined with ``;``; text
    that a spreadsheet would run as a formula made inert (see :func:`~benchtables.rendering.cells.csv_cell`)."""
    import csv
    import io

    view = _view(data)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = _data_columns(view)
    writer.writerow([csv_cell(str(c)) for c in columns])
    for row in view.frame[columns].itertuples(index=False):
        cells = []
        for value in row:
            value = _raw(value, precision)
            if isinstance(value, list):
                value = ";".join(map(str, value))
            elif isinstance(value, float) and precision is not None:
                value = f"{value:.{precision}f}"
            elif isinstance(value, bool):
                value = str(value)
            cells.append("" if value is None else csv_cell(value))
        writer.writerow(cells)
    return out.getvalue()


def render(data: pd.DataFrame | TableView, fmt: str = "text", *, footnotes: bool = False,
           precision: int | None = None, cite: bool = False) -> str:
    """Render ``data`` in ``fmt``: one of text, markdown, latex, html, csv, json."""
    if fmt == "markdown":
        return to_markdown(data, footnotes=footnotes, precision=precision)
    if fmt == "latex":
        return to_latex(data, footnotes=footnotes, precision=precision, cite=cite)
    if fmt == "html":
        return to_html(data, footnotes=footnotes, precision=precision)
    if fmt == "text":
        return to_text(data, footnotes=footnotes, precision=precision)
    if fmt == "csv":
        return to_csv(data, precision=precision)
    if fmt == "json":
        return to_json(data, precision=precision)
    raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
