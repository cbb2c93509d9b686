"""Number boxes: the range in the label, and a sentence (not a silent clamp) for a bad value.

marimo's number box clamps a typed value to its range without a word (η = 5 becomes 0.01): the
box is built without bounds, its range goes into its label (:func:`box_arguments`), and the page
checks the submitted value (:func:`problems`) with the same constraints a config declares
(:mod:`poisoncourse.core.params`), so a box and a config refuse a value in the same words.
"""

from __future__ import annotations

from ..core.params import Integer, Real
from .url import encode


def _show(x) -> str:
    return f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else format(x, ".6g")


def range_text(arguments: dict) -> str:
    """A number box's range as its label shows it: "0–100,000", "≥ 0", or "" when unbounded."""
    start, stop = arguments.get("start"), arguments.get("stop")
    if start is not None and stop is not None:
        return f"{_show(start)}–{_show(stop)}"
    if start is not None:
        return f"≥ {_show(start)}"
    return "" if stop is None else f"≤ {_show(stop)}"


def box_arguments(arguments: dict) -> dict:
    """The box's arguments without bounds, its range in its label."""
    out = {k: v for k, v in arguments.items() if k not in ("start", "stop")}
    bounds = range_text(arguments)
    label = out.get("label") or ""
    out["label"] = f"{label} ({bounds})".strip() if bounds else label
    return out


def constraint(arguments: dict) -> Real:
    """The box's range as a declared constraint: whole numbers when the box's own numbers are."""
    start, stop = arguments.get("start"), arguments.get("stop")
    low = -float("inf") if start is None else start
    high = float("inf") if stop is None else stop
    numbers = [arguments.get(k) for k in ("start", "stop", "step", "value")]
    whole = all(x is None or (isinstance(x, int) and not isinstance(x, bool)) for x in numbers)
    return Integer(low, high) if whole else Real(low, high)


def problems(submitted: dict | None, boxes: dict[str, dict]) -> list[str]:
    """One sentence per submitted number box whose value its range refuses (outside it, or not a
    whole number where one is needed), worded as a link's bad value is. ``boxes``: each box's
    arguments, its label as the student reads it."""
    if submitted is None:
        return []
    out = []
    for name, arguments in boxes.items():
        value = submitted.get(name)
        if value is None:  # an emptied box stands for its default
            continue
        _, why = constraint(arguments).judge(value)
        if why is not None:
            out.append(f"The box “{arguments.get('label') or name}” holds {encode(value)}, which was not used: "
                       f"it {why}.")
    return out
