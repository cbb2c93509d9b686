"""Produce the precomputed reference tables shipped under data/reference/.

    poisoncourse sweep neurotron            # the paper's Table 1 runs, 40,000 iterations
    poisoncourse sweep neurotron --quick    # a small smoke version, not saved by default
    poisoncourse sweep regularization       # paper 002 Fig. 2 on MNIST 0 vs 8 (~15 min)
    poisoncourse sweep width --scale cpu    # a lesson's own options, as it declares them

Each lesson declares its reference tables (:class:`poisoncourse.lesson.ReferenceTable`: how to
make one, what options it takes) in :mod:`poisoncourse.registry`; this command runs them and
saves the result with :mod:`poisoncourse.share.reference`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import registry
from ..core.errors import CourseError
from ..lesson import ReferenceTable
from . import reference


def declared_options() -> dict[str, str]:
    """Every option some lesson's sweep declares, with its help (the first lesson's wording)."""
    out: dict[str, str] = {}
    for lesson in registry.LESSONS:
        for table in lesson.references:
            for opt in table.options:
                out.setdefault(opt.name, f"{opt.help}; {', '.join(opt.choices)} ({lesson.name})")
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="poisoncourse sweep", description=__doc__.splitlines()[0])
    p.add_argument("lesson", choices=[x.name for x in registry.LESSONS if x.references])
    p.add_argument("--seeds", type=int, default=None, help="seeds per setting (default: the lesson's)")
    p.add_argument("--quick", action="store_true", help="a few iterations only, to check the pipeline")
    p.add_argument("--out", type=Path, default=None, help="folder to write to (default: data/reference)")
    for name, text in declared_options().items():
        p.add_argument(f"--{name}", default=None, help=text)
    return p


def sweep(table: ReferenceTable, options: dict[str, str], *, seeds: int | None, quick: bool, out: Path | None) -> None:
    """Run one reference table's configurations and save it (a --quick run only when --out is given)."""
    table.check(options)
    configs = list(table.configs(seeds=table.seeds if seeds is None else seeds, quick=quick, **options))
    start = time.perf_counter()

    def progress(config, result):
        print(f"  {table.label(config)} {result.seconds:7.1f} s on {result.device}", flush=True)

    frame = table.table(configs, progress=progress)
    if quick and out is None:
        print(f"quick run: {len(frame)} rows in {time.perf_counter() - start:.1f} s (not saved)")
        return
    path = reference.save(table.file_name(options), frame, lesson_version=table.version,
                          command=table.command_for(options), settings=table.settings(configs), folder=out)
    print(f"wrote {path} ({len(frame)} rows) in {time.perf_counter() - start:.1f} s")


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    lesson = registry.lesson(args.lesson)
    given = {name: getattr(args, name) for name in declared_options() if getattr(args, name) is not None}
    # An option the lesson does not declare is refused, not silently ignored.
    for name in given:
        if not any(t.option(name) for t in lesson.references):
            print(f"error: the {lesson.name} sweep has no --{name} option", file=sys.stderr)
            return 2
    try:
        for table in lesson.references:
            # An option runs only the tables that declare it (width's --victim cnn is not a budget curve).
            if not all(table.option(k) for k in given):
                continue
            sweep(table, given, seeds=args.seeds, quick=args.quick, out=args.out)
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
