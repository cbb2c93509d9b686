"""Claims of paper 002 (Carnerero-Cano, Muñoz-González, Spencer & Lupu) checked on seeded runs."""


import numpy as np
import pytest
import torch

from poisoncourse.core import logreg
from poisoncourse.core.errors import ConfigError
from poisoncourse.regularization import experiment as rg

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


def _one_poison_problem(lam, poison=(4.0, -1.0), penalize_bias=True):
    pts = rg.make_points(3)
    return pts, rg._problems(pts, torch.tensor([poison], dtype=torch.float64), 0,
                             torch.tensor([lam], dtype=torch.float64), penalize_bias)


@pytest.mark.parametrize("lam,penalize_bias", [(-4.0, True), (0.0, True), (rg.LAM_PAPER, True),
                                               (0.0, False), (rg.LAM_PAPER, False)])
def test_hypergradient_agrees_with_finite_differences(lam, penalize_bias):
    pts, prob = _one_poison_problem(lam, penalize_bias=penalize_bias)
    Xv, yv = logreg.augment(pts.x_val), pts.y_val
    d_x, d_lam = logreg.hypergradients(logreg.fit(prob, tol=1e-13), prob, Xv, yv)

    def val_loss(poison, lam_):
        _, p = _one_poison_problem(lam_, poison, penalize_bias)
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


def test_hypergradient_agrees_with_finite_differences_for_several_poisons_in_more_dimensions():
    # The MNIST panel uses the same formula with 17 poisons in 784 pixels; check it on 3 in 5.
    g = torch.Generator().manual_seed(1)
    X0 = logreg.augment(torch.randn(40, 5, generator=g, dtype=torch.float64))
    y0 = torch.sign(X0[:, 0] + 0.5 * torch.randn(40, generator=g, dtype=torch.float64))
    Xv = logreg.augment(torch.randn(30, 5, generator=g, dtype=torch.float64))
    yv = torch.sign(Xv[:, 0])
    xp = torch.rand(1, 3, 5, generator=g, dtype=torch.float64)
    yp = torch.tensor([[1.0, -1.0, 1.0]], dtype=torch.float64)
    lam = torch.tensor([-2.0], dtype=torch.float64)

    def prob(x):
        return logreg.Problems(X0, y0, logreg.augment(x), yp, lam)

    d_x, _ = logreg.hypergradients(logreg.fit(prob(xp), tol=1e-13), prob(xp), Xv, yv)
    h, fd = 1e-6, torch.zeros(3, 5, dtype=torch.float64)
    for p in range(3):
        for d in range(5):
            e = torch.zeros_like(xp)
            e[0, p, d] = h
            up, down = (float(logreg.log_loss(logreg.fit(prob(xp + s * e), tol=1e-13).theta, Xv, yv)[0]) for s in (1, -1))
            fd[p, d] = (up - down) / (2 * h)
    np.testing.assert_allclose(d_x[0].numpy(), fd.numpy(), rtol=1e-5, atol=1e-9)


# --- MNIST 0 vs 8 (Fig. 2) ----------------------------------------------------------------------

from poisoncourse.regularization import mnist as rm  # noqa: E402


@pytest.fixture(scope="module")
def reference():
    return rm.average(rm.load_reference().table)


def _curve(reference, mode, column):
    rows = reference[reference.mode_key == mode].sort_values("poisons")
    return rows[column].to_numpy()


def test_shipped_curves_cover_the_paper_grid(reference):
    assert sorted(reference.poisons.unique()) == list(range(0, rm.MAX_POISONS + 1, rm.BATCH))
    assert set(reference.mode_key) == set(rm.MODES)


def test_learned_lambda_grows_with_the_poison_fraction_while_the_norm_shrinks(reference):
    # Fig. 2(d): with every batch of 17 poisons the learned λ rises and ‖w‖² falls.
    lam, norm = _curve(reference, "learned", "lam"), _curve(reference, "learned", "w_norm2")
    assert np.all(np.diff(lam) > 0), lam
    assert np.all(np.diff(norm) < 0), norm
    assert lam[-1] > lam[0] + 1 and norm[-1] < norm[0] / 2


def test_small_and_clean_cv_lambda_are_hurt_while_learned_lambda_stays_near_clean(reference):
    small, cv = _curve(reference, "small", "test_error"), _curve(reference, "cv", "test_error")
    learned, large = _curve(reference, "learned", "test_error"), _curve(reference, "large", "test_error")
    assert small[-1] > small[0] + 0.05 and cv[-1] > cv[0] + 0.03
    assert learned[-1] < small[-1] / 2 and learned[-1] < cv[-1]
    assert large[0] > cv[0]  # large λ underfits clean data


def test_live_mnist_run_reports_progress_and_moves_poisons_and_lambda():
    # The claims are checked on the shipped curves above; this checks the live machinery.
    calls = []
    config = rm.MnistPoisoningConfig(modes=("learned",), attack_steps=2, lam_steps=2)
    result = rm.run(config, progress=lambda done, total, partial=None: calls.append((done, total)))
    assert calls[-1] == (4, 4) == (rm.total_steps(config),) * 2
    t = result.table.sort_values("poisons")
    assert list(t.poisons) == [0, 17] and list(t.mode_key) == ["learned"] * 2
    assert t.lam.between(rm.LAM_SMALL, rm.LAM_LARGE).all() and t.lam.iloc[0] != rm.LAM_START


def test_mnist_split_is_the_papers():
    s = rm.make_split(0, CPU)
    assert (len(s.y_train), len(s.y_val), len(s.y_test)) == (512, 171, 317)
    assert float(s.X_train[:, :-1].min()) >= 0 and float(s.X_train[:, :-1].max()) <= 1
    assert set(s.y_train.unique().tolist()) == {-1.0, 1.0}


@pytest.mark.parametrize("bad", [dict(poisons=10), dict(poisons=102), dict(modes=()), dict(modes=("huge",)),
                                 dict(attack_steps=0)])
def test_bad_mnist_settings_get_a_sentence(bad):
    with pytest.raises(ConfigError) as err:
        rm.MnistPoisoningConfig(**bad)
    assert str(err.value).endswith(".")


def test_a_lambda_that_cannot_move_is_explained():
    result = rg.run(rg.HeatmapConfig(resolution=5, lam_values=2, attack_steps=3, learn_lam=True, lam_step=0.0))
    assert any("cannot move" in w for w in result.warnings)
    assert (result.path.lam == result.config.lam).all()
