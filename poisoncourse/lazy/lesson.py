"""What Lesson 5's page computes besides the runs: the forms' configs, the fitted-slope table
of Part 1 and the choice of reference curves and markers for Part 2's chart."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import charts, experiment

# The C₀ values the sliders and lists offer (the reference's radii and a few more).
RADIUS_STEPS = (0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 20)
# Fig. 2's asymptotics: fitted without the smallest images, where they have not set in.
ASYMPTOTIC_D = 100


def single_step_config(values: dict) -> experiment.LazyConfig:
    """Part 1's form → its config: the swept list is the sizes or the radii, as chosen."""
    values = dict(values)
    sweep = values.pop("sweep")
    sizes, radii = values.pop("sizes"), values.pop("radii")
    swept = tuple(sizes) if sweep == "size" else tuple(radii)
    return experiment.LazyConfig.single_step(sweep=sweep, values=swept, lazy_radius=values.pop("c0"), **values)


def robust_config(values: dict) -> experiment.LazyConfig:
    """Part 2's form → its config: the swept list is the radii or the budgets, as chosen."""
    values = dict(values)
    sweep = values.pop("sweep")
    radii, budgets = values.pop("radii"), values.pop("budgets")
    swept = tuple(radii) if sweep == "radius" else tuple(budgets)
    return experiment.LazyConfig(sweep=sweep, values=swept, lazy_radius=values.pop("c0"), **values)


def run_live(config: experiment.LazyConfig, progress=None) -> experiment.LazyResult:
    """A live run from the page, refused when it would take longer than a page may wait. (Under
    a spinner: the batched run has no step count worth a bar.)"""
    return experiment.run(config, max_seconds=experiment.LIVE_MAX_SECONDS)


def asymptotic_slopes(summary: pd.DataFrame) -> tuple[float, float] | None:
    """Fitted log-log slopes of ‖∇f‖ and ‖δ‖/‖x‖ against d on d ≥ 100 only; None with fewer
    than two such sizes."""
    big = summary[summary.d >= ASYMPTOTIC_D]
    if len(big) < 2:
        return None
    return experiment.loglog_slope(big.d, big.grad_norm), experiment.loglog_slope(big.d, big.delta_rel)


def scaling_markdown(result: experiment.LazyResult) -> str:
    """Part 1's fitted slopes against d next to the theory's, as a markdown table (and the
    slopes on d ≥ 100 under it); empty unless the sizes were swept, at least two of them."""
    if result.config.sweep != "size" or len(result.summary) < 2:
        return ""
    names = {"grad_norm": "‖∇f‖", "eta": "η", "delta_rel": "‖δ‖/‖x‖"}
    rows = [f"| {names[r.quantity]} | {r.slope:+.2f} | {r.theory:+.1f} |"
            for r in experiment.scaling_table(result).itertuples()]
    text = "\n".join(["| quantity | fitted slope vs d (live) | theory |", "|---|---|---|", *rows])
    tail = asymptotic_slopes(result.summary)
    if tail is not None:
        text += f"\n\nFitted on d ≥ {ASYMPTOTIC_D} only: ‖∇f‖ {tail[0]:+.2f}, ‖δ‖/‖x‖ {tail[1]:+.2f}."
    return text


def single_step_reference(reference: pd.DataFrame | None, config: experiment.LazyConfig) -> pd.DataFrame | None:
    """The reference's single-step runs, drawn only against d (they sweep sizes, not radii)."""
    if reference is None or config.sweep != "size":
        return None
    return reference[reference.figure == "single_step"]


@dataclass(frozen=True)
class RobustView:
    """Part 2's chart, what it is drawn against, and which reference runs are dashed."""

    chart: object
    against: str
    reference_note: str


def robust_view(result: experiment.LazyResult, reference: pd.DataFrame | None) -> RobustView:
    """Robust accuracy against C₀ (reference: Fig. 4 right, one curve per width) or against ε
    (reference: Fig. 4 left, one curve per d, with the 1/√d marker of Theorem 3.1)."""
    c, d = result.config, result.config.size ** 2
    if c.sweep == "radius":
        ref = None if reference is None else reference[reference.figure == "phase"]
        chart = charts.robust_accuracy_curve(result.summary, x="lazy_radius", x_title="lazy radius C₀ (log scale)",
                                             log_x=True, reference=ref, ref_color="width")
        return RobustView(chart, f"against the lazy radius C₀ (ε = {c.eps:g}, d = {d})",
                          f"Dashed: reference runs at d = 196, ε = 0.1 for widths m = "
                          f"{', '.join(map(str, experiment.REFERENCE_WIDTHS))}.")
    ref = None if reference is None else reference[reference.figure == "budget"].assign(d=lambda t: t["size"] ** 2)
    rules = pd.DataFrame({"x": [d ** -0.5], "label": [f"1/√d = {d ** -0.5:.3f}"]})
    chart = charts.robust_accuracy_curve(result.summary, x="eps", x_title="budget ε", reference=ref, ref_color="d",
                                         rules=rules)
    return RobustView(chart, f"against the budget ε (C₀ = {c.lazy_radius:g}, d = {d})",
                      f"Dashed: reference runs at C₀ = 4, m = {experiment.REFERENCE_BUDGET_WIDTH} for d = "
                      f"{', '.join(str(s * s) for s in experiment.REFERENCE_BUDGET_SIZES)}.")
