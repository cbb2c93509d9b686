"""Each range is written once, beside its config's field (core/params.py): every number control of every
lesson spans what its config declares — a slider its declared slider span (never more than the config
accepts), a number box the whole declared range — and opens at the config's default."""

import math

import pytest

from poisoncourse.core import params
from poisoncourse.kit import forms
from poisoncourse.labelnoise import experiment as labelnoise, mnist as labelnoise_mnist, panels as labelnoise_panels
from poisoncourse.lazy import experiment as lazy, panels as lazy_panels
from poisoncourse.neurotron import experiment as neurotron, panels as neurotron_panels
from poisoncourse.regularization import experiment as regularization, mnist as regularization_mnist
from poisoncourse.regularization import panels as regularization_panels
from poisoncourse.width import convex, experiment as width, panels as width_panels

# (name, the form built on a Controls, its config class, {control: field} where the names differ, None where
# the control is not one of the config's numbers)
FORMS = [
    ("width", lambda ui: width_panels.width_form(ui, width.WidthConfig()), width.WidthConfig, {"budget_b": "budget"}),
    ("width:convex", lambda ui: width_panels.convex_form(ui, convex.ConvexConfig()), convex.ConvexConfig, {}),
    ("regularization", lambda ui: regularization_panels.heatmap_form(ui, regularization.HeatmapConfig()),
     regularization.HeatmapConfig, {"steps": "attack_steps"}),
    ("regularization:mnist", regularization_panels.mnist_form, regularization_mnist.MnistPoisoningConfig,
     {"steps": "attack_steps"}),
    ("neurotron", lambda ui: neurotron_panels.train_form(ui, neurotron_panels.live_defaults("normal", "theta")),
     neurotron.NeurotronConfig, {"fixed": "beta"}),
    ("neurotron:beta", lambda ui: neurotron_panels.train_form(ui, neurotron_panels.live_defaults("normal", "beta")),
     neurotron.NeurotronConfig, {"fixed": "theta"}),
    # The spectral cap's box takes 0 for "no cap", below the cap's declared range: not a declared number.
    ("labelnoise", lambda ui: labelnoise_panels.toy_form(ui, labelnoise.LabelNoiseConfig()),
     labelnoise.LabelNoiseConfig, {"spectral_cap": None}),
    ("labelnoise:2d", lambda ui: labelnoise_panels.picture_form(ui, 0), labelnoise.LabelNoiseConfig, {}),
    ("labelnoise:mnist", lambda ui: labelnoise_panels.mnist_form(ui, labelnoise_mnist.MnistBucketsConfig()),
     labelnoise_mnist.MnistBucketsConfig, {}),
    ("lazy", lambda ui: lazy_panels.single_step_form(ui, lazy.LazyConfig.single_step()), lazy.LazyConfig,
     {"c0": "lazy_radius"}),
    ("lazy:robust", lambda ui: lazy_panels.robust_form(ui, lazy.LazyConfig.phase()), lazy.LazyConfig,
     {"c0": "lazy_radius"}),
]


def numbers(build, config):
    """Each number control of the form: (field, its Spec, kind, start, stop, step, steps)."""
    ui = forms.Controls(params={})
    build(ui)
    spec = params.spec(config)
    names = dict(FORMS_BY_BUILD[build])
    out = []
    for name, (kind, arguments) in ui.built.items():
        field = names.get(name, name)
        if kind in ("slider", "number") and field is not None and field in spec:
            out.append((field, spec[field], kind, arguments))
    return out


FORMS_BY_BUILD = {build: names for _, build, _, names in FORMS}


@pytest.mark.parametrize("name, build, config, renamed", FORMS, ids=[f[0] for f in FORMS])
def test_every_number_control_spans_what_its_config_declares(name, build, config, renamed):
    checked = numbers(build, config)
    assert checked, "the form has no number control of its config"
    for field, spec, kind, a in checked:
        low, high = spec.low, spec.high
        if kind == "number":
            assert (a.get("start"), a.get("stop")) == (low, high), f"{name}: {field}'s box is not its declared range"
            continue
        if a.get("steps") is not None:  # a slider over listed values (Lesson 5's radii): each one accepted
            assert all(low <= v <= high for v in a["steps"]), f"{name}: {field} lists a value its config refuses"
            continue
        assert spec.slider is not None, f"{name}: {field}'s slider span is typed in the page, not declared"
        assert (a["start"], a["stop"], a["step"]) == spec.slider, f"{name}: {field}'s slider is not its declared span"
        assert low <= a["start"] and a["stop"] <= high, f"{name}: {field}'s slider offers what its config refuses"


def test_every_declared_slider_lies_inside_its_constraint_and_holds_the_default():
    # (On its grid too, except Lesson 2's λ: the paper's log 20 ≈ 2.996, which the slider shows as 3.0.)
    configs = {config for _, _, config, _ in FORMS}
    declared = 0
    for config in configs:
        default = config()
        for field, spec in params.spec(config).items():
            if spec.slider is None:
                continue
            declared += 1
            low, high, step = spec.slider
            assert spec.low <= low < high <= spec.high and step > 0, (config.__name__, field)
            value = getattr(default, field)
            assert low <= value <= high, (config.__name__, field, value)
            on_grid = math.isclose((value - low) / step, round((value - low) / step), abs_tol=1e-9)
            assert on_grid or (config, field) == (regularization.HeatmapConfig, "lam"), (
                f"{config.__name__}.{field}'s default {value} is not on its slider's grid")
    assert declared >= 30


def test_a_slider_is_declared_for_numbers_only():
    with pytest.raises(TypeError, match="number only"):
        params.param(("a",), params.Choices(("a",), empty="none", each="one"), slider=(0, 1, 1))
