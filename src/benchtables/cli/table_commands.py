"""Commands that turn the store into tables and pictures: leaderboard, compare, pareto, plot, render."""

from __future__ import annotations

from pathlib import Path

import click

from benchtables.cli import cli
from benchtables.cli.options import PRODUCERS, csv_list, output_options, store_option, table_command
from benchtables.errors import RenderError, UsageError

PREFER = ("original", "best", "latest")  # benchtables.tables.select.PREFER, without importing pyarrow

PARETO_COLUMNS = ("model", "sampler", "steps", "guidance", "distilled", "source", "where")


@table_command("leaderboard")
@click.argument("benchmark", required=False)
@click.option("--suite", default=None, help="Rank by a suite's mean instead, e.g. open-llm-v1.")
@click.option("--metric", default=None, help="Metric (default: the benchmark's primary metric).")
@click.option("--n-shot", type=click.IntRange(min=0), default=None, help="Number of in-context examples.")
@click.option("--setting", default=None, help="Setting qualifiers, e.g. cot.")
@click.option("--split", default=None, help="Dataset split.")
@click.option("--subset", default=None, help="Subset, e.g. humanities.")
@click.option("--prefer", type=click.Choice(PREFER), default="original", show_default=True,
              help="Which report to show when several sources report a model.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Keep ranks up to N (ties kept).")
@click.option("--mix-settings", is_flag=True, help="Rank across settings; each row shows its own.")
@click.option("--baselines", is_flag=True, help="Include reference rows (random chance, human raters).")
@click.option("--partial", is_flag=True, help="Suites: also rank models that lack some members.")
@click.option("--tolerance", type=float, default=None, help="Spread between sources to flag (default 0.5 points).")
@click.option("--columns", default=None, help="Extra columns, comma-separated (where, released, estimated, …).")
@click.option("--allow-empty", is_flag=True, help="Print an empty table (exit 0) when nothing matches.")
@output_options()
@store_option
def leaderboard_text(benchmark: str | None, suite: str | None, metric: str | None, n_shot: int | None,
                     setting: str | None, split: str | None, subset: str | None, prefer: str, top: int | None,
                     mix_settings: bool, baselines: bool, partial: bool, tolerance: float | None, columns: str | None,
                     allow_empty: bool, fmt: str, footnotes: bool, precision: int | None, store: Path | None) -> str:
    """Rank models on a benchmark: comparable numbers only, one row per model.

    When no setting is given, the one with the most models is ranked and the others are listed.
    """
    from benchtables.rendering import render
    from benchtables.tables.leaderboard import leaderboard

    if benchmark is None and suite is None:
        raise UsageError("name a BENCHMARK or pass --suite")
    df = leaderboard(benchmark, metric, n_shot, setting, split, subset, prefer, top, suite=suite,
                     mix_settings=mix_settings, include_baselines=baselines, tolerance=tolerance,
                     columns=csv_list(columns) or (), require_all=not partial, allow_empty=allow_empty, store=store)
    return render(df, fmt, footnotes=footnotes, precision=precision)


@table_command("compare")
@click.option("--models", default=None, help="Models (ids or names), comma-separated, in row order (default: all).")
@click.option("--benchmarks", default=None,
              help="Columns, comma-separated: BENCHMARK[/METRIC][@N_SHOT], e.g. mmlu@5,hellaswag/acc_norm@10.")
@click.option("--suite", default=None, help="Use a suite's members as the columns.")
@click.option("--prefer", type=click.Choice(PREFER), default="original", show_default=True)
@click.option("--baselines", is_flag=True, help="Include reference rows (random chance, human raters).")
@output_options()
@store_option
def compare_text(models: str | None, benchmarks: str | None, suite: str | None, prefer: str, baselines: bool,
                 fmt: str, footnotes: bool, precision: int | None, store: Path | None) -> str:
    """Compare models across benchmarks: one column per benchmark, best per column in bold."""
    from benchtables.rendering import render
    from benchtables.tables.compare import compare
    from benchtables.tables.select import ScoreView

    columns: list = csv_list(benchmarks) or []
    if suite:
        spec = ScoreView.open(store).registry.suite(suite)
        columns += [m.model_dump(exclude_none=True) for m in spec.members]
    if not columns:
        raise UsageError("pass --benchmarks or --suite")
    df = compare(csv_list(models), columns, prefer=prefer, include_baselines=baselines, store=store)
    return render(df, fmt, footnotes=footnotes, precision=precision)


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
@output_options()
@store_option
def pareto_text(kind: str, x: str, y: str, by: str | None, minimize_x: bool | None, minimize_y: bool | None,
                columns: str | None, mix_settings: bool, fmt: str, footnotes: bool, precision: int | None,
                store: Path | None) -> str:
    """Print the Pareto front: the rows no other row beats on both x and y."""
    from benchtables.frames import load
    from benchtables.rendering import render
    from benchtables.tables.pareto import COMPARABLE, pareto

    df = load(kind, store, derived=True)
    front = pareto(df, x, y, minimize=_directions(minimize_x, minimize_y, x, y) or None, by=by, mix_settings=mix_settings)
    shown = (*([by] if by else []), *PARETO_COLUMNS[:1], x, y, *PARETO_COLUMNS[1:],
             *(COMPARABLE.get(kind, ()) if mix_settings else ()))
    wanted = csv_list(columns) or [c for c in dict.fromkeys(shown) if c in front.columns]
    missing = [c for c in wanted if c not in front.columns]
    if missing:
        raise UsageError(f"no column {missing[0]!r} in {kind}")
    attrs = front.attrs
    front = front[list(dict.fromkeys([*wanted, "qualifiers"]))]
    front.attrs = attrs
    return render(front, fmt, footnotes=footnotes, precision=precision)


@cli.group("plot")
def plot_group() -> None:
    """Draw plots to PNG or SVG (needs the optional extra: pip install 'benchtables[plot]')."""


@plot_group.command("pareto")
@click.argument("kind", default="sampling", type=click.Choice(["scores", "training", "utilization", "sampling"]))
@click.option("--x", "x", default="sampling_cost", show_default=True)
@click.option("--y", "y", default="fid", show_default=True)
@click.option("--series", default="model", show_default=True, help="One line per value of this column.")
@click.option("--minimize-x/--maximize-x", default=None)
@click.option("--minimize-y/--maximize-y", default=None)
@click.option("--linear-x", is_flag=True, help="Linear x axis (default: log when every x is positive).")
@click.option("--mix-settings", is_flag=True, help="Draw rows of every dataset and resolution, not only the largest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .png or .svg.")
@store_option
def plot_pareto_command(kind: str, x: str, y: str, series: str, minimize_x: bool | None, minimize_y: bool | None,
                        linear_x: bool, mix_settings: bool, output: Path, store: Path | None) -> int:
    """Plot y against x, one series per model, with the Pareto front highlighted."""
    from benchtables.frames import load
    from benchtables.rendering.plots import plot_pareto, save_figure

    df = load(kind, store, derived=True)
    models = load("models", store).set_index("id")["parameters"]
    df["parameters"] = df["model"].map(models)
    fig = plot_pareto(df, x, y, series=series, minimize=_directions(minimize_x, minimize_y, x, y) or None,
                      log_x=not linear_x, mix_settings=mix_settings)
    click.echo(f"wrote {save_figure(fig, output)}")
    return 0


@plot_group.command("scaling")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .png or .svg.")
@click.option("--no-labels", is_flag=True, help="Do not label points with model names.")
@store_option
def plot_scaling_command(output: Path, no_labels: bool, store: Path | None) -> int:
    """Plot parameters against training tokens (log–log) with the 20-tokens-per-parameter line."""
    from benchtables.frames import load
    from benchtables.rendering.plots import plot_scaling, save_figure

    fig = plot_scaling(load("training", store), label_points=not no_labels)
    click.echo(f"wrote {save_figure(fig, output)}")
    return 0


def produce_block(args: list[str]) -> str:
    """The text of a render block: ``args`` are a table command and its options."""
    name, rest = args[0], args[1:]
    command = cli.commands.get(name)
    if name not in PRODUCERS or command is None:
        raise RenderError(f"{name!r} is not a table command; render blocks run: {', '.join(sorted(PRODUCERS))}")
    try:
        ctx = command.make_context(name, rest)
    except click.ClickException as exc:
        raise RenderError(exc.format_message()) from None
    return PRODUCERS[name](**ctx.params)


@cli.command("render")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a block is out of date.")
def render_command(files: tuple[Path, ...], check: bool) -> int:
    """Regenerate the tables between <!-- benchtables:begin ARGS --> and <!-- benchtables:end --> in Markdown files."""
    from benchtables.rendering.blocks import update_file

    failed = False
    for path in files:
        result = update_file(path, produce_block, check=check)
        for problem in result.problems:
            click.echo(problem.format(), err=True)
        for line in result.stale:
            click.echo(f"{path}:{line}: block is out of date: run `benchtables render {path}`", err=True)
        if result.written:
            click.echo(f"updated {path} ({len(result.updated)} block{'s' if len(result.updated) != 1 else ''})")
        failed = failed or not result.ok
    return 1 if failed else 0
