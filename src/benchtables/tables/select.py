"""Choosing comparable numbers: one benchmark, one metric, one setting, one report per model.

Every table benchtables ranks goes through here. The work is done in Arrow (filter, group,
sort, first-per-group) so that a store of millions of score rows is reduced before anything
becomes a pandas DataFrame.

*Comparable* means the same benchmark, metric, n_shot, setting, split and subset. When a
caller does not name a setting, the one with the most models is chosen, and the others are
reported so the choice is visible. *One row per model*: when several sources report a
model, a stated policy picks one (``original``: the source that introduced the model, else
the newest; ``best``; ``latest``), and the spread between sources is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.errors import EmptyResultError, UsageError
from benchtables.names import NameIndex
from benchtables.registry import Registry
from benchtables.schemas import Benchmark, Metric, normalize_label, normalize_setting, normalize_subset
from benchtables.store import Store

__all__ = ["PREFER", "SETTING_COLUMNS", "ScoreView", "Setting", "setting_labels"]

PREFER = ("original", "best", "latest")
SETTING_COLUMNS = ("n_shot", "setting", "split", "subset")
#: Score columns that choosing and ranking reports read.
RANKING_COLUMNS = ("model", "value", "stderr", "source", "first_party", "where", "qualifiers", *SETTING_COLUMNS)
_NORMALIZE = {"n_shot": lambda v: v, "setting": normalize_setting, "split": normalize_label, "subset": normalize_subset}


@dataclass(frozen=True)
class Setting:
    """The evaluation setting numbers must share to be ranked together."""

    n_shot: int | None = None
    setting: str | None = None
    split: str | None = None
    subset: str | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Setting:
        values = {k: row.get(k) for k in SETTING_COLUMNS}
        n_shot = values["n_shot"]
        values["n_shot"] = None if n_shot is None or n_shot != n_shot else int(n_shot)
        return cls(**{k: (None if v is None or v != v else v) for k, v in values.items()})

    def label(self) -> str:
        """``5-shot``, ``0-shot, cot``, ``5-shot, subset humanities``; empty when nothing is specified."""
        parts = []
        if self.n_shot is not None:
            parts.append(f"{self.n_shot}-shot")
        if self.setting:
            parts.append(self.setting.replace(",", ", "))
        if self.split:
            parts.append(f"{self.split} split")
        if self.subset:
            parts.append(f"subset {self.subset}")
        return ", ".join(parts)

    def describe(self) -> str:
        return self.label() or "no setting stated"


def setting_labels(rows: pa.Table) -> list[str]:
    """The setting label of each row (``5-shot``), computed once per distinct setting."""
    labels: dict[tuple[Any, ...], str] = {}
    columns = [rows[k].to_pylist() for k in SETTING_COLUMNS]
    out = []
    for values in zip(*columns, strict=True):
        if values not in labels:
            labels[values] = Setting.of(dict(zip(SETTING_COLUMNS, values, strict=True))).label()
        out.append(labels[values])
    return out


@dataclass
class Selection:
    """Reports of one benchmark and metric, one per model, with the setting they share."""

    benchmark: Benchmark
    metric: Metric
    setting: Setting | None  #: None when settings were mixed on purpose
    chosen_automatically: bool
    others: list[tuple[Setting, int]]  #: other settings in the store and their model counts
    rows: pa.Table  #: one row per model: the chosen report plus reports/low/high

    @property
    def higher_is_better(self) -> bool:
        return self.metric.higher_is_better


def _value_order(higher: bool) -> str:
    return "descending" if higher else "ascending"


@dataclass
class ScoreView:
    """The scores of a store, with the registry, models and sources needed to rank them."""

    store: Store
    registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        self.registry = self.store.registry()

    @classmethod
    def open(cls, store: Path | str | Store | None = None) -> ScoreView:
        return cls(Store.open(store))

    # ------------------------------------------------------------------ lookups

    def target(self, benchmark: str, metric: str | None = None) -> tuple[Benchmark, Metric]:
        """The benchmark and metric named (aliases allowed); UnknownIdError with did-you-mean."""
        b = self.registry.benchmark(benchmark)
        return b, self.registry.metric_of(b.id, metric)

    def models(self) -> pa.Table:
        return self.store.table("models")

    def model_index(self) -> NameIndex:
        index = NameIndex("model")
        for row in self.models().select(["id", "name", "aliases"]).to_pylist():
            index.add(row["id"], row["name"], *(row["aliases"] or []))
        return index

    def resolve_models(self, names: Sequence[str]) -> list[str]:
        index = self.model_index()
        return [index.require(n) for n in names]

    def source_info(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        wanted = pa.array(sorted(set(ids)), pa.string())
        table = self.store.table("sources").select(["id", "title", "url", "year"])
        table = table.filter(pc.is_in(table["id"], value_set=wanted))
        return {r["id"]: {"title": r["title"], "url": r["url"], "year": r["year"]} for r in table.to_pylist()}

    # ------------------------------------------------------------------ selection

    def rows(self, benchmark: Benchmark, metric: Metric, *, include_baselines: bool = False,
             models: Sequence[str] | None = None, setting: Setting | None = None,
             columns: Sequence[str] | None = None) -> pa.Table:
        """Score rows of one benchmark and metric, in one setting if given (baselines such as
        random chance left out). The store filters them as it reads (see :meth:`Store.scan`)."""
        where: dict[str, list[Any]] = {"benchmark": [benchmark.id], "metric": [metric.id]}
        if setting is not None:
            where.update({k: [getattr(setting, k)] for k in SETTING_COLUMNS})
        if models is not None:
            where["model"] = list(models)
        rows = self.store.scan("scores", columns, where=where)
        if not include_baselines and rows.num_rows:
            kinds = self.models().select(["id", "kind"])
            baselines = kinds.filter(pc.equal(kinds["kind"], "baseline"))["id"]
            if len(baselines):
                rows = rows.filter(pc.invert(pc.is_in(rows["model"], value_set=baselines)))
        return rows

    @staticmethod
    def settings(rows: pa.Table) -> list[tuple[Setting, int]]:
        """Settings present in ``rows`` with their model counts, most models first."""
        if rows.num_rows == 0:
            return []
        counts = rows.group_by(list(SETTING_COLUMNS)).aggregate([("model", "count_distinct")])
        found = [(Setting.of(r), r["model_count_distinct"]) for r in counts.to_pylist()]
        # most models first; then the plainest setting (nothing stated beats something stated)
        return sorted(found, key=lambda item: (
            -item[1],
            *((getattr(item[0], k) is not None, str(getattr(item[0], k))) for k in ("subset", "setting", "split")),
            item[0].n_shot if item[0].n_shot is not None else -1,
        ))

    def select(self, benchmark: str, metric: str | None = None, *, requested: Mapping[str, Any] | None = None,
               prefer: str = "original", mix_settings: bool = False, include_baselines: bool = False,
               models: Sequence[str] | None = None, exact: bool = False,
               columns: Sequence[str] | None = None) -> Selection:
        """Comparable reports, one per model. Raises EmptyResultError when there are none.

        With ``exact`` (suite members), an unset n_shot, setting or subset means "none
        stated" rather than "any"; an unset split still means any. ``columns``: the score
        columns the caller needs besides those ranking uses (default: all).
        """
        if prefer not in PREFER:
            raise UsageError(f"prefer must be one of {', '.join(PREFER)}, not {prefer!r}")
        b, m = self.target(benchmark, metric)
        if columns is not None:
            columns = list(dict.fromkeys([*RANKING_COLUMNS, *columns]))
        found = self.rows(b, m, include_baselines=include_baselines, models=models, columns=columns)
        if found.num_rows == 0:
            present = self.store.scan("scores", ["metric"], where={"benchmark": [b.id]})
            others = sorted(set(present["metric"].to_pylist()) - {m.id})
            raise EmptyResultError(f"no {b.name} scores in metric {m.name} in the store"
                                   + (" for these models" if models else "")
                                   + (f"; it has {', '.join(others)}: pass --metric" if others else ""))
        available = self.settings(found)
        wanted = {k: _NORMALIZE[k](v) for k, v in (requested or {}).items() if v is not None}
        setting: Setting | None = None
        others: list[tuple[Setting, int]] = []
        if exact:
            wanted = {k: _NORMALIZE[k](v) for k, v in (requested or {}).items() if v is not None or k != "split"}
        if not mix_settings:
            matching = [(s, n) for s, n in available if all(getattr(s, k) == v for k, v in wanted.items())]
            if not matching:
                listed = "; ".join(f"{s.describe()} ({n} model{'s' if n != 1 else ''})" for s, n in available)
                asked = Setting(**wanted).describe()
                raise EmptyResultError(f"no {b.name} scores in metric {m.name} with {asked}; the store has: {listed}")
            setting = matching[0][0]
            others = [(s, n) for s, n in available if s != setting]
        rows = found if setting is None else found.filter(_setting_mask(found, setting))
        chosen = self._one_per_model(rows, prefer, m.higher_is_better)
        return Selection(b, m, setting, not wanted and len(available) > 1, others, chosen)

    def ranked(self, benchmark: Benchmark, metric: Metric, setting: Setting, prefer: str = "original") -> pa.Table:
        """One report per model in exactly this setting (no setting is chosen; may be empty)."""
        return self._one_per_model(self.rows(benchmark, metric, setting=setting), prefer, metric.higher_is_better)

    def _one_per_model(self, rows: pa.Table, prefer: str, higher: bool) -> pa.Table:
        years = self.store.table("sources").select(["id", "year"]).rename_columns(["source", "_year"])
        keys = rows.select(["model", "value", "source", "first_party", "where"])
        indexed = keys.append_column("_row", pa.array(np.arange(rows.num_rows), pa.int64()))
        indexed = indexed.join(years, keys="source", join_type="left outer")
        by_value = ("value", _value_order(higher))
        newest = [("_year", "descending"), ("source", "descending")]
        order = {
            "original": [("first_party", "descending"), *newest, by_value],
            "latest": [*newest, by_value],
            "best": [by_value, ("first_party", "descending"), *newest],
        }[prefer]
        ordered = indexed.sort_by([("model", "ascending"), *order, ("where", "ascending"), ("_row", "ascending")])
        grouped = ordered.group_by("model", use_threads=False).aggregate(
            [("_row", "first"), ("value", "min"), ("value", "max"), ("source", "count_distinct")])
        chosen = rows.take(grouped["_row_first"])
        return (chosen.append_column("reports", grouped["source_count_distinct"])
                .append_column("low", grouped["value_min"])
                .append_column("high", grouped["value_max"]))


def _setting_mask(rows: pa.Table, setting: Setting) -> pa.ChunkedArray:
    mask = None
    for key in SETTING_COLUMNS:
        value = getattr(setting, key)
        column = rows[key]
        part = pc.is_null(column) if value is None else pc.fill_null(pc.equal(column, value), False)
        mask = part if mask is None else pc.and_(mask, part)
    return mask
