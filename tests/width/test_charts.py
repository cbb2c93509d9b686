"""Lesson 1's explorer chart: its slider binds a range input over the run's grid, with a bounded
amount of data (tests/kit/test_explore.py checks the slider itself)."""

import numpy as np
import pandas as pd

from poisoncourse.width import charts
from tests.kit.test_explore import bound_inputs


def test_the_width_explorer_slides_over_the_epochs():
    rng = np.random.default_rng(0)
    curves = pd.DataFrame([dict(variant=v, width=w, seed=s, epoch=e, test_accuracy=rng.random())
                           for v in ("clean", "poisoned") for w in (2, 8, 32) for s in (0, 1) for e in range(1, 11)])
    chart = charts.width_by_epoch(curves)
    (bind,) = bound_inputs(chart)
    assert (bind["min"], bind["max"], bind["step"]) == (1, 10, 1)
