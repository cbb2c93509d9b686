"""What Lesson 3's page computes besides the run (`neurotron.panels`, `neurotron.prose`): the form's
config, when the paper-scale reference may be overlaid, and the theorem's table."""

import pandas as pd
import pytest

import poisoncourse.neurotron.experiment as neurotron
import poisoncourse.neurotron.panels as neurotron_panels
import poisoncourse.neurotron.reference as paper_curves
import poisoncourse.neurotron.prose as neurotron_prose


def form_values(**changes):
    """The values Lesson 3's form holds at its defaults (θ swept, β the fixed slider)."""
    d = neurotron_panels.live_defaults("normal", "theta")
    values = dict(values=list(d.values), fixed=d.beta, k=d.k, r=d.r, n=d.n, q=d.q, leak=d.leak,
                  algorithms=list(d.algorithms), eta=d.eta, iterations=d.iterations, b=d.b, seeds=d.seeds, seed=d.seed,
                  attack=d.attack)
    return {**values, **changes}


def test_the_forms_defaults_make_the_live_default_config():
    defaults = neurotron_panels.live_defaults("normal", "theta")
    assert neurotron_panels.form_config(form_values(), defaults) == defaults


def test_the_forms_attack_choice_reaches_the_config():
    defaults = neurotron_panels.live_defaults("normal", "theta")
    assert neurotron_panels.form_config(form_values(attack="worst_case"), defaults).attack == "worst_case"


def test_the_fixed_slider_is_beta_when_theta_is_swept_and_theta_when_beta_is():
    by_theta = neurotron_panels.form_config(form_values(fixed=0.2), neurotron_panels.live_defaults("normal", "theta"))
    assert by_theta.beta == 0.2 and by_theta.theta == 0.25
    beta_defaults = neurotron_panels.live_defaults("laplace", "beta")
    by_beta = neurotron_panels.form_config(form_values(values=[0.05], fixed=1.0, n=beta_defaults.n), beta_defaults)
    assert by_beta.theta == 1.0 and by_beta.sweep == "beta" and by_beta.distribution == "laplace"


@pytest.mark.parametrize("change", [dict(n=50), dict(r=20), dict(b=8), dict(k=12), dict(q=2.0), dict(leak=0.1),
                                    dict(beta=0.2), dict(attack="worst_case")])
def test_the_reference_is_overlaid_only_at_the_papers_settings(change):
    live = neurotron.NeurotronConfig.live("normal", iterations=400)
    assert neurotron_panels.matches_paper(live)  # η, T and the seeds may differ from the paper's
    other = neurotron.NeurotronConfig.live("normal", iterations=400, **change)
    assert not neurotron_panels.matches_paper(other)


def test_the_fixed_attack_setting_that_matters_follows_the_sweep():
    assert neurotron_panels.matches_paper(neurotron.NeurotronConfig.live("normal", theta=1.0))  # unused under θ
    assert not neurotron_panels.matches_paper(neurotron.NeurotronConfig.live("normal", sweep="beta", theta=1.0,
                                                                             values=neurotron.PAPER_BETAS))


def fake_summary():
    return pd.DataFrame({"algorithm": ["Neuro-Tron"], "value": [0.0], "median_log10_error": [-9.0],
                         "min_log10_error": [-9.5], "max_log10_error": [-8.5]})


def test_final_errors_add_the_reference_last_iteration_for_the_live_algorithms_only():
    reference = paper_curves.load_reference().table
    config = neurotron.NeurotronConfig.live("normal", algorithms=("neurotron",))
    table, note = neurotron_panels.final_errors(fake_summary(), reference, config)
    ref = table[table.source.str.startswith("paper scale")]
    assert set(ref.algorithm) == {"Neuro-Tron"} and (ref.iteration == neurotron.PAPER_ITERATIONS).all()
    assert len(ref) == len(neurotron.PAPER_THETAS) and note == "Dashed: the shipped paper-scale runs."


def test_final_errors_say_why_the_reference_is_missing():
    config = neurotron.NeurotronConfig.live("normal", q=2.0)
    table, note = neurotron_panels.final_errors(fake_summary(), paper_curves.load_reference().table, config)
    assert set(table.source) == {"live (T = 2,000, η = 0.001)"}
    assert note == ("The paper-scale runs are not overlaid: they exist for the paper's settings only "
                    "(n = 100, r = 25, b = 16, k = 10, q = 1, α = 0, β = 0.5, the ±θ attack).")
    assert len(neurotron_panels.final_errors(fake_summary(), None, neurotron.NeurotronConfig.live())[0]) == 1


def test_the_tradeoff_table_has_one_row_per_beta_and_lemma1_only_for_gaussians():
    table = neurotron_prose.tradeoff_markdown(neurotron.NeurotronConfig.live("normal", sweep="beta",
                                                                             values=(0.005, 0.5)))
    lines = table.splitlines()
    assert len(lines) == 4 and lines[1] == "|---|---|---|"
    assert lines[2].startswith("| 0.005 | +") and lines[3].startswith("| 0.5 | -0.799 |")
    t_table = neurotron_prose.tradeoff_markdown(neurotron.NeurotronConfig.live("student_t"))
    assert "— (Gaussian inputs only)" in t_table
