"""Import results from the tools people already use, as entry files to review.

::

    result = import_files("lm-eval", ["results.json"])
    paths = write_entries(result, Path("data/entries"))

Formats: ``lm-eval`` (lm-evaluation-harness v0.3/v0.4 results JSON), ``model-index``
(Hugging Face model cards), ``paperswithcode`` (evaluation-tables JSON), ``helm`` (a run
directory), ``csv`` (any CSV with a column mapping; presets ``epoch-benchmark``,
``epoch-models`` and ``benchtables``). Nothing is written to the store: an import produces
entry files, one per source, that ``benchtables validate`` and ``build`` take unchanged.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchtables.entries import Known, discover
from benchtables.errors import UsageError
from benchtables.importers.common import ImportResult, Importer
from benchtables.project import find_project
from benchtables.registry import Registry
from benchtables.store import Store
from benchtables.yamlpos import read_yaml

__all__ = ["FORMATS", "ImportResult", "import_files", "write_entries"]

FORMATS = ("lm-eval", "model-index", "paperswithcode", "helm", "csv")


def _known(store: Path | str | Store | None, entries: Path | None) -> tuple[Known, dict[str, float]]:
    """Sources and models of the store and of the project's entry files; tokens per model."""
    opened = Store.open(store)
    known, tokens = Known(), {}
    if opened.path.is_dir():
        known = opened.known()
        for row in opened.table("training", ["model", "tokens"]).to_pylist():
            if row["tokens"] and row["model"] not in tokens:
                tokens[row["model"]] = row["tokens"]
    for path in discover([entries]) if entries is not None and entries.is_dir() else []:
        doc, _ = read_yaml(path)
        data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
        source = data.get("source")
        if isinstance(source, dict) and source.get("id"):
            known.sources.setdefault(str(source["id"]), source)
        for model in data.get("models") or []:
            if isinstance(model, dict) and model.get("id"):
                known.models.setdefault(str(model["id"]), model)
    return known, tokens


def import_files(fmt: str, paths: Sequence[Path | str], *, store: Path | str | Store | None = None,
                 registry: Registry | None = None, source_id: str | None = None, source_url: str | None = None,
                 model: str | None = None, preset: str | None = None, mapping_file: Path | None = None,
                 kind: str | None = None, columns: Mapping[str, str] | None = None,
                 constants: Mapping[str, str] | None = None) -> ImportResult:
    """Read files of ``fmt`` into records grouped by source, with warnings for what needs a look.

    Args:
        fmt: one of :data:`FORMATS`.
        paths: input files (a HELM run: its directory).
        store: whose models names resolve to (default: the current project's store).
        source_id, source_url: attribute every number to one source with this id and link.
        model: the model every number belongs to (for files that do not name it usably).
        preset, mapping_file, kind, columns, constants: the CSV column mapping.

    Raises:
        FormatError: a file is not in the format, or is truncated.
        UsageError: unknown format or preset, or a mapping that does not fit.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown import format {fmt!r}; formats: {', '.join(FORMATS)}")
    files = [Path(p) for p in paths]
    for p in files:
        if not p.exists():
            raise UsageError(f"no such file or directory: {p}")
    project = find_project()
    base = registry or Registry.shipped()
    registry, _ = base.extended(project.registry_file if project else None)
    known, tokens = _known(store, project.entries if project else None)
    importer = Importer(fmt if not preset else f"{fmt} --preset {preset}", files, registry, known)
    options = {"source_id": source_id, "source_url": source_url, "model": model}
    for path in files:
        if fmt == "lm-eval":
            from benchtables.importers.lm_eval import import_lm_eval

            import_lm_eval(importer, path, **options)
        elif fmt == "model-index":
            from benchtables.importers.model_index import import_model_index

            import_model_index(importer, path, **options)
        elif fmt == "paperswithcode":
            from benchtables.importers.paperswithcode import import_paperswithcode

            import_paperswithcode(importer, path, **options)
        elif fmt == "helm":
            from benchtables.importers.helm import import_helm

            import_helm(importer, path, **options)
        elif preset == "epoch-models":
            from benchtables.importers.epoch import import_epoch_models

            import_epoch_models(importer, path, known_tokens=tokens, **options)
        else:
            from benchtables.importers.csv_table import import_csv, load_mapping

            mapping = load_mapping(preset, mapping_file, kind, columns, constants)
            import_csv(importer, path, mapping, **options)
    result = importer.result
    for source_id_, draft in list(result.sources.items()):
        if draft.count == 0:
            del result.sources[source_id_]
    return result


def write_entries(result: ImportResult, output: Path | str, *, force: bool = False) -> list[Path]:
    """Write the entry files of an import: into ``output`` if it is a directory, else as that one file.

    Each file is written atomically; existing files are not replaced unless ``force``.
    """
    output = Path(output)
    directory = output.is_dir() or output.suffix not in (".yaml", ".yml")
    taken = {p.name for p in output.iterdir()} if output.is_dir() and not force else set()
    files = result.entry_files(taken)
    if not files:
        raise UsageError("the import produced no records; nothing to write")
    if directory:
        output.mkdir(parents=True, exist_ok=True)
        targets = {output / name: text for name, text in files.items()}
    elif len(files) == 1:
        targets = {output: next(iter(files.values()))}
    else:
        raise UsageError(f"this import has {len(files)} sources, one entry file each: give -o a directory")
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]} exists; pass --force to replace it, or -o another path")
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    return list(targets)
