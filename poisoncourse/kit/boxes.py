"""Number boxes: the range in the label, and a sentence (not a silent clamp) for a bad value.

marimo's number box clamps a typed value to its range without a word (η = 5 becomes 0.01): the
box is built without bounds, its range goes into its label (:func:`box_arguments`), and the page
checks the submitted value (:func:`problems`) with the same constraints a config declares
(:mod:`poisoncourse.core.params`), so a box and a config refuse a value in the same words.
"""

from __future__ import annotations

from ..core.params import Integer, Real
from .url import encode


def show(x) -> str:
    """A number as a box shows it: 100,000 and 0.001, never 1e+05."""
    return f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else format(x, ".6g")


def range_text(arguments: dict) -> str:
    """A number box's range as its label shows it: "0–100,000", "≥ 0", or "" when unbounded."""
    start, stop = arguments.get("start"), arguments.get("stop")
    if start is not None and stop is not None:
        return f"{show(start)}–{show(stop)}"
    if start is not None:
        return f"≥ {show(start)}"
    return "" if stop is None else f"≤ {show(stop)}"


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
        kind = constraint(arguments)
        _, why = kind.judge(value)
        if why is not None:
            # The range as the box's label writes it (0–100,000), not as a config would (1e+05).
            what = "a whole number" if isinstance(kind, Integer) else "a number"
            out.append(f"{_capital(arguments.get('label') or name)} must be {what} {_within(arguments)}; "
                       f"the box holds {encode(value)}, which was not used.")
    return out


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


def _within(arguments: dict) -> str:
    start, stop = arguments.get("start"), arguments.get("stop")
    if start is not None and stop is not None:
        return f"from {show(start)} to {show(stop)}"
    return f"of at least {show(start)}" if start is not None else f"of at most {show(stop)}"
