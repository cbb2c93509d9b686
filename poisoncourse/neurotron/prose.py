"""Lesson 3's sentences and tables that state numbers, each built from the run or the shipped table
it is about: Theorem 1's trade-off constant per β and the η sweep's noise-ball verdict (checked by
tests/neurotron/test_prose.py)."""

from __future__ import annotations

import math

import pandas as pd

from . import experiment, noiseball, theory


def tradeoff_markdown(config: experiment.NeurotronConfig) -> str:
    """Theorem 1's trade-off constant per β as a markdown table: Lemma 1's (Gaussian inputs
    only) and this network's own (first seed's M)."""
    sigma = math.sqrt(config.input_distribution.variance)
    gaussian = config.distribution.startswith("normal")
    lines = [f"| β | Lemma 1 (σ = {sigma:.3g}, n = {config.n}) | this network (first seed's $M$): "
             r"$(1+\alpha)\lambda_1/(\beta_1\lambda_2) - 1$ |", "|---|---|---|"]
    for row in theory.c_tradeoff_table(config).itertuples():
        lemma = f"{row.lemma1:+.3f}" if gaussian else "— (Gaussian inputs only)"
        lines.append(f"| {row.beta:g} | {lemma} | {row.network:+.3f} |")
    return "\n".join(lines)


def noise_ball_markdown(floors: pd.DataFrame) -> str:
    """The η sweep's verdict, from the shipped ``neurotron_eta`` table: per attack, θ and algorithm,
    the fitted slope of log10 floor against log10 η with its 95 % interval over seeds (a noise ball
    has +0.5, a bias 0), and the sentence comparing the two attacks at θ = 0.5."""
    slopes, medians = noiseball.slopes(floors), noiseball.medians(floors)
    name = noiseball.ATTACK_NAMES
    lines = ["| attack | θ | algorithm | slope of log₁₀ floor vs log₁₀ η | 95 % interval | seeds (stuck, left out) |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {name[r.attack]} | {r.theta:g} | {r.algorithm} | {r.slope:+.2f} | {r.low:+.2f} to {r.high:+.2f} "
              f"| {r.seeds} ({r.stuck}) |" for r in slopes.itertuples()]
    neuro = experiment.ALGORITHMS["neurotron"]

    def at(attack, eta):
        rows = medians[(medians.attack == attack) & (medians.theta == 0.5) & (medians.algorithm == neuro)]
        return float(rows.set_index("eta").floor[eta])

    hi, lo = max(noiseball.ETAS), max(noiseball.ETAS) / 4
    return (f"At θ = 0.5, Neuro-Tron's floor under the paper's ±θ attack is {at('alternating', hi):.2f} at "
            f"η = {hi:g} and {at('alternating', lo):.2f} at η/4 (log₁₀, median of {floors.seed.nunique()} seeds); "
            f"under the worst case it is {at('worst_case', hi):.2f} and {at('worst_case', lo):.2f}.\n\n"
            + "\n".join(lines))
