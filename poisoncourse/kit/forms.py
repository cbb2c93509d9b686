"""A lesson's controls and the button that applies them, built from the link that opened the page.

The apps build their controls through :class:`Controls`, which takes marimo's own constructor
arguments, so each control is written once:

    ui = forms.Controls(prefix="")
    form = ui.form("{lam} {seed}", submit_button_label="Train",
                   lam=ui.slider(-8.0, 6.0, 0.1, value=0.0, label="λ"),
                   seed=ui.number(0, 100_000, 1, value=0))
    controls, train = form             # names of their own: marimo reruns cells by name
    ...
    trainbar.bar(controls, train)      # in a cell of its own, under the controls
    url.write(forms.applied(train))    # in the cell that reads train.value (page.attempt does it)

A link's parameter that does not parse or lies outside the control's range is ignored with a
one-sentence warning (``ui.warnings``) and the control keeps its default; it never breaks the
page (:mod:`.decode`, :mod:`.url`). Number boxes carry their range in their label and are checked
when submitted (:mod:`.boxes`); labels the form's text already says are not repeated (:mod:`.labels`).
"""

from __future__ import annotations

import contextlib
import difflib
import html
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import marimo as mo

from . import boxes, hide, labels
from .decode import decode, held
from .url import RESERVED, as_dict, encode, query_params


@dataclass(frozen=True)
class Control:
    """A marimo control not built yet: its constructor and arguments, as the app wrote them."""

    kind: str
    make: Callable
    args: tuple
    kwargs: dict

    def arguments(self) -> dict:
        bound = inspect.signature(self.make).bind_partial(*self.args, **self.kwargs)
        return dict(bound.arguments)


@dataclass(frozen=True)
class Pressed:
    """A Train button's value: the controls' values it last applied — before any press, their
    starting values (the defaults or the link's) — and how many presses made it."""

    values: dict
    presses: int = 0


class TrainButton(mo.ui.button):
    """marimo's button, applying a form's controls: its value is what it last applied (:class:`Pressed`),
    and it keeps its label's words and the form's number boxes (their arguments, labelled as the
    student reads them) for the Train bar and the box checks."""

    def __init__(self, controls, start: dict, label: str, number_boxes: dict, warnings: tuple = ()):
        super().__init__(value=Pressed(start), label=label,
                         on_click=lambda last: Pressed(dict(controls.value), last.presses + 1))
        self.label_text = label
        self.number_boxes = number_boxes
        self.link_warnings = tuple(warnings)  # the link's, shown by the Train bar until the first press


class NumberBox(mo.ui.number):
    """marimo's number box, its label handed to the browser as plain words.

    marimo 0.25 names a number box for screen readers by its label attribute as sent — the label's
    rendered markdown, markup and all (``<span class="markdown prose …">``) — where its other controls
    tie a ``<label>`` to the control. The box's HTML (its public ``text``, which marimo's forms read
    too) carries the words themselves instead: the box shows the same words and is named by them."""

    def __init__(self, *args, **kwargs):
        self.words = labels.plain(kwargs.get("label") or "")  # before marimo builds the HTML, which reads it
        super().__init__(*args, **kwargs)

    @property
    def text(self) -> str:
        return labels.with_plain_label(super().text, "marimo-number", self.words)


class RequestForm(mo.ui.form):
    """marimo's own form, keeping its number boxes (as :class:`TrainButton` does) for the box checks."""

    def __init__(self, element, number_boxes: dict, **kwargs):
        super().__init__(element=element, **kwargs)
        self.number_boxes = number_boxes


# On a phone (390 px) a row of charts or statistics (marimo's hstack: a flex row that never wraps) runs off
# the screen: rows wrap, and a chart wider than the screen scrolls inside its own box.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  .marimo-cell .output div[style*="flex-direction: row"] { flex-wrap: wrap !important; }
  .marimo-cell .output .vega-embed { max-width: 100%; overflow-x: auto; }
  .marimo-cell .output select { max-width: 100%; }
}
</style>"""


@dataclass(frozen=True)
class Form:
    """A lesson's controls and its Train button (see `Controls.form`). The app binds both to
    names of their own (``controls, train = ui.form(...)``): marimo reruns a cell for the UI
    elements its code names, so the train cell names ``train`` and the bar cell both."""

    controls: Any
    train: Any
    bordered: bool = True

    def __iter__(self):
        return iter((self.controls, self.train))

    def _display_(self):
        # Every lesson shows a form near its top: it carries the page's narrow-screen rules along.
        if not self.bordered:
            return mo.vstack([mo.Html(PHONE_CSS), self.controls])
        return mo.vstack([mo.Html(PHONE_CSS), self.controls.style({
            "border": "1px solid var(--gray-6, #d4d4d8)", "border-radius": "0.5rem", "padding": "0.25rem 0.75rem",
            "overflow-x": "auto"})])


@dataclass
class Controls:
    """Builds a lesson's controls with their initial values taken from the URL.

    ``prefix`` keeps the keys of a lesson's second form apart from its first (``mnist.seed``).
    ``params``: the URL parameters (a mapping); by default marimo's.
    ``renamed``: old key → new key, for controls renamed since links were shared: an old link's
    value is read under the new name and the address is rewritten to it.
    ``also``: the keys of this prefix that another `Controls` of the page builds, so that a form does not
    call them unknown (Lesson 3's input distribution, built above its main form).
    """

    prefix: str = ""
    params: Mapping | None = None
    renamed: Mapping[str, str] = field(default_factory=dict)
    also: tuple[str, ...] = ()  # keys that other controls of the page (built by another Controls) read
    warnings: list[str] = field(default_factory=list)
    _boxes: dict = field(default_factory=dict, repr=False)  # number boxes built: name → arguments
    _held: dict = field(default_factory=dict, repr=False)  # what each control built holds at first
    built: dict = field(default_factory=dict, repr=False)  # name → (kind, arguments): what each control spans

    def __post_init__(self):
        self._live = query_params() if self.params is None else self.params
        self._url = as_dict(self._live)
        for old, new in self.renamed.items():
            old_key, new_key = self.key(old), self.key(new)
            if old_key not in self._url:
                continue
            text = self._url.pop(old_key)
            self._url.setdefault(new_key, text)  # a link holding both names: the new one wins
            with contextlib.suppress(KeyError, TypeError, AttributeError):  # not editable
                del self._live[old_key]
                self._live[new_key] = self._url[new_key]

    # -- lazy constructors, same arguments as mo.ui.* ------------------------------------
    def slider(self, *args, **kwargs) -> Control:
        return Control("slider", mo.ui.slider, args, kwargs)

    def number(self, *args, **kwargs) -> Control:
        return Control("number", mo.ui.number, args, kwargs)

    def dropdown(self, *args, **kwargs) -> Control:
        return Control("dropdown", mo.ui.dropdown, args, kwargs)

    def multiselect(self, *args, **kwargs) -> Control:
        return Control("multiselect", mo.ui.multiselect, args, kwargs)

    def declared(self, spec, **kwargs) -> Control:
        """The control of a number a config declares (a :class:`~poisoncourse.core.params.Spec`): a slider
        over its declared slider span, else a number box over the whole range the config accepts. So a
        range is written once, beside the field, and a control never offers what the config refuses."""
        if spec.slider is not None:
            low, high, step = spec.slider
            return self.slider(low, high, step, **{"show_value": True, **kwargs})
        return self.number(spec.low, spec.high, **kwargs)

    def checkbox(self, *args, **kwargs) -> Control:
        return Control("checkbox", mo.ui.checkbox, args, kwargs)

    # -- building ---------------------------------------------------------------------------
    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def build(self, name: str, control: Control):
        """The marimo element, its value replaced by the URL's when that one is valid."""
        key = self.key(name)
        if key in RESERVED:
            raise ValueError(f"a control may not be named {key!r}: marimo uses that URL parameter")
        arguments = control.arguments()
        # "none" in a number's place is an emptied number box: it stands for the default.
        if key in self._url and not (control.kind == "number" and self._url[key] == encode(None)):
            try:
                arguments["value"] = decode(control.kind, arguments, self._url[key])
            except (ValueError, TypeError) as err:
                self.warnings.append(f"The link's {key}={self._url[key]} was ignored: {err}. "
                                     f"Using the default instead.")
                # Drop it from the address too, so the URL says what the page shows (and a
                # setting that depends on it, see `url.switch`, is not misled by it).
                self._drop(key)
        self._held[name] = held(control.kind, arguments)
        self.built[name] = (control.kind, arguments)
        if control.kind == "number":
            # The box's own default (not the link's): what an emptied box stands for.
            self._boxes[name] = {**arguments, "default": control.arguments().get("value")}
            return NumberBox(**boxes.box_arguments(arguments))
        return control.make(**arguments)

    def form(self, text: str, *, submit_button_label: str, bordered: bool = True, **controls: Control) -> Form:
        """The controls (``mo.md(text).batch(...)``, URL-seeded) and the button that applies them.

        Not marimo's ``mo.ui.form``: its button is lit on first load although the results shown are
        already those of its settings (the frontend compares two copies of the values by identity),
        and a student cannot tell what is current. Here the button's value is what it last applied
        (`Pressed`: before any press, the starting values), so a train cell that reads it reruns on
        a press only, and :func:`trainbar.bar` rings the button while the controls differ from it."""
        text = self._conceal(text, controls)
        text, elements, number_boxes = self._elements(text, controls)
        batch = mo.md(text).batch(**elements)
        start = {name: self._held[name] for name in controls}
        return Form(batch, TrainButton(batch, start, submit_button_label, number_boxes, self.warnings), bordered)

    def request_form(self, text: str, *, submit_button_label: str, bordered: bool = True, **controls: Control):
        """marimo's own form (``mo.md(text).batch(...).form(...)``, URL-seeded) for a computation that
        runs only when asked: nothing is shown before its first press, so its lit button is right."""
        text = self._conceal(text, controls)
        text, elements, number_boxes = self._elements(text, controls)
        return RequestForm(mo.md(text).batch(**elements), number_boxes, submit_button_label=submit_button_label,
                           bordered=bordered)

    def _conceal(self, text: str, controls: dict[str, Control]) -> str:
        """The text with the controls a teacher's link hides (``?hide=…``, :mod:`.hide`) left unseen."""
        text, warnings = hide.conceal(text, controls, self._url, self.prefix)
        self.warnings.extend(warnings)
        return text

    def _elements(self, text: str, controls: dict[str, Control]) -> tuple[str, dict, dict]:
        """The form's text and its built controls, the words naming each control moved into its label
        (:func:`labels.named`), and the number boxes' declared ranges, named as the student reads them:
        they travel with the button or form, so `box_problems` can check what was typed."""
        text, controls = labels.named_all(text, controls)
        said = {name: labels.spoken_label(text, name, c) for name, c in controls.items()}
        elements = {name: self.build(name, c) for name, c in controls.items()}
        self.refuse_unknown(controls)
        number_boxes = {name: {**self._boxes[name], "label": said[name]} for name in controls if name in self._boxes}
        return text, elements, number_boxes

    def refuse_unknown(self, names) -> None:
        """A warning for each key of the link, in this form's part of the address, that names no
        setting (a mistyped ``epoch=30``), with the closest setting's name; the key leaves the address."""
        known = {self.key(n) for n in names} | {self.key(n) for n in self.also}
        known |= {self.key(old) for old in self.renamed}
        for key in list(self._url):
            if key in known or key in RESERVED or not key.startswith(self.prefix):
                continue
            if not self.prefix and "." in key:  # another form's key (``convex.seed``)
                continue
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" — did you mean `{close[0]}`?" if close else "; it was ignored."
            self.warnings.append(f"`{key}` is not a setting of this lesson{hint}")
            del self._url[key]
            self._drop(key)

    def _drop(self, key: str) -> None:
        """Remove a key from the page's address (the live parameters, where they can be edited)."""
        with contextlib.suppress(KeyError, TypeError, AttributeError):  # not editable
            del self._live[key]

    def callout(self):
        """The warnings as one marimo callout, or None when the link was fine. They quote the
        URL, which anyone can craft: shown as escaped text, never as markdown or HTML."""
        return link_callout(self.warnings)

    def warnings_html(self) -> str:
        return warnings_html(self.warnings)

    def with_warnings(self, element):
        """The element with the link's warnings above it (if any). A `Form`'s warnings are shown by its
        Train bar instead (:func:`trainbar.bar`), until the student applies settings of their own."""
        note = self.callout()
        if note is None or isinstance(element, Form):
            return element
        return mo.vstack([note, element])


def warnings_html(warnings) -> str:
    """The link's warnings as escaped paragraphs (they quote the URL, which anyone can craft); a
    `name` in backticks as code."""
    return "".join("<p>" + re.sub(r"`([^`<>]*)`", r"<code>\1</code>", html.escape(w)) + "</p>" for w in warnings)


def link_callout(warnings):
    """The link's warnings as one yellow callout, or None without any."""
    return mo.callout(mo.Html(warnings_html(warnings)), kind="warn") if warnings else None


# -- what a form stands for -------------------------------------------------------------------

def _button(form):
    """What holds the applied values: a `Form`'s Train button, or the button or marimo form given."""
    return form.train if isinstance(form, Form) else form


def values(form) -> dict:
    """What a Train button or a form stands for: the values last applied, or before any press
    the starting ones (the defaults, or the link's) — so a link's settings are trained at once,
    unclicked."""
    form = _button(form)
    if isinstance(form.value, Pressed):
        return form.value.values
    return form.value if form.value is not None else form.element.value


def filled(values: dict | None, number_boxes: dict) -> dict | None:
    """The values with each emptied number box (None) replaced by the box's default, as README promises."""
    if values is None:
        return None
    return {name: (number_boxes[name]["default"] if value is None and name in number_boxes else value)
            for name, value in values.items()}


def emptied(values: dict, number_boxes: dict) -> list[str]:
    """"first seed 0" for each emptied number box: its name as the student reads it and the default it stands for."""
    return [f"{box['label']} {boxes.show(box['default'])}" for name, box in number_boxes.items()
            if name in values and values[name] is None]


def run_values(form) -> dict:
    """`values`, each emptied number box filled with its default: what a run uses."""
    return filled(values(form), getattr(_button(form), "number_boxes", {}))


def run_applied(form) -> dict | None:
    """`applied`, each emptied number box filled with its default: what the address records."""
    return filled(applied(form), getattr(_button(form), "number_boxes", {}))


def applied(form) -> dict | None:
    """The values a student applied by pressing the button (of a Train button or a marimo form),
    or None before the first press."""
    value = getattr(_button(form), "value", None)
    if isinstance(value, Pressed):
        return value.values if value.presses else None
    return value


def box_problems(form) -> list[str]:
    """One sentence per submitted number box whose value its range refuses (:func:`boxes.problems`).
    ``form``: a Train button (`Controls.form`) or a marimo form (`Controls.request_form`)."""
    return boxes.problems(applied(form), getattr(_button(form), "number_boxes", {}))
