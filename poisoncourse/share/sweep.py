"""Produce the precomputed reference tables shipped under data/reference/.

    poisoncourse sweep neurotron            # the paper's Table 1 runs, 40,000 iterations
    poisoncourse sweep neurotron --quick    # a small smoke version, not saved by default
    poisoncourse sweep regularization       # paper 002 Fig. 2 on MNIST 0 vs 8 (~15 min)

Each lesson module provides ``reference_configs``, ``reference_table`` and the constants
REFERENCE_NAME / REFERENCE_VERSION / REFERENCE_COMMAND; this command runs them and saves the
result with :mod:`poisoncourse.reference`.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import sys
import time
from pathlib import Path

from ..core.errors import CourseError
from . import reference

LESSONS = {"width": "poisoncourse.width.experiment", "regularization": "poisoncourse.regularization.experiment",
           "neurotron": "poisoncourse.neurotron.experiment", "labelnoise": "poisoncourse.labelnoise.experiment",
           "lazy": "poisoncourse.lazy.experiment"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="poisoncourse sweep", description=__doc__.splitlines()[0])
    parser.add_argument("lesson", choices=sorted(LESSONS))
    parser.add_argument("--seeds", type=int, default=None, help="seeds per setting (default: the lesson's)")
    parser.add_argument("--quick", action="store_true", help="a few iterations only, to check the pipeline")
    parser.add_argument("--out", type=Path, default=None, help="folder to write to (default: data/reference)")
    parser.add_argument("--scale", default=None, help="a lesson's named sweep size, e.g. 'cpu' or 'gpu' (width)")
    parser.add_argument("--victim", default=None, help="the victim network, e.g. 'cnn' (width; saved as its own table)")
    args = parser.parse_args(argv)
    module = importlib.import_module(LESSONS[args.lesson])
    kwargs = {}
    if args.seeds is not None:
        kwargs["seeds"] = args.seeds
    accepted = inspect.signature(module.reference_configs).parameters
    if args.quick:
        # A lesson whose reference_configs takes ``quick`` shrinks itself; others are cut in iterations.
        if "quick" in accepted:
            kwargs["quick"] = True
        else:
            kwargs["iterations"] = getattr(module, "QUICK_ITERATIONS", 200)
    if args.scale is not None:
        if "scale" not in accepted:
            print(f"error: the {args.lesson} sweep has no --scale option", file=sys.stderr)
            return 2
        kwargs["scale"] = args.scale
    if args.victim is not None:
        if "victim" not in accepted:
            print(f"error: the {args.lesson} sweep has no --victim option", file=sys.stderr)
            return 2
        kwargs["victim"] = args.victim
    try:
        configs = list(module.reference_configs(**kwargs))
        start = time.perf_counter()

        def progress(config, result):
            print(f"  {module.reference_label(config)} {result.seconds:7.1f} s on {result.device}", flush=True)

        table = module.reference_table(configs, progress=progress)
        if args.quick and args.out is None:
            print(f"quick run: {len(table)} rows in {time.perf_counter() - start:.1f} s (not saved)")
            return 0
        if hasattr(module, "reference_settings"):
            settings = module.reference_settings(configs)
        else:
            settings = {"configs": [dataclasses.asdict(c) for c in configs]}
        name = module.reference_name(**kwargs) if hasattr(module, "reference_name") else module.REFERENCE_NAME
        path = reference.save(name, table, lesson_version=module.REFERENCE_VERSION,
                              command=module.REFERENCE_COMMAND, settings=settings, folder=args.out)
        print(f"wrote {path} ({len(table)} rows) in {time.perf_counter() - start:.1f} s")
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
