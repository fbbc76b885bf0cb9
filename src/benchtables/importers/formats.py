"""The formats benchtables imports, declared once, and how a file's format is told from its content.

Each :class:`Format` names the function that reads it (imported only when used), what it
reads, and an example command. :func:`detect` looks at a file's bytes — never its name alone —
so an Inspect log given as lm-eval results is recognised for what it is, and a format word on
the command line that does not fit the file is an error that says what the file is.

This module imports nothing heavy: ``benchtables import --help`` lists the formats from here.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError, UsageError

__all__ = ["FORMATS", "Format", "detect", "resolve_format"]


@dataclass(frozen=True)
class Format:
    """A format benchtables imports."""

    name: str
    reads: str  #: what the format is, for --help and the README
    function: str  #: "module:function" that reads one file into an Importer
    example: str  #: a command, for the README


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("lm-eval", "lm-evaluation-harness results JSON, v0.3 and v0.4 (the Open LLM Leaderboard v2's too)",
           "benchtables.importers.lm_eval:import_lm_eval", "benchtables import results_2024-06-01.json"),
    Format("lm-eval-table", "lm-evaluation-harness results tables printed in a README or model card "
           "(|Tasks|Version|Filter|n-shot|Metric|Value|…)", "benchtables.importers.lm_eval_table:import_lm_eval_table",
           "benchtables import README.md"),
    Format("inspect", "Inspect AI eval logs (.json, and .eval archives)",
           "benchtables.importers.inspect_log:import_inspect", "benchtables import logs/2025-05-12_mmlu.eval"),
    Format("lighteval", "lighteval results JSON, and Open LLM Leaderboard v1 results (harness|task|n keys)",
           "benchtables.importers.lighteval:import_lighteval", "benchtables import results_2024-01-01.json"),
    Format("every-eval-ever", "Every Eval Ever aggregate files (schema 0.3, and the 0.x layouts before it)",
           "benchtables.importers.every_eval_ever:import_every_eval_ever", "benchtables import eee/model.json"),
    Format("hf-eval-results", "Hugging Face Hub evaluation results (.eval_results/*.yaml in a model repository)",
           "benchtables.importers.hf_eval_results:import_hf_eval_results",
           "benchtables import .eval_results/gpqa.yaml --model org/name"),
    Format("model-index", "a Hugging Face model card's model-index block (README.md front matter)",
           "benchtables.importers.model_index:import_model_index", "benchtables import README.md"),
    Format("open-llm-leaderboard", "the Open LLM Leaderboard v2 contents table (CSV, Parquet or JSON): "
           "normalised scores and raw ones, as separate metrics",
           "benchtables.importers.open_llm:import_contents", "benchtables import contents.csv"),
    Format("alpacaeval", "AlpacaEval leaderboard CSVs (length-controlled win rate, win rate, their standard errors)",
           "benchtables.importers.leaderboards:import_alpacaeval",
           "benchtables import weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"),
    Format("lmsys", "Chatbot Arena leaderboard_table_YYYYMMDD.csv (arena Elo, MT-Bench, MMLU)",
           "benchtables.importers.leaderboards:import_lmsys", "benchtables import leaderboard_table_20240118.csv"),
    Format("arena-hard", "Arena-Hard-Auto leaderboard CSVs (score with its 95% interval)",
           "benchtables.importers.leaderboards:import_arena_hard",
           "benchtables import arena_hard_leaderboard_20240731.csv"),
    Format("opencompass", "OpenCompass summary CSVs (dataset,version,metric,mode,<one column per model>)",
           "benchtables.importers.leaderboards:import_opencompass", "benchtables import summary_20240101.csv"),
    Format("paperswithcode", "Papers with Code evaluation-tables JSON (and sota-extractor task files)",
           "benchtables.importers.paperswithcode:import_paperswithcode", "benchtables import evaluation-tables.json"),
    Format("helm", "a HELM run directory (run_spec.json and stats.json)",
           "benchtables.importers.helm:import_helm", "benchtables import runs/mmlu:subject=philosophy,model=gpt2"),
    Format("csv", "any CSV with a column mapping (presets: epoch-benchmark, epoch-models, benchtables)",
           "benchtables.importers.csv_table:import_csv_file",
           "benchtables import csv results.csv --map model=Model --map value=Score --set benchmark=mmlu"),
)}


def _json(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            head = handle.read(1)
        if head not in (b"{", b"["):
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def _json_format(data: Any) -> str | None:
    if isinstance(data, list):
        if data and all(isinstance(d, dict) and "schema_version" in d and "evaluation_results" in d for d in data):
            return "every-eval-ever"
        if data and all(isinstance(t, dict) and ("datasets" in t or "subtasks" in t) for t in data):
            return "paperswithcode"
        if data and isinstance(data[0], dict) and _table_format(list(data[0])) == "open-llm-leaderboard":
            return "open-llm-leaderboard"  # a table as JSON records
        return None
    if not isinstance(data, dict):
        return None
    if "eval" in data and isinstance(data.get("eval"), dict) and "status" in data:
        return "inspect"
    if "schema_version" in data and "evaluation_results" in data:
        return "every-eval-ever"
    if "config_general" in data and "results" in data:
        return "lighteval"
    if isinstance(data.get("results"), dict) and any(k in data for k in ("configs", "versions", "config", "n-shot")):
        return "lm-eval"
    if "datasets" in data or "subtasks" in data:
        return "paperswithcode"
    return None


def _header(path: Path) -> list[str]:
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(io.StringIO(handle.read(1 << 16))), [])
    except Exception:
        return []


def _table_format(columns: list[str]) -> str | None:
    names = {c.strip() for c in columns}
    if {"fullname", "IFEval Raw"} <= names or {"eval_name", "IFEval Raw"} <= names \
            or {"model_name", "evaluations_ifeval_value"} <= names:  # the leaderboard API's flattening
        return "open-llm-leaderboard"
    if "win_rate" in names and names & {"n_wins", "length_controlled_winrate"}:
        return "alpacaeval"
    if {"Model", "MMLU"} <= names and any(c.startswith(("MT-bench", "Arena Elo")) for c in names):
        return "lmsys"
    if {"model", "score", "rating_q025", "rating_q975"} <= names:
        return "arena-hard"
    if columns[:4] == ["dataset", "version", "metric", "mode"]:
        return "opencompass"
    return None


def _markdown_format(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    front = text.split("---", 2)[1] if text.lstrip().startswith("---") and text.count("---") >= 2 else ""
    if "model-index" in front or "model_index" in front:  # model_index: 2021 cards, refused with a hint
        return "model-index"
    from benchtables.importers.leaderboards import opencompass_table
    from benchtables.importers.lm_eval_table import find_tables

    if find_tables(text):
        return "lm-eval-table"
    return "opencompass" if opencompass_table(text) is not None else None


#: The largest file tried for lm-eval results tables when no format claims it (a log, a script).
_TEXT_LIMIT = 8 << 20


def _text_table_format(path: Path) -> str | None:
    """``lm-eval-table`` for a small UTF-8 text file that holds an lm-eval results table, else None."""
    try:
        if path.stat().st_size > _TEXT_LIMIT:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in data or b"Stderr" not in data or b"Metric" not in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    from benchtables.importers.lm_eval_table import find_tables

    return "lm-eval-table" if find_tables(text) else None


def detect(path: Path) -> str | None:
    """The format of a file (or HELM run directory), told from its content; None if none fits.

    A text file no format claims by its content is tried last for lm-eval results tables (they
    are pasted into scripts, notes and source files as much as into READMEs).
    """
    found = _detect(path)
    if found is None and path.is_file() and not _markdown_like(path) \
            and path.suffix.lower() not in (".parquet", ".eval", ".zip"):
        found = _text_table_format(path)
    return found


def _markdown_like(path: Path) -> bool:
    """Files read as Markdown or text (their tables are looked for there already)."""
    return path.suffix.lower() in (".md", ".markdown", ".txt", ".readme") or path.name.lower().startswith("readme")


def _detect(path: Path) -> str | None:
    if path.is_dir():
        return "helm" if (path / "run_spec.json").is_file() else None
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        return None
    if head == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        return "inspect" if {"header.json", "_journal/start.json"} & names else None
    if suffix in (".json", ".jsonl") or head[:1] in (b"{", b"["):
        found = _json_format(_json(path))
        if found:
            return found
    if suffix in (".yaml", ".yml"):
        from benchtables.yamlpos import read_yaml

        doc, _ = read_yaml(path)
        data = doc.data if doc is not None else None
        if isinstance(data, dict) and "model-index" in data:
            return "model-index"
        entries = data if isinstance(data, list) else [data]
        if entries and all(isinstance(e, dict) and isinstance(e.get("dataset"), dict) and "value" in e for e in entries):
            return "hf-eval-results"
        return None
    if suffix in (".csv", ".tsv", ".parquet"):
        return _table_format(_header(path))
    if _markdown_like(path):
        return _markdown_format(path)
    return None


_NAMES = {"lm-eval": "lm-evaluation-harness results", "inspect": "an Inspect log", "lighteval": "lighteval results",
          "every-eval-ever": "an Every Eval Ever file", "hf-eval-results": "Hugging Face evaluation results",
          "model-index": "a model card's model-index", "paperswithcode": "a Papers with Code file",
          "open-llm-leaderboard": "an Open LLM Leaderboard contents table", "alpacaeval": "an AlpacaEval leaderboard",
          "lmsys": "a Chatbot Arena leaderboard table", "arena-hard": "an Arena-Hard leaderboard",
          "opencompass": "an OpenCompass summary", "helm": "a HELM run", "lm-eval-table": "an lm-eval results table"}


def resolve_format(path: Path, asked: str | None) -> str:
    """The format to read ``path`` as: the one asked for (which must fit), else the one detected.

    Raises:
        UsageError: an unknown format word.
        FormatError: the file is not in the format asked for, or in none benchtables reads.
    """
    if asked is not None and asked not in FORMATS:
        raise UsageError(f"unknown import format {asked!r}; formats: {', '.join(FORMATS)}")
    found = detect(path)
    if asked is None:
        if found is None:
            raise FormatError(f"{path.name}: cannot tell which format this is; name it: benchtables import FORMAT "
                              f"{path.name} (formats: {', '.join(FORMATS)})")
        return found
    if asked == "csv" or found is None or found == asked:
        return asked
    if {asked, found} <= {"lm-eval", "lighteval"} or (asked, found) == ("lm-eval-table", "model-index"):
        return asked
    raise FormatError(f"{path.name} is {_NAMES.get(found, found)}, not {_NAMES.get(asked, asked)}: run "
                      f"`benchtables import {path.name}` (or `benchtables import {found} {path.name}`)")
