"""Warming the shared memo: every lesson's default results computed before the first student asks.

A lesson's defaults are what its page runs before anyone presses Train — the form's settings,
which are not always the lesson's `config()` (Lesson 3 trains live with 10× the paper's η;
Lesson 5 has two forms). So the warm-up runs each registered lesson's page headless
(``app.run()``, the page's own cells and its own page-kit calls): every default run lands in
:data:`poisoncourse.kit.memo.MEMO` under exactly the key the page will ask for.

The memo lives in one process, so the warm-up must run in the server's: ``poisoncourse serve
--warm`` starts ``python -m poisoncourse.tools.warm run …`` — marimo's own command line, in a
process that first starts :func:`start` (a background thread) — instead of ``python -m marimo``.

Once the memo is warm, the same thread paints each lesson's page for its first visitors
(tools/firstpaint.py): its cells run again, as a student's browser would show them, from the memo.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time

from .. import registry
from . import course, firstpaint

READY = "poisoncourse: the shared memo is warm:"
WARMED = threading.Event()  # set when the warm-up has gone over every lesson
REPORT: dict[str, float | str] = {}  # lesson name -> seconds its page took headless, or the error
PAINTED: dict[str, float | str] = {}  # lesson name -> seconds its first paintings took, or the error


def load_app(path):
    """The `app` of a lesson page, imported under its own module name."""
    spec = importlib.util.spec_from_file_location(f"_poisoncourse_warm_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def warm(lessons=None) -> dict[str, float | str]:
    """Run each lesson's page headless, in course order; a page that fails is reported, not raised
    (a student opening it later sees the same problem on the page)."""
    apps = course.apps_dir()
    for lesson in registry.LESSONS if lessons is None else lessons:
        start = time.perf_counter()
        try:
            load_app(apps / lesson.app).run()
            REPORT[lesson.name] = round(time.perf_counter() - start, 2)
        except Exception as err:  # noqa: BLE001 — a warm-up must never stop the server
            REPORT[lesson.name] = f"{type(err).__name__}: {err}"
    # Then each lesson's page painted for its first visitors (tools/firstpaint.py): its results are in the memo.
    PAINTED.update(firstpaint.paint_all(registry.LESSONS if lessons is None else lessons, load_app))
    WARMED.set()
    # One line on the server's terminal (the tests wait for it): what each page took headless, then painted.
    print(f"{READY} {REPORT} painted: {PAINTED}", file=sys.stderr, flush=True)
    return REPORT


def start(lessons=None) -> threading.Thread:
    """Warm the memo in a background thread of this process (the server answers meanwhile)."""
    thread = threading.Thread(target=warm, args=(lessons,), name="poisoncourse-warm", daemon=True)
    thread.start()
    return thread


def main(argv=None) -> int:
    """``python -m poisoncourse.tools.warm run apps/ …``: marimo's command line, after starting the warm-up."""
    from marimo._cli.cli import main as marimo_main

    args = sys.argv[1:] if argv is None else list(argv)
    start()
    try:
        marimo_main(args=args, prog_name="marimo")  # click: exits with SystemExit
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
