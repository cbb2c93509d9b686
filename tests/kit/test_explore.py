"""The slider charts: every grid value is reachable, and each chart ships a bound range input
with a bounded amount of data (the page must stay light)."""

import numpy as np
import pandas as pd
import pytest

from poisoncourse.core.charts import MAX_ROWS
from poisoncourse.kit import explore


def test_each_grid_value_owns_the_slider_positions_nearest_to_it():
    iv = explore.nearest_intervals([0, 0.125, 0.25, 0.5, 1, 2, 4])
    assert iv[0.125] == (0.0625, 0.1875) and iv[4.0][0] == 3.0
    # The intervals tile the slider: every position selects exactly one value.
    for x in np.linspace(0, 4, 401):
        assert sum(lo <= x < hi for lo, hi in iv.values()) == 1


def bound_ranges(chart) -> list[dict]:
    spec = chart.to_dict()
    return [p["bind"] for p in spec.get("params", []) if p.get("bind", {}).get("input") == "range"]


def rows_shipped(chart) -> int:
    return sum(len(v) for v in chart.to_dict().get("datasets", {}).values())


def test_width_explorer_slides_over_the_epochs():
    rng = np.random.default_rng(0)
    curves = pd.DataFrame([dict(variant=v, width=w, seed=s, epoch=e, test_accuracy=rng.random())
                           for v in ("clean", "poisoned") for w in (2, 8, 32) for s in (0, 1) for e in range(1, 11)])
    chart = explore.width_by_epoch(curves)
    (bind,) = bound_ranges(chart)
    assert (bind["min"], bind["max"], bind["step"]) == (1, 10, 1)


def test_regularization_explorer_stays_light_at_a_fine_grid():
    lams, maps = np.linspace(-8, 6, 15), np.random.default_rng(0).random((15, 60, 60))
    chart = explore.error_map_by_lam(lams, maps, box=10.0)
    assert bound_ranges(chart) and rows_shipped(chart) <= MAX_ROWS


@pytest.mark.parametrize("n_values", [1, 7])
def test_neurotron_explorer_handles_one_or_many_values(n_values):
    values = [0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0][:n_values]
    curves = pd.DataFrame([dict(algorithm=a, value=v, seed=s, iteration=t, log10_error=-t / 100 * (1 - v / 5))
                           for a in ("Neuro-Tron", "SGD") for v in values for s in (0, 1) for t in range(0, 2001, 10)])
    curves.loc[0, "log10_error"] = np.nan  # a diverged point is left out, not drawn
    chart = explore.error_curves_by_value(curves, value_title="θ", name="theta")
    assert bound_ranges(chart) and rows_shipped(chart) <= MAX_ROWS


def test_labelnoise_and_lazy_explorers_bind_a_slider():
    ticks = np.linspace(-5, 5, 60)
    g1, g2 = np.meshgrid(ticks, ticks)
    grid = pd.concat([pd.DataFrame({"r": r, "x1": g1.ravel(), "x2": g2.ravel(), "predicted": (g1.ravel() > r) * 1})
                      for r in (1.0, 3.0, 6.0)])
    points = pd.DataFrame({"r": [1.0, 3.0, 6.0], "x1": [0, 1, 2], "x2": [0, 1, 2], "label": [0, 1, 0],
                           "kind": ["clean", "poison", "clean"]})
    chart = explore.regions_by_r(grid, points)
    assert bound_ranges(chart) and rows_shipped(chart) <= MAX_ROWS
    rows = pd.DataFrame({"value": np.repeat([1.0, 4.0, 10.0], 256), "seed": 0,
                         "distance": np.random.default_rng(0).random(768), "radius": np.repeat([0.1, 0.4, 1.0], 256)})
    assert bound_ranges(explore.distances_by_radius(rows))


def test_the_largest_grid_value_is_reachable_whatever_the_step():
    data = pd.DataFrame({"v": [0.0, 100.0, 100.1]})
    _, param, _ = explore.slider(data, "v", name="v", label="v")
    bind = param.param.bind.to_dict()
    positions = np.arange(bind["min"], bind["max"] + bind["step"] / 2, bind["step"])
    iv = explore.nearest_intervals(data.v)
    assert {v for v, (lo, hi) in iv.items() for x in positions if lo <= x < hi} == {0.0, 100.0, 100.1}


def test_a_run_with_nothing_finite_gets_a_note_not_an_error():
    curves = pd.DataFrame({"algorithm": ["SGD"], "value": [1.0], "seed": [0], "iteration": [0],
                           "log10_error": [np.nan]})
    chart = explore.or_note(explore.error_curves_by_value, curves, value_title="θ", name="theta")
    assert "Nothing to explore" in str(chart.to_dict())
