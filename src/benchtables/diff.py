"""``diff OLD NEW``: what a change does to the records and to every leaderboard it touches.

OLD and NEW are store directories (or project directories) or git revisions such as
``main`` or ``HEAD``, whose committed store is read with ``git show``. The result lists
records added, removed and changed (a record is identified by its key, see ``Record.KEY``; a
record whose ``where`` alone moved is the same record, changed), and, for every (benchmark, metric, setting) whose scores changed, the leaderboard before and
after: new entries, rank moves, and which models were overtaken by which. As Markdown it is
ready to post as a pull-request comment.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from benchtables.errors import StoreError, UsageError
from benchtables.kinds import RECORDS as RECORD_KINDS
from benchtables.project import Project, find_project, git
from benchtables.store import Store
from benchtables.tables.select import SETTING_COLUMNS, ScoreView, Setting
from benchtables.validation.read import BULK_SUFFIXES, ENTRY_SUFFIXES

__all__ = ["BoardChange", "RecordChange", "StoreDiff", "diff_stores", "open_revision"]

_IGNORED = {"file"}  #: moving a record to another file does not change the number
_SHOWN = 50  #: record rows listed per section in Markdown


@dataclass
class RecordChange:
    kind: str
    status: str  #: added, removed or changed
    key: dict[str, Any]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    fields: list[str] = field(default_factory=list)  #: for changed records: what changed


@dataclass
class BoardChange:
    benchmark: str
    metric: str
    setting: Setting
    label: str
    rows: list[dict[str, Any]]  #: model, name, old_rank, new_rank, old_value, new_value, status
    overtaken: list[tuple[str, str]]  #: (model now ahead, model it overtook)


@dataclass
class StoreDiff:
    old: str
    new: str
    records: list[RecordChange]
    boards: list[BoardChange]

    @property
    def empty(self) -> bool:
        return not self.records

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.records if r.status == s) for s in ("added", "removed", "changed")}

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "counts": self.counts(),
            "records": [{"kind": r.kind, "status": r.status, "key": r.key, "old": r.old, "new": r.new,
                         "fields": r.fields} for r in self.records],
            "leaderboards": [{"benchmark": b.benchmark, "metric": b.metric,
                              "setting": {k: getattr(b.setting, k) for k in SETTING_COLUMNS}, "label": b.label,
                              "rows": b.rows, "overtaken": [list(p) for p in b.overtaken]} for b in self.boards],
        }

    def to_markdown(self) -> str:
        return _render(self, "markdown")

    def to_text(self) -> str:
        return _render(self, "text")


# --------------------------------------------------------------------------- opening stores


def _tree(project: Project, spec: str, directory: Path) -> tuple[str, list[str]]:
    """``directory`` as a path from the top of the git repository, and the files under it at ``spec``."""
    top = Path((git(project.root, "rev-parse", "--show-toplevel") or b"").decode().strip()).resolve()
    prefix = directory.resolve().relative_to(top).as_posix()
    listed = git(project.root, "ls-tree", "--full-tree", "-r", "--name-only", spec, "--", f"{prefix}/") or b""
    return prefix, listed.decode().splitlines()


@contextmanager
def open_revision(spec: str) -> Iterator[Store]:
    """The store named by ``spec``: a store or project directory, or a git revision of this project."""
    path = Path(spec)
    if path.is_dir():
        if any(path.glob("*.parquet")):
            yield Store(path)
            return
        if (path / "data" / "store").is_dir():
            yield Store(path / "data" / "store")
            return
        raise UsageError(f"{spec} is a directory but not a store or a project with data/store")
    project = find_project()
    if project is None:
        raise UsageError(f"{spec!r} is not a directory, and there is no project here to read a git revision from")
    if git(project.root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}") is None:
        raise UsageError(f"{spec!r} is neither a store directory nor a git revision")
    prefix, files = _tree(project, spec, project.store)
    with tempfile.TemporaryDirectory(prefix="benchtables-diff-") as tmp:
        for file in (f for f in files if f.endswith(".parquet")):  # every table file, single or partitioned
            shown = git(project.root, "show", f"{spec}:{file}")
            if shown is not None:
                target = Path(tmp) / Path(file).relative_to(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(shown)
        yield Store(Path(tmp))


def unbuilt(spec: str, store: Store) -> list[str]:
    """Entry files of git revision ``spec`` that its committed store has nothing from.

    ``diff`` compares committed stores; an entry file committed without ``benchtables build``
    changes nothing there, which this names. Empty for store directories.
    """
    project = find_project()
    if Path(spec).is_dir() or project is None:
        return []
    prefix, files = _tree(project, spec, project.entries)
    entries = {f for f in files if f.endswith((*ENTRY_SUFFIXES, *BULK_SUFFIXES))}
    built: set[str] = set()
    for kind in (*RECORD_KINDS, "sources"):
        built.update(str(r["file"]) for r in _rows(store, kind) if r.get("file"))
    built.update(f for r in _rows(store, "models") for f in (r.get("declared_in") or []))
    # the store names files from the project root, git from the top of the repository
    root = project.entries.resolve().relative_to(project.root.resolve()).as_posix()
    return sorted(entries - {f"{prefix}{f.removeprefix(root)}" for f in built if f.startswith(root)})


def _rows(store: Store, kind: str) -> list[dict[str, Any]]:
    try:
        return cast(list[dict[str, Any]], store.table(kind).to_pylist())
    except (StoreError, FileNotFoundError):
        return []  # a revision before the store had this table: everything in NEW is added


def number_key(cls: Any, row: dict[str, Any]) -> tuple[Any, ...]:
    """A record's key without ``where``: a record whose where alone moved is the same number."""
    return tuple(row.get(k) for k in cls.key if k != "where")


# --------------------------------------------------------------------------- comparing


def _record_changes(old: Store, new: Store) -> list[RecordChange]:
    changes: list[RecordChange] = []
    for kind, cls in RECORD_KINDS.items():
        before = {tuple(r.get(k) for k in cls.key): r for r in _rows(old, kind)}
        after = {tuple(r.get(k) for k in cls.key): r for r in _rows(new, kind)}
        # a record whose where changed is the same number moved: pair it by the rest of its key
        gone: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for key in sorted(set(before) - set(after), key=repr):
            gone.setdefault(number_key(cls, before[key]), []).append(key)
        was = {key: gone[n].pop(0) for key in sorted(set(after) - set(before), key=repr)
               if gone.get(n := number_key(cls, after[key]))}
        for key in sorted((set(before) - set(was.values())) | set(after), key=repr):
            a, b = before.get(was.get(key, key)), after.get(key)
            key_dict = dict(zip(cls.key, key, strict=True))
            if a is None:
                changes.append(RecordChange(kind, "added", key_dict, None, b))
            elif b is None:
                changes.append(RecordChange(kind, "removed", key_dict, a, None))
            else:
                fields = [f for f in b if f not in _IGNORED and a.get(f) != b.get(f)]
                if fields:
                    changes.append(RecordChange(kind, "changed", key_dict, a, b, fields))
    return changes


def _board(old_view: ScoreView | None, new_view: ScoreView | None, benchmark: str, metric: str,
           setting: Setting) -> BoardChange | None:
    import pandas as pd

    from benchtables.tables.ranks import competition_rank

    frames = {}
    higher = True
    label = benchmark
    names: dict[str, str] = {}
    for side, view in (("old", old_view), ("new", new_view)):
        if view is None or benchmark not in view.registry.benchmarks:
            frames[side] = pd.DataFrame({"model": [], "value": []})
            continue
        b, m = view.target(benchmark, metric)
        higher = m.higher_is_better
        said = setting.label(b.split)  # the standard split goes unsaid
        label = b.name + ("" if m.id == b.primary else f" {m.name}") + (f" ({said})" if said else "")
        table = view.ranked(b, m, setting).select(["model", "value"]).to_pandas()
        table["rank"] = competition_rank(table["value"], higher)
        frames[side] = table
        names.update({r["id"]: r["name"] for r in view.models().select(["id", "name"]).to_pylist()})
    merged = frames["old"].merge(frames["new"], on="model", how="outer", suffixes=("_old", "_new"))
    if merged.empty:
        return None
    rows = []
    for r in merged.to_dict("records"):
        old_rank = None if pd.isna(r.get("rank_old")) else int(r["rank_old"])
        new_rank = None if pd.isna(r.get("rank_new")) else int(r["rank_new"])
        if old_rank is None:
            status = "new"
        elif new_rank is None:
            status = "removed"
        elif new_rank < old_rank:
            status = f"up {old_rank - new_rank}"
        elif new_rank > old_rank:
            status = f"down {new_rank - old_rank}"
        else:
            status = "same" if r.get("value_old") == r.get("value_new") else "value changed"
        rows.append({"model": r["model"], "name": names.get(r["model"], r["model"]), "old_rank": old_rank,
                     "new_rank": new_rank, "old_value": _float(r.get("value_old")),
                     "new_value": _float(r.get("value_new")), "status": status})
    rows.sort(key=lambda r: (r["new_rank"] is None, r["new_rank"] or 0, r["old_rank"] or 0, r["model"]))
    both = [r for r in rows if r["new_rank"] is not None]
    overtaken = [(a["model"], b["model"]) for a in both for b in both
                 if b["old_rank"] is not None and a["new_rank"] < b["new_rank"]
                 and (a["old_rank"] is None or a["old_rank"] > b["old_rank"])]
    return BoardChange(benchmark, metric, setting, label, rows, overtaken)


def _float(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def diff_stores(old: Store, new: Store, old_label: str = "old", new_label: str = "new") -> StoreDiff:
    """Compare two stores: records added, removed, changed, and the leaderboards that moved."""
    records = _record_changes(old, new)
    groups = sorted({(r.key["benchmark"], r.key["metric"], Setting(**{k: r.key[k] for k in SETTING_COLUMNS}))
                     for r in records if r.kind == "scores"}, key=repr)
    old_view = _view(old)
    new_view = _view(new)
    boards = [b for g in groups if (b := _board(old_view, new_view, *g)) is not None]
    return StoreDiff(old_label, new_label, records, boards)


def _view(store: Store) -> ScoreView | None:
    try:
        return ScoreView(store)
    except (StoreError, FileNotFoundError):
        return None


# --------------------------------------------------------------------------- Markdown


def _what(change: RecordChange) -> str:
    key = change.key
    if change.kind == "scores":
        setting = Setting(**{k: key[k] for k in SETTING_COLUMNS}).label()
        return f"{key['benchmark']} {key['metric']}" + (f" ({setting})" if setting else "")
    shown = [f"{k} {v}" for k, v in key.items()
             if k not in ("model", "source", "where") and v is not None and v is not False]
    return change.kind + (f" ({', '.join(shown)})" if shown else "")


def _shown_value(change: RecordChange, row: dict[str, Any] | None) -> str:
    if row is None:
        return ""
    if change.kind == "scores":
        return f"{row['value']:g}"
    cls = RECORD_KINDS[change.kind]
    fields = [f for f in cls.names if isinstance(row.get(f), float) and f not in cls.key]
    return ", ".join(f"{f} {row[f]:g}" for f in fields[:3])


def _render(diff: StoreDiff, fmt: str) -> str:
    """The diff as Markdown (for a pull-request comment) or plain text (for a terminal)."""
    import pandas as pd

    from benchtables.rendering import to_markdown, to_text
    from benchtables.rendering.cells import escape_markdown, shown_decimals, visible
    from benchtables.tables.view import TableView

    markdown = fmt == "markdown"
    table_of = to_markdown if markdown else to_text
    text = escape_markdown if markdown else visible

    def heading(level: int, words: str) -> str:
        return f"{'#' * level} {text(words)}" if markdown else text(words) + "\n" + "-" * len(words)

    counts = diff.counts()
    lines = [heading(2, f"benchtables: {diff.old} → {diff.new}"), ""]
    if diff.empty:
        lines.append("No records changed.")
        return "\n".join(lines) + "\n"
    summary = f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed."
    lines.append(f"**Records:** {summary}" if markdown else f"Records: {summary}")
    for status in ("added", "removed", "changed"):
        chosen = [r for r in diff.records if r.status == status]
        if not chosen:
            continue
        table = pd.DataFrame([{
            "Kind": r.kind, "Model": r.key["model"], "What": _what(r),
            "Old": _shown_value(r, r.old), "New": _shown_value(r, r.new),
            "Source": r.key["source"], "Where": r.key.get("where") or "",
            **({"Changed": ", ".join(r.fields)} if status == "changed" else {}),
        } for r in chosen[:_SHOWN]])
        if status == "added":
            table = table.drop(columns=["Old"])
        elif status == "removed":
            table = table.drop(columns=["New"])
        lines += ["", heading(3, f"{status.capitalize()} ({len(chosen)})"), "", table_of(table).rstrip()]
        if len(chosen) > _SHOWN:
            lines.append(f"… and {len(chosen) - _SHOWN} more.")
    if diff.boards:
        lines += ["", heading(3, "Leaderboards")]
    for board in diff.boards:
        table = pd.DataFrame([{"#": r["new_rank"], "Model": r["name"], "Value": r["new_value"], "Was #": r["old_rank"],
                               "Was": r["old_value"], "Change": r["status"]} for r in board.rows])
        table["#"] = table["#"].astype("Int64")
        table["Was #"] = table["Was #"].astype("Int64")
        # a value and what it was, to the same decimals (69.30 beside 69.31, not 69.3)
        numbers = [float(v) for v in (*table["Value"], *table["Was"]) if isinstance(v, int | float) and v == v]
        same = shown_decimals([v for v in numbers if math.isfinite(v)])
        view = TableView(table, precision={"Value": same, "Was": same})
        lines += ["", heading(4, board.label), "", table_of(view).rstrip()]
        names = {r["model"]: r["name"] for r in board.rows}
        if board.overtaken:
            lines += ["", text("Overtaken: " + "; ".join(f"{names[b]} by {names[a]}" for a, b in board.overtaken) + ".")]
    return "\n".join(lines) + "\n"
