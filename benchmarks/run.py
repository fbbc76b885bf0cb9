"""Measure benchtables against its performance targets, as ratios to baselines timed in the same run.

    pip install -e ".[test]" && python benchmarks/run.py    # everything: a few minutes, ~6 GB of memory (Linux)
    python benchmarks/run.py --quick                        # 1M-row stores only, fewer repeats: a smoke test
                                                            # (the memory and DuckDB targets are for 10M rows)

Not part of the test suite: timings depend on the machine, so they are reported, not asserted.
Each section prints what it measured; the summary at the end is the table the README shows.
Synthetic stores are generated with numpy (scores of 5,000 models × the registry's benchmarks ×
4 shot counts × 2 settings × 50 sources) into a temporary directory and removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
SUMMARY: list[tuple[str, str, str, str]] = []  # (measure, result, target, verdict)
MODELS, SOURCES = 5000, 50
SHOTS = (0, 5, 10, 25)
SETTINGS = (None, "cot")

NEW_ENTRY = """\
source: {id: bench2026, title: A benchmark entry, url: 'https://example.org/bench', year: 2026}
scores:
  - {model: palm-540b, benchmark: mmlu, n_shot: 5, value: 69.1, where: Table 2}
  - {model: chinchilla-70b, benchmark: mmlu, n_shot: 5, value: 67.4, where: Table 2}
"""


def timed(func: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall-clock seconds of ``repeat`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def report(measure: str, result: str, target: str, ok: bool | None) -> None:
    """One summary row; ``ok`` None: measured at a size the target is not set for (--quick)."""
    verdict = "–" if ok is None else "✓" if ok else "✗"
    SUMMARY.append((measure, result, target, verdict))
    print(f"  {measure}: {result} (target {target}) {'' if ok is None else '✓' if ok else '✗ MISSED'}")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, check=False, capture_output=True, text=True)


def whole_process(args: list[str], repeat: int, cwd: Path = REPO) -> float:
    return timed(lambda: run(*args, cwd=cwd), repeat)[0]


# --------------------------------------------------------------------------- synthetic data


def model_ids() -> list[str]:
    return [f"model-{i:05d}" for i in range(MODELS)]


def source_ids() -> list[str]:
    return [f"source-{i:03d}" for i in range(SOURCES)]


def synthetic_scores(n: int, seed: int = 0) -> pa.Table:
    """``n`` distinct score records (record fields plus ``source``), values inside each metric's range."""
    from benchtables.registry import Registry

    registry = Registry.shipped()
    benchmarks = sorted((b for b in registry.benchmarks.values() if registry.metrics[b.primary].max is not None),
                        key=lambda b: b.id)
    combos = len(benchmarks) * len(SHOTS) * len(SETTINGS) * SOURCES
    if n > combos * MODELS:
        raise SystemExit(f"at most {combos * MODELS} distinct synthetic records")
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    model, rest = i % MODELS, i // MODELS
    bench, rest = rest % len(benchmarks), rest // len(benchmarks)
    shot, rest = rest % len(SHOTS), rest // len(SHOTS)
    setting, source = rest % len(SETTINGS), rest // len(SETTINGS) % SOURCES
    low = np.array([registry.metrics[b.primary].min or 0.0 for b in benchmarks])
    high = np.array([registry.metrics[b.primary].max for b in benchmarks])

    def coded(codes: np.ndarray, values: list[str | None]) -> pa.DictionaryArray:
        valid = np.array([v is not None for v in values])[codes]
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=~valid),
                                              pa.array([v or "" for v in values], pa.string()))

    models, sources = np.array(model_ids()), np.array(source_ids())
    where = np.char.add(np.char.add(sources[source], "/results/"), models[model])
    return pa.table({
        "model": coded(model, model_ids()),
        "benchmark": coded(bench, [b.id for b in benchmarks]),
        "metric": coded(bench, [b.primary for b in benchmarks]),
        "value": np.round(low[bench] + rng.random(n) * (high[bench] - low[bench]), 2),
        "stderr": np.round(rng.random(n), 3),
        "n_shot": np.array(SHOTS)[shot],
        "setting": coded(setting, list(SETTINGS)),
        "source": coded(source, source_ids()),
        "where": pa.array(where.astype(object), pa.string()),
    })


def declarations() -> tuple[str, list[str]]:
    """An entry file declaring the synthetic sources and models (what bulk rows refer to)."""
    lines = ["source: {id: source-000, title: Synthetic source 0, url: 'https://example.org/0', year: 2020}",
             "models:"]
    lines += [f"  - {{id: {m}, name: Model {m[6:]}, parameters: {1 + i % 70}B}}" for i, m in enumerate(model_ids())]
    entries = "\n".join(lines) + "\n"
    others = [f"source: {{id: {s}, title: Synthetic source {k}, url: 'https://example.org/{k}', year: {2020 + k % 6}}}\n"
              for k, s in enumerate(source_ids()) if k]
    return entries, others


def make_project(root: Path) -> Path:
    """A project whose entry files declare the synthetic models and sources."""
    entries = root / "data" / "entries"
    entries.mkdir(parents=True)
    first, others = declarations()
    (entries / "source-000.yaml").write_text(first)
    for k, text in enumerate(others, start=1):
        (entries / f"source-{k:03d}.yaml").write_text(text)
    return root


def make_store(scores: pa.Table, directory: Path, partition_by: str | None = None) -> Path:
    """A store holding ``scores`` and the synthetic models and sources."""
    from benchtables.registry import Registry
    from benchtables.store import _table, records_table, write_store

    registry = Registry.shipped()
    tables = {"scores": records_table("scores", [], [scores], {}, partition_by)}
    tables.update({kind: records_table(kind, []) for kind in ("training", "utilization", "sampling")})
    tables["models"] = _table("models", [{"id": m, "name": f"Model {m[6:]}"} for m in model_ids()])
    tables["sources"] = _table("sources", [{"id": s, "title": f"Synthetic source {k}", "year": 2020 + k % 6}
                                           for k, s in enumerate(source_ids())])
    tables["benchmarks"] = _table("benchmarks", [b.model_dump() for b in registry.benchmarks.values()])
    tables["metrics"] = _table("metrics", [m.model_dump() for m in registry.metrics.values()])
    write_store(tables, directory, partition_by)
    return directory


# --------------------------------------------------------------------------- sections


def validation_speed(tmp: Path, rows: int, repeat: int) -> None:
    """Columnar validation of a Parquet file of records against the per-record pydantic path."""
    from benchtables.bulk import read_bulk
    from benchtables.columnar import validate_table
    from benchtables.entries import ValidationContext
    from benchtables.names import NameIndex
    from benchtables.records import check_record
    from benchtables.registry import Registry
    from benchtables.schemas import RECORD_KINDS

    print(f"\nvalidation: {rows:,} score rows from Parquet, per-record (pydantic) vs columnar")
    path = tmp / "scores-bulk.parquet"
    pq.write_table(synthetic_scores(rows), path)
    index = NameIndex("model")
    for m in model_ids():
        index.add(m, f"Model {m[6:]}")
    ctx = ValidationContext(Registry.shipped(), index)
    sources = set(source_ids())
    table = read_bulk(path)
    columnar, result = timed(lambda: validate_table(table, "scores", ctx, sources=sources, progress=False), repeat)
    assert result.ok, result.problems[:3]
    sample = table.slice(0, 20_000).to_pylist()
    cls = RECORD_KINDS["scores"]
    per_record, _ = timed(lambda: [check_record(cls, {k: v for k, v in r.items() if k != "source"}, ctx)
                                   for r in sample], 1)
    columnar_rate, record_rate = rows / columnar, len(sample) / per_record
    print(f"  per-record {record_rate:,.0f} rows/s (20,000-row sample); columnar {columnar_rate:,.0f} rows/s "
          f"({columnar * 1000:.0f} ms for {rows:,} rows; reading the file took "
          f"{timed(lambda: read_bulk(path), 1)[0] * 1000:.0f} ms more)")
    report(f"columnar validation, {rows / 1e6:g}M rows", f"{columnar_rate / 1e6:.1f}M rows/s", "≥ 5M rows/s",
           columnar_rate >= 5e6)
    report("columnar ÷ per-record pydantic", f"{columnar_rate / record_rate:,.0f}×", "≥ 50×",
           columnar_rate / record_rate >= 50)


def validation_at_scale(tmp: Path, rows: int) -> None:
    """``benchtables validate`` of a project whose bulk file has 3 bad rows: exactly those reported; peak memory."""
    print(f"\nvalidate {rows:,} rows with 3 bad ones (whole process, `benchtables validate`)")
    project = make_project(tmp / "project")
    table = synthetic_scores(rows)
    values = table["value"].to_numpy().copy()
    bad = [7, rows // 2, rows - 1]
    values[bad] = [-3.0, 140.0, np.nan]
    table = table.set_column(table.schema.get_field_index("value"), "value", pa.array(values))
    path = project / "data" / "entries" / "scores-import.parquet"
    pq.write_table(table, path)
    del table
    from benchtables.bulk import read_bulk

    arrow_bytes = read_bulk(path).nbytes
    start = time.perf_counter()
    done = run(sys.executable, "-c", textwrap.dedent("""
        import sys
        from benchtables.cli import run
        code = run(["validate", *sys.argv[1:]])
        # VmHWM: this process's peak resident memory (ru_maxrss would count the parent's, from before exec)
        peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
        print("peak", peak.split()[1], file=sys.stderr)
        sys.exit(code)
        """), "--format", "json", "--max-problems", "10", cwd=project)
    seconds = time.perf_counter() - start
    import json

    found = json.loads(done.stdout)
    rows_reported = [p["row"] for p in found["problems"] if p.get("row")]
    peak = int(done.stderr.split("peak")[-1].split()[0]) * 1024  # kB
    print(f"  exit {done.returncode}; {found['errors']} errors at rows {rows_reported} in {seconds:.1f} s; "
          f"Arrow input {arrow_bytes / 1e6:,.0f} MB, peak memory {peak / 1e6:,.0f} MB")
    report(f"bad rows found among {rows / 1e6:g}M", f"rows {', '.join(map(str, rows_reported))}",
           f"exactly rows {', '.join(str(b + 1) for b in bad)}", rows_reported == [b + 1 for b in bad])
    report(f"peak memory validating {rows / 1e6:g}M rows", f"{peak / arrow_bytes:.1f}× the Arrow input",
           "< 3× at 10M rows", peak < 3 * arrow_bytes if rows >= 10_000_000 else None)


DUCKDB_LEADERBOARD = """
WITH target AS (
  SELECT * FROM {scores}
  WHERE benchmark = 'mmlu' AND metric = 'acc'
    AND model NOT IN (SELECT id FROM '{store}/models.parquet' WHERE kind = 'baseline')
), chosen_setting AS (  -- the setting with the most models; ties go to the plainest
  SELECT n_shot, setting, split, subset FROM target GROUP BY n_shot, setting, split, subset
  ORDER BY count(DISTINCT model) DESC, subset IS NOT NULL, subset, setting IS NOT NULL, setting,
           split IS NOT NULL, split, coalesce(n_shot, -1) LIMIT 1
), comparable AS (
  SELECT t.model, t.value, t.stderr, t.source, t.first_party, t."where", src.year
  FROM target t JOIN chosen_setting c
    ON t.n_shot IS NOT DISTINCT FROM c.n_shot AND t.setting IS NOT DISTINCT FROM c.setting
   AND t.split IS NOT DISTINCT FROM c.split AND t.subset IS NOT DISTINCT FROM c.subset
  LEFT JOIN '{store}/sources.parquet' src ON t.source = src.id
), reports AS (  -- prefer the introducing source, then the newest
  SELECT *, row_number() OVER (PARTITION BY model ORDER BY first_party DESC, year DESC NULLS LAST,
                                                   source DESC, value DESC, "where") AS pick,
         min(value) OVER (PARTITION BY model) AS low, max(value) OVER (PARTITION BY model) AS high,
  FROM comparable
), counts AS (SELECT model, count(DISTINCT source) AS reports FROM comparable GROUP BY model)
SELECT rank() OVER (ORDER BY r.value DESC) AS rank, r.model, m.name, m.organization, m.parameters,
       r.value, r.stderr, r.source, n.reports, r.high - r.low AS spread
FROM reports r JOIN counts n USING (model) LEFT JOIN '{store}/models.parquet' m ON m.id = r.model
WHERE r.pick = 1 ORDER BY rank, r.model
"""


def leaderboard_speed(tmp: Path, rows: int, repeat: int) -> None:
    """``bt.leaderboard("mmlu")`` against DuckDB running the same query on the same Parquet."""
    print(f"\nleaderboard on {rows:,} score rows: benchtables vs DuckDB SQL giving the same table")
    scores = synthetic_scores(rows)
    for layout, partition_by in (("one file", None), ("partitioned by benchmark", "benchmark")):
        store = make_store(scores, tmp / f"store-{partition_by}", partition_by)
        compare_layout(store, layout, rows, repeat, partitioned=partition_by is not None)


def compare_layout(store: Path, layout: str, rows: int, repeat: int, *, partitioned: bool) -> None:
    import duckdb

    import benchtables as bt

    source = (f"read_parquet('{store}/scores/*/*.parquet', hive_partitioning = true)" if partitioned
              else f"'{store}/scores.parquet'")
    connection = duckdb.connect()
    sql = DUCKDB_LEADERBOARD.format(scores=source, store=store)
    ours, theirs = [], []
    for _ in range(repeat):  # alternated, so that both see the same machine
        start = time.perf_counter()
        frame = bt.leaderboard("mmlu", store=store)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        expected = connection.sql(sql).df()
        theirs.append(time.perf_counter() - start)
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    same = (list(expected["model"]) == list(frame["model"]) and np.allclose(expected["value"], frame["value"])
            and list(expected["reports"]) == list(frame["reports"]))
    print(f"  {layout}: benchtables {ours_s * 1000:.0f} ms, DuckDB {theirs_s * 1000:.0f} ms "
          f"({len(frame):,} models; same table: {same})")
    if not same:
        raise SystemExit("the leaderboard and the DuckDB query disagree")
    report(f"leaderboard, {rows / 1e6:g}M rows, {layout}", f"{ours_s / theirs_s:.2f}× DuckDB", "≤ 2× at 10M rows",
           ours_s <= 2 * theirs_s if rows >= 10_000_000 else None)
    models = list(frame["model"][:20])
    seconds, table = timed(lambda: bt.compare(models, ["mmlu", "hellaswag", "arc-challenge"], store=store), repeat)
    print(f"  compare 20 models × 3 benchmarks: {seconds * 1000:.0f} ms ({table.shape[0]} rows)")


def validate_one_file(repeat: int) -> None:
    """Whole-process ``benchtables validate one.yaml`` against the shipped store."""
    print("\nvalidate one entry file against the shipped store (whole process)")
    with tempfile.TemporaryDirectory() as tmp:
        entry = Path(tmp) / "bench2026.yaml"
        entry.write_text(NEW_ENTRY)
        done = run(sys.executable, "-m", "benchtables", "validate", str(entry))
        if done.returncode != 0:
            raise SystemExit(f"validate failed:\n{done.stdout}{done.stderr}")
        seconds = whole_process([sys.executable, "-m", "benchtables", "validate", str(entry)], repeat)
    interpreter = whole_process([sys.executable, "-c", "pass"], repeat)
    print(f"  {seconds:.2f} s; bare python start-up {interpreter * 1000:.0f} ms")
    report("validate one entry file, whole process", f"{seconds:.2f} s", "< 1 s", seconds < 1.0)


def start_up(repeat: int) -> None:
    """Import times, and which heavy modules each command loads."""
    print("\nstart-up: import times and what each command imports")
    base = whole_process([sys.executable, "-c", "pass"], repeat)
    for module in ("benchtables", "benchtables.cli", "pandas", "pyarrow.dataset"):
        seconds = whole_process([sys.executable, "-c", f"import {module}"], repeat)
        print(f"  import {module}: {(seconds - base) * 1000:.0f} ms")
    probe = textwrap.dedent("""
        import sys
        from benchtables.cli import run
        run(sys.argv[1:])
        heavy = [m for m in ("pandas", "matplotlib", "pyarrow.dataset", "duckdb", "tqdm") if m in sys.modules]
        print("loaded:", ", ".join(heavy) or "none", file=sys.stderr)
        """)
    with tempfile.TemporaryDirectory() as tmp:
        entry = Path(tmp) / "bench2026.yaml"
        entry.write_text(NEW_ENTRY)
        for args in (["validate", str(entry)], ["leaderboard", "mmlu"]):
            seconds = whole_process([sys.executable, "-m", "benchtables", *args], repeat)
            loaded = run(sys.executable, "-c", probe, *args).stderr.strip().splitlines()[-1]
            print(f"  benchtables {args[0]}: {seconds:.2f} s whole process; {loaded}")
            if args[0] == "validate":
                report("`validate one.yaml` imports", loaded.removeprefix("loaded: "), "no pandas, no matplotlib",
                       "pandas" not in loaded and "matplotlib" not in loaded)
            else:
                report("`leaderboard mmlu` imports", loaded.removeprefix("loaded: "), "no matplotlib",
                       "matplotlib" not in loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1M-row stores only, fewer repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    large = 1_000_000 if args.quick else 10_000_000
    print(f"benchtables benchmarks — {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"pyarrow {pa.__version__}")
    validate_one_file(repeat)
    start_up(repeat)
    with tempfile.TemporaryDirectory(prefix="benchtables-bench-") as tmp:
        validation_speed(Path(tmp), 1_000_000, repeat)
        validation_at_scale(Path(tmp), large)
        leaderboard_speed(Path(tmp), large, repeat)
    print("\n| measure | result | target | |\n|---|---|---|---|")
    for row in SUMMARY:
        print("| " + " | ".join(row) + " |")
    if any(v == "✗" for *_, v in SUMMARY):
        sys.exit(1)


if __name__ == "__main__":
    main()
