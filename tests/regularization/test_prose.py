"""Every number the prose of Lessons 2 and 4 states, checked against where it comes from.

Sentences built from the shipped reference tables are rendered by `regularization.prose` and
`labelnoise.prose`: each test here checks one claim in the table *and* that the page says it
with the table's number. Claims about the live default runs are checked by running the
defaults (seeded, on the CPU). Numbers the prose quotes from elsewhere (the thesis, an older
measurement) are not in these tables and not tested here.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from poisoncourse.core.device import pick_device
from poisoncourse.core.nets import spectral_norms
from poisoncourse.labelnoise import experiment as labelnoise
from poisoncourse.labelnoise import mnist as labelnoise_mnist
from poisoncourse.labelnoise import panels as labelnoise_panels
from poisoncourse.labelnoise import prose as labelnoise_prose
from poisoncourse.labelnoise import stats as labelnoise_stats
from poisoncourse.regularization import experiment as regularization
from poisoncourse.regularization import mnist as regularization_mnist
from poisoncourse.regularization import prose as regularization_prose
from poisoncourse.core import reference as shipped

# --- Lesson 2 ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fig2():
    return regularization_mnist.load_averaged().table


@pytest.fixture(scope="module")
def default_heatmaps():
    return regularization.run(regularization.HeatmapConfig(device="cpu"))


def test_l2_the_2d_example_has_32_training_and_64_validation_points_in_the_box_9_5():
    pts = regularization.make_points(0)
    assert (len(pts.y_train), len(pts.y_val)) == (32, 64)
    assert regularization.BOX == 9.5 and regularization.LAM_RANGE == (-8.0, 6.0)


def test_l2_the_papers_lambda_log_20_is_about_3():
    assert round(regularization.LAM_PAPER) == 3 and regularization.LAM_PAPER == math.log(20)


def test_l2_mnist_has_512_training_171_validation_and_317_test_images_poisoned_17_at_a_time():
    split = regularization_mnist.make_split(0, pick_device("cpu"))
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (512, 171, 317)
    assert regularization_mnist.BATCH == 17 and regularization_mnist.LAM_SMALL == -8
    assert regularization_mnist.LAM_LARGE == math.log(200) and regularization_mnist.CV_FOLDS == 5


def test_l2_the_shipped_curves_are_one_split_at_30_steps_per_batch():
    _, meta = shipped.load(regularization_mnist.REFERENCE_NAME, lesson_version=regularization_mnist.REFERENCE_VERSION,
                           command=regularization_mnist.REFERENCE_COMMAND)
    configs = meta["settings"]["configs"]
    assert len(configs) == regularization_mnist.REFERENCE_SEEDS == 1
    assert {c["attack_steps"] for c in configs} == {regularization_mnist.REFERENCE_STEPS} == {30}
    assert "one data split and 30 hyperiterations per batch" in regularization_prose.reference_note()


def test_l2_the_shipped_curves_follow_the_short_protocol_and_the_paper_protocol_is_offered():
    # The shipped table predates the alternating default: its configs carry neither field, and
    # `sweep regularization` (short) still makes it that way; `--protocol paper` is App. C.2.
    (short,) = regularization_mnist.reference_configs()
    assert (short.alternate, short.lam_start, short.attack_steps) == (False, 0.0, 30)
    paper = list(regularization_mnist.reference_configs(protocol="paper"))
    assert len(paper) == 10 and {(c.alternate, c.attack_steps, c.lam_steps) for c in paper} == {(True, 100, 50)}
    assert paper[0].lam_start == math.log(5) == regularization_mnist.MnistPoisoningConfig().lam_start
    note = regularization_prose.reference_note()
    assert "`poisoncourse sweep regularization --protocol paper`, about 58 minutes" in note


def test_l2_small_lambda_error_rises_from_0_6_to_19_2_percent_and_cv_from_0_3_to_10_1(fig2):
    small = regularization_prose.curve(fig2, "small", "test_error")
    cv = regularization_prose.curve(fig2, "cv", "test_error")
    assert small[-1] > small[0] + 0.1 and cv[-1] > cv[0] + 0.05
    text = regularization_prose.shipped_curves(fig2)
    assert f"{small[0]:.1%} to {small[-1]:.1%} with λ = −8" in text
    assert f"from {cv[0]:.1%} to {cv[-1]:.1%} with the cross-validated λ" in text


def test_l2_the_learned_lambda_rises_while_the_norm_falls(fig2):
    lam = regularization_prose.curve(fig2, "learned", "lam")
    norm = regularization_prose.curve(fig2, "learned", "w_norm2")
    assert np.all(np.diff(lam) > 0) and np.all(np.diff(norm) < 0)
    assert f"rising from {lam[0]:.2f} to {lam[-1]:.2f} as ‖w‖² falls from {norm[0]:.2f} to {norm[-1]:.2f}" in \
        regularization_prose.shipped_curves(fig2)


def test_l2_large_lambda_is_stable_but_underfits_clean_data(fig2):
    large = regularization_prose.curve(fig2, "large", "test_error")
    clean = {m: regularization_prose.curve(fig2, m, "test_error")[0] for m in ("small", "cv", "learned")}
    assert np.ptp(large) < 0.03 and large[0] > max(clean.values())
    assert f"stable ({large[0]:.1%} → {large[-1]:.1%})" in regularization_prose.shipped_curves(fig2)


def test_l2_unlike_the_paper_the_learned_lambda_ends_above_the_large_lambda_error(fig2):
    learned = regularization_prose.curve(fig2, "learned", "test_error")
    large = regularization_prose.curve(fig2, "large", "test_error")
    assert learned[-1] > large[-1]
    assert f"Unlike the paper, here the learned λ ends *above* the large-λ error ({learned[-1]:.1%} vs " \
           f"{large[-1]:.1%} at 85 poisons)" in regularization_prose.shipped_curves(fig2)


def test_l2_notice_a_fixed_lambda_lets_the_error_climb_though_small_lambda_not_at_every_batch(fig2):
    # The lesson used to say "with every batch of poisons": λ = −8 peaks at 68 poisons.
    assert not regularization_prose.rises_every_batch(fig2, "small")
    assert regularization_prose.rises_every_batch(fig2, "cv")
    text = regularization_prose.fixed_lambda_notice(fig2)
    assert "with every batch" not in text and "not at every batch: 20.2% at 68 poisons" in text


def test_l2_notice_the_learned_lambda_holds_the_error_down(fig2):
    at = {m: regularization_prose.curve(fig2, m, "test_error")[-1] for m in ("small", "cv", "learned")}
    assert at["learned"] < at["cv"] < at["small"]


def test_l2_live_default_one_poison_at_small_lambda_does_far_more_damage_than_clean(default_heatmaps):
    numbers = regularization_prose.damage_and_best_lam(default_heatmaps)
    assert numbers["lam"] == -8 and numbers["worst"] > numbers["clean"] + 0.05
    assert f"{numbers['worst']:.1%} validation error against {numbers['clean']:.1%} clean" in \
        regularization_prose.live_numbers(default_heatmaps)


def test_l2_live_default_best_lambda_is_largest_where_small_lambda_damage_is_largest(default_heatmaps):
    assert regularization_prose.damage_and_best_lam(default_heatmaps)["r"] > 0.5


def test_l2_live_default_map_is_almost_uniform_at_lambda_log_20(default_heatmaps):
    at_paper, at_small = default_heatmaps.grid.error, default_heatmaps.maps[0]
    assert np.ptp(at_paper) < np.ptp(at_small) / 2


# --- Lesson 4 ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table():
    return labelnoise.load_reference().table


@pytest.fixture(scope="module")
def meta():
    return shipped.load(labelnoise.REFERENCE_NAME, lesson_version=labelnoise.REFERENCE_VERSION,
                        command=labelnoise.REFERENCE_COMMAND)[1]


def test_l4_the_reference_is_the_live_defaults_with_6_seeds_and_1000_test_points(meta):
    first = meta["settings"]["configs"][0]
    live = labelnoise.LabelNoiseConfig()
    assert (first["d"], first["mu"], first["sigma"], first["n"], first["b"]) == (16, 0.5, 1.0, 400, 10)
    assert (live.d, live.mu, live.sigma, live.n, live.poisons_per_class) == (16, 0.5, 1.0, 400, 10)
    assert tuple(first["widths"]) == live.widths == (64, 64, 64) and first["lr"] == live.lr == 1e-2
    assert (first["eps"], first["pgd_steps"]) == (live.eps, live.pgd_steps) == (0.5, 20)
    assert (first["seeds"], first["n_test"]) == (labelnoise.REFERENCE_SEEDS, 1000) == (6, 1000)
    text = labelnoise_prose.reference_intro()
    assert "(d = 16, μ = 0.5, σ = 1, n = 400, b = 10 per class, 3×64 ReLU network, Adam 10⁻²" in text
    assert "ε = 0.5, 20 steps) with 6 seeds and 1,000 test points" in text


def test_l4_notice_the_dip_is_highest_at_the_ends_and_lowest_at_r_4_the_data_radius(table):
    # Rewritten (issue 17): the dip sits where the data lie, σ√d = 4, not "one class-mean distance".
    s = labelnoise_prose.sweep(table, "opposite")
    acc = s.mean_adversarial_accuracy.to_numpy()
    assert s.r.to_numpy()[acc.argmin()] == 4.0 == labelnoise_stats.data_radius(16, 1.0)
    assert acc[0] == acc.max() and acc[-1] > np.median(acc[1:-1]) and acc[-1] > acc.min() + 0.05
    text = labelnoise_prose.dip_notice(table)
    assert f"lowest in between ({acc.min():.3f} at r = 4 in the reference)" in text
    assert "only 0.1% of a class lies within 2 of its mean" in text


def test_l4_notice_natural_accuracy_accounts_for_45_percent_of_the_dip(table):
    # Rewritten (issue 17): natural accuracy falls with adversarial accuracy, at the same r.
    s = labelnoise_prose.sweep(table, "opposite")
    split = labelnoise_stats.dip_split(s)
    assert s.mean_natural_accuracy.idxmin() == s.mean_adversarial_accuracy.idxmin()
    assert (f"{split['nat']:.3f}", f"{split['share_natural']:.0%}") == ("0.942", "45%")
    assert "natural accuracy falls 0.980 → 0.942 and adversarial accuracy 0.908 → 0.824: 45% of the 8.4-point" in \
        labelnoise_prose.dip_notice(table)


def test_l4_data_lie_at_sigma_root_d_from_their_mean():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20_000, 16, generator=g)
    norms = x.norm(dim=1)
    assert abs(float(norms.mean()) - 4) < 0.1
    assert abs(float((norms <= 2).double().mean()) - labelnoise_stats.share_within(2, 16, 1.0)) < 0.002


def test_l4_notice_third_class_and_opposite_class_poisons_both_average_0_870(table):
    opposite, third = (labelnoise_prose.sweep_mean(table, n) for n in ("opposite", "third"))
    assert f"{opposite:.3f}" == f"{third:.3f}" == "0.870"
    assert "the mean adversarial accuracy over the r-sweep is 0.870 for both" in \
        labelnoise_prose.third_class_notice(table)


def test_l4_notice_pgd_training_raises_the_curve_0_899_vs_0_870(table):
    # The lesson used to say 0.900: the table's mean is 0.8995, which rounds to 0.899.
    pgd, plain = labelnoise_prose.sweep_mean(table, "pgd"), labelnoise_prose.sweep_mean(table, "third")
    assert pgd > plain and (f"{pgd:.3f}", f"{plain:.3f}") == ("0.899", "0.870")
    assert "*raises* the curve (0.899 on average vs 0.870)" in labelnoise_prose.pgd_notice(table)


def test_l4_notice_a_spectral_cap_of_0_3_raises_accuracy_at_every_r_0_883_vs_0_870(table):
    # The lesson used to say 0.884: the table's mean is 0.8835 (0.88346), which rounds to 0.883.
    assert labelnoise_prose.above_at_every_r(table, "cap 0.3", "opposite")
    capped, base = labelnoise_prose.sweep_mean(table, "cap 0.3"), labelnoise_prose.sweep_mean(table, "opposite")
    assert (f"{capped:.3f}", f"{base:.3f}") == ("0.883", "0.870")
    assert "raises adversarial accuracy at every r (0.883 vs 0.870 on average" in labelnoise_prose.cap_notice(table)


def test_l4_notice_a_spectral_cap_of_0_3_lifts_the_deepest_point_from_0_824_to_0_839(table):
    pair = labelnoise_prose.deepest(table, "cap 0.3"), labelnoise_prose.deepest(table, "opposite")
    assert (f"{pair[0]:.3f}", f"{pair[1]:.3f}") == ("0.839", "0.824")
    assert "deepest point 0.839 vs 0.824" in labelnoise_prose.cap_notice(table)


def test_l4_notice_caps_of_1_and_3_change_next_to_nothing(table):
    base = labelnoise_prose.sweep_mean(table, "opposite")
    for cap in ("cap 1", "cap 3"):
        assert abs(labelnoise_prose.sweep_mean(table, cap) - base) < labelnoise_prose.SAME
    assert "Caps of 1 and 3 change next to nothing (0.871 and 0.870)" in labelnoise_prose.cap_notice(table)


def test_l4_unconstrained_networks_end_with_a_last_layer_norm_of_about_1_to_1_3():
    config = replace(labelnoise.LabelNoiseConfig(), device="cpu")
    model, _ = labelnoise.train_models(config, labelnoise.make_data(config), pick_device("cpu"))
    norms = spectral_norms(model)
    assert float(norms.min()) > 0.9 and float(norms.max()) < 1.4, norms


def test_l4_with_b_2_the_dip_almost_vanishes():
    config = labelnoise.LabelNoiseConfig(device="cpu")
    default = labelnoise.dip(labelnoise.run(config).summary)
    few = labelnoise.dip(labelnoise.run(replace(config, poisons_per_class=2)).summary)
    assert few["depth"] < default["depth"] / 2


def test_l4_notice_2d_defaults_the_bent_boundary_at_r_1_costs_the_most():
    values = dict(labelnoise_panels.PICTURE_DEFAULTS, seed=labelnoise.LabelNoiseConfig().seed)
    config = replace(labelnoise_panels.picture_config(values, labelnoise.LabelNoiseConfig()), device="cpu")
    runs = labelnoise_panels.draw_regions(config).runs.set_index("r")
    assert runs.adversarial_accuracy.idxmin() == 1.0 and runs.fit.all()
    assert "(μ = 1, b = 3) the bent boundary at r = 1 costs the most; at r = 6" in labelnoise_prose.picture_intro()


def test_l4_mnist_flipping_25_of_700_labels_is_3_6_percent(meta, table):
    mnist = meta["settings"]["configs"][-1]
    reference = labelnoise_mnist.MnistBucketsConfig.reference()
    assert (mnist["budget"], mnist["n_train"]) == (reference.flips, reference.n_train) == (25, 700)
    assert "Flipping 25 of 700 labels (3.6 %)" in labelnoise_prose.mnist_notice(table)


def test_l4_mnist_flips_barely_move_natural_accuracy_about_0_96(table):
    natural = labelnoise_panels.mnist_reference(table).mean_natural_accuracy
    assert natural.between(0.95, 0.975).all() and f"{natural.mean():.2f}" == "0.96"
    assert "natural accuracy (≈ 0.96)" in labelnoise_prose.mnist_notice(table)


def test_l4_mnist_flips_cut_adversarial_accuracy_from_0_95_to_0_33_0_65(table):
    adversarial = labelnoise_panels.mnist_reference(table).mean_adversarial_accuracy
    assert f"{labelnoise_prose.mnist_clean_accuracy(table):.2f}" == "0.95"
    assert (f"{adversarial.min():.2f}", f"{adversarial.max():.2f}") == ("0.33", "0.65")
    assert "from 0.95 to 0.33–0.65" in labelnoise_prose.mnist_notice(table)


def test_l4_notice_mnist_buckets_are_reported_with_seed_ranges_and_only_separated_pairs_resolved(table):
    # Rewritten (issue 17): "peaks at bucket 4" is not supported; the ranges overlap.
    ranges = labelnoise_stats.bucket_ranges(labelnoise_panels.mnist_reference(table))
    pairs = labelnoise_stats.resolved_pairs(ranges)
    assert ("bucket 4", "bucket 5") not in pairs and ("bucket 4", "bucket 3") not in pairs
    assert ("bucket 4", "bucket 1") in pairs and round(labelnoise_stats.separation_p(4), 3) == 0.029
    text = labelnoise_prose.mnist_notice(table)
    assert "bucket 4 0.39 [0.17, 0.52]" in text and "bucket 4 below bucket 1" in text
    assert "peaks" not in text.split("do not show")[0]


def test_l4_mnist_reference_has_4_seeds(table):
    assert set(labelnoise_panels.mnist_reference(table).runs) == {4}
    assert "4 seeds" in labelnoise_prose.mnist_caption(table) and "of 4 seeds" in labelnoise_prose.mnist_notice(table)


def test_l4_notice_the_shipped_dip_sweep_tracks_sigma_root_d_not_2_mu_root_d():
    dip_table = labelnoise.load_reference("dip").table
    assert dip_table.fit.all() and not dip_table.diverged.any()
    pos = labelnoise_stats.dip_positions(dip_table)
    scale = labelnoise_stats.which_scale(pos)
    assert scale["r_sigma"] > 0.8 and abs(scale["r_mu"]) < 0.3 and scale["settings"] == 9
    # main effects of the 3 × 3 grid: σ (σ√d 2 → 6) moves the dip by > 2, μ (2μ√d 2 → 8) by < 0.5
    assert np.ptp(pos.groupby("sigma").dip_r.mean()) > 2 > 0.5 > np.ptp(pos.groupby("mu").dip_r.mean())
    text = labelnoise_prose.dip_position_notice(dip_table)
    assert f"correlates with σ√d at r = {scale['r_sigma']:.2f} and with 2μ√d at r = {scale['r_mu']:.2f}" in text
    assert "| 1 | 0.5 | 8 | 2 | 2 [1, 2] |" in text
    assert "at r = 2.0, 3.0, 4.7 for σ = 0.5, 1, 1.5; averaged over σ, at r = 3.0, 3.3, 3.3 for μ = 0.25, 0.5, 1" in text


# --- Lesson 2: the paper's protocol answers the short curves' open question (issue 17) ----------


def _paper_like(gaps_at_last):
    """A per-split table whose learned-minus-large gap at the last poison count is given."""
    rows = []
    for seed, gap in enumerate(gaps_at_last):
        for poisons in (0, 85):
            g = gap if poisons == 85 else 0.0
            rows += [dict(seed=seed, poisons=poisons, mode_key="large", test_error=0.03),
                     dict(seed=seed, poisons=poisons, mode_key="learned", test_error=0.03 + g)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("gaps,answer", [
    ((0.02, 0.03, 0.025, 0.02), "ends *above* the large-λ error"),
    ((-0.02, -0.03, -0.025, -0.02), "ends *below* the large-λ error, as in the paper"),
    ((0.03, -0.03, 0.01, -0.02), "the interval holds zero"),
])
def test_l2_the_paper_protocol_answer_is_read_from_the_paired_interval(gaps, answer):
    from poisoncourse.core.stats import mean_interval

    text = regularization_prose.paper_protocol(_paper_like(gaps))
    mean, low, high = mean_interval(gaps)
    assert answer in text and f"{100 * mean:+.1f} points, 95 % t-interval [{100 * low:+.1f}, {100 * high:+.1f}]" in text
    assert f"{len(gaps)} data splits" in text and "At 85 poisons" in text


def test_l2_the_reference_note_says_whether_the_paper_protocol_was_made():
    assert "not yet run for this course" in regularization_prose.reference_note()
    made = regularization_prose.reference_note(paper_made=True)
    assert "has been run too: see below" in made and "not yet run" not in made
    assert regularization_prose.paper_protocol(None) == ""


def test_l2_the_shipped_paper_protocol_is_ten_splits_at_the_papers_settings_and_answers_from_its_interval():
    from poisoncourse.core.stats import mean_interval

    loaded = regularization_mnist.load_paper()  # shipped: missing or altered fails, never skips
    configs = loaded.meta["settings"]["configs"]
    assert len(configs) == 10 and len({c["seed"] for c in configs}) == 10
    assert {(c["attack_steps"], c["lam_steps"], c["alternate"]) for c in configs} == {(100, 50, True)}
    assert all(c["lam_start"] == pytest.approx(math.log(5)) for c in configs)
    text = regularization_prose.paper_protocol(loaded.table, loaded.meta)
    gaps = regularization_prose.learned_minus_large(loaded.table)
    mean, low, high = mean_interval(gaps[gaps.poisons == 85].gap)
    assert f"{100 * mean:+.1f} points, 95 % t-interval [{100 * low:+.1f}, {100 * high:+.1f}]" in text
    assert "10 data splits, T = 100, alternating steps, λ from log 5" in text
    verdict = "above" if low > 0 else "below" if high < 0 else "the interval holds zero"
    assert verdict in text
    last = loaded.table[loaded.table.poisons == 85].groupby("mode_key").test_error.mean()
    assert f"{last['learned']:.1%} (learned λ) and {last['large']:.1%} (λ = log 200)" in text
