"""The static site: an index and a page per benchmark and suite, plain escaped HTML, reproducible."""

from __future__ import annotations

from html.parser import HTMLParser

from conftest import REPO, SOURCE

SHIPPED = REPO / "data" / "store"


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k == "href" and v]

    def handle_data(self, data):
        self.text.append(data)


def parse(path):
    parser = Collect()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_site_of_the_shipped_store(cli, tmp_path):
    out = tmp_path / "site"
    result = cli("site", "-o", out, "--store", SHIPPED)
    assert result.code == 0
    index = parse(out / "index.html")
    pages = [link for link in index.links if link.endswith(".html") and link != "index.html"]
    assert "mmlu.html" in pages and "suite-open-llm-v1.html" in pages
    for page in pages:  # every link leads to a page that exists, and back
        parsed = parse(out / page)
        assert "table" in parsed.tags and "index.html" in parsed.links
    mmlu = parse(out / "mmlu.html")
    text = "".join(mmlu.text)
    assert "PaLM 540B" in text and "State of the art over time" in text
    assert "https://arxiv.org/abs/2204.02311" in mmlu.links and "script" not in mmlu.tags
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert cli("site", "-o", out, "--store", SHIPPED).code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # the same store gives the same site


def test_data_cannot_inject_markup_into_the_site(project, cli, tmp_path):
    project.write("x.yaml", SOURCE.replace("A test source", "'<script>alert(1)</script>'")
                  + "models:\n  - {id: m, name: '<img src=x onerror=alert(1)>'}\n"
                  "scores:\n  - {model: m, benchmark: mmlu, n_shot: 5, value: 60, where: '<b>T1</b>'}\n")
    assert cli("build").code == 0
    assert cli("site", "-o", tmp_path / "site").code == 0
    page = parse(tmp_path / "site" / "mmlu.html")
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert "<img src=x onerror=alert(1)>" in "".join(page.text)  # shown as text
