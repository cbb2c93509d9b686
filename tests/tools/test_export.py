"""`poisoncourse export`, as a teacher runs it: the folder opens with no network, every page's
slider chart works in a browser with no Python behind it, and the notebooks re-run under nbval.

The export runs once (the installed console script, every lesson, with notebooks); the
browser is Debian's chromium driven by Playwright, with every non-file request blocked.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from poisoncourse.tools import course, export, site

ROOT = Path(__file__).resolve().parents[2]
LESSONS = course.lessons()
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("usb") / "course"
    script = Path(sys.executable).parent / "poisoncourse"
    proc = subprocess.run([str(script), "export", "--out", str(out), "--notebooks"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


# --- the folder -------------------------------------------------------------------------------

@pytest.mark.e2e  # exports the whole course (minutes)
def test_index_is_the_course_map(exported):
    index = (exported / "index.html").read_text()
    positions = []
    for lesson in LESSONS:
        assert f'href="{lesson.name}.html"' in index
        assert (exported / f"{lesson.name}.html").exists()
        assert (exported / "notebooks" / f"{lesson.name}.ipynb").exists()
        assert lesson.paper is not None and lesson.paper.url in index, f"{lesson.name} names no paper"
        assert lesson.summary and html.escape(lesson.summary[:40]) in index  # as the page writes it (        assert lesson.summary and lesson.summary[:40] in index#x27; for an apostrophe)
        positions.append(index.index(f'href="{lesson.name}.html"'))
    assert positions == sorted(positions), "lessons listed out of order"


@pytest.mark.e2e  # exports the whole course (minutes)
def test_exported_files_leak_no_local_path(exported):
    leaks = {str(ROOT), str(Path.home()), sys.prefix, str(exported)}
    for path in exported.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for leak in leaks:
                assert leak not in text, f"{path.name} contains the local path {leak!r}"


@pytest.mark.e2e  # exports the whole course (minutes)
def test_pages_carry_no_marimo_element_and_no_remote_script(exported):
    for lesson in LESSONS:
        text = (exported / f"{lesson.name}.html").read_text()
        assert "<marimo-" not in text
        assert "cdn.jsdelivr" not in text and '<script src="http' not in text


# --- in a browser, offline --------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_offline(browser, path: Path):
    """A page in a context where any request that is not a local file fails (and is recorded)."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    blocked, errors = [], []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    return context, page, blocked, errors


@pytest.mark.e2e  # exports the whole course (minutes)
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.name)
def test_page_works_offline_and_its_slider_redraws_the_chart(exported, browser, lesson):
    context, page, blocked, errors = open_offline(browser, exported / f"{lesson.name}.html")
    try:
        charts = page.locator("div.chart")
        page.wait_for_function(
            "n => document.querySelectorAll('div.chart svg').length >= n", arg=charts.count(), timeout=60_000)
        assert charts.count() >= 1
        # An explorer that repeats panels shown above waits in a closed section titled "Explore…": opened
        # as a student opens it, by its summary.
        summaries = page.locator("details:not([open]) > summary", has_text=re.compile(r"^\s*Explore"))
        for i in range(summaries.count()):
            summaries.nth(i).click()
        # An even grid's explorer is a slider, an uneven one's a row of radio buttons (kit/explore.py).
        explorer = page.locator("div.chart:has(input[type=range]), div.chart:has(input[type=radio])").first
        assert explorer.count() == 1, "no chart with a slider or value buttons on this page"
        svg = explorer.locator("svg").first
        before = svg.inner_html()
        caption_before = explorer.inner_text()
        slider = explorer.locator("input[type=range]")
        if slider.count():
            slider.first.focus()
            for _ in range(40):  # a student dragging: many small steps (any grid is crossed)
                page.keyboard.press("ArrowLeft")
        else:
            explorer.locator("input[type=radio]:not(:checked)").last.check()  # a student's click on another value
        page.wait_for_function("([el, old]) => el.innerHTML !== old", arg=[svg.element_handle(), before],
                               timeout=60_000)  # fails here if the chart never changes (a ceiling for a busy machine)
        assert explorer.inner_text() != caption_before  # the value shown (and caption) moved too
        assert blocked == [], f"the page tried the network: {blocked[:3]}"
        assert errors == [], errors[:3]
    finally:
        context.close()


@pytest.mark.e2e  # exports the whole course (minutes)
def test_index_opens_offline_and_its_links_lead_to_the_lessons(exported, browser):
    context, page, blocked, errors = open_offline(browser, exported / "index.html")
    try:
        hrefs = page.eval_on_selector_all("a", "els => els.map(a => a.getAttribute('href'))")
        local = [h for h in hrefs if not h.startswith("https://")]
        assert {f"{x.name}.html" for x in LESSONS} <= set(local)
        assert all((exported / h).exists() for h in local), "a link on the index leads nowhere"
        page.get_by_role("link", name=LESSONS[0].title).first.click()
        page.wait_for_selector("div.chart svg", timeout=60_000)
        assert page.url.endswith(f"{LESSONS[0].name}.html")
        assert blocked == [] and errors == []
    finally:
        context.close()


# --- notebooks --------------------------------------------------------------------------------

@pytest.mark.e2e  # exports the whole course (minutes)
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.name)
def test_exported_notebook_passes_nbval(exported, lesson, tmp_path):
    notebook = tmp_path / f"{lesson.name}.ipynb"
    shutil.copy(exported / "notebooks" / notebook.name, notebook)
    assert json.loads(notebook.read_text())["cells"], "an empty notebook"
    proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                           str(notebook), "--rootdir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-5000:]


# --- the command's guard rails (no lesson runs) -----------------------------------------------

def test_export_never_replaces_a_folder_it_did_not_write(tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    with pytest.raises(site.ExportError, match="not written by"):
        export.export(precious)
    assert (precious / "chapter1.tex").read_text() == "years of work"


def test_an_unknown_lesson_is_one_sentence(tmp_path, capsys):
    assert export.main(["--out", str(tmp_path / "x"), "--lesson", "lesson9"]) == 1
    err = capsys.readouterr().err
    assert "No lesson matches lesson9" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


# --- the converter ----------------------------------------------------------------------------

def test_converter_turns_tex_into_mathml_and_refuses_unknown_elements():
    page = site.Page()
    out = site.convert('<span><marimo-tex class="arithmatex">||(\\beta||)</marimo-tex> and '
                       '<marimo-tex class="arithmatex">||[x^2||]</marimo-tex></span>', page)
    assert "<math" in out and 'display="block"' in out and "marimo-tex" not in out
    with pytest.raises(site.ExportError, match="marimo-new-thing"):
        site.convert("<marimo-new-thing data-x='1'></marimo-new-thing>", page)


def test_styled_letters_keep_their_style_in_a_browser():
    # Issue 27: browsers draw MathML Core, which ignores mathvariant="script" and the like, so the hand-out's
    # 𝒩, ℝ and 𝟙 read N, R and 1. The styled characters themselves are written instead.
    for tex, char in [(r"\mathcal N", "𝒩"), (r"\mathbb R", "ℝ"), (r"\mathbb 1", "𝟙"), (r"\mathbf 1", "𝟏"),
                      (r"\mathcal L", "ℒ"), (r"\boldsymbol{x}", "𝒙")]:
        out = html.unescape(site.mathml(tex, False))
        assert char in out and "mathvariant" not in out, (tex, out)
    assert 'mathvariant="normal"' in site.mathml(r"\mathrm{ReLU}", False)  # upright letters: MathML Core has it


@pytest.fixture
def quick_lessons(monkeypatch):
    """Lessons that 'run' instantly, to test the command's folder handling."""
    monkeypatch.setattr(export, "run_lesson", lambda lesson: [f"<h1>{lesson.name}</h1>"])


def test_exporting_one_lesson_keeps_the_others_and_added_files(tmp_path, quick_lessons):
    out = tmp_path / "site"
    export.export(out, say=lambda *_: None)
    (out / "CNAME").write_text("course.example.org")
    before = (out / "lesson1_width.html").read_text()
    export.export(out, only=["lesson3"], say=lambda *_: None)
    assert (out / "CNAME").read_text() == "course.example.org"
    assert (out / "lesson1_width.html").read_text() == before
    index = (out / "index.html").read_text()
    assert all(f'href="{x.name}.html"' in index for x in LESSONS)
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "temporary folders left behind"


def test_a_failed_export_leaves_the_previous_folder_as_it_was(tmp_path, quick_lessons, monkeypatch):
    out = tmp_path / "site"
    export.export(out, say=lambda *_: None)
    snapshot = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(lesson):
        raise site.ExportError(f"{lesson.title} did not run.")

    monkeypatch.setattr(export, "run_lesson", broken)
    with pytest.raises(site.ExportError):
        export.export(out, say=lambda *_: None)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == snapshot
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_relative_output_folder_is_made_where_the_command_runs(tmp_path, quick_lessons, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = export.export(Path("usb-stick") / "course", say=lambda *_: None)
    assert out == tmp_path / "usb-stick" / "course" and (out / "index.html").exists()
    assert [p.name for p in (tmp_path / "usb-stick").iterdir()] == ["course"], "temporary folders left behind"


def test_a_failed_notebook_export_names_the_real_cause_not_marimos_warnings():
    stderr = ("[W 261206 09:22:53 reader:129] tool.marimo.opengraph in script metadata is ignored for security reasons\n"
              "Traceback (most recent call last):\n  File \"x.py\", line 1\n"
              "ModuleNotFoundError: No module named 'nbformat'\n"
              "[W 261206 09:22:54 reader:129] tool.marimo.opengraph in script metadata is ignored for security reasons\n")
    assert export._cause(stderr) == "ModuleNotFoundError: No module named 'nbformat'"
    assert export._cause("") == "no message"


def _install_cell(tmp_path, install_from):
    import nbformat

    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), path)
    export.number_code_cells(path, install_from)
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"  # Jupyter and nbval know which kernel to start
    return nb.cells[0].source


def _run_where_the_course_is_missing(source, monkeypatch, folder) -> list:
    """Run an install cell as in a Jupyter without the course (``folder`` is the notebook's); pip is recorded."""
    import importlib.util

    calls = []
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "poisoncourse" else real(name, *a))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd))
    monkeypatch.chdir(folder)
    exec(source, {})
    return calls


def test_the_install_cell_installs_the_wheel_shipped_beside_the_notebook(tmp_path, monkeypatch):
    source = _install_cell(tmp_path, "git+https://example.org/course.git")
    (tmp_path / export.wheel_name()).write_bytes(b"")
    calls = _run_where_the_course_is_missing(source, monkeypatch, tmp_path)
    assert calls[0][-2:] == ["--no-deps", export.wheel_name()]


def test_without_the_wheel_the_install_cell_uses_the_teachers_source_or_says_what_to_do(tmp_path, monkeypatch):
    source = _install_cell(tmp_path, "git+https://example.org/course.git")
    calls = _run_where_the_course_is_missing(source, monkeypatch, tmp_path)
    assert calls[0][-2:] == ["--no-deps", "git+https://example.org/course.git"]
    alone = _install_cell(tmp_path, None)
    assert "'poisoncourse'" not in alone.split("source = ", 1)[1].splitlines()[0]  # never a name on the registry
    with pytest.raises(RuntimeError, match=f"Put {export.wheel_name()}"):
        _run_where_the_course_is_missing(alone, monkeypatch, tmp_path)
