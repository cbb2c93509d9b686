"""A link reproduces the sender's settings; a bad link falls back to the defaults with a
sentence, never an error."""

import html
import json
import re

import marimo as mo
import pytest

from poisoncourse.kit import boxes, forms, labels, trainbar, url


def number_labels(text: str) -> list[str]:
    """The labels of the number boxes in a form's HTML, as the browser reads them."""
    return [json.loads(html.unescape(m)) for m in re.findall(r"<marimo-number\b[^>]*?data-label='([^']*)'", text)]


class FakeParams(dict):
    """marimo's QueryParams as far as links uses it (get, in, set, del)."""

    def set(self, key, value):
        self[key] = value


def controls(url):
    ui = forms.Controls(params=FakeParams(url))
    form = ui.form(
        "{lam} {seed} {label} {modes} {learn} {c0} {eta}",
        submit_button_label="Train",
        lam=ui.slider(-8.0, 6.0, 0.1, value=3.0, label="λ"),
        seed=ui.number(0, 100_000, 1, value=0),
        label=ui.dropdown({"class 0": 0, "class 1": 1, "none": None}, value="class 0"),
        modes=ui.multiselect({"small λ": "small", "large λ": "large"}, value=["small λ"]),
        learn=ui.checkbox(value=False),
        c0=ui.slider(steps=[0.5, 1, 4, 10], value=4),
        eta=ui.number(1e-6, 1e-2, value=1e-3),
    )
    return ui, form


def test_no_link_gives_the_defaults():
    ui, form = controls({})
    assert forms.values(form) == {"lam": 3.0, "seed": 0, "label": 0, "modes": ["small"], "learn": False,
                                  "c0": 4, "eta": 1e-3}
    assert ui.warnings == [] and ui.callout() is None


def test_a_link_sets_every_kind_of_control():
    ui, form = controls({"lam": "-2.5", "seed": "7", "label": "none", "modes": "large,small", "learn": "true",
                         "c0": "10", "eta": "0.0005", "file": "lesson2.py"})
    assert ui.warnings == []
    v = forms.values(form)
    assert v == {"lam": -2.5, "seed": 7, "label": None, "modes": ["large", "small"], "learn": True, "c0": 10,
                 "eta": 5e-4}
    assert isinstance(v["seed"], int)


def test_written_values_read_back_identically():
    params = FakeParams()
    submitted = {"lam": 0.30000000000000004, "seed": 42, "label": 1, "modes": ["large"], "learn": True, "c0": 0.5,
                 "eta": 2e-4}
    url.write(submitted, params=params)
    assert params["lam"] == "0.3" and params["modes"] == "large" and params["learn"] == "true"
    ui, form = controls(params)
    assert ui.warnings == []
    assert forms.values(form) == {**submitted, "lam": 0.3}


@pytest.mark.parametrize("key, text, why", [
    ("lam", "abc", "not a number"),
    ("lam", "nan", "not a finite number"),
    ("lam", "99", "between -8 and 6"),
    ("seed", "2.5", "whole number"),
    ("label", "7", "the choices are"),
    ("modes", "small,huge", "the choices are"),
    ("learn", "maybe", "true or false"),
    ("c0", "3", "not one of"),
])
def test_a_bad_parameter_is_reported_and_the_default_kept(key, text, why):
    ui, form = controls({key: text, "seed": "5"} if key != "seed" else {key: text})
    assert len(ui.warnings) == 1
    assert f"{key}={text} was ignored" in ui.warnings[0] and why in ui.warnings[0]
    defaults = forms.values(controls({})[1])
    v = forms.values(form)
    assert v[key] == defaults[key]
    if key != "seed":
        assert v["seed"] == 5  # the good parameters of the same link still apply
    # A form's warnings stand in its Train bar (until the student presses Train), not above the controls.
    assert ui.with_warnings(form) is form and form.train.link_warnings == tuple(ui.warnings)
    assert "was ignored" in trainbar.bar(*form).text


def test_a_slider_snaps_to_its_grid_but_a_number_box_keeps_what_was_typed():
    _, form = controls({"lam": "0.3100000001", "eta": "0.00123"})
    assert forms.values(form)["lam"] == 0.3 and forms.values(form)["eta"] == 0.00123


def test_an_ignored_parameter_leaves_the_address():
    params = FakeParams({"lam": "abc", "seed": "4"})
    ui = forms.Controls(params=params)
    ui.build("lam", ui.slider(-8.0, 6.0, 0.1, value=3.0))
    assert "lam" not in params and params["seed"] == "4"


def test_a_crafted_link_cannot_put_html_into_the_page():
    ui, _ = controls({"lam": "<img src=x onerror=alert(1)>`[x](javascript:alert(1))"})
    shown = ui.warnings_html()
    assert "<img" not in shown and "&lt;img" in shown and "<a" not in shown
    assert ui.callout() is not None


def test_an_emptied_number_box_reopens_at_its_default_without_a_warning():
    params = FakeParams()
    url.write({"seed": None, "label": None}, params=params)
    ui, form = controls(params)
    assert ui.warnings == [] and forms.values(form)["seed"] == 0
    assert forms.values(form)["label"] is None  # a dropdown's None choice is kept


def test_a_number_box_without_an_upper_end_accepts_a_link():
    ui = forms.Controls(params=FakeParams({"n": "12"}))
    assert ui.build("n", ui.number(0, None, 1, value=1)).value == 12


def test_a_prefix_keeps_two_forms_apart():
    params = FakeParams({"seed": "1", "mnist.seed": "2"})
    main = forms.Controls(params=params).form("{seed}", submit_button_label="Go", seed=forms.Controls().number(0, 9, 1, value=0))
    ui2 = forms.Controls(params=params, prefix="mnist.")
    second = ui2.form("{seed}", submit_button_label="Go", seed=ui2.number(0, 9, 1, value=0))
    assert forms.values(main)["seed"] == 1 and forms.values(second)["seed"] == 2


def test_switching_the_setting_a_form_was_made_for_drops_its_keys():
    params = FakeParams({"distribution": "normal", "eta": "0.005", "file": "x.py", "mnist.seed": "2"})
    url.switch({"distribution": "normal"}, params=params)
    assert params["eta"] == "0.005"  # same distribution: the link's form settings stay
    url.switch({"distribution": "laplace"}, params=params)
    assert params == {"distribution": "laplace", "file": "x.py", "mnist.seed": "2"}


def test_an_invalid_switching_setting_keeps_the_rest_of_the_link():
    params = FakeParams({"distribution": "foo", "k": "50"})
    ui = forms.Controls(params=params)
    d = ui.build("distribution", ui.dropdown({"Normal": "normal", "Laplace": "laplace"}, value="Normal"))
    url.switch({"distribution": d.value}, params=params)
    assert params == {"distribution": "normal", "k": "50"} and len(ui.warnings) == 1


def test_outside_marimo_there_is_no_url_and_nothing_breaks():
    assert url.query_params() is None  # pytest runs no marimo app
    url.write({"seed": 1}, params=None)  # a no-op
    ui = forms.Controls()
    form = ui.form("{seed}", submit_button_label="Go", seed=ui.number(0, 9, 1, value=3))
    assert forms.values(form) == {"seed": 3}


def test_a_control_may_not_shadow_marimos_own_parameters():
    ui = forms.Controls(params=FakeParams())
    with pytest.raises(ValueError, match="file"):
        ui.build("file", ui.number(0, 9, 1, value=0))


def test_an_old_link_with_a_renamed_control_still_opens_in_its_state():
    params = FakeParams({"mnist.budget": "20", "mnist.seed": "3"})
    ui = forms.Controls(params=params, prefix="mnist.", renamed={"budget": "flips"})
    form = ui.form("{flips} {seed}", submit_button_label="Go", flips=ui.slider(5, 50, 5, value=15),
                   seed=ui.number(0, 9, 1, value=0))
    assert forms.values(form) == {"flips": 20, "seed": 3}
    assert "mnist.budget" not in params and params["mnist.flips"] == "20" and not ui.warnings


def test_a_link_holding_old_and_new_names_keeps_the_new_one():
    params = FakeParams({"alpha": "0.5", "step_size": "0.25"})
    ui = forms.Controls(params=params, renamed={"alpha": "step_size"})
    assert ui.build("step_size", ui.slider(0.05, 2.0, 0.05, value=1.0)).value == 0.25


# -- number boxes (issue 13): the range in the label, a sentence for a bad value ---------------

class _Submitted:
    """A Train button as `box_problems` reads it once pressed: the applied values and the boxes'
    declared ranges."""

    def __init__(self, form, value):
        self.value, self.number_boxes = forms.Pressed(value, presses=1), form.train.number_boxes


def _box_form():
    ui = forms.Controls(params=FakeParams({}))
    return ui.form("{eta} {seed}", submit_button_label="Train",
                   eta=ui.number(1e-6, 1e-2, value=1e-3, label="learning rate η"),
                   seed=ui.number(0, 100_000, 1, value=0, label=""))


def test_a_number_box_shows_its_range_in_its_label_and_does_not_clamp():
    form = _box_form()
    text = form.controls.text
    assert number_labels(text) == ["learning rate η (1e-06–0.01)", "(0–100,000)"]
    boxed = boxes.box_arguments({"start": 0, "stop": 5, "value": 1, "label": "seed"})
    assert boxed == {"value": 1, "label": "seed (0–5)"}


@pytest.mark.parametrize("values, words", [
    ({"eta": 5.0, "seed": 0}, ["Learning rate η must be a number from 1e-06 to 0.01", "holds 5"]),
    ({"eta": 1e-3, "seed": 99_999_999}, ["Seed must be a whole number from 0 to 100,000", "99999999"]),
    ({"eta": 1e-3, "seed": 2.5}, ["whole number"]),
])
def test_an_out_of_range_number_box_gets_one_sentence(values, words):
    problems = forms.box_problems(_Submitted(_box_form(), values))
    assert len(problems) == 1 and problems[0].count(".") <= 3 and problems[0].endswith(".")
    for w in words:
        assert w in problems[0]


def test_good_or_emptied_number_boxes_pass_and_the_page_refuses_a_bad_one():
    from poisoncourse.kit import page
    assert forms.box_problems(_Submitted(_box_form(), {"eta": 1e-3, "seed": None})) == []
    trained = page.attempt(_Submitted(_box_form(), {"eta": 5.0, "seed": 0}), lambda v: v, lambda c, p: c,
                           default="defaults")
    assert not trained.ok and "holds 5" in trained.problem and trained.config == "defaults"


def test_an_emptied_box_runs_its_own_default_and_the_bar_says_so(monkeypatch):
    from poisoncourse.kit import page
    params = FakeParams({"seed": "7"})
    monkeypatch.setattr(url, "query_params", lambda: params)
    ui = forms.Controls(params=params)
    controls, train = ui.form("{eta} · first seed {seed}", submit_button_label="Train",
                              eta=ui.number(1e-6, 1e-2, value=1e-3, label="learning rate η"),
                              seed=ui.number(0, 100_000, 1, value=3, label="seed"))
    controls._update({"eta": None, "seed": None})  # both boxes emptied
    train._update(1)
    ran = page.attempt(train, lambda v: v, lambda c, p: c)
    assert ran.ok and ran.result == {"eta": 1e-3, "seed": 3}  # the box's default, not the link's 7
    assert params == {"seed": "3", "eta": "0.001"}  # the address holds what ran, never "none"
    assert "An empty box means its default: learning rate η 0.001; first seed 3." in trainbar.bar(controls, train).text


def test_a_refused_run_leaves_the_address_as_it_was(monkeypatch):
    from poisoncourse.kit import page
    params = FakeParams({"eta": "0.002"})
    monkeypatch.setattr(url, "query_params", lambda: params)
    ui = forms.Controls(params=params)
    controls, train = ui.form("{eta}", submit_button_label="Train", eta=ui.number(1e-6, 1e-2, value=1e-3))
    controls._update({"eta": 5.0})
    train._update(1)
    assert not page.attempt(train, lambda v: v, lambda c, p: c).ok
    assert params == {"eta": "0.002"}


def test_an_unknown_link_key_is_named_with_the_closest_setting_and_leaves_the_address():
    params = FakeParams({"epoch": "30", "zzz": "1", "seed": "2", "file": "x.py", "convex.seed": "1"})
    ui = forms.Controls(params=params)
    _, train = ui.form("{epochs} {seed}", submit_button_label="Train", epochs=ui.slider(5, 200, 5, value=40),
                       seed=ui.number(0, 9, 1, value=0))
    assert ui.warnings == ["`epoch` is not a setting of this lesson — did you mean `epochs`?",
                           "`zzz` is not a setting of this lesson; it was ignored."]
    assert params == {"seed": "2", "file": "x.py", "convex.seed": "1"}  # other forms' keys stay
    assert "<code>epoch</code>" in forms.warnings_html(train.link_warnings)
    # A key another Controls of the page reads (Lesson 3's distribution) is not unknown.
    ui = forms.Controls(params=FakeParams({"distribution": "laplace"}), also=("distribution",))
    ui.form("{seed}", submit_button_label="Train", seed=ui.number(0, 9, 1, value=0))
    assert ui.warnings == []


def test_the_link_warnings_leave_once_the_student_presses_train():
    ui = forms.Controls(params=FakeParams({"epoch": "30"}))
    controls, train = ui.form("{epochs}", submit_button_label="Train", epochs=ui.slider(5, 200, 5, value=40))
    assert "not a setting" in trainbar.bar(controls, train).text
    train._update(1)
    assert trainbar.bar(controls, train) is train


def test_every_control_is_named_in_the_words_the_student_reads():
    """The words before a control move into its label (what a screen reader names it by); a number box's
    label reaches the browser as plain words, not as rendered markup."""
    ui = forms.Controls(params=FakeParams({}))
    controls, _ = ui.form(
        "**Networks** — {victim} · **Sweep** {sweep} · learning rate {lr} · at most {epochs} epochs · "
        "first seed {seed} · PGD {steps}",
        submit_button_label="Train",
        victim=ui.dropdown(["MLP", "CNN"], value="MLP", label=""), sweep=ui.dropdown(["a", "b"], value="a"),
        lr=ui.number(0.001, 1.0, 0.001, value=0.1, label=""), epochs=ui.slider(1, 9, 1, value=1, label="epochs"),
        seed=ui.number(0, 100_000, 1, value=0, label="seed"), steps=ui.slider(1, 9, 1, value=1, label="steps"))
    text = controls.text
    for label in ("<strong>Networks</strong> —", "<strong>Sweep</strong>", "at most epochs", "PGD", "steps"):
        assert label.replace("<", "&#92;u003c").replace(">", "&#92;u003e") in text or label in text, label
    assert number_labels(text) == ["learning rate (0.001–1)", "first seed (0–100,000)"]  # words, no markup


def test_labels_move_only_words_that_name_the_control():
    ui = forms.Controls(params=FakeParams({}))
    text = "first seed {seed} · at most {epochs} epochs · PGD {steps} · {depth}"
    moved = {}
    for name, c in {"seed": ui.slider(0, 9, 1, value=0, label="seed"), "epochs": ui.slider(1, 9, 1, value=1, label="epochs"),
                    "steps": ui.slider(1, 9, 1, value=1, label="steps"), "depth": ui.slider(1, 9, 1, value=1, label="depth")}.items():
        text, c = labels.named(text, name, c)
        moved[name] = c.kwargs["label"]
    assert moved == {"seed": "first seed", "epochs": "at most epochs", "steps": "steps", "depth": "depth"}
    assert text == "{seed} · {epochs} · PGD {steps} · {depth}"


def test_a_label_of_its_own_is_kept_beside_another_controls_words():
    # Another control's {placeholder} beside it is not the text saying its label (Lesson 3's "filter size r
    # (≤ n)" next to {n}, "attack probability β" before {attack}).
    ui = forms.Controls(params=FakeParams({}))
    text = "— {k} · {r} · {n} · {fixed} · {attack}"
    kept = {name: labels.named(text, name, c)[1].kwargs["label"] for name, c in {
        "r": ui.slider(1, 9, 1, value=1, label="filter size r (≤ n)"),
        "fixed": ui.slider(0.0, 1.0, 0.1, value=0.5, label="attack probability β (fixed)")}.items()}
    assert kept == {"r": "filter size r (≤ n)", "fixed": "attack probability β (fixed)"}


# -- the Train button (issue 13): quiet while the results shown are the controls', ringed otherwise --

def _train_form():
    ui = forms.Controls(params=FakeParams({"seed": "4"}))
    return ui.form("{seed} {lam}", submit_button_label="Train", seed=ui.number(0, 9, 1, value=0, label="seed"),
                   lam=ui.slider(0.0, 1.0, 0.1, value=0.5, label="λ"))


def test_before_any_press_the_train_button_stands_for_the_links_values_and_is_quiet():
    controls, train = _train_form()
    assert forms.values(train) == {"seed": 4, "lam": 0.5}  # a link's settings run at once, unclicked
    assert forms.applied(train) is None  # nothing pressed: nothing written into the URL
    assert trainbar.changed(controls, train) == []
    assert trainbar.bar(controls, train) is train  # not ringed: the results shown are these settings'


def test_a_changed_control_rings_the_button_and_a_press_applies_it():
    controls, train = _train_form()
    controls._update({"seed": 5, "lam": 0.5})  # the student moves a control (as marimo's frontend sends it)
    assert trainbar.changed(controls, train) == ["seed"]
    bar = trainbar.bar(controls, train).text
    assert "poisoncourse-stale" in bar and "press <strong>Train</strong>" in bar and train.text in bar
    assert forms.values(train) == {"seed": 4, "lam": 0.5}  # the results stay the earlier settings' until Train
    train._update(1)  # Train pressed
    assert forms.values(train) == forms.applied(train) == {"seed": 5, "lam": 0.5}
    assert trainbar.changed(controls, train) == [] and trainbar.bar(controls, train) is train
    train._update(2)  # pressed again with nothing changed: the same values, one more press
    assert train.value == forms.Pressed({"seed": 5, "lam": 0.5}, presses=2)


def test_a_bad_box_is_named_as_the_student_reads_it():
    # Lesson 1 writes "first seed {seed}" with the box's own label dropped: the sentence says "first seed".
    ui = forms.Controls(params=FakeParams({}))
    form = ui.form("**Data and repeats** — samples {n} · first seed {seed}", submit_button_label="Train",
                   n=ui.slider(1, 9, 1, value=1, label=""), seed=ui.number(0, 100_000, 1, value=0, label=""))
    problems = forms.box_problems(_Submitted(form, {"n": 1, "seed": 99_999_999}))
    assert problems == ["First seed must be a whole number from 0 to 100,000; the box holds 99999999, "
                        "which was not used."]


def test_the_buttons_starting_values_are_what_marimo_makes_of_the_controls():
    # The Train button learns them when the form is built, where marimo lets no one read `.value`.
    ui = forms.Controls(params=FakeParams({"pick": "b", "many": "2,3"}))
    controls, train = ui.form(
        "{real} {whole} {steps} {box} {pick} {many} {flag} {none}", submit_button_label="Train",
        real=ui.slider(0.0, 1.0, 0.05, value=0.3), whole=ui.slider(5, 200, 5, value=40),
        steps=ui.slider(steps=(0.5, 1, 4), value=4), box=ui.number(0, 9, 1, value=3),
        pick=ui.dropdown({"a": 1, "b": 2}, value="a"), many=ui.multiselect({"1": 1, "2": 2, "3": 3}, value=["1"]),
        flag=ui.checkbox(value=True), none=ui.dropdown({"middle": None, "8": 8}, value="middle"))
    start = forms.values(train)
    assert start == controls.value  # outside a running app marimo lets a test read it
    assert [type(start[k]) for k in ("real", "whole", "steps")] == [type(v) for v in
                                                                   (controls.value[k] for k in ("real", "whole", "steps"))]


def test_the_kit_keeps_out_of_marimos_private_attributes():
    from pathlib import Path
    import re

    kit = Path(forms.__file__).parent
    for path in kit.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.\_(value|number_boxes|label_text)\b", text), path.name
