"""Where a lesson page's time goes besides training: cProfile on `app.run()` of each lesson.

    PYTHONPATH=. python tests/e2e/profile_pages.py [lesson …] [--top 25]

Each page runs once to fill the shared memo (its trainings), then runs again under cProfile: the
second run trains nothing the memo holds, so what it spends is the page's own cost — cell
reruns, tables reshaped for charts, altair building and validating specs, marimo formatting
outputs. A page whose runs do not go through the memo trains in both runs; its "trained" line
says how long. Prints the total and the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time

os.environ.setdefault("POISONCOURSE_DEVICE", "cpu")

from poisoncourse import registry  # noqa: E402
from poisoncourse.kit import memo  # noqa: E402
from poisoncourse.tools import course, warm  # noqa: E402


def profile(name: str, top: int) -> float:
    lesson = registry.lesson(name)
    app = warm.load_app(course.apps_dir() / lesson.app)
    start = time.perf_counter()
    app.run()
    first = time.perf_counter() - start
    hits = memo.MEMO.hits
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    app.run()
    prof.disable()
    again = time.perf_counter() - start
    print(f"\n== {name}: first run {first:.2f} s, again (memo hits {memo.MEMO.hits - hits}) {again:.2f} s")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(order).print_stats(top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-(top + 2) * 200:])
    return again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=registry.names())
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    totals = {name: profile(name, args.top) for name in args.lessons}
    print("\npage cost without training (s):", {k: round(v, 2) for k, v in totals.items()})


if __name__ == "__main__":
    main()
