"""Explorers: charts whose slider runs in the browser, with no Python behind it.

Each lesson's default run already holds a grid of results (the epochs of a width sweep, the λ
values of a heatmap, the swept θ of Neuro-Tron, …). An explorer ships that grid inside the
Vega-Lite spec and binds a Vega-Lite parameter to an HTML range input: moving it filters the
shipped rows. So the same chart is live in the marimo lesson and in the exported static page,
where nothing but the browser runs.

A control offers exactly the values computed (issue 27: a slider over an uneven grid showed θ = 0.875 while
the chart drew θ = 1): an evenly spaced grid gets a range slider whose positions are its values, an uneven
one (θ = 0, 0.125, …, 4) a row of radio buttons, one per value. Each row carries the interval of positions
for which its grid value is the nearest (``_lo`` ≤ position < ``_hi``), and a text mark names the value
shown. This module knows no lesson: each lesson's explorer
chart is in its own ``charts`` module, built on :func:`slider` and :func:`value_label`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import WIDTH


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
    first = values[len(values) // 2] if start is None else start
    param = alt.param(name=name, value=first, bind=_binding(values, f"{label} "))
    return with_intervals(data, field, intervals), param, f"datum._lo <= {name} && {name} < datum._hi"


def even_step(values: list[float]) -> float | None:
    """The grid's spacing when its values are evenly spaced, written to 3 significant digits as the
    slider's step; else None."""
    if len(values) < 2:
        return None
    gaps = np.diff(values)
    step = float(f"{gaps[0]:.3g}")
    return step if np.allclose(gaps, step, rtol=1e-6, atol=0) else None


def _binding(values: list[float], name: str):
    step = even_step(values)
    if step is not None:  # its positions are the grid's values
        return alt.binding_range(min=values[0], max=values[-1], step=step, name=name)
    # Spaces HTML does not collapse around each label: Vega sets the buttons and labels inline, without gaps.
    return alt.binding_radio(options=values, labels=[f"\u00a0{v:g}\u2003" for v in values], name=name)


def value_label(data: pd.DataFrame, keep: str, field: str, fmt: str, prefix: str = "") -> alt.Chart:
    """Names the grid value on show, above the plot (the rows left after the filter carry it)."""
    return (alt.Chart(data).transform_filter(keep).transform_aggregate(shown=f"min({field})")
            .transform_calculate(caption=f"'{prefix}' + format(datum.shown, '{fmt}')")
            .mark_text(align="left", fontSize=12, fontWeight="bold")
            .encode(x=alt.value(4), y=alt.value(-12), text=alt.Text("caption:N")))
