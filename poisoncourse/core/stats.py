"""Intervals for the lessons' claims: "reproduces or not" is decided by a statistic and its
interval, never by eye. Small, dependency-free (no scipy in the course's environment)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Two-sided 95 % Student-t quantiles t_{0.975, df} for df = 1 … 30; beyond, the normal's 1.96.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t975(df: int) -> float:
    return _T975[df - 1] if df <= len(_T975) else 1.96


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


def mean_interval(values) -> tuple[float, float, float]:
    """Mean of the finite values and its 95 % t-interval (NaN bounds with fewer than two)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not len(v):
        return (math.nan,) * 3
    mean = float(v.mean())
    if len(v) < 2:
        return mean, math.nan, math.nan
    half = t975(len(v) - 1) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return mean, mean - half, mean + half


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float, float]:
    """A proportion and its 95 % Wilson score interval."""
    if trials == 0:
        return (math.nan,) * 3
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return p, centre - half, centre + half


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

    def bounds(self) -> str:
        """'[+0.9, +9.5]' — the interval's ends, in points."""
        return f"[{100 * self.low:+.1f}, {100 * self.high:+.1f}]"


def interval(values) -> Interval:
    """:func:`mean_interval` as an :class:`Interval` (its sign read by ``above_zero``/``below_zero``)."""
    mean, low, high = mean_interval(values)
    v = np.asarray(values, float)
    return Interval(mean, low, high, int(np.isfinite(v).sum()))
