"""The `poisoncourse` launcher: what it imports, what it prints, and what the servers it starts show.

`poisoncourse serve` only starts marimo and waits for it, so it must not hold torch (≈ 0.5 GB) beside the
marimo process that runs the lessons: the import checks run in a fresh interpreter, where nothing else
has imported torch. Then real servers, started as a teacher starts them: the serve banner, and
`poisoncourse edit`, whose editor must run the lesson on open (marimo's `runtime.auto_instantiate`).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from poisoncourse import registry
from poisoncourse.tools import serve

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "pandas", "poisoncourse.registry", "poisoncourse.tools.course")


def _imported_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return eval(proc.stdout.strip().splitlines()[-1])  # noqa: S307 — our own probe's list


def test_importing_the_command_line_imports_neither_torch_nor_the_lessons():
    assert _imported_after("import poisoncourse.tools.cli") == []


def test_serve_starts_marimo_without_importing_torch_or_the_lessons():
    """The whole start path, argument parsing to the marimo command, with marimo itself left out."""
    code = ("from poisoncourse.tools import cli, serve\n"
            "serve.run_marimo = lambda cmd, stdin_text=None, env=None: 0\n"
            "assert cli.main(['serve', '--port', '2799']) == 0\n"
            "assert cli.main(['serve', '--host', '0.0.0.0', '--password-file', __file__]) == 0")
    assert _imported_after(code.replace("__file__", repr(str(Path(serve.__file__))))) == []


def test_lessons_lists_each_paper_without_nested_quotation_marks(capsys):
    assert serve.lessons_main([]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(registry.LESSONS)
    for n, (line, lesson) in enumerate(zip(lines, registry.LESSONS), 1):
        p = lesson.paper
        assert line == f"{n}. {lesson.title} — after {p.authors}: {p.title}, {p.venue}"
        # The only quotation marks are those inside a title (Lesson 4's quotes another paper's).
        assert line.count("“") == p.title.count("“") and line.count("”") == p.title.count("”")


def test_edit_asks_marimo_to_run_the_lesson_on_open(monkeypatch):
    runs = []
    monkeypatch.setattr(serve, "run_marimo", lambda cmd, stdin_text=None, env=None: runs.append((cmd, env)) or 0)
    monkeypatch.chdir(ROOT)
    assert serve.edit_main(["3"]) == 0
    ((cmd, env),) = runs
    assert env[serve.AUTO_INSTANTIATE_ENV] == "true"
    assert cmd[cmd.index("edit") + 1] == str(ROOT / "apps" / "lesson3_neurotron.py")


def test_marimo_still_reads_the_auto_instantiate_variable(monkeypatch):
    """The variable is marimo's (0.25), not a documented setting: this fails if a marimo update drops it."""
    from marimo._config.manager import get_default_config_manager

    monkeypatch.setenv(serve.AUTO_INSTANTIATE_ENV, "true")
    config = get_default_config_manager(current_path=str(ROOT / "apps" / "lesson3_neurotron.py")).get_config()
    assert config["runtime"]["auto_instantiate"] is True


# --- real servers -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30):
                return
        except urllib.error.HTTPError:
            return  # it answers (a login page, a redirect): it is up
        except OSError:
            assert proc.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, f"{url} did not answer"
            time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_the_serve_banner_says_what_this_server_is(tmp_path):
    port = _free_port()
    script = Path(sys.executable).parent / "poisoncourse"
    proc = subprocess.Popen([str(script), "serve", "--port", str(port)], cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for(f"http://127.0.0.1:{port}/", proc, time.monotonic() + 120)
    finally:
        out = _stop(proc)
    assert f"Serving the course, read-only, at http://127.0.0.1:{port}/" in out
    assert "Create or edit notebooks" not in out, out
    assert "ignored for security reasons" not in out, out  # no header marimo refuses to read


@pytest.mark.e2e  # a real editor server and browser
def test_edit_opens_the_lesson_with_its_results_drawn(tmp_path):
    """A real browser on `poisoncourse edit 3`: the lesson's charts appear without pressing "Run all"."""
    sync_api = pytest.importorskip("playwright.sync_api")
    port = _free_port()
    script = Path(sys.executable).parent / "poisoncourse"
    proc = subprocess.Popen([str(script), "edit", "3", "--port", str(port)], cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "POISONCOURSE_DEVICE": "cpu"})
    try:
        _wait_for(f"http://127.0.0.1:{port}/", proc, time.monotonic() + 120)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page(viewport={"width": 1300, "height": 900})
                # The editor's address carries its token; read it from marimo's own page (its login redirect).
                page.goto(f"http://127.0.0.1:{port}/?access_token={_token(proc)}")
                page.locator(".vega-embed").first.wait_for(timeout=300_000)
                assert page.locator(".vega-embed").count() >= 1
            finally:
                browser.close()
    finally:
        _stop(proc)


def _token(proc: subprocess.Popen) -> str:
    """The access token marimo's editor prints in its banner (read line by line until it appears)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"access_token=([A-Za-z0-9_-]+)", line)
        if found:
            return found.group(1)
    raise AssertionError("the editor printed no address")


@pytest.mark.parametrize("command", [["serve", "--port", "2799"], ["edit", "3"]])
def test_the_course_servers_train_on_one_thread_unless_told_otherwise(monkeypatch, command):
    """One training thread per computation (tools/serve.py: torch's threads wait for each other at every
    step, and a browser on the same cores deschedules one); a value the teacher set is kept."""
    runs = []
    monkeypatch.setattr(serve, "run_marimo", lambda cmd, stdin_text=None, env=None: runs.append(env) or 0)
    monkeypatch.chdir(ROOT)
    main = {"serve": serve.serve_main, "edit": serve.edit_main}[command[0]]
    monkeypatch.delenv(serve.THREADS_ENV, raising=False)
    assert main(command[1:]) == 0
    monkeypatch.setenv(serve.THREADS_ENV, "8")
    assert main(command[1:]) == 0
    assert [env[serve.THREADS_ENV] for env in runs] == ["1", "8"]
