"""URL text → the value a marimo control's constructor expects, and that value → the one the
built control holds.

A link's value that does not parse, or lies outside the control's range or choices, raises a
ValueError whose message ends the sentence "The link's key=value was ignored: …"
(:meth:`forms.Controls.build`). A slider snaps a hand-edited value to its grid; a number box
keeps what was typed.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from .url import LIST_SEPARATOR, encode


def number(text: str) -> float:
    try:
        x = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"“{text}” is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"“{text}” is not a finite number")
    return x


def _is_int(*values) -> bool:
    return all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values)


def decode_number(arguments: dict, text: str, snap: bool):
    """A slider's or number box's value from URL text, checked against its range (or its
    ``steps``) and, where the control's arguments are whole numbers, wholeness."""
    start, stop, step = arguments.get("start"), arguments.get("stop"), arguments.get("step")
    steps = arguments.get("steps")
    x = number(text)
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


def options(arguments: dict) -> dict[str, Any]:
    """A dropdown's or multiselect's options as {label: value}."""
    given = arguments["options"]
    return dict(given) if isinstance(given, Mapping) else {str(o): o for o in given}


def _label_for(choices: dict[str, Any], text: str) -> str:
    for label, value in choices.items():
        if encode(value) == text or label == text:
            return label
    raise ValueError("the choices are " + ", ".join(encode(v) for v in choices.values()))


def decode(kind: str, arguments: dict, text) -> Any:
    """The constructor's ``value`` for a control of ``kind`` built with ``arguments``."""
    if not isinstance(text, str):
        raise ValueError("it is not a single value")
    if kind in ("slider", "number"):
        return decode_number(arguments, text, snap=kind == "slider")
    if kind == "checkbox":
        words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        if text.lower() not in words:
            raise ValueError("it must be true or false")
        return words[text.lower()]
    if kind == "dropdown":
        return _label_for(options(arguments), text)
    if kind == "multiselect":
        choices = options(arguments)
        parts = [p for p in text.split(LIST_SEPARATOR) if p != ""]
        return [_label_for(choices, p) for p in parts]
    raise ValueError(f"controls of kind {kind} cannot be set from a link")


def held(kind: str, arguments: dict) -> Any:
    """The value a control built with ``arguments`` holds before anyone moves it: a dropdown's or
    multiselect's chosen labels become their options' values, a slider without a value starts at
    its first position. (marimo's ``.value`` may not be read in the cell that builds the control,
    and the form's Train button needs these values there.)"""
    value = arguments.get("value")
    if kind == "dropdown":
        return None if value is None else options(arguments)[value]
    if kind == "multiselect":
        return [options(arguments)[label] for label in (value or [])]
    if kind == "checkbox":
        return bool(value)
    if kind == "slider":
        # marimo's slider holds floats when any of its grid's numbers is one, else ints.
        steps = arguments.get("steps")
        grid = steps if steps is not None else [arguments.get(k) for k in ("start", "stop", "step", "value")]
        if value is None:
            value = steps[0] if steps is not None else arguments.get("start")
        return float(value) if any(isinstance(x, float) for x in grid) else value
    return value
