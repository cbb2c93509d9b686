"""Lesson 5's explorer chart: its slider binds a range input over the run's grid, with a bounded
amount of data (tests/kit/test_explore.py checks the slider itself)."""

import numpy as np
import pandas as pd

from poisoncourse.lazy import charts
from tests.kit.test_explore import bound_inputs


def test_the_distances_explorer_binds_a_slider():
    rows = pd.DataFrame({"value": np.repeat([1.0, 4.0, 10.0], 256), "seed": 0,
                         "distance": np.random.default_rng(0).random(768), "radius": np.repeat([0.1, 0.4, 1.0], 256)})
    assert bound_inputs(charts.distances_by_radius(rows))


def test_log_axes_label_1_2_3_and_5_of_every_decade_not_only_its_first_ticks():
    rows = pd.DataFrame({"rule": ["a"] * 4, "lazy_radius": [0.5, 1.0, 10.0, 15.0], "seed": 0,
                         "grad_norm": [9.8, 9.9, 11.0, 11.3], "eta": [0.005, 0.006, 0.02, 0.022],
                         "delta_rel": [0.05, 0.06, 0.23, 0.25]})
    for chart in (charts.quantities_by_rule(rows, x="lazy_radius", x_title="C₀"),
                  charts.lazy_scaling(None, reference=rows.assign(d=[25, 49, 196, 784], width=100,
                                                                  **{f"{q}_{e}": rows[q] for q in charts.LAZY_QUANTITIES
                                                                     for e in ("min", "max")}), guides=False)):
        axes = [enc["axis"] for panel in chart.to_dict()["hconcat"] for layer in panel["layer"]
                for enc in layer.get("encoding", {}).values() if isinstance(enc, dict) and "axis" in enc]
        assert axes and all(a["labelExpr"] == charts.LOG_LABELS for a in axes if "labelExpr" in a)
        assert sum("labelExpr" in a for a in axes) >= 3  # every panel's log y axis
