"""Explorers: charts whose slider runs in the browser, with no Python behind it.

Each lesson's default run already holds a grid of results (the epochs of a width sweep, the λ
values of a heatmap, the swept θ of Neuro-Tron, …). An explorer ships that grid inside the
Vega-Lite spec and binds a Vega-Lite parameter to an HTML range input: moving it filters the
shipped rows. So the same chart is live in the marimo lesson and in the exported static page,
where nothing but the browser runs.

The slider moves continuously; each row carries the interval of slider positions for which its
grid value is the nearest (``_lo`` ≤ position < ``_hi``), so uneven grids (θ = 0, 0.125, …, 4)
work, and a text mark names the value shown. This module knows no lesson: each lesson's explorer
chart is in its own ``charts`` module, built on :func:`slider` and :func:`value_label`.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import WIDTH

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


def value_label(data: pd.DataFrame, keep: str, field: str, fmt: str, prefix: str = "") -> alt.Chart:
    """Names the grid value on show, above the plot (the rows left after the filter carry it)."""
    return (alt.Chart(data).transform_filter(keep).transform_aggregate(shown=f"min({field})")
            .transform_calculate(caption=f"'{prefix}' + format(datum.shown, '{fmt}')")
            .mark_text(align="left", fontSize=12, fontWeight="bold")
            .encode(x=alt.value(4), y=alt.value(-12), text=alt.Text("caption:N")))
