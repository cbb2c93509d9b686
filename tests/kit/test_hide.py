"""A teacher's link hides named controls (kit/hide.py): the control is built and applied, only unseen;
the key survives Train and a form's rewriting of its keys (kit/url.py)."""

import marimo as mo

from poisoncourse.kit import forms, hide, url


def _form(params, prefix=""):
    ui = forms.Controls(prefix=prefix, params=params)
    form = ui.form("**Attack** {budget} · seeds {seeds} · first seed {seed}", submit_button_label="Train",
                   budget=ui.slider(0.0, 1.0, 0.1, value=0.5, label="budget"),
                   seeds=ui.slider(1, 5, 1, value=2, label=""), seed=ui.number(0, 9, 1, value=0, label=""))
    return ui, form


def test_hide_conceals_the_named_controls_and_their_words_only():
    text, warnings = hide.conceal("**Attack** {budget} · seeds {seeds} · first seed {seed}",
                                  ["budget", "seeds", "seed"], {"hide": "seeds,seed"})
    assert '<span hidden style="display:none"> seeds {seeds}</span>' in text
    assert '<span hidden style="display:none"> first seed {seed}</span>' in text
    assert "**Attack** {budget}" in text and not warnings


def test_hide_keeps_the_control_working_with_the_links_value():
    ui, form = _form({"hide": "seeds", "seeds": "4"})
    controls, train = form
    assert controls.value["seeds"] == 4 and train.value.values["seeds"] == 4
    assert 'display:none' in mo.as_html(form).text and not ui.warnings


def test_hide_a_name_no_control_carries_gets_a_sentence():
    ui, _ = _form({"hide": "budgett"})
    assert ui.warnings == ["The link's hide=budgett names no control of this form (its controls: budget, seeds, "
                           "seed); nothing else was hidden."]
    ui, _ = _form({"hide": "convex.seeds"})  # another form's control: not this form's business
    assert not ui.warnings


def test_hide_with_a_prefix_reads_only_its_own_names():
    ui, form = _form({"hide": "convex.seeds,seed"}, prefix="convex.")
    text = mo.as_html(form).text
    assert text.count("display:none") == 1 and not ui.warnings


def test_hide_and_predict_stay_in_the_address_through_train_and_a_switch():
    params = {"hide": "seeds", "predict": "off", "seeds": "4", "distribution": "normal"}
    url.write({"seeds": 3, "seed": 1}, params=params)
    assert params["hide"] == "seeds" and params["predict"] == "off" and params["seeds"] == "3"
    url.switch({"distribution": "laplace"}, params=params)  # drops the main form's keys, not the page's
    assert params == {"hide": "seeds", "predict": "off", "distribution": "laplace"}
