"""Commands that capture and store numbers: validate, build, show."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

from benchtables.cli import cli
from benchtables.cli.options import (
    format_option,
    output_options,
    present,
    say,
    store_option,
    table_command,
    verbosity_options,
)
from benchtables.errors import UsageError, ValidationFailed
from benchtables.problems import Problem, Report

RECORD_KINDS = ("scores", "training", "utilization", "sampling")
TABLES = (*RECORD_KINDS, "models", "sources", "benchmarks", "metrics")  # benchtables.kinds.TABLES, without pyarrow


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


def print_report(report: Report, fmt: str, *, quiet: bool = False) -> None:
    """Write a report: text and github to stdout (summary to stderr), json to stdout. With
    ``quiet``, warnings are left out of text and github output, and the summary is said only
    when there are errors."""
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    for problem in report:
        if quiet and not problem.is_error:
            continue
        click.echo(github_annotation(problem) if fmt == "github" else problem.format())
    if not quiet or report.errors or report.omitted:
        click.echo(report.summary(), err=True)


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@store_option
@format_option("text", "github", "json", default="text")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--kind", type=click.Choice(RECORD_KINDS), default=None,
              help="Record kind of the bulk files (default: from their metadata or names, e.g. scores-….parquet).")
@click.option("--max-problems", type=click.IntRange(min=1), default=50, show_default=True,
              help="Problems listed per file; the summary counts them all.")
@verbosity_options
def validate_command(paths: tuple[Path, ...], store: Path | None, fmt: str, strict: bool, kind: str | None,
                     max_problems: int, quiet: bool, verbose: bool) -> int:
    """Check entry files and bulk files (default: all of data/entries/) on their own and against the store.

    PATHS are YAML entry files, bulk files of records (Parquet, CSV, Arrow/Feather) or
    directories. Exit code 0 when there are no errors, 1 when there are (or warnings with --strict).
    """
    from benchtables.validation import validate

    report = validate(list(paths) or None, store=store, kind=kind, limit=max_problems)
    print_report(report, fmt, quiet=quiet)
    return 0 if report.ok and not (strict and (report.warnings or report.omitted_warnings)) else 1


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
@verbosity_options
def build_command(check: bool, entries: Path | None, store: Path | None, partition_by: str | None, quiet: bool,
                  verbose: bool) -> int:
    """Compile all entry files (YAML, and bulk Parquet/CSV/Arrow files of records) into the Parquet store, atomically."""
    from benchtables.builder import build

    try:
        result = build(entries=entries, store=store, check=check, partition_by=partition_by)
    except ValidationFailed as exc:
        print_report(exc.report, "text", quiet=not verbose)
        click.echo(f"benchtables: {exc}; the store was not changed", err=True)
        return 1
    warnings = len(result.report.warnings) + result.report.omitted_warnings
    if verbose:
        for warning in result.report.warnings:
            click.echo(warning.format(), err=True)
    elif warnings and not quiet:
        click.echo(f"{warnings} warning{'s' if warnings != 1 else ''}: `benchtables validate` lists them", err=True)
    sizes = ", ".join(f"{name} {t.num_rows}" for name, t in result.tables.items())
    if check:
        if result.stale:
            say(f"store {result.store} is out of date ({', '.join(result.stale)} differ): run `benchtables build`")
            return 1
        say(f"store {result.store} is up to date ({sizes})", quiet)
        return 0
    say(f"{'built' if result.written else 'unchanged:'} {result.store} ({sizes})", quiet)
    return 0


_CONDITION = re.compile(r"^\s*(?P<column>[A-Za-z_][\w]*)\s*(?P<op>>=|<=|!=|=|>|<)\s*(?P<value>.*)$")


def _where(df: Any, conditions: tuple[str, ...]) -> Any:
    """Rows matching every ``COLUMN OP VALUE`` (``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``)."""
    import pandas as pd

    mask = pd.Series(True, index=df.index)
    for condition in conditions:
        m = _CONDITION.match(condition)
        if not m:
            raise UsageError(f"--where takes COLUMN=VALUE (or != < <= > >=), not {condition!r}")
        column, op, text = m["column"], m["op"], m["value"].strip()
        if column not in df.columns:
            raise UsageError(f"--where: no column {column!r}; columns: {', '.join(df.columns)}")
        series = df[column]
        value: Any = text
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            from benchtables.errors import QuantityError
            from benchtables.units import parse_quantity

            try:
                value = parse_quantity(text).value if text else None
            except QuantityError:
                raise UsageError(f"--where {column}: {text!r} is not a number") from None
        elif pd.api.types.is_bool_dtype(series):
            value = text.lower() in ("true", "yes", "1")
        if value is None or text.lower() in ("", "null", "none"):
            part = series.isna() if op == "=" else series.notna()
        else:
            part = {"=": series == value, "!=": series != value, "<": series < value, "<=": series <= value,
                    ">": series > value, ">=": series >= value}[op]
        mask &= part.fillna(False).astype(bool)
    return df[mask.to_numpy()]


@table_command("show")
@click.argument("kind", type=click.Choice(TABLES))
@click.option("--columns", default=None, help="Comma-separated columns to show, or 'all' (default: the main ones).")
@click.option("--where", "conditions", multiple=True, metavar="COLUMN=VALUE",
              help="Only rows where COLUMN=VALUE (or != < <= > >=); repeatable.")
@click.option("--sort", default=None, metavar="COLUMNS",
              help="Sort by these columns, comma-separated; -column for descending.")
@click.option("--derived", is_flag=True,
              help="Add derived columns (training: tokens per parameter, 6·N·D compute, Chinchilla ratio).")
@output_options
@store_option
def show_text(kind: str, columns: str | None, conditions: tuple[str, ...], sort: str | None, derived: bool,
              fmt: str | None, cite: bool, footnotes: bool, precision: int | None, top: int | None, allow_empty: bool,
              output: Path | None, bib: Path | None, store: Path | None) -> str:
    """Print one table of the store (scores, training, utilization, sampling, models, …)."""
    from benchtables.errors import EmptyResultError
    from benchtables.frames import COLUMN_LABELS, SUMMARY_COLUMNS, load
    from benchtables.tables.select import ScoreView
    from benchtables.tables.view import TableView

    df = load(kind, store, derived=derived and kind in RECORD_KINDS)
    added = list(df.attrs.get("derived", []))
    units = dict(df.attrs.get("units", {}))
    df = _where(df, conditions)
    if sort:
        keys = [k.strip() for k in sort.split(",") if k.strip()]
        names = [k.lstrip("-") for k in keys]
        missing = [n for n in names if n not in df.columns]
        if missing:
            raise UsageError(f"--sort: no column {missing[0]!r}; columns: {', '.join(df.columns)}")
        df = df.sort_values(names, ascending=[not k.startswith("-") for k in keys], kind="stable")
    if columns != "all":
        wanted = [c.strip() for c in columns.split(",")] if columns else \
            [*SUMMARY_COLUMNS.get(kind, tuple(df.columns)), *added]
        unknown = [c for c in wanted if c not in df.columns]
        if unknown:
            raise UsageError(f"no column {unknown[0]!r} in {kind}; columns: {', '.join(df.columns)}"
                             + ("" if derived else " (derived columns need --derived)"))
        shown = list(dict.fromkeys([*wanted, *(["qualifiers"] if "qualifiers" in df.columns else []),
                                    *(["first_party"] if "first_party" in df.columns else [])]))
    else:
        shown = list(df.columns)
    df = df[shown].reset_index(drop=True)
    if top is not None:
        df = df.head(top)
    if df.empty and not allow_empty:
        raise EmptyResultError(f"no {kind} rows" + (" match" if conditions else ""))
    sources = ScoreView.open(store).source_info(list(df["source"].dropna())) if "source" in df.columns else {}
    view = TableView(df, labels={c: COLUMN_LABELS[c] for c in df.columns if c in COLUMN_LABELS}, units=units,
                     qualifiers=[list(q) if isinstance(q, list | tuple) else [] for q in df["qualifiers"]]
                     if "qualifiers" in df.columns else None,
                     sources=sources, source_column="source" if sources else None,
                     first_party=[bool(v) for v in df["first_party"]] if "first_party" in df.columns else None,
                     hidden={c for c in ("qualifiers", "first_party") if c not in (columns or "").split(",")})
    return present(view, fmt, output, footnotes, precision, cite, bib)
