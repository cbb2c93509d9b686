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


def bound_inputs(chart) -> list[dict]:
    """The chart's controls that run in the browser: range sliders and radio rows."""
    spec = chart.to_dict()
    return [p["bind"] for p in spec.get("params", []) if p.get("bind", {}).get("input") in ("range", "radio")]


def rows_shipped(chart) -> int:
    return sum(len(v) for v in chart.to_dict().get("datasets", {}).values())


def test_an_even_grid_gets_a_slider_whose_positions_are_exactly_its_values():
    data = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0, 5.0], "e": [0.1, 0.2, 0.3, 0.4, 0.5]})
    for field in ("v", "e"):
        _, param, _ = explore.slider(data, field, name="v", label="v")
        bind = param.param.bind.to_dict()
        assert bind["input"] == "range" and (bind["min"], bind["max"]) == (data[field].min(), data[field].max())
        positions = bind["min"] + bind["step"] * np.arange(round((bind["max"] - bind["min"]) / bind["step"]) + 1)
        assert np.allclose(positions, data[field])


def test_an_uneven_grid_offers_exactly_its_values_and_no_other():
    # Issue 27: a slider over θ = 0, 0.125, …, 4 stopped at 0.875 while the chart drew θ = 1.
    data = pd.DataFrame({"v": [0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0]})
    _, param, _ = explore.slider(data, "v", name="v", label="θ")
    bind = param.param.bind.to_dict()
    assert bind["input"] == "radio" and bind["options"] == list(data.v)
    assert [label.strip() for label in bind["labels"]] == ["0", "0.125", "0.25", "0.5", "1", "2", "4"]
    assert param.param.value in list(data.v)


def test_a_run_with_nothing_to_explore_gets_a_note_not_an_error():
    chart = explore.or_note(explore.slider, pd.DataFrame({"v": []}), "v", name="v", label="v")
    assert "Nothing to explore" in str(chart.to_dict())
