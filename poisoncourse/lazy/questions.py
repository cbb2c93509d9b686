"""Lesson 5's predictions (kit/predict.py): one before Part 1's single-step result, one before Part 2's
robust accuracy; each answered by the run on screen. ``expected`` is the default run's answer
(tests/lazy/test_questions.py)."""

from __future__ import annotations

import math

from ..kit.predict import Question, direction
from .experiment import LazyResult

GROWS, STAYS, SHRINKS = "it grows", "it stays about the same", "it shrinks"
MORE, SAME, LESS = "more robust", "about as robust", "less robust"
RATIO = 1.25  # a change by less than this factor is "about the same"
ACCURACY_MARGIN = 0.05  # robust accuracies closer than this (10 test images in 200) are "about as robust"


def _by_value(result: LazyResult, column: str):
    return result.summary.set_index("value")[column].sort_index()


def step_with_d(result: LazyResult) -> str | None:
    if result.config.sweep != "size" or len(result.summary) < 2:
        return None
    rel = _by_value(result, "delta_rel")
    return direction(math.log(rel.iloc[-1] / rel.iloc[0]), math.log(RATIO), (GROWS, STAYS, SHRINKS))


def _step_why(result: LazyResult) -> str:
    s = result.summary.sort_values("value")
    return (f"Mean smallest flipping step ‖δ‖/‖x‖: {s.delta_rel.iloc[0]:.3f} at d = {s.d.iloc[0]:,}, "
            f"{s.delta_rel.iloc[-1]:.3f} at d = {s.d.iloc[-1]:,}. A lazy network stays close to its random start, "
            "where the gradient spreads over every input dimension: one step along it flips the output with "
            "‖δ‖ of order ‖x‖/√d — the more pixels, the smaller the share each must move.")


STEP = Question(
    key="step_with_d",
    ask="Part 1 trains lazy networks on ever larger images. **As the input dimension d grows, what happens to the "
        "smallest single step ‖δ‖/‖x‖ that flips a test image?**",
    choices=(GROWS, STAYS, SHRINKS),
    truth=step_with_d,
    why=_step_why,
    next="sweep the lazy radius C₀ instead of d: does a larger radius make the flipping step larger?",
    expected=SHRINKS,
    because="The paper's Theorem (lazy regime, random-feature-like networks): a single gradient step of size "
            "about ‖x‖/√d flips the output, so relative to the input the attack needed shrinks like 1/√d.",
    wrong={STAYS: "expecting robustness to be a property of the task, not of the input's dimension",
           GROWS: "thinking more pixels make an image harder to change (they make each pixel's share smaller)"},
    cannot="Sweep the image size d (the default) to see the step against d.",
)


def robust_with_radius(result: LazyResult) -> str | None:
    if result.config.sweep != "radius" or len(result.summary) < 2:
        return None
    acc = _by_value(result, "robust_accuracy")
    return direction(acc.iloc[-1] - acc.iloc[0], ACCURACY_MARGIN, (MORE, SAME, LESS))


def _robust_why(result: LazyResult) -> str:
    acc = _by_value(result, "robust_accuracy")
    return (f"Mean robust accuracy: {acc.iloc[0]:.3f} at C₀ = {acc.index[0]:g}, {acc.iloc[-1]:.3f} at "
            f"C₀ = {acc.index[-1]:g}. Kept within a small radius of its random start, the network stays lazy and "
            "adversarial training cannot make it robust; given room to move, its features adapt to the attack.")


ROBUST = Question(
    key="robust_with_radius",
    ask="Part 2 trains adversarially, each network's rows kept within a radius C₀/√m of their start. **Will a "
        "larger lazy radius C₀ make the network more or less robust?**",
    choices=(MORE, SAME, LESS),
    truth=robust_with_radius,
    why=_robust_why,
    next="sweep the budget ε instead at a small C₀: is the lazy network robust to any ε?",
    expected=MORE,
    because="The paper's title: adversarial robustness is at odds with lazy training — robustness needs the "
            "weights to move far from initialization (its Fig. 3: robust accuracy rises with C₀).",
    wrong={LESS: "the belief that keeping the weights small (a constraint) always regularizes towards robustness",
           SAME: "thinking adversarial training alone decides robustness, whatever the network may learn"},
    cannot="Sweep the lazy radius C₀ (the default) to see robust accuracy against it.",
)

QUESTIONS = (STEP, ROBUST)
