"""Commands that turn the store into tables and pictures: leaderboard, compare, pareto, sota, plot, render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from benchtables.cli import cli
from benchtables.cli.options import (
    PRODUCERS,
    csv_list,
    model_filter,
    model_filter_options,
    output_options,
    present,
    say,
    store_option,
    table_command,
    verbosity_options,
)
from benchtables.errors import RenderError, UsageError

PREFER = ("original", "best", "latest")  # benchtables.tables.select.PREFER, without importing pyarrow
PARETO_COLUMNS = ("model", "sampler", "steps", "guidance", "distilled", "source", "where")


@table_command("leaderboard")
@click.argument("benchmark", required=False)
@click.option("--suite", default=None, help="Rank by a suite's mean instead, e.g. open-llm-v1.")
@click.option("--metric", default=None, help="Metric (default: the benchmark's primary metric).")
@click.option("--n-shot", type=click.IntRange(min=0), default=None, help="Number of in-context examples.")
@click.option("--setting", default=None, help="Setting qualifiers, e.g. cot.")
@click.option("--split", default=None, help="Dataset split (default: the benchmark's standard split).")
@click.option("--subset", default=None, help="Rank a subset (e.g. humanities) instead of the whole benchmark.")
@click.option("--prefer", type=click.Choice(PREFER), default="original", show_default=True,
              help="Which report to show when several sources report a model.")
@click.option("--mix-settings", is_flag=True, help="Rank across settings of the whole benchmark; each row shows its own.")
@click.option("--include-partial", is_flag=True, help="Also rank runs on a sample of the benchmark (separately).")
@click.option("--baselines", is_flag=True, help="Include reference rows (random chance, human raters).")
@click.option("--partial", is_flag=True, help="Suites: also rank models that lack some members.")
@click.option("--tolerance", type=float, default=None,
              help="Spread between sources to flag, in the metric's unit (default: beyond rounding).")
@click.option("--rank-by", type=click.Choice(["value", "lower"]), default="value", show_default=True,
              help="Rank by value, or by the lower end of the 95% interval where uncertainty is known.")
@click.option("--columns", default=None, help="Extra columns, comma-separated (where, released, estimated, …).")
@model_filter_options
@output_options
@store_option
def leaderboard_text(benchmark: str | None, suite: str | None, metric: str | None, n_shot: int | None,
                     setting: str | None, split: str | None, subset: str | None, prefer: str, mix_settings: bool,
                     include_partial: bool, baselines: bool, partial: bool, tolerance: float | None, rank_by: str,
                     columns: str | None, fmt: str | None, cite: bool, footnotes: bool, precision: int | None,
                     top: int | None, allow_empty: bool, output: Path | None, bib: Path | None, store: Path | None,
                     **filters: Any) -> str:
    """Rank models on a benchmark: comparable numbers only, one row per model.

    When no setting is given, the one with the most models is ranked and the others are listed.
    """
    from benchtables.tables.leaderboard import leaderboard

    if benchmark is None and suite is None:
        raise UsageError("name a BENCHMARK or pass --suite")
    view = leaderboard(benchmark, metric, n_shot, setting, split, subset, prefer, top, suite=suite,
                       mix_settings=mix_settings, include_baselines=baselines, include_partial=include_partial,
                       tolerance=tolerance, columns=csv_list(columns) or (), require_all=not partial, rank_by=rank_by,
                       filters=model_filter(**filters), allow_empty=allow_empty, store=store)
    return present(view, fmt, output, footnotes, precision, cite, bib)


@table_command("compare")
@click.option("--models", default=None, help="Models (ids or names), comma-separated, in row order (default: all).")
@click.option("--benchmarks", default=None,
              help="Columns, comma-separated: BENCHMARK[/METRIC][@N_SHOT], e.g. mmlu@5,hellaswag/acc_norm@10.")
@click.option("--suite", default=None, help="Use a suite's members as the columns.")
@click.option("--prefer", type=click.Choice(PREFER), default="original", show_default=True,
              help="Which report to show when several sources report a model.")
@click.option("--baselines", is_flag=True, help="Include reference rows (random chance, human raters).")
@model_filter_options
@output_options
@store_option
def compare_text(models: str | None, benchmarks: str | None, suite: str | None, prefer: str, baselines: bool,
                 fmt: str | None, cite: bool, footnotes: bool, precision: int | None, top: int | None,
                 allow_empty: bool, output: Path | None, bib: Path | None, store: Path | None, **filters: Any) -> str:
    """Compare models across benchmarks: one column per benchmark, best per column in bold."""
    from benchtables.errors import EmptyResultError
    from benchtables.tables.compare import compare
    from benchtables.tables.select import ScoreView

    columns: list[Any] = csv_list(benchmarks) or []
    if suite:
        spec = ScoreView.open(store).registry.suite(suite)
        columns += [m.model_dump(exclude_none=True) for m in spec.members]
    if not columns:
        raise UsageError("pass --benchmarks or --suite")
    try:
        view = compare(csv_list(models), columns, prefer=prefer, include_baselines=baselines,
                       filters=model_filter(**filters), top=top, store=store)
    except EmptyResultError:
        if not allow_empty:
            raise
        import pandas as pd

        from benchtables.tables.view import TableView

        view = TableView(pd.DataFrame(columns=["name"]), caption="No model has scores in these columns")
    return present(view, fmt, output, footnotes, precision, cite, bib)


def _directions(minimize_x: bool | None, minimize_y: bool | None, x: str, y: str) -> dict[str, bool]:
    return {k: v for k, v in ((x, minimize_x), (y, minimize_y)) if v is not None}


@table_command("pareto")
@click.argument("kind", default="sampling", type=click.Choice(["scores", "training", "utilization", "sampling"]))
@click.option("--x", "x", default="sampling_cost", show_default=True, help="Column on the x axis (a cost).")
@click.option("--y", "y", default="fid", show_default=True, help="Column on the y axis (a quality).")
@click.option("--by", default=None, help="Compute one front per value of this column (e.g. sampler).")
@click.option("--minimize-x/--maximize-x", default=None, help="Direction of x (default: minimise).")
@click.option("--minimize-y/--maximize-y", default=None, help="Direction of y (default: from the metric registry).")
@click.option("--columns", default=None, help="Columns to show, comma-separated (default: model, x, y and the setting).")
@click.option("--mix-settings", is_flag=True,
              help="Put rows of different datasets/resolutions (or benchmark settings) on one front.")
@output_options
@store_option
def pareto_text(kind: str, x: str, y: str, by: str | None, minimize_x: bool | None, minimize_y: bool | None,
                columns: str | None, mix_settings: bool, fmt: str | None, cite: bool, footnotes: bool,
                precision: int | None, top: int | None, allow_empty: bool, output: Path | None, bib: Path | None,
                store: Path | None) -> str:
    """Print the Pareto front: the rows no other row beats on both x and y."""
    from benchtables.frames import load
    from benchtables.tables.pareto import COMPARABLE, pareto

    df = load(kind, store, derived=True)
    view = pareto(df, x, y, minimize=_directions(minimize_x, minimize_y, x, y) or None, by=by,
                  mix_settings=mix_settings, store=store)
    front = view.frame
    shown = (*([by] if by else []), *PARETO_COLUMNS[:1], x, y, *PARETO_COLUMNS[1:],
             *(COMPARABLE.get(kind, ()) if mix_settings else ()))
    wanted = csv_list(columns) or [c for c in dict.fromkeys(shown) if c in front.columns]
    missing = [c for c in wanted if c not in front.columns]
    if missing:
        raise UsageError(f"no column {missing[0]!r} in {kind}")
    if front.empty and not allow_empty:
        from benchtables.errors import EmptyResultError

        raise EmptyResultError(f"no {kind} rows have both {x} and {y}")
    view = view.with_frame(front[wanted].reset_index(drop=True))
    if top is not None:
        view = view.head(top)
    return present(view, fmt, output, footnotes, precision, cite, bib)


@table_command("sota")
@click.argument("benchmark")
@click.option("--metric", default=None, help="Metric (default: the benchmark's primary metric).")
@click.option("--n-shot", type=click.IntRange(min=0), default=None, help="Number of in-context examples.")
@click.option("--setting", default=None, help="Setting qualifiers, e.g. cot.")
@click.option("--split", default=None, help="Dataset split (default: the benchmark's standard split).")
@click.option("--subset", default=None, help="A subset instead of the whole benchmark.")
@click.option("--date", "date_of", type=click.Choice(["source", "model"]), default="source", show_default=True,
              help="Date a number by its source's publication, or by its model's release.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw the step plot to this file (.png, .svg or .pdf; needs benchtables[plot]).")
@model_filter_options
@output_options
@store_option
def sota_text(benchmark: str, metric: str | None, n_shot: int | None, setting: str | None, split: str | None,
              subset: str | None, date_of: str, plot_file: Path | None, fmt: str | None, cite: bool, footnotes: bool,
              precision: int | None, top: int | None, allow_empty: bool, output: Path | None, bib: Path | None,
              store: Path | None, **filters: Any) -> str:
    """The state of the art over time: each number that beat the best before it, with its date."""
    from benchtables.errors import EmptyResultError
    from benchtables.tables.sota import sota

    try:
        view = sota(benchmark, metric, n_shot=n_shot, setting=setting, split=split, subset=subset, date_of=date_of,
                    filters=model_filter(**filters), store=store)
    except EmptyResultError:
        if not allow_empty:
            raise
        import pandas as pd

        from benchtables.tables.view import TableView

        view = TableView(pd.DataFrame(columns=["date", "name", "value"]), caption=f"{benchmark}: no dated numbers")
    if plot_file is not None:
        from benchtables.rendering.plots import plot_sota, save_figure

        say(f"wrote {save_figure(plot_sota(view), plot_file)}")
    if top is not None:
        view = view.head(top)
    return present(view, fmt, output, footnotes, precision, cite, bib)


@cli.group("plot")
def plot_group() -> None:
    """Draw plots to PNG, SVG or PDF (needs the optional extra: pip install 'benchtables[plot]')."""


@plot_group.command("pareto")
@click.argument("kind", default="sampling", type=click.Choice(["scores", "training", "utilization", "sampling"]))
@click.option("--x", "x", default="sampling_cost", show_default=True, help="Column on the x axis.")
@click.option("--y", "y", default="fid", show_default=True, help="Column on the y axis.")
@click.option("--series", default="model", show_default=True, help="One line per value of this column.")
@click.option("--minimize-x/--maximize-x", default=None, help="Direction of x (default: minimise).")
@click.option("--minimize-y/--maximize-y", default=None, help="Direction of y (default: from the metric registry).")
@click.option("--linear-x", is_flag=True, help="Linear x axis (default: log when every x is positive).")
@click.option("--mix-settings", is_flag=True, help="Draw rows of every dataset and resolution, not only the largest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .png, .svg or .pdf.")
@verbosity_options
@store_option
def plot_pareto_command(kind: str, x: str, y: str, series: str, minimize_x: bool | None, minimize_y: bool | None,
                        linear_x: bool, mix_settings: bool, output: Path, quiet: bool, verbose: bool,
                        store: Path | None) -> int:
    """Plot y against x, one series per model, with the Pareto front highlighted."""
    from benchtables.frames import load
    from benchtables.rendering.plots import plot_pareto, save_figure

    df = load(kind, store, derived=True)
    models = load("models", store).set_index("id")
    df["parameters"] = df["model"].map(models["parameters"])
    fig = plot_pareto(df, x, y, series=series, minimize=_directions(minimize_x, minimize_y, x, y) or None,
                      log_x=not linear_x, mix_settings=mix_settings, names=models["name"].dropna().to_dict())
    say(f"wrote {save_figure(fig, output)}", quiet)
    return 0


@plot_group.command("scaling")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .png, .svg or .pdf.")
@click.option("--no-labels", is_flag=True, help="Do not label points with model names.")
@verbosity_options
@store_option
def plot_scaling_command(output: Path, no_labels: bool, quiet: bool, verbose: bool, store: Path | None) -> int:
    """Plot parameters against training tokens (log–log) with the 20-tokens-per-parameter line."""
    from benchtables.frames import load
    from benchtables.rendering.plots import plot_scaling, save_figure

    names = load("models", store).set_index("id")["name"].dropna().to_dict()
    fig = plot_scaling(load("training", store), label_points=not no_labels, names=names)
    say(f"wrote {save_figure(fig, output)}", quiet)
    return 0


def _group_context() -> click.Context:
    """A context of the ``benchtables`` group, so that commands run from a render block see its
    settings (``-h``/``--help``), as they do from the command line."""
    return click.Context(cli, info_name="benchtables", terminal_width=100, **cli.context_settings)


def help_text(words: list[str]) -> str:
    """``benchtables WORDS --help`` as a fenced block: the README's command reference, which
    ``render --check`` keeps from drifting from the commands."""
    ctx = _group_context()
    command: click.Command = cli
    for word in words:
        found = command.commands.get(word) if isinstance(command, click.Group) else None
        if found is None:
            raise RenderError(f"no command {' '.join([*ctx.command_path.split()[1:], word])!r}")
        command = found
        ctx = click.Context(command, info_name=word, parent=ctx)
    return "```text\n" + command.get_help(ctx).rstrip() + "\n```\n"


def codes_table() -> str:
    """The catalogue of problem codes as a Markdown table (a warning's description says so)."""
    from benchtables.problems import CODES
    from benchtables.rendering.cells import escape_markdown

    lines = ["| code | severity | what it means |", "|---|---|---|"]
    for code, meaning in CODES.items():
        severity, text = ("warning", meaning.removeprefix("warning: ")) if meaning.startswith("warning: ") \
            else ("error", meaning)
        lines.append(f"| `{code}` | {severity} | {escape_markdown(text)} |")
    return "\n".join(lines) + "\n"


def produce_block(args: list[str]) -> str:
    """The text of a render block: ``args`` are a table command and its options (Markdown unless
    given), ``help COMMAND`` for a command's help, or ``codes`` for the catalogue of problem codes."""
    name, rest = args[0], args[1:]
    if name == "help":
        return help_text(rest)
    if name == "codes" and not rest:
        return codes_table()
    command = cli.commands.get(name)
    if name not in PRODUCERS or command is None:
        raise RenderError(f"{name!r} is not a table command; render blocks run: {', '.join(sorted(PRODUCERS))}")
    try:
        ctx = command.make_context(name, rest, parent=_group_context())
    except click.ClickException as exc:
        raise RenderError(exc.format_message()) from None
    params = dict(ctx.params)
    if params.get("output") is not None:
        raise RenderError("a render block writes into its file: leave out -o")
    params["fmt"] = params.get("fmt") or "markdown"
    return PRODUCERS[name](**params)


@cli.command("render")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a block is out of date.")
@verbosity_options
def render_command(files: tuple[Path, ...], check: bool, quiet: bool, verbose: bool) -> int:
    """Regenerate the tables between <!-- benchtables:begin ARGS --> and <!-- benchtables:end --> in Markdown files."""
    from benchtables.problems import safe_text
    from benchtables.rendering.blocks import update_file

    failed = False
    for path in files:
        result = update_file(path, produce_block, check=check)
        for problem in result.problems:
            click.echo(problem.format(), err=True)
        for line in result.stale:
            click.echo(safe_text(f"{path}:{line}: block is out of date: run `benchtables render {path}`"), err=True)
        if result.written and not quiet:
            say(f"updated {path} ({len(result.updated)} block{'s' if len(result.updated) != 1 else ''})", quiet)
        failed = failed or not result.ok
    return 1 if failed else 0
