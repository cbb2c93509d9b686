"""The slider charts' kit: every grid value is reachable, and a run with nothing to show gets a note.
(Each lesson's explorer chart is tested beside its lesson, tests/<lesson>/test_charts.py.)"""

import numpy as np
import pandas as pd

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


def test_the_largest_grid_value_is_reachable_whatever_the_step():
    data = pd.DataFrame({"v": [0.0, 100.0, 100.1]})
    _, param, _ = explore.slider(data, "v", name="v", label="v")
    bind = param.param.bind.to_dict()
    positions = np.arange(bind["min"], bind["max"] + bind["step"] / 2, bind["step"])
    iv = explore.nearest_intervals(data.v)
    assert {v for v, (lo, hi) in iv.items() for x in positions if lo <= x < hi} == {0.0, 100.0, 100.1}


def test_a_run_with_nothing_to_explore_gets_a_note_not_an_error():
    chart = explore.or_note(explore.slider, pd.DataFrame({"v": []}), "v", name="v", label="v")
    assert "Nothing to explore" in str(chart.to_dict())
