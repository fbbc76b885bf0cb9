"""Problems found in entries, as values: each with a code, a place and a hint.

Validation never stops at the first problem and never prints: it returns a
:class:`Report`, and the command line decides how to show it and which exit code to use.
A problem's ``code`` is stable (pydantic's error type where pydantic found it, e.g.
``greater_than_equal``; otherwise one of benchtables' own, e.g. ``unknown_model``), so
other tools can rely on it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from benchtables.names import ID_HELP, ID_PATTERN

__all__ = ["Problem", "Report", "Severity", "did_you_mean", "field_path", "pydantic_problems"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


def did_you_mean(suggestions: Iterable[str]) -> str | None:
    """``did you mean 'mmlu'?`` for a list of close names, or ``None`` when there are none."""
    names = list(suggestions)
    return ("did you mean " + " or ".join(repr(s) for s in names) + "?") if names else None


def field_path(loc: Iterable[str | int]) -> str:
    """Write a location tuple as a field path: ``("scores", 3, "value")`` → ``scores[3].value``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (error) or suspicious (warning) in the input."""

    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    #: Field path inside the file, e.g. ``scores[3].value``; ``None`` for the whole file.
    field: str | None = None
    #: What to do about it: a did-you-mean, the allowed range, what was understood.
    hint: str | None = None
    #: Row number (1-based, as people count) in bulk inputs (Parquet/CSV/Arrow), where lines do not apply.
    row: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def at(self, **where: Any) -> Problem:
        """The same problem at another place (file, line, column, field, row)."""
        return replace(self, **where)

    def location(self) -> str:
        """``file:line:col`` (or ``file:row N``), as far as it is known."""
        if self.file is None:
            return "<input>"
        if self.row is not None:
            return f"{self.file}: row {self.row}"
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """One line for people: ``file:line:col: error: scores[3].value: message (hint)``."""
        text = f"{self.location()}: {self.severity.value}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text + f" [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (see README, "validate --format json")."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def _sort_key(p: Problem) -> tuple[Any, ...]:
    return (p.file or "", p.line or 0, p.row or 0, p.column or 0, p.field or "", p.code, p.message)


@dataclass
class Report:
    """Every problem a validation run found, errors and warnings."""

    problems: list[Problem] = field(default_factory=list)
    #: How many files (or inputs) were checked.
    checked: int = 0
    #: Errors found but not kept (bulk inputs keep the first few per file and count the rest).
    omitted: int = 0

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def merge(self, other: Report) -> None:
        self.problems.extend(other.problems)
        self.checked += other.checked
        self.omitted += other.omitted

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors and not self.omitted

    def sorted(self) -> list[Problem]:
        """Problems in file and line order, the order people read them in."""
        return sorted(self.problems, key=_sort_key)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        e, w = len(self.errors) + self.omitted, len(self.warnings)
        files = f"{self.checked} file{'s' if self.checked != 1 else ''} checked"
        shown = f" ({len(self.errors)} shown)" if self.omitted else ""
        return f"{files}: {e} error{'s' if e != 1 else ''}{shown}, {w} warning{'s' if w != 1 else ''}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "checked": self.checked,
            "errors": len(self.errors) + self.omitted,
            "warnings": len(self.warnings),
            "omitted": self.omitted,
            "problems": [p.to_dict() for p in self.sorted()],
        }


def pydantic_problems(
    error: ValidationError,
    fields: Iterable[str],
    place: Callable[[tuple[str | int, ...], bool], tuple[int | None, int | None]],
    file: str | None,
    prefix: tuple[str | int, ...] = (),
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into problems at their file positions.

    Args:
        error: what pydantic raised for one model.
        fields: the model's field names, for did-you-mean on unknown fields.
        place: ``(path, is_key) -> (line, column)`` in the file.
        file: file name for messages.
        prefix: path of the model inside the file, e.g. ``("scores", 3)``.
    """
    known = list(fields)
    out: list[Problem] = []
    for e in error.errors(include_url=False):
        loc = (*prefix, *e["loc"])
        code = e["type"]
        hint: str | None = None
        message = e["msg"]
        if code == "extra_forbidden":
            name = str(e["loc"][-1])
            message = f"unknown field {name!r}"
            close = difflib.get_close_matches(name, known, n=2, cutoff=0.6) if len(e["loc"]) == 1 else []
            hint = did_you_mean(close) or (f"fields here: {', '.join(sorted(known))}" if len(e["loc"]) == 1 else None)
        elif code == "missing":
            message = "required field is missing"
        elif code in ("quantity_parsing",):
            message = str(e["ctx"]["reason"]) if e.get("ctx") else message
        elif code == "string_pattern_mismatch" and (e.get("ctx") or {}).get("pattern") == ID_PATTERN:
            message = "not a valid id"
            hint = ID_HELP
        line, column = place(loc, code == "extra_forbidden")
        out.append(Problem(Severity.ERROR, code, message, file=file, line=line, column=column,
                           field=field_path(loc), hint=hint))
    return out
