"""CSV files with a column mapping → records, a column at a time.

A mapping says which column holds which field, possibly a list of columns (for ``model``, the
first naming a known model wins; for other fields the first the file has), constant fields
(``benchmark: mmlu``), and where the numbers come from: one fixed source, or a source per row
from title/URL columns. It is given as options (``--kind``, ``--map FIELD=COLUMN``,
``--set FIELD=VALUE``), as a YAML file (``--mapping``), or by name (``--preset
epoch-benchmark``, ``--preset benchtables``; the files are in ``benchtables/importers/presets``).

The file is read by Arrow and converted column by column: plain numbers by Arrow, and with
Python only the distinct cells that hold words (``77.0%``, ``—``, ``N/A``) and the distinct
model, benchmark and source names. A mapping that names a column the file lacks is an error
that lists the columns it has; blanks, dashes and N/A are skipped and counted; rows repeated
exactly are imported once and counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchtables.arrays import numpy_of
from benchtables.errors import FormatError, UsageError
from benchtables.importers.common import Importer, ModelRef, Percent, slug
from benchtables.kinds import RECORDS
from benchtables.spec import Flag, Number
from benchtables.validation.keys import key_hashes, repeated_keys, table_keys
from benchtables.yamlpos import parse_yaml, read_yaml

__all__ = ["CsvMapping", "import_csv", "import_csv_file", "load_mapping", "read_rows", "read_table"]

PRESETS = ("benchtables", "epoch-benchmark", "epoch-models")
_MAPPING_KEYS = ("kind", "columns", "set", "source", "id_column", "benchmark_from_filename", "benchmark_columns",
                 "native")
_META = {"source", "source_title", "source_url", "source_year", "file", "first_party", "qualifiers"}
_PLAIN = r"^\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$"


@dataclass
class CsvMapping:
    kind: str = "scores"
    columns: dict[str, list[str]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    id_column: str | None = None
    benchmark_from_filename: str | None = None
    #: column → benchmark, for files with a column of values per benchmark (ARC Challenge and Easy)
    benchmark_columns: dict[str, str] = field(default_factory=dict)
    native: bool = False


def load_mapping(preset: str | None = None, mapping_file: Path | None = None, kind: str | None = None,
                 columns: Mapping[str, str] | None = None, constants: Mapping[str, str] | None = None) -> CsvMapping:
    """A mapping from a preset, a YAML file and options (later ones add to earlier ones)."""
    data: dict[str, Any] = {}
    if preset:
        if preset not in PRESETS or preset == "epoch-models":
            raise UsageError(f"unknown CSV preset {preset!r}; presets: {', '.join(PRESETS)}")
        text = resources.files("benchtables.importers").joinpath(f"presets/{preset}.yaml").read_text(encoding="utf-8")
        doc, _ = parse_yaml(text, f"{preset}.yaml")
        data = dict(doc.data) if doc is not None else {}
    if mapping_file is not None:
        doc, problems = read_yaml(mapping_file)
        if doc is None or problems or not isinstance(doc.data, dict):
            raise UsageError(f"cannot read the mapping file {mapping_file}: "
                             + (problems[0].format() if problems else "it is not a mapping"))
        unknown = set(doc.data) - set(_MAPPING_KEYS)
        if unknown:
            raise UsageError(f"{mapping_file}: unknown key {sorted(unknown)[0]!r}; keys: {', '.join(_MAPPING_KEYS)}")
        data.update(doc.data)
    mapping = CsvMapping(
        kind=kind or data.get("kind") or "scores",
        columns={k: [str(c) for c in (v if isinstance(v, list) else [v])] for k, v in (data.get("columns") or {}).items()},
        constants=dict(data.get("set") or {}),
        source=dict(data.get("source") or {}),
        id_column=data.get("id_column"),
        benchmark_from_filename=data.get("benchmark_from_filename"),
        benchmark_columns={str(k): str(v) for k, v in (data.get("benchmark_columns") or {}).items()},
        native=bool(data.get("native")),
    )
    mapping.columns.update({k: [v] for k, v in (columns or {}).items()})
    mapping.constants.update(constants or {})
    if mapping.kind not in RECORDS:
        raise UsageError(f"--kind must be one of {', '.join(RECORDS)}, not {mapping.kind!r}")
    table = RECORDS[mapping.kind]
    for name in (*mapping.columns, *mapping.constants):
        if name not in table:
            raise UsageError(f"{name!r} is not a field of {mapping.kind} records; fields: {', '.join(table.names)}")
    return mapping


def read_table(path: Path) -> pa.Table:
    """A CSV file as text columns (UTF-8, with or without a byte-order mark; empty cells null)."""
    import pyarrow.csv as pacsv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            import csv

            csv.field_size_limit(1 << 30)
            header = next(csv.reader(handle), [])
        if len(set(header)) != len(header):
            dup = next(h for h in header if header.count(h) > 1)
            raise FormatError(f"{path.name} has two columns named {dup!r}")
        convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in header}, null_values=[""],
                                       strings_can_be_null=True)
        return pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 24), convert_options=convert)
    except UnicodeDecodeError:
        raise FormatError(f"{path.name} is not UTF-8") from None
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise FormatError(f"{path.name} is not a readable CSV file: {' '.join(str(exc).split())[:200]}") from None
    except Exception as exc:  # csv.Error
        raise FormatError(f"{path.name} is not a readable CSV file: {exc}") from None


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a small CSV file as text (for importers that read row by row)."""
    table = read_table(path)
    rows = table.to_pylist()
    return table.column_names, [{k: v if v is not None else "" for k, v in row.items()} for row in rows]


def _check_columns(mapping: CsvMapping, header: list[str], file: str) -> None:
    """Every mapped column must exist; of a field's alternatives (``value: [EM, Accuracy]``), one."""
    for cols in mapping.columns.values():
        if not any(c in header for c in cols):
            either = " or ".join(repr(c) for c in cols)
            raise FormatError(f"{file} has no column {either}; its columns are: {', '.join(header)}")
    wanted = [mapping.source[k] for k in ("id_column", "title_column", "url_column", "year_column") if k in mapping.source]
    wanted += [mapping.id_column] if mapping.id_column else []
    missing = [c for c in wanted if c not in header]
    if missing:
        raise FormatError(f"{file} has no column {missing[0]!r}; its columns are: {', '.join(header)}")


def _text(table: pa.Table, column: str) -> pa.Array:
    array = table[column].combine_chunks()
    return pc.utf8_trim_whitespace(array.cast(pa.string()))


def _per_distinct(array: pa.Array, convert: Any) -> list[Any]:
    """``convert`` of every value, called once per distinct value."""
    encoded = pc.dictionary_encode(array)
    lookup = [convert(v) for v in encoded.dictionary.to_pylist()] + [convert(None)]
    codes = numpy_of(pc.fill_null(encoded.indices, -1)).astype(np.int64)
    if encoded.indices.null_count:
        codes[~numpy_of(encoded.indices.is_valid())] = -1
    return [lookup[c] for c in codes.tolist()]


def _numbers(importer: Importer, array: pa.Array, kind: Any) -> tuple[np.ndarray, np.ndarray]:
    """(values, written with %) of a text column: plain numbers by Arrow, the rest once per distinct cell."""
    n = len(array)
    values = np.full(n, np.nan)
    percent = np.zeros(n, dtype=bool)
    plain = numpy_of(pc.fill_null(pc.match_substring_regex(array, _PLAIN), False)) if n else np.zeros(0, bool)
    at = np.flatnonzero(plain)
    if len(at):
        values[at] = numpy_of(pc.cast(array.take(pa.array(at)), pa.float64()))
    rest = np.flatnonzero(~plain & numpy_of(array.is_valid())) if n else np.zeros(0, np.int64)
    if len(rest):
        sub = array.take(pa.array(rest))
        converted = _per_distinct(sub, lambda v: None if v is None else importer.number(v, kind))
        for i, v in zip(rest.tolist(), converted, strict=True):
            if v is not None:
                values[i] = float(v)
                percent[i] = isinstance(v, Percent)
    return values, percent


def _whole(importer: Importer, name: str, array: pa.Array) -> np.ndarray:
    def convert(text: str | None) -> float:
        if text is None:
            return np.nan
        digits = re.match(r"^(\d+)(?:\.0+)?(?:[\s-]*shots?)?$", text, re.IGNORECASE)
        if not digits:
            importer.skip(f"{name} left empty, not a whole number: {text[:20]!r}")
            return np.nan
        return float(digits.group(1))

    return np.array(_per_distinct(array, convert), dtype=float)


def _constant_value(importer: Importer, table: Any, name: str, raw: Any) -> Any:
    """A --set value in its field's type (``n_shot=5`` is the number 5, as a column's text would be)."""
    spec = table[name].type
    text = str(raw)
    if isinstance(spec, Number):
        if spec.integer:
            found = _whole(importer, name, pa.array([text]))[0]
            return None if np.isnan(found) else int(found)
        value = importer.number(text, spec.quantity or Number().quantity or _kind_number())
        return value
    if isinstance(spec, Flag):
        return text.strip().casefold() in {"true", "yes", "1", "y"}
    return raw


def _kind_number() -> Any:
    from benchtables.units import Kind

    return Kind.NUMBER


def import_csv_file(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                    model: str | None, preset: str | None = None, mapping_file: Path | None = None,
                    kind: str | None = None, columns: Mapping[str, str] | None = None,
                    constants: Mapping[str, str] | None = None) -> None:
    """A CSV file by its mapping (or Epoch's notable-models file, ``--preset epoch-models``)."""
    if preset == "epoch-models":
        from benchtables.importers.epoch import import_epoch_models

        import_epoch_models(importer, path, source_id=source_id, source_url=source_url, model=model)
        return
    mapping = load_mapping(preset, mapping_file, kind, columns, constants)
    if not mapping.columns and not mapping.native:
        raise UsageError("say which column holds which field: --map FIELD=COLUMN (or --preset, --mapping)")
    import_csv(importer, path, mapping, source_id=source_id, source_url=source_url, model=model)


def import_csv(importer: Importer, path: Path, mapping: CsvMapping, *, source_id: str | None, source_url: str | None,
               model: str | None) -> None:
    """Records of one CSV file by its mapping; a file with a value column per benchmark, each in turn."""
    table = read_table(path)
    per_benchmark = {c: b for c, b in mapping.benchmark_columns.items() if c in table.column_names}
    if not per_benchmark:
        _import_table(importer, path.name, table, mapping, source_id=source_id, source_url=source_url, model=model)
    for column, benchmark in per_benchmark.items():
        one = replace(mapping, columns={**mapping.columns, "value": [column]},
                      constants={**mapping.constants, "benchmark": benchmark})
        _import_table(importer, path.name, table, one, source_id=source_id, source_url=source_url, model=model,
                      value_column=column)


def _import_table(importer: Importer, file: str, table: pa.Table, mapping: CsvMapping, *, source_id: str | None,
                  source_url: str | None, model: str | None, value_column: str | None = None) -> None:
    header = table.column_names
    if mapping.native:
        mapping.columns = {f: [f] for f in RECORDS[mapping.kind].names if f in header and f not in _META}
    _check_columns(mapping, header, file)
    spec = RECORDS[mapping.kind]
    n = table.num_rows
    # repeated rows (every cell alike but the id): imported once, counted
    others = [c for c in header if c != mapping.id_column]
    repeated = repeated_keys(key_hashes(table, others), np.ones(n, dtype=bool), table_keys(table, others)) >= 0 \
        if n > 1 else np.zeros(n, dtype=bool)
    if repeated.any():
        importer.skip("duplicate row", int(repeated.sum()))
    keep = ~repeated
    columns: dict[str, Any] = {}
    constants = dict(mapping.constants)
    if mapping.benchmark_from_filename and "benchmark" not in constants and "benchmark" not in mapping.columns:
        m = re.search(mapping.benchmark_from_filename, file)
        if m:
            constants["benchmark"] = m.group("benchmark")
    if mapping.kind == "scores" and "benchmark" not in constants and "benchmark" not in mapping.columns:
        raise UsageError(f"say which benchmark {file} holds: --set benchmark=ID or --map benchmark=COLUMN")
    percent_marks: dict[str, np.ndarray] = {}
    for name, candidates in mapping.columns.items():
        if name == "model":
            continue
        column = _text(table, next(c for c in candidates if c in header))
        field_type = spec[name].type
        if isinstance(field_type, Number) and field_type.integer:
            columns[name] = _whole(importer, name, column)
        elif isinstance(field_type, Number):
            values, marks = _numbers(importer, column, field_type.quantity or _kind_number())
            columns[name], percent_marks[name] = values, marks
        elif isinstance(field_type, Flag):
            columns[name] = np.array(_per_distinct(column, lambda v: None if v is None else
                                                   v.strip().casefold() in {"true", "yes", "1", "y"}), dtype=object)
        else:
            columns[name] = np.array(column.to_pylist(), dtype=object)
    for name, value in constants.items():
        converted = _constant_value(importer, spec, name, value) if name in spec and name != "model" else value
        columns[name] = np.full(n, converted, dtype=object)
    # the model of each row: the first of its name columns that names a known model, else the first given
    names = np.full(n, None, dtype=object)
    known_found = np.zeros(n, dtype=bool)
    for column_name in mapping.columns.get("model", []):
        if column_name not in header:
            continue
        column = _text(table, column_name)
        values = np.array(column.to_pylist(), dtype=object)
        known = np.array(_per_distinct(column, lambda v: bool(v) and importer.known_model(v) is not None), dtype=bool)
        take = ~known_found & known
        names[take] = values[take]
        fill = (names == None) & np.array([bool(v) for v in values])  # noqa: E711 - element-wise
        names[fill] = values[fill]
        known_found |= known
    if model:
        names[:] = model
    has_model = np.array([bool(v) for v in names])
    if (~has_model & keep).any():
        importer.skip("row without a model", int((~has_model & keep).sum()))
    keep &= has_model
    if mapping.kind == "scores":
        value = np.asarray(columns.get("value", np.full(n, np.nan)), dtype=float)
        keep &= ~np.isnan(value)  # blank or unreadable: counted by number()
    numbers = [f for f in columns if isinstance(spec[f].type, Number) and f in spec] if mapping.kind != "scores" else []
    if numbers:
        anything = np.zeros(n, dtype=bool)
        for f in numbers:
            anything |= ~np.isnan(np.asarray(columns[f], dtype=float))
        if (~anything & keep).any():
            importer.skip("row without any number", int((~anything & keep).sum()))
        keep &= anything
    refs: dict[str, ModelRef | None] = {}
    for name in set(names[keep].tolist()):
        try:
            refs[name] = importer.model(str(name), file)
        except FormatError as exc:
            importer.skip(str(exc).split(":")[0])
            refs[name] = None
    resolved_model = np.array([refs.get(v) if k else None for v, k in zip(names.tolist(), keep.tolist(), strict=True)],
                              dtype=object)
    keep &= np.array([r is not None for r in resolved_model])
    if mapping.kind == "scores":
        benchmarks = columns["benchmark"]
        resolved: dict[Any, str | None] = {}
        for name in set(benchmarks[keep].tolist()):
            resolved[name] = importer.benchmark(str(name)) if name else None
            if resolved[name] is None:
                importer.unknown(str(name), int(((benchmarks == name) & keep).sum()))
        columns["benchmark"] = np.array([resolved.get(b) for b in benchmarks.tolist()], dtype=object)
        keep &= np.array([b is not None for b in columns["benchmark"]])
    rows = np.flatnonzero(keep)
    ids = table[mapping.id_column].to_pylist() if mapping.id_column else None
    sources = _sources(importer, mapping, table, rows, source_id, source_url, file)
    group: list[tuple[dict[str, Any], str]] = []
    for row in rows.tolist():
        ref = resolved_model[row]
        record: dict[str, Any] = {"model": ref.id}
        for name, values in columns.items():
            value = values[row]
            if isinstance(value, float) and np.isnan(value):
                continue
            field_type = spec[name].type
            if isinstance(field_type, Number) and field_type.integer and value is not None:
                value = int(value)
            elif name in percent_marks and percent_marks[name][row]:
                value = Percent(value)
            record[name] = value.item() if hasattr(value, "item") else value
        record["where"] = record.get("where") or (f"{file}: row {row + 1}" + (f" (id {ids[row]})" if ids else "")
                                                  + (f", column {value_column!r}" if value_column else ""))
        source = sources[row]
        if importer.add(source, record, mapping.kind, model=ref, file=file) and mapping.kind == "scores":
            stored = source.records["scores"][-1]
            group.append((stored, stored.get("metric") or importer.registry.benchmarks[stored["benchmark"]].primary))
    importer.rescale(group, file)


def _sources(importer: Importer, mapping: CsvMapping, table: pa.Table, rows: np.ndarray, source_id: str | None,
             source_url: str | None, file: str) -> dict[int, Any]:
    """The source of each row: one fixed source, or one per distinct (title, URL, year) of the row."""
    spec = mapping.source
    if source_id or not any(k in spec for k in ("id_column", "title_column")):
        title = spec.get("title") or f"Imported from {file}"
        source = importer.source(source_id or spec.get("id") or slug(title), title, url=source_url or spec.get("url"),
                                 year=spec.get("year"), kind=spec.get("kind"))
        return {row: source for row in rows.tolist()}

    def column(key: str) -> list[Any]:
        name = spec.get(key)
        return _text(table, name).to_pylist() if name and name in table.column_names else [None] * table.num_rows

    titles, urls, years, ids = column("title_column"), column("url_column"), column("year_column"), column("id_column")
    drafts: dict[tuple[Any, ...], Any] = {}
    out = {}
    for row in rows.tolist():
        key = (titles[row], urls[row], years[row], ids[row])
        if key not in drafts:
            drafts[key] = _source_of(importer, *key)
        out[row] = drafts[key]
    return out


def _source_of(importer: Importer, title: str | None, url: str | None, year_text: str | None, id_text: str | None) -> Any:
    url = url if url and re.match(r"^https?://\S+$", url) else None
    year = int(float(year_text)) if year_text and re.match(r"^\d{4}(\.0)?$", year_text) else None
    arxiv = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{2})(\d{2})\.\d{4,5}", url or "")
    if year is None and arxiv:
        year = 2000 + int(arxiv.group(1))
    title = title or id_text
    id_ = id_text or (f"arxiv-{arxiv.group(0).split('/')[-1]}" if arxiv else title)
    return importer.source(id_ or "unnamed", title or id_ or "Unnamed source", url=url, year=year)
