"""Paper 000's convex warm-up (Sec. 2, Fig. 2) at a small scale: poisoning with an overall budget
C√n costs a linear model little, and less as n grows, while C ≲ √n; a budget with C ≳ √n keeps
the excess loss high."""

import math

import pytest
import torch

from poisoncourse.core.errors import ConfigError
from poisoncourse.width import convex as cv


@pytest.fixture(scope="module")
def default_run():
    return cv.run(cv.ConvexConfig())


def test_excess_loss_decays_with_n_while_the_budget_is_below_root_n_and_stalls_above_it(default_run):
    # Theorem 2.2: the attack's term is ≈ 2DC/√n. Here n = 125 … 2,000 (√n = 11 … 45). Measured at
    # seeds 0, 1, 2: the excess falls 14–116× for every C ≤ √125, and 2.5–2.8× for C = 64.
    s, config = default_run.summary, default_run.config
    below = [C for C in config.c_values if 0 < C * C <= min(config.sizes)]
    above = [C for C in config.c_values if C * C >= max(config.sizes)]
    assert below == [2, 4, 8] and above == [64]
    for C in below:
        assert cv.decay(s, C) >= 10, f"C = {C}: excess loss fell only {cv.decay(s, C):.1f}×"
    for C in above:
        assert cv.decay(s, C) < 4, f"C = {C}: excess loss fell {cv.decay(s, C):.1f}×"


def test_clean_training_improves_with_n_and_a_larger_budget_hurts_more(default_run):
    s = default_run.summary
    clean = s[s.C == 0].sort_values("n").excess_loss.to_numpy()
    assert (clean[:-1] > clean[1:]).all()  # plain statistical learning: more data, closer to w*
    # Up to C = √n a larger budget hurts more. (Beyond it, not necessarily: at n = 2,000, C = 64
    # cost 1.44–1.66 against C = 32's 1.65–1.74 at seeds 0–2 — the lesson says so.)
    n = s.n.max()
    at_largest_n = s[(s.n == n) & (s.C <= math.sqrt(n))].sort_values("C").excess_loss.to_numpy()
    assert len(at_largest_n) == 6 and (at_largest_n[:-1] < at_largest_n[1:]).all()
    assert not default_run.warnings  # every fit reached its optimum


def test_the_attack_stays_inside_its_l21_ball_and_the_pixel_box():
    config = cv.ConvexConfig(sizes=(200,), c_values=(0, 3, 30))
    x, y, _, _ = cv._pools(config)
    x, y = x[:, :200].repeat(3, 1, 1), y[:, :200].repeat(3, 1)
    mean, std = float(x.mean()), float(x.std())
    w = torch.randn(3, x.shape[-1] + 1, 10, generator=torch.Generator().manual_seed(0))
    budgets = torch.tensor([0.0, 3.0, 30.0])
    delta = cv.perturb(x, y, w, budgets, config, mean, std)
    used = delta.norm(dim=-1).sum(1)
    assert (used <= budgets * math.sqrt(200) * (1 + 1e-4) + 1e-6).all()
    assert used[0] == 0 and used[1] > 0.9 * 3 * math.sqrt(200)  # a small budget is spent in full
    assert ((x + delta) >= 0).all() and ((x + delta) <= 1 + 1e-6).all()


def test_the_written_out_gradient_is_the_objectives_and_the_solver_reaches_the_optimum():
    g = torch.Generator().manual_seed(1)
    Z, y = torch.randn(2, 300, 12, generator=g), torch.randint(0, 10, (2, 300), generator=g)
    W = torch.randn(2, 12, 10, generator=g, requires_grad=True)
    (auto,) = torch.autograd.grad(cv.objective(W, Z, y, 0.05).sum(), W)
    assert torch.allclose(cv.gradient(W.detach(), Z, y, 0.05), auto, atol=1e-6)
    fitted, grad_norm = cv.fit(Z, y, 0.05, 300)
    assert (grad_norm < 1e-4).all()
    # Strong convexity: no nearby point is lower.
    bumped = fitted + 1e-2 * torch.randn(fitted.shape, generator=g)
    assert (cv.objective(fitted, Z, y, 0.05) < cv.objective(bumped, Z, y, 0.05)).all()


def test_too_few_solver_iterations_are_reported_not_hidden():
    result = cv.run(cv.ConvexConfig(sizes=(100, 200), c_values=(0, 4), iterations=10))
    assert result.warnings and "solver iterations" in result.warnings[0]


@pytest.mark.parametrize("bad, words", [
    (dict(sizes=(10,)), "Sample sizes n"), (dict(sizes=(4001,)), "Sample sizes n"), (dict(sizes=(250.5,)), "whole"),
    (dict(c_values=(-1,)), "Budgets C"), (dict(resolution=9), "Input resolution"), (dict(lam=0), "Ridge λ"),
    (dict(lam=float("nan")), "Ridge λ"), (dict(attack_loss="hinge"), "Attack loss"), (dict(seeds=0), "seeds"),
])
def test_bad_settings_get_a_sentence(bad, words):
    with pytest.raises(ConfigError, match=words):
        cv.ConvexConfig(**bad)


def test_a_run_too_large_for_a_live_lesson_is_refused_with_a_cheaper_setting():
    big = cv.ConvexConfig(resolution=28, seeds=5, iterations=5_000)
    with pytest.raises(ConfigError, match="fewer or smaller sample sizes"):
        cv.run(big, max_seconds=cv.LIVE_MAX_SECONDS)
