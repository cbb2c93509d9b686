"""What every lesson's charts share: their size and how many rows a chart may embed.

Each lesson's own charts live in its subpackage (``poisoncourse.<lesson>.charts``); every chart
function takes a tidy table and returns a chart, and none computes anything a test would need
to check."""

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


def tips(*fields) -> list:
    """A tooltip list whose shorthand strings ("value:Q") are already typed channels.

    altair resolves a bare string channel by searching its whole schema for the matching class
    (≈ 19 ms a call on the course's CPU, most of a redraw's chart time); a typed channel skips
    that search and gives the same spec. Channel objects pass through unchanged."""
    return [alt.Tooltip(f) if isinstance(f, str) else f for f in fields]
