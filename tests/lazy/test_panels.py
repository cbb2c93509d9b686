"""What Lesson 5's page computes besides the runs (`lazy.panels`, `lazy.prose`): the forms' configs, the
fitted-slope table and which reference Part 2 draws."""

import json
from types import SimpleNamespace

import pandas as pd

import poisoncourse.lazy.experiment as lazy
import poisoncourse.lazy.panels as lazy_panels
import poisoncourse.lazy.prose as lazy_prose


def test_part1_form_sweeps_the_sizes_or_the_radii():
    values = dict(sweep="size", sizes=[5, 7], radii=[1.0, 4.0], c0=10, width=128, bias=False, normalize=True,
                  epochs=4, projection="step", seeds=1, seed=0)
    by_size = lazy_panels.single_step_config(values)
    assert by_size == lazy.LazyConfig.single_step(values=(5.0, 7.0))
    by_radius = lazy_panels.single_step_config({**values, "sweep": "radius"})
    assert by_radius.sweep == "radius" and by_radius.values == (1.0, 4.0) and by_radius.eps == 0.0


def test_part2_form_sweeps_the_radii_or_the_budgets():
    d = lazy.LazyConfig.phase()
    values = dict(sweep="radius", radii=list(lazy.RADII), budgets=[0.1, 0.2], c0=4, eps=d.eps, size=14,
                  width=d.width, bias=d.bias, normalize=d.normalize, pgd_steps=d.pgd_steps, epochs=d.epochs,
                  projection=d.projection, seeds=d.seeds, seed=d.seed)
    assert lazy_panels.robust_config(values) == lazy.LazyConfig.phase(lazy_radius=4.0)
    by_eps = lazy_panels.robust_config({**values, "sweep": "eps"})
    assert by_eps.sweep == "eps" and by_eps.values == (0.1, 0.2) and by_eps.lazy_radius == 4.0


def fake_lazy_result(sweep="size", d=(25, 100, 400)):
    d = pd.Series(d, dtype=float)
    summary = pd.DataFrame({"d": d, "grad_norm": d ** 0.5, "eta": 1 / d, "delta_rel": d ** -0.5})
    return SimpleNamespace(config=SimpleNamespace(sweep=sweep), summary=summary)


def test_the_scaling_table_gives_the_fitted_and_the_theorys_slopes():
    text = lazy_prose.scaling_markdown(fake_lazy_result())
    assert text.splitlines()[:5] == ["| quantity | fitted slope vs d (live) | theory |", "|---|---|---|",
                                     "| ‖∇f‖ | +0.50 | +0.5 |", "| η | -1.00 | -1.0 |", "| ‖δ‖/‖x‖ | -0.50 | -0.5 |"]
    assert text.endswith("Fitted on d ≥ 100 only: ‖∇f‖ +0.50, ‖δ‖/‖x‖ -0.50.")


def test_the_scaling_table_needs_two_sizes_and_the_asymptotic_line_two_large_ones():
    assert lazy_prose.scaling_markdown(fake_lazy_result(sweep="radius")) == ""
    assert lazy_prose.scaling_markdown(fake_lazy_result(d=(25,))) == ""
    assert "Fitted on d ≥ 100" not in lazy_prose.scaling_markdown(fake_lazy_result(d=(25, 49, 100)))


def test_part2_draws_the_reference_of_its_sweep():
    reference = lazy.load_reference().table
    summary = reference[(reference.figure == "phase") & (reference.width == 100)]
    by_radius = SimpleNamespace(config=lazy.LazyConfig.phase(), summary=summary)
    view = lazy_panels.robust_view(by_radius, reference)
    assert view.against == "against the lazy radius C₀ (ε = 0.1, d = 196)"
    assert view.reference_note.startswith("Dashed: reference runs at d = 196, ε = 0.1 for widths m = 100, 200, 400. "
                                          "Crossed out: runs with clean accuracy below 0.9")
    assert "Ringed, the fair comparison (m = 400): at C₀ = 1.5" in view.reference_note
    by_eps = SimpleNamespace(config=lazy.LazyConfig.budget(), summary=reference[reference.figure == "budget"])
    view = lazy_panels.robust_view(by_eps, None)
    assert view.against == "against the budget ε (C₀ = 4, d = 196)"
    assert view.reference_note == "Dashed: reference runs at C₀ = 4, m = 128 for d = 49, 196, 784."
    # Issue 27: the chart names the attack its robust accuracy is measured under, in its own title.
    titles = {name: json.dumps(lazy_panels.robust_view(run, reference).chart.to_dict()["title"], ensure_ascii=False)
              for name, run in (("radius", by_radius), ("eps", by_eps))}
    assert "robust: against 10-step ℓ₂-PGD, ε = 0.1" in titles["radius"]
    assert "robust: against 10-step ℓ₂-PGD, ε as on the x axis" in titles["eps"]
    assert lazy_panels.single_step_reference(reference, lazy.LazyConfig.phase()) is None
    assert set(lazy_panels.single_step_reference(reference, lazy.LazyConfig.single_step()).figure) == {"single_step"}
