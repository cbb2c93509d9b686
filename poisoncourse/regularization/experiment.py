"""Lesson 2 — does L2 regularization help against poisoning? (paper 002, the 2-D example)

Carnerero-Cano, Muñoz-González, Spencer & Lupu, "Regularization can help mitigate
poisoning attacks... with the right hyperparameters" (ICLR 2021 workshop). Their Fig. 1 / App. C.1: logistic regression with penalty
(e^λ/2)‖θ‖² on two Gaussian classes, one label-flipped poisoning point in [−9.5, 9.5]².

* Heatmap A: validation error of the model trained with the poison at each grid location,
  at the student's λ. Heatmap B: the λ in [−8, 6] that minimizes validation error there.
  Both are (locations × λ) independent logistic regressions, solved as one batch
  (:mod:`poisoncourse.logreg`).
* The optimal attack: projected hypergradient ascent on the poison's features (implicit
  differentiation at the optimum), optionally with simultaneous descent on λ — the minimax
  of the paper's Eq. (1)–(2).

The MNIST panel (Fig. 2) lives in :mod:`poisoncourse.regularization_mnist`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ..core import logreg
from ..core.device import Stopwatch, describe, generator, pick_device
from ..core.params import SEED, Flag, Integer, Items, Optional, Real, Validated, param
from ..lesson import Case

# --- the paper's settings (App. C.1) ----------------------------------------------------

MEANS = ((-3.0, 0.0), (3.0, 0.0))  # μ₀, μ₁
VARIANCES = (2.5, 1.5)  # Σ₀ = Σ₁ = diag(2.5, 1.5)
N_TRAIN, N_VAL = 16, 32  # per class: 32 training and 64 validation points
BOX = 9.5  # the attacker's box Φ(D_p) = [−9.5, 9.5]²
LAM_RANGE = (-8.0, 6.0)  # λ explored for heatmap B
LAM_PAPER = math.log(20)  # "when we apply regularization, we fix λ = log(20) ≈ 3"
ALPHA, T_ATTACK = 0.4, 50  # poison learning rate and hyperiterations T_Dp
BETA = 0.5  # λ's step when learned (the paper gives none for the 2-D example)

# Streams of generator(seed, ...): the training and the validation points.
_TRAIN_STREAM, _VAL_STREAM = 0, 1


@dataclass(frozen=True)
class HeatmapConfig(Validated):
    """Every knob of the 2-D lesson. ``poison`` None means the paper's start: a validation
    point of the other class, cloned, with its label flipped. Validated on construction."""

    lam: float = param(LAM_PAPER, Real(*LAM_RANGE), label="Regularization λ (log scale)", slider=(*LAM_RANGE, 0.1))
    poison: tuple[float, float] | None = param(None, Optional(Items(
        Real(-BOX, BOX), 2, 2, each="Poison coordinate x{i}",
        wrong_count="The poison's position must be two numbers (x₁, x₂); got {value!r}.")), label="Poison position")
    poison_label: int = param(0, Integer(0, 1), label="The poison's label")
    resolution: int = param(40, Integer(5, 80), label="Grid resolution", slider=(10, 60, 5))
    lam_values: int = param(15, Integer(2, 40), label="Number of λ values in heatmap B", slider=(3, 30, 1))
    attack_steps: int = param(T_ATTACK, Integer(0, 300), label="Attack steps", slider=(0, 150, 5))
    step_size: float = param(ALPHA, Real(0.0, 5.0), label="Poison step size α", slider=(0.05, 2.0, 0.05))
    learn_lam: bool = param(False, Flag(), label="Learn λ")
    lam_step: float = param(BETA, Real(0.0, 5.0), label="λ step size β", slider=(0.05, 2.0, 0.05))
    # The paper writes (e^λ/2)‖w‖² without saying whether w holds the bias; the lesson shows both.
    penalize_bias: bool = param(True, Flag(), label="Penalize the bias")
    seed: int = param(0, Integer(0, SEED), label="Seed")
    device: str | None = None



# --- data ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Points:
    """Training x_train (32, 2), y_train (32,) and validation x_val (64, 2), y_val (64,);
    labels in {−1, +1} (class 0 ↔ −1, class 1 ↔ +1), float64 on the CPU."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor


def _gaussians(per_class: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    scale = torch.tensor(VARIANCES, dtype=torch.float64).sqrt()
    xs = [torch.randn(per_class, 2, generator=g, dtype=torch.float64) * scale + torch.tensor(mu, dtype=torch.float64)
          for mu in MEANS]
    y = torch.cat([-torch.ones(per_class, dtype=torch.float64), torch.ones(per_class, dtype=torch.float64)])
    return torch.cat(xs), y


def make_points(seed: int) -> Points:
    """The two Gaussian classes of App. C.1, 16 + 16 training and 32 + 32 validation points."""
    x_train, y_train = _gaussians(N_TRAIN, generator(seed, _TRAIN_STREAM))
    x_val, y_val = _gaussians(N_VAL, generator(seed, _VAL_STREAM))
    return Points(x_train, y_train, x_val, y_val)


def to_sign(label: int) -> float:
    return 1.0 if label == 1 else -1.0


def cloned_poison(seed: int, poison_label: int = 0) -> tuple[float, float]:
    """The paper's starting poison: the first validation point of the *other* class (its
    label is then flipped to ``poison_label``)."""
    pts = make_points(seed)
    first = int(torch.nonzero(pts.y_val == -to_sign(poison_label))[0])
    return tuple(float(v) for v in pts.x_val[first])


# --- heatmaps A and B ---------------------------------------------------------------------


def lam_grid(count: int) -> np.ndarray:
    return np.linspace(*LAM_RANGE, count)


def location_grid(resolution: int) -> np.ndarray:
    return np.linspace(-BOX, BOX, resolution)


def _problems(pts: Points, poisons: torch.Tensor, label: int, lams: torch.Tensor,
              penalize_bias: bool = True) -> logreg.Problems:
    """One training set per (λ, poison): the 32 shared points plus the poison."""
    B = poisons.shape[0]
    yp = torch.full((B, 1), to_sign(label), dtype=torch.float64, device=poisons.device)
    X0 = logreg.augment(pts.x_train).to(poisons.device)
    return logreg.Problems(X0, pts.y_train.to(poisons.device), logreg.augment(poisons[:, None, :]), yp, lams,
                           penalize_bias)


def clean_fit(pts: Points, lams: torch.Tensor, penalize_bias: bool = True) -> logreg.Fit:
    """The models trained without any poison, one per λ."""
    device = lams.device
    X0 = logreg.augment(pts.x_train).to(device)
    empty = torch.zeros(len(lams), 0, 3, dtype=torch.float64, device=device)
    return logreg.fit(logreg.Problems(X0, pts.y_train.to(device), empty, empty[..., 0], lams, penalize_bias))


def error_maps(pts: Points, lams, resolution: int, label: int, device: torch.device,
               penalize_bias: bool = True) -> dict:
    """Validation error and loss for every (λ, poison location): arrays (L, G, G), the
    poisons' x₁ varying along the last axis. All L·G² models are one batched Newton solve."""
    grid = torch.tensor(location_grid(resolution), dtype=torch.float64, device=device)
    x2, x1 = torch.meshgrid(grid, grid, indexing="ij")
    locations = torch.stack([x1.reshape(-1), x2.reshape(-1)], 1)  # (G², 2)
    lam_t = torch.tensor(np.asarray(lams, dtype=float), dtype=torch.float64, device=device)
    L, G2 = len(lam_t), len(locations)
    fitted = logreg.fit(_problems(pts, locations.repeat(L, 1), label, lam_t.repeat_interleave(G2), penalize_bias))
    Xv, yv = logreg.augment(pts.x_val).to(device), pts.y_val.to(device)
    shape = (L, resolution, resolution)
    return {
        "error": logreg.errors(fitted.theta, Xv, yv).reshape(shape).cpu().numpy(),
        "loss": logreg.log_loss(fitted.theta, Xv, yv).reshape(shape).cpu().numpy(),
        "steps": fitted.steps,
    }


def best_lam(errors: np.ndarray, losses: np.ndarray, lams: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Heatmap B: per location, the λ of least validation error (App. C.1); among λs with
    the same error (a 64-point error moves in steps of 1/64), the one of least validation
    loss. Returns (best λ, its error), each (G, G)."""
    key = errors + 1e-6 * np.tanh(losses)  # ties in error broken by loss, never reordering errors
    index = key.argmin(0)
    return lams[index], np.take_along_axis(errors, index[None], 0)[0]


# --- the optimal attack (Eq. 1–2) ---------------------------------------------------------


PATH_COLUMNS = ["step", "x1", "x2", "lam", "val_loss", "val_error"]


def attack_path(pts: Points, start, label: int, lam: float, steps: int, alpha: float,
                learn_lam: bool, beta: float, device: torch.device, penalize_bias: bool = True,
                progress=None) -> pd.DataFrame:
    """Projected hypergradient ascent on the poison, x ← Π(x + α ∇A/‖∇A‖), the attacker's
    objective A being the validation loss at the trained model (paper 002, Eq. 2). With
    ``learn_lam`` the two players alternate, as in the paper: the poison steps, the model is
    retrained, then λ takes a descent step λ ← Π(λ − β_t sign ∂A/∂λ), β_t = β/√(t+1), against
    that poison (the defender's side of the minimax, Eq. 1), and the model is retrained again.

    The steps are normalized because the paper does not say how it scales raw
    hypergradients; α = 0.4 for 50 steps can cross the 19-wide box, as in its Fig. 1.
    Returns one row per step: step, x1, x2, lam, val_loss, val_error. ``progress(t, steps,
    partial=f)`` after each step but the last, ``f()`` an :class:`AttackSoFar` of the steps so far.
    """
    Xv, yv = logreg.augment(pts.x_val).to(device), pts.y_val.to(device)
    x = torch.tensor([start], dtype=torch.float64, device=device)  # (1, 2)
    lam_t = torch.tensor([lam], dtype=torch.float64, device=device)
    theta, rows = None, []
    for t in range(steps + 1):
        prob = _problems(pts, x, label, lam_t, penalize_bias)
        fitted = logreg.fit(prob, theta)
        theta = fitted.theta
        rows.append((t, float(x[0, 0]), float(x[0, 1]), float(lam_t[0]),
                     float(logreg.log_loss(theta, Xv, yv)[0]), float(logreg.errors(theta, Xv, yv)[0])))
        if t == steps:
            break
        if progress is not None:
            progress(t, steps, partial=lambda done=list(rows): AttackSoFar(pd.DataFrame(done, columns=PATH_COLUMNS)))
        d_x = logreg.hypergradients(fitted, prob, Xv, yv)[0][:, 0]
        x = (x + alpha * d_x / d_x.norm(dim=-1, keepdim=True).clamp_min(1e-300)).clamp(-BOX, BOX)
        if learn_lam:  # the defender answers the poison just placed (alternating, as in the paper)
            prob = _problems(pts, x, label, lam_t, penalize_bias)
            fitted = logreg.fit(prob, theta)
            theta = fitted.theta
            d_lam = logreg.hypergradients(fitted, prob, Xv, yv)[1]
            lam_t = (lam_t - beta / math.sqrt(t + 1) * torch.sign(d_lam)).clamp(*LAM_RANGE)
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


@dataclass(frozen=True)
class AttackSoFar:
    """An attack in progress as its trace reads it (a live chart's frame): the steps taken so far."""

    path: pd.DataFrame


# --- run: config in, tidy tables out --------------------------------------------------------


def boundary(theta, model: str) -> pd.DataFrame:
    """The line w₁x₁ + w₂x₂ + b = 0 across the box, as two or more points (x1, x2)."""
    w1, w2, b = (float(v) for v in theta)
    ends = np.array([-BOX, BOX]) * 1.5  # drawn past the box, clipped by the chart
    if abs(w2) >= abs(w1):
        pts = [(x1, -(b + w1 * x1) / w2) for x1 in ends]
    else:
        pts = [(-(b + w2 * x2) / w1, x2) for x2 in ends]
    return pd.DataFrame([(model, *p) for p in pts], columns=["model", "x1", "x2"])


@dataclass
class HeatmapResult:
    """Tidy tables for the charts and the tests.

    grid: one row per poison location — x1, x2, error (at config.lam), best_lam, best_error,
    damage_small (error at λ = −8 minus the clean error at λ = −8).
    maps: error (L, G, G) per λ of ``lams``; clean_errors (L,) without poison.
    points: the data (x1, x2, label, split); boundaries: clean and poisoned lines;
    path: the attack (step, x1, x2, lam, val_loss, val_error).
    """

    config: HeatmapConfig
    grid: pd.DataFrame
    lams: np.ndarray
    maps: np.ndarray
    clean_errors: np.ndarray
    points: pd.DataFrame
    boundaries: pd.DataFrame
    path: pd.DataFrame
    clean_error: float
    poisoned_error: float
    device: str
    seconds: float
    warnings: list[str]


def _points_table(pts: Points, poison, label: int) -> pd.DataFrame:
    parts = []
    for split, x, y in (("training", pts.x_train, pts.y_train), ("validation", pts.x_val, pts.y_val)):
        parts.append(pd.DataFrame({"x1": x[:, 0].numpy(), "x2": x[:, 1].numpy(),
                                   "label": np.where(y.numpy() > 0, "class 1", "class 0"), "split": split}))
    parts.append(pd.DataFrame({"x1": [poison[0]], "x2": [poison[1]], "label": [f"class {label}"], "split": ["poison"]}))
    return pd.concat(parts, ignore_index=True)


def run(config: HeatmapConfig, progress=None) -> HeatmapResult:
    """Heatmaps A and B, the clean and poisoned boundaries, and the attack from the poison.
    ``progress(t, attack_steps, partial=f)`` after each attack step (:func:`attack_path`)."""
    c = config
    device = pick_device(c.device)
    watch = Stopwatch(device)
    poison = c.poison if c.poison is not None else cloned_poison(c.seed, c.poison_label)
    with watch.running():
        pts = make_points(c.seed)
        # The attack first: a live chart draws its steps as they come (kit/livechart.py), the maps follow.
        path = attack_path(pts, poison, c.poison_label, c.lam, c.attack_steps, c.step_size, c.learn_lam,
                           c.lam_step, device, c.penalize_bias, progress)
        # λ of heatmap B plus the student's λ (heatmap A): one batched solve for all maps.
        lams = lam_grid(c.lam_values)
        all_lams = np.append(lams, c.lam)
        maps = error_maps(pts, all_lams, c.resolution, c.poison_label, device, c.penalize_bias)
        lam_t = torch.tensor(all_lams, dtype=torch.float64, device=device)
        Xv, yv = logreg.augment(pts.x_val).to(device), pts.y_val.to(device)
        clean = clean_fit(pts, lam_t, c.penalize_bias)
        clean_err = logreg.errors(clean.theta, Xv, yv).cpu().numpy()
        one = logreg.fit(_problems(pts, torch.tensor([poison], dtype=torch.float64, device=device),
                                   c.poison_label, lam_t[-1:], c.penalize_bias))
        poisoned_err = float(logreg.errors(one.theta, Xv, yv)[0])
    best, best_err = best_lam(maps["error"][:-1], maps["loss"][:-1], lams)
    g = location_grid(c.resolution)
    x2, x1 = np.meshgrid(g, g, indexing="ij")
    grid = pd.DataFrame({
        "x1": x1.ravel(), "x2": x2.ravel(), "error": maps["error"][-1].ravel(),
        "best_lam": best.ravel(), "best_error": best_err.ravel(),
        "damage_small": (maps["error"][0] - clean_err[0]).ravel(),
    })
    bounds = pd.concat([boundary(clean.theta[-1].cpu(), "clean"), boundary(one.theta[0].cpu(), "poisoned")],
                       ignore_index=True)
    return HeatmapResult(c, grid, lams, maps["error"][:-1], clean_err[:-1], _points_table(pts, poison, c.poison_label),
                         bounds, path, float(clean_err[-1]), poisoned_err, describe(device), watch.seconds,
                         attack_warnings(c, path))


def attack_warnings(config: HeatmapConfig, path: pd.DataFrame) -> list[str]:
    out = []
    if config.learn_lam and config.lam_step == 0:
        out.append("“Learn λ” is on but λ's step size β is 0, so λ cannot move: raise β.")
    if len(path) > 1 and path.val_loss.iloc[-1] < path.val_loss.iloc[0] - 1e-9 and not config.learn_lam:
        out.append("The attack ended with a lower validation loss than it started with: its step α is too "
                   "large to climb steadily here. Lower α.")
    return out


# --- benchmark ------------------------------------------------------------------------------


def heatmaps_ab(pts: Points, resolution: int, lam_values: int, device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """Heatmaps A (every λ of the grid) and B, batched: errors (L, G, G) and best λ (G, G)."""
    lams = lam_grid(lam_values)
    maps = error_maps(pts, lams, resolution, 0, device)
    return maps["error"], best_lam(maps["error"], maps["loss"], lams)[0]


def run_one_at_a_time(pts: Points, resolution: int, lam_values: int, stride: int = 1) -> np.ndarray:
    """The same maps fitted one model per cell in a Python loop (:func:`logreg.fit_one`).
    With ``stride`` k only every k-th cell is fitted (for timing; the rest stay NaN)."""
    lams, grid = lam_grid(lam_values), location_grid(resolution)
    X0 = logreg.augment(pts.x_train)
    Xv, yv = logreg.augment(pts.x_val), pts.y_val
    y = torch.cat([pts.y_train, torch.tensor([-1.0], dtype=torch.float64)])
    out = np.full((len(lams), resolution, resolution), np.nan)
    cells = [(li, i, j) for li in range(len(lams)) for i in range(resolution) for j in range(resolution)]
    for li, i, j in cells[::stride]:
        poison = torch.tensor([[grid[j], grid[i], 1.0]], dtype=torch.float64)
        theta = logreg.fit_one(torch.cat([X0, poison]), y, float(lams[li]))
        out[li, i, j] = float(logreg.errors(theta, Xv, yv))
    return out


def bench_cases(quick: bool = False):
    """Heatmaps A and B at 40×40 poison locations × 15 λ (issue 3): one batched solve vs
    one model per cell in a loop. The loop is timed on every 20th cell and scaled up."""
    resolution, lam_values, stride = (6, 3, 1) if quick else (40, 15, 20)
    pts = make_points(0)
    device = pick_device()
    label = f"heatmaps A+B: {resolution}×{resolution} locations × {lam_values} λ"
    if stride > 1:
        label += f" (loop: 1 cell in {stride}, ×{stride})"
    return [Case("regularization", label, lambda: heatmaps_ab(pts, resolution, lam_values, device),
                 lambda: run_one_at_a_time(pts, resolution, lam_values, stride), baseline_scale=stride)]
