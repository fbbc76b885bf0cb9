"""Synthetic data for ``benchmarks/run.py``: score records, their declarations, projects and stores.

Everything is generated with numpy from fixed seeds, so two runs measure the same bytes.

Score records are laid out so that their shape does not change with their number (which the
linearity targets need): row ``i`` is report ``i % 2`` of *identity* ``i // 2`` (model ×
benchmark × n-shot × setting, enumerated with the model varying fastest). The two reports of an
identity come from two different sources and agree, except for 1% whose second report is a point
higher (a ``disagreement`` warning, as real data has); 1% of second reports are partial runs. So
every leaderboard model has two reports, whatever the number of rows.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MODELS, SOURCES = 5000, 50
SHOTS = (0, 1, 2, 3, 4, 5, 8, 10, 16, 25)
SETTINGS = (None, "cot")
REPORTS = 2  #: sources reporting each identity
BASELINE_EVERY = 1000  #: every 1000th model is a baseline (random chance), which leaderboards leave out
#: The score variants of target 1: what is made unique per row, or how many models rows name.
VARIANTS = ("base", "unique subset", "unique where", "100,000 models", "unique notes")
DECLARATIONS_FILE = "data/entries/declarations.yaml"


def model_ids(models: int = MODELS) -> list[str]:
    return [f"model-{i:06d}" for i in range(models)]


def source_ids() -> list[str]:
    return [f"source-{i:03d}" for i in range(SOURCES)]


@cache
def ranged_benchmarks() -> tuple[tuple[str, str, float, float], ...]:
    """(benchmark, primary metric, min, max) of the shipped benchmarks whose primary metric has a range."""
    from benchtables.registry import Registry

    registry = Registry.shipped()
    out = []
    for b in sorted(registry.benchmarks.values(), key=lambda b: b.id):
        metric = registry.metrics[b.primary]
        if metric.max is not None and metric.min is not None:
            out.append((b.id, b.primary, float(metric.min), float(metric.max)))
    return tuple(out)


def _coded(codes: np.ndarray, values: list[str | None]) -> pa.DictionaryArray:
    """A dictionary column: ``values[codes[i]]`` per row (None: a null)."""
    valid = np.array([v is not None for v in values])[codes]
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=~valid),
                                          pa.array([v or "" for v in values], pa.string()))


def _numbered(prefix: str, numbers: np.ndarray, suffix: str = "") -> pa.Array:
    """``prefix`` + number + ``suffix`` per row, as a plain string column (one distinct text per row)."""
    text = np.char.add(np.char.add(prefix, numbers.astype(str)), suffix)
    return pa.array(text.astype(object), pa.string())


def synthetic_scores(n: int, variant: str = "base", seed: int = 0) -> pa.Table:
    """``n`` distinct score records (record fields plus ``source``), every value inside its metric's range.

    ``variant`` (see :data:`VARIANTS`): ``base`` has few distinct texts (5,000 models, 9 ``where``
    texts); the others make ``subset``, ``where`` or ``notes`` unique per row, or spread the rows
    over 100,000 models.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    models = 100_000 if variant == "100,000 models" else MODELS
    benchmarks = ranged_benchmarks()
    capacity = models * len(benchmarks) * len(SHOTS) * len(SETTINGS) * REPORTS
    if n > capacity:
        raise SystemExit(f"at most {capacity:,} distinct synthetic records")
    rng = np.random.default_rng(seed)
    i = np.arange(n, dtype=np.int64)
    report, identity = i % REPORTS, i // REPORTS
    model, rest = identity % models, identity // models
    bench, rest = rest % len(benchmarks), rest // len(benchmarks)
    shot, setting = rest % len(SHOTS), rest // len(SHOTS)
    source = (model * 7 + report * 13) % SOURCES  # the two reports: two different sources
    low = np.array([b[2] for b in benchmarks])[bench]
    high = np.array([b[3] for b in benchmarks])[bench]
    first = np.round(low + (0.25 + 0.7 * rng.random(n // REPORTS + 1)[identity]) * (high - low), 1)  # no fractions
    differs = (report == 1) & (rng.random(n) < 0.01)
    value = np.where(differs, np.minimum(first + 1.0, high), first)
    partial = (report == 1) & (rng.random(n) < 0.01)
    ids = model_ids(models)
    metrics = sorted({b[1] for b in benchmarks})
    columns: dict[str, pa.Array] = {
        "model": _coded(model, ids),
        "benchmark": _coded(bench, [b[0] for b in benchmarks]),
        "metric": _coded(np.array([metrics.index(b[1]) for b in benchmarks])[bench], metrics),
        "value": pa.array(value),
        "stderr": pa.array(np.round(rng.random(n), 3)),
        "n_shot": pa.array(np.array(SHOTS)[shot]),
        "setting": _coded(setting, list(SETTINGS)),
        "partial": pa.array(partial),
        "source": _coded(source, source_ids()),
        "where": _coded(1 + bench % 9, [f"Table {k}" for k in range(10)]),
    }
    if variant == "unique where":
        columns["where"] = _numbered("Table 4, row ", i + 1)
    elif variant == "unique subset":
        columns["subset"] = _numbered("subject ", i)
    elif variant == "unique notes":
        columns["notes"] = _numbered("Run ", i, " of the sweep; checked against the paper's appendix")
    return pa.table(columns)


def write_scores(path: Path, n: int, variant: str = "base", seed: int = 0) -> Path:
    """Synthetic scores written as a bulk Parquet file (text columns dictionary-encoded, as writers do)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(synthetic_scores(n, variant, seed), path)
    return path


def scores_csv(path: Path, n: int, columns: tuple[str, ...] | None = None, seed: int = 1) -> Path:
    """``n`` synthetic scores as a CSV file (every column, or ``columns``), text plain, as people write them.

    With ``columns`` lacking ``source``, only the first report of each identity is kept, so the rows
    stay distinct records of one source.
    """
    import pyarrow.csv as pacsv

    if columns is not None and "source" not in columns:
        table = synthetic_scores(2 * n, seed=seed)
        table = table.take(pa.array(np.arange(0, 2 * n, 2)))
    else:
        table = synthetic_scores(n, seed=seed)
    if columns is not None:
        table = table.select(list(columns))
    table = pa.table({name: table[name].cast(pa.string()) if pa.types.is_dictionary(table[name].type)
                      else table[name] for name in table.column_names})
    pacsv.write_csv(table, path)
    return path


# --------------------------------------------------------------------------- declarations


def model_rows(models: int = MODELS) -> list[dict[str, object]]:
    """The models the synthetic scores name: every other one introduced by its first reporting
    source (those reports are first-party), every 1000th a baseline."""
    rows: list[dict[str, object]] = []
    for k, m in enumerate(model_ids(models)):
        row: dict[str, object] = {"id": m, "name": f"Model {k}", "organization": f"Lab {k % 40}",
                                  "parameters": float(1 + k % 70) * 1e9, "declared_in": [DECLARATIONS_FILE]}
        if k % 2 == 0:
            row["introduced_by"] = f"source-{(k * 7) % SOURCES:03d}"
        if k % BASELINE_EVERY == BASELINE_EVERY - 1:
            row["kind"] = "baseline"
        rows.append(row)
    return rows


def source_rows() -> list[dict[str, object]]:
    return [{"id": s, "title": f"Synthetic source {k}", "url": f"https://example.org/{k}", "year": 2020 + k % 6,
             "kind": "evaluation"} for k, s in enumerate(source_ids())]


def declarations_yaml(models: int = MODELS) -> str:
    """The entry file declaring the synthetic models (and the first source; the others have a file each)."""
    lines = ["source: {id: source-000, title: Synthetic source 0, url: 'https://example.org/0', year: 2020, "
             "kind: evaluation}", "models:"]
    for row in model_rows(models):
        extra = "".join(f", {k}: {row[k]}" for k in ("introduced_by", "kind") if k in row)
        lines.append(f"  - {{id: {row['id']}, name: {row['name']}, organization: {row['organization']}, "
                     f"parameters: {int(row['parameters'] / 1e9)}B{extra}}}")  # type: ignore[operator]
    return "\n".join(lines) + "\n"


def make_project(root: Path, models: int = MODELS) -> Path:
    """A project whose entry files declare the synthetic sources (one file each) and models."""
    entries = root / "data" / "entries"
    entries.mkdir(parents=True, exist_ok=True)
    (root / DECLARATIONS_FILE).write_text(declarations_yaml(models))
    for k, s in enumerate(source_ids()):
        if k:
            (entries / f"{s}.yaml").write_text(f"source: {{id: {s}, title: Synthetic source {k}, "
                                               f"url: 'https://example.org/{k}', year: {2020 + k % 6}, "
                                               "kind: evaluation}\n")
    return root


def make_store(directory: Path, scores: pa.Table | None = None, models: int = MODELS) -> Path:
    """A store written by the library (``tables_from`` + ``write_store``) holding the synthetic
    declarations and, if given, ``scores`` (canonical: split and metric filled, as a build fills them)."""
    from benchtables.registry import Registry
    from benchtables.store import tables_from, write_store

    registry = Registry.shipped()
    records = {}
    if scores is not None:
        records["scores"] = [canonical(scores, registry)]
    tables = tables_from(records, model_rows(models), source_rows(), registry)
    write_store(tables, directory)
    return directory


def canonical(scores: pa.Table, registry: object) -> pa.Table:
    """Scores as a build stores them: the benchmark's standard split filled in, a file named."""
    benchmarks = scores["benchmark"].combine_chunks()
    splits = pa.array([registry.benchmarks[b].split for b in benchmarks.dictionary.to_pylist()],  # type: ignore[attr-defined]
                      pa.string())
    out = scores if "split" in scores.column_names else scores.append_column("split", splits.take(benchmarks.indices))
    file = pa.DictionaryArray.from_arrays(pa.array(np.zeros(scores.num_rows, np.int32)),
                                          pa.array(["data/entries/scores-bulk.parquet"]))
    return out.append_column("file", file)
