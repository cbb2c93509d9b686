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


def test_notice_3_among_networks_that_fit_eta_and_delta_grow_about_threefold_and_the_gradient_about_13_percent(
        single_step_reference):
    fig3 = panels.single_step_rows(single_step_reference, "fig3")
    growth = prose.fitted_growth(fig3).set_index("projection")
    # Part 2's filter: the C₀ whose mean clean accuracy is at least FIT_ACCURACY — here C₀ = 2 to 15
    assert (growth.low == 2.0).all() and (growth.high == 15.0).all()
    assert 2.7 < growth.eta["step"] < 2.9 and 3.0 < growth.delta_rel["step"] < 3.2, growth  # "2.8- and 3.1-fold"
    assert 3.3 < growth.eta["stop"] < 3.5 and 3.7 < growth.delta_rel["stop"] < 3.9, growth  # "3.4- and 3.8-fold"
    assert (growth.grad_norm.between(1.12, 1.15)).all(), growth  # "13–14 %"
    text = prose.fig3_notice(fig3)
    for r in growth.itertuples():
        assert f"{r.eta:.1f}- and {r.delta_rel:.1f}-fold" in text
    assert "From C₀ = 2 to 15, where the reference networks fit" in text and "fourfold" not in text
    for _, runs in fig3.groupby("rule"):
        m = runs.groupby("lazy_radius")[["clean_accuracy"]].mean()
        assert (m.clean_accuracy[m.index < 2] < panels.FIT_ACCURACY).all()  # "below C₀ = 2 … never learned"
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


def test_try_next_2_at_c0_0_5_the_gradient_stays_close_to_sqrt_d_over_2_as_a_random_networks():
    config = lazy.LazyConfig.single_step(lazy_radius=0.5)
    trained = panels.run_live(config).models.set_index("size")
    ratio = trained.grad_norm / np.sqrt(trained.d / 2)
    assert (abs(ratio[ratio.index >= 7] - 1) < 0.055).all(), ratio  # "within about 5 % from d = 49 on"
    assert round(ratio[5.0] - 1, 1) == 0.2, ratio  # "20 % above it at d = 25"
    assert "(within about 5 % from d = 49 on, 20 % above it at d = 25)" in prose.notice_markdown(None, None)
    for size in config.values:  # … and √(d/2) is what a random, untrained network has (The math)
        inputs = lazy.load_inputs(config, int(size), torch.device("cpu"))
        net = StackedTwoLayer.init(int(size) ** 2, config.width, [config.seed])
        step = lazy.single_step_attack(net, inputs.x_test, inputs.y_test)
        fresh = float(step.grad_norm[0][step.correct[0]].mean())
        assert abs(trained.grad_norm[size] / fresh - 1) < 0.05, (size, trained.grad_norm[size], fresh)


def test_try_next_3_under_the_stop_rule_small_c0_stops_early_near_chance_and_large_c0_equals_projecting():
    base = dict(sweep="radius", values=(0.5, 10.0, 20.0), size=14)
    stop = panels.run_live(lazy.LazyConfig.single_step(projection="stop", **base)).models.set_index("value")
    step = panels.run_live(lazy.LazyConfig.single_step(projection="step", **base)).models.set_index("value")
    full = stop.steps.max()
    assert stop.steps[0.5] <= 5 and stop.clean_accuracy[0.5] < 0.65  # a few steps, near chance (0.5)
    assert (stop.steps[[10.0, 20.0]] == full).all()  # the rule never triggers …
    for col in ("clean_accuracy", "grad_norm", "eta", "delta_rel"):  # … and the results are the projection's
        np.testing.assert_allclose(stop.loc[[10.0, 20.0], col], step.loc[[10.0, 20.0], col], rtol=1e-6)
    assert lazy.LazyConfig.single_step().epochs == 4  # "in the live run (4 epochs)"


def test_try_next_3_in_the_longer_fig3_reference_the_rule_fires_at_c0_10_and_never_only_from_c0_15(
        single_step_reference):
    fig3 = panels.single_step_rows(single_step_reference, "fig3")
    steps = prose.stop_rule_steps(fig3)
    assert steps.max() == 100 and round(steps[10.0]) == 54  # "fires after about 54 of 100 steps at C₀ = 10"
    assert steps[steps >= steps.max()].index.min() == 15.0  # "never triggers only from C₀ = 15"
    text = prose.try_next_3(fig3)
    assert "after about 54 of 100 steps at C₀ = 10" in text and "only from C₀ = 15" in text
    assert f"({single_step.TRAINING['epochs']} epochs, 100 steps)" in text


def test_try_next_4_unnormalized_images_have_a_norm_well_above_1_that_grows_with_the_image_size():
    config = lazy.LazyConfig.phase(normalize=False)
    norms = [float(lazy.load_inputs(config, size, torch.device("cpu")).x_test.norm(dim=1).mean()) for size in (7, 14, 28)]
    assert norms[0] > 1.5 and norms == sorted(norms), norms  # "above 1 and grows with the image size"
    text = prose.notice_markdown(None, None)
    assert "above 1 and grows with the image size" in text and "≈ 4" not in text  # no number the page never shows


def test_fig3_reading_the_gradient_barely_moves_while_eta_grows_so_c0_buys_margin(single_step_reference):
    # The page's reading of Fig. 3 (prose.fig3_parts): "with ‖∇f‖ nearly fixed, the robustness a larger C₀ buys is
    # mostly margin" — per rule, ‖∇f‖ changes by at most a fifth from the smallest to the largest C₀ while η grows
    # more than threefold; the bullets (in the closed section) name both rules with those numbers.
    fig3 = panels.single_step_rows(single_step_reference, "fig3")
    bullets, reading = prose.fig3_parts(fig3)
    for rule, runs in fig3.groupby("rule", sort=False):
        m = runs.groupby("lazy_radius")[["grad_norm", "eta"]].mean()
        gradient, eta = m.grad_norm.iloc[-1] / m.grad_norm.iloc[0], m.eta.iloc[-1] / m.eta.iloc[0]
        assert abs(gradient - 1) < 0.2 and eta > 3, (rule, gradient, eta)
        assert f"*{rule}*: from C₀ = {m.index[0]:g}" in bullets and f"η {eta:.1f}-fold" in bullets
    assert "mostly margin" in reading and "*" not in reading
    assert "C₀ buys mostly margin" in prose.notice_markdown(None, single_step_reference)  # the page's flow says it
    assert prose.rows_explore("C₀").startswith("Explore")  # the browser tests open sections titled so
