"""Lesson 3's "What to notice" and "Try next", performed: each test follows one statement of the page
(with the page's own settings, seeded) and checks the effect it states. Claims about the shipped
references are checked against them in tests/neurotron/test_prose.py (also named ``notice``)."""

import numpy as np
import pytest

import poisoncourse.neurotron.experiment as nt
import poisoncourse.neurotron.panels as panels
import poisoncourse.neurotron.noiseball as noiseball

NT, SGD = nt.ALGORITHMS["neurotron"], nt.ALGORITHMS["sgd"]
PAGE_ETA = nt.NeurotronConfig.live("normal").eta


def floor(result, algorithm=NT) -> dict:
    """Per swept value: median over seeds of the floor (mean log10 error over the run's second half)."""
    f = noiseball.floors(result)
    return f[f.algorithm == algorithm].groupby("eta").floor.median().to_dict()


@pytest.fixture(scope="module")
def eta_sweeps():
    """The page's η and a quarter of it (T × 4), θ = 0.5, for both attacks: Try next 5 / notice 3."""
    out = {}
    for attack in nt.ATTACKS:
        config = nt.NeurotronConfig.live("normal", sweep="eta", values=(PAGE_ETA, PAGE_ETA / 4), theta=0.5,
                                         attack=attack, iterations=8_000, seeds=3, algorithms=("neurotron",))
        out[attack] = floor(nt.run(config))
    return out


def test_notice_the_papers_attack_leaves_a_noise_ball_that_a_smaller_eta_shrinks(eta_sweeps):
    f = eta_sweeps["alternating"]
    assert f[PAGE_ETA] - f[PAGE_ETA / 4] > 0.2  # a noise ball: √4 predicts 0.3


def test_try_next_5_the_worst_case_attacks_floor_stays_when_eta_is_divided_by_4(eta_sweeps):
    f = eta_sweeps["worst_case"]
    assert abs(f[PAGE_ETA] - f[PAGE_ETA / 4]) < 0.1
    alt = eta_sweeps["alternating"]
    assert alt[PAGE_ETA] - alt[PAGE_ETA / 4] > 0.2  # "… with the paper's attack it drops by ≈ 0.3"
    assert abs(alt[PAGE_ETA] - alt[PAGE_ETA / 4] - 0.3) < 0.1


def test_try_next_2_q_10_with_eta_over_10_is_the_run_of_theta_over_10_one_order_lower():
    base = dict(values=(0.5, 2.0), seeds=2, iterations=2_000, algorithms=("neurotron",))
    q10 = nt.run(nt.NeurotronConfig.live("normal", q=10.0, eta=PAGE_ETA / 10, **base)).final
    theta10 = nt.run(nt.NeurotronConfig.live("normal", **{**base, "values": (0.05, 0.2)})).final
    plain = nt.run(nt.NeurotronConfig.live("normal", **base)).final
    # the same trajectory: q scales the teacher's labels and leaves θ alone (Sec. 3.6)
    np.testing.assert_allclose(q10.error, theta10.error, rtol=1e-6)
    drop = plain.log10_error.to_numpy() - q10.log10_error.to_numpy()
    assert np.allclose(drop, 1.0, atol=0.15)  # "the floor drops by one order of magnitude"


def test_try_next_2_correct_sgd_diverges_at_q_10_and_eta_over_10():
    config = nt.NeurotronConfig.live("normal", q=10.0, eta=PAGE_ETA / 10, values=(0.5,), seeds=2, iterations=400,
                                     algorithms=("sgd",))
    assert nt.run(config).final.diverged_at.notna().all()


def test_try_next_3_batch_size_1_raises_the_floor_at_a_tenth_of_the_step():
    runs = {b: nt.run(nt.NeurotronConfig.live("normal", b=b, eta=PAGE_ETA / 10, values=(0.0, 0.5), iterations=10_000,
                                             algorithms=("neurotron",))) for b in (16, 1)}
    for b, result in runs.items():
        at_zero = result.final[result.final.value == 0.0]
        assert (at_zero.log10_error < -4).all(), b  # converged: not a slow run read as a floor
    f16, f1 = (floor_at(runs[b], 0.5) for b in (16, 1))
    assert 0.3 < f1 - f16 < 0.9  # √16 predicts 0.6


def floor_at(result, value) -> float:
    c = result.curves
    part = c[(c.value == value) & (c.algorithm == NT) & (c.iteration >= result.config.iterations // 2)]
    return float(part.groupby("seed").log10_error.mean().median())


def test_try_next_4_the_floor_at_beta_0_9_is_about_0_9_in_log10_above_the_floor_at_beta_0_005():
    result = nt.run(panels.live_defaults("normal", "beta"))
    s = result.summary[result.summary.algorithm == NT].set_index("value").median_log10_error
    assert round(s[0.9] - s[0.005], 1) == 0.9  # "almost an order of magnitude (0.9 in log₁₀)"
