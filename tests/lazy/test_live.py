"""Lesson 5's live scaling chart (Part 1, issue 25), without a browser: what its live chart receives as
each image size finishes and at the end (tests/kit/test_livechart.py checks the mechanism)."""

from __future__ import annotations

import pandas as pd
import pytest

from poisoncourse.kit import livechart
from tests import livetools
from poisoncourse.lazy import experiment, panels

# Four image sizes (one batched computation each), small enough for a second.
CONFIG = experiment.LazyConfig.single_step(values=(4, 5, 6, 7), width=16, n_train=60, n_test=30, epochs=1)
REFERENCE = pd.DataFrame({"figure": "single_step", "width": 400, "d": [9.0, 100.0], "grad_norm": [2.0, 7.0],
                          "grad_norm_min": [1.9, 6.9], "grad_norm_max": [2.1, 7.1], "eta": [0.2, 0.02],
                          "eta_min": [0.1, 0.01], "eta_max": [0.3, 0.03], "delta_rel": [0.3, 0.1],
                          "delta_rel_min": [0.2, 0.05], "delta_rel_max": [0.4, 0.15]})


def draw(config, result):
    """Part 1's live chart, as its page draws it (with a shipped reference reaching past the run's sizes)."""
    return panels.scaling_chart(config, result, REFERENCE)


def live_run(step: float, frame_seconds: float = 0.25):
    chart, frames, progress = livetools.recording(draw, CONFIG, step=step, frame_seconds=frame_seconds, whole=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(experiment, "PARTIAL_SHARE", 1.0)  # every epoch offers its look, whatever looks cost here
        return chart, frames, panels.run_live(CONFIG, progress)


@pytest.fixture(scope="module")
def live():
    return live_run(step=0.375)


@pytest.fixture(scope="module")
def plain():
    return experiment.run(CONFIG)


def live_sizes(frame) -> list[float]:
    """The live run's d values in a frame (each panel's table is one dataset)."""
    table = frame["data"]["d0"]
    return sorted({d for d, source in zip(table["d"], table["source"]) if source == "live"})


def test_each_size_in_training_and_finished_is_a_frame_of_one_spec_whose_rows_grow(live):
    chart, frames, result = live
    # Each size's epoch (one here) is looked at as it trains — the last epoch's look is the finished size's
    # frame too (the same frame, not sent twice) — and the last size's look comes before the result.
    assert len(frames) == len(CONFIG.values)
    assert all(f["spec"] == frames[0]["spec"] for f in frames)  # the front-end changes rows, never re-embeds
    assert not any(f["final"] for f in frames)  # the page says it shows a picture so far
    assert [live_sizes(f) for f in frames] == [[16.0], [16.0, 25.0], [16.0, 25.0, 36.0], [16.0, 25.0, 36.0, 49.0]]
    assert [f["note"] for f in frames] == [f"Training… {k} of 4 so far" for k in (1, 2, 3, 4)]
    # The d axis spans the run's sizes and the reference's from the first frame on (the chart's parameters).
    assert all(f["signals"] == {"x_lo": 9.0, "x_hi": 100.0} for f in frames)


def test_the_last_frame_is_what_a_one_shot_run_draws(live, plain):
    chart, frames, result = live
    chart.send(chart.draw(CONFIG, result), final=True)  # what LiveChart.show sends at the end of a live run
    spec, data, signals = livechart.split(draw(CONFIG, plain))
    assert chart.frame["final"] is True
    assert chart.frame["data"] == data and chart.frame["signals"] == signals
    assert chart.frame["spec"] == spec == frames[0]["spec"]  # the same spec as the run's frames: drawn in place
    assert live_sizes(chart.frame) == [16.0, 25.0, 36.0, 49.0]


def test_the_live_hook_leaves_the_result_bit_identical(live, plain):
    _, _, result = live
    for name in ("models", "summary", "points", "rows"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(plain, name), check_exact=True)


def test_no_browser_no_frames_and_the_chart_stays_in_its_cell(plain):
    chart = livechart.LiveChart(draw, whole=False)
    assert not livechart.is_live() and chart.view() is None
    assert chart.show(CONFIG, plain).to_dict() == draw(CONFIG, plain).to_dict() and chart.frames == 0


# --- Part 2: adversarial training, its robust accuracy against C₀ forming epoch by epoch ---------------------

ROBUST = experiment.LazyConfig.phase(values=(1.0, 10.0), width=16, n_train=60, n_test=30, epochs=3, seeds=1,
                                     pgd_steps=2, attack_steps=2)


def robust_draw(config, result):
    return panels.robust_view(result, None, config).chart


def test_adversarial_training_sends_a_frame_of_one_spec_an_epoch_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(experiment, "PARTIAL_SHARE", 1.0)  # every epoch offers its look, whatever looks cost here
    chart, frames, progress = livetools.recording(robust_draw, ROBUST, step=0.375, whole=False)
    result = panels.run_live(ROBUST, progress)
    # One image size: a look at each epoch as the networks train (the last epoch's is the run as it ends).
    assert [f["note"] for f in frames] == [f"Training… {e} of 3 so far" for e in (1, 2, 3)]
    assert all(f["spec"] == frames[0]["spec"] for f in frames) and not any(f["final"] for f in frames)
    plain = experiment.run(ROBUST)
    for name in ("models", "summary", "rows"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(plain, name), check_exact=True)
    # The final frame, the result's chart, takes the same spec: drawn in place.
    assert livechart.split(robust_draw(ROBUST, result))[0] == frames[0]["spec"]
