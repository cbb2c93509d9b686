"""Lesson 5's sentences and tables that state numbers, each built from the run or the shipped table
it is about: Part 1's fitted slopes, the fair comparison of Part 2's reference, and Figs. 2 and 3
of the single-step reference in numbers and words (checked by tests/lazy/test_prose.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.stats import mean_interval, wilson
from . import experiment, single_step

# Fig. 2's asymptotics: fitted without the smallest images, where they have not set in.
ASYMPTOTIC_D = 100


def asymptotic_slopes(summary: pd.DataFrame) -> tuple[float, float] | None:
    """Fitted log-log slopes of ‖∇f‖ and ‖δ‖/‖x‖ against d on d ≥ 100 only; None with fewer
    than two such sizes."""
    big = summary[summary.d >= ASYMPTOTIC_D]
    if len(big) < 2:
        return None
    return experiment.loglog_slope(big.d, big.grad_norm), experiment.loglog_slope(big.d, big.delta_rel)


SLOPES = "The live run in numbers: each quantity's fitted slope against d, beside the theory's"


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


def fair_markdown(fair: pd.DataFrame | None) -> str:
    """The fair comparison in words, robust accuracies with 95 % Wilson intervals over the pooled
    test points of the seeds."""
    if fair is None:
        return ""
    n = experiment.REFERENCE_TRAINING["n_test"]

    small, large = fair.iloc[0], fair.iloc[-1]
    same = small.seeds == large.seeds  # then the test points are said once

    def acc(row) -> str:
        trials = int(n * row.seeds)
        p, lo, hi = wilson(round(row.robust_accuracy * trials), trials)
        return f"{p:.2f} (95 % interval {lo:.2f}–{hi:.2f}{'' if same else f', {trials} test points'})"

    return (f"Ringed, the fair comparison (m = {small.width:g}): at C₀ = {small.lazy_radius:g} the networks fit "
            f"(clean {small.clean_accuracy:.2f}) yet their robust accuracy is {acc(small)}; at C₀ = "
            f"{large.lazy_radius:g} (clean {large.clean_accuracy:.2f}) it is {acc(large)}"
            f"{f', each over {int(n * small.seeds)} test points' if same else ''}.")


def seed_slopes(rows: pd.DataFrame, x: str, y: pd.Series) -> tuple[float, float, float]:
    """Log-log slope of y against x fitted per seed: mean and 95 % t-interval over seeds."""
    data = rows.assign(_y=y)
    return mean_interval([experiment.loglog_slope(s[x], s._y) for _, s in data.groupby("seed")])


FIG3_TABLE = "Fig. 3 in numbers: each quantity's slope against C₀, with its interval, and what it means"


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


FIG2_NUMBERS = "Fig. 2 in numbers: the median step's range in units of 1/√d, and its slope against d"
# Both figures' numbers in one closed section under Fig. 3 (one fold fewer: the page's height, issue 26).
FIGS_NUMBERS = "Fig. 2 and 3 in numbers: the step's range and slope against d; each quantity's slope against C₀"


def rows_explore(name: str) -> str:
    """The title of Part 2's closed explorer (the browser tests open sections titled "Explore…")."""
    return f"Explore: one {name} at a time (the same networks as the panels above)"


def fig3_parts(rows: pd.DataFrame) -> tuple[str, str]:
    """What Fig. 3's reference shows, in words chosen by its numbers: per rule how much ‖∇f‖ and η change from
    the smallest to the largest C₀ (with their slopes' 95 % intervals) and whether the rows use the room C₀
    gives (for the closed section under the figure); then what that means (for the page's flow)."""
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
    return ("\n".join(out), "To first order the flipping step is η ≈ |f|/‖∇f‖²: with ‖∇f‖ nearly fixed, the "
            "robustness a larger C₀ buys is mostly margin (a larger |f|), not a smaller gradient. The paper's Fig. 3 "
            f"shows ‖∇f‖ growing clearly with C₀; at this scale ({single_step.TRAINING['n_train']} images, "
            f"{single_step.TRAINING['epochs']} epochs; the paper: all 12,665 0s and 1s, trained until a row leaves "
            "its ball) that part is not reproduced.")


# --- "What to notice" and "Try next": the sentences that quote the shipped references ---------------


def half_robust_budget(runs: pd.DataFrame) -> float:
    """The budget ε at which robust accuracy falls to one half (linear between the swept budgets)."""
    runs = runs.sort_values("eps")
    eps, acc = runs.eps.to_numpy(), runs.robust_accuracy.to_numpy()
    i = int(np.argmax(acc < 0.5))
    return float(eps[i - 1] + (acc[i - 1] - 0.5) * (eps[i] - eps[i - 1]) / (acc[i - 1] - acc[i]))


def half_budgets(reference: pd.DataFrame) -> pd.Series:
    """Per d of the reference's ε sweeps: the budget at which robust accuracy falls to one half."""
    budget = reference[reference.figure == "budget"]
    return pd.Series({int(d): half_robust_budget(runs) for d, runs in budget.groupby("d")}).sort_index()


def budget_notice(reference: pd.DataFrame | None) -> str:
    """Notice 5: where robustness ends against d, and what each doubling of √d does to that budget — the
    measured ratios, with "halves" only for a ratio that rounds to one half."""
    head = "* **Robustness ends near ε ≈ 1/√d.** Sweep ε: the budget at which robust accuracy falls to one half"
    if reference is None:
        return f"{head} shrinks as d grows (the shipped reference is missing here)."
    half = half_budgets(reference)
    ds = list(half.index)
    ratios = [half[b] / half[a] for a, b in zip(ds, ds[1:])]
    doubling = all(np.isclose(np.sqrt(b / a), 2) for a, b in zip(ds, ds[1:]))
    step = "each doubling of √d" if doubling else "each step in d"
    words = ["halves it" if round(r, 1) == 0.5 else f"multiplies it by {r:.2f}" for r in ratios]
    verdict = ("as the dotted 1/√d marker predicts" if all(round(r, 1) == 0.5 for r in ratios) else
               "where the dotted 1/√d marker predicts one half each time: the budget shrinks with d, but more "
               "slowly than 1/√d at the largest d")
    listed = ", ".join(f"{half[d]:.2f}" for d in ds[:-1]) + f" and {half[ds[-1]]:.2f}"
    return (f"{head} is ≈ {listed} for d = {', '.join(map(str, ds[:-1]))} and {ds[-1]} in the reference runs. "
            f"Going from one to the next ({step}) {' and then '.join(words)} (ratios "
            f"{', '.join(f'{r:.2f}' for r in ratios)}), {verdict}.")


def fitted_growth(fig3: pd.DataFrame) -> pd.DataFrame:
    """Per rule, among the C₀ whose networks fit (mean clean accuracy ≥ FIT_ACCURACY, as Part 2 filters):
    the smallest and largest such C₀ and how many times ‖∇f‖, η and ‖δ‖/‖x‖ grow between them."""
    from .panels import FIT_ACCURACY  # panels imports this module

    rows = []
    for rule, runs in fig3.groupby("rule", sort=False):
        m = runs.groupby("lazy_radius")[["clean_accuracy", "grad_norm", "eta", "delta_rel"]].mean()
        fit = m[m.clean_accuracy >= FIT_ACCURACY]
        growth = fit.iloc[-1] / fit.iloc[0]
        rows.append(dict(rule=rule, projection=runs.projection.iloc[0], low=float(fit.index[0]),
                         high=float(fit.index[-1]), grad_norm=growth.grad_norm, eta=growth.eta,
                         delta_rel=growth.delta_rel))
    return pd.DataFrame(rows)


def fig3_notice(fig3: pd.DataFrame | None) -> str:
    """Notice 3: what C₀ changes among the networks that fit — η, ‖δ‖ and ‖∇f‖ growth per rule."""
    from .panels import FIT_ACCURACY

    head = "* **Fig. 3: C₀ buys mostly margin.**"
    if fig3 is None:
        return f"{head} The Fig. 3 reference is missing here: see its warning above."
    g = fitted_growth(fig3).sort_values("projection", key=lambda p: p != "step")  # projecting back first
    names = {"step": "when rows are projected back", "stop": "under the stop rule"}
    same = g.low.nunique() == 1 and g.high.nunique() == 1
    per_rule = ", ".join(f"{r.eta:.1f}- and {r.delta_rel:.1f}-fold {names.get(r.projection, r.rule)}"
                         + ("" if same else f" (C₀ = {r.low:g} to {r.high:g})") for r in g.itertuples())
    fit = f"clean accuracy ≥ {FIT_ACCURACY:g}, as Part 2 counts them"
    where = (f"From C₀ = {g.low.iloc[0]:g} to {g.high.iloc[0]:g}, where the reference networks fit ({fit})" if same
             else f"Among the reference networks that fit ({fit})")
    grad = f"{100 * (g.grad_norm.min() - 1):.0f}–{100 * (g.grad_norm.max() - 1):.0f} %"
    return (f"{head} {where}, η and ‖δ‖ grow {per_rule}; ‖∇f‖ by only {grad} — the paper's ‖∇f‖ grows "
            f"clearly. (Below C₀ = {g.low.min():g} the networks never learned the task.)")


def stop_rule_steps(fig3: pd.DataFrame) -> pd.Series:
    """Under the stop rule in the Fig. 3 reference: the mean number of training steps per C₀."""
    return fig3[fig3.projection == "stop"].groupby("lazy_radius").steps.mean()


def try_next_3(fig3: pd.DataFrame | None) -> str:
    """Try next 3: the live run (4 epochs) never triggers the stop rule from C₀ = 10 (performed by a test);
    the Fig. 3 reference on this page trains longer, and there the rule fires at C₀ = 10 — said with its numbers."""
    live = experiment.LazyConfig.single_step()
    head = ("3. In Part 1, sweep C₀ under the paper's rule (*stop when a row leaves its ball*): at C₀ = 0.5 training "
            "stops after a few steps and the network is near chance; from C₀ = 10 the rule never triggers in the "
            f"live run ({live.epochs} epochs), and the results equal those of projecting back.")
    if fig3 is None:
        return head
    steps = stop_rule_steps(fig3)
    full = steps.max()
    never = steps[steps >= full]
    return (f"{head} The Fig. 3 reference above trains longer ({single_step.TRAINING['epochs']} epochs, "
            f"{full:.0f} steps): there the rule fires after about {steps[10.0]:.0f} of {full:.0f} steps at C₀ = 10, "
            f"and never triggers only from C₀ = {never.index.min():g}.")


def notice_markdown(reference: pd.DataFrame | None, single_step_table: pd.DataFrame | None) -> str:
    """The page's "What to notice" and "Try next", the sentences about the references built from them (each
    claim checked by tests/lazy/test_prose.py; each try-next performed by tests/lazy/test_notice.py)."""
    from .panels import single_step_rows

    fig3 = single_step_rows(single_step_table, "fig3")
    return "\n".join([
        "## What to notice",
        "",
        "* **Good accuracy, small flipping steps.** At C₀ = 10 the reference networks classify ≈ 99 % of test "
        "images correctly, yet one gradient step of about 8 % of the image's norm at 28×28 (30 % at 5×5) flips the "
        "average correct prediction. Theorem 3.1 is about that step's *size*, not about every point flipping (a "
        "long enough step flips almost anything): for the median point it is 1.5 to 3.5 times $1/\\sqrt d$ at "
        "every d.",
        "* **The scaling of Theorem 3.1.** $\\|\\nabla_x f\\|$ grows like $\\sqrt d$ and the perturbation shrinks "
        "like $1/\\sqrt d$ — closely for $d \\ge 100$ (fitted slopes ≈ ±0.5); over the whole range from d = 25 the "
        "slopes are flatter (≈ ±0.4): at very small d the asymptotics have not set in.",
        fig3_notice(fig3),
        "* **A phase transition in C₀ — among networks that fit.** Adversarially trained at ε = 0.1, d = 196, with "
        "C₀ ≤ 1 robust accuracy is below the majority guess, but these networks never learned the task (clean "
        "0.65–0.85, crossed out): they say nothing about the theorem. Among networks that fit (ringed) it still "
        "climbs, steeply between C₀ ≈ 2 and 6 to ≈ 0.9 for every width (m = 100, 200, 400); overall from ≈ "
        "0.02–0.36 at C₀ = 0.5 to ≈ 0.96 at C₀ = 20.",
        budget_notice(reference),
        "",
        "## Try next",
        "",
        "1. In Part 2, sweep ε at size 7×7, then at 28×28: robust accuracy falls to one half at a smaller ε.",
        "2. Set C₀ to 0.5 in Part 1 and sweep the sizes: ‖∇f‖ stays close to $\\sqrt{d/2}$, the value The math "
        "below derives for a network at its random initialization (within about 5 % from d = 49 on, 20 % above it "
        "at d = 25) — lazy networks inherit their fragility from random ones.",
        try_next_3(fig3),
        "4. Untick *normalize*: the images keep their raw pixel values, whose norm is above 1 and grows with the image "
        "size, so the same ε is a smaller change of the image.",
    ])


def scaling_legend(config: experiment.LazyConfig, reference: pd.DataFrame | None) -> str:
    """What Part 1's chart draws, said only for what it draws (``charts.lazy_scaling``): the live points, the
    seeds' bars (with more than one seed), the dashed reference runs (against d only) and the gray dotted
    theory lines (against d, with at least two sizes)."""
    parts = [f"Solid: the live run{f', mean over {config.seeds} seeds (bars: their range)' if config.seeds > 1 else ''}."]
    if reference is not None and len(reference):
        widths = ", ".join(str(int(w)) for w in sorted(reference.width.unique()))
        parts.append(f"Dashed: the shipped reference runs (m = {widths}).")
    if config.sweep == "size" and len(config.values) >= 2:
        parts.append("Gray dotted: the theory's √d, 1/d and 1/√d, drawn through the live points.")
    else:
        parts.append("The reference runs and the theory's lines are drawn against d only: sweep the sizes to see them.")
    return " ".join(parts)


# The page's mathematics, folded under "The math" (fixed text: it states no measured number).
MATH = r"""**Network (Sec. 2).** For $x \in \mathbb R^d$ with $\|x\| = 1$,

$$f(x) = \sum_{s=1}^m a_s\,\sigma\!\left(w_s^\top x + b_s\right), \qquad
a_s \sim \mathrm{Unif}\{\pm 1/\sqrt m\}\ \text{(fixed)},\quad w_{s,0} \sim \mathcal N(0, I_d),$$

predicting class 1 where $f(x) > 0$, trained by SGD on the logistic loss $\log(1 + e^{-y f(x)})$.

**Lazy regime.** $\max_s \|w_s - w_{s,0}\| \le R = C_0/\sqrt m$ (with the bias in the norm when there is
one), kept by projecting every row back onto its ball, $w_s \leftarrow w_{s,0} + (w_s - w_{s,0})
\min\!\left(1, R/\|w_s - w_{s,0}\|\right)$ (Alg. 1), or by stopping when a row leaves it (Sec. 5.1).

**Theorem 3.1 (informal).** For such a network, with $m$ wide enough but not exponentially wide in $d$, one step

$$x' = x - \eta\,\operatorname{sign}(f(x))\,\nabla_x f(x),\ \ \|\nabla_x f(x)\| \approx \sqrt{d/2},\ \ |f(x)| = O(1),$$

flips the prediction with $\eta = \Theta(1/d)$, i.e. $\|\delta\| = \eta\|\nabla_x f\| =
\Theta(1/\sqrt d)$, with high probability. Why $\sqrt{d/2}$: near initialization
$\nabla_x f = \sum_s a_s \mathbb 1[w_s^\top x + b_s > 0]\, w_s$, a sum of about $m/2$ random Gaussian
vectors of size $\sqrt d$ with weights $\pm 1/\sqrt m$.

**Adversarial training (Alg. 1).** For each batch, ℓ₂-PGD from $\delta = 0$: $\delta \leftarrow
\Pi_{\|\delta\| \le \epsilon}(\delta + \alpha\nabla_\delta \ell / \|\nabla_\delta \ell\|)$, $\alpha =
2.5\epsilon/K$, for $K$ steps; one SGD step on the attacked batch; then the projection above.
"""
