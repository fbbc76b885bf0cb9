"""Papers with Code ``evaluation-tables.json`` (and sota-extractor task files) → scores.

Tasks hold datasets (and subtasks and subdatasets, recursively); a dataset's results are in
``sota.rows`` (older files: ``sota_rows``). Metric values are strings (``"86.831"``,
``"74.67%"``); blanks and dashes are skipped and counted. The numbers are the leaderboard's —
its ``source_link`` (or Papers with Code) is the source — and the paper each row cites goes
into the record's notes (``paper_title`` is sometimes a URL, or empty). Rows without a model
name and exact duplicate rows are skipped and counted; a model that recurs with different
numbers (a resubmission) keeps every row, each with its own ``where``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, read_json

__all__ = ["import_paperswithcode"]


def _tasks(items: list[dict[str, Any]], trail: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for task in items:
        name = (*trail, str(task.get("task", "?")))
        yield name, task
        yield from _tasks(task.get("subtasks") or [], name)


def _datasets(items: list[dict[str, Any]], trail: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for dataset in items:
        name = (*trail, str(dataset.get("dataset", "?")))
        yield name, dataset
        yield from _datasets(dataset.get("subdatasets") or [], name)


def import_paperswithcode(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                          model: str | None) -> None:
    file = path.name
    data = read_json(path)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(t, dict) and ("datasets" in t or "subtasks" in t) for t in data):
        raise FormatError(f"{file} is not a Papers with Code evaluation-tables file: expected a list of tasks "
                          "with datasets or subtasks")
    for task_path, task in _tasks(data):
        link = task.get("source_link") or {}
        title = link.get("title") or f"Papers with Code: {task_path[-1]}"
        url = source_url or (link.get("url") if str(link.get("url", "")).startswith("http") else None)
        source = importer.source(source_id or title, title, url=url, kind="leaderboard")
        for dataset_path, dataset in _datasets(task.get("datasets") or [], ()):
            sota = dataset.get("sota") or {}
            rows = sota.get("rows") if isinstance(sota, dict) and sota.get("rows") is not None else dataset.get("sota_rows")
            rows = rows or []
            benchmark_id = importer.benchmark(dataset_path[-1])
            if benchmark_id is None:
                if rows:
                    importer.unknown(dataset_path[-1], len(rows))
                continue
            _rows(importer, file, " / ".join((*task_path, *dataset_path)), source, benchmark_id, rows, model)


def _rows(importer: Importer, file: str, label: str, source: Any, benchmark_id: str, rows: list[dict[str, Any]],
          model: str | None) -> None:
    seen: set[str] = set()
    table: list[tuple[dict[str, Any], str]] = []
    for r, row in enumerate(rows):
        name = model or str(row.get("model_name") or "").strip()
        if not name:
            importer.skip("row without a model name")
            continue
        fingerprint = json.dumps(row, sort_keys=True)
        if fingerprint in seen:
            importer.skip("duplicate row")
            continue
        seen.add(fingerprint)
        paper = str(row.get("paper_title") or "").strip() or str(row.get("paper_url") or "").strip()
        notes = "; ".join(x for x in (f"paper: {paper}" if paper else "",
                                      f"paper date {row['paper_date']}" if row.get("paper_date") else "",
                                      "uses additional data" if row.get("uses_additional_data") else "") if x) or None
        model_ref = None
        metrics = given if isinstance(given := row.get("metrics"), dict) else {}
        for metric_name, raw in sorted(metrics.items()):
            scored = importer.scored(benchmark_id, metric_name, raw)
            if scored is None:
                continue
            metric_id, value = scored
            where = f"{file}: {label} / sota.rows[{r}] {metric_name}"
            try:
                model_ref = model_ref or importer.model(name, file)
            except FormatError:
                importer.skip("a model named by a local path")
                break
            record = {"model": model_ref.id, "benchmark": benchmark_id, "metric": metric_id, "value": value,
                      "where": where, "notes": notes}
            if importer.add(source, record, model=model_ref, file=file):
                table.append((source.records["scores"][-1], metric_id))
    importer.rescale(table, file)
