"""Commands that capture and store numbers: validate, build, show."""

from __future__ import annotations

import json
from pathlib import Path

import click

from benchtables.cli import cli
from benchtables.cli.options import FORMATS, format_option, store_option
from benchtables.errors import UsageError, ValidationFailed
from benchtables.problems import Problem, Report
from benchtables.schemas import RECORD_KINDS, TABLES


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(p: Problem) -> str:
    """A GitHub Actions workflow command that shows ``p`` on the line it is about."""
    props = []
    if p.file:
        props.append(f"file={_escape_property(p.file)}")
    if p.line:
        props.append(f"line={p.line}")
    if p.column:
        props.append(f"col={p.column}")
    title = f"{p.code}" + (f" {p.field}" if p.field else "") + (f" (row {p.row})" if p.row else "")
    props.append(f"title={_escape_property(title)}")
    message = p.message + (f" ({p.hint})" if p.hint else "")
    return f"::{p.severity.value} {','.join(props)}::{_escape_data(message)}"


def print_report(report: Report, fmt: str) -> None:
    """Write a report in the chosen format: text and github to stdout (summary to stderr), json to stdout."""
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    for problem in report:
        click.echo(github_annotation(problem) if fmt == "github" else problem.format())
    click.echo(report.summary(), err=True)


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@store_option
@format_option("text", "github", "json", default="text")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--kind", type=click.Choice(list(RECORD_KINDS)), default=None,
              help="Record kind of the bulk files (default: from their metadata or names, e.g. scores-….parquet).")
@click.option("--max-problems", type=click.IntRange(min=1), default=50, show_default=True,
              help="Problems shown per bulk file; the summary counts them all.")
def validate_command(paths: tuple[Path, ...], store: Path | None, fmt: str, strict: bool, kind: str | None,
                     max_problems: int) -> int:
    """Check entry files and bulk files (default: all of data/entries/) on their own and against the store.

    PATHS are YAML entry files, bulk files of records (Parquet, CSV, Arrow/Feather) or
    directories. Exit code 0 when there are no errors, 1 when there are (or warnings with --strict).
    """
    from benchtables.validation import validate

    report = validate(list(paths) or None, store=store, kind=kind, limit=max_problems)
    print_report(report, fmt)
    return 0 if report.ok and not (strict and report.warnings) else 1


@cli.command("build")
@click.option("--check", is_flag=True, help="Only check that the store on disk is what the entries give; exit 1 if not.")
@click.option("--entries", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Entry directory (default: the project's data/entries).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Store directory to write (default: the project's data/store).")
@click.option("--partition-by", default=None, metavar="COLUMN",
              help="Write record tables as Hive-style partitions by this column (e.g. benchmark), "
                   "for DuckDB, Polars and Spark to prune by directory; 'none' for one file per table. "
                   "Default: as the store on disk is.")
def build_command(check: bool, entries: Path | None, store: Path | None, partition_by: str | None) -> int:
    """Compile all entry files (YAML, and bulk Parquet/CSV/Arrow files of records) into the Parquet store, atomically."""
    from benchtables.builder import build

    try:
        result = build(entries=entries, store=store, check=check, partition_by=partition_by)
    except ValidationFailed as exc:
        print_report(exc.report, "text")
        click.echo(f"benchtables: {exc}; the store was not changed", err=True)
        return 1
    for warning in result.report.warnings:
        click.echo(warning.format(), err=True)
    sizes = ", ".join(f"{name} {t.num_rows}" for name, t in result.tables.items())
    if check:
        if result.stale:
            click.echo(f"store {result.store} is out of date ({', '.join(result.stale)} differ): run `benchtables build`",
                       err=True)
            return 1
        click.echo(f"store {result.store} is up to date ({sizes})")
        return 0
    click.echo(f"{'built' if result.written else 'unchanged:'} {result.store} ({sizes})")
    return 0


@cli.command("show")
@click.argument("kind", type=click.Choice(TABLES))
@store_option
@format_option(*FORMATS, default="text")
@click.option("--columns", default=None,
              help="Comma-separated columns to show, or 'all' (default: the main ones).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many rows.")
@click.option("--derived", is_flag=True,
              help="Add derived columns (training: tokens per parameter, 6·N·D compute, Chinchilla ratio).")
def show_command(kind: str, store: Path | None, fmt: str, columns: str | None, limit: int | None, derived: bool) -> int:
    """Print one table of the store (scores, training, utilization, sampling, models, …)."""
    from benchtables.frames import SUMMARY_COLUMNS, load
    from benchtables.rendering import render

    df = load(kind, store, derived=derived and kind in RECORD_KINDS)
    added = list(df.attrs.get("derived", []))
    if columns != "all":
        wanted = [c.strip() for c in columns.split(",")] if columns else [*SUMMARY_COLUMNS.get(kind, df.columns), *added]
        unknown = [c for c in wanted if c not in df.columns]
        if unknown:
            raise UsageError(f"no column {unknown[0]!r} in {kind}; columns: {', '.join(df.columns)}"
                             + ("" if derived else " (derived columns need --derived)"))
        attrs = df.attrs
        df = df[wanted]
        df.attrs = attrs
    if limit is not None:
        df = df.head(limit)
    click.echo(render(df, fmt), nl=False)
    return 0
