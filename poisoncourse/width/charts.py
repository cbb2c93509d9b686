"""Lesson 1's charts: the width U-curve, fit, stopping views, perturbation norms, the convex warm-up. Every function takes a tidy table and returns a chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..core.charts import HEIGHT, MAX_ROWS, WIDTH, thin, tips  # noqa: F401
from ..kit import explore

_WIDTH_AXIS = alt.Axis(values=[1, 10, 100, 1_000, 10_000, 100_000], format="~s")


def _width_x(pinned: bool = False) -> alt.X:
    """Width on a log axis; `pinned`: from the chart's parameters x_lo to x_hi (:func:`width_ends`)."""
    scale = alt.Scale(type="log", domain=[alt.ExprRef("x_lo"), alt.ExprRef("x_hi")]) if pinned else alt.Scale(type="log")
    return alt.X("width:Q", title="hidden width m", scale=scale, axis=_WIDTH_AXIS)


def width_ends(widths) -> list:
    """The width axis's ends as the chart's parameters, not constants of its spec: a live chart
    (kit/livechart.py) then draws a sweep's widths so far on the whole run's axis, and a new run's
    widths change two values, never the spec."""
    return [alt.param(name="x_lo", value=float(min(widths))), alt.param(name="x_hi", value=float(max(widths)))]


# One colour per meaning across the lesson, its reference and its explorer (core.charts conventions).
SERIES_COLORS = {"clean training": "#2ca02c", "poisoned training": "#d62728"}


def _colors(series) -> alt.Scale:
    """The variants' colours, the legend listing only the series actually drawn."""
    drawn = [s for s in SERIES_COLORS if s in set(series)]
    return alt.Scale(domain=drawn, range=[SERIES_COLORS[s] for s in drawn])


def _titled(chart, title: str | None, attack: str | None):
    """Every chart says which attack made its data: as its subtitle, or as its title when it has none (Vega
    draws no subtitle under an empty title — issue 27: Lesson 1's budget rows never said which was A, which B)."""
    if attack is None:
        return chart
    if not title:
        return chart.properties(title=alt.TitleParams(attack, fontSize=12, anchor="start"))
    return chart.properties(title=alt.TitleParams(title, subtitle=[attack], fontSize=12, subtitleFontSize=11,
                                                  anchor="start"))


def accuracy_rows(summary: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows :func:`width_accuracy` draws: per variant and width, the mean accuracy and its ± std band."""
    return summary.dropna(subset=[f"mean_{column}"]).assign(
        series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}),
        accuracy=lambda d: d[f"mean_{column}"],
        low=lambda d: d[f"mean_{column}"] - d[f"std_{column}"],
        high=lambda d: d[f"mean_{column}"] + d[f"std_{column}"], run="live")


def width_accuracy(summary: pd.DataFrame, column: str, *, title: str, highlight: int | None = None,
                   extra: pd.DataFrame | None = None, attack: str | None = None, widths=None) -> alt.LayerChart:
    """Mean test accuracy vs width (log x), a mean ± std band over seeds, one colour per variant
    (clean / poisoned training). ``extra`` rows (columns series, width, accuracy, run) are drawn
    as dashed reference lines: the shipped sweep, the paper's Fig. 3 values. ``widths``: the run's
    widths, the x axis's ends (a sweep still going draws its widths so far on the whole axis)."""
    data = accuracy_rows(summary, column)
    x = _width_x(pinned=widths is not None)
    y = alt.Y("accuracy:Q", title=title, scale=alt.Scale(zero=False))
    color = alt.Color("series:N", title=None, scale=_colors(data.series))
    base = alt.Chart(data).encode(x=x, color=color)
    layers = [
        base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title=title), y2=alt.Y2("high:Q")),
        base.mark_line(point=True, strokeWidth=2.5).encode(
            y=y, tooltip=tips("series:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f"),
                          alt.Tooltip(f"std_{column}:Q", title="std over seeds", format=".3f"))),
    ]
    if extra is not None and not extra.empty:
        layers.append(alt.Chart(extra).mark_line(point=alt.OverlayMarkDef(shape="diamond"), strokeDash=[5, 3],
                                                 opacity=0.7, color="#7f7f7f").encode(
            x=x, y=y, detail=alt.Detail("run:N"),
            tooltip=tips("run:N", "series:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f"))))
    if highlight is not None:
        layers.append(alt.Chart(pd.DataFrame({"width": [highlight]})).mark_rule(color="#555", strokeDash=[2, 2])
                      .encode(x=alt.X("width:Q")))
    chart = alt.layer(*layers).properties(width=WIDTH + 60, height=HEIGHT)
    if widths is None:
        return _titled(chart, None, attack)
    # A live run's chart: its axis ends and its title (the attack) are parameters, not constants of its spec,
    # so that a run of another budget or flip probability takes the chart's element in place (kit/livechart.py).
    return chart.add_params(*width_ends(widths), alt.param(name="attack", value=attack or "")).properties(
        title=alt.TitleParams(alt.ExprRef("attack"), fontSize=12, anchor="start"))


def paper_panel(paper: pd.DataFrame, regime: str) -> alt.Chart:
    """The paper's Fig. 3 in its own panel (a CNN on 60,000 digits: compare its shape, not its
    level, with the live curve): the regime's curve and clean training, each as read from the plot."""
    names = {"clean": "clean training", regime: "poisoned training"}
    data = paper[paper.regime.isin(list(names))].assign(series=lambda d: d.regime.map(names))
    return _titled(alt.Chart(data).mark_line(point=alt.OverlayMarkDef(shape="diamond"), strokeDash=[5, 3]).encode(
        x=_width_x(), y=alt.Y("accuracy:Q", title="clean test accuracy (paper)", scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=_colors(data.series)),
        tooltip=tips("series:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f")),
    ).properties(width=WIDTH, height=HEIGHT), "the paper's Fig. 3 (its own scale)",
        "regime " + regime + " as the paper ran it: a CNN on all 60,000 MNIST digits" if regime != "clean" else None)


def width_fit(summary: pd.DataFrame, attack: str | None = None) -> alt.Chart:
    """Per width, the final fraction of its own training labels each network fits — for the
    poisoned network these are the poisoned labels: 1.0 means it memorized the poison."""
    data = summary.assign(series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}))
    return _titled(
        alt.Chart(data).mark_line(point=True)
        .encode(x=_width_x(),
                y=alt.Y("mean_fit:Q", title="fit to its own (poisoned) training labels", scale=alt.Scale(domain=[0, 1])),
                color=alt.Color("series:N", title=None, scale=_colors(data.series)),
                tooltip=tips("series:N", "width:Q", alt.Tooltip("mean_fit:Q", format=".3f")))
        .properties(width=WIDTH, height=HEIGHT), None, attack)


def width_stopping_views(summary: pd.DataFrame, attack: str | None = None) -> alt.Chart:
    """The poisoned networks' test accuracy three ways: after the last epoch, stopped on a
    poisoned validation split, stopped on a clean one."""
    names = {"mean_final_accuracy": "last epoch", "mean_stopped_poisoned_val": "stopped on poisoned validation",
             "mean_stopped_clean_val": "stopped on clean validation"}
    data = (summary[summary.variant == "poisoned"].melt(id_vars=["width"], value_vars=list(names),
                                                         var_name="stopping", value_name="accuracy")
            .assign(stopping=lambda d: d.stopping.map(names)))
    return _titled(
        alt.Chart(data).mark_line(point=True)
        .encode(x=_width_x(),
                y=alt.Y("accuracy:Q", title="clean test accuracy (poisoned training)", scale=alt.Scale(zero=False)),
                color=alt.Color("stopping:N", title=None, sort=list(names.values()),
                                scale=alt.Scale(domain=list(names.values()), range=["#9467bd", "#d62728", "#ff9896"])),
                tooltip=tips("stopping:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f")))
        .properties(width=WIDTH, height=HEIGHT), None, attack)


VARIANT_NAMES = {"clean": "clean training", "poisoned": "poisoned training"}


def epoch_rows(curves: pd.DataFrame, width: int) -> pd.DataFrame:
    """The rows :func:`width_epochs` draws: one width's curves, each told clean or poisoned training."""
    if curves.empty:  # a live run before its first evaluation of this width
        return pd.DataFrame(columns=["variant", "width", "seed", "epoch", "test_accuracy", "val_accuracy", "series"])
    return curves[curves.width == width].assign(series=lambda d: d.variant.map(VARIANT_NAMES))


def width_epochs(curves: pd.DataFrame, width: int, attack: str | None = None, variants=None,
                 epochs: int | None = None) -> alt.Chart:
    """Test accuracy during training at one width, each seed a line, clean vs poisoned. `variants` and `epochs`:
    the run's (its legend lists them and its x axis spans the run before the curves reach there: a live chart
    keeps its spec)."""
    data = epoch_rows(curves, width)
    named = data.series if variants is None else [VARIANT_NAMES[v] for v in variants]
    chart = (
        alt.Chart(data).mark_line(opacity=0.8)
        .encode(x=alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=[0, epochs]) if epochs else alt.Undefined),
                y=alt.Y("test_accuracy:Q", title=f"clean test accuracy, m = {width}", scale=alt.Scale(zero=False)),
                color=alt.Color("series:N", title=None, scale=_colors(named)), detail=alt.Detail("seed:N"),
                tooltip=tips("series:N", "seed:N", "epoch:Q", alt.Tooltip("test_accuracy:Q", format=".3f")))
        .properties(width=WIDTH, height=HEIGHT))
    if variants is None:
        return _titled(chart, None, attack)
    # A live run's chart: the attack in its title is a parameter, so another budget's run takes it in place.
    return chart.add_params(alt.param(name="attack", value=attack or "")).properties(
        title=alt.TitleParams(alt.ExprRef("attack"), fontSize=12, anchor="start"))


def perturbation_norms(norms: pd.DataFrame, budget: float | None = None, attack: str | None = None) -> alt.LayerChart:
    """Histogram of per-sample ‖δᵢ‖ for each attack loss (paper 000, Fig. 1 bottom); a black rule at
    ``budget`` (regime B: every ‖δᵢ‖'s bound; A: the average the ℓ₂,₁ ball allows) and a dashed
    rule of each loss's colour at its mean ‖δᵢ‖ — left of the black rule, the ball was not reached."""
    color = alt.Color("attack_loss:N", title="attack loss", scale=alt.Scale(range=["#1f77b4", "#ff7f0e"]))
    layers = [alt.Chart(norms).mark_bar(opacity=0.6, binSpacing=0)
              .encode(x=alt.X("norm:Q", bin=alt.Bin(maxbins=40), title="per-sample perturbation ‖δᵢ‖₂",
                              # No fixed format: at a small budget the bins are narrower than 0.1, and ".1f"
                              # printed "0.0" "0.1" side by side; overlapping labels are dropped.
                              axis=alt.Axis(tickCount=6, labelOverlap="greedy", labelFlush=True)),
                      y=alt.Y("count()", title="training samples", stack=None), color=color),
              alt.Chart(norms).mark_rule(strokeDash=[4, 2], strokeWidth=2).encode(
                  x=alt.X("mean(norm):Q"), color=color,
                  tooltip=tips("attack_loss:N", alt.Tooltip("mean(norm):Q", format=".3f", title="mean ‖δᵢ‖")))]
    if budget is not None:
        layers.append(alt.Chart(pd.DataFrame({"norm": [budget]})).mark_rule(color="black", strokeWidth=2)
                      .encode(x=alt.X("norm:Q"), tooltip=tips(alt.Tooltip("norm:Q", title="budget"))))
    return _titled(alt.layer(*layers).properties(width=WIDTH + 60, height=HEIGHT), None, attack)


def budget_curve(summary: pd.DataFrame, attack: str | None = None, marked: float | None = None) -> alt.HConcatChart:
    """Paper 000, Fig. 1 top row: clean test accuracy against the budget, one line per attack loss,
    one panel per victim (a linear model, a mid-width network); ``marked``: the default budget."""
    names = {"negated": "negated loss", "cross_entropy": "cross-entropy"}  # the legend's words, not the column's
    color = alt.Color("loss:N", title="attack loss", scale=alt.Scale(
        domain=list(names.values()), range=["#1f77b4", "#ff7f0e"]))

    def panel(victim):
        rows = summary[summary.victim == victim].assign(loss=lambda t: t.attack_loss.map(names))
        layers = [alt.Chart(rows).mark_line(point=True).encode(
            x=alt.X("budget:Q", title="budget (pixel norm)"),
            y=alt.Y("accuracy:Q", title="clean test accuracy", scale=alt.Scale(domain=[0, 1])), color=color,
            tooltip=tips(alt.Tooltip("loss:N", title="attack loss"), "budget:Q", alt.Tooltip("accuracy:Q", format=".3f"),
                         alt.Tooltip("mean_norm:Q", title="mean ‖δᵢ‖ used", format=".3f")))]
        if marked is not None:
            layers.append(alt.Chart(pd.DataFrame({"budget": [marked]})).mark_rule(color="#555", strokeDash=[2, 2])
                          .encode(x=alt.X("budget:Q")))
        layers.append(alt.Chart(pd.DataFrame({"chance": [0.1]})).mark_rule(color="#999").encode(y=alt.Y("chance:Q")))
        return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=victim)

    return _titled(alt.hconcat(*[panel(v) for v in summary.victim.unique()]), None, attack)


def convex_excess(summary: pd.DataFrame) -> alt.HConcatChart:
    """Paper 000, Fig. 2: excess test loss and excess test error of the linear model fitted on n
    poisoned digits against n (log x), one line per budget C; a dashed rule of the same colour
    marks n = C², where C = √n (Theorem 2.2's bound stops decaying to the left of it)."""
    data = summary.assign(budget=lambda d: d.C.map(lambda c: f"C = {c:g}"))
    order = [f"C = {c:g}" for c in sorted(data.C.unique())]
    color = alt.Color("budget:N", title="budget", sort=order, scale=alt.Scale(scheme="viridis", domain=order))
    lo, hi = data.n.min(), data.n.max()
    x = alt.X("n:Q", title="training samples n", scale=alt.Scale(type="log", domain=[lo, hi], nice=False),
              axis=alt.Axis(values=sorted(data.n.unique()), format="~s"))
    rules = pd.DataFrame([{"budget": f"C = {c:g}", "n": c * c} for c in sorted(data.C.unique()) if lo <= c * c <= hi])

    def panel(column: str, title: str) -> alt.LayerChart:
        # symlog, logarithmic above 0.001: an excess can be 0 or slightly negative (a fit on n digits
        # may beat w* on the test digits by chance), which a log scale cannot show.
        top = float(data[column].max())
        ticks = [0] + [t for t in (0.001, 0.01, 0.1, 1, 10) if t <= 2 * top]
        y = alt.Y(f"{column}:Q", title=title, scale=alt.Scale(type="symlog", constant=0.001),
                  axis=alt.Axis(values=ticks, format="~g"))
        lines = alt.Chart(data).mark_line(point=True).encode(
            x=x, y=y, color=color,
            tooltip=tips("budget:N", "n:Q",
                         alt.Tooltip("per_sample:Q", title="average ‖δᵢ‖ = C/√n", format=".2f"),
                         alt.Tooltip(f"{column}:Q", format=".4f")))
        layers = [lines]
        if not rules.empty:
            layers.append(alt.Chart(rules).mark_rule(strokeDash=[4, 3], opacity=0.8)
                          .encode(x=alt.X("n:Q"), color=color))
        return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)

    return alt.hconcat(panel("excess_loss", "excess test loss F(w*ₙ) − F(w*)"),
                       panel("excess_error", "excess test error L(w*ₙ) − L(w*)"))


# --- the explorer: the U-curve as training goes on (a slider that runs in the browser) ------------

def width_by_epoch(curves: pd.DataFrame) -> alt.LayerChart:
    """Mean clean test accuracy vs width after a chosen epoch: drag the epoch and watch the
    poisoned curve bend down at large width as the wide networks memorize the flips."""
    data = (curves.groupby(["variant", "width", "epoch"], as_index=False).test_accuracy.mean()
            .assign(series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"})))
    data, epoch, keep = explore.slider(data, "epoch", name="epoch", label="after epoch", start=int(data.epoch.max()))
    colors = alt.Scale(domain=list(SERIES_COLORS), range=list(SERIES_COLORS.values()))
    lines = (alt.Chart(data).mark_line(point=True)
             .encode(x=alt.X("width:Q", scale=alt.Scale(type="log", base=2), title="hidden width m"),
                     y=alt.Y("test_accuracy:Q", title="clean test accuracy (mean over seeds)",
                             scale=alt.Scale(zero=False)),
                     color=alt.Color("series:N", title=None, scale=colors),
                     tooltip=tips("series:N", "width:Q", "epoch:Q", alt.Tooltip("test_accuracy:Q", format=".3f")))
             .transform_filter(keep))
    label = explore.value_label(data, keep, "epoch", "d", "after epoch ")
    return alt.layer(lines, label).add_params(epoch).properties(width=WIDTH, height=HEIGHT)
