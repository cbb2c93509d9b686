"""Lesson 4's predictions (kit/predict.py): asked before the live curve of accuracy against the
poisons' distance r, answered by it. ``expected`` is the default run's answer
(tests/labelnoise/test_questions.py)."""

from __future__ import annotations

from ..kit.predict import Question, direction, where_extreme
from .experiment import LabelNoiseResult

NEAR, MIDDLE, FAR = "near the class mean (the smallest r)", "in between", "far from it (the largest r)"
LESS, SAME, MORE = "natural accuracy falls less", "about as much", "natural accuracy falls more"
DROP_MARGIN = 0.02  # drops closer than this (10 test points in 500) are "about as much"


def _mean(result: LabelNoiseResult, column: str):
    return result.summary.set_index("r")[f"mean_{column}"].sort_index()


def most_harmful(result: LabelNoiseResult) -> str | None:
    return where_extreme(_mean(result, "adversarial_accuracy"), (NEAR, MIDDLE, FAR), lowest=True)


def _harm_why(result: LabelNoiseResult) -> str:
    adv = _mean(result, "adversarial_accuracy")
    return (f"Mean adversarial accuracy: {adv.iloc[0]:.3f} at r = {adv.index[0]:g}, {adv.min():.3f} at the worst "
            f"(r = {adv.idxmin():g}), {adv.iloc[-1]:.3f} at r = {adv.index[-1]:g}. A poison close to the mean sits "
            "among points of the other label and is absorbed; one far away is fitted in a small pocket; in "
            "between, the network stretches its boundary to reach it, and the stretched boundary is easy to attack.")


HARM = Question(
    key="most_harmful",
    ask="The poisons are mislabeled points placed at distance r from their class's mean. **Which poisons will "
        "hurt adversarial accuracy most?**",
    choices=(NEAR, MIDDLE, FAR),
    truth=most_harmful,
    why=_harm_why,
    next="set the poisons' label to a third class and train again: same shape, higher or lower?",
    expected=MIDDLE,
    because="The thesis' Fig. 6: adversarial accuracy against r first falls, then rises — the harm comes from "
            "poisons the network must bend its boundary for, not from the densest or the farthest ones.",
    wrong={NEAR: "the belief that the points in the densest region matter most (they are absorbed)",
           FAR: "the belief that outliers do the most harm (the network carves a small pocket around them)"},
    cannot="Choose three values of r or more to see where the curve dips.",
)


def _drop(series) -> float:
    return float(series.iloc[0] - series.min())


def natural_vs_adversarial(result: LabelNoiseResult) -> str | None:
    if len(result.summary) < 2:
        return None
    nat, adv = _drop(_mean(result, "natural_accuracy")), _drop(_mean(result, "adversarial_accuracy"))
    return direction(nat - adv, DROP_MARGIN, (MORE, SAME, LESS))


def _natural_why(result: LabelNoiseResult) -> str:
    nat, adv = _drop(_mean(result, "natural_accuracy")), _drop(_mean(result, "adversarial_accuracy"))
    return (f"From the smallest r to the worst, natural accuracy falls by {nat:.3f} and adversarial accuracy by "
            f"{adv:.3f}. The poisons cost little on clean test points — the boundary still separates them — but "
            "the bent boundary passes closer to many of them, and an attack of size ε reaches across it.")


NATURAL = Question(
    key="natural_vs_adversarial",
    ask="**Will natural (unattacked) test accuracy fall as much as adversarial accuracy** across the poisons' "
        "distances?",
    choices=(LESS, SAME, MORE),
    truth=natural_vs_adversarial,
    why=_natural_why,
    next="train with PGD (adversarial training) and train again: which of the two curves moves?",
    expected=LESS,
    because="Sanyal et al. and the thesis: label noise that is fitted costs little natural accuracy and much "
            "robustness — benign overfitting is not benign for adversarial robustness.",
    wrong={SAME: "thinking a poison harms all accuracy alike",
           MORE: "confusing the attack at test time with the poisons at training time"},
    cannot="Choose two values of r or more.",
)

QUESTIONS = (HARM, NATURAL)
