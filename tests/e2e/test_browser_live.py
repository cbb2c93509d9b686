"""Live charts in a real browser (issue 25): the chart of a run is embedded once and moves while the
networks train; Stop keeps what was computed; a second visitor gets the result at once.

Records per lesson in build/browser-live-timings.json (benchmarks, not assertions — the machine is
shared): first_change_s (Train press → first frame drawn), updates_per_s (frames drawn a second while
training), final_s (the last frame of the run → the final chart), open_cold_s (open on a fresh server →
the live chart's final frame) and open_warm_s (a second visitor: the result already in the shared
memo → every chart drawn); control_redraw_s (an Explore slider → its chart redrawn) comes from
tests/e2e/test_browser.py, for every lesson. Times are read from the page's own clock (the frames' log the live chart
keeps, kit/livechart.js), not from polling. Add a lesson by adding its entry to LESSONS.
"""

from __future__ import annotations

import math
import time

import pytest

import poisoncourse.neurotron.panels as neurotron_panels
from poisoncourse.kit import livechart
from tests.e2e.test_browser import (browser, controls, new_page, record_live, server, shown, step_slider,  # noqa: F401
                                    train_button, wait_idle)

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.e2e  # a real browser and a served course: not the fast loop


def lesson3_one_shot() -> tuple[dict[str, dict[str, list]], str]:
    """The datasets of Lesson 3's live chart for its defaults, drawn from a one-shot run, and the one that
    grows as the run goes."""
    import poisoncourse.neurotron.charts as charts
    import poisoncourse.neurotron.experiment as neurotron

    config = neurotron_panels.live_defaults("normal", "theta")
    chart = charts.log_error_curves(neurotron.run(config).curves, value_title="θ", iterations=config.iterations)
    return livechart.split(chart)[1], "d0"


def lesson1_one_shot() -> tuple[dict[str, dict[str, list]], str]:
    """The datasets of Lesson 1's live chart (its accuracy against width beside the paper's) for its defaults,
    and the live panel's (the one its frames change)."""
    import poisoncourse.width.experiment as width
    import poisoncourse.width.panels as panels

    config = width.WidthConfig()
    result = width.run(config)
    data = livechart.split(panels.accuracy_beside_paper(config, result))[1]
    grows = livechart.columns(panels.accuracy_rows(config, result))
    return data, next(name for name, rows in data.items() if rows == grows)


def lesson2_one_shot() -> tuple[dict[str, dict[str, list]], str]:
    """The rows of Lesson 2's live chart (the attack's trace) for the page's defaults — the form's
    values, its sliders rounded to their steps — drawn from a one-shot run."""
    import poisoncourse.regularization.experiment as regularization
    import poisoncourse.regularization.panels as panels

    d = regularization.HeatmapConfig()
    x1, x2 = regularization.cloned_poison(d.seed, d.poison_label)
    config = panels.heatmap_config(dict(
        lam=round(d.lam, 1), x1=round(x1, 1), x2=round(x2, 1), label=d.poison_label, steps=d.attack_steps,
        step_size=d.step_size, learn=d.learn_lam, lam_step=d.lam_step, resolution=d.resolution,
        lam_values=d.lam_values, bias=d.penalize_bias, seed=d.seed))
    return livechart.split(panels.attack_chart(config, regularization.run(config)))[1], "d0"


def lesson4_one_shot() -> tuple[dict[str, dict[str, list]], None]:
    """The datasets of Lesson 4's r sweep for its defaults. Its frames keep their rows (every r from the first
    epoch on): the values move, not the row count."""
    import poisoncourse.labelnoise.experiment as labelnoise
    import poisoncourse.labelnoise.panels as panels

    config = labelnoise.LabelNoiseConfig()
    return livechart.split(panels.live_chart(config, panels.run_toy(config)))[1], None


def lesson5_one_shot() -> tuple[dict[str, dict[str, list]], None]:
    """The datasets of Lesson 5's Part 1 (three panels of several tables, each image size's rows added as it
    finishes) for its defaults."""
    import poisoncourse.lazy.experiment as lazy
    import poisoncourse.lazy.panels as panels

    config = lazy.LazyConfig.single_step()
    return livechart.split(panels.scaling_chart(config, panels.run_live(config), lazy.load_reference().table))[1], None


# lesson → (the app, the datasets its defaults draw and the one whose rows grow as the run goes, if any).
LESSONS = {"lesson3_neurotron": ("lesson3_neurotron.py", lesson3_one_shot),
           "lesson2_regularization": ("lesson2_regularization.py", lesson2_one_shot),
           "lesson1_width": ("lesson1_width.py", lesson1_one_shot),
           "lesson4_labelnoise": ("lesson4_labelnoise.py", lesson4_one_shot),
           "lesson5_lazy": ("lesson5_lazy.py", lesson5_one_shot)}


def live(page):
    return page.locator(".poisoncourse-live").first


def frames(page) -> list[dict]:
    return live(page).evaluate("e => e.poisoncourseLog")


def final_frame(page, after: int = 0, timeout: float = 300) -> dict:
    """Wait for a frame, past the first `after`, that is not a run's partial one; return it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if live(page).count():
            log = frames(page)[after:]
            if log and not log[-1]["note"].startswith("Training"):
                return log[-1]
        time.sleep(0.05)
    raise AssertionError(f"the live chart drew no final frame (frames: {frames(page)[after:] if live(page).count() else 'no chart'})")


def now_ms(page) -> float:
    return page.evaluate("() => performance.now()")


def close_rows(shown_rows: list[dict], expected: dict[str, list]) -> bool:
    if len(shown_rows) != len(next(iter(expected.values()))):
        return False
    for name, values in expected.items():
        for row, want in zip(shown_rows, values):
            got = row.get(name)
            if isinstance(want, float) and isinstance(got, (int, float)):
                if not math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12):
                    return False
            elif got != want:
                return False
    return True


@pytest.mark.parametrize("name", list(LESSONS))
def test_a_run_moves_one_chart_element_and_a_second_visitor_gets_it_at_once(server, browser, name):
    app, one_shot = LESSONS[name]
    expected, growing = one_shot()
    url, _ = server
    page = new_page(browser)
    start = time.perf_counter()
    page.goto(f"{url}/?file={app}&predict=off")  # the charts, not the questions that hold them
    final_frame(page)
    open_cold = time.perf_counter() - start
    print(f"{name}: opened, {open_cold:.1f} s", flush=True)
    wait_idle(page)
    charts = page.locator(".vega-embed").count()
    # The defaults' final frame carries exactly the rows a one-shot run draws, in every dataset.
    for dataset, rows in expected.items():
        assert close_rows(live(page).evaluate(f"e => e.poisoncourseView.data('{dataset}')"), rows), dataset

    live(page).locator(".vega-embed").evaluate("e => { e.poisoncourseTag = 'kept'; }")
    before = len(frames(page))
    step_slider(controls(page).get_by_role("slider").first, "ArrowRight", 2)
    pressed = now_ms(page)
    train_button(page).click()
    final = final_frame(page, after=before)
    run = frames(page)[before:]
    training = [f for f in run if f["note"].startswith("Training")]
    assert training, f"the chart did not move while the networks trained (frames: {run})"
    assert all(f["how"] == "changed" for f in run), f"a frame embedded the chart again: {run}"
    assert live(page).locator(".vega-embed").evaluate("e => e.poisoncourseTag") == "kept", "the chart's element was replaced"
    if growing is not None:  # the table a run changes grew (a frame that carries it: the others may carry only that)
        rows = [f["rows"][growing] for f in training]
        assert rows == sorted(rows) and rows[0] < final["rows"][growing], f"the curves did not grow during the run: {rows}"
    else:  # the values moved
        assert len({f["digest"] for f in training + [final]}) > 1, f"the chart did not change during the run: {run}"
    span = (training[-1]["t"] - training[0]["t"]) / 1000
    print(f"{name}: trained live, {len(training)} frames", flush=True)
    page.context.close()

    second = new_page(browser)  # the shared memo has the defaults now: a second visitor's open
    start = time.perf_counter()
    second.goto(f"{url}/?file={app}&predict=off")
    final_frame(second)
    deadline = time.time() + 180
    while second.locator(".vega-embed").count() < charts and time.time() < deadline:
        time.sleep(0.05)
    open_warm = time.perf_counter() - start
    assert shown(second, "from the shared memo")
    assert not [f for f in frames(second) if f["note"].startswith("Training")], "the second visitor's open trained again"
    second.context.close()

    numbers = dict(first_change_s=(run[0]["t"] - pressed) / 1000,
                   updates_per_s=(len(training) - 1) / span if span > 0 else None,
                   final_s=(final["t"] - training[-1]["t"]) / 1000, open_cold_s=open_cold, open_warm_s=open_warm)
    record_live(name, **numbers)
    print(f"{name}: " + ", ".join(f"{k} {v:.2f}" for k, v in numbers.items() if v is not None))


# lesson → (a long run nobody else asks for, what the Stop sentence counts, what the page says after it).
# Lesson 3's partial result is a whole result of the steps done: the page shows it, with its cost line.
# Lesson 1's holds only the chart's widths: the chart keeps them, the page's other sections wait.
STOPS = {"lesson3_neurotron": ("lesson3_neurotron.py&iterations=10000&seed=11", "of 10,000", "stopped after"),
         "lesson1_width": ("lesson1_width.py&epochs=200&seed=11", "width-epochs", "The sections below need the whole run")}


@pytest.mark.parametrize("name", list(STOPS))
def test_stop_keeps_the_curves_so_far_and_stores_nothing(server, browser, name):
    url, _ = server
    query, counted, says = STOPS[name]
    page = new_page(browser)
    page.goto(f"{url}/?file={query}&predict=off")
    stop = page.get_by_role("button", name="Stop", exact=True).first  # (Lesson 1: one on each of its live charts)
    stop.wait_for(timeout=240_000)
    deadline = time.time() + 240
    while not [f for f in frames(page) if f["note"].startswith("Training")] and time.time() < deadline:
        time.sleep(0.05)
    stop.click()
    halted = final_frame(page)
    assert halted["note"].startswith("Stopped at") and counted in halted["note"], halted
    assert sum(halted["rows"].values()) > 0, f"the stopped chart lost its curves: {halted}"
    wait_idle(page)
    assert shown(page, says) and not shown(page, "Traceback")
    assert halted["how"] == "changed"

    # Not in the shared memo: the same setting, asked again, trains again.
    before = len(frames(page))
    train_button(page).click()
    stop.wait_for(timeout=120_000)
    deadline = time.time() + 240
    while not [f for f in frames(page)[before:] if f["note"].startswith("Training")] and time.time() < deadline:
        time.sleep(0.05)
    assert [f for f in frames(page)[before:] if f["note"].startswith("Training")], "a stopped run was served again"
    stop.click()
    final_frame(page, after=before)
    page.context.close()


def nth_live(page, n: int, timeout: float = 300):
    """The page's live chart number `n` (0: the first), once it is on the page."""
    charts = page.locator(".poisoncourse-live")
    deadline = time.time() + timeout
    while charts.count() <= n and time.time() < deadline:
        time.sleep(0.05)
    return charts.nth(n)


def run_frames(chart, after: int = 0, timeout: float = 300) -> list[dict]:
    """The frames `chart` drew past its first `after`, once the last of them is not a run's partial one."""
    deadline, run = time.time() + timeout, []
    while time.time() < deadline:
        run = chart.evaluate("e => e.poisoncourseLog || []")[after:]
        if run and not run[-1]["note"].startswith("Training"):
            break
        time.sleep(0.05)
    return run


def test_lesson2s_mnist_attack_adds_its_curves_to_the_shipped_ones_in_place(server, browser):
    # Fig. 2's chart is on the page from the opening (the shipped curves); the live attack's curves join it as
    # its poisons move, and its last frame is the result's chart.
    url, _ = server
    page = new_page(browser)
    page.goto(f"{url}/?file=lesson2_regularization.py&predict=off&mnist.steps=5&mnist.seed=3")
    mnist = nth_live(page, 1)
    opened = run_frames(mnist)
    assert opened and opened[-1]["note"] == "", f"the shipped curves were not drawn at the opening: {opened}"
    wait_idle(page)
    train_button(page, "Attack").click()
    run = run_frames(mnist, after=len(opened))
    training = [f for f in run if f["note"].startswith("Training")]
    assert training and run[-1]["note"] == "", f"the attack's curves did not move in place: {run}"
    # The first frame adds the live curves' legend (a new spec); every later one changes rows only.
    assert all(f["how"] == "changed" for f in run[1:]), run
    wait_idle(page)
    assert shown(page, "Live attack:") and not shown(page, "Traceback")
    page.context.close()


def test_lesson5s_adversarial_training_draws_robust_accuracy_as_the_networks_train(server, browser):
    # Part 2's chart (the page's second live chart): a setting nobody else asked for trains on opening, its
    # robust accuracy against C₀ redrawn in place as the networks train, then the result's own chart.
    url, _ = server
    page = new_page(browser)
    page.goto(f"{url}/?file=lesson5_lazy.py&predict=off&robust.seed=5")
    run = run_frames(nth_live(page, 1))
    training = [f for f in run if f["note"].startswith("Training")]
    assert training and run[-1]["note"] == "", f"the robust accuracy was not drawn as the networks trained: {run}"
    assert all(f["how"] == "changed" for f in run[1:]), run
    assert len({f["digest"] for f in run}) > 1, run
    wait_idle(page)
    assert not shown(page, "Traceback")
    page.context.close()
