"""Lesson 4's charts: accuracy against the poison distance, decision regions, MNIST buckets. Every function takes a tidy table and returns a chart."""

from __future__ import annotations

import math
import re

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import HEIGHT, MAX_ROWS, WIDTH, line_and_points, source_dash, thin, tips  # noqa: F401
from ..kit import explore

METRIC_TITLES = {"adversarial_accuracy": "adversarial accuracy", "natural_accuracy": "natural accuracy"}
CLASS_COLORS = alt.Scale(domain=[0, 1, 2], range=["#4c78a8", "#e45756", "#54a24b"])


# One colour per meaning across the live chart and the shipped figures (core.charts conventions):
# the poisons' label and training decide it, and the live run is told apart by its solid line.
LIVE_PREFIX = "live: "
_MEANINGS = [("PGD training", "#54a24b"), ("third class", "#f58518"), ("opposite class", "#4c78a8")]
_CAPS = {0.3: "#b279a2", 1.0: "#9d755d", 3.0: "#e45756"}
_SPARE = ["#72b7b2", "#eeca3b", "#ff9da6", "#bab0ac"]


def meaning_colour(series: str) -> str | None:
    """The colour a series' setting always gets, or None for a setting not foreseen here."""
    cap = re.search(r"‖₂ ≤ ([\d.]+)", series)
    if cap:
        return _CAPS.get(float(cap.group(1)))
    return next((colour for words, colour in _MEANINGS if words in series), None)


def series_colours(series) -> alt.Scale:
    domain = list(dict.fromkeys(series))
    colours, spare = [], iter(_SPARE * len(domain))
    for name in domain:
        colours.append(meaning_colour(name.removeprefix(LIVE_PREFIX)) or next(spare))
    return alt.Scale(domain=domain, range=colours)


def accuracy_rows(curves: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The rows :func:`accuracy_vs_r` draws (each told live or shipped), and its accuracy axis's lower end."""
    rows = curves.assign(run=np.where(curves.series.str.startswith(LIVE_PREFIX), "live", "shipped reference"))
    low = float(min(0.5, rows["low"].min())) if len(rows) and rows["low"].notna().any() else 0.5
    return rows, {"y_lo": low}


def accuracy_vs_r(curves: pd.DataFrame, *, title: str = "poison distance r from its class mean",
                  r_values=None) -> alt.FacetChart:
    """Mean accuracy over seeds vs r (points and lines) with the seeds' range as bars; one
    panel per metric, one colour per setting (opposite vs third class …), the live run solid
    and the shipped ones dashed. ``curves`` columns: r, metric, series, mean, low, high.

    The accuracy axis runs from 0.5 (chance) — or lower if a seed falls below it — to 1 on
    every run, so a shallower dip looks shallower after a retrain instead of being re-zoomed.
    ``r_values``: the run's distances, the r axis's ends. The axes' ends are the chart's parameters
    (r_lo, r_hi, y_lo), not constants of its spec: a live chart (kit/livechart.py) then redraws a run
    in progress by changing its rows and these values, never its spec."""
    curves, moved = accuracy_rows(curves)
    rs = list(r_values) if r_values is not None else []
    r_scale = alt.Scale(domain=[alt.ExprRef("r_lo"), alt.ExprRef("r_hi")]) if rs else alt.Undefined
    base = alt.Chart(curves).encode(
        x=alt.X("r:Q", title=title, scale=r_scale),
        color=alt.Color("series:N", title=None, scale=series_colours(curves.series),
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0)),
    )
    ends = [alt.param(name="y_lo", value=moved["y_lo"])]
    if rs:
        ends += [alt.param(name="r_lo", value=float(min(rs))), alt.param(name="r_hi", value=float(max(rs)))]
    scale = alt.Scale(domain=[alt.ExprRef("y_lo"), 1.0], nice=False)
    y = alt.Y("mean:Q", title="accuracy", scale=scale)
    lines = line_and_points(
        base, strokeDash=source_dash("run", reference="shipped reference", title=None, present=curves.run),
        y=y, tooltip=["series:N", "r:Q", alt.Tooltip("mean:Q", format=".3f", title="mean over seeds"),
                      alt.Tooltip("low:Q", format=".3f", title="worst seed"),
                      alt.Tooltip("high:Q", format=".3f", title="best seed")])
    bars = base.mark_errorbar(opacity=0.45).encode(y=alt.Y("low:Q", title="accuracy", scale=scale), y2="high:Q")
    return (alt.layer(bars, lines, data=curves).properties(width=WIDTH, height=HEIGHT)
            .facet(column=alt.Column("metric:N", title=None, sort=list(METRIC_TITLES.values())))
            .resolve_scale(y="independent").add_params(*ends))


def merged_cells(grid: pd.DataFrame, step: float) -> pd.DataFrame:
    """The grid's cells as rectangles, neighbours along x₁ with the same predicted class merged
    into one (lossless: the picture is the same). A fine grid drawn cell by cell weighed 14.7 MB,
    more than marimo shows; merged, it is a few rectangles per row.

    Each prediction was made at a cell's centre: a cell spans ± step/2 around it."""
    g = grid[["x1", "x2", "predicted"]].sort_values(["x2", "x1"])
    new_run = (g.x2.ne(g.x2.shift()) | g.predicted.ne(g.predicted.shift())).cumsum()
    runs = g.groupby(new_run, sort=False).agg(x1_lo=("x1", "min"), x1_hi=("x1", "max"), x2=("x2", "first"),
                                             predicted=("predicted", "first"))
    return runs.assign(x1_lo=runs.x1_lo - step / 2, x1_hi=runs.x1_hi + step / 2,
                       x2_lo=runs.x2 - step / 2, x2_hi=runs.x2 + step / 2).reset_index(drop=True)


def decision_region_panel(grid: pd.DataFrame, points: pd.DataFrame, *, title: str, size: int = 230) -> alt.LayerChart:
    """One network's predicted class on a grid (heatmap) with its training points; poisons
    drawn large with a black edge. grid: x1, x2, predicted; points: x1, x2, label, kind."""
    ticks = np.sort(grid.x1.unique())
    step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    cells = merged_cells(grid, step)
    lo, hi = float(ticks[0] - step / 2), float(ticks[-1] + step / 2)
    sx = alt.Scale(domain=[lo, hi], nice=False)
    sy = alt.Scale(domain=[lo, hi], nice=False)
    # The legend lists only the classes drawn (the third class exists only when poisons get it).
    present = sorted(set(cells.predicted) | set(points.label))
    colours = alt.Scale(domain=present, range=[CLASS_COLORS.range[int(c)] for c in present])
    color = alt.Color("predicted:N", scale=colours, title="predicted class")
    heat = alt.Chart(cells).mark_rect(opacity=0.35).encode(
        x=alt.X("x1_lo:Q", scale=sx, title="x₁"), x2=alt.X2("x1_hi:Q"),
        y=alt.Y("x2_lo:Q", scale=sy, title="x₂"), y2=alt.Y2("x2_hi:Q"), color=color)
    inside = points[(points.x1 >= lo) & (points.x1 <= hi) & (points.x2 >= lo) & (points.x2 <= hi)]
    clean = alt.Chart(inside[inside.kind == "clean"]).mark_circle(size=12, opacity=0.7).encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        color=alt.Color("label:N", scale=colours, title="label"))
    poison = alt.Chart(inside[inside.kind == "poison"]).mark_point(size=120, filled=True, stroke="black",
                                                                   strokeWidth=1.5, shape="diamond").encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        fill=alt.Fill("label:N", scale=colours, legend=None), tooltip=["label:N", "x1:Q", "x2:Q"])
    return alt.layer(heat, clean, poison).properties(width=size, height=size, title=title)


def decision_region_panels(regions, titles) -> list[alt.LayerChart]:
    """One :func:`decision_region_panel` per r of a :class:`Regions`, titled by
    ``titles(run)`` (``run``: that r's row of ``regions.runs``)."""
    return [decision_region_panel(regions.grid[regions.grid.r == run.r], regions.points[regions.points.r == run.r],
                                  title=titles(run)) for run in regions.runs.itertuples()]


ROW = 3  # panels per row: three and the legend fill the page's 1,070 px column


def decision_region_row(regions, titles) -> alt.ConcatChart:
    """:func:`decision_region_panels` as one chart: the panels in rows of :data:`ROW` under one shared
    legend (three panels with a legend each wrap onto two rows of a page)."""
    return alt.concat(*decision_region_panels(regions, titles), columns=ROW)


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


# --- the explorer: decision regions for each poison distance (a slider that runs in the browser) --

def regions_by_r(grid: pd.DataFrame, points: pd.DataFrame) -> alt.LayerChart:
    """One network's predicted class on the plane for each poison distance r, with its training
    points: step r through its values and watch the boundary bend around the poisons, then let them go."""
    ticks = np.sort(grid.x1.unique())
    stride = max(1, math.ceil(math.sqrt(len(grid) / (MAX_ROWS - len(points)))))
    kept = set(ticks[::stride])
    g = grid[grid.x1.isin(kept) & grid.x2.isin(kept)]
    cell = float(ticks[stride] - ticks[0]) if len(ticks) > stride else 1.0
    g = g.assign(x1_lo=g.x1 - cell / 2, x1_hi=g.x1 + cell / 2, x2_lo=g.x2 - cell / 2, x2_hi=g.x2 + cell / 2,
                 predicted=g.predicted.map(lambda c: f"class {c}"))
    g, r, keep = explore.slider(g, "r", name="r", label="poison distance r")
    pts = explore.with_intervals(points.assign(label=points.label.map(lambda c: f"class {c}")), "r",
                                 explore.nearest_intervals(g.r))  # the points follow the same slider
    extent = float(ticks.max() + cell / 2)
    scale = alt.Scale(domain=[-extent, extent], nice=False)
    # The panels' colours and marks (decision_region_panel): a class is one colour on the page, and a poison
    # a large black-edged diamond, not a speck lost on the fill (issue 27). Points beyond the grid are
    # clipped at the plot's edge rather than drawn over the title or the legend.
    present = sorted(set(grid.predicted) | set(points.label))
    classes = alt.Scale(domain=[f"class {c}" for c in present], range=[CLASS_COLORS.range[int(c)] for c in present])
    heat = (alt.Chart(g).mark_rect(opacity=0.35)
            .encode(x=alt.X("x1_lo:Q", title="x₁", scale=scale), x2=alt.X2("x1_hi"),
                    y=alt.Y("x2_lo:Q", title="x₂", scale=scale), y2=alt.Y2("x2_hi"),
                    color=alt.Color("predicted:N", title="predicted class", scale=classes))
            .transform_filter(keep))
    position = dict(x=alt.X("x1:Q", scale=scale), y=alt.Y("x2:Q", scale=scale))
    clean = (alt.Chart(pts[pts.kind == "clean"]).mark_circle(size=14, opacity=0.8, clip=True)
             .encode(**position, color=alt.Color("label:N", title="label", scale=classes))
             .transform_filter(keep))
    poisons = (alt.Chart(pts[pts.kind == "poison"]).mark_point(shape="diamond", filled=True, size=120, stroke="black",
                                                                 strokeWidth=1.5, clip=True)
               # color, not fill: a fill channel without a legend made Vega-Lite drop the classes' legend too.
               .encode(**position, color=alt.Color("label:N", scale=classes),
                       tooltip=["label:N", alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f")])
               .transform_filter(keep))
    label = explore.value_label(g, keep, "r", "~g", "r = ")
    return alt.layer(heat, clean, poisons, label).add_params(r).properties(width=300, height=300)
