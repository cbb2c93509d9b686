"""A page painted ahead of its live session: the flag the page kit reads while tools/firstpaint.py runs a
lesson headless to paint it.

A lesson's live page needs marimo's frontend (≈ 6.5 MB of scripts, 2–3 s to start on a 2-core laptop) and a
session that runs every cell before anything shows. A warmed server (``poisoncourse serve --warm``) paints the
page at once instead: the lesson's cells run headless, once per server, *as a student's browser would see
them* at a link's settings — the same query parameters, the questions asked with their results locked — and
the server sends that picture inside marimo's page, which replaces it when its own session has drawn.

Under :func:`painting`, the kit's three questions get the live page's answers: the link's parameters
(kit/url.py), "is a student there to answer?" yes (kit/predict.py: results locked behind their questions)
and "is a live chart there?" no (kit/livechart.py: the chart is drawn whole). A context variable, not a
global: the painting runs in a thread of the server that also runs students' sessions.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Iterator, Mapping

_PARAMS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("poisoncourse_painting", default=None)


def params() -> dict[str, str] | None:
    """The query parameters of the page being painted in this context; None when not painting."""
    found = _PARAMS.get()
    return None if found is None else dict(found)


@contextlib.contextmanager
def painting(query: Mapping[str, str]) -> Iterator[None]:
    token = _PARAMS.set(dict(query))
    try:
        yield
    finally:
        _PARAMS.reset(token)
