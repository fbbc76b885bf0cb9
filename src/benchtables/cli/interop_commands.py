"""Commands that exchange numbers with other tools: import, export."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from benchtables.cli import cli
from benchtables.cli.options import say, store_option, verbosity_options
from benchtables.errors import UsageError
from benchtables.problems import safe_text

TABLE_NAMES = ("scores", "training", "utilization", "sampling", "models", "sources", "benchmarks", "metrics")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} takes FIELD=VALUE, not {value!r}")
        out[key.strip()] = rest.strip()
    return out


class _ImportCommand(click.Command):
    """``import``, whose help lists the formats (from their one declaration)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from benchtables.importers.formats import FORMATS

        formatter.write_paragraph()
        formatter.write_text("Formats (told from each file's content when not named), each with an example:")
        with formatter.indentation():
            for name, fmt in FORMATS.items():
                formatter.write_paragraph()
                formatter.write_text(f"{name}: {fmt.reads}")
                with formatter.indentation():
                    formatter.write_text(f"$ {fmt.example}")


@cli.command("import", cls=_ImportCommand)
@click.argument("args", nargs=-1, required=True, metavar="[FORMAT] FILE...")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Entry file to write, or a directory for one file per source (default: standard output).")
@click.option("--source-id", default=None, help="Attribute every number to one source with this id.")
@click.option("--source-url", default=None, help="Link of that source.")
@click.option("--model", default=None, help="The model every number belongs to (id or name).")
@click.option("--preset", default=None, help="CSV: epoch-benchmark, epoch-models or benchtables.")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV: a YAML column mapping (kind, columns, set, source).")
@click.option("--kind", default=None, help="CSV: scores, training, utilization or sampling (default: scores).")
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN", help="CSV: a column for a field (repeatable).")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="CSV: a value for every row (repeatable).")
@click.option("--force", is_flag=True, help="Replace entry files that exist.")
@verbosity_options
@store_option
def import_command(args: tuple[str, ...], output: Path | None, source_id: str | None, source_url: str | None,
                   model: str | None, preset: str | None, mapping_file: Path | None, kind: str | None,
                   maps: tuple[str, ...], sets: tuple[str, ...], force: bool, quiet: bool, verbose: bool,
                   store: Path | None) -> int:
    """Import results from other tools as entry files to review (never into the store).

    The format of each FILE is told from its content; name it first (FORMAT FILE...) to insist
    on one: a file that is not in it is an error. Models resolve through the store's names and
    aliases (a Hugging Face repository id keeps its owner); unknown ones become model stubs,
    listed with suggestions. What could not be placed is listed in the summary.
    """
    from benchtables.importers import import_files, write_entries
    from benchtables.importers.formats import FORMATS

    fmt: str | None = None
    files = list(args)
    if files and files[0] in FORMATS and not Path(files[0]).exists():
        fmt, files = files[0], files[1:]
    if not files:
        raise UsageError("name the files to import")
    for name in files:
        if not Path(name).exists():
            raise UsageError(f"no such file or directory: {name}")
    result = import_files([Path(f) for f in files], fmt, store=store, source_id=source_id, source_url=source_url,
                          model=model, preset=preset, mapping_file=mapping_file, kind=kind,
                          columns=_pairs(maps, "--map"), constants=_pairs(sets, "--set"))
    warnings = result.warnings if verbose else result.warnings[:20]
    if not quiet:
        for warning in warnings:
            click.echo(warning.format(), err=True)
        if len(result.warnings) > len(warnings):
            click.echo(f"… and {len(result.warnings) - len(warnings)} more warnings (--verbose lists them)", err=True)
        for line in result.summary():
            click.echo(safe_text(line), err=True)
    if result.count == 0:
        click.echo("benchtables: nothing to import", err=True)
        return 1
    if output is None:
        texts = result.entry_files()
        if len(texts) > 1:
            raise UsageError(f"this import writes {len(texts)} files (an entry file per source, and bulk files of "
                             "large imports): pass -o DIRECTORY")
        text = next(iter(texts.values()))
        assert isinstance(text, str)  # a bulk file comes with its entry file: more than one
        click.echo(text, nl=False)
        return 0
    for path in write_entries(result, output, force=force):
        say(f"wrote {path}", quiet)
    if not quiet:
        click.echo("next: review the files, then  benchtables validate && benchtables build", err=True)
    return 0


@cli.group("export")
def export_group() -> None:
    """Export store tables, a model's scores for the Hugging Face Hub, Every Eval Ever documents, or BibTeX."""


def _write(data: bytes, output: Path | None, binary: bool = False) -> None:
    """An export to standard output, or to ``output`` atomically."""
    from benchtables.files import write_atomically

    if output is None:
        if binary and sys.stdout.isatty():
            raise UsageError("Parquet is binary: pass -o FILE")
        sys.stdout.buffer.write(data)
        return
    write_atomically(output, data)
    say(f"wrote {output}")


for _fmt in ("csv", "parquet", "jsonl"):
    def _make(fmt: str) -> None:
        @export_group.command(fmt, help=f"Write a store table as {fmt.upper() if fmt != 'jsonl' else 'JSON lines'}.")
        @click.argument("kind", type=click.Choice(TABLE_NAMES))
        @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
        @store_option
        def command(kind: str, output: Path | None, store: Path | None) -> int:
            from benchtables.export import export_table

            _write(export_table(kind, fmt, store), output, binary=fmt == "parquet")
            return 0

    _make(_fmt)


@export_group.command("model-index")
@click.argument("model")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@store_option
def export_model_index_command(model: str, output: Path | None, store: Path | None) -> int:
    """A model-index block (Hugging Face model card front matter) with MODEL's scores."""
    from benchtables.export import export_model_index

    _write(export_model_index(model, store).encode(), output)
    return 0


@export_group.command("every-eval-ever")
@click.option("--model", "models", multiple=True, help="Only these models (repeatable; default: all).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="A directory (one JSON file per model and source) or a .json file (a list).")
@click.option("--timestamp", default=None, help="retrieved_timestamp to write (Unix time; default: now).")
@store_option
def export_every_eval_ever_command(models: tuple[str, ...], output: Path | None, timestamp: str | None,
                                   store: Path | None) -> int:
    """Scores in the every-eval-ever schema (evaleval/every_eval_ever), one document per model and source."""
    from benchtables.export import export_every_eval_ever
    from benchtables.files import write_text_atomically

    documents = export_every_eval_ever(store, list(models) or None, timestamp)
    if output is not None and output.suffix != ".json":
        output.mkdir(parents=True, exist_ok=True)
        for doc in documents:
            name = doc["evaluation_id"].replace("/", "__").replace(":", "_")
            write_text_atomically(output / f"{name}.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        say(f"wrote {len(documents)} files to {output}")
        return 0
    _write((json.dumps(documents, indent=2, ensure_ascii=False) + "\n").encode(), output)
    return 0


@export_group.command("bibtex")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The .bib file to write (default: standard output).")
@store_option
def export_bibtex_command(sources: tuple[str, ...], output: Path | None, store: Path | None) -> int:
    """A .bib entry for each SOURCE (id or title; default: every source), keyed as --cite cites them.

    To write the .bib of exactly the sources one table cites, pass --bib FILE to that table command.
    """
    from benchtables.export import export_bibtex

    _write(export_bibtex(list(sources) or None, store).encode(), output)
    return 0


@export_group.command("hf-eval-results")
@click.argument("model")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path(".eval_results"),
              show_default=True, help="The directory to write the YAML files into (a model repository's "
              ".eval_results).")
@click.option("--force", is_flag=True, help="Replace files that exist.")
@store_option
def export_hf_eval_results_command(model: str, output: Path, force: bool, store: Path | None) -> int:
    """MODEL's scores as Hugging Face Hub evaluation results: one YAML file per benchmark and setting."""
    from benchtables.export import export_hf_eval_results
    from benchtables.files import write_text_atomically

    files = export_hf_eval_results(model, store)
    targets = {output / name: text for name, text in files.items()}
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    if existing and not force:
        raise UsageError(f"{existing[0]} exists; pass --force to replace it, or -o another directory")
    output.mkdir(parents=True, exist_ok=True)
    for path, text in targets.items():
        write_text_atomically(path, text)
        say(f"wrote {path}")
    return 0
