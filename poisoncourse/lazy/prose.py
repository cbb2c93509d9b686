"""Lesson 5's sentences and tables that state numbers, each built from the run or the shipped table
it is about: Part 1's fitted slopes, the fair comparison of Part 2's reference, and Figs. 2 and 3
of the single-step reference in numbers and words (checked by tests/lazy/test_prose.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.stats import mean_interval, wilson
from . import experiment, single_step

# Fig. 2's asymptotics: fitted without the smallest images, where they have not set in.
ASYMPTOTIC_D = 100


def asymptotic_slopes(summary: pd.DataFrame) -> tuple[float, float] | None:
    """Fitted log-log slopes of ‖∇f‖ and ‖δ‖/‖x‖ against d on d ≥ 100 only; None with fewer
    than two such sizes."""
    big = summary[summary.d >= ASYMPTOTIC_D]
    if len(big) < 2:
        return None
    return experiment.loglog_slope(big.d, big.grad_norm), experiment.loglog_slope(big.d, big.delta_rel)


def scaling_markdown(result: experiment.LazyResult) -> str:
    """Part 1's fitted slopes against d next to the theory's, as a markdown table (and the
    slopes on d ≥ 100 under it); empty unless the sizes were swept, at least two of them."""
    if result.config.sweep != "size" or len(result.summary) < 2:
        return ""
    names = {"grad_norm": "‖∇f‖", "eta": "η", "delta_rel": "‖δ‖/‖x‖"}
    rows = [f"| {names[r.quantity]} | {r.slope:+.2f} | {r.theory:+.1f} |"
            for r in experiment.scaling_table(result).itertuples()]
    text = "\n".join(["| quantity | fitted slope vs d (live) | theory |", "|---|---|---|", *rows])
    tail = asymptotic_slopes(result.summary)
    if tail is not None:
        text += f"\n\nFitted on d ≥ {ASYMPTOTIC_D} only: ‖∇f‖ {tail[0]:+.2f}, ‖δ‖/‖x‖ {tail[1]:+.2f}."
    return text


def fair_markdown(fair: pd.DataFrame | None) -> str:
    """The fair comparison in words, robust accuracies with 95 % Wilson intervals over the pooled
    test points of the seeds."""
    if fair is None:
        return ""
    n = experiment.REFERENCE_TRAINING["n_test"]

    def acc(row) -> str:
        trials = int(n * row.seeds)
        p, lo, hi = wilson(round(row.robust_accuracy * trials), trials)
        return f"{p:.2f} (95 % interval {lo:.2f}–{hi:.2f}, {trials} test points)"

    small, large = fair.iloc[0], fair.iloc[-1]
    return (f"Ringed, the fair comparison (m = {small.width:g}): at C₀ = {small.lazy_radius:g} the networks fit "
            f"(clean {small.clean_accuracy:.2f}) yet their robust accuracy is {acc(small)}; at C₀ = "
            f"{large.lazy_radius:g} (clean {large.clean_accuracy:.2f}) it is {acc(large)}.")


def seed_slopes(rows: pd.DataFrame, x: str, y: pd.Series) -> tuple[float, float, float]:
    """Log-log slope of y against x fitted per seed: mean and 95 % t-interval over seeds."""
    data = rows.assign(_y=y)
    return mean_interval([experiment.loglog_slope(s[x], s._y) for _, s in data.groupby("seed")])


def fig3_markdown(rows: pd.DataFrame) -> str:
    """Fig. 3 in numbers, per rule: each quantity at the smallest and the largest C₀ (mean over seeds),
    its log-log slope against C₀ with a 95 % interval over seeds, and whether the ball still binds."""
    lines = ["| rule | ‖∇f‖ | slope | η | slope | ‖δ‖/‖x‖ | slope | rows' reach at the largest C₀ |",
             "|---|---|---|---|---|---|---|---|"]
    for rule, runs in rows.groupby("rule", sort=False):
        m = runs.groupby("lazy_radius")[["grad_norm", "eta", "delta_rel", "max_distance", "radius"]].mean()
        cells = []
        for q, fmt in (("grad_norm", ".1f"), ("eta", ".3g"), ("delta_rel", ".3f")):
            s, lo, hi = seed_slopes(runs, "lazy_radius", runs[q])
            cells += [f"{m[q].iloc[0]:{fmt}} → {m[q].iloc[-1]:{fmt}}", f"{s:+.2f} ({lo:+.2f} to {hi:+.2f})"]
        reach = m.max_distance.iloc[-1] / m.radius.iloc[-1]
        lines.append(f"| {rule} | {' | '.join(cells)} | {reach:.0%} of C₀/√m |")
    c0 = sorted(rows.lazy_radius.unique())
    return (f"C₀ from {c0[0]:g} to {c0[-1]:g} at d = {int(rows.d.iloc[0])}, m = {int(rows.width.iloc[0])}, "
            f"{rows.seed.nunique()} seeds; slopes against C₀ on log-log axes, 95 % intervals over seeds.\n\n"
            + "\n".join(lines))


def fig2_markdown(rows: pd.DataFrame) -> str:
    """The smallest flipping step's distribution against d, per rule: the median's range in units of
    1/√d and the slope of the median ‖δ‖/‖x‖ against d on d ≥ ASYMPTOTIC_D (Theorem 3.1: −0.5)."""
    out = []
    for rule, runs in rows.groupby("rule", sort=False):
        med = runs.groupby("d").step_sqrt_d_q50.mean()
        big = runs[runs.d >= ASYMPTOTIC_D]
        s, lo, hi = seed_slopes(big, "d", big.step_sqrt_d_q50 / np.sqrt(big.d))
        share = runs.groupby("d").step_sqrt_d_q90.mean()
        out.append(f"* *{rule}*: the median step is {med.min():.2f}–{med.max():.2f} × 1/√d over d = "
                   f"{int(med.index.min())}…{int(med.index.max())}, and 90 % of the points flip within "
                   f"{share.max():.2f}/√d at every d; "
                   f"slope of the median ‖δ‖/‖x‖ against d for d ≥ {ASYMPTOTIC_D}: {s:+.2f} "
                   f"(95 % interval {lo:+.2f} to {hi:+.2f}).")
    return "\n".join(out)


def fig3_discussion(rows: pd.DataFrame) -> str:
    """What Fig. 3's reference shows, in words chosen by its numbers: how much ‖∇f‖ and η change from the
    smallest to the largest C₀ (with their slopes' 95 % intervals), and whether the rows use the room C₀ gives."""
    out = []
    for rule, runs in rows.groupby("rule", sort=False):
        m = runs.groupby("lazy_radius")[["grad_norm", "eta", "max_distance", "radius"]].mean()
        g, g_lo, g_hi = seed_slopes(runs, "lazy_radius", runs.grad_norm)
        e, e_lo, e_hi = seed_slopes(runs, "lazy_radius", runs.eta)
        reach = m.max_distance / m.radius
        binding = reach[reach > 0.95]
        largest = float(binding.index.max()) if len(binding) else None
        room = ("the rows never reach their ball" if largest is None else
                "the rows reach their ball at every C₀" if largest == m.index.max() else
                f"the rows reach their ball up to C₀ = {largest:g} only; beyond, C₀ changes little")
        out.append(f"* *{rule}*: from C₀ = {m.index[0]:g} to {m.index[-1]:g}, ‖∇f‖ changes by "
                   f"{m.grad_norm.iloc[-1] / m.grad_norm.iloc[0] - 1:+.0%} (slope {g:+.2f}, {g_lo:+.2f} to {g_hi:+.2f}) "
                   f"and η {m.eta.iloc[-1] / m.eta.iloc[0]:.1f}-fold (slope {e:+.2f}, {e_lo:+.2f} to {e_hi:+.2f}); "
                   f"{room}.")
    return ("\n".join(out) + "\n\nTo first order the flipping step is η ≈ |f|/‖∇f‖²: with ‖∇f‖ nearly fixed, the "
            "robustness a larger C₀ buys is mostly margin (a larger |f|), not a smaller gradient. The paper's Fig. 3 "
            f"shows ‖∇f‖ growing clearly with C₀; at this scale ({single_step.TRAINING['n_train']} images, "
            f"{single_step.TRAINING['epochs']} epochs; the paper: all 12,665 0s and 1s, trained until a row leaves "
            "its ball) that part is not reproduced.")
