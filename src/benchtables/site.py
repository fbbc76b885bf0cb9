"""A static site of a store: an index of benchmarks and suites, and a page for each with its
leaderboard, its state of the art over time and the sources it cites.

The pages are plain HTML with one small stylesheet, no scripts and no external requests, so
the directory can be served by any web server (GitHub Pages, ``python -m http.server``) or
opened from disk. Every string from data goes through the HTML renderer's escaping; each file
is written atomically, and pages are written in a fixed order with no dates, so the same store
gives the same site.
"""

from __future__ import annotations

import contextlib
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

from benchtables.errors import EmptyResultError, UsageError

if TYPE_CHECKING:
    from benchtables.store import Store

__all__ = ["build_site"]

STYLE = """\
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; }
td[style*="right"], th[style*="right"] { font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.4rem; }
p, li { color: #333; }
nav a { margin-right: 1rem; }
"""


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n"
            f"<nav><a href=\"index.html\">All benchmarks</a></nav>\n<h1>{html.escape(title)}</h1>\n{body}</body>\n"
            "</html>\n")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "page"


def build_site(output: Path | str, store: Path | str | Store | None = None, *, title: str = "Leaderboards") -> list[Path]:
    """Write the site into ``output`` (created if missing) and return the files written.

    Raises:
        UsageError: ``output`` exists and is not a directory.
    """
    from benchtables.files import write_text_atomically
    from benchtables.rendering import to_html
    from benchtables.tables.leaderboard import leaderboard
    from benchtables.tables.select import ScoreView
    from benchtables.tables.sota import sota

    directory = Path(output)
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a directory")
    view = ScoreView.open(store)
    registry = view.registry
    scores = view.store.table("scores", ["benchmark"])
    with_scores = sorted(set(scores["benchmark"].to_pylist()) & set(registry.benchmarks))
    pages: dict[str, str] = {}
    index_rows = []
    for benchmark_id in with_scores:
        benchmark = registry.benchmarks[benchmark_id]
        try:
            board = leaderboard(benchmark_id, store=view.store)
        except EmptyResultError:
            continue  # only baselines, or only partial runs: nothing to rank by default
        parts = [f"<p>{html.escape(benchmark.task or '')}</p>" if getattr(benchmark, "task", None) else "",
                 to_html(board, footnotes=True)]
        with contextlib.suppress(EmptyResultError):  # no dated report: no history to show
            parts.append("<h2>State of the art over time</h2>\n" + to_html(sota(benchmark_id, store=view.store)))
        name = f"{_slug(benchmark_id)}.html"
        pages[name] = _page(benchmark.name, "\n".join(p for p in parts if p))
        index_rows.append((name, benchmark.name, len(board)))
    for suite in sorted(registry.suites.values(), key=lambda s: s.id):
        try:
            board = leaderboard(suite=suite.id, store=view.store)  # whole averages only, as the CLI ranks them
        except EmptyResultError:
            continue
        name = f"suite-{_slug(suite.id)}.html"
        pages[name] = _page(suite.name, to_html(board, footnotes=True))
        index_rows.append((name, f"{suite.name} (suite)", len(board)))
    links = "\n".join(f'<li><a href="{html.escape(name)}">{html.escape(label)}</a> — {count} model'
                      f"{'s' if count != 1 else ''}</li>" for name, label, count in index_rows)
    pages["index.html"] = _page(title, f"<ul>\n{links}\n</ul>\n" if links else "<p>No scores in this store.</p>\n")
    written = []
    for name, text in [("style.css", STYLE), *sorted(pages.items())]:
        path = directory / name
        write_text_atomically(path, text)
        written.append(path)
    return written
