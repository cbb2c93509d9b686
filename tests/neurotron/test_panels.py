"""What Lesson 3's and Lesson 5's pages compute besides the runs (`neurotron.lesson`,
`lazy.lesson`): the forms' configs, when the paper-scale reference may be overlaid, and the
tables the pages write."""

from types import SimpleNamespace

import pandas as pd
import pytest

import poisoncourse.lazy.experiment as lazy
import poisoncourse.lazy.panels as lazy_lesson
import poisoncourse.neurotron.experiment as neurotron
import poisoncourse.neurotron.panels as neurotron_lesson

# -- Lesson 3 -----------------------------------------------------------------------------------


def form_values(**changes):
    """The values Lesson 3's form holds at its defaults (θ swept, β the fixed slider)."""
    d = neurotron_lesson.live_defaults("normal", "theta")
    values = dict(values=list(d.values), fixed=d.beta, k=d.k, r=d.r, n=d.n, q=d.q, leak=d.leak,
                  algorithms=list(d.algorithms), eta=d.eta, iterations=d.iterations, b=d.b, seeds=d.seeds, seed=d.seed,
                  attack=d.attack)
    return {**values, **changes}


def test_the_forms_defaults_make_the_live_default_config():
    defaults = neurotron_lesson.live_defaults("normal", "theta")
    assert neurotron_lesson.form_config(form_values(), defaults) == defaults


def test_the_forms_attack_choice_reaches_the_config():
    defaults = neurotron_lesson.live_defaults("normal", "theta")
    assert neurotron_lesson.form_config(form_values(attack="worst_case"), defaults).attack == "worst_case"


def test_the_fixed_slider_is_beta_when_theta_is_swept_and_theta_when_beta_is():
    by_theta = neurotron_lesson.form_config(form_values(fixed=0.2), neurotron_lesson.live_defaults("normal", "theta"))
    assert by_theta.beta == 0.2 and by_theta.theta == 0.25
    beta_defaults = neurotron_lesson.live_defaults("laplace", "beta")
    by_beta = neurotron_lesson.form_config(form_values(values=[0.05], fixed=1.0, n=beta_defaults.n), beta_defaults)
    assert by_beta.theta == 1.0 and by_beta.sweep == "beta" and by_beta.distribution == "laplace"


@pytest.mark.parametrize("change", [dict(n=50), dict(r=20), dict(b=8), dict(k=12), dict(q=2.0), dict(leak=0.1),
                                    dict(beta=0.2), dict(attack="worst_case")])
def test_the_reference_is_overlaid_only_at_the_papers_settings(change):
    live = neurotron.NeurotronConfig.live("normal", iterations=400)
    assert neurotron_lesson.matches_paper(live)  # η, T and the seeds may differ from the paper's
    other = neurotron.NeurotronConfig.live("normal", iterations=400, **change)
    assert not neurotron_lesson.matches_paper(other)


def test_the_fixed_attack_setting_that_matters_follows_the_sweep():
    assert neurotron_lesson.matches_paper(neurotron.NeurotronConfig.live("normal", theta=1.0))  # unused under θ
    assert not neurotron_lesson.matches_paper(neurotron.NeurotronConfig.live("normal", sweep="beta", theta=1.0,
                                                                             values=neurotron.PAPER_BETAS))


def fake_summary():
    return pd.DataFrame({"algorithm": ["Neuro-Tron"], "value": [0.0], "median_log10_error": [-9.0],
                         "min_log10_error": [-9.5], "max_log10_error": [-8.5]})


def test_final_errors_add_the_reference_last_iteration_for_the_live_algorithms_only():
    reference = neurotron.load_reference().table
    config = neurotron.NeurotronConfig.live("normal", algorithms=("neurotron",))
    table, note = neurotron_lesson.final_errors(fake_summary(), reference, config)
    ref = table[table.source.str.startswith("paper scale")]
    assert set(ref.algorithm) == {"Neuro-Tron"} and (ref.iteration == neurotron.PAPER_ITERATIONS).all()
    assert len(ref) == len(neurotron.PAPER_THETAS) and note == "Dashed: the shipped paper-scale runs."


def test_final_errors_say_why_the_reference_is_missing():
    config = neurotron.NeurotronConfig.live("normal", q=2.0)
    table, note = neurotron_lesson.final_errors(fake_summary(), neurotron.load_reference().table, config)
    assert set(table.source) == {"live (T = 2,000, η = 0.001)"}
    assert note == ("The paper-scale runs are not overlaid: they exist for the paper's settings only "
                    "(n = 100, r = 25, b = 16, k = 10, q = 1, α = 0, β = 0.5, the ±θ attack).")
    assert len(neurotron_lesson.final_errors(fake_summary(), None, neurotron.NeurotronConfig.live())[0]) == 1


def test_the_tradeoff_table_has_one_row_per_beta_and_lemma1_only_for_gaussians():
    table = neurotron_lesson.tradeoff_markdown(neurotron.NeurotronConfig.live("normal", sweep="beta",
                                                                             values=(0.005, 0.5)))
    lines = table.splitlines()
    assert len(lines) == 4 and lines[1] == "|---|---|---|"
    assert lines[2].startswith("| 0.005 | +") and lines[3].startswith("| 0.5 | -0.799 |")
    t_table = neurotron_lesson.tradeoff_markdown(neurotron.NeurotronConfig.live("student_t"))
    assert "— (Gaussian inputs only)" in t_table


# -- Lesson 5 -----------------------------------------------------------------------------------


def test_part1_form_sweeps_the_sizes_or_the_radii():
    values = dict(sweep="size", sizes=[5, 7], radii=[1.0, 4.0], c0=10, width=128, bias=False, normalize=True,
                  epochs=4, projection="step", seeds=1, seed=0)
    by_size = lazy_lesson.single_step_config(values)
    assert by_size == lazy.LazyConfig.single_step(values=(5.0, 7.0))
    by_radius = lazy_lesson.single_step_config({**values, "sweep": "radius"})
    assert by_radius.sweep == "radius" and by_radius.values == (1.0, 4.0) and by_radius.eps == 0.0


def test_part2_form_sweeps_the_radii_or_the_budgets():
    d = lazy.LazyConfig.phase()
    values = dict(sweep="radius", radii=list(lazy.RADII), budgets=[0.1, 0.2], c0=4, eps=d.eps, size=14,
                  width=d.width, bias=d.bias, normalize=d.normalize, pgd_steps=d.pgd_steps, epochs=d.epochs,
                  projection=d.projection, seeds=d.seeds, seed=d.seed)
    assert lazy_lesson.robust_config(values) == lazy.LazyConfig.phase(lazy_radius=4.0)
    by_eps = lazy_lesson.robust_config({**values, "sweep": "eps"})
    assert by_eps.sweep == "eps" and by_eps.values == (0.1, 0.2) and by_eps.lazy_radius == 4.0


def fake_lazy_result(sweep="size", d=(25, 100, 400)):
    d = pd.Series(d, dtype=float)
    summary = pd.DataFrame({"d": d, "grad_norm": d ** 0.5, "eta": 1 / d, "delta_rel": d ** -0.5})
    return SimpleNamespace(config=SimpleNamespace(sweep=sweep), summary=summary)


def test_the_scaling_table_gives_the_fitted_and_the_theorys_slopes():
    text = lazy_lesson.scaling_markdown(fake_lazy_result())
    assert text.splitlines()[:5] == ["| quantity | fitted slope vs d (live) | theory |", "|---|---|---|",
                                     "| ‖∇f‖ | +0.50 | +0.5 |", "| η | -1.00 | -1.0 |", "| ‖δ‖/‖x‖ | -0.50 | -0.5 |"]
    assert text.endswith("Fitted on d ≥ 100 only: ‖∇f‖ +0.50, ‖δ‖/‖x‖ -0.50.")


def test_the_scaling_table_needs_two_sizes_and_the_asymptotic_line_two_large_ones():
    assert lazy_lesson.scaling_markdown(fake_lazy_result(sweep="radius")) == ""
    assert lazy_lesson.scaling_markdown(fake_lazy_result(d=(25,))) == ""
    assert "Fitted on d ≥ 100" not in lazy_lesson.scaling_markdown(fake_lazy_result(d=(25, 49, 100)))


def test_part2_draws_the_reference_of_its_sweep():
    reference = lazy.load_reference().table
    summary = reference[(reference.figure == "phase") & (reference.width == 100)]
    by_radius = SimpleNamespace(config=lazy.LazyConfig.phase(), summary=summary)
    view = lazy_lesson.robust_view(by_radius, reference)
    assert view.against == "against the lazy radius C₀ (ε = 0.1, d = 196)"
    assert view.reference_note.startswith("Dashed: reference runs at d = 196, ε = 0.1 for widths m = 100, 200, 400. "
                                          "Crossed out: runs with clean accuracy below 0.9")
    assert "Ringed, the fair comparison (m = 400): at C₀ = 1.5" in view.reference_note
    by_eps = SimpleNamespace(config=lazy.LazyConfig.budget(), summary=reference[reference.figure == "budget"])
    view = lazy_lesson.robust_view(by_eps, None)
    assert view.against == "against the budget ε (C₀ = 4, d = 196)"
    assert view.reference_note == "Dashed: reference runs at C₀ = 4, m = 128 for d = 49, 196, 784."
    assert lazy_lesson.single_step_reference(reference, lazy.LazyConfig.phase()) is None
    assert set(lazy_lesson.single_step_reference(reference, lazy.LazyConfig.single_step()).figure) == {"single_step"}
