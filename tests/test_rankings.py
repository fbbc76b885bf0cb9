"""Rankings people can trust: tie groups from stated uncertainty, the state of the art over time,
and LaTeX with citations that compiles."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from benchtables.tables import leaderboard
from benchtables.tables.ranks import Z95, group_rank, intervals
from conftest import REPO, SOURCE

SHIPPED = REPO / "data" / "store"

# A worked example. Intervals (value ± 1.96·stderr, or the stated CI):
#   A 80.0 ± 1.96  → [78.04, 81.96]
#   B 78.5 ± 0.98  → [77.52, 79.48]   overlaps A            → group 1
#   C 75.0, CI [74.0, 76.0]           A and B lie above it   → group 3
#   D 74.5 exact   → [74.5, 74.5]     A and B lie above it   → group 3 (overlaps C)
#   E 70.0 ± 0.49  → [69.51, 70.49]   A, B, C and D above    → group 5
WORKED = """\
models:
  - {id: a, name: A}
  - {id: b, name: B}
  - {id: c, name: C}
  - {id: d, name: D}
  - {id: e, name: E}
scores:
  - {model: a, benchmark: mmlu, n_shot: 5, value: 80.0, stderr: 1.0, where: T1}
  - {model: b, benchmark: mmlu, n_shot: 5, value: 78.5, stderr: 0.5, where: T1}
  - {model: c, benchmark: mmlu, n_shot: 5, value: 75.0, ci_low: 74.0, ci_high: 76.0, where: T1}
  - {model: d, benchmark: mmlu, n_shot: 5, value: 74.5, where: T1}
  - {model: e, benchmark: mmlu, n_shot: 5, value: 70.0, stderr: 0.25, where: T1}
"""


def test_intervals_and_groups_of_the_worked_example():
    values = np.array([80.0, 78.5, 75.0, 74.5, 70.0])
    stderr = np.array([1.0, 0.5, np.nan, np.nan, 0.25])
    low, high, known = intervals(values, stderr, np.array([np.nan, np.nan, 74.0, np.nan, np.nan]),
                                 np.array([np.nan, np.nan, 76.0, np.nan, np.nan]))
    assert low[0] == pytest.approx(80 - Z95) and high[1] == pytest.approx(78.5 + 0.5 * Z95)
    assert known.tolist() == [True, True, True, False, True]
    assert group_rank(low, high, True).tolist() == [1, 1, 3, 3, 5]
    # lower is better: the same intervals seen from the other end
    assert group_rank(low, high, False).tolist() == [4, 4, 2, 2, 1]


def test_leaderboard_shows_the_group_beside_the_plain_rank(project, cli):
    project.write("w.yaml", SOURCE + WORKED)
    assert cli("build").code == 0
    board = leaderboard("mmlu", n_shot=5)
    assert board["rank"].tolist() == [1, 2, 3, 4, 5]
    assert board["group"].tolist() == [1, 1, 3, 3, 5]
    assert any("95% interval" in note for note in board.notes)
    text = cli("leaderboard", "mmlu", "--format", "csv").out.splitlines()
    assert text[0].startswith("rank,group,")
    lower = leaderboard("mmlu", n_shot=5, rank_by="lower")  # pessimistic ends: B 77.52 > A 78.04? no: A first
    assert lower["name"].tolist()[:2] == ["A", "B"] and lower["name"].tolist()[2:4] == ["D", "C"]  # 74.5 > 74.0


def test_without_uncertainty_the_plain_rank_stays(project, cli):
    project.write("w.yaml", SOURCE + "models:\n  - {id: a, name: A}\n  - {id: b, name: B}\nscores:\n"
                  "  - {model: a, benchmark: mmlu, n_shot: 5, value: 60, where: T1}\n"
                  "  - {model: b, benchmark: mmlu, n_shot: 5, value: 60, where: T1}\n")
    assert cli("build").code == 0
    board = leaderboard("mmlu", n_shot=5)
    assert board["rank"].tolist() == [1, 1] and "group" in board.hidden


def test_state_of_the_art_on_the_shipped_data(cli):
    import benchtables as bt

    steps = bt.sota("mmlu", store=SHIPPED)
    assert steps["date"].tolist() == ["2022-03", "2022-04"]  # arXiv 2203.15556, 2204.02311
    assert steps["name"].tolist() == ["Chinchilla 70B", "PaLM 540B"] and steps["value"].tolist() == [67.6, 69.3]
    assert np.isnan(steps["gain"].tolist()[0]) and steps["gain"].tolist()[1] == pytest.approx(1.7)
    out = cli("sota", "mmlu", "--format", "csv", "--store", SHIPPED)
    assert out.code == 0 and out.out.splitlines()[0].startswith("date,")


def test_state_of_the_art_by_model_release_and_its_plot(project, cli, tmp_path):
    pytest.importorskip("matplotlib")
    project.write("w.yaml", SOURCE + """\
models:
  - {id: a, name: A, released: 2021-05}
  - {id: b, name: B, released: 2022-01-10}
  - {id: c, name: C, released: 2023}
scores:
  - {model: a, benchmark: mmlu, n_shot: 5, value: 50, where: T1}
  - {model: b, benchmark: mmlu, n_shot: 5, value: 45, where: T1}
  - {model: c, benchmark: mmlu, n_shot: 5, value: 61, where: T1}
""")
    assert cli("build").code == 0
    import benchtables as bt

    steps = bt.sota("mmlu", date_of="model")
    assert steps["name"].tolist() == ["A", "C"]  # B came later and was not better
    for suffix in ("png", "svg", "pdf"):
        result = cli("sota", "mmlu", "--date", "model", "--plot", tmp_path / f"sota.{suffix}")
        assert result.code == 0 and (tmp_path / f"sota.{suffix}").stat().st_size > 1000
    assert (tmp_path / "sota.pdf").read_bytes().startswith(b"%PDF")


def _pdflatex() -> str:
    found = shutil.which("pdflatex")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing: .ci/run installs it (texlive-latex-recommended)")
        pytest.skip("pdflatex is not installed here (CI installs it)")
    return found


@pytest.mark.parametrize("command", [["leaderboard", "mmlu"], ["compare", "--models", "palm-540b,chinchilla-70b",
                                                                "--benchmarks", "mmlu@5"], ["sota", "mmlu"]])
def test_latex_with_citations_compiles_with_its_bib(cli, tmp_path, command):
    pdflatex = _pdflatex()
    table, bib = tmp_path / "table.tex", tmp_path / "refs.bib"
    result = cli(*command, "--format", "latex", "--cite", "--bib", bib, "-o", table, "--store", SHIPPED)
    assert result.code == 0, result.err
    text = table.read_text()
    assert "\\toprule" in text and "\\midrule" in text and "\\bottomrule" in text and "\\cite{" in text
    (tmp_path / "doc.tex").write_text("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{url}\n"
                                      "\\begin{document}\n\\input{table.tex}\n\\bibliographystyle{plain}\n"
                                      "\\bibliography{refs}\n\\end{document}\n")

    def run(*args):
        done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:]
        return done.stdout

    run(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    run("bibtex", "doc")
    run(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    log = run(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    assert "undefined" not in log.lower()  # every \cite found its entry
    keys = set(__import__("re").findall(r"\\cite\{([^}]*)\}", text))
    assert keys and all(f"@misc{{{k}," in bib.read_text() for k in keys)
    assert (tmp_path / "doc.pdf").read_bytes().startswith(b"%PDF")


def test_hostile_text_stays_literal_in_latex(project, cli, tmp_path):
    pdflatex = _pdflatex()
    project.write("w.yaml", SOURCE.replace("A test source", "'Evil } \\input{/etc/passwd} $x^2$ 50% & #1 _x_ ~ ^'")
                  + "models:\n  - {id: a, name: 'A \\end{document} & {}'}\nscores:\n"
                  "  - {model: a, benchmark: mmlu, n_shot: 5, value: 60, where: T1}\n")
    assert cli("build").code == 0
    table = tmp_path / "table.tex"
    assert cli("leaderboard", "mmlu", "--format", "latex", "--footnotes", "-o", table).code == 0
    (tmp_path / "doc.tex").write_text("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{url}\n"
                                      "\\begin{document}\n\\input{table.tex}\nEND-MARK\n\\end{document}\n")
    done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "/etc/passwd" not in done.stdout.replace("\\input{/etc/passwd}", "")  # never read
