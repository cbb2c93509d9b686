"""What the live-chart tests share (tests/kit/test_livechart.py and each lesson's test_live.py): a run whose
live chart keeps every frame it is sent, on a clock the test moves."""

from __future__ import annotations

from poisoncourse.kit import livechart, page


class Clock:
    """A clock a test moves: `step` seconds at each reading."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def recording(draw, config, *, step: float, frame_seconds: float = 0.25, stop=None, whole: bool = True, rows=None):
    """A live chart that records each frame put on it, and the progress callback that feeds it on a
    test's clock: (chart, frames, progress). The test runs its lesson with `progress`."""
    chart = livechart.LiveChart(draw, whole=whole, rows=rows)
    frames = []
    chart.observe(lambda change: frames.append(dict(change["new"])), names="frame")
    progress = page.Progress(live=chart, config=config, stop=stop, frame_seconds=frame_seconds, clock=Clock(step))
    return chart, frames, progress
