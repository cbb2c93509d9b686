"""Lesson 5's "What to notice" and "Try next", performed: each test follows one statement of the page
(seeded, the page's settings) and checks the effect it states; statements about the shipped references
are checked against them (here and in tests/lazy/test_prose.py)."""

import numpy as np
import pytest
import torch

import poisoncourse.lazy.experiment as lazy
import poisoncourse.lazy.panels as panels
import poisoncourse.lazy.prose as prose
import poisoncourse.lazy.single_step as single_step
from poisoncourse.core.nets import StackedTwoLayer


@pytest.fixture(scope="module")
def single_step_reference():
    return single_step.load_reference().table


def test_notice_1_the_median_flipping_step_is_1_5_to_3_5_times_one_over_sqrt_d_at_every_d(single_step_reference):
    fig2 = single_step_reference[single_step_reference.figure == "fig2"]
    assert sorted(fig2.d.unique()) == [25, 49, 100, 196, 400, 784]
    assert set(fig2.projection) == {"stop", "step"}
    median = fig2.groupby(["projection", "d"]).step_sqrt_d_q50.mean()
    assert median.between(1.5, 3.5).all(), median
    for _, runs in fig2[fig2.d >= prose.ASYMPTOTIC_D].groupby("projection"):  # Θ(1/√d): the slope's interval
        _, low, high = prose.seed_slopes(runs, "d", runs.step_sqrt_d_q50 / np.sqrt(runs.d))
        assert low < -0.5 < high


def test_notice_3_from_c0_0_5_to_15_eta_and_delta_grow_about_fourfold_and_the_gradient_about_15_percent(
        single_step_reference):
    fig3 = panels.single_step_rows(single_step_reference, "fig3")
    for _, runs in fig3.groupby("rule"):
        m = runs.groupby("lazy_radius")[["grad_norm", "eta", "delta_rel"]].mean()
        assert (m.index.min(), m.index.max()) == (0.5, 15.0)
        growth = m.iloc[-1] / m.iloc[0]
        assert 3.5 < growth.eta < 5 and 3.5 < growth.delta_rel < 5.5, growth
        assert 1.1 < growth.grad_norm < 1.2, growth
        _, low, _ = prose.seed_slopes(runs, "lazy_radius", runs.grad_norm)
        _, _, eta_high = prose.seed_slopes(runs, "lazy_radius", runs.eta)
        assert low > 0  # it does grow, but far less than η …
        assert prose.seed_slopes(runs, "lazy_radius", runs.grad_norm)[2] < eta_high / 4


def test_try_next_1_robustness_ends_at_a_smaller_budget_at_28x28_than_at_7x7():
    half = {}
    for size in (7, 28):
        summary = panels.run_live(lazy.LazyConfig.budget(size=size, values=(0.05, 0.1, 0.2, 0.3, 0.5))).summary
        acc = summary.set_index("eps").robust_accuracy
        half[size] = acc.index[np.argmax(acc.to_numpy() < 0.5)] if (acc < 0.5).any() else np.inf
    assert half[28] < half[7], half


def test_try_next_2_at_c0_0_5_the_gradient_stays_within_5_percent_of_a_random_networks():
    config = lazy.LazyConfig.single_step(lazy_radius=0.5)
    trained = panels.run_live(config).models.set_index("size").grad_norm
    for size in config.values:
        inputs = lazy.load_inputs(config, int(size), torch.device("cpu"))
        net = StackedTwoLayer.init(int(size) ** 2, config.width, [config.seed])
        step = lazy.single_step_attack(net, inputs.x_test, inputs.y_test)
        fresh = float(step.grad_norm[0][step.correct[0]].mean())
        assert abs(trained[size] / fresh - 1) < 0.05, (size, trained[size], fresh)


def test_try_next_3_under_the_stop_rule_small_c0_stops_early_near_chance_and_large_c0_equals_projecting():
    base = dict(sweep="radius", values=(0.5, 10.0, 20.0), size=14)
    stop = panels.run_live(lazy.LazyConfig.single_step(projection="stop", **base)).models.set_index("value")
    step = panels.run_live(lazy.LazyConfig.single_step(projection="step", **base)).models.set_index("value")
    full = stop.steps.max()
    assert stop.steps[0.5] <= 5 and stop.clean_accuracy[0.5] < 0.65  # a few steps, near chance (0.5)
    assert (stop.steps[[10.0, 20.0]] == full).all()  # the rule never triggers …
    for col in ("clean_accuracy", "grad_norm", "eta", "delta_rel"):  # … and the results are the projection's
        np.testing.assert_allclose(stop.loc[[10.0, 20.0], col], step.loc[[10.0, 20.0], col], rtol=1e-6)


def test_try_next_4_unnormalized_images_have_norm_about_4_at_14x14_and_9_at_28x28():
    config = lazy.LazyConfig.phase(normalize=False)
    for size, norm in ((14, 4.0), (28, 9.0)):
        x = lazy.load_inputs(config, size, torch.device("cpu")).x_test
        assert abs(float(x.norm(dim=1).mean()) - norm) < 0.5
