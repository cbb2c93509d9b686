"""Lesson 1's warm-up: a linear model under a clean-label ℓ₂,₁ budget (paper 000, Sec. 2, Fig. 2).

Theorem 2.2: SGD on a convex objective fed perturbed gradients g̃ₜ = ĝₜ + ζₜ reaches

    E F(w̄) − F(w*) ≤ 5D(G + B′) / (2√T) + 2D Σₜ ‖ζₜ‖ / T,

so poisoning costs nothing in rate while the attack's total Σ‖ζₜ‖ grows like √T. In regime A
(Σᵢ ‖δᵢ‖ ≤ C√n, one pass over n samples: T = n) the second term is ≈ 2D·C/√n: it decays with n
and stays non-trivial only while C ≲ √n. The paper's Fig. 2 trains linear models on MNIST
poisoned this way for n ∈ [500, 60000] and C ∈ {50 … 500} and sees the curves change behaviour
near C ≈ 250 ≈ √n.

Here, as there: w* is the linear model fitted on a clean pool; for every sample size n and
budget C the first n pool digits are perturbed by projected gradient ascent on the attack loss
against w* (inside the ℓ₂,₁ ball of radius C√n and the pixel box), and w*ₙ is the model fitted
on them. F and L are the cross-entropy and the error on held-out clean digits.

"Fitted" means the optimum of the mean cross-entropy plus a small ridge (λ/2)‖W‖²: without it
w*ₙ does not exist once n digits are linearly separable (n ≲ d·10 at 7×7). The objectives are
λ-strongly convex and smooth, so Nesterov's accelerated gradient with step 1/L reaches each
optimum; all budgets and seeds of one n are one batched problem (the sizes differ, so the
n's take turns — a handful of batched solves, never a loop over models).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import torch
import torch.nn.functional as F

from ..core import data
from ..core.cost import CPU_FLOPS, refuse_if_too_slow
from ..core.cost import LIVE_MAX_SECONDS as LIVE_MAX_SECONDS  # re-exported: the lesson's page reads it here
from ..core.device import Stopwatch, describe, pick_device
from ..core.logreg import augment
from ..core.params import SEED, Choice, Integer, Numbers, Real, Seeded, param
from ..lesson import Case
from . import poison

POOL = 4000  # clean digits w* is fitted on; the largest n
N_TEST = 1000  # held-out clean digits F and L are measured on
CLASSES = 10
# A fit counts as converged when it is provably this close to its optimum: by λ-strong convexity
# a gradient g leaves the objective at most ‖g‖²/(2λ) above it. The excess losses shown are ≥ 1e-3.
OBJECTIVE_TOL = 1e-3


@dataclass(frozen=True)
class ConvexConfig(Seeded):
    """The warm-up's knobs; validated on construction. ``c_values`` are the paper's C (overall
    budget Σᵢ ‖δᵢ‖ ≤ C√n, pixel units at the chosen resolution); C = 0 is clean training."""

    sizes: tuple[int, ...] = param((125, 250, 500, 1000, 2000), Numbers(20, POOL, max_count=8, whole=True),
                                   label="Sample sizes n")
    c_values: tuple[float, ...] = param((0, 2, 4, 8, 16, 32, 64), Numbers(0, 1_000, max_count=10),
                                        label="Budgets C", unit="pixel norm")
    resolution: int = param(7, Choice((7, 14, 28)), label="Input resolution", unit="pixels per side")
    lam: float = param(0.01, Real(1e-4, 1.0), label="Ridge λ")
    attack_loss: str = param("negated", Choice(poison.ATTACK_LOSSES), label="Attack loss")
    attack_steps: int = param(30, Integer(1, 200), label="Attack steps")
    iterations: int = param(300, Integer(10, 5_000), label="Solver iterations")
    seeds: int = param(1, Integer(1, 5), label="Number of seeds", slider=(1, 5, 1))
    seed: int = param(0, Integer(0, SEED), label="Seed")
    device: str | None = None




# --- the linear model and its optimum ---------------------------------------------------------


def features(x: torch.Tensor, mean: float, std: float) -> torch.Tensor:
    """Standardized pixels and a trailing 1 for the bias: (..., d) -> (..., d + 1)."""
    return augment((x - mean) / std)


def objective(W: torch.Tensor, Z: torch.Tensor, y: torch.Tensor, lam: float) -> torch.Tensor:
    """Mean cross-entropy + (λ/2)‖W‖² per problem: W (B, D, 10), Z (B, n, D), y (B, n) -> (B,)."""
    return cross_entropy(W, Z, y) + 0.5 * lam * W.pow(2).sum((1, 2))


def cross_entropy(W: torch.Tensor, Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    logits = Z @ W
    B, n, C = logits.shape
    return F.cross_entropy(logits.reshape(B * n, C), y.reshape(-1), reduction="none").view(B, n).mean(1)


def error(W: torch.Tensor, Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((Z @ W).argmax(-1) != y).float().mean(1)


def gradient(W: torch.Tensor, Z: torch.Tensor, y: torch.Tensor, lam: float) -> torch.Tensor:
    """∇ of :func:`objective`: Zᵀ(softmax(ZW) − onehot(y))/n + λW, written out (no autograd graph)."""
    return _gradient_t(W.mT, Z.mT.contiguous(), _onehot_t(y, Z.dtype), Z, lam).mT


def _onehot_t(y: torch.Tensor, dtype) -> torch.Tensor:
    return F.one_hot(y, CLASSES).to(dtype).mT.contiguous()  # (B, 10, n)


def _gradient_t(Wt, Zt, target_t, Z, lam):
    """:func:`gradient` transposed, Wt (B, 10, D), Zt (B, D, n): with the long side n last the two
    products run about twice as fast on a CPU as in the (n, D) layout (they are thin: 10 classes)."""
    p = (Wt @ Zt).softmax(1).sub_(target_t)
    return p @ Z / Z.shape[1] + lam * Wt


def smoothness(Z: torch.Tensor, steps: int = 30) -> torch.Tensor:
    """An upper bound L on the objective's curvature without the ridge, per problem: the softmax
    cross-entropy's Hessian is at most ½ ZᵀZ/n (per class), whose top eigenvalue power iteration
    finds (times 1.05, as the iteration approaches it from below). Returns (B, 1, 1)."""
    B, n, D = Z.shape
    v = torch.ones(B, D, 1, dtype=Z.dtype, device=Z.device)
    top = torch.ones(B, 1, 1, dtype=Z.dtype, device=Z.device)
    for _ in range(steps):
        v = Z.mT @ (Z @ v) / n
        top = v.norm(dim=1, keepdim=True)
        v = v / top
    return 0.5 * 1.05 * top


def fit(Z: torch.Tensor, y: torch.Tensor, lam: float, iterations: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The ridge-regularized optimum of every problem: Nesterov's method for λ-strongly convex,
    L-smooth objectives (momentum (√κ − 1)/(√κ + 1), κ = L/λ). Returns W (B, D, 10) and the final
    gradient norm per problem (B,), so a caller can tell a converged fit from one that is not."""
    B, n, D = Z.shape
    Zt, target_t = Z.mT.contiguous(), _onehot_t(y, Z.dtype)
    L = smoothness(Z) + lam
    root = (L / lam).sqrt()
    momentum = (root - 1) / (root + 1)
    Wt = torch.zeros(B, CLASSES, D, dtype=Z.dtype, device=Z.device)
    ahead = Wt
    for _ in range(iterations):
        new = ahead - _gradient_t(ahead, Zt, target_t, Z, lam) / L
        ahead = new + momentum * (new - Wt)
        Wt = new
    return Wt.mT, _gradient_t(Wt, Zt, target_t, Z, lam).flatten(1).norm(dim=1)


# --- the attack and the sweep -----------------------------------------------------------------


def perturb(x: torch.Tensor, y: torch.Tensor, w_star: torch.Tensor, budgets: torch.Tensor, config: ConvexConfig,
            mean: float, std: float) -> torch.Tensor:
    """Regime A against w*: δ (B, n, d) for x (B, n, d), y (B, n), w* (B, D, 10), budgets C (B,).

    Projected gradient ascent on the attack loss inside Σᵢ ‖δᵢ‖ ≤ C√n and the pixel box; each
    step moves the set by 2.5/steps of the budget's size, as the width sweep's attack does."""
    n = x.shape[1]
    radius = budgets * math.sqrt(n)
    return poison.gradient_ascent(lambda z: features(z, mean, std) @ w_star, x, y, loss=config.attack_loss,
                                  project=lambda d: poison.project_l2_1(d, radius),
                                  step_norm=2.5 / config.attack_steps * radius, steps=config.attack_steps)


def _pools(config: ConvexConfig):
    """Per seed, a clean pool of POOL digits (in random order, so its first n are a random
    sample) and N_TEST held-out ones: x (S, POOL, d), y (S, POOL), x_test (S, N_TEST, d), y_test."""
    digits = data.load_digits("mnist5k")
    parts = [data.split(digits, POOL, N_TEST, s) for s in config.seed_list]
    pixels = lambda d: data.resize(d.images, config.resolution).reshape(len(d), -1)  # noqa: E731
    return (torch.stack([pixels(p) for p, _ in parts]), torch.stack([p.labels for p, _ in parts]),
            torch.stack([pixels(t) for _, t in parts]), torch.stack([t.labels for _, t in parts]))


@dataclass
class CleanStart:
    """What every fit of a run shares: the pools and test sets (per seed), one standardization
    (from the clean pools, a fixed preprocessing step for every model) and w* per seed."""

    x: torch.Tensor
    y: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: float
    std: float
    w_star: torch.Tensor
    grad_norm: torch.Tensor  # of each w* fit


def clean_start(config: ConvexConfig, device: torch.device) -> CleanStart:
    x, y, x_test, y_test = (t.to(device) for t in _pools(config))
    mean, std = float(x.mean()), float(x.std())
    w_star, grad_norm = fit(features(x, mean, std), y, config.lam, 2 * config.iterations)
    return CleanStart(x, y, x_test, y_test, mean, std, w_star, grad_norm)


@dataclass
class ConvexResult:
    config: ConvexConfig
    runs: pd.DataFrame  # one row per (seed, n, C)
    summary: pd.DataFrame  # mean and std over seeds per (n, C)
    reference: pd.DataFrame  # w* per seed: its test loss and error
    seconds: float
    device: str
    warnings: list[str]


def simulate(config: ConvexConfig, device: torch.device, progress=None) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """All (seed, n, C) fits; returns the runs, w*'s own test figures and the worst gradient norm."""
    c = config
    st = clean_start(c, device)
    x, y, mean, std = st.x, st.y, st.mean, st.std
    S, K = c.seeds, len(c.c_values)
    Z_test = features(st.x_test, mean, std)
    F_star, L_star = cross_entropy(st.w_star, Z_test, st.y_test), error(st.w_star, Z_test, st.y_test)
    worst = float(st.grad_norm.max())
    # Problem index = seed · K + budget: each seed's pool, test set and w* repeated over the budgets.
    rep = lambda t: t.repeat_interleave(K, 0)  # noqa: E731
    budgets = torch.tensor(c.c_values, dtype=x.dtype, device=device).repeat(S)
    w_stars, Z_tests, y_tests = rep(st.w_star), rep(Z_test), rep(st.y_test)
    rows = []
    for i, n in enumerate(c.sizes):
        xs, ys = rep(x[:, :n]), rep(y[:, :n])
        delta = perturb(xs, ys, w_stars, budgets, c, mean, std)
        W, grad_norm = fit(features(xs + delta, mean, std), ys, c.lam, c.iterations)
        worst = max(worst, float(grad_norm.max()))
        F_n, L_n = cross_entropy(W, Z_tests, y_tests), error(W, Z_tests, y_tests)
        used = delta.norm(dim=-1).sum(1)
        for b in range(S * K):
            s = b // K
            rows.append(dict(seed=c.seed_list[s], n=n, C=c.c_values[b % K], per_sample=c.c_values[b % K] / math.sqrt(n),
                             budget_used=float(used[b]) / max(c.c_values[b % K] * math.sqrt(n), 1e-12),
                             test_loss=float(F_n[b]), test_error=float(L_n[b]),
                             excess_loss=float(F_n[b] - F_star[s]), excess_error=float(L_n[b] - L_star[s])))
        if progress is not None:
            progress(i + 1, len(c.sizes))
    reference = pd.DataFrame(dict(seed=c.seed_list, test_loss=F_star.cpu().numpy(), test_error=L_star.cpu().numpy()))
    return pd.DataFrame(rows), reference, worst


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    g = runs.groupby(["n", "C"], as_index=False)
    out = g[["excess_loss", "excess_error", "per_sample"]].mean()
    std = g[["excess_loss", "excess_error"]].std(ddof=0)
    out["excess_loss_std"], out["excess_error_std"] = std["excess_loss"].to_numpy(), std["excess_error"].to_numpy()
    return out


def decay(summary: pd.DataFrame, C: float, column: str = "excess_loss") -> float:
    """How many times smaller the excess is at the largest n than at the smallest, for budget C
    (Theorem 2.2: large while C ≪ √n; near 1 once C ≳ √n)."""
    s = summary[summary.C == C].sort_values("n")
    first, last = float(s[column].iloc[0]), float(s[column].iloc[-1])
    return first / last if last > 0 else math.inf


def estimated_seconds(config: ConvexConfig) -> float:
    c = config
    D = c.resolution**2 + 1
    rows = c.seeds * (2 * POOL + len(c.c_values) * sum(c.sizes))
    solve = rows * D * CLASSES * 4 * c.iterations  # two products per iteration
    attack = c.seeds * len(c.c_values) * sum(c.sizes) * D * CLASSES * 4 * c.attack_steps
    # The iterations' element-wise work (softmax, momentum) roughly doubles the products' time.
    return 2 * (solve + attack) / CPU_FLOPS


def run(config: ConvexConfig, progress=None, max_seconds: float | None = None) -> ConvexResult:
    """The warm-up's entry point: config in, tidy tables out."""
    refuse_if_too_slow(estimated_seconds(config), max_seconds,
                       "use fewer or smaller sample sizes, fewer budgets, seeds or solver iterations, or 7×7 inputs")
    device = pick_device(config.device)
    watch = Stopwatch(device)
    with watch.running():
        runs, reference, worst = simulate(config, device, progress)
    warnings = []
    gap = worst**2 / (2 * config.lam)
    if not (math.isfinite(gap) and gap <= OBJECTIVE_TOL):
        warnings.append(f"Some fits stopped before their optimum (up to {gap:.1e} above it in loss): raise the "
                        f"solver iterations or the ridge λ; the excess losses of those fits are too high.")
    return ConvexResult(config, runs, summarize(runs), reference, watch.seconds, describe(device), warnings)


# --- benchmark ------------------------------------------------------------------------------------


def run_one_at_a_time(config: ConvexConfig) -> list[torch.Tensor]:
    """The straightforward version, for the benchmark: each (seed, n, C) attacked and fitted alone
    (the same functions, one problem at a time)."""
    c = config
    st = clean_start(c, pick_device(c.device))
    fits = []
    for s in range(c.seeds):
        for n in c.sizes:
            for budget in c.c_values:
                xs, ys = st.x[s:s + 1, :n], st.y[s:s + 1, :n]
                delta = perturb(xs, ys, st.w_star[s:s + 1], torch.tensor([float(budget)], device=xs.device), c,
                                st.mean, st.std)
                fits.append(fit(features(xs + delta, st.mean, st.std), ys, c.lam, c.iterations)[0])
    return fits


def bench_cases(quick: bool = False):
    """The warm-up's default (7 budgets × 5 sample sizes), batched vs one problem at a time."""
    config = ConvexConfig(sizes=(100, 200), c_values=(0, 4), iterations=20) if quick else ConvexConfig()
    label = (f"convex warm-up: {len(config.c_values)} C × {len(config.sizes)} n ({min(config.sizes)}…"
             f"{max(config.sizes):,}) × {config.seeds} seed, {config.iterations} iterations")
    device = pick_device(config.device)
    return [Case("width", label, lambda: simulate(config, device), lambda: run_one_at_a_time(config))]
