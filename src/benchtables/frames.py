"""Store tables as pandas DataFrames with honest dtypes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from benchtables.store import Store

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMN_LABELS", "SUMMARY_COLUMNS", "load", "to_pandas"]

#: Header text for store columns in rendered tables.
COLUMN_LABELS = {
    "model": "Model", "benchmark": "Benchmark", "metric": "Metric", "value": "Value", "stderr": "± stderr",
    "n_shot": "Shots", "setting": "Setting", "split": "Split", "subset": "Subset", "source": "Source",
    "where": "Where", "quote": "Quote", "estimated": "Estimated", "notes": "Notes", "qualifiers": "Qualifiers",
    "first_party": "First party", "parameters": "Params", "tokens": "Tokens", "compute": "Compute (FLOP)",
    "hardware": "Hardware", "chips": "Chips", "chip_hours": "Chip-hours", "days": "Days", "dataset": "Dataset",
    "mfu": "MFU %", "hfu": "HFU %", "throughput": "Tokens/s", "sampler": "Sampler", "steps": "Steps",
    "guidance": "CFG", "cost_per_step": "Cost/step", "flops_per_step": "FLOP/step", "sampling_cost": "Sampling cost",
    "distilled": "Distilled", "resolution": "Resolution", "fid": "FID", "clip_score": "CLIP score", "lpips": "LPIPS",
    "tokens_per_parameter": "Tokens/param", "compute_6nd": "6·N·D (FLOP)", "training_compute": "Compute or 6·N·D (FLOP)",
    "chinchilla_tokens": "Chinchilla-optimal tokens", "chinchilla_ratio": "× Chinchilla-optimal",
}

#: Columns worth showing in a terminal; the rest (quotes, notes, files) on request.
SUMMARY_COLUMNS: dict[str, tuple[str, ...]] = {
    "scores": ("model", "benchmark", "metric", "value", "stderr", "n_shot", "setting", "split", "subset",
               "source", "where", "estimated", "qualifiers"),
    "training": ("model", "parameters", "tokens", "compute", "hardware", "chips", "chip_hours", "days",
                 "source", "where", "estimated", "qualifiers"),
    "utilization": ("model", "hardware", "chips", "mfu", "hfu", "throughput", "setting", "source", "where",
                    "estimated", "qualifiers"),
    "sampling": ("model", "sampler", "steps", "guidance", "cost_per_step", "sampling_cost", "distilled", "fid",
                 "clip_score", "source", "where", "estimated", "qualifiers"),
    "models": ("id", "name", "organization", "parameters", "kind", "released", "introduced_by", "qualifiers"),
    "sources": ("id", "title", "year", "kind", "url"),
    "benchmarks": ("id", "name", "task", "metrics", "primary"),
    "metrics": ("id", "name", "unit", "higher_is_better", "min", "max"),
}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow → pandas: nullable ``Int64`` integers, ``string`` text, lists as Python lists.

    Column units and descriptions travel in ``df.attrs["units"]`` and ``df.attrs["descriptions"]``.
    """
    import pandas as pd

    mapping = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(),
               pa.int32(): pd.Int64Dtype()}
    df = table.to_pandas(types_mapper=mapping.get)
    for f in table.schema:
        if pa.types.is_dictionary(f.type):  # hive partition columns read back as categories
            df[f.name] = df[f.name].astype(pd.StringDtype())
        elif pa.types.is_list(f.type):
            values = table[f.name].to_pylist()
            df[f.name] = pd.Series([v if v is not None else [] for v in values], index=df.index, dtype=object)
    units = {}
    descriptions = {}
    for f in table.schema:
        meta = f.metadata or {}
        if b"unit" in meta:
            units[f.name] = meta[b"unit"].decode()
        if b"description" in meta:
            descriptions[f.name] = meta[b"description"].decode()
    df.attrs["units"] = units
    df.attrs["descriptions"] = descriptions
    return df


def load(kind: str, store: Path | str | Store | None = None, *, derived: bool = False) -> pd.DataFrame:
    """One store table as a DataFrame.

    Args:
        kind: ``scores``, ``training``, ``utilization``, ``sampling``, ``models``,
            ``sources``, ``benchmarks`` or ``metrics``.
        store: a store directory; default: ``BENCHTABLES_STORE``, the current project's
            ``data/store``, or the copy shipped with the package.
        derived: add derived columns (training: tokens per parameter, 6·N·D compute,
            Chinchilla-optimal tokens; see :func:`benchtables.tables.add_derived`).

    Raises:
        StoreNotFoundError, StoreCorruptError, StoreVersionError: the store cannot be read.
        UnknownIdError: ``kind`` is not a table.
    """
    opened = Store.open(store)
    df = to_pandas(opened.table(kind))
    df.attrs["kind"] = kind
    if derived:
        from benchtables.tables.derived import add_derived

        df = add_derived(df, kind)
    return df
