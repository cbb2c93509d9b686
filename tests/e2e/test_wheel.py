"""The course as someone who is not developing it gets it: a wheel, installed, used from an empty folder.

The wheel is built offline (``pip wheel --no-deps --no-build-isolation --no-index``) from a copy of the
sources, so the checkout gets no build/ folder. It goes into a fresh virtual environment that must see
the dependencies (torch, marimo …) but not this checkout's poisoncourse, which the test's own
interpreter has (editable, or on PYTHONPATH). So the new venv has no site packages of its own except a
``deps.pth`` naming a "dependency view": a folder of symlinks to every entry of the test interpreter's
site-packages but poisoncourse's (its package, dist-info and editable finder) and the ``.pth`` files.
Folders named in a ``.pth`` file join sys.path, but the ``.pth`` files inside them are not run, so no
editable finder or PYTHONPATH can bring the checkout back; the test checks ``poisoncourse.__file__``.
``pip --python`` installs the wheel with the test interpreter's pip, with no index: nothing downloads.

Measured on the 2-core machine: ≈ 2 min in all, 83 s of it the export of the five pages.
"""

from __future__ import annotations

import os
import shutil
import signal
import site
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # a real browser, server or install: `pytest -m "not e2e"` is the fast loop

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "poisoncourse", "apps", "data")
SKIP = shutil.ignore_patterns("__pycache__", "__marimo__", "*.pyc", "*.egg-info", "*.tmp")


def _ours(name: str) -> bool:
    return name == "poisoncourse" or name.startswith(("poisoncourse-", "__editable__")) or name.endswith(
        (".pth", ".egg-link"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of the new venv, environment for its commands, an empty working folder)."""
    pytest.importorskip("setuptools", reason="building the wheel offline needs setuptools in this environment")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, src / name, **({"ignore": SKIP} if (ROOT / name).is_dir() else {}))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w",
                            str(tmp / "dist"), str(src)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (tmp / "dist").glob("poisoncourse-*.whl")

    bin_dir, environ = _fresh_venv(tmp)
    done = subprocess.run([*pip, "--python", str(bin_dir / "python"), "install", "--no-deps", "--no-index",
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    work = tmp / "empty"
    work.mkdir()
    return bin_dir, environ, work


def _fresh_venv(tmp: Path) -> tuple[Path, dict]:
    """A new venv under ``tmp`` that sees the dependencies (the view above) but no poisoncourse:
    (its bin folder, an environment for its commands)."""
    env_dir = tmp / "env"
    venv.create(env_dir, with_pip=False, symlinks=True)
    python = env_dir / "bin" / "python"
    view = tmp / "deps"
    view.mkdir()
    for packages in site.getsitepackages():
        for entry in Path(packages).iterdir():
            if not _ours(entry.name) and not (view / entry.name).exists():
                (view / entry.name).symlink_to(entry)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "deps.pth").write_text(f"{view}\n")
    environ = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "POISONCOURSE_DATA", "VIRTUAL_ENV", "PASSWORD")}
    environ["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
    return env_dir / "bin", environ


def _run(installed, *cmd, timeout=300):
    bin_dir, environ, work = installed
    exe = str(bin_dir / cmd[0]) if (bin_dir / cmd[0]).exists() else cmd[0]
    proc = subprocess.run([exe, *cmd[1:]], cwd=work, env=environ, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout[-2000:]}{proc.stderr[-3000:]}"
    return proc.stdout


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    out = _run(installed, "python", "-c", "import poisoncourse, poisoncourse._course as c; "
               "print(poisoncourse.__file__); print(c.apps_dir()); print(c.data_dir()); print(c.is_checkout())")
    package, apps, data, checkout = out.split("\n")[:4]
    env_dir = installed[0].parent
    for path in (package, apps, data):
        assert Path(path).is_relative_to(env_dir), path
        assert not Path(path).resolve().is_relative_to(ROOT.resolve()), path
    assert checkout == "False"
    assert sorted(p.name for p in Path(apps).glob("lesson*.py")) == sorted(p.name for p in ROOT.glob("apps/lesson*.py"))
    for name in ("mnist5k.npz", "README.md", "paper000_fig3.csv"):
        assert (Path(data) / name).is_file(), name
    shipped = sorted(p.name for p in (ROOT / "data" / "reference").iterdir() if p.suffix in (".csv", ".json"))
    assert sorted(p.name for p in (Path(data) / "reference").iterdir()) == shipped


def test_version_and_lessons(installed):
    from poisoncourse import __version__

    assert _run(installed, "poisoncourse", "--version").strip() == f"poisoncourse {__version__}"
    lines = _run(installed, "poisoncourse", "lessons").strip().splitlines()
    assert len(lines) == 5 and all(line.startswith(f"{n}. Lesson {n}") and "after" in line
                                   for n, line in enumerate(lines, 1)), lines


def test_a_lesson_runs_headless_from_the_install(installed):
    apps = _run(installed, "python", "-c", "from poisoncourse import _course; print(_course.apps_dir())").strip()
    _run(installed, "python", str(Path(apps) / "lesson3_neurotron.py"))


def test_export_writes_a_site(installed):
    _run(installed, "poisoncourse", "export", "--out", "site", timeout=600)
    site_dir = installed[2] / "site"
    pages = sorted(p.name for p in site_dir.glob("lesson*.html"))
    assert len(pages) == 5, pages
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert all(page in index for page in pages)
    from poisoncourse import __version__

    assert __version__ in index


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_end_to_end_notebooks_from_the_export_alone_install_the_course_and_pass_nbval(installed, tmp_path):
    """End to end (≈ 6 min on the loaded 2-core machine: one lesson exported with its notebook, then run under
    nbval elsewhere).

    README's own example, from the installed course: a relative output folder, nothing written beside the
    installed lessons. Then only the export's notebooks/ folder goes to a fresh venv that has the
    dependencies (the view above: nothing downloads) but not the course: the notebook's first cell installs
    the course from the wheel shipped beside it, and the whole notebook re-runs under nbval."""
    apps = Path(_run(installed, "python", "-c", "from poisoncourse import _course; print(_course.apps_dir())").strip())
    before = _files(apps)
    _run(installed, "poisoncourse", "export", "--out", "usb-stick/course", "--notebooks", "--lesson", "lesson3",
         timeout=900)
    assert _files(apps) == before, "the export wrote beside the installed lessons"
    exported = installed[2] / "usb-stick" / "course" / "notebooks"
    assert sorted(p.name for p in exported.iterdir()) == ["lesson3_neurotron.ipynb",
                                                          f"poisoncourse-{version()}-py3-none-any.whl"]
    notebooks = shutil.copytree(exported, tmp_path / "notebooks")
    bin_dir, environ = _fresh_venv(tmp_path)
    python = str(bin_dir / "python")
    # From the notebooks' folder: `python -c` puts its current folder on sys.path (here, not the checkout).
    assert subprocess.run([python, "-c", "import poisoncourse"], cwd=notebooks, env=environ,
                          capture_output=True).returncode != 0
    proc = subprocess.run([python, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
                           "-q", "lesson3_neurotron.ipynb"], cwd=notebooks, env=environ, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    where = subprocess.run([python, "-c", "import poisoncourse; print(poisoncourse.__file__)"], cwd=notebooks,
                           env=environ, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(tmp_path / "env")), where  # installed by the notebook, from the wheel


def version() -> str:
    from poisoncourse import __version__

    return __version__


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    return _fetch(url)[0]


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, ""


def test_serve_answers_on_localhost(installed):
    bin_dir, environ, work = installed
    port = _free_port()
    server = subprocess.Popen([str(bin_dir / "poisoncourse"), "serve", "--port", str(port)], cwd=work,
                              env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"no answer on port {port} (server exit code {server.poll()})"
        # The root is the course's front page: the wheel's entry point reached marimo (tools/front.py).
        status, front = _fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and "<h1>poisoncourse" in front and 'href="?file=lesson3_neurotron.py"' in front
        assert _get(f"http://127.0.0.1:{port}/?file=lesson3_neurotron.py") == 200
    finally:
        server.send_signal(signal.SIGTERM)  # poisoncourse serve passes it on to marimo
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    with pytest.raises(OSError):  # marimo stopped with it: nothing listens any more
        _get(f"http://127.0.0.1:{port}/")


def test_serve_refuses_a_network_without_a_password(installed):
    bin_dir, environ, work = installed
    proc = subprocess.run([str(bin_dir / "poisoncourse"), "serve", "--host", "0.0.0.0", "--port", "1"], cwd=work,
                          env=environ, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "set a password" in proc.stderr


# --- the same code in this checkout (fast) --------------------------------------------------------

def test_a_checkout_reads_and_writes_its_own_data():
    """`poisoncourse sweep` in a clone writes the tables the repository ships, not a copy in site-packages."""
    from poisoncourse import _course
    from poisoncourse.core import data
    from poisoncourse.core import reference
    from poisoncourse.tools import course

    if not _course.is_checkout():
        pytest.skip("poisoncourse is installed from a wheel here, not run from the checkout")
    assert course.apps_dir() == ROOT / "apps"
    assert data.DATA_DIR == ROOT / "data"
    assert reference.reference_dir().resolve() == (ROOT / "data" / "reference").resolve()


def test_the_version_is_on_the_course_map_and_in_every_footer(tmp_path):
    from poisoncourse import __version__
    from poisoncourse.tools import course, export

    lessons = course.lessons()
    (tmp_path / f"{lessons[0].name}.html").write_text("")
    index = export.index_page(lessons, tmp_path, "2026-01-01")
    page, _ = export.lesson_page(lessons[0], ["<p>hello</p>"], lessons, "", "2026-01-01")
    assert f"Course version {__version__}" in index
    for text in (index, page):
        footer = text[text.index("<footer>"):text.index("</footer>")]
        assert f"poisoncourse</b> {__version__}" in footer


def test_the_notebooks_install_cell_does_nothing_where_the_course_is_installed(tmp_path, monkeypatch):
    import nbformat

    from poisoncourse.tools import export

    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), path)
    export.number_code_cells(path, "https://example.org/poisoncourse.whl")
    cells = nbformat.read(path, as_version=4).cells
    assert [c.execution_count for c in cells] == [1, 2]
    assert "https://example.org/poisoncourse.whl" in cells[0].source and "--no-deps" in cells[0].source

    def no_pip(*args, **kwargs):
        raise AssertionError("the install cell ran pip although poisoncourse is importable")

    monkeypatch.setattr(subprocess, "run", no_pip)
    exec(cells[0].source, {})
