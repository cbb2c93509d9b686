"""Lesson 3 — Neuro-Tron under a label-poisoning oracle (paper 001).

Karmakar, Mukherjee & Papamarkou, "Depth-2 neural networks under a data-poisoning attack",
Neurocomputing 2023. The network (Def. 1/2) is

    f_w(x) = (1/k) Σ_i q σ(wᵀ A_i x),   σ the α-leaky ReLU,   w ∈ ℝʳ,  A_i ∈ ℝ^{r×n},

with the authors' sensing matrices A_i = M + j C, j ∈ {−k/2, …, k/2} \\ {0} (so their mean
is M). An oracle returns v = f_{w*}(x) + ξ with probability β, |ξ| = θ. Neuro-Tron
(Alg. 1) updates w ← w + η M (1/b) Σ (v − f_w(x)) x; the SGD baseline follows the gradient
of the square loss.

Everything is batched: every (seed, swept value, algorithm) is one slice of a tensor
``w`` of shape (S, V, A, r) and all of them advance together, one recurrence for the lot.
Within a seed the problem (w*, M, C), the input stream and the attack's coins are shared
by every swept value and algorithm (common random numbers), so the curves differ only by
what the student changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import torch

from ..core.cost import refuse_if_too_slow
from ..core.cost import LIVE_MAX_SECONDS as LIVE_MAX_SECONDS  # re-exported: the lesson's page reads it here
from ..core.device import Stopwatch, describe, pick_device
from ..core.errors import ConfigError
from ..core.params import SEED, Choice, Choices, Integer, Numbers, Real, Seeded, Switch, param
from .network import attacked_labels, gate_matrix, leaky_relu, network, neurotron_step, sgd_step
from .problem import InputStream, adversarial_filters, make_problem

# --- the paper's settings ---------------------------------------------------------------


@dataclass(frozen=True)
class InputDistribution:
    key: str
    label: str
    n: int  # input dimension used in the paper (Table 1)
    eta: float  # learning rate used in the paper (Table 1)
    variance: float  # per-coordinate variance, so Σ = E[x xᵀ] = variance · I


DISTRIBUTIONS = {
    d.key: d
    for d in (
        InputDistribution("normal", "Normal N(0, 1)", 100, 1e-4, 1.0),
        InputDistribution("student_t", "Student-t, ν = 4", 100, 1e-4, 2.0),
        InputDistribution("normal_var9", "Normal N(0, 9)", 50, 5e-5, 9.0),
        InputDistribution("laplace", "Laplace(0, scale 2)", 50, 5e-5, 8.0),
    )
}

PAPER_THETAS = (0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0)  # swept at β = 0.5
PAPER_BETAS = (0.005, 0.05, 0.1, 0.2, 0.5, 0.9)  # swept at θ = 0.25
PAPER_ITERATIONS = 40_000
LIVE_ETA_FACTOR = 10  # live runs take 10× the paper's step for 20× fewer iterations

ALGORITHMS = {
    "neurotron": "Neuro-Tron",
    "sgd": "SGD (correct gradient)",
    # The authors' public SGD uses the derivative at the *first* sample of each batch for
    # every sample of the batch; offered so students can see what that does.
    "sgd_first_sample": "SGD, authors' variant (first-sample derivative)",
}

SWEEPS = {"theta": "attack magnitude θ", "beta": "attack probability β", "eta": "learning rate η"}

ATTACKS = {
    # The authors' experiments: ξ = −θ, +θ, … by batch position, independent of x — zero mean,
    # so its floor is a noise ball that shrinks with η.
    "alternating": "±θ alternating (the paper's experiments)",
    # Sec. 3.5's worst case: ξ_x = f_{w_adv}(x) − f_{w*}(x), the labels of a wrong filter w_adv —
    # a bias no step size averages away.
    "worst_case": "labels of a wrong teacher filter (Sec. 3.5, worst case)",
}

# A run counts as diverged once its error is this many times its starting error …
DIVERGENCE_FACTOR = 1e3
# … and as stalled if it ends at least this fraction of its starting error away from w*, its
# error fell by less than 10 % over the second half of the run, and it points away from w*.
STALL_FRACTION = 0.5
STALL_FLATNESS = 0.9


@dataclass(frozen=True)
class NeurotronConfig(Seeded):
    """Every knob of the lesson. Unset ``n`` and ``eta`` take the paper's value for the
    chosen distribution (Table 1). Validated on construction."""

    distribution: str = param("normal", Choice(DISTRIBUTIONS), label="Input distribution")
    sweep: str = param("theta", Choice(SWEEPS), label="Swept quantity")
    values: tuple[float, ...] = param(PAPER_THETAS, Switch("sweep", {
        "theta": (Numbers(0.0, 4.0), f"The swept values of {SWEEPS['theta']}"),
        "beta": (Numbers(0.0, 1.0), f"The swept values of {SWEEPS['beta']}"),
        "eta": (Numbers(1e-7, 1e-2), f"The swept values of {SWEEPS['eta']}"),
    }))
    theta: float = param(0.25, Real(0.0, 4.0), label="Attack magnitude θ", slider=(0.0, 4.0, 0.125))  # used when sweeping β or η
    # used when sweeping θ or η; up to 1, Sec. 3.5's worst case attacks every sample
    beta: float = param(0.5, Real(0.0, 1.0), label="Attack probability β", slider=(0.0, 1.0, 0.005))
    attack: str = param("alternating", Choice(ATTACKS), label="Attack")
    n: int | None = param(None, Integer(2, 400), label="Input dimension n",
                          fill=lambda c: DISTRIBUTIONS[c.distribution].n, slider=(2, 200, 1))
    r: int = param(25, Integer(1, 400), label="Filter size r", slider=(1, 200, 1))
    k: int = param(10, Integer(2, 100), label="Width k", slider=(2, 100, 2))
    b: int = param(16, Integer(1, 64), label="Batch size b", slider=(1, 64, 1))
    q: float = param(1.0, Real(1.0, 10.0), label="Outer-layer weight q", slider=(1.0, 10.0, 0.5))
    # α of the α-leaky ReLU; 0 is the ReLU the paper simulates
    leak: float = param(0.0, Real(0.0, 0.99), label="Leaky-ReLU slope α", slider=(0.0, 0.5, 0.05))
    eta: float | None = param(None, Real(1e-7, 1e-2), label="Learning rate η",
                              fill=lambda c: DISTRIBUTIONS[c.distribution].eta)
    iterations: int = param(2_000, Integer(1, PAPER_ITERATIONS), label="Iterations T", slider=(200, 10_000, 200))
    seeds: int = param(3, Integer(1, 10), label="Number of seeds", slider=(1, 5, 1))
    seed: int = param(0, Integer(0, SEED), label="Seed")
    algorithms: tuple[str, ...] = param(("neurotron", "sgd"), Choices(
        ALGORITHMS, empty="Choose at least one algorithm.", each="Algorithm"), label="Algorithms")
    record_points: int = param(200, Integer(2, 2_000), label="Recorded points")
    device: str | None = None

    def check(self):
        if self.r > self.n:
            raise ConfigError(f"Filter size r must not exceed the input dimension n = {self.n}; got r = {self.r}.")
        if self.k % 2:
            raise ConfigError(f"Width k must be even (the sensing matrices pair up as M ± jC); got k = {self.k}.")

    @property
    def input_distribution(self) -> InputDistribution:
        return DISTRIBUTIONS[self.distribution]


    def thetas_betas(self) -> tuple[list[float], list[float]]:
        """Per swept value, the (θ, β) pair that value stands for."""
        if self.sweep == "theta":
            return list(self.values), [self.beta] * len(self.values)
        if self.sweep == "eta":
            return [self.theta] * len(self.values), [self.beta] * len(self.values)
        return [self.theta] * len(self.values), list(self.values)

    def etas(self) -> list[float]:
        """Per swept value, its learning rate η."""
        return list(self.values) if self.sweep == "eta" else [self.eta] * len(self.values)


    @classmethod
    def live(cls, distribution: str = "normal", **overrides) -> NeurotronConfig:
        """The lesson's live default: the paper's setting with η ten times larger and T = 2,000,
        so a retrain takes about a second (faster convergence, higher error floor)."""
        Choice(DISTRIBUTIONS).check(distribution, "Input distribution")
        base = dict(distribution=distribution, eta=LIVE_ETA_FACTOR * DISTRIBUTIONS[distribution].eta)
        return cls(**{**base, **overrides})

    @classmethod
    def paper(cls, distribution: str, sweep: str, **overrides) -> NeurotronConfig:
        """The paper's Table 1 setting for one distribution and one swept quantity."""
        values = PAPER_THETAS if sweep == "theta" else PAPER_BETAS
        base = dict(distribution=distribution, sweep=sweep, values=values, theta=0.25, beta=0.5,
                    iterations=PAPER_ITERATIONS)
        return cls(**{**base, **overrides})




# --- the batched recurrence ---------------------------------------------------------------


@dataclass
class Trajectories:
    """Raw output of :func:`simulate`: errors (R, S, V, A) at iterations (R,)."""

    iterations: np.ndarray
    errors: np.ndarray  # ‖w_t − w*‖; NaN from divergence on
    diverged_at: np.ndarray  # (S, V, A) first recorded iteration past the limit, or -1
    final_w: np.ndarray  # (S, V, A, r) weights after the last iteration (w* for diverged runs)
    w_star: np.ndarray  # (S, r) the teachers
    device: torch.device
    seconds: float = float("nan")


# How often a run offers its progress so far (kit/page.py draws a frame when one is due): often
# enough for several frames a second at the live settings (≈ 1 ms an iteration), cheap when not drawn.
REPORT_EVERY = 40


def record_schedule(iterations: int, points: int) -> np.ndarray:
    """Iterations at which the error is recorded: 0, …, T, evenly spaced."""
    return np.unique(np.linspace(0, iterations, min(points, iterations + 1)).round().astype(int))


@torch.inference_mode()
def simulate(config: NeurotronConfig, device: torch.device | None = None, progress=None) -> Trajectories:
    """Advance every (seed, swept value, algorithm) together; record ‖w_t − w*‖.

    Weights live in one tensor w of shape (S, A·V, r), algorithm-major, so each algorithm's
    models are one contiguous block. ``progress``, if given, is called with the number of
    iterations done after each chunk, and every ``REPORT_EVERY`` iterations with the run so far as
    well (``progress(t, T, partial=f)``, ``f()`` the :class:`Trajectories` of iterations 0..t: the
    page kit draws it as a live chart's frame, or keeps it when the student stops the run).
    """
    device = device or pick_device(config.device)
    c = config
    S, V, A = c.seeds, len(c.values), len(c.algorithms)
    watch = Stopwatch(device)
    with watch.running():
        prob = make_problem(c, device)
        thetas_l, betas_l = c.thetas_betas()
        thetas = torch.tensor(thetas_l, dtype=torch.float64, device=device)
        betas = torch.tensor(betas_l, dtype=torch.float64, device=device)
        # η per swept value (an η sweep); otherwise one η, added as a scalar (the recorded numbers)
        etas = torch.tensor(c.etas(), dtype=torch.float64, device=device).view(1, V, 1) if c.sweep == "eta" else None
        w_adv = adversarial_filters(prob, thetas, c) if c.attack == "worst_case" else None
        w = torch.ones(S, A * V, c.r, dtype=torch.float64, device=device)  # w₁ = 1 (paper, Sec. 4)
        w_star = prob.w_star[:, None, :]
        start_err = torch.linalg.vector_norm(w - w_star, dim=-1)
        limit = DIVERGENCE_FACTOR * start_err
        diverged = torch.zeros(S, A * V, dtype=torch.bool, device=device)
        diverged_at = torch.full((S, A * V), -1, dtype=torch.long, device=device)
        blocks = [(slice(a * V, (a + 1) * V), name) for a, name in enumerate(c.algorithms)]
        G = gate_matrix(prob.offsets)

        schedule = record_schedule(c.iterations, c.record_points)
        record_at = set(schedule.tolist())
        records = [start_err.clone()]

        def so_far() -> Trajectories:
            """The trajectories recorded up to now: a live chart's partial result, or a stopped run's."""
            # (R, S, A·V) -> (R, S, V, A)
            errors = torch.stack(records).reshape(-1, S, A, V).transpose(2, 3).cpu().numpy()
            return Trajectories(schedule[:len(records)], errors,
                                diverged_at.reshape(S, A, V).transpose(1, 2).cpu().numpy(),
                                w.reshape(S, A, V, c.r).transpose(1, 2).cpu().numpy(), prob.w_star.cpu().numpy(),
                                device, watch.elapsed())

        t = 0
        for xs, us in InputStream(c, device).chunks(c.iterations):
            T_ = xs.shape[0]
            # Mx and Cx of every sample, interleaved: (chunk, S, b, 2, r)
            MCx = torch.stack([torch.einsum("srn,tsbn->tsbr", prob.M, xs),
                               torch.einsum("srn,tsbn->tsbr", prob.C, xs)], 3)
            Mx = MCx[:, :, :, 0].contiguous()  # (chunk, S, b, r), for the Tron-gradient
            MCx = MCx.reshape(T_, S, 2 * c.b, c.r)
            # The oracle does not depend on w: label the whole chunk at once.
            clean, _ = network(prob.w_star.repeat(T_, 1).unsqueeze(1), MCx.reshape(T_ * S, 2 * c.b, c.r),
                               G, c.q, c.leak)
            adv = None if w_adv is None else network(w_adv.repeat(T_, 1, 1), MCx.reshape(T_ * S, 2 * c.b, c.r),
                                                     G, c.q, c.leak)[0].reshape(T_, S, V, c.b)
            v = attacked_labels(clean.reshape(T_, S, c.b), us, thetas, betas, adv)  # (chunk, S, V, b)
            v = v.repeat(1, 1, A, 1)  # (chunk, S, A·V, b): same labels for every algorithm
            for i in range(T_):
                f, pre = network(w, MCx[i], G, c.q, c.leak)  # (S, A·V, b)
                residual = v[i] - f
                for rows, name in blocks:
                    if name == "neurotron":
                        step = neurotron_step(residual[:, rows], Mx[i])
                    else:
                        step = sgd_step(residual[:, rows], pre[:, rows], MCx[i], G, c.q, c.leak,
                                        first_sample=name == "sgd_first_sample")
                    if etas is None:
                        w[:, rows].add_(step, alpha=c.eta)
                    else:
                        w[:, rows].add_(step * etas)
                t += 1
                if t in record_at:
                    err = torch.linalg.vector_norm(w - w_star, dim=-1)
                    bad = ~torch.isfinite(err) | (err > limit)
                    diverged_at = torch.where(bad & ~diverged, t, diverged_at)
                    diverged |= bad
                    # Park diverged runs at w* so overflow cannot breed NaNs; their records
                    # are masked, so the parking never shows.
                    w = torch.where(diverged.unsqueeze(-1), w_star.expand_as(w), w)
                    records.append(torch.where(diverged, torch.nan, err))
                if progress is not None and t % REPORT_EVERY == 0 and t < c.iterations:
                    progress(t, c.iterations, partial=so_far)
            if progress is not None:
                progress(t)

        whole = so_far()
    return replace(whole, seconds=watch.seconds)


# --- the straightforward version: one configuration at a time ------------------------------


@torch.inference_mode()
def run_one_at_a_time(config: NeurotronConfig, device: torch.device | None = None) -> Trajectories:
    """The same experiment written the plain way: a Python loop over configurations, the
    k sensing matrices formed explicitly, one model advanced at a time.

    It draws the same random numbers as :func:`simulate`, so the two agree to rounding.
    Used as the benchmark's baseline and as an independent check of the batched engine.
    """
    device = device or pick_device(config.device)
    c = config
    thetas, betas = c.thetas_betas()
    etas = c.etas()
    schedule = record_schedule(c.iterations, c.record_points)
    S, V, A = c.seeds, len(c.values), len(c.algorithms)
    errors = np.full((len(schedule), S, V, A), np.nan)
    diverged_at = np.full((S, V, A), -1)
    final_w = np.zeros((S, V, A, c.r))
    w_stars = np.zeros((S, c.r))
    watch = Stopwatch(device)
    with watch.running():
        for si, seed in enumerate(c.seed_list):
            one = replace(c, seed=seed, seeds=1)
            prob = make_problem(one, device)
            M, C, w_star = prob.M[0], prob.C[0], prob.w_star[0]
            w_stars[si] = w_star.cpu().numpy()
            mats = torch.stack([M + j * C for j in prob.offsets.tolist()])  # (k, r, n)
            w_adv = adversarial_filters(prob, torch.tensor(thetas, dtype=torch.float64, device=device), one)[0]
            sign = torch.tensor([(-1.0) ** (i + 1) for i in range(c.b)], dtype=torch.float64, device=device)
            for vi in range(V):
                for ai, algo in enumerate(c.algorithms):
                    w = torch.ones(c.r, dtype=torch.float64, device=device)
                    start = float(torch.linalg.vector_norm(w - w_star))
                    errors[0, si, vi, ai] = start
                    rec, t = 1, 0
                    for xs, us in InputStream(one, device).chunks(c.iterations):
                        for x, u in zip(xs[:, 0], us[:, 0]):  # x: (b, n), u: (b,)
                            Ax = torch.einsum("krn,bn->bkr", mats, x)
                            y = c.q * leaky_relu(Ax @ w_star, c.leak).mean(-1)
                            if c.attack == "worst_case":
                                y_adv = c.q * leaky_relu(Ax @ w_adv[vi], c.leak).mean(-1)
                                v = y + (u < betas[vi]) * (y_adv - y).clamp(-thetas[vi], thetas[vi])
                            else:
                                v = y + (u < betas[vi]) * thetas[vi] * sign
                            pre = Ax @ w  # (b, k)
                            res = v - c.q * leaky_relu(pre, c.leak).mean(-1)
                            if algo == "neurotron":
                                step = M @ (res @ x) / c.b
                            else:
                                slope = torch.where(pre > 0, 1.0, c.leak).to(pre.dtype)
                                grads = c.q * (slope.unsqueeze(-1) * Ax).mean(1)  # (b, r): ∂f/∂w per sample
                                if algo == "sgd_first_sample":
                                    grads = grads[:1].expand_as(grads)
                                step = (res @ grads) / c.b
                            w = w + etas[vi] * step
                            t += 1
                            if rec < len(schedule) and t == schedule[rec]:
                                err = float(torch.linalg.vector_norm(w - w_star))
                                if not math.isfinite(err) or err > DIVERGENCE_FACTOR * start:
                                    diverged_at[si, vi, ai] = t
                                    break
                                errors[rec, si, vi, ai] = err
                                rec += 1
                        if diverged_at[si, vi, ai] >= 0:
                            w = w_star
                            break
                    final_w[si, vi, ai] = w.cpu().numpy()
    return Trajectories(schedule, errors, diverged_at, final_w, w_stars, device, watch.seconds)


# --- tidy results ---------------------------------------------------------------------------


@dataclass
class NeurotronResult:
    config: NeurotronConfig
    curves: pd.DataFrame  # one row per (algorithm, value, seed, iteration)
    final: pd.DataFrame  # one row per (algorithm, value, seed)
    summary: pd.DataFrame  # one row per (algorithm, value): mean/std of log10 final error
    device: str
    seconds: float
    warnings: list[str] = field(default_factory=list)


def tidy(config: NeurotronConfig, traj: Trajectories) -> NeurotronResult:
    c = config
    R, S, V, A = traj.errors.shape
    idx = pd.MultiIndex.from_product(
        [range(R), c.seed_list, c.values, [ALGORITHMS[a] for a in c.algorithms]],
        names=["record", "seed", "value", "algorithm"],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        log_err = np.log10(traj.errors)
    curves = pd.DataFrame({"error": traj.errors.reshape(-1), "log10_error": log_err.reshape(-1)}, index=idx).reset_index()
    curves["iteration"] = traj.iterations[curves.pop("record").to_numpy()]
    curves = curves[["algorithm", "value", "seed", "iteration", "error", "log10_error"]]

    last = curves[curves.iteration == traj.iterations[-1]].drop(columns="iteration").reset_index(drop=True)
    div = traj.diverged_at.reshape(-1)  # (S, V, A) order matches the product above
    last["diverged_at"] = np.where(div >= 0, div, np.nan)
    # Runs that end far from w* (NaN, i.e. diverged, compares False throughout) are either
    # "stalled" — stuck near a wrong filter pointing away from w* (negative cosine) with an
    # error that stopped falling — or simply "unconverged": not close yet.
    start, mid = traj.errors[0].reshape(-1), traj.errors[len(traj.errors) // 2].reshape(-1)
    w_star = traj.w_star[:, None, None, :]
    cos = (traj.final_w * w_star).sum(-1) / (np.linalg.norm(traj.final_w, axis=-1) * np.linalg.norm(w_star, axis=-1))
    last["cosine_to_w_star"] = cos.reshape(-1)
    far = last.error.to_numpy() >= STALL_FRACTION * start
    trapped = (last.error.to_numpy() >= STALL_FLATNESS * mid) & (last.cosine_to_w_star.to_numpy() < -0.5)
    last["stalled"] = far & trapped
    last["unconverged"] = far & ~trapped
    summary = summarize(last)
    return NeurotronResult(c, curves, last, summary, describe(traj.device), traj.seconds,
                           divergence_warnings(c, last) + stall_warnings(c, last))


def _median_counting_divergence(s: pd.Series) -> float:
    """Median over seeds with a diverged run (NaN) counted as infinitely far: NaN once half diverged."""
    m = s.fillna(np.inf).median()
    return m if np.isfinite(m) else np.nan


def summarize(final: pd.DataFrame) -> pd.DataFrame:
    """Per (algorithm, value): median, mean and spread of log10 final error over seeds."""
    return (
        final.groupby(["algorithm", "value"], sort=False)
        .agg(median_log10_error=("log10_error", _median_counting_divergence), mean_log10_error=("log10_error", "mean"),
             std_log10_error=("log10_error", "std"), min_log10_error=("log10_error", "min"),
             max_log10_error=("log10_error", "max"), runs=("seed", "size"),
             diverged=("diverged_at", lambda s: int(s.notna().sum())), stalled=("stalled", "sum"),
             unconverged=("unconverged", "sum"))
        .reset_index()
        .fillna({"std_log10_error": 0.0})
    )


def _which(config: NeurotronConfig, rows: pd.DataFrame) -> str:
    name = SWEEPS[config.sweep].split()[-1]
    vals = sorted(rows.value.unique())
    listed = "every value" if len(vals) == len(config.values) else ", ".join(f"{v:g}" for v in vals)
    return f"{len(rows)} of {config.seeds * len(config.values)} runs ({name}: {listed})"


def divergence_warnings(config: NeurotronConfig, final: pd.DataFrame) -> list[str]:
    """Plain-language explanations of runs that blew up."""
    out = []
    bad = final[final.diverged_at.notna()]
    for algo, rows in bad.groupby("algorithm", sort=False):
        first = int(rows.diverged_at.min())
        text = (f"{algo} diverged in {_which(config, rows)}, first noticed at iteration {first:,}; its curve "
                f"is cut there. The step η = {config.eta:g} is too large for these settings: each update "
                f"grows with ‖x‖² (here n = {config.n}, {DISTRIBUTIONS[config.distribution].label} inputs) and "
                f"shrinks with the batch size b = {config.b}, so an overshoot is amplified step after step.")
        if algo == ALGORITHMS["sgd_first_sample"]:
            text += (" This variant is the least stable: it applies one sample's gradient to the whole "
                     "batch's residuals.")
        out.append(text + f" Try η = {config.eta / 10:g}.")
    return out


def stall_warnings(config: NeurotronConfig, final: pd.DataFrame) -> list[str]:
    """Runs that ended far from w*: stuck (error flat) or not yet converged (still falling)."""
    out = []
    for algo, rows in final[final.stalled].groupby("algorithm", sort=False):
        text = (f"{algo} got stuck in {_which(config, rows)}: its error stopped falling at least half as "
                f"far from w* as it started, near a wrong filter pointing away from w* (cosine with w* "
                f"below −0.5) — a spurious minimum of the non-convex square loss.")
        if algo != ALGORITHMS["neurotron"]:
            text += " Neuro-Tron's step is not the loss gradient and does not get caught there."
        out.append(text)
    for algo, rows in final[final.unconverged].groupby("algorithm", sort=False):
        out.append(f"{algo} is not close to w* yet in {_which(config, rows)}: it ended at least half as far "
                   f"from w* as it started. Give it more iterations T or a larger learning rate η.")
    return out


# Cost model of :func:`simulate` on a 2-core CPU (fitted to timed runs): a fixed cost per
# iteration (the Python loop and small-tensor overheads), a cost per model that grows with the
# gates it evaluates (b·k), and the per-seed input projections Mx, Cx (b·n·r).
_SECONDS_PER_ITERATION = 4.7e-4
_SECONDS_PER_GATE = 2.5e-9  # per model, per sample, per gate
_SECONDS_PER_PROJECTION = 1e-10  # per seed, per sample, per n·r multiply-add


def estimated_seconds(config: NeurotronConfig) -> float:
    """Rough CPU time of one run of ``config``, used to refuse runs far beyond a live budget."""
    c = config
    models = c.seeds * len(c.values) * len(c.algorithms)
    per_iteration = (_SECONDS_PER_ITERATION + _SECONDS_PER_GATE * models * c.b * c.k
                     + _SECONDS_PER_PROJECTION * c.seeds * c.b * c.n * c.r)
    return c.iterations * per_iteration


def run(config: NeurotronConfig, progress=None, max_seconds: float | None = None) -> NeurotronResult:
    """The lesson's one entry point: config in, tidy tables out.

    With ``max_seconds``, a configuration estimated to take far longer is refused with a
    sentence that gives the estimate and a cheaper setting (the live lesson uses this).
    """
    if max_seconds is not None:
        estimate = estimated_seconds(config)
        cheaper = max(200, int(config.iterations * max_seconds / estimate) // 200 * 200)
        refuse_if_too_slow(estimate, max_seconds, f"use at most {cheaper:,} iterations, or fewer seeds, swept "
                                                  f"values or algorithms (the paper-scale runs are in the reference)")
    return tidy(config, simulate(config, progress=_tidy_partials(config, progress)))


def _tidy_partials(config: NeurotronConfig, progress):
    """`progress` handed partial results as tidy tables (what the page draws), not raw trajectories."""
    if progress is None:
        return None

    def report(done, total=None, partial=None):
        if partial is None:
            return progress(done, total)
        return progress(done, total, partial=lambda: tidy(config, partial()))

    return report
