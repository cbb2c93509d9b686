"""What a student sees, looked at: every lesson served and every exported page, in a real browser.

tests/e2e/test_browser.py checks that the course *works* (a control redraws a chart); this file checks
that what it draws *reads right* (issue 13):

- no raw TeX in the visible text (``$$``, ``$\\``, an unrendered ``\\frac{``), no KaTeX error box;
- no "Your output is too large" and no marimo error output;
- every chart's spec (read from the exported pages, which embed each chart of the default run):
  legend labels shown in full, no legend entry without a drawn series, no axis title that is a
  column name (``snake_case``);
- one "Try next" step per lesson performed in the browser: its controls set, Train pressed, the
  charts drawn afterwards and nothing refused.

A full-page screenshot of each lesson goes to ``build/looks-<lesson>.png`` (served) and
``build/looks-static-<lesson>.png`` (exported) for a reviewer to look at.

The spec checks (:func:`spec_problems`) are plain Python, tested on small charts without a
browser. Set ``POISONCOURSE_LOOKS_EXPORT`` to an existing ``poisoncourse export`` folder to skip
the export (it takes minutes on a loaded machine).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from poisoncourse.tools import course

from .test_browser import (ARGS, CHROMIUM, PATIENCE_S, ROOT, browser, busy, controls, errors_on, follow,  # noqa: F401
                          new_page, open_lesson, server, shown, train_button, wait_idle)

pytestmark = pytest.mark.e2e  # a real browser, server or install: `pytest -m "not e2e"` is the fast loop

BUILD = ROOT / "build"
LESSONS = course.lessons()

# -- what the visible text must not hold -------------------------------------------------------

# The text a student sees, shadow roots included; the TeX source KaTeX keeps for screen readers
# (<annotation>, .katex-mathml), scripts and code editors are not seen.
VISIBLE_TEXT = """() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'ANNOTATION', 'TEXTAREA', 'NOSCRIPT', 'TEMPLATE']);
  const out = [];
  const walk = (node) => {
    if (node.nodeType === 3) { out.push(node.textContent); return; }
    if (node.nodeType === 1) {
      if (skip.has(node.tagName) || node.hidden) return;
      const cls = node.classList;
      if (cls.contains('katex-mathml') || cls.contains('cm-editor') || cls.contains('cm-content')) return;
      if (node.shadowRoot) {
        // A custom element's light children show only through a slot (marimo-tex keeps its TeX
        // source there, unseen, and draws the formula in its shadow root).
        walk(node.shadowRoot);
        if (!node.shadowRoot.querySelector('slot')) return;
      }
    }
    for (const child of node.childNodes) walk(child);
  };
  walk(document.body);
  return out.join(' ');
}"""

RAW_TEX = re.compile(r"\$\$|\$\\|\\(frac|mathcal|mathbb|ell|lambda|theta|sum|sqrt|left|right|text|operatorname|"
                     r"nabla|eta|sigma|min|max|top|le|ge|quad)\b")
TOO_LARGE = "output is too large"

# Elements that mean a formula or an output failed: KaTeX's red box, marimo's error output, a
# formula the static export could not convert.
BROKEN = ".katex-error, .marimo-error, [data-testid='marimo-error'], code.tex"


def deep_count(page, selector: str) -> int:
    return page.evaluate("""(sel) => {
      let n = 0;
      const walk = (root) => { n += root.querySelectorAll(sel).length;
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot); };
      walk(document); return n; }""", selector)


def text_problems(page) -> list[str]:
    text = page.evaluate(VISIBLE_TEXT)
    problems = [f"raw TeX “…{text[max(0, m.start() - 40):m.end() + 40]}…”" for m in RAW_TEX.finditer(text)]
    if TOO_LARGE in text:
        problems.append("marimo's “output is too large” instead of a chart")
    broken = deep_count(page, BROKEN)
    if broken:
        problems.append(f"{broken} broken formula(s) or error output(s)")
    # A chart (or its legend) running past the window's right edge is cut off for the student.
    # (A chart in a box of its own that scrolls sideways is reachable: on a phone, that box is within the window.)
    wide = page.evaluate("""() => { const rights = [];
        const walk = (root) => { for (const el of root.querySelectorAll('.vega-embed canvas, .vega-embed svg')) {
            const own = el.closest('.vega-embed');
            const scrolls = own && ['auto', 'scroll'].includes(getComputedStyle(own).overflowX);
            rights.push((scrolls ? own : el).getBoundingClientRect().right); }
          for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot); };
        walk(document); return rights.filter((r) => r > document.documentElement.clientWidth); }""")
    if wide:
        problems.append(f"{len(wide)} chart(s) run past the window's right edge (to {max(wide):.0f} px of "
                        f"{page.evaluate('document.documentElement.clientWidth')})")
    return problems


# -- what a chart's spec must not do ----------------------------------------------------------

# A column name: lower-case words joined by underscores, five characters or more (``n_train``,
# ``robust_accuracy_min``), not a subscripted symbol (``w_t``, ``x_p``).
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CHAR_PX = 6.0  # Vega's default legend label: 10 px sans-serif, about 6 px a character
DEFAULT_LABEL_LIMIT = 160
LEGEND_CHANNELS = ("color", "fill", "stroke", "strokeDash", "shape", "opacity", "size")


def _rows(spec: dict, data: dict | None, datasets: dict) -> list[dict] | None:
    data = spec.get("data", data)
    if not isinstance(data, dict):
        return None
    if "values" in data:
        return data["values"]
    if "name" in data:
        return datasets.get(data["name"])
    return None  # a URL: not checked


def _views(spec: dict, data=None, datasets=None, config=None):
    """Every unit view of a (layered, concatenated, faceted) spec with its rows."""
    datasets = {**(datasets or {}), **spec.get("datasets", {})}
    config = {**(config or {}), **spec.get("config", {})}
    rows = _rows(spec, data, datasets)
    here = spec.get("data", data)
    if "encoding" in spec and "mark" in spec:
        yield spec, rows, config
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            enc = spec.get("encoding")
            if enc and "layer" == key:  # a layer inherits its parent's encoding
                child = {**child, "encoding": {**enc, **child.get("encoding", {})}}
            yield from _views(child, here, datasets, config)
    if "spec" in spec:
        yield from _views(spec["spec"], here, datasets, config)


def _transformed(view: dict) -> bool:
    return bool(view.get("transform"))


def spec_problems(spec: dict) -> list[str]:
    """Sentences for what a reader of this chart would be misled or stopped by."""
    problems = []
    views = list(_views(spec))
    drawn: dict[str, set] = {}  # field → values drawn
    for view, rows, _ in views:
        for channel in LEGEND_CHANNELS:
            enc = view["encoding"].get(channel)
            if isinstance(enc, dict) and enc.get("field") and rows is not None and not _transformed(view):
                drawn.setdefault(enc["field"], set()).update(str(r.get(enc["field"])) for r in rows)
    for view, rows, config in views:
        for channel, enc in view["encoding"].items():
            if not isinstance(enc, dict):
                continue
            if channel in ("x", "y") and enc.get("field") and enc.get("axis", {}) is not None:
                title = enc.get("title", (enc.get("axis") or {}).get("title", enc["field"]))
                if isinstance(title, str) and any(len(m.group()) >= 5 for m in SNAKE.finditer(title)):
                    problems.append(f"the {channel} axis is titled with a column name: {title!r}")
            if channel not in LEGEND_CHANNELS or enc.get("legend", {}) is None or not enc.get("field"):
                continue
            mark = view["mark"] if isinstance(view["mark"], dict) else {"type": view["mark"]}
            if channel == "strokeDash" and mark.get("type") == "line" and mark.get("point"):
                # Vega-Lite then draws the legend's symbols as strokeless points: no dash to see.
                problems.append(f"the {enc['field']!r} dash legend sits on lines with a point overlay: it shows no dash")
            legend = enc.get("legend") or {}
            limit = legend.get("labelLimit", config.get("legend", {}).get("labelLimit", DEFAULT_LABEL_LIMIT))
            domain = (enc.get("scale") or {}).get("domain")
            labels = [str(v) for v in domain] if isinstance(domain, list) else sorted(drawn.get(enc["field"], ()))
            for label in labels:
                if limit and len(label) * CHAR_PX > limit:
                    problems.append(f"the legend label {label!r} is cut at {limit} px")
            seen = drawn.get(enc["field"])
            if isinstance(domain, list) and seen is not None and enc.get("type") in ("nominal", "ordinal"):
                for value in domain:
                    if str(value) not in seen:
                        problems.append(f"the legend lists {value!r}, which no series draws")
    return sorted(set(problems))


# -- the spec checks, on small charts ------------------------------------------------------------

def _line(series, field="series", **legend):
    data = pd.DataFrame({"width": [1, 2, 1, 2], field: series * 2 if len(series) == 2 else series,
                         "accuracy": [0.1, 0.2, 0.3, 0.4]})
    return alt.Chart(data).mark_line().encode(
        x=alt.X("width:Q", title="hidden width (units)"), y=alt.Y("accuracy:Q", title="test accuracy"),
        color=alt.Color(f"{field}:N", legend=alt.Legend(**legend) if legend else alt.Undefined,
                        scale=alt.Scale(domain=["live", "paper Fig. 3"])))


def test_spec_check_finds_a_legend_entry_without_a_series():
    problems = spec_problems(_line(["live", "live"]).to_dict())
    assert problems == ["the legend lists 'paper Fig. 3', which no series draws"]


def test_spec_check_finds_a_cut_legend_label_and_a_column_name_title():
    data = pd.DataFrame({"series": ["reference, robust accuracy at the paper's radius"], "x": [1], "robust_acc": [1]})
    chart = alt.Chart(data).mark_point().encode(x=alt.X("x:Q", title="radius C₀"), y="robust_acc:Q", color="series:N")
    spec = chart.to_dict()
    spec.pop("config", None)  # without the course's theme (core.charts), Vega's 160-px limit applies
    problems = spec_problems(spec)
    assert any("is cut at 160 px" in p for p in problems)
    assert any("column name: 'robust_acc'" in p for p in problems)


def test_spec_check_finds_a_dash_legend_that_cannot_show_its_dash():
    from poisoncourse.core.charts import line_and_points, source_dash
    data = pd.DataFrame({"x": [1, 2, 1, 2], "y": [1, 2, 2, 1], "source": ["live", "live", "reference", "reference"]})
    dash = source_dash(present=data.source)
    overlaid = alt.Chart(data).mark_line(point=True).encode(x="x:Q", y="y:Q", strokeDash=dash)
    assert any("shows no dash" in p for p in spec_problems(overlaid.to_dict()))
    assert spec_problems(line_and_points(alt.Chart(data), x="x:Q", y="y:Q", strokeDash=dash).to_dict()) == []


def test_spec_check_passes_a_chart_that_reads_right():
    assert spec_problems(_line(["live", "paper Fig. 3"], labelLimit=0).to_dict()) == []


# -- the exported hand-out ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    given = os.environ.get("POISONCOURSE_LOOKS_EXPORT")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("looks") / "course"
    proc = subprocess.run([sys.executable, "-m", "poisoncourse", "export", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def exported_specs(path: Path) -> list[dict]:
    match = re.search(r"const specs = (\[.*?\]);\n", path.read_text(), re.S)
    return [] if match is None else json.loads(match.group(1).replace("<\\/", "</"))


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_every_chart_of_the_exported_lesson_reads_right(exported, lesson):
    specs = exported_specs(exported / f"{lesson.name}.html")
    assert specs, "the exported page holds no chart"
    problems = [f"chart {i + 1}: {p}" for i, spec in enumerate(specs) for p in spec_problems(spec)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_the_exported_page_shows_no_raw_tex_and_no_cut_legend(exported, browser, lesson):
    page = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()
    page.goto((exported / f"{lesson.name}.html").as_uri())
    page.locator(".vega-embed svg").first.wait_for(timeout=PATIENCE_S * 1000)
    problems = text_problems(page)
    # The static pages draw SVG, so a legend label Vega had to cut ends in "…" on the page.
    cut = page.evaluate("""() => [...document.querySelectorAll('.role-legend-label text')]
                                   .map(t => t.textContent).filter(t => t.endsWith('…'))""")
    problems += [f"legend label cut: {t!r}" for t in cut]
    # A hand-out, not the live app: what was run in the student's words, no "press Train" as if
    # the page could train, and where to run it live.
    text = page.evaluate(VISIBLE_TEXT)
    problems += [f"the hand-out says {w!r}" for w in ("The live result",) if w in text]
    problems += [f"the hand-out lists the setting {m.group()!r} by its code name"
                 for m in SNAKE.finditer(page.evaluate(
                     "() => [...document.querySelectorAll('.controls')].map(e => e.innerText).join(' ')"))
                 if len(m.group()) >= 5]
    if "poisoncourse serve" not in text:
        problems.append("the hand-out does not say where to run the lesson live")
    BUILD.mkdir(exist_ok=True)
    page.screenshot(path=str(BUILD / f"looks-static-{lesson.name}.png"), full_page=True)
    page.context.close()
    assert not problems, "\n".join(problems)


def full_screenshot(page, path: Path) -> None:
    """The whole lesson in one picture: marimo scrolls an inner container, not the body, so the
    window is made as tall as that container's content first."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 30_000)})
    page.wait_for_timeout(1_500)  # let the charts that came into view draw
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


# -- the served lessons, and one Try-next step each ---------------------------------------------

def _press(form, key: str, times: int = 1, index: int = 0) -> None:
    """Move the form's ``index``-th slider as a student does with the keyboard."""
    slider = form.get_by_role("slider").nth(index)
    slider.focus()
    for _ in range(times):
        slider.press(key)


# One step per lesson from its "Try next"/"What to notice" list, performed as a student does:
# each function sets the controls and returns them; the Train button under them runs the step.
def _lesson1(page):  # Try next #4: set β = 0 (the form's first slider)
    form = controls(page)
    _press(form, "Home")
    return form


def _lesson2(page):  # What to notice: unregularized (λ = −8, the slider's lowest), one point moves the boundary
    form = controls(page)
    _press(form, "Home")
    return form


def _lesson3(page):  # Try next #1: η = 0.01 with Student-t inputs (diverges; the panels must still draw)
    select = page.locator("marimo-dropdown select").first
    student = next(o for o in select.locator("option").all_inner_texts() if "Student" in o)
    select.select_option(label=student)
    page.wait_for_timeout(1_000)
    wait_idle(page)
    form = controls(page)
    box = form.locator("marimo-number input").first
    box.fill("0.01")
    box.press("Tab")
    return form


def _lesson4(page):  # Try next #1: b = 2 (from 10; the form's first slider)
    form = controls(page)
    _press(form, "ArrowLeft", 8)
    return form


def _lesson5(page):  # What to notice: a smaller C₀ (the form's first slider)
    form = controls(page)
    _press(form, "ArrowLeft", 2)
    return form


STEPS = {"lesson1_width.py": _lesson1, "lesson2_regularization.py": _lesson2, "lesson3_neurotron.py": _lesson3,
         "lesson4_labelnoise.py": _lesson4, "lesson5_lazy.py": _lesson5}


@pytest.mark.parametrize("app", sorted(STEPS))
def test_the_served_lesson_reads_right_and_a_try_next_step_draws(server, browser, app):
    url, _ = server
    page = open_lesson(browser, url, app)
    problems = [f"on load: {p}" for p in text_problems(page)] + [f"on load: {e}" for e in errors_on(page)]
    if deep_count(page, "marimo-progress"):  # the work is done: its bar must be gone
        problems.append(f"on load: {deep_count(page, 'marimo-progress')} progress bar(s) left after the work")
    BUILD.mkdir(exist_ok=True)
    full_screenshot(page, BUILD / f"looks-{app.removesuffix('.py')}.png")
    charts_before = page.locator(".vega-embed").count()
    # The results shown are the controls' own: Train is not lit (marimo's form lit it on load).
    if deep_count(page, ".poisoncourse-stale"):
        problems.append("on load: the Train button is ringed although the results shown are its settings'")

    STEPS[app](page)
    page.wait_for_timeout(1_000)
    wait_idle(page)
    if not (deep_count(page, ".poisoncourse-stale") and page.get_by_text("the results below are still").count()):
        problems.append("after setting the step's controls: Train is not ringed, or no sentence says the results "
                        "are the earlier settings'")
    train_button(page).click()
    page.wait_for_timeout(1_000)
    wait_idle(page)
    problems += [f"after the step: {p}" for p in text_problems(page)]
    problems += [f"after the step: {e}" for e in errors_on(page)]
    if deep_count(page, "marimo-progress"):
        problems.append("after the step: a progress bar is left after the work")
    if deep_count(page, ".poisoncourse-stale"):
        problems.append("after the step: Train is still ringed although it ran these settings")
    charts_after = page.locator(".vega-embed canvas, .vega-embed svg").count()
    if charts_after < charts_before:
        problems.append(f"after the step only {charts_after} of {charts_before} charts are drawn")
    full_screenshot(page, BUILD / f"looks-{app.removesuffix('.py')}-step.png")
    page.context.close()
    assert not problems, "\n".join(problems)


# -- phones and screen readers (issue 29) ---------------------------------------------------------

PHONE = {"width": 390, "height": 844}
AXE = ROOT / "build" / "node" / "node_modules" / "axe-core" / "axe.min.js"  # `make test` installs it (npm)

# Elements whose right edge runs past the window without a box of their own that scrolls or clips them:
# on a phone the student cannot see or reach them.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth, out = [];
  const held = (el) => { for (let p = el.parentElement || el.getRootNode().host; p; p = p.parentElement || (p.getRootNode && p.getRootNode().host)) {
      const x = getComputedStyle(p).overflowX; if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true; }
    return false; };
  const walk = (root) => { for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && r.right > width + 1 && !held(el))
        out.push(`${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join('.')} to ${Math.round(r.right)} px`); } };
  walk(document); return out; }"""


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page (shadow roots included): rule, impact, how many elements."""
    if not AXE.exists():  # fail, not skip: a skipped check would hide an unlabelled control
        pytest.fail("axe-core is not installed: run `make test` (it installs it with npm into build/node).",
                    pytrace=False)
    page.add_script_tag(path=str(AXE))
    # marimo's own notebook menu (its "..." button, top right, outside every lesson's output) has no name in
    # marimo 0.25: a critical `button-name` no lesson can mend. Everything the course draws is checked.
    return page.evaluate("""async () => (await axe.run(
            {include: [document], exclude: [['[data-testid="notebook-actions-dropdown"]']]},
            {resultTypes: ['violations']})).violations
        .map((v) => ({id: v.id, impact: v.impact, count: v.nodes.length, help: v.help,
                      first: v.nodes[0] && v.nodes[0].target.join(' ')}))""")


@pytest.mark.parametrize("app", sorted(STEPS))
def test_the_served_lesson_reads_on_a_phone_and_to_a_screen_reader(server, browser, app):
    """At 390 px every control stacks and every chart fits (or scrolls in its own box); axe-core finds no
    critical problem (the serious ones are listed in build/axe-<lesson>.json)."""
    url, _ = server
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    follow(page)
    page.goto(f"{url}/?file={app}&predict=off")  # the results' layout; questions: below
    page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for(timeout=PATIENCE_S * 1000)
    train_button(page).wait_for(timeout=PATIENCE_S * 1000)
    wait_idle(page)
    problems = [f"on a phone: {p}" for p in text_problems(page)]
    cut = page.evaluate(CUT_OFF)
    if cut:
        problems.append(f"on a phone: {len(cut)} element(s) run past the window's edge: {', '.join(cut[:6])}")
    BUILD.mkdir(exist_ok=True)
    full_screenshot(page, BUILD / f"looks-{app.removesuffix('.py')}-phone.png")
    violations = axe_violations(page)
    (BUILD / f"axe-{app.removesuffix('.py')}.json").write_text(json.dumps(violations, indent=1, ensure_ascii=False))
    problems += [f"axe-core, critical: {v['id']} ({v['count']}×, e.g. {v['first']}): {v['help']}"
                 for v in violations if v["impact"] == "critical"]


# -- the questions above the results (issue 26), and the page's height with its method sections closed -------

HEIGHTS = BUILD / "page-heights.json"
HEIGHT_TARGET = 6_000  # px at 1,300 px wide, the method sections closed (issue 26)
LOCKED = "Answer the question above"


def page_height(page) -> int:
    return int(page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"))


@pytest.mark.parametrize("app", sorted(STEPS))
def test_predict_the_served_lesson_locks_its_results_until_answered_and_records_its_height(server, browser, app):
    from poisoncourse.kit import predict

    url, _ = server
    page = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()
    page.goto(f"{url}/?file={app}")
    train_button(page).wait_for(timeout=PATIENCE_S * 1000)
    wait_idle(page)
    problems = [f"with its questions open: {p}" for p in text_problems(page) + errors_on(page)]
    skips = page.get_by_role("checkbox", name=predict.SKIP_LABEL)
    if not (skips.count() and shown(page, LOCKED)):
        problems.append(f"{skips.count()} question(s) asked, {shown(page, LOCKED)} result(s) locked on load")
    BUILD.mkdir(exist_ok=True)
    full_screenshot(page, BUILD / f"looks-{app.removesuffix('.py')}-questions.png")
    for i in range(skips.count()):  # a teacher's skip: every result shows, with its answer
        skips.nth(i).check()
        wait_idle(page)
    if shown(page, LOCKED):
        problems.append(f"{shown(page, LOCKED)} result(s) still locked after every question was skipped")
    if not shown(page, "Skipped."):
        problems.append("no answer is given after a skip")
    height = page_height(page)
    heights = json.loads(HEIGHTS.read_text()) if HEIGHTS.exists() else {}
    heights[app] = height
    HEIGHTS.write_text(json.dumps(heights, indent=2))
    # Issue 26's target (HEIGHT_TARGET) is recorded beside each height, not asserted: a page's height follows its
    # fonts and the live run's sentences, which differ between machines by a line or two, and the margins are
    # thin (5,877 / 5,982 / 5,698 / 5,903 / 5,974 px in headless chromium on a 2-core x86 CPU, 2026-12-06;
    # 8,224 / 5,982 / 6,100 / 6,957 / 6,994 before the last folds). BENCHMARKS.md keeps them.
    print(f"{app}: {height:,} px tall at 1,300 px wide, method sections closed (target {HEIGHT_TARGET:,})")
    page.context.close()
    assert not problems, "\n".join(problems)
