"""lm-evaluation-harness results tables, printed into a README or model card → scores.

The harness prints its results as Markdown (``make_table``) and people paste them into
READMEs. :func:`find_tables` finds them by their header, in each version the harness printed::

    |Task|Version|Metric|Value|   |Stderr|                                   v0.3
    |Task|Version|Filter|Metric|Value|   |Stderr|                            early 0.4
    |Tasks|Version|Filter|n-shot|Metric|Value|   |Stderr|                    0.4.0–0.4.2
    |Tasks|Version|Filter|n-shot|Metric|   |Value|   |Stderr|                0.4.3+ (↑/↓ column)

(``Groups`` for a table of groups). A table pasted into comments is found too: the same comment
marker (``# ``, ``// ``, ``-- ``) in front of each of its lines, as in a shell script's notes or
a source file's header; ``benchtables import`` tells such a table in any small text file that
no other format claims (``.sh``, ``.py``, ``.rs``, ``.log`` …). The rules of every importer
apply, and these:

* **Rows.** A blank task cell continues the task above (a row per metric). A `` - name`` row is
  a subtask of the row above it at a smaller indentation (``mmlu`` → `` - humanities`` →
  ``  - formal_logic``) and is placed as a subset of the top task's benchmark. An ``alias`` row
  (early 0.4) names the row below and is no number. A Groups table repeats rows of the Tasks
  table above it: each number is imported once (the repeat is counted). ``np.float64(x)`` is
  the number x; an ``N/A`` stderr is none; ``_`` in place of ``±`` changes nothing. A row whose
  cells do not match its header is skipped and counted.
* **Benchmarks and values** as :mod:`benchtables.importers.lm_eval` places task names (its
  ``_benchmark`` and ``_subset_setting``): percent metrics (acc, exact_match, mc2 …) are written
  as fractions of 1 and converted; others (perplexity, bits per byte) are kept as written. The
  filter (``strict-match``) is the setting; ``n-shot`` the n-shot, and a group without one takes
  its subtasks' when they agree (else the same group's in an earlier table of the run). A
  Metric cell holding the harness's raw key (``acc,none``) is the metric and its filter, and the
  ``acc_stderr,none`` row below it is that value's stderr. A table whose percent metrics go
  above 1 (some tools print the harness's tables in percent) is read as percent, with a warning.
* **Model.** The harness's line above the tables (``hf (pretrained=…), gen_kwargs: …, limit: …,
  num_fewshot: …, batch_size: …``) names the model of every table below it, by lm_eval's
  identity rules (a revision is part of the model, an adapter is a model, a local path or
  another implementation needs ``--model``, quantisation is a setting). Its ``limit`` marks
  the numbers partial (never a sample count: a task smaller than the limit ran whole); its ``num_fewshot`` is the
  n-shot of rows that give none (v0.3 tables have no n-shot column). A table with no such line
  above it needs ``--model``; ``--model`` on a file whose lines name several models is refused.
* **where** is ``<file>: line N``. The source is the file's tables (``--source-url`` links it).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer, ModelRef, SourceDraft, slug, whole_number
from benchtables.importers.leaderboards import add_score, join_setting, read_text, table_cells, text_lines
from benchtables.importers.lm_eval import (
    _METRIC_ALIASES,
    _NOT_BENCHMARKS,
    _benchmark,
    _model,
    _subset_setting,
    limited,
)

__all__ = ["ResultsTable", "RunLine", "TableRow", "find_tables", "import_lm_eval_table"]

_FIRST = {"task", "tasks", "groups"}
_NEEDED = {"version", "metric", "value", "stderr"}
_RUN = re.compile(r"^(?P<cls>[\w.-]+) \((?P<args>.*?)\), (?P<rest>(?:gen_kwargs|limit|num_fewshot|batch_size|"
                  r"provide_description)\b.*)$")
_OPTION = re.compile(r"(\w+): (\([^()]*\)|[^,]*)")
_SUBTASK = re.compile(r"^(\s*)-\s+(.*)$")
#: The harness's raw result key in a Metric cell: ``acc,none``, ``exact_match,strict-match``.
_KEY = re.compile(r"^(?P<metric>[A-Za-z_][\w.@/-]{0,80}),(?P<filter>[\w .@/-]{1,80})$")
_WRAPPED = re.compile(r"^\s*np\.float\d*\((.*)\)\s*$")
_RUN_LINE_LIMIT = 10_000
#: A comment marker in front of a table line (``# |Tasks|…`` in a shell script or a Python file).
_COMMENT = re.compile(r"^\s*(#|//|--)[ \t]?")
_COMMENTS = re.compile(r"^\s*(?:(?:#|//|--)\s*)+")


@dataclass(frozen=True)
class RunLine:
    """The harness's line naming the model (and options) of the tables below it."""

    line: int
    model_class: str
    model_args: str
    options: tuple[tuple[str, str], ...]

    def option(self, name: str) -> str | None:
        return next((v for k, v in self.options if k == name), None)


@dataclass(frozen=True)
class TableRow:
    """One row: its line, its task cell (indentation removed; empty on a continuation row)."""

    line: int
    task: str
    depth: int
    cells: dict[str, str]


@dataclass
class ResultsTable:
    """A results table: where its header is, its rows, and the run line above it."""

    line: int
    columns: list[str]
    run: RunLine | None
    rows: list[TableRow] = field(default_factory=list)
    damaged: list[int] = field(default_factory=list)


def _run_line(text: str, line: int) -> RunLine | None:
    if len(text) > _RUN_LINE_LIMIT or "(" not in text or ("limit:" not in text and "num_fewshot:" not in text):
        return None
    m = _RUN.match(_COMMENTS.sub("", text).strip().strip("`").strip())
    if m is None:
        return None
    options = tuple((k, v.strip()) for k, v in _OPTION.findall(m["rest"]))
    return RunLine(line, m["cls"], m["args"], options)


def _header(text: str) -> list[str] | None:
    cells = table_cells(text)
    if cells is None:
        return None
    names = [c.strip().casefold() for c in cells]
    return names if names[0] in _FIRST and set(names) >= _NEEDED else None


def _separator(text: str) -> bool:
    cells = table_cells(text)
    return cells is not None and all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in cells)


def _row(line: int, columns: list[str], cells: list[str]) -> TableRow:
    first = cells[0].rstrip()
    m = _SUBTASK.match(first)
    named: dict[str, str] = {}
    for name, cell in zip(columns[1:], cells[1:], strict=True):
        if name and name not in named:
            named[name] = cell.strip()
    if m:
        return TableRow(line, m[2].strip(), len(m[1]) + 1, named)
    return TableRow(line, first.strip(), 0, named)


def _uncommented(text: str) -> tuple[str, str]:
    """A line's comment marker and the text after it: ``# |a|`` → ("#", "|a|"); ("", text) for others."""
    m = _COMMENT.match(text)
    return (m[1], text[m.end():]) if m else ("", text)


def find_tables(text: str) -> list[ResultsTable]:
    """The lm-eval results tables in a text (a README), each with the run line above it; [] if none.

    A table may stand in comments (``# ``, ``// ``, ``-- `` in front of each of its lines, the same
    marker on every line: a line without it ends the table); the run line above it may be
    commented out any number of times (``# # hf (pretrained=…)``).
    """
    if "Metric" not in text or "Stderr" not in text:
        return []
    lines = text_lines(text)
    tables: list[ResultsTable] = []
    run: RunLine | None = None
    i = 0
    while i < len(lines):
        found = _run_line(lines[i], i + 1)
        if found is not None:
            run, i = found, i + 1
            continue
        marker, body = _uncommented(lines[i])
        columns = _header(body)
        if columns is None or i + 1 >= len(lines) or _uncommented(lines[i + 1])[0] != marker \
                or not _separator(_uncommented(lines[i + 1])[1]):
            i += 1
            continue
        table = ResultsTable(i + 1, columns, run)
        i += 2
        while i < len(lines) and (row := _uncommented(lines[i]))[0] == marker \
                and (cells := table_cells(row[1])) is not None:
            if len(cells) == len(columns):
                table.rows.append(_row(i + 1, columns, cells))
            else:
                table.damaged.append(i + 1)
            i += 1
        tables.append(table)
    return tables


# --------------------------------------------------------------------------- import


@dataclass
class _Block:
    """The rows of one task (its first row and continuation rows), with its top task."""

    task: str
    depth: int
    root: str | None
    rows: list[TableRow]
    below: set[int] = field(default_factory=set)  #: n-shots of its subtasks


def _shots(cell: str | None) -> int | None:
    return whole_number(cell or "")


def _unreadable_shots(cell: str | None) -> bool:
    text = (cell or "").strip()
    return _shots(text) is None and text.casefold() not in ("", "none", "n/a", "-")


def _blocks(table: ResultsTable, importer: Importer, file: str) -> list[_Block]:
    """The table's rows grouped by task, each with its top task and its subtasks' n-shots."""
    blocks: list[_Block] = []
    stack: list[tuple[int, str]] = []  # (depth, task) of the rows above, outermost first
    for row in table.rows:
        if row.task:
            while stack and stack[-1][0] >= row.depth:
                stack.pop()
            blocks.append(_Block(row.task, row.depth, stack[0][1] if stack and row.depth else None, [row]))
            stack.append((row.depth, row.task))
        elif blocks:
            blocks[-1].rows.append(row)
        else:
            importer.skip(f"table row without a task ({file}: line {row.line})")
    for block in blocks:
        block.rows = _keyed(block.rows, importer, file)
    below: list[tuple[int, set[int]]] = []  # from the end: (depth, n-shots of the block and its subtasks)
    for block in reversed(blocks):
        found: set[int] = set()
        while below and below[-1][0] > block.depth:
            found |= below.pop()[1]
        block.below = found
        own = {s for r in block.rows if (s := _shots(r.cells.get("n-shot"))) is not None}
        below.append((block.depth, found | own))
    return blocks


def _keyed(rows: list[TableRow], importer: Importer, file: str) -> list[TableRow]:
    """A task's rows with the harness's raw result keys in the Metric cell (``acc,none``, then
    ``acc_stderr,none`` on a row of its own) read as a metric and its filter, each stderr row
    folded into the row of its value as its Stderr."""
    out: list[TableRow] = []
    at: dict[tuple[str, str], int] = {}
    for row in rows:
        m = _KEY.match(row.cells.get("metric", "").strip())
        if m is None:
            out.append(row)
            continue
        metric, filter_ = m["metric"], m["filter"].strip()
        if metric.endswith("_stderr"):
            i = at.get((metric.removesuffix("_stderr"), filter_))
            if i is None:
                importer.skip(f"a stderr row with no value row above it ({file}: line {row.line})")
            elif not out[i].cells.get("stderr", "").strip():
                out[i] = replace(out[i], cells={**out[i].cells, "stderr": row.cells.get("value", "")})
            continue
        given = row.cells.get("filter", "").strip()
        at[(metric, filter_)] = len(out)
        out.append(replace(row, cells={**row.cells, "metric": metric, "filter": given or filter_}))
    return out


def _in_fractions(table: ResultsTable, importer: Importer, file: str) -> bool:
    """Whether a table writes percent metrics as fractions of 1, as the harness prints them.

    Some tools print the harness's tables in percent (``|arc_challenge|0|acc|54.44|±|1.46|``):
    a table whose percent metrics have a value above 1, none above 100, is read as percent,
    with a warning; one scale for the whole table, as the tool printed it.
    """
    values = []
    for row in table.rows:
        metric = row.cells.get("metric", "").strip()
        m = _KEY.match(metric)
        name = _METRIC_ALIASES.get(m["metric"] if m else metric, m["metric"] if m else metric)
        definition = importer.registry.metrics.get(name)
        if definition is not None and definition.is_percent:
            try:
                values.append(abs(float(_numbers(row.cells.get("value", "")))))
            except ValueError:
                continue
    if values and max(values) > 1 and max(values) <= 100:
        importer.warn("percent_table", f"the table at {file}: line {table.line} writes percent metrics in percent "
                      f"(up to {max(values):g}), not as the fractions lm-eval prints: read as percent", file,
                      f"line {table.line}", "check the table's scale")
        return False
    return True


def _place(importer: Importer, block: _Block) -> tuple[str, str | None, str | None] | None:
    """(benchmark, subset, metric override) of a block's task.

    A subtask is tried under its top task first (``mmlu`` › ``formal_logic`` is ``mmlu_formal_logic``),
    and is a subset of the top task's benchmark when that benchmark lists it (MMMU's ``Art and Design``).
    """
    bare = "_".join(block.task.replace("-", " ").split())
    names = ([f"{'_'.join(block.root.split())}_{bare}"] if block.root else []) + [block.task, bare]
    found = next((found for name in dict.fromkeys(names) if (found := _benchmark(name, importer))), None)
    top = _benchmark(block.root, importer) if found is None and block.root else None
    if top is not None and top[1] is None and bare.casefold() in importer.registry.benchmarks[top[0]].subsets:
        return top[0], bare.casefold(), None
    return found


def _model_args(text: str) -> str | dict[str, Any]:
    """A run line's model arguments: ``k=v,…``, or the dict newer harnesses print (``{'model': …}``)."""
    if not text.lstrip().startswith("{"):
        return text
    try:
        found = ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text
    return found if isinstance(found, dict) else text


def _models(tables: list[ResultsTable], importer: Importer, file: str,
            given: str | None) -> dict[RunLine | None, tuple[ModelRef, str | None]]:
    """The model (and the setting its arguments make) of each run line, and ``--model``'s for tables without one.

    A run whose model cannot be told (a local path, another implementation) leaves its tables out,
    counted; a file with no table left is refused, saying why.
    """
    runs = list(dict.fromkeys(t.run for t in tables if t.run is not None))
    if given is not None and len({run.model_args for run in runs}) > 1:
        raise FormatError(f"{file} holds the tables of {len(runs)} runs (lines {', '.join(str(r.line) for r in runs[:5])}"
                          "); --model would put them all on one model: import it without --model")
    found: dict[RunLine | None, tuple[ModelRef, str | None]] = {}
    why: dict[RunLine | None, str] = {None: "no 'hf (pretrained=…), …' line above it says which model it is of; pass "
                                            "--model"}
    for run in runs:
        config = {"config": {"model": run.model_class, "model_args": _model_args(run.model_args)}}
        try:
            found[run] = _model(config, importer, file, given)
        except FormatError as exc:
            why[run] = f"the model of its run (line {run.line}): {exc}"
    if given is not None:
        found[None] = (importer.model(given, file), None)
    left = [t for t in tables if t.run not in found]
    if len(left) == len(tables):
        raise FormatError(f"{file}: the table at line {left[0].line} is left out: {why[left[0].run]}")
    for table in left:
        importer.skip(f"table at {file}: line {table.line} left out: {why[table.run]}")
    return found


def _label(importer: Importer, model_id: str) -> str:
    declared = importer.result.models.get(model_id) or importer.known.models.get(model_id) or {}
    return str(declared.get("name") or model_id)


def _numbers(text: str) -> str:
    """``np.float64(0.12)`` → ``0.12`` (the harness printed some values unformatted)."""
    m = _WRAPPED.match(text)
    return m[1] if m else text


def import_lm_eval_table(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                         model: str | None, **_: object) -> None:
    """The lm-eval results tables of a Markdown or text file."""
    file = path.name
    tables = find_tables(read_text(path))
    if not tables:
        raise FormatError(f"{file} holds no lm-evaluation-harness results table (a Markdown table whose header has "
                          "Tasks (or Task, Groups), Version, Metric, Value and Stderr)")
    models = _models(tables, importer, file, model)
    labels = list(dict.fromkeys(_label(importer, ref.id) for ref, _ in models.values()))
    source = importer.source(source_id or f"lm-eval-{slug(labels[0].split('/')[-1])}",
                             f"lm-evaluation-harness results in {file}: {', '.join(labels[:5])}"
                             + (f" and {len(labels) - 5} more" if len(labels) > 5 else ""),
                             url=source_url, kind="evaluation")
    seen_shots: dict[tuple[RunLine | None, str], int] = {}
    unknown: set[tuple[RunLine | None, str]] = set()
    for table in tables:
        for line in table.damaged:
            importer.skip(f"table row whose cells do not match its header ({file}: line {line})")
        if table.run not in models:
            continue
        ref, model_setting = models[table.run]
        partial = limited(table.run.option("limit") if table.run else None)
        fraction = _in_fractions(table, importer, file)
        default = _shots(table.run.option("num_fewshot") if table.run else None)
        for block in _blocks(table, importer, file):
            if block.task in _NOT_BENCHMARKS:
                importer.skip(_NOT_BENCHMARKS[block.task])
                continue
            mapped = _place(importer, block)
            if mapped is None:
                if (table.run, block.task) not in unknown:
                    unknown.add((table.run, block.task))
                    importer.unknown(block.task)
                continue
            for row, n_shot in _rows_with_shots(block, table.run, seen_shots, default, importer):
                _add_row(importer, source, ref, file, row, mapped, n_shot=n_shot, setting=model_setting,
                         partial=partial, fraction=fraction)


def _rows_with_shots(block: _Block, run: RunLine | None, seen: dict[tuple[RunLine | None, str], int],
                     default: int | None, importer: Importer) -> Iterator[tuple[TableRow, int | None]]:
    """Each row of a block with its n-shot: its own, else its subtasks' (one), else this run's earlier, else the run's."""
    for row in block.rows:
        n_shot = _shots(row.cells.get("n-shot"))
        if _unreadable_shots(row.cells.get("n-shot")):  # stated, but unreadable: empty, never another's
            importer.skip(f"n-shot left empty, not a whole number: {row.cells['n-shot'][:20]!r}")
            yield row, None
            continue
        if n_shot is None and len(block.below) == 1:
            n_shot = next(iter(block.below))
        if n_shot is None:
            n_shot = seen.get((run, block.task), default)
        if n_shot is not None:
            seen.setdefault((run, block.task), n_shot)
        yield row, n_shot


def _add_row(importer: Importer, source: SourceDraft, ref: ModelRef, file: str, row: TableRow,
             mapped: tuple[str, str | None, str | None], *, n_shot: int | None, setting: str | None,
             partial: str | None, fraction: bool) -> None:
    metric = row.cells.get("metric", "")
    if metric in ("", "alias"):  # an alias row names the task; it holds no number
        return
    benchmark, subset, override = mapped
    bare, subset_setting = _subset_setting(subset)
    filter_ = row.cells.get("filter", "")
    details: dict[str, Any] = {
        "n_shot": n_shot, "subset": bare, "partial": True if partial else None,
        "_partial_reason": partial,
        "setting": join_setting(subset_setting, None if filter_.casefold() in ("", "none") else filter_, setting),
    }
    add_score(importer, source, ref, file, benchmark=benchmark,
              metric=override if override and metric == "acc" else _METRIC_ALIASES.get(metric, metric),
              raw=_numbers(row.cells.get("value", "")), stderr=_numbers(row.cells.get("stderr", "")),
              where=f"{file}: line {row.line}", fraction=fraction, **details)
