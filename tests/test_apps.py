"""Every lesson runs as a script and passes `marimo check`. (Notebook export and nbval:
tests/test_export.py, on the notebooks `poisoncourse export --notebooks` writes.)"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted((ROOT / "apps").glob("lesson*.py"))
BIN = Path(sys.executable).parent


def run(args, **kw):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, **kw)


def test_there_is_a_lesson():
    assert APPS


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.stem)
def test_lesson_runs_headless_without_error(app):
    proc = run([sys.executable, str(app)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


def test_marimo_check_passes_on_apps():
    proc = run([str(BIN / "marimo"), "check", "apps/"])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
