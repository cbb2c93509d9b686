"""Lesson 4's explorer chart: its slider binds a range input over the run's grid, with a bounded
amount of data (tests/kit/test_explore.py checks the slider itself)."""

import numpy as np
import pandas as pd

from poisoncourse.core.charts import MAX_ROWS
from poisoncourse.labelnoise import charts
from tests.kit.test_explore import bound_inputs, rows_shipped


def test_the_regions_explorer_binds_a_slider_and_stays_light():
    ticks = np.linspace(-5, 5, 60)
    g1, g2 = np.meshgrid(ticks, ticks)
    grid = pd.concat([pd.DataFrame({"r": r, "x1": g1.ravel(), "x2": g2.ravel(), "predicted": (g1.ravel() > r) * 1})
                      for r in (1.0, 3.0, 6.0)])
    points = pd.DataFrame({"r": [1.0, 3.0, 6.0], "x1": [0, 1, 2], "x2": [0, 1, 2], "label": [0, 1, 0],
                           "kind": ["clean", "poison", "clean"]})
    chart = charts.regions_by_r(grid, points)
    assert bound_inputs(chart) and rows_shipped(chart) <= MAX_ROWS
