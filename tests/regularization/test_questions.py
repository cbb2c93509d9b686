"""Lesson 2's predictions (regularization/questions.py): read from the heatmaps on screen — the default
run gives the guide's answers, and heatmaps that differ give another verdict."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from poisoncourse.kit import predict
from poisoncourse.regularization import experiment as regularization
from poisoncourse.regularization import questions as Q

POINTS = pd.DataFrame({"x1": [-3.0, -3.0, 3.0, 3.0], "x2": [0.0] * 4, "split": ["training"] * 4,
                       "label": ["class 0", "class 0", "class 1", "class 1"]})


def _result(damage_at, best_lam_where_damaged=0.0):
    x1 = np.linspace(-9, 9, 19)
    damage = np.where(np.abs(x1 - damage_at) < 1.5, 0.1, 0.0)
    grid = pd.DataFrame({"x1": x1, "x2": 0.0, "damage_small": damage,
                         "best_lam": np.where(damage > 0, best_lam_where_damaged, -3.0)})
    return SimpleNamespace(grid=grid, points=POINTS, config=SimpleNamespace(poison_label=0))


@pytest.fixture(scope="module")
def default():
    return regularization.run(regularization.HeatmapConfig(device="cpu"))


def test_predict_l2_the_default_run_gives_the_guides_answers(default):
    for q in Q.QUESTIONS:
        assert q.truth(default) == q.expected, q.key


def test_predict_l2_where_the_poison_hurts_follows_the_heatmap_on_screen():
    assert Q.where_worst(_result(6.0)) == Q.OTHER
    assert Q.where_worst(_result(0.0)) == Q.BOUNDARY
    assert Q.where_worst(_result(-4.0)) == Q.OWN
    assert predict.judge(Q.WHERE, Q.OTHER, _result(6.0)).right and not predict.judge(Q.WHERE, Q.OTHER, _result(0.0)).right
    assert Q.where_worst(_result(99.0)) is None  # no damage anywhere


def test_predict_l2_the_best_lambda_follows_heatmap_b_on_screen():
    assert Q.best_lam_where_damage(_result(6.0, best_lam_where_damaged=0.0)) == Q.LARGER
    assert Q.best_lam_where_damage(_result(6.0, best_lam_where_damaged=-3.0)) == Q.SAME
    assert Q.best_lam_where_damage(_result(6.0, best_lam_where_damaged=-6.0)) == Q.SMALLER
