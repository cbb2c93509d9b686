"""Lesson 4's explorer chart: its control offers the run's grid, with a bounded
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


def test_the_regions_explorer_draws_poisons_as_the_panels_do_and_clips_them_to_the_plot():
    # Issue 27: the explorer's poisons were small crosses lost on the fill, in colours unlike the panels above,
    # and a far one was drawn outside the plot. Third-class poisons get their own colour.
    ticks = np.linspace(-5, 5, 20)
    g1, g2 = np.meshgrid(ticks, ticks)
    grid = pd.concat([pd.DataFrame({"r": r, "x1": g1.ravel(), "x2": g2.ravel(), "predicted": (g1.ravel() > 0) * 1})
                      for r in (1.0, 6.0)])
    points = pd.DataFrame({"r": [1.0, 1.0, 6.0], "x1": [0.5, 1.0, 8.0], "x2": [0.0, 1.0, 8.0], "label": [0, 2, 2],
                           "kind": ["clean", "poison", "poison"]})
    spec = charts.regions_by_r(grid, points).to_dict()
    heat, clean, poisons = spec["layer"][:3]
    assert poisons["mark"] == {"type": "point", "shape": "diamond", "filled": True, "size": 120, "stroke": "black",
                               "strokeWidth": 1.5, "clip": True}
    assert clean["mark"]["clip"] is True
    scale = heat["encoding"]["color"]["scale"]
    assert scale["domain"] == ["class 0", "class 1", "class 2"] and scale["range"] == charts.CLASS_COLORS.range
    assert poisons["encoding"]["color"]["scale"] == scale == clean["encoding"]["color"]["scale"]
    import vl_convert

    legends = vl_convert.vegalite_to_vega(spec).get("legends") or []
    assert [legend["title"] for legend in legends] == ["predicted class, label"]  # the classes' colours, once
