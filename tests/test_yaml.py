"""The YAML reader: plain data only, positions kept, hostile files refused cheaply."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from benchtables.yamlpos import MAX_ALIAS_NODES, parse_yaml, read_yaml


def only_problem(text, **kw):
    doc, problems = parse_yaml(text, "f.yaml", **kw)
    assert len(problems) == 1, problems
    return doc, problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: yes", "yes"), ("a: no", "no"), ("a: on", "on"),  # YAML 1.1 booleans stay text
        ("a: true", True), ("a: False", False),
        ("a: 010", 10), ("a: 0x1F", 31), ("a: 0o17", 15),
        ("a: 5.76e23", 5.76e23), ("a: 1e4", 1e4), ("a: .5", 0.5),
        ("a: 2023-09", "2023-09"), ("a: 2023-09-07", "2023-09-07"),  # dates stay text
        ("a: 3:40", "3:40"),  # no sexagesimal numbers
        ("a: 70B", "70B"), ("a: '10'", "10"), ("a: ~", None), ("a:", None), ("a: null", None),
        ("a: 1_000", "1_000"),
    ],
)
def test_scalars_follow_yaml_1_2_core(text, expected):
    doc, problems = parse_yaml(text)
    assert problems == []
    assert doc.data["a"] == expected
    assert type(doc.data["a"]) is type(expected)


def test_positions_of_values_and_keys():
    doc, _ = parse_yaml("source: {id: x}\nscores:\n  - model: a\n    value: 1\n  - {model: b, value: 2}\n")
    assert doc.position(("scores", 0, "value")) == (4, 12)
    assert doc.position(("scores", 1, "value")) == (5, 23)
    assert doc.position(("scores", 1, "value"), key=True) == (5, 16)
    assert doc.position(("scores", 1, "missing_field")) == (5, 5)  # falls back to the record


def test_duplicate_key_is_an_error_at_the_second_key():
    _, p = only_problem("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert (p.code, p.line, p.column) == ("duplicate_key", 4, 3)
    assert "first at line 3" in p.message


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/name:os.system", "!custom", "!!set"])
def test_object_tags_are_refused_not_constructed(tag):
    doc, p = only_problem(f"a: {tag} x\n")
    assert p.code == "yaml_tag"
    assert doc.data == {"a": None}


def test_alias_bomb_is_measured_not_expanded():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc, p = only_problem("\n".join(levels))
    assert doc is None
    assert p.code == "yaml_alias"
    assert "490,329,064" in p.message


def test_small_aliases_are_allowed():
    doc, problems = parse_yaml("base: &b {hardware: TPU v4}\nuse: *b\n")
    assert problems == [] and doc.data["use"] == {"hardware": "TPU v4"}


def test_alias_expansion_limit_is_a_limit():
    items = ", ".join(["x"] * 101)
    refs = ", ".join(["*a"] * (MAX_ALIAS_NODES // 100))
    _, problems = parse_yaml(f"a: &a [{items}]\nb: [{refs}]\n")
    assert problems and problems[0].code == "yaml_alias"


def test_recursive_alias_is_refused():
    _, p = only_problem("a: &a [1, *a]\n")
    assert p.code == "yaml_alias"


@pytest.mark.parametrize(
    ("raw", "code", "line"),
    [
        (b"", "empty_file", 1),
        (b"# only a comment\n\n", "empty_file", 1),
        (b"a: 1\nb: \xff\xfe\n", "not_utf8", 2),
        (b"\xff\xfea\x00:\x00", "not_utf8", 1),
        (b"a: [1, 2\n", "yaml_syntax", 2),
        (b"a:\n\t- 1\n", "yaml_syntax", 2),
        (b"a: 1\n---\nb: 2\n", "yaml_syntax", 2),
    ],
)
def test_unreadable_files(raw, code, line):
    doc, p = only_problem(raw)
    assert doc is None
    assert (p.code, p.line) == (code, line)


def test_tab_indentation_gets_a_hint():
    _, p = only_problem(b"a:\n\t- 1\n")
    assert "tabs" in p.hint


def test_bom_and_crlf_are_fine():
    doc, problems = parse_yaml(b"\xef\xbb\xbfa: 1\r\nb:\r\n  - x\r\n")
    assert problems == [] and doc.data == {"a": 1, "b": ["x"]}
    assert doc.position(("b", 0)) == (3, 5)


def test_size_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 2000 + b"\n")
    doc, problems = read_yaml(path, max_bytes=1000)
    assert doc is None and problems[0].code == "file_too_large"


scalars = st.one_of(
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.none(),
    st.text(alphabet=st.characters(categories=("L", "Zs"), exclude_characters="\x85"), max_size=12),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=6), inner, max_size=4)),
    max_leaves=20,
)


@given(st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=6), documents, min_size=1, max_size=5))
def test_round_trips_what_a_yaml_writer_wrote(data):
    doc, problems = parse_yaml(yaml.safe_dump(data, allow_unicode=True))
    assert problems == []
    assert doc.data == data


# Fragments people and hostile contributors write: tags, keys that are lists, duplicate keys,
# deep nesting, numbers as written, flow style, quoted and block text.
_fragments = st.sampled_from([
    "a: 1.10", "a: !!float abc", "a: !!int 5.5", "a: !!bool maybe", "a: !!str 5", "a: !!python/name:os.system",
    "? [a, b]\n: 1", "{a: 1}: 2", "a: 1\na: 2", "a: [[[[[[1]]]]]]", "a: {b: {c: [1, 2, {d: e}]}}", "a: True",
    "a: 0x1F", "a: 5.76e23", "a: 'x'\nb: \"y\\n\"", "a: |\n  text\n  more", "- 1\n- two", "a: !custom x",
    "a: ~", "a: .inf", "a: -.nan", "a: 1_000", "a:", "'': 1", "a: 2023-09-07",
])


@given(st.lists(_fragments, min_size=1, max_size=4), documents)
def test_one_pass_reader_agrees_with_composing_nodes(fragments, data):
    """Documents without anchors are read in one pass over the parser's events; that reader and
    the node reader (used where anchors make aliases to measure) give the same values, positions,
    texts and problems."""
    from benchtables.yamlpos import _from_events, _from_nodes

    texts = ["\n".join(f for f in fragments if not f.startswith("- ")) or "a: 1",
             yaml.safe_dump({"x": data}, allow_unicode=True)]
    for text in texts:
        outcomes = []
        for read in (_from_events, _from_nodes):
            try:
                doc, problems = read(text, "f.yaml")
            except yaml.YAMLError as exc:
                outcomes.append(("error", str(exc)))
                continue
            outcomes.append(None if doc is None else (repr(doc.data), doc.positions, doc.key_positions, doc.texts))
            outcomes.append([p.format() for p in problems])
        assert outcomes[: len(outcomes) // 2] == outcomes[len(outcomes) // 2:], text
