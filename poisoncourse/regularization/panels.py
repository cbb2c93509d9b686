"""Lesson 2's page, beyond its one call per panel: the forms' values as configs, and the
tables its MNIST chart combines (the shipped curves with the student's live run).

The page's forms hold marimo values keyed by control (``x1``, ``x2``, ``steps``, …); the
configs speak the package's names (``poison``, ``attack_steps``, …). The translation lives
here, once, so the page only passes the form's values through.
"""

from __future__ import annotations

import pandas as pd

from . import mnist
from .experiment import HeatmapConfig


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


def mnist_curves(reference: pd.DataFrame | None, live: mnist.MnistPoisoningResult | None) -> pd.DataFrame | None:
    """The curves of Fig. 2 to draw: the shipped ones (averaged over splits) and the live
    run's, told apart by ``source``; None when there is neither."""
    parts = []
    if reference is not None:
        parts.append(reference.assign(source=f"shipped (T = {mnist.REFERENCE_STEPS} per batch)"))
    if live is not None:
        parts.append(live.table.assign(source=f"live (T = {live.config.attack_steps})"))
    return pd.concat(parts, ignore_index=True) if parts else None
