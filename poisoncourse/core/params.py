"""Parameters declared once, checked at the door — scikit-learn's ``_param_validation``, small.

Each field of a config says its constraint beside it::

    budget: float = param(1.0, Real(0.0, 5.0), label="Perturbation budget")

and one function, :func:`validate`, coerces and checks every declared field in order, writing
one sentence a student can read (the parameter, the bad value, the allowed range). Rules that
tie fields together live in the config's ``check`` method, run after the per-field pass.
:func:`spec` reads the declarations back, so a page can print a control's range in its label
and refuse an out-of-range number box with the same sentence as a link.

A bound or label may be a function of the config (``high=lambda c: c.n_train // c.buckets``):
it sees the fields declared above it already checked. :class:`Switch` picks a constraint by
another field's value (what ``values`` means depends on what is swept).
"""

from __future__ import annotations

import dataclasses

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import ConfigError

SEED = 2**31 - 1  # the largest seed torch.Generator and numpy both accept as a plain int


def _at(x, config):
    """A bound or label that depends on the config is a function of it."""
    return x(config) if callable(x) else x


# --- constraints: each checks one value and returns it coerced -------------------------------


@dataclass(frozen=True)
class Real:
    """A finite number in [low, high]; returned as a float."""

    low: float
    high: float
    kind = "real"

    def check(self, value, label: str, config=None) -> float:
        x, why = self.judge(value, config)
        if why is not None:
            raise ConfigError(f"{label} {why}; got {value!r}.")
        return x

    def judge(self, value, config=None) -> tuple[float | None, str | None]:
        """(the value coerced, None) when accepted, else (None, why not: "must be between 0 and 1")."""
        low, high = _at(self.low, config), _at(self.high, config)
        try:
            x = float(value)
        except (TypeError, ValueError):
            return None, f"must be a number between {low:g} and {high:g}"
        if not math.isfinite(x) or not low <= x <= high:
            return None, f"must be between {low:g} and {high:g}"
        return x, None


@dataclass(frozen=True)
class Integer(Real):
    """A whole number in [low, high] (4.0 counts, 4.5 does not); returned as an int."""

    kind = "integer"

    def judge(self, value, config=None) -> tuple[int | None, str | None]:
        x, why = super().judge(value, config)
        if why is None and x != int(x):
            low, high = _at(self.low, config), _at(self.high, config)
            return None, f"must be a whole number between {low} and {high}"
        return (None, why) if why is not None else (int(x), None)


@dataclass(frozen=True)
class Choice:
    """One of ``options`` (a dict's keys or a sequence); returned unchanged."""

    options: Iterable
    kind = "choice"

    def check(self, value, label: str, config=None):
        options = list(_at(self.options, config))
        if value not in options:
            listed = ", ".join(repr(o) for o in options)
            raise ConfigError(f"{label} must be one of {listed}; got {value!r}.")
        return value


@dataclass(frozen=True)
class Flag:
    """On or off: anything Python calls true or false, returned as a bool."""

    kind = "flag"

    def check(self, value, label: str, config=None) -> bool:
        return bool(value)


@dataclass(frozen=True)
class Numbers:
    """A non-empty set of numbers in [low, high], returned as a sorted tuple without repeats;
    of ints when ``whole``."""

    low: float
    high: float
    max_count: int = 16
    whole: bool = False

    @property
    def kind(self) -> str:
        return "integers" if self.whole else "numbers"

    def check(self, values, label: str, config=None) -> tuple:
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, Iterable)):
            raise ConfigError(f"{label} must be a list of numbers; got {values!r}.")
        each = Real(self.low, self.high)
        out = sorted({each.check(v, label, config) for v in values})
        if not out:
            raise ConfigError(f"{label} needs at least one value.")
        if len(out) > self.max_count:
            raise ConfigError(f"{label} may hold at most {self.max_count} values; got {len(out)}.")
        if self.whole:
            if any(x != int(x) for x in out):
                raise ConfigError(f"{label} must be whole numbers; got {values!r}.")
            return tuple(int(x) for x in out)
        return tuple(out)


@dataclass(frozen=True)
class Items:
    """A tuple of ``low_count`` to ``high_count`` values, in order, each checked by ``item``.
    ``each`` names one value (``{i}`` is its position from 1); ``wrong_count`` is the sentence
    for a wrong length, or for a value that is not a list (``{value!r}`` and ``{count}`` are
    filled in)."""

    item: Real | Integer
    low_count: int
    high_count: int
    each: str
    wrong_count: str
    kind = "items"

    @property
    def low(self):
        return self.item.low

    @property
    def high(self):
        return self.item.high

    def check(self, values, label: str, config=None) -> tuple:
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            # Not a list at all: the count shown is the value itself.
            raise ConfigError(self.wrong_count.format(value=values, count=repr(values)))
        items = tuple(values)
        if not self.low_count <= len(items) <= self.high_count:
            raise ConfigError(self.wrong_count.format(value=values, count=len(items)))
        return tuple(self.item.check(v, self.each.format(i=i + 1), config) for i, v in enumerate(items))


@dataclass(frozen=True)
class Choices:
    """A non-empty selection from ``options``: repeats dropped, order kept. ``empty`` is the
    sentence for choosing nothing; ``each`` names one entry."""

    options: Iterable
    empty: str
    each: str
    kind = "choices"

    def check(self, values, label: str, config=None) -> tuple:
        values = tuple(dict.fromkeys(values))
        if not values:
            raise ConfigError(self.empty)
        for v in values:
            Choice(self.options).check(v, self.each)
        return values


@dataclass(frozen=True)
class Optional:
    """None (the feature is off), or a value ``inner`` accepts."""

    inner: Any

    def check(self, value, label: str, config=None):
        return None if value is None else self.inner.check(value, label, config)


@dataclass(frozen=True)
class Switch:
    """The constraint and label of a field depend on another field, ``on`` (checked above it):
    ``cases`` maps each of its values to a (constraint, label) pair."""

    on: str
    cases: dict

    def resolve(self, config) -> tuple[Any, str]:
        return self.cases[getattr(config, self.on)]


# --- declaring and checking fields -----------------------------------------------------------


@dataclass(frozen=True)
class _Declared:
    constraint: Any
    label: str | Callable | None
    unit: str | None
    fill: Callable | None  # None → fill(config): a default computed from the fields above
    slider: tuple | None = None


def param(default, constraint, *, label: str | Callable | None = None, unit: str | None = None,
          fill: Callable | None = None, slider: tuple | None = None):
    """A dataclass field with its constraint declared beside it. ``label`` is the name a
    student sees; ``fill(config)`` gives the value when the field is left None.

    ``slider = (low, high, step)``: the span and step of a page's slider for this number. It may be
    narrower than the constraint — a slider over 1–2,000 epochs would not let a student pick 60, while
    a link or a script may ask for any value the config accepts — never wider (tests/test_ranges.py)."""
    if slider is not None and not isinstance(constraint, (Real, Switch)):
        raise TypeError("a slider is declared for a number only")
    declared = _Declared(constraint, label, unit, fill, None if slider is None else tuple(slider))
    if isinstance(default, (list, dict, set)):
        return field(default_factory=lambda: type(default)(default), metadata={"param": declared})
    return field(default=default, metadata={"param": declared})


def _declared(cls_or_config) -> dict[str, _Declared]:
    return {f.name: f.metadata["param"] for f in fields(cls_or_config) if "param" in f.metadata}


def _resolve(name: str, d: _Declared, config) -> tuple[Any, str]:
    if isinstance(d.constraint, Switch):
        return d.constraint.resolve(config)
    return d.constraint, _at(d.label, config) or name


def validate(config) -> None:
    """Coerce and check every declared field of a frozen dataclass, in declaration order, then
    run its ``check`` (rules across fields). Raises a ConfigError with one sentence."""
    for name, d in _declared(config).items():
        value = getattr(config, name)
        if value is None and d.fill is not None:
            value = d.fill(config)
        constraint, label = _resolve(name, d, config)
        object.__setattr__(config, name, constraint.check(value, label, config))
    config.check()


class Validated:
    """Base of the lessons' configs: validated on construction."""

    def __post_init__(self):
        validate(self)

    def check(self) -> None:
        """Rules across fields, after each field is checked alone; raise a ConfigError."""

    def _set(self, name: str, value) -> None:
        """For ``check``: store a value the rules computed (the config is frozen)."""
        object.__setattr__(self, name, value)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class Seeded(Validated):
    """A config run once per seed: ``seeds`` consecutive seeds from ``seed``."""

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seed, self.seed + self.seeds))


# --- reading the declarations back ------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What a control may hold: ``kind`` is real, integer, choice, flag, numbers, integers, items
    or choices; low/high bound a number (or each entry of a list); ``choices`` lists options."""

    kind: str
    label: str
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    choices: tuple | None = None
    optional: bool = False
    constraint: Any = field(default=None, repr=False, compare=False)
    slider: tuple | None = None  # (low, high, step) of a page's slider, when one is declared

    def check(self, value):
        """The value coerced, or the ConfigError a config would raise for it."""
        return self.constraint.check(value, self.label)


def spec(cls, **given) -> dict[str, Spec]:
    """Each declared field of ``cls`` as a Spec, bounds and labels resolved for the config
    ``cls(**given)`` (its defaults when nothing is given)."""
    config = cls(**given)
    out = {}
    for name, d in _declared(cls).items():
        constraint, label = _resolve(name, d, config)
        optional = isinstance(constraint, Optional)
        inner = constraint.inner if optional else constraint
        low, high = getattr(inner, "low", None), getattr(inner, "high", None)
        options = getattr(inner, "options", None)
        bound = Optional(_Bound(inner, config)) if optional else _Bound(inner, config)
        out[name] = Spec(inner.kind, label, _at(low, config), _at(high, config), d.unit,
                         None if options is None else tuple(_at(options, config)), optional, bound, d.slider)
    return out


@dataclass(frozen=True)
class _Bound:
    """A constraint with its config fixed, so bounds that depend on it resolve."""

    constraint: Any
    config: Any

    def check(self, value, label: str, config=None):
        return self.constraint.check(value, label, self.config)
