"""The Train bar: the button under a lesson's controls, ringed while they differ from what it
last applied — the results shown are then still the earlier settings' — and quiet when they agree."""

from __future__ import annotations

STALE = ("**Changed** — the results below are still those of the earlier settings: "
         "press **{label}** to see these.")


def changed(controls, train) -> list[str]:
    """The names of the controls whose value differs from what the Train button last applied."""
    now, then = controls.value, train.value.values
    return [name for name in now if now[name] != then.get(name)]


def bar(controls, train):
    """The Train button (:class:`forms.TrainButton`), ringed with a sentence while a control differs
    from what it last applied; alone when they agree."""
    import marimo as mo

    if not changed(controls, train):
        return train
    ringed = mo.Html('<span class="poisoncourse-stale" style="display:inline-block;border-radius:0.6rem;'
                     f'box-shadow:0 0 0 3px #f59e0b">{train.text}</span>')
    return mo.hstack([ringed, mo.md(STALE.format(label=train.label_text))], justify="start", align="center", gap=1)
