"""The page kit: what every lesson page repeats, written once.

A lesson page is prose, controls, one call and charts. The calls that every page makes the
same way live here:

    trained = page.train(train, make_config, lambda c, progress: lesson.run(c, progress=progress),
                         total=lambda c: c.iterations, default=defaults)
    config, result = trained.config, trained.result

builds the config from the Train button's values (`forms.values`: what it last applied, or before
any press the defaults or the link's; a marimo form for a run made only on request), runs it under
a progress bar (a spinner when there is no total), writes the applied values into the URL and — when the settings cannot run — stops the cell with a red
callout holding the `CourseError`'s one sentence. `page.attempt` does the same but returns the
problem instead of stopping: its cell shows `trained.callout()`, the cells that draw the result
stop themselves (``mo.stop(result is None)``) and the ones that need only the config stay.

With ``memo="<lesson>"`` (the run a pure function of the config), results are shared by every
session of the server (:mod:`poisoncourse.kit.memo`): a setting already run is served at once.

    reference = page.load(lesson.load_reference)      # .table, or .problem and .callout()
    page.run_stats(result, caption="2,000 iterations", networks=12)

Everything here runs in `app.run()`, the headless script mode and the exports; nothing needs a
browser (tests/kit/test_page.py runs it inside a tiny marimo app).
"""

from __future__ import annotations

import contextlib
import html
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import altair as alt
import marimo as mo

from poisoncourse import lesson
from poisoncourse.core.errors import CourseError
from poisoncourse.kit import forms, livechart, liveserve, url
from poisoncourse.kit.livechart import STOPPED, Stop, stopped  # noqa: F401 — the kit's names
from poisoncourse.kit import memo as shared

CANNOT_RUN = "That setting cannot run."


# -- charts: one spec per chart, not two -------------------------------------------------------
#
# marimo shows an altair chart by asking it for its notebook display (a full, validated spec
# wrapped in HTML by altair's default renderer), and, finding HTML there, throws it away and
# builds the spec a second time. This renderer hands marimo the first spec as the Vega-Lite
# document it would have sent: each chart is built once per redraw (about half its cost).
VEGA_LITE = f"application/vnd.vegalite.{alt.SCHEMA_VERSION.split('.')[0]}+json"


def _vega_lite(spec: dict, **_options) -> dict:
    return {VEGA_LITE: json.dumps(spec, allow_nan=False, default=str)}


alt.renderers.register("poisoncourse", _vega_lite)
alt.renderers.enable("poisoncourse")
NO_REFERENCE = "The reference curves cannot be shown."


# -- training: form → config → run under a progress bar → URL, or a red callout ----------------


class Progress:
    """The callback a lesson's `run` reports to: ``progress(done)`` or ``progress(done, total)``
    with `done` counted from the start (iterations, epochs, steps), so the bar shows `done`
    whatever the lesson counts. Under a spinner it does nothing.

    `every` (seconds) throttles the updates: each one resends the cell's whole output, which is
    costly once a partial chart sits under the bar (Lesson 1). The last update always goes out.
    `bar` is marimo's bar (None under a spinner), for a page's hook that adds its own subtitle.

    With a live chart (`live`, a :class:`~poisoncourse.kit.livechart.LiveChart` on a page a
    browser shows), a run may also hand its result so far: ``progress(done, partial=f)``, `f()`
    the lesson's result of the steps done (called only when a frame is due). The chart gets a frame
    at the first such call, then whenever `frame_seconds` have passed since the last frame
    (``clock``: a test's own). With `stop` (an event the page's Stop button sets), the next call
    after a Stop raises :class:`Stopped` with the result so far."""

    def __init__(self, bar=None, every: float = 0.0, *, live=None, config=None, stop=None,
                 frame_seconds: float = None, clock=time.monotonic):
        self.bar, self.every = bar, every
        self.done = 0
        self._last = float("-inf")
        self.live, self.config, self.stop = live, config, stop
        self.frame_seconds = FRAME_SECONDS if frame_seconds is None else frame_seconds
        self.clock = clock
        self._last_frame = float("-inf")
        self._partial = None  # the run's latest `partial`: a Stop seen by a plain report keeps it

    def __call__(self, done: int, total: int | None = None, partial: Callable[[], Any] | None = None) -> None:
        self._partial = partial or self._partial
        if self.stop is not None and self.stop.is_set():
            # A Stop seen by a report without its own partial (Lesson 3's end of a chunk) keeps the
            # last one offered: a lesson's `partial` reads the run's state when called, not when offered.
            raise Stopped(done, total, self._partial() if self._partial is not None else None)
        if self.live is not None and partial is not None:
            now = self.clock()
            if now - self._last_frame >= self.frame_seconds:
                self._last_frame = now
                of = f" of {total:,}" if total else ""
                self.live.send_partial(self.config, partial(), f"Training… {done:,}{of} so far")
        if self.bar is None:
            return
        now = time.monotonic()
        final = total is not None and done >= total
        if now - self._last < self.every and not final:
            return
        self._last = now
        self.bar.update(increment=done - self.done)
        self.done = done

    def note(self, subtitle: str) -> None:
        """Change the bar's subtitle (a stage's name) without moving it."""
        if self.bar is not None:
            self.bar.update(increment=0, subtitle=subtitle)


# Frames of a live chart while a run goes: at least 4 a second (issue 25), at most 5 — each costs
# the lesson's chart function, about 0.1 s on a busy 2-core CPU, taken from the run.
FRAME_SECONDS = 0.2


class Stopped(Exception):
    """A run stopped by its student: how far it got, and the lesson's result of those steps.
    Not a result of the config, so the shared memo stores nothing and a student waiting for the
    same setting starts the run again (kit/memo.py)."""

    retry = True

    def __init__(self, done: int, total: int | None, partial: Any):
        super().__init__(f"stopped at {done}")
        self.done, self.total, self.partial = done, total, partial


@dataclass(frozen=True)
class Trained:
    """What a train call gives the page: the config that ran (the `default` when the form's
    settings could not even make one), its result, and the student-facing problem, if any."""

    config: Any
    result: Any
    problem: str | None = None
    halted: Stop | None = None  # stopped by its student with nothing but the live chart's curves to keep
    unit: str = ""  # what the run's progress counts, for the Stop sentence

    @property
    def ok(self) -> bool:
        return self.problem is None

    def callout(self, what: str = CANNOT_RUN):
        """The red callout with the problem's sentence, a blue one for a run stopped before the page
        had a result, or None when the settings ran: the output of a train cell that lets the
        sections needing no result (other forms, reference charts) stay on the page."""
        if self.halted is not None:
            return mo.callout(mo.md(f"**{self.halted.where(self.unit)}.** {livechart.WAITING}"), kind="info")
        return None if self.ok else cannot_run(self.problem, what)


def cannot_run(problem: str | CourseError, what: str = CANNOT_RUN):
    """The red callout for settings that cannot run: a bold line, then the one sentence."""
    return mo.callout(mo.md(f"**{what}** {problem}"), kind="danger")


def _status(config, title: str, subtitle, total):
    text = subtitle(config) if callable(subtitle) else subtitle
    count = total(config) if callable(total) else total
    if count is None:
        return mo.status.spinner(title=title, subtitle=text), False
    return mo.status.progress_bar(total=count, title=title, subtitle=text, show_eta=True,
                                  remove_on_exit=True), True


def attempt(form, make_config: Callable[[dict], Any], run: Callable[[Any, Progress], Any], *,
            prefix: str = "", title: str = "Training…", subtitle: str | Callable | None = None,
            total: int | Callable | None = None, every: float = 0.0, default: Any = None,
            memo: str | None = None, live=None) -> Trained:
    """Make the config from the values of `form` (a Train button, or a marimo form for a run made on
    request), run it, write the values a student applied into the URL.

    `make_config(values)` turns the form's values (a fresh dict the caller may pop from) into the
    lesson's config; `run(config, progress)` runs it. `total` (a number or ``config → number``)
    gives a progress bar of that length, None a spinner; `subtitle` likewise. A `CourseError`
    from either becomes `Trained(config, None, sentence)`: never a traceback. `config` is the
    student's when it could be made (the run was refused, e.g. as too slow), else `default`.

    `memo` names the computation (the lesson's name, e.g. "neurotron") when `run` is a pure
    function of the config: its results are then shared by every session of the server through
    :mod:`poisoncourse.kit.memo` — a result already there is served at once, without a bar.

    `live` (a :class:`~poisoncourse.kit.livechart.LiveChart`, from :func:`live_chart`, or a tuple of them) gets the
    run's partial results as it goes, when a browser shows the page, and a Stop button under
    ``marimo run``: a stopped run's result is what it computed so far, marked (:func:`stopped`)
    and never stored in the memo — or, where only the chart can draw it (``whole=False``), no result
    and `Trained.halted`: the chart keeps the curves so far, `callout()` says the page waits."""
    config = default
    if isinstance(live, (tuple, list)):  # several charts of one run
        live = livechart.Together(*live)
    live = live if live is not None and livechart.is_live() else None
    try:
        refuse_bad_boxes(form)
        config = make_config(dict(forms.run_values(form)))  # an emptied number box: its default
        trained = Trained(config, _shared(memo, config, run, title, subtitle, total, every, live))
    except CourseError as err:
        trained = Trained(config, None, str(err))
        if live is not None:
            live.clear()
    except Stopped as halt:  # the live chart keeps the curves so far (`_shared`); the page, no result
        trained = Trained(config, None, halted=Stop(halt.done, halt.total), unit=live.unit if live else "")
    # Only settings that ran go into the URL, so a copied link reproduces a result, never a refusal.
    if trained.ok:
        url.write(forms.run_applied(form), prefix=prefix)
    return trained


def _shared(name, config, run, title, subtitle, total, every, live=None):
    """`run(config, progress)` under its progress bar, or the memo's copy of its result; a
    stopped run's partial result (never stored)."""

    def fresh():
        status, has_bar = _status(config, title, subtitle, total)
        with status as bar, _stoppable(live) as stop:
            return run(config, Progress(bar if has_bar else None, every, live=live, config=config, stop=stop))

    try:
        key = shared.key(name, config) if name else None
        if key is None:
            return fresh()
        found = shared.MEMO.get(key)  # a hit shows no bar
        return found if found is not None else shared.MEMO.fetch(key, fresh)
    except Stopped as halt:
        stop = Stop(halt.done, halt.total)
        if halt.partial is not None and live.whole:  # the page's result: the steps done, marked
            object.__setattr__(halt.partial, STOPPED, stop)
            return halt.partial
        live.keep(config, halt.partial, stop)  # only the chart can draw it: its curves so far
        raise


@contextlib.contextmanager
def _stoppable(live):
    """A Stop button on the live chart while the run goes — under ``marimo run`` only, where the
    server that answers the button runs the session too (kit/liveserve.py)."""
    if live is None or mo.app_meta().mode != "run":
        yield None
        return
    token, event = liveserve.register()
    live.stop_url = liveserve.STOP + token
    try:
        yield event
    finally:
        live.stop_url = ""
        liveserve.unregister(token)


def live_chart(draw: Callable[[Any, Any], Any], whole: bool = True, unit: str = "",
               rows: Callable[[Any, Any], Any] | None = None):
    """A live chart for its own cell: ``draw(config, result)`` makes its chart from a result, whole
    or partial (:mod:`poisoncourse.kit.livechart`), with a Stop button while a run goes. `whole`:
    a stopped run's partial result is a whole result of the steps done (every cell that reads the
    result draws it); else it holds only this chart's rows, and a Stop keeps the chart's curves so
    far while the page's other sections wait for a whole run. `unit`: what the run's progress
    counts, for the Stop sentence. `rows`: ``rows(config, result)``, the one table of the chart that
    a run's frames change, where its spec depends on the config alone (frames then cost that table,
    not a chart's build)."""
    return livechart.LiveChart(draw, whole=whole, unit=unit, rows=rows)


def refuse_bad_boxes(form) -> None:
    """A number box typed outside its range (or a fraction where a whole number is needed) is
    refused with the same kind of sentence a link's bad value gets, never silently clamped."""
    problems = forms.box_problems(form)
    if problems:
        raise CourseError(" ".join(problems))


def train(form, make_config, run, **options) -> Trained:
    """`attempt`, then stop the cell — and every cell that reads its result — with the red
    callout when the settings cannot run."""
    trained = attempt(form, make_config, run, **options)
    mo.stop(trained.result is None, trained.callout())
    return trained


# -- a shipped reference table: the table, or a warning with its sentence ----------------------


@dataclass(frozen=True)
class Shipped:
    """A shipped reference as a page shows it: its `table` and sidecar `meta`, or None and the
    `problem` (one sentence) when the file is missing or altered — reported, never drawn."""

    table: Any
    meta: dict | None = None
    problem: str | None = None

    def callout(self, what: str = NO_REFERENCE):
        """The yellow callout naming the problem, or None when the table loaded."""
        if self.problem is None:
            return None
        return mo.callout(mo.md(f"**{what}** {self.problem}"), kind="warn")

    def show(self, draw: Callable[[Any], Any], what: str = NO_REFERENCE, once: str | None = None):
        """`draw(table)`, or the callout when there is no table.

        `once` (a name for the drawing, with any setting it depends on): the drawing is made once per
        server process and every later visitor gets the same output, already rendered (issue 25: opening
        a lesson sends what exists). It is kept under that name and the table's checksum, so a changed
        file is drawn afresh."""
        if self.table is None:
            return self.callout(what)
        if once is None:
            return draw(self.table)
        return _drawn_once((once, (self.meta or {}).get("sha256")), lambda: draw(self.table))

    def note(self, what: str = NO_REFERENCE):
        """The callout, or an empty line (for a `vstack`) when the table loaded."""
        return self.callout(what) or mo.md("")


_DRAWN: dict = {}
_DRAWN_LOCK = threading.Lock()
_DRAWN_MAX = 64  # a few drawings per lesson; more means a key holds a setting it should not


def _drawn_once(key, draw: Callable[[], Any]):
    """`draw()` rendered to HTML once per process (altair's spec built and serialized once), then shared.
    Two first visitors at once may both draw it: the same output, kept once."""
    with _DRAWN_LOCK:
        found = _DRAWN.get(key)
    if found is not None:
        return found
    out = mo.as_html(draw())
    with _DRAWN_LOCK:
        if len(_DRAWN) < _DRAWN_MAX:
            _DRAWN.setdefault(key, out)
    return out


def load(loader: Callable[[], lesson.Reference]) -> Shipped:
    """Call the lesson's `load_reference` and keep its `CourseError` as a sentence."""
    try:
        loaded = loader()
    except CourseError as err:
        return Shipped(None, problem=str(err))
    return Shipped(loaded.table, loaded.meta)


# -- the statistics row above a live chart ------------------------------------------------------


def run_stats(result, *, caption: str | None = None, networks: int | None = None,
              networks_caption: str = "one batched computation", extra=()):
    """What the run cost — "retrain took · ran on · networks trained together" — as one line of small
    print (issue 26: the cost is not the student's result, so it no longer fills a row of large figures),
    then any `extra` `mo.stat`s (the run's results), then the result's warnings (if it has `.warnings`) as
    yellow callouts. A result served from the shared memo says so, with the seconds its one real run took."""
    hit, halt = shared.served(result), stopped(result)
    if halt is not None:
        took = f"stopped after <b>{result.seconds:.2f} s</b> (at {halt.done:,}" + (
            f" of {halt.total:,})" if halt.total else ")")
    elif hit is None:
        took = f"retrain took <b>{result.seconds:.2f} s</b>" + (f" ({html.escape(caption)})" if caption else "")
    else:
        took = (f"this result came <b>from the shared memo</b> (computed once in {hit.seconds:.2f} s"
                + (f", {html.escape(caption)})" if caption else ")"))
    parts = [took, f"ran on <b>{html.escape(str(result.device))}</b>"]
    if networks is not None:
        parts.append(f"networks trained together: <b>{networks:,}</b> ({html.escape(networks_caption)})")
    # Beside the result's own figures (a narrow column of small print), so that it adds no height.
    width = "max-width:22rem;" if extra else ""
    line = mo.Html(f'<p class="{COST_CLASS}" style="font-size:0.85rem;color:#57534e;margin:0;{width}">'
                   + " · ".join(parts) + "</p>")
    row = mo.hstack([*extra, line], justify="start", align="center", gap=2) if extra else line
    notes = warnings(result)
    return mo.vstack([row, *notes]) if notes else row


COST_CLASS = "poisoncourse-cost"


def warnings(result) -> list:
    """The result's warnings (runs cut short, diverged curves) as yellow callouts."""
    return [mo.callout(mo.md(w), kind="warn") for w in getattr(result, "warnings", ())]
