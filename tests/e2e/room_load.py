"""How many students one machine carries: a measurement, not a test (pytest does not collect it).

    .venv/bin/python tests/e2e/room_load.py --students 8 --rounds 3 [--lesson lesson3_neurotron.py] [--hub]

Starts the course the way a room would use it — `marimo run` as `make serve` does (every student a
thread of one server process), or with ``--hub`` JupyterHub from deploy/jupyterhub_config.py (every
student a process of their own, logged in through the hub) — opens ``--students`` browser sessions
of one lesson, lets every student press Train ``--rounds`` times as fast as the server answers (all
at once, the worst case of a room), and reports how long each retrain took from click to redrawn
chart, how many retrains per minute the machine delivered, and the memory the server(s) held. From
that rate, a room in which each student retrains about once every 30 s fits rate × 0.5 students.
``--json FILE`` adds the figures to FILE (a list of runs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout: tests.e2e is a package

from tests.e2e import test_browser as tb  # noqa: E402  (the browser helpers of the browser tests)

OPEN_SECONDS = 600  # a room opening a heavy lesson at once, on a loaded machine


def press_train_together(pages, rounds: int) -> tuple[list[float], list[float]]:
    """(click-to-redraw seconds of every retrain, seconds of every round)."""
    latencies, durations = [], []
    for _ in range(rounds):
        # Every student presses Train at the same moment (the worst case of a room).
        # Done when a page was seen computing and is idle again (cheap), or — in case the
        # run was too quick to be seen — its chart's pixels changed (checked every 2 s:
        # screenshots of many pages would load this machine more than the server does).
        before = [tb.chart_hash(pg) for pg in pages]
        start = time.perf_counter()
        for pg in pages:
            form = tb.controls(pg)
            tb.step_slider(form.get_by_role("slider").first, "ArrowRight")
            tb.train_button(pg).click()
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
        durations.append(time.perf_counter() - start)
    return latencies, durations


def rss_mib(pids) -> float:
    """Resident memory of these processes, in MiB (each counted once)."""
    total = 0
    for pid in set(pids):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def with_marimo_run(args, browser) -> dict:
    url, proc = tb.start_server()
    try:
        opened = time.perf_counter()
        pages = []
        for _ in range(args.students):  # all open before any must be idle: a loaded machine is slow to settle
            pages.append(tb.new_page(browser))
            pages[-1].goto(f"{url}/?file={args.lesson}&predict=off")
            tb.first_chart(pages[-1]).wait_for(timeout=OPEN_SECONDS * 1000)
        for page in pages:
            tb.wait_idle(page, timeout=OPEN_SECONDS)
        opening = time.perf_counter() - opened
        latencies, rounds = press_train_together(pages, args.rounds)
        total = tb.rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return {"latencies": latencies, "rounds": rounds, "open_all_s": opening, "server_mib": total,
            "per_student_mib": total / args.students}


def with_hub(args, browser) -> dict:
    from tests.e2e import test_hub as th  # only here: it needs jupyterhub

    names = [f"student{k:02d}" for k in range(1, args.students + 1)]
    # Each student's server holds ≈ 1 GiB (measured): refuse a room this machine cannot hold, rather
    # than let the kernel kill processes, ours or anyone's.
    free = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemAvailable"))
               .split()[1]) / 2**20
    if free < 1.0 * args.students + 2:
        raise SystemExit(f"{args.students} students need about {args.students + 2:.0f} GiB here "
                         f"(1 per server, 2 for the browser); {free:.0f} GiB are available.")
    with tempfile.TemporaryDirectory(prefix="room-hub-") as state:
        hub = th.start_hub(Path(state), names)
        try:
            opened = time.perf_counter()
            pages = [th.log_in(browser, hub, name, hub.password, wait=False) for name in names]  # all at once
            for name, page in zip(names, pages):
                th.landed(page, name)
            logged_in = time.perf_counter() - opened
            for name, page in zip(names, pages):
                page.goto(f"{hub.url}/user/{name}/poisoncourse/?file={args.lesson}&predict=off")
                tb.first_chart(page).wait_for(timeout=OPEN_SECONDS * 1000)
            for page in pages:
                tb.wait_idle(page, timeout=OPEN_SECONDS)
            opening = time.perf_counter() - opened
            latencies, rounds = press_train_together(pages, args.rounds)
            servers = th.student_servers(hub)
            per_student = [rss_mib([s["pid"], s["marimo_pid"]]) for s in servers.values()]
            others = [p for p in th.descendants(hub.proc.pid)
                      if p not in {q for s in servers.values() for q in (s["pid"], *th.descendants(s["pid"]))}]
            hub_mib = rss_mib([hub.proc.pid, *others])
        finally:
            th.stop_hub(hub)
    return {"latencies": latencies, "rounds": rounds, "login_all_s": logged_in, "open_all_s": opening,
            "server_mib": hub_mib + sum(per_student), "hub_and_proxy_mib": hub_mib,
            "per_student_mib": statistics.mean(per_student), "processes": len(servers)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lesson", default="lesson3_neurotron.py")
    parser.add_argument("--hub", action="store_true", help="one process per student, through JupyterHub")
    parser.add_argument("--json", type=Path, default=None, help="add the figures to this file")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]  # the machine's load before we start: others may share its cores
    with tb.playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=tb.CHROMIUM, args=tb.ARGS)
        try:
            found = (with_hub if args.hub else with_marimo_run)(args, browser)
        finally:
            browser.close()
    latencies, rounds = found.pop("latencies"), found.pop("rounds")
    if len(latencies) < args.students * args.rounds:
        print(f"Only {len(latencies)} of {args.students * args.rounds} retrains redrew within 10 minutes.")
        return 1
    rate = args.students * len(rounds) / sum(rounds) * 60
    how = "JupyterHub, a process per student" if args.hub else "marimo run, a thread per student"
    print(f"{how}: {args.students} students pressing Train together, {args.rounds} rounds of {args.lesson}: each "
          f"round took {statistics.median(rounds):.1f} s (median) = {rate:.0f} retrains per minute; click-to-redraw "
          f"median {statistics.median(latencies):.1f} s, worst {max(latencies):.1f} s. "
          f"At one retrain per student every 30 s: about {rate / 2:.0f} students. Memory: "
          f"{found['server_mib']:.0f} MiB in all, {found['per_student_mib']:.0f} MiB per student.")
    if args.json:
        runs = json.loads(args.json.read_text()) if args.json.exists() else []
        runs.append({"mode": "hub" if args.hub else "marimo run", "students": args.students, "rounds": args.rounds,
                     "lesson": args.lesson, "retrains_per_minute": round(rate, 1),
                     "median_wait_s": round(statistics.median(latencies), 2), "worst_wait_s": round(max(latencies), 2),
                     **{k: round(v, 1) if isinstance(v, float) else v for k, v in found.items()},
                     "when": time.strftime("%Y-%m-%d %H:%M"), "load_before": round(load, 1)})
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
