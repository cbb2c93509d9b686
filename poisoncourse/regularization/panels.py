"""Lesson 2's page, beyond its one call per panel: the forms' values as configs, and the
tables its MNIST chart combines (the shipped curves with the student's live run).

The page's forms hold marimo values keyed by control (``x1``, ``x2``, ``steps``, …); the
configs speak the package's names (``poison``, ``attack_steps``, …). The translation lives
here, once, so the page only passes the form's values through.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..core import params
from . import charts, mnist
from .experiment import LAM_RANGE, HeatmapConfig, cloned_poison


def heatmap_form(ui, defaults: HeatmapConfig):
    """The heatmaps' form, its controls built by ``ui`` (:class:`~poisoncourse.kit.forms.Controls`): the poison
    starts at the clone the data seed picks."""
    start = cloned_poison(defaults.seed, defaults.poison_label)
    spec = params.spec(HeatmapConfig)
    return ui.form(
        """
        **Regularization** {lam} {bias}

        **Poison** {x1} {x2} labelled as {label}

        **Optimal attack** {steps} {step_size} {learn} {lam_step}

        **Maps** {resolution} {lam_values} · data seed {seed}
        """,
        submit_button_label="Train",
        lam=ui.declared(spec["lam"], value=round(defaults.lam, 1), label="λ (the penalty is exp λ)"),
        bias=ui.checkbox(value=defaults.penalize_bias, label="penalize the bias"),
        x1=ui.slider(-9.5, 9.5, 0.1, value=round(start[0], 1), show_value=True, label="x₁"),
        x2=ui.slider(-9.5, 9.5, 0.1, value=round(start[1], 1), show_value=True, label="x₂"),
        label=ui.dropdown({"class 0 (green)": 0, "class 1 (blue)": 1}, value="class 0 (green)"),
        steps=ui.declared(spec["attack_steps"], value=defaults.attack_steps, label="steps"),
        step_size=ui.declared(spec["step_size"], value=defaults.step_size, label="poison step α"),
        learn=ui.checkbox(value=False, label="learn λ (minimax)"),
        lam_step=ui.declared(spec["lam_step"], value=defaults.lam_step, label="λ step β"),
        resolution=ui.declared(spec["resolution"], value=defaults.resolution, label="grid"),
        lam_values=ui.declared(spec["lam_values"], value=defaults.lam_values, label="λ values in B"),
        seed=ui.declared(spec["seed"], step=1, value=defaults.seed, label=""),
    )


# Controls renamed since links were shared: old key → new key (an old link still opens).
RENAMED = {"alpha": "step_size", "beta": "lam_step"}


def heatmap_config(values: dict) -> HeatmapConfig:
    """The 2-D form's values (lam, x1, x2, label, steps, step_size, learn, lam_step,
    resolution, lam_values, seed) as the config of heatmaps A and B."""
    v = values
    return HeatmapConfig(lam=v["lam"], poison=(v["x1"], v["x2"]), poison_label=v["label"],
                         attack_steps=v["steps"], step_size=v["step_size"], learn_lam=v["learn"],
                         lam_step=v["lam_step"], resolution=v["resolution"], lam_values=v["lam_values"],
                         penalize_bias=v.get("bias", True), seed=v["seed"])


def unregularized_grid(result) -> pd.DataFrame:
    """Heatmap A's table at the smallest λ of the grid (−8: next to no regularization), for
    the opening contrast beside the student's λ."""
    return result.grid.assign(error=result.maps[0].ravel())


def error_domain(*grids: pd.DataFrame) -> list[float]:
    """One colour scale for heatmaps drawn side by side (issue 27): 0 to the largest finite error of any."""
    errors = pd.concat([g.error for g in grids])
    top = float(errors[np.isfinite(errors)].max()) if np.isfinite(errors).any() else 0.0
    return [0.0, top if top > 0 else 1.0]


def model_count(config: HeatmapConfig) -> int:
    """Logistic regressions one run solves: every grid cell at every λ of heatmap B, plus
    heatmap A's λ."""
    return config.resolution ** 2 * (config.lam_values + 1)


def live_stats(result) -> list[dict]:
    """The live run's errors for the statistics row (``mo.stat`` arguments): clean, with the
    student's poison, and after the optimal attack (with the λ it ended at, when learned)."""
    config, last = result.config, result.path.iloc[-1]
    return [
        dict(value=f"{result.clean_error:.1%}", label="clean validation error", caption=f"λ = {config.lam:.2f}"),
        dict(value=f"{result.poisoned_error:.1%}", label="with your poison"),
        dict(value=f"{last.val_error:.1%}", label="after the attack",
             caption=f"λ = {last.lam:.2f}" if config.learn_lam else f"{config.attack_steps} steps"),
    ]


def mnist_config(values: dict) -> mnist.MnistPoisoningConfig:
    """The MNIST form's values (poisons, modes, steps, seed): one slider sets the steps of
    both players, the attacker's per batch and the learned λ's on clean data."""
    v = values
    return mnist.MnistPoisoningConfig(poisons=v["poisons"], modes=tuple(v["modes"]), attack_steps=v["steps"],
                                      lam_steps=v["steps"], seed=v["seed"])


PAPER_SOURCE = f"paper protocol ({mnist.PAPER_SPLITS} splits, T = {mnist.T_POISON})"
SHORT_SOURCE = f"shipped (T = {mnist.REFERENCE_STEPS} per batch)"


def shipped_mnist(paper: pd.DataFrame | None, short: pd.DataFrame | None) -> tuple[pd.DataFrame | None, str]:
    """The shipped Fig. 2 curves the page draws and quotes, and their source's name: the paper's protocol
    (``paper``, per data split) averaged over its splits with the test error's interval when it was made,
    else the short curves (``short``, averaged)."""
    if paper is not None:
        return mnist.average(paper, band=True), PAPER_SOURCE
    return short, SHORT_SOURCE


def mnist_curves(reference: pd.DataFrame | None, live: mnist.MnistPoisoningResult | None,
                 source: str = SHORT_SOURCE) -> pd.DataFrame | None:
    """The curves of Fig. 2 to draw: the shipped ones (averaged over splits, named ``source``) and the
    live run's, told apart by ``source``; None when there is neither."""
    parts = []
    if reference is not None:
        parts.append(reference.assign(source=source))
    if live is not None:
        parts.append(live.table.assign(source=f"live (T = {live.config.attack_steps})"))
    return pd.concat(parts, ignore_index=True) if parts else None


def mnist_chart(reference: pd.DataFrame | None, live: mnist.MnistPoisoningResult | None, source: str = SHORT_SOURCE):
    """Fig. 2's chart of the curves :func:`mnist_curves` gives (the live chart's drawing, whole or so far);
    a line saying there are none when neither the shipped table nor a live run is there."""
    curves = mnist_curves(reference, live, source)
    if curves is None:
        return alt.Chart(pd.DataFrame({"text": ["No curves to draw: the shipped table is missing."]})).mark_text(
            align="left").encode(text="text:N").properties(width=400, height=30)
    return charts.poisoning_curves(curves)


def mnist_form(ui):
    """The live MNIST attack's form, asked for (:meth:`~poisoncourse.kit.forms.Controls.request_form`)."""
    spec, defaults = params.spec(mnist.MnistPoisoningConfig), mnist.MnistPoisoningConfig()
    return ui.request_form(
        """
        **Live attack on MNIST** — {poisons} {modes} {steps} · data split {seed}
        """,
        submit_button_label="Attack",
        poisons=ui.dropdown({"17 (one batch)": 17, "34 (two batches)": 34}, value="17 (one batch)",
                            label="poisons"),
        modes=ui.multiselect({v: k for k, v in mnist.MODES.items()},
                             value=[mnist.MODES[m] for m in ("small", "large", "learned")],
                             label="λ set by"),
        steps=ui.declared(spec["attack_steps"], value=defaults.attack_steps, label="steps per batch"),
        seed=ui.declared(spec["seed"], step=1, value=defaults.seed, label=""),
    )


def attack_chart(config: HeatmapConfig, result):
    """The attack's trace (λ and the validation loss along its steps), from a finished run or an
    attack in progress (:class:`~poisoncourse.regularization.experiment.AttackSoFar`): on the whole
    attack's step axis and λ's whole range, so every frame of a run has one spec (kit/livechart.py)."""
    return charts.attack_trace(result.path, steps=config.attack_steps, lam_range=LAM_RANGE)
