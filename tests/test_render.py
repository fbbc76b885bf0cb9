"""Rendering: tables that parse as what they claim to be, whatever the cells contain."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from benchtables.errors import UsageError
from benchtables.rendering import render, to_html, to_latex, to_markdown
from benchtables.tables import leaderboard
from conftest import REPO

SHIPPED = REPO / "data" / "store"
GFM = MarkdownIt("commonmark", {"html": True}).enable("table")


def parse_markdown_table(text: str):
    """Header cells, body rows and whether any cell holds HTML or links, by a real GFM parser."""
    tokens = GFM.parse(text)
    rows, current, in_table, markup = [], None, False, set()
    for tok in tokens:
        if tok.type == "table_open":
            in_table = True
        elif tok.type == "table_close":
            in_table = False
        elif in_table and tok.type == "tr_open":
            current = []
        elif in_table and tok.type == "tr_close":
            rows.append(current)
        elif in_table and tok.type == "inline":
            parts = []
            for child in tok.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                else:
                    markup.add(child.type)
            current.append("".join(parts))
    assert rows, f"no table in:\n{text}"
    return rows[0], rows[1:], markup


HOSTILE = [
    "a | b", "pipe at end |", "| leading", "`code | pipe`", "line\nbreak", "two\n\nparagraphs",
    "<script>alert(1)</script>", "<b>bold</b>", "**stars**", "_under_", "[link](http://x)", "![img](x.png)",
    "back\\slash", "a\\|b", "&amp; &lt;", "# heading", "1. list", "- item", "---", "~~strike~~", "tab\there", "",
]


def test_hostile_cells_stay_text_in_their_cells():
    df = pd.DataFrame({"name": HOSTILE, "value": np.arange(len(HOSTILE), dtype=float)})
    header, body, markup = parse_markdown_table(to_markdown(df))
    assert header == ["name", "value"]
    assert len(body) == len(HOSTILE) and all(len(r) == 2 for r in body)
    assert [r[0] for r in body] == [" ".join(h.split()) for h in HOSTILE]
    assert markup == set()  # no HTML, links, emphasis or images leaked out of the cells


def shown(text: str) -> str:
    """What a cell shows: whitespace runs as one space, control characters as U+FFFD."""
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in " ".join(text.split()))


cell_text = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc")), max_size=30)


@given(st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=6))
def test_any_text_parses_as_the_same_table(rows):
    df = pd.DataFrame(rows, columns=["first", "second"])
    _, body, markup = parse_markdown_table(to_markdown(df))
    assert len(body) == len(rows) and all(len(r) == 2 for r in body)
    # an @mention is kept from notifying anyone by an invisible word joiner after the @; nothing else differs
    assert [tuple(c.replace("@\u2060", "@") for c in r) for r in body] == [tuple(shown(c) for c in row) for row in rows]
    assert not markup & {"html_inline", "link_open", "image", "strong_open", "em_open"}


@pytest.fixture(scope="module")
def board():
    return leaderboard("mmlu", n_shot=5, store=SHIPPED)


def test_markdown_leaderboard(board):
    text = to_markdown(board, footnotes=True)
    header, body, markup = parse_markdown_table(text)
    assert header[:5] == ["#", "Model", "Organization", "Params", "MMLU (5-shot)"]
    assert len(body) == len(board)
    first = dict(zip(header, body[0], strict=True))
    assert first["Params"] == "540.35B" and first["MMLU (5-shot)"] == "69.3" and first["Source"] == "[1]"
    assert markup == {"strong_open", "strong_close"}  # the best value is bold, nothing else is markup
    assert "**69.3**" in text
    assert "1. [PaLM: Scaling Language Modeling with Pathways](https://arxiv.org/abs/2204.02311)" in text


def test_numbers_are_right_aligned(board):
    lines = [ln for ln in to_markdown(board).splitlines() if ln.startswith("|")]
    cells = [c.strip() for c in lines[2].split("|")[1:-1]]
    raw = lines[2].split("|")[1:-1]
    assert raw[0].startswith(" ") and raw[0].rstrip().endswith(cells[0])  # the rank is right-aligned
    assert raw[1].startswith(f" {cells[1]}")  # the model name is left-aligned


def test_counts_and_bounds_are_written_as_papers_write_them():
    df = pd.DataFrame({"model": ["a", "b", "c"], "parameters": [70e9, 1.4e12, 1e11], "tokens": [1.4e12, 2e12, 7e6],
                       "qualifiers": [[], ["parameters>"], ["tokens~"]]})
    df.attrs["units"] = {"parameters": "parameters", "tokens": "tokens"}
    _, body, _ = parse_markdown_table(to_markdown(df))
    assert body == [["a", "70B", "1.4T"], ["b", ">1.4T", "2T"], ["c", "100B", "≈7M"]]


def test_precision_is_the_columns_own_or_stated():
    df = pd.DataFrame({"fid": [25.3, 24.18], "clip": [0.305, 0.31]})
    _, body, _ = parse_markdown_table(to_markdown(df))
    assert body == [["25.30", "0.305"], ["24.18", "0.310"]]
    _, body, _ = parse_markdown_table(to_markdown(df, precision=1))
    assert body == [["25.3", "0.3"], ["24.2", "0.3"]]


def test_latex_is_booktabs_and_escaped(board):
    df = pd.DataFrame({"name": ["a_b & 50% #1 {x} ~ ^ \\ $"], "value": [1.5]})
    text = to_latex(df)
    assert text.startswith("\\begin{table}") and text.rstrip().endswith("\\end{table}")
    assert "\\begin{tabular}{lr}" in text and "\\toprule" in text and "\\midrule" in text and "\\bottomrule" in text
    assert r"a\_b \& 50\% \#1 \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} \$" in text
    assert "\\textbf{69.3}" in to_latex(board)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.cells, self._in_cell = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._in_cell, self.cells = True, [*self.cells, ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def test_html_is_escaped(board):
    df = pd.DataFrame({"name": ["<script>alert(1)</script>", "a & b \"q\""], "value": [1.0, 2.0]})
    parser = _Collect()
    parser.feed(to_html(df))
    assert "script" not in parser.tags
    assert parser.cells[2].strip() == "<script>alert(1)</script>" and parser.cells[4].strip() == 'a & b "q"'
    assert "<strong>69.3</strong>" in to_html(board)


def test_csv_and_json_carry_raw_values(board):
    rows = list(csv.DictReader(io.StringIO(render(board, "csv"))))
    assert float(rows[0]["parameters"]) == 540.35e9 and rows[0]["model"] == "palm-540b"
    payload = json.loads(render(board, "json"))
    assert payload["rows"][0]["value"] == 69.3 and payload["rows"][0]["model"] == "palm-540b"
    assert payload["caption"] == board.caption and payload["columns"] == list(rows[0])
    assert "first_party" not in payload["columns"]  # presentation columns stay out; the shown ones and ids stay in


def test_unknown_format():
    with pytest.raises(UsageError, match="unknown format"):
        render(pd.DataFrame({"a": [1]}), "xml")


def test_visible_replaces_exactly_the_control_and_invisible_characters():
    """Every control character (Unicode Cc) but the line break, and every zero-width or bidi control,
    shows as U+FFFD; every other character of the first planes' common blocks is kept as written."""
    import unicodedata

    from benchtables.rendering.cells import visible

    invisible = {*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF}
    for cp in [*range(0x3000), *invisible]:
        c = chr(cp)
        replaced = (unicodedata.category(c) == "Cc" and c != "\n") or cp in invisible
        assert visible(f"a{c}b", one_line=False) == ("a\ufffdb" if replaced else f"a{c}b"), hex(cp)
    assert visible("a  b\n\tc") == "a b c" and visible("a  b", one_line=False) == "a  b"
