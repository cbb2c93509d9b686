"""Claims of paper 001 (Karmakar, Mukherjee & Papamarkou) checked on small seeded runs."""

import math

import numpy as np
import pytest
import torch

from poisoncourse.core.errors import ConfigError
from poisoncourse.neurotron import experiment as nt
from poisoncourse.neurotron import network, problem, theory

CPU = torch.device("cpu")


def final_log_error(config, algorithm="Neuro-Tron"):
    summary = nt.run(config).summary
    rows = summary[summary.algorithm == algorithm].sort_values("value")
    return rows.mean_log10_error.to_numpy()


# --- the paper's claims --------------------------------------------------------------------


def test_neurotron_recovers_the_teacher_exactly_without_attack():
    # Theorem 1, case θ = 0: realizable labels, the error goes to (numerical) zero.
    config = nt.NeurotronConfig.live(values=(0.0,), seeds=3, iterations=2_000, algorithms=("neurotron",))
    result = nt.run(config)
    assert result.final.error.max() <= 1e-8


@pytest.mark.parametrize("algorithm", ["Neuro-Tron", "SGD (correct gradient)"])
def test_final_error_grows_with_attack_magnitude_theta(algorithm):
    config = nt.NeurotronConfig.live(values=(0.0, 0.25, 1.0, 4.0), beta=0.5, seeds=3, iterations=1_500)
    errors = final_log_error(config, algorithm)
    assert np.all(np.diff(errors) > 0.2), errors


@pytest.mark.parametrize("algorithm", ["Neuro-Tron", "SGD (correct gradient)"])
def test_final_error_grows_with_attack_probability_beta(algorithm):
    config = nt.NeurotronConfig.live(sweep="beta", values=(0.005, 0.1, 0.5, 0.9), theta=0.25, seeds=3,
                                     iterations=1_500)
    errors = final_log_error(config, algorithm)
    assert np.all(np.diff(errors) > 0), errors


def test_correct_sgd_can_stall_near_minus_w_star_while_neurotron_does_not():
    # Measured on the paper's setting: correct SGD stalls in some seeds; Neuro-Tron never did.
    config = nt.NeurotronConfig.live(values=(0.0,), seeds=10, iterations=1_500)
    traj = nt.simulate(config, CPU)
    result = nt.tidy(config, traj)
    stalled = result.final[result.final.stalled]
    assert set(stalled.algorithm) == {"SGD (correct gradient)"}
    w_star = problem.make_problem(config, CPU).w_star.numpy()
    for seed in stalled.seed:
        s = seed - config.seed
        w = traj.final_w[s, 0, 1]
        cosine = w @ w_star[s] / np.linalg.norm(w) / np.linalg.norm(w_star[s])
        assert cosine < -0.5  # a spurious minimum on the far side, not a dead network
    assert any("got stuck" in w and "spurious minimum" in w for w in result.warnings)


def test_a_run_that_is_merely_slow_is_not_called_stuck():
    result = nt.run(nt.NeurotronConfig.live(values=(0.0,), eta=1e-5, iterations=200))
    assert not result.final.stalled.any() and result.final.unconverged.all()
    assert not any("stuck" in w for w in result.warnings)
    assert any("not close to w* yet" in w for w in result.warnings)


def test_authors_first_sample_sgd_converges_far_slower_than_correct_sgd():
    # At the paper's η (the variant diverges at the live lesson's 10× larger step).
    config = nt.NeurotronConfig(values=(0.0,), seeds=3, iterations=2_000, algorithms=("sgd", "sgd_first_sample"))
    final = nt.run(config).final
    correct = final[(final.algorithm == nt.ALGORITHMS["sgd"]) & ~final.stalled].log10_error
    authors = final[final.algorithm == nt.ALGORITHMS["sgd_first_sample"]].log10_error
    assert len(correct) >= 2 and authors.notna().all()
    assert authors.min() > correct.max() + 3


def test_larger_outer_weight_q_lowers_the_error_floor():
    # Appendix H: q = 10 with η/5 recovers w* more accurately than q = 1 under the same attack.
    base = dict(values=(0.5,), seeds=3, iterations=2_000, algorithms=("neurotron",))
    plain = final_log_error(nt.NeurotronConfig.live(**base))
    scaled = final_log_error(nt.NeurotronConfig.live(q=10.0, eta=nt.LIVE_ETA_FACTOR * 1e-4 / 5, **base))
    assert scaled[0] < plain[0] - 0.3


def test_lemma1_constant_matches_monte_carlo():
    # Lemma 1: one ReLU gate, M = I, x ~ N(0, σ² I_n): λ₁ = σ², λ₂ = 1, β₁ = β E‖x‖.
    g = torch.Generator().manual_seed(1)
    for sigma, n, beta in [(1.0, 5, 0.1), (3.0, 50, 0.05), (1.0, 100, 0.02)]:
        x = sigma * torch.randn(200_000, n, generator=g, dtype=torch.float64)
        lam1 = float(torch.linalg.eigvalsh(x.T @ x / len(x))[0]) if n <= 5 else sigma**2
        monte_carlo = lam1 / (beta * float(x.norm(dim=1).mean())) - 1
        exact = theory.lemma1_c_tradeoff(sigma, beta, n)
        assert monte_carlo == pytest.approx(exact, rel=0.02)
    assert theory.lemma1_c_tradeoff(1.0, theory.lemma1_max_beta(1.0, 100), 100) == pytest.approx(0.0, abs=1e-12)


# --- the implementation is the model of the paper -------------------------------------------


def explicit_network(w, mats, x, q, alpha):
    """Def. 2 written literally: (1/k) Σ_i q σ(wᵀ A_i x), for x of shape (b, n)."""
    pre = torch.einsum("r,krn,bn->bk", w, mats, x)
    return (q * torch.where(pre >= 0, pre, alpha * pre)).mean(-1)


def small_problem(q=1.0, leak=0.0, b=6):
    config = nt.NeurotronConfig(n=12, r=5, k=6, b=b, q=q, leak=leak, seeds=1)
    prob = problem.make_problem(config, CPU)
    mats = torch.stack([prob.M[0] + j * prob.C[0] for j in prob.offsets])
    x = torch.randn(b, config.n, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    MCx = torch.stack([x @ prob.M[0].T, x @ prob.C[0].T], 1).reshape(1, 2 * b, config.r)
    w = torch.randn(1, 1, config.r, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    return config, prob, mats, x, MCx, w


@pytest.mark.parametrize("q, leak", [(1.0, 0.0), (3.0, 0.2)])
def test_batched_network_is_definition_2(q, leak):
    config, prob, mats, x, MCx, w = small_problem(q, leak)
    f, _ = network.network(w, MCx, network.gate_matrix(prob.offsets), q, leak)
    torch.testing.assert_close(f[0, 0], explicit_network(w[0, 0], mats, x, q, leak))


@pytest.mark.parametrize("q, leak", [(1.0, 0.0), (3.0, 0.2)])
def test_sgd_step_is_minus_the_autograd_gradient_of_the_square_loss(q, leak):
    config, prob, mats, x, MCx, w = small_problem(q, leak)
    v = torch.randn(config.b, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    G = network.gate_matrix(prob.offsets)
    f, pre = network.network(w, MCx, G, q, leak)
    step = network.sgd_step((v - f[0, 0])[None, None], pre, MCx, G, q, leak)
    w_ = w[0, 0].clone().requires_grad_(True)
    loss = 0.5 * ((v - explicit_network(w_, mats, x, q, leak)) ** 2).mean()
    (grad,) = torch.autograd.grad(loss, w_)
    torch.testing.assert_close(step[0, 0], -grad)


def test_authors_sgd_variant_uses_the_first_samples_derivative_for_the_whole_batch():
    config, prob, mats, x, MCx, w = small_problem()
    v = torch.randn(config.b, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    G = network.gate_matrix(prob.offsets)
    f, pre = network.network(w, MCx, G, 1.0, 0.0)
    residual = v - f[0, 0]
    step = network.sgd_step(residual[None, None], pre, MCx, G, 1.0, 0.0, first_sample=True)
    w_ = w[0, 0].clone().requires_grad_(True)
    (d0,) = torch.autograd.grad(explicit_network(w_, mats, x[:1], 1.0, 0.0).sum(), w_)
    torch.testing.assert_close(step[0, 0], residual.mean() * d0)


def test_neurotron_step_is_algorithm_1():
    config, prob, mats, x, MCx, w = small_problem()
    residual = torch.randn(config.b, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    Mx = (x @ prob.M[0].T)[None]
    step = network.neurotron_step(residual[None, None], Mx)
    torch.testing.assert_close(step[0, 0], prob.M[0] @ (residual @ x) / config.b)


def test_sensing_matrices_average_to_M():
    offsets = problem.gate_offsets(10)
    assert offsets.tolist() == [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]
    assert offsets.mean().item() == 0.0  # so the mean of A_j = M + jC is M


def test_oracle_attacks_with_probability_beta_and_alternating_sign():
    clean = torch.zeros(1, 4000, dtype=torch.float64)
    coins = torch.rand(1, 4000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    v = network.attacked_labels(clean, coins, torch.tensor([0.5, 0.5]), torch.tensor([0.2, 0.7]))
    hit = v != 0
    assert hit[0, 0].double().mean().item() == pytest.approx(0.2, abs=0.03)
    assert hit[0, 1].double().mean().item() == pytest.approx(0.7, abs=0.03)
    assert bool((hit[0, 0] <= hit[0, 1]).all())  # a larger β attacks a superset
    assert set(v[0, 1, 0::2][hit[0, 1, 0::2]].tolist()) == {-0.5}
    assert set(v[0, 1, 1::2][hit[0, 1, 1::2]].tolist()) == {0.5}


def test_batched_recurrence_agrees_with_one_configuration_at_a_time():
    config = nt.NeurotronConfig.live(values=(0.0, 0.5, 2.0), seeds=2, iterations=300, record_points=20,
                                     algorithms=tuple(nt.ALGORITHMS))
    batched, looped = nt.simulate(config, CPU), nt.run_one_at_a_time(config, CPU)
    np.testing.assert_allclose(batched.errors, looped.errors, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(batched.final_w, looped.final_w, rtol=1e-9, atol=1e-12)


def test_input_distributions_have_the_papers_moments():
    g = torch.Generator().manual_seed(0)
    for key, dist in nt.DISTRIBUTIONS.items():
        x = problem.sample_inputs(key, (400_000,), g)
        assert x.dtype == torch.float64
        assert x.mean().item() == pytest.approx(0.0, abs=0.03)
        # t(4) has infinite kurtosis, so its sample variance converges slowly: looser there
        assert x.var().item() == pytest.approx(dist.variance, rel=0.1 if key == "student_t" else 0.02)


# --- reproducibility, divergence, validation -------------------------------------------------


def test_same_seed_same_numbers_and_another_seed_other_numbers():
    config = nt.NeurotronConfig.live(values=(0.5,), seeds=1, iterations=200)
    a, b = nt.simulate(config, CPU), nt.simulate(config, CPU)
    np.testing.assert_array_equal(a.errors, b.errors)
    c = nt.simulate(nt.NeurotronConfig.live(values=(0.5,), seeds=1, iterations=200, seed=1), CPU)
    assert not np.allclose(a.errors[-1], c.errors[-1])


def test_results_do_not_depend_on_how_many_iterations_follow():
    short = nt.simulate(nt.NeurotronConfig.live(values=(0.5,), seeds=1, iterations=300, record_points=301), CPU)
    long = nt.simulate(nt.NeurotronConfig.live(values=(0.5,), seeds=1, iterations=600, record_points=601), CPU)
    np.testing.assert_array_equal(short.errors, long.errors[:301])


def test_a_diverging_run_is_cut_at_the_divergence_and_explained():
    config = nt.NeurotronConfig.live("normal_var9", eta=1e-3, values=(0.25,), seeds=2, iterations=400)
    result = nt.run(config)
    assert result.final.diverged_at.notna().all()
    assert result.final.error.isna().all()
    for _, rows in result.curves.groupby(["algorithm", "seed"]):
        finite = rows.error.notna().to_numpy()
        assert finite[0] and not finite[-1]
        assert np.all(finite[: finite.argmin()]) and not finite[finite.argmin():].any()  # one cut, then nothing
    assert all(np.isfinite(v) or np.isnan(v) for v in result.curves.log10_error)
    assert any("diverged" in w and "Try η = 0.0001" in w for w in result.warnings)


@pytest.mark.parametrize("overrides, needle", [
    (dict(theta=5.0, sweep="beta", values=(0.1,)), "θ"),
    (dict(beta=-0.1), "β"),
    (dict(values=(0.0, 9.0)), "swept values"),
    (dict(k=7), "even"),
    (dict(r=30, n=20), "must not exceed"),
    (dict(eta=float("nan")), "Learning rate"),
    (dict(iterations=10**6), "Iterations"),
    (dict(distribution="cauchy"), "Input distribution"),
    (dict(algorithms=("adam",)), "Algorithm"),
    (dict(b="many"), "Batch size"),
])
def test_out_of_range_settings_are_refused_with_a_sentence(overrides, needle):
    with pytest.raises(ConfigError, match=needle):
        nt.NeurotronConfig(**overrides)


def test_paper_settings_follow_table_1():
    for key, n, eta in [("normal", 100, 1e-4), ("student_t", 100, 1e-4), ("normal_var9", 50, 5e-5),
                        ("laplace", 50, 5e-5)]:
        c = nt.NeurotronConfig.paper(key, "theta")
        assert (c.n, c.eta, c.r, c.b, c.k, c.iterations, c.beta) == (n, eta, 25, 16, 10, 40_000, 0.5)
        assert nt.NeurotronConfig.paper(key, "beta").theta == 0.25


def test_c_tradeoff_table_is_finite_and_decreases_with_beta():
    table = theory.c_tradeoff_table(nt.NeurotronConfig.live(sweep="beta", values=nt.PAPER_BETAS))
    assert np.isfinite(table[["lemma1", "network"]].to_numpy()).all()
    assert (np.diff(table.lemma1) < 0).all() and (np.diff(table.network) < 0).all()
    assert math.isclose(table.lemma1.iloc[0], theory.lemma1_c_tradeoff(1.0, 0.005, 100))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_gives_the_same_numbers_as_the_cpu():
    config = nt.NeurotronConfig.live(values=(0.0, 0.5), seeds=2, iterations=300)
    cpu, gpu = nt.simulate(config, CPU), nt.simulate(config, torch.device("cuda"))
    np.testing.assert_allclose(gpu.errors, cpu.errors, rtol=1e-6, atol=1e-12)


def test_two_students_running_at_once_get_the_numbers_each_would_get_alone():
    # Under `marimo run` every student's session is a thread of one process: results must not
    # depend on what another thread draws from any random generator meanwhile.
    from concurrent.futures import ThreadPoolExecutor

    configs = [nt.NeurotronConfig.live(values=(0.5,), seeds=2, iterations=300, seed=s) for s in (0, 7)]
    alone = [nt.simulate(c, CPU).errors for c in configs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda c: nt.simulate(c, CPU).errors, configs * 2))
    for got, want in zip(together, alone * 2):
        np.testing.assert_array_equal(got, want)


def test_a_run_far_beyond_the_live_budget_is_refused_with_the_estimate_and_a_cheaper_setting():
    config = nt.NeurotronConfig.live(iterations=40_000, seeds=10, algorithms=tuple(nt.ALGORITHMS))
    with pytest.raises(ConfigError, match=r"about \d+ s.*use at most [\d,]+ iterations"):
        nt.run(config, max_seconds=nt.LIVE_MAX_SECONDS)
    assert nt.estimated_seconds(nt.NeurotronConfig.live()) < nt.LIVE_MAX_SECONDS / 10


# --- Sec. 3.5's worst-case attack and the η sweep -----------------------------------------------


def test_batched_recurrence_agrees_with_the_loop_for_the_worst_case_attack_and_an_eta_sweep():
    config = nt.NeurotronConfig.live(sweep="eta", values=(1e-3, 2.5e-4), theta=0.5, attack="worst_case", seeds=2,
                                     iterations=300, record_points=20, algorithms=("neurotron", "sgd"))
    batched, looped = nt.simulate(config, CPU), nt.run_one_at_a_time(config, CPU)
    np.testing.assert_allclose(batched.errors, looped.errors, rtol=1e-7, atol=1e-12)


def test_worst_case_oracle_returns_the_wrong_filters_labels_clipped_to_theta():
    clean = torch.zeros(1, 6, dtype=torch.float64)
    adversarial = torch.tensor([[[0.1, -0.2, 0.7, -0.9, 0.0, 0.3]]], dtype=torch.float64)  # (1, V=1, b)
    coins = torch.tensor([[0.0, 0.0, 0.0, 0.0, 0.0, 0.99]])
    v = network.attacked_labels(clean, coins, torch.tensor([0.5]), torch.tensor([0.5]), adversarial)
    assert v[0, 0].tolist() == [0.1, -0.2, 0.5, -0.5, 0.0, 0.0]  # |ξ| ≤ θ; the last sample is not attacked


def test_the_wrong_filter_is_a_distance_proportional_to_theta_from_w_star():
    config = nt.NeurotronConfig(seeds=2)
    prob = problem.make_problem(config, CPU)
    w_adv = problem.adversarial_filters(prob, torch.tensor([0.5, 1.0], dtype=torch.float64), config)
    dist = torch.linalg.vector_norm(w_adv - prob.w_star[:, None], dim=-1)  # (S, V)
    assert torch.allclose(dist[:, 1], 2 * dist[:, 0]) and bool((dist > 0).all())


def test_the_error_chart_says_when_the_unattacked_line_runs_below_its_axis():
    # Issue 13: the axis stops a decade below the lowest poisoned line; a θ = 0 line clamped to its bottom
    # edge must not read as "stuck at 10⁻⁴" — the chart says where it really goes. Without one, no title.
    import pandas as pd

    from poisoncourse.neurotron import charts

    def curves(values):
        return pd.DataFrame([{"algorithm": "neurotron", "value": v, "seed": 0, "iteration": t,
                              "log10_error": low if t else 0.0} for v, low in values for t in range(0, 50, 10)])

    clamped = charts.log_error_curves(curves([(0.0, -15.0), (0.5, -3.0)]), value_title="θ").to_dict()
    assert "10⁻¹⁵, below the axis" in charts.axis_note(clamped)
    assert clamped["title"]["text"] == {"expr": "note ? [attack, note] : attack"}  # the note under the attack's line
    plain = charts.log_error_curves(curves([(0.25, -2.0), (0.5, -3.0)]), value_title="θ").to_dict()
    assert charts.axis_note(plain) == ""
