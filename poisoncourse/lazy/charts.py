"""Lesson 5's charts: single-step quantities, robust accuracy and distances from initialization. Every function takes a tidy table and returns a chart."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import (HEIGHT, MAX_ROWS, WIDTH, fitted, line_and_points, log_scale,  # noqa: F401
                           source_dash, thin, tips)
from ..kit import explore

# Log-axis ticks labelled at 1, 2, 3 and 5 × 10ᵏ, each in full: the scale's own format labels a decade's
# first ticks only, which left the upper half of a short log axis (0.06–0.1, 300–700) bare.
# (A short axis's linear ticks, 9.2 9.4 …, keep the scale's labels.)
LOG_LABELS = ("datum.label || (indexof([1, 2, 3, 5], round(100 * datum.value / pow(10, floor(log(datum.value) / LN10)))"
              " / 100) >= 0 ? format(datum.value, '~g') : '')")
LOG_AXIS = dict(labelExpr=LOG_LABELS, labelOverlap="greedy", labelSeparation=2)

LAZY_QUANTITIES = {
    "grad_norm": ("‖∇ₓf(x)‖", 0.5),
    "eta": ("smallest flipping step η", -1.0),
    "delta_rel": ("‖δ‖ / ‖x‖", -0.5),
}


def _lazy_long(summary: pd.DataFrame, x: str, source: str) -> pd.DataFrame:
    parts = []
    for q, (title, _) in LAZY_QUANTITIES.items():
        if q not in summary:
            continue
        part = summary[[x, q, f"{q}_min", f"{q}_max"]].rename(
            columns={q: "mean", f"{q}_min": "low", f"{q}_max": "high"})
        parts.append(part.assign(quantity=title, source=source))
    return pd.concat(parts, ignore_index=True).dropna(subset=["mean"])


def lazy_scaling(summary: pd.DataFrame | None, *, x: str = "d", x_title: str = "input dimension d",
                 reference: pd.DataFrame | None = None, guides: bool = True, x_values=None) -> alt.HConcatChart:
    """‖∇f‖, η and ‖δ‖/‖x‖ against ``x`` on log-log axes, one panel each: the live mean over
    seeds (points, with the seeds' range), the reference runs (dashed, one per width) and,
    when ``guides``, the theory's d^{1/2}, d^{-1} and d^{-1/2} lines through the live curve's
    geometric mean. ``summary`` None (the live run was refused): the reference alone.

    ``x_values``: the run's values of ``x``; the x axis then spans them and the reference's, its ends
    the chart's parameters (x_lo, x_hi). With them, and the guides' layers drawn even before the live
    curve has the two points they need, a run's frames share one spec: a live chart
    (kit/livechart.py) redraws a sweep in progress by changing its rows, never its spec."""
    frames = [] if summary is None else [_lazy_long(summary, x, "live")]
    if reference is not None and len(reference):
        for width, ref in reference.groupby("width"):
            frames.append(_lazy_long(ref, x, f"reference, m = {width}"))
    data = pd.concat(frames, ignore_index=True)
    # Colour says which run, the dash says live or shipped (core.charts conventions).
    data["kind"] = np.where(data.source == "live", "live", "reference")
    ends = []
    if x_values is not None:
        span = [*map(float, x_values), *data.loc[data.source != "live", x].astype(float)]
        ends = [alt.param(name="x_lo", value=min(span)), alt.param(name="x_hi", value=max(span))]
    panels = []
    for q, (title, power) in LAZY_QUANTITIES.items():
        sub = data[data.quantity == title]
        if not len(sub) and not ends:
            continue
        xs = alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(**LOG_AXIS), scale=log_scale(
            **({"domain": [alt.ExprRef("x_lo"), alt.ExprRef("x_hi")]} if ends else {})))
        ys = alt.Y("mean:Q", title=title, scale=log_scale(), axis=alt.Axis(**LOG_AXIS))
        color = alt.Color("source:N", title="run")
        base = alt.Chart(sub).encode(x=xs, color=color)
        layers = [
            line_and_points(
                base, y=ys, strokeDash=source_dash("kind", title="line", present=sub.kind),
                tooltip=["source:N", alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip("mean:Q", format=".4g")]),
            base.mark_errorbar().encode(y=alt.Y("low:Q", title=title), y2="high:Q"),
        ]
        own = sub[sub.source == "live"]
        label = {0.5: "∝ √d", -1.0: "∝ 1/d", -0.5: "∝ 1/√d"}[power]
        if guides and len(own) >= 2:
            gx = np.geomspace(own[x].min(), own[x].max(), 20)
            anchor_x, anchor_y = np.exp(np.log(own[x]).mean()), np.exp(np.log(own["mean"]).mean())
            guide = pd.DataFrame({x: gx, "mean": anchor_y * (gx / anchor_x) ** power, "guide": label})
        elif guides and ends:  # no line yet (a sweep's first size): its layers, drawing nothing
            guide = pd.DataFrame({x: [np.nan], "mean": [np.nan], "guide": [label]})
        else:
            guide = None
        if guide is not None:
            # One table for the line and its label (the last row): a run's frames then carry as many as its end.
            guide["end"] = np.arange(len(guide)) == len(guide) - 1
            layers.append(alt.Chart(guide).mark_line(color="gray", strokeDash=[2, 2]).encode(
                x=xs, y=ys, tooltip=tips("guide:N")))
            layers.append(alt.Chart(guide).transform_filter("datum.end").mark_text(
                align="left", dx=4, color="gray").encode(x=xs, y=ys, text="guide:N"))
        panels.append(alt.layer(*layers).properties(width=WIDTH - 100, height=HEIGHT))  # three and a legend fit a page
    chart = alt.hconcat(*panels).resolve_scale(y="independent")
    return chart.add_params(*ends) if ends else chart


def robust_accuracy_curve(summary: pd.DataFrame | None, *, x: str, x_title: str, log_x: bool = False,
                          reference: pd.DataFrame | None = None, ref_color: str = "width",
                          rules: pd.DataFrame | None = None, fit: float | None = None,
                          highlight: pd.DataFrame | None = None, attack: str = "") -> alt.LayerChart:
    """Robust (bold) and clean (faint) test accuracy against ``x``: live mean over seeds with
    the seeds' range, reference runs dashed (one per ``ref_color`` value), the majority-class
    baseline as a horizontal rule and optional vertical ``rules`` (columns x, label). With
    ``fit``, runs whose clean accuracy is below it are crossed out (they never learned the task);
    ``highlight`` rows (columns ``x``, robust_accuracy) are ringed. ``summary`` None (the live run
    was refused): the reference alone, still dashed."""
    scale = log_scale() if log_x else fitted()
    xs = alt.X(f"{x}:Q", title=x_title, scale=scale)
    acc = alt.Scale(domain=[0, 1])
    y_title = "test accuracy"  # the same title on every layer, or Vega-Lite lists the column names
    live = None if summary is None else summary.assign(run="live")
    # The live run in black, so no reference (coloured, dashed) shares its colour.
    layers = [] if live is None else [
        alt.Chart(live).mark_line(opacity=0.35, color="black").encode(
            x=xs, y=alt.Y("clean_accuracy:Q", title=y_title, scale=acc)),
        alt.Chart(live).mark_errorbar(color="black").encode(
            x=xs, y=alt.Y("robust_accuracy_min:Q", title=y_title, scale=acc), y2="robust_accuracy_max:Q"),
        alt.Chart(live).mark_line(point=True, strokeWidth=2.5, color="black").encode(
            x=xs, y=alt.Y("robust_accuracy:Q", title=y_title, scale=acc),
            tooltip=[alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip("robust_accuracy:Q", format=".3f"),
                     alt.Tooltip("clean_accuracy:Q", format=".3f"), "runs:Q"]),
    ]
    if reference is not None and len(reference):
        ref = reference.assign(run=reference[ref_color].map(lambda v: f"reference, {ref_color} = {v}"))
        layers.insert(0, alt.Chart(ref).mark_line(strokeDash=[4, 3], point=alt.OverlayMarkDef(size=15)).encode(
            x=xs, y=alt.Y("robust_accuracy:Q", title=y_title, scale=acc),
            # No red in this palette: red is the majority-class rule's.
            color=alt.Color("run:N", title="reference (robust, dashed)", scale=alt.Scale(scheme="dark2")),
            tooltip=["run:N", alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip("robust_accuracy:Q", format=".3f")]))
    if fit is not None:
        unfit = pd.concat([t for t in (live, reference) if t is not None], ignore_index=True)
        unfit = unfit[unfit.clean_accuracy < fit].assign(note=f"did not fit: clean accuracy < {fit:g}")
        layers.append(alt.Chart(unfit).mark_point(shape="cross", size=90, color="black", filled=True).encode(
            x=xs, y=alt.Y("robust_accuracy:Q", title=y_title, scale=acc),
            tooltip=tips("note:N", alt.Tooltip("clean_accuracy:Q", format=".3f"))))
    if highlight is not None and len(highlight):
        layers.append(alt.Chart(highlight.assign(note="the fair comparison")).mark_point(
            size=350, color="darkorange", strokeWidth=2.5).encode(
                x=xs, y=alt.Y("robust_accuracy:Q", title=y_title, scale=acc), tooltip=tips("note:N")))
    if live is not None:  # the majority class of the live run's test images
        majority = float(summary.majority.iloc[0])
        base = pd.DataFrame({"y": [majority], "label": [f"majority class ({majority:.2f})"]})
        layers.append(alt.Chart(base).mark_rule(color="firebrick", strokeDash=[6, 3]).encode(
            y=alt.Y("y:Q", title=y_title)))
        layers.append(alt.Chart(base).mark_text(align="left", dy=-6, color="firebrick", x=4).encode(
            y=alt.Y("y:Q", title=y_title), text="label:N"))
    if rules is not None and len(rules):
        layers.append(alt.Chart(rules).mark_rule(color="gray", strokeDash=[2, 2]).encode(
            x=alt.X("x:Q", title=x_title, scale=scale), tooltip=["label:N"]))
        layers.append(alt.Chart(rules).mark_text(align="left", dx=3, y=8, color="gray").encode(
            x=alt.X("x:Q", title=x_title, scale=scale), text="label:N"))
    words = "black: live — bold robust, faint clean" if live is not None else "the reference alone (no live run)"
    # The attack in the chart's own title (issue 27: every chart says what it shows; a subtitle under an empty
    # title is dropped by Vega).
    legend = alt.TitleParams(f"{attack} · {words}" if attack else words, fontSize=11, fontWeight="normal",
                             anchor="start")
    return alt.layer(*layers).properties(width=2 * WIDTH, height=HEIGHT, title=legend)


def distance_histograms(rows: pd.DataFrame, *, value_title: str, columns: int = 4) -> alt.FacetChart:
    """Each hidden unit's distance ‖[wₛ, bₛ] − [wₛ,₀, bₛ,₀]‖ from its initialization, one
    panel per swept value, with the lazy ball's radius C₀/√m as a red rule."""
    data = rows.groupby(["value", "seed"]).head(4096)  # bounded page weight
    hist = alt.Chart().mark_bar(opacity=0.7).encode(
        x=alt.X("distance:Q", bin=alt.Bin(maxbins=30), title="distance of a row from its init"),
        y=alt.Y("count():Q", title="rows"))
    rule = alt.Chart().mark_rule(color="firebrick", strokeWidth=2).encode(x=alt.X("mean(radius):Q"))
    return (alt.layer(hist, rule, data=data)
            .properties(width=150, height=65)  # low panels: eight of them fill two rows (issue 26: page height)
            .facet(facet=alt.Facet("value:O", title=value_title), columns=columns)
            .resolve_scale(x="independent", y="independent"))


def quantities_by_rule(table: pd.DataFrame, *, x: str, x_title: str) -> alt.HConcatChart:
    """‖∇f‖, η and ‖δ‖/‖x‖ against ``x`` on log-log axes, one line per training rule (column
    ``rule``): mean over seeds with the seeds' range. ``table``: one row per (rule, x, seed)."""
    parts = []
    for rule, runs in table.groupby("rule", sort=False):
        g = runs.groupby(x)
        summary = pd.concat({f"{q}{suffix}": getattr(g[q], how)() for q in LAZY_QUANTITIES
                             for suffix, how in (("", "mean"), ("_min", "min"), ("_max", "max"))}, axis=1)
        parts.append(_lazy_long(summary.reset_index(), x, rule))
    data = pd.concat(parts, ignore_index=True)
    panels = []
    for title, sub in data.groupby("quantity", sort=False):
        # Ticks at the values run only (a log axis's own 0.1 0.2 0.3 … run together), labels in full.
        xs = alt.X(f"{x}:Q", title=x_title, scale=log_scale(),
                   axis=alt.Axis(values=sorted(sub[x].unique()), format="~g", labelOverlap="greedy", labelSeparation=2))
        base = alt.Chart(sub).encode(x=xs, color=alt.Color("source:N", title="keeping rows lazy",
                                                          legend=alt.Legend(labelLimit=0, orient="right",
                                                                            direction="vertical")))
        panels.append(alt.layer(
            base.mark_line(point=True).encode(y=alt.Y("mean:Q", title=title, scale=log_scale(),
                                                      axis=alt.Axis(**LOG_AXIS)),
                                              tooltip=["source:N", f"{x}:Q", alt.Tooltip("mean:Q", format=".4g")]),
            base.mark_errorbar().encode(y=alt.Y("low:Q", title=title), y2="high:Q"),
        ).properties(width=FIG3_PANEL_WIDTH, height=170))  # lower than a lone chart: the page's height (issue 26)
    return alt.hconcat(*panels).resolve_scale(y="independent")


# px a panel: three panels and their legend (its labels in full) on the right fit the page's 1,070 px column;
# a legend under them made the page 90 px taller (issue 26).
FIG3_PANEL_WIDTH = 190


def flipping_step_distribution(table: pd.DataFrame) -> alt.LayerChart:
    """The smallest flipping step ‖δ‖/‖x‖ in units of 1/√d against d: the band holds the middle 80 %
    of the test points (10 % to 90 %), the line their median, mean over seeds, one colour per rule. Flat
    means ‖δ‖ ∝ 1/√d (Theorem 3.1); the gray rule marks ‖δ‖ = 1/√d."""
    cols = ["step_sqrt_d_q10", "step_sqrt_d_q50", "step_sqrt_d_q90"]
    data = table.groupby(["rule", "d"], sort=False)[cols].mean().reset_index()
    xs = alt.X("d:Q", title="input dimension d", scale=alt.Scale(type="log"))
    color = alt.Color("rule:N", title="keeping rows lazy")
    base = alt.Chart(data).encode(x=xs, color=color)
    # One title on every layer, or Vega-Lite joins the layers' column names into the axis title.
    title = "smallest flipping ‖δ‖/‖x‖ × √d"
    return alt.layer(
        base.mark_area(opacity=0.2).encode(y=alt.Y("step_sqrt_d_q10:Q", title=title), y2="step_sqrt_d_q90:Q"),
        base.mark_line(point=True).encode(y=alt.Y("step_sqrt_d_q50:Q", title=title), tooltip=[
            "rule:N", "d:Q", *(alt.Tooltip(f"{c}:Q", format=".2f") for c in cols)]),
        alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color="gray", strokeDash=[2, 2]).encode(
            y=alt.Y("y:Q", title=title)),
    ).properties(width=2 * WIDTH, height=150)  # low: one band and a line a row; the page stays short (issue 26)


# --- the explorer: how far the rows move, for each radius (a slider that runs in the browser) -----

def distances_by_radius(rows: pd.DataFrame, *, value_title: str = "lazy radius C₀") -> alt.LayerChart:
    """Histogram of each hidden row's distance from its initialization for one swept value at
    a time, with the ball's radius C₀/√m as a red rule: drag C₀ and watch the rows fill the ball."""
    # Beyond the page's row budget, an even random sample of each run's rows (the histogram's
    # shape is what matters; its counts are then those of the sample — the axis says so).
    per_run = max(1, MAX_ROWS // max(1, rows.value.nunique() * rows.seed.nunique()))
    sampled = rows.groupby(["value", "seed"]).size().max() > per_run
    data = (rows.sample(frac=1.0, random_state=0).groupby(["value", "seed"]).head(per_run)
            [["value", "seed", "distance", "radius"]])
    data, value, keep = explore.slider(data, "value", name="c0", label=value_title)
    hist = (alt.Chart(data).transform_filter(keep).mark_bar(opacity=0.75)
            .encode(x=alt.X("distance:Q", bin=alt.Bin(maxbins=40), title="distance of a row from its init"),
                    y=alt.Y("count():Q", title="rows (a sample)" if sampled else "rows")))
    rule = (alt.Chart(data).transform_filter(keep).mark_rule(color="firebrick", strokeWidth=2)
            .encode(x=alt.X("mean(radius):Q")))
    label = explore.value_label(data, keep, "value", "~g", f"{value_title} = ")
    return alt.layer(hist, rule, label).add_params(value).properties(width=WIDTH, height=HEIGHT)
