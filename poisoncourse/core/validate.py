"""Checks at the door, in the style of scikit-learn: name the parameter, the bad value and
the allowed range, so the message can be shown to a student as it is."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .errors import ConfigError


def number(name: str, value, low: float, high: float, *, label: str | None = None) -> float:
    """Return ``value`` as a float inside [low, high], else raise a ConfigError."""
    what = label or name
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be a number between {low:g} and {high:g}; got {value!r}.") from None
    if not math.isfinite(x) or not low <= x <= high:
        raise ConfigError(f"{what} must be between {low:g} and {high:g}; got {value!r}.")
    return x


def integer(name: str, value, low: int, high: int, *, label: str | None = None) -> int:
    """Return ``value`` as an int inside [low, high], else raise a ConfigError."""
    what = label or name
    x = number(name, value, low, high, label=label)
    if x != int(x):
        raise ConfigError(f"{what} must be a whole number between {low} and {high}; got {value!r}.")
    return int(x)


def choice(name: str, value, options: Iterable[str], *, label: str | None = None) -> str:
    """Return ``value`` if it is one of ``options``, else raise a ConfigError."""
    options = list(options)
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ConfigError(f"{label or name} must be one of {listed}; got {value!r}.")
    return value


def numbers(name: str, values, low: float, high: float, *, label: str | None = None,
            max_count: int = 16) -> tuple[float, ...]:
    """A non-empty, duplicate-free, sorted tuple of numbers inside [low, high]."""
    what = label or name
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, Iterable)):
        raise ConfigError(f"{what} must be a list of numbers; got {values!r}.")
    out = sorted({number(name, v, low, high, label=label) for v in values})
    if not out:
        raise ConfigError(f"{what} needs at least one value.")
    if len(out) > max_count:
        raise ConfigError(f"{what} may hold at most {max_count} values; got {len(out)}.")
    return tuple(out)
