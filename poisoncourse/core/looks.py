"""Looks at a run in progress, for a live chart (kit/livechart.py), paid for from the run's own time.

A look evaluates the networks as they stand (an attack on some test points) and draws the frame: on a
CPU it can cost as much as an epoch of training. :class:`Looks` reports each epoch to the page's
``progress``, offering a look only while the looks so far have taken at most `share` of the time since
training began — a live run then takes at most about 1 / (1 − share) of a plain one's time (Lessons 4
and 5 measured twice a plain run's time without the bound)."""

from __future__ import annotations

import time
from typing import Any, Callable


class Looks:
    """``progress(epoch, epochs)`` for :func:`~poisoncourse.core.nets.train`: reports ``(offset + epoch,
    total)`` to the lesson's `progress`, with ``partial=lambda: look(epoch)`` while looks have cost at
    most `share` of the time since training began (``total`` None: ``offset + epochs``)."""

    def __init__(self, progress, look: Callable[[int], Any], share: float, offset: int = 0, total: int | None = None):
        self.progress, self.look, self.share = progress, look, share
        self.offset, self.total = offset, total
        self.start, self.spent = time.perf_counter(), 0.0

    def __call__(self, epoch: int, epochs: int) -> None:
        now = time.perf_counter()
        done, total = self.offset + epoch, self.total if self.total is not None else self.offset + epochs
        if self.spent > self.share * (now - self.start):
            self.progress(done, total)
            return
        self.progress(done, total, partial=lambda: self.look(epoch))
        self.spent += time.perf_counter() - now
