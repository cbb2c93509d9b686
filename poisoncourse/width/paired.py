"""Is the width curve an inverted U? A paired statistic and its 95 % interval, never the eye.

Each seed trains every width on the same poisoned set with the same batch order, so the noise a
seed shares across widths cancels in a within-seed difference. Per seed s, for an interior width
m* fixed in advance (choosing the best width on the same seeds would inflate the gap):

    Δ_wide(s) = acc(m*, s) − acc(widest, s),   Δ_narrow(s) = acc(m*, s) − acc(narrowest, s),

and the mean of each over seeds with its Student-t 95 % confidence interval. The verdict reads
the two intervals only (:func:`verdict`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

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


def t_quantile(p: float, df: int) -> float:
    """The p-quantile of Student's t with ``df`` degrees of freedom (bisection on its CDF,
    integrated numerically: the course ships no statistics library)."""
    if df <= 0:
        return float("nan")
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)

    def cdf(t: float) -> float:  # P(T ≤ t) for t ≥ 0: ½ + ∫₀ᵗ density
        u = np.linspace(0.0, t, 4001)
        dens = np.exp(log_c - (df + 1) / 2 * np.log1p(u * u / df))
        return 0.5 + float(np.sum((dens[1:] + dens[:-1]) / 2) * (u[1] - u[0]))

    lo, hi = 0.0, 1000.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return (lo + hi) / 2


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float
    seeds: int

    @property
    def above_zero(self) -> bool:
        return self.low > 0

    @property
    def below_zero(self) -> bool:
        return self.high < 0

    def points(self) -> str:
        """'+4.8 ± 3.5 points' — the mean and the interval's half-width, in accuracy points."""
        return f"{100 * self.mean:+.1f} ± {100 * (self.high - self.mean):.1f} points"


def interval(values, level: float = 0.95) -> Interval:
    """Mean of ``values`` and its two-sided Student-t confidence interval."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n < 2:
        m = float(v.mean()) if n else float("nan")
        return Interval(m, float("nan"), float("nan"), n)
    half = t_quantile(0.5 + level / 2, n - 1) * float(v.std(ddof=1)) / math.sqrt(n)
    return Interval(float(v.mean()), float(v.mean()) - half, float(v.mean()) + half, n)


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
