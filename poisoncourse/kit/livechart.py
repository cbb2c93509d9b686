"""Live charts: embedded once in the page, then fed new rows while a run goes (issue 25).

A lesson's chart of a training run used to be rebuilt and embedded again by every cell rerun — a
blink, and a lost zoom — and only once the run had ended. A :class:`LiveChart` is an anywidget
made in a cell of its own, which never reruns, so its element stays on the page; what changes is
its model's ``frame`` (the chart's Vega-Lite spec without data, its rows by column, the values of
its variable parameters), and its front-end (livechart.js) applies a frame with the same spec as
a Vega change set: rows replaced in place. The page kit (kit/page.py) feeds it partial results
from the run's progress callback, a few frames a second, then the final result — drawn by the
same function, so the last frame is what a one-shot run draws.

Where no browser holds the page (the static export and notebooks run it headless, `app.run()`,
the tests), nothing is live: :meth:`LiveChart.view` is None, the progress callback draws nothing,
and :meth:`LiveChart.show` returns the plain chart for its cell, as before.

    curves = page.live_chart(lambda config, result: charts.curves(result.curves))  # its own cell
    curves.view()
    trained = page.attempt(..., live=curves)     # the train cell: frames while it runs, and Stop
    curves.show(config, result)                  # the cell that draws the result: the last frame

The train cell stands below the view's cell in the app's file: marimo runs the cells that are ready in
file order, so the chart is on the page before the first run starts and a page that opens training
shows its frames (and its Stop button) too.
"""

from __future__ import annotations

import math
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable

import altair as alt
import anywidget
import marimo as mo
import numpy as np
import pandas as pd
import traitlets

from . import liveserve, paint

ESM = Path(__file__).with_name("livechart.js")
NAMED = "d"  # the datasets of a frame are d0, d1, … in the order the spec names them


def is_live() -> bool:
    """Whether a browser shows this page through a marimo server (``marimo run`` or ``edit``).

    ``marimo export`` runs a notebook in edit mode too, but for no browser: a session's HTTP
    request is what tells them apart (None when exporting). A painted page (kit/paint.py) draws its charts
    whole: the live chart is its session's."""
    if paint.params() is not None:
        return False
    meta = mo.app_meta()
    if meta.mode not in ("run", "edit"):
        return False
    try:
        return meta.request is not None
    except Exception:  # noqa: BLE001 — no request context: not a browser's session
        return False


def columns(frame: pd.DataFrame) -> dict[str, list]:
    """A table as {column: values}, sanitized as altair sends it (NaN → null, categories → text)."""
    clean = alt.utils.sanitize_pandas_dataframe(frame.reset_index(drop=True))
    return {str(c): [_json(v) for v in clean[c].tolist()] for c in clean.columns}


def _json(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _json(value.item())
    return value


def _rename(node, names: dict[str, str]):
    """The spec with every ``{"name": <altair's dataset>}`` pointing at its positional name."""
    if isinstance(node, dict):
        if set(node) == {"name"} and node["name"] in names:
            return {"name": names[node["name"]]}
        return {k: _rename(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(v, names) for v in node]
    return node


def split(chart) -> tuple[dict, dict[str, dict[str, list]], dict[str, Any]]:
    """An altair chart as a frame's three parts: the spec with named, empty data; each dataset's
    rows by column; the values of its variable parameters (top-level params with a value, not bound
    to an input, not a selection), which the front-end sets as signals.

    A chart whose data is one table at its top (most of the course's) skips serializing the rows
    into the spec: the table goes column by column, the spec is built with a name in its place."""
    if isinstance(chart.data, pd.DataFrame):
        table = chart.data
        spec = chart.copy(deep=False)
        spec.data = alt.NamedData(name=f"{NAMED}0")
        spec = spec.to_dict(validate=False)
        data = {f"{NAMED}0": columns(table)}
    else:
        spec = chart.to_dict(validate=False)
        datasets = spec.pop("datasets", {})
        names = {old: f"{NAMED}{i}" for i, old in enumerate(datasets)}
        spec = _rename(spec, names)
        data = {names[old]: _records_to_columns(rows) for old, rows in datasets.items()}
    signals = {}
    for param in spec.get("params", []):
        if "value" in param and not {"bind", "select"} & set(param):
            signals[param["name"]] = param.pop("value")
    return spec, data, signals


def _records_to_columns(rows: list[dict]) -> dict[str, list]:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return {k: [row.get(k) for row in rows] for k in keys}


@dataclass(frozen=True)
class Stop:
    """How far a stopped run got (on its result, as :func:`stopped` reads it)."""

    done: int
    total: int | None

    def where(self, unit: str = "") -> str:
        of = f" of {self.total:,}" if self.total else ""
        return f"Stopped at {self.done:,}{of}{' ' + unit if unit else ''}"

    def sentence(self, unit: str = "", drawn: bool = True) -> str:
        return f"{self.where(unit)}: the curves so far." if drawn else f"{self.where(unit)}, before a curve was drawn."

    def waiting(self, unit: str = "", drawn: bool = True) -> str:
        """The sentence where the page's other sections need a whole run (a chart-only partial result)."""
        return f"{self.sentence(unit, drawn)} {WAITING}"


WAITING = "The sections below need the whole run: press Train to run it."


STOPPED = "_poisoncourse_stopped"


def stopped(result) -> Stop | None:
    """The Stop when `result` is a stopped run's partial result, None for a whole run."""
    return getattr(result, STOPPED, None)


class LiveChart(anywidget.AnyWidget):
    """One chart of a page that stays embedded while its data change (see the module's notes)."""

    _esm = ESM.read_text(encoding="utf-8")
    frame = traitlets.Dict().tag(sync=True)  # {spec, data, signals, note, final}
    stop_url = traitlets.Unicode("").tag(sync=True)  # while a run can be stopped: its Stop request
    bundle = traitlets.Unicode(liveserve.BUNDLE).tag(sync=True)

    def __init__(self, draw: Callable[[Any, Any], Any], whole: bool = True, unit: str = "",
                 rows: Callable[[Any, Any], pd.DataFrame] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.draw = draw  # (config, result) → altair chart: every frame, partial or final
        # (config, result) → the one table of the chart that a run's frames change (the rest of its data and
        # its spec depend on the config alone), or (table, {parameter: value}) where parameters follow the
        # rows. Building an altair chart and its spec costs about a tenth of a second, taken from the run
        # with every frame (Lesson 1's default sweep: 6.4 s alone, 10.5 s with whole frames, 6.8 s with
        # `rows`): with it, a run's later frames reuse its first frame's spec and send this table.
        self.rows = rows
        self._fast = None  # (config, spec, the table's dataset name, signals) of the run's first frame
        # Whether a stopped run's partial result is a whole result of the steps done, which every cell that
        # reads the result can draw (Lesson 3's trajectories so far), so the page takes it as its result.
        # Else it holds only what this chart needs (Lesson 1's accuracy of the widths done): a Stop keeps
        # the chart's curves so far, and the sections that need the whole run wait for the next one.
        self.whole = whole
        self.unit = unit  # what the run's progress counts ("epochs"), for the Stop sentence
        self.frames = 0  # frames sent (the tests count them)

    def view(self):
        """The widget for its own cell in the live course; None in a static copy."""
        return mo.ui.anywidget(self) if is_live() else None

    def send(self, chart, note: str = "", final: bool = False) -> None:
        """Put `chart` on the page: its rows in place when its spec is the one drawn. `final`: the
        result's own chart, not a run's picture so far (the page marks which it shows)."""
        spec, data, signals = split(chart)
        self.frame = {"spec": spec, "data": data, "signals": signals, "note": note, "final": final}
        self.frames += 1

    def send_partial(self, config, partial, note: str) -> None:
        """A frame of a run so far: drawn whole the first time for a config, then — where the chart's
        `rows` were found among the first frame's datasets — that table alone under the same spec."""
        fast = self._fast
        if fast is not None and fast[0] == config:
            _, spec, name, signals = fast
            table, moved = self._rows(config, partial)
            self.frame = {"spec": spec, "data": {name: columns(table)}, "signals": {**signals, **moved},
                          "note": note, "final": False}
            self.frames += 1
            return
        self.send(self.draw(config, partial), note)
        if self.rows is not None:
            # Found, not assumed: the dataset whose rows are exactly the table, and signals as drawn (else
            # every frame is drawn whole).
            table, moved = self._rows(config, partial)
            table, sent = columns(table), self.frame
            name = next((n for n, rows in sent["data"].items() if rows == table), None)
            same = all(sent["signals"].get(k) == v for k, v in moved.items())
            self._fast = None if name is None or not same else (config, sent["spec"], name, sent["signals"])

    def _rows(self, config, partial) -> tuple[pd.DataFrame, dict]:
        """`rows`' table, and the values of the chart's parameters that follow the rows (an axis's end), if it gives them."""
        got = self.rows(config, partial)
        return got if isinstance(got, tuple) else (got, {})

    def show(self, config, result, note: str = ""):
        """The final frame: the result drawn as a one-shot run draws it. Returns what the drawing
        cell shows there: nothing in the live course (the chart is in its own cell), else the chart.
        A stopped run's partial result is labelled as such above the chart."""
        chart = self.draw(config, result)
        if not is_live():
            return chart
        halt = stopped(result)
        self.send(chart, note or (halt.sentence(self.unit) if halt else ""), final=True)
        return mo.Html("")

    def keep(self, config, partial, halt: Stop) -> None:
        """A stopped run whose partial result only this chart can draw: its curves so far as the last
        frame, saying the rest of the page waits (no partial yet: the sentence alone)."""
        if partial is None:
            self.clear(halt.waiting(self.unit, drawn=False))
        else:
            self.send(self.draw(config, partial), halt.waiting(self.unit), final=True)

    def clear(self, note: str = "") -> None:
        """No chart (a refused setting): the note alone."""
        self.frame = {"note": note, "final": True}


class Together:
    """Several live charts fed by one run (Lesson 1: accuracy against width, and the training curves at the
    highlighted width): each frame, Stop and refusal goes to every one. Its charts take the same partial
    result; a Stop button shows on each."""

    def __init__(self, *charts: LiveChart):
        self.charts = charts
        self.unit = charts[0].unit
        self.whole = all(c.whole for c in charts)

    @property
    def stop_url(self) -> str:
        return self.charts[0].stop_url

    @stop_url.setter
    def stop_url(self, value: str) -> None:
        for c in self.charts:
            c.stop_url = value

    def send_partial(self, config, partial, note: str) -> None:
        for c in self.charts:
            c.send_partial(config, partial, note)

    def keep(self, config, partial, halt: Stop) -> None:
        for c in self.charts:
            c.keep(config, partial, halt)

    def clear(self, note: str = "") -> None:
        for c in self.charts:
            c.clear(note)
