"""Lesson 1's two forms: the width sweep's and the convex warm-up's controls.

Each control's name is its URL key (``?flip_prob=0.3``, ``?convex.lam=0.03``): shared links
depend on these names, so renaming one breaks them (tests/test_width_page.py pins them).
"""

from __future__ import annotations

from . import convex, experiment, poison

ALL_WIDTHS = tuple(2**k for k in range(1, 13))  # 2 … 4,096: the widest a CPU sweep affords
RESOLUTIONS = {"7×7": 7, "14×14": 14, "28×28": 28}
CONVEX_LAMS = {"0.01": 0.01, "0.03": 0.03, "0.1": 0.1}

WIDTH_TEMPLATE = """
**Attack** {regime} {flip_prob} {budget} {attack} {attack_loss}

**Networks** — {victim} · widths {widths} highlighted width {highlight} · input resolution {resolution}

**Training** — epochs {epochs} · learning rate {lr} · momentum {momentum} · early stopping {early_stopping}

**Data and repeats** — training samples {n_train} · seeds {seeds} · first seed {seed}
"""


def _choices(names: dict) -> dict:
    """A dropdown's options from a {value: label} table: {label: value}."""
    return {label: value for value, label in names.items()}


def width_form(ui, defaults: experiment.WidthConfig):
    """The sweep's form, its controls built by ``ui`` (:class:`links.Controls`) from the link's values."""
    return ui.form(
        WIDTH_TEMPLATE, submit_button_label="Train",
        regime=ui.dropdown(_choices(experiment.REGIMES), value=experiment.REGIMES[defaults.regime], label="regime"),
        flip_prob=ui.slider(0.0, 0.5, 0.05, value=defaults.flip_prob, show_value=True, label="β (regime C)"),
        budget=ui.slider(0.0, 5.0, 0.05, value=defaults.budget, show_value=True,
                         label="budget (A: average ‖δᵢ‖ = C/√n; B: B)"),
        attack=ui.dropdown(_choices(poison.ATTACKS), value=poison.ATTACKS[defaults.attack], label="attack (A, B)"),
        attack_loss=ui.dropdown(_choices(poison.ATTACK_LOSSES), value=poison.ATTACK_LOSSES[defaults.attack_loss],
                                label="attack loss (A, B)"),
        victim=ui.dropdown(_choices(experiment.VICTIMS), value=experiment.VICTIMS[defaults.victim], label=""),
        widths=ui.multiselect({str(w): w for w in ALL_WIDTHS}, value=[str(w) for w in defaults.widths], label=""),
        highlight=ui.dropdown({"middle": None, **{str(w): w for w in ALL_WIDTHS}}, value="middle", label=""),
        resolution=ui.dropdown(RESOLUTIONS, value=f"{defaults.resolution}×{defaults.resolution}", label=""),
        epochs=ui.slider(5, 200, 5, value=defaults.epochs, show_value=True, label=""),
        lr=ui.number(0.001, 1.0, 0.001, value=defaults.lr, label=""),
        momentum=ui.dropdown({"0 (the paper's)": 0.0, "0.9": 0.9}, value="0 (the paper's)", label=""),
        early_stopping=ui.dropdown(_choices(experiment.EARLY_STOPPING),
                                   value=experiment.EARLY_STOPPING[defaults.early_stopping], label=""),
        n_train=ui.slider(200, 3000, 100, value=defaults.n_train, show_value=True, label=""),
        seeds=ui.slider(1, 5, 1, value=defaults.seeds, show_value=True, label=""),
        seed=ui.number(0, 100_000, 1, value=defaults.seed, label=""),
    )


def convex_form(ui, defaults: convex.ConvexConfig):
    """The warm-up's form (``ui`` with the prefix ``convex.``, so its keys stay apart from the sweep's)."""
    return ui.form(
        "**Linear model on 7×7 digits** — ridge λ {lam} · attack loss {attack_loss} · seeds {seeds} "
        "· first seed {seed}",
        submit_button_label="Fit the linear models",
        lam=ui.dropdown(CONVEX_LAMS, value=f"{defaults.lam:g}", label=""),
        attack_loss=ui.dropdown(_choices(poison.ATTACK_LOSSES), value=poison.ATTACK_LOSSES[defaults.attack_loss],
                                label=""),
        seeds=ui.slider(1, 5, 1, value=defaults.seeds, show_value=True, label=""),
        seed=ui.number(0, 100_000, 1, value=defaults.seed, label=""),
    )
