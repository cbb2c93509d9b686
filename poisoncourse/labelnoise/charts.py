"""Lesson 4's charts: accuracy against the poison distance, decision regions, MNIST buckets. Every function takes a tidy table and returns a chart."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import HEIGHT, MAX_ROWS, WIDTH, thin, tips  # noqa: F401

METRIC_TITLES = {"adversarial_accuracy": "adversarial accuracy", "natural_accuracy": "natural accuracy"}
CLASS_COLORS = alt.Scale(domain=[0, 1, 2], range=["#4c78a8", "#e45756", "#54a24b"])


def accuracy_vs_r(curves: pd.DataFrame, *, title: str = "poison distance r from its class mean") -> alt.FacetChart:
    """Mean accuracy over seeds vs r (points and lines) with the seeds' range as bars; one
    panel per metric, one colour per ``series`` (e.g. opposite vs third class, live vs
    reference). ``curves`` columns: r, metric, series, mean, low, high."""
    base = alt.Chart(curves).encode(
        x=alt.X("r:Q", title=title),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=500)),
    )
    y = alt.Y("mean:Q", title="accuracy", scale=alt.Scale(zero=False))
    lines = base.mark_line(point=True).encode(
        y=y, tooltip=tips("series:N", "r:Q", alt.Tooltip("mean:Q", format=".3f", title="mean over seeds"),
                      alt.Tooltip("low:Q", format=".3f", title="worst seed"),
                      alt.Tooltip("high:Q", format=".3f", title="best seed")))
    bars = base.mark_errorbar(opacity=0.45).encode(y=alt.Y("low:Q", title="accuracy"), y2=alt.Y2("high:Q"))
    return (alt.layer(bars, lines, data=curves).properties(width=WIDTH, height=HEIGHT)
            .facet(column=alt.Column("metric:N", title=None, sort=list(METRIC_TITLES.values())))
            .resolve_scale(y="independent"))


def decision_region_panel(grid: pd.DataFrame, points: pd.DataFrame, *, title: str, size: int = 230) -> alt.LayerChart:
    """One network's predicted class on a grid (heatmap) with its training points; poisons
    drawn large with a black edge. grid: x1, x2, predicted; points: x1, x2, label, kind."""
    ticks = np.sort(grid.x1.unique())
    step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    # Each prediction was made at a cell's centre: draw the cell around it.
    cells = grid.assign(x1_lo=grid.x1 - step / 2, x1_hi=grid.x1 + step / 2,
                        x2_lo=grid.x2 - step / 2, x2_hi=grid.x2 + step / 2)
    lo, hi = float(ticks[0] - step / 2), float(ticks[-1] + step / 2)
    sx = alt.Scale(domain=[lo, hi], nice=False)
    sy = alt.Scale(domain=[lo, hi], nice=False)
    color = alt.Color("predicted:N", scale=CLASS_COLORS, title="predicted class")
    heat = alt.Chart(cells).mark_rect(opacity=0.35).encode(
        x=alt.X("x1_lo:Q", scale=sx, title="x₁"), x2=alt.X2("x1_hi:Q"),
        y=alt.Y("x2_lo:Q", scale=sy, title="x₂"), y2=alt.Y2("x2_hi:Q"), color=color)
    inside = points[(points.x1 >= lo) & (points.x1 <= hi) & (points.x2 >= lo) & (points.x2 <= hi)]
    clean = alt.Chart(inside[inside.kind == "clean"]).mark_circle(size=12, opacity=0.7).encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        color=alt.Color("label:N", scale=CLASS_COLORS, title="label"))
    poison = alt.Chart(inside[inside.kind == "poison"]).mark_point(size=120, filled=True, stroke="black",
                                                                   strokeWidth=1.5, shape="diamond").encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        fill=alt.Fill("label:N", scale=CLASS_COLORS, legend=None), tooltip=tips("label:N", "x1:Q", "x2:Q"))
    return alt.layer(heat, clean, poison).properties(width=size, height=size, title=title)


def decision_region_panels(regions, titles) -> list[alt.LayerChart]:
    """One :func:`decision_region_panel` per r of a :class:`Regions`, titled by
    ``titles(run)`` (``run``: that r's row of ``regions.runs``)."""
    return [decision_region_panel(regions.grid[regions.grid.r == run.r], regions.points[regions.points.r == run.r],
                                  title=titles(run)) for run in regions.runs.itertuples()]


def bucket_accuracy(summary: pd.DataFrame, clean: float | None = None) -> alt.LayerChart:
    """Adversarial accuracy of networks whose flipped labels came from each path-length
    bucket (1 = nearest the clean boundary) or at random: mean over seeds, bars = range.
    summary columns: selection, mean/min/max_adversarial_accuracy, mean_path_steps."""
    order = list(summary.selection)
    color = alt.condition(alt.datum.selection == "random", alt.value("#f58518"), alt.value("#4c78a8"))
    base = alt.Chart(summary).encode(x=alt.X("selection:N", sort=order, title="flipped labels taken from"))
    y = alt.Y("mean_adversarial_accuracy:Q", title="adversarial accuracy", scale=alt.Scale(zero=False))
    points = base.mark_point(filled=True, size=90).encode(
        y=y, color=color,
        tooltip=tips("selection:N", alt.Tooltip("mean_adversarial_accuracy:Q", format=".3f", title="mean"),
                 alt.Tooltip("min_adversarial_accuracy:Q", format=".3f", title="worst seed"),
                 alt.Tooltip("max_adversarial_accuracy:Q", format=".3f", title="best seed"),
                 alt.Tooltip("mean_path_steps:Q", format=".0f", title="mean path length (steps)")))
    bars = base.mark_rule(strokeWidth=2, opacity=0.5).encode(
        y=alt.Y("min_adversarial_accuracy:Q", title="adversarial accuracy"),
        y2=alt.Y2("max_adversarial_accuracy:Q"), color=color)
    layers = [bars, points]
    if clean is not None:
        layers.append(alt.Chart(pd.DataFrame({"y": [clean], "what": ["clean network"]})).mark_rule(strokeDash=[4, 3])
                      .encode(y=alt.Y("y:Q"), tooltip=tips("what:N", alt.Tooltip("y:Q", format=".3f"))))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def path_length_histogram(scores: pd.DataFrame) -> alt.Chart:
    """How many gradient-ascent steps each training image needed to flip (thesis Fig. 14)."""
    return (alt.Chart(scores).mark_bar(opacity=0.7)
            .encode(x=alt.X("path_steps:Q", bin=alt.Bin(maxbins=40), title="steps until the clean network flips"),
                    y=alt.Y("count():Q", title="training images", stack=None),
                    color=alt.Color("label:N", title="digit"))
            .properties(width=WIDTH, height=HEIGHT))
