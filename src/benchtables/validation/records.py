"""Step 2 of validation: every record checked on its own — its fields, then its table's rules.

One engine checks every row benchtables reads, whatever file it came from: the records of a
YAML entry file (a few, each with a line), a bulk Parquet, CSV or Arrow file (millions, each
with a row number), a DataFrame handed to :func:`benchtables.validate_records`, and a single
``Score(...)`` built in Python. It works on whole Arrow columns, so its cost is linear in rows
and does not depend on how many distinct values a column holds:

* **fields** are checked against their declarations (:mod:`benchtables.spec`): text is
  normalised and pattern-checked by Arrow's string kernels; numbers are range-checked with
  numpy; text in a number field is read as a plain number by Arrow, and with Python only when
  it holds words (``70B``, ``≈7M``, ``>100B``), whose bound or approximation is kept;
* **rules** (:mod:`benchtables.validation.rules`) run in order on the fields that passed, and
  canonicalise as they go (names become ids, a missing metric or split its default);
* what is found is a :class:`Finding` per (code, field): a row mask and, for the few rows shown
  to people, a message.

A problem in the shape of a table (a missing column, a column of the wrong type) is one
finding about the column, not one per row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import (
    FALSE,
    TRUE,
    array_of,
    distinct,
    lists_of,
    numpy_of,
    per_row,
    rejoin,
    scalar,
    strings,
    take,
    widened,
)
from benchtables.errors import QuantityError
from benchtables.names import NameIndex
from benchtables.problems import Severity, did_you_mean
from benchtables.registry import Registry
from benchtables.spec import (
    Field,
    Flag,
    Number,
    Table,
    Text,
    TextForm,
    TextList,
    forbidden_in,
    forbidden_pattern,
    normalize_array,
)
from benchtables.units import parse_quantity

__all__ = ["CHUNK_ROWS", "Checked", "Context", "Finding", "Rows", "check_one", "check_table", "schema_findings"]

#: Rows checked at a time: bounds the scratch memory of a large file.
CHUNK_ROWS = 1 << 20
#: Columns a table of records may have besides its fields.
EXTRA_COLUMNS = ("source", "file", "first_party")
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_SMALL_INT = r"^[+-]?[0-9]{1,18}$"
#: A number with words after it (``5-shot``, ``3 epochs``): the hint names the number.
_LEADING_NUMBER = re.compile(r"^\s*([+-]?[0-9]{1,18})(?:\s*-\s*|\s+)[^\W\d]")
_YES_NO = {"true", "false", "yes", "no", "on", "off", "y", "n"}
_NON_FINITE = {"nan", "inf", "infinity"}
_INT64 = 2.0 ** 63
Describe = Callable[[int], tuple[str, str | None]]


@dataclass
class Finding:
    """Rows that break one rule the same way: a code, the field it is about, and the rows."""

    code: str
    field: str | None
    mask: np.ndarray
    severity: Severity = Severity.ERROR
    #: ``row -> (message, hint)`` for the rows shown to people.
    describe: Describe | None = None


@dataclass
class Context:
    """What checking a record needs to know beyond the record."""

    registry: Registry
    models: NameIndex
    #: Source ids a ``source`` column may name; None: the column is not checked.
    sources: frozenset[str] | None = None
    #: Models declared with errors: records naming them are not told to declare them.
    rejected_models: frozenset[str] = frozenset()
    #: Source id → the suite whose protocol its scores follow (a source's ``suite:``).
    source_suites: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- text columns


def _text_type(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return cast(bool, pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind))


# --------------------------------------------------------------------------- the rows under check


class Rows:
    """Rows of one table being checked, as field checks and rules see them."""

    def __init__(self, table: Table, raw: pa.Table, ctx: Context) -> None:
        self.table = table
        self.raw = raw
        self.ctx = ctx
        self.n = raw.num_rows
        self.arrays: dict[str, pa.Array] = {}
        self.invalid: dict[str, np.ndarray] = {}
        self.findings: list[Finding] = []
        #: Rows whose text in a number field carried a percent sign, per field.
        self.percent: dict[str, np.ndarray] = {}
        #: Qualifiers read from the text of quantity fields (``parameters>``), per row.
        self.qualified: dict[int, set[str]] = {}
        self.approximate = np.zeros(self.n, dtype=bool)
        #: Rows where a flag was given (not defaulted), per flag field.
        self.given: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ values

    def raw_column(self, name: str) -> pa.Array | None:
        if name not in self.raw.column_names:
            return None
        column = self.raw[name]
        return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column

    def raw_value(self, name: str, row: int) -> Any:
        column = self.raw_column(name)
        return None if column is None else column[row].as_py()

    def array(self, name: str) -> pa.Array:
        if name not in self.arrays:
            return pa.nulls(self.n, pa.string())
        return self.arrays[name]

    def set(self, name: str, array: pa.Array) -> None:
        self.arrays[name] = array

    def numbers(self, name: str) -> np.ndarray:
        array = self.array(name)
        if pa.types.is_null(array.type) or name not in self.arrays:
            return np.full(self.n, np.nan)
        return numpy_of(pc.cast(array, pa.float64(), safe=False))

    def present(self, name: str) -> np.ndarray:
        array = self.array(name)
        if pa.types.is_null(array.type):
            return np.zeros(self.n, dtype=bool)
        if pa.types.is_dictionary(array.type):
            values, codes = distinct(array)
            assert codes is not None
            return per_row(numpy_of(values.is_valid()), codes) if len(values) else np.zeros(self.n, dtype=bool)
        if array.null_count == 0:
            return np.ones(self.n, dtype=bool)
        return numpy_of(array.is_valid())

    def valid(self, *names: str) -> np.ndarray:
        """Rows where each of ``names`` passed its checks (a missing optional value passes)."""
        ok = np.ones(self.n, dtype=bool)
        for name in names:
            if name in self.invalid:
                ok &= ~self.invalid[name]
        return ok

    def row(self, i: int) -> dict[str, Any]:
        """The canonical values of one row (for messages)."""
        return {name: array[i].as_py() for name, array in self.arrays.items()}

    # ------------------------------------------------------------------ findings

    def find(self, code: str, field_name: str | None, mask: np.ndarray, *, severity: Severity = Severity.ERROR,
             describe: Describe | None = None) -> None:
        """Record rows breaking a rule; an error makes the field invalid for the rules after it."""
        if not mask.any():
            return
        self.findings.append(Finding(code, field_name, mask, severity, describe))
        if severity is Severity.ERROR and field_name is not None:
            self.invalid[field_name] = self.invalid.get(field_name, np.zeros(self.n, dtype=bool)) | mask
        elif severity is Severity.ERROR:
            self.invalid["*"] = self.invalid.get("*", np.zeros(self.n, dtype=bool)) | mask

    def shown(self, name: str, row: int) -> str:
        """A field's value as given, for a message (a long one cut to its start and end)."""
        value = self.raw_value(name, row)
        text = repr(value) if isinstance(value, str) else str(value)
        return text if len(text) <= 80 else f"{text[:40]}…{text[-20:]} ({len(text):,} characters)"


# --------------------------------------------------------------------------- schema


def schema_findings(schema: pa.Schema, table: Table, *, need_source: bool) -> list[tuple[str, str, str, str | None]]:
    """(code, column, message, hint) per column that is repeated, unknown, of the wrong type or missing."""
    out: list[tuple[str, str, str, str | None]] = []
    counts = Counter(schema.names)
    for name in sorted(n for n, k in counts.items() if k > 1):
        out.append(("duplicate_column", name, f"the file has {counts[name]} columns named {name!r}",
                    "keep one of them"))
    for index, name in enumerate(schema.names):
        if counts[name] > 1:
            continue
        kind = schema.field(index).type
        if name not in table and name not in EXTRA_COLUMNS:
            out.append(("extra_forbidden", name, f"unknown column {name!r} for {table.name} records",
                        f"columns: {', '.join([*table.names, 'source'])}"))
        elif name in table and not _compatible(table[name], kind):
            shown = kind.value_type if pa.types.is_dictionary(kind) else kind
            out.append(("column_type", name, f"column {name!r} is {shown}, not {_expected(table[name])}",
                        "convert the column, or check that the file holds this kind of records"))
    required = [f.name for f in table.fields if f.required] + (["source"] if need_source else [])
    for name in required:
        if name not in counts:
            out.append(("missing_column", name, f"the file has no {name!r} column, which every {table.name} "
                        "record needs", None))
    return out


def _expected(spec: Field) -> str:
    kind = spec.type
    if isinstance(kind, Number):
        return "whole numbers" if kind.integer else "numbers"
    return {Flag: "true/false", TextList: "lists of text"}.get(type(kind), "text")


def _compatible(spec: Field, kind: pa.DataType) -> bool:
    if pa.types.is_null(kind) or _text_type(kind):
        return True  # text is read row by row: numbers, flags and lists from text (CSV, YAML)
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    spec_type = spec.type
    if isinstance(spec_type, Number):
        return cast(bool, pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind))
    if isinstance(spec_type, Flag):
        return cast(bool, pa.types.is_boolean(kind))
    if isinstance(spec_type, TextList):
        return (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and (
            _text_type(kind.value_type) or pa.types.is_null(kind.value_type))
    return False


# --------------------------------------------------------------------------- field checks


def _check_text(rows: Rows, spec: Field) -> None:
    kind = spec.type
    assert isinstance(kind, Text)
    raw = rows.raw_column(spec.name)
    given = np.zeros(rows.n, dtype=bool)
    if raw is None or pa.types.is_null(raw.type):
        canonical: pa.Array = pa.nulls(rows.n, pa.string())
    else:
        values, codes = distinct(raw)
        values = values.cast(pa.string())
        given = per_row(numpy_of(values.is_valid()), codes) if len(values) else np.zeros(rows.n, dtype=bool)
        canon = normalize_array(values, kind.form)
        bad_char = numpy_of(pc.fill_null(pc.match_substring_regex(values, forbidden_pattern(kind.form)), FALSE))
        problems: list[tuple[str, np.ndarray, Describe]] = [
            ("forbidden_character", bad_char, lambda r: _forbidden(rows, spec, r))]
        if kind.pattern is not None:
            bad = numpy_of(pc.fill_null(pc.invert(pc.match_substring_regex(canon, kind.pattern)), FALSE))
            problems.append(("string_pattern_mismatch", bad,
                             lambda r: (f"{rows.shown(spec.name, r)} is not valid here", kind.pattern_help)))
        if kind.max_length is not None:
            bad = numpy_of(pc.fill_null(pc.greater(pc.utf8_length(canon), scalar(kind.max_length)), FALSE))
            problems.append(("string_too_long", bad,
                             lambda r: (f"is longer than {kind.max_length} characters", None)))
        if kind.choices is not None:
            bad = numpy_of(pc.fill_null(pc.invert(pc.is_in(canon, value_set=strings(kind.choices))), FALSE))
            problems.append(("literal_error", bad, lambda r: (f"{rows.shown(spec.name, r)} is not one of "
                                                              f"{', '.join(kind.choices or ())}", None)))
        seen = np.zeros(rows.n, dtype=bool)
        for code, value_mask, describe in problems:
            mask = per_row(value_mask, codes) & ~seen
            rows.find(code, spec.name, mask, describe=describe)
            seen |= mask
        canonical = rejoin(canon, codes)
    rows.set(spec.name, canonical)
    if spec.required:
        missing = ~rows.present(spec.name) & rows.valid(spec.name)
        rows.find("missing", spec.name, missing,
                  describe=lambda r: ("is empty" if given[r] else "required field is missing", None))


def _forbidden(rows: Rows, spec: Field, row: int) -> tuple[str, str | None]:
    value = str(rows.raw_value(spec.name, row))
    kind = spec.type
    char = forbidden_in(value, kind.form if isinstance(kind, Text) else TextForm.LINE) or "?"
    return (f"contains the invisible or control character U+{ord(char):04X}, which text here may not hold",
            "remove it: control and bidirectional-override characters can hide or reorder what readers see")


@dataclass
class _Parsed:
    """Numbers read from text cells."""

    values: np.ndarray  # float64, NaN where none
    exact: dict[int, int] = field(default_factory=dict)  # row → exact integer, for whole numbers beyond 2**53
    failed: dict[int, tuple[str, str, str | None]] = field(default_factory=dict)  # row → (code, message, hint)
    not_a_number: set[int] = field(default_factory=set)  # rows whose text is nan: given, but no number


def _parse_text_numbers(rows: Rows, spec: Field, raw: pa.Array) -> _Parsed:
    """Numbers from a text column: plain ones by Arrow, words (70B, ≈7M) by :func:`parse_quantity`."""
    kind = spec.type
    assert isinstance(kind, Number)
    values, codes = distinct(raw)
    text = normalize_array(values.cast(pa.string()), TextForm.LINE)
    m = len(text)
    floats = np.full(m, np.nan)
    plain = numpy_of(pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), FALSE)) if m else np.zeros(0, bool)
    at = np.flatnonzero(plain)
    if len(at):
        try:
            floats[at] = numpy_of(pc.cast(take(text, at), pa.float64()))
        except pa.ArrowInvalid:  # digits beyond what Arrow's parser takes: Python reads them (as inf if huge)
            floats[at] = [float(v) for v in take(text, at).to_pylist()]
    exact: dict[int, int] = {}
    if kind.integer and len(at):
        long_ints = np.flatnonzero(plain & ~numpy_of(pc.fill_null(pc.match_substring_regex(text, _SMALL_INT), FALSE))
                                   & numpy_of(pc.fill_null(pc.match_substring_regex(text, r"^[+-]?[0-9]+$"), FALSE)))
        for i in long_ints.tolist():
            exact[i] = _big_int(text[i].as_py())
    failed: dict[int, tuple[str, str, str | None]] = {}
    bounds: dict[int, tuple[str | None, bool, bool]] = {}
    words = np.flatnonzero(numpy_of(text.is_valid()) & ~plain) if m else np.zeros(0, np.int64)
    for i in words.tolist():  # text with words in it: the only cells read in Python
        written = text[i].as_py()
        if written.lower().lstrip("+-") in _NON_FINITE:  # nan, inf: a number, not a finite one (as .nan in YAML)
            floats[i] = float(written)
            continue
        if written.lower() in _YES_NO:
            failed[i] = ("bool_not_allowed", f"expected a number, got the yes/no value {written}",
                         "write the number, or leave the field out")
            continue
        if kind.quantity is None:
            leading = _LEADING_NUMBER.match(written)
            failed[i] = ("number_expected", f"{written!r} is not a {'whole ' if kind.integer else ''}number",
                         f"write the number alone: {leading[1]}" if leading else None)
            continue
        try:
            quantity = parse_quantity(written, kind.quantity, kind.units)
        except QuantityError as exc:
            failed[i] = ("quantity_parsing", str(exc), None)
            continue
        floats[i] = quantity.value
        bounds[i] = (quantity.bound, quantity.approximate, quantity.percent)
    parsed = _Parsed(floats if codes is None else np.append(floats, np.nan)[codes])
    nan_text = [i for i in words.tolist() if np.isnan(floats[i]) and i not in failed]
    if nan_text:
        parsed.not_a_number = set(np.flatnonzero(np.isin(codes, nan_text)).tolist()) if codes is not None \
            else set(nan_text)
    # per-value results to rows: only the few values with words or long digits need this
    special = set(failed) | set(bounds) | set(exact)
    if special:
        row_of: Iterable[tuple[int, int]]
        if codes is None:
            row_of = ((i, i) for i in sorted(special))
        else:
            wanted = np.isin(codes, np.array(sorted(special)))
            row_of = ((int(codes[r]), r) for r in np.flatnonzero(wanted).tolist())
        for value_index, row in row_of:
            if value_index in failed:
                parsed.failed[row] = failed[value_index]
            if value_index in exact:
                parsed.exact[row] = exact[value_index]
            if value_index in bounds:
                bound, approximate, percent = bounds[value_index]
                if bound:
                    rows.qualified.setdefault(row, set()).add(f"{spec.name}{bound}")
                if approximate:
                    rows.qualified.setdefault(row, set()).add(f"{spec.name}~")
                    rows.approximate[row] = True
                if percent:
                    rows.percent.setdefault(spec.name, np.zeros(rows.n, dtype=bool))[row] = True
    return parsed


def _big_int(text: str) -> int:
    """A whole number written with many digits (``int`` refuses more than a few thousand)."""
    digits = text.lstrip("+-")
    if len(digits) > 400:
        return (-1 if text.startswith("-") else 1) * (10 ** 400)  # far beyond any field's range either way
    return int(text)


def _check_number(rows: Rows, spec: Field) -> None:
    kind = spec.type
    assert isinstance(kind, Number)
    raw = rows.raw_column(spec.name)
    n = rows.n
    floats = np.full(n, np.nan)
    exact_ints: pa.Array | None = None
    big: dict[int, int] = {}
    text_nan: np.ndarray | None = None
    if raw is not None and not pa.types.is_null(raw.type):
        base = raw.type.value_type if pa.types.is_dictionary(raw.type) else raw.type
        if _text_type(base):
            parsed = _parse_text_numbers(rows, spec, raw)
            floats, big = parsed.values, parsed.exact
            text_nan = np.isin(np.arange(n), sorted(parsed.not_a_number)) if parsed.not_a_number else None
            for code in ("bool_not_allowed", "number_expected", "quantity_parsing"):
                mask = np.zeros(n, dtype=bool)
                rows_failed = [r for r, f in parsed.failed.items() if f[0] == code]
                mask[rows_failed] = True
                failed = parsed.failed
                rows.find(code, spec.name, mask,
                          describe=lambda r, failed=failed: (failed[r][1], failed[r][2]))  # type: ignore[misc]
        else:
            if pa.types.is_dictionary(raw.type):
                raw = raw.cast(base)
            if pa.types.is_float32(base) or pa.types.is_float16(base):
                narrow = np.float32 if pa.types.is_float32(base) else np.float16
                floats = widened(numpy_of(raw).astype(narrow))  # 57.8 as written, not 57.7999992
            else:
                floats = numpy_of(pc.cast(raw, pa.float64(), safe=False))
            if kind.integer and pa.types.is_integer(base):
                exact_ints = raw
    given = ~np.isnan(floats) | np.isin(np.arange(n), list(big)) if big else ~np.isnan(floats)
    if raw is not None and not pa.types.is_null(raw.type):
        # NaN given as a value (not a null): not a number anyone can compare
        nan_given = numpy_of(raw.is_valid()) & np.isnan(floats) & rows.valid(spec.name) \
            if not (pa.types.is_dictionary(raw.type) or _text_type(raw.type)) else np.zeros(n, dtype=bool)
        if text_nan is not None:
            nan_given |= text_nan & rows.valid(spec.name)
        finite = np.isfinite(floats)
        rows.find("finite_number", spec.name, (given & ~finite) | nan_given,
                  describe=lambda r: (f"{rows.shown(spec.name, r)} is not a finite number", None))
        ok = rows.valid(spec.name) & given
        if kind.integer:
            with np.errstate(invalid="ignore"):
                fractional = ok & finite & (np.floor(floats) != floats)
            rows.find("int_from_float", spec.name, fractional,
                      describe=lambda r: (f"{rows.shown(spec.name, r)} is not a whole number", None))
            too_big = ok & finite & ~fractional & ((floats >= _INT64) | (floats < -_INT64))
            if exact_ints is not None and pa.types.is_signed_integer(exact_ints.type):
                too_big[:] = False  # an int64 fits (its float, 2**63 - 1 rounded up, does not say so)
            if exact_ints is not None and pa.types.is_unsigned_integer(exact_ints.type):
                too_big |= ok & numpy_of(pc.fill_null(pc.greater(exact_ints, scalar(2 ** 63 - 1, pa.uint64())), FALSE))
            for row, value in big.items():
                too_big[row] = not (-(2 ** 63) <= value < 2 ** 63)
            rows.find("int_too_large", spec.name, too_big & rows.valid(spec.name),
                      describe=lambda r: (f"{rows.shown(spec.name, r)} is too large for a whole-number field "
                                          "(at most 9,223,372,036,854,775,807)", None))
        ok = rows.valid(spec.name) & given & finite
        for code, limit in kind.bounds():
            with np.errstate(invalid="ignore"):
                inside = {"greater_than": floats > limit, "greater_than_equal": floats >= limit,
                          "less_than_equal": floats <= limit}[code]
            word = {"greater_than": "greater than", "greater_than_equal": "at least",
                    "less_than_equal": "at most"}[code]
            rows.find(code, spec.name, ok & ~inside,
                      describe=lambda r, word=word, limit=limit: (  # type: ignore[misc]
                          f"{rows.shown(spec.name, r)} must be {word} {limit:g}", None))
            ok &= inside
    keep = given & rows.valid(spec.name)
    if kind.integer:
        if exact_ints is not None:
            ints = pc.cast(exact_ints, pa.int64(), safe=False)
            canonical = pc.if_else(array_of(keep), ints, pa.nulls(n, pa.int64()))
        else:
            whole = np.where(keep, floats, 0).astype(np.int64)
            for row, value in big.items():
                if keep[row]:
                    whole[row] = value
            canonical = array_of(whole, ~keep)
    else:
        canonical = array_of(np.where(keep, floats, 0.0), ~keep)
    rows.set(spec.name, canonical)
    if spec.required:
        rows.find("missing", spec.name, ~given & rows.valid(spec.name),
                  describe=lambda r: ("required field is missing", None))


#: Text a yes/no field accepts (CSV cells, text columns); anything else is an error, never false.
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")


def _check_flag(rows: Rows, spec: Field) -> None:
    raw = rows.raw_column(spec.name)
    n = rows.n
    values = np.zeros(n, dtype=bool)
    given = np.zeros(n, dtype=bool)
    if raw is not None and not pa.types.is_null(raw.type):
        if pa.types.is_boolean(raw.type):
            values, given = numpy_of(pc.fill_null(raw, FALSE)), numpy_of(raw.is_valid())
        else:
            words, codes = distinct(raw)
            text = pc.utf8_lower(normalize_array(words.cast(pa.string()), TextForm.LINE))
            true = numpy_of(pc.fill_null(pc.is_in(text, value_set=strings(TRUE_WORDS)), FALSE))
            false = numpy_of(pc.fill_null(pc.is_in(text, value_set=strings(FALSE_WORDS)), FALSE))
            present = numpy_of(text.is_valid()) if len(text) else np.zeros(0, bool)
            values, given = per_row(true, codes), per_row(true | false, codes)
            rows.find("bool_parsing", spec.name, per_row(present & ~true & ~false, codes),
                      describe=lambda r: (f"{rows.shown(spec.name, r)} is not true or false", None))
    default = spec.default
    if spec.required:
        rows.find("missing", spec.name, ~given & rows.valid(spec.name),
                  describe=lambda r: ("required field is missing", None))
    if default is None:
        rows.set(spec.name, array_of(values.astype(bool), ~given))
    else:
        rows.set(spec.name, array_of(np.where(given, values, bool(default)).astype(bool)))
    rows.given[spec.name] = given


def _check_list(rows: Rows, spec: Field) -> None:
    kind = spec.type
    assert isinstance(kind, TextList)
    raw = rows.raw_column(spec.name)
    n = rows.n
    if raw is None or pa.types.is_null(raw.type):
        rows.set(spec.name, pa.ListArray.from_arrays(array_of(np.zeros(n + 1, dtype=np.int32)), strings([])))
        return
    if _text_type(raw.type):  # a cell of text: items separated by ";" (CSV); one item otherwise
        text = raw.cast(pa.string()) if not pa.types.is_dictionary(raw.type) else raw.cast(raw.type.value_type)
        raw = pc.split_pattern(text.cast(pa.string()), ";")
    raw = raw.cast(pa.list_(pa.string()))
    items = pc.list_flatten(raw)
    parents = numpy_of(pc.list_parent_indices(raw)).astype(np.int64)
    canon = normalize_array(items, kind.item.form) if len(items) else items
    item_bad: list[tuple[str, np.ndarray]] = []
    if len(items):
        item_bad.append(("forbidden_character",
                         numpy_of(pc.fill_null(pc.match_substring_regex(items, forbidden_pattern(kind.item.form)),
                                               FALSE))))
        if kind.item.pattern:
            item_bad.append(("string_pattern_mismatch", numpy_of(pc.fill_null(
                pc.invert(pc.match_substring_regex(canon, kind.item.pattern)), FALSE))))
    for code, bad in item_bad:
        mask = np.zeros(n, dtype=bool)
        mask[parents[bad]] = True
        rows.find(code, spec.name, mask,
                  describe=lambda r, code=code: _list_message(rows, spec, r, code))  # type: ignore[misc]
    keep = numpy_of(canon.is_valid()) if len(canon) else np.zeros(0, bool)
    kept = canon.filter(array_of(keep)) if len(canon) else canon
    counts = np.bincount(parents[keep], minlength=n) if len(parents) else np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    rows.set(spec.name, pa.ListArray.from_arrays(array_of(offsets), kept.cast(pa.string())))


def _list_message(rows: Rows, spec: Field, row: int, code: str) -> tuple[str, str | None]:
    items = rows.raw_value(spec.name, row)
    kind = spec.type
    assert isinstance(kind, TextList)
    if code == "forbidden_character":
        text = ";".join(map(str, items)) if isinstance(items, list) else str(items)
        char = forbidden_in(text, kind.item.form) or "?"
        return f"an item contains the invisible or control character U+{ord(char):04X}", None
    return f"{items!r} holds an item that is not valid here", kind.item.pattern_help


# --------------------------------------------------------------------------- whole records


def _qualifiers_and_estimates(rows: Rows) -> None:
    """Qualifiers read from quantity text join the given ones; an approximation makes a record estimated."""
    table = rows.table
    if "qualifiers" in table and rows.qualified:
        given = rows.array("qualifiers").to_pylist()
        for row, found in rows.qualified.items():
            given[row] = sorted(set(given[row] or []) | found)
        rows.set("qualifiers", lists_of(given))
    if not rows.approximate.any():
        return
    if "estimated" not in table:
        rows.find("approximate_not_allowed", None, rows.approximate,
                  describe=lambda r: ("an approximate value (≈, ~, about) cannot go here; record it in a training "
                                      "record with estimated: true", None))
        return
    stated = rows.given.get("estimated", np.zeros(rows.n, dtype=bool))
    estimated = numpy_of(rows.array("estimated"))
    rows.find("estimated_conflict", "estimated", rows.approximate & stated & ~estimated,
              describe=lambda r: ("a value is marked approximate (≈, ~, about) but estimated is false", None))
    rows.set("estimated", array_of(estimated | rows.approximate))


def _check_source(rows: Rows) -> None:
    sources = rows.ctx.sources
    raw = rows.raw_column("source")
    if raw is None:
        canonical = pa.nulls(rows.n, pa.string())
    else:
        values, codes = distinct(raw)
        canonical = rejoin(normalize_array(values.cast(pa.string()), TextForm.LINE), codes)
    rows.set("source", canonical)
    if sources is None:
        return
    present = rows.present("source")
    rows.find("missing", "source", ~present, describe=lambda r: ("every row needs its source id", None))
    values, codes = distinct(canonical)
    known = numpy_of(pc.fill_null(pc.is_in(values, value_set=strings(sorted(sources))), TRUE))
    rows.find("unknown_source", "source", per_row(~known, codes) & present, describe=lambda r: (
        f"unknown source {rows.array('source')[r].as_py()!r}",
        did_you_mean(_close(str(rows.array("source")[r].as_py()), sorted(sources)))
        or "declare it in an entry file's source: section"))


def _close(name: str, known: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, known, n=2, cutoff=0.6)


_CHECKS: dict[type, Callable[[Rows, Field], None]] = {
    Text: _check_text, Number: _check_number, Flag: _check_flag, TextList: _check_list,
}


def _check_rows(table: Table, raw: pa.Table, ctx: Context) -> Rows:
    rows = Rows(table, raw, ctx)
    for spec in table.fields:
        _CHECKS[type(spec.type)](rows, spec)
    _qualifiers_and_estimates(rows)
    if "model" in table or "source" in raw.column_names:
        _check_source(rows)
    for rule in table.rules:
        rule.check(rows)
    return rows


@dataclass
class Checked:
    """A checked table: its canonical rows, which of them are valid, and what was found."""

    table: Table
    rows: pa.Table  #: canonical values: ids for names, defaults filled in
    valid: np.ndarray  #: one flag per row: no errors
    findings: list[Finding]
    #: (code, column, message, hint) of a table whose shape is wrong (then no row was checked).
    schema: list[tuple[str, str, str, str | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.schema and bool(self.valid.all())

    def errors(self) -> int:
        """How many (row, code) errors were found."""
        return len(self.schema) + sum(int(f.mask.sum()) for f in self.findings if f.severity is Severity.ERROR)


def _shift(finding: Finding, offset: int, total: int) -> Finding:
    mask = np.zeros(total, dtype=bool)
    mask[offset:offset + len(finding.mask)] = finding.mask
    describe = finding.describe
    shifted = None if describe is None else (lambda r, d=describe: d(r - offset))
    return Finding(finding.code, finding.field, mask, finding.severity, shifted)


def check_table(table: Table, raw: pa.Table, ctx: Context, *, chunk_rows: int | None = None) -> Checked:
    """Check every row of ``raw`` as ``table`` records (or declarations), ``chunk_rows`` at a time
    (default :data:`CHUNK_ROWS`).

    Returns the canonical rows (every field of the table, in order, plus ``source``), a valid
    flag per row and the findings. Never raises for bad data.
    """
    chunk_rows = chunk_rows or CHUNK_ROWS
    need_source = ctx.sources is not None
    shape = schema_findings(raw.schema, table, need_source=need_source)
    if shape:
        return Checked(table, raw, np.zeros(raw.num_rows, dtype=bool), [], shape)
    pieces: list[pa.Table] = []
    findings: list[Finding] = []
    valid = np.ones(raw.num_rows, dtype=bool)
    for offset in range(0, max(raw.num_rows, 1), chunk_rows):
        part = raw.slice(offset, chunk_rows)
        rows = _check_rows(table, part, ctx)
        for finding in rows.findings:
            if finding.severity is Severity.ERROR:
                valid[offset:offset + rows.n] &= ~finding.mask
            findings.append(finding if raw.num_rows <= chunk_rows else _shift(finding, offset, raw.num_rows))
        columns = {name: rows.array(name) for name in table.names}
        if "source" in rows.arrays:
            columns["source"] = rows.array("source")
        pieces.append(pa.table(columns))
    canonical = pieces[0] if len(pieces) == 1 else _concat(pieces)
    return Checked(table, canonical, valid, findings)


def _concat(pieces: list[pa.Table]) -> pa.Table:
    """Chunks' tables as one. A text column dictionary-encoded in some chunk stays encoded (each
    chunk keeps its own dictionary): decoding it would cost a copy of the text per row."""
    schema = pieces[0].schema
    encoded = {name for name in schema.names if any(pa.types.is_dictionary(p.schema.field(name).type) for p in pieces)}
    unified = []
    for piece in pieces:
        columns = []
        for name in schema.names:
            column = piece[name]
            if name in encoded and column.type != _TEXT_CODES:
                if not pa.types.is_dictionary(column.type):
                    column = column.cast(pa.string()).dictionary_encode()
                column = column.cast(_TEXT_CODES)
            columns.append(column)
        unified.append(pa.table(dict(zip(schema.names, columns, strict=True))))
    return pa.concat_tables(unified)


#: The type of a dictionary-encoded text column of checked rows.
_TEXT_CODES = pa.dictionary(pa.int32(), pa.string())


# --------------------------------------------------------------------------- one record from Python


def check_one(table: Table, data: Any, title: str) -> dict[str, Any]:
    """Check one declaration or record given as a mapping (the pydantic models' validation).

    Returns its canonical values; raises pydantic's ``ValidationError`` with the engine's codes.
    """
    from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

    from benchtables.validation.read import records_table

    if not isinstance(data, Mapping):
        raise ValidationError.from_exception_data(title, [InitErrorDetails(
            type=PydanticCustomError("mapping_type", "expected a mapping of fields"), loc=(), input=data)])
    raw, reader_problems, _ = records_table(table, [dict(data)])
    errors: list[InitErrorDetails] = [
        InitErrorDetails(type=PydanticCustomError(p.code, p.message), loc=(p.field,) if p.field else (),
                         input=data.get(p.field) if p.field else data) for p in reader_problems]
    registry = Registry.shipped()
    ctx = Context(registry, _AnyModel())
    checked = check_table(table, raw, ctx)
    for code, column, message, _ in checked.schema:
        errors.append(InitErrorDetails(type=PydanticCustomError(code, message), loc=(column,), input=data.get(column)))
    for finding in checked.findings:
        if finding.severity is not Severity.ERROR or finding.code in _CONTEXT_CODES:
            continue
        message = finding.describe(0)[0] if finding.describe else finding.code
        errors.append(InitErrorDetails(type=PydanticCustomError(finding.code, message.replace("{", "(").replace("}", ")")),
                                       loc=(finding.field,) if finding.field else (),
                                       input=data.get(finding.field) if finding.field else data))
    if errors:
        raise ValidationError.from_exception_data(title, errors)
    row = checked.rows.to_pylist()[0]
    return {k: v for k, v in row.items() if k in table}


#: Codes about what a record refers to, which a record built on its own cannot know.
_CONTEXT_CODES = frozenset({"unknown_model", "unknown_source"})


class _AnyModel(NameIndex):
    """A model index in which every name is a model (a record built in Python names one that
    its entry file or store declares)."""

    def __init__(self) -> None:
        super().__init__("model")

    def resolve_array(self, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        return values.cast(pa.string()), np.zeros(len(values), dtype=bool)

