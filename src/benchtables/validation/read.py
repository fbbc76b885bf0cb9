"""Step 1 of validation: reading entry files and bulk files into tables to check.

*Entry files* (YAML, one per source) declare a source and models and hold reviewed records;
each section becomes a table of raw values, every row remembering its line. *Bulk files*
(Parquet, CSV, Arrow/Feather; one record kind per file, named for it: ``scores-….parquet``)
hold records by the million and name the sources and models that entry files or the store
declare; each is a table as it is, every row remembering its number.

What only a reader can see is reported here: YAML that does not parse, a section that is not
a list, a record that is not a mapping, a field no record has (with a did-you-mean), a list
where one value belongs, a file that cannot be read. Everything else is the engine's
(:mod:`benchtables.validation.records`), the same for every reader.

A file found under a project that resolves outside it (a symlink to ``/etc/passwd``) is
refused, unread.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import array_of, column_of, lists_of, strings
from benchtables.errors import FormatError, UsageError
from benchtables.kinds import DECLARATIONS, MODELS, RECORDS, SOURCES
from benchtables.problems import Problem, Severity, did_you_mean, field_path
from benchtables.spec import Field, Flag, Number, Table, Text, TextList
from benchtables.validation.records import EXTRA_COLUMNS
from benchtables.yamlpos import Document, read_yaml

__all__ = [
    "BULK_SUFFIXES",
    "ENTRY_SUFFIXES",
    "EntryDoc",
    "Inputs",
    "Issue",
    "Origin",
    "Part",
    "bulk_kind",
    "display_path",
    "read_bulk",
    "read_inputs",
    "records_table",
]

ENTRY_SUFFIXES = (".yaml", ".yml")
BULK_SUFFIXES = (".parquet", ".csv", ".arrow", ".feather", ".ipc")
SECTIONS = ("source", "models", *RECORDS)
#: Every column a table of records may have (what a bulk CSV file's columns are parsed for).
_RECORD_COLUMNS = frozenset({*(name for table in RECORDS.values() for name in table.names), *EXTRA_COLUMNS})
#: YAML problems after which the document lacks parts (a refused tag, a non-text key)
_INCOMPLETE = ("yaml_tag", "yaml_key", "yaml_too_deep")


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the current directory when below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return Path(relative).as_posix() if not relative.startswith("..") else path.as_posix()


# --------------------------------------------------------------------------- where a row came from


@dataclass
class Origin:
    """Where the rows of a table came from, to point problems at them."""

    file: str  #: how the store names the file (project-relative)
    display: str  #: how messages name it
    doc: Document | None = None  #: YAML: positions of values
    section: str | None = None  #: YAML: the section the rows are in
    indices: list[int] | None = None  #: YAML: each row's index in its section
    #: CSV of one line per row: row r is on line r + 2.
    csv_lines: bool = False

    def path(self, row: int, name: str | None = None) -> tuple[str | int, ...]:
        assert self.section is not None and self.indices is not None
        base: tuple[str | int, ...] = (self.section,) if self.section == "source" else (self.section, self.indices[row])
        return (*base, name) if name else base

    def problem(self, severity: Severity, code: str, message: str, row: int | None, name: str | None,
                hint: str | None = None, *, key: bool = False) -> Problem:
        """A problem at a row (and field) of this table."""
        if self.doc is not None and self.section is not None and row is not None:
            path = self.path(row, name)
            line, column = self.doc.position(path, key=key)
            return Problem(severity, code, message, file=self.display, line=line, column=column,
                           field=field_path(path), hint=hint)
        if row is None:
            return Problem(severity, code, message, file=self.display, field=name, hint=hint)
        line = row + 2 if self.csv_lines else None
        return Problem(severity, code, message, file=self.display, field=name, hint=hint, row=row + 1, line=line)


@dataclass
class Part:
    """Raw rows of one table from one file."""

    table: Table
    raw: pa.Table
    origin: Origin
    #: The source of every row (entry files: the file's source); None when rows name theirs.
    source: str | None = None
    #: field → rows whose cell the reader already reported (a list where a number belongs):
    #: the checks of step 2 say nothing more of those cells.
    reported: dict[str, np.ndarray] = field(default_factory=dict)


# --------------------------------------------------------------------------- Python values → Arrow


@dataclass(frozen=True)
class Issue:
    """A problem only the reader sees, at an item (and field) of a list of mappings."""

    index: int
    field: str | None
    code: str
    message: str
    hint: str | None = None


def _kind_of(value: Any) -> str:
    return {list: "a list", dict: "a mapping", str: "text", bool: "a yes/no value"}.get(
        type(value), "nothing" if value is None else type(value).__name__)


def _as_text(value: Any, text: str | None) -> str:
    """A number or yes/no value where text belongs, as it was written."""
    if text is not None:
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 13000:
        return "9" * 4000  # beyond what str() writes; only its size matters
    return repr(value) if isinstance(value, float) else str(value)


def _column(spec: Field, values: list[Any], texts: list[str | None], issues: list[Issue], rows: list[int]) -> pa.Array:
    """One column of raw values: typed where every value has the field's type, else text."""
    kind = spec.type
    scalar = (Text, Number, Flag)
    cleaned: list[Any] = []
    for i, value in enumerate(values):
        if (isinstance(value, dict | list) and isinstance(kind, scalar)) or (isinstance(value, dict) and \
                isinstance(kind, TextList)):
            expected = "text" if isinstance(kind, Text) else "a number" if isinstance(kind, Number) else \
                "true or false" if isinstance(kind, Flag) else "a list of texts"
            issues.append(Issue(rows[i], spec.name, f"{_type_code(kind, spec)}_type",
                                f"expected {expected}, got {_kind_of(value)}"))
            cleaned.append(None)
        else:
            cleaned.append(value)
    present = [v for v in cleaned if v is not None]
    if isinstance(kind, TextList):
        lists = [None if v is None else [None if x is None else x if isinstance(x, str) else _as_text(x, None)
                                         for x in (v if isinstance(v, list) else [v])]
                 for v in cleaned]
        for i, v in enumerate(lists):
            if v is not None and any(isinstance(x, dict | list) for x in cleaned[i] if isinstance(cleaned[i], list)):
                issues.append(Issue(rows[i], spec.name, "list_type", "expected a list of texts, got nested lists"))
                lists[i] = None
        missing = np.array([v is None for v in lists], dtype=bool)
        column = lists_of([[x for x in v if isinstance(x, str)] if v is not None else None for v in lists])
        return pc.if_else(array_of(missing), pa.nulls(len(lists), column.type), column) if missing.any() else column
    if isinstance(kind, Number) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        if kind.integer and all(isinstance(v, int) and -(2 ** 63) <= v < 2 ** 63 for v in present):
            return column_of(cleaned, pa.int64())
        if all(isinstance(v, float) or abs(v) < 2 ** 1000 for v in present):
            return column_of([None if v is None else float(v) for v in cleaned], pa.float64())
    if isinstance(kind, Flag) and all(isinstance(v, bool) for v in present):
        return column_of(cleaned, pa.bool_())
    return strings([None if v is None else v if isinstance(v, str) else _as_text(v, texts[i])
                    for i, v in enumerate(cleaned)])


def _type_code(kind: Any, spec: Field) -> str:
    if isinstance(kind, Number) and kind.integer:
        return "int"
    return {Text: "string", Number: "float", Flag: "bool", TextList: "list"}.get(type(kind), "value")


def records_table(table: Table, items: Sequence[Any], texts: Callable[[int, str], str | None] | None = None,
                  ) -> tuple[pa.Table, list[Issue], list[int]]:
    """A table of raw values from a list of mappings (an entry-file section, a record built in Python).

    Returns the table, what only the reader sees (items that are not mappings, unknown fields,
    lists where one value belongs), and each row's index in ``items``.
    """
    issues: list[Issue] = []
    mappings: list[Mapping[str, Any]] = []
    rows: list[int] = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            issues.append(Issue(i, None, "mapping_type", f"expected a mapping of fields, got {_kind_of(item)}"))
            continue
        for key in item:
            if key not in table and key != "source":
                close = difflib.get_close_matches(str(key), table.names, n=2, cutoff=0.6)
                issues.append(Issue(i, str(key), "extra_forbidden", f"unknown field {str(key)!r}",
                                    did_you_mean(close) or f"fields here: {', '.join(sorted(table.names))}"))
        mappings.append(item)
        rows.append(i)
    columns: dict[str, pa.Array] = {}
    for spec in table.fields:
        if not spec.required and not any(spec.name in m for m in mappings):
            continue  # a required field is a column even when no item has it: each item lacks it at its line
        values = [m.get(spec.name) for m in mappings]
        written = [texts(i, spec.name) if texts else None for i in rows]
        columns[spec.name] = _column(spec, values, written, issues, rows)
    if not columns:
        return pa.table({"_": pa.nulls(len(mappings))}).drop_columns(["_"]), issues, rows
    return pa.Table.from_arrays(list(columns.values()), names=list(columns)), issues, rows


# --------------------------------------------------------------------------- entry files


@dataclass
class EntryDoc:
    """A parsed entry file: its sections as written."""

    file: str
    display: str
    doc: Document
    source: Mapping[str, Any] | str | None
    sections: dict[str, list[Any]]


def _read_entry_file(path: Path, file: str, problems: list[Problem]) -> EntryDoc | None:
    display = display_path(path)
    doc, found = read_yaml(path, display)
    problems.extend(found)
    if doc is None or any(p.code in _INCOMPLETE for p in found):
        return None  # the document is missing what the YAML error stands for: do not report its absence
    if not isinstance(doc.data, Mapping):
        problems.append(Problem(Severity.ERROR, "file_shape", f"an entry file is a mapping of sections, not "
                                f"{_kind_of(doc.data)}", file=display, line=1, column=1,
                                hint=f"sections: {', '.join(SECTIONS)}"))
        return None
    sections: dict[str, list[Any]] = {}
    source: Mapping[str, Any] | str | None = None
    for key, value in doc.data.items():
        line, column = doc.position((key,), key=True)
        if key not in SECTIONS:
            close = difflib.get_close_matches(str(key), SECTIONS, n=2, cutoff=0.6)
            problems.append(Problem(Severity.ERROR, "extra_forbidden", f"unknown section {key!r}", file=display,
                                    line=line, column=column, field=str(key),
                                    hint=did_you_mean(close) or f"sections: {', '.join(SECTIONS)}"))
        elif key == "source":
            if value is not None and not isinstance(value, Mapping | str):
                line, column = doc.position((key,))
                problems.append(Problem(Severity.ERROR, "mapping_type", "source must be a mapping (or the id of a "
                                        f"source declared elsewhere), not {_kind_of(value)}", file=display,
                                        line=line, column=column, field="source"))
                return EntryDoc(file, display, doc, None, {})
            source = value
        elif value is not None and not isinstance(value, list):
            line, column = doc.position((key,))
            problems.append(Problem(Severity.ERROR, "list_type", f"section {key!r} must be a list, not "
                                    f"{_kind_of(value)}", file=display, line=line, column=column, field=key,
                                    hint="write each entry on its own line starting with '- '"))
        else:
            sections[key] = value or []
    if source is None:
        line, column = doc.position(("source",), key=True) if "source" in doc.data else (1, 1)
        problems.append(Problem(Severity.ERROR, "missing", "the file has no source: section", file=display,
                                line=line, column=column, field="source",
                                hint="source: {id: …, title: …, url: …, year: …}"))
    return EntryDoc(file, display, doc, source, sections)


def _parts_of(entry: EntryDoc, table: Table, items: Sequence[Any], section: str,
              problems: list[Problem]) -> Part:
    doc = entry.doc

    def texts(i: int, name: str) -> str | None:
        return doc.texts.get((section, i, name) if section != "source" else (section, name))

    raw, issues, indices = records_table(table, items, texts)
    origin = Origin(entry.file, entry.display, doc, section, indices)
    position = {index: row for row, index in enumerate(indices)}
    reported: dict[str, np.ndarray] = {}
    for issue in issues:
        if issue.field is not None and issue.index in position:
            reported.setdefault(issue.field, np.zeros(len(indices), dtype=bool))[position[issue.index]] = True
        path: tuple[str | int, ...] = (section,) if section == "source" else (section, issue.index)
        path = (*path, issue.field) if issue.field else path
        line, column = doc.position(path, key=issue.code == "extra_forbidden")
        problems.append(Problem(Severity.ERROR, issue.code, issue.message, file=entry.display, line=line,
                                column=column, field=field_path(path), hint=issue.hint))
    return Part(table, raw, origin, reported=reported)


# --------------------------------------------------------------------------- bulk files


def read_bulk(path: Path | str) -> pa.Table:
    """Records from a Parquet, CSV or Arrow/Feather file; FormatError if it cannot be read.

    Text columns of Parquet files are read dictionary-encoded (ids repeat). CSV columns are
    all read as text (a CSV file has no types; guessing them would turn one stray cell into an
    error about the whole column) and empty cells are missing values.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in BULK_SUFFIXES:
        raise UsageError(f"{path.name}: bulk inputs are {', '.join(BULK_SUFFIXES)} files")
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            strings = [f.name for f in pq.read_schema(path) if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
            table = pq.ParquetFile(path, read_dictionary=strings).read()
            pa.default_memory_pool().release_unused()  # the reader's buffers, before validation needs memory
            return table
        if suffix == ".csv":
            import csv

            import pyarrow.csv as pacsv

            with open(path, encoding="utf-8-sig", newline="") as handle:
                csv.field_size_limit(1 << 30)
                header = next(csv.reader(handle), [])
            # Columns no record has are only reported by name: parse the others (a file may have
            # thousands of stray columns), and keep the stray ones as empty columns of the same name.
            wanted = header if len(set(header)) < len(header) else [n for n in header if n in _RECORD_COLUMNS]
            parsed = wanted or header[:1]  # one column at least, to count the rows (none would mean all)
            convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in parsed}, include_columns=parsed,
                                           null_values=[""], strings_can_be_null=True)
            read = pacsv.ReadOptions(block_size=1 << 24)
            table = pacsv.read_csv(path, read_options=read, convert_options=convert)
            if len(wanted) == len(header):
                return table
            return pa.table({name: table[name] if name in wanted else pa.nulls(table.num_rows) for name in header})
        import pyarrow.feather as feather

        return feather.read_table(path)
    except (pa.ArrowException, OSError, UnicodeDecodeError, ValueError) as exc:
        raise FormatError(f"cannot read {path.name} as {suffix[1:]}: {_one_line(exc)} (is the file complete?)") from None
    except Exception as exc:  # csv.Error and the like: the file is not what its name says
        raise FormatError(f"cannot read {path.name} as {suffix[1:]}: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def bulk_kind(path: Path | str, table: pa.Table, kind: str | None = None) -> str:
    """The record kind of a bulk file: given, from its metadata, or from its name."""
    if kind is not None:
        if kind not in RECORDS:
            raise UsageError(f"unknown record kind {kind!r}; kinds: {', '.join(RECORDS)}")
        return kind
    meta: str = (table.schema.metadata or {}).get(b"benchtables.table", b"").decode("utf-8", "replace")
    if meta in RECORDS:
        return meta
    name = Path(path).name.lower()
    for candidate in RECORDS:
        if name.startswith(candidate):
            return candidate
    if name.startswith(("model", "source")):
        raise UsageError(f"{Path(path).name}: bulk files hold records ({', '.join(RECORDS)}); "
                         "declare models and sources in an entry file (YAML)")
    raise UsageError(f"{Path(path).name}: say which records it holds: name it scores-{Path(path).stem}{Path(path).suffix} "
                     f"(or training-, utilization-, sampling-…), or pass --kind to validate")


def _one_line_per_row(path: Path, rows: int) -> bool:
    """Whether a CSV file is a header line and one line per row (no quoted line breaks), so that
    row N is line N + 1 — which GitHub annotations need to point at the row."""
    newlines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    return newlines + (last != b"\n") == rows + 1


# --------------------------------------------------------------------------- finding and reading files


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _refusal(path: Path, root: Path | None) -> str | None:
    """Why a file is not read: it is not a regular file, or it is inside the project but resolves outside."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if root is not None:
        real_root = root.resolve()
        inside = _inside(path.absolute(), root.absolute()) or _inside(path.absolute(), real_root)
        if inside and not _inside(path.resolve(), real_root):
            return "it links to a file outside the project, which is not read"
    return None


def discover(paths: Iterable[Path | str], root: Path | None = None) -> tuple[list[Path], list[Path], list[Problem]]:
    """Entry files and bulk files among ``paths`` (directories searched), and files refused."""
    entries: list[Path] = []
    bulk: list[Path] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        candidates = sorted(f for f in p.rglob("*") if f.suffix.lower() in (*ENTRY_SUFFIXES, *BULK_SUFFIXES)
                            and not f.is_dir()) if p.is_dir() else [p]
        for f in candidates:
            reason = _refusal(f, root)
            if reason is not None:
                problems.append(Problem(Severity.ERROR, "file_refused", reason, file=display_path(f),
                                        hint="entry files are regular files inside the project"))
                continue
            (bulk if f.suffix.lower() in BULK_SUFFIXES else entries).append(f)
    return entries, bulk, problems


@dataclass
class Inputs:
    """What a run reads: tables of declarations and records, and what the readers found."""

    entries: list[EntryDoc] = field(default_factory=list)
    sources: list[Part] = field(default_factory=list)
    models: list[Part] = field(default_factory=list)
    records: list[Part] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Files read, as the store names them.
    files: list[str] = field(default_factory=list)
    checked: int = 0


def read_inputs(paths: Iterable[Path | str], *, name_file: Callable[[Path], str], root: Path | None = None,
                kind: str | None = None) -> Inputs:
    """Step 1: read entry files and bulk files (directories searched) into raw tables.

    Args:
        paths: files or directories.
        name_file: ``path -> str`` naming files the way the store does (project-relative).
        root: the project root; files under it that resolve outside it are refused.
        kind: the record kind of every bulk file (default: from metadata or file name).
    """
    inputs = Inputs()
    entry_paths, bulk_paths, refused = discover(paths, root)
    inputs.problems.extend(refused)
    inputs.checked += len(refused)
    for path in entry_paths:
        inputs.checked += 1
        file = name_file(path)
        inputs.files.append(file)
        entry = _read_entry_file(path, file, inputs.problems)
        if entry is None:
            continue
        inputs.entries.append(entry)
        if isinstance(entry.source, Mapping):
            inputs.sources.append(_parts_of(entry, SOURCES, [entry.source], "source", inputs.problems))
        if entry.sections.get("models"):
            inputs.models.append(_parts_of(entry, MODELS, entry.sections["models"], "models", inputs.problems))
        for record_kind, table in RECORDS.items():
            items = entry.sections.get(record_kind)
            if items:
                inputs.records.append(_parts_of(entry, table, items, record_kind, inputs.problems))
    for path in bulk_paths:
        inputs.checked += 1
        file = name_file(path)
        inputs.files.append(file)
        shown = display_path(path)
        try:
            raw = read_bulk(path)
            record_kind = bulk_kind(path, raw, kind)
        except (FormatError, UsageError) as exc:
            inputs.problems.append(Problem(Severity.ERROR, "bulk_file", str(exc), file=shown))
            continue
        csv_lines = path.suffix.lower() == ".csv" and raw.num_rows > 0 and _one_line_per_row(path, raw.num_rows)
        if raw.num_rows == 0:
            inputs.problems.append(Problem(Severity.WARNING, "empty_file", "the file has no rows", file=shown))
        inputs.records.append(Part(RECORDS[record_kind], raw, Origin(file, shown, csv_lines=csv_lines)))
    return inputs


def declarations_of(table_name: str) -> Table:
    return DECLARATIONS[table_name]
