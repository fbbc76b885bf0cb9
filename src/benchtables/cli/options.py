"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

store_option = click.option(
    "--store", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Store directory to read (default: $BENCHTABLES_STORE, the project's data/store, or the shipped copy).",
)


def format_option(*choices: str, default: str) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")
