"""Every flag of every table command, on the shipped store: what each one does to the output.

The last test checks that this table covers every option the commands declare, so a new flag
cannot land untested.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import REPO

SHIPPED = REPO / "data" / "store"


def rows_of(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def column(out: str, name: str) -> list[str]:
    return [r[name] for r in rows_of(out)]


# (command and its arguments, check of the CSV output or of the result) — --format csv unless the case says
CASES: list[tuple[list[str], object]] = [
    # leaderboard
    (["leaderboard", "mmlu", "--metric", "acc"], lambda r: column(r.out, "model")[0] == "palm-540b"),
    (["leaderboard", "mmlu", "--n-shot", "5"], lambda r: len(rows_of(r.out)) == 6),
    (["leaderboard", "mmlu", "--setting", "cot"], lambda r: r.code == 1 and "5-shot" in r.err),
    (["leaderboard", "mmlu", "--split", "validation"], lambda r: r.code == 1 and "the store has: 5-shot" in r.err),
    (["leaderboard", "mmlu", "--subset", "humanities"], lambda r: column(r.out, "model") == ["palm-540b"]),
    (["leaderboard", "mmlu", "--prefer", "best"], lambda r: column(r.out, "value")[1] == "67.6"),
    (["leaderboard", "mmlu", "--prefer", "latest"], lambda r: r.code == 0),
    (["leaderboard", "mmlu", "--mix-settings"], lambda r: "setting" in rows_of(r.out)[0]),
    (["leaderboard", "mmlu", "--include-partial"], lambda r: len(rows_of(r.out)) == 6),
    (["leaderboard", "mmlu", "--baselines"], lambda r: "random-chance" in column(r.out, "model")),
    (["leaderboard", "--suite", "open-llm-v1", "--partial"],  # whole averages first, then rows with some members
     lambda r: column(r.out, "model")[0] == "falcon-180b" and column(r.out, "members")[-1] == "1/4"),
    (["leaderboard", "mmlu", "--tolerance", "1"], lambda r: r.code == 0),
    (["leaderboard", "mmlu", "--rank-by", "lower"], lambda r: column(r.out, "model")[0] == "palm-540b"),
    (["leaderboard", "mmlu", "--columns", "where,released"], lambda r: column(r.out, "where")[0] == "Table 6"),
    (["leaderboard", "mmlu", "--min-params", "100B"], lambda r: column(r.out, "model") == ["palm-540b", "gopher-280b"]),
    (["leaderboard", "mmlu", "--max-params", "10B"], lambda r: column(r.out, "model") == ["megalodon-7b"]),
    (["leaderboard", "mmlu", "--organization", "Google"], lambda r: set(column(r.out, "model")) == {"palm-540b", "palm-8b"}),
    (["leaderboard", "mmlu", "--open-weights"], lambda r: column(r.out, "model") == ["mistral-7b"]),
    (["leaderboard", "mmlu", "--closed-weights"],
     lambda r: column(r.out, "model") == ["palm-540b", "chinchilla-70b", "gopher-280b", "palm-8b"]),
    (["leaderboard", "mmlu", "--released-after", "2022-04"], lambda r: "chinchilla-70b" not in column(r.out, "model")),
    (["leaderboard", "mmlu", "--released-before", "2022-04"], lambda r: column(r.out, "model")[0] == "chinchilla-70b"),
    (["leaderboard", "mmlu", "--model-kind", "diffusion"], lambda r: r.code == 1),
    (["leaderboard", "mmlu", "--top", "2"], lambda r: column(r.out, "rank") == ["1", "2"]),
    (["leaderboard", "mmlu", "--precision", "2"], lambda r: column(r.out, "value")[0] == "69.30"),
    (["leaderboard", "humaneval", "--allow-empty"], lambda r: r.code == 0 and rows_of(r.out) == []),
    (["leaderboard", "mmlu", "--format", "json"], lambda r: json.loads(r.out)["rows"][0]["model"] == "palm-540b"),
    (["leaderboard", "mmlu", "--format", "markdown", "--footnotes"], lambda r: "1. [PaLM" in r.out),
    (["leaderboard", "mmlu", "--format", "latex", "--cite"], lambda r: "\\cite{chowdhery2022palm}" in r.out),
    (["leaderboard", "mmlu", "--format", "html"], lambda r: "<table>" in r.out),
    (["leaderboard", "mmlu", "--format", "text"], lambda r: "PaLM 540B" in r.out and "|" not in r.out),
    # compare
    (["compare", "--models", "palm-540b,chinchilla-70b", "--benchmarks", "mmlu@5"],
     lambda r: column(r.out, "model") == ["palm-540b", "chinchilla-70b"]),
    (["compare", "--suite", "open-llm-v1"], lambda r: "MMLU (5-shot)" in rows_of(r.out)[0]),
    (["compare", "--benchmarks", "mmlu@5", "--prefer", "best"], lambda r: r.code == 0),
    (["compare", "--benchmarks", "mmlu@5", "--baselines"], lambda r: "random-chance" in column(r.out, "model")),
    (["compare", "--benchmarks", "mmlu@5", "--organization", "DeepMind"],
     lambda r: set(column(r.out, "model")) == {"chinchilla-70b", "gopher-280b"}),
    # pareto
    (["pareto", "sampling", "--x", "sampling_cost", "--y", "fid"], lambda r: column(r.out, "model")[0] == "ldm-39m"),
    (["pareto", "sampling", "--by", "sampler"], lambda r: "sampler" in rows_of(r.out)[0]),
    (["pareto", "sampling", "--maximize-y", "--y", "clip_score"], lambda r: r.code == 0),
    (["pareto", "sampling", "--minimize-x"], lambda r: r.code == 0),
    (["pareto", "sampling", "--maximize-x", "--minimize-y"], lambda r: r.code == 0),
    (["pareto", "sampling", "--columns", "model,fid"], lambda r: list(rows_of(r.out)[0])[:2] == ["model", "fid"]),
    (["pareto", "sampling", "--mix-settings"], lambda r: r.code == 0),
    # sota
    (["sota", "mmlu"], lambda r: column(r.out, "date") == ["2022-03", "2022-04"]),
    (["sota", "mmlu", "--metric", "acc", "--n-shot", "5"], lambda r: len(rows_of(r.out)) == 2),
    (["sota", "mmlu", "--setting", "cot"], lambda r: r.code == 1),
    (["sota", "mmlu", "--split", "test", "--subset", "stem"], lambda r: column(r.out, "model") == ["palm-540b"]),
    (["sota", "mmlu", "--date", "model"], lambda r: column(r.out, "model")[0] == "chinchilla-70b"),
    # the shared output flags, on each other table command
    *[([*command, "--format", "latex", "--cite"], lambda r: "\\cite{" in r.out) for command in (
        ["compare", "--benchmarks", "mmlu@5"], ["pareto", "sampling"], ["sota", "mmlu"], ["show", "scores"])],
    *[([*command, "--format", "markdown", "--footnotes"], lambda r: "\n1. [" in r.out) for command in (
        ["compare", "--benchmarks", "mmlu@5"], ["pareto", "sampling"], ["sota", "mmlu"], ["show", "scores"])],
    *[([*command, "--precision", "3"], lambda r: all(len(v.split(".")[1]) == 3 for v in column(r.out, "value") if v))
      for command in (["sota", "mmlu"], ["show", "scores"])],
    (["compare", "--benchmarks", "mmlu@5", "--precision", "3"], lambda r: column(r.out, "MMLU (5-shot)")[0].endswith(
        ".300") or all(len(v.split(".")[1]) == 3 for v in column(r.out, "MMLU (5-shot)") if v)),
    (["pareto", "sampling", "--precision", "3"], lambda r: column(r.out, "fid")[0] == "25.300"),
    *[([*command, "--top", "1"], lambda r: len(rows_of(r.out)) == 1) for command in (
        ["compare", "--benchmarks", "mmlu@5"], ["pareto", "sampling"], ["sota", "mmlu"], ["show", "scores"])],
    *[([*command, "--allow-empty"], lambda r: r.code == 0 and rows_of(r.out) == []) for command in (
        ["compare", "--benchmarks", "mmlu@5", "--model-kind", "diffusion"],
        ["pareto", "sampling", "--x", "steps", "--y", "lpips"],
        ["sota", "mmlu", "--model-kind", "diffusion"], ["show", "scores", "--where", "benchmark=nope"])],
    *[([*command, "--min-params", "1B", "--max-params", "1T", "--open-weights", "--released-after", "2020",
        "--released-before", "2030", "--model-kind", "llm"], lambda r: r.code in (0, 1) and "Traceback" not in r.err)
      for command in (["compare", "--benchmarks", "mmlu@5"], ["sota", "mmlu"])],
    (["compare", "--benchmarks", "mmlu@5", "--closed-weights"], lambda r: "mistral-7b" not in column(r.out, "model")),
    (["sota", "mmlu", "--organization", "Google", "--closed-weights"], lambda r: column(r.out, "model") == ["palm-540b"]),
    # show
    (["show", "scores", "--columns", "model,value"], lambda r: list(rows_of(r.out)[0]) == ["model", "value"]),
    (["show", "scores", "--where", "benchmark=mmlu", "--where", "value>=60", "--sort", "-value"],
     lambda r: float(column(r.out, "value")[0]) == max(float(v) for v in column(r.out, "value"))),
    (["show", "training", "--derived", "--columns", "model,tokens_per_parameter"],
     lambda r: "tokens_per_parameter" in rows_of(r.out)[0]),
]


@pytest.mark.parametrize(("args", "check"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_flag_does_what_it_says(cli, args, check):
    given = ["--format", "csv"] if "--format" not in args else []
    result = cli(*args, *given, "--store", SHIPPED)
    assert "Traceback" not in result.err and result.code in (0, 1), result.err
    assert check(result), (result.code, result.out[:800], result.err[:400])


def test_output_to_a_file_picks_the_format_from_its_suffix_and_writes_the_bib(cli, tmp_path):
    for suffix, start in ((".md", "*MMLU"), (".tex", "\\begin{table}"), (".html", "<table>"), (".csv", "rank,"),
                          (".json", "{"), (".txt", "MMLU")):
        out = tmp_path / f"board{suffix}"
        assert cli("leaderboard", "mmlu", "-o", out, "--store", SHIPPED).code == 0
        assert out.read_text().startswith(start), suffix
    bib = tmp_path / "refs.bib"
    assert cli("sota", "mmlu", "--format", "latex", "--cite", "--bib", bib, "--store", SHIPPED).code == 0
    assert "@misc{hoffmann2022chinchilla," in bib.read_text()


def test_sota_plot_flag(cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "sota.svg"
    assert cli("sota", "mmlu", "--plot", out, "--store", SHIPPED).code == 0 and out.read_text().startswith("<?xml")


def test_every_option_of_every_table_command_is_exercised():
    from benchtables.cli import cli as group
    from benchtables.cli.options import PRODUCERS

    used = {(args[0], word) for args, _ in CASES for word in args if word.startswith("-")}
    used |= {(c, f) for c in PRODUCERS for f in ("--output", "--store", "--bib", "--format", "--plot")}  # tests below
    missing = []
    for name in PRODUCERS:
        for param in group.commands[name].params:
            flags = [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
            for flag in flags:
                if flag.startswith("--") and flag not in ("--help",) and (name, flag) not in used:
                    missing.append(f"{name} {flag}")
    assert not missing, missing
