"""Lesson 5 — the single-step attack at reference scale: paper 004's Fig. 2 (against d) and
Fig. 3 (against C₀), under both ways of keeping a network lazy.

Sec. 5.1 trains with standard SGD and *stops* when a row leaves its ball; the page's live runs
may instead *project* rows back (Alg. 1's rule for adversarial training). This table holds both,
per seed, so the page can say what each rule does to ‖∇f‖, η and ‖δ‖ and decide with intervals.
Besides the means it keeps the distribution of the smallest flipping step, in units of 1/√d
(10 %, 50 % and 90 % points over the test points): Theorem 3.1's Θ(1/√d) is a statement about
that distribution, not about whether a long enough search flips every point.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from ..lesson import Reference, ReferenceTable
from . import experiment

VERSION = 1
NAME = "lazy_single_step"
SEEDS = 3
WIDTH = 400
FIG3_SIZE = 14  # d = 196, as Part 2
FIG3_RADII = (0.5, 1.0, 2.0, 4.0, 6.0, 10.0, 15.0)
# Longer than the live default (4 epochs), so that under the stop rule a larger C₀ means longer training,
# as in the paper (which trains until a row leaves its ball). About 2 CPU-minutes in all.
TRAINING = dict(epochs=10, n_train=600, n_test=300, width=WIDTH)
PROJECTIONS = ("stop", "step")
COLUMNS = ("clean_accuracy", "majority", "grad_norm", "eta", "delta_rel", "flipped", "max_distance", "radius",
           "steps", "step_sqrt_d_q10", "step_sqrt_d_q50", "step_sqrt_d_q90")


def configs(seeds: int = SEEDS, quick: bool = False):
    """(figure, config): Fig. 2 (every size at C₀ = 10) and Fig. 3 (C₀ at d = 196), each rule."""
    kw = dict(TRAINING, seeds=seeds)
    if quick:
        kw.update(epochs=1, n_train=100, n_test=50, width=32)
    for projection in PROJECTIONS:
        yield "fig2", experiment.LazyConfig.single_step(projection=projection, **kw)
        yield "fig3", experiment.LazyConfig.single_step(projection=projection, sweep="radius", values=FIG3_RADII,
                                                        size=FIG3_SIZE, **kw)


def table(items, progress=None) -> pd.DataFrame:
    """One row per (figure, rule, swept value, seed)."""
    frames = []
    for figure, config in items:
        result = experiment.run(config)
        part = result.models[["value", "seed", "d", "lazy_radius", *COLUMNS]].copy()
        part.insert(0, "projection", config.projection)
        part.insert(0, "figure", figure)
        part["width"] = config.width
        frames.append(part)
        if progress is not None:
            progress((figure, config), result)
    return pd.concat(frames, ignore_index=True)


def label(item) -> str:
    figure, config = item
    return f"{figure} {config.projection:5s} m = {config.width}"


def settings(items) -> dict:
    return {"configs": [dict(figure=f, **asdict(c)) for f, c in items]}


REFERENCE = ReferenceTable(NAME, VERSION, experiment.REFERENCE_COMMAND, SEEDS, configs, table, label,
                           settings=settings)


def load_reference() -> Reference:
    return REFERENCE.load()
