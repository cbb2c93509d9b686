"""Lesson 5's predictions (lazy/questions.py): read from the run on screen — the default runs give the
guide's answers, and runs that differ give another verdict."""

from types import SimpleNamespace

import pandas as pd
import pytest

import poisoncourse.lazy.experiment as lazy
from poisoncourse.kit import predict
from poisoncourse.lazy import questions as Q


def _result(sweep, **columns):
    n = len(next(iter(columns.values())))
    return SimpleNamespace(config=SimpleNamespace(sweep=sweep),
                           summary=pd.DataFrame({"value": range(1, n + 1), "d": [49 * 4 ** i for i in range(n)],
                                                 **columns}))


@pytest.fixture(scope="module")
def robust_default():
    return lazy.run(lazy.LazyConfig.phase())


@pytest.fixture(scope="module")
def step_default():
    return lazy.run(lazy.LazyConfig.single_step())


def test_predict_l5_the_default_runs_give_the_guides_answers(robust_default, step_default):
    assert Q.robust_with_radius(robust_default) == Q.ROBUST.expected
    assert Q.step_with_d(step_default) == Q.STEP.expected


def test_predict_l5_robustness_against_the_radius_follows_the_run_on_screen():
    rising, flat = _result("radius", robust_accuracy=(0.2, 0.5, 0.9)), _result("radius", robust_accuracy=(0.5, 0.5, 0.52))
    assert Q.robust_with_radius(rising) == Q.MORE and Q.robust_with_radius(flat) == Q.SAME
    assert Q.robust_with_radius(_result("radius", robust_accuracy=(0.9, 0.5, 0.2))) == Q.LESS
    assert predict.judge(Q.ROBUST, Q.MORE, rising).right and not predict.judge(Q.ROBUST, Q.MORE, flat).right
    assert Q.robust_with_radius(_result("eps", robust_accuracy=(0.9, 0.5))) is None


def test_predict_l5_the_step_against_d_follows_the_run_on_screen():
    assert Q.step_with_d(_result("size", delta_rel=(0.2, 0.1, 0.05))) == Q.SHRINKS
    assert Q.step_with_d(_result("size", delta_rel=(0.1, 0.1, 0.11))) == Q.STAYS
    assert Q.step_with_d(_result("size", delta_rel=(0.05, 0.1, 0.2))) == Q.GROWS
    assert Q.step_with_d(_result("radius", delta_rel=(0.05, 0.1))) is None
