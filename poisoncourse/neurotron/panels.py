"""Lesson 3's panels: the form's defaults and config, and the live run beside the paper-scale
reference. (The sentences and tables that state numbers are in :mod:`.prose`.)

The shipped reference (`reference.load_reference`) holds the paper's Table 1 settings only
(n, r = 25, b = 16, k = 10, q = 1, α = 0 and the fixed θ or β). Overlaying it on a live run
with other settings would compare two different problems, so `final_errors` adds it only when
the student's settings are those (`matches_paper`), and says why otherwise.
"""

from __future__ import annotations

import pandas as pd

from ..core import params
from . import experiment

# The settings a reference run fixes besides the distribution and the swept quantity.
PAPER_FIXED = ("n", "r", "b", "k", "q", "leak", "attack")


def setting_controls(ui):
    """The two choices that re-make the form (its defaults follow them): the input distribution and
    the swept quantity, built by ``ui`` (:class:`~poisoncourse.kit.forms.Controls`)."""
    distribution = ui.build("distribution", ui.dropdown(
        {d.label: d.key for d in experiment.DISTRIBUTIONS.values()}, value=experiment.DISTRIBUTIONS["normal"].label,
        label="Inputs x drawn from",
    ))
    sweep = ui.build("sweep", ui.dropdown(
        {f"θ — {experiment.SWEEPS['theta']}": "theta", f"β — {experiment.SWEEPS['beta']}": "beta"},
        value=f"θ — {experiment.SWEEPS['theta']}", label="One line per value of"))
    return distribution, sweep


def swept_values(sweep: str) -> tuple[float, ...]:
    """The paper's values of the swept quantity: the form offers these, one line each."""
    return experiment.PAPER_THETAS if sweep == "theta" else experiment.PAPER_BETAS


def live_defaults(distribution: str, sweep: str) -> experiment.NeurotronConfig:
    """The form's defaults: the paper's n and, ×10 for live runs, its η for these inputs."""
    return experiment.NeurotronConfig.live(distribution, sweep=sweep, values=swept_values(sweep))


def train_form(ui, defaults: experiment.NeurotronConfig):
    """The form for the distribution and sweep ``defaults`` were made for, its controls built by ``ui``
    (:class:`~poisoncourse.kit.forms.Controls`): the swept values are the paper's, one line each."""
    swept = {f"{v:g}": v for v in swept_values(defaults.sweep)}
    spec = params.spec(experiment.NeurotronConfig)
    return ui.form(
        """
        **The network** — {k} · {r} · {n} · {q} · {leak}

        **The attack** — {values} · {fixed} · {attack}

        **Training** — {algorithms} · {eta} · {iterations} · {b}

        **Repeats** — {seeds} · {seed}
        """,
        submit_button_label="Train",
        values=ui.multiselect(swept, value=list(swept), label="swept values (one line each)"),
        fixed=(
            ui.declared(spec["beta"], value=defaults.beta, label="attack probability β (fixed)")
            if defaults.sweep == "theta"
            else ui.declared(spec["theta"], value=defaults.theta, label="attack magnitude θ (fixed)")
        ),
        attack=ui.dropdown({v: k for k, v in experiment.ATTACKS.items()}, value=experiment.ATTACKS[defaults.attack],
                           label="attack ξ"),
        k=ui.declared(spec["k"], value=defaults.k, label="width k (gates)"),
        r=ui.declared(spec["r"], value=defaults.r, label="filter size r (≤ n)"),
        n=ui.declared(spec["n"], value=defaults.n, label="input dimension n"),
        q=ui.declared(spec["q"], value=defaults.q, label="outer weight q"),
        leak=ui.declared(spec["leak"], value=defaults.leak, label="leaky-ReLU slope α"),
        algorithms=ui.multiselect({v: k for k, v in experiment.ALGORITHMS.items()},
                                  value=[experiment.ALGORITHMS[a] for a in defaults.algorithms], label="algorithms"),
        eta=ui.declared(spec["eta"], value=defaults.eta, label="learning rate η"),
        iterations=ui.declared(spec["iterations"], value=defaults.iterations, label="iterations T"),
        b=ui.declared(spec["b"], value=defaults.b, label="batch size b"),
        seeds=ui.declared(spec["seeds"], value=defaults.seeds, label="seeds per setting"),
        seed=ui.declared(spec["seed"], step=1, value=defaults.seed, label="first seed"),
    )

def form_config(values: dict, defaults: experiment.NeurotronConfig) -> experiment.NeurotronConfig:
    """The config of the form's values: its "fixed" slider is β when θ is swept, else θ."""
    values = dict(values)
    values["beta" if defaults.sweep == "theta" else "theta"] = values.pop("fixed")
    return experiment.NeurotronConfig(distribution=defaults.distribution, sweep=defaults.sweep, **values)


def value_symbol(sweep: str) -> str:
    """The swept quantity's symbol in the page's titles."""
    return {"theta": "θ", "beta": "β", "eta": "η"}[sweep]


def attack_title(config: experiment.NeurotronConfig) -> str:
    """A chart's first line: the attack and its fixed setting, e.g. "attack: ±θ alternating (the paper's
    experiments), β = 0.5"."""
    return f"attack: {experiment.ATTACKS[config.attack]}, {fixed_setting(config)}"


REFERENCE_ATTACK = f"attack: {experiment.ATTACKS['alternating']} — the shipped reference, at the paper's setting"


def fixed_setting(config: experiment.NeurotronConfig) -> str:
    """The attack parameter held fixed while the other is swept, e.g. "β = 0.5"."""
    if config.sweep == "eta":
        return f"θ = {config.theta:g}, β = {config.beta:g}"
    return f"β = {config.beta:g}" if config.sweep == "theta" else f"θ = {config.theta:g}"


def matches_paper(config: experiment.NeurotronConfig) -> bool:
    """Whether the reference holds a run of these settings (up to η, T and the seeds, which the
    reference takes from the paper): every fixed setting and the fixed θ or β agree."""
    paper = experiment.NeurotronConfig.paper(config.distribution, config.sweep)
    fixed = "beta" if config.sweep == "theta" else "theta"
    return all(getattr(config, k) == getattr(paper, k) for k in (*PAPER_FIXED, fixed))


def reference_curves(reference: pd.DataFrame, config: experiment.NeurotronConfig) -> pd.DataFrame:
    """The reference's median curves for the config's distribution and sweep."""
    return reference[(reference.distribution == config.distribution) & (reference.sweep == config.sweep)]


def final_reference(reference: pd.DataFrame, distribution: str, sweep: str) -> pd.DataFrame:
    """The reference's last iteration for one distribution and sweep: one row per
    (algorithm, value), with the median and the best and worst seeds' log10 error."""
    rows = reference[(reference.distribution == distribution) & (reference.sweep == sweep)]
    return rows[rows.iteration == rows.iteration.max()]


def final_errors(summary: pd.DataFrame, reference: pd.DataFrame | None,
                 config: experiment.NeurotronConfig) -> tuple[pd.DataFrame, str]:
    """The final errors to draw against the swept value — the live run's summary, plus the
    reference's last iteration where it holds these settings — and the note saying which."""
    parts = [summary.assign(source=f"live (T = {config.iterations:,}, η = {config.eta:g})")]
    if reference is not None and matches_paper(config):
        ref = final_reference(reference, config.distribution, config.sweep)
        ref = ref[ref.algorithm.isin(summary.algorithm.unique())]
        parts.append(ref.assign(source=f"paper scale (T = {experiment.PAPER_ITERATIONS:,}, "
                                       f"η = {config.input_distribution.eta:g})"))
        note = "Dashed: the shipped paper-scale runs."
    else:
        paper = experiment.NeurotronConfig.paper(config.distribution, config.sweep)
        note = ("The paper-scale runs are not overlaid: they exist for the paper's settings only "
                f"(n = {paper.n}, r = {paper.r}, b = {paper.b}, k = {paper.k}, q = {paper.q:g}, "
                f"α = {paper.leak:g}, {fixed_setting(paper)}, the ±θ attack).")
    return pd.concat(parts, ignore_index=True), note
