"""Explorers: charts whose slider runs in the browser, with no Python behind it.

Each lesson's default run already holds a grid of results (the epochs of a width sweep, the λ
values of a heatmap, the swept θ of Neuro-Tron, …). An explorer ships that grid inside the
Vega-Lite spec and binds a Vega-Lite parameter to an HTML range input: moving it filters the
shipped rows. So the same chart is live in the marimo lesson and in the exported static page,
where nothing but the browser runs.

The slider moves continuously; each row carries the interval of slider positions for which its
grid value is the nearest (``_lo`` ≤ position < ``_hi``), so uneven grids (θ = 0, 0.125, …, 4)
work, and a text mark names the value shown.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import HEIGHT, MAX_ROWS, WIDTH, tips
from ..width.charts import SERIES_COLORS

SLIDER_POSITIONS = 200  # slider resolution between the smallest and largest grid value


class NothingToExplore(ValueError):
    """The run left no finite values to put behind a slider (every network diverged, say)."""


def or_note(build, *args, **kwargs):
    """The explorer chart, or a one-line note when the run gave it nothing to show."""
    try:
        return build(*args, **kwargs)
    except NothingToExplore as err:
        return (alt.Chart(pd.DataFrame({"note": [f"Nothing to explore: {err}."]})).mark_text(align="left")
                .encode(text=alt.Text("note:N"), x=alt.value(0), y=alt.value(10)).properties(width=WIDTH, height=20))


# The first and last grid values own everything beyond them, so a slider whose last position
# overshoots the largest value (its step need not divide the range) still shows that value.
FAR = 1e12


def nearest_intervals(values) -> dict[float, tuple[float, float]]:
    """For the grid values, the slider interval [lo, hi) in which each one is the nearest."""
    v = sorted(set(float(x) for x in values if np.isfinite(x)))
    cuts = [(a + b) / 2 for a, b in zip(v, v[1:])]
    return {x: (a, b) for x, a, b in zip(v, [-FAR] + cuts, cuts + [FAR])}


def with_intervals(data: pd.DataFrame, field: str, intervals: dict) -> pd.DataFrame:
    """``data`` with each row's slider interval (_lo, _hi) for its value of ``field``."""
    x = data[field].astype(float)
    return data.assign(_lo=x.map(lambda v: intervals[v][0]), _hi=x.map(lambda v: intervals[v][1]))


def slider(data: pd.DataFrame, field: str, *, name: str, label: str, start=None):
    """Attach the nearest-value intervals of ``field`` to ``data`` and make the bound parameter.

    Returns (data with _lo/_hi, the parameter, the filter expression)."""
    if data.empty:
        raise NothingToExplore(f"no finite {label} in this run")
    intervals = nearest_intervals(data[field])
    values = sorted(intervals)
    span = values[-1] - values[0]
    gaps = np.diff(values) if len(values) > 1 else np.array([1.0])
    # The smallest grid gap as the step, so a uniform grid's values are exactly the slider's
    # positions; uneven grids land on the nearest value. At most SLIDER_POSITIONS positions.
    step = float(max(gaps.min(), span / SLIDER_POSITIONS)) if span > 0 else 1.0
    step = float(f"{step:.3g}")
    top = values[0] + math.ceil(span / step - 1e-9) * step  # on the step grid, ≥ the largest value
    first = values[len(values) // 2] if start is None else start
    param = alt.param(name=name, value=first,
                      bind=alt.binding_range(min=values[0], max=top, step=step, name=f"{label} "))
    return with_intervals(data, field, intervals), param, f"datum._lo <= {name} && {name} < datum._hi"


def _value_label(data: pd.DataFrame, keep: str, field: str, fmt: str, prefix: str = "") -> alt.Chart:
    """Names the grid value on show, above the plot (the rows left after the filter carry it)."""
    return (alt.Chart(data).transform_filter(keep).transform_aggregate(shown=f"min({field})")
            .transform_calculate(caption=f"'{prefix}' + format(datum.shown, '{fmt}')")
            .mark_text(align="left", fontSize=12, fontWeight="bold")
            .encode(x=alt.value(4), y=alt.value(-12), text=alt.Text("caption:N")))


# --- Lesson 1: the U-curve as training goes on ---------------------------------------------

def width_by_epoch(curves: pd.DataFrame) -> alt.LayerChart:
    """Mean clean test accuracy vs width after a chosen epoch: drag the epoch and watch the
    poisoned curve bend down at large width as the wide networks memorize the flips."""
    data = (curves.groupby(["variant", "width", "epoch"], as_index=False).test_accuracy.mean()
            .assign(series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"})))
    data, epoch, keep = slider(data, "epoch", name="epoch", label="after epoch", start=int(data.epoch.max()))
    colors = alt.Scale(domain=list(SERIES_COLORS), range=list(SERIES_COLORS.values()))
    lines = (alt.Chart(data).mark_line(point=True)
             .encode(x=alt.X("width:Q", scale=alt.Scale(type="log", base=2), title="hidden width m"),
                     y=alt.Y("test_accuracy:Q", title="clean test accuracy (mean over seeds)",
                             scale=alt.Scale(zero=False)),
                     color=alt.Color("series:N", title=None, scale=colors),
                     tooltip=tips("series:N", "width:Q", "epoch:Q", alt.Tooltip("test_accuracy:Q", format=".3f")))
             .transform_filter(keep))
    label = _value_label(data, keep, "epoch", "d", "after epoch ")
    return alt.layer(lines, label).add_params(epoch).properties(width=WIDTH, height=HEIGHT)


# --- Lesson 2: the damage map for each λ ----------------------------------------------------

def error_map_by_lam(lams, maps, box: float) -> alt.LayerChart:
    """Validation error as a function of the poison's location, one map per λ of the grid:
    drag λ and watch the damaging region shrink as the penalty grows."""
    L, G, _ = maps.shape  # (λ values, x2, x1)
    stride = max(1, math.ceil(math.sqrt(L * G * G / MAX_ROWS)))
    g = np.linspace(-box, box, G)[::stride]
    sub = np.asarray(maps)[:, ::stride, ::stride]
    x2, x1 = np.meshgrid(g, g, indexing="ij")
    cell = float(g[1] - g[0]) if len(g) > 1 else 2 * box
    data = pd.concat([pd.DataFrame({"lam": round(float(lam), 3), "x1": x1.ravel(), "x2": x2.ravel(),
                                    "error": sub[i].ravel()}) for i, lam in enumerate(lams)], ignore_index=True)
    finite = sub[np.isfinite(sub)]
    top_error = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    data = data.assign(x1_lo=data.x1 - cell / 2, x1_hi=data.x1 + cell / 2, x2_lo=data.x2 - cell / 2,
                       x2_hi=data.x2 + cell / 2)
    data, lam, keep = slider(data, "lam", name="lam", label="λ")
    scale = alt.Scale(domain=[-box - cell / 2, box + cell / 2], nice=False)
    heat = (alt.Chart(data).mark_rect()
            .encode(x=alt.X("x1_lo:Q", title="poison x₁", scale=scale), x2=alt.X2("x1_hi"),
                    y=alt.Y("x2_lo:Q", title="poison x₂", scale=scale), y2=alt.Y2("x2_hi"),
                    color=alt.Color("error:Q", title="validation error",
                                    scale=alt.Scale(scheme="inferno", domain=[0, top_error])),
                    tooltip=[alt.Tooltip("lam:Q", title="λ"), alt.Tooltip("x1:Q", format=".2f"),
                             alt.Tooltip("x2:Q", format=".2f"), alt.Tooltip("error:Q", format=".3f")])
            .transform_filter(keep))
    label = _value_label(data, keep, "lam", "+.2f", "λ = ")
    return alt.layer(heat, label).add_params(lam).properties(width=300, height=300,
                                                            title="validation error, poison placed here")


# --- Lesson 3: convergence for each attack strength -----------------------------------------

def error_curves_by_value(curves: pd.DataFrame, *, value_title: str, name: str) -> alt.LayerChart:
    """Median log₁₀ ‖w_t − w*‖ over seeds against t for one swept value at a time, one line
    per algorithm: drag the attack strength and watch where each algorithm settles."""
    med = (curves.assign(log10_error=curves.log10_error.fillna(np.inf))
           .groupby(["algorithm", "value", "iteration"], as_index=False).log10_error.median())
    med = med[np.isfinite(med.log10_error)]
    keep_every = max(1, math.ceil(len(med) / MAX_ROWS))
    its = np.sort(med.iteration.unique())[::keep_every]
    med = med[med.iteration.isin(its)]
    data, value, keep = slider(med, "value", name=name, label=value_title)
    # Runs cut at divergence after a step or two: points (a one-point line draws nothing), an axis
    # from t = 0, and a y range that is not a single value (which Vega labels "0.000000").
    short = med.groupby(["algorithm", "value"]).iteration.count().min() < 3 if len(med) else True
    low, high = (float(med.log10_error.min()), float(med.log10_error.max())) if len(med) else (0.0, 1.0)
    if high - low < 0.5:
        low, high = low - 0.5, high + 0.5
    x_scale = alt.Scale(domain=[0, max(float(med.iteration.max()) if len(med) else 0.0, 10.0)]) if short \
        else alt.Undefined
    lines = (alt.Chart(data).mark_line(strokeWidth=2.2, point=bool(short))
             .encode(x=alt.X("iteration:Q", title="iteration t", scale=x_scale, axis=alt.Axis(format="~s")),
                     y=alt.Y("log10_error:Q", title="log₁₀ ‖wₜ − w*‖ (median over seeds)",
                             scale=alt.Scale(domain=[low, high])),
                     color=alt.Color("algorithm:N", title=None),
                     tooltip=tips("algorithm:N", "value:Q", "iteration:Q", alt.Tooltip("log10_error:Q", format=".2f")))
             .transform_filter(keep))
    label = _value_label(data, keep, "value", "~g", f"{value_title} = ")
    return alt.layer(lines, label).add_params(value).properties(width=WIDTH, height=HEIGHT)


# --- Lesson 4: decision regions for each poison distance ------------------------------------

def regions_by_r(grid: pd.DataFrame, points: pd.DataFrame) -> alt.LayerChart:
    """One network's predicted class on the plane for each poison distance r, with its training
    points: drag r and watch the boundary bend around the poisons, then let them go."""
    ticks = np.sort(grid.x1.unique())
    stride = max(1, math.ceil(math.sqrt(len(grid) / (MAX_ROWS - len(points)))))
    kept = set(ticks[::stride])
    g = grid[grid.x1.isin(kept) & grid.x2.isin(kept)]
    cell = float(ticks[stride] - ticks[0]) if len(ticks) > stride else 1.0
    g = g.assign(x1_lo=g.x1 - cell / 2, x1_hi=g.x1 + cell / 2, x2_lo=g.x2 - cell / 2, x2_hi=g.x2 + cell / 2,
                 predicted=g.predicted.map(lambda c: f"class {c}"))
    g, r, keep = slider(g, "r", name="r", label="poison distance r")
    pts = with_intervals(points.assign(label=points.label.map(lambda c: f"class {c}")), "r",
                         nearest_intervals(g.r))  # the points follow the same slider
    extent = float(ticks.max() + cell / 2)
    scale = alt.Scale(domain=[-extent, extent], nice=False)
    classes = alt.Scale(domain=["class 0", "class 1"], range=["#a8dadc", "#f4a261"])
    heat = (alt.Chart(g).mark_rect(opacity=0.7)
            .encode(x=alt.X("x1_lo:Q", title="x₁", scale=scale), x2=alt.X2("x1_hi"),
                    y=alt.Y("x2_lo:Q", title="x₂", scale=scale), y2=alt.Y2("x2_hi"),
                    color=alt.Color("predicted:N", title="predicted", scale=classes))
            .transform_filter(keep))
    dots = (alt.Chart(pts).mark_point(filled=True, size=28)
            .encode(x=alt.X("x1:Q", scale=scale), y=alt.Y("x2:Q", scale=scale),
                    fill=alt.Fill("label:N", title="label", scale=alt.Scale(domain=["class 0", "class 1"],
                                                                              range=["#1d3557", "#e76f51"])),
                    shape=alt.Shape("kind:N", title=None, scale=alt.Scale(domain=["clean", "poison"],
                                                                           range=["circle", "cross"])),
                    stroke=alt.value("white"), strokeWidth=alt.value(0.4))
            .transform_filter(keep))
    label = _value_label(g, keep, "r", "~g", "r = ")
    return alt.layer(heat, dots, label).add_params(r).properties(width=300, height=300)


# --- Lesson 5: how far the rows move, for each radius ----------------------------------------

def distances_by_radius(rows: pd.DataFrame, *, value_title: str = "lazy radius C₀") -> alt.LayerChart:
    """Histogram of each hidden row's distance from its initialization for one swept value at
    a time, with the ball's radius C₀/√m as a red rule: drag C₀ and watch the rows fill the ball."""
    # Beyond the page's row budget, an even random sample of each run's rows (the histogram's
    # shape is what matters; its counts are then those of the sample — the axis says so).
    per_run = max(1, MAX_ROWS // max(1, rows.value.nunique() * rows.seed.nunique()))
    sampled = rows.groupby(["value", "seed"]).size().max() > per_run
    data = (rows.sample(frac=1.0, random_state=0).groupby(["value", "seed"]).head(per_run)
            [["value", "seed", "distance", "radius"]])
    data, value, keep = slider(data, "value", name="c0", label=value_title)
    hist = (alt.Chart(data).transform_filter(keep).mark_bar(opacity=0.75)
            .encode(x=alt.X("distance:Q", bin=alt.Bin(maxbins=40), title="distance of a row from its init"),
                    y=alt.Y("count():Q", title="rows (a sample)" if sampled else "rows")))
    rule = (alt.Chart(data).transform_filter(keep).mark_rule(color="firebrick", strokeWidth=2)
            .encode(x=alt.X("mean(radius):Q")))
    label = _value_label(data, keep, "value", "~g", f"{value_title} = ")
    return alt.layer(hist, rule, label).add_params(value).properties(width=WIDTH, height=HEIGHT)
