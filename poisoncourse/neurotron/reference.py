"""Lesson 3's shipped reference — the paper's Table 1 curves at 40,000 iterations — and its benchmark
cases (the batched simulation against its loop twin)."""

from __future__ import annotations

import pandas as pd

from ..lesson import Case, Reference, ReferenceTable, tabulate
from .experiment import ALGORITHMS, DISTRIBUTIONS, PAPER_ITERATIONS, NeurotronConfig, run, run_one_at_a_time, simulate

# --- reference curves at the paper's scale ------------------------------------------------

# Bump when the simulation changes in a way that changes its numbers: shipped reference
# tables made by another version are then refused with a sentence saying how to remake them.
REFERENCE_VERSION = 1
REFERENCE_NAME = "neurotron"
REFERENCE_COMMAND = "poisoncourse sweep neurotron"
REFERENCE_SEEDS = 5
QUICK_ITERATIONS = 200  # `sweep --quick`: a few iterations, to check the pipeline


def reference_configs(seeds: int = REFERENCE_SEEDS, quick: bool = False):
    """The paper's eight Table 1 setups (4 distributions × θ- or β-sweep), all three algorithms."""
    iterations = QUICK_ITERATIONS if quick else PAPER_ITERATIONS
    for dist in DISTRIBUTIONS:
        for sweep in ("theta", "beta"):  # the paper's two sweeps (η is swept by noiseball's table)
            yield NeurotronConfig.paper(dist, sweep, seeds=seeds, iterations=iterations, record_points=101,
                                        algorithms=tuple(ALGORITHMS))


def _curve_rows(config, result) -> pd.DataFrame:
    g = result.curves.groupby(["algorithm", "value", "iteration"], sort=False).log10_error
    table = pd.DataFrame({
        "median_log10_error": g.median(), "min_log10_error": g.min(), "max_log10_error": g.max(),
    }).reset_index()
    diverged = result.final.groupby(["algorithm", "value"], sort=False).diverged_at.count().rename("diverged")
    table = table.join(diverged, on=["algorithm", "value"])
    table.insert(0, "sweep", config.sweep)
    table.insert(0, "distribution", config.distribution)
    table["seeds"] = config.seeds
    return table


def reference_table(configs, progress=None) -> pd.DataFrame:
    """Run each configuration and keep, per iteration, the median and range over seeds."""
    return tabulate(configs, run, _curve_rows, progress)


def reference_label(config: NeurotronConfig) -> str:
    """How ``poisoncourse sweep`` names one configuration in its progress lines."""
    return f"{config.distribution:12s} {config.sweep:6s}"


REFERENCE = ReferenceTable(REFERENCE_NAME, REFERENCE_VERSION, REFERENCE_COMMAND, REFERENCE_SEEDS, reference_configs,
                           reference_table, reference_label)


def load_reference() -> Reference:
    """The shipped 40,000-iteration curves (see :func:`reference_configs`)."""
    return REFERENCE.load()


# --- benchmark ------------------------------------------------------------------------------


def bench_cases(quick: bool = False):
    """The lesson's default live sweep, batched vs one configuration at a time."""
    config = NeurotronConfig.live(iterations=2_000)
    if quick:
        config = NeurotronConfig.live(iterations=100, seeds=1, values=(0.0, 1.0))
    label = f"{len(config.values)} θ × {config.seeds} seeds × {len(config.algorithms)} algorithms, T = {config.iterations:,}"
    return [Case("neurotron", label, lambda: simulate(config), lambda: run_one_at_a_time(config))]
