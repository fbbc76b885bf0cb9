"""Import results from the tools people use, as entry files to review.

::

    result = import_files(["results.json"])              # the format is told from the content
    paths = write_entries(result, Path("data/entries"))

Formats: see :data:`benchtables.importers.formats.FORMATS` (lm-eval, Inspect, lighteval,
Every Eval Ever, Hugging Face eval results and model cards, the Open LLM Leaderboard, AlpacaEval,
Chatbot Arena, Arena-Hard, OpenCompass, Papers with Code, HELM, and CSV with a column mapping).
Nothing is written to the store: an import produces entry files, one per source, that
``benchtables validate`` and ``build`` take unchanged. The rules every format follows are in
:mod:`benchtables.importers.common`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError, UsageError
from benchtables.importers.common import Importer, ImportResult, KnownDeclarations
from benchtables.importers.formats import FORMATS, resolve_format
from benchtables.project import find_project
from benchtables.registry import Registry

__all__ = ["FORMATS", "ImportResult", "import_files", "known_declarations", "write_entries"]


def known_declarations(store: Any = None, entries: Path | None = None, registry: Registry | None = None) -> KnownDeclarations:
    """Sources and models of the store and of a project's entry files (what imports refer to)."""
    from benchtables.errors import StoreError
    from benchtables.store import Store

    known = KnownDeclarations()
    opened = Store.open(store)
    if opened.path.is_dir():
        try:
            known.sources.update({r["id"]: r for r in opened.table("sources").to_pylist()})
            known.models.update({r["id"]: r for r in opened.table("models").to_pylist()})
            for row in opened.table("training", ["model", "tokens"]).to_pylist():
                if row["tokens"] and row["model"] not in known.tokens:
                    known.tokens[row["model"]] = row["tokens"]
        except StoreError:
            pass
    if entries is not None and entries.is_dir():
        from benchtables.validation.declarations import Known as StoreKnown
        from benchtables.validation.declarations import check_declarations
        from benchtables.validation.read import read_inputs

        project = find_project(entries)
        inputs = read_inputs([entries], name_file=project.relative if project else (lambda p: Path(p).as_posix()))
        inputs.records = []
        declared = check_declarations(inputs, registry or Registry.shipped(), StoreKnown())
        known.sources.update(declared.sources)
        known.models.update(declared.models)
    return known


def import_files(paths: Sequence[Path | str], fmt: str | None = None, *, store: Any = None,
                 registry: Registry | None = None, source_id: str | None = None, source_url: str | None = None,
                 model: str | None = None, preset: str | None = None, mapping_file: Path | None = None,
                 kind: str | None = None, columns: Mapping[str, str] | None = None,
                 constants: Mapping[str, str] | None = None) -> ImportResult:
    """Read files into records grouped by source, with warnings for what needs a look.

    Args:
        paths: input files (a HELM run: its directory).
        fmt: one of :data:`FORMATS`; default: told from each file's content. A format that
            does not fit a file is an error, never a misread.
        store: whose models and sources names resolve to (default: the current project's store).
        source_id, source_url: attribute every number to one source with this id and link.
        model: the model every number belongs to (for files that do not name it usably).
        preset, mapping_file, kind, columns, constants: the CSV column mapping.

    Returns:
        The result; files that could not be imported are in ``result.refused`` with why.

    Raises:
        UsageError: an unknown format or preset, a file that does not exist.
        FormatError: the only file given cannot be imported (with several, each is refused
            on its own and the others are imported).
    """
    if isinstance(paths, str | Path):
        raise UsageError("import_files takes a list of paths")
    if fmt is not None and not isinstance(fmt, str):
        raise UsageError("fmt must be a format name")
    files = [Path(p) for p in paths]
    for p in files:
        if not p.exists():
            raise UsageError(f"no such file or directory: {p}")
    if preset is not None or mapping_file is not None or columns or kind:
        fmt = fmt or "csv"
    project = find_project()
    base = registry or Registry.shipped()
    registry, _ = base.extended(project.registry_file if project else None)
    known = known_declarations(store, project.entries if project else None, registry)
    label = (fmt or "auto") + (f" --preset {preset}" if preset else "")
    importer = Importer(label, files, registry, known)
    options: dict[str, Any] = {"source_id": source_id, "source_url": source_url, "model": model}
    if fmt == "csv" or preset or mapping_file:
        options.update(preset=preset, mapping_file=mapping_file, kind=kind, columns=columns, constants=constants)
    formats_used = []
    for path in files:
        try:
            name = resolve_format(path, fmt)
            formats_used.append(name)
            module, function = FORMATS[name].function.split(":")
            reader = getattr(importlib.import_module(module), function)
            reader(importer, path, **options)
        except FormatError as exc:
            if len(files) == 1:
                raise
            importer.result.refused[path.name] = str(exc)
    if fmt is None and formats_used:
        importer.result.format = ", ".join(dict.fromkeys(formats_used))
    result = importer.result
    for source_id_, draft in list(result.sources.items()):
        if draft.count == 0:
            del result.sources[source_id_]
    return result


def write_entries(result: ImportResult, output: Path | str, *, force: bool = False) -> list[Path]:
    """Write the entry files of an import: into ``output`` if it is a directory, else as that one file.

    A large import's records go to Parquet bulk files beside the entry files (``scores-<source>.parquet``;
    then ``output`` must be a directory). Each file is written atomically; existing files are not
    replaced unless ``force``.
    """
    import io

    import pyarrow.parquet as pq

    from benchtables.files import write_atomically, write_text_atomically

    output = Path(output)
    directory = output.is_dir() or output.suffix not in (".yaml", ".yml")
    taken = {p.name for p in output.iterdir()} if output.is_dir() and not force else set()
    files = result.entry_files(taken)
    if not files:
        raise UsageError("the import produced no records; nothing to write")
    if directory:
        targets = {output / name: text for name, text in files.items()}
    elif len(files) == 1 and isinstance(next(iter(files.values())), str):
        targets = {output: next(iter(files.values()))}
    else:
        raise UsageError(f"this import writes {len(files)} files (an entry file per source, and bulk files of large "
                         "imports): give -o a directory")
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    if existing and not force:
        raise UsageError(f"{existing[0]} exists; pass --force to replace it, or -o another path")
    for path, content in targets.items():
        if isinstance(content, str):
            write_text_atomically(path, content)
        else:
            buffer = io.BytesIO()
            pq.write_table(content, buffer, compression="zstd")
            write_atomically(path, buffer.getvalue())
    return list(targets)
