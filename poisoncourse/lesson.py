"""The lesson protocol, declared: what every lesson gives the course's tools.

A lesson subpackage declares one :class:`Lesson` in its ``__init__.py`` (``LESSON = Lesson(...)``)
and :mod:`poisoncourse.registry` lists them in course order. The tools that go over every
lesson — the reference sweep, the benchmark, the static export, the course map, the command
line — read these declarations; none of them looks for hooks by name or by signature.

    Lesson            name, number, title, summary, paper, app file, config, run, cost, …
    ├─ ReferenceTable a shipped table under data/reference/: how to make it and how to load it
    │  └─ Option      a named sweep option (width's ``--scale``, ``--victim``) with its choices
    ├─ bench          builders of benchmark Cases: the batched run against its loop twin
    └─ Twin           a batched computation and its one-model-at-a-time version (the tests
                      prove them equal, the benchmark times both)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from .core.errors import CourseError


@dataclass(frozen=True)
class Paper:
    title: str
    authors: str
    venue: str
    url: str
    # When the paper has no public copy: what ``url`` opens instead (a card says so beside the link).
    url_opens: str = ""


@dataclass(frozen=True)
class Reference:
    """A loaded reference table and its sidecar (settings, command, date): every loader's answer."""

    table: pd.DataFrame
    meta: dict


@dataclass(frozen=True)
class Option:
    """A named option of a reference sweep, offered as ``poisoncourse sweep <lesson> --<name> <value>``.

    ``separate``: a value other than the default is a different experiment, saved as its own
    table ``<table>_<value>`` (width's CNN sweep) rather than over the shipped one.
    """

    name: str
    choices: tuple[str, ...]
    default: str
    help: str
    separate: bool = False


def _settings(configs: list) -> dict:
    return {"configs": [dataclasses.asdict(c) for c in configs]}


def tabulate(items: Iterable, run: Callable, rows: Callable, progress: Callable | None = None) -> pd.DataFrame:
    """What most ``ReferenceTable.table`` builders do: ``run(item)`` for each item, keep the frame
    ``rows(item, result)``, report ``progress(item, result)``, and concatenate the frames."""
    frames = []
    for item in items:
        result = run(item)
        frames.append(rows(item, result))
        if progress is not None:
            progress(item, result)
    return pd.concat(frames, ignore_index=True)


def figure_settings(items: list) -> dict:
    """A sidecar's settings for items that are ``(figure, config)`` pairs."""
    return {"configs": [dict(figure=figure, **dataclasses.asdict(config)) for figure, config in items]}


@dataclass(frozen=True)
class ReferenceTable:
    """A precomputed table shipped under ``data/reference/<name>.csv``.

    ``configs(seeds=, quick=, **options)`` yields the sweep's items (``quick``: a seconds-long
    smoke version); ``table(items, progress=)`` runs them into one tidy table, calling
    ``progress(item, result)`` after each; ``label(item)`` names an item in the progress lines;
    ``settings(items)`` is what the sidecar records. Bump ``version`` when the numbers change:
    tables made by another version are then refused with the command that remakes them.
    """

    name: str
    version: int
    command: str
    seeds: int
    configs: Callable[..., Iterable]
    table: Callable[..., pd.DataFrame]
    label: Callable[[object], str]
    options: tuple[Option, ...] = ()
    settings: Callable[[list], dict] = _settings

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    def check(self, options: dict[str, str]) -> None:
        """Refuse, in one sentence, an option this table does not declare or a value it does not offer."""
        for name, value in options.items():
            opt = self.option(name)
            if opt is None:
                raise CourseError(f"The {self.name} sweep has no --{name} option.")
            if value not in opt.choices:
                raise CourseError(f"--{name} {value} is not offered for the {self.name} sweep; "
                                  f"choose one of {', '.join(opt.choices)}.")

    def file_name(self, options: dict[str, str] | None = None) -> str:
        """The table's file name: a separate option's non-default value gets its own file."""
        options = options or {}
        return self.name + "".join(f"_{options[o.name]}" for o in self.options
                                   if o.separate and options.get(o.name, o.default) != o.default)

    def command_for(self, options: dict[str, str] | None = None) -> str:
        """The command that remakes this file (named in the sidecar and in every refusal)."""
        options = options or {}
        return self.command + "".join(f" --{o.name} {options[o.name]}" for o in self.options
                                      if o.separate and options.get(o.name, o.default) != o.default)

    def load(self, **options: str) -> Reference:
        """The shipped table, verified (:func:`poisoncourse.core.reference.load`)."""
        from .core import reference

        self.check(options)
        table, meta = reference.load(self.file_name(options), lesson_version=self.version,
                                     command=self.command_for(options))
        return Reference(table, meta)


@dataclass(frozen=True)
class Case:
    """One benchmark measurement: ``run`` (batched) against ``baseline`` (its loop twin)."""

    lesson: str
    case: str
    run: Callable[[], object]
    baseline: Callable[[], object] | None = None
    # When the baseline is too slow to run whole, it runs on 1/baseline_scale of the work
    # and its time is multiplied by baseline_scale (the case's label says so).
    baseline_scale: float = 1.0
    flops: float | None = None  # floating-point operations of one ``run``, when the lesson can count them


@dataclass(frozen=True)
class Twin:
    """A batched computation and its loop twin, always called ``run_one_at_a_time``: the same
    models, one per Python iteration — the tests' independent check and the benchmark's baseline."""

    batched: Callable
    one_at_a_time: Callable


@dataclass(frozen=True)
class Lesson:
    name: str  # the lesson's subpackage and its name on the command line, e.g. "width"
    number: int  # its place in the course, 1 …
    title: str  # as in its app's app_title (a test keeps the two equal)
    summary: str  # the header's description
    paper: Paper
    app: str  # its page in apps/, e.g. "lesson1_width.py"
    config: type  # the frozen config its live run takes
    run: Callable  # run(config, progress=None, …) -> the lesson's result
    estimated_seconds: Callable | None  # estimated_seconds(config): the live time limit's cost model
    references: tuple[ReferenceTable, ...] = ()
    bench: tuple[Callable[[bool], list[Case]], ...] = ()  # each: cases(quick) -> [Case, …]
    twins: tuple[Twin, ...] = ()

    def bench_cases(self, quick: bool = False) -> list[Case]:
        return [case for cases in self.bench for case in cases(quick)]
