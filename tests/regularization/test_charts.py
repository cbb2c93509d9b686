"""Lesson 2's explorer chart: its slider binds a range input over the run's grid, with a bounded
amount of data (tests/kit/test_explore.py checks the slider itself)."""

import numpy as np
import pandas as pd

from poisoncourse.core.charts import MAX_ROWS
from poisoncourse.regularization import charts
from tests.kit.test_explore import bound_inputs, rows_shipped


def test_the_damage_map_explorer_stays_light_at_a_fine_grid():
    lams, maps = np.linspace(-8, 6, 15), np.random.default_rng(0).random((15, 60, 60))
    chart = charts.error_map_by_lam(lams, maps, box=10.0)
    assert bound_inputs(chart) and rows_shipped(chart) <= MAX_ROWS
