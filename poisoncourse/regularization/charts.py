"""Lesson 2's charts: error heatmaps over the poison's location, the attack's trace, MNIST curves. Every function takes a tidy table and returns a chart."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..core.charts import HEIGHT, MAX_ROWS, WIDTH, line_and_points, source_dash, thin, tips  # noqa: F401
from ..kit import explore

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
        x=x, x2=alt.X2("x1_hi"), y=y, y2=alt.Y2("x2_hi"), color=color,
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
                          shape=alt.Shape("split:N", title="set"), tooltip=tips("label:N", "split:N")))
    if boundaries is not None:
        styles = alt.Scale(domain=["clean", "poisoned"], range=["white", "red"])
        # One legend, the dash's, drawn as strokes and naming the colour: beside the heatmap's own colour
        # scale the boundary's colour legend stood apart (a white "clean" stroke on the white page).
        words = "datum.label == 'clean' ? 'clean (white, dashed)' : 'poisoned (red, solid)'"
        layers.append(alt.Chart(boundaries).mark_line(clip=True, strokeWidth=2.5).encode(
            x=x, y=y, color=alt.Color("model:N", scale=styles, legend=None),
            strokeDash=alt.StrokeDash("model:N", scale=alt.Scale(domain=["clean", "poisoned"], range=[[6, 4], [1, 0]]),
                                      title="decision boundary",
                                      legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5,
                                                        symbolStrokeColor="#555", labelExpr=words, labelLimit=0)),
            detail=alt.Detail("model:N")))
    if path is not None and len(path) > 1:
        layers.append(alt.Chart(path).mark_line(color="orange", strokeWidth=2, point=alt.OverlayMarkDef(
            color="orange", size=12)).encode(x=x, y=y, order=alt.Order("step:Q"),
                                             tooltip=tips("step:Q", alt.Tooltip("lam:Q", format=".2f"),
                                                      alt.Tooltip("val_loss:Q", format=".3f"))))
    poison = points[points.split == "poison"]
    layers.append(alt.Chart(poison).mark_point(shape="diamond", size=160, filled=True, color="red",
                                               stroke="black", strokeWidth=1)
                  .encode(x=x, y=y, tooltip=tips(alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"),
                                             "label:N")))
    return layers


def poison_error_map(grid: pd.DataFrame, points: pd.DataFrame, boundaries: pd.DataFrame, path: pd.DataFrame,
                     *, box: float, title: str, domain: list[float] | None = None) -> alt.LayerChart:
    """Heatmap A: validation error as a function of the poison's location, the data, the
    clean (dashed white) and poisoned (red) boundaries, the poison (diamond) and its attack
    path (orange). ``grid`` needs x1, x2, error. ``domain``: the colour scale's [low, high], shared by
    maps drawn side by side (else each map's own range, and one colour means two errors)."""
    heat = _heat(grid, "error", "validation error", "inferno", box, domain=domain)
    return alt.layer(heat, *_overlay(points, box, boundaries, path)).properties(
        width=SQUARE, height=SQUARE, title=title).resolve_scale(color="independent")


def best_lam_map(grid: pd.DataFrame, points: pd.DataFrame, *, box: float, lam_range: tuple[float, float]) -> alt.LayerChart:
    """Heatmap B: the λ of least validation error at each poison location."""
    heat = _heat(grid, "best_lam", "best λ", "viridis", box, domain=list(lam_range))
    return alt.layer(heat, *_overlay(points[points.split != "poison"], box)).properties(
        width=SQUARE, height=SQUARE, title="B · the λ that minimizes validation error").resolve_scale(color="independent")


def attack_trace(path: pd.DataFrame, *, steps: int | None = None,
                 lam_range: tuple[float, float] | None = None) -> alt.HConcatChart:
    """λ and the validation loss along the attack's steps. ``steps``: the attack's length, the x
    axis's end (an attack still going draws its steps so far on the whole axis); ``lam_range``: the
    λ axis, the whole range λ may take. The step axis's end is the chart's parameter (x_hi), not a
    constant of its spec: a live chart (kit/livechart.py) then redraws an attack in progress by
    changing its rows and that value, never its spec."""
    last = float(path.step.max()) if len(path) else 0.0
    x_hi = alt.param(name="x_hi", value=max(float(steps or 0), last, 1.0))
    base = alt.Chart(path).encode(x=alt.X("step:Q", title="attack step",
                                          scale=alt.Scale(domain=[0, alt.ExprRef("x_hi")], nice=False)))
    dots = lambda color: alt.OverlayMarkDef(color=color, size=14)  # noqa: E731
    lam_scale = alt.Scale(domain=list(lam_range), nice=False) if lam_range is not None else alt.Undefined
    lam = base.mark_line(point=dots("#440154"), color="#440154").encode(
        y=alt.Y("lam:Q", title="λ (the penalty is exp λ)", scale=lam_scale))
    loss = base.mark_line(point=dots("orange"), color="orange").encode(
        y=alt.Y("val_loss:Q", title="validation loss A", scale=alt.Scale(zero=False)))
    return alt.hconcat(lam.properties(width=WIDTH, height=160, title="λ along the attack"),
                       loss.properties(width=WIDTH, height=160, title="what the attacker maximizes")).add_params(x_hi)


def poisoning_curves(table: pd.DataFrame) -> alt.HConcatChart:
    """Fig. 2 of paper 002: test error, λ and ‖w‖² against the fraction of poisons, one line
    per way of choosing λ (and per ``source`` if present). ``table`` needs mode, fraction,
    test_error, lam, w_norm2."""
    data = table.copy()
    if "source" not in data:
        data["source"] = "live"
    x = alt.X("fraction:Q", title="fraction of poisoning points", axis=alt.Axis(format="%"))
    # Legends beside the three panels (below them they made the page 90 px taller, issue 26), which are narrow
    # enough that the legends' full labels fit the page's width.
    beside = alt.Legend(orient="right", direction="vertical", labelLimit=0)
    base = alt.Chart(data).encode(x=x, color=alt.Color("mode:N", title="λ", legend=beside))
    sources = list(data.source.unique())  # "live (T = …)" and the shipped curves
    live = next((s for s in sources if s.startswith("live")), "live")
    dash = source_dash("source", live=live, reference=[s for s in sources if s != live] or "reference",
                       present=sources, orient="right")
    tip = ["mode:N", "source:N", alt.Tooltip("poisons:Q"), alt.Tooltip("test_error:Q", format=".3f"),
           alt.Tooltip("lam:Q", format=".2f"), alt.Tooltip("w_norm2:Q", format=".3g")]
    err = line_and_points(base, y=alt.Y("test_error:Q", title="test error"), strokeDash=dash, tooltip=tip)
    if "test_error_low" in data:  # curves averaged over data splits: their 95 % interval as a band
        band = base.transform_filter("isValid(datum.test_error_low)").mark_area(opacity=0.15).encode(
            y=alt.Y("test_error_low:Q", title="test error"), y2="test_error_high:Q")  # one axis title, the line's
        err = alt.layer(err, band)  # the lines first: the legend's symbols are then theirs, not the pale band's
    lam = line_and_points(base, y=alt.Y("lam:Q", title="λ"), strokeDash=dash, tooltip=tip)
    norm = line_and_points(base, y=alt.Y("w_norm2:Q", title="‖w‖²", scale=alt.Scale(type="log")), strokeDash=dash,
                           tooltip=tip)
    size = dict(width=WIDTH * 0.65, height=HEIGHT)
    return alt.hconcat(err.properties(title="test error", **size), lam.properties(title="λ", **size),
                       norm.properties(title="‖w‖²", **size))


# --- the explorer: the damage map for each λ (a slider that runs in the browser) -------------------

def error_map_by_lam(lams, maps, box: float) -> alt.LayerChart:
    """Validation error as a function of the poison's location, one map per λ of the grid:
    drag λ and watch the damaging region shrink as the penalty grows."""
    L, G, _ = maps.shape  # (λ values, x2, x1)
    stride = max(1, math.ceil(math.sqrt(L * G * G / MAX_ROWS)))
    g = np.linspace(-box, box, G)[::stride]
    sub = np.asarray(maps)[:, ::stride, ::stride]
    x2, x1 = np.meshgrid(g, g, indexing="ij")
    cell = float(g[1] - g[0]) if len(g) > 1 else 2 * box
    data = pd.concat([pd.DataFrame({"lam": round(float(lam), 3), "x1": x1.ravel(), "x2": x2.ravel(),
                                    "error": sub[i].ravel()}) for i, lam in enumerate(lams)], ignore_index=True)
    finite = sub[np.isfinite(sub)]
    top_error = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    data = data.assign(x1_lo=data.x1 - cell / 2, x1_hi=data.x1 + cell / 2, x2_lo=data.x2 - cell / 2,
                       x2_hi=data.x2 + cell / 2)
    data, lam, keep = explore.slider(data, "lam", name="lam", label="λ")
    scale = alt.Scale(domain=[-box - cell / 2, box + cell / 2], nice=False)
    heat = (alt.Chart(data).mark_rect()
            .encode(x=alt.X("x1_lo:Q", title="poison x₁", scale=scale), x2=alt.X2("x1_hi"),
                    y=alt.Y("x2_lo:Q", title="poison x₂", scale=scale), y2=alt.Y2("x2_hi"),
                    color=alt.Color("error:Q", title="validation error",
                                    scale=alt.Scale(scheme="inferno", domain=[0, top_error])),
                    tooltip=[alt.Tooltip("lam:Q", title="λ"), alt.Tooltip("x1:Q", format=".2f"),
                             alt.Tooltip("x2:Q", format=".2f"), alt.Tooltip("error:Q", format=".3f")])
            .transform_filter(keep))
    label = explore.value_label(data, keep, "lam", "+.2f", "λ = ")
    return alt.layer(heat, label).add_params(lam).properties(width=300, height=300,
                                                            title="validation error, poison placed here")
