"""Measure benchtables against its performance targets, as ratios to baselines timed in the same run.

    pip install -e ".[test]" && python benchmarks/run.py    # everything: ~17 minutes on 2 cores, ~7 GB peak (Linux)
    python benchmarks/run.py --quick                        # 1M-row data only, fewer repeats: a smoke test
    python benchmarks/run.py --only leaderboard,render      # some sections (names: see --help)
    python benchmarks/run.py --profile                      # and, for each target missed, where the time goes

Not part of the test suite: timings depend on the machine, so they are reported, not asserted.
Each section prints what it measured and one line per target (✓ or ✗); the summary at the end
is the Markdown table the README shows (``–``: measured at a size the target is not set for,
with --quick). The exit code is 1 when a target was missed.

Data: synthetic score records made with numpy from fixed seeds (``benchmarks/synthetic.py``),
declarations of 5,000 (or 100,000) models and 50 sources, in temporary directories removed
afterwards. DuckDB baselines are in ``benchmarks/duckdb_baselines.py``; their results are
checked against benchtables' before they are timed, and the run stops if they disagree.

What "in-process validation" covers (targets 1, 3, 6): ``bt.validate([file], store=STORE)`` as
a user calls it — reading the bulk file, the store's declarations (models and sources), every
row checked on its own, the checks across rows (duplicates, disagreements, fractions) and
against the store — from a directory that is not a project, so no entry file is parsed. Each
section also prints the read (``read_inputs``) and the pipeline's ``check`` of the table
already read, separately.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402  (benchmarks/synthetic.py)

SUMMARY: list[tuple[str, str, str, str]] = []  # (measure, result, target, verdict)
PROFILE = False  # --profile: print where the time goes for each target missed
BUDGET = 90.0  # seconds one measurement may take in all: fewer repeats of slow ones
PREVIOUS_RELEASE = "300d47e"
SECTIONS = ("validation", "duckdb-validate", "wide", "build", "csv", "one-file", "leaderboard", "render")

NEW_ENTRY = """\
source: {id: bench2026, title: A benchmark entry, url: 'https://example.org/bench', year: 2026}
scores:
  - {model: palm-540b, benchmark: mmlu, n_shot: 5, value: 69.1, where: Table 2}
  - {model: chinchilla-70b, benchmark: mmlu, n_shot: 5, value: 67.4, where: Table 2}
"""

#: Runs ``benchtables`` in this process and prints its peak resident memory (VmHWM) to stderr.
PEAK_PROBE = textwrap.dedent("""
    import sys
    from benchtables.cli import run
    code = run(sys.argv[1:])
    # VmHWM: this process's peak resident memory (ru_maxrss could count the parent's, from before exec)
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print("peak", peak.split()[1], file=sys.stderr)
    sys.exit(code)
    """)


# --------------------------------------------------------------------------- measuring and reporting


def timed(func: Callable[[], object], repeat: int, budget: float = BUDGET) -> tuple[float, object]:
    """Median wall-clock seconds of up to ``repeat`` calls (fewer once ``budget`` seconds are spent;
    at least one), and the last call's result."""
    times: list[float] = []
    result = None
    while len(times) < repeat and (not times or sum(times) + times[-1] <= budget):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def report(measure: str, result: str, target: str, ok: bool | None) -> None:
    """One summary row; ``ok`` None: measured at a size the target is not set for (--quick)."""
    verdict = "–" if ok is None else "✓" if ok else "✗"
    SUMMARY.append((measure, result, target, verdict))
    print(f"  → {measure}: {result} (target {target}) {'' if ok is None else '✓' if ok else '✗ MISSED'}")


def run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, check=False, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def checked_run(*args: str, cwd: Path = REPO, codes: tuple[int, ...] = (0,),
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``run``, failing loudly on an unexpected exit code (a timing of a crash measures nothing)."""
    done = run(*args, cwd=cwd, env=env)
    if done.returncode not in codes:
        raise SystemExit(f"`{' '.join(args)}` exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done


def whole_process(args: list[str], repeat: int, cwd: Path = REPO, codes: tuple[int, ...] = (0,),
                  env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Median seconds of running ``args`` as a process (its exit code checked every time), and the last run."""
    seconds, done = timed(lambda: checked_run(*args, cwd=cwd, codes=codes, env=env), repeat)
    return seconds, done  # type: ignore[return-value]


def summary_line(done: subprocess.CompletedProcess[str]) -> str:
    """The line of a command's output that sums it up (``1 file checked: …``), else its last line."""
    lines = (done.stdout + done.stderr).strip().splitlines()
    return next((line for line in reversed(lines) if " checked: " in line or line.startswith("built ")),
                lines[-1] if lines else "(no output)")


def benchtables_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchtables", *args]


def duckdb_script(*args: str) -> list[str]:
    return [sys.executable, str(HERE / "duckdb_baselines.py"), *args]


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """In-process calls find the project (or none) from the current directory, as the CLI does."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _top_functions(stats_file: str, limit: int = 12) -> list[str]:
    """The benchtables functions (src/) with the most cumulative time in a cProfile file."""
    import pstats

    stats = pstats.Stats(stats_file)
    rows = []
    for (file, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/benchtables/" in file and "/benchmarks/" not in file:
            short = file.split("/benchtables/", 1)[1]
            if short in ("__main__.py", "cli/__init__.py") or name == "<module>":
                continue  # entry points and imports: every profile has them
            rows.append((cumulative, own, calls, f"{short}:{line} {name}"))
    rows.sort(reverse=True)
    return [f"{cum:7.3f} s cumulative {own:7.3f} s own {calls:>8} calls  {where}"
            for cum, own, calls, where in rows[:limit]]


def hotspots(func: Callable[[], object], label: str) -> None:
    """With --profile: cProfile one call of ``func`` and print the benchtables functions it spends its time in."""
    if not PROFILE:
        return
    import cProfile

    with tempfile.NamedTemporaryFile(suffix=".prof") as out:
        profiler = cProfile.Profile()
        profiler.runcall(func)
        profiler.dump_stats(out.name)
        print(f"    profile of {label}:")
        for line in _top_functions(out.name):
            print(f"      {line}")


def process_hotspots(args: list[str], label: str, cwd: Path) -> None:
    """With --profile: run ``benchtables ARGS`` under cProfile in its own process and print where it spends."""
    if not PROFILE:
        return
    with tempfile.NamedTemporaryFile(suffix=".prof") as out:
        run(sys.executable, "-m", "cProfile", "-o", out.name, "-m", "benchtables", *args, cwd=cwd)
        print(f"    profile of {label} (whole process):")
        for line in _top_functions(out.name):
            print(f"      {line}")


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


# --------------------------------------------------------------------------- 1, 3: in-process validation


def validation_in_process(tmp: Path, sizes: tuple[int, ...], repeat: int) -> None:
    """Targets 1 and 3: in-process validation of a Parquet bulk file of score records.

    Measures ``bt.validate([file], store=STORE)`` (see the module docstring) on 1M rows with few
    distinct texts — the base, compared with 10M rows/s — and four variants, each compared with the
    base time: a unique ``subset`` per row, a unique ``where`` per row, rows over 100,000 declared
    models, a unique ``notes`` per row. At 10M rows every case is compared with its own 1M time
    (linear: ≤ 11×). Every file is valid (no errors; 1% of reports disagree: warnings).
    """
    import benchtables as bt
    from benchtables.registry import Registry
    from benchtables.store import Store
    from benchtables.validation.pipeline import check
    from benchtables.validation.read import read_inputs

    print("\n1, 3. in-process validation of Parquet bulk files of scores: bt.validate([file], store=STORE)")
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    stores = {5000: synthetic.make_store(tmp / "store-5000-models"),
              100_000: synthetic.make_store(tmp / "store-100000-models", models=100_000)}
    seconds: dict[tuple[str, int], float] = {}
    for rows in sizes:
        for variant in synthetic.VARIANTS:
            store = stores[100_000 if variant == "100,000 models" else 5000]
            path = synthetic.write_scores(work / f"scores-{slug(variant)}-{rows}.parquet", rows, variant)
            with working_directory(work):
                full, found = timed(lambda path=path, store=store: bt.validate([path], store=store),
                                     repeat if rows == sizes[0] else 2)
                if not found.ok:  # type: ignore[attr-defined]
                    raise SystemExit(f"{path.name}: the synthetic file has errors: "
                                     f"{[p.format() for p in found.errors[:3]]}")  # type: ignore[attr-defined]
                parts = ""
                if rows == sizes[0]:  # where the time goes: the read, and the pipeline on the table read
                    read, inputs = timed(lambda path=path: read_inputs([path], name_file=lambda f: Path(f).as_posix()), 3)
                    registry = Registry.shipped()
                    pipeline, _ = timed(lambda inputs=inputs, registry=registry, store=store:
                                         check(inputs, registry=registry, store=Store.open(store)), 3)
                    parts = f"read {read:.2f} s, check of the table read {pipeline:.2f} s; "
            seconds[(variant, rows)] = full
            warnings = len(found.warnings) + found.omitted_warnings  # type: ignore[attr-defined]
            print(f"  {rows / 1e6:g}M rows, {variant}: {full:.2f} s = {rows / full / 1e6:.2f}M rows/s "
                  f"({parts}{warnings:,} warnings)")
            if rows == sizes[0] and variant == "base":
                hotspots(lambda path=path, store=store: bt.validate([path], store=store),
                         f"validate, {rows / 1e6:g}M rows, base")
            if rows > sizes[0] or variant != "base":
                path.unlink()  # the 1M base file is validated again by DuckDB (target 2)
    small = sizes[0]
    base = seconds[("base", small)]
    rate = small / base
    report(f"in-process validation, {small / 1e6:g}M score rows (Parquet), few distinct texts",
           f"{rate / 1e6:.2f}M rows/s ({base:.2f} s)", "≥ 10M rows/s", rate >= 10e6)
    for variant in synthetic.VARIANTS[1:]:
        ratio = seconds[(variant, small)] / base
        report(f"in-process validation, {small / 1e6:g}M rows, {variant}",
               f"{ratio:.2f}× the base ({seconds[(variant, small)]:.2f} s)", "≤ 1.5×", ratio <= 1.5)
    large = sizes[-1]
    for variant in synthetic.VARIANTS:
        if large == small:
            report(f"validation linearity, {variant}", "not measured (--quick: 1M rows only)",
                   "10M ≤ 11× 1M", None)
            continue
        ratio = seconds[(variant, large)] / seconds[(variant, small)]
        report(f"validation linearity, {variant}",
               f"10M rows {ratio:.1f}× 1M ({seconds[(variant, large)]:.1f} s)", "≤ 11×", ratio <= 11)


# --------------------------------------------------------------------------- 2: whole process against DuckDB


def _planted(tmp: Path) -> tuple[Path, dict[int, str]]:
    """A 200,000-row bulk file with six planted errors, and the 1-based rows where they are."""
    table = synthetic.synthetic_scores(200_000, seed=2)
    columns = {name: table[name].combine_chunks().cast(pa.string()) if pa.types.is_dictionary(table[name].type)
               else table[name].combine_chunks() for name in table.column_names}
    data = {name: column.to_pylist() for name, column in columns.items()}
    planted = {11: "out_of_range", 2001: "unknown_model", 3001: "unknown_source", 4001: "missing",
               5002: "duplicate_record", 6001: "missing"}
    data["value"][10] = 140.0  # accuracy is 0–100
    data["model"][2000] = "model-999999"
    data["source"][3000] = "source-999"
    data["benchmark"][4000] = None
    for name in data:  # row 5002 repeats row 5001
        data[name][5001] = data[name][5000]
    data["value"][6000] = None
    path = tmp / "work" / "scores-planted.parquet"
    pq.write_table(pa.table({name: pa.array(values, columns[name].type) for name, values in data.items()}), path)
    return path, planted


def validation_vs_duckdb(tmp: Path, rows: int, repeat: int) -> None:
    """Target 2: whole-process ``benchtables validate --store STORE FILE`` of the 1M-row Parquet file,
    against a Python process in which DuckDB runs the equivalent checks on the same file
    (``duckdb_baselines.py validate``: not-nulls, reference anti-joins, ranges per metric,
    duplicate keys by group-by). Both must first find the same bad rows in a file with planted errors."""
    print(f"\n2. whole-process validate of {rows / 1e6:g}M rows vs DuckDB's equivalent checks (separate processes)")
    work = tmp / "work"
    store = tmp / "store-5000-models"
    if not store.is_dir():
        synthetic.make_store(store)
    path = work / f"scores-base-{rows}.parquet"
    if not path.exists():
        synthetic.write_scores(path, rows)
    planted, expected = _planted(tmp)
    ours = json.loads(checked_run(*benchtables_cli("validate", "--format", "json", "--store", str(store),
                                                   str(planted)), cwd=work, codes=(1,)).stdout)
    found = {p["row"]: p["code"] for p in ours["problems"] if p["severity"] == "error"}
    theirs = json.loads(checked_run(*duckdb_script("validate", str(planted), str(store)), cwd=work, codes=(1,)).stdout)
    duck = {p["row"]: p["code"] for p in theirs["problems"]}
    print(f"  planted errors at rows {sorted(expected)}: benchtables {found}; DuckDB {duck}")
    if set(found) != set(expected) or found != duck:
        raise SystemExit("benchtables and the DuckDB checks do not find the same bad rows")
    ours_s, _ = whole_process(benchtables_cli("validate", "--store", str(store), str(path)), repeat, cwd=work)
    duck_s, _ = whole_process(duckdb_script("validate", str(path), str(store)), repeat, cwd=work)
    ratio = ours_s / duck_s
    print(f"  benchtables validate {ours_s:.2f} s; DuckDB script {duck_s:.2f} s")
    if ratio > 1.5:
        process_hotspots(["validate", "--store", str(store), str(path)], "validate, whole process", work)
    report(f"`validate` {rows / 1e6:g}M rows, whole process", f"{ratio:.2f}× DuckDB ({ours_s:.2f} s vs {duck_s:.2f} s)",
           "≤ 1.5×", ratio <= 1.5)


# --------------------------------------------------------------------------- 4: one key many times, wide files


def same_key_and_wide(tmp: Path, repeat: int) -> None:
    """Target 4: whole-process ``validate`` of (a) one entry file with 15,000 scores of one model,
    benchmark and setting (each with its own value and ``where``), against 2 s; (b) a bulk CSV file
    of 20,000 columns (4 fields and 19,996 unknown ones, 100 rows), against 1 s."""
    print("\n4. validate: 15,000 scores of one key in one entry file; a CSV of 20,000 columns (whole process)")
    project = tmp / "same-key"
    entries = project / "data" / "entries"
    entries.mkdir(parents=True)
    lines = ["source: {id: sweep2026, title: A sweep, url: 'https://example.org/sweep', year: 2026}",
             "models:", "  - {id: sweep-7b, name: Sweep 7B, parameters: 7B}", "scores:"]
    lines += [f"  - {{model: sweep-7b, benchmark: mmlu, n_shot: 5, value: {30 + k * 0.004:.3f}, "
              f"where: 'Table 9, run {k + 1}'}}" for k in range(15_000)]
    (entries / "sweep2026.yaml").write_text("\n".join(lines) + "\n")
    args = ["validate", "data/entries/sweep2026.yaml"]
    seconds, done = whole_process(benchtables_cli(*args), repeat, cwd=project, codes=(0, 1))
    print(f"  15,000 same-key scores: {seconds:.2f} s ({summary_line(done)})")
    if seconds > 2:
        process_hotspots(args, "validate of 15,000 same-key scores", project)
    report("`validate` of 15,000 same-key scores in one entry file", f"{seconds:.2f} s", "≤ 2 s", seconds <= 2)

    wide = tmp / "wide"
    (wide / "data" / "entries").mkdir(parents=True)
    (wide / "data" / "entries" / "wide2026.yaml").write_text(
        "source: {id: wide2026, title: A wide table, url: 'https://example.org/wide', year: 2026}\n"
        "models:\n  - {id: wide-7b, name: Wide 7B, parameters: 7B}\n")
    names = ["model", "benchmark", "value", "source"] + [f"extra_{k:05d}" for k in range(19_996)]
    row = ",".join(["wide-7b", "mmlu", "61.5", "wide2026"] + ["1"] * 19_996)
    (wide / "data" / "entries" / "scores-wide.csv").write_text(",".join(names) + "\n" + (row + "\n") * 100)
    args = ["validate", "data/entries/scores-wide.csv"]
    seconds, done = whole_process(benchtables_cli(*args), repeat, cwd=wide, codes=(0, 1))
    print(f"  20,000-column CSV: {seconds:.2f} s ({summary_line(done)})")
    if seconds > 1:
        process_hotspots(args, "validate of a 20,000-column CSV", wide)
    report("`validate` of a 20,000-column CSV", f"{seconds:.2f} s", "≤ 1 s", seconds <= 1)


# --------------------------------------------------------------------------- 5: build memory


def build_memory(tmp: Path, rows: int, target_rows: int) -> Path:
    """Target 5: ``benchtables build`` of a project holding ``rows`` score rows in a bulk Parquet file
    (and entry files declaring 5,000 models and 50 sources): the build process's peak memory (VmHWM)
    against the Arrow size of the rows as benchtables reads them (text dictionary-encoded).
    Returns the store it built (the leaderboards' synthetic store)."""
    from benchtables.validation.read import read_bulk

    print(f"\n5. `benchtables build` of {rows:,} score rows: peak memory of the process")
    project = synthetic.make_project(tmp / "project")
    path = synthetic.write_scores(project / "data" / "entries" / "scores-bulk.parquet", rows)
    read = read_bulk(path)
    arrow_bytes = read.nbytes
    plain = pq.read_table(path).cast(pa.schema([pa.field(f.name, f.type.value_type) if pa.types.is_dictionary(f.type)
                                                else f for f in read.schema])).nbytes
    del read
    start = time.perf_counter()
    done = checked_run(sys.executable, "-c", PEAK_PROBE, "build", "--quiet", cwd=project)
    seconds = time.perf_counter() - start
    peak = int(done.stderr.split("peak")[-1].split()[0]) * 1024  # kB
    print(f"  built in {seconds:.1f} s; Arrow size of the rows {arrow_bytes / 1e6:,.0f} MB "
          f"({plain / 1e6:,.0f} MB with plain text columns); peak memory {peak / 1e6:,.0f} MB")
    ratio = peak / arrow_bytes
    if ratio > 3 and PROFILE:
        process_hotspots(["build", "--quiet", "--check"], "build --check (time, not memory)", project)
    report(f"`build` peak memory, {rows / 1e6:g}M rows", f"{ratio:.1f}× the Arrow size ({peak / 1e9:.2f} GB)",
           "≤ 3× at 10M rows", ratio <= 3 if rows >= target_rows else None)
    return project / "data" / "store"


# --------------------------------------------------------------------------- 6: CSV


def csv_rates(tmp: Path, rows: int, import_rows: int, repeat: int) -> None:
    """Target 6: bulk CSV validation — in-process ``bt.validate`` of a 1M-row scores CSV (every field
    as text, as CSV files are read), against 1M rows/s; and ``benchtables import csv`` of a plain CSV
    (model, benchmark, value, n_shot columns) into an entry file, whole process, against 200,000 rows/s."""
    import benchtables as bt

    print(f"\n6. CSV: in-process validation of {rows:,} rows; `benchtables import csv` of {import_rows:,} rows")
    work = tmp / "work"
    store = tmp / "store-5000-models"
    if not store.is_dir():
        synthetic.make_store(store)
    path = synthetic.scores_csv(work / "scores-csv.csv", rows)
    with working_directory(work):
        seconds, found = timed(lambda: bt.validate([path], store=store), repeat)
    if not found.ok:  # type: ignore[attr-defined]
        raise SystemExit(f"{path.name} has errors: {[p.format() for p in found.errors[:3]]}")  # type: ignore[attr-defined]
    whole, _ = whole_process(benchtables_cli("validate", "--quiet", "--store", str(store), str(path)), 1, cwd=work)
    rate = rows / seconds
    print(f"  validate {rows:,} CSV rows: {seconds:.2f} s in-process ({whole:.2f} s whole process)")
    if rate < 1e6:
        with working_directory(work):
            hotspots(lambda: bt.validate([path], store=store), "validate of the CSV")
    report(f"CSV validation, {rows / 1e6:g}M rows, in-process", f"{rate / 1e6:.2f}M rows/s ({seconds:.2f} s)",
           "≥ 1M rows/s", rate >= 1e6)
    path.unlink()

    source = synthetic.scores_csv(work / "import.csv", import_rows, ("model", "benchmark", "value", "n_shot"))
    output = work / "imported"  # a directory: a large import writes an entry file and a Parquet bulk file
    output.mkdir(exist_ok=True)
    args = ["import", "csv", str(source), "--map", "model=model", "--map", "benchmark=benchmark", "--map",
            "value=value", "--map", "n_shot=n_shot", "--source-id", "csv-import", "--store", str(store), "-o",
            str(output), "--force", "--quiet"]
    seconds, _ = whole_process(benchtables_cli(*args), repeat, cwd=work)
    written = sum(p.read_text().count("\n- {") for p in output.glob("*.yaml")) + \
        sum(pq.read_metadata(p).num_rows for p in output.glob("*.parquet"))
    rate = import_rows / seconds
    print(f"  import csv: {seconds:.2f} s for {import_rows:,} rows ({written:,} records written: "
          f"{', '.join(sorted(p.name for p in output.iterdir()))})")
    if written != import_rows:
        raise SystemExit(f"import csv wrote {written} records of {import_rows}")
    if rate < 200_000:
        process_hotspots(args, "import csv", work)
    report(f"`import csv`, {import_rows:,} rows, whole process", f"{rate:,.0f} rows/s ({seconds:.1f} s)",
           "≥ 200,000 rows/s", rate >= 200_000)


# --------------------------------------------------------------------------- 7: against the previous release


def previous_release(repeat: int) -> None:
    """Target 7: whole-process ``benchtables validate one.yaml`` (two scores of models the shipped
    store has) from the repository root, against the previous release (commit 300d47e, checked out
    in a temporary worktree and run from its own root with PYTHONPATH=its src, same interpreter),
    timed alternately in this run. Falls back to the absolute target (≤ 0.4 s) if the worktree
    cannot be made."""
    print(f"\n7. `validate one.yaml` (whole process) against the previous release {PREVIOUS_RELEASE}")
    with tempfile.TemporaryDirectory(prefix="benchtables-release-") as tmp_name:
        tmp = Path(tmp_name)
        entry = tmp / "bench2026.yaml"
        entry.write_text(NEW_ENTRY)
        old = tmp / "previous"
        made = run("git", "-C", str(REPO), "worktree", "add", "--detach", str(old), PREVIOUS_RELEASE)
        try:
            args = ["validate", str(entry)]
            now = checked_run(*benchtables_cli(*args))
            print(f"  this version: {summary_line(now)}")
            if made.returncode != 0:
                print(f"  no worktree of {PREVIOUS_RELEASE} ({made.stderr.strip()}): the absolute target instead")
                seconds, _ = whole_process(benchtables_cli(*args), repeat)
                report("`validate one.yaml`, whole process", f"{seconds:.2f} s (no previous release to compare)",
                       "≤ 0.4 s", seconds <= 0.4)
                return
            env = {"PYTHONPATH": str(old / "src")}
            then = checked_run(*benchtables_cli(*args), cwd=old, env=env)
            print(f"  {PREVIOUS_RELEASE}: {summary_line(then)}")
            ours, theirs = [], []
            for _ in range(max(repeat, 5)):  # alternated, so that both see the same machine
                ours.append(whole_process(benchtables_cli(*args), 1)[0])
                theirs.append(whole_process(benchtables_cli(*args), 1, cwd=old, env=env)[0])
            ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
            if ours_s / theirs_s > 0.75:
                probe = ("import sys; from benchtables.cli import run; run(sys.argv[1:]); print('loaded:', ', '.join("
                         "m for m in ('numpy', 'pyarrow', 'pyarrow.dataset', 'pandas', 'pydantic', 'duckdb', "
                         "'matplotlib') if m in sys.modules), file=sys.stderr)")
                print(f"  modules `validate one.yaml` loads: {run(sys.executable, '-c', probe, *args).stderr.split('loaded:')[-1].strip()}")
                process_hotspots(args, "validate one.yaml", REPO)
        finally:
            if made.returncode == 0:
                run("git", "-C", str(REPO), "worktree", "remove", "--force", str(old))
    bare, _ = whole_process([sys.executable, "-c", "pass"], repeat)
    imports, _ = whole_process([sys.executable, "-c", "import benchtables.cli"], repeat)
    print(f"  this version {ours_s:.2f} s, {PREVIOUS_RELEASE} {theirs_s:.2f} s; bare python {bare * 1000:.0f} ms, "
          f"import benchtables.cli {imports * 1000:.0f} ms")
    ratio = ours_s / theirs_s
    report("`validate one.yaml`, whole process", f"{ratio:.2f}× {PREVIOUS_RELEASE} ({ours_s:.2f} s vs {theirs_s:.2f} s)",
           "≤ 0.75×", ratio <= 0.75)


# --------------------------------------------------------------------------- 8, 9: leaderboards against DuckDB


def same_leaderboard(store: Path, benchmark: str = "mmlu") -> int:
    """Check that ``bt.leaderboard`` and the DuckDB query give the same table (models in order,
    ranks, values, report counts, chosen sources); SystemExit if not. Returns its number of rows."""
    import duckdb
    import duckdb_baselines

    import benchtables as bt

    frame = bt.leaderboard(benchmark, store=store).frame
    rows = duckdb_baselines.leaderboard(duckdb.connect(), str(store), benchmark)
    differences = []
    if [r[1] for r in rows] != list(frame["model"]):
        ours, theirs = set(frame["model"]), {r[1] for r in rows}
        differences.append(f"models differ: {len(ours - theirs)} only in benchtables ({sorted(ours - theirs)[:5]}), "
                           f"{len(theirs - ours)} only in DuckDB ({sorted(theirs - ours)[:5]}), or their order")
    else:
        for name, position in (("rank", 0), ("value", 5), ("reports", 8), ("source", 7)):
            mine, other = list(frame[name]), [r[position] for r in rows]
            same = np.allclose(np.array(mine, float), np.array(other, float)) if name == "value" else \
                [str(x) for x in mine] == [str(x) for x in other]
            if not same:
                at = next(i for i, (a, b) in enumerate(zip(mine, other, strict=True)) if str(a) != str(b))
                differences.append(f"{name} differs first at row {at + 1}: {mine[at]!r} vs {other[at]!r}")
    if differences:
        raise SystemExit(f"bt.leaderboard({benchmark!r}) and the DuckDB query disagree on {store}: "
                         + "; ".join(differences))
    return len(rows)


def leaderboard_whole_process(store: Path, label: str, cwd: Path, repeat: int, default_store: bool) -> None:
    """Target 8: whole-process ``benchtables leaderboard mmlu`` (Markdown, as when piped) against a
    Python process running the same query with DuckDB and printing the table
    (``duckdb_baselines.py leaderboard``), after checking both give the same table."""
    count = same_leaderboard(store)
    args = ["leaderboard", "mmlu"] + ([] if default_store else ["--store", str(store)])
    ours, _ = whole_process(benchtables_cli(*args), repeat, cwd=cwd)
    theirs, _ = whole_process(duckdb_script("leaderboard", str(store), "mmlu"), repeat, cwd=cwd)
    ratio = ours / theirs
    print(f"  {label}: `benchtables leaderboard mmlu` {ours:.2f} s, DuckDB script {theirs:.2f} s "
          f"({count:,} models; same table)")
    if ratio > 2:
        process_hotspots(args, f"leaderboard mmlu, {label}", cwd)
    report(f"`leaderboard mmlu`, whole process, {label}", f"{ratio:.2f}× DuckDB ({ours:.2f} s vs {theirs:.2f} s)",
           "≤ 2×", ratio <= 2)


def leaderboard_in_process(store: Path, rows: int, target_rows: int, repeat: int) -> None:
    """Target 9: ``bt.leaderboard("mmlu", store=STORE)`` in-process against the same query in DuckDB
    in-process (a new connection per call, as each ``bt.leaderboard`` call opens the store anew),
    timed alternately on the synthetic store."""
    import duckdb
    import duckdb_baselines

    import benchtables as bt

    bt.leaderboard("mmlu", store=store)  # imports (pandas) happen once, not in the first timing
    ours, theirs = [], []
    for _ in range(max(repeat, 5)):
        start = time.perf_counter()
        bt.leaderboard("mmlu", store=store)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        duckdb_baselines.leaderboard(duckdb.connect(), str(store), "mmlu")
        theirs.append(time.perf_counter() - start)
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    ratio = ours_s / theirs_s
    print(f"  in-process, {rows / 1e6:g}M rows: bt.leaderboard {ours_s * 1000:.0f} ms, DuckDB {theirs_s * 1000:.0f} ms")
    if ratio > 1.5:
        hotspots(lambda: bt.leaderboard("mmlu", store=store), f"bt.leaderboard, {rows / 1e6:g}M rows")
    report(f"`bt.leaderboard`, in-process, {rows / 1e6:g}M rows",
           f"{ratio:.2f}× DuckDB ({ours_s * 1000:.0f} ms vs {theirs_s * 1000:.0f} ms)", "≤ 1.5× at 10M rows",
           ratio <= 1.5 if rows >= target_rows else None)


def leaderboards(store: Path, rows: int, target_rows: int, repeat: int) -> None:
    """Targets 8 and 9 on the shipped store (``data/store``, the default from the repository root)
    and on the synthetic store built by section 5."""
    print(f"\n8, 9. leaderboard mmlu against DuckDB: the shipped store and a {rows / 1e6:g}M-row store")
    leaderboard_whole_process(REPO / "data" / "store", "shipped store", REPO, repeat, default_store=True)
    leaderboard_whole_process(store, f"{rows / 1e6:g}M-row store", store.parent.parent, repeat, default_store=True)
    leaderboard_in_process(store, rows, target_rows, repeat)


# --------------------------------------------------------------------------- 10: rendering


def rendering(tmp: Path, repeat: int) -> None:
    """Target 10: ``to_markdown`` of a leaderboard view of 10,000 rows (against 0.2 s) and of 100,000
    rows (against 11× the 10,000-row time: linear), from a store of 100,000 models."""
    import benchtables as bt
    from benchtables.rendering import to_markdown

    print("\n10. rendering a leaderboard to Markdown: 10,000 and 100,000 rows")
    benchmark = synthetic.ranged_benchmarks()[0][0]  # the 200,000 rows are this benchmark's
    store = synthetic.make_store(tmp / "store-render", synthetic.synthetic_scores(200_000, "100,000 models"),
                                 models=100_000)
    times: dict[int, tuple[float, int]] = {}
    from tabulate import tabulate

    floor = 0.0
    for top in (10_000, None):
        view = bt.leaderboard(benchmark, top=top, store=store)
        seconds, text = timed(lambda view=view: to_markdown(view), repeat)
        rows = len(view.frame)
        times[rows] = (seconds, len(text))  # type: ignore[arg-type]
        # the floor: tabulate alone on the table's cells already written as text (no formatting, no escaping)
        shown = view.frame.drop(columns=[c for c in view.hidden if c in view.frame.columns])
        cells = shown.astype(str).to_numpy().tolist()
        alone, _ = timed(lambda cells=cells, shown=shown: tabulate(cells, headers=list(shown.columns),
                                                                   tablefmt="github", disable_numparse=True), repeat)
        floor = alone if top is not None else floor
        print(f"  {rows:,} rows: {seconds:.2f} s ({len(text) / 1e6:.1f} MB of Markdown); tabulate alone on the "
              f"same cells as text {alone:.2f} s")
        if top is not None and seconds > 0.2:
            hotspots(lambda view=view: to_markdown(view), f"to_markdown, {rows:,} rows")
    (small, (small_s, _)), (large, (large_s, _)) = sorted(times.items())
    report(f"Markdown of a {small:,}-row leaderboard", f"{small_s:.2f} s ({small_s / floor:.1f}× tabulate alone, "
           f"{floor:.2f} s)", "≤ 0.2 s", small_s <= 0.2)
    ratio = large_s / small_s
    report(f"Markdown, {large:,} rows vs {small:,}", f"{ratio:.1f}×", "≤ 11×", ratio <= 11)


# --------------------------------------------------------------------------- main


def main() -> None:
    global PROFILE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1M-row data only, fewer repeats")
    parser.add_argument("--profile", action="store_true", help="profile each target missed (benchtables functions)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run, of: {', '.join(SECTIONS)}")
    args = parser.parse_args()
    PROFILE = args.profile
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed run still removes its temporary directories
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; sections: {', '.join(SECTIONS)}")
    repeat = 3 if args.quick else 5
    small, large = 1_000_000, 10_000_000
    sizes = (small,) if args.quick else (small, large)
    import duckdb

    print(f"benchtables benchmarks — {os.cpu_count()} cores, Python {sys.version.split()[0]}, pyarrow {pa.__version__}, "
          f"numpy {np.__version__}, DuckDB {duckdb.__version__}{' (--quick)' if args.quick else ''}")
    commit = run("git", "rev-parse", "--short", "HEAD").stdout.strip()
    dirty = run("git", "status", "--porcelain", "--", "src").stdout.strip()
    print(f"benchtables at commit {commit or '?'}{' (src/ has uncommitted changes)' if dirty else ''}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="benchtables-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "work").mkdir()
        if "validation" in only:
            validation_in_process(tmp, sizes, repeat)
        if "duckdb-validate" in only:
            validation_vs_duckdb(tmp, small, repeat)
        if "wide" in only:
            same_key_and_wide(tmp, repeat)
        if "csv" in only:
            csv_rates(tmp, small, 200_000 if args.quick else 1_000_000, repeat)
        if "one-file" in only:
            previous_release(repeat)
        if "build" in only or "leaderboard" in only:
            store = build_memory(tmp, sizes[-1], large)
            if "leaderboard" in only:
                leaderboards(store, sizes[-1], large, repeat)
            shutil.rmtree(store.parent.parent)
        if "render" in only:
            rendering(tmp, repeat)
    print(f"\n(ran in {(time.perf_counter() - started) / 60:.1f} minutes)")
    print("\n| measure | result | target | ✓/✗ |\n|---|---|---|---|")
    for row in SUMMARY:
        print("| " + " | ".join(row) + " |")
    if any(v == "✗" for *_, v in SUMMARY):
        sys.exit(1)


if __name__ == "__main__":
    main()
