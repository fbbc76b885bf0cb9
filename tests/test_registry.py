"""The shipped registry and project additions to it."""

from __future__ import annotations

import pytest

from benchtables.errors import UnknownIdError
from benchtables.registry import Registry

REQUIRED = ["mmlu", "hellaswag", "arc-challenge", "arc-easy", "winogrande", "truthfulqa", "gsm8k", "humaneval",
            "bbh", "lambada", "piqa", "boolq"]


@pytest.fixture(scope="module")
def registry():
    return Registry.shipped()


@pytest.mark.parametrize("benchmark", REQUIRED)
def test_required_benchmarks_have_a_percent_primary_metric(registry, benchmark):
    b = registry.benchmarks[benchmark]
    primary = registry.metrics[b.primary]
    assert primary.unit == "percent" and primary.higher_is_better and (primary.min, primary.max) == (0, 100)


@pytest.mark.parametrize(
    ("metric", "higher", "low", "high"),
    [("fid", False, 0, None), ("clip_score", True, 0, 100), ("lpips", False, 0, 1), ("train_loss", False, 0, None),
     ("val_loss", False, 0, None), ("perplexity", False, 1, None), ("mfu", True, 0, 100), ("hfu", True, 0, 100)],
)
def test_non_benchmark_metrics(registry, metric, higher, low, high):
    m = registry.metrics[metric]
    assert (m.higher_is_better, m.min, m.max) == (higher, low, high)


def test_primary_metrics_of_special_benchmarks(registry):
    assert registry.benchmarks["humaneval"].primary == "pass@1"
    assert registry.benchmarks["truthfulqa"].primary == "mc2"


@pytest.mark.parametrize("name", ["MMLU", "mmlu", "Massive Multitask Language Understanding", "hendrycksTest"])
def test_aliases_resolve_to_one_id(registry, name):
    assert registry.benchmark_index.resolve(name) == "mmlu"


def test_unknown_benchmark_suggests(registry):
    with pytest.raises(UnknownIdError, match="did you mean 'hellaswag'"):
        registry.benchmark("hellaswg")


def test_shipped_registry_is_consistent(registry):
    assert registry.consistency_problems() == []


def test_project_registry_adds_benchmarks_and_refuses_clashes(tmp_path, registry):
    path = tmp_path / "registry.yaml"
    path.write_text(
        "benchmarks:\n"
        "  - {id: my-bench, name: My Bench, metrics: [acc]}\n"
        "  - {id: mmlu, name: Not MMLU, metrics: [acc]}\n"
        "  - {id: broken, name: Broken, metrics: [nosuchmetric]}\n"
    )
    extended, problems = registry.extended(path)
    assert "my-bench" in extended.benchmarks and "my-bench" not in registry.benchmarks
    assert [(p.code, p.line) for p in problems if p.line] == [("registry_conflict", 3)]
    assert any(p.code == "registry_reference" and "nosuchmetric" in p.message for p in problems)


def test_every_problem_code_the_code_reports_is_in_the_catalogue():
    """The catalogue of problem codes is complete: each code a check or an importer reports is listed."""
    import re
    from pathlib import Path

    from benchtables.problems import CODES

    patterns = [r'warn\(\s*"([a-z_0-9]+)"', r'Severity\.(?:ERROR|WARNING),\s*"([a-z_0-9]+)"',
                r'\.find\(\s*"([a-z_0-9]+)"', r'found\.add\(\s*"([a-z_0-9]+)"', r'_problem\([^,]+,\s*"([a-z_0-9]+)"']
    used = set()
    for path in (Path(__file__).resolve().parents[1] / "src" / "benchtables").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            used |= set(re.findall(pattern, text))
    assert used and not used - set(CODES), sorted(used - set(CODES))
