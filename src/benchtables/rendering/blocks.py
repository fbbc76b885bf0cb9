"""Live tables in Markdown files: regenerate what sits between render markers.

::

    <!-- benchtables:begin leaderboard mmlu --n-shot 5 --top 10 -->
    …generated table…
    <!-- benchtables:end -->

The words after ``begin`` are the arguments of a ``benchtables`` command (``leaderboard``,
``compare``, ``pareto``, ``sota``, ``show``), or ``help COMMAND`` for a command's ``--help``
(the README's command reference). Each block is regenerated independently: a block whose
arguments are wrong is reported with its file and line and left as it is, while the others
still render. A file is rewritten atomically (a temporary file renamed over it), and only
when something changed. With ``check`` nothing is written and stale blocks are reported.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchtables.errors import BenchtablesError
from benchtables.problems import Problem, Severity

__all__ = ["Block", "FileResult", "find_blocks", "update_file"]

FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})")
BEGIN = re.compile(r"^\s*<!--\s*benchtables:begin(?:\s+(?P<args>.*?))?\s*-->\s*$")
END = re.compile(r"^\s*<!--\s*benchtables:end\s*-->\s*$")

Producer = Callable[[list[str]], str]


@dataclass
class Block:
    """One render block: its arguments and the lines it spans (0-based, markers included)."""

    args: str
    begin: int
    end: int


@dataclass
class FileResult:
    """What rendering one file did."""

    path: Path
    updated: list[int] = field(default_factory=list)  #: 1-based lines of blocks regenerated
    stale: list[int] = field(default_factory=list)  #: 1-based lines of blocks out of date (check mode)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.stale


def find_blocks(lines: list[str], file: str) -> tuple[list[Block], list[Problem]]:
    """The render blocks of a Markdown file (as lines), and problems with the markers.

    Markers inside fenced code (examples of how to write a block) are not blocks.
    """
    blocks: list[Block] = []
    problems: list[Problem] = []
    open_at: int | None = None
    args = ""
    fence: str | None = None
    for i, line in enumerate(lines):
        opened = FENCE.match(line)
        if fence is None and opened and open_at is None:
            fence = opened["fence"]
            continue
        if fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and set(line.strip()) <= {fence[0]}:
                fence = None
            continue
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if open_at is not None:
                problems.append(Problem(Severity.ERROR, "render_markers", "a block begins inside another block",
                                        file=file, line=i + 1, hint=f"close the block of line {open_at + 1} first"))
            open_at, args = i, (begin["args"] or "")
        elif end:
            if open_at is None:
                problems.append(Problem(Severity.ERROR, "render_markers", "benchtables:end without a begin",
                                        file=file, line=i + 1))
                continue
            blocks.append(Block(args, open_at, i))
            open_at = None
    if open_at is not None:
        problems.append(Problem(Severity.ERROR, "render_markers", "block is never closed",
                                file=file, line=open_at + 1, hint="add <!-- benchtables:end --> after it"))
    return blocks, problems


def _body(produced: str) -> list[str]:
    """Lines between the markers: the table set off by blank lines, so Markdown parses it."""
    return ["", *produced.strip("\n").split("\n"), ""]


def update_file(path: Path | str, produce: Producer, *, check: bool = False) -> FileResult:
    """Regenerate (or with ``check``, verify) every render block in one Markdown file."""
    path = Path(path)
    result = FileResult(path)
    file = path.as_posix()
    raw = path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.replace("\r\n", "\n").split("\n")
    blocks, problems = find_blocks(lines, file)
    result.problems.extend(problems)
    if problems:
        return result  # the markers themselves are wrong: do not guess what to replace
    out: list[str] = []
    cursor = 0
    for block in blocks:
        out.extend(lines[cursor:block.begin + 1])
        current = lines[block.begin + 1:block.end]
        try:
            args = shlex.split(block.args)
            if not args:
                raise BenchtablesError("no command after benchtables:begin")
            wanted = _body(produce(args))
        except (BenchtablesError, ValueError) as exc:
            result.problems.append(Problem(Severity.ERROR, "render_block", f"cannot render {block.args!r}: {exc}",
                                           file=file, line=block.begin + 1))
            wanted = current
        if wanted != current:
            (result.stale if check else result.updated).append(block.begin + 1)
        out.extend(wanted)
        out.append(lines[block.end])
        cursor = block.end + 1
    out.extend(lines[cursor:])
    if not check and result.updated:
        _write_atomically(path, newline.join(out))
        result.written = True
    return result


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
