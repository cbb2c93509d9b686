"""Lesson 3's panels: the form's defaults and config, and the live run beside the paper-scale
reference. (The sentences and tables that state numbers are in :mod:`.prose`.)

The shipped reference (`experiment.load_reference`) holds the paper's Table 1 settings only
(n, r = 25, b = 16, k = 10, q = 1, α = 0 and the fixed θ or β). Overlaying it on a live run
with other settings would compare two different problems, so `final_errors` adds it only when
the student's settings are those (`matches_paper`), and says why otherwise.
"""

from __future__ import annotations

import pandas as pd

from . import experiment

# The settings a reference run fixes besides the distribution and the swept quantity.
PAPER_FIXED = ("n", "r", "b", "k", "q", "leak", "attack")


def swept_values(sweep: str) -> tuple[float, ...]:
    """The paper's values of the swept quantity: the form offers these, one line each."""
    return experiment.PAPER_THETAS if sweep == "theta" else experiment.PAPER_BETAS


def live_defaults(distribution: str, sweep: str) -> experiment.NeurotronConfig:
    """The form's defaults: the paper's n and, ×10 for live runs, its η for these inputs."""
    return experiment.NeurotronConfig.live(distribution, sweep=sweep, values=swept_values(sweep))


def form_config(values: dict, defaults: experiment.NeurotronConfig) -> experiment.NeurotronConfig:
    """The config of the form's values: its "fixed" slider is β when θ is swept, else θ."""
    values = dict(values)
    values["beta" if defaults.sweep == "theta" else "theta"] = values.pop("fixed")
    return experiment.NeurotronConfig(distribution=defaults.distribution, sweep=defaults.sweep, **values)


def value_symbol(sweep: str) -> str:
    """The swept quantity's symbol in the page's titles."""
    return {"theta": "θ", "beta": "β", "eta": "η"}[sweep]


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
