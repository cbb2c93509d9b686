"""Lesson 4's page, beyond its one call per panel: the forms' values as configs, the 2-D
picture's fixed setting, and the tables its reference charts draw.

The page's forms hold marimo values keyed by control; the configs speak the package's
names. The translation lives here, once, so the page only passes the form's values through.
"""

from __future__ import annotations

from dataclasses import dataclass

import marimo as mo
import pandas as pd

from ..core import params
from ..core.cost import LIVE_MAX_SECONDS
from . import charts, experiment, mnist
from .experiment import (
    LabelNoiseConfig,
    LabelNoiseResult,
    Regions,
    accuracy_curves,
    decision_regions,
    describe_setting,
    run,
)

# The 2-D picture: small enough that full-batch Adam (one batch of all points) fits every r
# in about a second. The student sets r, μ, b and the seed; the rest is fixed here.
PICTURE = dict(d=2, n=200, sigma=1.0, batch_size=256, max_epochs=1000, n_test=500)
PICTURE_DEFAULTS = dict(r_values=(1.0, 3.0, 6.0), mu=1.0, poisons_per_class=3)
PICTURE_RESOLUTION = 60
PICTURE_MARGIN = 4.0  # the grid reaches this far past the class mean: |x| ≤ μ + 4


# Controls renamed since links were shared: old key → new key (an old link still opens).
RENAMED = {"b": "poisons_per_class"}
MNIST_RENAMED = {"budget": "flips"}
# The distances r the toy form offers.
R_CHOICES = {f"{r:g}": r for r in (0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12)}


def toy_form(ui, defaults: LabelNoiseConfig):
    """The toy experiment's form, its controls built by ``ui`` (:class:`~poisoncourse.kit.forms.Controls`)."""
    spec = params.spec(LabelNoiseConfig)
    return ui.form(
        """
            **Poisons** {poison_label} · {r_values} · per class {poisons_per_class}

            **Data** — dimension {d} · class-mean offset {mu} · spread {sigma} · training points {n}

            **Attack (test time, ℓ₂ PGD)** — radius {eps} · steps {pgd_steps}

            **Network and training** — {training} · spectral cap on the last layer (0 = none) {spectral_cap} ·
            hidden width {width} · learning rate {lr} · at most {max_epochs} epochs

            **Repeats** — {seeds} · first seed {seed}
            """,
        submit_button_label="Train",
        poison_label=ui.dropdown({v: k for k, v in experiment.POISON_LABELS.items()},
                                 value=experiment.POISON_LABELS[defaults.poison_label], label="label the poisons as"),
        r_values=ui.multiselect(R_CHOICES, value=[f"{r:g}" for r in defaults.r_values], label="distances r"),
        poisons_per_class=ui.declared(spec["poisons_per_class"], value=defaults.poisons_per_class, label="b"),
        d=ui.dropdown({"2": 2, "16": 16, "64": 64}, value=str(defaults.d), label="d"),
        mu=ui.declared(spec["mu"], value=defaults.mu, label="μ"),
        sigma=ui.declared(spec["sigma"], value=defaults.sigma, label="σ"),
        n=ui.declared(spec["n"], value=defaults.n, label="n"),
        eps=ui.declared(spec["eps"], value=defaults.eps, label="ε"),
        pgd_steps=ui.declared(spec["pgd_steps"], value=defaults.pgd_steps, label="steps"),
        training=ui.dropdown({v: k for k, v in experiment.TRAINING.items()},
                             value=experiment.TRAINING[defaults.training], label="training"),
        spectral_cap=ui.number(0.0, 100.0, 0.1, value=0.0, label="‖W‖₂ ≤"),
        width=ui.slider(16, 256, 16, value=defaults.widths[0], show_value=True, label="width (3 hidden layers)"),
        lr=ui.declared(spec["lr"], value=defaults.lr, label="Adam"),
        max_epochs=ui.declared(spec["max_epochs"], value=defaults.max_epochs, label="epochs"),
        seeds=ui.declared(spec["seeds"], value=defaults.seeds, label="seeds per r"),
        seed=ui.declared(spec["seed"], step=1, value=defaults.seed, label="seed"),
    )


def toy_config(values: dict) -> LabelNoiseConfig:
    """The main form's values as the r-sweep's config: one width for the three hidden
    layers, and a spectral cap of 0 meaning none."""
    v = dict(values)
    width, cap = v.pop("width"), v.pop("spectral_cap")
    return LabelNoiseConfig(widths=(width,) * 3, spectral_cap=cap or None, r_values=tuple(v.pop("r_values")), **v)


def run_toy(config: LabelNoiseConfig, progress=None) -> LabelNoiseResult:
    """The live r-sweep, refused with a sentence when it would take far longer than a page should."""
    return run(config, progress=progress, max_seconds=LIVE_MAX_SECONDS)


def live_curves(result: LabelNoiseResult) -> pd.DataFrame:
    """The live sweep as the table :func:`charts.accuracy_vs_r` draws, named after its setting."""
    return accuracy_curves(result.summary, "live: " + describe_setting(result.config))


def live_chart(config: LabelNoiseConfig, result: LabelNoiseResult):
    """The live r sweep, from a finished run or one in progress (:func:`experiment.so_far`): on the
    whole run's r axis, so every frame of a run has one spec (kit/livechart.py)."""
    return charts.accuracy_vs_r(live_curves(result), r_values=config.r_values)


def live_rows(config: LabelNoiseConfig, result: LabelNoiseResult):
    """The table of :func:`live_chart` a run's frames change, with its accuracy axis's end (the live chart's `rows`)."""
    return charts.accuracy_rows(live_curves(result))


def picture_form(ui, seed: int):
    """The 2-D picture's form (its own settings, the toy run's first seed)."""
    start, spec = PICTURE_DEFAULTS, params.spec(LabelNoiseConfig)
    return ui.form(
        "{r_values} · class-mean offset {mu} · poisons per class {poisons_per_class} · {seed}",
        submit_button_label="Draw",
        r_values=ui.multiselect({f"{r:g}": r for r in (0.5, 1, 1.5, 2, 3, 4, 6)},
                                value=[f"{r:g}" for r in start["r_values"]], label="distances r"),
        mu=ui.declared(spec["mu"], value=start["mu"], label="μ"),
        poisons_per_class=ui.declared(spec["poisons_per_class"], value=start["poisons_per_class"], label="b"),
        seed=ui.declared(spec["seed"], step=1, value=seed, label="seed"),
    )


def picture_config(values: dict, main: LabelNoiseConfig) -> LabelNoiseConfig:
    """The 2-D picture's config: the picture form's r, μ, b and seed; the main controls'
    poison label, training, spectral cap and attack radius; :data:`PICTURE` for the rest."""
    return LabelNoiseConfig(**PICTURE, mu=values["mu"], poisons_per_class=values["poisons_per_class"],
                            seed=values["seed"], r_values=tuple(values["r_values"]), poison_label=main.poison_label,
                            training=main.training, spectral_cap=main.spectral_cap, eps=main.eps)


def picture_extent(config: LabelNoiseConfig) -> float:
    return config.mu + PICTURE_MARGIN


def draw_regions(config: LabelNoiseConfig) -> Regions:
    """The 2-D picture's networks and their predictions on the grid."""
    return decision_regions(config, resolution=PICTURE_RESOLUTION, extent=picture_extent(config))


def panel_title(run) -> str:
    """One 2-D panel's title: its r, adversarial accuracy and whether it fits (a row of
    :attr:`Regions.runs`)."""
    fit = "fits" if run.fit else "does NOT fit all points"
    return f"r = {run.r:g}: adv. acc. {run.adversarial_accuracy:.2f} ({fit})"


def live_stats(result) -> list[dict]:
    """The statistics row's last entry (``mo.stat`` arguments): how many networks fit every
    training point, poisons included — the thesis's protocol."""
    return [dict(value=f"{int(result.runs.fit.sum())} / {len(result.runs)}", label="fit 100 % of their training set",
                 caption="poisons included")]

@dataclass(frozen=True)
class ReferenceFigures:
    """The shipped toy runs as the long tables :func:`charts.accuracy_vs_r` draws."""

    fig6: pd.DataFrame  # opposite class, third class, third class with PGD training
    fig8: pd.DataFrame  # spectral caps on the last layer, with the uncapped run to compare


def _curves(table: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([accuracy_curves(g, s) for s, g in table.groupby("setting", sort=False)], ignore_index=True)


def toy_reference(reference: pd.DataFrame) -> pd.DataFrame:
    return reference[reference.experiment == "toy"]


def reference_figures(reference: pd.DataFrame) -> ReferenceFigures:
    toy = toy_reference(reference)
    fig6 = toy[toy.spectral_cap.isna()]
    fig8 = toy[toy.spectral_cap.notna() | (toy.setting == describe_setting(LabelNoiseConfig()))]
    return ReferenceFigures(_curves(fig6), _curves(fig8))


def reference_panel(reference: pd.DataFrame):
    """The shipped runs' two figures with their captions (drawn once per server: page.Shipped.show's once).
    Fig. 8, a variant the bullets below report in one line, stands in a closed section (issue 26)."""
    figures = reference_figures(reference)
    return mo.vstack([
        mo.md("**Fig. 6 — opposite class, third class, third class with PGD training.**"),
        charts.accuracy_vs_r(figures.fig6),
        mo.accordion({FIG8: charts.accuracy_vs_r(figures.fig8)})])


FIG8 = "Fig. 8 — a spectral cap on the last layer (opposite-class poisons)"


def mnist_reference(reference: pd.DataFrame) -> pd.DataFrame:
    """The shipped MNIST rows: one per selection (bucket 1 … k, random)."""
    return reference[reference.experiment == "mnist"]

MNIST_STAGES = 3  # clean network, adversarial paths, poisoned networks


def stage_notes(progress):
    """``mnist.run``'s ``progress(stage, done, total)`` as the page's bar: one step and the
    stage's name as subtitle each time a stage begins (``progress(done, total)``, ``progress.note``)."""
    current = {"stage": None, "begun": 0}

    def tell(stage, done, total):
        if stage != current["stage"]:
            current["stage"] = stage
            current["begun"] += 1
            progress.note(stage)
            progress(current["begun"], MNIST_STAGES)

    return tell


def mnist_form(ui, defaults: mnist.MnistBucketsConfig):
    """The reduced MNIST run's form, asked for (:meth:`~poisoncourse.kit.forms.Controls.request_form`)."""
    spec = params.spec(mnist.MnistBucketsConfig)
    return ui.request_form(
        "**Reduced live run** — {flips} labels flipped per network · {buckets} buckets · "
        "attack radius {eps} · {seeds}",
        submit_button_label="Run on MNIST (a few seconds at the defaults)",
        flips=ui.declared(spec["flips"], value=defaults.flips, label="flips"),
        buckets=ui.declared(spec["buckets"], value=defaults.buckets, label="buckets"),
        eps=ui.declared(spec["eps"], value=defaults.eps, label="ε"),
        seeds=ui.declared(spec["seeds"], value=defaults.seeds, label="seeds"),
    )


def mnist_config(values: dict) -> mnist.MnistBucketsConfig:
    return mnist.MnistBucketsConfig(**values)


def run_mnist(config: mnist.MnistBucketsConfig, progress) -> mnist.MnistBucketsResult:
    """The reduced MNIST run, its three stages shown on the page's bar."""
    return mnist.run(config, progress=stage_notes(progress))
