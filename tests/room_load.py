"""How many students one machine carries: a measurement, not a test (pytest does not collect it).

    .venv/bin/python tests/room_load.py --students 8 --rounds 3 [--lesson lesson3_neurotron.py]

Starts the course server as `make serve` does, opens ``--students`` browser sessions of one
lesson, lets every student press Train ``--rounds`` times as fast as the server answers (all
at once, the worst case of a room), and reports how long each retrain took from click to
redrawn chart and how many retrains per minute the machine delivered. From that rate, a room
in which each student retrains about once every 30 s fits rate × 0.5 students.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import test_browser as tb  # noqa: E402  (the browser helpers of the browser tests)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lesson", default="lesson3_neurotron.py")
    args = parser.parse_args(argv)

    url, proc = tb.start_server()
    latencies, rounds = [], []
    try:
        with tb.playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=tb.CHROMIUM, args=tb.ARGS)
            pages = [tb.open_lesson(browser, url, args.lesson) for _ in range(args.students)]
            for _ in range(args.rounds):
                # Every student presses Train at the same moment (the worst case of a room).
                # Done when a page was seen computing and is idle again (cheap), or — in case the
                # run was too quick to be seen — its chart's pixels changed (checked every 2 s:
                # screenshots of many pages would load this machine more than the server does).
                before = [tb.chart_hash(pg) for pg in pages]
                start = time.perf_counter()
                for pg in pages:
                    form = pg.locator("marimo-form").first
                    slider = form.get_by_role("slider").first
                    slider.focus()
                    slider.press("ArrowRight")
                    form.get_by_role("button", name="Train").click()
                waiting, seen, last_look = dict(enumerate(pages)), set(), time.perf_counter()
                while waiting and time.perf_counter() - start < 600:
                    look = time.perf_counter() - last_look > 2
                    for k, pg in list(waiting.items()):
                        if tb.busy(pg):
                            seen.add(k)
                        elif k in seen or (look and tb.chart_hash(pg) not in (None, before[k])):
                            latencies.append(time.perf_counter() - start)
                            del waiting[k]
                    last_look = time.perf_counter() if look else last_look
                    time.sleep(0.1)
                rounds.append(time.perf_counter() - start)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    if len(latencies) < args.students * args.rounds:
        print(f"Only {len(latencies)} of {args.students * args.rounds} retrains redrew within 10 minutes.")
        return 1
    rate = args.students * len(rounds) / sum(rounds) * 60
    print(f"{args.students} students pressing Train together, {args.rounds} rounds of {args.lesson}: each round "
          f"took {statistics.median(rounds):.1f} s (median) = {rate:.0f} retrains per minute; click-to-redraw "
          f"median {statistics.median(latencies):.1f} s, worst {max(latencies):.1f} s. "
          f"At one retrain per student every 30 s: about {rate / 2:.0f} students.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
