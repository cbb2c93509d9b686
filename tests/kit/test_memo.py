"""The shared memo serves every student the result a fresh run would give them, bit for bit, once
per setting: one run for two students asking at once, a copy nobody can spoil, a bounded size."""

from __future__ import annotations

import dataclasses
import threading
import time

import marimo as mo
import pandas as pd
import pytest

import poisoncourse
import poisoncourse.lazy.experiment as lazy
import poisoncourse.neurotron.experiment as neurotron
from poisoncourse.core.errors import CourseError
from poisoncourse.kit import memo, page

SMALL = {
    "neurotron": (neurotron.run, neurotron.NeurotronConfig(iterations=200, seeds=2, values=(0.0, 1.0))),
    "lazy": (lazy.run, dataclasses.replace(lazy.LazyConfig.single_step(), values=(5.0, 7.0), n_train=100, n_test=50)),
}


def tables(result) -> dict[str, pd.DataFrame]:
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)
            if isinstance(getattr(result, f.name), pd.DataFrame)}


def assert_same_bits(a, b):
    ta, tb = tables(a), tables(b)
    assert ta and ta.keys() == tb.keys()
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=True)
        # equal values are not enough: the very bits (−0.0, NaN payloads) must match
        assert (pd.util.hash_pandas_object(ta[name], index=True).to_numpy().tobytes()
                == pd.util.hash_pandas_object(tb[name], index=True).to_numpy().tobytes()), name


@pytest.mark.parametrize("name", sorted(SMALL))
def test_a_memo_hit_equals_a_fresh_run_bit_for_bit(name):
    run, config = SMALL[name]
    store = memo.Memo()
    key = memo.key(name, config)
    first = store.fetch(key, lambda: run(config))
    hit = store.get(key)
    assert memo.served(first) is None and memo.served(hit) == memo.Hit(first.seconds)
    assert_same_bits(hit, run(config))  # a fresh run, after the memo's, gives the same tables


def test_changing_a_served_table_does_not_change_the_memo():
    run, config = SMALL["neurotron"]
    store = memo.Memo()
    key = memo.key("neurotron", config)
    first = store.fetch(key, lambda: run(config))
    pristine = first.curves.copy()
    first.curves.iloc[:, -1] = -1.0  # the page that computed it spoils its copy…
    hit = store.get(key)
    hit.curves.iloc[0, 0] = hit.curves.iloc[1, 0]  # …and so does the next one
    pd.testing.assert_frame_equal(store.get(key).curves, pristine, check_exact=True)


class _Arrivals:
    """Makes the memo's runs wait until a second caller is waiting on them: a test of two students
    asking at once then holds on any machine, however busy (no sleep that hopes to be long enough)."""

    def __init__(self, monkeypatch):
        self.arrived = threading.Event()
        arrived = self.arrived

        class Done(threading.Event):
            def wait(self, timeout=None):
                arrived.set()
                return super().wait(timeout)

        class Flight(memo._Flight):
            def __init__(self):
                super().__init__()
                self.done = Done()

        monkeypatch.setattr(memo, "_Flight", Flight)

    def hold(self) -> None:
        assert self.arrived.wait(60), "the second caller never arrived"


def test_two_students_asking_at_once_share_one_run(monkeypatch):
    store, calls, arrivals = memo.Memo(), [], _Arrivals(monkeypatch)

    def slow():
        calls.append(1)
        arrivals.hold()  # the second student is now waiting on this run
        return pd.DataFrame({"x": [1.0, 2.0]})

    out = {}
    first = threading.Thread(target=lambda: out.update(first=store.fetch(("k",), slow)))
    first.start()
    out["second"] = store.fetch(("k",), slow)  # arrives while the first run is still going
    first.join()
    assert len(calls) == 1 and store.misses == 1 and store.hits == 1
    pd.testing.assert_frame_equal(out["first"], out["second"])
    assert out["first"] is not out["second"]


def test_a_failed_run_is_not_kept_and_those_waiting_get_its_sentence(monkeypatch):
    store, arrivals, runs = memo.Memo(), _Arrivals(monkeypatch), []

    def refused():
        runs.append(1)
        if len(runs) == 1:
            arrivals.hold()
        raise CourseError("too slow; choose fewer seeds.")

    errors = []

    def ask():
        try:
            store.fetch(("k",), refused)
        except CourseError as err:
            errors.append(str(err))

    first = threading.Thread(target=ask)
    first.start()
    ask()
    first.join()
    assert errors == ["too slow; choose fewer seeds."] * 2 and len(store) == 0 and len(runs) == 1
    assert store.fetch(("k",), lambda: 7) == 7  # the next request runs again


def test_the_least_recently_used_result_goes_first_when_the_cap_is_reached():
    table = pd.DataFrame({"x": range(1000)}, dtype="float64")  # ≈ 8 kB
    size = memo.nbytes(table)
    assert 8000 <= size < 9000
    store = memo.Memo(max_bytes=int(2.5 * size))
    for name in "abc":
        store.fetch((name,), table.copy)
        if name == "b":
            store.get(("a",))  # a is used again: b is now the oldest
    assert ("a",) in store and ("c",) in store and ("b",) not in store and store.bytes <= store.max_bytes
    store.fetch(("huge",), lambda: pd.DataFrame({"x": range(10_000)}, dtype="float64"))
    assert ("huge",) not in store  # larger than the whole cap: served, not kept


def test_the_key_names_the_lesson_the_config_the_version_and_the_device(monkeypatch):
    config = SMALL["neurotron"][1]
    key = memo.key("neurotron", config)
    assert key == memo.key("neurotron", dataclasses.replace(config))
    assert key != memo.key("lazy", config)
    assert key != memo.key("neurotron", dataclasses.replace(config, seed=1))
    assert "cpu" in key or any(str(part).startswith("cuda") for part in key)
    monkeypatch.setattr(poisoncourse, "__version__", "9.9.9")
    assert key != memo.key("neurotron", config)
    assert memo.key("neurotron", {"unhashable": [1]}) is None  # not shared, still runs


def test_the_page_kit_serves_a_repeated_setting_from_the_memo_without_a_bar(monkeypatch):
    monkeypatch.setattr(memo, "MEMO", memo.Memo())
    calls = []

    @dataclasses.dataclass(frozen=True)
    class Result:
        seconds: float
        device: str

    def run(config, progress):
        calls.append(progress.bar)
        return Result(0.42, "cpu")

    form = mo.md("{steps}").batch(steps=mo.ui.number(0, 100, value=4)).form()
    first = page.attempt(form, lambda v: v["steps"], run, total=4, memo="test")
    again = page.attempt(form, lambda v: v["steps"], run, total=4, memo="test")
    unshared = page.attempt(form, lambda v: v["steps"], run, total=4)
    assert len(calls) == 2 and first.result == again.result
    shown = page.run_stats(again.result, caption="4 steps").text
    assert "from the shared memo" in shown and "computed once in 0.42 s" in shown and "retrain took" not in shown
    assert "retrain took" in page.run_stats(first.result).text
    assert "retrain took" in page.run_stats(unshared.result).text


def test_a_warm_up_fills_the_memo_with_exactly_what_the_page_asks_for(monkeypatch):
    from poisoncourse import registry
    from poisoncourse.tools import course, firstpaint, warm

    monkeypatch.setattr(memo, "MEMO", memo.Memo())
    monkeypatch.setattr(firstpaint, "PAINTINGS", {})
    report = warm.warm([registry.lesson("neurotron")])
    assert isinstance(report["neurotron"], float) and warm.WARMED.is_set()
    # Then its page painted for the first visitors (tools/firstpaint.py), from the memo: nothing run twice.
    assert isinstance(warm.PAINTED["neurotron"], float) and len(firstpaint.PAINTINGS) == len(firstpaint.QUERIES)
    assert memo.MEMO.hits > 0
    misses, hits = memo.MEMO.misses, memo.MEMO.hits
    outputs, _ = warm.load_app(course.apps_dir() / registry.lesson("neurotron").app).run()  # a student's first open
    assert memo.MEMO.misses == misses and memo.MEMO.hits > hits
    assert any("from the shared memo" in getattr(o, "text", "") for o in outputs if o is not None)


def test_serve_warm_runs_marimo_in_a_process_that_warms_first():
    from poisoncourse.tools import serve

    assert serve.marimo_command("run", "apps", warm=True)[1:] == ["-m", "poisoncourse.tools.warm", "run", "apps"]
    assert serve.marimo_command("run", "apps")[1:] == ["-m", "marimo", "run", "apps"]
