"""An interrupted reference sweep resumes where it stopped (issue 17: Lesson 2's paper protocol
runs for hours; it can be made a few hours at a time)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from poisoncourse.lesson import ReferenceTable, tabulate
from poisoncourse.core import reference
from poisoncourse.tools import sweep


@dataclass(frozen=True)
class Step:
    k: int


@dataclass(frozen=True)
class Ran:
    value: float
    seconds: float = 0.0
    device: str = "cpu"


def fake_table(ran: list, stop_at: int | None = None, version: int = 1) -> ReferenceTable:
    def run(config):
        if config.k == stop_at:
            raise KeyboardInterrupt  # the job is killed during this configuration
        ran.append(config.k)
        return Ran(config.k ** 0.5)

    def configs(seeds, quick):
        return [Step(k) for k in range(5)]

    def table(items, progress=None):
        return tabulate(items, run, lambda c, r: pd.DataFrame({"k": [c.k], "root": [r.value]}), progress)

    return ReferenceTable("fake", version, "poisoncourse sweep fake", 1, configs, table, lambda c: f"k = {c.k}")


def test_an_interrupted_sweep_resumes_without_rerunning_what_finished(tmp_path):
    first: list = []
    with pytest.raises(KeyboardInterrupt):
        sweep.sweep(fake_table(first, stop_at=3), {}, seeds=None, quick=False, out=tmp_path)
    assert first == [0, 1, 2] and not (tmp_path / "fake.csv").exists()
    assert len(list((tmp_path / ".parts" / "fake").glob("*.pkl"))) == 3

    second: list = []
    sweep.sweep(fake_table(second), {}, seeds=None, quick=False, out=tmp_path)
    assert second == [3, 4]  # only what the interrupted run had not finished
    resumed, _ = reference.load("fake", lesson_version=1, command="poisoncourse sweep fake", folder=tmp_path)

    whole: list = []
    sweep.sweep(fake_table(whole), {}, seeds=None, quick=False, out=tmp_path / "whole")
    assert whole == [0, 1, 2, 3, 4]
    uninterrupted, _ = reference.load("fake", lesson_version=1, command="poisoncourse sweep fake",
                                      folder=tmp_path / "whole")
    pd.testing.assert_frame_equal(resumed, uninterrupted)
    assert not (tmp_path / ".parts" / "fake").exists()  # saved: the parts are gone


def test_parts_of_another_lesson_version_or_a_fresh_run_are_not_reused(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        sweep.sweep(fake_table([], stop_at=2), {}, seeds=None, quick=False, out=tmp_path)
    bumped: list = []
    with pytest.raises(KeyboardInterrupt):
        sweep.sweep(fake_table(bumped, stop_at=4, version=2), {}, seeds=None, quick=False, out=tmp_path)
    assert bumped == [0, 1, 2, 3]  # version 1's parts do not count for version 2
    fresh: list = []
    sweep.sweep(fake_table(fresh), {}, seeds=None, quick=False, out=tmp_path, fresh=True)
    assert fresh == [0, 1, 2, 3, 4]
