"""`poisoncourse export`: the course as a folder of static pages (and, on request, notebooks).

    poisoncourse export                    # → site/: index.html + one page per lesson
    poisoncourse export --out course-usb   # another folder
    poisoncourse export --notebooks        # also site/notebooks/<lesson>.ipynb, with outputs

Each lesson runs once at its default settings (as `python apps/<lesson>.py` would). Pages are
self-contained — the Vega libraries, the data and the styles are inside each file — so the
folder opens from a USB stick with no network, and can be copied to any static web host.
The new folder replaces the old one only once everything has been written: a failed export
leaves the previous one as it was. Exporting some lessons (--lesson) keeps the other lessons'
pages, and files added to the folder by hand (a host's CNAME) are kept.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import __version__
from ..core.errors import CourseError
from . import course, guide, site

DEFAULT_OUT = Path("site")
MARKER = ".poisoncourse-export"  # marks a folder this command wrote, and may therefore replace


def run_lesson(lesson: course.Page) -> list[str]:
    """Each cell's output of a headless run, as marimo HTML (empty for cells without output)."""
    spec = importlib.util.spec_from_file_location(f"_poisoncourse_export_{lesson.name}", lesson.path)
    module = importlib.util.module_from_spec(spec)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            spec.loader.exec_module(module)
            outputs, _ = module.app.run()
    except Exception as err:  # noqa: BLE001 — one sentence for the teacher, not a traceback
        raise site.ExportError(f"{lesson.title} did not run ({type(err).__name__}: {err}); "
                               f"try `python {lesson.path.name}` in apps/ to see why.") from None
    return [site.output_html(o) for o in outputs]


def nav(lessons: list[course.Page], here: str | None) -> str:
    links = ['<a href="index.html"' + (' class="here"' if here is None else "") + ">poisoncourse</a>"]
    for n, lesson in enumerate(lessons, 1):
        cls = ' class="here"' if lesson.name == here else ""
        links.append(f'<a href="{lesson.name}.html"{cls}>{n}</a>')
    return "".join(links)


FOOTER = ("A static copy of <b>poisoncourse</b> {version}, each lesson at its default settings, made {date}. "
          "Charts with a slider work here without Python; every other control is live in the course "
          "itself (<code>poisoncourse serve</code>).")


def lesson_page(lesson: course.Page, outputs: list[str], lessons, vega_js: str, date: str) -> tuple[str, int]:
    page = site.Page()
    body = site.handout("\n".join(f"<section>{site.convert(o, page)}</section>" for o in outputs if o.strip()))
    text = site.render(title=lesson.title, body=body, charts=page.charts, nav=nav(lessons, lesson.name),
                       vega_js=vega_js, footer=FOOTER.format(date=date, version=html.escape(__version__)))
    return text, len(page.charts)


def index_page(lessons: list[course.Page], folder: Path, date: str) -> str:
    """The course map, over the lessons whose pages are in ``folder``."""
    count = site.count(len(lessons))  # the whole course, exported or not
    lessons = [x for x in lessons if (folder / f"{x.name}.html").exists()]

    def notebook(lesson: course.Page) -> str:
        found = (folder / "notebooks" / f"{lesson.name}.ipynb").exists()
        return f' · <a href="notebooks/{lesson.name}.ipynb">notebook</a>' if found else ""

    body = (f"<h1>{html.escape(site.COURSE_TITLE)}</h1>"
            f"<p>{count} lessons, each following one paper. In each, small networks are trained on poisoned "
            "data and the charts show what the paper claims — and, where it does not reproduce at this "
            "scale, what happens instead. These pages are the lessons at their default settings; the "
            "charts with a slider work right here, with no Python and no network.</p>"
            + site.lesson_list(lessons, href=lambda lesson: f"{lesson.name}.html", extra=notebook)
            + '<p>Teaching with these pages? <a href="teachers.html">The teacher\'s guide</a>: goals, timings, '
              "the predictions' answers and workshop plans.</p>"
            + f'<p class="version">Course version {html.escape(__version__)}.</p>')
    return site.render(title="poisoncourse", body=body, charts=[], nav=nav(lessons, None), vega_js="",
                       footer=FOOTER.format(date=date, version=html.escape(__version__)))


# The notebook's first cell. It does nothing where poisoncourse is already importable (the course's own
# Jupyter, nbval, no network); elsewhere it installs the course from the wheel that the export ships beside
# the notebooks (the very version that made them) or, without it, from the source the teacher gave with
# --install-from; then only the dependencies that are missing, so a torch already there (Colab's) stays.
INSTALL_CELL = """# Run me first: installs the course where it is missing (Colab, a plain Jupyter); else does nothing.
import importlib.util
if importlib.util.find_spec("poisoncourse") is None:
    import importlib, importlib.metadata as md, pathlib, re, subprocess, sys
    wheel = pathlib.Path({wheel!r})  # in the export's notebooks/ folder, beside this notebook
    source = str(wheel) if wheel.exists() else {source!r}
    if source is None:
        raise RuntimeError("Put " + wheel.name + " (in the notebooks folder of the course's export) beside "
                           "this notebook, or upload it to this notebook's folder, then run this cell again.")
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--no-deps", source], check=True)
    def _missing(requirement):
        name = re.split(r"[<>=!~;\\[ ]", requirement, maxsplit=1)[0]
        try:
            md.version(name)
            return False
        except md.PackageNotFoundError:
            return True
    needed = [r for r in md.requires("poisoncourse") or [] if "extra ==" not in r and _missing(r)]
    if needed:
        subprocess.run([*pip, *needed], check=True)
    importlib.invalidate_caches()
"""
# Jupyter and nbval start the kernel a notebook names; marimo's export names none.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def wheel_name() -> str:
    return f"poisoncourse-{__version__}-py3-none-any.whl"


def course_wheel(folder: Path) -> Path:
    """The course's wheel, written into ``folder``: what the notebooks install from elsewhere.

    An installed course is packed back from its installed files (the wheel it came from, less what pip
    added); a checkout is built offline with the environment's setuptools from a copy of its sources, so
    the checkout gets no build folder.
    """
    from importlib import metadata

    from .. import _course

    target = folder / wheel_name()
    if not _course.is_checkout():
        _repack(metadata.distribution("poisoncourse"), target)
        return target
    sources = ("pyproject.toml", "setup.py", "README.md", "poisoncourse", "apps", "data")
    skip = shutil.ignore_patterns("__pycache__", "__marimo__", "*.pyc", "*.egg-info")
    with tempfile.TemporaryDirectory(prefix="poisoncourse-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in sources:
            here = _course.root() / name
            (shutil.copytree(here, src / name, ignore=skip) if here.is_dir() else shutil.copy2(here, src / name))
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                               "--no-index", "--disable-pip-version-check", "-w", tmp, str(src)],
                              capture_output=True, text=True)
        built = Path(tmp) / wheel_name()
        if proc.returncode != 0 or not built.exists():
            raise site.ExportError(f"The course's wheel for the notebooks could not be built ({_cause(proc.stderr)}); "
                                   "install setuptools, or export from an installed course.")
        shutil.copy2(built, target)
    return target


def _repack(dist, target: Path) -> None:
    """A wheel of an installed distribution: its files as installed, with a new RECORD (what pip reinstalls)."""
    import base64
    import hashlib
    import zipfile

    added_by_pip = ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
    rows = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in dist.files:
            name = file.as_posix()
            # Outside site-packages (the console script, which pip writes from entry_points.txt), bytecode.
            if name.startswith("..") or "__pycache__" in name or file.name in added_by_pip:
                continue
            data = file.locate().read_bytes()
            wheel.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{name},sha256={digest},{len(data)}")
        record = f"poisoncourse-{dist.version}.dist-info/RECORD"
        wheel.writestr(record, "\n".join([*rows, f"{record},,"]) + "\n")


def _cause(stderr: str) -> str:
    """The last line of a command's error that is not one of marimo's log lines ("[W 261206 09:22:53 …")."""
    lines = [x.strip() for x in stderr.splitlines() if x.strip() and not re.match(r"\[[DIW] \d{6} ", x.strip())]
    return lines[-1] if lines else "no message"


def export_notebook(lesson: course.Page, target: Path, install_from: str | None = None) -> None:
    """`marimo export ipynb --include-outputs`, cells numbered so nbval re-runs it, after an install cell.

    marimo runs in the export's own folder and writes only ``target``: nothing lands beside the lessons (an
    installed course's are in site-packages). Its session snapshot (``__marimo__/`` beside the notebook) and
    Python's bytecode follow ``PYTHONPYCACHEPREFIX`` into a scratch folder that is then removed."""
    # The marimo of this interpreter, whatever PATH says (a venv may hold marimo without its script).
    cmd = [sys.executable, "-m", "marimo", "export", "ipynb", str(lesson.path), "-o", str(target), "--include-outputs"]
    with tempfile.TemporaryDirectory(prefix="poisoncourse-scratch-") as scratch:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=target.parent,
                              env={**os.environ, "PYTHONPYCACHEPREFIX": scratch})
    if proc.returncode != 0 or not target.exists():
        raise site.ExportError(f"{lesson.title} could not be exported as a notebook: {_cause(proc.stderr)}")
    number_code_cells(target, install_from)


def number_code_cells(path: Path, install_from: str | None = None) -> None:
    """marimo leaves execution counts empty, which nbval reads as 'unrun cell with outputs';
    number them in order as a Jupyter run would have. First add the install cell and the kernelspec."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(INSTALL_CELL.format(wheel=wheel_name(), source=install_from)))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("language_info", {"name": "python"})
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    nbformat.write(nb, path)


def export(out: Path = DEFAULT_OUT, notebooks: bool = False, only: list[str] | None = None, say=print,
           install_from: str | None = None) -> Path:
    lessons = course.lessons()
    chosen = [x for x in lessons if not only or any(o in (x.name, x.key) or x.name.startswith(f"{o}_") for o in only)]
    if not chosen:
        raise site.ExportError(f"No lesson matches {', '.join(only or [])}; the lessons are "
                               f"{', '.join(x.name for x in lessons)}.")
    date = time.strftime("%Y-%m-%d")
    # Absolute from here on: the notebooks' marimo runs in another folder, and the work folder beside `out`
    # must be one path whatever the current folder is.
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise site.ExportError(f"{out} already exists and was not written by `poisoncourse export`; "
                               f"choose an empty or new folder with --out.")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    work.chmod(0o755)  # mkdtemp makes it private; a web server must be able to read the site
    try:
        if out.exists():  # keep what is not remade: other lessons' pages, a host's CNAME …
            shutil.copytree(out, work, dirs_exist_ok=True)
        vega_js = site.vega_bundle()
        (work / MARKER).write_text("Written by `poisoncourse export`; it replaces this folder when run again.\n")
        present = [x for x in lessons if x in chosen or (work / f"{x.name}.html").exists()]
        if notebooks:
            (work / "notebooks").mkdir(exist_ok=True)
            say(f"notebooks/{course_wheel(work / 'notebooks').name}")
        for lesson in chosen:
            t = time.perf_counter()
            text, charts = lesson_page(lesson, run_lesson(lesson), present, vega_js, date)
            (work / f"{lesson.name}.html").write_text(text, encoding="utf-8")
            say(f"{lesson.name}.html: {charts} charts, {len(text) / 1e6:.1f} MB, {time.perf_counter() - t:.0f} s")
            notebook = work / "notebooks" / f"{lesson.name}.ipynb"
            if notebooks:
                export_notebook(lesson, notebook, install_from)
                say(f"notebooks/{lesson.name}.ipynb")
            else:
                notebook.unlink(missing_ok=True)  # an older notebook would not match the new page
        (work / "index.html").write_text(index_page(lessons, work, date), encoding="utf-8")
        (work / "teachers.html").write_text(guide.html(nav=nav(present, None), footer=FOOTER.format(
            date=date, version=html.escape(__version__))), encoding="utf-8")
        _swap(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _swap(new: Path, out: Path) -> None:
    """Put the finished folder in place of the old one; on any failure the old one stays."""
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent)) / out.name
    out.rename(old)
    try:
        new.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old.parent, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="poisoncourse export", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (default: site)")
    parser.add_argument("--notebooks", action="store_true", help="also write each lesson as a Jupyter notebook")
    parser.add_argument("--lesson", action="append", default=None,
                        help="export only this lesson (e.g. lesson3 or neurotron); repeatable")
    parser.add_argument("--install-from", default=None,
                        help="where a notebook opened without the course's wheel beside it (Colab) installs the "
                             "course from: a wheel's URL or git+https://… of the repository (default: only the "
                             "wheel written into notebooks/)")
    args = parser.parse_args(argv)
    try:
        out = export(args.out, notebooks=args.notebooks, only=args.lesson, install_from=args.install_from)
    except CourseError as err:
        print(f"poisoncourse export: {err}", file=sys.stderr)
        return 1
    print(f"Open {out / 'index.html'} in a browser, or copy {out}/ to any static web host.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
