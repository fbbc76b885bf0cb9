"""Problems found in entries, as values: each with a code, a place and a hint.

Validation never stops at the first problem and never prints: it returns a
:class:`Report`, and the command line decides how to show it and which exit code to use.
A problem's ``code`` is stable (pydantic's error type where pydantic found it, e.g.
``greater_than_equal``; otherwise one of benchtables' own, e.g. ``unknown_model``), so
other tools can rely on it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

from benchtables.names import ID_HELP, ID_PATTERN

__all__ = ["CODES", "Problem", "Report", "Severity", "did_you_mean", "field_path", "pydantic_problems", "safe_text"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def safe_text(text: str) -> str:
    """Text that stays on its line and shows what it holds: control, line-breaking and invisible
    characters written as escapes (``\\n``, ``\\u202e``), and no workflow command at its start
    (``::warning`` in a CI log is a command to the CI runner)."""
    out = _UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
    return "\\" + out if out.lstrip().startswith("::") else out


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
        """One line for people: ``file:line:col: error: scores[3].value: message (hint)``.

        Whatever the file name or values hold, it is one line that cannot be read as a command
        by a CI runner (see :func:`safe_text`).
        """
        text = f"{self.location()}: {self.severity.value}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return safe_text(text + f" [{self.code}]")

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
    #: Errors found but not listed (each file lists its first few problems and counts the rest).
    omitted: int = 0
    #: Warnings found but not listed.
    omitted_warnings: int = 0

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def merge(self, other: Report) -> None:
        self.problems.extend(other.problems)
        self.checked += other.checked
        self.omitted += other.omitted
        self.omitted_warnings += other.omitted_warnings

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
        e, w = len(self.errors) + self.omitted, len(self.warnings) + self.omitted_warnings
        files = f"{self.checked} file{'s' if self.checked != 1 else ''} checked"
        shown = f" ({len(self.problems)} listed)" if self.omitted or self.omitted_warnings else ""
        return f"{files}: {e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}{shown}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "checked": self.checked,
            "errors": len(self.errors) + self.omitted,
            "warnings": len(self.warnings) + self.omitted_warnings,
            "omitted": self.omitted,
            "omitted_warnings": self.omitted_warnings,
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


#: Every problem code benchtables reports, with what it means. Codes are stable: tools may rely on them.
CODES: dict[str, str] = {
    # reading files
    "yaml_syntax": "the file is not valid YAML",
    "yaml_tag": "a YAML tag (!!python/…, or !!int on text that is not one) entry files do not allow",
    "yaml_key": "a mapping key that is a list or mapping",
    "yaml_alias": "anchors and aliases that expand the file too much, or refer to themselves",
    "yaml_too_deep": "values nested too deep",
    "duplicate_key": "a key twice in one mapping (YAML loaders silently keep the last)",
    "empty_file": "the file holds nothing",
    "file_too_large": "the file is larger than an entry file may be",
    "not_utf8": "the file is not UTF-8",
    "unreadable": "the file cannot be read",
    "file_refused": "not a regular file, or a link out of the project",
    "bulk_file": "a bulk file that cannot be read, or whose kind of records is unknown",
    "file_shape": "an entry file that is not a mapping of sections",
    "mapping_type": "a record or source that is not a mapping",
    "list_type": "a section (or list field) that is not a list",
    "string_type": "a list or mapping where text belongs",
    "float_type": "a list or mapping where a number belongs",
    "int_type": "a list or mapping where a whole number belongs",
    "bool_type": "a list or mapping where true or false belongs",
    "extra_forbidden": "an unknown field, section or column",
    "missing": "a required field (or a row's source) is missing or empty",
    # the shape of a bulk file
    "duplicate_column": "two columns with one name",
    "column_type": "a column of the wrong type",
    "missing_column": "a column every record of the kind needs",
    # fields
    "forbidden_character": "a control, bidirectional-override or invisible character",
    "string_pattern_mismatch": "text not of the required form (an id, a URL, a date)",
    "string_too_long": "text longer than the field allows",
    "literal_error": "not one of the values the field allows",
    "bool_not_allowed": "a yes/no value where a number belongs",
    "bool_parsing": "text that is not true or false",
    "number_expected": "text that is not a number",
    "quantity_parsing": "a quantity (70B, 57.8%, ≈7M) that cannot be read",
    "finite_number": "NaN or infinity, or a number too large for a float",
    "int_from_float": "a fraction where a whole number belongs",
    "int_too_large": "a whole number beyond 64 bits",
    "greater_than": "not greater than the field's minimum",
    "greater_than_equal": "below the field's minimum",
    "less_than_equal": "above the field's maximum",
    "estimated_conflict": "an approximate value in a record marked estimated: false",
    "approximate_not_allowed": "an approximate value where only exact ones go",
    # rules of one record
    "unknown_model": "a model no entry file or the store declares",
    "unknown_benchmark": "a benchmark the registry does not have",
    "unknown_metric": "a metric the benchmark is not reported in",
    "unknown_source": "a source no entry file or the store declares",
    "unknown_suite": "a suite the registry does not have",
    "not_a_member": "a score said to follow a suite whose benchmarks do not include it",
    "suite_conflict": "a score said to follow a suite but given another metric, n-shot, split or setting",
    "metric_defaulted": "warning: no metric given for a benchmark reported in several; the primary one assumed",
    "out_of_range": "a value outside its metric's valid range",
    "unit_mismatch": "a value written with % for a metric that is not a percentage",
    "ci_order": "a confidence interval that does not contain its value",
    "active_above_total": "more active parameters than parameters",
    "required_one_of": "none of the fields a record of the kind needs one of",
    "inconsistent": "a stated product that is not the product of its factors",
    "date_year_conflict": "a year that is not the year of the date",
    "revision_not_in_id": "a model with a revision whose id does not end in @revision",
    # declarations
    "duplicate_source": "one source id declared twice",
    "duplicate_url": "one work (one canonical URL) under two source ids",
    "no_url": "warning: a source without a link",
    "duplicate_model": "one model declared twice in a file",
    "model_conflict": "a model declared differently in two files (parameters: error; else warning)",
    "name_clash": "warning: a model whose display name looks like another model's",
    # across records
    "duplicate_record": "one number twice (the same key, or only where differs)",
    "disagreement": "warning: two reports of one number that differ beyond their written precision",
    "fraction_as_percent": "warning: a percentage written as a fraction",
    "setting_conflict": "warning: an imported file that states one setting twice, differently (a task name and its arguments)",
    "unresolved_model": "warning: an imported name that matches no known model (a new model stub to review)",
    "setting_in_name": "warning: an imported name whose setting (8-shot) is unclear or contradicts its row",
    "model_names_disagree": "warning: a row's name columns name a variant and its base model (the variant is used)",
    "percent_table": "warning: a table of a tool that prints fractions, written in percent (read as percent)",
    "small_percent": "warning: an imported value at most 1 kept as a percent because the rest of its table is",
    "dataset_size_not_tokens": "warning: an imported training-set size in words or examples, not tokens",
    "finetune_compute": "warning: imported compute that includes the base model's pre-training",
    "total_vs_active": "warning: an imported parameter count that may be a mixture-of-experts' active count",
    "utilization_unlabelled": "warning: an imported utilisation that does not say whether it is MFU or HFU",
    "assumed_setting": "warning: an import took a setting the file does not state as its format's default",
    "other_model_source": "warning: imported results whose source is another model's Hub repository (a copy?)",
    "hub_dataset_unknown": "warning: a Hub dataset the registry does not know; the number placed by its task id",
    "metric_from_text": "warning: an imported metric read from a name or description, not declared as a metric id",
    "first_party_unrepresented": "warning: a number its file calls first-party whose model another source introduced",
    "eee_settings_misplaced": "warning: an Every Eval Ever document whose results carry each other's settings (skipped)",
    "quote_mismatch": "warning: a quote that does not contain its value",
    "no_where": "warning: a number from a paper that does not say where it stands",
    "compute_mismatch": "warning: training compute far from 6·N·D",
    "utilization_mismatch": "warning: MFU/HFU far from compute ÷ (chip-time × peak)",
    "compute_exceeds_hardware": "warning: more compute than the chips could do in the time",
    "cost_mismatch": "warning: a cost per step out of proportion with its FLOP per step",
    "mfu_above_hfu": "warning: MFU above HFU",
    "mfu_hfu_swap": "warning: an MFU equal to another report's HFU (or the reverse)",
    "active_as_total": "warning: active parameters given as the total",
    "parameters_mismatch": "warning: a training record's parameters that differ from its model's declaration",
    # the store
    "deleted_file": "warning: the store has records of an entry file that is gone",
    "store_unreadable": "the project's store exists but cannot be read (changed, truncated, another schema)",
    # the registry and render blocks
    "registry_shape": "a registry file that is not a mapping of sections",
    "registry_conflict": "a registry id that the shipped registry already has",
    "registry_reference": "a registry entry naming something the registry does not have",
    "primary_not_listed": "a benchmark's primary metric that is not one of its metrics",
    "render_markers": "render markers that do not pair up",
    "render_block": "a render block whose command fails",
}
