"""leaderboard, compare, pareto, plot and render through the command line."""

from __future__ import annotations

import json

import pytest

from benchtables.tables import leaderboard
from conftest import REPO

SHIPPED = str(REPO / "data" / "store")


def test_leaderboard_markdown_is_the_default(cli):
    result = cli("leaderboard", "mmlu", "--store", SHIPPED)
    assert result.code == 0
    assert result.out.startswith("*MMLU") and "| PaLM 540B" in result.out


def test_leaderboard_json_is_what_the_library_returns(cli):
    result = cli("leaderboard", "mmlu", "--format", "json", "--store", SHIPPED)
    payload = json.loads(result.out)
    df = leaderboard("mmlu", store=SHIPPED)
    assert [r["model"] for r in payload["rows"]] == df["model"].tolist()
    assert [r["value"] for r in payload["rows"]] == df["value"].tolist()


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [(("leaderboard", "mmlx"), 2, "did you mean 'mmlu'"),
     (("leaderboard", "mmlu", "--n-shot", "3"), 1, "the store has: 5-shot (6 models)"),
     (("leaderboard", "humaneval"), 1, "no HumanEval scores in metric pass@1"),
     (("leaderboard",), 2, "name a BENCHMARK"),
     (("leaderboard", "mmlu", "--suite", "open-llm-v1"), 2, "not both"),
     (("leaderboard", "mmlu", "--format", "pdf"), 2, "Invalid value"),
     (("compare", "--models", "palm-540b"), 2, "pass --benchmarks"),
     (("pareto", "sampling", "--x", "nope"), 2, "no column 'nope'"),
     (("plot", "pareto", "-o", "x.jpg"), 2, ".png, .svg or .pdf")],
)
def test_errors_and_exit_codes(cli, tmp_path, monkeypatch, args, code, says):
    monkeypatch.chdir(tmp_path)
    result = cli(*args, "--store", SHIPPED)
    assert result.code == code
    assert says in result.err + result.out
    assert "Traceback" not in result.err


def test_allow_empty_prints_an_empty_table(cli):
    result = cli("leaderboard", "humaneval", "--allow-empty", "--store", SHIPPED)
    assert result.code == 0
    header = [c.strip() for c in result.out.splitlines()[2].split("|")[1:-1]]
    assert header[:3] == ["\\#", "Model", "Organization"] and len(result.out.splitlines()) == 4  # header and rule only


def test_compare_and_suite_columns(cli):
    result = cli("compare", "--models", "palm-540b,chinchilla-70b", "--benchmarks", "mmlu@5", "--format", "csv",
                 "--store", SHIPPED)
    assert result.code == 0
    assert result.out.splitlines()[0] == "model,name,MMLU (5-shot)"
    # a suite's members meet numbers typed without a split (the standard split): the papers' MMLU 5-shot
    result = cli("compare", "--suite", "open-llm-v1", "--format", "csv", "--store", SHIPPED)
    assert result.code == 0 and "MMLU (5-shot)" in result.out.splitlines()[0]
    assert "palm-540b" in result.out
    result = cli("compare", "--benchmarks", "humaneval", "--store", SHIPPED)
    assert result.code == 1 and "none of these benchmarks has scores" in result.err


def test_pareto_and_plot(cli, tmp_path):
    result = cli("pareto", "--format", "csv", "--store", SHIPPED)
    assert result.code == 0 and result.out.splitlines()[1].startswith("ldm-39m,3.5,25.3")
    grouped = cli("pareto", "--by", "sampler", "--format", "csv", "--store", SHIPPED)
    assert grouped.code == 0 and grouped.out.splitlines()[1].startswith("ddim,ldm-39m,3.5,25.3")
    out = tmp_path / "front.svg"
    result = cli("plot", "pareto", "-o", out, "--store", SHIPPED)
    assert result.code == 0 and out.read_text().startswith("<?xml")
    assert cli("plot", "scaling", "-o", tmp_path / "s.png", "--store", SHIPPED).code == 0


def test_render_command(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHTABLES_STORE", SHIPPED)
    page = tmp_path / "page.md"
    page.write_text("<!-- benchtables:begin leaderboard mmlu --top 1 -->\n<!-- benchtables:end -->\n")
    assert cli("render", page, "--check").code == 1
    result = cli("render", page)
    assert result.code == 0 and "updated" in result.err and "PaLM 540B" in page.read_text()
    assert cli("render", page, "--check").code == 0
    page.write_text("<!-- benchtables:begin leaderboard mmlu --top zero -->\n<!-- benchtables:end -->\n")
    result = cli("render", page)
    assert result.code == 1 and f"{page.as_posix()}:1:" in result.err


def test_a_benchmark_with_scores_only_in_another_metric_says_which(project, cli):
    from conftest import SOURCE

    project.write("a.yaml", SOURCE + "models:\n  - {id: m-7b, name: M 7B}\n"
                  "scores:\n  - {model: m-7b, benchmark: hellaswag, metric: acc_norm, n_shot: 10, value: 80.1}\n")
    assert cli("build").code == 0
    result = cli("leaderboard", "hellaswag", "--metric", "acc")
    assert result.code == 1
    assert "no HellaSwag scores in metric Accuracy in the store; it has acc_norm: choose one with --metric" in result.err
