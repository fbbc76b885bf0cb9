"""Plots: files written, labelled with units, reproducible."""

from __future__ import annotations

import pytest

from benchtables.errors import UsageError
from benchtables.frames import load
from benchtables.rendering.plots import plot_pareto, plot_scaling, save_figure
from conftest import REPO

SHIPPED = REPO / "data" / "store"


@pytest.fixture(scope="module")
def sampling():
    df = load("sampling", SHIPPED, derived=True)
    df["parameters"] = df["model"].map(load("models", SHIPPED).set_index("id")["parameters"])
    return df


def test_pareto_plot_png_and_svg(tmp_path, sampling):
    fig = plot_pareto(sampling, "sampling_cost", "fid")
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("Sampling cost") and ax.get_ylabel() == "FID (lower is better)"
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "ldm-39m" and labels[-2] == "ldm-5b" and labels[-1] == "Pareto front"  # ordered by size
    named = plot_pareto(sampling, "sampling_cost", "fid", names={"ldm-39m": "LDM 39M"}).axes[0]
    assert named.get_legend().get_texts()[0].get_text() == "LDM 39M"  # display names when given
    png = save_figure(fig, tmp_path / "f.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = save_figure(fig, tmp_path / "f.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf == save_figure(fig, tmp_path / "g.pdf").read_bytes()  # no date inside
    first = save_figure(fig, tmp_path / "a.svg").read_text()
    second = save_figure(plot_pareto(sampling, "sampling_cost", "fid"), tmp_path / "b.svg").read_text()
    assert first == second  # no dates or random ids: the same data give the same file
    assert "Sampling cost" in first


def test_pareto_plot_draws_one_dataset(sampling):
    import pandas as pd

    other = sampling[sampling["fid"].notna()].head(2).assign(dataset="ImageNet 256x256", model="other")
    mixed = pd.concat([sampling, other])  # repeated index labels, as concat leaves them
    mixed.attrs = sampling.attrs
    drawn = plot_pareto(mixed, "sampling_cost", "fid").axes[0]
    assert "other" not in [t.get_text() for t in drawn.get_legend().get_texts()]
    assert "COCO" in drawn.get_title()
    both = plot_pareto(mixed, "sampling_cost", "fid", mix_settings=True).axes[0]
    assert "other" in [t.get_text() for t in both.get_legend().get_texts()]


def test_scaling_plot(tmp_path):
    names = load("models", SHIPPED).set_index("id")["name"].dropna().to_dict()
    fig = plot_scaling(load("training", SHIPPED), names=names)
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert "Parameters" in ax.get_xlabel() and "tokens" in ax.get_ylabel()
    texts = [t.get_text() for t in ax.texts]
    assert "Chinchilla 70B (70B, 1.4T)" in texts and "Tencent Hunyuan (>100B, >2T)" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "20 tokens per parameter (Chinchilla-optimal)" in legend and "lower bound (more than)" in legend
    x, y = ax.lines[0].get_data()
    assert y[0] / x[0] == pytest.approx(20) and y[-1] / x[-1] == pytest.approx(20)


def test_scaling_labels_do_not_cover_each_other():
    """GPT-3 (175B) and Gopher (280B) both trained on 300B tokens: their labels must both be readable."""
    import pandas as pd
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    training = load("training", SHIPPED)
    extra = pd.DataFrame({"model": ["gpt-3-175b", "gopher-280b", "wide-model-with-a-long-name"],
                          "parameters": [175e9, 280e9, 1e12], "tokens": [300e9, 300e9, 2e13],
                          "qualifiers": [[], [], []]})
    fig = plot_scaling(pd.concat([training, extra], ignore_index=True))
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    frame = fig.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in boxes)  # none runs off the figure


def test_bad_plot_requests(tmp_path, sampling):
    with pytest.raises(UsageError, match="no column 'nope'"):
        plot_pareto(sampling, "nope", "fid")
    with pytest.raises(UsageError, match=r"\.png, \.svg or \.pdf"):
        save_figure(plot_pareto(sampling, "sampling_cost", "fid"), tmp_path / "f.jpg")


def test_shipped_scaling_labels_by_name_do_not_overlap(tmp_path, cli):
    """Hunyuan (>100B, >2T) and Falcon 180B (180B, 3.5T) sit close: both labels must be readable."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    names = load("models", SHIPPED).set_index("id")["name"].dropna().to_dict()
    fig = plot_scaling(load("training", SHIPPED), names=names)
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) > 5 and not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    for suffix in ("png", "svg", "pdf"):
        assert cli("plot", "scaling", "-o", tmp_path / f"s.{suffix}", "--store", SHIPPED).code == 0


def test_values_that_are_not_finite_are_left_out(sampling):
    import math

    broken = sampling.copy()
    broken.loc[broken.index[0], "sampling_cost"] = math.inf
    ax = plot_pareto(broken, "sampling_cost", "fid").axes[0]
    assert ax.get_xscale() == "log"  # drawn without the infinite point
