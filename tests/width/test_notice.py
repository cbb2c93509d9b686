"""Lesson 1's 'What to notice', 'Explore' and 'Try next' (issue 14): each statement the page makes
about the default run, or promises for a suggested setting, performed here on seed 0."""

from dataclasses import replace

import pytest

from poisoncourse.width import experiment as W
from poisoncourse.width import prose


@pytest.fixture(scope="module")
def default():
    return W.run(W.WidthConfig())


def _mean(result, variant, column, width=None):
    s = result.summary[result.summary.variant == variant].set_index("width")[f"mean_{column}"]
    return s if width is None else float(s[width])


def test_notice_clean_training_improves_with_width_then_flattens(default):
    clean = _mean(default, "clean", "final_accuracy")
    assert clean.iloc[-1] > clean.iloc[0] + 0.3
    assert clean[clean.index >= 32].max() - clean[clean.index >= 32].min() <= 0.05, clean.round(3).tolist()
    assert "**Clean training improves with width, then flattens:**" in prose.notice_md(default)


def test_notice_wider_networks_fit_more_of_the_poisoned_set(default):
    fit = _mean(default, "poisoned", "fit")
    assert fit.iloc[-1] > fit.iloc[0] + 0.3, fit.round(3).tolist()


def test_notice_the_shape_bullet_is_the_paired_verdict_of_the_run(default):
    assert prose.verdict(default) in prose.notice_md(default)
    assert "95 % t-intervals over 2 seeds" in prose.verdict(default)
    # Issue 27: two seeds give intervals on one degree of freedom; the verdict says how little they can decide.
    from poisoncourse.core.stats import t975

    assert f"With 2 seeds each interval rests on 1 degree of freedom (t = {t975(1):.1f}" in prose.verdict(default)
    assert t975(1) > 12 and prose.few_seeds(prose.FEW_SEEDS + 1) == "" and "2 degrees" in prose.few_seeds(3)


def test_notice_the_explore_sentence_is_the_runs_own_curves(default):
    text = prose.explore_text(default)
    cu = default.curves[(default.curves.variant == "poisoned") & (default.curves.epoch == default.config.epochs)]
    gap = 100 * (cu[cu.width == 128].test_accuracy.mean() - cu[cu.width == 2048].test_accuracy.mean())
    assert f"{gap:+.1f} points after epoch {default.config.epochs}" in text


def test_notice_every_gap_reads_width_128_minus_the_widest_as_the_verdict_does(default):
    # Issue 27: one sign convention in neighbouring sentences (they once printed -1.9 and +1.9 for one gap).
    views = _mean(default, "poisoned", "stopped_poisoned_val")
    gap = 100 * (views[128] - views.iloc[-1])
    notice = prose.notice_md(default)
    assert f"width 128 minus the widest (m = 2,048)** (points; positive: width 128 is better" in notice
    assert f"stopped on the poisoned validation split: {gap:+.1f}" in notice
    assert "width 128 minus the widest" in prose.verdict(default)
    assert "positive: width 128 is better" in prose.explore_text(default)


def _above_chance(result):
    for column in ("final_accuracy", "stopped_poisoned_val", "stopped_clean_val"):
        assert (result.summary[f"mean_{column}"] > 0.1).all(), result.summary.round(3).to_dict("list")


@pytest.fixture(scope="module")
def regime_a():
    text, overrides = prose.TRY_NEXT[0]
    assert "Regime **A** at its calibrated budget 0.35" in text and W.WidthConfig().budget == 0.35
    return W.run(replace(W.WidthConfig(), **overrides))


def test_try_next_1_regime_a_stays_above_chance_and_costs_every_width_about_ten_points(regime_a):
    # Measured at the defaults (2026-12-06): 9–13 points at every width, 2 to 2,048 ("about ten").
    _above_chance(regime_a)
    assert "every width loses about ten points" in prose.TRY_NEXT[0][0]
    col = regime_a.accuracy_column
    for width in regime_a.config.widths:
        drop = _mean(regime_a, "clean", col, width) - _mean(regime_a, "poisoned", col, width)
        assert 0.06 <= drop <= 0.15, (width, drop)


def test_try_next_2_both_attacks_fill_their_ball_and_cost_the_mid_widths_about_the_same(regime_a):
    strong = W.run(replace(W.WidthConfig(), **prose.TRY_NEXT[1][1]))
    _above_chance(strong)
    for result in (strong, regime_a):
        norms = result.norms[result.norms.attack_loss.str.startswith("negated")].norm
        assert norms.mean() == pytest.approx(result.config.budget, rel=0.02)
    col = strong.accuracy_column
    assert abs(_mean(strong, "poisoned", col, 128) - _mean(regime_a, "poisoned", col, 128)) <= 0.03


def test_try_next_3_without_flips_the_poisoned_curve_is_the_clean_one_seed_for_seed():
    result = W.run(replace(W.WidthConfig(), **prose.TRY_NEXT[2][1]))
    runs = result.runs.set_index(["width", "seed"])
    clean, poisoned = runs[runs.variant == "clean"], runs[runs.variant == "poisoned"]
    for column in ("final_accuracy", "stopped_poisoned_val", "fit"):
        assert (clean[column] == poisoned[column]).all()


def test_try_next_4_with_momentum_the_widest_networks_fit_more_of_the_flips(default):
    result = W.run(replace(W.WidthConfig(), **prose.TRY_NEXT[3][1]))
    _above_chance(result)
    assert _mean(result, "poisoned", "fit", 2048) > _mean(default, "poisoned", "fit", 2048)


def test_no_suggested_setting_ends_below_chance_by_default(default):
    _above_chance(default)


def test_notice_the_histogram_sentence_says_how_much_of_the_budget_was_used(regime_a):

    text = prose.budget_used(regime_a)
    means = regime_a.norms.groupby("attack_loss").norm.mean()
    for loss, v in means.items():
        assert f"{loss}: mean ‖δᵢ‖ = {v:.3f} ({v / 0.35:.0%} of it)" in text
    assert text.startswith("The budget 0.35, about 19% of a whole digit's norm")
