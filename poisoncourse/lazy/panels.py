"""What Lesson 5's page computes besides the runs: the forms' configs, the fitted-slope table
of Part 1 and the choice of reference curves and markers for Part 2's chart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.stats import mean_interval, wilson
from . import charts, experiment, single_step

# The C₀ values the sliders and lists offer (the reference's radii and a few more).
RADIUS_STEPS = (0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 20)
# Fig. 2's asymptotics: fitted without the smallest images, where they have not set in.
ASYMPTOTIC_D = 100
# A network whose clean test accuracy is below this has not learned 0 vs 1 (fitted ones reach ≈ 0.99): its
# robust accuracy says nothing about Theorem 3.1, which is about networks that generalize.
FIT_ACCURACY = 0.9
RULES = {"stop": "stop when a row leaves its ball (paper, Sec. 5.1)", "step": "project rows back after every step"}


def shared_controls(ui, defaults: experiment.LazyConfig) -> dict:
    """The controls both forms share (network, training rule, repeats), built on the page's ``ui``
    (``links.Controls``, so a link carries their values)."""
    return dict(
        width=ui.slider(64, 1600, 32, value=defaults.width, show_value=True),
        bias=ui.checkbox(value=defaults.bias),
        normalize=ui.checkbox(value=defaults.normalize),
        epochs=ui.slider(1, 20, 1, value=defaults.epochs, show_value=True),
        projection=ui.dropdown({v: k for k, v in experiment.PROJECTIONS.items()},
                               value=experiment.PROJECTIONS[defaults.projection]),
        seeds=ui.slider(1, 4, 1, value=defaults.seeds, show_value=True, label="seeds per setting"),
        seed=ui.number(0, 100_000, 1, value=defaults.seed),
    )


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


def robust_view(result: experiment.LazyResult | None, reference: pd.DataFrame | None,
                config: experiment.LazyConfig | None = None) -> RobustView:
    """Robust accuracy against C₀ (reference: Fig. 4 right, one curve per width) or against ε
    (reference: Fig. 4 left, one curve per d, with the 1/√d marker of Theorem 3.1). ``result``
    None (the student's run was refused): the reference alone, for ``config``'s sweep."""
    c = result.config if result is not None else config
    summary, d = (None if result is None else result.summary), c.size ** 2
    if c.sweep == "radius":
        ref = None if reference is None else reference[reference.figure == "phase"]
        fair = None if ref is None else fair_comparison(ref)
        chart = charts.robust_accuracy_curve(summary, x="lazy_radius", x_title="lazy radius C₀ (log scale)",
                                             log_x=True, reference=ref, ref_color="width", fit=FIT_ACCURACY,
                                             highlight=fair)
        return RobustView(chart, f"against the lazy radius C₀ (ε = {c.eps:g}, d = {d})",
                          f"Dashed: reference runs at d = 196, ε = 0.1 for widths m = "
                          f"{', '.join(map(str, experiment.REFERENCE_WIDTHS))}. Crossed out: runs with clean "
                          f"accuracy below {FIT_ACCURACY:g} — they never learned the task, so their robust accuracy "
                          f"says nothing about the theorem. {fair_markdown(fair)}")
    ref = None if reference is None else reference[reference.figure == "budget"].assign(d=lambda t: t["size"] ** 2)
    rules = pd.DataFrame({"x": [d ** -0.5], "label": [f"1/√d = {d ** -0.5:.3f}"]})
    chart = charts.robust_accuracy_curve(summary, x="eps", x_title="budget ε", reference=ref, ref_color="d",
                                         rules=rules)
    return RobustView(chart, f"against the budget ε (C₀ = {c.lazy_radius:g}, d = {d})",
                      f"Dashed: reference runs at C₀ = 4, m = {experiment.REFERENCE_BUDGET_WIDTH} for d = "
                      f"{', '.join(str(s * s) for s in experiment.REFERENCE_BUDGET_SIZES)}.")


def fair_comparison(phase: pd.DataFrame) -> pd.DataFrame | None:
    """At the widest reference width: the smallest C₀ whose networks fit (clean ≥ FIT_ACCURACY) and the
    largest C₀ — two networks that both learned the task, differing in how far their rows may move."""
    runs = phase[phase.width == phase.width.max()].sort_values("lazy_radius")
    fitted = runs[runs.clean_accuracy >= FIT_ACCURACY]
    return None if len(fitted) < 2 else fitted.iloc[[0, -1]]


def fair_markdown(fair: pd.DataFrame | None) -> str:
    """The fair comparison in words, robust accuracies with 95 % Wilson intervals over the pooled
    test points of the seeds."""
    if fair is None:
        return ""
    n = experiment.REFERENCE_TRAINING["n_test"]

    def acc(row) -> str:
        trials = int(n * row.seeds)
        p, lo, hi = wilson(round(row.robust_accuracy * trials), trials)
        return f"{p:.2f} (95 % interval {lo:.2f}–{hi:.2f}, {trials} test points)"

    small, large = fair.iloc[0], fair.iloc[-1]
    return (f"Ringed, the fair comparison (m = {small.width:g}): at C₀ = {small.lazy_radius:g} the networks fit "
            f"(clean {small.clean_accuracy:.2f}) yet their robust accuracy is {acc(small)}; at C₀ = "
            f"{large.lazy_radius:g} (clean {large.clean_accuracy:.2f}) it is {acc(large)}.")


def single_step_rows(table: pd.DataFrame | None, figure: str) -> pd.DataFrame | None:
    """The ``lazy_single_step`` reference's rows of one figure, with each rule's label."""
    if table is None:
        return None
    rows = table[table.figure == figure]
    return rows.assign(rule=rows.projection.map(RULES))


def seed_slopes(rows: pd.DataFrame, x: str, y: pd.Series) -> tuple[float, float, float]:
    """Log-log slope of y against x fitted per seed: mean and 95 % t-interval over seeds."""
    data = rows.assign(_y=y)
    return mean_interval([experiment.loglog_slope(s[x], s._y) for _, s in data.groupby("seed")])


def fig3_markdown(rows: pd.DataFrame) -> str:
    """Fig. 3 in numbers, per rule: each quantity at the smallest and the largest C₀ (mean over seeds),
    its log-log slope against C₀ with a 95 % interval over seeds, and whether the ball still binds."""
    lines = ["| rule | ‖∇f‖ | slope | η | slope | ‖δ‖/‖x‖ | slope | rows' reach at the largest C₀ |",
             "|---|---|---|---|---|---|---|---|"]
    for rule, runs in rows.groupby("rule", sort=False):
        m = runs.groupby("lazy_radius")[["grad_norm", "eta", "delta_rel", "max_distance", "radius"]].mean()
        cells = []
        for q, fmt in (("grad_norm", ".1f"), ("eta", ".3g"), ("delta_rel", ".3f")):
            s, lo, hi = seed_slopes(runs, "lazy_radius", runs[q])
            cells += [f"{m[q].iloc[0]:{fmt}} → {m[q].iloc[-1]:{fmt}}", f"{s:+.2f} ({lo:+.2f} to {hi:+.2f})"]
        reach = m.max_distance.iloc[-1] / m.radius.iloc[-1]
        lines.append(f"| {rule} | {' | '.join(cells)} | {reach:.0%} of C₀/√m |")
    c0 = sorted(rows.lazy_radius.unique())
    return (f"C₀ from {c0[0]:g} to {c0[-1]:g} at d = {int(rows.d.iloc[0])}, m = {int(rows.width.iloc[0])}, "
            f"{rows.seed.nunique()} seeds; slopes against C₀ on log-log axes, 95 % intervals over seeds.\n\n"
            + "\n".join(lines))


def fig2_markdown(rows: pd.DataFrame) -> str:
    """The smallest flipping step's distribution against d, per rule: the median's range in units of
    1/√d and the slope of the median ‖δ‖/‖x‖ against d on d ≥ ASYMPTOTIC_D (Theorem 3.1: −0.5)."""
    out = []
    for rule, runs in rows.groupby("rule", sort=False):
        med = runs.groupby("d").step_sqrt_d_q50.mean()
        big = runs[runs.d >= ASYMPTOTIC_D]
        s, lo, hi = seed_slopes(big, "d", big.step_sqrt_d_q50 / np.sqrt(big.d))
        share = runs.groupby("d").step_sqrt_d_q90.mean()
        out.append(f"* *{rule}*: the median step is {med.min():.2f}–{med.max():.2f} × 1/√d over d = "
                   f"{int(med.index.min())}…{int(med.index.max())}, and 90 % of the points flip within "
                   f"{share.max():.2f}/√d at every d; "
                   f"slope of the median ‖δ‖/‖x‖ against d for d ≥ {ASYMPTOTIC_D}: {s:+.2f} "
                   f"(95 % interval {lo:+.2f} to {hi:+.2f}).")
    return "\n".join(out)


def fig3_discussion(rows: pd.DataFrame) -> str:
    """What Fig. 3's reference shows, in words chosen by its numbers: how much ‖∇f‖ and η change from the
    smallest to the largest C₀ (with their slopes' 95 % intervals), and whether the rows use the room C₀ gives."""
    out = []
    for rule, runs in rows.groupby("rule", sort=False):
        m = runs.groupby("lazy_radius")[["grad_norm", "eta", "max_distance", "radius"]].mean()
        g, g_lo, g_hi = seed_slopes(runs, "lazy_radius", runs.grad_norm)
        e, e_lo, e_hi = seed_slopes(runs, "lazy_radius", runs.eta)
        reach = m.max_distance / m.radius
        binding = reach[reach > 0.95]
        largest = float(binding.index.max()) if len(binding) else None
        room = ("the rows never reach their ball" if largest is None else
                "the rows reach their ball at every C₀" if largest == m.index.max() else
                f"the rows reach their ball up to C₀ = {largest:g} only; beyond, C₀ changes little")
        out.append(f"* *{rule}*: from C₀ = {m.index[0]:g} to {m.index[-1]:g}, ‖∇f‖ changes by "
                   f"{m.grad_norm.iloc[-1] / m.grad_norm.iloc[0] - 1:+.0%} (slope {g:+.2f}, {g_lo:+.2f} to {g_hi:+.2f}) "
                   f"and η {m.eta.iloc[-1] / m.eta.iloc[0]:.1f}-fold (slope {e:+.2f}, {e_lo:+.2f} to {e_hi:+.2f}); "
                   f"{room}.")
    return ("\n".join(out) + "\n\nTo first order the flipping step is η ≈ |f|/‖∇f‖²: with ‖∇f‖ nearly fixed, the "
            "robustness a larger C₀ buys is mostly margin (a larger |f|), not a smaller gradient. The paper's Fig. 3 "
            f"shows ‖∇f‖ growing clearly with C₀; at this scale ({single_step.TRAINING['n_train']} images, "
            f"{single_step.TRAINING['epochs']} epochs; the paper: all 12,665 0s and 1s, trained until a row leaves "
            "its ball) that part is not reproduced.")
