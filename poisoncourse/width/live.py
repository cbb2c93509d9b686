"""Lesson 1's live sweep on the page: the page kit's run, plus a curve redrawn under the bar.

The width sweep is the course's longest live run, so while it trains the page shows the curve of
the widths finished so far (:class:`story.PartialCurve`), one redraw per group of widths. Every
progress update resends the cell's whole output — with a partial chart under the bar, that chart
too, which the browser then redraws — so from the first partial chart on, the bar moves at most
once every ``REDRAW_SECONDS``.
"""

from __future__ import annotations

import marimo as mo

from ..kit import memo
from . import budget, charts, convex, experiment, faithful
from . import prose as story

REDRAW_SECONDS = 1.0


def make_config(values: dict) -> experiment.WidthConfig:
    """The form's values as a config (the widths in increasing order, as the charts expect)."""
    values["widths"] = tuple(sorted(values["widths"]))
    return experiment.WidthConfig(**values)


def total(config: experiment.WidthConfig) -> int:
    """The progress bar's length: width-epochs, as :func:`experiment.simulate` counts them."""
    return config.epochs * len(config.widths)


def run(config: experiment.WidthConfig, progress) -> experiment.WidthResult:
    """:func:`experiment.run` for the page kit's ``run(config, progress)``; ``progress`` is the
    kit's :class:`~poisoncourse.share.page.Progress` (its ``bar`` at output index 0)."""
    partial = story.PartialCurve(config.widths)
    shown = False

    def on_widths(widths, rows):
        nonlocal shown
        progress.note(f"widths {', '.join(map(str, widths))} done")
        summary = partial.add(rows)
        if summary is None or progress.bar is None:
            return
        chart = charts.width_accuracy(summary, experiment.ACCURACY_COLUMN[config.early_stopping],
                                      title="clean test accuracy, widths so far")
        if shown:
            mo.output.replace_at_index(chart, 1)  # replace the previous partial curve, under the bar
        else:
            mo.output.append(chart)
            shown, progress.every = True, REDRAW_SECONDS

    result = experiment.run(config, progress=progress, on_widths=on_widths, max_seconds=experiment.LIVE_MAX_SECONDS)
    if shown:  # the full chart comes below: leave only the bar (which the kit then removes)
        mo.output.replace(progress.bar)
    return result


def reference_panels(table, paper):
    """The shipped sweep under its bullets: per configuration a caption and three charts (stopped
    early, last epoch, fit to the training labels)."""
    return mo.vstack([mo.md(story.reference_findings(table, paper)), *[
        mo.vstack([mo.md(caption), mo.hstack([
            charts.width_accuracy(rows, "stopped_poisoned_val", title="stopped on poisoned validation", attack=attack),
            charts.width_accuracy(rows, "final_accuracy", title="last epoch", attack=attack),
            charts.width_fit(rows, attack),
        ], justify="start", wrap=True)]) for caption, rows, attack in story.reference_groups(table)]])


# --- the convex warm-up: fast enough for a plain bar over its sample sizes ------------------------


def convex_config(values: dict) -> convex.ConvexConfig:
    return convex.ConvexConfig(**values)


def convex_total(config: convex.ConvexConfig) -> int:
    return len(config.sizes)


def convex_run(config: convex.ConvexConfig, progress) -> convex.ConvexResult:
    return convex.run(config, progress=progress, max_seconds=convex.LIVE_MAX_SECONDS)


def budget_curves() -> dict:
    """Fig. 1's top row at the live protocol (:func:`budget.live_summaries`), computed once per
    server and shared by every session that asks (:mod:`poisoncourse.share.memo`)."""
    def compute():
        with mo.status.spinner(title="Poisoning and training at every budget…"):
            return budget.live_summaries()

    return memo.MEMO.fetch(memo.key("width.budget", budget.LIVE_SEEDS), compute)


def budget_caption(live: dict) -> str:
    """The live curves against the paper's losses, at the default budgets, read from the curves."""
    net = budget.network_label(budget.MID_WIDTH)
    losses = {r: 100 * budget.loss_at(live[r], net, budget.DEFAULT_BUDGETS[r]) for r in live}
    parts = [f"regime {r} at {budget.DEFAULT_BUDGETS[r]:g} loses {losses[r]:.0f} points (the paper's: about "
             f"{faithful.paper_loss(r):.0f})" for r in live]
    return (f"The live protocol ({budget.LIVE_SEEDS} seeds, 1,000 digits, 40 epochs), where the defaults were set: "
            f"at width {budget.MID_WIDTH}, {'; '.join(parts)}.")


def budget_panel(live: dict):
    """The live curves, one chart per regime, under their caption."""
    return mo.vstack([mo.md(budget_caption(live)), *[charts.budget_curve(
        live[r], f"regime {r}, the paper's attack, live", budget.DEFAULT_BUDGETS[r]) for r in ("A", "B")]])
