"""The course map: the lessons in order, each with the paper it follows.

The lessons, their titles, one-line summaries and papers are declared in
:mod:`poisoncourse.registry`; a lesson's page is its app file in ``apps/``, whose ``app_title`` is the
same title (tests/test_registry.py). The apps carry no ``[tool.marimo.opengraph]`` header: marimo 0.25
ignores it, with a warning at every load; the front page builds its cards from the registry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .. import _course, registry
from ..lesson import Paper


@dataclass(frozen=True)
class Page:
    """A registered lesson's page: its app file, with what the course map shows of it."""

    path: Path
    title: str
    summary: str
    paper: Paper | None
    key: str = ""  # its name in the registry and on the command line, e.g. "width"

    @property
    def name(self) -> str:
        return self.path.stem


def apps_dir() -> Path:
    """The lessons folder: inside the installed package, or apps/ of a checkout (see poisoncourse._course)."""
    return _course.apps_dir()


def header(path: Path) -> dict:
    """The PEP 723 ``# /// script`` table at the top of a lesson file."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^# /// script\s*$(.*?)^# ///\s*$", text, re.S | re.M)
    if not m:
        return {}
    body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in m.group(1).splitlines())
    return tomllib.loads(body)


def lessons(folder: Path | None = None) -> list[Page]:
    """The registered lessons in course order, each with its page in ``folder`` (default: apps/)."""
    folder = folder or apps_dir()
    return [Page(folder / x.app, x.title, x.summary, x.paper, x.name) for x in registry.LESSONS]
