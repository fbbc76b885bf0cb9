"""Plots (optional extra ``plot``: matplotlib): Pareto fronts, scaling (parameters vs tokens) and
the state of the art over time.

Figures are built with matplotlib's object API (no global pyplot state, no display needed)
and saved as PNG, SVG or PDF by the file's suffix, written atomically. SVG and PDF carry no
date, so the same data give the same file. Points are labelled with models' display names,
placed so that no label covers another; values that are not finite are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchtables.errors import MissingDependencyError, UsageError
from benchtables.rendering.cells import qualified, qualifier_map
from benchtables.tables.derived import CHINCHILLA_TOKENS_PER_PARAMETER
from benchtables.tables.pareto import Directions, comparable, pareto_mask
from benchtables.units import format_count

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["PLOT_SUFFIXES", "plot_pareto", "plot_scaling", "plot_sota", "save_figure"]

#: The files a figure is saved as.
PLOT_SUFFIXES = (".png", ".svg", ".pdf")

_LABELS = {
    "sampling_cost": "Sampling cost (steps × cost per step, relative)",
    "fid": "FID (lower is better)",
    "clip_score": "CLIP score (higher is better)",
    "parameters": "Parameters",
    "tokens": "Training tokens",
    "compute": "Training compute (FLOP)",
    "steps": "Sampling steps",
    "value": "Score",
}


def _figure(width: float = 7.0, height: float = 4.5) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise MissingDependencyError("matplotlib", "plot", "plotting") from None
    return Figure(figsize=(width, height), dpi=120, layout="constrained")


def _label(column: str, units: dict[str, str]) -> str:
    if column in _LABELS:
        return _LABELS[column]
    unit = units.get(column)
    return f"{column.replace('_', ' ')} ({unit})" if unit else column.replace("_", " ")


def _finite(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The rows whose ``columns`` are all finite numbers (an infinite cost cannot be drawn)."""
    import numpy as np

    keep = np.ones(len(frame), dtype=bool)
    for column in columns:
        keep &= np.isfinite(frame[column].astype(float).to_numpy())
    return frame[keep].reset_index(drop=True)


def plot_pareto(df: pd.DataFrame, x: str, y: str, *, series: str | None = "model", minimize: Directions = None,
                title: str | None = None, log_x: bool = True, mix_settings: bool = False,
                names: Mapping[str, str] | None = None) -> Figure:
    """``y`` against ``x`` with one series per ``series`` value and the Pareto front highlighted.

    Only comparable rows are drawn (one dataset and resolution; see :func:`~benchtables.tables.pareto`).
    ``names`` (model id → display name) labels the series.
    """
    for column in (x, y):
        if column not in df.columns:
            raise UsageError(f"no column {column!r} to plot; columns: {', '.join(map(str, df.columns))}")
    rows, setting, _ = comparable(df, x, y, mix_settings=mix_settings)
    data = _finite(rows[rows[x].notna() & rows[y].notna()], x, y)
    if data.empty:
        raise UsageError(f"no rows have both {x} and {y}")
    data["_front"] = pareto_mask(data, x, y, minimize=minimize)
    fig = _figure()
    ax = fig.add_subplot()
    groups = [(None, data)] if series is None or series not in data.columns else list(data.groupby(series, sort=False))
    order = _series_order(groups, df)
    cmap = _colormap(len(order))
    for i, (name, group) in enumerate(order):
        group = group.sort_values(x)
        ax.plot(group[x], group[y], marker="o", markersize=4, linewidth=1, color=cmap(i),
                label=(names or {}).get(str(name), str(name)) if name is not None else None)
    front = data[data["_front"]].sort_values(x)
    ax.step(front[x], front[y], where="post", color="black", linewidth=1.5, linestyle="--", label="Pareto front", zorder=3)
    ax.scatter(front[x], front[y], s=60, facecolors="none", edgecolors="black", linewidths=1.5, zorder=4)
    if log_x and (data[x] > 0).all():
        ax.set_xscale("log")
    units = df.attrs.get("units", {})
    ax.set_xlabel(_label(x, units))
    ax.set_ylabel(_label(y, units))
    ax.set_title(title or f"{_label(y, units).split(' (')[0]} against {_label(x, units).split(' (')[0].lower()}"
                 + setting.split(" (the setting")[0].replace(", ", "\n", 1))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2 if len(order) > 8 else 1, loc="best")
    return fig


def _series_order(groups: list[tuple[Any, pd.DataFrame]], df: pd.DataFrame) -> list[tuple[Any, pd.DataFrame]]:
    """Series by model size when sizes are known, else by name."""
    sizes = {}
    if "parameters" in df.columns:
        sizes = {name: g["parameters"].max() for name, g in groups if name is not None}
    return sorted(groups, key=lambda item: (sizes.get(item[0], math.inf) if sizes else 0, str(item[0])))


def _colormap(n: int) -> Any:
    from matplotlib import colormaps

    cmap = colormaps["viridis"].resampled(max(n, 2))
    return lambda i: cmap(i / max(n - 1, 1))


def _place_labels(fig: Figure, ax: Any, labels: list[tuple[tuple[float, float], str]]) -> None:
    """Annotate points so that no label covers another: each label moves up or down, in steps of
    its own height, until it is clear of those placed before it (models of one size or one
    token count would otherwise print on top of each other)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]  # not annotated in matplotlib
    fig.draw_without_rendering()  # lay the axes out (limits, constrained layout) before measuring,
    fig.set_layout_engine("none")  # and keep that layout, so the boxes measured here are the ones drawn
    frame = ax.get_window_extent(renderer)
    placed: list[Any] = []
    for point, text in labels:
        note = ax.annotate(text, point, textcoords="offset points", xytext=(5, 4), fontsize=7)
        note.set_in_layout(False)  # labels do not move the axes, so the boxes measured here hold
        box = note.get_window_extent(renderer)
        dx = 5
        if box.x1 > frame.x1:  # past the right edge: write it to the left of its point
            note.set_horizontalalignment("right")
            dx = -5
            note.set_position((dx, 4))
            box = note.get_window_extent(renderer)
        step = box.height * 72 / fig.dpi + 1  # points
        for k in range(1, 16):
            if not any(box.padded(1).overlaps(other) for other in placed):
                break
            note.set_position((dx, 4 + (k + 1) // 2 * step * (1 if k % 2 else -1)))
            box = note.get_window_extent(renderer)
        placed.append(box)


def plot_scaling(training: pd.DataFrame, *, title: str | None = None, label_points: bool = True,
                 names: Mapping[str, str] | None = None) -> Figure:
    """Parameters against training tokens, log–log, with the 20-tokens-per-parameter line; points
    labelled with ``names`` (model id → display name) where given."""
    data = training[training["parameters"].notna() & training["tokens"].notna()]
    data = _finite(data[(data["parameters"] > 0) & (data["tokens"] > 0)], "parameters", "tokens")
    if data.empty:
        raise UsageError("no training records have both parameters and tokens")
    data = data.drop_duplicates(subset=["model", "parameters", "tokens"])
    fig = _figure()
    ax = fig.add_subplot()
    bounded = data["qualifiers"].map(lambda q: any(x.endswith((">", ">=")) for x in (q if isinstance(q, list) else [])))
    ax.scatter(data.loc[~bounded, "parameters"], data.loc[~bounded, "tokens"], s=30, color="tab:blue", zorder=3,
               label="reported")
    if bounded.any():
        ax.scatter(data.loc[bounded, "parameters"], data.loc[bounded, "tokens"], s=50, marker="^", color="tab:orange",
                   zorder=3, label="lower bound (more than)")
    low = min(data["parameters"].min(), data["tokens"].min() / CHINCHILLA_TOKENS_PER_PARAMETER) / 2
    high = max(data["parameters"].max(), data["tokens"].max() / CHINCHILLA_TOKENS_PER_PARAMETER) * 2
    ax.plot([low, high], [low * CHINCHILLA_TOKENS_PER_PARAMETER, high * CHINCHILLA_TOKENS_PER_PARAMETER],
            color="gray", linestyle="--", label="20 tokens per parameter (Chinchilla-optimal)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Parameters (count, log scale)")
    ax.set_ylabel("Training tokens (count, log scale)")
    ax.set_title(title or "Model size against training data")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    if label_points:  # last: placing labels fixes the layout
        labels = []
        for row in data.sort_values(["parameters", "tokens"]).itertuples():
            marks = qualifier_map(row.qualifiers)
            labels.append(((row.parameters, row.tokens),
                           f"{(names or {}).get(row.model, row.model)} "
                           f"({qualified(format_count(row.parameters), marks.get('parameters'))}, "
                           f"{qualified(format_count(row.tokens), marks.get('tokens'))})"))
        _place_labels(fig, ax, labels)
    return fig


def plot_sota(view: Any, *, title: str | None = None) -> Figure:
    """The state of the art over time (a :func:`~benchtables.tables.sota.sota` view) as a step line,
    each step labelled with its model's name."""
    import pandas as pd

    frame = view.frame
    if frame.empty:
        raise UsageError("no dated numbers to plot")
    dates = pd.to_datetime(frame["date"].astype(str), format="mixed")
    values = frame["value"].astype(float)
    fig = _figure()
    ax = fig.add_subplot()
    label = view.labels.get("value", "value")
    ax.step([*dates, dates.iloc[-1]], [*values, values.iloc[-1]], where="post", color="tab:blue",
            linewidth=1.5)
    ax.scatter(dates, values, s=30, color="tab:blue", zorder=3)
    unit = view.units.get("value")
    ax.set_ylabel(label + (f" ({unit})" if unit and unit not in label else ""))
    ax.set_xlabel("Date (" + ("model release" if view.meta.get("date_of") == "model" else "source publication") + ")")
    ax.set_title(title or (view.caption or "State of the art"))
    ax.grid(True, alpha=0.3)
    _place_labels(fig, ax, [((d, v), str(n)) for d, v, n in zip(dates, values, frame["name"], strict=True)])
    return fig


def save_figure(fig: Figure, path: Path | str) -> Path:
    """Save as PNG, SVG or PDF (chosen by suffix), atomically; SVG and PDF without a date so the
    same figure gives the same file."""
    import io

    from benchtables.files import write_atomically

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise UsageError(f"plots are saved as .png, .svg or .pdf, not {suffix or 'no suffix'!r}")
    buffer = io.BytesIO()
    if suffix == ".svg":
        import matplotlib

        with matplotlib.rc_context({"svg.hashsalt": "benchtables"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None})
    elif suffix == ".pdf":
        fig.savefig(buffer, format="pdf", metadata={"CreationDate": None, "ModDate": None, "Producer": None})
    else:
        fig.savefig(buffer, format="png", metadata={"Software": None})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, buffer.getvalue())
    return path
