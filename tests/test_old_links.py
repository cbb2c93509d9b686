"""Shared links keep working: every key a lesson's link may hold still opens its form in that state.

A link is the URL of a lesson with its controls' values (`kit.url.write`); students and teachers
keep them. Each lesson's keys are pinned here, form by form: renaming a control breaks every link
that holds its old key, so a rename must add the old key to the form's ``renamed`` table (and here).
"""

import pytest

from poisoncourse.kit import forms, url
from poisoncourse.labelnoise import experiment as labelnoise, mnist as labelnoise_mnist, panels as labelnoise_panels
from poisoncourse.lazy import experiment as lazy, panels as lazy_panels
from poisoncourse.neurotron import panels as neurotron_panels
from poisoncourse.regularization import experiment as regularization, panels as regularization_panels
from poisoncourse.width import convex, experiment as width, panels as width_panels

# (lesson, prefix, renamed, the form built on a Controls, its keys as links hold them)
FORMS = [
    ("width", "", {}, lambda ui: width_panels.width_form(ui, width.WidthConfig()),
     "regime flip_prob budget budget_b attack attack_loss victim widths highlight resolution epochs lr momentum "
     "early_stopping n_train seeds seed"),
    ("width", "convex.", {}, lambda ui: width_panels.convex_form(ui, convex.ConvexConfig()),
     "lam attack_loss seeds seed"),
    ("regularization", "", regularization_panels.RENAMED,
     lambda ui: regularization_panels.heatmap_form(ui, regularization.HeatmapConfig()),
     "lam bias x1 x2 label steps step_size learn lam_step resolution lam_values seed"),
    ("regularization", "mnist.", {}, regularization_panels.mnist_form, "poisons modes steps seed"),
    ("neurotron", "", {}, lambda ui: neurotron_panels.train_form(ui, neurotron_panels.live_defaults("normal", "theta")),
     "values fixed attack k r n q leak algorithms eta iterations b seeds seed"),
    ("labelnoise", "", labelnoise_panels.RENAMED, lambda ui: labelnoise_panels.toy_form(ui, labelnoise.LabelNoiseConfig()),
     "poison_label r_values poisons_per_class d mu sigma n eps pgd_steps training spectral_cap width lr max_epochs "
     "seeds seed"),
    ("labelnoise", "2d.", labelnoise_panels.RENAMED, lambda ui: labelnoise_panels.picture_form(ui, 0),
     "r_values mu poisons_per_class seed"),
    ("labelnoise", "mnist.", labelnoise_panels.MNIST_RENAMED,
     lambda ui: labelnoise_panels.mnist_form(ui, labelnoise_mnist.MnistBucketsConfig()), "flips buckets eps seeds"),
    ("lazy", "", {}, lambda ui: lazy_panels.single_step_form(ui, lazy.LazyConfig.single_step()),
     "sweep sizes radii c0 width bias normalize epochs projection seeds seed"),
    ("lazy", "robust.", {}, lambda ui: lazy_panels.robust_form(ui, lazy.LazyConfig.phase()),
     "sweep radii budgets c0 eps size pgd_steps width bias normalize epochs projection seeds seed"),
]
ids = [f"{lesson}:{prefix or 'main'}" for lesson, prefix, *_ in FORMS]


def opened(prefix, renamed, build, link):
    ui = forms.Controls(prefix=prefix, params=dict(link), renamed=renamed)
    return ui, forms.values(build(ui))


@pytest.mark.parametrize("lesson, prefix, renamed, build, keys", FORMS, ids=ids)
def test_every_key_a_link_may_hold_is_still_a_control(lesson, prefix, renamed, build, keys):
    _, values = opened(prefix, renamed, build, {})
    assert sorted(values) == sorted(keys.split()), f"a {lesson} control was renamed: add its old key to renamed"


@pytest.mark.parametrize("lesson, prefix, renamed, build, keys", FORMS, ids=ids)
def test_a_link_written_at_the_defaults_opens_the_form_in_that_state(lesson, prefix, renamed, build, keys):
    _, defaults = opened(prefix, renamed, build, {})
    link = {}
    url.write(defaults, prefix=prefix, params=link)
    ui, values = opened(prefix, renamed, build, link)
    assert ui.warnings == [] and values == defaults


# An old key with a value its control did not start at: it must arrive under the new name.
OLD_VALUES = {"b": 7, "budget": 20, "alpha": 0.25, "beta": 1.0}


@pytest.mark.parametrize("lesson, prefix, renamed, build, keys", [f for f in FORMS if f[2]],
                         ids=[i for i, f in zip(ids, FORMS) if f[2]])
def test_an_old_link_with_a_renamed_key_opens_under_the_new_name(lesson, prefix, renamed, build, keys):
    _, defaults = opened(prefix, renamed, build, {})
    for old, new in renamed.items():
        if new not in defaults:
            continue
        assert defaults[new] != OLD_VALUES[old]
        ui, values = opened(prefix, renamed, build, {f"{prefix}{old}": url.encode(OLD_VALUES[old])})
        assert ui.warnings == [] and values[new] == OLD_VALUES[old], old


def test_every_lessons_forms_are_pinned():
    from poisoncourse import registry

    assert {lesson for lesson, *_ in FORMS} == set(registry.names())
