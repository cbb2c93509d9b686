"""What every lesson's charts share: their size, how many rows a chart may embed, and the
conventions a reader can rely on from one lesson to the next.

Each lesson's own charts live in its subpackage (``poisoncourse.<lesson>.charts``); every chart
function takes a tidy table and returns a chart, and none computes anything a test would need
to check.

The conventions (issue 13; tests/e2e/test_looks.py reads every exported chart's spec for the
ones a machine can check):

1. **One colour per meaning** across a lesson and its reference: the same quantity (a class, an
   algorithm, a width) has the same colour in the live chart and the shipped one. What tells
   them apart is the line, not the colour.
2. **Live solid, reference dashed** (`LIVE_DASH`, `REFERENCE_DASH`, `source_dash`), with a
   legend whose symbols are strokes, so the legend shows the dash it stands for.
3. **Log axes for parameters that double** (widths, θ, C₀, m): `log_scale`. A value of 0 has no
   place on a log axis — draw it as a labelled rule instead of squeezing the rest.
4. **Axis domains fitted to the data** (`fitted`): no forced zero, no nice-rounding out to a
   decade the data never reach; accuracies keep [0, 1] only when the comparison needs it.
5. **Human-readable titles with units** on every axis and legend ("hidden width (units)",
   "test accuracy"): never a column name such as ``robust_accuracy_min``.
6. **Legends list only what is drawn, in full**: `THEME` lifts Vega's 160-pixel label limit, and
   a legend's domain names only series the chart draws.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

WIDTH = 300
HEIGHT = 220
# A panel's width when three share a row with their legend in the page's 1,070 px column (issue 26).
THIRD_WIDTH = 230
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


def tips(*fields) -> list:
    """A tooltip list whose shorthand strings ("value:Q") are already typed channels.

    altair resolves a bare string channel by searching its whole schema for the matching class
    (≈ 19 ms a call on the course's CPU, most of a redraw's chart time); a typed channel skips
    that search and gives the same spec. Channel objects pass through unchanged."""
    return [alt.Tooltip(f) if isinstance(f, str) else f for f in fields]


# -- the conventions as values and helpers ------------------------------------------------------

LIVE_DASH = [1, 0]  # solid
REFERENCE_DASH = [5, 3]


def source_dash(field: str = "source", live: str = "live", reference: str | list[str] = "reference",
                title: str | None = "run", present=None, orient: str = "right"):
    """Live runs solid, shipped references dashed, with a legend that draws the dash.

    `present` (the values the chart draws): a legend entry only for those — with a single kind
    drawn, no legend at all, just its dash. `orient`: "bottom" under charts side by side, whose
    legends beside them would run past the page."""
    refs = [reference] if isinstance(reference, str) else list(reference)
    dashes = {live: LIVE_DASH, **{r: REFERENCE_DASH for r in refs}}
    if present is not None:
        dashes = {k: v for k, v in dashes.items() if k in set(present)}
        if len(dashes) == 1:
            return alt.value(next(iter(dashes.values())))
    return alt.StrokeDash(f"{field}:N", title=title,
                          scale=alt.Scale(domain=list(dashes), range=list(dashes.values())),
                          legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolStrokeColor="black",
                                            labelLimit=0, orient=orient, direction="vertical"))


def line_and_points(chart: alt.Chart, *, strokeDash=alt.Undefined, **encodings) -> alt.LayerChart:
    """``chart``'s lines, dashed by ``strokeDash``, and their points, as two layers.

    Vega-Lite's own overlay (``mark_line(point=True)``) draws every legend symbol as a filled point
    with a transparent stroke, whatever the legend asks: a legend of dashes (`source_dash`) would
    show none. Here the points are a layer of their own, without the dash."""
    line = chart.mark_line().encode(strokeDash=strokeDash, **encodings)
    dots = chart.mark_point(filled=True, size=22, opacity=1).encode(**encodings)
    return alt.layer(line, dots)


def log_scale(**options) -> alt.Scale:
    """A log axis for a parameter that doubles from one setting to the next."""
    return alt.Scale(type="log", nice=False, **options)


def fitted(**options) -> alt.Scale:
    """An axis fitted to the data: no forced zero, no rounding out to a decade."""
    return alt.Scale(zero=False, nice=False, **options)


def _theme() -> alt.theme.ThemeConfig:
    # Vega cuts legend labels at 160 px ("reference, r…"); titles too. Symbols are strokes, so a
    # dashed series shows its dash in the legend.
    return alt.theme.ThemeConfig(config={"view": {"continuousWidth": 300, "continuousHeight": 300},
                                         "legend": {"labelLimit": 0, "titleLimit": 0},
                                         "axis": {"titleLimit": 0, "labelOverlap": True}})


THEME = "poisoncourse"
# Registering is how altair takes a theme; every lesson's charts import this module, so each
# chart they make is serialized with it (live, in the exports and in the static pages alike).
alt.theme.register(THEME, enable=True)(_theme)
