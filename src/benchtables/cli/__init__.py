"""The ``benchtables`` command: a thin layer over the library.

Every command calls a library function and only turns its result into output and an exit
code: 0 success, 1 a validation or check failure (or an empty result), 2 a usage error.
Errors become one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from benchtables.errors import BenchtablesError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="benchtables", prog_name="benchtables")
def cli() -> None:
    """Keep the numbers ML papers report honest and usable.

    Entry files (YAML, one per source) are validated and compiled into Parquet tables;
    leaderboards and comparison tables are rendered from them.
    """


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line and exit with its code."""
    sys.exit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (for tests and embedding)."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="benchtables",
                          standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except BenchtablesError as exc:
        click.echo(f"benchtables: error: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:  # `benchtables show scores | head`
        sys.stderr.close()
        return 0
    return int(result or 0)


# Commands register themselves on `cli` when their modules are imported.
from benchtables.cli import store_commands as _store_commands  # noqa: E402, F401
from benchtables.cli import interop_commands as _interop_commands  # noqa: E402, F401
from benchtables.cli import repo_commands as _repo_commands  # noqa: E402, F401
from benchtables.cli import table_commands as _table_commands  # noqa: E402, F401
