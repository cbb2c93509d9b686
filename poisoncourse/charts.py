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
    data = curves.dropna(subset=["log10_error"])
    median = data.groupby([facet, "value", "iteration"], sort=False).log10_error.median().reset_index()
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


# --- Lesson 1: width U-curve -----------------------------------------------------------------

_WIDTH_AXIS = alt.Axis(values=[1, 10, 100, 1_000, 10_000, 100_000], format="~s")


def _width_x() -> alt.X:
    return alt.X("width:Q", title="hidden width m", scale=alt.Scale(type="log"), axis=_WIDTH_AXIS)


_VARIANT_COLORS = alt.Scale(domain=["clean training", "poisoned training", "paper Fig. 3 (CNN, full MNIST)"],
                            range=["#2ca02c", "#d62728", "#7f7f7f"])


def width_accuracy(summary: pd.DataFrame, column: str, *, title: str, highlight: int | None = None,
                   extra: pd.DataFrame | None = None) -> alt.LayerChart:
    """Mean test accuracy vs width (log x), a mean ± std band over seeds, one colour per variant
    (clean / poisoned training). ``extra`` rows (columns series, width, accuracy, run) are drawn
    as dashed reference lines: the shipped sweep, the paper's Fig. 3 values."""
    data = summary.dropna(subset=[f"mean_{column}"]).assign(
        series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}),
        accuracy=lambda d: d[f"mean_{column}"],
        low=lambda d: d[f"mean_{column}"] - d[f"std_{column}"],
        high=lambda d: d[f"mean_{column}"] + d[f"std_{column}"], run="live")
    x = _width_x()
    y = alt.Y("accuracy:Q", title=title, scale=alt.Scale(zero=False))
    color = alt.Color("series:N", title=None, scale=_VARIANT_COLORS)
    base = alt.Chart(data).encode(x=x, color=color)
    layers = [
        base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title=title), y2="high:Q"),
        base.mark_line(point=True, strokeWidth=2.5).encode(
            y=y, tooltip=["series:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f"),
                          alt.Tooltip(f"std_{column}:Q", title="std over seeds", format=".3f")]),
    ]
    if extra is not None and not extra.empty:
        layers.append(alt.Chart(extra).mark_line(point=alt.OverlayMarkDef(shape="diamond"), strokeDash=[5, 3],
                                                 opacity=0.7).encode(
            x=x, y=y, color=color, detail="run:N",
            tooltip=["run:N", "series:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f")]))
    if highlight is not None:
        layers.append(alt.Chart(pd.DataFrame({"width": [highlight]})).mark_rule(color="#555", strokeDash=[2, 2])
                      .encode(x="width:Q"))
    return alt.layer(*layers).properties(width=WIDTH + 60, height=HEIGHT)


def width_fit(summary: pd.DataFrame) -> alt.Chart:
    """Per width, the final fraction of its own training labels each network fits — for the
    poisoned network these are the poisoned labels: 1.0 means it memorized the poison."""
    data = summary.assign(series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}))
    return (
        alt.Chart(data).mark_line(point=True)
        .encode(x=_width_x(),
                y=alt.Y("mean_fit:Q", title="fit to its own (poisoned) training labels", scale=alt.Scale(domain=[0, 1])),
                color=alt.Color("series:N", title=None, scale=_VARIANT_COLORS),
                tooltip=["series:N", "width:Q", alt.Tooltip("mean_fit:Q", format=".3f")])
        .properties(width=WIDTH, height=HEIGHT)
    )


def width_stopping_views(summary: pd.DataFrame) -> alt.Chart:
    """The poisoned networks' test accuracy three ways: after the last epoch, stopped on a
    poisoned validation split, stopped on a clean one."""
    names = {"mean_final_accuracy": "last epoch", "mean_stopped_poisoned_val": "stopped on poisoned validation",
             "mean_stopped_clean_val": "stopped on clean validation"}
    data = (summary[summary.variant == "poisoned"].melt(id_vars=["width"], value_vars=list(names),
                                                         var_name="stopping", value_name="accuracy")
            .assign(stopping=lambda d: d.stopping.map(names)))
    return (
        alt.Chart(data).mark_line(point=True)
        .encode(x=_width_x(),
                y=alt.Y("accuracy:Q", title="clean test accuracy (poisoned training)", scale=alt.Scale(zero=False)),
                color=alt.Color("stopping:N", title=None, sort=list(names.values()),
                                scale=alt.Scale(domain=list(names.values()), range=["#9467bd", "#d62728", "#ff9896"])),
                tooltip=["stopping:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f")])
        .properties(width=WIDTH, height=HEIGHT)
    )


def width_epochs(curves: pd.DataFrame, width: int) -> alt.Chart:
    """Test accuracy during training at one width, each seed a line, clean vs poisoned."""
    data = curves[curves.width == width].assign(
        series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}))
    return (
        alt.Chart(data).mark_line(opacity=0.8)
        .encode(x=alt.X("epoch:Q", title="epoch"),
                y=alt.Y("test_accuracy:Q", title=f"clean test accuracy, m = {width}", scale=alt.Scale(zero=False)),
                color=alt.Color("series:N", title=None, scale=_VARIANT_COLORS), detail="seed:N",
                tooltip=["series:N", "seed:N", "epoch:Q", alt.Tooltip("test_accuracy:Q", format=".3f")])
        .properties(width=WIDTH, height=HEIGHT)
    )


def perturbation_norms(norms: pd.DataFrame) -> alt.Chart:
    """Histogram of per-sample ‖δᵢ‖ for each attack loss (paper 000, Fig. 1 bottom)."""
    return (
        alt.Chart(norms).mark_bar(opacity=0.6, binSpacing=0)
        .encode(x=alt.X("norm:Q", bin=alt.Bin(maxbins=40), title="per-sample perturbation ‖δᵢ‖₂",
                          axis=alt.Axis(format=".1f", tickCount=8)),
                y=alt.Y("count()", title="training samples", stack=None),
                color=alt.Color("attack_loss:N", title="attack loss",
                                scale=alt.Scale(range=["#1f77b4", "#ff7f0e"])))
        .properties(width=WIDTH + 60, height=HEIGHT)
    )
