"""A table ready to present: its rows, and everything a renderer needs to show them honestly.

Leaderboards, comparisons, Pareto fronts and store tables are :class:`TableView` objects: a
pandas DataFrame of plain values (``frame``) beside the presentation — caption, notes, column
labels and units, which cells are best or disputed, which source each row or cell comes from,
and how precise each value is as written (``qualifiers``: ``>100B``, ``≈7``). The renderers of
:mod:`benchtables.rendering` read it; nothing rides in ``DataFrame.attrs`` (pandas copies
those for every column it touches, which made rendering quadratic).

In a notebook a view shows as an HTML table; ``view.frame`` is the DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SourceInfo", "TableView"]


@dataclass(frozen=True)
class SourceInfo:
    """What a footnote or a citation says of a source."""

    id: str
    title: str
    url: str | None = None
    year: int | None = None
    authors: tuple[str, ...] = ()
    arxiv: str | None = None
    venue: str | None = None
    date: str | None = None
    kind: str | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> SourceInfo:
        return cls(str(row["id"]), str(row.get("title") or row["id"]), row.get("url"), row.get("year"),
                   tuple(row.get("authors") or ()), row.get("arxiv"), row.get("venue"), row.get("date"),
                   row.get("kind"))


@dataclass
class TableView:
    """Rows and how to show them (see the module docstring)."""

    frame: pd.DataFrame
    caption: str | None = None
    notes: list[str] = field(default_factory=list)
    #: column → header text
    labels: dict[str, str] = field(default_factory=dict)
    #: column → unit (counts become ``70B``, FLOP ``5.76e23``)
    units: dict[str, str] = field(default_factory=dict)
    #: column → decimals, where the table knows better than the data
    precision: dict[str, int] = field(default_factory=dict)
    #: column → row positions whose cell is the best (bold)
    best: dict[str, set[int]] = field(default_factory=dict)
    #: column → row positions to mark with ⚠ (sources disagree)
    flagged: dict[str, set[int]] = field(default_factory=dict)
    #: per row, the qualifiers of its values (``value~``, ``parameters>``); None: none known
    qualifiers: list[list[str]] | None = None
    #: source id → what footnotes and citations say of it
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    #: the column naming each row's source (footnotes mark it), and whether it is first-party
    source_column: str | None = None
    first_party: list[bool] | None = None
    #: (row position, column) → source id, for tables whose cells come from different sources
    cell_sources: dict[tuple[int, str], str] = field(default_factory=dict)
    #: columns used for presentation but not shown
    hidden: set[str] = field(default_factory=set)
    #: text of a missing cell
    missing: str = ""
    #: what the table is of (benchmark, metric, setting, suite …), for programs
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, data: pd.DataFrame | TableView) -> TableView:
        """A view of a plain DataFrame (columns as they are), or the view itself."""
        if isinstance(data, TableView):
            return data
        units = dict(data.attrs.get("units", {})) if data.attrs else {}
        return cls(data, units=units)

    def with_frame(self, frame: pd.DataFrame, positions: list[int] | None = None) -> TableView:
        """The same presentation over other rows (``positions``: which old rows they are, in order)."""
        if positions is None:
            return replace(self, frame=frame)
        where = {old: new for new, old in enumerate(positions)}

        def moved(marks: dict[str, set[int]]) -> dict[str, set[int]]:
            return {c: {where[r] for r in rows if r in where} for c, rows in marks.items()}

        return replace(
            self, frame=frame, best=moved(self.best), flagged=moved(self.flagged),
            qualifiers=[self.qualifiers[p] for p in positions] if self.qualifiers is not None else None,
            first_party=[self.first_party[p] for p in positions] if self.first_party is not None else None,
            cell_sources={(where[r], c): s for (r, c), s in self.cell_sources.items() if r in where})

    def head(self, n: int) -> TableView:
        return self.with_frame(self.frame.head(n).reset_index(drop=True), list(range(min(n, len(self.frame)))))

    # ------------------------------------------------------------------ like a DataFrame

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, column: str) -> pd.Series:
        return self.frame[column]

    def __iter__(self) -> Iterator[str]:
        return iter(self.frame.columns)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def empty(self) -> bool:
        return bool(self.frame.empty)

    def to_pandas(self) -> pd.DataFrame:
        return self.frame

    def _repr_html_(self) -> str:
        from benchtables.rendering import to_html

        return to_html(self, footnotes=True)

    def __str__(self) -> str:
        from benchtables.rendering import to_text

        return to_text(self)

    __repr__ = __str__
