"""Hostile input: every case is a located problem with its code, or one clear line and a
consistent exit code (1 for data, 2 for usage or environment) — never a traceback.

``BENCHTABLES_DEBUG`` is set for tests (conftest), so a bug raises here instead of being
turned into the command line's one-line "internal error".
"""

from __future__ import annotations

import errno
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEADER = ('source: {id: s2024, title: A source, url: "https://example.org/s", year: 2024}\n'
          "models:\n  - {id: m-7b, name: M 7B}\n")
LINE = 5  # the first record's line under HEADER and a section line

# (name, body after HEADER, (code, line, field) of the one problem expected)
ENTRY_CASES = [
    ("float tag on text", "scores:\n  - {model: m-7b, benchmark: mmlu, value: !!float abc}",
     ("yaml_tag", LINE, None)),
    ("int tag on a fraction", "scores:\n  - {model: m-7b, benchmark: mmlu, value: 50, n_shot: !!int 5.5}",
     ("yaml_tag", LINE, None)),
    ("bool tag on maybe", "scores:\n  - {model: m-7b, benchmark: mmlu, value: 50, partial: !!bool maybe}",
     ("yaml_tag", LINE, None)),
    ("python tag", "scores:\n  - {model: m-7b, benchmark: mmlu, value: !!python/name:os.system 50}",
     ("yaml_tag", LINE, None)),
    ("5,000-digit value", "scores:\n  - {model: m-7b, benchmark: mmlu, value: " + "9" * 5000 + "}",
     ("finite_number", LINE, "scores[0].value")),
    ("400-digit count", "training:\n  - {model: m-7b, parameters: " + "9" * 400 + "}",
     ("finite_number", LINE, "training[0].parameters")),
    ("n-shot beyond int64", "scores:\n  - {model: m-7b, benchmark: mmlu, value: 50, n_shot: 9223372036854775808}",
     ("int_too_large", LINE, "scores[0].n_shot")),
    ("NaN", "scores:\n  - {model: m-7b, benchmark: mmlu, value: .nan}", ("finite_number", LINE, "scores[0].value")),
    ("infinity as text", "training:\n  - {model: m-7b, parameters: Infinity}",
     ("finite_number", LINE, "training[0].parameters")),
    ("NUL in a name", 'scores:\n  - {model: "m-7b\\0", benchmark: mmlu, value: 50}',
     ("forbidden_character", LINE, "scores[0].model")),
    ("bidi override in a where", 'scores:\n  - {model: m-7b, benchmark: mmlu, value: 50, where: "Table\\u202e 1"}',
     ("forbidden_character", LINE, "scores[0].where")),
    ("zero-width space in a benchmark", 'scores:\n  - {model: m-7b, benchmark: "mm\\u200blu", value: 50}',
     ("forbidden_character", LINE, "scores[0].benchmark")),
    ("not UTF-8", b"scores:\n  - {model: m-7b, benchmark: mmlu, value: 50, where: caf\xe9}",
     ("not_utf8", LINE, None)),
    ("nesting too deep", "scores: " + "[" * 5000 + "]" * 5000, ("yaml_syntax", 4, None)),
]

SOURCE_CASES = [
    ("LaTeX after a URL", 'https://e.example/}\\\\input{/etc/passwd}'),
    ("Markdown after a URL", "https://evil.example/x)![pixel](https://evil.example/p.png"),
    ("javascript URL", "javascript:alert(1)"),
    ("a space in a URL", "https://example.org/a b"),
    ("HTML in a URL", 'https://example.org/"><script>alert(1)</script>'),
]


def validate_json(cli, path):
    result = cli("validate", "--format", "json", path)
    assert "Traceback" not in result.out + result.err
    return result, json.loads(result.out) if result.out else None


@pytest.mark.parametrize(("body", "expected"), [(b, e) for _, b, e in ENTRY_CASES],
                         ids=[n for n, _, _ in ENTRY_CASES])
def test_hostile_entry_files_are_located_problems(project, cli, body, expected):
    path = project.write("x.yaml", HEADER.encode() + body if isinstance(body, bytes) else HEADER + body + "\n")
    result, report = validate_json(cli, path)
    assert result.code == 1
    errors = [(p["code"], p["line"], p["field"]) for p in report["problems"] if p["severity"] == "error"]
    assert errors[:1] == [expected]


@pytest.mark.parametrize("url", [u for _, u in SOURCE_CASES], ids=[n for n, _ in SOURCE_CASES])
def test_urls_are_validated_strictly_on_input(project, cli, url):
    path = project.write("x.yaml", "source: {id: s2024, title: A source, url: '" + url.replace("'", "''") + "'}\n")
    result, report = validate_json(cli, path)
    assert result.code == 1
    assert [(p["code"], p["field"]) for p in report["problems"]] == [("string_pattern_mismatch", "source.url")]


def test_problems_per_file_are_capped_and_counted(project, cli):
    rows = "".join(f"  - {{model: m-7b, benchmark: mmlu, n_shot: {i}, value: {200 + i}}}\n" for i in range(20_000))
    path = project.write("x.yaml", HEADER + "scores:\n" + rows)
    result, report = validate_json(cli, path)
    assert result.code == 1 and len(report["problems"]) == 50
    assert report["errors"] == 20_000 and report["omitted"] == 19_950
    text = cli("validate", path)
    assert len(text.out.splitlines()) == 50 and "20000 errors" in text.err.replace(",", "")


def test_an_entry_file_linking_out_of_the_project_is_refused(project, cli, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("source: {id: private, title: Private text that must not be echoed, url: 'https://x.org'}\n")
    (project.entries / "linked.yaml").symlink_to(secret)
    result = cli("validate")
    assert result.code == 1 and "[file_refused]" in result.out and "Private text" not in result.out + result.err
    assert cli("build").code == 1


def test_a_ci_log_cannot_be_given_a_workflow_command(project, cli):
    """A file name or value starting a line with :: would be run by GitHub Actions as a command."""
    project.write("x\n::warning::pwned.yaml", HEADER + "scores:\n  - {model: m-7b, benchmark: mmlu, value: 500}\n")
    for fmt in ("text", "github"):
        out = cli("validate", "--format", fmt)
        assert not [line for line in (out.out + out.err).splitlines() if line.startswith("::") and "pwned" in line
                    and not line.startswith("::error file=")]


# --------------------------------------------------------------------------- bulk files


def test_bulk_numbers_beyond_float_precision_and_int64(project, cli):
    project.write("decl.yaml", HEADER)
    table = pa.table({"model": ["m-7b", "m-7b"], "benchmark": ["mmlu", "hellaswag"], "metric": ["acc", "acc"],
                      "value": [50.0, 60.0], "n_shot": pa.array([2 ** 53 + 1, 2 ** 63 - 1], pa.int64()),
                      "source": ["s2024", "s2024"]})
    pq.write_table(table, project.entries / "scores-big.parquet")
    result, report = validate_json(cli, project.entries / "scores-big.parquet")
    assert result.code == 0, report
    assert cli("build").code == 0
    shown = cli("show", "scores", "--format", "json", "--columns", "n_shot")
    assert {r["n_shot"] for r in json.loads(shown.out)["rows"]} == {2 ** 53 + 1, 2 ** 63 - 1}  # exact, not rounded


def test_bulk_file_with_metadata_that_is_not_utf8(project, cli):
    project.write("decl.yaml", HEADER)
    table = pa.table({"model": ["m-7b"], "benchmark": ["mmlu"], "metric": ["acc"], "value": [50.0],
                      "source": ["s2024"]})
    table = table.replace_schema_metadata({b"benchtables.kind": b"\xff\xfe scores"})
    pq.write_table(table, project.entries / "scores-meta.parquet")
    result, _ = validate_json(cli, project.entries / "scores-meta.parquet")
    assert result.code in (0, 1)


def test_a_csv_with_twenty_thousand_columns(project, cli):
    project.write("decl.yaml", HEADER)
    names = ["model", "benchmark", "value", "source"] + [f"extra{i}" for i in range(20_000)]
    row = ["m-7b", "mmlu", "50", "s2024"] + ["x"] * 20_000
    (project.entries / "scores-wide.csv").write_text(",".join(names) + "\n" + ",".join(row) + "\n")
    result, report = validate_json(cli, project.entries / "scores-wide.csv")
    assert result.code == 1 and report["errors"] == 20_000 and len(report["problems"]) == 50
    assert {p["code"] for p in report["problems"]} == {"extra_forbidden"}


# --------------------------------------------------------------------------- the store and the environment




@pytest.mark.parametrize("damage", ["drop a column", "retype a column", "flip a bit", "truncate"])
def test_a_damaged_store_is_one_clear_line(shipped_project, cli, damage):
    path = shipped_project / "data/store/scores.parquet"
    if damage == "flip a bit":
        data = bytearray(path.read_bytes())
        data[len(data) // 3] ^= 0x10
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:-100])
    else:
        table = pq.read_table(path)
        if damage == "drop a column":
            table = table.drop_columns(["metric"])
        else:
            i = table.schema.get_field_index("value")
            table = table.set_column(i, "value", pa.array([str(v) for v in table["value"].to_pylist()]))
        pq.write_table(table, path)
    board = cli("leaderboard", "mmlu")
    assert board.code == 2 and board.err.startswith("benchtables: error:") and len(board.err.splitlines()) == 1
    checked = cli("validate", "--format", "json")
    codes = [p["code"] for p in json.loads(checked.out)["problems"]]
    assert checked.code == 1 and "store_unreadable" in codes  # never silently skipped
    assert cli("build").code == 0 and cli("leaderboard", "mmlu").code == 0  # a build repairs it


def test_a_read_only_file_system(shipped_project, cli, monkeypatch):
    """EROFS where the build creates its staging directory (tests run as root, which ignores permissions)."""
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(shipped_project / "data"))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    (shipped_project / "data/entries/extra.yaml").write_text(
        "source: chowdhery2022palm\nscores:\n  - {model: palm-540b, benchmark: hellaswag, metric: acc, n_shot: 0, "
        "value: 83.4, where: Table 99}\n")
    result = cli("build")
    assert result.code == 2 and "Read-only file system" in result.err and len(result.err.splitlines()) == 1


def test_a_full_disk_leaves_the_store_as_it_was(shipped_project, cli, monkeypatch):
    before = {p.name: p.read_bytes() for p in (shipped_project / "data/store").iterdir() if p.is_file()}
    (shipped_project / "data/entries/extra.yaml").write_text(
        "source: chowdhery2022palm\nscores:\n  - {model: palm-540b, benchmark: hellaswag, metric: acc, n_shot: 0, "
        "value: 83.4, where: Table 99}\n")
    import pyarrow.parquet as parquet

    real = parquet.ParquetWriter.write_table

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(parquet.ParquetWriter, "write_table", full)
    result = cli("build")
    monkeypatch.setattr(parquet.ParquetWriter, "write_table", real)
    assert result.code == 2 and "No space left on device" in result.err and "Traceback" not in result.err
    after = {p.name: p.read_bytes() for p in (shipped_project / "data/store").iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in (shipped_project / "data").iterdir() if p.name.startswith(".store")
                and p.is_dir()]  # no staging left behind


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(min_value=0.0, max_value=0.999), bit=st.integers(min_value=0, max_value=7))
def test_a_flipped_bit_in_a_stored_table_never_reads_back_as_other_numbers(shipped_project, position, bit):
    """Page checksums and the manifest's footer digest: a changed byte is an error, never a wrong value."""
    from benchtables.errors import StoreError
    from benchtables.store import Store

    path = shipped_project / "data/store/scores.parquet"
    original = path.read_bytes()
    expected = Store(shipped_project / "data/store").table("scores")
    damaged = bytearray(original)
    damaged[int(position * len(original))] ^= 1 << bit
    path.write_bytes(bytes(damaged))
    try:
        read = Store(shipped_project / "data/store").table("scores")
    except StoreError:
        pass  # detected
    else:
        assert read.equals(expected)  # a flip in bytes nobody reads (padding) changes nothing
    finally:
        path.write_bytes(original)


# --------------------------------------------------------------------------- hostile files to import

_RUN = "hf (pretrained={model}), gen_kwargs: (None), limit: None, num_fewshot: 5, batch_size: 1\n"
_TABLE = "|Tasks|Version|Filter|n-shot|Metric|Value| |Stderr|\n|---|---|---|---|---|---|---|---|\n" \
         "|arc_challenge|1|none|{shots}|acc|0.5|±|0.01|\n"
_CARD = "---\nmodel-index:\n{index}\n---\n"
_RESULT = ("- name: m\n  results:\n  - task: {{type: text-generation}}\n    dataset: {{name: {dataset}, type: mmlu, "
           "args: {{num_few_shot: {shots}}}}}\n    metrics: {metrics}\n    source: {{url: '{url}'}}\n")
IMPORT_CASES = [
    # (name, file name, content, exit code, what stderr must say)
    ("a model name of many spaces (quadratic setting split)", "spaces.md",
     _RUN.format(model="org/m" + " " * 9000 + "x") + _TABLE.format(shots=0), 0, "1 record"),
    ("an n-shot of 5,000 digits in a model name", "hugeshot.md",
     _RUN.format(model="org/m (" + "9" * 5000 + "-shot)") + _TABLE.format(shots=0), 0, "1 record"),
    ("an n-shot cell that is no number keeps no n-shot", "nshot.md",
     _RUN.format(model="org/m") + _TABLE.format(shots="-1"), 0, "n-shot left empty"),
    ("a superscript digit as a card's num_few_shot", "sup/README.md",
     _CARD.format(index=_RESULT.format(dataset="MMLU", shots="'²'", metrics="[{type: acc, value: 50}]",
                                       url="https://e.example/")), 0, "1 record"),
    ("a card's source URL that is no URL", "ipv6/README.md",
     _CARD.format(index=_RESULT.format(dataset="MMLU", shots=5, metrics="[{type: acc, value: 50}]",
                                       url="http://[::1/x?query=o/m")), 0, "1 record"),
    ("a model-index entry that is text", "entry/README.md", _CARD.format(index="- just a string"), 1,
     "model-index[0] must be a mapping"),
    ("a card's results that are a number", "results/README.md", _CARD.format(index="- name: m\n  results: 5"), 1,
     "model-index[0].results must be a list"),
    ("a card's metrics that are a number", "metrics/README.md",
     _CARD.format(index=_RESULT.format(dataset="MMLU", shots=5, metrics="5", url="https://e.example/")), 1,
     "metrics is not a list"),
    ("10,000 unknown tasks are counted, not all listed", "unknown.md",
     _RUN.format(model="org/m") + _TABLE.format(shots=0).rsplit("\n", 2)[0] + "\n"
     + "".join(f"|task_{i}|1|none|0|acc|0.5|±|0.01|\n" for i in range(10_000)), 1, "(9800 more)"),
]


@pytest.mark.parametrize(("name", "content", "code", "says"), [(f, c, e, s) for _, f, c, e, s in IMPORT_CASES],
                         ids=[n for n, *_ in IMPORT_CASES])
def test_hostile_files_to_import_get_a_clear_outcome(tmp_path, monkeypatch, cli, name, content, code, says):
    """Every case ends with its exit code and a message, never an internal error; none takes quadratic time."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    out = cli("import", path)
    assert "internal error" not in out.err and "Traceback" not in out.err
    assert out.code == code and says in out.err, out.err[-500:]


def test_line_numbers_of_an_imported_table_are_the_editors(tmp_path, monkeypatch, cli):
    """Form feeds, NEL and U+2028 inside a line do not break it: `where` names the line an editor shows."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "lines.md"
    path.write_text("notes \x0c with \x85 odd \u2028 breaks\n" + _RUN.format(model="org/m") + _TABLE.format(shots=0),
                    encoding="utf-8")
    out = cli("import", path)
    assert out.code == 0 and "where: 'lines.md: line 5'" in out.out
