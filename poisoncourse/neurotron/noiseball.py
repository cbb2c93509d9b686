"""Lesson 3 — is the error floor a property of the attack, or of the step size?

The paper's experimental attack (ξ = ±θ alternating, independent of x) has zero mean: the
expected Neuro-Tron step still points at w*, and the floor a run settles at is a *noise ball*
whose radius shrinks like √η (a stationary spread ∝ η·θ²/(rate ∝ 1)), so "error grows with θ"
holds at a fixed η only. Sec. 3.5's worst-case attack — labels of a wrong filter w_adv — is a
bias: the runs converge near w_adv whatever η. This module sweeps η at fixed θ for both attacks
(the shipped ``neurotron_eta`` reference) and fits, per seed, the slope of the floor against η.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.stats import mean_interval
from ..lesson import Reference, ReferenceTable, tabulate
from . import experiment

# The two attacks as the page names them (tables and legends), not by their code names.
ATTACK_NAMES = {"alternating": "±θ alternating", "worst_case": "worst case (Sec. 3.5)"}

ETAS = (1e-3, 5e-4, 2.5e-4)  # the live η (10× the paper's) down to 2.5× the paper's
THETAS = (0.5,)  # the case; the θ dependence at a fixed η is the main reference's
ITERATIONS = 8_000  # η = 2.5e-4 reaches its floor by ≈ 2,500; the floor is averaged over the second half
SEEDS = 8
VERSION = 1
NAME = "neurotron_eta"
QUICK_ITERATIONS = 200


def configs(seeds: int = SEEDS, quick: bool = False):
    """η sweeps at the paper's normal-input setting (β = 0.5), per attack and θ."""
    for attack in experiment.ATTACKS:
        for theta in THETAS:
            yield experiment.NeurotronConfig(sweep="eta", values=ETAS, theta=theta, beta=0.5, attack=attack,
                                             iterations=QUICK_ITERATIONS if quick else ITERATIONS, seeds=seeds,
                                             algorithms=("neurotron", "sgd"), record_points=101)


def floors(result: experiment.NeurotronResult) -> pd.DataFrame:
    """Per (algorithm, η, seed): the floor — mean log10 error over the run's second half (a time
    average: one noisy last iterate would blur the η dependence) — and the final log10 error."""
    c = result.config
    curves = result.curves[result.curves.iteration >= c.iterations // 2]
    out = curves.groupby(["algorithm", "value", "seed"], sort=False).log10_error.mean().rename("floor").reset_index()
    out = out.rename(columns={"value": "eta"})
    out.insert(0, "theta", c.theta)
    out.insert(0, "attack", c.attack)
    out["final"] = result.final.log10_error.to_numpy()
    return out


def table(items, progress=None) -> pd.DataFrame:
    return tabulate(items, experiment.run, lambda config, result: floors(result), progress)


def label(config: experiment.NeurotronConfig) -> str:
    return f"{config.attack:12s} θ = {config.theta:g}"


REFERENCE = ReferenceTable(NAME, VERSION, "poisoncourse sweep neurotron", SEEDS, configs, table, label)


def load_reference() -> Reference:
    return REFERENCE.load()


# A seed whose floor is above 10⁻¹ at some η is stuck far from w* (SGD's spurious minima), not on a floor:
# it is left out of the slope fits and counted.
STUCK_FLOOR = -1.0


def slopes(floors_: pd.DataFrame) -> pd.DataFrame:
    """Per (attack, θ, algorithm): the slope of the floor (log10) against log10 η, fitted per seed,
    as its mean over seeds with a 95 % t-interval. A noise ball gives +0.5, a bias 0."""
    rows = []
    for (attack, theta, algorithm), part in floors_.groupby(["attack", "theta", "algorithm"], sort=False):
        seeds = [s for _, s in part.groupby("seed") if len(s) > 1]
        kept = [s for s in seeds if s.floor.max() <= STUCK_FLOOR]
        mean, lo, hi = mean_interval([np.polyfit(np.log10(s.eta), s.floor, 1)[0] for s in kept])
        rows.append(dict(attack=attack, theta=theta, algorithm=algorithm, slope=mean, low=lo, high=hi,
                         seeds=len(kept), stuck=len(seeds) - len(kept)))
    return pd.DataFrame(rows)


def medians(floors_: pd.DataFrame) -> pd.DataFrame:
    """Per (attack, θ, algorithm, η): median floor over seeds — the chart's points."""
    return floors_.groupby(["attack", "theta", "algorithm", "eta"], sort=False).floor.median().reset_index()
