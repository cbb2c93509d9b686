"""Altair charts shared by the lessons. Every function takes a tidy table and returns a chart;
none of them computes anything a test would need to check."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

WIDTH = 300
HEIGHT = 220
# Rows embedded per data set: altair refuses more than 5,000 by default, and a lighter page
# redraws faster. Curves are thinned along the x axis to stay below it.
MAX_ROWS = 4_000


def thin(data: pd.DataFrame, x: str, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Keep every k-th distinct ``x`` (always the first and last) so the table fits."""
    xs = data[x].drop_duplicates().sort_values().to_numpy()
    per_x = max(1, len(data) // max(1, len(xs)))
    keep_n = max(2, max_rows // per_x)
    if len(xs) <= keep_n:
        return data
    idx = np.unique(np.linspace(0, len(xs) - 1, keep_n).round().astype(int))
    return data[data[x].isin(xs[idx])]


def log_error_curves(curves: pd.DataFrame, *, value_title: str, facet: str = "algorithm",
                     y_title: str = "log₁₀ ‖w_t − w*‖", seed_lines: bool = True) -> alt.FacetChart:
    """log10 error vs iteration: one bold line per swept value (median over seeds), the
    individual seeds as faint lines behind it, one panel per ``facet`` value.

    ``curves`` needs columns iteration, log10_error, value, seed and ``facet``.
    Missing values (a run cut at divergence) simply end the line.
    """
    # A diverged run counts as infinitely far in the median (so the median line ends once half
    # the seeds have diverged, instead of jumping to the survivors); its own line is cut.
    median = (curves.assign(log10_error=curves.log10_error.fillna(np.inf))
              .groupby([facet, "value", "iteration"], sort=False).log10_error.median().reset_index())
    median = median[np.isfinite(median.log10_error)]
    data = curves.dropna(subset=["log10_error"])
    parts = [median.assign(seed=-1, line="median over seeds")]
    if seed_lines and data["seed"].nunique() > 1:
        parts.insert(0, data[[facet, "value", "seed", "iteration", "log10_error"]].assign(line="one seed"))
    table = thin(pd.concat(parts, ignore_index=True), "iteration")
    styles = alt.Scale(domain=["one seed", "median over seeds"], range=[0.8, 2.4])
    return (
        alt.Chart(table)
        .mark_line()
        .encode(
            x=alt.X("iteration:Q", title="iteration t"),
            y=alt.Y("log10_error:Q", title=y_title),
            color=alt.Color("value:O", title=value_title, scale=alt.Scale(scheme="viridis")),
            detail=["seed:N", "line:N"],
            strokeWidth=alt.StrokeWidth("line:N", scale=styles, title=None),
            opacity=alt.Opacity("line:N", scale=alt.Scale(domain=styles.domain, range=[0.3, 1.0]), legend=None),
            tooltip=[alt.Tooltip("value:O", title=value_title), "line:N", "iteration:Q",
                     alt.Tooltip("log10_error:Q", title="log₁₀ error", format=".2f")],
        )
        .properties(width=WIDTH, height=HEIGHT)
        .facet(column=alt.Column(f"{facet}:N", title=None))
    )


def final_error_summary(summary: pd.DataFrame, *, value_title: str, log_x: bool = False,
                        y_title: str = "log₁₀ final ‖w_T − w*‖") -> alt.LayerChart:
    """Median log10 final error vs the swept value, one line per algorithm (and per
    ``source`` if the table has that column: live vs reference), with the seeds' range."""
    data = summary.dropna(subset=["median_log10_error"]).copy()
    if "source" not in data:
        data["source"] = "live"
    x = alt.X("value:Q", title=value_title, scale=alt.Scale(type="symlog" if log_x else "linear"))
    color = alt.Color("algorithm:N", title="algorithm")
    dash = alt.StrokeDash("source:N", title="run")
    base = alt.Chart(data).encode(x=x, color=color)
    lines = base.mark_line(point=True).encode(
        y=alt.Y("median_log10_error:Q", title=y_title), strokeDash=dash,
        tooltip=["algorithm:N", "source:N", alt.Tooltip("value:Q", title=value_title),
                 alt.Tooltip("median_log10_error:Q", title="median", format=".2f"),
                 alt.Tooltip("min_log10_error:Q", title="best seed", format=".2f"),
                 alt.Tooltip("max_log10_error:Q", title="worst seed", format=".2f")],
    )
    layers = [lines]
    if {"min_log10_error", "max_log10_error"} <= set(data.columns):
        layers.insert(0, base.mark_errorbar(opacity=0.5).encode(
            y=alt.Y("min_log10_error:Q", title=y_title), y2="max_log10_error:Q"))
    return alt.layer(*layers).properties(width=2 * WIDTH, height=HEIGHT)


# --- Lesson 4: label-noise toy experiments ----------------------------------------------------

METRIC_TITLES = {"adversarial_accuracy": "adversarial accuracy", "natural_accuracy": "natural accuracy"}
CLASS_COLORS = alt.Scale(domain=[0, 1, 2], range=["#4c78a8", "#e45756", "#54a24b"])


def accuracy_vs_r(curves: pd.DataFrame, *, title: str = "poison distance r from its class mean") -> alt.FacetChart:
    """Mean accuracy over seeds vs r (points and lines) with the seeds' range as bars; one
    panel per metric, one colour per ``series`` (e.g. opposite vs third class, live vs
    reference). ``curves`` columns: r, metric, series, mean, low, high."""
    base = alt.Chart(curves).encode(
        x=alt.X("r:Q", title=title),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=500)),
    )
    y = alt.Y("mean:Q", title="accuracy", scale=alt.Scale(zero=False))
    lines = base.mark_line(point=True).encode(
        y=y, tooltip=["series:N", "r:Q", alt.Tooltip("mean:Q", format=".3f", title="mean over seeds"),
                      alt.Tooltip("low:Q", format=".3f", title="worst seed"),
                      alt.Tooltip("high:Q", format=".3f", title="best seed")])
    bars = base.mark_errorbar(opacity=0.45).encode(y=alt.Y("low:Q", title="accuracy"), y2="high:Q")
    return (alt.layer(bars, lines, data=curves).properties(width=WIDTH, height=HEIGHT)
            .facet(column=alt.Column("metric:N", title=None, sort=list(METRIC_TITLES.values())))
            .resolve_scale(y="independent"))


def decision_region_panel(grid: pd.DataFrame, points: pd.DataFrame, *, title: str, size: int = 230) -> alt.LayerChart:
    """One network's predicted class on a grid (heatmap) with its training points; poisons
    drawn large with a black edge. grid: x1, x2, predicted; points: x1, x2, label, kind."""
    ticks = np.sort(grid.x1.unique())
    step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    # Each prediction was made at a cell's centre: draw the cell around it.
    cells = grid.assign(x1_lo=grid.x1 - step / 2, x1_hi=grid.x1 + step / 2,
                        x2_lo=grid.x2 - step / 2, x2_hi=grid.x2 + step / 2)
    lo, hi = float(ticks[0] - step / 2), float(ticks[-1] + step / 2)
    sx = alt.Scale(domain=[lo, hi], nice=False)
    sy = alt.Scale(domain=[lo, hi], nice=False)
    color = alt.Color("predicted:N", scale=CLASS_COLORS, title="predicted class")
    heat = alt.Chart(cells).mark_rect(opacity=0.35).encode(
        x=alt.X("x1_lo:Q", scale=sx, title="x₁"), x2="x1_hi:Q",
        y=alt.Y("x2_lo:Q", scale=sy, title="x₂"), y2="x2_hi:Q", color=color)
    inside = points[(points.x1 >= lo) & (points.x1 <= hi) & (points.x2 >= lo) & (points.x2 <= hi)]
    clean = alt.Chart(inside[inside.kind == "clean"]).mark_circle(size=12, opacity=0.7).encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        color=alt.Color("label:N", scale=CLASS_COLORS, title="label"))
    poison = alt.Chart(inside[inside.kind == "poison"]).mark_point(size=120, filled=True, stroke="black",
                                                                   strokeWidth=1.5, shape="diamond").encode(
        x=alt.X("x1:Q", scale=sx), y=alt.Y("x2:Q", scale=sy),
        fill=alt.Fill("label:N", scale=CLASS_COLORS, legend=None), tooltip=["label:N", "x1:Q", "x2:Q"])
    return alt.layer(heat, clean, poison).properties(width=size, height=size, title=title)


def bucket_accuracy(summary: pd.DataFrame, clean: float | None = None) -> alt.LayerChart:
    """Adversarial accuracy of networks whose flipped labels came from each path-length
    bucket (1 = nearest the clean boundary) or at random: mean over seeds, bars = range.
    summary columns: selection, mean/min/max_adversarial_accuracy, mean_path_steps."""
    order = list(summary.selection)
    color = alt.condition(alt.datum.selection == "random", alt.value("#f58518"), alt.value("#4c78a8"))
    base = alt.Chart(summary).encode(x=alt.X("selection:N", sort=order, title="flipped labels taken from"))
    y = alt.Y("mean_adversarial_accuracy:Q", title="adversarial accuracy", scale=alt.Scale(zero=False))
    points = base.mark_point(filled=True, size=90).encode(
        y=y, color=color,
        tooltip=["selection:N", alt.Tooltip("mean_adversarial_accuracy:Q", format=".3f", title="mean"),
                 alt.Tooltip("min_adversarial_accuracy:Q", format=".3f", title="worst seed"),
                 alt.Tooltip("max_adversarial_accuracy:Q", format=".3f", title="best seed"),
                 alt.Tooltip("mean_path_steps:Q", format=".0f", title="mean path length (steps)")])
    bars = base.mark_rule(strokeWidth=2, opacity=0.5).encode(
        y=alt.Y("min_adversarial_accuracy:Q", title="adversarial accuracy"), y2="max_adversarial_accuracy:Q", color=color)
    layers = [bars, points]
    if clean is not None:
        layers.append(alt.Chart(pd.DataFrame({"y": [clean], "what": ["clean network"]})).mark_rule(strokeDash=[4, 3])
                      .encode(y="y:Q", tooltip=["what:N", alt.Tooltip("y:Q", format=".3f")]))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def path_length_histogram(scores: pd.DataFrame) -> alt.Chart:
    """How many gradient-ascent steps each training image needed to flip (thesis Fig. 14)."""
    return (alt.Chart(scores).mark_bar(opacity=0.7)
            .encode(x=alt.X("path_steps:Q", bin=alt.Bin(maxbins=40), title="steps until the clean network flips"),
                    y=alt.Y("count():Q", title="training images", stack=None),
                    color=alt.Color("label:N", title="digit"))
            .properties(width=WIDTH, height=HEIGHT))


# --- Lesson 5: lazy radius -----------------------------------------------------------------

LAZY_QUANTITIES = {
    "grad_norm": ("‖∇ₓf(x)‖", 0.5),
    "eta": ("smallest flipping step η", -1.0),
    "delta_rel": ("‖δ‖ / ‖x‖", -0.5),
}


def _lazy_long(summary: pd.DataFrame, x: str, source: str) -> pd.DataFrame:
    parts = []
    for q, (title, _) in LAZY_QUANTITIES.items():
        if q not in summary:
            continue
        part = summary[[x, q, f"{q}_min", f"{q}_max"]].rename(
            columns={q: "mean", f"{q}_min": "low", f"{q}_max": "high"})
        parts.append(part.assign(quantity=title, source=source))
    return pd.concat(parts, ignore_index=True).dropna(subset=["mean"])


def lazy_scaling(summary: pd.DataFrame, *, x: str = "d", x_title: str = "input dimension d",
                 reference: pd.DataFrame | None = None, guides: bool = True) -> alt.HConcatChart:
    """‖∇f‖, η and ‖δ‖/‖x‖ against ``x`` on log-log axes, one panel each: the live mean over
    seeds (points, with the seeds' range), the reference runs (dashed, one per width) and,
    when ``guides``, the theory's d^{1/2}, d^{-1} and d^{-1/2} lines through the live curve's
    geometric mean."""
    live = _lazy_long(summary, x, "live")
    frames = [live]
    if reference is not None and len(reference):
        for width, ref in reference.groupby("width"):
            frames.append(_lazy_long(ref, x, f"reference, m = {width}"))
    data = pd.concat(frames, ignore_index=True)
    panels = []
    for q, (title, power) in LAZY_QUANTITIES.items():
        sub = data[data.quantity == title]
        if not len(sub):
            continue
        xs = alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(type="log"))
        ys = alt.Y("mean:Q", title=title, scale=alt.Scale(type="log"))
        color = alt.Color("source:N", title="run")
        base = alt.Chart(sub).encode(x=xs, color=color)
        layers = [
            base.mark_line(point=True).encode(
                y=ys, strokeDash=alt.condition(alt.datum.source == "live", alt.value([1, 0]), alt.value([4, 3])),
                tooltip=["source:N", alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip("mean:Q", format=".4g")]),
            base.mark_errorbar().encode(y=alt.Y("low:Q", title=title), y2="high:Q"),
        ]
        own = sub[sub.source == "live"]
        if guides and len(own) >= 2:
            gx = np.geomspace(own[x].min(), own[x].max(), 20)
            anchor_x, anchor_y = np.exp(np.log(own[x]).mean()), np.exp(np.log(own["mean"]).mean())
            label = {0.5: "∝ √d", -1.0: "∝ 1/d", -0.5: "∝ 1/√d"}[power]
            guide = pd.DataFrame({x: gx, "mean": anchor_y * (gx / anchor_x) ** power, "guide": label})
            layers.append(alt.Chart(guide).mark_line(color="gray", strokeDash=[2, 2]).encode(
                x=xs, y=ys, tooltip=["guide:N"]))
            layers.append(alt.Chart(guide.iloc[[-1]]).mark_text(align="left", dx=4, color="gray").encode(
                x=xs, y=ys, text="guide:N"))
        panels.append(alt.layer(*layers).properties(width=WIDTH - 60, height=HEIGHT))
    return alt.hconcat(*panels).resolve_scale(y="independent")


def robust_accuracy_curve(summary: pd.DataFrame, *, x: str, x_title: str, log_x: bool = False,
                          reference: pd.DataFrame | None = None, ref_color: str = "width",
                          rules: pd.DataFrame | None = None) -> alt.LayerChart:
    """Robust (bold) and clean (faint) test accuracy against ``x``: live mean over seeds with
    the seeds' range, reference runs dashed (one per ``ref_color`` value), the majority-class
    baseline as a horizontal rule and optional vertical ``rules`` (columns x, label)."""
    scale = alt.Scale(type="log") if log_x else alt.Scale(zero=True)
    xs = alt.X(f"{x}:Q", title=x_title, scale=scale)
    acc = alt.Scale(domain=[0, 1])
    live = summary.assign(run="live")
    layers = [
        alt.Chart(live).mark_line(opacity=0.35).encode(x=xs, y=alt.Y("clean_accuracy:Q", scale=acc)),
        alt.Chart(live).mark_errorbar().encode(x=xs, y=alt.Y("robust_accuracy_min:Q", scale=acc),
                                               y2="robust_accuracy_max:Q"),
        alt.Chart(live).mark_line(point=True, strokeWidth=2.5).encode(
            x=xs, y=alt.Y("robust_accuracy:Q", title="test accuracy (bold: robust, faint: clean)", scale=acc),
            tooltip=[alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip("robust_accuracy:Q", format=".3f"),
                     alt.Tooltip("clean_accuracy:Q", format=".3f"), "runs:Q"]),
    ]
    if reference is not None and len(reference):
        ref = reference.assign(run=reference[ref_color].map(lambda v: f"reference, {ref_color} = {v}"))
        layers.insert(0, alt.Chart(ref).mark_line(strokeDash=[4, 3], point=alt.OverlayMarkDef(size=15)).encode(
            x=xs, y=alt.Y("robust_accuracy:Q", scale=acc), color=alt.Color("run:N", title="reference (robust)"),
            tooltip=["run:N", alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip("robust_accuracy:Q", format=".3f")]))
    majority = float(summary.majority.iloc[0])
    base = pd.DataFrame({"y": [majority], "label": [f"majority class ({majority:.2f})"]})
    layers.append(alt.Chart(base).mark_rule(color="firebrick", strokeDash=[6, 3]).encode(y="y:Q"))
    layers.append(alt.Chart(base).mark_text(align="left", dy=-6, color="firebrick", x=4).encode(
        y="y:Q", text="label:N"))
    if rules is not None and len(rules):
        layers.append(alt.Chart(rules).mark_rule(color="gray", strokeDash=[2, 2]).encode(
            x=alt.X("x:Q", scale=scale), tooltip=["label:N"]))
        layers.append(alt.Chart(rules).mark_text(align="left", dx=3, y=8, color="gray").encode(
            x=alt.X("x:Q", scale=scale), text="label:N"))
    return alt.layer(*layers).properties(width=2 * WIDTH, height=HEIGHT)


def distance_histograms(rows: pd.DataFrame, *, value_title: str, columns: int = 4) -> alt.FacetChart:
    """Each hidden unit's distance ‖[wₛ, bₛ] − [wₛ,₀, bₛ,₀]‖ from its initialization, one
    panel per swept value, with the lazy ball's radius C₀/√m as a red rule."""
    data = rows.groupby(["value", "seed"]).head(4096)  # bounded page weight
    hist = alt.Chart().mark_bar(opacity=0.7).encode(
        x=alt.X("distance:Q", bin=alt.Bin(maxbins=30), title="distance of a row from its init"),
        y=alt.Y("count():Q", title="rows"))
    rule = alt.Chart().mark_rule(color="firebrick", strokeWidth=2).encode(x="mean(radius):Q")
    return (alt.layer(hist, rule, data=data)
            .properties(width=150, height=100)
            .facet(facet=alt.Facet("value:O", title=value_title), columns=columns)
            .resolve_scale(x="independent", y="independent"))


# --- Lesson 2: regularization ---------------------------------------------------------------

SQUARE = 300
_CLASS_COLORS = alt.Scale(domain=["class 0", "class 1"], range=["#2ca02c", "#1f77b4"])  # the paper's green / blue


def _location_axes(box: float, x: str = "x1", y: str = "x2"):
    scale = alt.Scale(domain=[-box, box], nice=False)
    return (alt.X(f"{x}:Q", title="x₁", scale=scale), alt.Y(f"{y}:Q", title="x₂", scale=scale))


def _heat(grid: pd.DataFrame, field: str, title: str, scheme: str, box: float, domain=None) -> alt.Chart:
    step = float(np.diff(np.sort(grid.x1.unique()))[:1].mean()) if grid.x1.nunique() > 1 else 2 * box
    data = grid.assign(x1_lo=grid.x1 - step / 2, x1_hi=grid.x1 + step / 2,
                       x2_lo=grid.x2 - step / 2, x2_hi=grid.x2 + step / 2)
    x, y = _location_axes(box + step / 2, "x1_lo", "x2_lo")
    color = alt.Color(f"{field}:Q", title=title,
                      scale=alt.Scale(scheme=scheme, **({"domain": domain} if domain else {})))
    return alt.Chart(data).mark_rect().encode(
        x=x, x2="x1_hi", y=y, y2="x2_hi", color=color,
        tooltip=[alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"),
                 alt.Tooltip(f"{field}:Q", title=title, format=".3f")],
    )


def _overlay(points: pd.DataFrame, box: float, boundaries: pd.DataFrame | None = None,
             path: pd.DataFrame | None = None) -> list:
    x, y = _location_axes(box)
    layers = []
    data = points[points.split != "poison"]
    layers.append(alt.Chart(data).mark_point(filled=True, size=28, opacity=0.9, stroke="white", strokeWidth=0.5)
                  .encode(x=x, y=y, color=alt.Color("label:N", scale=_CLASS_COLORS, title="data"),
                          shape=alt.Shape("split:N", title="set"), tooltip=["label:N", "split:N"]))
    if boundaries is not None:
        styles = alt.Scale(domain=["clean", "poisoned"], range=["white", "red"])
        layers.append(alt.Chart(boundaries).mark_line(clip=True, strokeWidth=2.5).encode(
            x=x, y=y, color=alt.Color("model:N", scale=styles, title="decision boundary"),
            strokeDash=alt.StrokeDash("model:N", scale=alt.Scale(domain=["clean", "poisoned"],
                                                               range=[[6, 4], [1, 0]]), legend=None),
            detail="model:N"))
    if path is not None and len(path) > 1:
        layers.append(alt.Chart(path).mark_line(color="orange", strokeWidth=2, point=alt.OverlayMarkDef(
            color="orange", size=12)).encode(x=x, y=y, order="step:Q",
                                             tooltip=["step:Q", alt.Tooltip("lam:Q", format=".2f"),
                                                      alt.Tooltip("val_loss:Q", format=".3f")]))
    poison = points[points.split == "poison"]
    layers.append(alt.Chart(poison).mark_point(shape="diamond", size=160, filled=True, color="red",
                                               stroke="black", strokeWidth=1)
                  .encode(x=x, y=y, tooltip=[alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"),
                                             "label:N"]))
    return layers


def poison_error_map(grid: pd.DataFrame, points: pd.DataFrame, boundaries: pd.DataFrame, path: pd.DataFrame,
                     *, box: float, title: str) -> alt.LayerChart:
    """Heatmap A: validation error as a function of the poison's location, the data, the
    clean (dashed white) and poisoned (red) boundaries, the poison (diamond) and its attack
    path (orange). ``grid`` needs x1, x2, error."""
    heat = _heat(grid, "error", "validation error", "inferno", box)
    return alt.layer(heat, *_overlay(points, box, boundaries, path)).properties(
        width=SQUARE, height=SQUARE, title=title).resolve_scale(color="independent")


def best_lam_map(grid: pd.DataFrame, points: pd.DataFrame, *, box: float, lam_range: tuple[float, float]) -> alt.LayerChart:
    """Heatmap B: the λ of least validation error at each poison location."""
    heat = _heat(grid, "best_lam", "best λ", "viridis", box, domain=list(lam_range))
    return alt.layer(heat, *_overlay(points[points.split != "poison"], box)).properties(
        width=SQUARE, height=SQUARE, title="B · the λ that minimizes validation error").resolve_scale(color="independent")


def attack_trace(path: pd.DataFrame) -> alt.HConcatChart:
    """λ and the validation loss along the attack's steps."""
    base = alt.Chart(path).encode(x=alt.X("step:Q", title="attack step"))
    dots = lambda color: alt.OverlayMarkDef(color=color, size=14)  # noqa: E731
    lam = base.mark_line(point=dots("#440154"), color="#440154").encode(y=alt.Y("lam:Q", title="λ (log scale)"))
    loss = base.mark_line(point=dots("orange"), color="orange").encode(
        y=alt.Y("val_loss:Q", title="validation loss A", scale=alt.Scale(zero=False)))
    return alt.hconcat(lam.properties(width=WIDTH, height=160, title="λ along the attack"),
                       loss.properties(width=WIDTH, height=160, title="what the attacker maximizes"))


def poisoning_curves(table: pd.DataFrame) -> alt.HConcatChart:
    """Fig. 2 of paper 002: test error, λ and ‖w‖² against the fraction of poisons, one line
    per way of choosing λ (and per ``source`` if present). ``table`` needs mode, fraction,
    test_error, lam, w_norm2."""
    data = table.copy()
    if "source" not in data:
        data["source"] = "live"
    x = alt.X("fraction:Q", title="fraction of poisoning points", axis=alt.Axis(format="%"))
    base = alt.Chart(data).encode(x=x, color=alt.Color("mode:N", title="λ"),
                                  strokeDash=alt.StrokeDash("source:N", title="run"))
    tip = ["mode:N", "source:N", alt.Tooltip("poisons:Q"), alt.Tooltip("test_error:Q", format=".3f"),
           alt.Tooltip("lam:Q", format=".2f"), alt.Tooltip("w_norm2:Q", format=".3g")]
    err = base.mark_line(point=True).encode(y=alt.Y("test_error:Q", title="test error"), tooltip=tip)
    lam = base.mark_line(point=True).encode(y=alt.Y("lam:Q", title="λ"), tooltip=tip)
    norm = base.mark_line(point=True).encode(y=alt.Y("w_norm2:Q", title="‖w‖²", scale=alt.Scale(type="log")),
                                             tooltip=tip)
    size = dict(width=WIDTH * 0.8, height=HEIGHT)
    return alt.hconcat(err.properties(title="test error", **size), lam.properties(title="λ", **size),
                       norm.properties(title="‖w‖²", **size))


# --- Lesson 1: width U-curve -----------------------------------------------------------------

_WIDTH_AXIS = alt.Axis(values=[1, 10, 100, 1_000, 10_000, 100_000], format="~s")


def _width_x() -> alt.X:
    return alt.X("width:Q", title="hidden width m", scale=alt.Scale(type="log"), axis=_WIDTH_AXIS)


_VARIANT_COLORS = alt.Scale(domain=["clean training", "poisoned training", "paper Fig. 3 (CNN, full MNIST)"],
                            range=["#2ca02c", "#d62728", "#7f7f7f"])


def width_accuracy(summary: pd.DataFrame, column: str, *, title: str, highlight: int | None = None,
                   extra: pd.DataFrame | None = None) -> alt.LayerChart:
    """Mean test accuracy vs width (log x), a mean ± std band over seeds, one colour per variant
    (clean / poisoned training). ``extra`` rows (columns series, width, accuracy, run) are drawn
    as dashed reference lines: the shipped sweep, the paper's Fig. 3 values."""
    data = summary.dropna(subset=[f"mean_{column}"]).assign(
        series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}),
        accuracy=lambda d: d[f"mean_{column}"],
        low=lambda d: d[f"mean_{column}"] - d[f"std_{column}"],
        high=lambda d: d[f"mean_{column}"] + d[f"std_{column}"], run="live")
    x = _width_x()
    y = alt.Y("accuracy:Q", title=title, scale=alt.Scale(zero=False))
    color = alt.Color("series:N", title=None, scale=_VARIANT_COLORS)
    base = alt.Chart(data).encode(x=x, color=color)
    layers = [
        base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title=title), y2="high:Q"),
        base.mark_line(point=True, strokeWidth=2.5).encode(
            y=y, tooltip=["series:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f"),
                          alt.Tooltip(f"std_{column}:Q", title="std over seeds", format=".3f")]),
    ]
    if extra is not None and not extra.empty:
        layers.append(alt.Chart(extra).mark_line(point=alt.OverlayMarkDef(shape="diamond"), strokeDash=[5, 3],
                                                 opacity=0.7).encode(
            x=x, y=y, color=color, detail="run:N",
            tooltip=["run:N", "series:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f")]))
    if highlight is not None:
        layers.append(alt.Chart(pd.DataFrame({"width": [highlight]})).mark_rule(color="#555", strokeDash=[2, 2])
                      .encode(x="width:Q"))
    return alt.layer(*layers).properties(width=WIDTH + 60, height=HEIGHT)


def width_fit(summary: pd.DataFrame) -> alt.Chart:
    """Per width, the final fraction of its own training labels each network fits — for the
    poisoned network these are the poisoned labels: 1.0 means it memorized the poison."""
    data = summary.assign(series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}))
    return (
        alt.Chart(data).mark_line(point=True)
        .encode(x=_width_x(),
                y=alt.Y("mean_fit:Q", title="fit to its own (poisoned) training labels", scale=alt.Scale(domain=[0, 1])),
                color=alt.Color("series:N", title=None, scale=_VARIANT_COLORS),
                tooltip=["series:N", "width:Q", alt.Tooltip("mean_fit:Q", format=".3f")])
        .properties(width=WIDTH, height=HEIGHT)
    )


def width_stopping_views(summary: pd.DataFrame) -> alt.Chart:
    """The poisoned networks' test accuracy three ways: after the last epoch, stopped on a
    poisoned validation split, stopped on a clean one."""
    names = {"mean_final_accuracy": "last epoch", "mean_stopped_poisoned_val": "stopped on poisoned validation",
             "mean_stopped_clean_val": "stopped on clean validation"}
    data = (summary[summary.variant == "poisoned"].melt(id_vars=["width"], value_vars=list(names),
                                                         var_name="stopping", value_name="accuracy")
            .assign(stopping=lambda d: d.stopping.map(names)))
    return (
        alt.Chart(data).mark_line(point=True)
        .encode(x=_width_x(),
                y=alt.Y("accuracy:Q", title="clean test accuracy (poisoned training)", scale=alt.Scale(zero=False)),
                color=alt.Color("stopping:N", title=None, sort=list(names.values()),
                                scale=alt.Scale(domain=list(names.values()), range=["#9467bd", "#d62728", "#ff9896"])),
                tooltip=["stopping:N", "width:Q", alt.Tooltip("accuracy:Q", format=".3f")])
        .properties(width=WIDTH, height=HEIGHT)
    )


def width_epochs(curves: pd.DataFrame, width: int) -> alt.Chart:
    """Test accuracy during training at one width, each seed a line, clean vs poisoned."""
    data = curves[curves.width == width].assign(
        series=lambda d: d.variant.map({"clean": "clean training", "poisoned": "poisoned training"}))
    return (
        alt.Chart(data).mark_line(opacity=0.8)
        .encode(x=alt.X("epoch:Q", title="epoch"),
                y=alt.Y("test_accuracy:Q", title=f"clean test accuracy, m = {width}", scale=alt.Scale(zero=False)),
                color=alt.Color("series:N", title=None, scale=_VARIANT_COLORS), detail="seed:N",
                tooltip=["series:N", "seed:N", "epoch:Q", alt.Tooltip("test_accuracy:Q", format=".3f")])
        .properties(width=WIDTH, height=HEIGHT)
    )


def perturbation_norms(norms: pd.DataFrame) -> alt.Chart:
    """Histogram of per-sample ‖δᵢ‖ for each attack loss (paper 000, Fig. 1 bottom)."""
    return (
        alt.Chart(norms).mark_bar(opacity=0.6, binSpacing=0)
        .encode(x=alt.X("norm:Q", bin=alt.Bin(maxbins=40), title="per-sample perturbation ‖δᵢ‖₂",
                          axis=alt.Axis(format=".1f", tickCount=8)),
                y=alt.Y("count()", title="training samples", stack=None),
                color=alt.Color("attack_loss:N", title="attack loss",
                                scale=alt.Scale(range=["#1f77b4", "#ff7f0e"])))
        .properties(width=WIDTH + 60, height=HEIGHT)
    )


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
            tooltip=["budget:N", "n:Q", alt.Tooltip("per_sample:Q", title="average ‖δᵢ‖ = C/√n", format=".2f"),
                     alt.Tooltip(f"{column}:Q", format=".4f")])
        layers = [lines]
        if not rules.empty:
            layers.append(alt.Chart(rules).mark_rule(strokeDash=[4, 3], opacity=0.8).encode(x="n:Q", color=color))
        return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)

    return alt.hconcat(panel("excess_loss", "excess test loss F(w*ₙ) − F(w*)"),
                       panel("excess_error", "excess test error L(w*ₙ) − L(w*)"))
