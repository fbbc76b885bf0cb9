"""The one exception tree of benchtables.

Data problems found while validating entries are *values* (:class:`~benchtables.Problem`
in a :class:`~benchtables.Report`); the exceptions below are for situations where the
library cannot go on. Every message is written for the person who has to act on it.

::

    BenchtablesError                   base of everything benchtables raises on purpose
    ├── UsageError                     the caller asked for something that cannot be done (CLI exit 2)
    │   ├── UnknownIdError             a benchmark, metric, model, suite… that does not exist (did-you-mean)
    │   └── MissingDependencyError     an optional extra is not installed (install hint)
    ├── QuantityError (ValueError)     a quantity such as "12 bananas" that cannot be read
    ├── ValidationFailed               entry files have errors; carries the Report
    ├── StoreError                     a store cannot be read or written
    │   ├── StoreNotFoundError         no store where one was expected (CLI exit 2)
    │   ├── StoreCorruptError          a table is damaged, changed or of the wrong shape
    │   ├── StoreVersionError          written by another version of benchtables
    │   └── StoreWriteError            the file system refuses the write (also a WriteError)
    ├── EmptyResultError               a query matched no rows
    ├── WriteError                     a file cannot be written (CLI exit 2)
    ├── RenderError                    a render block in a Markdown file could not be produced
    └── FormatError                    an imported file is not in the format it claims to be
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchtables.problems import Report

__all__ = [
    "BenchtablesError",
    "EmptyResultError",
    "FormatError",
    "MissingDependencyError",
    "QuantityError",
    "RenderError",
    "StoreCorruptError",
    "StoreError",
    "StoreNotFoundError",
    "StoreVersionError",
    "StoreWriteError",
    "UnknownIdError",
    "UsageError",
    "ValidationFailed",
    "WriteError",
]


class BenchtablesError(Exception):
    """Base class of every error benchtables raises on purpose.

    A message may suggest an option, written ``{name}`` and given in ``options`` as
    ``{name: (python_form, cli_form)}``: ``str(error)`` names the Python argument
    (``require_all=False``), :meth:`for_cli` the command-line flag (``--partial``).
    """

    #: Exit code the command-line interface uses for this error.
    exit_code: int = 1

    def __init__(self, message: str = "", *, options: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.template = message
        self.options = dict(options or {})
        super().__init__(self._fill(0))

    def _fill(self, form: int) -> str:
        text = self.template
        for name, forms in self.options.items():
            text = text.replace("{" + name + "}", forms[form])
        return text

    def for_cli(self) -> str:
        """The message with command-line flags where it suggests options."""
        return self._fill(1) if self.options else str(self)


class UsageError(BenchtablesError):
    """The caller asked for something that cannot be done as asked."""

    exit_code = 2


class UnknownIdError(UsageError):
    """An id or name that is not known, with the closest known ones as suggestions."""

    def __init__(self, what: str, name: str, suggestions: Sequence[str] = (), known: Sequence[str] = ()):
        self.what = what
        self.name = name
        self.suggestions = list(suggestions)
        message = f"unknown {what} {name!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        elif known:
            shown = ", ".join(sorted(known)[:12])
            more = "" if len(known) <= 12 else f", … ({len(known)} in all)"
            message += f"; known: {shown}{more}"
        super().__init__(message)


class MissingDependencyError(UsageError):
    """An optional feature needs a package that is not installed."""

    def __init__(self, package: str, extra: str, feature: str):
        super().__init__(
            f"{feature} needs the optional package {package!r}: "
            f"install it with  pip install 'benchtables[{extra}]'"
        )


class QuantityError(BenchtablesError, ValueError):
    """A quantity that cannot be read; the message says what was understood and what was expected."""


class ValidationFailed(BenchtablesError):
    """Entry files did not validate. ``report`` holds every problem found."""

    def __init__(self, report: Report, action: str = "validation"):
        self.report = report
        n = len(report.errors) + report.omitted
        super().__init__(f"{action} failed: {n} error{'s' if n != 1 else ''} in entry files")


class StoreError(BenchtablesError):
    """A store cannot be read or written (the environment: exit code 2)."""

    exit_code = 2


class StoreNotFoundError(StoreError):
    """No store where one was expected."""


class StoreCorruptError(StoreError):
    """A store exists but a table in it cannot be read."""


class StoreVersionError(StoreError):
    """A store written by another benchtables, with a schema this version does not read."""


class WriteError(BenchtablesError):
    """A file cannot be written: a read-only file system, a full disk, no permission."""

    exit_code = 2


class StoreWriteError(StoreError, WriteError):
    """The store cannot be written: a read-only file system, a full disk, no permission."""


class EmptyResultError(BenchtablesError):
    """A query matched no rows."""


class RenderError(BenchtablesError):
    """A render block could not be produced."""


class FormatError(BenchtablesError):
    """An input file is not in the format it was read as."""
