"""Benchmark each lesson's default live computation against a straightforward loop.

    poisoncourse bench            # a table
    poisoncourse bench --json     # a JSON list of records
    poisoncourse bench --quick    # tiny sizes: checks the pipeline, not the speed

The cases are those each lesson declares (:mod:`poisoncourse.registry`): its batched computation
against its loop twin. Each record: {"lesson", "case", "device", "seconds", "baseline_seconds",
"speedup"} where ``seconds`` is the median over repeats of the batched computation and
``baseline_seconds`` the same result computed one configuration at a time, in the same process.
Timings on shared machines are noisy: read the speed-up (a ratio measured in one run), not the
seconds alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable

import torch

from .. import registry
from ..core.device import describe, pick_device, synchronize
from ..lesson import Case


def matmul_flops(device: torch.device, size: int = 1024, repeats: int = 10) -> float:
    """The device's measured float32 matrix-multiply rate (FLOP/s): the physical limit a batched
    computation is compared against. Median of ``repeats`` timed (size × size) products."""
    g = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=g).to(device)
    b = torch.randn(size, size, generator=g).to(device)
    a @ b  # warm-up
    seconds = _median_seconds(lambda: a @ b, repeats, device)
    return 2.0 * size**3 / seconds


def _median_seconds(fn: Callable[[], object], repeats: int, device: torch.device) -> float:
    times = []
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(case: Case, device: torch.device, repeats: int = 5, baseline_repeats: int = 1) -> dict:
    case.run()  # warm-up: first-call costs (allocations, kernel loading) are not the lesson's
    seconds = _median_seconds(case.run, repeats, device)
    base = _median_seconds(case.baseline, baseline_repeats, device) * case.baseline_scale if case.baseline else None
    record = {
        "lesson": case.lesson,
        "case": case.case,
        "device": describe(device),
        "seconds": round(seconds, 4),
        "baseline_seconds": None if base is None else round(base, 4),
        "speedup": None if base is None else round(base / seconds, 1),
    }
    if case.flops is not None:  # achieved rate against the device's own matmul rate, measured now
        peak = matmul_flops(device)
        record["gflops"] = round(case.flops / seconds / 1e9, 2)
        record["matmul_gflops"] = round(peak / 1e9, 2)
        record["fraction_of_matmul"] = round(case.flops / seconds / peak, 3)
    return record


def all_cases(quick: bool = False, lesson: str | None = None) -> list[Case]:
    """Every registered lesson's benchmark cases (or one lesson's), in course order."""
    lessons = registry.LESSONS if lesson is None else (registry.lesson(lesson),)
    return [case for x in lessons for case in x.bench_cases(quick)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="poisoncourse bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print a JSON list of records")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the pipeline")
    parser.add_argument("--lesson", default=None, choices=registry.names(), help="only this lesson (e.g. neurotron)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default=None, help="auto, cpu or cuda (default: $POISONCOURSE_DEVICE or auto)")
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    import os

    os.environ["POISONCOURSE_DEVICE"] = str(device)  # the lessons' own runs use it too
    records = [measure(c, device, repeats=1 if args.quick else args.repeats) for c in all_cases(args.quick, args.lesson)]
    if args.json:
        json.dump(records, sys.stdout, indent=2)
        print()
        return 0
    head = f"{'lesson':12s} {'case':58s} {'seconds':>9s} {'baseline':>9s} {'speedup':>8s}  device"
    print(head)
    print("-" * len(head))
    for r in records:
        base = "—" if r["baseline_seconds"] is None else f"{r['baseline_seconds']:.3f}"
        speed = "—" if r["speedup"] is None else f"{r['speedup']:.1f}×"
        rate = f"  {r['gflops']:.1f} GFLOP/s = {100 * r['fraction_of_matmul']:.0f} % of matmul" if "gflops" in r else ""
        print(f"{r['lesson']:12s} {r['case']:58s} {r['seconds']:9.3f} {base:>9s} {speed:>8s}  {r['device']}{rate}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
