"""`poisoncourse export`: the course as a folder of static pages (and, on request, notebooks).

    poisoncourse export                    # → site/: index.html + one page per lesson
    poisoncourse export --out course-usb   # another folder
    poisoncourse export --notebooks        # also site/notebooks/<lesson>.ipynb, with outputs

Each lesson runs once at its default settings (as `python apps/<lesson>.py` would). Pages are
self-contained — the Vega libraries, the data and the styles are inside each file — so the
folder opens from a USB stick with no network, and can be copied to any static web host.
The new folder replaces the old one only once everything has been written: a failed export
leaves the previous one as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib.util
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import course, site
from .errors import CourseError

DEFAULT_OUT = Path("site")
MARKER = ".poisoncourse-export"  # marks a folder this command wrote, and may therefore replace


def run_lesson(lesson: course.Lesson) -> list[str]:
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
    return [getattr(o, "text", "") if o is not None else "" for o in outputs]


def nav(lessons: list[course.Lesson], here: str | None) -> str:
    links = ['<a href="index.html"' + (' class="here"' if here is None else "") + ">poisoncourse</a>"]
    for n, lesson in enumerate(lessons, 1):
        cls = ' class="here"' if lesson.name == here else ""
        links.append(f'<a href="{lesson.name}.html"{cls}>{n}</a>')
    return "".join(links)


FOOTER = ("A static copy of the <b>poisoncourse</b> lesson at its default settings, made {date}. "
          "Charts with a slider work here without Python; every other control is live in the course "
          "itself (<code>make serve</code>).")


def lesson_page(lesson: course.Lesson, outputs: list[str], lessons, vega_js: str, date: str) -> tuple[str, int]:
    page = site.Page()
    body = "\n".join(f"<section>{site.convert(o, page)}</section>" for o in outputs if o.strip())
    text = site.render(title=lesson.title, body=body, charts=page.charts, nav=nav(lessons, lesson.name),
                       vega_js=vega_js, footer=FOOTER.format(date=date))
    return text, len(page.charts)


def index_page(lessons: list[course.Lesson], notebooks: bool, date: str) -> str:
    items = []
    for n, lesson in enumerate(lessons, 1):
        p = lesson.paper
        paper = (f'<div class="paper">Paper: <a href="{html.escape(p.url)}">{html.escape(p.title)}</a> — '
                 f"{html.escape(p.authors)}, {html.escape(p.venue)}</div>") if p else ""
        nb = (f' · <a href="notebooks/{lesson.name}.ipynb">notebook</a>' if notebooks else "")
        items.append(f'<li><h2><a href="{lesson.name}.html">{html.escape(lesson.title)}</a>{nb}</h2>'
                     f"<p>{html.escape(lesson.summary)}</p>{paper}</li>")
    body = ("<h1>poisoncourse — data poisoning and adversarial attacks on small neural networks</h1>"
            "<p>Five lessons, each following one paper. In each, small networks are trained on poisoned "
            "data and the charts show what the paper claims — and, where it does not reproduce at this "
            "scale, what happens instead. These pages are the lessons at their default settings; the "
            "charts with a slider work right here, with no Python and no network.</p>"
            f'<ol class="lessons">{"".join(items)}</ol>')
    return site.render(title="poisoncourse", body=body, charts=[], nav=nav(lessons, None), vega_js="",
                       footer=FOOTER.format(date=date))


def export_notebook(lesson: course.Lesson, target: Path) -> None:
    """`marimo export ipynb --include-outputs`, cells numbered so nbval re-runs it."""
    marimo = Path(sys.executable).parent / "marimo"
    cmd = [str(marimo) if marimo.exists() else "marimo", "export", "ipynb", str(lesson.path), "-o", str(target),
           "--include-outputs"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=lesson.path.parent)
    if proc.returncode != 0 or not target.exists():
        raise site.ExportError(f"{lesson.title} could not be exported as a notebook: "
                               f"{(proc.stderr.strip().splitlines() or ['no message'])[-1]}")
    number_code_cells(target)


def number_code_cells(path: Path) -> None:
    """marimo leaves execution counts empty, which nbval reads as 'unrun cell with outputs';
    number them in order as a Jupyter run would have."""
    import nbformat

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


def export(out: Path = DEFAULT_OUT, notebooks: bool = False, only: list[str] | None = None, say=print) -> Path:
    lessons = course.lessons()
    chosen = [x for x in lessons if not only or any(x.name.startswith(o) or x.name == o for o in only)]
    if not chosen:
        raise site.ExportError(f"No lesson matches {', '.join(only or [])}; the lessons are "
                               f"{', '.join(x.name for x in lessons)}.")
    date = time.strftime("%Y-%m-%d")
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise site.ExportError(f"{out} already exists and was not written by `poisoncourse export`; "
                               f"choose an empty or new folder with --out.")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        vega_js = site.vega_bundle()
        (work / MARKER).write_text("Written by `poisoncourse export`; it replaces this folder when run again.\n")
        (work / "index.html").write_text(index_page(chosen, notebooks, date), encoding="utf-8")
        for lesson in chosen:
            t = time.perf_counter()
            text, charts = lesson_page(lesson, run_lesson(lesson), chosen, vega_js, date)
            (work / f"{lesson.name}.html").write_text(text, encoding="utf-8")
            say(f"{lesson.name}.html: {charts} charts, {len(text) / 1e6:.1f} MB, {time.perf_counter() - t:.0f} s")
            if notebooks:
                (work / "notebooks").mkdir(exist_ok=True)
                export_notebook(lesson, work / "notebooks" / f"{lesson.name}.ipynb")
                say(f"notebooks/{lesson.name}.ipynb")
        # Swap in the finished folder; the old one survives any failure above.
        old = out.with_name(f".{out.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        work.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="poisoncourse export", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (default: site)")
    parser.add_argument("--notebooks", action="store_true", help="also write each lesson as a Jupyter notebook")
    parser.add_argument("--lesson", action="append", default=None,
                        help="export only this lesson (e.g. lesson3); repeatable")
    args = parser.parse_args(argv)
    try:
        out = export(args.out, notebooks=args.notebooks, only=args.lesson)
    except CourseError as err:
        print(f"poisoncourse export: {err}", file=sys.stderr)
        return 1
    print(f"Open {out / 'index.html'} in a browser, or copy {out}/ to any static web host.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
