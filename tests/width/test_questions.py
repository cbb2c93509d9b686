"""Lesson 1's predictions (width/questions.py): each answer read from the run on screen — the default
run gives the guide's expected answer, and a run whose curve differs gives another verdict."""

from types import SimpleNamespace

import pandas as pd
import pytest

from poisoncourse.kit import predict
from poisoncourse.width import experiment as W
from poisoncourse.width import questions as Q


def _result(poisoned_acc, fit, widths=(2, 32, 2048)):
    rows = [{"variant": "poisoned", "width": w, "mean_stopped_poisoned_val": a, "mean_fit": f}
            for w, a, f in zip(widths, poisoned_acc, fit)]
    rows += [{"variant": "clean", "width": w, "mean_stopped_poisoned_val": 0.9, "mean_fit": 1.0} for w in widths]
    return SimpleNamespace(summary=pd.DataFrame(rows), accuracy_column="stopped_poisoned_val")


@pytest.fixture(scope="module")
def default():
    return W.run(W.WidthConfig())


def test_predict_l1_the_default_run_gives_the_guides_answers(default):
    for q in Q.QUESTIONS:
        assert q.truth(default) == q.expected, (q.key, default.summary.round(3).to_dict("list"))


def test_predict_l1_best_width_follows_the_curve_on_screen():
    peak, rising = _result((0.6, 0.8, 0.7), (0.5, 0.8, 1.0)), _result((0.6, 0.7, 0.8), (0.5, 0.8, 1.0))
    assert Q.best_width(peak) == Q.MIDDLE and Q.best_width(rising) == Q.WIDEST
    assert predict.judge(Q.BEST_WIDTH, Q.MIDDLE, peak).right and not predict.judge(Q.BEST_WIDTH, Q.MIDDLE, rising).right
    assert "0.800 at best (m = 32)" in Q.BEST_WIDTH.why(peak)
    assert Q.best_width(_result((0.6, 0.7), (0.5, 0.8), widths=(2, 8))) is None  # two widths: no interior


def test_predict_l1_fits_more_follows_the_fit_on_screen():
    assert Q.fits_more(_result((0.6, 0.8, 0.7), (0.5, 0.8, 1.0))) == Q.MORE
    assert Q.fits_more(_result((0.6, 0.8, 0.7), (0.5, 0.5, 0.52))) == Q.SAME
    clean_only = SimpleNamespace(summary=_result((0.6, 0.8, 0.7), (0.5, 0.8, 1.0)).summary.query("variant == 'clean'"),
                                 accuracy_column="stopped_poisoned_val")
    assert Q.fits_more(clean_only) is None and "regime" in Q.FITS_MORE.cannot
