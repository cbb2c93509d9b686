"""Lesson 3's predictions (kit/predict.py): asked before the live error curves, answered by them.

``truth`` reads the run on screen: the swept θ values and each algorithm's median final error.
``expected`` is the default run's answer (tests/neurotron/test_questions.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..kit.predict import Question, direction
from . import experiment

NEUROTRON, SGD = experiment.ALGORITHMS["neurotron"], experiment.ALGORITHMS["sgd"]
TRON_WINS, SGD_WINS, TIE = "Neuro-Tron", "SGD (correct gradient)", "about the same (within a factor 1.2)"
TIE_FACTOR = 1.2


def _median(result: experiment.NeurotronResult, algorithm: str) -> pd.Series:
    s = result.summary
    return s[s.algorithm == algorithm].set_index("value")["median_log10_error"].sort_index()


def doubling_factor(result: experiment.NeurotronResult) -> float | None:
    """How many times larger Neuro-Tron's median final error is when θ doubles: the median over every
    pair of swept θ values one twice the other (None unless θ is swept and such a pair exists)."""
    if result.config.sweep != "theta":
        return None
    err = _median(result, NEUROTRON)
    pairs = [(v, 2 * v) for v in err.index if v > 0 and np.isclose(err.index, 2 * v).any()]
    if not pairs:
        return None
    at = lambda v: float(err[err.index[np.isclose(err.index, v)][0]])  # noqa: E731
    return float(np.median([10 ** (at(b) - at(a)) for a, b in pairs]))


def _doubling_why(result: experiment.NeurotronResult) -> str:
    err = _median(result, NEUROTRON)
    rows = ", ".join(f"θ = {v:g}: {10 ** e:.2g}" for v, e in err.items())
    return (f"Neuro-Tron's median final error ‖w(T) − w*‖ in this run — {rows}. The error floor grows in "
            "proportion to θ: the attack shifts every poisoned label by at most θ, and the update averages those "
            "shifts into w, so twice the shift leaves twice the floor (at θ = 0 the error keeps falling, towards rounding).")


DOUBLING = Question(
    key="doubling",
    ask="Each line below is one attack magnitude θ. **When θ doubles, by what factor does Neuro-Tron's final "
        "error grow?** (1 = it does not grow.)",
    truth=doubling_factor,
    why=_doubling_why,
    next="sweep β instead (one line per attack probability) with θ fixed: does the error grow as steadily?",
    expected="2",
    because="Theorem 1 bounds the error by a multiple of θ: in the live runs the floor is proportional to θ "
            "(each doubling of θ doubles it), as the paper's Table 1 measurements show over 40,000 iterations.",
    tolerance=0.5,
    unit="times",
    wrong={"1": "the belief that a provable algorithm is immune to the attack: the guarantee bounds the error, "
                "it does not remove it",
           "4 or more": "expecting the square-loss intuition (error ∝ θ²) or a runaway; the floor is linear in θ"},
    cannot="Sweep θ, with two values one twice the other (the default values are), to measure the factor.",
)


def closer_at_largest(result: experiment.NeurotronResult) -> str | None:
    algorithms = set(result.summary.algorithm)
    if not {NEUROTRON, SGD} <= algorithms:
        return None
    tron, sgd = _median(result, NEUROTRON), _median(result, SGD)
    gap = float(tron.iloc[-1] - sgd.iloc[-1])  # log10: positive → SGD is closer
    return direction(gap, np.log10(TIE_FACTOR), (SGD_WINS, TIE, TRON_WINS))


def _closer_why(result: experiment.NeurotronResult) -> str:
    tron, sgd = _median(result, NEUROTRON), _median(result, SGD)
    return (f"At the largest swept value ({tron.index[-1]:g}) the median final error is {10 ** tron.iloc[-1]:.2g} "
            f"for Neuro-Tron and {10 ** sgd.iloc[-1]:.2g} for SGD with the correct gradient. Neuro-Tron's guarantee "
            "is that it never fails, not that it beats SGD: where SGD converges it is often slightly closer; "
            "the paper's SGD baseline (a bug: every sample uses the first sample's gradient) hides this.")


CLOSER = Question(
    key="closer",
    ask="**At the strongest attack in the sweep, which algorithm ends closer to the teacher's weights w\\*?**",
    choices=(TRON_WINS, SGD_WINS, TIE),
    truth=closer_at_largest,
    why=_closer_why,
    next="add the authors' SGD to the algorithms and train again: which of the three is closest now?",
    expected=SGD_WINS,
    because="Measured here and in the lesson's notes: correct SGD, when it converges, ends slightly closer than "
            "Neuro-Tron; the paper's comparison used an SGD baseline with a bug that favours Neuro-Tron.",
    wrong={TRON_WINS: "trusting the paper's comparison, whose SGD baseline had a bug; a guarantee is not a ranking",
           TIE: "reading the two lines' shapes (parallel) rather than their levels"},
    cannot="Train Neuro-Tron and SGD (correct gradient) together to compare them.",
)

QUESTIONS = (DOUBLING, CLOSER)
