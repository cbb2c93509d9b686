"""Live charts without a browser (issue 25): what a live chart receives while a run goes and at its
end, how often, and what a Stop leaves behind. tests/test_browser_live.py checks the page itself."""

from __future__ import annotations

import contextlib
import threading
from types import SimpleNamespace

import pandas as pd
import pytest

import poisoncourse.neurotron.charts as charts
import poisoncourse.neurotron.experiment as neurotron
from poisoncourse.kit import liveserve, livechart, memo, page
from tests import livetools

CONFIG = neurotron.NeurotronConfig.live(iterations=400, seeds=2, values=(0.0, 0.5, 2.0))  # reports at 40, 80, …, 360


def draw(config, result):
    """Lesson 3's live chart, as its page draws it."""
    return charts.log_error_curves(result.curves, value_title="θ", iterations=config.iterations)


def live_run(config=CONFIG, step=0.125, frame_seconds=0.25, stop=None):
    chart, frames, progress = livetools.recording(draw, config, step=step, frame_seconds=frame_seconds, stop=stop)
    return chart, frames, neurotron.run(config, progress=progress)


def dataset(chart) -> dict[str, list]:
    """The rows a one-shot chart carries in its spec (altair's own serialization), by column."""
    rows = next(iter(chart.to_dict()["datasets"].values()))
    return {k: [row.get(k) for row in rows] for k in dict.fromkeys(k for row in rows for k in row)}


def test_a_frame_is_the_spec_with_named_data_its_rows_and_its_parameters():
    result = neurotron.run(CONFIG)
    chart = draw(CONFIG, result)
    spec, data, signals = livechart.split(chart)
    assert spec["data"] == {"name": "d0"} and "datasets" not in spec
    assert data == {"d0": dataset(chart)}  # the rows altair would have put in the spec
    assert set(signals) == {"x_hi", "y_lo", "y_hi", "note", "attack"} and signals["x_hi"] == CONFIG.iterations
    assert all("value" not in p for p in spec["params"])  # the values travel as signals


def test_a_run_sends_frames_of_one_spec_whose_rows_grow_at_the_clocks_pace():
    # Nine partial reports, 0.125 s apart on the test's clock, a frame due every 0.25 s: the 1st, 3rd, … 9th.
    chart, frames, result = live_run(step=0.125, frame_seconds=0.25)
    assert len(frames) == 5
    assert all(f["spec"] == frames[0]["spec"] for f in frames)  # the front-end changes rows, never re-embeds
    last_iteration = [max(f["data"]["d0"]["iteration"]) for f in frames]
    assert last_iteration == sorted(last_iteration) and last_iteration[0] < last_iteration[-1] < CONFIG.iterations
    assert frames[0]["note"].startswith("Training… 40 of 400")
    assert not any(f["final"] for f in frames)  # the page says it shows a picture so far
    # Every report is a frame once the clock moves more than the frame interval between reports.
    assert len(live_run(step=0.375, frame_seconds=0.25)[1]) == 9


def test_the_last_frame_is_what_a_one_shot_run_draws():
    chart, frames, result = live_run()
    chart.send(chart.draw(CONFIG, result), final=True)  # what LiveChart.show sends at the end of a live run
    one_shot = draw(CONFIG, neurotron.run(CONFIG))
    assert chart.frame["data"] == {"d0": dataset(one_shot)}
    assert chart.frame["spec"] == frames[0]["spec"]  # the same spec as the run's frames: drawn in place
    assert chart.frame["signals"] == livechart.split(one_shot)[2]


def test_the_live_hook_leaves_the_result_bit_identical():
    _, _, live = live_run()
    plain = neurotron.run(CONFIG)
    for name in ("curves", "final", "summary"):
        pd.testing.assert_frame_equal(getattr(live, name), getattr(plain, name), check_exact=True)


class StopAfter(threading.Event):
    """A Stop pressed once the run has reported `n` times."""

    def __init__(self, n: int):
        super().__init__()
        self.calls, self.n = 0, n

    def is_set(self) -> bool:
        self.calls += 1
        return self.calls > self.n


def test_a_stopped_run_keeps_its_curves_so_far_and_is_not_stored(monkeypatch):
    store = memo.Memo(max_bytes=2**30)
    monkeypatch.setattr(memo, "MEMO", store)
    event = StopAfter(4)

    @contextlib.contextmanager
    def pressed(live):
        yield event

    monkeypatch.setattr(page, "_stoppable", pressed)

    def run(config, progress):
        return neurotron.run(config, progress=progress)

    result = page._shared("neurotron", CONFIG, run, "Training…", None, lambda c: c.iterations, 0.0,
                          livechart.LiveChart(draw))
    halt = page.stopped(result)
    # Four reports go on (40 … 160); the fifth, at 200, finds the Stop and keeps the run up to there.
    assert halt == page.Stop(200, CONFIG.iterations)
    assert 160 < result.curves.iteration.max() <= 200 and len(store) == 0  # the records up to the Stop
    assert halt.sentence("iterations") == "Stopped at 200 of 400 iterations: the curves so far."
    assert "stopped after" in page.run_stats(result).text
    # The same setting asked again runs whole, and that run is stored.
    monkeypatch.setattr(page, "_stoppable", lambda live: contextlib.nullcontext())
    again = page._shared("neurotron", CONFIG, run, "Training…", None, None, 0.0, None)
    assert page.stopped(again) is None and again.curves.iteration.max() == CONFIG.iterations and len(store) == 1


def test_where_only_the_chart_can_draw_a_partial_result_a_stop_keeps_the_chart_and_the_page_waits(monkeypatch):
    # Lessons 1, 2, 4 and 5's Part 1: a partial result holds only the chart's rows, so a stopped run is no
    # result for the page — the chart keeps the curves so far, marked, and the run is not stored.
    store = memo.Memo(max_bytes=2**30)
    monkeypatch.setattr(memo, "MEMO", store)
    event = StopAfter(4)
    monkeypatch.setattr(page, "_stoppable", lambda live: contextlib.nullcontext(event))
    chart = livechart.LiveChart(draw, whole=False, unit="iterations")

    with pytest.raises(page.Stopped) as halt:
        page._shared("neurotron", CONFIG, lambda c, p: neurotron.run(c, progress=p), "Training…", None,
                     lambda c: c.iterations, 0.0, chart)
    assert (halt.value.done, halt.value.total, len(store)) == (200, CONFIG.iterations, 0)
    assert chart.frame["final"] and chart.frame["note"] == (
        "Stopped at 200 of 400 iterations: the curves so far. " + livechart.WAITING)
    assert 160 < max(chart.frame["data"]["d0"]["iteration"]) <= 200  # the curves up to the Stop, drawn
    trained = page.Trained(CONFIG, None, halted=page.Stop(200, 400), unit=chart.unit)
    assert trained.ok and trained.result is None and "Stopped at 200 of 400 iterations" in trained.callout().text

    # Stopped before any partial result: the sentence alone, no chart.
    chart.keep(CONFIG, None, page.Stop(3, 400))
    assert chart.frame == {"note": "Stopped at 3 of 400 iterations, before a curve was drawn. " + livechart.WAITING,
                           "final": True}


def test_a_stop_seen_by_a_report_without_a_partial_keeps_the_last_partial_offered():
    offered = []
    progress = page.Progress(stop=threading.Event())
    progress(40, 400, partial=lambda: offered.append("called") or "so far")
    progress.stop.set()
    with pytest.raises(page.Stopped) as halt:
        progress(64)  # a chunk's end: no partial of its own
    assert (halt.value.done, halt.value.partial, offered) == (64, "so far", ["called"])


def test_a_student_waiting_for_a_stopped_run_runs_it_again():
    store = memo.Memo(max_bytes=2**30)
    started, waiting = threading.Event(), threading.Event()

    def stopped_run():
        started.set()
        waiting.wait(5)
        raise page.Stopped(1, 2, None)

    out = {}
    first = threading.Thread(target=lambda: out.setdefault("first", _catch(lambda: store.fetch("k", stopped_run))))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: out.setdefault("second", store.fetch("k", lambda: "whole")))
    second.start()
    waiting.set()
    first.join(5), second.join(5)
    assert isinstance(out["first"], page.Stopped) and out["second"] == "whole" and store.get("k") == "whole"


def _catch(f):
    try:
        return f()
    except page.Stopped as err:
        return err


def test_no_browser_no_frames_and_the_chart_stays_in_its_cell():
    # app.run(), the exports, the tests: nothing is live; the drawing cell shows the plain chart.
    chart = livechart.LiveChart(draw)
    assert not livechart.is_live() and chart.view() is None
    result = neurotron.run(CONFIG)
    shown = chart.show(CONFIG, result)
    assert shown.to_dict() == draw(CONFIG, result).to_dict() and chart.frames == 0


def scope(path: str, method: str = "GET", base: str = "") -> dict:
    app = SimpleNamespace(state=SimpleNamespace(base_url=base))
    return {"type": "http", "path": path, "method": method, "app": app}


@pytest.mark.parametrize("base", ["", "/user/ada/poisoncourse"])
def test_the_server_sends_the_bundle_and_takes_a_stop_under_its_base_url(base):
    import asyncio

    bundle = asyncio.run(liveserve.answer(scope(f"{base}/{liveserve.BUNDLE}", base=base)))
    assert bundle.status_code == 200 and b"vegaEmbed" in bundle.body
    assert "immutable" in bundle.headers["cache-control"] and bundle.media_type == "text/javascript"
    assert asyncio.run(liveserve.answer(scope(f"{base}/?file=lesson3_neurotron.py", base=base))) is None  # marimo's
    token, event = liveserve.register()
    assert asyncio.run(liveserve.answer(scope(f"{base}/{liveserve.STOP}{token}", "GET", base))).status_code == 404
    assert asyncio.run(liveserve.answer(scope(f"{base}/{liveserve.STOP}{token}", "POST", base))).status_code == 204
    assert event.is_set()
    liveserve.unregister(token)
    assert asyncio.run(liveserve.answer(scope(f"{base}/{liveserve.STOP}{token}", "POST", base))).status_code == 404


def test_the_results_chart_and_a_refusal_are_marked_final(monkeypatch):
    # The page tells a run's picture so far from its result by this mark (livechart.js's data-frame).
    monkeypatch.setattr(livechart, "is_live", lambda: True)
    chart = livechart.LiveChart(draw)
    chart.show(CONFIG, neurotron.run(CONFIG))
    assert chart.frame["final"] is True and chart.frame["note"] == ""
    chart.clear("Those settings cannot run.")
    assert chart.frame == {"note": "Those settings cannot run.", "final": True}
