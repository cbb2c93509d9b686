"""Paper 004's claims at a small scale: a lazy network is flipped by one short gradient step
whose size shrinks like 1/√d, and robustness appears only once the rows may move far enough."""

import math

import pytest
import torch

from poisoncourse.core.errors import ConfigError
from poisoncourse.core.nets import StackedTwoLayer
from poisoncourse.lazy import experiment as lazy

FAST = dict(width=128, epochs=3, n_train=400, n_test=150)


def test_gradient_grows_like_sqrt_d_and_the_flipping_step_shrinks_like_one_over_sqrt_d():
    # Fig. 2 / Thm. 3.1: ‖∇f‖ ≈ √(d/2), ‖δ‖ = Θ(1/√d), η = Θ(1/d). Fitted for d ≥ 100, where the
    # asymptotics apply; over d = 25…784 the slopes are flatter (about ±0.4), as measured elsewhere too.
    result = lazy.run(lazy.LazyConfig.single_step(values=(10, 14, 20, 28), **FAST))
    s = result.summary
    assert (s.clean_accuracy > 0.95).all()  # they generalize well …
    assert lazy.loglog_slope(s.d, s.grad_norm) == pytest.approx(0.5, abs=0.1)
    assert lazy.loglog_slope(s.d, s.delta_rel) == pytest.approx(-0.5, abs=0.1)  # … and are fragile
    assert lazy.loglog_slope(s.d, s.eta) == pytest.approx(-1.0, abs=0.15)
    assert (s.flipped == 1.0).all()


@pytest.mark.parametrize("projection", ["step", "epoch"])
def test_every_trained_row_lies_inside_its_lazy_ball(projection):
    result = lazy.run(lazy.LazyConfig.phase(values=(1.0, 4.0), projection=projection, bias=True, **FAST))
    rows = result.rows
    assert (rows.distance <= rows.radius * (1 + 1e-5)).all()
    assert (result.models.max_distance > 0.9 * result.models.radius).all()  # the ball is really binding


def test_robustness_appears_only_when_the_lazy_radius_is_large():
    # Fig. 4, right: d = 196, ε = 0.1. A tight radius leaves the network near its random start —
    # no better than always guessing the majority class; a wide one is robust.
    result = lazy.run(lazy.LazyConfig.phase(values=(0.5, 10.0), seeds=1))
    small, large = result.summary.iloc[0], result.summary.iloc[1]
    assert small.d == 196 and small.eps == 0.1
    assert small.clean_accuracy <= small.majority + 0.1
    assert small.robust_accuracy <= small.majority + 0.05
    assert large.robust_accuracy >= 0.8
    assert any("majority" in w for w in result.warnings)


def test_the_single_step_flips_the_prediction_and_a_step_ten_percent_shorter_does_not():
    config = lazy.LazyConfig.single_step(values=(14,), **FAST)
    inputs = lazy.load_inputs(config, 14, torch.device("cpu"))
    model = StackedTwoLayer.init(196, 128, [0, 1])
    lazy.lazy_train(model, inputs, config, torch.full((2,), 10 / math.sqrt(128)), torch.zeros(2), [0, 1])
    x, y = inputs.x_test, inputs.y_test
    step = lazy.single_step_attack(model, x, y)
    assert step.correct.float().mean() > 0.95
    f, grad = model.input_gradient(x.expand(2, *x.shape))
    u = -torch.sign(f).unsqueeze(-1) * grad
    ok = step.correct
    assert bool(step.eta[ok].isfinite().all())
    with torch.no_grad():
        at = model.output(x + step.eta.nan_to_num().unsqueeze(-1) * u)
        short = model.output(x + 0.9 * step.eta.nan_to_num().unsqueeze(-1) * u)
    assert bool((torch.sign(at[ok]) != torch.sign(f[ok])).all())
    assert bool((torch.sign(short[ok]) == torch.sign(f[ok])).all())
    torch.testing.assert_close(step.delta[ok], step.eta[ok] * grad.norm(dim=-1)[ok])


def test_models_with_one_seed_share_their_start_and_differ_only_by_the_swept_value():
    result = lazy.run(lazy.LazyConfig.phase(values=(20.0, 50.0), seeds=1, epochs=1, n_train=100, n_test=50))
    # Neither radius binds after one short epoch, so both runs are the same computation.
    a, b = result.models.iloc[0], result.models.iloc[1]
    assert a.clean_accuracy == b.clean_accuracy and a.grad_norm == pytest.approx(b.grad_norm)


@pytest.mark.parametrize("bad, words", [
    (dict(lazy_radius=0.0), "Lazy radius C₀"),
    (dict(values=(0.5, 500.0)), "C₀"),
    (dict(sweep="size", values=(1,)), "image size"),
    (dict(eps=-0.1), "Budget ε"),
    (dict(width=4), "Width m"),
    (dict(projection="sometimes"), "Projection"),
    (dict(n_train=900, n_test=200), "at most 1000"),
])
def test_out_of_range_settings_are_refused_with_a_sentence(bad, words):
    with pytest.raises(ConfigError, match=words):
        lazy.LazyConfig(**bad)


def test_the_shipped_reference_loads_and_covers_the_paper_sweeps():
    table = lazy.load_reference().table
    assert set(table.figure) == {"phase", "budget", "single_step"}
    assert table.robust_accuracy.between(0, 1).all()


def test_the_training_attack_maximizes_the_logistic_loss_of_the_two_logits():
    from poisoncourse.core.attacks import cross_entropy_loss

    model = StackedTwoLayer.init(5, 16, [0, 1])
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(2, 7, 5, generator=g), torch.randint(0, 2, (2, 7), generator=g)
    torch.testing.assert_close(lazy.logistic_loss(model, y)(x), cross_entropy_loss(model, y)(x))


def test_a_run_that_blows_up_is_left_out_and_explained(monkeypatch):
    # Lazy training with a fixed top layer hardly ever diverges, so the blow-up is injected:
    # one network's weights turn NaN during training; the others must be unaffected.
    real = lazy.lazy_train

    def breaks_the_first(model, *args, **kwargs):
        log = real(model, *args, **kwargs)
        with torch.no_grad():
            model.W[0, 0, 0] = float("nan")
        return log

    monkeypatch.setattr(lazy, "lazy_train", breaks_the_first)
    config = lazy.LazyConfig(values=(4.0, 10.0), seeds=1, epochs=1, n_train=200, n_test=100, size=7)
    result = lazy.run(config)
    assert any("blew up (NaN) in 1 of 2 runs" in w for w in result.warnings)


def test_the_stop_rule_returns_the_last_network_inside_the_ball_and_freezes_it():
    # Sec. 5.1: "the training terminates if the iterates exit the lazy training regime".
    config = lazy.LazyConfig.single_step(sweep="radius", values=(0.5, 50.0), size=7, width=32, epochs=2,
                                         n_train=200, n_test=50, projection="stop")
    result = lazy.run(config)
    m = result.models.set_index("value")
    assert m.steps[0.5] < m.steps[50.0]  # the small ball ends training early …
    assert m.steps[50.0] == 2 * math.ceil(200 / config.batch_size)  # … the big one never binds
    assert (result.rows.distance <= result.rows.radius * (1 + 1e-5)).all()


@pytest.mark.parametrize("sweep, values", [("radius", (1.0, 4.0)), ("eps", (0.1, 0.2))])
def test_a_refused_run_still_draws_the_reference_runs_dashed(sweep, values):
    # Issue 13: the reference lines sit inside the live charts; a refused setting must not take them away.
    from poisoncourse.lazy import panels
    reference = lazy.load_reference().table
    view = panels.robust_view(None, reference, config=lazy.LazyConfig.phase(sweep=sweep, values=values))
    spec = view.chart.to_dict()
    dashed = [layer for layer in spec["layer"] if layer["mark"].get("strokeDash")]
    assert dashed and "reference alone" in spec["title"]["text"]
    live = [layer for layer in spec["layer"] if layer["mark"]["type"] == "line" and layer["mark"].get("color") == "black"]
    assert not live  # no live line
    single = panels.single_step_reference(reference, lazy.LazyConfig.single_step())
    from poisoncourse.lazy import charts
    panels = charts.lazy_scaling(None, reference=single, guides=False).to_dict()["hconcat"]
    assert len(panels) == 3
    for panel in panels:
        sources = {row["source"] for row in panel["layer"][0]["data"]["values"]} if "values" in panel["layer"][0].get(
            "data", {}) else None
        assert sources is None or all(s.startswith("reference") for s in sources)
