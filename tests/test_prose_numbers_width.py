"""Every statement Lesson 1's prose makes about a shipped table or the live default run, checked.

The numbers of the reference bullets are rendered from ``data/reference/width.csv`` and
``data/paper000_fig3.csv`` by :mod:`poisoncourse.width.story`; the tests here check the words
around them ("climbs", "below the plateau", "no fall", "of the same size"), and the statements
the page writes out by hand. One test per statement, named after it.
"""

import math
import re
from pathlib import Path

import pytest
import torch

from poisoncourse.width import convex, experiment, story, victims

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shipped():
    return experiment.load_reference()


@pytest.fixture(scope="module")
def table(shipped):
    return shipped.table


@pytest.fixture(scope="module")
def paper():
    return experiment.paper_fig3()


# --- "Reference: the shipped sweep" ----------------------------------------------------------------


def test_flips_stopped_early_climb_from_the_narrowest_width_to_the_plateau(table):
    s = story.flips_stopped(table)
    assert s["first"].accuracy < s["plateau_low"] - 0.2, s


def test_flips_stopped_early_end_below_the_plateau_top_by_about_one_standard_deviation(table):
    s = story.flips_stopped(table)
    assert s["fall"] > 0 and 0.5 <= s["fall"] / s["top"]["std"] <= 2, s


def test_flips_stopped_early_the_widest_width_ends_below_every_plateau_width_but_one(table):
    # "a shallow inverted U": the widest width is at most the plateau's low end (to a point).
    s = story.flips_stopped(table)
    assert s["last"].accuracy <= s["plateau_low"] + 0.01, s


def test_the_papers_regime_c_fall_is_of_the_same_size_as_the_shipped_one(table, paper):
    ours, theirs = story.flips_stopped(table)["fall"], story.paper_fall(paper)["fall"]
    assert 0.5 <= theirs / ours <= 2, (ours, theirs)


def test_the_papers_regime_c_fall_is_rendered_from_fig3(table, paper):
    text = story.reference_findings(table, paper)
    assert re.search(r"97\.6 % →\s+94 % at m = 100,000", text), text


def test_last_epoch_peak_comes_early_while_the_poisoned_fit_is_still_low(table):
    for x in story.flips_last_epoch(table):
        assert x["peak"].width <= 16 and x["peak"].fit < 0.8, x


def test_last_epoch_accuracy_drops_by_several_points_as_the_fit_nears_one(table):
    for x in story.flips_last_epoch(table):
        assert x["drop"] >= 0.05 and x["low"].fit > 0.9, x


def test_last_epoch_curve_slowly_recovers_past_its_low(table):
    for x in story.flips_last_epoch(table):
        assert x["last"].accuracy > x["low"].accuracy + 0.03, x


def test_last_epoch_widest_width_ends_below_the_early_peak_at_7x7_and_above_it_at_14x14(table, paper):
    text = story.reference_findings(table, paper)
    assert re.search(r"points below the early peak at 7×7", text) and re.search(r"points above the early peak at 14×14",
                                                                              text)


def test_clean_label_attacks_rise_with_width_with_no_fall(table):
    for regime in ("A", "B"):
        for column in ("final_accuracy", "stopped_poisoned_val"):
            acc = story.curve(table, regime, column).accuracy.to_numpy()
            assert acc[-1] > acc[0] + 0.5 and (acc[1:] - acc[:-1]).min() > -0.005, (regime, column, acc.round(3))


def test_clean_label_attacks_were_crafted_against_a_width_128_network():
    assert experiment.ATTACKER_WIDTH == 128


def test_clean_training_rises_then_stays_flat_from_width_64(table):
    lo, hi = story.clean_plateau(table)
    narrow = table[(table.variant == "clean") & (table.width == table.width.min())].mean_final_accuracy
    assert hi - lo <= 0.03 and narrow.max() < lo - 0.2, (lo, hi, narrow.tolist())


def test_the_whole_sweep_took_270_s_on_an_h100():
    text = (ROOT / "BENCHMARKS.md").read_text()
    assert re.search(r"took 270 s\s+on an NVIDIA H100", text)


# --- "What to notice" and "Try next" --------------------------------------------------------------


def test_the_shipped_sweep_has_the_seeds_and_widest_width_the_page_names(shipped):
    configs = shipped.meta["settings"]["configs"]
    assert {c["seeds"] for c in configs} == {experiment.REFERENCE_SEEDS}
    assert {max(c["widths"]) for c in configs} == {max(experiment.REFERENCE_WIDTHS)}


def test_the_shipped_sweep_has_more_seeds_than_a_live_run():
    assert experiment.REFERENCE_SEEDS > experiment.WidthConfig().seeds


def test_at_14x14_the_last_epoch_peak_moves_to_narrower_widths(table):
    peaks = {x["resolution"]: x["peak"].width for x in story.flips_last_epoch(table)}
    assert peaks[14] < peaks[7], peaks


def test_the_live_curve_is_drawn_before_the_last_widths_finish():
    # "the curve is drawn as soon as the first widths finish": on a CPU the default widths train
    # in more than one group, and the partial curve is redrawn after each but the last.
    assert len(victims.group_widths(experiment.WidthConfig().widths, torch.device("cpu"))) >= 2


# --- the convex warm-up -----------------------------------------------------------------------------


def test_w_star_is_fitted_on_4000_digits_and_the_excess_measured_on_1000():
    assert (convex.POOL, convex.N_TEST) == (4000, 1000)


def test_a_whole_7x7_digit_has_norm_about_1_8():
    x = convex._pools(convex.ConvexConfig(seeds=1))[0][0]  # (POOL, 49), pixels in [0, 1]
    assert float(x.min()) >= 0 and float(x.max()) <= 1
    assert round(float(x.norm(dim=-1).mean()), 1) == 1.8


@pytest.fixture(scope="module")
def warmups():
    return {loss: convex.run(convex.ConvexConfig(attack_loss=loss)) for loss in ("negated", "cross_entropy")}


def _at_largest_n(result, C):
    s = result.summary
    return float(s[(s.n == s.n.max()) & (s.C == C)].excess_loss.iloc[0])


def test_by_default_at_the_largest_n_c_64_costs_a_little_less_than_c_32(warmups):
    c32, c64 = _at_largest_n(warmups["negated"], 32), _at_largest_n(warmups["negated"], 64)
    assert 0.8 * c32 < c64 < c32, (c32, c64)


def test_cross_entropy_costs_more_at_small_budgets_and_less_at_large_ones(warmups):
    neg, ce = warmups["negated"], warmups["cross_entropy"]
    assert _at_largest_n(ce, 2) > _at_largest_n(neg, 2) and _at_largest_n(ce, 32) < _at_largest_n(neg, 32)


def test_under_cross_entropy_every_budgets_excess_loss_falls_only_3_to_5_times(warmups):
    ce = warmups["cross_entropy"]
    factors = [convex.decay(ce.summary, C) for C in ce.config.c_values if C > 0]
    assert all(3 <= round(f) <= 5 for f in factors), [round(f, 2) for f in factors]


def test_by_default_budgets_below_root_n_fall_many_times_more_than_those_above(warmups):
    neg = warmups["negated"]
    text = story.convex_decay(neg)
    below, above = (re.findall(r"\*\*(\d+)×\*\*", part) for part in text.split("but only"))
    assert below and above and min(map(int, below)) > 5 * max(map(int, above)), text
    assert not math.isnan(neg.summary.excess_loss.sum())
