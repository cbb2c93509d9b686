"""Lesson 5's explorer chart: its slider binds a range input over the run's grid, with a bounded
amount of data (tests/kit/test_explore.py checks the slider itself)."""

import numpy as np
import pandas as pd

from poisoncourse.lazy import charts
from tests.kit.test_explore import bound_ranges


def test_the_distances_explorer_binds_a_slider():
    rows = pd.DataFrame({"value": np.repeat([1.0, 4.0, 10.0], 256), "seed": 0,
                         "distance": np.random.default_rng(0).random(768), "radius": np.repeat([0.1, 0.4, 1.0], 256)})
    assert bound_ranges(charts.distances_by_radius(rows))
