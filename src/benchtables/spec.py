"""The fields of every table, declared once: what each field holds and what it accepts.

A :class:`Table` lists its :class:`Field` objects; each field has a type — :class:`Text`,
:class:`Number`, :class:`Flag`, :class:`TextList`, or (registry only) :class:`Nested` and
:class:`TextMap` — that says what a value must be and how it is written canonically. Every
consumer interprets these declarations instead of restating them:

* the validation engine (:mod:`benchtables.validation.records`) checks whole Arrow columns
  against them, for entry files and bulk files alike;
* the pydantic models of :mod:`benchtables.schemas` (the Python API and the JSON Schema of
  entry files) are generated from them;
* the store's Parquet schema (:mod:`benchtables.store`) takes its column types, units and
  descriptions from them.

Text is normalised one way everywhere: :func:`normalize_array` applies a :class:`TextForm` to
a column with Arrow's string kernels, and :func:`normalize_text` to one value through it. This module imports nothing else from benchtables but :mod:`benchtables.units`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from benchtables.units import Kind

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "FORBIDDEN_CHARS",
    "WHITESPACE",
    "Field",
    "Flag",
    "Nested",
    "Number",
    "Table",
    "Text",
    "TextForm",
    "TextList",
    "TextMap",
    "forbidden_in",
    "normalize_array",
    "normalize_text",
]

#: Whitespace, as Python's ``str.isspace`` knows it, spelled out so that Python and Arrow's
#: regular expressions (RE2, whose ``\s`` is ASCII only) agree on it.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
#: Characters no text may hold: control characters (other than the whitespace above), and the
#: invisible format characters that reorder or hide text (bidi overrides, zero-width joiners).
FORBIDDEN_CHARS = ("".join(chr(c) for c in range(0x20) if chr(c) not in WHITESPACE) + "\x7f"
                   + "".join(chr(c) for c in range(0x80, 0xa0) if chr(c) not in WHITESPACE)
                   + "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                   "\u2060\u2066\u2067\u2068\u2069\ufeff")
#: Line breaks and tabs: allowed in multi-line text (notes, quotes), collapsed elsewhere.
_LAYOUT = "\t\n\r"


def _class(chars: str, *, re2: bool) -> str:
    """A character class of ``chars`` in Python's or RE2's syntax."""
    if re2:
        return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"
    return "[" + "".join(f"\\u{ord(c):04x}" for c in chars) + "]"


_WS_RE2 = _class(WHITESPACE, re2=True) + "+"
_TRIM_RE2 = f"^{_WS_RE2}|{_WS_RE2}$"
#: Whitespace that breaks lines in ways line-based output (logs, CSV, Markdown) does not expect.
_ODD_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_FORBIDDEN_LINE = re.compile(_class(FORBIDDEN_CHARS, re2=False))
_FORBIDDEN_MULTILINE = re.compile(_class(FORBIDDEN_CHARS + _ODD_BREAKS, re2=False))


class TextForm(StrEnum):
    """How a text value is written canonically. Every form trims surrounding whitespace."""

    #: Trimmed, runs of whitespace as one space (names, titles, ``where``).
    LINE = "line"
    #: Trimmed only: line breaks and indentation kept (notes, quotes, descriptions).
    MULTILINE = "multiline"
    #: Lower case, whitespace runs as one space (split: ``Test`` → ``test``).
    LABEL = "label"
    #: A setting: comma- or plus-separated qualifiers, each lower case with inner spaces as
    #: ``-``, sorted and distinct (``CoT, maj@1`` and ``maj@1+cot`` are ``cot,maj@1``).
    SETTING = "setting"
    #: A subset: lower case, runs of spaces and hyphens as ``_`` (``Social Sciences`` → ``social_sciences``).
    SUBSET = "subset"
    #: Lower case, whitespace runs as ``-`` (samplers: ``DPM Solver++`` → ``dpm-solver++``).
    DASHED = "dashed"


_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
_ASCII_RUNS = re.compile(f"[{re.escape(_ASCII_SPACE)}]+")


def normalize_text(value: str, form: TextForm) -> str | None:
    """The canonical form of one value (``None`` when nothing is left).

    ASCII text is normalised in Python, step for step as :func:`normalize_array` does it (a
    property test holds the two equal); other text goes through :func:`normalize_array`
    itself, so one value is normalised exactly as a column of them is (Arrow's case mapping
    follows a newer Unicode than Python's).
    """
    if not value.isascii():
        from benchtables.arrays import string_array

        result: str | None = normalize_array(string_array([value]), form)[0].as_py()
        return result
    text = value.strip(_ASCII_SPACE)
    if form is not TextForm.MULTILINE:
        text = _ASCII_RUNS.sub(" ", text)
    if form in (TextForm.LINE, TextForm.MULTILINE):
        return text or None
    text = text.lower()
    if form is TextForm.SETTING:
        if "," in text or "+" in text:
            parts = {p.strip(_ASCII_SPACE).replace(" ", "-") for p in re.split(r"[,+]", text)} - {""}
            return ",".join(sorted(parts)) or None
        text = text.replace(" ", "-")
    elif form is TextForm.SUBSET:
        text = re.sub(r"[ -]+", "_", text)
    elif form is TextForm.DASHED:
        text = text.replace(" ", "-")
    return text or None


def forbidden_in(value: str, form: TextForm) -> str | None:
    """The first character ``value`` may not hold, or ``None``."""
    pattern = _FORBIDDEN_MULTILINE if form is TextForm.MULTILINE else _FORBIDDEN_LINE
    found = pattern.search(value)
    return found.group(0) if found else None


def forbidden_pattern(form: TextForm) -> str:
    """RE2 pattern of the characters :func:`forbidden_in` refuses."""
    return _class(FORBIDDEN_CHARS + (_ODD_BREAKS if form is TextForm.MULTILINE else ""), re2=True)


def normalize_array(array: pa.Array, form: TextForm) -> pa.Array:
    """The canonical form of every value of a string array (nulls for empty): the Arrow side of a form.

    The work is done by Arrow's string kernels, once per value, without Python per value.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.replace_substring_regex(array, _TRIM_RE2, "")
    if form is not TextForm.MULTILINE:
        text = pc.replace_substring_regex(text, _WS_RE2, " ")
    if form not in (TextForm.LINE, TextForm.MULTILINE):
        text = pc.utf8_lower(text)
    if form is TextForm.SETTING:
        text = _normalize_settings(text)
    elif form is TextForm.SUBSET:
        text = pc.replace_substring_regex(text, _class(WHITESPACE + "-", re2=True) + "+", "_")
    elif form is TextForm.DASHED:
        text = pc.replace_substring(text, " ", "-")
    from benchtables.arrays import ZERO

    empty = pc.equal(pc.binary_length(text), ZERO)
    return pc.if_else(empty, pa.nulls(len(text), pa.string()), text)


def _normalize_settings(text: pa.Array) -> pa.Array:
    """Settings with several qualifiers split, each part dashed, sorted and made distinct (in Arrow)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from benchtables.arrays import FALSE, ZERO, array_of, codes_of, numpy_of, scalar, take

    text = text.cast(pa.string())
    several = pc.fill_null(pc.match_substring_regex(text, "[,+]"), FALSE)
    simple = pc.replace_substring(text, " ", "-")
    if not pc.any(several).as_py():
        return simple
    rows = np.flatnonzero(numpy_of(several))
    parts = pc.split_pattern_regex(take(text, rows), "[,+]")
    flat = pc.replace_substring(pc.replace_substring_regex(pc.list_flatten(parts), _TRIM_RE2, ""), " ", "-")
    parent = numpy_of(pc.list_parent_indices(parts)).astype(np.int64)
    keep = numpy_of(pc.fill_null(pc.greater(pc.binary_length(flat), ZERO), FALSE))
    flat, parent = flat.filter(array_of(keep)), parent[keep]
    # each row's parts sorted and made distinct: sort by (row, part), drop a part equal to the one before
    order = numpy_of(pc.sort_indices(pa.table({"parent": array_of(parent), "part": flat}),
                                     sort_keys=[("parent", "ascending"), ("part", "ascending")])).astype(np.int64)
    flat, parent = take(flat, order), parent[order]
    codes = codes_of(pc.dictionary_encode(flat))
    repeat = np.r_[False, (parent[1:] == parent[:-1]) & (codes[1:] == codes[:-1])] if len(codes) else np.zeros(0, bool)
    flat, parent = flat.filter(array_of(~repeat)), parent[~repeat]
    offsets = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(np.bincount(parent, minlength=len(rows)), out=offsets[1:])
    joined = pc.binary_join(pa.ListArray.from_arrays(array_of(offsets), flat.cast(pa.string())), scalar(","))
    empty = offsets[1:] == offsets[:-1]  # every part of the row was empty
    rebuilt = pc.if_else(array_of(empty), pa.nulls(len(rows), pa.string()), joined)
    position = np.zeros(len(text), dtype=np.int64)
    position[rows] = np.arange(len(rows))
    return pc.if_else(several, take(rebuilt, position), simple)


# --------------------------------------------------------------------------- field types


@dataclass(frozen=True, slots=True)
class Text:
    """A text value: its canonical form and the constraints on it."""

    form: TextForm = TextForm.LINE
    pattern: str | None = None
    #: What the pattern means, said to someone whose value does not match it.
    pattern_help: str | None = None
    max_length: int | None = None
    #: The only values allowed (after normalisation), if any.
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Number:
    """A number. With ``quantity``, text such as ``70B``, ``≈7M`` or ``>100B`` is read as one
    (:func:`benchtables.units.parse_quantity`), and its bound or approximation kept."""

    integer: bool = False
    quantity: Kind | None = None
    #: Unit words this field accepts after the number (``tokens``), all with factor 1.
    units: tuple[str, ...] = ()
    gt: float | None = None
    ge: float | None = None
    le: float | None = None
    #: Unit of the stored number, for column metadata (``parameters``, ``FLOP``, ``percent``).
    unit: str | None = None

    def bounds(self) -> list[tuple[str, float]]:
        """(code, limit) pairs: ``greater_than`` 0, ``greater_than_equal`` 1, ``less_than_equal`` …"""
        out = []
        for code, limit in (("greater_than", self.gt), ("greater_than_equal", self.ge), ("less_than_equal", self.le)):
            if limit is not None:
                out.append((code, limit))
        return out


@dataclass(frozen=True, slots=True)
class Flag:
    """A yes/no value."""


@dataclass(frozen=True, slots=True)
class TextList:
    """A list of texts; a single text is a list of one."""

    item: Text = field(default_factory=Text)


@dataclass(frozen=True, slots=True)
class TextMap:
    """A mapping of texts to texts (registry only: a benchmark's names for its metrics)."""

    key: Text = field(default_factory=Text)
    value: Text = field(default_factory=Text)


@dataclass(frozen=True, slots=True)
class Nested:
    """Another table's records inside a field (registry only: a suite's members)."""

    table: Table
    many: bool = True


FieldType = Text | Number | Flag | TextList | TextMap | Nested


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a table."""

    name: str
    type: FieldType
    doc: str
    required: bool = False
    #: What a missing value becomes (``False`` for flags, ``[]`` for lists).
    default: Any = None

    @property
    def unit(self) -> str | None:
        return self.type.unit if isinstance(self.type, Number) else None


@dataclass(frozen=True, eq=False)
class Table:
    """The declaration of one kind of record or declaration: its fields, key and rules."""

    name: str
    doc: str
    fields: tuple[Field, ...]
    #: Fields that identify a record; two records with the same key are one number twice.
    key: tuple[str, ...] = ()
    #: Row order in the store: the key, led by what queries filter on.
    sort: tuple[str, ...] = ()
    #: Cross-field and reference rules (:mod:`benchtables.validation.rules`), in order.
    rules: tuple[Any, ...] = ()
    #: Fields that say where a number stands or add prose, not what the number is.
    place: tuple[str, ...] = ()
    #: Fields whose values two reports of the same number are compared on (disagreements).
    compared: tuple[str, ...] = ()
    #: Fields that make two reports the same number (disagreements are looked for among them).
    identity: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a field is declared twice")
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def __getitem__(self, name: str) -> Field:
        by_name: dict[str, Field] = self._by_name  # type: ignore[attr-defined]
        return by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def of_type(self, *types: type) -> list[Field]:
        return [f for f in self.fields if isinstance(f.type, types)]

    @property
    def quantities(self) -> list[Field]:
        return [f for f in self.fields if isinstance(f.type, Number) and f.type.quantity is not None]


def close_names(name: str, known: Sequence[str], n: int = 2) -> list[str]:
    """Known names close to ``name`` (for did-you-mean)."""
    import difflib

    return difflib.get_close_matches(name, list(known), n=n, cutoff=0.6)


Converter = Callable[[Any], Any]
