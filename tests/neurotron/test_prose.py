"""Every number the prose of Lesson 3 states about a shipped reference table or about the live default
run, checked against that table or that run: one test per statement, named after it. (Numbers the
page renders with f-strings from the package — η, n, the reference's widths, Lemma 1's largest β —
need no test here: they cannot drift.) When a reference is remade and a test fails, update the
sentence in the app, not the tolerance."""

import numpy as np
import pandas as pd
import pytest

import poisoncourse.neurotron.experiment as neurotron
import poisoncourse.neurotron.noiseball as noiseball
import poisoncourse.neurotron.panels as neurotron_panels
import poisoncourse.neurotron.prose as neurotron_prose
import poisoncourse.neurotron.reference as paper_curves


NT, SGD, AUTHORS = (neurotron.ALGORITHMS[a] for a in ("neurotron", "sgd", "sgd_first_sample"))
FLOOR_THETAS = [t for t in neurotron.PAPER_THETAS if t > 0]


# -- Lesson 3 · the paper-scale reference ("What to notice") ------------------------------------


@pytest.fixture(scope="module")
def neurotron_final():
    """The reference's last iteration: one row per (distribution, sweep, algorithm, value)."""
    ref = paper_curves.load_reference().table
    return ref[ref.iteration == ref.iteration.max()]


def floors(final, distribution, algorithm, sweep="theta"):
    rows = final[(final.distribution == distribution) & (final.sweep == sweep) & (final.algorithm == algorithm)]
    return rows.set_index("value").median_log10_error.sort_index()


def test_notice_1_reference_recovers_w_star_to_about_1e_minus_14_without_attack(neurotron_final):
    # "in the paper-scale reference below ≈ 10^{-14} — machine precision" (the page opens on normal inputs)
    for algorithm in (NT, SGD):
        assert round(floors(neurotron_final, "normal", algorithm)[0.0]) == -14
        for distribution in neurotron.DISTRIBUTIONS:
            assert floors(neurotron_final, distribution, algorithm)[0.0] < -13.5


def test_notice_2_each_doubling_of_theta_raises_log10_of_the_floor_by_about_0_3(neurotron_final):
    for distribution in neurotron.DISTRIBUTIONS:
        for algorithm in (NT, SGD):
            steps = np.diff(floors(neurotron_final, distribution, algorithm)[FLOOR_THETAS].to_numpy())
            assert np.all(np.abs(steps - 0.3) < 0.05), (distribution, algorithm, steps)


def test_notice_2_a_rarer_attack_leaves_a_lower_floor(neurotron_final):
    for distribution in neurotron.DISTRIBUTIONS:
        for algorithm in (NT, SGD):
            assert floors(neurotron_final, distribution, algorithm, sweep="beta").is_monotonic_increasing


def test_notice_4_correct_sgds_floor_is_often_a_little_lower_than_neurotrons(neurotron_final):
    gaps = pd.concat([floors(neurotron_final, d, NT)[FLOOR_THETAS] - floors(neurotron_final, d, SGD)[FLOOR_THETAS]
                      for d in neurotron.DISTRIBUTIONS])
    assert (gaps > 0).mean() >= 0.75  # often lower …
    assert gaps.abs().max() < 0.5  # … by a little: less than half an order of magnitude


def test_notice_4_sgd_stalls_far_from_w_star_in_some_seeds_and_neurotron_never(neurotron_final):
    worst = neurotron_final.groupby("algorithm").max_log10_error.max()
    assert worst[SGD] > 0  # some seed ends more than ‖w*‖-ish away: ‖w - w*‖ > 1
    assert worst[NT] < -1  # every Neuro-Tron seed ends within 0.1 of w*


def test_notice_5_authors_sgd_ends_near_1e_minus_8_instead_of_1e_minus_14_for_gaussian_inputs(neurotron_final):
    assert round(floors(neurotron_final, "normal", AUTHORS)[0.0]) == -8
    assert round(floors(neurotron_final, "normal", SGD)[0.0]) == -14


# -- Lesson 3 · the live default run ------------------------------------------------------------


@pytest.fixture(scope="module")
def neurotron_live():
    return neurotron.run(neurotron_panels.live_defaults("normal", "theta"), max_seconds=neurotron.LIVE_MAX_SECONDS)


def test_notice_1_live_default_reaches_1e_minus_9_within_2000_steps_without_attack(neurotron_live):
    assert neurotron_live.config.iterations == 2_000
    at_zero = neurotron_live.final[neurotron_live.final.value == 0.0]
    assert set(at_zero.algorithm) == {NT, SGD} and (at_zero.log10_error <= -9).all()


def diverged(config) -> bool:
    final = neurotron.run(config).final
    return bool(final.diverged_at.notna().all())


def test_notice_5_authors_sgd_diverges_at_the_pages_ten_times_larger_eta():
    assert diverged(neurotron.NeurotronConfig.live("normal", values=(0.0,), algorithms=("sgd_first_sample",)))


def test_try_next_1_eta_0_01_with_student_t_inputs_blows_up():
    assert diverged(neurotron.NeurotronConfig.live("student_t", eta=0.01, values=(0.0, 0.5), iterations=400))


def test_batch_size_1_diverges_at_the_pages_eta_and_not_at_a_tenth_of_it():
    page = neurotron.NeurotronConfig.live("normal", b=1, values=(0.0, 0.5), iterations=400)
    assert diverged(page)
    assert neurotron.run(neurotron.NeurotronConfig.live("normal", b=1, eta=page.eta / 10, values=(0.0, 0.5),
                                                        iterations=400)).final.diverged_at.isna().all()


# -- Lesson 3 · the noise-ball reference ("What to notice" 3) ---------------------------------------


@pytest.fixture(scope="module")
def noise_ball_slopes():
    return noiseball.slopes(noiseball.load_reference().table).set_index(["attack", "algorithm"])


def test_notice_3_the_papers_attack_shrinks_with_eta_steeper_than_a_noise_balls_plus_0_5(noise_ball_slopes):
    # The sentence is built from the table (prose.noise_ball_notice): it quotes each slope and interval and says
    # "steeper than … +0.5, which every interval excludes" only where the intervals do exclude 0.5.
    text = neurotron_prose.noise_ball_notice(noiseball.load_reference().table)
    for algorithm in (NT, SGD):
        row = noise_ball_slopes.loc[("alternating", algorithm)]
        assert 0.5 < row.low < row.slope < row.high < 0.7, row  # the shipped table: 0.60–0.63 (Neuro-Tron)
        assert f"{algorithm} {row.slope:+.2f} (95 % interval {row.low:+.2f} to {row.high:+.2f})" in text
    assert "steeper than a noise ball's +0.5, which every interval excludes" in text
    assert "near a noise ball" not in text


def test_notice_3_the_verdict_follows_the_intervals():
    floors = noiseball.load_reference().table
    # A table whose floors shrink like √η (slope 0.5, a little noise): the sentence must say "consistent".
    noise = np.random.default_rng(0).normal(0, 1e-3, len(floors))
    ideal = floors.assign(floor=np.where(floors.attack == "alternating", 0.5 * np.log10(floors.eta), -2.0) + noise)
    assert "consistent with a noise ball's +0.5" in neurotron_prose.noise_ball_notice(ideal)


def test_notice_3_the_worst_case_floor_barely_moves_with_eta_slope_0_1_or_less(noise_ball_slopes):
    for algorithm in (NT, SGD):
        row = noise_ball_slopes.loc[("worst_case", algorithm)]
        assert round(row.slope, 1) <= 0.1 and row.high < 0.15, row
        assert f"at most {noise_ball_slopes.loc['worst_case'].high.max():+.2f}" in \
            neurotron_prose.noise_ball_notice(noiseball.load_reference().table)
        assert row.high < noise_ball_slopes.loc[("alternating", algorithm)].low / 3
