"""Lesson 3's charts: the explorer's slider binds a range input over the run's grid, with a bounded amount
of data (tests/kit/test_explore.py checks the slider itself); and what a student reads on the charts."""

import json

import numpy as np
import pandas as pd
import pytest

from poisoncourse.core.charts import MAX_ROWS
from poisoncourse.kit import explore
from poisoncourse.neurotron import charts, experiment
from tests.kit.test_explore import bound_inputs, rows_shipped


@pytest.mark.parametrize("n_values", [1, 7])
def test_the_convergence_explorer_handles_one_or_many_values(n_values):
    values = [0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0][:n_values]
    curves = pd.DataFrame([dict(algorithm=a, value=v, seed=s, iteration=t, log10_error=-t / 100 * (1 - v / 5))
                           for a in ("Neuro-Tron", "SGD") for v in values for s in (0, 1) for t in range(0, 2001, 10)])
    curves.loc[0, "log10_error"] = np.nan  # a diverged point is left out, not drawn
    chart = charts.error_curves_by_value(curves, value_title="θ", name="theta")
    assert bound_inputs(chart) and rows_shipped(chart) <= MAX_ROWS


def test_a_run_with_nothing_finite_gets_a_note_not_an_error():
    curves = pd.DataFrame({"algorithm": ["SGD"], "value": [1.0], "seed": [0], "iteration": [0],
                           "log10_error": [np.nan]})
    chart = explore.or_note(charts.error_curves_by_value, curves, value_title="θ", name="theta")
    assert "Nothing to explore" in str(chart.to_dict())


# -- what a student reads on the charts (issue 27) -------------------------------------------------

def _curves(algorithms=("Neuro-Tron", "SGD", "SGD, authors' variant")):
    return pd.DataFrame([dict(algorithm=a, value=v, seed=0, iteration=t, log10_error=-t / 100 * (1 - v / 5))
                         for a in algorithms for v in (0.0, 0.125, 0.5) for t in range(0, 2001, 100)])


def _summary():
    rows = []
    for v, med in ((0.0, -15.0), (0.125, -2.3), (0.5, -1.7), (4.0, -0.8)):
        rows.append(dict(algorithm="Neuro-Tron", value=v, median_log10_error=med, min_log10_error=med - 0.08,
                         max_log10_error=med + 0.02))
    return pd.DataFrame(rows)


def test_the_iteration_axis_reads_0_not_0k():
    spec = json.dumps(charts.log_error_curves(_curves(), value_title="θ").to_dict())
    assert '"~s"' not in spec.replace("format(datum.value, '~s')", "")  # no axis-wide SI format (it gave "0k")
    assert charts.ITERATION_LABELS in spec


def test_three_panels_share_one_narrower_row_and_a_grid_draws_no_axis_under_an_empty_cell():
    # Issue 26: the reference's three algorithms in one row (two rows made the page 300 px taller); each
    # panel its own x axis, so a grid with an empty cell draws no axis under it.
    spec = charts.log_error_curves(_curves(), value_title="θ", seed_lines=False).to_dict()
    assert spec["columns"] == 3 and spec["spec"]["width"] == charts.THIRD_WIDTH
    assert spec["resolve"]["axis"]["x"] == "independent"
    two = charts.log_error_curves(_curves(("Neuro-Tron", "SGD")), value_title="θ", seed_lines=False).to_dict()
    assert two["columns"] == 2 and two["spec"]["width"] == charts.WIDTH


def test_the_final_error_axis_writes_each_swept_value_in_full_and_its_title_has_no_raw_underscore():
    spec = charts.final_error_summary(_summary(), value_title="θ", log_x=True).to_dict()
    axes = [x["axis"] for x in _find(spec, "x") if "axis" in x]
    assert axes and all(a["values"] == [0.0, 0.125, 0.5, 4.0] and a["labelExpr"] == "format(datum.value, '~g')"
                        for a in axes)
    titles = [y["title"] for y in _find(spec, "y") if "title" in y]
    assert titles and all("_" not in t for t in titles)


def _find(spec, channel):
    """Every encoding of ``channel`` in a (layered) spec."""
    found = [spec["encoding"][channel]] if channel in spec.get("encoding", {}) else []
    return found + [e for part in spec.get("layer", []) for e in _find(part, channel)]


def test_the_seed_bars_are_drawn_on_an_axis_that_leaves_them_room():
    chart = charts.final_error_summary(_summary(), value_title="θ", log_x=True)
    bars = chart.to_dict()["layer"][0]
    assert bars["mark"]["type"] == "errorbar" and bars["mark"]["ticks"] and bars["mark"]["thickness"] >= 2
    # θ = 0 ends at 10⁻¹⁵; the axis stops a decade below the lowest poisoned value, so a 0.1 range is visible …
    low, high = bars["encoding"]["y"]["scale"]["domain"]
    assert (low, high) == (-4.0, 0.0)
    assert 0.1 / (high - low) * charts.HEIGHT > 5  # … a bar of a tenth of a decade spans more than 5 pixels
    assert chart.to_dict()["title"]["text"].startswith("θ = 0 (no attack) ends far lower, near 10⁻¹⁵")


def test_no_attack_choice_shows_a_raw_code_name():
    assert all("_" not in label for label in experiment.ATTACKS.values())


def test_the_error_curves_name_their_attack_above_the_axis_note():
    # Issue 27: no live chart named its attack. Drawn by Vega (vl-convert): the title's first line is the attack,
    # the axis note (when there is one) its second.
    import vl_convert

    from poisoncourse.neurotron import experiment, panels

    config = experiment.NeurotronConfig.live()
    assert panels.attack_title(config) == "attack: ±θ alternating (the paper's experiments), β = 0.5"
    svg = vl_convert.vegalite_to_svg(charts.log_error_curves(_curves(), value_title="θ",
                                                             attack=panels.attack_title(config)).to_dict())
    assert "attack: ±θ alternating (the paper" in svg
