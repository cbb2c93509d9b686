"""The page kit does what every lesson page needs, without a browser: the train call runs the
config under a progress bar and turns a bad setting into one red sentence; a missing reference
becomes a yellow one; the statistics row says what ran where."""

from dataclasses import dataclass

import marimo
import altair as alt
import marimo as mo
import pandas as pd

from poisoncourse.core.errors import CourseError
from poisoncourse import lesson
from poisoncourse.kit import page


@dataclass(frozen=True)
class Result:
    seconds: float
    device: str
    steps: int
    warnings: tuple = ()


def make_config(values):
    if values["steps"] < 0:
        raise CourseError(f"steps is {values['steps']}; choose 0 or more.")
    return values


def run(config, progress):
    for t in range(1, config["steps"] + 1):
        progress(t, config["steps"])
    return Result(0.25, "cpu", progress.done)


def lesson_app(steps, monkeypatch):
    """A tiny lesson: a form, the kit's train call, and a cell that reads its result. marimo
    compiles each cell on its own, so the cells import what they use; the test's setting
    reaches them through the environment."""
    monkeypatch.setenv("PAGE_TEST_STEPS", str(steps))
    app = marimo.App()

    @app.cell
    def _():
        import os

        import marimo as mo

        from poisoncourse.kit import page
        from tests.kit.test_page import make_config, run

        form = mo.md("{steps}").batch(steps=mo.ui.number(-10, 100, value=int(os.environ["PAGE_TEST_STEPS"]))).form()
        return form, make_config, page, run

    @app.cell
    def _(form, make_config, page, run):
        trained = page.train(form, make_config, run, total=lambda c: c["steps"], default={"steps": 0})
        return (trained,)

    @app.cell
    def _(trained):
        after = trained.result.steps
        return (after,)

    return app


def text(output) -> str:
    return getattr(output, "text", str(output))


def test_train_runs_the_forms_settings_to_the_end(monkeypatch):
    _, defs = lesson_app(5, monkeypatch).run()
    assert defs["trained"].ok and defs["trained"].config == {"steps": 5}
    assert defs["after"] == 5  # the progress callback saw every step, counted from the start


def test_a_setting_that_cannot_run_stops_the_page_with_one_red_sentence(monkeypatch):
    outputs, defs = lesson_app(-3, monkeypatch).run()
    assert "trained" not in defs and "after" not in defs  # the result's readers do not run
    shown = text(outputs[1])
    assert "That setting cannot run." in shown and "steps is -3; choose 0 or more." in shown
    assert "Traceback" not in shown


def test_attempt_returns_the_problem_and_the_default_instead_of_stopping():
    form = mo.md("{steps}").batch(steps=mo.ui.number(-10, 100, value=-1)).form()
    trained = page.attempt(form, make_config, run, default="defaults")
    assert not trained.ok and trained.config == "defaults" and trained.result is None
    assert "choose 0 or more" in trained.problem


def test_a_spinner_gives_a_silent_progress():
    form = mo.md("{steps}").batch(steps=mo.ui.number(0, 100, value=4)).form()
    trained = page.attempt(form, make_config, run)  # no total: a spinner, progress counts nothing
    assert trained.ok and trained.result.steps == 0


class FakeBar:
    def __init__(self):
        self.current, self.updates, self.subtitle = 0, 0, None

    def update(self, increment=1, subtitle=None):
        self.current += increment
        self.updates += 1
        self.subtitle = subtitle or self.subtitle


def test_progress_counts_from_the_start_and_throttles_all_but_the_last_update():
    bar = FakeBar()
    progress = page.Progress(bar, every=3600.0)
    for t in range(1, 101):
        progress(t, 100)
    assert bar.current == 100 and bar.updates == 2  # the first and the final update only
    progress.note("stage 2")
    assert bar.subtitle == "stage 2" and bar.current == 100


def test_progress_without_a_total_follows_every_count():
    bar = FakeBar()
    progress = page.Progress(bar)
    for t in (10, 20, 35):
        progress(t)
    assert bar.current == 35 and progress.done == 35


def test_a_missing_reference_is_a_yellow_sentence_not_an_error():
    def broken():
        raise CourseError("data/reference/x.csv is missing; run `poisoncourse reference x` to make it.")

    ref = page.load(broken)
    assert ref.table is None and "is missing" in ref.problem
    shown = text(ref.show(lambda table: mo.md("drawn")))
    assert "The reference curves cannot be shown." in shown and "is missing" in shown
    assert "The reference runs cannot be shown." in text(ref.callout("The reference runs cannot be shown."))


def test_a_loaded_reference_is_drawn():
    ref = page.load(lambda: lesson.Reference([1, 2, 3], {"rows": 3}))
    assert ref.table == [1, 2, 3] and ref.meta == {"rows": 3} and ref.problem is None and ref.callout() is None
    assert "drawn 3" in text(ref.show(lambda table: mo.md(f"drawn {len(table)}")))
    assert text(ref.note()) == text(mo.md(""))


def test_a_drawing_named_once_is_made_once_per_process_and_again_for_a_changed_file():
    # Issue 25's "open at once": a shipped reference's charts depend on no student's setting, so every
    # visitor after the first gets the output already rendered.
    calls = []

    def draw(table):
        calls.append(len(table))
        return alt.Chart(pd.DataFrame({"x": table})).mark_point().encode(x="x:Q")

    first, again = (page.load(lambda: lesson.Reference([1, 2, 3], {"sha256": "aa"})) for _ in range(2))
    one, two = first.show(draw, once="test.points"), again.show(draw, once="test.points")
    assert calls == [3] and text(one) == text(two) and "vega" in text(one)
    changed = page.load(lambda: lesson.Reference([1, 2, 3, 4], {"sha256": "bb"}))
    changed.show(draw, once="test.points")
    assert calls == [3, 4]  # another file: drawn afresh
    first.show(draw)
    assert calls == [3, 4, 3]  # without a name: drawn every time


def test_run_stats_say_how_long_where_and_how_many():
    row = text(page.run_stats(Result(1.234, "cuda:0", 3, ("Stopped early: 3 of 5 seeds.",)),
                              caption="2,000 iterations", networks=12,
                              extra=[mo.stat("0.99", label="clean test accuracy")]))
    for part in ("1.23 s", "retrain took", "2,000 iterations", "cuda:0", "ran on", "12",
                 "networks trained together", "clean test accuracy", "Stopped early: 3 of 5 seeds."):
        assert part in row
    assert "networks trained together" not in text(page.run_stats(Result(1.0, "cpu", 0)))


def test_a_chart_reaches_marimo_as_one_vega_lite_spec_equal_to_altairs():
    import json

    import altair as alt
    import pandas as pd
    from marimo._output import formatting
    from marimo._output.formatters.formatters import register_formatters

    register_formatters()
    chart = alt.Chart(pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, float("nan")]})).mark_line().encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"))
    shown = formatting.try_format(chart)
    assert shown.mimetype == page.VEGA_LITE
    assert json.loads(shown.data) == json.loads(chart.to_json(validate=True))  # NaN became null, as altair makes it
