"""The static pages read as a hand-out (issue 13): what was run, in the student's words and
units, and where to run it live — no "press Train" as if the page could train."""

from __future__ import annotations

from poisoncourse.kit import forms
from poisoncourse.tools import site


def _form():
    ui = forms.Controls(params={})
    return ui.form("**Data** — training samples {n_train} · first seed {seed} · {learn}",
                   submit_button_label="Train",
                   n_train=ui.slider(100, 1000, 100, value=500, label=""),
                   seed=ui.number(0, 100_000, 1, value=7, label=""),
                   learn=ui.checkbox(value=True, label="learn λ"))


def test_a_form_becomes_what_was_run_in_the_forms_own_words():
    form = _form()
    shown = site.convert(form.controls.text, site.Page())
    assert "What was run" in shown and "poisoncourse serve" in shown
    assert "training samples <b>500</b>" in shown and "first seed <b>7</b>" in shown and "learn λ <b>yes</b>" in shown
    assert "n_train" not in shown and "(0–100,000)" not in shown
    # marimo's own form (a run made on request) reads the same; a Train button is not shown.
    request = forms.Controls(params={}).request_form("first seed {seed}", submit_button_label="Run",
                                                     seed=forms.Controls().number(0, 9, 1, value=3))
    assert "first seed <b>3</b>" in site.convert(request.text, site.Page())
    assert site.convert(form.train.text, site.Page()).strip() == ""


def test_controls_side_by_side_are_written_with_a_separator():
    # Issue 27: "regime C — label flip β (regime C) 0.3 budget 0.35" ran labels and values together.
    ui = forms.Controls(params={})
    form = ui.form("**Attack** {regime} {beta} · seed {seed}", submit_button_label="Train",
                   regime=ui.dropdown({"C — label flip": "C"}, value="C — label flip", label="regime"),
                   beta=ui.slider(0.0, 0.5, 0.1, value=0.3, label="β"), seed=ui.number(0, 9, 1, value=2, label=""))
    shown = site.convert(form.controls.text, site.Page())
    assert "regime <b>C — label flip</b> · β <b>0.3</b> · seed <b>2</b>" in shown
    assert "· ·" not in shown


def test_the_page_is_worded_as_a_hand_out():
    body = site.handout("<h2>The live result</h2><p>Set λ = −8 and press <strong>Train</strong>.</p>"
                        "<h2>Try next</h2><ol><li>Raise q.</li></ol>")
    assert "The live result" not in body and "The result at these settings" in body
    assert "press <strong>Train</strong> (in the live course)" in body
    assert body.index("For the live course") > body.index("Try next")
    assert body.startswith('<p class="note">A hand-out')
    # Issue 27: a page's sentence about a button the hand-out does not have (Lesson 1's budget curves).
    said = site.handout("<p>The defaults were set on these curves: the button below draws them.</p>")
    assert "a button in the live course draws them" in said and "button below" not in said
