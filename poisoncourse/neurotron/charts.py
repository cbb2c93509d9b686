"""Lesson 3's charts: log error against iteration, final error against the attack. Every function takes a tidy table and returns a chart."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import HEIGHT, MAX_ROWS, THIRD_WIDTH, WIDTH, line_and_points, source_dash, thin, tips  # noqa: F401
from ..kit import explore
from . import noiseball



SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

# Iteration ticks in SI units (2k, 40k), but 0 as "0": the axis's own "~s" format gives every tick the
# largest tick's prefix, "0k" included; format() in a label expression formats each tick on its own.
ITERATION_LABELS = "datum.value === 0 ? '0' : format(datum.value, '~s')"


def log_error_curves(curves: pd.DataFrame, *, value_title: str, facet: str = "algorithm",
                     y_title: str = "log₁₀ ‖wₜ − w*‖", seed_lines: bool = True,
                     iterations: int | None = None, attack: str = "") -> alt.FacetChart:
    """log10 error vs iteration: one bold line per swept value (median over seeds), the
    individual seeds as faint lines behind it, one panel per ``facet`` value.

    ``curves`` needs columns iteration, log10_error, value, seed and ``facet``.
    Missing values (a run cut at divergence) simply end the line. ``iterations``: the run's
    length T, the x axis's end (a run still going draws its curves so far on the whole axis).

    The axes' ends and the note under the title are the chart's parameters (x_hi, y_lo, y_hi,
    note), not constants of its spec: a live chart (kit/livechart.py) then redraws a run in
    progress by changing its rows and these four values, never its spec. ``attack``: what the chart shows
    (the attack and its fixed setting), its title's first line — a parameter too, so a run under another
    attack keeps the chart's element (issue 27: no live chart named its attack).
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
    # An unpoisoned run (value 0) converges to machine precision, 10⁻¹⁵: an axis reaching down
    # there squeezes every poisoned line into a thin band. The axis stops one decade below the
    # lowest poisoned line; lower values run along its bottom edge (clamped; tooltips keep them).
    poisoned = table[(table.value != 0) & np.isfinite(table.log10_error)]
    finite = table[np.isfinite(table.log10_error)]
    low, high = (float(np.floor(finite.log10_error.min())), float(np.ceil(finite.log10_error.max()))) \
        if len(finite) else (-1.0, 1.0)
    note = ""
    if len(poisoned) and poisoned.log10_error.min() - 1 > finite.log10_error.min():
        low = float(np.floor(poisoned.log10_error.min() - 1))
        # Said on the chart: a line on the bottom edge is not "stuck at 10^bottom".
        lowest = f"{finite.log10_error.min():.0f}".translate(SUPERSCRIPT)
        note = (f"{value_title} = 0 (no attack) goes on down to 10{lowest}, below the axis: "
                "its line runs along the bottom edge")
    high = max(high, low + 1)
    # A run cut at divergence after a step or two is a line of one point, which draws nothing:
    # short curves are drawn with their points, on an axis that still starts at t = 0.
    short = table.groupby([facet, "value", "seed", "line"]).iteration.count().min() < 3 if len(table) else True
    last = float(table.iteration.max()) if len(table) else 0.0
    # Up to three panels in one row (three at full width and a legend overflow the page: narrower), more
    # two a row.
    panels = curves[facet].nunique()
    columns = panels if panels <= 3 else 2
    ends = [alt.param(name="x_hi", value=max(float(iterations or 0), last, 10.0)),
            alt.param(name="y_lo", value=low), alt.param(name="y_hi", value=high), alt.param(name="note", value=note),
            alt.param(name="attack", value=attack)]
    chart = (
        alt.Chart(table)
        .mark_line(point=bool(short))
        .encode(
            x=alt.X("iteration:Q", title="iteration t", axis=alt.Axis(labelExpr=ITERATION_LABELS),
                    scale=alt.Scale(domain=[0, alt.ExprRef("x_hi")], nice=False)),
            y=alt.Y("log10_error:Q", title=y_title,
                    scale=alt.Scale(domain=[alt.ExprRef("y_lo"), alt.ExprRef("y_hi")], clamp=True, nice=False)),
            color=alt.Color("value:O", title=value_title, scale=alt.Scale(scheme="viridis")),
            detail=[alt.Detail("seed:N"), alt.Detail("line:N")],
            strokeWidth=alt.StrokeWidth("line:N", scale=styles, title=None),
            opacity=alt.Opacity("line:N", scale=alt.Scale(domain=styles.domain, range=[0.3, 1.0]), legend=None),
            tooltip=tips(alt.Tooltip("value:O", title=value_title), "line:N", "iteration:Q",
                     alt.Tooltip("log10_error:Q", title="log₁₀ error", format=".2f")),
        )
        .properties(width=WIDTH if columns < 3 else THIRD_WIDTH, height=HEIGHT)
        .facet(facet=alt.Facet(f"{facet}:N", title=None), columns=columns)
        # Each panel its own x axis: a shared one sits in each column's footer, so with an odd number of
        # panels (the reference's three algorithms) it drew an axis under the empty fourth cell.
        .resolve_axis(x="independent")
        .add_params(*ends)
        # Two lines when there is a note (a title's array is its lines); Vega drops a subtitle under an empty title.
        .properties(title=alt.TitleParams(alt.ExprRef("note ? [attack, note] : attack"), fontSize=11,
                                          fontWeight="normal", anchor="start"))
    )
    return chart


def axis_note(chart: dict) -> str:
    """The note a :func:`log_error_curves` spec shows under its title ("" for none)."""
    return next(p["value"] for p in chart["params"] if p["name"] == "note")


def final_error_summary(summary: pd.DataFrame, *, value_title: str, log_x: bool = False,
                        y_title: str = "log₁₀ final error ‖w(T) − w*‖") -> alt.LayerChart:
    """Median log10 final error vs the swept value, one line per algorithm (and per
    ``source`` if the table has that column: live vs reference), with the seeds' range."""
    data = summary.dropna(subset=["median_log10_error"]).copy()
    if data.empty:  # every run diverged: say so where the chart would be, not an empty frame
        note = pd.DataFrame({"text": ["Every run diverged: there is no final error to draw (see the warning above)."]})
        return alt.layer(alt.Chart(note).mark_text(fontSize=13).encode(text="text:N")).properties(
            width=2 * WIDTH, height=60)
    if "source" not in data:
        data["source"] = "live"
    values = sorted(data["value"].unique())
    # θ doubles from one setting to the next: a log-like axis, symlog so that θ = 0 keeps its
    # place; ticks at the swept values only, so none overlap.
    positive = [v for v in values if v > 0]
    scale = (alt.Scale(type="symlog", constant=min(positive), nice=False) if log_x and positive
             else alt.Scale(nice=False))
    # format() in a label expression writes each value in full: the axis's own "~g" rounds to the ticks'
    # spacing, and θ = 0.125 read "0.13" beside a legend saying 0.125.
    x = alt.X("value:Q", title=value_title, scale=scale,
              axis=alt.Axis(values=values, labelExpr="format(datum.value, '~g')"))
    color = alt.Color("algorithm:N", title="algorithm")
    sources = list(dict.fromkeys(data.source))  # live first (lesson.final_errors' order), then the reference
    dash = source_dash("source", live=sources[0], reference=sources[1:] or "reference", present=sources)
    # As in log_error_curves: an unattacked run (value 0) ends near 10⁻¹⁵, and an axis reaching down there
    # squeezes the poisoned values, and their seeds' bars, into a few pixels. The axis stops one decade below
    # the lowest poisoned value; lower ones sit on its bottom edge (clamped; the title and tooltips say so).
    lows = data[[c for c in ("min_log10_error", "median_log10_error") if c in data]].min(axis=1)
    highs = data[[c for c in ("max_log10_error", "median_log10_error") if c in data]].max(axis=1)
    poisoned = lows[data.value != 0]
    low, high = float(np.floor(lows.min())), float(np.ceil(highs.max()))
    note = ""
    if len(poisoned) and poisoned.min() - 1 > lows.min():
        low = float(np.floor(poisoned.min() - 1))
        note = (f"{value_title} = 0 (no attack) ends far lower, near 10{f'{lows.min():.0f}'.translate(SUPERSCRIPT)}: "
                "its points sit on the bottom edge")
    y_scale = alt.Scale(domain=[low, max(high, low + 1)], clamp=True, nice=False)
    base = alt.Chart(data).encode(x=x, color=color)
    lines = line_and_points(
        base, y=alt.Y("median_log10_error:Q", title=y_title, scale=y_scale), strokeDash=dash,
        tooltip=tips("algorithm:N", "source:N", alt.Tooltip("value:Q", title=value_title),
                 alt.Tooltip("median_log10_error:Q", title="median", format=".2f"),
                 alt.Tooltip("min_log10_error:Q", title="best seed", format=".2f"),
                 alt.Tooltip("max_log10_error:Q", title="worst seed", format=".2f")),
    )
    layers = [lines]
    if {"min_log10_error", "max_log10_error"} <= set(data.columns):
        # Capped and thick enough to see beside the points (at 0.5 opacity without caps they hid under them).
        layers.insert(0, base.mark_errorbar(ticks=alt.MarkConfig(size=10), thickness=2).encode(
            y=alt.Y("min_log10_error:Q", title=y_title, scale=y_scale), y2=alt.Y2("max_log10_error:Q")))
    chart = alt.layer(*layers).properties(width=2 * WIDTH, height=HEIGHT)
    if note:
        chart = chart.properties(title=alt.TitleParams(note, fontSize=11, fontWeight="normal", anchor="start"))
    return chart


def floor_vs_eta(medians: pd.DataFrame) -> alt.FacetChart:
    """The noise ball: median floor (log10) against η on log axes, one line per attack and
    algorithm, one panel per θ. ``medians`` from :func:`noiseball.medians`."""
    data = medians.assign(log10_eta=np.log10(medians.eta),
                          attack=medians.attack.map(lambda a: noiseball.ATTACK_NAMES.get(a, a)))
    return (
        line_and_points(
            alt.Chart(),
            x=alt.X("log10_eta:Q", title="log₁₀ η", scale=alt.Scale(zero=False)),
            y=alt.Y("floor:Q", title="log₁₀ floor (median)", scale=alt.Scale(zero=False)),
            color=alt.Color("attack:N", title="attack"),
            strokeDash=alt.StrokeDash("algorithm:N", title="algorithm",  # the legend draws the dash
                                      legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2,
                                                        symbolStrokeColor="black")),
            tooltip=["attack:N", "algorithm:N", alt.Tooltip("eta:Q", title="η", format="g"),
                     alt.Tooltip("floor:Q", title="log₁₀ floor", format=".2f")],
        )
        .properties(data=data, width=WIDTH * 2 // 3, height=HEIGHT)
        .facet(column=alt.Column("theta:O", title=None, header=alt.Header(labelExpr="'θ = ' + datum.value")))
    )


# --- the explorer: convergence for each attack strength (a slider that runs in the browser) ------

def error_curves_by_value(curves: pd.DataFrame, *, value_title: str, name: str) -> alt.LayerChart:
    """Median log₁₀ ‖w_t − w*‖ over seeds against t for one swept value at a time, one line
    per algorithm: drag the attack strength and watch where each algorithm settles."""
    med = (curves.assign(log10_error=curves.log10_error.fillna(np.inf))
           .groupby(["algorithm", "value", "iteration"], as_index=False).log10_error.median())
    med = med[np.isfinite(med.log10_error)]
    keep_every = max(1, math.ceil(len(med) / MAX_ROWS))
    its = np.sort(med.iteration.unique())[::keep_every]
    med = med[med.iteration.isin(its)]
    data, value, keep = explore.slider(med, "value", name=name, label=value_title)
    # Runs cut at divergence after a step or two: points (a one-point line draws nothing), an axis
    # from t = 0, and a y range that is not a single value (which Vega labels "0.000000").
    short = med.groupby(["algorithm", "value"]).iteration.count().min() < 3 if len(med) else True
    low, high = (float(med.log10_error.min()), float(med.log10_error.max())) if len(med) else (0.0, 1.0)
    if high - low < 0.5:
        low, high = low - 0.5, high + 0.5
    x_scale = alt.Scale(domain=[0, max(float(med.iteration.max()) if len(med) else 0.0, 10.0)]) if short \
        else alt.Undefined
    lines = (alt.Chart(data).mark_line(strokeWidth=2.2, point=bool(short))
             .encode(x=alt.X("iteration:Q", title="iteration t", scale=x_scale,
                             axis=alt.Axis(labelExpr=ITERATION_LABELS)),
                     y=alt.Y("log10_error:Q", title="log₁₀ ‖wₜ − w*‖ (median over seeds)",
                             scale=alt.Scale(domain=[low, high])),
                     color=alt.Color("algorithm:N", title=None),
                     tooltip=tips("algorithm:N", "value:Q", "iteration:Q", alt.Tooltip("log10_error:Q", format=".2f")))
             .transform_filter(keep))
    label = explore.value_label(data, keep, "value", "~g", f"{value_title} = ")
    return alt.layer(lines, label).add_params(value).properties(width=WIDTH, height=HEIGHT)
