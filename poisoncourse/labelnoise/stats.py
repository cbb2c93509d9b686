"""Lesson 4's statistics: where the dip sits and why, what share of it is natural error, and
which MNIST buckets differ beyond their noise (issue 17). Every claim the page makes about
these is decided here by a number and its interval, never by eye.

* **Where the data lie.** A point of N(m, σ²I_d) sits at distance ‖x − m‖ = σ·χ_d from its mean,
  and χ_d concentrates near √d (its mean is ≈ σ√(d − ½)): in d = 16 the class mean is empty
  space. A poison at r ≪ σ√d sits in that empty ball; one at r ≈ σ√d sits *among* the clean
  points, where its pocket must be carved next to correctly labelled neighbours.
* **The dip's position** in the μ × σ sweep (``labelnoise_dip.csv``): per setting, the r of least
  mean adversarial accuracy, with a bootstrap interval over seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

# Student's t, 97.5 % quantile, by degrees of freedom (a 95 % two-sided interval).
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
BOOTSTRAP = 2000  # resamples of the seeds for the dip-position interval


def mean_interval(mean: float, std: float, n: int) -> tuple[float, float]:
    """95 % t-interval of a mean from n seeds (std: the seeds' sample standard deviation)."""
    if n < 2:
        return float("nan"), float("nan")
    half = _T975.get(n - 1, 1.96) * std / math.sqrt(n)
    return mean - half, mean + half


def share_within(r: float, d: int, sigma: float) -> float:
    """P(‖x − m‖ ≤ r) for x ~ N(m, σ²I_d): the share of a class's points inside radius r of its mean."""
    return float(torch.special.gammainc(torch.tensor(d / 2, dtype=torch.float64),
                                        torch.tensor((r / sigma) ** 2 / 2, dtype=torch.float64)))


def data_radius(d: int, sigma: float) -> float:
    """σ√d: the distance from its mean at which a class's points lie."""
    return sigma * math.sqrt(d)


def dip_split(curve: pd.DataFrame) -> dict:
    """From one setting's summary (one row per r): the adversarial dip from r = 0 to its lowest
    point, the natural accuracy's fall over the same r, and the share of the adversarial dip the
    natural fall accounts for (the rest: points right when clean, wrong within ε)."""
    s = curve.sort_values("r")
    adv, nat, r = (s.mean_adversarial_accuracy.to_numpy(), s.mean_natural_accuracy.to_numpy(), s.r.to_numpy())
    k = int(np.argmin(adv))
    drop_adv, drop_nat = adv[0] - adv[k], nat[0] - nat[k]
    return {"r": float(r[k]), "adv0": float(adv[0]), "adv": float(adv[k]), "nat0": float(nat[0]),
            "nat": float(nat[k]), "drop_adv": float(drop_adv), "drop_nat": float(drop_nat),
            "share_natural": float(drop_nat / drop_adv) if drop_adv > 0 else float("nan")}


def dip_positions(table: pd.DataFrame, bootstrap: int = BOOTSTRAP, seed: int = 0) -> pd.DataFrame:
    """Per (μ, σ) of the dip sweep (one row per r and seed): the dip's r, its 95 % bootstrap
    interval over seeds (seeds resampled with replacement, the mean curve's argmin each time),
    σ√d and 2μ√d."""
    rng = np.random.default_rng(seed)
    rows = []
    for (mu, sigma, d), runs in table.groupby(["mu", "sigma", "d"], sort=True):
        acc = runs.pivot_table(index="seed", columns="r", values="adversarial_accuracy")  # (seeds, r)
        rs, curves = acc.columns.to_numpy(dtype=float), acc.to_numpy()
        picks = rng.integers(0, len(curves), (bootstrap, len(curves)))  # (bootstrap, seeds)
        draws = rs[curves[picks].mean(1).argmin(1)]
        rows.append({"mu": mu, "sigma": sigma, "d": int(d), "dip_r": float(rs[curves.mean(0).argmin()]),
                     "low": float(np.quantile(draws, 0.025)), "high": float(np.quantile(draws, 0.975)),
                     "data_radius": data_radius(int(d), sigma), "mean_distance": 2 * mu * math.sqrt(d),
                     "seeds": len(curves)})
    return pd.DataFrame(rows)


def which_scale(positions: pd.DataFrame) -> dict:
    """Does the dip follow σ√d or 2μ√d? The correlation of the dip's r with each, and how many
    settings' intervals contain each scale."""
    def corr(col):
        return float(np.corrcoef(positions.dip_r, positions[col])[0, 1])

    def covered(col):
        return int(((positions.low <= positions[col]) & (positions[col] <= positions.high)).sum())

    return {"r_sigma": corr("data_radius"), "r_mu": corr("mean_distance"),
            "covers_sigma": covered("data_radius"), "covers_mu": covered("mean_distance"), "settings": len(positions)}


def bucket_ranges(mnist_rows: pd.DataFrame) -> pd.DataFrame:
    """Per MNIST selection (bucket k, random): mean adversarial accuracy and its range over
    seeds (worst to best seed; the shipped table keeps no per-seed values, so no t-interval)."""
    return pd.DataFrame({"selection": mnist_rows.selection.to_numpy(),
                         "mean": mnist_rows.mean_adversarial_accuracy.to_numpy(),
                         "low": mnist_rows.min_adversarial_accuracy.to_numpy(),
                         "high": mnist_rows.max_adversarial_accuracy.to_numpy(),
                         "runs": mnist_rows.runs.to_numpy().astype(int)})


def separation_p(runs: int) -> float:
    """Two-sided exact p of a rank (permutation) test when every seed of one selection lies
    below every seed of another, ``runs`` seeds each: 2 / C(2n, n) (4 seeds: 0.029)."""
    return 2 / math.comb(2 * runs, runs)


def resolved_pairs(ranges: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs of selections whose seed ranges do not overlap (the first the lower): the only
    orderings the reference resolves (each at p = :func:`separation_p`)."""
    rows = list(ranges.itertuples())
    return [(a.selection, b.selection) for a in rows for b in rows if a.high < b.low]
