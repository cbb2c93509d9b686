"""Lesson 1's panels: the width sweep's and the convex warm-up's forms, and what the page runs
and draws with them — the live sweep with its accuracy curve drawn as the widths finish, the shipped
sweep's panels and the live budget curves.

Each control's name is its URL key (``?flip_prob=0.3``, ``?convex.lam=0.03``): shared links
depend on these names, so renaming one breaks them (tests/width/test_panels.py pins them).

The width sweep is the course's longest live run, so while it trains the page's live chart
(kit/livechart.py) shows every network's accuracy so far — the finished widths' and, for the widths
in training, early stopping's pick among the evaluations made — a few frames a second: the chart
stays embedded and takes the new rows, and the run's last frame is the chart a one-shot run draws
(:func:`accuracy_chart` draws both).
"""

from __future__ import annotations

from dataclasses import dataclass

import functools

import altair as alt
import pandas as pd
import marimo as mo

from ..core import params
from ..core.charts import THIRD_WIDTH
from ..kit import fold, livechart, memo, page, predict, url
from . import budget, charts, convex, experiment, poison, prose, reference
ALL_WIDTHS = tuple(2**k for k in range(1, 13))  # 2 … 4,096: the widest a CPU sweep affords
RESOLUTIONS = {"7×7": 7, "14×14": 14, "28×28": 28}
CONVEX_LAMS = {"0.01": 0.01, "0.03": 0.03, "0.1": 0.1}

WIDTH_TEMPLATE = """
**Attack** — {regime} · {flip_prob} · {budget} · {budget_b} · {attack} · {attack_loss}

**Networks** — {victim} · widths {widths} highlighted width {highlight} · input resolution {resolution}

**Training** — epochs {epochs} · learning rate {lr} · momentum {momentum} · early stopping {early_stopping}

**Data and repeats** — training samples {n_train} · seeds {seeds} · first seed {seed}
"""


def _choices(names: dict) -> dict:
    """A dropdown's options from a {value: label} table: {label: value}."""
    return {label: value for value, label in names.items()}


def width_form(ui, defaults: experiment.WidthConfig):
    """The sweep's form, its controls built by ``ui`` (:class:`~poisoncourse.kit.forms.Controls`) from the link's values.
    Every number's control spans what the config declares (:func:`params.spec`)."""
    spec = params.spec(experiment.WidthConfig)
    budget_a, budget_b = (defaults.budget if defaults.regime == r else experiment.DEFAULT_BUDGETS[r] for r in "AB")
    return ui.form(
        WIDTH_TEMPLATE, submit_button_label="Train",
        regime=ui.dropdown(_choices(experiment.REGIMES), value=experiment.REGIMES[defaults.regime], label="regime"),
        flip_prob=ui.declared(spec["flip_prob"], value=defaults.flip_prob, label="β (regime C)"),
        # The paper's two budgets are two quantities (A: the overall C; B: each sample's bound), each with the
        # default calibrated for it: choosing regime B trains at B's own default, not at A's number.
        budget=ui.declared(spec["budget"], value=budget_a, label="C/√n = mean ‖δᵢ‖ (regime A)"),
        budget_b=ui.declared(spec["budget"], value=budget_b, label="B = max ‖δᵢ‖ (regime B)"),
        attack=ui.dropdown(_choices(poison.ATTACKS), value=poison.ATTACKS[defaults.attack], label="attack (A, B)"),
        attack_loss=ui.dropdown(_choices(poison.ATTACK_LOSSES), value=poison.ATTACK_LOSSES[defaults.attack_loss],
                                label="attack loss (A, B)"),
        victim=ui.dropdown(_choices(experiment.VICTIMS), value=experiment.VICTIMS[defaults.victim], label=""),
        widths=ui.multiselect({str(w): w for w in ALL_WIDTHS}, value=[str(w) for w in defaults.widths], label=""),
        highlight=ui.dropdown({"middle": None, **{str(w): w for w in ALL_WIDTHS}}, value="middle", label=""),
        resolution=ui.dropdown(RESOLUTIONS, value=f"{defaults.resolution}×{defaults.resolution}", label=""),
        epochs=ui.declared(spec["epochs"], value=defaults.epochs, label=""),
        lr=ui.declared(spec["lr"], step=0.001, value=defaults.lr, label=""),
        momentum=ui.dropdown({"0 (the paper's)": 0.0, "0.9": 0.9}, value="0 (the paper's)", label=""),
        early_stopping=ui.dropdown(_choices(experiment.EARLY_STOPPING),
                                   value=experiment.EARLY_STOPPING[defaults.early_stopping], label=""),
        n_train=ui.declared(spec["n_train"], value=defaults.n_train, label=""),
        seeds=ui.declared(spec["seeds"], value=defaults.seeds, label=""),
        seed=ui.declared(spec["seed"], step=1, value=defaults.seed, label=""),
    )


CONVEX_PREFIX = "convex."


def convex_opens(params=None) -> bool:
    """Whether the warm-up starts open. It is optional (LESSONS.md: "optional convex warm-up panel"), so
    closed on a student's first read; open where a link carries its settings (a copied link shows what
    the sender saw) and wherever nobody can open it (the static export, the notebooks). A student's page
    painted ahead of its session (kit/paint.py) is a student's page: closed."""
    if not predict.live():
        return True
    return any(key.startswith(CONVEX_PREFIX) for key in url.as_dict(url.query_params() if params is None else params))


def convex_toggle(params=None):
    """The switch that opens the warm-up, and what the page shows of it: the switch in a student's
    browser; nothing in a hand-out, where the warm-up is open and nobody could close it."""
    switch = mo.ui.switch(value=convex_opens(params), label=prose.CONVEX_OPEN)
    return switch, [switch] if predict.live() else []


def convex_form(ui, defaults: convex.ConvexConfig):
    """The warm-up's form (``ui`` with the prefix ``convex.``, so its keys stay apart from the sweep's)."""
    spec = params.spec(convex.ConvexConfig)
    return ui.form(
        "**Linear model on 7×7 digits** — ridge λ {lam} · attack loss {attack_loss} · seeds {seeds} "
        "· first seed {seed}",
        submit_button_label="Fit the linear models",
        lam=ui.dropdown(CONVEX_LAMS, value=f"{defaults.lam:g}", label=""),
        attack_loss=ui.dropdown(_choices(poison.ATTACK_LOSSES), value=poison.ATTACK_LOSSES[defaults.attack_loss],
                                label=""),
        seeds=ui.declared(spec["seeds"], value=defaults.seeds, label=""),
        seed=ui.declared(spec["seed"], step=1, value=defaults.seed, label=""),
    )


# --- the live sweep, its accuracy curve drawn as the widths finish ------------------------------------


def make_config(values: dict) -> experiment.WidthConfig:
    """The form's values as a config: the budget of the chosen regime (the form holds A's and B's), the widths in
    increasing order (as the charts expect)."""
    values = dict(values, widths=tuple(sorted(values["widths"])))
    budget_b = values.pop("budget_b", None)  # a config's own fields (a test's) hold one budget
    if values["regime"] == "B" and budget_b is not None:
        values["budget"] = budget_b
    return experiment.WidthConfig(**values)


def b_budget_link(params=None) -> None:
    """A link from before the form held B's budget apart (``regime=B&budget=0.4``): its budget is B's.
    ``params``: URL parameters, rewritten in place (by default the page's; none outside a served page)."""
    params = url.query_params() if params is None else params
    if params is None or "budget_b" in params or "budget" not in params:
        return
    if url.as_dict(params).get("regime") == "B":
        params["budget_b"] = params["budget"]
        del params["budget"]


def total(config: experiment.WidthConfig) -> int:
    """The progress bar's length: width-epochs, as :func:`experiment.simulate` counts them."""
    return config.epochs * len(config.widths)


@dataclass(frozen=True)
class WidthsSoFar:
    """A sweep in progress as its live charts read it: the summary of every network's accuracy so far, and the
    test accuracy curves so far."""

    summary: object
    accuracy_column: str
    curves: object = None


def accuracy_chart(config: experiment.WidthConfig, result):
    """The live result's chart, from a whole result or a :class:`WidthsSoFar`: accuracy against
    width on the whole run's axis, the highlighted width marked."""
    return charts.width_accuracy(result.summary, result.accuracy_column, title="clean test accuracy",
                                 highlight=config.highlight, attack=config.attack_label(), widths=config.widths)


@functools.cache
def _paper_fig3():
    """The paper's Fig. 3, read once per process (the live chart draws it with every frame; never mutated)."""
    return reference.paper_fig3()


def accuracy_rows(config: experiment.WidthConfig, result):
    """The one table of :func:`accuracy_beside_paper` that a run's frames change (the live chart's `rows`)."""
    return charts.accuracy_rows(result.summary, result.accuracy_column)


def epochs_chart(config: experiment.WidthConfig, result):
    """Test accuracy during training at the highlighted width (a live chart: a whole result or a :class:`WidthsSoFar`)."""
    return charts.width_epochs(result.curves, config.highlight, config.attack_label(), variants=config.variants,
                               epochs=config.epochs)


def epochs_rows(config: experiment.WidthConfig, result):
    """The one table of :func:`epochs_chart` (the live chart's `rows`)."""
    return charts.epoch_rows(result.curves, config.highlight)


def accuracy_beside_paper(config: experiment.WidthConfig, result):
    """The live result's chart with the paper's Fig. 3 for the same regime beside it, in its own panel
    and scale (compare the shapes, not the levels). One Vega chart, so that the two sit side by side and
    the live panel still takes its rows in place: the paper's rows are one more dataset that never
    changes while the regime stays."""
    return alt.hconcat(accuracy_chart(config, result),
                       charts.paper_panel(_paper_fig3(), config.regime)).resolve_scale(y="independent")


def run(config: experiment.WidthConfig, progress) -> experiment.WidthResult:
    """:func:`experiment.run` for the page kit's ``run(config, progress)``; after each evaluation,
    ``progress`` is offered every network's accuracy so far as a :class:`WidthsSoFar` (a live chart's
    frame, built only when one is due; the result is the same)."""
    column = experiment.ACCURACY_COLUMN[config.early_stopping]

    def so_far(partial):
        runs, curves = partial()
        return WidthsSoFar(experiment.summarize(pd.DataFrame(runs)), column, pd.DataFrame(curves))

    def report(done, total=None, partial=None):
        progress(done, total, partial=None if partial is None else lambda: so_far(partial))

    def on_widths(widths, rows):
        progress.note(f"widths {', '.join(map(str, widths))} done")

    return experiment.run(config, progress=report, on_widths=on_widths, max_seconds=experiment.LIVE_MAX_SECONDS)


def reference_panels(table, paper, about: str = ""):
    """The shipped sweep: its shapes in one line, then per configuration a caption and three charts
    (stopped early, last epoch, fit to the training labels). The first configuration stands in the
    page's flow, the others in closed sections named by their configuration; what the sweep ran
    (``about``) and every verdict of every view wait in "How this was computed" (issue 26: a page a
    student can scroll, nothing lost)."""
    # One Vega chart of three narrower panels under one title (the configuration's attack), their series
    # sharing one legend, so that the row fits the page's width; each y axis names its view.
    groups = [(g.label, mo.vstack([mo.md(g.caption), alt.hconcat(*[chart.properties(width=THIRD_WIDTH) for chart in (
        charts.width_accuracy(g.summary, "stopped_poisoned_val", title="stopped on poisoned validation"),
        charts.width_accuracy(g.summary, "final_accuracy", title="last epoch"),
        charts.width_fit(g.summary),
    )]).properties(title=g.attack)])) for g in prose.reference_groups(table)]
    (_, first), rest = groups[0], groups[1:]
    bullets = prose.reference_findings(table, paper)
    return mo.vstack([mo.md(prose.reference_in_short(table)),
                      fold.how(f"{about}\n\n**What it shows — honestly**, every view:\n\n{bullets}",
                               title=prose.REFERENCE_HOW),
                      first, *([mo.accordion(dict(rest), multiple=True)] if rest else [])])


# --- the convex warm-up: fast enough for a plain bar over its sample sizes ------------------------


def convex_config(values: dict) -> convex.ConvexConfig:
    return convex.ConvexConfig(**values)


def convex_total(config: convex.ConvexConfig) -> int:
    return len(config.sizes)


def convex_run(config: convex.ConvexConfig, progress) -> convex.ConvexResult:
    return convex.run(config, progress=progress, max_seconds=convex.LIVE_MAX_SECONDS)


def shipped_budget_panel(table):
    """The shipped accuracy-against-budget curves (Fig. 1's top row) under their findings, a chart per regime."""
    curves = {r: budget.summarize(table[table.regime == r]) for r in ("A", "B")}
    return mo.vstack([mo.md(" ".join(prose.budget_findings(curves[r], r) for r in curves)), *[
        charts.budget_curve(curves[r], prose.budget_title(r), experiment.DEFAULT_BUDGETS[r]) for r in curves]])


def budget_curves() -> dict:
    """Fig. 1's top row at the live protocol (:func:`budget.live_summaries`), computed once per
    server and shared by every session that asks (:mod:`poisoncourse.kit.memo`)."""
    def compute():
        with mo.status.spinner(title="Poisoning and training at every budget…"):
            return budget.live_summaries()

    return memo.MEMO.fetch(memo.key("width.budget", budget.LIVE_SEEDS), compute)




def budget_panel(live: dict):
    """The live curves, one chart per regime, under their caption."""
    return mo.vstack([mo.md(prose.budget_caption(live)), *[charts.budget_curve(
        live[r], prose.budget_title(r, live=True), experiment.DEFAULT_BUDGETS[r]) for r in ("A", "B")]])


def convex_stats(warmup: convex.ConvexResult):
    """The warm-up's run statistics, with the clean model w*'s test error beside them."""
    c = warmup.config
    return page.run_stats(warmup, caption=f"{len(c.sizes) * len(c.c_values) * c.seeds + c.seeds} linear models",
                          extra=[mo.stat(f"{warmup.reference.test_error.mean():.3f}", label="test error of w*",
                                         caption=f"{c.resolution}×{c.resolution} pixels, clean")])
