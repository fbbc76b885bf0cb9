"""Options shared by several commands, declared once so that a flag means one thing everywhere."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

#: Output formats of table commands (benchtables.rendering.FORMATS; kept here so --help needs no pandas).
FORMATS = ("text", "markdown", "latex", "html", "csv", "json")
#: An output file's suffix → the format written into it.
SUFFIX_FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".html": "html",
                  ".htm": "html", ".csv": "csv", ".json": "json"}

F = TypeVar("F", bound=Callable[..., Any])

#: Commands whose output is a table, by name: ``produce(**params) -> str``. Render blocks run these.
PRODUCERS: dict[str, Callable[..., str]] = {}

store_option = click.option(
    "--store", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Store directory to read (default: $BENCHTABLES_STORE, the project's data/store, or the shipped copy).",
)


def format_option(*choices: str, default: str | None) -> Callable[[F], F]:
    helptext = "Output format." if default else \
        "Output format (default: text on a terminal, markdown when the output is piped or redirected)."
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=default is not None, help=helptext)


def chosen_format(fmt: str | None, output: Path | None = None) -> str:
    """The format to write: asked for; else the output file's suffix; else text on a terminal,
    Markdown when piped or redirected."""
    if fmt:
        return fmt
    if output is not None and output.suffix.lower() in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[output.suffix.lower()]
    return "text" if sys.stdout.isatty() else "markdown"


def output_options(func: F) -> F:
    """--format, --cite, --bib, --footnotes, --precision, --top, --allow-empty and -o for every command that
    prints a table."""
    func = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Write to this file (its suffix picks the format: .md .tex .html .csv .json .txt).")(func)
    func = click.option("--allow-empty", is_flag=True,
                        help="Print an empty table (exit 0) instead of failing when nothing matches.")(func)
    func = click.option("--top", type=click.IntRange(min=1), default=None,
                        help="Show the first N rows (for rankings: ranks up to N, ties kept).")(func)
    func = click.option("--precision", type=click.IntRange(0, 10), default=None,
                        help="Decimals for numbers, fixed (default: as many as the data need, at most 4); "
                             "CSV and JSON are rounded to it too.")(func)
    func = click.option("--footnotes", is_flag=True, help="Number the sources and list them under the table.")(func)
    func = click.option("--bib", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Also write the sources the table cites as BibTeX to this .bib file.")(func)
    func = click.option("--cite", is_flag=True, help="LaTeX: cite each row's source with \\cite{key} "
                        "(keys as --bib and `benchtables export bibtex` write them).")(func)
    return format_option(*FORMATS, default=None)(func)


def present(view: Any, fmt: str | None, output: Path | None, footnotes: bool, precision: int | None, cite: bool,
            bib: Path | None) -> str:
    """A table command's view as text in the chosen format; with ``bib``, its sources' .bib written too."""
    from benchtables.rendering import render

    if bib is not None:
        from benchtables.export import export_bibtex
        from benchtables.files import write_text_atomically

        write_text_atomically(bib, export_bibtex(view))
        click.echo(f"wrote {bib}", err=True)
    return render(view, chosen_format(fmt, output), footnotes=footnotes, precision=precision, cite=cite)


def model_filter_options(func: F) -> F:
    """Which models a table shows."""
    for decorator in reversed([
        click.option("--min-params", default=None, metavar="N", help="Only models with at least N parameters (7B, 70e9)."),
        click.option("--max-params", default=None, metavar="N", help="Only models with at most N parameters."),
        click.option("--organization", default=None, help="Only models of this organisation."),
        click.option("--open-weights/--closed-weights", "open_weights", default=None,
                     help="Only models whose weights are (or are not) public."),
        click.option("--released-after", default=None, metavar="DATE", help="Only models released on or after DATE."),
        click.option("--released-before", default=None, metavar="DATE", help="Only models released before DATE."),
        click.option("--model-kind", "model_kind", default=None, help="Only models of this kind (llm, diffusion, …)."),
    ]):
        func = decorator(func)
    return func


def model_filter(min_params: str | None, max_params: str | None, organization: str | None, open_weights: bool | None,
                 released_after: str | None, released_before: str | None, model_kind: str | None) -> Any:
    """The ModelFilter the options describe."""
    from benchtables.errors import QuantityError, UsageError
    from benchtables.tables.select import ModelFilter
    from benchtables.units import Kind, parse_quantity

    def count(text: str | None, flag: str) -> float | None:
        if text is None:
            return None
        try:
            return parse_quantity(text, Kind.COUNT).value
        except QuantityError as exc:
            raise UsageError(f"{flag}: {exc}") from None

    return ModelFilter(count(min_params, "--min-params"), count(max_params, "--max-params"), organization,
                       open_weights, released_after, released_before, model_kind)


def verbosity_options(func: F) -> F:
    """--quiet and --verbose."""
    func = click.option("-v", "--verbose", is_flag=True, help="Say more: every warning, every step.")(func)
    return click.option("-q", "--quiet", is_flag=True, help="Print only errors (and what was asked for).")(func)


def say(message: str, quiet: bool = False) -> None:
    """A status line (``wrote …``, ``built …``, ``next: …``) on stderr, where it never mixes with a
    command's output; ``--quiet`` silences it."""
    if not quiet:
        from benchtables.problems import safe_text

        click.echo(safe_text(message), err=True)


def csv_list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def emit(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` atomically."""
    if output is None:
        click.echo(text, nl=False)
        return
    from benchtables.files import write_text_atomically

    write_text_atomically(output, text)
    say(f"wrote {output}")


def table_command(name: str) -> Callable[[Callable[..., str]], click.Command]:
    """Make ``produce(**params) -> str`` a command that prints its table, and a render-block producer."""

    def decorate(produce: Callable[..., str]) -> click.Command:
        from benchtables.cli import cli

        PRODUCERS[name] = produce

        @functools.wraps(produce)
        def callback(**params: Any) -> int:
            output = params.get("output")
            emit(produce(**params), output)
            return 0

        return cli.command(name)(callback)

    return decorate
