"""Lesson 2's sentences that quote numbers: written from the live result or the shipped
reference curves, never typed in by hand, so the page cannot contradict its own charts.
tests/test_prose_numbers_l24.py checks each claim against the shipped table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import mnist
from .experiment import LAM_RANGE, HeatmapConfig, HeatmapResult

PAPER_SPLITS = 10  # paper 002, App. C.2: Fig. 2 averages 10 random data splits


def _signed(x: float) -> str:
    """A constant as the prose writes it: a typographic minus (−8), not a hyphen."""
    return format(x, "g").replace("-", "−")


def live_caption(config: HeatmapConfig) -> str:
    """What heatmaps A and B show for this run."""
    learned = ", with λ learned at the same time" if config.learn_lam else ""
    low, high = LAM_RANGE
    return (f"**A** (left): validation error when the poison sits at each location, at λ = {config.lam:.2f}. "
            f"Dashed white: the boundary learned without the poison; red: with the poison where you put it. "
            f"Orange: the optimal attack's path from there ({config.attack_steps} steps of projected "
            f"hypergradient ascent{learned}). "
            f"**B** (right): for each location, the λ in [{_signed(low)}, {_signed(high)}] that minimizes "
            f"validation error.")


def damage_and_best_lam(result: HeatmapResult) -> dict:
    """The live run's claim behind heatmap B, in numbers: the worst poison location's error
    at the smallest λ, the clean error there, and the correlation over the grid between the
    damage a location does at the smallest λ and the best λ there."""
    r = np.corrcoef(result.grid.damage_small, result.grid.best_lam)[0, 1]
    return {"worst": float(result.maps[0].max()), "clean": float(result.clean_errors[0]),
            "lam": float(result.lams[0]), "r": float(r)}


def live_numbers(result: HeatmapResult) -> str:
    n = damage_and_best_lam(result)
    lam = _signed(n["lam"])
    return (f"**In numbers, for this seed.** At λ = {lam} the worst poison location gives "
            f"{n['worst']:.1%} validation error against {n['clean']:.1%} clean; across the grid, the "
            f"damage a location does at λ = {lam} and the best λ there correlate with r = {n['r']:.2f}.")


# --- the shipped MNIST curves (Fig. 2) ------------------------------------------------------


def at(reference: pd.DataFrame, mode: str, poisons: int, column: str) -> float:
    """One number of the averaged reference: ``column`` for ``mode`` after ``poisons`` poisons."""
    rows = reference[(reference.mode_key == mode) & (reference.poisons == poisons)]
    return float(rows[column].iloc[0])


def curve(reference: pd.DataFrame, mode: str, column: str) -> np.ndarray:
    """``column`` along the poisons for one way of setting λ."""
    return reference[reference.mode_key == mode].sort_values("poisons")[column].to_numpy()


def rises_every_batch(reference: pd.DataFrame, mode: str) -> bool:
    return bool(np.all(np.diff(curve(reference, mode, "test_error")) > 0))


def reference_note() -> str:
    """Where the shipped curves come from, and how they fall short of the paper's."""
    splits = "one data split" if mnist.REFERENCE_SEEDS == 1 else f"{mnist.REFERENCE_SEEDS} data splits"
    return (f"The shipped curves come from `{mnist.REFERENCE_COMMAND}`: {splits} and "
            f"{mnist.REFERENCE_STEPS} hyperiterations per batch — the paper averages {PAPER_SPLITS} splits "
            f"with {mnist.T_POISON} steps, hours on a shared CPU.")


def shipped_curves(reference: pd.DataFrame | None) -> str:
    """The shipped curves' story in numbers (empty without them)."""
    if reference is None:
        return ""
    last = int(reference.poisons.max())
    err = {m: (at(reference, m, 0, "test_error"), at(reference, m, last, "test_error")) for m in mnist.MODES}
    lam = at(reference, "learned", 0, "lam"), at(reference, "learned", last, "lam")
    norm = at(reference, "learned", 0, "w_norm2"), at(reference, "learned", last, "w_norm2")
    text = (f"**In the shipped curves** (0 → {last} poisons): test error goes from {err['small'][0]:.1%} to "
            f"{err['small'][1]:.1%} with λ = {_signed(mnist.LAM_SMALL)} and from {err['cv'][0]:.1%} to "
            f"{err['cv'][1]:.1%} with the cross-validated λ; the learned λ keeps it at {err['learned'][1]:.1%}, "
            f"while rising from {lam[0]:.2f} to {lam[1]:.2f} as ‖w‖² falls from {norm[0]:.2f} to {norm[1]:.2f}. "
            f"λ = log 200 is stable ({err['large'][0]:.1%} → {err['large'][1]:.1%}) but underfits clean data.")
    if err["learned"][1] > err["large"][1]:
        splits = "one split" if mnist.REFERENCE_SEEDS == 1 else f"{mnist.REFERENCE_SEEDS} splits"
        text += (f" Unlike the paper, here the learned λ ends *above* the large-λ error ({err['learned'][1]:.1%} "
                 f"vs {err['large'][1]:.1%} at {last} poisons): {splits} and {mnist.REFERENCE_STEPS} steps per "
                 f"batch (the paper: {PAPER_SPLITS} splits, {mnist.T_POISON} steps) may explain it — we have not "
                 f"measured whether more close the gap.")
    else:
        text += " As in the paper, the learned λ ends at or below the large-λ error."
    return text


def fixed_lambda_notice(reference: pd.DataFrame | None) -> str:
    """The 'what to notice' bullet on MNIST: a fixed λ lets the error climb, the learned one
    follows the attack."""
    if reference is None:
        climb = "let the error climb as poisons are added"
    else:
        climbs = []
        for mode in ("small", "cv"):
            errors, poisons = curve(reference, mode, "test_error"), curve(reference, mode, "poisons")
            text = f"{errors[0]:.1%} → {errors[-1]:.1%}"
            if not rises_every_batch(reference, mode):  # say where it peaked rather than hide the dip
                text += f" (not at every batch: {errors.max():.1%} at {int(poisons[errors.argmax()])} poisons)"
            climbs.append(text)
        how = "with every batch of poisons" if all(rises_every_batch(reference, m) for m in ("small", "cv")) else \
            "as poisons are added"
        climb = f"let the error climb {how}: {climbs[0]} and {climbs[1]} in the shipped curves"
    return (f"**On MNIST a fixed λ misleads.** λ = {_signed(mnist.LAM_SMALL)}, and even the λ that cross-validation "
            f"picks on clean data, {climb}; the learned λ grows with the attack and holds the error down — at "
            f"the cost of a smaller ‖w‖².")
