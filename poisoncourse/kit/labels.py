"""The words beside a control: what a student reads for it, and where those words go.

A form's text names most controls with its own words ("learning rate {lr}", "**Sweep** {sweep}"). A
screen reader, though, names a control by its own label (marimo ties a label to its control; the text
around it is just text). So the words right before a control that has no label of its own — or whose
label would only repeat them ("first seed {seed}" with label "seed") — move into its label
(:func:`named`): the page reads the same, and every control is named in the student's words.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re

SEPARATORS = r"[·—|\n]"  # what ends the words that name a control: another group of the form


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _beside(text: str, name: str) -> tuple[str, str]:
    """The form's text right before and right after ``{name}``: another control's {placeholder} ends it."""
    before, _, after = text.partition("{" + name + "}")
    return re.split(r"\{\w+\}", before)[-1], re.split(r"\{\w+\}", after)[0]


def plain(label: str) -> str:
    """A label without its markdown emphasis: the words a screen reader says."""
    return re.sub(r"\s+", " ", label.replace("*", "")).strip()


def _naming_words(text: str, name: str) -> str:
    """The words right before ``{name}`` back to the last separator, markdown kept ("**Sweep**"); for a
    control right after a group's heading ("**Networks** — {victim}"), the heading and its dash."""
    *rest, last = re.split(f"({SEPARATORS})", _beside(text, name)[0])
    if not plain(last) and len(rest) >= 2 and rest[-1] == "—" and "\n" not in rest[-2]:
        return (rest[-2] + "—" + last).strip()
    return last.strip()


def spoken_label(text: str, name: str, control) -> str:
    """What the student reads for a control: its label, or else the form's words right before it
    ("first seed" in "· first seed {seed}"), or else its name — for sentences about a bad value."""
    label = control.kwargs.get("label") or ""
    return plain(label or _naming_words(text, name)) or name


def _repeats(text: str, name: str, label: str) -> str | None:
    """Where the text beside the control already says its label: "before", "after" or None."""
    before, after = _beside(text, name)  # only words right beside this control count
    own = _words(label)
    if not own:
        return None
    if own[0] in _words(before)[-1:] or own[-1] in _words(before)[-1:]:
        return "before"
    if own[0] in _words(after)[:1] or own[-1] in _words(after)[:1]:
        return "after"
    return None


def named(text: str, name: str, control) -> tuple[str, object]:
    """The form's text and the control, the words naming the control moved into its label.

    "first seed {seed}" with label "seed" (or none) → "{seed}" labelled "first seed"; "at most {n}
    epochs" with label "epochs" → "{n}" labelled "at most epochs". A control whose own label says
    something else ("β (regime C)") keeps it, and the text is left alone."""
    label = control.kwargs.get("label") or ""
    marker = "{" + name + "}"
    if marker not in text:
        return text, control
    where = _repeats(text, name, label) if label else None
    if label and where is None:
        return text, control
    words = _naming_words(text, name)
    if not plain(words):  # nothing names it before: the control keeps what it has
        return text, control
    before, _, after = text.partition(marker)
    before = before.rstrip()[: -len(words)]  # up to the separator, its space kept
    new_label = words
    if where == "after":  # "at most {n} epochs": the trailing word joins the label
        tail = re.match(r"\s*(\S+)", after)
        if tail is not None:
            new_label = f"{words} {tail.group(1)}"
            after = after[tail.end():]
    return before + marker + after, dataclasses.replace(control, kwargs={**control.kwargs, "label": new_label})


def named_all(text: str, controls: dict) -> tuple[str, dict]:
    """`named` for each control of a form, in turn."""
    out = {}
    for name, control in controls.items():
        text, out[name] = named(text, name, control)
    return text, out


def with_plain_label(element_html: str, tag: str, words: str) -> str:
    """A control's HTML with its label attribute (marimo's rendered markdown) replaced by ``words``:
    JSON in an HTML attribute, as marimo writes its own."""
    value = html.escape(json.dumps(html.escape(words, quote=False)), quote=True)
    return re.sub(rf"(<{tag}\b[^>]*?\bdata-label=)'[^']*'", lambda m: f"{m.group(1)}'{value}'", element_html, count=1)
