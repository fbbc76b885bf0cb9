"""Measure benchtables against its performance targets, as ratios to baselines timed in the same run.

    python benchmarks/run.py            # everything (a few minutes; needs duckdb: pip install -e ".[test]")
    python benchmarks/run.py --quick    # smaller stores, fewer repeats

Not part of the test suite: timings depend on the machine, so they are reported, not asserted.
Each section prints what it measured; the summary at the end is the table the README shows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUMMARY: list[tuple[str, str, str, str]] = []  # (measure, result, target, verdict)

NEW_ENTRY = """\
source: {id: bench2026, title: A benchmark entry, url: 'https://example.org/bench', year: 2026}
scores:
  - {model: palm-540b, benchmark: mmlu, n_shot: 5, value: 69.1, where: Table 2}
  - {model: chinchilla-70b, benchmark: mmlu, n_shot: 5, value: 67.4, where: Table 2}
"""


def timed(func: Callable[[], object], repeat: int) -> float:
    """Median wall-clock seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(measure: str, result: str, target: str, ok: bool) -> None:
    SUMMARY.append((measure, result, target, "✓" if ok else "✗"))
    print(f"  {measure}: {result} (target {target}) {'✓' if ok else '✗ MISSED'}")


def command(*args: str) -> Callable[[], object]:
    return lambda: subprocess.run(args, cwd=REPO, check=False, capture_output=True)


def validate_one_file(repeat: int) -> None:
    """Whole-process ``benchtables validate one.yaml`` against the shipped store."""
    print("validate one entry file against the shipped store (whole process)")
    with tempfile.TemporaryDirectory() as tmp:
        entry = Path(tmp) / "bench2026.yaml"
        entry.write_text(NEW_ENTRY)
        run = command(sys.executable, "-m", "benchtables", "validate", str(entry))
        done = subprocess.run([sys.executable, "-m", "benchtables", "validate", str(entry)], cwd=REPO,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"validate failed:\n{done.stdout}{done.stderr}")
        seconds = timed(run, repeat)
    interpreter = timed(command(sys.executable, "-c", "pass"), repeat)
    imports = timed(command(sys.executable, "-c", "import benchtables.cli"), repeat)
    print(f"  python start-up {interpreter * 1000:.0f} ms; import benchtables.cli {imports * 1000:.0f} ms")
    report("validate one entry file, whole process", f"{seconds:.2f} s ({seconds / interpreter:.0f}× bare python)",
           "< 1 s", seconds < 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller stores and fewer repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    print(f"benchtables benchmarks — {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    validate_one_file(repeat)
    print("\n| measure | result | target | |\n|---|---|---|---|")
    for row in SUMMARY:
        print("| " + " | ".join(row) + " |")
    if any(v == "✗" for *_, v in SUMMARY):
        sys.exit(1)


if __name__ == "__main__":
    main()
