"""Every number the prose of Lesson 5 states about a shipped reference table or about the live default
run, checked against that table or that run: one test per statement, named after it. When a
reference is remade and a test fails, update the sentence in the app, not the tolerance."""

import numpy as np
import pandas as pd
import pytest

import poisoncourse.lazy.experiment as lazy
import poisoncourse.lazy.panels as lazy_panels
import poisoncourse.lazy.prose as lazy_prose
from poisoncourse.core.stats import wilson


# -- Lesson 5 · the reference runs ("What to notice") -------------------------------------------


@pytest.fixture(scope="module")
def lazy_reference():
    return lazy.load_reference().table


def test_notice_1_at_c0_10_the_networks_classify_about_99_percent_correctly(lazy_reference):
    single = lazy_reference[lazy_reference.figure == "single_step"]
    assert (single.lazy_radius == 10).all() and np.allclose(single.clean_accuracy, 0.99, atol=0.01)


def test_notice_1_a_long_enough_search_flips_every_correct_prediction(lazy_reference):
    # "not that every point flips (a long enough step flips almost anything)": the old claim, now the caveat
    assert (lazy_reference[lazy_reference.figure == "single_step"].flipped == 1.0).all()


@pytest.mark.parametrize("size, share", [(28, 0.08), (5, 0.30)], ids=["28x28_about_8_percent", "5x5_about_30_percent"])
def test_notice_1_the_flipping_step_changes_the_image_by_about(lazy_reference, size, share):
    single = lazy_reference[(lazy_reference.figure == "single_step") & (lazy_reference.size == size)]
    assert np.allclose(single.delta_rel, share, atol=0.03 if size == 5 else 0.006)


def slopes(summary, smallest_d=0):
    part = summary[summary.d >= smallest_d]
    return lazy.loglog_slope(part.d, part.grad_norm), lazy.loglog_slope(part.d, part.delta_rel)


def test_notice_2_fitted_slopes_are_about_plus_minus_0_5_for_d_at_least_100(lazy_reference):
    for _, runs in lazy_reference[lazy_reference.figure == "single_step"].groupby("width"):
        grad, delta = slopes(runs, lazy_prose.ASYMPTOTIC_D)
        assert abs(grad - 0.5) < 0.08 and abs(delta + 0.5) < 0.08


def test_notice_2_over_the_whole_range_from_d_25_the_slopes_are_flatter_about_plus_minus_0_4(lazy_reference):
    for _, runs in lazy_reference[lazy_reference.figure == "single_step"].groupby("width"):
        assert runs.d.min() == 25
        grad, delta = slopes(runs)
        assert abs(grad - 0.4) < 0.05 and abs(delta + 0.4) < 0.05
        big = slopes(runs, lazy_prose.ASYMPTOTIC_D)
        assert abs(grad) < abs(big[0]) and abs(delta) < abs(big[1])


def test_notice_2_live_default_fits_the_same_slopes():
    # The page's slope table shows the live run: the prose's ±0.5 and ±0.4 hold there too.
    summary = lazy_panels.run_live(lazy.LazyConfig.single_step()).summary
    grad, delta = slopes(summary)
    assert abs(grad - 0.4) < 0.05 and abs(delta + 0.4) < 0.05
    grad, delta = slopes(summary, lazy_prose.ASYMPTOTIC_D)
    assert abs(grad - 0.5) < 0.08 and abs(delta + 0.5) < 0.08


@pytest.fixture(scope="module")
def phase(lazy_reference):
    return lazy_reference[lazy_reference.figure == "phase"]


def test_notice_4_robust_accuracy_is_below_the_majority_guess_for_c0_at_most_1(phase):
    small = phase[phase.lazy_radius <= 1]
    assert len(small) and (small.robust_accuracy < small.majority).all()


def test_notice_4_clean_accuracy_is_0_65_to_0_85_for_c0_at_most_1(phase):
    clean = phase[phase.lazy_radius <= 1].clean_accuracy
    assert clean.min() >= 0.65 and clean.max() <= 0.85


def test_notice_4_robust_accuracy_climbs_steeply_to_about_0_9_between_c0_2_and_6_for_every_width(phase):
    assert set(phase.width) == set(lazy.REFERENCE_WIDTHS) == {100, 200, 400}
    for _, runs in phase.groupby("width"):
        acc = runs.set_index("lazy_radius").robust_accuracy
        assert abs(acc[6.0] - 0.9) < 0.05 and acc[6.0] - acc[2.0] > 0.3
        assert (acc[acc.index >= 6.0] > 0.85).all()


def test_notice_4_the_jump_goes_from_about_0_02_to_0_36_up_to_about_0_96(phase):
    start = phase[phase.lazy_radius == phase.lazy_radius.min()].robust_accuracy
    end = phase[phase.lazy_radius == phase.lazy_radius.max()].robust_accuracy
    assert round(start.min(), 2) == 0.02 and round(start.max(), 2) == 0.36
    assert np.allclose(end, 0.96, atol=0.015)


def test_notice_5_robust_accuracy_falls_to_one_half_at_about_0_2_0_1_and_0_06_for_d_49_196_784(lazy_reference):
    half = lazy_prose.half_budgets(lazy_reference)
    assert list(half.index) == [49, 196, 784]
    for d, claimed in ((49, 0.2), (196, 0.1), (784, 0.06)):
        assert abs(half[d] - claimed) < 0.1 * claimed + 0.005, (d, half[d])
    # The ratios the sentence now states — one halving, then 0.66 — and not "it halves each time".
    ratios = half.to_numpy()[1:] / half.to_numpy()[:-1]
    assert round(ratios[0], 1) == 0.5 and round(ratios[1], 2) == 0.66, ratios
    text = lazy_prose.budget_notice(lazy_reference)
    assert "halves it and then multiplies it by 0.66 (ratios 0.50, 0.66)" in text
    assert "more slowly than 1/√d at the largest d" in text and "halves each time" not in text


def test_notice_5_says_halves_only_where_every_ratio_is_one_half(lazy_reference):
    budget = lazy_reference[lazy_reference.figure == "budget"]
    base = budget[budget.d == 49]  # the d = 49 curve, moved to ε ∝ 1/√d at the other sizes: exact halvings
    ideal = pd.concat([base.assign(d=d, eps=base.eps * np.sqrt(49 / d)) for d in (49, 196, 784)])
    text = lazy_prose.budget_notice(pd.concat([lazy_reference[lazy_reference.figure != "budget"], ideal]))
    assert "halves it and then halves it" in text and "as the dotted 1/√d marker predicts" in text


def test_part_1_names_only_the_lines_it_draws(lazy_reference):
    size = lazy.LazyConfig.single_step()
    radius = lazy.LazyConfig.single_step(sweep="radius", values=(0.5, 10.0))
    drawn = lazy_prose.scaling_legend(size, lazy_panels.single_step_reference(lazy_reference, size))
    assert "Dashed" in drawn and "Gray dotted" in drawn and "bars" not in drawn  # one seed: no bars
    alone = lazy_prose.scaling_legend(radius, lazy_panels.single_step_reference(lazy_reference, radius))
    assert "Dashed" not in alone and "Gray" not in alone and "against d only" in alone


def test_a_network_that_cannot_fit_is_not_called_too_tight_for_a_robust_classifier():
    models = pd.DataFrame(dict(finite=[True], clean_accuracy=[0.5], majority=[0.5], lazy_radius=[0.5], value=[0.5]))
    for config in (lazy.LazyConfig.single_step(lazy_radius=0.5), lazy.LazyConfig.phase()):
        [warning] = lazy.fit_warnings(config, models)
        assert "robust classifier" not in warning and "say nothing about the theorem" in warning
        assert ("even without an attack" in warning) == (config.eps == 0)


def test_notice_4_among_networks_that_fit_robust_accuracy_still_climbs_from_the_ringed_c0_to_c0_20(phase):
    fair = lazy_panels.fair_comparison(phase)
    small, large = fair.iloc[0], fair.iloc[-1]
    assert small.clean_accuracy >= lazy_panels.FIT_ACCURACY and large.lazy_radius == 20
    n = lazy.REFERENCE_TRAINING["n_test"] * int(small.seeds)
    _, _, small_high = wilson(round(small.robust_accuracy * n), n)
    _, large_low, _ = wilson(round(large.robust_accuracy * n), n)
    assert small_high < large_low  # the intervals do not overlap
    assert small.robust_accuracy < 0.5 < large.robust_accuracy
