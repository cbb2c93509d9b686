"""The `poisoncourse` command: one entry point for the course's tools.

    poisoncourse sweep neurotron     # remake a shipped reference table (poisoncourse sweep)
    poisoncourse bench [--json]      # benchmark the lessons (poisoncourse bench)
    poisoncourse export [--out site] [--notebooks]   # static pages (and notebooks) of every lesson
    poisoncourse serve [--host H --port P --password-file F | --password-stdin] [--warm]   # the course, live
    poisoncourse lessons             # the lessons, with their papers
    poisoncourse edit N              # lesson N in marimo's editor
    poisoncourse --version
"""

from __future__ import annotations

import sys

from . import serve  # the launcher's own module: argparse, subprocess and the front page's switch, no torch


# sweep, bench and export go over the lessons (and torch): imported only when one of them runs, so that
# `poisoncourse serve` starts marimo without holding ≈ 0.5 GB of its own beside it (tests/tools/test_launcher.py).
def sweep_main(argv) -> int:
    from .sweep import main as run

    return run(argv)


def bench_main(argv) -> int:
    from .bench import main as run

    return run(argv)


def export_main(argv) -> int:
    from .export import main as run

    return run(argv)


COMMANDS = {"sweep": sweep_main, "bench": bench_main, "export": export_main,
            "serve": serve.serve_main, "lessons": serve.lessons_main, "edit": serve.edit_main}


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] in (["--version"], ["-V"]):
        from .. import __version__

        print(f"poisoncourse {__version__}")
        return 0
    if not args or args[0] not in COMMANDS:
        print(__doc__.strip())
        return 0 if args[:1] in ([], ["-h"], ["--help"]) else 2
    return COMMANDS[args[0]](args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
