"""The Open LLM Leaderboard v2 ``contents`` table → scores (CSV, Parquet or JSON records).

The leaderboard publishes its table as the dataset ``open-llm-leaderboard/contents``: a row
per evaluation (a model in one precision, at one commit, with or without its chat template)
with, for each of its six benchmarks, the raw score (``IFEval Raw``, a fraction of 1) and the
normalised one (``IFEval``, 0–100: the random baseline subtracted, per subtask, as the
leaderboard ranks), and ``Average ⬆️``, the mean of the six normalised scores. Copies
flattened from the leaderboard's API (``model_name``, ``evaluations_ifeval_value``,
``evaluations_ifeval_normalized_score``, ``model_average_score``, …) are read alike.

* **Two scales, two metrics, never mixed.** A raw column is its benchmark's raw metric on the
  registry's scale (×100), the scale the lm-eval importer gives the leaderboard's results
  files: BBH, GPQA and MuSR ``acc_norm``, MMLU-Pro ``acc``, MATH Lvl 5 ``exact_match``, and
  IFEval ``mean_strict_acc`` — ``IFEval Raw`` is the mean of the prompt- and
  instruction-level strict accuracies (each value is (k/541 + m/834)/2), which is neither of
  them. A normalised column is ``normalized_score``, as written. Both have the leaderboard's n-shot (the ``open-llm-v2`` suite's). ``Average ⬆️``
  is the suite's own average, where the suite says it is reported (``reported_as``: the
  benchmark ``open-llm-v2``, metric ``average``). A raw value outside 0–1, or a normalised one
  outside 0–100, is skipped with a count.
* **Identity**: ``fullname`` (``model_name``), owner kept — never the HTML ``Model`` column.
  A row whose ``Weight type`` is Adapter or Delta names weights applied to its ``Base
  Model``: a model of its own, with that base. A model's rows in several precisions, commits
  or with and without its chat template are all that model (the leaderboard lists them under
  its name); each number's notes say which (``bfloat16, at a13fff9, chat template``). A
  quantised precision (``8bit``, ``4bit``, ``GPTQ``) is a setting. ``#Params (B)`` of 0 is
  not known.
* **Left out, counted**: flagged rows, rows of models no longer on the Hub, and rows without a
  usable model name (a local path is none).
* ``where``: ``contents.csv: row 12 (org/name), column 'IFEval Raw'``, rows counted from 1
  after the header (JSON: from 1 in the list).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, Percent, SourceDraft, read_json
from benchtables.importers.lighteval import model_name, quantization
from benchtables.names import REPO_ID

__all__ = ["import_contents"]

_SUITE = "open-llm-v2"
_URL = "https://huggingface.co/datasets/open-llm-leaderboard/contents"
#: The raw metric of each benchmark's raw column.
_RAW_METRIC = {"ifeval": "mean_strict_acc", "bbh": "acc_norm", "math-hard": "exact_match", "gpqa": "acc_norm",
               "musr": "acc_norm", "mmlu-pro": "acc"}
_NORMALISED = "the Open LLM Leaderboard v2's normalised score (random baseline 0)"
_IFEVAL_RAW = "the mean of prompt- and instruction-level strict accuracy"
_PLAIN = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


@dataclass(frozen=True)
class _Layout:
    """The column names of one layout of the table."""

    name: str
    precision: str
    sha: str
    weight_type: str
    chat_template: str
    available: str
    flagged: str
    parameters: str
    base: str
    average: str
    scores: tuple[tuple[str, str, str], ...]  #: (benchmark id, raw column, normalised column)

    @property
    def columns(self) -> list[str]:
        return [self.name, self.precision, self.sha, self.weight_type, self.chat_template, self.available, self.flagged,
                self.parameters, self.base, self.average, *(c for _, raw, norm in self.scores for c in (raw, norm))]


_LAYOUTS = (
    _Layout("fullname", "Precision", "Model sha", "Weight type", "Chat Template", "Available on the hub", "Flagged",
            "#Params (B)", "Base Model", "Average ⬆️",
            (("ifeval", "IFEval Raw", "IFEval"), ("bbh", "BBH Raw", "BBH"), ("math-hard", "MATH Lvl 5 Raw", "MATH Lvl 5"),
             ("gpqa", "GPQA Raw", "GPQA"), ("musr", "MUSR Raw", "MUSR"), ("mmlu-pro", "MMLU-PRO Raw", "MMLU-PRO"))),
    # the API's flattening; its `is_not_available_on_hub` holds "Available on the hub" (sic)
    _Layout("model_name", "model_precision", "model_sha", "model_weight_type", "model_has_chat_template",
            "features_is_not_available_on_hub", "features_is_flagged", "metadata_params_billions",
            "metadata_base_model", "model_average_score",
            tuple((b, f"evaluations_{k}_value", f"evaluations_{k}_normalized_score") for b, k in (
                ("ifeval", "ifeval"), ("bbh", "bbh"), ("math-hard", "math"), ("gpqa", "gpqa"), ("musr", "musr"),
                ("mmlu-pro", "mmlu_pro")))),
)


# --------------------------------------------------------------------------- reading the table


def _read(path: Path) -> dict[str, list[Any]]:
    """The table's columns (those any layout names), as lists of Python values."""
    if not path.is_file():
        raise FormatError(f"{path.name} is not a file")
    wanted = {c for layout in _LAYOUTS for c in layout.columns}
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except OSError as exc:
        raise FormatError(f"{path.name} cannot be read: {exc.strerror}") from None
    if head.startswith(b"PAR1"):
        return _parquet(path, wanted)
    if head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"[", b"{"):
        return _records(path, wanted)
    return _csv(path, wanted)


def _csv(path: Path, wanted: set[str]) -> dict[str, list[Any]]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"{path.name}: the header line cannot be read as CSV ({exc})") from None
    present = _present(header, wanted, path.name)
    try:
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(
                                   column_types={c: pa.string() for c in present}, include_columns=present))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise FormatError(f"{path.name} is not a readable CSV table: {str(exc).strip()[:300]}") from None
    return {c: table.column(c).to_pylist() for c in present}


def _parquet(path: Path, wanted: set[str]) -> dict[str, list[Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        present = _present(pq.read_schema(path).names, wanted, path.name)
        table = pq.read_table(path, columns=present)
        return {c: table.column(c).to_pylist() for c in present}
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise FormatError(f"{path.name} is not a readable Parquet table: {str(exc).strip()[:300]}") from None


def _records(path: Path, wanted: set[str]) -> dict[str, list[Any]]:
    data = read_json(path, "JSON")
    if not isinstance(data, list):
        raise FormatError(f"{path.name}: expected the table as a JSON list of records (one mapping per row)")
    for i, row in enumerate(data, 1):
        if not isinstance(row, dict):
            raise FormatError(f"{path.name}: row {i} is not a mapping of columns to values")
    keys: set[str] = set().union(*data)
    return {c: [row.get(c) for row in data] for c in wanted & keys}


def _present(header: list[str], wanted: set[str], file: str) -> list[str]:
    present = [c for c in dict.fromkeys(header) if c in wanted]
    twice = next((c for c in present if header.count(c) > 1), None)
    if twice is not None:
        raise FormatError(f"{file}: the column {twice!r} is there twice")
    return present


def _layout(columns: dict[str, list[Any]], file: str) -> _Layout:
    for layout in _LAYOUTS:
        if layout.name in columns and any(c in columns for _, raw, norm in layout.scores for c in (raw, norm)):
            return layout
    raise FormatError(f"{file} is not an Open LLM Leaderboard contents table: it needs a 'fullname' column and "
                      "score columns ('IFEval Raw', 'IFEval', …)")


# --------------------------------------------------------------------------- cells


def _number(importer: Importer, raw: Any) -> float | None:
    """A cell's number: quick for a plain one, else as :meth:`Importer.number` reads it (counted if none)."""
    if type(raw) is float and math.isfinite(raw):
        return raw
    if type(raw) is str and _PLAIN.fullmatch(raw) and math.isfinite(value := float(raw)):
        return value
    return importer.number(raw)


def _flag(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().casefold() if isinstance(raw, str | int) else ""
    return True if text in _TRUE else False if text in _FALSE else None


def _text(raw: Any) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


# --------------------------------------------------------------------------- rows


def import_contents(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                    model: str | None, **_: object) -> None:
    file = path.name
    if model:
        raise FormatError(f"{file} names a model in every row; --model does not apply to it")
    table = _read(path)
    layout = _layout(table, file)
    n = len(table[layout.name])
    cells = {c: table.get(c) or [None] * n for c in layout.columns}
    scores = [s for s in _scores(importer, layout) if s.column in table]
    source = importer.source(source_id or "open-llm-leaderboard-v2", "Open LLM Leaderboard v2 (contents table)",
                             url=source_url or _URL, kind="leaderboard")
    models: dict[tuple[str, str | None, str | None], ModelRef | None] = {}
    for i in range(n):
        if _flag(cells[layout.flagged][i]):
            importer.skip("row flagged on the leaderboard (its results are contested)")
        elif _flag(cells[layout.available][i]) is False:
            importer.skip("row of a model no longer on the Hugging Face Hub")
        elif (ref := _model(importer, file, i, layout, cells, models)) is None:
            importer.skip("row without a model id in its name column (empty, a local path, or not a name)")
        else:
            _row(importer, source, file, i, layout, cells, scores, ref)


@dataclass(frozen=True)
class _Score:
    """A score column: the benchmark and metric its numbers are, and its scale's top (1: fractions)."""

    column: str
    benchmark: str
    metric: str  #: its name
    metric_id: str | None  #: the registry's metric it is (None: not in the registry)
    top: float
    n_shot: int | None
    notes: str | None


def _scores(importer: Importer, layout: _Layout) -> list[_Score]:
    """The score columns of a layout: raw and normalised per benchmark, and the average."""
    registry = importer.registry

    def score(column: str, benchmark: str, metric: str, top: float, n_shot: int | None, notes: str | None) -> _Score:
        found = registry.resolve_metric_of(benchmark, metric) if benchmark in registry.benchmarks else None
        return _Score(column, benchmark, metric, found, top, n_shot, notes)

    scores = []
    for benchmark, raw, normalised in layout.scores:
        shots = getattr(registry.member(_SUITE, benchmark), "n_shot", None)
        scores += [score(raw, benchmark, _RAW_METRIC[benchmark], 1, shots, _IFEVAL_RAW if benchmark == "ifeval" else None),
                   score(normalised, benchmark, "normalized_score", 100, shots, _NORMALISED)]
    suite = registry.suites.get(_SUITE)
    reported = suite.reported_as if suite is not None else None
    scores.append(score(layout.average, reported.benchmark if reported else _SUITE,
                        reported.metric if reported else "average", 100, None,
                        f"the mean of the six normalised scores, as {suite.name} ranks" if suite else None))
    return scores


def _model(importer: Importer, file: str, i: int, layout: _Layout, cells: dict[str, list[Any]],
           models: dict[tuple[str, str | None, str | None], ModelRef | None]) -> ModelRef | None:
    """The model of row ``i``, or None for a row without a usable name."""
    raw = cells[layout.name][i]
    weight = _text(cells[layout.weight_type][i])
    base = _text(cells[layout.base][i]) if weight in ("Adapter", "Delta") else None
    base = base if base and REPO_ID.match(base) else None
    if not isinstance(raw, str):
        return None
    key = (raw, weight, base)
    if key not in models:
        try:
            name = model_name(raw, file, f"row {i + 1}, column {layout.name!r}")
            parameters = _number(importer, cells[layout.parameters][i])
            models[key] = importer.model(
                name, file, base=base, parameters=parameters * 1e9 if parameters and parameters > 0 else None) \
                if name else None
        except FormatError:
            models[key] = None
    return models[key]


def _row(importer: Importer, source: SourceDraft, file: str, i: int, layout: _Layout, cells: dict[str, list[Any]],
         scores: list[_Score], ref: ModelRef) -> None:
    """The numbers of row ``i``: each benchmark's raw and normalised score, and the average."""
    name = str(cells[layout.name][i]).strip()
    precision, sha = _text(cells[layout.precision][i]), _text(cells[layout.sha][i])
    weight, base = _text(cells[layout.weight_type][i]), _text(cells[layout.base][i])
    evaluated = ", ".join(p for p in (
        precision, f"at {sha[:7]}" if sha and re.fullmatch(r"[0-9a-f]{7,64}", sha) else None,
        "chat template" if _flag(cells[layout.chat_template][i]) else None,
        f"{weight.lower()} weights on {base}" if weight in ("Adapter", "Delta") and base and REPO_ID.match(base) else None,
    ) if p)
    setting = quantization(precision)
    for score in scores:
        value = _in(importer, cells[score.column][i], score.top, score.column)
        metric = score.metric_id
        if value is None:
            continue
        if metric is None:
            importer.skip(f"{score.column}: {score.metric} of {score.benchmark} is not in the registry")
            continue
        importer.add(source, {
            "model": ref.id, "benchmark": score.benchmark, "metric": metric,
            "value": float(value) if score.top != 1 or isinstance(value, Percent)
            else importer.percent(value, metric=metric), "n_shot": score.n_shot,
            "setting": setting, "where": f"{file}: row {i + 1} ({name}), column {score.column!r}",
            "notes": "; ".join(p for p in (score.notes, evaluated) if p) or None,
        }, model=ref, file=file)


def _in(importer: Importer, raw: Any, top: float, column: str) -> float | None:
    """A score on its column's scale, 0 to ``top``, or None (counted) for none or one off that
    scale; a value written with % (a :class:`Percent`) states its scale, 0–100."""
    value = _number(importer, raw)
    if value is None:
        return None
    if not 0 <= value <= (100 if isinstance(value, Percent) else top):
        importer.skip(f"{column}: a value outside 0–{top:g}")
        return None
    return value
