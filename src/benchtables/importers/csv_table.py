"""CSV files with a column mapping → records.

A mapping says which column holds which field, possibly a list of columns (the first
non-empty one wins), constant fields (``benchmark: mmlu``), and where the numbers come from:
one fixed source, or a source per row from title/URL columns. It is given as options
(``--kind``, ``--map FIELD=COLUMN``, ``--set FIELD=VALUE``), as a YAML file (``--mapping``),
or by name (``--preset epoch-benchmark``, ``--preset benchtables``; the files are in
``benchtables/importers/presets``). A mapping that names a column the file lacks is an
error that lists the columns it has; values such as ``—`` or ``N/A`` are skipped and counted;
exact duplicate rows are skipped and counted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError, UsageError
from benchtables.importers.common import Importer, slug
from benchtables.schemas import RECORD_KINDS, quantity_fields
from benchtables.units import Kind
from benchtables.yamlpos import parse_yaml, read_yaml

__all__ = ["CsvMapping", "import_csv", "load_mapping", "read_csv"]

PRESETS = ("benchtables", "epoch-benchmark", "epoch-models")
_META = {"source", "source_title", "source_url", "source_year", "file", "first_party", "qualifiers"}


@dataclass
class CsvMapping:
    kind: str = "scores"
    columns: dict[str, list[str]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    id_column: str | None = None
    benchmark_from_filename: str | None = None
    native: bool = False


def load_mapping(preset: str | None = None, mapping_file: Path | None = None, kind: str | None = None,
                 columns: Mapping[str, str] | None = None, constants: Mapping[str, str] | None = None) -> CsvMapping:
    """A mapping from a preset, a YAML file and options (later ones add to earlier ones)."""
    data: dict[str, Any] = {}
    if preset:
        if preset not in PRESETS or preset == "epoch-models":
            raise UsageError(f"unknown CSV preset {preset!r}; presets: {', '.join(PRESETS)}")
        text = resources.files("benchtables.importers").joinpath(f"presets/{preset}.yaml").read_text(encoding="utf-8")
        doc, problems = parse_yaml(text, f"{preset}.yaml")
        data = dict(doc.data)
    if mapping_file is not None:
        doc, problems = read_yaml(mapping_file)
        if doc is None or problems or not isinstance(doc.data, dict):
            raise UsageError(f"cannot read the mapping file {mapping_file}: "
                             + (problems[0].format() if problems else "it is not a mapping"))
        unknown = set(doc.data) - {"kind", "columns", "set", "source", "id_column", "benchmark_from_filename", "native"}
        if unknown:
            raise UsageError(f"{mapping_file}: unknown key {sorted(unknown)[0]!r}; keys: kind, columns, set, source, "
                             "id_column, benchmark_from_filename")
        data.update(doc.data)
    mapping = CsvMapping(
        kind=kind or data.get("kind") or "scores",
        columns={k: v if isinstance(v, list) else [v] for k, v in (data.get("columns") or {}).items()},
        constants=dict(data.get("set") or {}),
        source=dict(data.get("source") or {}),
        id_column=data.get("id_column"),
        benchmark_from_filename=data.get("benchmark_from_filename"),
        native=bool(data.get("native")),
    )
    mapping.columns.update({k: [v] for k, v in (columns or {}).items()})
    mapping.constants.update(constants or {})
    if mapping.kind not in RECORD_KINDS:
        raise UsageError(f"--kind must be one of {', '.join(RECORD_KINDS)}, not {mapping.kind!r}")
    fields = RECORD_KINDS[mapping.kind].model_fields
    for name in (*mapping.columns, *mapping.constants):
        if name not in fields:
            raise UsageError(f"{name!r} is not a field of {mapping.kind} records; fields: {', '.join(fields)}")
    return mapping


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file (UTF-8, with or without a byte-order mark)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except UnicodeDecodeError:
        raise FormatError(f"{path.name} is not UTF-8") from None
    except csv.Error as exc:
        raise FormatError(f"{path.name} is not a readable CSV file: {exc}") from None


def _check_columns(mapping: CsvMapping, header: list[str], file: str) -> None:
    """Every mapped column must exist; of a field's alternatives (``value: [EM, Accuracy]``), one."""
    for cols in mapping.columns.values():
        if not any(c in header for c in cols):
            wanted = " or ".join(repr(c) for c in cols)
            raise FormatError(f"{file} has no column {wanted}; its columns are: {', '.join(header)}")
    wanted = [mapping.source[k] for k in ("id_column", "title_column", "url_column", "year_column") if k in mapping.source]
    wanted += [mapping.id_column] if mapping.id_column else []
    missing = [c for c in wanted if c not in header]
    if missing:
        raise FormatError(f"{file} has no column {missing[0]!r}; its columns are: {', '.join(header)}")


def _convert(importer: Importer, cls: Any, name: str, raw: str) -> Any:
    spec = quantity_fields(cls).get(name)
    annotation = str(cls.model_fields[name].annotation)
    if spec is not None:
        return importer.number(raw, spec.kind)
    if "int" in annotation:
        text = raw.strip()
        if not text:
            return None
        digits = re.match(r"^(\d+)(?:\.0+)?(?:[\s-]*shots?)?$", text, re.IGNORECASE)
        if not digits:
            importer.skip(f"{name} left empty, not a whole number: {text[:20]!r}")
            return None
        return int(digits.group(1))
    if "bool" in annotation:
        return raw.strip().casefold() in {"true", "yes", "1", "y"}
    if name == "value" or "float" in annotation:
        return importer.number(raw, Kind.NUMBER)
    return raw.strip() or None


def _source_for(importer: Importer, mapping: CsvMapping, row: dict[str, str], source_id: str | None,
                source_url: str | None, file: str) -> Any:
    spec = mapping.source
    if source_id or not any(k in spec for k in ("id_column", "title_column")):
        title = spec.get("title") or f"Imported from {file}"
        return importer.source(source_id or spec.get("id") or slug(title), title, url=source_url or spec.get("url"),
                               year=spec.get("year"), kind=spec.get("kind"))
    title = row.get(spec.get("title_column", ""), "").strip() or row.get(spec.get("id_column", ""), "").strip()
    url = row.get(spec.get("url_column", ""), "").strip() or None
    url = url if url and re.match(r"^https?://\S+$", url) else None
    year_text = row.get(spec.get("year_column", ""), "").strip()
    year = int(float(year_text)) if re.match(r"^\d{4}(\.0)?$", year_text) else None
    arxiv = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{2})(\d{2})\.\d{4,5}", url or "")
    if year is None and arxiv:
        year = 2000 + int(arxiv.group(1))
    id_ = row.get(spec.get("id_column", ""), "").strip() or (f"arxiv-{arxiv.group(0).split('/')[-1]}" if arxiv else title)
    return importer.source(id_ or "unnamed", title or id_ or "Unnamed source", url=url, year=year)


def import_csv(importer: Importer, path: Path, mapping: CsvMapping, *, source_id: str | None, source_url: str | None,
               model: str | None) -> None:
    file = path.name
    header, rows = read_csv(path)
    if mapping.native:
        mapping.columns = {f: [f] for f in RECORD_KINDS[mapping.kind].model_fields if f in header and f not in _META}
    _check_columns(mapping, header, file)
    # of a field's alternatives the file's first column is used (a file keeps one metric per
    # field); a model may be named in several columns, row by row
    columns = {f: cols if f == "model" else [next(c for c in cols if c in header)] for f, cols in mapping.columns.items()}
    cls = RECORD_KINDS[mapping.kind]
    constants = dict(mapping.constants)
    if mapping.benchmark_from_filename and "benchmark" not in constants and "benchmark" not in mapping.columns:
        m = re.search(mapping.benchmark_from_filename, file)
        if m:
            constants["benchmark"] = m.group("benchmark")
    if mapping.kind == "scores" and "benchmark" not in constants and "benchmark" not in mapping.columns:
        raise UsageError(f"say which benchmark {file} holds: --set benchmark=ID or --map benchmark=COLUMN")
    seen: set[tuple[tuple[str, str], ...]] = set()
    table: list[tuple[dict[str, Any], str]] = []
    for n, row in enumerate(rows, start=1):
        fingerprint = tuple(sorted((k, v) for k, v in row.items() if k != mapping.id_column))
        if fingerprint in seen:
            importer.skip("duplicate row")
            continue
        seen.add(fingerprint)
        record: dict[str, Any] = {}
        for name, value in constants.items():  # --set n_shot=5 is the number 5, as a column's text would be
            record[name] = _convert(importer, cls, name, str(value)) if name in cls.model_fields and name != "model" \
                else value
        for name, names_in in columns.items():
            if name == "model":  # the first name a known model has, else the first given
                names = [row[c].strip() for c in names_in if (row.get(c) or "").strip()]
                record[name] = next((m for m in names if importer.known_model(m)), names[0] if names else None)
                continue
            raw = row.get(names_in[0]) or ""
            record[name] = _convert(importer, cls, name, raw)
        name = model or record.pop("model", None)
        where = f"{file}: row {n}" + (f" (id {row[mapping.id_column]})" if mapping.id_column else "")
        if not name:
            importer.skip("row without a model")
            continue
        numbers = [f for f in cls.model_fields if f in quantity_fields(cls) or f == "value"]
        if mapping.kind == "scores" and record.get("value") is None:
            continue  # blank or unreadable value: counted by number()
        if all(record.get(f) is None for f in numbers):
            importer.skip("row without any number")
            continue
        benchmark = record.get("benchmark")
        if mapping.kind == "scores" and benchmark:
            resolved = importer.registry.benchmark_index.resolve(str(benchmark))
            if resolved is None:
                importer.result.unknown[str(benchmark)] += 1
                continue
            record["benchmark"] = resolved
        record["where"] = record.get("where") or where
        stored = {"model": importer.model(str(name), file), **record}
        _source_for(importer, mapping, row, source_id, source_url, file).records[mapping.kind].append(stored)
        if mapping.kind == "scores":
            table.append((stored, stored.get("metric") or importer.registry.benchmarks[stored["benchmark"]].primary))
    importer.rescale(table, file)
