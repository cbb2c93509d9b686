"""The words beside a control: what a student reads for it, and a label left out when the form's
own text already says it."""

from __future__ import annotations

import dataclasses
import re


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _beside(text: str, name: str) -> tuple[str, str]:
    """The form's text right before and right after ``{name}``: another control's {placeholder} ends it."""
    before, _, after = text.partition("{" + name + "}")
    return re.split(r"\{\w+\}", before)[-1], re.split(r"\{\w+\}", after)[0]


def spoken_label(text: str, name: str, control) -> str:
    """What the student reads for a control: its label, or else the form's words right before it
    ("first seed" in "· first seed {seed}"), or else its name — for sentences about a bad value."""
    label = control.kwargs.get("label") or ""
    if label:
        return label
    words = re.split(r"[·—|*\n]", _beside(text, name)[0])[-1].strip()
    return words or name


def without_repeated_label(text: str, name: str, control):
    """The control without its label when the form's text already says it next to the control
    ("first seed {seed}" with label "seed" would read "first seed seed")."""
    label = control.kwargs.get("label") or ""
    marker = "{" + name + "}"
    if not label or marker not in text:
        return control
    before, after = _beside(text, name)  # only words right beside this control count
    said, own = _words(before)[-1:] + _words(after)[:1], _words(label)
    if own and (own[0] in said or own[-1] in said):
        return dataclasses.replace(control, kwargs={**control.kwargs, "label": ""})
    return control
