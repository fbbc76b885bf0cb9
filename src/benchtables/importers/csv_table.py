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

from benchtables.arrays import FALSE, array_of, numpy_of, strings
from benchtables.errors import FormatError, UsageError
from benchtables.importers.common import Importer, ModelRef, Percent, slug
from benchtables.kinds import RECORDS
from benchtables.spec import Flag, Number
from benchtables.validation.keys import key_hashes, repeated_keys, table_keys
from benchtables.validation.records import FALSE_WORDS, TRUE_WORDS
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


def _distinct(array: pa.Array) -> tuple[list[Any], np.ndarray]:
    """The distinct values of a column and each row's index among them (-1 for a null)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    codes = numpy_of(encoded.indices).astype(np.float64)
    return encoded.dictionary.to_pylist(), np.where(np.isnan(codes), -1, codes).astype(np.int64)


def _per_distinct(array: pa.Array, convert: Any, dtype: Any = object) -> np.ndarray:
    """``convert`` of every value as a numpy array, called once per distinct value (and once for null)."""
    values, codes = _distinct(array)
    lookup: np.ndarray = np.array([convert(v) for v in values] + [convert(None)], dtype=dtype)
    picked: np.ndarray = lookup[codes]
    return picked


def _numbers(importer: Importer, array: pa.Array, kind: Any) -> tuple[np.ndarray, np.ndarray]:
    """(values, written with %) of a text column: plain numbers by Arrow, the rest once per distinct cell."""
    n = len(array)
    values = np.full(n, np.nan)
    percent = np.zeros(n, dtype=bool)
    plain = numpy_of(pc.fill_null(pc.match_substring_regex(array, _PLAIN), FALSE)) if n else np.zeros(0, bool)
    at = np.flatnonzero(plain)
    if len(at):
        values[at] = numpy_of(pc.cast(array.take(array_of(at)), pa.float64()))
    rest = np.flatnonzero(~plain & numpy_of(array.is_valid())) if n else np.zeros(0, np.int64)
    if len(rest):
        sub = array.take(array_of(rest))
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

    return _per_distinct(array, convert, float)


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
    """One table's records, a column at a time: Python only for each distinct name and word."""
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
    constants = dict(mapping.constants)
    if mapping.benchmark_from_filename and "benchmark" not in constants and "benchmark" not in mapping.columns:
        m = re.search(mapping.benchmark_from_filename, file)
        if m:
            constants["benchmark"] = m.group("benchmark")
    if mapping.kind == "scores" and "benchmark" not in constants and "benchmark" not in mapping.columns:
        raise UsageError(f"say which benchmark {file} holds: --set benchmark=ID or --map benchmark=COLUMN")
    columns, percent_marks = _field_columns(importer, table, mapping, spec, constants)
    ids, named_shots, named_settings = _models(importer, table, mapping, model, file, keep)
    keep &= numpy_of(ids.is_valid())
    if mapping.kind == "scores":
        keep &= ~np.isnan(numpy_of(columns["value"])) if "value" in columns else np.zeros(n, dtype=bool)
        columns["benchmark"] = _benchmarks(importer, columns["benchmark"], keep)
        keep &= numpy_of(columns["benchmark"].is_valid())
    else:
        anything = np.zeros(n, dtype=bool)
        for name, column in columns.items():
            if isinstance(spec[name].type, Number):
                anything |= numpy_of(column.is_valid())
        if (~anything & keep).any():
            importer.skip("row without any number", int((~anything & keep).sum()))
        keep &= anything
    rows = pa.array(np.flatnonzero(keep), pa.int64())
    records: dict[str, pa.Array] = {"model": ids.take(rows)}
    records.update({name: column.take(rows) for name, column in columns.items()})
    if "n_shot" in spec.names and pc.any(named_shots.is_valid()).as_py():  # "GPT-4 (8-shot)": the name's n-shot
        records["n_shot"] = pc.coalesce(records["n_shot"], named_shots.take(rows)) if "n_shot" in records \
            else named_shots.take(rows)
    if "setting" in spec.names and pc.any(named_settings.is_valid()).as_py():
        records["setting"] = _joined_settings(records.get("setting"), named_settings.take(rows))
    records["where"] = _where(records.get("where"), table, mapping.id_column, numpy_of(rows), file, value_column)
    assembled = pa.table(records)
    if mapping.kind == "scores":
        signs = percent_marks.get("value", np.zeros(n, dtype=bool))
        assembled = _rescale(importer, _metrics(importer, assembled, file), signs[keep], file)
    drafts, codes = _sources(importer, mapping, table, source_id, source_url, file)
    kept_codes = codes[keep]
    for code, draft in enumerate(drafts):
        at = np.flatnonzero(kept_codes == code)
        if len(at):
            importer.add_table(draft, mapping.kind, assembled if len(at) == assembled.num_rows else
                               assembled.take(pa.array(at, pa.int64())))


def _flag(importer: Importer, name: str, text: str | None) -> int:
    """1 for a yes, 0 for a no, -1 for nothing — and for a word that is neither (left empty, counted)."""
    if text is None:
        return -1
    word = text.strip().casefold()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return int(word in TRUE_WORDS)
    importer.skip(f"{name} left empty, not yes or no: {text.strip()[:20]!r}")
    return -1


def _field_columns(importer: Importer, table: pa.Table, mapping: CsvMapping, spec: Any,
                   constants: Mapping[str, Any]) -> tuple[dict[str, pa.Array], dict[str, np.ndarray]]:
    """Each mapped or constant field as an Arrow column of its type, and which cells were written with %."""
    header, n = table.column_names, table.num_rows
    columns: dict[str, pa.Array] = {}
    percent_marks: dict[str, np.ndarray] = {}
    for name, candidates in mapping.columns.items():
        if name == "model":
            continue
        column = _text(table, next(c for c in candidates if c in header))
        field_type = spec[name].type
        if isinstance(field_type, Number) and field_type.integer:
            whole = _whole(importer, name, column)
            columns[name] = array_of(np.where(np.isnan(whole), 0, whole).astype(np.int64), np.isnan(whole))
        elif isinstance(field_type, Number):
            values, percent_marks[name] = _numbers(importer, column, field_type.quantity or _kind_number())
            columns[name] = array_of(values, np.isnan(values))
        elif isinstance(field_type, Flag):
            flags = _per_distinct(column, lambda v, name=name: _flag(importer, name, v), int)
            columns[name] = array_of(flags == 1, flags < 0)
        else:
            columns[name] = column
    for name, value in constants.items():
        converted = _constant_value(importer, spec, name, value) if name in spec and name != "model" else value
        field_type = spec[name].type if name in spec else None
        kind = pa.int64() if isinstance(field_type, Number) and field_type.integer else pa.float64() \
            if isinstance(field_type, Number) else pa.bool_() if isinstance(field_type, Flag) else pa.string()
        columns[name] = pa.repeat(pa.scalar(converted, kind), n) if converted is not None else pa.nulls(n, kind)
    return columns, percent_marks


def _models(importer: Importer, table: pa.Table, mapping: CsvMapping, model: str | None, file: str,
            keep: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Each row's model id (null where none or refused), and the n-shot and setting its name carried.

    Of several name columns, the first naming a known model wins, else the first given; names
    resolve once each (:meth:`Importer.model`).
    """
    n = table.num_rows
    names: list[str] = []
    chosen = np.full(n, -1, dtype=np.int64)
    first = np.full(n, -1, dtype=np.int64)  # the first name column the row fills
    chosen_known = np.zeros(n, dtype=bool)
    for column_name in ([] if model else mapping.columns.get("model", [])):
        if column_name not in table.column_names:
            continue
        values, codes = _distinct(_text(table, column_name))
        known = np.array([bool(v) and importer.known_model(v) is not None for v in values] + [False], dtype=bool)
        given = np.array([bool(v) for v in values] + [False], dtype=bool)
        here = np.where(codes >= 0, codes + len(names), -1)
        better = (given[codes] & (chosen < 0)) | (known[codes] & ~chosen_known)
        chosen = np.where(better, here, chosen)
        first = np.where((first < 0) & given[codes], here, first)
        chosen_known |= known[codes]
        names += values
    chosen = _keep_the_variant(importer, names, first, chosen, keep, file)
    if model:
        names, chosen = [model], np.zeros(n, dtype=np.int64)
    if ((chosen < 0) & keep).any():
        importer.skip("row without a model", int(((chosen < 0) & keep).sum()))
    refs: list[ModelRef | None] = []
    wanted = set(np.unique(chosen[keep & (chosen >= 0)]).tolist())
    for i, name in enumerate(names):
        ref = None
        if i in wanted:
            try:
                ref = importer.model(str(name), file)
            except FormatError as exc:
                importer.skip(str(exc).split(":")[0], int(((chosen == i) & keep).sum()))
        refs.append(ref)
    refs.append(None)  # the last: rows without a name
    at = pa.array(np.where(chosen < 0, len(refs) - 1, chosen), pa.int64())
    ids = strings([r.id if r else None for r in refs]).take(at)
    shots = pa.array([r.n_shot if r else None for r in refs], pa.int64()).take(at)
    settings = strings([r.setting if r else None for r in refs]).take(at)
    return ids, shots, settings


def _name_words(name: str) -> set[str]:
    """``Mistral-7B-Instruct-v0.2`` → {mistral, 7b, instruct, v0.2}: the words a model name is made of."""
    return set(re.findall(r"[a-z0-9]+(?:\.[0-9]+)*", name.casefold()))


def _keep_the_variant(importer: Importer, names: list[str], first: np.ndarray, chosen: np.ndarray,
                      keep: np.ndarray, file: str) -> np.ndarray:
    """Rows whose first name column names more than the known model a later column matched
    (``Model version`` Mistral-7B-Instruct-v0.2 beside ``Name`` Mistral 7B) keep the first name:
    an instruct or versioned variant is a model of its own, never filed under its base. Said once
    per pair of names."""
    later = (first >= 0) & (chosen != first) & keep
    if not later.any():
        return chosen
    pairs = np.unique(np.stack([first[later], chosen[later]], axis=1), axis=0)
    out = chosen.copy()
    for a, b in pairs.tolist():
        matched = names[b]
        known = importer.known_model(matched) or ""
        extra = _name_words(names[a]) - _name_words(matched) - _name_words(known)
        if not extra:
            continue  # the same model written two ways (Chinchilla (70B), Chinchilla 70B)
        rows = later & (first == a) & (chosen == b)
        out[rows] = a
        importer.warn("model_names_disagree", f"{names[a]!r} names more than {matched!r} ({', '.join(sorted(extra))}), "
                      f"which is the known model {known!r}: {int(rows.sum())} row(s) filed under {names[a]!r}, a "
                      "model of its own", file, hint=f"if it is {known}, declare {names[a]!r} as its alias")
    return out


def _benchmarks(importer: Importer, names: pa.Array, keep: np.ndarray) -> pa.Array:
    """Benchmark ids for names (null where none: listed as unknown with the rows they hold)."""
    values, codes = _distinct(names)
    resolved = [importer.benchmark(str(v)) if v else None for v in values]
    for i, value in enumerate(values):
        if resolved[i] is None:
            count = int(((codes == i) & keep).sum())
            if count:
                importer.unknown(str(value), count)
    return strings([*resolved, None]).take(pa.array(np.where(codes < 0, len(values), codes), pa.int64()))


def _joined_settings(given: pa.Array | None, named: pa.Array) -> pa.Array:
    """The file's setting and the one a model's name carried, as one sorted comma list."""
    stated = given.to_pylist() if given is not None else [None] * len(named)
    return strings([",".join(sorted({p for p in (s or "").split(",") if p} | ({m} if m else set()))) or None
                    for s, m in zip(stated, named.to_pylist(), strict=True)])


def _where(given: pa.Array | None, table: pa.Table, id_column: str | None, rows: np.ndarray, file: str,
           value_column: str | None) -> pa.Array:
    """Each record's ``where``: as the file gives it, else ``file: row N (id X), column 'C'`` (vectorised)."""
    numbers = pc.cast(pa.array(rows + 1, pa.int64()), pa.string())
    parts: list[Any] = [pa.scalar(f"{file}: row "), numbers]
    if id_column:
        parts += [pa.scalar(" (id "), _text(table, id_column).take(pa.array(rows, pa.int64())), pa.scalar(")")]
    if value_column:
        parts.append(pa.scalar(f", column {value_column!r}"))
    made = pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement="")
    return made if given is None else pc.coalesce(given, made)


def _metrics(importer: Importer, records: pa.Table, file: str) -> pa.Table:
    """Every record with its metric: a benchmark's primary where the file names none, said once per
    benchmark that has other metrics (importers always write the metric)."""
    registry = importer.registry
    given = records["metric"] if "metric" in records.column_names else pa.nulls(records.num_rows, pa.string())
    missing = numpy_of(given.is_null())
    if not missing.any():
        return records
    benchmarks, codes = _distinct(records["benchmark"])
    primaries = strings([registry.benchmarks[b].primary for b in benchmarks])
    filled = pc.coalesce(given, primaries.take(pa.array(codes, pa.int64())))
    for code in np.unique(codes[missing]).tolist():
        benchmark = registry.benchmarks[benchmarks[code]]
        if len(benchmark.metrics) > 1:
            importer.warn("metric_defaulted", f"the file names no metric for {benchmark.name}: imported as its primary "
                          f"metric {benchmark.primary}", file, None,
                          f"its other metrics: {', '.join(m for m in benchmark.metrics if m != benchmark.primary)}; "
                          "map the column that says which (--map metric=…) or --set metric=…")
    if "metric" in records.column_names:
        return records.set_column(records.schema.get_field_index("metric"), "metric", filled)
    return records.append_column("metric", filled)


def _rescale(importer: Importer, records: pa.Table, percent_sign: np.ndarray, file: str) -> pa.Table:
    """Percent metrics on the 0–100 scale, decided per benchmark and metric of the table (one warning each).

    Values all at most 1 are fractions and are converted (stderr and interval too); a value at most
    1 among larger ones is a small percent and is kept. A value written with ``%`` is never rescaled.
    """
    if not records.num_rows:
        return records
    registry = importer.registry
    pairs, codes = _distinct(pc.binary_join_element_wise(records["benchmark"], records["metric"], "\x1f"))
    values = numpy_of(records["value"])
    scale = np.ones(records.num_rows)
    for code, pair in enumerate(pairs):
        benchmark_id, metric_id = pair.split("\x1f")
        definition = registry.metrics.get(metric_id)
        if definition is None or not definition.is_percent:
            continue
        at = np.flatnonzero((codes == code) & ~percent_sign)
        if not len(at):
            continue
        name = f"{registry.benchmarks[benchmark_id].name} {definition.name}"
        where = records["where"][int(at[0])].as_py()
        small = (values[at] > 0) & (values[at] <= 1)
        if (np.abs(values[at]) <= 1).all() and (values[at] != 0).any():
            scale[at] = 100.0
            importer.warn("fraction_as_percent", f"{len(at)} {name} value{'s' if len(at) != 1 else ''} of this table "
                          "are at most 1: fractions of a percentage, imported ×100", file, where,
                          "check the source's scale")
        elif small.any():
            importer.warn("small_percent", f"{int(small.sum())} {name} value{'s' if small.sum() != 1 else ''} at most 1 "
                          "among larger percents of this table: kept as percents", file, where,
                          "check the source's scale")
    if (scale == 1).all():
        return records
    for column in ("value", "stderr", "ci_low", "ci_high"):
        if column in records.column_names:
            scaled = numpy_of(records[column]) * scale
            scaled = np.where(np.isnan(scaled), scaled, np.round(scaled, 10))
            records = records.set_column(records.schema.get_field_index(column), column,
                                         array_of(scaled, np.isnan(scaled)))
    return records


def _sources(importer: Importer, mapping: CsvMapping, table: pa.Table, source_id: str | None, source_url: str | None,
             file: str) -> tuple[list[Any], np.ndarray]:
    """The sources of a table and each row's index among them: one fixed source, or one per
    distinct (title, URL, year, id) of the rows."""
    spec = mapping.source
    n = table.num_rows
    if source_id or not any(k in spec for k in ("id_column", "title_column")):
        title = spec.get("title") or f"Imported from {file}"
        source = importer.source(source_id or spec.get("id") or slug(title), title, url=source_url or spec.get("url"),
                                 year=spec.get("year"), kind=spec.get("kind"))
        return [source], np.zeros(n, dtype=np.int64)
    parts = [_text(table, spec[key]) if spec.get(key) in table.column_names else pa.nulls(n, pa.string())
             for key in ("title_column", "url_column", "year_column", "id_column")]
    keys = pc.binary_join_element_wise(*[pc.fill_null(p, "\x00") for p in parts], "\x1f")
    values, codes = _distinct(keys)
    drafts = []
    for value in values:
        title, url, year, id_text = (None if p == "\x00" else p for p in value.split("\x1f"))
        drafts.append(_source_of(importer, title, url, year, id_text))
    return drafts, codes


def _source_of(importer: Importer, title: str | None, url: str | None, year_text: str | None, id_text: str | None) -> Any:
    url = url if url and re.match(r"^https?://\S+$", url) else None
    year = int(float(year_text)) if year_text and re.match(r"^\d{4}(\.0)?$", year_text) else None
    arxiv = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{2})(\d{2})\.\d{4,5}", url or "")
    if year is None and arxiv:
        year = 2000 + int(arxiv.group(1))
    title = title or id_text
    id_ = id_text or (f"arxiv-{arxiv.group(0).split('/')[-1]}" if arxiv else title)
    return importer.source(id_ or "unnamed", title or id_ or "Unnamed source", url=url, year=year)
