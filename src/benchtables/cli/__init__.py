"""The ``benchtables`` command: a thin layer over the library.

Every command calls a library function and only turns its result into output and an exit
code: 0 success; 1 a problem with the data (validation errors, a stale store, nothing to
show); 2 a problem with the command or its environment (a usage error, a missing store or
file, a read-only or full disk). Errors become one line on stderr, never a traceback — even a
bug in benchtables is one line (exit 2) unless ``BENCHTABLES_DEBUG`` is set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from benchtables.errors import BenchtablesError
from benchtables.problems import safe_text

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
        click.echo(safe_text(f"benchtables: error: {exc.for_cli()}"), err=True)
        return exc.exit_code
    except BrokenPipeError:  # `benchtables show scores | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        click.echo("benchtables: interrupted", err=True)
        return 130
    except OSError as exc:  # the environment: a read-only place, a full disk, a missing file
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        click.echo(safe_text(f"benchtables: error: {exc.strerror or exc}{where}"), err=True)
        return 2
    except MemoryError:
        click.echo("benchtables: error: out of memory", err=True)
        return 2
    except Exception as exc:  # a bug: one line, not a traceback (BENCHTABLES_DEBUG=1 shows it)
        if os.environ.get("BENCHTABLES_DEBUG"):
            raise
        click.echo(safe_text(f"benchtables: internal error: {type(exc).__name__}: {exc} — this is a bug in "
                             "benchtables; please report it with the command (BENCHTABLES_DEBUG=1 shows where)"),
                   err=True)
        return 2
    return int(result or 0)


# Commands register themselves on `cli` when their modules are imported.
from benchtables.cli import interop_commands as _interop_commands  # noqa: E402, F401
from benchtables.cli import repo_commands as _repo_commands  # noqa: E402, F401
from benchtables.cli import store_commands as _store_commands  # noqa: E402, F401
from benchtables.cli import table_commands as _table_commands  # noqa: E402, F401
