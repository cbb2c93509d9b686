"""Produce the precomputed reference tables shipped under data/reference/.

    poisoncourse sweep neurotron            # the paper's Table 1 runs, 40,000 iterations
    poisoncourse sweep neurotron --quick    # a small smoke version, not saved by default
    poisoncourse sweep regularization       # paper 002 Fig. 2 on MNIST 0 vs 8 (~15 min)
    poisoncourse sweep width --scale cpu    # a lesson's own options, as it declares them

A sweep keeps each configuration's rows as it finishes (``<out>/.parts/<table>/``), so an
interrupted sweep — a closed laptop, a killed job, a long protocol run made in sittings
— resumes where it stopped when the same command is run again; ``--fresh`` starts over. A part
is reused only for the same configuration, lesson version and package version; the parts are
deleted once the table is saved.

Each lesson declares its reference tables (:class:`poisoncourse.lesson.ReferenceTable`: how to
make one, what options it takes) in :mod:`poisoncourse.registry`; this command runs them and
saves the result with :mod:`poisoncourse.core.reference`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

from .. import __version__, registry
from ..core.errors import CourseError
from ..lesson import ReferenceTable
from ..core import reference


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
    p.add_argument("--fresh", action="store_true", help="ignore the parts an interrupted run of this sweep kept")
    for name, text in declared_options().items():
        p.add_argument(f"--{name}", default=None, help=text)
    return p


def part_key(table: ReferenceTable, config) -> str:
    """What a kept part must match to be reused: the configuration, the lesson's reference
    version and the package's version."""
    what = {"version": table.version, "package": __version__, "settings": table.settings([config])}
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_resumable(table: ReferenceTable, configs: list, parts: Path, progress) -> pd.DataFrame:
    """``table.table(configs)``, one configuration at a time, each one's rows kept under `parts`
    as soon as it finishes; a configuration whose part is already there is not run again."""
    parts.mkdir(parents=True, exist_ok=True)
    frames = []
    for i, config in enumerate(configs):
        path = parts / f"{i:04d}-{part_key(table, config)}.pkl"
        if path.exists():
            print(f"  {table.label(config)}    kept from an interrupted run", flush=True)
            frames.append(pd.read_pickle(path))
            continue
        frame = table.table([config], progress=progress)
        tmp = path.with_suffix(".tmp")
        frame.to_pickle(tmp)
        tmp.replace(path)  # a part is whole or absent, never half written
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def sweep(table: ReferenceTable, options: dict[str, str], *, seeds: int | None, quick: bool, out: Path | None,
          fresh: bool = False) -> None:
    """Run one reference table's configurations and save it (a --quick run only when --out is given)."""
    table.check(options)
    configs = list(table.configs(seeds=table.seeds if seeds is None else seeds, quick=quick, **options))
    start = time.perf_counter()

    def progress(config, result):
        print(f"  {table.label(config)} {result.seconds:7.1f} s on {result.device}", flush=True)

    name = table.file_name(options)
    if quick and out is None:
        frame = table.table(configs, progress=progress)
        print(f"quick run: {len(frame)} rows in {time.perf_counter() - start:.1f} s (not saved)")
        return
    parts = (out or reference.reference_dir()) / ".parts" / (name + ("_quick" if quick else ""))
    if fresh:
        shutil.rmtree(parts, ignore_errors=True)
    frame = run_resumable(table, configs, parts, progress)
    path = reference.save(name, frame, lesson_version=table.version, command=table.command_for(options),
                          settings=table.settings(configs), folder=out)
    shutil.rmtree(parts, ignore_errors=True)
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
            sweep(table, given, seeds=args.seeds, quick=args.quick, out=args.out, fresh=args.fresh)
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
