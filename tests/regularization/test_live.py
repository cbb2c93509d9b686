"""Lesson 2's live attack trace (issue 25), without a browser: what its live chart receives while the
attack climbs and at the end (tests/kit/test_livechart.py checks the mechanism, Lesson 3's chart)."""

from __future__ import annotations

import pandas as pd
import pytest

from poisoncourse.kit import livechart
from tests import livetools
from poisoncourse.regularization import experiment, panels
from poisoncourse.regularization import mnist as regularization_mnist

# A small map and a short attack that learns λ, so both of the trace's panels move.
CONFIG = experiment.HeatmapConfig(resolution=6, lam_values=3, attack_steps=8, learn_lam=True, device="cpu")


def live_run(step: float, frame_seconds: float = 0.25):
    chart, frames, progress = livetools.recording(panels.attack_chart, CONFIG, step=step, frame_seconds=frame_seconds,
                                                  whole=False)
    return chart, frames, experiment.run(CONFIG, progress=progress)


@pytest.fixture(scope="module")
def live():
    return live_run(step=0.375)  # every step's report is a frame


@pytest.fixture(scope="module")
def plain():
    return experiment.run(CONFIG)


def test_the_attack_sends_a_frame_of_one_spec_per_step_whose_rows_grow(live):
    chart, frames, result = live
    assert len(frames) == CONFIG.attack_steps  # steps 0 … 7; the 8th is the result
    assert all(f["spec"] == frames[0]["spec"] for f in frames)  # the front-end changes rows, never re-embeds
    assert not any(f["final"] for f in frames)  # the page says it shows a picture so far
    assert [len(f["data"]["d0"]["step"]) for f in frames] == list(range(1, CONFIG.attack_steps + 1))
    assert frames[1]["note"] == f"Training… 1 of {CONFIG.attack_steps} so far"
    # The step axis spans the whole attack from the first frame on (the chart's parameter).
    assert all(f["signals"] == {"x_hi": float(CONFIG.attack_steps)} for f in frames)


def test_frames_follow_the_clock():
    # Reports 0.125 s apart, a frame due every 0.25 s: every other step.
    assert len(live_run(step=0.125)[1]) == CONFIG.attack_steps // 2


def test_the_last_frame_is_what_a_one_shot_run_draws(live, plain):
    chart, frames, result = live
    chart.send(chart.draw(CONFIG, result), final=True)  # what LiveChart.show sends at the end of a live run
    spec, data, signals = livechart.split(panels.attack_chart(CONFIG, plain))
    assert chart.frame["final"] is True
    assert chart.frame["data"] == data and chart.frame["signals"] == signals
    assert chart.frame["spec"] == spec == frames[0]["spec"]  # the same spec as the run's frames: drawn in place
    assert len(data["d0"]["step"]) == CONFIG.attack_steps + 1


def test_the_live_hook_leaves_the_result_bit_identical(live, plain):
    _, _, result = live
    for name in ("grid", "path", "points", "boundaries"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(plain, name), check_exact=True)
    assert (result.maps == plain.maps).all() and (result.clean_errors == plain.clean_errors).all()
    assert (result.clean_error, result.poisoned_error) == (plain.clean_error, plain.poisoned_error)


def test_no_browser_no_frames_and_the_chart_stays_in_its_cell(plain):
    chart = livechart.LiveChart(panels.attack_chart, whole=False)
    assert not livechart.is_live() and chart.view() is None
    assert chart.show(CONFIG, plain).to_dict() == panels.attack_chart(CONFIG, plain).to_dict() and chart.frames == 0


# --- the live MNIST attack (Fig. 2): its curves so far, the batch being optimized as it stands ------------

MNIST = regularization_mnist.MnistPoisoningConfig(poisons=17, modes=("small", "learned"), attack_steps=3, lam_steps=2,
                                                  device="cpu")


def test_the_mnist_attack_draws_its_curves_so_far_and_ends_on_the_one_shot_rows():
    source = "shipped"
    draw = lambda config, result: panels.mnist_chart(None, result, source)  # noqa: E731
    rows = lambda config, result: panels.mnist_curves(None, result, source)  # noqa: E731
    chart, frames, progress = livetools.recording(draw, MNIST, step=0.375, frame_seconds=0.25, whole=False, rows=rows)
    result = regularization_mnist.run(MNIST, progress=progress)
    # A frame at each of the 5 steps (2 of λ alone, 3 of the attack); after the first, the live table alone.
    assert len(frames) == 5 and all(f["spec"] == frames[0]["spec"] for f in frames)
    name = next(iter(frames[1]["data"]))
    assert all(list(f["data"]) == [name] for f in frames[1:])
    poisons = [f["data"][name]["poisons"] for f in frames]
    assert poisons[:2] == [[0, 0]] * 2  # λ learned on clean data: the point at no poison moves
    assert all(p == [0, 0, 17, 17] for p in poisons[2:])  # then the batch's point, as the poisons move
    # The last frame's batch point is the run's own row at 17 poisons; the run is the one-shot run.
    last = pd.DataFrame(frames[-1]["data"][name])
    pd.testing.assert_frame_equal(last[result.table.columns].reset_index(drop=True), result.table, check_dtype=False)
    pd.testing.assert_frame_equal(result.table, regularization_mnist.run(MNIST).table, check_exact=True)
