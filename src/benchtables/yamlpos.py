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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
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


# The problems both readers find (one pass over events, or nodes composed), worded once.

def _too_deep(file: str, line: int | None, column: int | None) -> Problem:
    return _problem(file, "yaml_too_deep", f"values are nested more than {MAX_DEPTH} levels deep", line, column)


def _tag_not_allowed(file: str, tag: str, line: int, column: int) -> Problem:
    return _problem(file, "yaml_tag", f"YAML tag {tag!r} is not allowed in entry files", line, column,
                    hint="entry files hold plain values; remove the tag")


def _key_not_plain(file: str, line: int, column: int) -> Problem:
    return _problem(file, "yaml_key", "a mapping key must be a plain name, not a list or mapping", line, column)


def _duplicate_key(file: str, key: str, first: int, line: int, column: int) -> Problem:
    return _problem(file, "duplicate_key", f"key {key!r} appears twice in this mapping (first at line {first})",
                    line, column, hint="YAML loaders silently keep the last; remove one")


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
        return None, [_too_deep(file, 1, 1)]


def _parse(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    try:
        try:
            return _from_events(text, file)
        except _UsesAliases:
            return _from_nodes(text, file)
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


def _empty_file(file: str) -> tuple[None, list[Problem]]:
    return None, [_problem(file, "empty_file", "file is empty", 1, 1,
                           hint="an entry file needs at least a source: section")]


class _UsesAliases(Exception):
    """The document has an anchor or an alias: it is composed as nodes, so aliases can be measured."""


def _from_events(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    """Build the document in one pass over the parser's events (documents without anchors or aliases).

    The same values, positions, texts and problems as composing nodes and converting them
    (:func:`_from_nodes`), without making a node for every value and walking them again.
    Raises :class:`_UsesAliases` at the first anchor or alias, and the parser's errors as it meets them.
    """
    parser = _Loader(text)
    get: Callable[[], Any] = parser.get_event
    get()  # the stream's start
    if get().__class__ is StreamEndEvent:  # else a document's start
        return _empty_file(file)
    doc = Document(data=None, file=file)
    positions, key_positions, texts = doc.positions, doc.key_positions, doc.texts
    problems: list[Problem] = []
    plain: dict[str, tuple[bool, Any]] = {}  # plain scalar → (is it a number or true/false, its value)

    def skip(event: Any) -> None:
        """Read past the value that starts with ``event``."""
        level = 0
        while True:
            cls = event.__class__
            if cls is ScalarEvent or cls is AliasEvent:
                if cls is AliasEvent or event.anchor is not None:
                    raise _UsesAliases
            elif cls is SequenceStartEvent or cls is MappingStartEvent:
                if event.anchor is not None:
                    raise _UsesAliases
                level += 1
            else:
                level -= 1
            if level == 0:
                return
            event = get()

    def value(event: Any, path: Path_, depth: int) -> Any:
        cls = event.__class__
        if cls is AliasEvent or event.anchor is not None:
            raise _UsesAliases
        mark = event.start_mark
        line, column = mark.line + 1, mark.column + 1
        positions[path] = (line, column)
        if depth > MAX_DEPTH:
            problems.append(_too_deep(file, line, column))
            skip(event)
            return None
        tag = event.tag
        if cls is ScalarEvent:
            if tag is None or tag == "!":
                if not event.implicit[0]:
                    return event.value
                text = event.value
                known = plain.get(text)
                if known is None:
                    known = plain[text] = _plain(text)
                if known[0]:
                    texts[path] = text
                return known[1]
            return _scalar(event.value, tag, path, doc, problems, line, column)
        if tag is not None and tag != "!" and tag != _SEQ and tag != _MAP:
            problems.append(_tag_not_allowed(file, tag, line, column))
            skip(event)
            return None
        depth += 1
        if cls is SequenceStartEvent:
            items: list[Any] = []
            index = 0
            event = get()
            while event.__class__ is not SequenceEndEvent:
                items.append(value(event, (*path, index), depth))
                index += 1
                event = get()
            return items
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        event = get()
        while event.__class__ is not MappingEndEvent:
            cls = event.__class__
            if cls is AliasEvent or event.anchor is not None:
                raise _UsesAliases
            mark = event.start_mark
            line, column = mark.line + 1, mark.column + 1
            if cls is not ScalarEvent:
                problems.append(_key_not_plain(file, line, column))
                skip(event)
                skip(get())
            else:
                key = event.value
                if key in out:
                    problems.append(_duplicate_key(file, key, first_line[key], line, column))
                    skip(get())
                else:
                    first_line[key] = line
                    key_path = (*path, key)
                    key_positions[key_path] = (line, column)
                    out[key] = value(get(), key_path, depth)
            event = get()
        return out

    event = get()
    root_mark = event.start_mark
    doc.data = value(event, (), 0)
    get()  # the document's end
    event = get()
    if event.__class__ is not StreamEndEvent:
        raise ComposerError("expected a single document in the stream", root_mark,
                            "but found another document", event.start_mark)
    return doc, problems


def _from_nodes(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    """Compose the document as nodes, measure what its aliases expand to, then convert it."""
    node = yaml.compose(text, Loader=_Loader)  # type: ignore[arg-type]  # stubs list PyYAML's own loaders only
    if node is None:
        return _empty_file(file)
    measured = _measure(node)
    if measured is None:
        return None, [_problem(file, "yaml_alias", "an alias refers to a node that contains it (a cycle)",
                               node.start_mark.line + 1, 1)]
    size, distinct = measured
    if size - distinct > MAX_ALIAS_NODES:
        line, column = _first_alias(text)
        return None, [_problem(file, "yaml_alias",
                               f"aliases would expand this document to {size:,} values "
                               f"(limit: {MAX_ALIAS_NODES:,} more than written)", line, column,
                               hint="write the values out instead of using anchors and aliases")]
    problems: list[Problem] = []
    doc = Document(data=None, file=file)
    doc.data = _convert(node, (), doc, problems, 0)
    return doc, problems


def _first_alias(text: str) -> tuple[int | None, int | None]:
    """Where the first alias (``*name``) of a document is."""
    for event in yaml.parse(text, Loader=_Loader):  # type: ignore[arg-type]  # as in _from_nodes
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


def _measure(root: Node) -> tuple[int, int] | None:
    """How many values the document expands to (aliases counted at every use), and how many
    distinct nodes it has; None if an alias refers to a node that contains it.

    One depth-first walk that visits every node once (a node's size is kept, not recomputed
    at each alias), without recursion.
    """
    sizes: dict[int, int] = {}  # id of a node walked → the number of values it expands to
    open_: set[int] = set()  # ids of the nodes whose children are being walked: the path from the root
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, walked = stack.pop()
        key = id(node)
        if walked:
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            open_.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_:
            return None
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))
    return sizes[id(root)], len(sizes)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_BOOLS = {"true": True, "false": False}
#: Longest integer kept as a number: Python refuses to turn longer digit strings into ints
#: (they are kept as their text, which the validator reports as too large).
_MAX_DIGITS = 4000
_IMPLICIT = _CoreResolver.yaml_implicit_resolvers


def _typed(value: str, tag: str) -> Any:
    """The value of a scalar tagged bool, int or float (KeyError or ValueError if it is not one);
    ``NotImplemented`` for any other tag."""
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
    return NotImplemented


def _plain(value: str) -> tuple[bool, Any]:
    """A plain (unquoted, untagged) scalar: whether it is a number or true/false, and its value,
    resolved as :class:`_CoreResolver` resolves it."""
    tag = next((tag for tag, regexp in _IMPLICIT.get(value[:1], ()) if regexp.match(value)), _STR)
    if tag == _STR:
        return False, value
    if tag == _NULL:
        return False, None
    return True, _typed(value, tag)  # the core schema's patterns only match values that convert


def _scalar(value: str, tag: str, path: Path_, doc: Document, problems: list[Problem], line: int,
            column: int) -> Any:
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    doc.texts[path] = value
    try:
        result = _typed(value, tag)
    except (KeyError, ValueError):
        kind = {_BOOL: "true or false", _INT: "a whole number", _FLOAT: "a number"}[tag]
        problems.append(_problem(doc.file, "yaml_tag", f"the value is tagged {tag.rsplit(':', 1)[-1]!r} but "
                                 f"{value[:40]!r} is not {kind}", line, column,
                                 hint="entry files hold plain values; remove the tag"))
        return None
    if result is not NotImplemented:
        return result
    problems.append(_tag_not_allowed(doc.file, tag, line, column))
    return None


def _convert(node: Node, path: Path_, doc: Document, problems: list[Problem], depth: int) -> Any:
    doc.positions[path] = _pos(node)
    if depth > MAX_DEPTH:
        line, column = _pos(node)
        problems.append(_too_deep(doc.file, line, column))
        return None
    if isinstance(node, ScalarNode):
        return _scalar(node.value, node.tag, path, doc, problems, *_pos(node))
    if node.tag not in (_SEQ, _MAP):
        line, column = _pos(node)
        problems.append(_tag_not_allowed(doc.file, node.tag, line, column))
        return None
    if isinstance(node, SequenceNode):
        return [_convert(item, (*path, i), doc, problems, depth + 1) for i, item in enumerate(node.value)]
    out: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            line, column = _pos(key_node)
            problems.append(_key_not_plain(doc.file, line, column))
            continue
        key = str(key_node.value)
        line, column = _pos(key_node)
        if key in out:
            problems.append(_duplicate_key(doc.file, key, first_line[key], line, column))
            continue
        first_line[key] = line
        doc.key_positions[(*path, key)] = (line, column)
        out[key] = _convert(value_node, (*path, key), doc, problems, depth + 1)
    return out
