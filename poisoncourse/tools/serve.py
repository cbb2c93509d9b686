"""`poisoncourse serve`, `poisoncourse lessons` and `poisoncourse edit`: the installed course, live.

    poisoncourse serve                        # http://127.0.0.1:2718/, this machine only
    poisoncourse serve --host 0.0.0.0 --password-file pw.txt   # a network: every browser needs the password
    poisoncourse serve --warm                 # compute every lesson's defaults at start (a workshop room)
    poisoncourse lessons                      # the lessons, one a line, with their papers
    poisoncourse edit 3                       # lesson 3 in marimo's editor

The password never goes on a command line (where the process list shows it): it comes from the
PASSWORD environment variable, a file or stdin, and reaches marimo on its stdin
(``--token --token-password-file -``), as ``make serve`` has always done.

This process only launches marimo and waits for it, so ``serve`` imports neither torch nor the lessons
(tests/tools/test_launcher.py holds that): the lessons live in marimo's process, and a launcher holding its own
torch would double every server's memory (≈ 0.5 GB). ``lessons`` and ``edit`` read the course map, which does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from .. import _course
from ..core.errors import CourseError
from . import front

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORT = 2718


# marimo 0.25 reads runtime.auto_instantiate for an editor from the user's config, a pyproject.toml or this
# variable (a notebook's own header may not set it); the variable reaches only the editor we start, and
# writes nothing into the student's folder. tests/tools/test_launcher.py checks that marimo still reads it.
AUTO_INSTANTIATE_ENV = "_MARIMO_CONFIG_OVERLOAD_RUNTIME_AUTO_INSTANTIATE"


# One training thread per computation in the course's servers. A lesson's run is thousands of small tensor
# operations; torch splits each between its threads, which wait for one another at every step. With a
# browser drawing the live chart's frames on the same cores (a student's own laptop) or other students'
# runs (a room's server), one thread is often descheduled and every step waits for it. Measured through
# headless chromium, browser and server on one 2-core CPU (BENCHMARKS.md, 2026-12-06 evening): Train →
# page redrawn, Lesson 3 7.0–9.6 s with torch's 2 threads against 1.8–2.1 s with one, Lesson 1 5.7–6.1 s
# against 4.8–5.0 s, Lesson 4 2.9–3.1 s against 2.8–2.9 s. A machine that serves one student whose
# browser is elsewhere can set OMP_NUM_THREADS itself: a value already set is kept.
THREADS_ENV = "OMP_NUM_THREADS"
SERVER_THREADS = "1"


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a marimo process that serves lessons: this one's, `extra`, one training thread."""
    env = {**os.environ, **extra}
    env.setdefault(THREADS_ENV, SERVER_THREADS)
    return env


def marimo_command(*args: str, warm: bool = False) -> list[str]:
    # The marimo of this interpreter, whatever PATH says: the one installed beside poisoncourse.
    # Warm: the same command line, in a process that first fills the shared memo (tools/warm.py) —
    # the memo must live in the server's process, where every student's session runs.
    return [sys.executable, "-m", "poisoncourse.tools.warm" if warm else "marimo", *args]


def banner(host: str, port: int, password: bool) -> str:
    """What the terminal shows instead of marimo's own banner (whose "Create or edit notebooks" does not
    fit a read-only course): where students go, and how to stop it."""
    lines = [f"Serving the course, read-only, at http://{host}:{port}/  (Ctrl+C stops it)"]
    if host in ("0.0.0.0", "::"):
        lines.append(f"Students open http://<this machine's address>:{port}/ and enter the password.")
    elif password:
        lines.append("Only this machine can connect; the browser asks for the password.")
    return "\n".join(lines)


def password(args: argparse.Namespace) -> str:
    if args.password_file:
        try:
            return Path(args.password_file).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise CourseError(f"The password file {args.password_file} cannot be read ({err.strerror}).") from None
    if args.password_stdin:
        return sys.stdin.readline().strip()
    return os.environ.get("PASSWORD", "")


def run_marimo(cmd: list[str], stdin_text: str | None = None, env: dict[str, str] | None = None) -> int:
    """Run marimo until it stops; Ctrl+C or a SIGTERM sent to this process stops it too."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_text is not None else None, env=env)
    if stdin_text is not None:
        proc.stdin.write(stdin_text.encode())
        proc.stdin.close()

    def forward(signum, _frame):
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:  # the terminal sent SIGINT to marimo as well; wait for it to finish
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="poisoncourse serve", description="Serve the course with marimo run.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--password-file", help="read the password from this file (else $PASSWORD)")
    secret.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    parser.add_argument("--warm", action="store_true",
                        help="compute every lesson's default results at start, so the first students get them at once")
    args, extra = parser.parse_known_args(argv)  # anything else goes to marimo run, as make's SERVE_FLAGS
    try:
        secret_text = password(args)
        apps = _course.apps_dir()
    except CourseError as err:
        print(f"poisoncourse serve: {err}", file=sys.stderr)
        return 1
    if args.host not in LOCAL_HOSTS and not secret_text:
        print(f"Serving on {args.host} exposes the course to a network: set a password, e.g. "
              f"PASSWORD=choose-one poisoncourse serve --host {args.host}", file=sys.stderr)
        return 1
    auth = ["--token", "--token-password-file", "-"] if secret_text else []
    print(banner(args.host, args.port, bool(secret_text)), flush=True)
    # The course's front page instead of marimo's bare gallery at the root (tools/front.py): only this
    # server asks for it, so `poisoncourse edit` and other marimo servers keep marimo's pages.
    env = server_env(**{front.ENV: "1"})
    # `-q`: marimo's banner says "Create or edit notebooks" (and its own URL); ours above says what this is.
    return run_marimo(marimo_command("-q", "run", str(apps), "--host", args.host, "--port", str(args.port),
                                     "--headless", *auth, *extra, warm=args.warm),
                      secret_text if secret_text else None, env=env)


def lessons_main(argv=None) -> int:
    argparse.ArgumentParser(prog="poisoncourse lessons", description="List the lessons.").parse_args(argv)
    from . import course

    try:
        found = course.lessons()
    except CourseError as err:
        print(f"poisoncourse lessons: {err}", file=sys.stderr)
        return 1
    for n, lesson in enumerate(found, 1):
        p = lesson.paper
        # No quotation marks around the title: some titles quote another paper's.
        paper = f" — after {p.authors}: {p.title}, {p.venue}" if p else ""
        print(f"{n}. {lesson.title}{paper}")
    return 0


def edit_main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="poisoncourse edit", description="Open a lesson in marimo's editor.")
    parser.add_argument("lesson", type=int, help="the lesson's number, as `poisoncourse lessons` shows it")
    parser.add_argument("--port", type=int, default=None, help="port (default: marimo's choice)")
    args = parser.parse_args(argv)
    from . import course

    try:
        found = course.lessons()
    except CourseError as err:
        print(f"poisoncourse edit: {err}", file=sys.stderr)
        return 1
    if not 1 <= args.lesson <= len(found):
        print(f"poisoncourse edit: there is no lesson {args.lesson}; choose 1 to {len(found)} "
              f"(`poisoncourse lessons` lists them).", file=sys.stderr)
        return 1
    path = found[args.lesson - 1].path
    if not _course.is_checkout():
        # An installed lesson lives in site-packages, which a reinstall replaces (and may be read-only):
        # edit a copy in the current folder instead, kept if it already exists.
        copy = Path.cwd() / path.name
        if not copy.exists():
            shutil.copyfile(path, copy)
            print(f"Copied the lesson to {copy}; your edits stay there.")
        path = copy
    port = ["--port", str(args.port)] if args.port else []
    # The lesson opens with its results drawn, as the live course shows it: marimo's editor runs no cell on
    # open unless told to.
    env = server_env(**{AUTO_INSTANTIATE_ENV: "true"})
    return run_marimo(marimo_command("edit", str(path), "--host", "127.0.0.1", *port), env=env)
