"""The Train bar: the button under a lesson's controls, ringed while they differ from what it
last applied — the results shown are then still the earlier settings' — and quiet when they agree.

Beside it, what the student should know about the controls: the link's warnings until settings of the
student's own are applied (they are about the link, not about what runs after a press), and the
default an emptied number box stands for."""

from __future__ import annotations

STALE = ("**Changed** — the results below are still those of the earlier settings: "
         "press **{label}** to see these.")


def changed(controls, train) -> list[str]:
    """The names of the controls whose value differs from what the Train button last applied."""
    now, then = controls.value, train.value.values
    return [name for name in now if now[name] != then.get(name)]


EMPTIED = "An empty box means its default: {boxes}."


def bar(controls, train):
    """The Train button (:class:`forms.TrainButton`), ringed with a sentence while a control differs
    from what it last applied; alone when they agree — with the notes of :func:`notes` above it."""
    import marimo as mo

    button = train
    if changed(controls, train):
        ringed = mo.Html('<span class="poisoncourse-stale" style="display:inline-block;border-radius:0.6rem;'
                         f'box-shadow:0 0 0 3px #f59e0b">{train.text}</span>')
        button = mo.hstack([ringed, mo.md(STALE.format(label=train.label_text))], justify="start", align="center",
                           gap=1, wrap=True)
    above = notes(controls, train)
    return mo.vstack([*above, button]) if above else button


def notes(controls, train) -> list:
    """The link's warnings (a yellow callout) until the first press; a sentence naming the defaults of
    the number boxes left empty."""
    import marimo as mo

    from . import forms

    out = []
    warned = forms.link_callout(train.link_warnings) if not train.value.presses else None
    if warned is not None:
        out.append(warned)
    empty = forms.emptied(controls.value, train.number_boxes)
    if empty:
        out.append(mo.md(EMPTIED.format(boxes="; ".join(empty))))
    return out
