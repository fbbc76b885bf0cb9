"""Choosing comparable numbers: one benchmark, one metric, one setting, one report per model.

Every table benchtables ranks goes through here. The work is done in Arrow (filter, group,
sort, first-per-group) so that a store of millions of score rows is reduced before anything
becomes a pandas DataFrame.

*Comparable* means the same benchmark, metric, n-shot, setting qualifiers and split, on the
whole benchmark (a subset is a part, never a setting of the whole), from full runs (a run on a
sample of the benchmark is ``partial`` and is left out unless asked for). A split a record did
not name is its benchmark's standard split, so typed numbers, imports and suites meet.

When a caller does not name a setting, the one with the most models is chosen, and the others
are reported so the choice is visible. *One row per model*: when several sources report a
model, a stated policy picks one (``original``: the source that introduced the model, else the
newest; ``best``; ``latest``), and the spread between sources is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import numpy_of
from benchtables.errors import EmptyResultError, UsageError
from benchtables.names import NameIndex
from benchtables.registry import Registry
from benchtables.spec import TextForm, normalize_text
from benchtables.store import Store

__all__ = ["PREFER", "SETTING_COLUMNS", "ModelFilter", "ScoreView", "Selection", "Setting", "setting_labels"]

PREFER = ("original", "best", "latest")
#: What numbers must share to be ranked together (besides benchmark and metric).
SETTING_COLUMNS = ("n_shot", "setting", "split", "subset", "partial")
#: Score columns that choosing and ranking reports read.
RANKING_COLUMNS = ("model", "value", "stderr", "ci_low", "ci_high", "source", "first_party", "where", "qualifiers",
                   "n_samples", *SETTING_COLUMNS)
_FORMS = {"setting": TextForm.SETTING, "split": TextForm.LABEL, "subset": TextForm.SUBSET}


def _normalized(key: str, value: Any) -> Any:
    return normalize_text(value, _FORMS[key]) if key in _FORMS and isinstance(value, str) else value


@dataclass(frozen=True)
class Setting:
    """The evaluation setting numbers must share to be ranked together."""

    n_shot: int | None = None
    setting: str | None = None
    split: str | None = None
    subset: str | None = None
    partial: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Setting:
        values = {k: row.get(k) for k in SETTING_COLUMNS}
        n_shot = values["n_shot"]
        values["n_shot"] = None if n_shot is None or n_shot != n_shot else int(n_shot)
        values["partial"] = bool(values["partial"])
        cleaned: dict[str, Any] = {k: (None if v is None or v != v else v) for k, v in values.items()}
        return cls(**cleaned)

    def label(self, standard_split: str | None = None) -> str:
        """``5-shot``, ``0-shot, cot``, ``5-shot, subset humanities``; empty when nothing is said.

        The benchmark's standard split goes unsaid; another split is named.
        """
        parts = []
        if self.n_shot is not None:
            parts.append(f"{self.n_shot}-shot")
        if self.setting:
            parts.append(self.setting.replace(",", ", "))
        if self.split and self.split != standard_split:
            parts.append(f"{self.split} split")
        if self.subset:
            parts.append(f"subset {self.subset}")
        if self.partial:
            parts.append("partial runs")
        return ", ".join(parts)

    def describe(self, standard_split: str | None = None) -> str:
        return self.label(standard_split) or "no setting stated"

    def without_subset(self) -> Setting:
        return Setting(self.n_shot, self.setting, self.split, None, self.partial)


def setting_labels(rows: pa.Table, standard_split: str | None = None) -> list[str]:
    """The setting label of each row (``5-shot``), computed once per distinct setting."""
    labels: dict[tuple[Any, ...], str] = {}
    columns = [rows[k].to_pylist() if k in rows.column_names else [None] * rows.num_rows for k in SETTING_COLUMNS]
    out = []
    for values in zip(*columns, strict=True):
        if values not in labels:
            labels[values] = Setting.of(dict(zip(SETTING_COLUMNS, values, strict=True))).label(standard_split)
        out.append(labels[values])
    return out


@dataclass(frozen=True)
class ModelFilter:
    """Which models a table shows: by size, organisation, weights, release date, kind."""

    min_params: float | None = None
    max_params: float | None = None
    organization: str | None = None
    open_weights: bool | None = None
    released_after: str | None = None
    released_before: str | None = None
    kind: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.min_params, self.max_params, self.organization, self.open_weights,
                                           self.released_after, self.released_before, self.kind))

    def describe(self) -> str:
        from benchtables.units import format_count

        parts = []
        if self.min_params is not None:
            parts.append(f"at least {format_count(self.min_params)} parameters")
        if self.max_params is not None:
            parts.append(f"at most {format_count(self.max_params)} parameters")
        if self.organization:
            parts.append(f"from {self.organization}")
        if self.open_weights is not None:
            parts.append("open weights" if self.open_weights else "closed weights")
        if self.released_after:
            parts.append(f"released from {self.released_after}")
        if self.released_before:
            parts.append(f"released before {self.released_before}")
        if self.kind:
            parts.append(f"kind {self.kind}")
        return ", ".join(parts)

    def ids(self, models: pa.Table) -> list[str]:
        """The ids of the models that pass."""
        mask = pa.array(np.ones(models.num_rows, dtype=bool))
        if self.min_params is not None:
            mask = pc.and_(mask, pc.fill_null(pc.greater_equal(models["parameters"], self.min_params), False))
        if self.max_params is not None:
            mask = pc.and_(mask, pc.fill_null(pc.less_equal(models["parameters"], self.max_params), False))
        if self.organization:
            mask = pc.and_(mask, pc.fill_null(pc.equal(pc.utf8_lower(models["organization"]),
                                                       self.organization.lower()), False))
        if self.open_weights is not None:
            mask = pc.and_(mask, pc.fill_null(pc.equal(models["open_weights"], self.open_weights), False))
        if self.released_after:
            mask = pc.and_(mask, pc.fill_null(pc.greater_equal(models["released"], self.released_after), False))
        if self.released_before:
            mask = pc.and_(mask, pc.fill_null(pc.less(models["released"], self.released_before), False))
        if self.kind:
            mask = pc.and_(mask, pc.fill_null(pc.equal(models["kind"], self.kind), False))
        return cast(list[str], models["id"].filter(mask).to_pylist())


@dataclass
class Selection:
    """Reports of one benchmark and metric, one per model, with the setting they share."""

    benchmark: Any
    metric: Any
    setting: Setting | None  #: None when settings were mixed on purpose
    chosen_automatically: bool
    others: list[tuple[Setting, int]]  #: other settings of the whole benchmark and their model counts
    subsets: list[tuple[str, int]]  #: subsets in the store (not ranked with the whole) and their model counts
    partial: int  #: models with partial runs only in this setting, left out
    rows: pa.Table  #: one row per model: the chosen report plus reports/low/high/disputed
    filtered: ModelFilter | None = None

    @property
    def higher_is_better(self) -> bool:
        return bool(self.metric.higher_is_better)


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

    def target(self, benchmark: str, metric: str | None = None) -> tuple[Any, Any]:
        """The benchmark and metric named (aliases allowed); UnknownIdError with did-you-mean."""
        b = self.registry.benchmark(benchmark)
        return b, self.registry.metric_of(b.id, metric)

    def models(self) -> pa.Table:
        return self.store.table("models")

    def model_index(self) -> NameIndex:
        models = self.models()
        return NameIndex.from_columns("model", models["id"].combine_chunks(), [models["name"].combine_chunks()],
                                      [models["aliases"].combine_chunks()])

    def resolve_models(self, names: Sequence[str]) -> list[str]:
        index = self.model_index()
        return [index.require(n) for n in names]

    def source_info(self, ids: Sequence[str]) -> dict[str, Any]:
        from benchtables.tables.view import SourceInfo

        wanted = pa.array(sorted({i for i in ids if i is not None}), pa.string())
        table = self.store.table("sources")
        table = table.filter(pc.is_in(table["id"], value_set=wanted))
        return {r["id"]: SourceInfo.of(r) for r in table.to_pylist()}

    # ------------------------------------------------------------------ selection

    def rows(self, benchmark: Any, metric: Any, *, include_baselines: bool = False,
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
                rows = rows.filter(pc.invert(pc.is_in(rows["model"], value_set=baselines.combine_chunks())))
        return rows

    @staticmethod
    def settings(rows: pa.Table) -> list[tuple[Setting, int]]:
        """Settings present in ``rows`` with their model counts, most models first."""
        if rows.num_rows == 0:
            return []
        counts = rows.group_by(list(SETTING_COLUMNS), use_threads=False).aggregate([("model", "count_distinct")])
        found = [(Setting.of(r), r["model_count_distinct"]) for r in counts.to_pylist()]
        # most models first; then the plainest setting (nothing stated beats something stated)
        return sorted(found, key=lambda item: (
            -item[1], item[0].partial,
            *((getattr(item[0], k) is not None, str(getattr(item[0], k))) for k in ("subset", "setting", "split")),
            item[0].n_shot if item[0].n_shot is not None else -1,
        ))

    def select(self, benchmark: str, metric: str | None = None, *, requested: Mapping[str, Any] | None = None,
               prefer: str = "original", mix_settings: bool = False, include_baselines: bool = False,
               include_partial: bool = False, models: Sequence[str] | None = None, exact: bool = False,
               columns: Sequence[str] | None = None, filters: ModelFilter | None = None,
               tolerance: float | None = None) -> Selection:
        """Comparable reports, one per model. Raises EmptyResultError when there are none.

        ``requested`` names setting columns to match (unset: chosen). With ``exact`` (suite
        members), an unset n_shot or setting means "none stated" rather than "any". A subset
        is never chosen: unset means the whole benchmark. ``columns``: the score columns the
        caller needs besides those ranking uses (default: all).
        """
        if prefer not in PREFER:
            raise UsageError(f"prefer must be one of {', '.join(PREFER)}, not {prefer!r}")
        b, m = self.target(benchmark, metric)
        if columns is not None:
            columns = list(dict.fromkeys([*RANKING_COLUMNS, *columns]))
        if filters is not None and filters.active:
            allowed = set(filters.ids(self.models()))
            models = [mid for mid in models if mid in allowed] if models is not None else sorted(allowed)
        found = self.rows(b, m, include_baselines=include_baselines, models=models, columns=columns)
        if found.num_rows == 0:
            present = self.store.scan("scores", ["metric"], where={"benchmark": [b.id]})
            stored = sorted(set(present["metric"].to_pylist()) - {m.id})
            raise EmptyResultError(f"no {b.name} scores in metric {m.name} in the store"
                                   + (" for these models" if models is not None else "")
                                   + (f"; it has {', '.join(stored)}: choose one with {{metric}}" if stored else ""),
                                   options={"metric": ("metric=…", "--metric")})
        wanted = {k: _normalized(k, v) for k, v in (requested or {}).items() if v is not None}
        if exact:
            wanted = {k: _normalized(k, v) for k, v in (requested or {}).items() if v is not None or k in
                      ("n_shot", "setting")}
        subset = wanted.pop("subset", None)
        whole_mask = pc.is_null(found["subset"]) if subset is None else pc.fill_null(pc.equal(found["subset"], subset),
                                                                                      False)
        subsets = self._subsets(found) if subset is None else []
        rows = found.filter(whole_mask)
        if rows.num_rows == 0:
            shown = "; ".join(f"{s} ({n} model{'s' if n != 1 else ''})" for s, n in (subsets or self._subsets(found))[:8])
            what = f"subset {subset}" if subset else "the whole benchmark"
            raise EmptyResultError(f"no {b.name} {m.name} scores on {what}" + (f"; subsets: {shown} — choose one "
                                                                               "with {subset}" if shown else ""),
                                   options={"subset": ("subset=…", "--subset")})
        partial_models = 0
        if not include_partial and "partial" not in wanted:
            full = pc.invert(pc.fill_null(rows["partial"], False))
            partial_only = set(rows.filter(pc.invert(full))["model"].to_pylist()) - set(rows.filter(full)["model"].to_pylist())
            partial_models = len(partial_only)
            rows = rows.filter(full)
            if rows.num_rows == 0:
                raise EmptyResultError(f"only partial runs of {b.name} ({m.name}) in the store: runs on a sample "
                                       "are not ranked beside full ones unless asked ({include_partial})",
                                       options={"include_partial": ("include_partial=True", "--include-partial")})
        available = self.settings(rows)
        setting: Setting | None = None
        others: list[tuple[Setting, int]] = []
        if not mix_settings:
            matching = [(s, n) for s, n in available if all(getattr(s, k) == v for k, v in wanted.items())]
            if not matching:
                listed = "; ".join(f"{s.describe(b.split)} ({n} model{'s' if n != 1 else ''})" for s, n in available)
                asked = Setting(**{k: v for k, v in wanted.items() if k in ("n_shot", "setting", "split")}).describe()
                raise EmptyResultError(f"no {b.name} scores in metric {m.name} with {asked}; the store has: {listed}")
            setting = matching[0][0]
            others = [(s, n) for s, n in available if s != setting]
            rows = rows.filter(_setting_mask(rows, setting))
        chosen = self._one_per_model(rows, prefer, m.higher_is_better, m.is_percent, tolerance)
        return Selection(b, m, setting, not wanted and len(available) > 1, others, subsets, partial_models, chosen,
                         filters if filters is not None and filters.active else None)

    def _subsets(self, rows: pa.Table) -> list[tuple[str, int]]:
        with_subset = rows.filter(pc.is_valid(rows["subset"]))
        if with_subset.num_rows == 0:
            return []
        counts = with_subset.group_by("subset", use_threads=False).aggregate([("model", "count_distinct")])
        return sorted(zip(counts["subset"].to_pylist(), counts["model_count_distinct"].to_pylist(), strict=True),
                      key=lambda kv: (-kv[1], kv[0]))

    def ranked(self, benchmark: Any, metric: Any, setting: Setting, prefer: str = "original") -> pa.Table:
        """One report per model in exactly this setting (no setting is chosen; may be empty)."""
        rows = self.rows(benchmark, metric, setting=setting)
        return self._one_per_model(rows, prefer, metric.higher_is_better, metric.is_percent, None)

    def near_misses(self, benchmark: Any, metric: Any, setting: Setting, models: Sequence[str]) -> dict[str, str]:
        """For models without a number in this exact setting, what they do have of the benchmark
        (another metric, n-shot, split or setting), worded for a note."""
        if not models:
            return {}
        rows = self.store.scan("scores", ["model", "metric", *SETTING_COLUMNS],
                               where={"benchmark": [benchmark.id], "model": list(models)})
        rows = rows.filter(pc.is_null(rows["subset"]))
        out: dict[str, set[str]] = {}
        for r in rows.to_pylist():
            other = Setting.of(r)
            label = other.label(benchmark.split) or "no setting stated"
            out.setdefault(r["model"], set()).add(f"{r['metric']} ({label})" if r["metric"] != metric.id or
                                                  other != setting else label)
        return {k: "; ".join(sorted(v)) for k, v in out.items()}

    def _one_per_model(self, rows: pa.Table, prefer: str, higher: bool, percent: bool,
                       tolerance: float | None) -> pa.Table:
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
        low = numpy_of(grouped["value_min"].combine_chunks())
        high = numpy_of(grouped["value_max"].combine_chunks())
        if tolerance is not None:
            disputed = (high - low) > tolerance + 1e-9
        else:
            from benchtables.validation.across import disagreeing

            disputed = disagreeing(low, high) & (high != low)
        return (chosen.append_column("reports", grouped["source_count_distinct"])
                .append_column("low", grouped["value_min"])
                .append_column("high", grouped["value_max"])
                .append_column("disputed", pa.array(disputed)))


def _setting_mask(rows: pa.Table, setting: Setting) -> pa.ChunkedArray:
    mask = None
    for key in SETTING_COLUMNS:
        value = getattr(setting, key)
        column = rows[key]
        if key == "partial":
            part = pc.equal(pc.fill_null(column, False), bool(value))
        else:
            part = pc.is_null(column) if value is None else pc.fill_null(pc.equal(column, value), False)
        mask = part if mask is None else pc.and_(mask, part)
    return mask
