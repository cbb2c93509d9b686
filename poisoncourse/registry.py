"""The course's lessons, declared once and in order: what the sweep, the benchmark, the export,
the course map and the command line go over.

Adding a lesson: a subpackage whose ``__init__.py`` declares ``LESSON = Lesson(...)``
(:mod:`poisoncourse.lesson`), its page in ``apps/``, and one line below.
"""

from __future__ import annotations

from . import labelnoise, lazy, neurotron, regularization, width
from .core.errors import CourseError
from .lesson import Lesson

LESSONS: tuple[Lesson, ...] = (
    width.LESSON,
    regularization.LESSON,
    neurotron.LESSON,
    labelnoise.LESSON,
    lazy.LESSON,
)


def names() -> list[str]:
    return [x.name for x in LESSONS]


def lesson(name: str) -> Lesson:
    """The lesson called ``name`` (e.g. "width"), or a sentence listing the lessons there are."""
    for x in LESSONS:
        if x.name == name:
            return x
    raise CourseError(f"There is no lesson called {name!r}; the lessons are {', '.join(names())}.")
