"""Export: store tables as CSV, Parquet or JSON lines; a model's scores as a Hugging Face
``model-index`` block; results in the every-eval-ever schema.

CSV and JSON lines of record tables carry each record's source title, URL and year beside
its source id, so an export is self-contained and imports back (``import csv --preset
benchtables``) as the same records.
"""

from __future__ import annotations

import io
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchtables.errors import EmptyResultError, UsageError
from benchtables.names import NameIndex
from benchtables.schemas import RECORD_KINDS, TABLES
from benchtables.store import Store
from benchtables.tables.select import Setting

__all__ = ["EVERY_EVAL_EVER_VERSION", "export_every_eval_ever", "export_model_index", "export_table"]

#: Version of the every-eval-ever schema (evaleval/every_eval_ever, eval.schema.json) written.
EVERY_EVAL_EVER_VERSION = "0.2.1"
TABLE_FORMATS = ("csv", "parquet", "jsonl")


def _with_sources(store: Store, kind: str) -> pa.Table:
    table = store.table(kind)
    if kind not in RECORD_KINDS:
        return table
    sources = store.table("sources").select(["id", "title", "url", "year"]).rename_columns(
        ["source", "source_title", "source_url", "source_year"])
    lists = [f.name for f in table.schema if pa.types.is_list(f.type)]
    joined = table.drop_columns(lists).append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    joined = joined.join(sources, keys="source", join_type="left outer").sort_by("_row")
    for name in lists:
        joined = joined.append_column(table.schema.field(name), table[name])
    return joined.drop_columns(["_row"]).select([*table.column_names, "source_title", "source_url", "source_year"])


def export_table(kind: str, fmt: str, store: Path | str | Store | None = None) -> bytes:
    """A store table as CSV, Parquet or JSON lines (records with their sources' title, URL and year)."""
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; formats: {', '.join(TABLE_FORMATS)}")
    if kind not in TABLES:
        raise UsageError(f"unknown table {kind!r}; tables: {', '.join(TABLES)}")
    table = _with_sources(Store.open(store), kind)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        return buffer.getvalue()
    rows = table.to_pylist()
    if fmt == "jsonl":
        return "".join(json.dumps(_clean(r), ensure_ascii=False, sort_keys=False) + "\n" for r in rows).encode()
    from benchtables.frames import to_pandas
    from benchtables.rendering import to_csv

    return to_csv(to_pandas(table)).encode()


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}


def _model(store: Store, name: str) -> dict[str, Any]:
    models = store.table("models").to_pylist()
    index = NameIndex("model")
    for row in models:
        index.add(row["id"], row["name"], *(row["aliases"] or []))
    id_ = index.require(name)
    return next(r for r in models if r["id"] == id_)


def export_model_index(model: str, store: Path | str | Store | None = None) -> str:
    """A ``model-index`` block for a Hugging Face model card with every score of ``model``.

    Each result keeps its setting (``args.num_few_shot``, ``split``, ``config`` for a subset,
    ``args.setting``) and its source (``source.name``, ``source.url``).
    """
    import yaml

    opened = Store.open(store)
    info = _model(opened, model)
    scores = [r for r in opened.table("scores").to_pylist() if r["model"] == info["id"]]
    if not scores:
        raise EmptyResultError(f"the store has no scores for {info['id']}")
    registry = opened.registry()
    sources = {r["id"]: r for r in opened.table("sources").to_pylist()}
    results = []
    for r in scores:
        benchmark = registry.benchmarks[r["benchmark"]]
        metric = registry.metrics[r["metric"]]
        dataset: dict[str, Any] = {"name": benchmark.name, "type": benchmark.id}
        if r["subset"]:
            dataset["config"] = r["subset"]
        if r["split"]:
            dataset["split"] = r["split"]
        args = {k: v for k, v in (("num_few_shot", r["n_shot"]), ("setting", r["setting"])) if v is not None}
        if args:
            dataset["args"] = args
        source = sources.get(r["source"], {})
        result: dict[str, Any] = {
            "task": {"type": "text-generation"},
            "dataset": dataset,
            "metrics": [{"type": metric.id, "value": r["value"], "name": metric.name}],
            "source": {k: v for k, v in (("name", source.get("title")), ("url", source.get("url"))) if v},
        }
        results.append(result)
    block = {"model-index": [{"name": info["id"], "results": results}]}
    return yaml.safe_dump(block, sort_keys=False, allow_unicode=True, width=120)


def export_every_eval_ever(store: Path | str | Store | None = None, models: list[str] | None = None,
                           timestamp: str | None = None) -> list[dict[str, Any]]:
    """Scores in the every-eval-ever schema (v0.2.1): one document per model and source.

    ``retrieved_timestamp`` is when this export was made (Unix time), as the schema asks;
    pass ``timestamp`` to fix it.
    """
    import time

    opened = Store.open(store)
    registry = opened.registry()
    stamp = timestamp or str(int(time.time()))
    wanted = {_model(opened, m)["id"] for m in models} if models else None
    model_rows = {r["id"]: r for r in opened.table("models").to_pylist()}
    sources = {r["id"]: r for r in opened.table("sources").to_pylist()}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in opened.table("scores").to_pylist():
        if wanted is None or r["model"] in wanted:
            groups[(r["model"], r["source"])].append(r)
    documents = []
    for (model_id, source_id), rows in sorted(groups.items()):
        model = model_rows.get(model_id, {"id": model_id, "name": model_id})
        source = sources.get(source_id, {"id": source_id, "title": source_id})
        hub_id = next((a for a in model.get("aliases") or [] if "/" in a), model_id)
        details = {k: str(v) for k, v in (("url", source.get("url")), ("benchtables_source_id", source_id),
                                          ("year", source.get("year"))) if v is not None}
        documents.append({
            "schema_version": EVERY_EVAL_EVER_VERSION,
            "evaluation_id": f"{source_id}/{hub_id}/{stamp}",
            "retrieved_timestamp": stamp,
            "source_metadata": {
                "source_name": source.get("title") or source_id,
                "source_type": "evaluation_run" if source.get("kind") == "evaluation" else "documentation",
                "source_organization_name": source.get("venue") or source.get("title") or source_id,
                "evaluator_relationship": "first_party" if rows[0]["first_party"] else "third_party",
                "additional_details": details,
            },
            "eval_library": {"name": "unknown", "version": "unknown"},
            "model_info": {k: v for k, v in (("name", model.get("name") or model_id), ("id", hub_id),
                                             ("developer", model.get("organization"))) if v},
            "evaluation_results": [_result(r, registry) for r in rows],
        })
    return documents


def _result(row: dict[str, Any], registry: Any) -> dict[str, Any]:
    benchmark = registry.benchmarks[row["benchmark"]]
    metric = registry.metrics[row["metric"]]
    setting = Setting.of(row).label()
    config: dict[str, Any] = {"evaluation_description": f"{metric.name}" + (f", {setting}" if setting else ""),
                              "lower_is_better": not metric.higher_is_better}
    if metric.min is not None and metric.max is not None:
        config.update(score_type="continuous", min_score=metric.min, max_score=metric.max)
    score: dict[str, Any] = {"score": row["value"]}
    if row.get("stderr") is not None:
        score["uncertainty"] = {"standard_error": {"value": row["stderr"]}}
    source_data: dict[str, Any] = {"dataset_name": benchmark.name, "source_type": "other"}
    if benchmark.url:
        source_data = {"dataset_name": benchmark.name, "source_type": "url", "url": [benchmark.url]}
    extra = {k: str(v) for k, v in (("n_shot", row["n_shot"]), ("setting", row["setting"]), ("split", row["split"]),
                                    ("subset", row["subset"]), ("where", row["where"])) if v is not None}
    name = benchmark.name + (f" ({row['subset']})" if row.get("subset") else "")
    return {"evaluation_name": name, "source_data": source_data, "metric_config": config, "score_details": score,
            "generation_config": {"additional_details": extra}}
