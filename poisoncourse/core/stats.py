"""Intervals for the lessons' claims: "reproduces or not" is decided by a statistic and its
interval, never by eye. Small, dependency-free (no scipy in the course's environment)."""

from __future__ import annotations

import math

import numpy as np

# Two-sided 95 % Student-t quantiles t_{0.975, df} for df = 1 … 30; beyond, the normal's 1.96.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t975(df: int) -> float:
    return _T975[df - 1] if df <= len(_T975) else 1.96


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
