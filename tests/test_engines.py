"""One rule set, two readers: random records written as a real entry file and as real bulk files
(Parquet with the writers' encodings, CSV) get the same verdicts from ``validate``.

The entry-file path reports at lines, the bulk path at rows; both are mapped to (record, field,
code) and compared, warnings included. Nothing here mirrors the validator: each file goes
through the CLI a maintainer runs.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchtables.kinds import RECORDS
from benchtables.spec import Flag, Number, Text, TextList

DECLARATIONS = """\
source: {id: s2024, title: A source, url: 'https://example.org/s', year: 2024}
models:
  - {id: m-7b, name: M 7B, parameters: 7B, aliases: [M7B]}
  - {id: n-1b, name: N 1B, parameters: 1B}
"""

NAMES = {
    "model": ["m-7b", "M7B", " m-7b ", "n-1b", "zz"],
    "benchmark": ["mmlu", "MMLU", "hellaswag", "pretraining", "mmlux"],
    "metric": ["acc", "acc_norm", "fid", "train_loss", "bogus"],
    "suite": ["open-llm-v1", "nope"],
    "sampler": ["DDIM", "ddpm", "bad sampler!"],
}
LABELS = ["cot", "CoT", "maj@1, cot", "test", "Social Sciences", "", " "]
TEXTS = ["Table 1", "a note", " Table 1 ", "\u00a0§4.1\u3000", "表3", "x" * 300, "", "bad\u202etext"]
FLOATS = [0.0, -1.0, 0.5, 1.0, 7.5, 50.0, 99.9, 100.0, 100.1, 250.0, 1e24, math.nan, math.inf]
INTS = [-1, 0, 1, 5, 50, 2.5, 5.0]
QUALIFIERS = [[], ["value~"], ["bad qualifier"], ["parameters>"], ["value~", "x"]]


def values_of(spec):
    kind = spec.type
    if spec.name in NAMES:
        choices = NAMES[spec.name]
    elif isinstance(kind, Number):
        choices = INTS if kind.integer else FLOATS
    elif isinstance(kind, Flag):
        choices = [True, False]
    elif isinstance(kind, TextList):
        choices = QUALIFIERS
    elif isinstance(kind, Text) and kind.form.name in ("SETTING", "LABEL", "SUBSET"):
        choices = LABELS
    else:
        choices = TEXTS
    values = st.sampled_from(choices)
    return values if spec.required else st.one_of(st.none(), values)


def records(kind):
    """Mostly plausible records: each field from its own values (required ones usually present)."""
    table = RECORDS[kind]
    return st.lists(st.fixed_dictionaries({f.name: values_of(f) for f in table.fields}), min_size=1, max_size=8)


def entry_file(kind, rows):
    """The records as an entry file (yaml.safe_dump), referring to the declared source."""
    body = [{k: v for k, v in row.items() if v is not None} for row in rows]
    return "source: s2024\n" + yaml.safe_dump({kind: body}, allow_unicode=True, sort_keys=False, width=10_000)


def arrow_table(kind, rows, encoding):
    """The records as a bulk table, each column in its field's type, written the way ``encoding`` says."""
    columns = {}
    for spec in RECORDS[kind].fields:
        values = [row[spec.name] for row in rows]
        kind_ = spec.type
        if isinstance(kind_, Number):
            whole = kind_.integer and all(v is None or isinstance(v, int) for v in values)
            array = pa.array(values, pa.int64() if whole else pa.float64())
        elif isinstance(kind_, Flag):
            array = pa.array(values, pa.bool_())
        elif isinstance(kind_, TextList):
            array = pa.array(values, pa.list_(pa.large_string() if encoding == "large" else pa.string()))
        elif encoding == "dictionary":
            array = pa.array(values, pa.string()).dictionary_encode()
        else:
            array = pa.array(values, pa.large_string() if encoding == "large" else pa.string())
        columns[spec.name] = array
    columns["source"] = pa.array(["s2024"] * len(rows))
    return pa.table(columns)


def csv_text(kind, rows):
    """The records as a CSV file: every cell text, as spreadsheets write them."""
    out = io.StringIO()
    names = [f.name for f in RECORDS[kind].fields if not isinstance(f.type, TextList)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*names, "source"])
    for row in rows:
        cells = []
        for name in names:
            value = row[name]
            cells.append("" if value is None else str(value).lower() if isinstance(value, bool) else
                         repr(value) if isinstance(value, float) else str(value))
        writer.writerow([*cells, "s2024"])
    return out.getvalue()


def verdicts(cli, path, kind):
    """(record, field, code) of every problem ``validate`` reports for the records of ``path``."""
    report = json.loads(cli("validate", "--format", "json", "--max-problems", "1000", path).out)
    found = set()
    for p in report["problems"]:
        field = p["field"]
        if p.get("row"):
            index = p["row"] - 1
        elif field and field.startswith(f"{kind}["):
            index = int(field[len(kind) + 1:field.index("]")])
            field = field[field.index("]") + 2:] or None
        else:
            index = None
        found.add((index, field, p["code"]))
    return found


def comparable(rows):
    """Records CSV writes as the other files do: no lists, no values whose text reads otherwise."""
    return [{k: v for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("kind", list(RECORDS))
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          deadline=None)
@given(data=st.data())
def test_entry_files_and_bulk_files_get_the_same_verdicts(project, cli, kind, data):
    project.write("declarations.yaml", DECLARATIONS)
    rows = data.draw(records(kind))
    rows += data.draw(st.lists(st.sampled_from(rows), max_size=2))  # repeats: duplicate keys
    encoding = data.draw(st.sampled_from(["plain", "large", "dictionary"]))
    yaml_file = project.write(f"{kind}-records.yaml", entry_file(kind, rows))
    yaml_found = verdicts(cli, yaml_file, kind)
    yaml_file.unlink()
    parquet_file = project.entries / f"{kind}-records.parquet"
    pq.write_table(arrow_table(kind, rows, encoding), parquet_file)
    parquet_found = verdicts(cli, parquet_file, kind)
    with pytest.MonkeyPatch.context() as patch:  # a table checked a few rows at a time, as large files are
        patch.setattr("benchtables.validation.records.CHUNK_ROWS", 3)
        chunked_found = verdicts(cli, parquet_file, kind)
    parquet_file.unlink()
    assert parquet_found == yaml_found
    assert chunked_found == yaml_found
    if all(row.get("qualifiers") is None for row in rows):
        csv_file = project.write(f"{kind}-records.csv", csv_text(kind, rows))
        assert verdicts(cli, csv_file, kind) == yaml_found
        csv_file.unlink()
