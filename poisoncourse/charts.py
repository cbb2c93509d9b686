"""Altair charts shared by the lessons. Every function takes a tidy table and returns a chart;
none of them computes anything a test would need to check."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

WIDTH = 300
HEIGHT = 220
# Rows embedded per data set: altair refuses more than 5,000 by default, and a lighter page
# redraws faster. Curves are thinned along the x axis to stay below it.
MAX_ROWS = 4_000


def thin(data: pd.DataFrame, x: str, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Keep every k-th distinct ``x`` (always the first and last) so the table fits."""
    xs = data[x].drop_duplicates().sort_values().to_numpy()
    per_x = max(1, len(data) // max(1, len(xs)))
    keep_n = max(2, max_rows // per_x)
    if len(xs) <= keep_n:
        return data
    idx = np.unique(np.linspace(0, len(xs) - 1, keep_n).round().astype(int))
    return data[data[x].isin(xs[idx])]


def log_error_curves(curves: pd.DataFrame, *, value_title: str, facet: str = "algorithm",
                     y_title: str = "log₁₀ ‖w_t − w*‖", seed_lines: bool = True) -> alt.FacetChart:
    """log10 error vs iteration: one bold line per swept value (median over seeds), the
    individual seeds as faint lines behind it, one panel per ``facet`` value.

    ``curves`` needs columns iteration, log10_error, value, seed and ``facet``.
    Missing values (a run cut at divergence) simply end the line.
    """
    # A diverged run counts as infinitely far in the median (so the median line ends once half
    # the seeds have diverged, instead of jumping to the survivors); its own line is cut.
    median = (curves.assign(log10_error=curves.log10_error.fillna(np.inf))
              .groupby([facet, "value", "iteration"], sort=False).log10_error.median().reset_index())
    median = median[np.isfinite(median.log10_error)]
    data = curves.dropna(subset=["log10_error"])
    parts = [median.assign(seed=-1, line="median over seeds")]
    if seed_lines and data["seed"].nunique() > 1:
        parts.insert(0, data[[facet, "value", "seed", "iteration", "log10_error"]].assign(line="one seed"))
    table = thin(pd.concat(parts, ignore_index=True), "iteration")
    styles = alt.Scale(domain=["one seed", "median over seeds"], range=[0.8, 2.4])
    return (
        alt.Chart(table)
        .mark_line()
        .encode(
            x=alt.X("iteration:Q", title="iteration t"),
            y=alt.Y("log10_error:Q", title=y_title),
            color=alt.Color("value:O", title=value_title, scale=alt.Scale(scheme="viridis")),
            detail=["seed:N", "line:N"],
            strokeWidth=alt.StrokeWidth("line:N", scale=styles, title=None),
            opacity=alt.Opacity("line:N", scale=alt.Scale(domain=styles.domain, range=[0.3, 1.0]), legend=None),
            tooltip=[alt.Tooltip("value:O", title=value_title), "line:N", "iteration:Q",
                     alt.Tooltip("log10_error:Q", title="log₁₀ error", format=".2f")],
        )
        .properties(width=WIDTH, height=HEIGHT)
        .facet(column=alt.Column(f"{facet}:N", title=None))
    )


def final_error_summary(summary: pd.DataFrame, *, value_title: str, log_x: bool = False,
                        y_title: str = "log₁₀ final ‖w_T − w*‖") -> alt.LayerChart:
    """Median log10 final error vs the swept value, one line per algorithm (and per
    ``source`` if the table has that column: live vs reference), with the seeds' range."""
    data = summary.dropna(subset=["median_log10_error"]).copy()
    if "source" not in data:
        data["source"] = "live"
    x = alt.X("value:Q", title=value_title, scale=alt.Scale(type="symlog" if log_x else "linear"))
    color = alt.Color("algorithm:N", title="algorithm")
    dash = alt.StrokeDash("source:N", title="run")
    base = alt.Chart(data).encode(x=x, color=color)
    lines = base.mark_line(point=True).encode(
        y=alt.Y("median_log10_error:Q", title=y_title), strokeDash=dash,
        tooltip=["algorithm:N", "source:N", alt.Tooltip("value:Q", title=value_title),
                 alt.Tooltip("median_log10_error:Q", title="median", format=".2f"),
                 alt.Tooltip("min_log10_error:Q", title="best seed", format=".2f"),
                 alt.Tooltip("max_log10_error:Q", title="worst seed", format=".2f")],
    )
    layers = [lines]
    if {"min_log10_error", "max_log10_error"} <= set(data.columns):
        layers.insert(0, base.mark_errorbar(opacity=0.5).encode(
            y=alt.Y("min_log10_error:Q", title=y_title), y2="max_log10_error:Q"))
    return alt.layer(*layers).properties(width=2 * WIDTH, height=HEIGHT)


# --- Lesson 4: label-noise toy experiments ----------------------------------------------------

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
        y=y, tooltip=["series:N", "r:Q", alt.Tooltip("mean:Q", format=".3f", title="mean over seeds"),
                      alt.Tooltip("low:Q", format=".3f", title="worst seed"),
                      alt.Tooltip("high:Q", format=".3f", title="best seed")])
    bars = base.mark_errorbar(opacity=0.45).encode(y=alt.Y("low:Q", title="accuracy"), y2="high:Q")
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
        x=alt.X("x1_lo:Q", scale=sx, title="x₁"), x2="x1_hi:Q",
        y=alt.Y("x2_lo:Q", scale=sy, title="x₂"), y2="x2_hi:Q", color=color)
    inside = points[(points.x1 >= lo) & (points.x1 <= hi) & (points.x2 >= lo) & (points.x2 <= hi)]
    clean = alt.Chart(inside[inside.kind == "clean"]).mark_circle(size=12, opacity=0.7).encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        color=alt.Color("label:N", scale=CLASS_COLORS, title="label"))
    poison = alt.Chart(inside[inside.kind == "poison"]).mark_point(size=120, filled=True, stroke="black",
                                                                   strokeWidth=1.5, shape="diamond").encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        fill=alt.Fill("label:N", scale=CLASS_COLORS, legend=None), tooltip=["label:N", "x1:Q", "x2:Q"])
    return alt.layer(heat, clean, poison).properties(width=size, height=size, title=title)


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
        tooltip=["selection:N", alt.Tooltip("mean_adversarial_accuracy:Q", format=".3f", title="mean"),
                 alt.Tooltip("min_adversarial_accuracy:Q", format=".3f", title="worst seed"),
                 alt.Tooltip("max_adversarial_accuracy:Q", format=".3f", title="best seed"),
                 alt.Tooltip("mean_path_steps:Q", format=".0f", title="mean path length (steps)")])
    bars = base.mark_rule(strokeWidth=2, opacity=0.5).encode(
        y=alt.Y("min_adversarial_accuracy:Q", title="adversarial accuracy"), y2="max_adversarial_accuracy:Q", color=color)
    layers = [bars, points]
    if clean is not None:
        layers.append(alt.Chart(pd.DataFrame({"y": [clean], "what": ["clean network"]})).mark_rule(strokeDash=[4, 3])
                      .encode(y="y:Q", tooltip=["what:N", alt.Tooltip("y:Q", format=".3f")]))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def path_length_histogram(scores: pd.DataFrame) -> alt.Chart:
    """How many gradient-ascent steps each training image needed to flip (thesis Fig. 14)."""
    return (alt.Chart(scores).mark_bar(opacity=0.7)
            .encode(x=alt.X("path_steps:Q", bin=alt.Bin(maxbins=40), title="steps until the clean network flips"),
                    y=alt.Y("count():Q", title="training images", stack=None),
                    color=alt.Color("label:N", title="digit"))
            .properties(width=WIDTH, height=HEIGHT))
