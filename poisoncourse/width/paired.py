"""Is the width curve an inverted U? A paired statistic and its 95 % interval, never the eye.

Each seed trains every width on the same poisoned set with the same batch order, so the noise a
seed shares across widths cancels in a within-seed difference. Per seed s, for an interior width
m* fixed in advance (choosing the best width on the same seeds would inflate the gap):

    Δ_wide(s) = acc(m*, s) − acc(widest, s),   Δ_narrow(s) = acc(m*, s) − acc(narrowest, s),

and the mean of each over seeds with its Student-t 95 % confidence interval. The verdict reads
the two intervals only (:func:`verdict`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..core.stats import Interval, interval

# The interior width, fixed before the shipped sweep ran: the peak of the earlier 4-seed runs
# (seeds 0–3, issue 14) under label flips; the shipped sweep tests it on seeds 100 and up.
INTERIOR_WIDTH = 128

VERDICTS = {
    "inverted U": "an inverted U: the interior width beats both the narrowest and the widest",
    "rises": "monotone: accuracy rises with width (the widest beats the interior width)",
    "rises, then flat": "rises, then flat: the interior width beats the narrowest, and the widest is no worse",
    "double descent": "a dip: both the narrowest and the widest beat the interior width",
    "undecided": "undecided: the intervals are too wide to say",
}


def per_seed_gaps(runs: pd.DataFrame, column: str, interior: int = INTERIOR_WIDTH,
                  variant: str = "poisoned") -> pd.DataFrame:
    """Per seed: Δ_wide and Δ_narrow of ``column`` (one row per seed), from per-seed runs."""
    rows = runs[runs.variant == variant]
    table = rows.pivot_table(index="seed", columns="width", values=column)
    widths = sorted(table.columns)
    if interior not in widths or len(widths) < 3:
        raise ValueError(f"the interior width {interior} must be one of at least three widths {widths}")
    return pd.DataFrame({"seed": table.index, "minus_widest": (table[interior] - table[widths[-1]]).to_numpy(),
                         "minus_narrowest": (table[interior] - table[widths[0]]).to_numpy()})


@dataclass(frozen=True)
class Paired:
    interior: int
    widest: int
    narrowest: int
    minus_widest: Interval
    minus_narrowest: Interval

    @property
    def verdict(self) -> str:
        return verdict(self.minus_widest, self.minus_narrowest)

    def sentence(self) -> str:
        return (f"width {self.interior} minus the widest ({self.widest:,}): {self.minus_widest.points()}; minus the "
                f"narrowest ({self.narrowest}): {self.minus_narrowest.points()} (95 % t-intervals over "
                f"{self.minus_widest.seeds} seeds) — {VERDICTS[self.verdict]}")


def paired(runs: pd.DataFrame, column: str, interior: int = INTERIOR_WIDTH, variant: str = "poisoned") -> Paired:
    gaps = per_seed_gaps(runs, column, interior, variant)
    widths = sorted(runs[runs.variant == variant].width.unique())
    return Paired(interior, int(widths[-1]), int(widths[0]), interval(gaps.minus_widest),
                  interval(gaps.minus_narrowest))


def verdict(minus_widest: Interval, minus_narrowest: Interval) -> str:
    """The curve's shape, read from the two intervals alone (no threshold but zero)."""
    if minus_widest.above_zero and minus_narrowest.above_zero:
        return "inverted U"
    if minus_widest.below_zero and minus_narrowest.above_zero:
        return "rises"
    if minus_widest.below_zero and minus_narrowest.below_zero:
        return "double descent"
    if minus_narrowest.above_zero:
        return "rises, then flat"
    return "undecided"
