"""Lesson 5's panels: the controls both forms share, the forms' configs, the live run, and the choice
of reference curves and markers for Part 2's chart. (The sentences and tables that state numbers
are in :mod:`.prose`.)"""

from __future__ import annotations

from dataclasses import dataclass

import marimo as mo
import pandas as pd

from ..core import params
from ..kit import page
from . import charts, experiment, prose

# The C₀ values the sliders and lists offer (the reference's radii and a few more).
RADIUS_STEPS = (0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 20)
# A network whose clean test accuracy is below this has not learned 0 vs 1 (fitted ones reach ≈ 0.99): its
# robust accuracy says nothing about Theorem 3.1, which is about networks that generalize.
FIT_ACCURACY = 0.9
RULES = {"stop": "stop when a row leaves its ball (paper, Sec. 5.1)", "step": "project rows back after every step"}


def shared_controls(ui, defaults: experiment.LazyConfig) -> dict:
    """The controls both forms share (network, training rule, repeats), built on the page's ``ui``
    (``forms.Controls``, so a link carries their values)."""
    spec = params.spec(experiment.LazyConfig)
    return dict(
        width=ui.declared(spec["width"], value=defaults.width),
        bias=ui.checkbox(value=defaults.bias),
        normalize=ui.checkbox(value=defaults.normalize),
        epochs=ui.declared(spec["epochs"], value=defaults.epochs),
        projection=ui.dropdown({v: k for k, v in experiment.PROJECTIONS.items()},
                               value=experiment.PROJECTIONS[defaults.projection]),
        seeds=ui.declared(spec["seeds"], value=defaults.seeds, label="seeds per setting"),
        seed=ui.declared(spec["seed"], step=1, value=defaults.seed),
    )


def single_step_form(ui, defaults: experiment.LazyConfig):
    """Part 1's form: the swept image sizes or radii, the network, its training and repeats."""
    return ui.form(
        """
            **Sweep** {sweep} · image sizes {sizes} · or radii C₀ {radii}

            **Network** — lazy radius C₀ (when sizes are swept) {c0} · width m {width} · bias {bias}
            · normalize ‖x‖ = 1 {normalize}

            **Training** (standard SGD, no attack) — epochs {epochs} · projection {projection}

            **Repeats** — {seeds} · first seed {seed}
            """,
        submit_button_label="Train",
        sweep=ui.dropdown({"input dimension d": "size", "lazy radius C₀ (at 14×14)": "radius"},
                          value="input dimension d"),
        sizes=ui.multiselect({f"{s}×{s} (d = {s * s})": s for s in experiment.SIZES},
                             value=[f"{s}×{s} (d = {s * s})" for s in experiment.SIZES]),
        radii=ui.multiselect({f"{c:g}": float(c) for c in RADIUS_STEPS}, value=["1", "2", "4", "10", "20"]),
        c0=ui.slider(steps=RADIUS_STEPS, value=defaults.lazy_radius, show_value=True),
        **shared_controls(ui, defaults),
    )


def robust_form(ui, defaults: experiment.LazyConfig):
    """Part 2's form: the swept radii or budgets, the fixed setting, the network, adversarial training."""
    return ui.form(
        """
            **Sweep** {sweep} · radii C₀ {radii} · or budgets ε {budgets}

            **Fixed** — lazy radius C₀ (when ε is swept) {c0} · budget ε (when C₀ is swept) {eps}
            · image size {size}

            **Network** — width m {width} · bias {bias} · normalize ‖x‖ = 1 {normalize}

            **Adversarial training** — PGD steps {pgd_steps} · epochs {epochs} · projection {projection}

            **Repeats** — {seeds} · first seed {seed}
            """,
        submit_button_label="Train",
        sweep=ui.dropdown({"lazy radius C₀": "radius", "budget ε": "eps"}, value="lazy radius C₀"),
        radii=ui.multiselect({f"{c:g}": float(c) for c in RADIUS_STEPS},
                             value=[f"{c:g}" for c in experiment.RADII]),
        budgets=ui.multiselect({f"{e:g}": e for e in (0.01, *experiment.BUDGETS, 0.75, 1.0)},
                               value=[f"{e:g}" for e in experiment.BUDGETS]),
        c0=ui.slider(steps=RADIUS_STEPS, value=4, show_value=True),
        eps=ui.declared(params.spec(experiment.LazyConfig)["eps"], value=defaults.eps),
        size=ui.dropdown({f"{s}×{s} (d = {s * s})": s for s in experiment.SIZES}, value="14×14 (d = 196)"),
        pgd_steps=ui.declared(params.spec(experiment.LazyConfig)["pgd_steps"], value=defaults.pgd_steps),
        **shared_controls(ui, defaults),
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
    a spinner: the batched run has no step count worth a bar.) ``progress`` gets the sizes finished
    so far (a live chart's frames; the result is the same)."""
    return experiment.run(config, progress=progress, max_seconds=experiment.LIVE_MAX_SECONDS)


def scaling_axis(config: experiment.LazyConfig) -> tuple[str, str, list[float]]:
    """Part 1's x axis: its column, its title and the run's values of it (d = size², or C₀)."""
    if config.sweep == "size":
        return "d", "input dimension d", [float(size * size) for _, size, _ in config.settings()]
    return "lazy_radius", "lazy radius C₀", [float(c0) for c0, _, _ in config.settings()]


def scaling_chart(config: experiment.LazyConfig, result: experiment.LazyResult, reference: pd.DataFrame | None):
    """Part 1's chart (‖∇f‖, η, ‖δ‖/‖x‖ against d or C₀), from a whole run or the sizes finished so
    far: on the whole run's axis, so every frame of a run has one spec (kit/livechart.py)."""
    x, title, values = scaling_axis(config)
    return charts.lazy_scaling(result.summary, x=x, x_title=title, guides=config.sweep == "size",
                               reference=single_step_reference(reference, config), x_values=values)


def reference_alone(reference: pd.DataFrame | None, config: experiment.LazyConfig):
    """Part 1's reference lines alone, for a live run refused (they need no live result); None
    when there are none to draw."""
    ref = single_step_reference(reference, config)
    if ref is None or not len(ref):
        return None
    return mo.vstack([
        mo.md("### The reference alone\n\nNo live run to draw (refused above). Dashed: the shipped runs, one line "
              "per width."),
        charts.lazy_scaling(None, reference=ref, guides=False),
    ])


def robust_caption(result: experiment.LazyResult | None, config: experiment.LazyConfig, view: RobustView) -> str:
    """The words under Part 2's chart: how to read the live run (if any) and what the reference is."""
    c = config
    # What the chart labels itself (black live, bold robust, faint clean; the majority class's rule) is not repeated.
    return ((f"Live: the mean over {c.seeds} seed{'s' if c.seeds > 1 else ''} (bars: the seeds' range). "
             if result is not None else "")
            + f"{view.reference_note} The reference (`{experiment.REFERENCE_COMMAND}`: {experiment.REFERENCE_SEEDS} "
            f"seeds, PGD-{experiment.REFERENCE_TRAINING['pgd_steps']} training, "
            f"{experiment.REFERENCE_TRAINING['epochs']} epochs on {experiment.REFERENCE_TRAINING['n_train']} images, "
            f"a {experiment.REFERENCE_TRAINING['attack_steps']}-step test attack) is smaller than the paper's "
            "full-MNIST runs.")


def single_step_stats(result: experiment.LazyResult):
    """Part 1's statistics row: the run, its clean accuracy and the median point's flipping step."""
    c, m = result.config, result.models
    return page.run_stats(result, caption=f"{c.epochs} epochs, m = {c.width}", extra=[
        mo.stat(f"{m.clean_accuracy.mean():.3f}", label="clean test accuracy", caption="mean over all runs"),
        mo.stat(f"{m.step_sqrt_d_q50.mean():.2f} / √d", label="smallest flipping ‖δ‖/‖x‖, median point",
                caption=f"middle 80 %: {m.step_sqrt_d_q10.mean():.2f}–{m.step_sqrt_d_q90.mean():.2f} / √d")])


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
                                             highlight=fair, attack=robust_attack(c))
        return RobustView(chart, robust_against(c),
                          f"Dashed: reference runs at d = 196, ε = 0.1 for widths m = "
                          f"{', '.join(map(str, experiment.REFERENCE_WIDTHS))}. Crossed out: runs with clean "
                          f"accuracy below {FIT_ACCURACY:g} — they never learned the task, so their robust accuracy "
                          f"says nothing about the theorem. {prose.fair_markdown(fair)}")
    ref = None if reference is None else reference[reference.figure == "budget"].assign(d=lambda t: t["size"] ** 2)
    rules = pd.DataFrame({"x": [d ** -0.5], "label": [f"1/√d = {d ** -0.5:.3f}"]})
    chart = charts.robust_accuracy_curve(summary, x="eps", x_title="budget ε", reference=ref, ref_color="d",
                                         rules=rules, attack=robust_attack(c))
    return RobustView(chart, robust_against(c),
                      f"Dashed: reference runs at C₀ = 4, m = {experiment.REFERENCE_BUDGET_WIDTH} for d = "
                      f"{', '.join(str(s * s) for s in experiment.REFERENCE_BUDGET_SIZES)}.")


def robust_attack(config: experiment.LazyConfig) -> str:
    """The attack Part 2's robust accuracy is measured under, in the chart's title."""
    eps = "ε as on the x axis" if config.sweep == "eps" else f"ε = {config.eps:g}"
    return f"robust: against {config.attack_steps}-step ℓ₂-PGD, {eps}"


def robust_against(config: experiment.LazyConfig) -> str:
    """What Part 2's chart is drawn against, in words (its heading: the same words as :func:`robust_view`'s)."""
    d = config.size ** 2
    if config.sweep == "radius":
        return f"against the lazy radius C₀ (ε = {config.eps:g}, d = {d})"
    return f"against the budget ε (C₀ = {config.lazy_radius:g}, d = {d})"


def fair_comparison(phase: pd.DataFrame) -> pd.DataFrame | None:
    """At the widest reference width: the smallest C₀ whose networks fit (clean ≥ FIT_ACCURACY) and the
    largest C₀ — two networks that both learned the task, differing in how far their rows may move."""
    runs = phase[phase.width == phase.width.max()].sort_values("lazy_radius")
    fitted = runs[runs.clean_accuracy >= FIT_ACCURACY]
    return None if len(fitted) < 2 else fitted.iloc[[0, -1]]


def single_step_rows(table: pd.DataFrame | None, figure: str) -> pd.DataFrame | None:
    """The ``lazy_single_step`` reference's rows of one figure, with each rule's label."""
    if table is None:
        return None
    rows = table[table.figure == figure]
    return rows.assign(rule=rows.projection.map(RULES))
