"""The sources a table cites, as a BibTeX ``.bib`` file.

Keys are the ones ``--cite`` writes into LaTeX tables (:func:`benchtables.rendering.cite_key`),
so ``\\cite{palm2022}`` in a table finds its entry. Entries follow arXiv's own "Export BibTeX
citation": ``@misc`` with ``eprint`` and ``archivePrefix = {arXiv}`` for arXiv papers,
``howpublished`` for a venue, ``url`` for the link. Every value comes from data, so every
value is escaped for LaTeX and a field can never close its braces early.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from benchtables.errors import EmptyResultError
from benchtables.rendering import cite_key
from benchtables.rendering.cells import escape_latex, safe_url

if TYPE_CHECKING:
    from benchtables.store import Store
    from benchtables.tables.view import SourceInfo, TableView

__all__ = ["bibtex_entry", "export_bibtex"]


def _url(url: str | None) -> str | None:
    """A URL as a BibTeX field: percent-encoded by ``safe_url``, so it holds no brace or backslash."""
    link = safe_url(url)
    return None if link is None else link.replace("%", "\\%").replace("#", "\\#")


def bibtex_entry(source: SourceInfo) -> str:
    """One ``@misc`` entry for a source."""
    fields: list[tuple[str, str | None]] = [
        ("title", "{" + escape_latex(source.title) + "}"),
        ("author", " and ".join(escape_latex(a) for a in source.authors) or None),
        ("key", escape_latex(source.id) if not source.authors else None),  # BibTeX sorts by it when no author
        ("year", str(source.year) if source.year else (source.date or "")[:4] or None),
        ("eprint", escape_latex(source.arxiv) if source.arxiv else None),
        ("archivePrefix", "arXiv" if source.arxiv else None),
        ("howpublished", escape_latex(source.venue) if source.venue and not source.arxiv else None),
        ("url", _url(source.url)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{cite_key(source.id)},\n{body}\n}}\n"


def export_bibtex(sources: TableView | Iterable[str] | None = None, store: Path | str | Store | None = None) -> str:
    """A ``.bib`` with an entry per source: those a table cites, the ids given, or all (None).

    Raises:
        EmptyResultError: there is no source to write.
        UnknownIdError: a source id the store does not have.
    """
    from benchtables.tables.view import SourceInfo, TableView

    if isinstance(sources, TableView):
        infos = list(sources.sources.values())
    else:
        from benchtables.names import NameIndex
        from benchtables.store import Store

        rows = {r["id"]: r for r in Store.open(store).table("sources").to_pylist()}
        if sources is None:
            wanted = sorted(rows)
        else:
            index = NameIndex("source")
            for id_, row in rows.items():
                index.add(id_, row.get("title"))
            wanted = [index.require(s) for s in sources]
        infos = [SourceInfo.of(rows[id_]) for id_ in dict.fromkeys(wanted)]
    if not infos:
        raise EmptyResultError("no sources to cite")
    return "\n".join(bibtex_entry(s) for s in sorted(infos, key=lambda s: s.id))
