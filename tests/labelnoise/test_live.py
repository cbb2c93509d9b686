"""Lesson 4's live r sweep (issue 25), without a browser: what its live chart receives while the
networks train and at the end (tests/kit/test_livechart.py checks the mechanism, Lesson 3's chart)."""

from __future__ import annotations

import pandas as pd
import pytest

from poisoncourse.kit import livechart
from tests import livetools
from poisoncourse.labelnoise import experiment, panels

# Three distances, two seeds, a network small enough to train for a few epochs in a second.
CONFIG = experiment.LabelNoiseConfig(r_values=(0.0, 3.0, 8.0), seeds=2, n=60, poisons_per_class=2, n_test=30,
                                     max_epochs=5, pgd_steps=3, widths=(16, 16))


def live_run(step: float, frame_seconds: float = 0.25, share: float = 1.0, rows=None):
    """A run with a live chart on the test's clock; `share`: experiment.PARTIAL_SHARE (1: every epoch
    offers its look, whatever the looks cost on this machine)."""
    chart, frames, progress = livetools.recording(panels.live_chart, CONFIG, step=step, frame_seconds=frame_seconds,
                                                  whole=False, rows=rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(experiment, "PARTIAL_SHARE", share)
        return chart, frames, experiment.run(CONFIG, progress=progress)


@pytest.fixture(scope="module")
def live():
    return live_run(step=0.375)  # every epoch's report is a frame


@pytest.fixture(scope="module")
def plain():
    return experiment.run(CONFIG)


def test_the_networks_send_a_frame_of_one_spec_per_epoch_as_they_train(live):
    chart, frames, result = live
    assert len(frames) == result.epochs >= 3
    assert all(f["spec"] == frames[0]["spec"] for f in frames)  # the front-end changes rows, never re-embeds
    assert not any(f["final"] for f in frames)  # the page says it shows a picture so far
    assert [f["note"] for f in frames[:2]] == [f"Training… 1 of {CONFIG.max_epochs:,} so far",
                                               f"Training… 2 of {CONFIG.max_epochs:,} so far"]
    # Every frame draws every distance (all networks train together); the accuracies move as they learn.
    assert all(sorted(set(f["data"]["d0"]["r"])) == list(CONFIG.r_values) for f in frames)
    assert len({tuple(f["data"]["d0"]["mean"]) for f in frames}) > 1
    # The r axis spans the run's distances from the first frame on (the chart's parameters).
    assert {k: frames[0]["signals"][k] for k in ("r_lo", "r_hi")} == {"r_lo": 0.0, "r_hi": 8.0}


def test_frames_follow_the_clock():
    # Reports 0.125 s apart, a frame due every 0.25 s: every other epoch.
    _, frames, result = live_run(step=0.125)
    assert len(frames) == (result.epochs + 1) // 2


def test_looks_are_offered_only_while_they_cost_at_most_their_share_of_the_run():
    # A share of 0: the first epoch's look (nothing spent yet), then none — the run trains on without frames.
    _, frames, result = live_run(step=0.375, share=0.0)
    assert len(frames) == 1 and result.epochs >= 3


def test_the_last_frame_is_what_a_one_shot_run_draws(live, plain):
    chart, frames, result = live
    chart.send(chart.draw(CONFIG, result), final=True)  # what LiveChart.show sends at the end of a live run
    spec, data, signals = livechart.split(panels.live_chart(CONFIG, plain))
    assert chart.frame["final"] is True
    assert chart.frame["data"] == data and chart.frame["signals"] == signals
    assert chart.frame["spec"] == spec == frames[0]["spec"]  # the same spec as the run's frames: drawn in place


def test_the_live_hook_leaves_the_result_bit_identical(live, plain):
    _, _, result = live
    for name in ("runs", "summary"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(plain, name), check_exact=True)
    assert result.epochs == plain.epochs


def test_no_browser_no_frames_and_the_chart_stays_in_its_cell(plain):
    chart = livechart.LiveChart(panels.live_chart, whole=False)
    assert not livechart.is_live() and chart.view() is None
    assert chart.show(CONFIG, plain).to_dict() == panels.live_chart(CONFIG, plain).to_dict() and chart.frames == 0


def test_the_frames_after_the_first_send_the_sweeps_table_and_its_axis_end_alone(live):
    # The page's chart (panels.live_rows): each later frame is what drawing it whole would send, less the spec's build.
    whole = [f for f in live[1] if not f["final"]]  # (a test above sends the fixture's chart its final frame)
    _, fast, _ = live_run(step=0.375, rows=panels.live_rows)
    assert len(fast) == len(whole) >= 3 and fast[0] == whole[0]
    for w, f in zip(whole[1:], fast[1:]):
        assert f["spec"] == w["spec"] == whole[0]["spec"] and f["signals"] == w["signals"] and f["note"] == w["note"]
        assert f["data"] == w["data"]  # one table: the sweep's
