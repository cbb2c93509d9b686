"""Lesson 4's predictions (labelnoise/questions.py): read from the curve against r on screen — the default
run gives the guide's answers, and a curve that differs gives another verdict."""

from types import SimpleNamespace

import pandas as pd
import pytest

from poisoncourse.kit import predict
from poisoncourse.labelnoise import experiment as labelnoise
from poisoncourse.labelnoise import questions as Q


def _result(adv, nat=(0.97, 0.96, 0.95, 0.96)):
    return SimpleNamespace(summary=pd.DataFrame({"r": (0.0, 2.0, 4.0, 8.0), "mean_adversarial_accuracy": adv,
                                                 "mean_natural_accuracy": nat}))


@pytest.fixture(scope="module")
def default():
    return labelnoise.run(labelnoise.LabelNoiseConfig(device="cpu"))


def test_predict_l4_the_default_run_gives_the_guides_answers(default):
    for q in Q.QUESTIONS:
        assert q.truth(default) == q.expected, q.key


def test_predict_l4_the_most_harmful_distance_follows_the_curve_on_screen():
    dip, falling = _result((0.92, 0.85, 0.80, 0.88)), _result((0.92, 0.90, 0.88, 0.80))
    assert Q.most_harmful(dip) == Q.MIDDLE and Q.most_harmful(falling) == Q.FAR
    assert Q.most_harmful(_result((0.80, 0.85, 0.88, 0.90))) == Q.NEAR
    assert predict.judge(Q.HARM, Q.MIDDLE, dip).right and not predict.judge(Q.HARM, Q.MIDDLE, falling).right


def test_predict_l4_natural_against_adversarial_follows_the_curves_on_screen():
    assert Q.natural_vs_adversarial(_result((0.92, 0.85, 0.80, 0.88))) == Q.LESS
    assert Q.natural_vs_adversarial(_result((0.92, 0.91, 0.90, 0.91), nat=(0.97, 0.90, 0.85, 0.9))) == Q.MORE
    assert Q.natural_vs_adversarial(_result((0.92, 0.91, 0.90, 0.91), nat=(0.97, 0.96, 0.95, 0.96))) == Q.SAME
