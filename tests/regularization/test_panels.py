"""What Lesson 2's page computes beyond one call: the forms' values become the configs it shows, a bad
value becomes one sentence, and the tables the charts combine keep their sources apart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from poisoncourse.core.errors import ConfigError
from poisoncourse.regularization import experiment as regularization
from poisoncourse.regularization import mnist as regularization_mnist
from poisoncourse.regularization import panels as regularization_panels
from poisoncourse.regularization import prose as regularization_prose


HEATMAP_FORM = dict(lam=-8.0, x1=1.5, x2=-2.0, label=1, steps=3, step_size=0.4, learn=True, lam_step=0.5,
                    resolution=5, lam_values=2, seed=3)


def test_the_heatmap_form_makes_the_config_it_shows():
    c = regularization_panels.heatmap_config(HEATMAP_FORM)
    assert (c.lam, c.poison, c.poison_label, c.attack_steps, c.learn_lam, c.seed) == (-8.0, (1.5, -2.0), 1, 3, True, 3)
    assert regularization_panels.model_count(c) == 5 ** 2 * 3


def test_a_heatmap_form_value_out_of_range_is_one_sentence():
    with pytest.raises(ConfigError, match=r"\.$"):
        regularization_panels.heatmap_config({**HEATMAP_FORM, "lam": 9.0})


def test_one_mnist_slider_sets_the_steps_of_both_players():
    c = regularization_panels.mnist_config(dict(poisons=34, modes=["small", "learned"], steps=5, seed=1))
    assert (c.poisons, c.modes, c.attack_steps, c.lam_steps, c.seed) == (34, ("small", "learned"), 5, 5, 1)


def test_the_mnist_chart_tells_shipped_and_live_curves_apart():
    shipped = pd.DataFrame({"mode": ["a"], "poisons": [0]})

    @dataclass
    class Live:
        table: pd.DataFrame
        config: regularization_mnist.MnistPoisoningConfig

    live = Live(pd.DataFrame({"mode": ["a"], "poisons": [17]}),
                regularization_mnist.MnistPoisoningConfig(attack_steps=5))
    both = regularization_panels.mnist_curves(shipped, live)
    assert list(both.source) == [f"shipped (T = {regularization_mnist.REFERENCE_STEPS} per batch)", "live (T = 5)"]
    assert list(regularization_panels.mnist_curves(None, live).source) == ["live (T = 5)"]
    assert regularization_panels.mnist_curves(None, None) is None


@pytest.fixture(scope="module")
def small_run():
    return regularization.run(regularization_panels.heatmap_config(HEATMAP_FORM))


def test_the_statistics_row_names_the_learned_lambda_only_when_learned(small_run):
    stats = {s["label"]: s for s in regularization_panels.live_stats(small_run)}
    assert stats["after the attack"]["caption"] == f"λ = {small_run.path.lam.iloc[-1]:.2f}"
    assert stats["clean validation error"]["value"] == f"{small_run.clean_error:.1%}"
    assert "with λ learned" in regularization_prose.live_caption(small_run.config)
    fixed = regularization.HeatmapConfig(resolution=5, lam_values=2, attack_steps=3)
    assert "with λ learned" not in regularization_prose.live_caption(fixed)


def test_the_live_numbers_are_the_runs_own(small_run):
    n = regularization_prose.damage_and_best_lam(small_run)
    assert n["worst"] == small_run.maps[0].max() and n["lam"] == regularization.LAM_RANGE[0]
    assert f"r = {n['r']:.2f}." in regularization_prose.live_numbers(small_run)


def test_without_the_shipped_curves_the_prose_says_no_number():
    assert regularization_prose.shipped_curves(None) == ""
    assert "%" not in regularization_prose.fixed_lambda_notice(None)


def test_the_two_damage_maps_side_by_side_share_one_colour_scale(small_run):
    # Issue 27: with a scale each, the right map was solid yellow for 6–8 % error while yellow meant 15 % on the left.
    from poisoncourse.regularization import charts

    small = regularization_panels.unregularized_grid(small_run)
    domain = regularization_panels.error_domain(small, small_run.grid)
    assert domain == [0.0, max(float(small.error.max()), float(small_run.grid.error.max()))]
    specs = [charts.poison_error_map(g, small_run.points, None, None, box=regularization.BOX, title="t",
                                     domain=domain).to_dict() for g in (small, small_run.grid)]
    scales = [s["layer"][0]["encoding"]["color"]["scale"] for s in specs]
    assert scales[0] == scales[1] and scales[0]["domain"] == domain
    app = (Path(__file__).resolve().parents[2] / "apps" / "lesson2_regularization.py").read_text(encoding="utf-8")
    assert app.count("domain=_scale") == 2
