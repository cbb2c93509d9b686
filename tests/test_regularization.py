"""Claims of paper 002 (Carnerero-Cano, Muñoz-González, Spencer & Lupu) checked on seeded runs."""

import math

import numpy as np
import pytest
import torch

from poisoncourse import logreg
from poisoncourse import regularization as rg
from poisoncourse.errors import ConfigError

CPU = torch.device("cpu")
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def maps():
    """Error maps on a 24×24 grid at λ = −8 and λ = log 20, for three seeds."""
    out = {}
    for seed in SEEDS:
        pts = rg.make_points(seed)
        m = rg.error_maps(pts, [-8.0, rg.LAM_PAPER], 24, 0, CPU)
        clean = rg.clean_fit(pts, torch.tensor([-8.0, rg.LAM_PAPER], dtype=torch.float64))
        clean_err = logreg.errors(clean.theta, logreg.augment(pts.x_val), pts.y_val).numpy()
        out[seed] = (m["error"], clean_err)
    return out


# --- the paper's claims (Fig. 1, Sec. 3) ---------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_one_point_raises_validation_error_far_above_clean_without_regularization(maps, seed):
    errors, clean = maps[seed]
    # At λ = −8 some locations add at least 4 of 64 validation mistakes (+6 %) …
    assert errors[0].max() >= clean[0] + 4 / 64


@pytest.mark.parametrize("seed", SEEDS)
def test_error_map_is_nearly_flat_at_lambda_log20(maps, seed):
    errors, clean = maps[seed]
    # … while at λ = log 20 no location moves the error by more than 1 of 64 from clean.
    assert np.abs(errors[1] - clean[1]).max() <= 1 / 64 + 1e-12
    assert np.ptp(errors[1]) < np.ptp(errors[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_optimal_lambda_is_largest_where_the_poison_hurts_most(seed):
    result = rg.run(rg.HeatmapConfig(seed=seed, resolution=20, lam_values=8, attack_steps=0))
    grid = result.grid
    r = np.corrcoef(grid.damage_small, grid.best_lam)[0, 1]
    assert r > 0.4, r
    # Where one point does harm at λ = −8, the best λ is larger than where it does none.
    assert grid[grid.damage_small > 0].best_lam.mean() > grid[grid.damage_small <= 0].best_lam.mean() + 1


def test_optimal_attack_increases_validation_loss_and_learning_lambda_counters_it():
    pts = rg.make_points(0)
    start = rg.cloned_poison(0)
    fixed = rg.attack_path(pts, start, 0, -8.0, 30, rg.ALPHA, False, rg.BETA, CPU)
    learned = rg.attack_path(pts, start, 0, -8.0, 30, rg.ALPHA, True, rg.BETA, CPU)
    assert fixed.val_loss.iloc[-1] > fixed.val_loss.iloc[0] + 0.05
    assert learned.lam.iloc[-1] > -8 + 2  # the defender raises λ against the poison
    assert learned.val_loss.iloc[-1] < fixed.val_loss.iloc[-1]


# --- the machinery ----------------------------------------------------------------------------


def _one_poison_problem(lam, poison=(4.0, -1.0)):
    pts = rg.make_points(3)
    return pts, rg._problems(pts, torch.tensor([poison], dtype=torch.float64), 0,
                             torch.tensor([lam], dtype=torch.float64))


@pytest.mark.parametrize("lam", [-4.0, 0.0, rg.LAM_PAPER])
def test_hypergradient_agrees_with_finite_differences(lam):
    pts, prob = _one_poison_problem(lam)
    Xv, yv = logreg.augment(pts.x_val), pts.y_val
    d_x, d_lam = logreg.hypergradients(logreg.fit(prob, tol=1e-13), prob, Xv, yv)

    def val_loss(poison, lam_):
        _, p = _one_poison_problem(lam_, poison)
        return float(logreg.log_loss(logreg.fit(p, tol=1e-13).theta, Xv, yv)[0])

    h = 1e-5
    fd_x = [(val_loss((4.0 + h * (i == 0), -1.0 + h * (i == 1)), lam)
             - val_loss((4.0 - h * (i == 0), -1.0 - h * (i == 1)), lam)) / (2 * h) for i in range(2)]
    fd_lam = (val_loss((4.0, -1.0), lam + h) - val_loss((4.0, -1.0), lam - h)) / (2 * h)
    np.testing.assert_allclose(d_x[0, 0].numpy(), fd_x, rtol=1e-5, atol=1e-9)
    assert float(d_lam[0]) == pytest.approx(fd_lam, rel=1e-5, abs=1e-9)


def test_batched_solver_equals_one_problem_at_a_time():
    pts = rg.make_points(1)
    gen = torch.Generator().manual_seed(0)
    poisons = (torch.rand(12, 2, generator=gen, dtype=torch.float64) * 2 - 1) * rg.BOX
    lams = torch.linspace(-8, 6, 12, dtype=torch.float64)
    fitted = logreg.fit(rg._problems(pts, poisons, 0, lams))
    assert fitted.grad_norm < 1e-10
    for b in range(12):
        X = logreg.augment(torch.cat([pts.x_train, poisons[b:b + 1]]))
        y = torch.cat([pts.y_train, torch.tensor([-1.0], dtype=torch.float64)])
        np.testing.assert_allclose(fitted.theta[b].numpy(), logreg.fit_one(X, y, float(lams[b])).numpy(),
                                   rtol=1e-7, atol=1e-9)


def test_the_data_follow_the_seed_and_the_paper():
    a, b = rg.make_points(5), rg.make_points(5)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.x_val, b.x_val)
    assert not torch.equal(a.x_train, rg.make_points(6).x_train)
    assert a.x_train.shape == (32, 2) and a.x_val.shape == (64, 2)
    assert float(a.y_train.sum()) == 0 and float(a.y_val.sum()) == 0  # 16/16 and 32/32


def test_run_returns_tidy_tables():
    result = rg.run(rg.HeatmapConfig(resolution=10, lam_values=4, attack_steps=5))
    assert len(result.grid) == 100 and result.maps.shape == (4, 10, 10)
    assert set(result.boundaries.model) == {"clean", "poisoned"}
    assert list(result.path.step) == list(range(6))
    assert result.path[["x1", "x2"]].abs().to_numpy().max() <= rg.BOX
    assert result.seconds > 0 and result.device


@pytest.mark.parametrize("bad", [dict(lam=7), dict(lam=float("nan")), dict(resolution=2), dict(poison=(1.0,)),
                                 dict(poison=(0.0, 10.0)), dict(poison_label=2), dict(attack_steps=-1),
                                 dict(seed="x")])
def test_bad_settings_get_a_sentence(bad):
    with pytest.raises(ConfigError) as err:
        rg.HeatmapConfig(**bad)
    assert str(err.value).endswith(".")
