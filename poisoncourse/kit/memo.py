"""The shared memo: one bounded, process-wide store of lesson results, shared by every student.

Under ``marimo run`` every browser session is a thread of one server process, and a seeded
config gives the same result whoever asks: the first student to open a lesson (or to ask for a
setting) pays for the run, the others get it at once. The memo is

* keyed on the computation's name (the lesson's, e.g. "neurotron"), its validated config (a
  frozen dataclass, hashable), the course version and the device it runs on;
* least-recently-used, with a cap on the memory its results take (estimated from their tables
  and arrays; ``POISONCOURSE_MEMO_MB``, default 512, 0 turns it off);
* thread-safe and single-flight: a second student asking for a setting that is being computed
  waits for that run instead of starting another;
* copy-out: every caller gets its own deep copy, so a page that changes a table it was given
  cannot change what the next student sees.

    result, hit = MEMO.fetch(key("neurotron", config), lambda: neurotron.run(config))
    served(result)   # the Hit (original compute time), or None for a fresh run

Only CPU-side results are worth sharing here; the results of this course are tidy tables.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable

import numpy as np
import pandas as pd

MEMO_MB_ENV = "POISONCOURSE_MEMO_MB"
DEFAULT_MB = 512
_MARK = "_poisoncourse_memo_hit"


@dataclass(frozen=True)
class Hit:
    """How a result was served from the memo: the seconds its one real run took."""

    seconds: float


def nbytes(value: Any, _seen: set | None = None) -> int:
    """A rough size of a result in bytes: its tables' and arrays' data, plus a little per object."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, pd.DataFrame | pd.Series):
        return int(value.memory_usage(deep=True).sum() if isinstance(value, pd.DataFrame)
                   else value.memory_usage(deep=True))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if "torch" in sys.modules and isinstance(value, sys.modules["torch"].Tensor):
        return int(value.element_size() * value.nelement())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(nbytes(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return 64 + sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return 56 + sum(nbytes(v, seen) for v in value)
    return sys.getsizeof(value)


def cap_bytes() -> int:
    try:
        return max(0, int(float(os.environ.get(MEMO_MB_ENV, DEFAULT_MB)) * 2**20))
    except ValueError:
        return DEFAULT_MB * 2**20


class _Flight:
    """A run in progress: the others asking for its key wait on `done`."""

    def __init__(self):
        self.done = threading.Event()
        self.error: BaseException | None = None


class Memo:
    """A thread-safe, single-flight, least-recently-used store with a byte cap."""

    def __init__(self, max_bytes: int | None = None):
        self.max_bytes = cap_bytes() if max_bytes is None else max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int, float]] = OrderedDict()  # key -> (value, bytes, s)
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = self.hits = self.misses = 0

    def get(self, key) -> Any | None:
        """A copy of the stored result (marked as a hit), or None — never waits, never computes."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return _served_copy(entry[0], entry[2])

    def fetch(self, key, compute: Callable[[], Any]) -> Any:
        """The result for `key`: a copy of the stored one, or — when another thread is computing
        it — a copy of that run's result once it ends, or else `compute()`'s, which is stored.
        A run that raises stores nothing; the threads waiting for it get the same error (or,
        for an error marked ``retry = True``, such as a stopped run, run it themselves)."""
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    break
                flight = self._flights.get(key)
                mine = flight is None
                if mine:
                    flight = self._flights[key] = _Flight()
                    self.misses += 1
            if mine:
                return self._run(key, flight, compute)
            flight.done.wait()
            if flight.error is not None and not getattr(flight.error, "retry", False):
                raise flight.error
            # A run that was stopped (an error marked `retry`, kit/page.py's Stopped) is no
            # answer for the others: they loop and one of them runs it.
            # the run ended: loop to read what it stored (or to compute, if it was too big to keep)
        return _served_copy(entry[0], entry[2])

    def _run(self, key, flight: _Flight, compute) -> Any:
        start = time.perf_counter()
        try:
            value = compute()
        except BaseException as err:
            with self._lock:
                self._flights.pop(key, None)
            flight.error = err
            flight.done.set()
            raise
        seconds = float(getattr(value, "seconds", time.perf_counter() - start))
        size = nbytes(value)
        with self._lock:  # stored and landed in one step: nobody arriving now starts the run again
            if size <= self.max_bytes:
                self._entries[key] = (value, size, seconds)
                self.bytes += size
                while self.bytes > self.max_bytes:
                    _, (_, dropped, _) = self._entries.popitem(last=False)
                    self.bytes -= dropped
            self._flights.pop(key, None)
        flight.done.set()
        return copy.deepcopy(value)  # the caller may change its copy; the stored one stays as computed


def _served_copy(value, seconds: float):
    out = copy.deepcopy(value)
    try:
        object.__setattr__(out, _MARK, Hit(seconds))  # works on frozen dataclasses too
    except (AttributeError, TypeError):  # a value without attributes (a bare table) goes unmarked
        pass
    return out


def served(result) -> Hit | None:
    """The Hit when `result` came from the memo, None when it was computed for this caller."""
    return getattr(result, _MARK, None)


def device_name(config) -> str:
    """The device a config's run would use (part of the key: CPU and GPU sums may differ in the
    last bits)."""
    from ..core.device import pick_device

    return str(pick_device(getattr(config, "device", None)))


def key(name: str, config) -> tuple | None:
    """The memo key of lesson computation `name` on `config`, or None when the config cannot be a
    key (not hashable) — such a run is simply not shared."""
    from .. import __version__

    try:
        hash(config)
    except TypeError:
        return None
    return (name, type(config).__module__, type(config).__qualname__, config, __version__, device_name(config))


MEMO = Memo()
