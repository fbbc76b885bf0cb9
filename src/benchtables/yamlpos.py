"""Reading YAML entry files safely, keeping the line and column of every value.

Entry files are plain data, so this reader is stricter than a general YAML loader:

* scalars follow YAML 1.2's core schema (``yes``/``no``/``on`` stay text, ``010`` is ten,
  ``5.76e23`` is a number, dates stay text) — what yaml-language-server checks against;
* no tags that construct objects (``!!python/object…`` is an error, never run);
* a key repeated in one mapping is an error (common loaders silently keep the last);
* aliases may not expand the document by more than a fixed number of nodes, measured on
  the composed graph before anything is expanded, so an alias bomb costs nothing;
* files over a size limit, files that are not UTF-8, and empty files are errors.

The result is a :class:`Document`: the data as dicts, lists and scalars, and a map from
every path (``("scores", 3, "value")``) to its 1-based line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from benchtables.problems import Problem, Severity

__all__ = ["MAX_ALIAS_NODES", "MAX_BYTES", "MAX_DEPTH", "Document", "parse_yaml", "read_yaml"]

#: Largest entry file read, in bytes.
MAX_BYTES = 8 * 1024 * 1024
#: How many nodes aliases may add to a document when expanded.
MAX_ALIAS_NODES = 10_000
#: Deepest nesting of mappings and sequences.
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _CoreResolver(BaseResolver):
    """YAML 1.2 core schema: only null, bool, int and float are implicit."""


_CoreResolver.yaml_implicit_resolvers = {}
_CoreResolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_CoreResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)

try:  # libyaml does the scanning and composing in C when it is available
    from yaml._yaml import CParser

    class _Loader(CParser, _CoreResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml

    class _Loader(Reader, Scanner, Parser, Composer, _CoreResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _CoreResolver.__init__(self)


@dataclass
class Document:
    """A YAML document as plain data, with the position of every value and key."""

    data: Any
    file: str
    #: path → (line, column) of the value at that path, 1-based.
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: path → (line, column) of the key that introduces that path, 1-based.
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: path → the text of a number or yes/no value as written (``1.10``, ``True``), where it was not text.
    texts: dict[Path_, str] = field(default_factory=dict)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``path``, or of its nearest enclosing value that has one.

        With ``key=True`` the position of the key is preferred (for an unknown field, the
        key is what is wrong).
        """
        path = tuple(path)
        if key and path in self.key_positions:
            return self.key_positions[path]
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (None, None))


def _problem(file: str, code: str, message: str, line: int | None = None, column: int | None = None,
             hint: str | None = None) -> Problem:
    return Problem(Severity.ERROR, code, message, file=file, line=line, column=column, hint=hint)


def read_yaml(path: Path | str, display: str | None = None, max_bytes: int = MAX_BYTES) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file. Returns the document, or ``None`` and the problems that stopped it."""
    path = Path(path)
    file = display or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [_problem(file, "file_too_large",
                                   f"file is {size / 1048576:.1f} MiB, more than the {max_bytes / 1048576:.0f} MiB "
                                   "an entry file may have", hint="split it into one file per source")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [_problem(file, "unreadable", f"cannot read file: {exc.strerror or exc}")]
    return parse_yaml(raw, file, max_bytes=max_bytes)


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [_problem(file, "not_utf8", "file is UTF-16, not UTF-8", 1, 1,
                               hint="save it as UTF-8")]
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        offset = exc.start
        before = raw[:offset]
        line = before.count(b"\n") + 1
        column = offset - (before.rfind(b"\n") + 1) + 1
        return None, [_problem(file, "not_utf8", f"file is not UTF-8: byte 0x{raw[offset]:02x} cannot be decoded",
                               line, column, hint="save it as UTF-8")]


def parse_yaml(text: str | bytes, file: str = "<string>", max_bytes: int = MAX_BYTES) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text (or UTF-8 bytes). Returns the document, or ``None`` and the problems."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            return None, [_problem(file, "file_too_large", f"input is more than {max_bytes} bytes")]
        decoded, problems = _decode(text, file)
        if decoded is None:
            return None, problems
        text = decoded
    text = text.removeprefix("\ufeff")
    try:
        return _parse(text, file)
    except RecursionError:
        return None, [_problem(file, "yaml_too_deep", f"values are nested more than {MAX_DEPTH} levels deep", 1, 1)]


def _parse(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    try:
        node = yaml.compose(text, Loader=_Loader)  # type: ignore[arg-type]  # stubs list PyYAML's own loaders only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        hint = "indent with spaces; YAML does not allow tabs" if mark and _char_at(text, mark) == "\t" else None
        return None, [_problem(file, "yaml_syntax", f"invalid YAML: {message}", line, column, hint=hint)]
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        position = getattr(exc, "position", None)
        line = text[:position].count("\n") + 1 if isinstance(position, int) else None
        return None, [_problem(file, "yaml_syntax", f"invalid YAML: {exc}", line)]
    if node is None:
        return None, [_problem(file, "empty_file", "file is empty", 1, 1,
                               hint="an entry file needs at least a source: section")]
    problems: list[Problem] = []
    size = _expanded_size(node, {}, set())
    distinct = _count_distinct(node)
    if size is None:
        return None, [_problem(file, "yaml_alias", "an alias refers to a node that contains it (a cycle)",
                               node.start_mark.line + 1, 1)]
    if size - distinct > MAX_ALIAS_NODES:
        line, column = _first_alias(text)
        return None, [_problem(file, "yaml_alias",
                               f"aliases would expand this document to {size:,} values "
                               f"(limit: {MAX_ALIAS_NODES:,} more than written)", line, column,
                               hint="write the values out instead of using anchors and aliases")]
    doc = Document(data=None, file=file)
    doc.data = _convert(node, (), doc, problems, 0)
    return doc, problems


def _first_alias(text: str) -> tuple[int | None, int | None]:
    """Where the first alias (``*name``) of a document is."""
    for event in yaml.parse(text, Loader=_Loader):  # type: ignore[arg-type]  # as in _parse
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            assert mark is not None  # the parser marks every event it makes
            return mark.line + 1, mark.column + 1
    return None, None


def _char_at(text: str, mark: yaml.Mark) -> str:
    lines = text.splitlines()
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _expanded_size(node: Node, memo: dict[int, int], active: set[int]) -> int | None:
    """Number of values the node expands to, counting aliases at every use; None on a cycle."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        return None
    active.add(key)
    total = 1
    for child in _children(node):
        sub = _expanded_size(child, memo, active)
        if sub is None:
            return None
        total += sub
    active.discard(key)
    memo[key] = total
    return total


def _count_distinct(node: Node) -> int:
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        stack.extend(_children(current))
    return len(seen)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_BOOLS = {"true": True, "false": False}
#: Longest integer kept as a number: Python refuses to turn longer digit strings into ints
#: (they are kept as their text, which the validator reports as too large).
_MAX_DIGITS = 4000


def _scalar(node: ScalarNode, path: Path_, doc: Document, problems: list[Problem]) -> Any:
    value = node.value
    tag = node.tag
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    doc.texts[path] = value
    try:
        if tag == _BOOL:
            return _BOOLS[value.lower()]
        if tag == _INT:
            if len(value) > _MAX_DIGITS:
                return value
            return int(value, 0) if value.lower().startswith(("0x", "0o", "-0x", "+0x")) else int(value)
        if tag == _FLOAT:
            low = value.lower()
            if low.endswith(".inf"):
                return float("-inf") if low.startswith("-") else float("inf")
            if low == ".nan":
                return float("nan")
            return float(value)
    except (KeyError, ValueError):
        line, column = _pos(node)
        kind = {_BOOL: "true or false", _INT: "a whole number", _FLOAT: "a number"}[tag]
        problems.append(_problem(doc.file, "yaml_tag", f"the value is tagged {tag.rsplit(':', 1)[-1]!r} but "
                                 f"{value[:40]!r} is not {kind}", line, column,
                                 hint="entry files hold plain values; remove the tag"))
        return None
    line, column = _pos(node)
    problems.append(_problem(doc.file, "yaml_tag", f"YAML tag {tag!r} is not allowed in entry files",
                             line, column, hint="entry files hold plain values; remove the tag"))
    return None


def _convert(node: Node, path: Path_, doc: Document, problems: list[Problem], depth: int) -> Any:
    doc.positions[path] = _pos(node)
    if depth > MAX_DEPTH:
        line, column = _pos(node)
        problems.append(_problem(doc.file, "yaml_too_deep", f"values are nested more than {MAX_DEPTH} levels deep",
                                 line, column))
        return None
    if isinstance(node, ScalarNode):
        return _scalar(node, path, doc, problems)
    if node.tag not in (_SEQ, _MAP):
        line, column = _pos(node)
        problems.append(_problem(doc.file, "yaml_tag", f"YAML tag {node.tag!r} is not allowed in entry files",
                                 line, column, hint="entry files hold plain values; remove the tag"))
        return None
    if isinstance(node, SequenceNode):
        return [_convert(item, (*path, i), doc, problems, depth + 1) for i, item in enumerate(node.value)]
    out: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            line, column = _pos(key_node)
            problems.append(_problem(doc.file, "yaml_key", "a mapping key must be a plain name, not a list or mapping",
                                     line, column))
            continue
        key = str(key_node.value)
        line, column = _pos(key_node)
        if key in out:
            problems.append(_problem(doc.file, "duplicate_key",
                                     f"key {key!r} appears twice in this mapping (first at line {first_line[key]})",
                                     line, column, hint="YAML loaders silently keep the last; remove one"))
            continue
        first_line[key] = line
        doc.key_positions[(*path, key)] = (line, column)
        out[key] = _convert(value_node, (*path, key), doc, problems, depth + 1)
    return out
