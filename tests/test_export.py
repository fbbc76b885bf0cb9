"""Export to other tools, round trips back through import, and the traps validate names."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from benchtables.builder import build
from benchtables.export import export_every_eval_ever, export_model_index, export_table
from benchtables.frames import load
from benchtables.validation import validate
from conftest import FIXTURES, REPO, SOURCE

REAL = FIXTURES / "realdata"
SHIPPED = REPO / "data" / "store"


def test_csv_and_jsonl_are_self_contained():
    rows = list(csv.DictReader(io.StringIO(export_table("scores", "csv", SHIPPED).decode())))
    assert len(rows) == len(load("scores", SHIPPED))
    palm = next(r for r in rows if r["model"] == "palm-540b" and r["subset"] == "" and r["benchmark"] == "mmlu")
    assert (palm["value"], palm["source_title"], palm["source_year"]) == (
        "69.3", "PaLM: Scaling Language Modeling with Pathways", "2022")
    lines = export_table("training", "jsonl", SHIPPED).decode().splitlines()
    falcon = next(json.loads(x) for x in lines if '"tii2023falcon180b"' in x)
    assert falcon["qualifiers"] == ["chip_hours~", "chips<="] and falcon["source_url"] == "https://huggingface.co/blog/falcon-180b"


def test_parquet(tmp_path, cli):
    out = tmp_path / "sampling.parquet"
    assert cli("export", "parquet", "sampling", "-o", out, "--store", SHIPPED).code == 0
    table = pq.read_table(out)
    assert table.num_rows == len(load("sampling", store=SHIPPED)) and "source_title" in table.column_names and table.schema.field("fid")


def test_model_index_block():
    block = yaml.safe_load(export_model_index("PaLM 540B", SHIPPED))
    (entry,) = block["model-index"]
    assert entry["name"] == "palm-540b"
    stem = next(r for r in entry["results"] if r["dataset"].get("config") == "stem")
    assert stem["dataset"] == {"name": "MMLU", "type": "mmlu", "config": "stem", "split": "test", "args": {"num_few_shot": 5}}
    assert stem["metrics"] == [{"type": "acc", "value": 55.6, "name": "Accuracy"}]
    assert stem["source"] == {"name": "PaLM: Scaling Language Modeling with Pathways", "url": "https://arxiv.org/abs/2204.02311"}


def test_every_eval_ever_documents_follow_the_schema():
    import jsonschema

    documents = export_every_eval_ever(SHIPPED, timestamp="1700000000")
    validator = jsonschema.Draft7Validator(json.loads((FIXTURES / "every-eval-ever/eval.schema.v0.3.0.json").read_text()))
    required = {"schema_version", "evaluation_id", "retrieved_timestamp", "source_metadata", "model_info",
                "eval_library", "evaluation_results"}
    for doc in documents:
        assert required <= set(doc) and doc["schema_version"] == "0.3.0"
        assert not [e.message for e in validator.iter_errors(doc)]
        meta = doc["source_metadata"]
        assert meta["source_type"] in {"documentation", "evaluation_run"}
        assert meta["evaluator_relationship"] in {"first_party", "third_party", "collaborative", "other"}
        assert set(doc["model_info"]) >= {"name", "id"} and set(doc["eval_library"]) == {"name", "version"}
        for result in doc["evaluation_results"]:
            assert {"evaluation_name", "source_data", "metric_config", "score_details"} <= set(result)
            assert result["source_data"]["source_type"] in {"url", "hf_dataset", "other"}
            assert isinstance(result["metric_config"]["lower_is_better"], bool)
            if result["metric_config"].get("score_type") == "continuous":
                assert {"min_score", "max_score"} <= set(result["metric_config"])
            assert isinstance(result["score_details"]["score"], float)
            assert all(isinstance(v, str) for v in result["generation_config"]["additional_details"].values())
    by_id = {d["evaluation_id"]: d for d in documents}
    palm = by_id["chowdhery2022palm/palm-540b/1700000000"]
    assert palm["source_metadata"]["evaluator_relationship"] == "first_party"
    assert by_id["ma2024megalodon/mistralai/Mistral-7B-v0.1/1700000000"]["source_metadata"]["evaluator_relationship"] == "third_party"
    loss = by_id["ma2024megalodon/megalodon-7b/1700000000"]["evaluation_results"]
    assert any(r["metric_config"]["lower_is_better"] for r in loss)  # training loss: lower is better


def test_every_eval_ever_files(tmp_path, cli):
    out = tmp_path / "eee"
    assert cli("export", "every-eval-ever", "--model", "palm-540b", "-o", out, "--store", SHIPPED).code == 0
    (file,) = out.iterdir()
    assert json.loads(file.read_text())["model_info"]["id"] == "palm-540b"


def _scores(store):
    df = load("scores", store)
    keep = ["model", "benchmark", "metric", "n_shot", "setting", "split", "subset", "value"]
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in df[keep].astype(object).itertuples(index=False)]
    return sorted(rows, key=repr)


def imported(root, monkeypatch, cli, *args, with_repo_data=False):
    """A project at ``root`` (a copy of this repository's data, or empty) with ``import ARGS`` built in."""
    if with_repo_data:
        shutil.copytree(REPO / "data", root / "data")
    else:
        (root / "data" / "entries").mkdir(parents=True)
    monkeypatch.chdir(root)
    assert cli("import", *args, "-o", "data/entries").code == 0
    assert cli("build").code == 0
    return root


def test_model_index_round_trip(tmp_path, monkeypatch, cli):
    first = imported(tmp_path / "first", monkeypatch, cli, "model-index", REAL / "hf-model-index/NeuralBeagle14-7B.md",
                     with_repo_data=True)
    card = tmp_path / "card.yaml"
    assert cli("export", "model-index", "mlabonne/NeuralBeagle14-7B", "-o", card).code == 0
    second = imported(tmp_path / "second", monkeypatch, cli, "model-index", card)
    before = [r for r in _scores(first / "data" / "store") if r[0] == "mlabonne-neuralbeagle14-7b"]
    assert len(before) == 6 and _scores(second / "data" / "store") == before
    sources = load("sources", second / "data" / "store")
    assert sources["url"].iloc[0].endswith("?query=mlabonne/NeuralBeagle14-7B")


def test_csv_round_trip(tmp_path, monkeypatch, cli):
    first = imported(tmp_path / "first", monkeypatch, cli, "csv", "--preset", "epoch-benchmark",
                     REAL / "epoch/external_benchmark_mmlu.csv", with_repo_data=True)
    exported = tmp_path / "scores.csv"
    assert cli("export", "csv", "scores", "-o", exported).code == 0
    second = imported(tmp_path / "second", monkeypatch, cli, "csv", "--preset", "benchtables", exported)
    assert _scores(second / "data" / "store") == _scores(first / "data" / "store")
    titles = dict(load("sources", second / "data" / "store")[["id", "title"]].itertuples(index=False))
    assert titles["arxiv-2302.13971"] == "LLaMA: Open and Efficient Foundation Language Models"


@pytest.fixture
def traps(project):
    project.write("paper.yaml", SOURCE + textwrap.dedent("""\
        models:
          - {id: big, name: Big, parameters: 70B, introduced_by: test2024}
          - {id: moe, name: MoE, parameters: 47B, active_parameters: 13B}
        training:
          - {model: big, parameters: 70B, tokens: 1.4T, where: Table 1}
        utilization:
          - {model: big, mfu: 46.2%, hfu: 57.8%, where: Table 3}
        """))
    build()
    return project


def test_validate_names_the_known_traps(traps):
    traps.write("dataset.yaml", textwrap.dedent("""\
        source: {id: aggregator, title: An aggregator, url: 'https://example.org/agg', year: 2025}
        training:
          - {model: big, parameters: 70B, tokens: 1.05e12, where: row 1}
          - {model: moe, parameters: 13B, where: row 2}
          - {model: moe, compute: 7.8e22, hardware: A100, chips: 8, days: 0.42, where: row 3}
        utilization:
          - {model: big, hfu: 46.2%, where: row 1}
          - {model: moe, mfu: 0.46, where: row 2}
          - {model: moe, mfu: 60%, hfu: 50%, where: row 3}
        scores:
          - {model: big, benchmark: MMLU (few-shot), value: 60}
        """))
    report = validate([traps.entries / "dataset.yaml"])
    found = {(p.code, p.field) for p in report}
    assert ("mfu_hfu_swap", "utilization[0].hfu") in found
    assert ("fraction_as_percent", "utilization[1].mfu") in found  # 0.46 meant 46%
    assert ("mfu_above_hfu", "utilization[2].mfu") in found
    assert ("compute_exceeds_hardware", "training[2].compute") in found
    assert ("active_as_total", "training[1].parameters") in found
    assert ("unknown_benchmark", "scores[0].benchmark") in found
    words = next(p for p in report if p.code == "disagreement" and p.field == "training[0].tokens")
    assert "words, not tokens" in words.hint
    setting = next(p for p in report if p.code == "unknown_benchmark")
    assert "includes a setting" in setting.message and "mmlu" in setting.hint
