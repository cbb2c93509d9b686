"""Where the lessons (``apps/``) and the shipped data (``data/``) are, however the course was installed.

In the repository they sit at the top, beside the package. ``setup.py`` packs them into wheels and
sdists as ``poisoncourse/_course/apps`` and ``poisoncourse/_course/data``, so an installed course
finds them here through ``importlib.resources``. In a checkout (``pip install -e .`` as ``make test``
does, or the source folder on ``PYTHONPATH``) this package holds only this file: the course is then
the repository the package was imported from, so a sweep writes to the checkout's ``data/reference``.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

from ..core.errors import CourseError


@functools.cache
def root() -> Path:
    """The folder holding ``apps/`` and ``data/``."""
    packed = resources.files(__name__)
    if (packed / "apps").is_dir():
        return packed if isinstance(packed, Path) else _unpacked(packed)
    checkout = Path(__file__).resolve().parents[2]
    if _is_checkout(checkout):
        return checkout
    raise CourseError("The course's lessons are missing from this installation of poisoncourse: reinstall it "
                      "(pip install --force-reinstall poisoncourse) or run it from a clone of the repository.")


def apps_dir() -> Path:
    return root() / "apps"


def data_dir() -> Path:
    return root() / "data"


def is_checkout() -> bool:
    """True when the course runs from a clone of the repository (files can be restored with git)."""
    return root() == Path(__file__).resolve().parents[2]


def _is_checkout(folder: Path) -> bool:
    # The repository's own pyproject names this project; a stray apps/ folder elsewhere does not count.
    try:
        project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return project.get("name") == "poisoncourse" and (folder / "apps").is_dir()


def _unpacked(packed) -> Path:
    """Copy the course out of a zipped install: marimo and numpy need real files."""
    target = Path(tempfile.mkdtemp(prefix="poisoncourse-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)

    def copy(node, dest: Path) -> None:
        for child in node.iterdir():
            if child.is_dir():
                (dest / child.name).mkdir()
                copy(child, dest / child.name)
            else:
                (dest / child.name).write_bytes(child.read_bytes())

    copy(packed, target)
    return target
