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


def noise_ball_notice(floors: pd.DataFrame | None) -> str:
    """What to notice 3 from the shipped ``neurotron_eta`` table: the fitted slope of the floor against η
    under the paper's ±θ attack (per algorithm, with its 95 % interval over seeds) against a noise ball's
    +0.5 — "consistent with", "steeper than" or "flatter than" as the intervals say — and the worst case's
    largest slope (upper end of its interval)."""
    if floors is None:
        return ("A smaller η shrinks it (see the η sweep above, where the shipped table is missing); the worst-case "
                "attack's floor barely moves.")
    s = noiseball.slopes(floors).set_index(["attack", "algorithm"])
    paper = s.loc["alternating"]
    fits = "; ".join(f"{alg} {r.slope:+.2f} (95 % interval {r.low:+.2f} to {r.high:+.2f})"
                     for alg, r in paper.iterrows())
    if (paper.low > 0.5).all():
        verdict = ("steeper than a noise ball's +0.5, which every interval excludes: the floor shrinks somewhat "
                   "faster than √η")
    elif (paper.high < 0.5).all():
        verdict = ("flatter than a noise ball's +0.5, which every interval excludes: the floor shrinks somewhat "
                   "more slowly than √η")
    else:
        verdict = "consistent with a noise ball's +0.5"
    worst = s.loc["worst_case"]
    return (f"A smaller η shrinks it. The slope of log₁₀ floor against log₁₀ η (the η sweep above): {fits} — "
            f"{verdict}. "
            f"The worst-case attack's floor barely moves (slope {worst.slope.min():+.2f} to {worst.slope.max():+.2f}, "
            f"at most {worst.high.max():+.2f} within the intervals).")


# The page's mathematics, folded under "The math" (fixed text: it states no measured number).
MATH = r"""**Network (Def. 1 and 2).** For a filter $w \in \mathbb R^r$ and sensing matrices $A_1, \dots, A_k$,
$f_w(x) = \frac1k \sum_{i=1}^k q\,\sigma(w^\top A_i x)$, $\sigma(z) = \max(z, \alpha z)$; the teacher is
$w^* \sim \mathcal N(0, I_r)$ and training starts at $w_1 = \mathbf 1$.

**Attack.** With probability $\beta$ the oracle returns $v = f_{w^*}(x) + \xi$, $|\xi| \le \theta$, else
$f_{w^*}(x)$. *Paper's experiments:* $\xi = -\theta, +\theta, \dots$ by position in the batch.
*Worst case (Sec. 3.5):* $\xi = f_{w_{adv}}(x) - f_{w^*}(x)$ for a wrong filter $w_{adv} = w^* + \rho u$.

**Neuro-Tron (Alg. 1).** $w_{t+1} = w_t + \eta\, M\, \frac1b \sum_{i=1}^b (v_i - f_{w_t}(x_i))\, x_i$ — no
derivative of $\sigma$. **SGD** replaces $M x_i$ by $\frac{\partial f_{w_t}}{\partial w}(x_i) = \frac qk \sum_j
\sigma'(w_t^\top A_j x_i) A_j x_i$.
"""
