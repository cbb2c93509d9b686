"""Lesson 1's predictions (kit/predict.py): asked before the live curves, answered by them.

Each ``truth`` reads the run the page draws, so a student who changes the regime, the widths or
the stopping rule is judged against what their own run shows. ``expected`` is the answer of the
default run; tests/width/test_questions.py holds it to the default run and the truths to results
where the answer differs.
"""

from __future__ import annotations

import pandas as pd

from ..kit.predict import Question, direction, where_extreme
from . import experiment

NARROWEST, MIDDLE, WIDEST = "the narrowest width", "a width in between", "the widest width"
MORE, SAME, LESS = "more of them", "about the same share", "fewer of them"
FIT_MARGIN = 0.05  # a change in fitted share below this is "about the same" (25 of 500 labels)


def _curve(result: experiment.WidthResult, column: str) -> pd.Series:
    """The poisoned networks' mean ``column`` per width (the clean ones' when nothing is poisoned)."""
    s = result.summary
    variant = "poisoned" if (s.variant == "poisoned").any() else "clean"
    return s[s.variant == variant].sort_values("width").set_index("width")[f"mean_{column}"]


def best_width(result: experiment.WidthResult) -> str | None:
    return where_extreme(_curve(result, result.accuracy_column), (NARROWEST, MIDDLE, WIDEST))


def _best_why(result: experiment.WidthResult) -> str:
    acc = _curve(result, result.accuracy_column)
    return (f"Mean test accuracy of the poisoned networks: {acc.iloc[0]:.3f} at m = {acc.index[0]:,}, "
            f"{acc.max():.3f} at best (m = {acc.idxmax():,}), {acc.iloc[-1]:.3f} at m = {acc.index[-1]:,}. "
            "A width that is too small cannot learn the digits; one that is very wide can also learn the poison. "
            "Whether the widest loses depends on how long it trains and when it is stopped — the next section "
            "shows why.")


BEST_WIDTH = Question(
    key="best_width",
    ask="Under the poisoning set above, **which width will score the highest test accuracy** (the poisoned "
        "networks' curve)?",
    choices=(NARROWEST, MIDDLE, WIDEST),
    truth=best_width,
    why=_best_why,
    next="set early stopping to *none* (the network after the last epoch) and train again: does the best width move?",
    expected=MIDDLE,
    because="The paper's Fig. 3: under poisoning, test accuracy against width is an inverted U — too narrow "
            "underfits, too wide fits the poison. At the default run's scale the peak sits between the extremes.",
    wrong={WIDEST: "the clean-data folklore “wider is always better”, carried over to poisoned data",
           NARROWEST: "the belief that a small network cannot be fooled because it cannot memorize — it cannot "
                      "learn the digits either"},
    cannot="Choose three widths or more to see where the curve peaks.",
)


def fits_more(result: experiment.WidthResult) -> str | None:
    s = result.summary
    if not (s.variant == "poisoned").any():
        return None
    fit = _curve(result, "fit")
    return direction(fit.iloc[-1] - fit.iloc[0], FIT_MARGIN, (MORE, SAME, LESS))


def _fit_why(result: experiment.WidthResult) -> str:
    fit = _curve(result, "fit")
    return (f"Share of their own (poisoned) training labels the networks fit at the end: {fit.iloc[0]:.2f} at "
            f"m = {fit.index[0]:,}, {fit.iloc[-1]:.2f} at m = {fit.index[-1]:,}. Fitting a flipped label means "
            "memorizing it: capacity that grows with width goes into the poison.")


FITS_MORE = Question(
    key="fits_more",
    ask="Compared with the narrowest network, will the widest one **fit more or fewer of its poisoned training "
        "labels** by the end of training?",
    choices=(MORE, SAME, LESS),
    truth=fits_more,
    why=_fit_why,
    next="lower the epochs to 10 and train again: does the widest network still memorize the flips?",
    expected=MORE,
    because="Memorization grows with capacity: a wide network interpolates its training set, flipped labels "
            "included — the mechanism behind the fall at large width (the paper's upper bound on m).",
    wrong={SAME: "the belief that SGD ignores labels that disagree with the rest (it does early in training, "
                 "not at the end)",
           LESS: "confusing a better test score with fitting the training labels"},
    cannot="Choose a poisoning regime (A, B or C): without poison there are no poisoned labels to fit.",
)

QUESTIONS = (BEST_WIDTH, FITS_MORE)
