"""Leaderboard tables → scores: AlpacaEval, Chatbot Arena (LMSYS), Arena-Hard-Auto and OpenCompass.

A leaderboard names its models row by row (OpenCompass: column by column), so one file holds
many models. The rules of :mod:`benchtables.importers.common` apply, and these:

* **Source.** A leaderboard's undated table is the leaderboard: its title and project URL
  (https://tatsu-lab.github.io/alpaca_eval/, https://lmarena.ai,
  https://github.com/lmarena/arena-hard-auto). A dated snapshot (a date in the file name,
  ``leaderboard_table_20240118.csv``, or Arena-Hard's ``date`` column) is a source of its own,
  so ``sota`` and ``diff`` can follow a leaderboard over time: id and title carry the date, its
  date is the snapshot's, and its URL is the file the project publishes for that date
  (``…/chatbot-arena-leaderboard/blob/main/leaderboard_table_YYYYMMDD.csv``,
  ``…/arena-hard-auto/blob/main/leaderboard/arena_hard_leaderboard_YYYYMMDD.csv``), built from
  the date, not from the name the copy has, since one canonical URL is one source. So the same
  snapshot imported twice (or a renamed copy of it) refers to the source declared first and
  gives duplicate records on ``validate``; two snapshots never share a source. An OpenCompass
  summary is one run's output, not a published page: its source is the file (the title names
  it and its models; the date is the run's), with no URL unless ``--source-url`` gives one.
  ``--source-id``/``--source-url`` override all of this.
* **Models.** The name each row gives (AlpacaEval's key, Chatbot Arena's ``key`` or else
  ``Model``, Arena-Hard's ``model``, an OpenCompass model column) goes through
  ``importer.model``: a name that matches no known model becomes a stub with suggestions;
  no mapping is invented. ``--model`` does not apply, since the table names its models (except
  for an OpenCompass summary of one model). A row (an OpenCompass column) named by a local path
  is skipped and counted; the one column of a one-model summary is refused (pass ``--model``).
  A model is resolved only when its row has a number, so metadata-only rows add no stub.
* **Scales.** Values keep the scale their writer uses when it is the registry metric's:
  AlpacaEval and Arena-Hard write percents (their code multiplies by 100), MT-Bench is 1–10,
  Elo is unbounded points. Chatbot Arena's MMLU is a fraction of 1 and is converted to a
  percent. A value outside its metric's range, a negative or oversized stderr, and an interval
  that does not hold its value are skipped and counted.
* **where** is ``<file>: row N, column 'X'``, N counting data rows from 1 (in an OpenCompass
  Markdown or text summary, ``line N``).

Each leaderboard:

* **AlpacaEval** (``<annotator>_leaderboard.csv``, and the website's export with ``name`` and
  ``samples`` columns): ``length_controlled_winrate`` ± ``lc_standard_error`` is lc_win_rate,
  ``win_rate`` ± ``standard_error`` is win_rate. The annotator (judge) is read from the file
  name by one rule: an annotator AlpacaEval ships (its ``evaluators_configs``: ``claude``,
  ``alpaca_eval_gpt4``, ``weighted_alpaca_eval_gpt4_turbo`` …), or any ``[weighted_]alpaca_eval_*``
  name directly before ``_leaderboard``, found wherever it stands in the name
  (``data_AlpacaEval_claude_leaderboard (1).csv`` is claude's), a name inside a longer one not
  counted (``alpaca_eval_gpt4`` in ``weighted_alpaca_eval_gpt4_turbo``). Other text of a path is
  never a setting: of two annotators, the one directly before ``_leaderboard`` is taken; a name
  with no annotator, or with two and neither so placed, is taken as judged by the version's
  default annotator, with an ``assumed_setting`` warning saying so (put the annotator's name in
  the file name to say otherwise). The version is told by the folder (``data_AlpacaEval_2``,
  also as the start of a flattened copy's name ``data_AlpacaEval_2_<file>``), else the baseline
  row (GPT-4 Turbo: 2.0, text-davinci-003: 1.0), else the version the annotator's published
  leaderboard is of (``text_davinci_003``, ``claude``: 1.0; ``claude_3_opus_ranking``: 2.0).
  The annotator is part of the setting (``judge=<annotator>``) unless it is the version's own
  (``weighted_alpaca_eval_gpt4_turbo`` for 2.0, ``alpaca_eval_gpt4`` for 1.0). Skipped and
  counted: the baseline row (all draws against itself), ``dev`` rows (prompt variants the
  website hides) and adversarial submissions (``NullModel``, ``*_gamed``, "(adversarial)").
  ``n_total`` is ``n_samples``; fewer than 90% of the 805 instructions judged is a partial run
  (``--max_instances``), since a few judge failures are normal on the published leaderboards.
* **Chatbot Arena** (``leaderboard_table_YYYYMMDD.csv``, the 2023–2025 headers): ``Arena Elo
  rating`` → chatbot-arena elo, ``MT-bench (score)`` → mt-bench, ``MMLU`` → mmlu acc; ``-`` is
  no number. The MMLU column states no setting; the leaderboard's page gives it as "MMLU
  (5-shot)" (FastChat's ``monitor.py``), so it is imported as 5-shot with an
  ``assumed_setting`` warning. ``MT-bench (win rate %)`` is skipped and counted: a pairwise win
  rate whose baseline the table does not state. Models are joined on ``key``, never on the
  display name.
* **Arena-Hard-Auto** (``show_result.py --output``): ``score`` (win rate against the baseline,
  percent) with ``rating_q025``/``rating_q975`` as its 95% interval (else the ``CI`` text, in
  either of its two forms). The baseline row (a zero-width interval) is skipped; a table with
  scores above 100 holds Elo ratings (``--show-elo``) and is refused.
* **OpenCompass** (``summary_*.csv``, and the ``.md``/``.txt`` summaries, whose csv block,
  Markdown table or tabulate table is read, in that order of preference; AISBench, its fork,
  writes the same): a row per dataset and metric, a column per model. Columns that hold no
  model's numbers are not models: AISBench's ``total_count`` (the first model's sample count,
  its ``n_samples``; ``correct_count`` too should one appear). A cell ``82.00 (7/8)`` (AISBench:
  the value, then correct/total) is the value with ``n_samples`` 8; a count that does not give
  the value (at either scale, to the value's written precision) is reported as a
  ``disagreement`` warning and the value kept. Datasets map to benchmarks as lm-eval task names
  do (``musr_murder_mysteries`` → musr, subset murder_mysteries); ``mode`` (gen, ppl, ll) is a
  setting; a summary group's ``naive_average``/``weighted_average`` is its benchmark's score in
  the one metric the file's rows of that benchmark use, with the kind of average as a setting;
  the dataset config ``version`` goes into notes. Values are percents; a (benchmark, metric)
  whose values are all at most 1 is taken as fractions (common ``rescale``, with a warning).

Preset column mappings (:mod:`benchtables.importers.csv_table`) do not fit these tables: a row
carries several numbers with their own errors, and the version, annotator and baseline rows
are decided per file. The CSV reading is csv_table's.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError, UsageError
from benchtables.importers.common import Importer, ModelRef, Percent, SourceDraft
from benchtables.importers.csv_table import read_rows
from benchtables.importers.lm_eval import _benchmark, _subset_setting

__all__ = ["Grid", "add_score", "file_date", "import_alpacaeval", "import_arena_hard", "import_lmsys",
           "import_opencompass", "join_setting", "opencompass_table", "read_text", "table_cells", "text_lines"]

_BLANK = {"", "-", "/", "n/a", "na", "none", "null"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_DATE = re.compile(r"(?<!\d)(20\d\d)(\d\d)(\d\d)(?!\d)")


# --------------------------------------------------------------------------- shared


def read_text(path: Path) -> str:
    """A text file's content, or a FormatError naming it."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{path.name} is not UTF-8") from None
    except OSError as exc:
        raise FormatError(f"{path.name} cannot be read: {exc.strerror or exc}") from None


def text_lines(text: str) -> list[str]:
    """A text's lines as editors number them: broken at \\n, \\r\\n or \\r only (not at \\x0c,
    \\x85 or U+2028, where ``str.splitlines`` breaks too), so a ``line N`` points where it should."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def table_cells(line: str) -> list[str] | None:
    """The cells of a Markdown table line (``|a| b |`` → ``["a", " b "]``), or None for other lines.

    Text after the last ``|`` (a code fence glued to the row) is no cell.
    """
    text = line.strip()
    end = text.rfind("|")
    if not text.startswith("|") or end == 0:
        return None
    return text[1:end].split("|")


def file_date(name: str) -> str | None:
    """The date a file name carries (``leaderboard_table_20240118.csv`` → ``2024-01-18``), or None."""
    for m in _DATE.finditer(name):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            continue
    return None


def join_setting(*parts: str | None) -> str | None:
    """Setting qualifiers as entry files write them: lower case, dashed, sorted, distinct."""
    found = {"-".join(p.casefold().split()) for part in parts if part for p in part.split(",") if p.strip()}
    return ",".join(sorted(found)) or None


def _clean(text: str) -> str:
    """A name from a cell: control characters and line breaks out, spaces collapsed."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _float(text: Any) -> float | None:
    """A finite number for telling what a row is (nothing counted), or None."""
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip().casefold() in _BLANK)


def _listed(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n[:40]) for n in names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


def _in_range(definition: Any, value: float) -> bool:
    low, high = getattr(definition, "min", None), getattr(definition, "max", None)
    return math.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)


def add_score(importer: Importer, source: SourceDraft, ref: ModelRef, file: str, *, benchmark: str, metric: str,
              raw: Any, where: str, stderr: Any = None, ci: tuple[Any, Any] = (None, None), fraction: bool = False,
              **fields: Any) -> dict[str, Any] | None:
    """Add one reported number with its stderr or 95% interval, checked against its metric's range.

    ``fraction``: the file writes percent metrics as fractions of 1 (converted). Returns the
    record added, or None when the number is unusable or repeated (counted as skipped).
    """
    scored = importer.scored(benchmark, metric, raw)
    if scored is None:
        return None
    metric_id, value = scored
    definition = importer.registry.metrics[metric_id]
    err = None if _blank(stderr) else importer.number(stderr)
    low, high = (None if _blank(c) else importer.number(c) for c in ci)
    if fraction and not isinstance(value, Percent):  # "86.4%" states its scale
        value = importer.percent(value, metric=metric_id) or 0.0
        err, low, high = (importer.percent(v, metric=metric_id) for v in (err, low, high))
    if not _in_range(definition, value):
        importer.skip(f"{definition.name} outside its range")
        return None
    width = (definition.max - definition.min) if getattr(definition, "max", None) is not None \
        and getattr(definition, "min", None) is not None else math.inf
    if err is not None and not 0 <= err <= width:
        importer.skip("a standard error that is negative or wider than the metric's range (left out)")
        err = None
    if (low, high) != (None, None) and not (low is not None and high is not None and low <= value <= high
                                            and _in_range(definition, low) and _in_range(definition, high)):
        importer.skip("a 95% interval that does not hold its value (left out)")
        low = high = None
    record = {"model": ref.id, "benchmark": benchmark, "metric": metric_id, "value": value, "stderr": err,
              "ci_low": low, "ci_high": high, **fields, "where": where}
    return source.records["scores"][-1] if importer.add(source, record, model=ref, file=file) else None


def _row_model(importer: Importer, name: str, file: str, **details: Any) -> ModelRef | None:
    """The model a row names, or None (counted) when it names none or names a local path."""
    if not name:
        importer.skip("row without a model name")
        return None
    try:
        return importer.model(name, file, **details)
    except FormatError:
        importer.skip("a model named by a local path (no identity): its numbers are left out")
        return None


def _no_model_option(model: str | None, file: str) -> None:
    if model:
        raise UsageError(f"{file} is a leaderboard that names the model of each row; --model does not apply")


def _read_csv(path: Path, what: str, needed: set[str]) -> tuple[list[str], list[dict[str, str]]]:
    """Header (names stripped) and rows of a leaderboard CSV, which must have the ``needed`` columns."""
    header, rows = read_rows(path)
    names = [h.strip() for h in header]
    if len(set(names)) != len(names):
        raise FormatError(f"{path.name} has two columns named alike: {_listed(names)}")
    missing = sorted(needed - set(names))
    if missing:
        raise FormatError(f"{path.name} is not {what}: it has no column {missing[0]!r}; its columns are: "
                          f"{_listed(names)}")
    return names, [{n: (row.get(h) or "").strip() for h, n in zip(header, names, strict=True)} for row in rows]


def _source(importer: Importer, source_id: str | None, source_url: str | None, *, id_: str, title: str,
            url: str | None, date: str | None = None, kind: str = "leaderboard") -> SourceDraft:
    return importer.source(source_id or id_, title, url=source_url or url, year=int(date[:4]) if date else None,
                           kind=kind, date=date)


def _snapshot(importer: Importer, source_id: str | None, source_url: str | None, *, id_: str, title: str,
              url: str, snapshot_url: str, date: str | None) -> SourceDraft:
    """The source of a leaderboard table: the leaderboard itself when undated, else the dated
    snapshot, a source of its own whose URL is the file the project publishes for that date
    (``snapshot_url`` with ``{date}`` as YYYYMMDD)."""
    if date is None:
        return _source(importer, source_id, source_url, id_=id_, title=title, url=url)
    return _source(importer, source_id, source_url, id_=f"{id_}-{date}", title=f"{title}, snapshot of {date}",
                   url=snapshot_url.format(date=date.replace("-", "")), date=date)


# --------------------------------------------------------------------------- AlpacaEval

_AE_URL = "https://tatsu-lab.github.io/alpaca_eval/"
_AE_INSTRUCTIONS = 805
_AE_FULL = 0.9  # share of the instructions judged below which a run is partial
_AE_JUDGE = {"alpacaeval-2": "weighted_alpaca_eval_gpt4_turbo", "alpacaeval": "alpaca_eval_gpt4"}
#: Each version's baseline model, by its AlpacaEval key.
_AE_BASELINES = {"gpt4_1106_preview": "alpacaeval-2", "gpt4_turbo": "alpacaeval-2", "text_davinci_003": "alpacaeval"}
#: The annotators AlpacaEval ships (``src/alpaca_eval/evaluators_configs``; its ``test`` config left
#: out), whose names its leaderboard files carry (``<annotator>_leaderboard.csv``).
_AE_ANNOTATORS = frozenset({
    "Self-taught-llama3.1-70B-dpo", "alpaca_eval_clf_cot_gpt4_turbo", "alpaca_eval_clf_gpt4_turbo",
    "alpaca_eval_cot_gpt4_turbo_fn", "alpaca_eval_gpt4", "alpaca_eval_gpt4_0314", "alpaca_eval_gpt4_0613",
    "alpaca_eval_gpt4_fn", "alpaca_eval_gpt4_turbo_fn", "alpaca_eval_llama3_70b_fn", "alpaca_eval_vllm_llama3_70b_fn",
    "alpaca_farm", "alpaca_farm_greedy_gpt4", "aviary_gpt4", "bedrock_claude", "bedrock_claude_2", "chatgpt",
    "chatgpt_fn", "claude", "claude_2", "claude_3_opus_ranking", "claude_ranking", "cohere",
    "gpt-3.5-turbo-1106_ranking", "gpt35_turbo_instruct", "gpt4", "gpt4_turbo", "gpt4_turbo_clf",
    "gpt4_turbo_cot_clf", "gpt4_turbo_cot_logprob", "gpt4_turbo_logprob", "guanaco_33b", "improved_aviary_gpt4",
    "improved_lmsys_gpt4", "lmsys_gpt4", "mistral-large-2402_ranking", "oasst_pythia_12b", "text_davinci_003",
    "weighted_alpaca_eval_cot_gpt4_turbo", "weighted_alpaca_eval_gpt-4o-mini-2024-07-18",
    "weighted_alpaca_eval_gpt4.1", "weighted_alpaca_eval_gpt4_turbo", "weighted_alpaca_eval_gpt4_turbo_new",
    "weighted_alpaca_eval_vllm_llama3_70b"})
#: The version of each annotator's published leaderboard (``src/alpaca_eval/leaderboards/data_AlpacaEval*/``).
_AE_PUBLISHED = {"alpaca_eval_gpt4": "alpacaeval", "chatgpt_fn": "alpacaeval", "claude": "alpacaeval",
                 "text_davinci_003": "alpacaeval", "weighted_alpaca_eval_gpt4_turbo": "alpacaeval-2",
                 "alpaca_eval_cot_gpt4_turbo_fn": "alpacaeval-2", "alpaca_eval_gpt4_turbo_fn": "alpacaeval-2",
                 "claude_3_opus_ranking": "alpacaeval-2", "mistral-large-2402_ranking": "alpacaeval-2"}
_AE_NAMES = re.compile("(?<![a-z0-9])(?:" + "|".join(sorted((re.escape(a.casefold()) for a in _AE_ANNOTATORS),
                                                              key=len, reverse=True)) + ")(?![a-z0-9])")
#: An AlpacaEval evaluator config not listed above (a newer one), where the file name says it is one.
_AE_FAMILY = re.compile(r"(?<![a-z0-9])(?:weighted_)?alpaca_eval_[a-z0-9][a-z0-9._-]{0,80}?(?=_leaderboard(?![a-z0-9]))")
_AE_FOLDER = re.compile(r"^data_alpacaeval(_2)?(?![a-z0-9])")
_AE_SCORES = (("length_controlled_winrate", "lc_win_rate", "lc_standard_error"),
              ("win_rate", "win_rate", "standard_error"))
_ADVERSARIAL = re.compile(r"\b(?:null ?model|adversarial|gamed)\b", re.IGNORECASE)
_SAMPLES_KEY = re.compile(r"/results/([^/]+)/model_outputs\.json")


def _ae_baseline(row: dict[str, str]) -> bool:
    """The baseline's own row: every comparison a draw (or 50% with no error)."""
    draws, total = _float(row.get("n_draws")), _float(row.get("n_total"))
    if draws is not None and total:
        return draws == total
    win = _float(row.get("win_rate"))
    if "standard_error" in row:
        return win == 50 and _float(row.get("standard_error")) == 0
    return win == 50 and _float(row.get("length_controlled_winrate")) in (50, None)


def _ae_annotator(name: str) -> str | None:
    """The annotator a file name names (see the module docstring), or None when it names none or two."""
    stem = name.casefold()
    found: list[tuple[int, int, str]] = []
    for pattern in (_AE_NAMES, _AE_FAMILY):
        # every start position, so a name inside a longer one is seen too (then dropped below)
        found += [(m.start(), m.end(), m[0]) for i in range(len(stem))
                  if (i == 0 or not stem[i - 1].isalnum()) and (m := pattern.match(stem, i))]
    outer = [(a, b, k) for a, b, k in found if not any(c <= a and b <= d and d - c > b - a for c, d, _ in found)]
    named = {k for _, b, k in outer if stem.startswith("_leaderboard", b)} or {k for _, _, k in outer}
    return named.pop() if len(named) == 1 else None


def _ae_version(path: Path, baselines: list[str], judge: str | None) -> str:
    folder = path.parent.name.casefold()  # the repository's data_AlpacaEval and data_AlpacaEval_2
    flattened = _AE_FOLDER.match(path.stem.casefold())  # data_AlpacaEval_2_<annotator>_leaderboard.csv
    if folder in ("data_alpacaeval_2", "data_alpacaeval") or flattened:
        return "alpacaeval-2" if folder.endswith("_2") or (flattened and flattened[1]) else "alpacaeval"
    found = {_AE_BASELINES[k] for k in baselines if k in _AE_BASELINES}
    if len(found) == 1:
        return found.pop()
    if judge in _AE_PUBLISHED:
        return _AE_PUBLISHED[judge]
    raise FormatError(f"{path.name}: cannot tell AlpacaEval 1.0 from 2.0: it has no baseline row of either "
                      "(text_davinci_003, gpt4_1106_preview) and its name names no annotator of a published "
                      "leaderboard; keep the leaderboard's folder (data_AlpacaEval_2) or file name")


def import_alpacaeval(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                      model: str | None, **_: object) -> None:
    """An AlpacaEval leaderboard CSV (``<annotator>_leaderboard.csv``, or the website's export)."""
    file = path.name
    _no_model_option(model, file)
    header, rows = _read_csv(path, "an AlpacaEval leaderboard", {"win_rate"})
    key_column = "" if "" in header else "name" if "name" in header else None
    if key_column is None:
        raise FormatError(f"{file} is not an AlpacaEval leaderboard: it has no model column (an unnamed first "
                          f"column, or 'name'); its columns are: {_listed(header)}")

    def key_of(row: dict[str, str]) -> str:
        found = _SAMPLES_KEY.search(row.get("samples", "")) if key_column == "name" else None
        return _clean(found[1] if found else row[key_column])

    baselines = {i for i, row in enumerate(rows, 1) if _ae_baseline(row)}
    judge = _ae_annotator(path.stem)
    benchmark = _ae_version(path, [key_of(rows[i - 1]) for i in baselines], judge)
    if judge is None:
        importer.warn("assumed_setting", f"{file}: its name names no AlpacaEval annotator (AlpacaEval writes "
                      "<annotator>_leaderboard.csv); its numbers are taken as judged by "
                      f"{benchmark}'s default annotator {_AE_JUDGE[benchmark]}", file,
                      hint="if another annotator judged them, put its name in the file name "
                           "(claude_leaderboard.csv)")
    setting = f"judge={judge}" if judge and judge != _AE_JUDGE[benchmark] else None
    source = _source(importer, source_id, source_url, id_="alpacaeval", title="AlpacaEval leaderboard", url=_AE_URL)
    discrete = sum(1 for row in rows if row.get("discrete_win_rate"))
    if discrete:
        importer.skip("AlpacaEval discrete_win_rate (no registry metric; win_rate is imported)", discrete)
    for n, row in enumerate(rows, 1):
        key = key_of(row)
        if n in baselines:
            importer.skip("AlpacaEval baseline row (the baseline against itself, 50% by construction)")
            continue
        if (row.get("mode") or row.get("filter")) == "dev":
            importer.skip("AlpacaEval dev row (a prompt variant the leaderboard hides)")
            continue
        if _ADVERSARIAL.search(key.replace("_", " ")) or _ADVERSARIAL.search(row.get("name", "")):
            importer.skip("AlpacaEval adversarial submission (gamed outputs, not a model's answers)")
            continue
        ref = _row_model(importer, key, file)
        if ref is None:
            continue
        total = _float(row.get("n_total"))
        n_samples = int(total) if total is not None and total.is_integer() and 1 <= total <= 1e9 else None
        partial = (f"AlpacaEval judged {n_samples} of its {_AE_INSTRUCTIONS} instructions"
                   if n_samples is not None and n_samples < _AE_FULL * _AE_INSTRUCTIONS else None)
        for column, metric, error in _AE_SCORES:
            if column in row:
                add_score(importer, source, ref, file, benchmark=benchmark, metric=metric, raw=row[column],
                          stderr=row.get(error), where=f"{file}: row {n}, column {column!r}", setting=setting,
                          n_samples=n_samples, partial=True if partial else None, _partial_reason=partial)


# --------------------------------------------------------------------------- Chatbot Arena (LMSYS)

_ARENA_URL = "https://lmarena.ai"
#: The snapshot files of the leaderboard's Hugging Face space (formerly lmsys/chatbot-arena-leaderboard).
_ARENA_SNAPSHOT = "https://huggingface.co/spaces/lmarena-ai/chatbot-arena-leaderboard/blob/main/leaderboard_table_{date}.csv"
#: (column, benchmark, metric, written as a fraction of 1, the n-shot the leaderboard's page states)
_ARENA_SCORES = (("Arena Elo rating", "chatbot-arena", "elo", False, None),
                 ("MT-bench (score)", "mt-bench", "mt_bench_score", False, None),
                 ("MMLU", "mmlu", "acc", True, 5))
_ARENA_WIN_RATE = "MT-bench (win rate %)"


def import_lmsys(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                 model: str | None, **_: object) -> None:
    """A Chatbot Arena ``leaderboard_table_YYYYMMDD.csv`` (any of its headers since 2023)."""
    file = path.name
    _no_model_option(model, file)
    header, rows = _read_csv(path, "a Chatbot Arena leaderboard table", {"Model"})
    scores = [s for s in _ARENA_SCORES if s[0] in header]
    if not scores:
        raise FormatError(f"{file} is not a Chatbot Arena leaderboard table: it has none of the columns "
                          f"{', '.join(repr(s[0]) for s in _ARENA_SCORES)}; its columns are: {_listed(header)}")
    source = _snapshot(importer, source_id, source_url, id_="chatbot-arena", title="Chatbot Arena leaderboard",
                       url=_ARENA_URL, snapshot_url=_ARENA_SNAPSHOT, date=file_date(file))
    assumed = 0
    for n, row in enumerate(rows, 1):
        if all(_float(row[column].removesuffix("%")) is None for column, *_ in scores):
            importer.skip("Chatbot Arena row without a number (a model listed for its metadata)")
            continue
        organization = _clean(row.get("Organization", ""))[:200]
        ref = _row_model(importer, _clean(row.get("key") or row["Model"]), file,
                         organization=None if _blank(organization) else organization)
        if ref is None:
            continue
        for column, benchmark, metric, fraction, n_shot in scores:
            added = add_score(importer, source, ref, file, benchmark=benchmark, metric=metric, raw=row[column],
                              where=f"{file}: row {n}, column {column!r}", fraction=fraction, n_shot=n_shot)
            assumed += added is not None and n_shot is not None
        if not _blank(row.get(_ARENA_WIN_RATE)):
            importer.skip(f"Chatbot Arena {_ARENA_WIN_RATE!r}: a pairwise win rate whose baseline the table does "
                          "not state")
    if assumed:
        importer.warn("assumed_setting", f"{file}: the MMLU column states no n-shot; its {assumed} number"
                      f"{'s are' if assumed != 1 else ' is'} imported as 5-shot, the setting the leaderboard's page "
                      "gives (\"MMLU (5-shot)\")", file, "MMLU",
                      hint="check a number against its model's own report if it matters")


# --------------------------------------------------------------------------- Arena-Hard-Auto

_ARENA_HARD_URL = "https://github.com/lmarena/arena-hard-auto"
#: ``show_result.py --output`` writes ``leaderboard/arena_hard_leaderboard_<date>.csv``, with that date in its rows.
_ARENA_HARD_SNAPSHOT = _ARENA_HARD_URL + "/blob/main/leaderboard/arena_hard_leaderboard_{date}.csv"
#: ``(-1.88, +1.97)`` (arena-hard-auto) or ``(1.9, 2.0)`` (the LMSYS space's copy): below, above.
_CI_TEXT = re.compile(r"^\(\s*-?\s*(\d{1,6}(?:\.\d{1,12})?)\s*[,/]\s*\+?\s*(\d{1,6}(?:\.\d{1,12})?)\s*\)$")


def _interval(row: dict[str, str], score: float | None) -> tuple[Any, Any]:
    """The 95% interval of a row: the q025/q975 columns, else the CI text around the score."""
    if not (_blank(row.get("rating_q025")) and _blank(row.get("rating_q975"))):
        return row.get("rating_q025"), row.get("rating_q975")
    m = _CI_TEXT.match(row.get("CI", "").strip())
    if m is None or score is None:
        return None, None
    return float(f"{score - float(m[1]):.10g}"), float(f"{score + float(m[2]):.10g}")


def import_arena_hard(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                      model: str | None, **_: object) -> None:
    """An Arena-Hard-Auto leaderboard CSV (``show_result.py --output``)."""
    file = path.name
    _no_model_option(model, file)
    _header, rows = _read_csv(path, "an Arena-Hard-Auto leaderboard", {"model", "score"})
    scores = [_float(row["score"]) for row in rows]
    above = next((n for n, s in enumerate(scores, 1) if s is not None and s > 100), None)
    if above is not None:
        raise FormatError(f"{file}: row {above}, column 'score' is {scores[above - 1]:g}, above 100: the table holds "
                          "Elo ratings (show_result.py --show-elo), not Arena-Hard's win rate in percent; export it "
                          "without --show-elo")
    dates = sorted(d for row in rows if (d := file_date(row.get("date", "").replace("-", ""))))
    source = _snapshot(importer, source_id, source_url, id_="arena-hard-auto", title="Arena-Hard-Auto leaderboard",
                       url=_ARENA_HARD_URL, snapshot_url=_ARENA_HARD_SNAPSHOT,
                       date=file_date(file) or (dates[-1] if dates else None))
    for n, (row, score) in enumerate(zip(rows, scores, strict=True), 1):
        low, high = _interval(row, score)
        if score is not None and _float(low) == score == _float(high):
            importer.skip("Arena-Hard baseline row (the baseline against itself: a zero-width interval)")
            continue
        ref = _row_model(importer, _clean(row["model"]), file)
        if ref is not None:
            add_score(importer, source, ref, file, benchmark="arena-hard", metric="win_rate", raw=row["score"],
                      ci=(low, high), where=f"{file}: row {n}, column 'score'")


# --------------------------------------------------------------------------- OpenCompass

_OPENCOMPASS_HEADER = ["dataset", "version", "metric", "mode"]
_AVERAGES = {"naive_average", "weighted_average"}
_NO_MODE = {"", "-", "unknown"}
_GROUP_SUFFIX = re.compile(r"[_-](?:average|avg)$", re.IGNORECASE)
_RULE = re.compile(r"^\s*-{2,}(?:\s+(?:-{2,}|\.\.\.))+\s*$")
#: Columns of a summary that hold no model's numbers: AISBench (an OpenCompass fork) writes the
#: first model's ``total_count`` after ``mode`` (``ais_bench/benchmark/summarizers/default.py``);
#: ``correct_count``, its pair, is kept out of the table there, but is no model either.
_COUNT_COLUMNS = frozenset({"total_count", "correct_count"})
#: AISBench's cell for a result with counts: ``82.00 (7/8)``, the value then correct/total.
_COUNTED = re.compile(r"^(?P<value>[-+]?\d{1,12}(?:\.(?P<decimals>\d{1,12}))?)\s*"
                      r"\(\s*(?P<correct>\d{1,12})\s*/\s*(?P<total>\d{1,12})\s*\)$")


@dataclass
class Grid:
    """A summary table read from text: header, rows with their line numbers, and damaged lines."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    unit: str = "line"
    damaged: list[int] = field(default_factory=list)


def _csv_block(lines: list[str]) -> Grid | None:
    """The ``csv format`` block of a ``summary_*.txt``."""
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("dataset,version,metric,mode,")), None)
    if start is None:
        return None
    grid = Grid(next(csv.reader([lines[start].strip()])), [])
    for i in range(start + 1, len(lines)):
        text = lines[i].strip()
        if "," not in text:
            break
        try:
            cells = next(csv.reader([text]))
        except csv.Error:
            cells = []
        if len(cells) == len(grid.header):
            grid.rows.append((i + 1, cells))
        else:
            grid.damaged.append(i + 1)
    return grid


def _markdown_grid(lines: list[str]) -> Grid | None:
    for i, line in enumerate(lines[:-1]):
        cells = table_cells(line)
        if cells is None or [c.strip() for c in cells[:4]] != _OPENCOMPASS_HEADER:
            continue
        rule = table_cells(lines[i + 1])
        if rule is None or not all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in rule):
            continue
        grid = Grid([c.strip() for c in cells], [])
        for j in range(i + 2, len(lines)):
            row = table_cells(lines[j])
            if row is None:
                break
            if len(row) == len(cells):
                grid.rows.append((j + 1, [c.strip() for c in row]))
            else:
                grid.damaged.append(j + 1)
        return grid
    return None


def _tabulate_grid(lines: list[str]) -> Grid | None:
    """A tabulate table (``summary_*.txt``, printed): columns where the dashed rule below the header has runs."""
    for i, line in enumerate(lines[:-1]):
        if line.split()[:4] != _OPENCOMPASS_HEADER or not _RULE.match(lines[i + 1]):
            continue
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", lines[i + 1])]
        grid = Grid([line[a:b].strip() for a, b in spans], [])
        for j in range(i + 2, len(lines)):
            text = lines[j]
            if not text.strip() or text.strip().startswith("`"):
                break
            gaps = [text[end:start] for (_, end), (start, _) in pairwise(spans)]
            if text[spans[-1][1]:].strip() or any(g.strip() for g in gaps):  # a cell out of its column
                grid.damaged.append(j + 1)
            else:
                grid.rows.append((j + 1, [text[a:b].strip() for a, b in spans]))
        return grid
    return None


def opencompass_table(text: str) -> Grid | None:
    """The OpenCompass summary table in a ``.md``/``.txt`` summary (csv block, Markdown or tabulate), or None."""
    if "dataset" not in text or "mode" not in text:
        return None
    lines = text_lines(text)
    return _csv_block(lines) or _markdown_grid(lines) or _tabulate_grid(lines)


def _opencompass_grid(path: Path) -> Grid:
    if path.suffix.lower() == ".csv":
        header, rows = read_rows(path)
        grid = Grid([h.strip() for h in header], [(n, [row[h].strip() for h in header]) for n, row in
                                                   enumerate(rows, 1)], unit="row")
    else:
        found = opencompass_table(read_text(path))
        if found is None:
            raise FormatError(f"{path.name} holds no OpenCompass summary table (columns dataset, version, metric, mode, "
                              "then one per model)")
        grid = found
    if [h.casefold() for h in grid.header[:4]] != _OPENCOMPASS_HEADER:
        raise FormatError(f"{path.name} is not an OpenCompass summary: its columns start {_listed(grid.header[:4])}, "
                          f"not {', '.join(_OPENCOMPASS_HEADER)}")
    return grid


def _dataset(importer: Importer, name: str, group: bool) -> tuple[str, str | None, str | None] | None:
    """(benchmark, subset, metric override) of an OpenCompass dataset (a group: ``musr_average`` → musr)."""
    names = [name]
    if group and _GROUP_SUFFIX.search(name):
        names.insert(0, _GROUP_SUFFIX.sub("", name))
    return next((found for n in names if (found := _benchmark(n, importer))), None)


def _columns(importer: Importer, grid: Grid, file: str, model: str | None) -> dict[int, str]:
    """The model name of each model column (``--model`` for a summary of one model); unnamed ones counted."""
    columns = [(i, _clean(name)) for i, name in enumerate(grid.header[4:], 4)
               if _clean(name).casefold() not in _COUNT_COLUMNS]
    named = {i: name for i, name in columns if name and name != "..."}
    if len(named) < len(columns):
        importer.skip("OpenCompass column without a model name", len(columns) - len(named))
    if not named:
        raise FormatError(f"{file} is an OpenCompass summary without a model column")
    if model and len(named) > 1:
        raise UsageError(f"{file} holds {len(named)} models' columns ({_listed(list(named.values()), 3)}); --model "
                         "names one: import without it")
    return {i: model for i in named} if model else named


def _counted(importer: Importer, cell: str, file: str, where: str) -> tuple[str, int | None]:
    """The value of a cell and the samples it counts: ``82.00 (7/8)`` → ("82.00", 8); other cells as they are.

    The count must give the value (7/8 = 87.50%, or 0.88 as a fraction) to its written precision;
    when it does not, the value is kept with a ``disagreement`` warning.
    """
    m = _COUNTED.match(cell.strip())
    if m is None:
        return cell, None
    correct, total = int(m["correct"]), int(m["total"])
    if not 0 <= correct <= total or total == 0:
        importer.skip("a correct/total count that is no count (more correct than total, or of nothing): left out")
        return m["value"], None
    value, share = float(m["value"]), correct / total
    tolerance = 0.5 * 10 ** -len(m["decimals"] or "") + 1e-9
    if not any(abs(value - share * scale) <= tolerance for scale in (100, 1)):
        importer.warn("disagreement", f"{where}: {m['value']} is not the count beside it, {correct}/{total} = "
                      f"{share * 100:.2f}%; the value is imported as written, with n_samples {total}", file, where,
                      "check the summary: the value or the count is off")
    return m["value"], total


def import_opencompass(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                       model: str | None, **_: object) -> None:
    """An OpenCompass summary: ``summary_*.csv``, or the table of a ``summary_*.md``/``.txt``."""
    file = path.name
    grid = _opencompass_grid(path)
    for line in grid.damaged:
        importer.skip(f"OpenCompass {grid.unit} whose cells do not match the header ({grid.unit} {line})")
    names = _columns(importer, grid, file, model)
    refs: dict[int, ModelRef | None] = {}

    def model_of(column: int) -> ModelRef | None:
        """A column's model, resolved when it first has a number (one column: a local path is refused)."""
        if column not in refs:
            one = len(names) == 1
            refs[column] = importer.model(names[column], file) if one else _row_model(importer, names[column], file)
        return refs[column]

    date = file_date(file)
    labels = list(dict.fromkeys(names.values()))
    source = _source(importer, source_id, source_url, id_="opencompass" + (f"-{date}" if date else ""),
                     title=f"OpenCompass evaluation summary {file}: {', '.join(labels[:5])}"
                           + (f" and {len(labels) - 5} more" if len(labels) > 5 else ""),
                     url=None, date=date, kind="evaluation")
    counts = next((i for i, name in enumerate(grid.header[4:], 4) if _clean(name).casefold() == "total_count"), None)
    first = min(names)
    placed: list[tuple[int, list[str], tuple[str, str | None, str | None], bool]] = []
    metrics_of: dict[str, set[str]] = {}
    for line, cells in grid.rows:
        dataset, _version, metric, _mode = (_clean(c) for c in cells[:4])
        if not dataset or _blank(metric):
            importer.skip("OpenCompass dataset without results (not evaluated)")
            continue
        group = metric in _AVERAGES
        mapped = _dataset(importer, dataset, group)
        if mapped is None:
            importer.unknown(dataset)
            continue
        placed.append((line, cells, mapped, group))
        if not group and (metric_id := importer.registry.resolve_metric_of(mapped[0], metric)):
            metrics_of.setdefault(mapped[0], set()).add(metric_id)
    table: list[tuple[dict[str, Any], str]] = []
    for line, cells, (benchmark, subset, _override), group in placed:
        dataset, version, metric, mode = (_clean(c) for c in cells[:4])
        average = metric if group else None
        if group:
            used = metrics_of.get(benchmark, set())
            if len(used) != 1:
                importer.skip(f"OpenCompass {metric} of a group whose datasets do not share one metric")
                continue
            metric = next(iter(used))
        bare, subset_setting = _subset_setting(subset)
        setting = join_setting(None if mode.casefold() in _NO_MODE else mode, subset_setting, average)
        notes = f"OpenCompass dataset config {version}" if not _blank(version) else None
        for column in names:
            ref = None if _blank(cells[column]) else model_of(column)
            if ref is None:
                importer.number(cells[column])  # counted: a dash is no number
                continue
            where = f"{file}: {grid.unit} {line}, column {grid.header[column]!r}"
            raw, n_samples = _counted(importer, cells[column], file, where)
            if n_samples is None and column == first and counts is not None:
                total = _float(cells[counts])  # the first model's count (AISBench)
                n_samples = int(total) if total is not None and total.is_integer() and 1 <= total < 1e12 else None
            record = add_score(importer, source, ref, file, benchmark=benchmark, metric=metric, raw=raw, where=where,
                               subset=bare, setting=setting, notes=notes, n_samples=n_samples)
            if record is not None:
                table.append((record, record["metric"]))
    importer.rescale(table, file)
