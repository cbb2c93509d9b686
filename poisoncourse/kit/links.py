"""Links that open a lesson in a given state.

Every control of a lesson reads its initial value from the page's URL query parameters
(`?flip_prob=0.3&seed=7`) and the lesson writes the values back when the student presses
Train, so a copied link reproduces what the sender saw, seed included.

The apps build their controls through `Controls`, which takes marimo's own constructor
arguments, so each range is written once:

    ui = links.Controls(prefix="")
    form = ui.form("{lam} {seed}", submit_button_label="Train",
                   lam=ui.slider(-8.0, 6.0, 0.1, value=0.0, label="λ"),
                   seed=ui.number(0, 100_000, 1, value=0))
    controls, train = form             # names of their own: marimo reruns cells by name
    ...
    links.train_bar(controls, train)   # in a cell of its own, under the controls
    links.write(links.applied(train))  # in the cell that reads train.value (page.attempt does it)

A parameter that does not parse or lies outside the control's range is ignored with a
one-sentence warning (`ui.warnings`) and the control keeps its default; it never breaks
the page. Outside a marimo session (a Jupyter kernel running the exported notebook)
there is no URL: the defaults are used and nothing is written.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

# Query keys marimo or the server use themselves; a control must not be named like them.
RESERVED = frozenset({"file", "access_token", "refresh_token", "session_id"})
LIST_SEPARATOR = ","


def encode(value: Any) -> str:
    """One control value as URL text: numbers without float noise (0.30000000000000004 →
    0.3), booleans and None as words, lists comma-separated."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(encode(v) for v in value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def query_params():
    """marimo's URL parameters, or None outside a running marimo app (e.g. in Jupyter)."""
    try:
        import marimo as mo

        return mo.query_params()
    except Exception:  # noqa: BLE001 — no marimo context: no URL to read or write
        return None


def _as_dict(params) -> dict[str, str]:
    if params is None:
        return {}
    out = {}
    for key in params:
        value = params.get(key) if hasattr(params, "get") else params[key]
        out[key] = value[-1] if isinstance(value, list) and value else value  # a repeated key: the last wins
    return out


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
        if not self.bordered:
            return self.controls
        return self.controls.style({"border": "1px solid var(--gray-6, #d4d4d8)", "border-radius": "0.5rem",
                                    "padding": "0.25rem 0.75rem", "overflow-x": "auto"})


@dataclass
class Controls:
    """Builds a lesson's controls with their initial values taken from the URL.

    ``prefix`` keeps the keys of a lesson's second form apart from its first (``mnist.seed``).
    ``params``: the URL parameters (a mapping); by default marimo's.
    ``renamed``: old key → new key, for controls renamed since links were shared: an old link's
    value is read under the new name and the address is rewritten to it.
    """

    prefix: str = ""
    params: Mapping | None = None
    renamed: Mapping[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _boxes: dict = field(default_factory=dict, repr=False)  # number boxes built: name → arguments

    def __post_init__(self):
        self._live = query_params() if self.params is None else self.params
        self._url = _as_dict(self._live)
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
        import marimo as mo
        return Control("slider", mo.ui.slider, args, kwargs)

    def number(self, *args, **kwargs) -> Control:
        import marimo as mo
        return Control("number", mo.ui.number, args, kwargs)

    def dropdown(self, *args, **kwargs) -> Control:
        import marimo as mo
        return Control("dropdown", mo.ui.dropdown, args, kwargs)

    def multiselect(self, *args, **kwargs) -> Control:
        import marimo as mo
        return Control("multiselect", mo.ui.multiselect, args, kwargs)

    def checkbox(self, *args, **kwargs) -> Control:
        import marimo as mo
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
                arguments["value"] = _decode(control.kind, arguments, self._url[key])
            except (ValueError, TypeError) as err:
                self.warnings.append(f"The link's {key}={self._url[key]} was ignored: {err}. "
                                     f"Using the default instead.")
                # Drop it from the address too, so the URL says what the page shows (and a
                # setting that depends on it, see `switch`, is not misled by it).
                with contextlib.suppress(KeyError, TypeError, AttributeError):  # not editable
                    del self._live[key]
        if control.kind == "number":
            self._boxes[name] = dict(arguments)
            arguments = box_arguments(arguments)
        return control.make(**arguments)

    def form(self, text: str, *, submit_button_label: str, bordered: bool = True, **controls: Control) -> Form:
        """The controls (``mo.md(text).batch(...)``, URL-seeded) and the button that applies them.

        Not marimo's ``mo.ui.form``: its button is lit on first load although the results shown are
        already those of its settings (the frontend compares two copies of the values by identity),
        and a student cannot tell what is current. Here the button's value is what it last applied
        (`Pressed`: before any press, the starting values), so a train cell that reads it reruns on
        a press only, and :func:`train_bar` rings the button while the controls differ from it."""
        import marimo as mo

        elements, boxes = self._elements(text, controls)
        batch = mo.md(text).batch(**elements)
        # The starting values, as marimo converted them; `.value` may not be read in the creating cell.
        start = Pressed(dict(batch._value))
        train = mo.ui.button(value=start, label=submit_button_label,
                             on_click=lambda last: Pressed(dict(batch.value), last.presses + 1))
        train._number_boxes = boxes
        train._label_text = submit_button_label
        return Form(batch, train, bordered)

    def request_form(self, text: str, *, submit_button_label: str, bordered: bool = True, **controls: Control):
        """marimo's own form (``mo.md(text).batch(...).form(...)``, URL-seeded) for a computation that
        runs only when asked: nothing is shown before its first press, so its lit button is right."""
        import marimo as mo

        elements, boxes = self._elements(text, controls)
        form = mo.md(text).batch(**elements).form(submit_button_label=submit_button_label, bordered=bordered)
        form._number_boxes = boxes
        return form

    def _elements(self, text: str, controls: dict[str, Control]) -> tuple[dict, dict]:
        """The built controls (a label the form's text already says is dropped), and the number boxes'
        declared ranges, named as the student reads them: they travel with the button or form, so
        `box_problems` can check what was typed."""
        said = {name: spoken_label(text, name, c) for name, c in controls.items()}
        elements = {name: self.build(name, without_repeated_label(text, name, c)) for name, c in controls.items()}
        boxes = {name: {**self._boxes[name], "label": said[name]} for name in controls if name in self._boxes}
        return elements, boxes

    def callout(self):
        """The warnings as one marimo callout, or None when the link was fine. They quote the
        URL, which anyone can craft: shown as escaped text, never as markdown or HTML."""
        if not self.warnings:
            return None
        import marimo as mo
        return mo.callout(mo.Html(self.warnings_html()), kind="warn")

    def warnings_html(self) -> str:
        return "".join(f"<p>{html.escape(w)}</p>" for w in self.warnings)

    def with_warnings(self, element):
        """The element with the link's warnings above it (if any)."""
        note = self.callout()
        if note is None:
            return element
        import marimo as mo
        return mo.vstack([note, element])


# -- number boxes: the range in the label, and a sentence (not a silent clamp) for a bad value --

def range_text(arguments: dict) -> str:
    """A number box's range as its label shows it: "0–100,000", "≥ 0", or "" when unbounded."""
    start, stop = arguments.get("start"), arguments.get("stop")

    def show(x):
        return f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else format(x, ".6g")
    if start is not None and stop is not None:
        return f"{show(start)}–{show(stop)}"
    if start is not None:
        return f"≥ {show(start)}"
    return "" if stop is None else f"≤ {show(stop)}"


def box_arguments(arguments: dict) -> dict:
    """marimo's number box clamps a typed value to its range without a word (η = 5 becomes
    0.01): the box is built without bounds, the range goes into its label, and the page checks
    the submitted value with `box_problems`."""
    out = {k: v for k, v in arguments.items() if k not in ("start", "stop")}
    bounds = range_text(arguments)
    label = out.get("label") or ""
    out["label"] = f"{label} ({bounds})".strip() if bounds else label
    return out


def box_problems(form) -> list[str]:
    """One sentence per submitted number box whose value lies outside its declared range or is
    not a whole number where one is needed — worded as a link's bad value is. ``form``: a Train
    button (`Controls.form`) or a marimo form (`Controls.request_form`)."""
    submitted = applied(form)
    boxes = getattr(_button(form), "_number_boxes", None) or {}
    if submitted is None:
        return []
    problems = []
    for name, arguments in boxes.items():
        value = submitted.get(name)
        if value is None:  # an emptied box stands for its default
            continue
        try:
            _decode_number(arguments, encode(value), snap=False)
        except ValueError as err:
            what = arguments.get("label") or name
            problems.append(f"The box “{what}” holds {encode(value)}, which was not used: {err}.")
    return problems


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def spoken_label(text: str, name: str, control: Control) -> str:
    """What the student reads for a control: its label, or else the form's words right before it
    ("first seed" in "· first seed {seed}"), or else its name — for sentences about a bad value."""
    label = control.kwargs.get("label") or ""
    if label:
        return label
    words = re.split(r"[·—|*\n]", _beside(text, name)[0])[-1].strip()
    return words or name


def _beside(text: str, name: str) -> tuple[str, str]:
    """The form's text right before and right after ``{name}``: another control's {placeholder} ends it."""
    before, _, after = text.partition("{" + name + "}")
    return re.split(r"\{\w+\}", before)[-1], re.split(r"\{\w+\}", after)[0]


def without_repeated_label(text: str, name: str, control: Control) -> Control:
    """The control without its label when the form's text already says it next to the control
    ("first seed {seed}" with label "seed" would read "first seed seed")."""
    label = control.kwargs.get("label") or ""
    marker = "{" + name + "}"
    if not label or marker not in text:
        return control
    before, after = _beside(text, name)  # only words right beside this control count
    said, own = _words(before)[-1:] + _words(after)[:1], _words(label)
    if own and (own[0] in said or own[-1] in said):
        return Control(control.kind, control.make, control.args, {**control.kwargs, "label": ""})
    return control


def write(submitted: Mapping[str, Any] | None, prefix: str = "", params=None) -> None:
    """Put the submitted values into the URL (only those that changed, so the browser's
    history is not flooded). No-op outside a marimo app or before the first submit."""
    params = query_params() if params is None else params
    if params is None or submitted is None:
        return
    for name, value in submitted.items():
        key, text = f"{prefix}{name}", encode(value)
        if params.get(key) != text:
            params[key] = text


# -- decoding: URL text → the value marimo's constructor expects ----------------------------

def _number(text: str) -> float:
    try:
        x = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"“{text}” is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"“{text}” is not a finite number")
    return x


def _is_int(*values) -> bool:
    return all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values)


def _decode_number(arguments: dict, text: str, snap: bool):
    start, stop, step = arguments.get("start"), arguments.get("stop"), arguments.get("step")
    steps = arguments.get("steps")
    x = _number(text)
    if steps is not None:
        for s in steps:
            if math.isclose(x, s, rel_tol=1e-9, abs_tol=1e-12):
                return s
        raise ValueError("it is not one of " + ", ".join(encode(s) for s in steps))
    if (start is not None and x < start) or (stop is not None and x > stop):
        raise ValueError(f"it must lie between {encode(start)} and {encode(stop)}")
    whole = _is_int(start, stop, step, arguments.get("value"))
    if whole and x != int(x):
        raise ValueError("it must be a whole number")
    if snap and step and start is not None:
        # A slider only takes values on its grid: a hand-edited 0.31 on a 0.05 grid becomes 0.3.
        # (Number boxes take what was typed, so a link keeps it exactly.)
        x = start + round((x - start) / step) * step
        x = min(x, stop) if stop is not None else x
        x = float(format(max(x, start), ".10g"))
    return int(x) if whole else x


def _options(arguments: dict) -> dict[str, Any]:
    options = arguments["options"]
    return dict(options) if isinstance(options, Mapping) else {str(o): o for o in options}


def _label_for(options: dict[str, Any], text: str) -> str:
    for label, value in options.items():
        if encode(value) == text or label == text:
            return label
    raise ValueError("the choices are " + ", ".join(encode(v) for v in options.values()))


def _decode(kind: str, arguments: dict, text) -> Any:
    if not isinstance(text, str):
        raise ValueError("it is not a single value")
    if kind in ("slider", "number"):
        return _decode_number(arguments, text, snap=kind == "slider")
    if kind == "checkbox":
        words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        if text.lower() not in words:
            raise ValueError("it must be true or false")
        return words[text.lower()]
    if kind == "dropdown":
        return _label_for(_options(arguments), text)
    if kind == "multiselect":
        options = _options(arguments)
        parts = [p for p in text.split(LIST_SEPARATOR) if p != ""]
        return [_label_for(options, p) for p in parts]
    raise ValueError(f"controls of kind {kind} cannot be set from a link")


def values(form) -> dict:
    """What a Train button or a form stands for: the values last applied, or before any press
    the starting ones (the defaults, or the link's) — so a link's settings are trained at once,
    unclicked."""
    form = _button(form)
    if isinstance(form.value, Pressed):
        return form.value.values
    return form.value if form.value is not None else form.element.value


def _button(form):
    """What holds the applied values: a `Form`'s Train button, or the button or marimo form given."""
    return form.train if isinstance(form, Form) else form


def applied(form) -> dict | None:
    """The values a student applied by pressing the button (of a Train button or a marimo form),
    or None before the first press."""
    value = getattr(_button(form), "value", None)
    if isinstance(value, Pressed):
        return value.values if value.presses else None
    return value


def changed(controls, train) -> list[str]:
    """The names of the controls whose value differs from what the Train button last applied."""
    now, then = controls.value, train.value.values
    return [name for name in now if now[name] != then.get(name)]


STALE = ("**Changed** — the results below are still those of the earlier settings: "
         "press **{label}** to see these.")


def train_bar(controls, train):
    """The Train button, under the controls. While a control differs from what the button last
    applied, the button is ringed and a sentence says the results below are not these settings'
    yet; when they agree, the button stands alone (the results shown are current)."""
    import marimo as mo

    if not changed(controls, train):
        return train
    label = getattr(train, "_label_text", "Train")
    ringed = mo.Html('<span class="poisoncourse-stale" style="display:inline-block;border-radius:0.6rem;'
                     f'box-shadow:0 0 0 3px #f59e0b">{train.text}</span>')
    return mo.hstack([ringed, mo.md(STALE.format(label=label))], justify="start", align="center", gap=1)


def switch(settings: Mapping[str, Any], params=None) -> None:
    """Record controls that re-make the lesson's main form with new defaults (Lesson 3's input
    distribution), called before that form is built.

    When one of them now differs from the link's value, the main form's keys in the URL were
    meant for the other defaults: drop them (the keys without a prefix), so the new form starts
    from its own defaults. A link's invalid value never gets here: `Controls.build` already
    removed it from the URL."""
    params = query_params() if params is None else params
    if params is None:
        return
    url = _as_dict(params)
    texts = {name: encode(value) for name, value in settings.items()}
    if any(name in url and url[name] != text for name, text in texts.items()):
        for key in [k for k in url if k not in RESERVED and k not in texts and "." not in k]:
            del params[key]
    write(settings, params=params)
