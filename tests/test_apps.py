"""Every lesson runs as a script, passes `marimo check`, and exports to a Jupyter notebook
that nbval can re-run without errors."""

import subprocess
import sys
from pathlib import Path

import nbformat
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


def number_code_cells(path: Path) -> None:
    """marimo leaves execution counts empty, which nbval reads as 'unrun cell with
    outputs'; number them in order as a Jupyter run would have."""
    nb = nbformat.read(path, as_version=4)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    nbformat.write(nb, path)


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.stem)
def test_exported_notebook_passes_nbval(app, tmp_path):
    notebook = tmp_path / f"{app.stem}.ipynb"
    proc = run([str(BIN / "marimo"), "export", "ipynb", str(app), "-o", str(notebook), "--include-outputs"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    # A shared notebook must not leak where or by whom it was made.
    text = notebook.read_text()
    for leak in {str(ROOT), str(Path.home()), sys.prefix}:
        assert leak not in text, f"the exported notebook contains the local path {leak!r}"
    number_code_cells(notebook)
    proc = run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", str(notebook),
                "--rootdir", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout[-5000:]
