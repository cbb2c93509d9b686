"""Stacked networks behave exactly like the same networks trained one by one."""

import torch

from poisoncourse.core.attacks import cross_entropy_loss, margin, pgd_l2, project_l2, smallest_flipping_step
from poisoncourse.core.nets import StackedMLP, StackedTwoLayer, accuracy, cap_spectral_norm, spectral_norms, train


def blobs(n=120, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, d, generator=g) + 2.0 * (2 * y[:, None] - 1)
    return x, y


def test_a_stacked_model_depends_on_its_own_seed_only():
    a = StackedMLP.init([4, 8, 2], seeds=[0, 1, 2])
    b = StackedMLP.init([4, 8, 2], seeds=[5, 1])
    torch.testing.assert_close(a.weights[0][1], b.weights[0][1])


def test_training_stacked_equals_training_each_model_alone():
    x, y = blobs()
    seeds = [3, 4, 5]
    together = StackedMLP.init([4, 16, 16, 2], seeds)
    train(together, x, y, epochs=5, lr=1e-2, seeds=seeds, batch_size=32)
    for m, seed in enumerate(seeds):
        alone = StackedMLP.init([4, 16, 16, 2], [seed])
        train(alone, x, y, epochs=5, lr=1e-2, seeds=[seed], batch_size=32)
        for p, q in zip(together.parameters(), alone.parameters()):
            torch.testing.assert_close(p[m], q[0], rtol=1e-4, atol=1e-5)


def test_stop_at_fit_freezes_a_model_once_it_fits():
    x, y = blobs()
    model = StackedMLP.init([4, 32, 2], [0, 1])
    log = train(model, x, y, epochs=200, lr=1e-2, seeds=[0, 1], stop_at_fit=True)
    assert log.all_fit and log.epochs < 200
    assert torch.equal(accuracy(model(x), y), torch.ones(2))


def test_pgd_stays_in_its_ball_and_box_and_does_not_help_the_model():
    x, y = blobs(n=60)
    x = x.clamp(-3.0, 3.0)  # start inside the box
    model = StackedMLP.init([4, 16, 2], [0, 1])
    train(model, x, y, epochs=20, lr=1e-2, seeds=[0, 1])
    eps = torch.tensor([0.5, 1.5])
    x_adv = pgd_l2(cross_entropy_loss(model, y), x.expand(2, -1, -1), eps, steps=10, box=(-3.0, 3.0))
    dist = (x_adv - x).norm(dim=-1)
    assert bool((dist <= eps[:, None] + 1e-5).all())
    assert x_adv.min() >= -3.0 and x_adv.max() <= 3.0
    with torch.no_grad():
        assert bool((margin(model(x_adv), y) <= margin(model(x.expand(2, -1, -1)), y) + 1e-5).all())


def test_projection_leaves_points_inside_the_ball_unchanged():
    d = torch.tensor([[[0.3, 0.4], [3.0, 4.0]]])
    out = project_l2(d, 1.0)
    torch.testing.assert_close(out[0, 0], d[0, 0])
    torch.testing.assert_close(out[0, 1].norm(), torch.tensor(1.0))


def test_spectral_cap_bounds_the_largest_singular_value_and_spares_smaller_ones():

    model = StackedMLP.init([4, 16, 16, 3], [0, 1, 2])
    before = spectral_norms(model).clone()
    caps = torch.tensor([0.1, 0.2, 100.0])
    cap_spectral_norm(model, caps)
    after = spectral_norms(model)
    assert bool((after <= caps + 1e-5).all())
    torch.testing.assert_close(after[2], before[2])  # already inside its cap: untouched


def test_a_spectral_cap_holds_throughout_training():

    x, y = blobs()
    model = StackedMLP.init([4, 16, 16, 2], [0, 1])
    train(model, x, y, epochs=5, lr=1e-2, seeds=[0, 1], after_step=lambda m: cap_spectral_norm(m, 0.5))
    assert bool((spectral_norms(model) <= 0.5 + 1e-5).all())


# --- StackedTwoLayer (paper 004) and the smallest flipping step -----------------------------



def test_two_layer_logits_give_the_logistic_loss_and_the_closed_form_gradient_is_autograds():
    model = StackedTwoLayer.init(5, 32, [0, 1], bias=True)
    x = torch.randn(2, 7, 5, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1, 1, 0, 1, 0, 1])
    logits = model(x)
    f = model.output(x)
    ce = torch.nn.functional.cross_entropy(logits.reshape(-1, 2), y.repeat(2), reduction="none").view(2, 7)
    torch.testing.assert_close(ce, torch.nn.functional.softplus(-(2 * y - 1) * f))
    xg = x.clone().requires_grad_()
    (auto,) = torch.autograd.grad(model.output(xg).sum(), xg)
    f2, grad = model.input_gradient(x)
    torch.testing.assert_close(f2, f.detach())
    torch.testing.assert_close(grad, auto)
    torch.testing.assert_close(model.a.abs(), torch.full((2, 32), 32 ** -0.5))  # ±1/√m, fixed
    assert [p.shape for p in model.parameters()] == [(2, 5, 32), (2, 1, 32)]


def test_two_layer_projection_keeps_every_row_in_its_ball_around_its_init():
    model = StackedTwoLayer.init(4, 16, [0, 1], bias=True)
    with torch.no_grad():
        model.W.add_(torch.randn(2, 4, 16, generator=torch.Generator().manual_seed(1)))
    model.project_to_init_ball(torch.tensor([0.1, 10.0]))
    dist = model.distance_from_init()
    assert bool((dist[0] <= 0.1 + 1e-6).all()) and dist[0].max() > 0.099
    assert dist[1].max() < 10.0  # inside the large ball: untouched


def test_two_layer_stacked_training_equals_training_each_model_alone():
    x, y = blobs(d=4)
    seeds = [3, 4]
    together = StackedTwoLayer.init(4, 16, seeds)
    train(together, x, y, epochs=3, lr=0.5, seeds=seeds, optimizer="sgd",
          after_epoch=lambda m: m.project_to_init_ball(0.5))
    for i, seed in enumerate(seeds):
        alone = StackedTwoLayer.init(4, 16, [seed])
        train(alone, x, y, epochs=3, lr=0.5, seeds=[seed], optimizer="sgd",
              after_epoch=lambda m: m.project_to_init_ball(0.5))
        torch.testing.assert_close(together.W[i], alone.W[0], rtol=1e-4, atol=1e-5)


def test_smallest_flipping_step_finds_the_root_of_a_line():
    # score(η) = 1 − η/c flips at η = c; each sample has its own c.
    c = torch.tensor([[0.5, 2.0, 7.0]])
    eta = smallest_flipping_step(lambda e: 1 - e / c, guess=torch.ones_like(c))
    torch.testing.assert_close(eta, c, rtol=1e-3, atol=0)
    assert bool((eta >= c).all())  # on the flipped side
    never = smallest_flipping_step(lambda e: 1 + e, guess=torch.ones(1, 2))
    assert bool(never.isnan().all())
