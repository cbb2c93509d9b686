"""Lesson 3's explorer chart: its slider binds a range input over the run's grid, with a bounded
amount of data (tests/kit/test_explore.py checks the slider itself)."""

import numpy as np
import pandas as pd
import pytest

from poisoncourse.core.charts import MAX_ROWS
from poisoncourse.kit import explore
from poisoncourse.neurotron import charts
from tests.kit.test_explore import bound_ranges, rows_shipped


@pytest.mark.parametrize("n_values", [1, 7])
def test_the_convergence_explorer_handles_one_or_many_values(n_values):
    values = [0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0][:n_values]
    curves = pd.DataFrame([dict(algorithm=a, value=v, seed=s, iteration=t, log10_error=-t / 100 * (1 - v / 5))
                           for a in ("Neuro-Tron", "SGD") for v in values for s in (0, 1) for t in range(0, 2001, 10)])
    curves.loc[0, "log10_error"] = np.nan  # a diverged point is left out, not drawn
    chart = charts.error_curves_by_value(curves, value_title="θ", name="theta")
    assert bound_ranges(chart) and rows_shipped(chart) <= MAX_ROWS


def test_a_run_with_nothing_finite_gets_a_note_not_an_error():
    curves = pd.DataFrame({"algorithm": ["SGD"], "value": [1.0], "seed": [0], "iteration": [0],
                           "log10_error": [np.nan]})
    chart = explore.or_note(charts.error_curves_by_value, curves, value_title="θ", name="theta")
    assert "Nothing to explore" in str(chart.to_dict())
