"""Options and the table-command pattern shared by several commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

#: Output formats of table commands (benchtables.rendering.FORMATS; kept here so --help needs no pandas).
FORMATS = ("markdown", "latex", "html", "csv", "json", "text")

F = TypeVar("F", bound=Callable[..., Any])

#: Commands whose output is a table, by name: ``produce(**params) -> str``. Render blocks run these.
PRODUCERS: dict[str, Callable[..., str]] = {}

store_option = click.option(
    "--store", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Store directory to read (default: $BENCHTABLES_STORE, the project's data/store, or the shipped copy).",
)


def format_option(*choices: str, default: str) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def output_options(default: str = "markdown") -> Callable[[F], F]:
    """--format, --footnotes and --precision, for every command that prints a table."""

    def decorate(func: F) -> F:
        func = click.option("--precision", type=click.IntRange(0, 10), default=None,
                            help="Decimals for numbers (default: as many as the data need, at most 4).")(func)
        func = click.option("--footnotes", is_flag=True, help="Number the sources and list them under the table.")(func)
        return format_option(*FORMATS, default=default)(func)

    return decorate


def csv_list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def table_command(name: str) -> Callable[[Callable[..., str]], click.Command]:
    """Make ``produce(**params) -> str`` a command that prints its table, and a render-block producer."""

    def decorate(produce: Callable[..., str]) -> click.Command:
        from benchtables.cli import cli

        PRODUCERS[name] = produce

        @functools.wraps(produce)
        def callback(**params: Any) -> int:
            click.echo(produce(**params), nl=False)
            return 0

        return cli.command(name)(callback)

    return decorate
