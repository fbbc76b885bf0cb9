"""Commands for a leaderboard repository: diff, schema, init, site."""

from __future__ import annotations

import json
from pathlib import Path

import click

from benchtables.cli import cli
from benchtables.cli.options import chosen_format, format_option, say, store_option, verbosity_options


@cli.command("diff")
@click.argument("old")
@click.argument("new")
@format_option("text", "markdown", "json", default=None)
def diff_command(old: str, new: str, fmt: str | None) -> int:
    """Show how records and leaderboards change from OLD to NEW.

    OLD and NEW are store or project directories, or git revisions (main, HEAD, origin/main)
    whose committed data/store is compared. Markdown output is ready to post on a pull request.
    """
    from benchtables.diff import diff_stores, open_revision, unbuilt

    with open_revision(old) as before, open_revision(new) as after:
        result = diff_stores(before, after, old, new)
        for spec, store in ((old, before), (new, after)):
            for file in unbuilt(spec, store):
                click.echo(f"warning: {file} at {spec} is not in that revision's store: was `benchtables build` "
                           "run and the store committed?", err=True)
        fmt = chosen_format(fmt)
        if fmt == "json":
            click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            click.echo(result.to_markdown() if fmt == "markdown" else result.to_text(), nl=False)
    return 0


@cli.command("schema")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def schema_command(output: Path | None) -> int:
    """Print the JSON Schema of entry files (for editors: yaml-language-server).

    Reference it from an entry file with a first line such as
    `# yaml-language-server: $schema=../../entry.schema.json`.
    """
    from benchtables.schemas import entry_schema

    text = json.dumps(entry_schema(), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        say(f"wrote {output}")
    return 0


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default=None, help="Title of the README (default: the directory name).")
@click.option("--install", default=None,
              help="What the CI workflow passes to pip install (default: this benchtables — its git URL and "
                   "commit when installed from git, else this version from the package index).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@verbosity_options
def init_command(directory: Path, title: str | None, install: str | None, force: bool, quiet: bool,
                 verbose: bool) -> int:
    """Create a leaderboard repository: an entry file, a README with a live table, CI and pre-commit."""
    from benchtables.scaffold import init_git, init_project, install_caveat, install_spec, next_steps

    spec = install or install_spec()
    written = init_project(directory, title=title, install=spec, force=force)
    for path in written:
        say(f"created {path}", quiet)
    repository = init_git(directory)
    if repository:
        say(f"created a git repository in {directory} on branch main", quiet)
    say(f"the CI workflow installs: {spec}  (change it with --install SPEC)", quiet)
    if install is None and (caveat := install_caveat(spec)):
        say(f"warning: {caveat}", quiet)
    say("next:", quiet)
    for step in next_steps(directory, repository):
        say(f"  {step}", quiet)
    return 0


@cli.command("site")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Directory to write the pages into.")
@click.option("--title", default="Leaderboards", show_default=True, help="Title of the index page.")
@verbosity_options
@store_option
def site_command(output: Path, title: str, quiet: bool, verbose: bool, store: Path | None) -> int:
    """Write a static site: an index and a page per benchmark and suite (leaderboard, state of the art, sources)."""
    from benchtables.site import build_site

    files = build_site(output, store, title=title)
    say(f"wrote {len(files)} files to {output} (open {output / 'index.html'})", quiet)
    return 0
