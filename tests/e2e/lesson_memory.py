"""A student's server at its fullest: the peak memory of each lesson's largest allowed live run.
A measurement, not a test (pytest does not collect it); it sizes ``singleuser.memory.limit`` in
deploy/config.yaml.

    .venv/bin/python tests/e2e/lesson_memory.py [width neurotron ...] [--json build/lesson-memory.json]

For each lesson, in a fresh process: marimo and the lesson's page loaded and run headless (what a
`marimo run` server holds once a student has opened the lesson), then the largest live run the
lesson accepts — grown greedily, one size control after another, up to the largest value whose
estimated time is still within the live budget (a larger one is refused before it starts) — and the
process's peak resident memory (``VmHWM``). The browser-facing part of the server (its web server,
the websocket) is not in it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# Size controls in the order they are grown, each with the values a student can pick (the lesson's own
# bounds refuse the rest). Widths: the lesson's list with the largest widths its controls allow appended.
GROW = {
    "width": [("widths", [(2, 8, 32, 128, 512, 2048), (2, 8, 32, 128, 512, 2048, 4096),
                          (2, 8, 32, 128, 512, 2048, 4096, 8192), (2, 8, 32, 128, 512, 2048, 4096, 8192, 16384)]),
              ("n_train", [1000, 2000, 3000, 5000]), ("resolution", [7, 14, 28]), ("seeds", [2, 3, 5, 10]),
              ("regime", ["C", "A"])],
    "labelnoise": [("n", [400, 1000, 2000, 5000]), ("d", [16, 64, 256]), ("widths", [(64, 64, 64), (256, 256, 256),
                                                                                     (1024, 1024, 1024)]),
                   ("seeds", [3, 5, 10]), ("training", ["standard", "pgd"])],
    "lazy": [("width", [128, 400, 800, 1600, 3200]), ("size", [14, 28]), ("n_train", [500, 800, 2000]),
             ("seeds", [2, 3, 5])],
    "neurotron": [("n", [100, 1000, 10000]), ("k", [10, 50, 100]), ("r", [25, 100]), ("seeds", [3, 5, 10]),
                  ("iterations", [2000, 4000, 8000, 16000])],
    "regularization": [("resolution", [40, 60, 80, 120]), ("lam_values", [15, 30, 60]),
                       ("attack_steps", [50, 100, 200])],
}

PROBE = r"""
import dataclasses, importlib.util, json, sys, time
from poisoncourse import registry, _course
from poisoncourse.core.errors import ConfigError
import marimo

name, grow = sys.argv[1], json.loads(sys.argv[2])
lesson = registry.lesson(name)
spec = importlib.util.spec_from_file_location("page", _course.apps_dir() / lesson.app)
page = importlib.util.module_from_spec(spec); spec.loader.exec_module(page); page.app.run()
module = sys.modules[lesson.run.__module__]
budget = getattr(module, "LIVE_MAX_SECONDS", 20.0)
config = lesson.config.live() if hasattr(lesson.config, "live") else lesson.config()

def allowed(c):
    try:
        return lesson.estimated_seconds is None or lesson.estimated_seconds(c) <= budget
    except ConfigError:
        return False

for field, values in grow:
    for value in values:
        try:
            candidate = dataclasses.replace(config, **{field: tuple(value) if isinstance(value, list) else value})
        except (ConfigError, TypeError, ValueError):
            continue
        if allowed(candidate):
            config = candidate
start = time.perf_counter()
lesson.run(config)
seconds = time.perf_counter() - start
status = dict(line.split(":", 1) for line in open("/proc/self/status") if line.startswith(("VmHWM", "VmRSS")))
print(json.dumps({"lesson": name, "peak_mib": int(status["VmHWM"].split()[0]) / 1024,
                  "rss_mib": int(status["VmRSS"].split()[0]) / 1024, "run_s": round(seconds, 1),
                  "estimate_s": round(lesson.estimated_seconds(config), 1) if lesson.estimated_seconds else None,
                  "config": {f: repr(getattr(config, f)) for f, _ in grow}}))
"""


def measure(name: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, name, json.dumps(GROW[name])], capture_output=True,
                          text=True, timeout=1800,
                          env={**os.environ, "POISONCOURSE_DEVICE": "cpu", "OMP_NUM_THREADS": "1"})
    if proc.returncode != 0:
        return {"lesson": name, "error": (proc.stderr.strip().splitlines() or ["no message"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=list(GROW))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    found = []
    for name in args.lessons:
        found.append(measure(name))
        print(json.dumps(found[-1]), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"when": time.strftime("%Y-%m-%d %H:%M"), "runs": found}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
