"""Lesson 3's predictions (neurotron/questions.py): read from the run on screen — the default run gives
the guide's answers, and a run whose errors differ gives another verdict."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from poisoncourse.kit import predict
from poisoncourse.neurotron import experiment as nt
from poisoncourse.neurotron import panels
from poisoncourse.neurotron import questions as Q


def _result(tron, sgd=None, values=(0.0, 0.5, 1.0, 2.0), sweep="theta"):
    rows = [{"algorithm": Q.NEUROTRON, "value": v, "median_log10_error": e} for v, e in zip(values, tron)]
    rows += [{"algorithm": Q.SGD, "value": v, "median_log10_error": e} for v, e in zip(values, sgd or ())]
    return SimpleNamespace(config=SimpleNamespace(sweep=sweep), summary=pd.DataFrame(rows))


@pytest.fixture(scope="module")
def default():
    return nt.run(panels.live_defaults("normal", "theta"), max_seconds=nt.LIVE_MAX_SECONDS)


def test_predict_l3_the_default_run_gives_the_guides_answers(default):
    assert abs(Q.doubling_factor(default) - float(Q.DOUBLING.expected)) <= Q.DOUBLING.tolerance
    assert Q.closer_at_largest(default) == Q.CLOSER.expected


def test_predict_l3_the_doubling_factor_is_measured_on_the_run_on_screen():
    linear = _result((-12, -2.0, -2.0 + np.log10(2), -2.0 + 2 * np.log10(2)))
    flat = _result((-12, -2.0, -2.0, -2.0))
    assert Q.doubling_factor(linear) == pytest.approx(2.0)
    assert Q.doubling_factor(flat) == pytest.approx(1.0)
    assert predict.judge(Q.DOUBLING, "2", linear).right and not predict.judge(Q.DOUBLING, "2", flat).right
    assert Q.doubling_factor(_result((-2, -1.9), values=(0.1, 0.3))) is None  # no pair one twice the other
    assert Q.doubling_factor(_result((-2, -1.9), values=(0.1, 0.2), sweep="beta")) is None


def test_predict_l3_the_closer_algorithm_follows_the_run_on_screen():
    assert Q.closer_at_largest(_result((-3, -2, -1.5, -1.0), (-3, -2, -1.7, -1.3))) == Q.SGD_WINS
    assert Q.closer_at_largest(_result((-3, -2, -1.5, -1.0), (-3, -2, -1.2, -0.2))) == Q.TRON_WINS
    assert Q.closer_at_largest(_result((-3, -2, -1.5, -1.0), (-3, -2, -1.5, -1.02))) == Q.TIE
    assert Q.closer_at_largest(_result((-3, -2, -1.5, -1.0))) is None
