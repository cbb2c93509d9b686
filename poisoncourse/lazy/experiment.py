"""Lesson 5 — the lazy radius: robustness is at odds with lazy training (paper 004).

Wang, Ullah, Mianjy & Arora, "Adversarial robustness is at odds with lazy training",
NeurIPS 2022. The network (Sec. 2) is

    f(x) = Σₛ aₛ σ(wₛᵀx + bₛ),   aₛ ∈ {±1/√m} fixed,   wₛ,₀ ~ N(0, I_d),   ‖x‖ = 1,

trained in the lazy regime maxₛ ‖wₛ − wₛ,₀‖ ≤ C₀/√m: after each SGD step (Alg. 1) — or each
epoch, as the authors' code does — every row is projected back onto its ball. Theorem 3.1:
such a network, however well it generalizes, is flipped by one gradient step
x' = x − η·sign(f(x))·∇ₓf(x) of size ‖δ‖ = Θ(1/√d), since ‖∇ₓf‖ ≈ √(d/2) while |f| = O(1).

Everything is batched: all (swept value, seed) pairs of one image size are the M models of
one :class:`~poisoncourse.nets.StackedTwoLayer`, trained together by
:func:`~poisoncourse.nets.train` (ℓ₂-PGD adversarial training when ε > 0) with a per-model
radius and budget. Models with the same seed share their initialization and batch order
(common random numbers), so curves differ only by what the student changed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from ..core import attacks, data
from ..core.cost import CPU_FLOPS, refuse_if_too_slow
from ..core.cost import LIVE_MAX_SECONDS as LIVE_MAX_SECONDS  # re-exported: the lesson's page reads it here
from ..core.device import Stopwatch, describe, pick_device
from ..core.errors import ConfigError
from ..core.looks import Looks
from ..core.nets import StackedTwoLayer, train
from ..core.params import SEED, Choice, Flag, Integer, Numbers, Real, Seeded, Switch, param
from ..lesson import Case, Reference, ReferenceTable, figure_settings, tabulate

# --- the paper's settings ---------------------------------------------------------------

SIZES = (5, 7, 10, 14, 20, 28)  # images resized to size × size, d = size² (Sec. 5)
PROJECTIONS = {"step": "project back after every step (paper, Alg. 1)",
               "epoch": "project back after every epoch (authors' code)",
               # Sec. 5.1 (standard SGD): "the training terminates if the iterates exit the lazy regime"
               "stop": "stop when a row leaves its ball (paper, Sec. 5.1)"}
SWEEPS = {"radius": "lazy radius C₀", "eps": "budget ε", "size": "input dimension d"}

RADII = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0, 20.0)  # C₀ values of the default sweep (Fig. 4, right)
BUDGETS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)  # ε values (Fig. 4, left)
RADIUS_RANGE = (0.1, 100.0)
EPS_RANGE = (0.0, 2.0)


@dataclass(frozen=True)
class LazyConfig(Seeded):
    """Every knob of the lesson, validated on construction.

    One quantity is swept (``sweep`` over ``values``); the others are fixed. ε is both the
    adversarial-training and the test budget; ε = 0 is standard SGD, for which the robust
    accuracy is the clean one. C₀ is the paper's radius times √m: R = C₀/√m.
    """

    sweep: str = param("radius", Choice(SWEEPS), label="Swept quantity")
    values: tuple[float, ...] = param(RADII, Switch("sweep", {
        "radius": (Numbers(*RADIUS_RANGE), "The swept values of C₀"),
        "eps": (Numbers(*EPS_RANGE), "The swept values of ε"),
        "size": (Numbers(2, 28, whole=True), "The swept image sizes"),
    }))
    lazy_radius: float = param(10.0, Real(*RADIUS_RANGE), label="Lazy radius C₀")  # when not swept
    eps: float = param(0.1, Real(*EPS_RANGE), label="Budget ε", slider=(0.0, 0.5, 0.01))  # when not swept
    size: int = param(14, Integer(2, 28), label="Image size", unit="pixels per side")  # when not swept
    width: int = param(128, Integer(16, 2048), label="Width m", slider=(64, 1_600, 32))
    # adversarial training (the reference runs use 10)
    pgd_steps: int = param(3, Integer(1, 100), label="PGD steps in training", slider=(1, 20, 1))
    attack_steps: int = param(10, Integer(1, 200), label="PGD steps at test time")
    epochs: int = param(4, Integer(1, 200), label="Epochs", slider=(1, 20, 1))
    lr: float = param(2.0, Real(1e-4, 100.0), label="Learning rate")
    batch_size: int = param(64, Integer(1, 1000), label="Batch size")
    projection: str = param("step", Choice(PROJECTIONS), label="Projection")
    normalize: bool = param(True, Flag(), label="Normalize inputs")
    bias: bool = param(False, Flag(), label="Bias")
    n_train: int = param(500, Integer(10, 900), label="Training images")
    n_test: int = param(200, Integer(10, 500), label="Test images")
    seeds: int = param(2, Integer(1, 10), label="Number of seeds", slider=(1, 4, 1))
    seed: int = param(0, Integer(0, SEED), label="Seed")
    device: str | None = None

    def check(self):
        # Whatever is swept, the values are one float column (sizes too, as in the results).
        self._set("values", tuple(float(v) for v in self.values))
        if self.n_train + self.n_test > 1000:
            raise ConfigError(
                f"Training and test images together must be at most 1000 (the 0s and 1s in mnist5k); "
                f"got {self.n_train} + {self.n_test}: lower one of them.")



    @classmethod
    def phase(cls, **overrides) -> LazyConfig:
        """Fig. 4, right: robust accuracy against C₀ at d = 196, ε = 0.1 (the default)."""
        return cls(**overrides)

    @classmethod
    def budget(cls, **overrides) -> LazyConfig:
        """Fig. 4, left: robust accuracy against ε at C₀ = 4."""
        return cls(**{**dict(sweep="eps", values=BUDGETS, lazy_radius=4.0), **overrides})

    @classmethod
    def single_step(cls, **overrides) -> LazyConfig:
        """Fig. 2: standard training (ε = 0) at C₀ = 10, every image size."""
        return cls(**{**dict(sweep="size", values=SIZES, eps=0.0, lazy_radius=10.0, seeds=1), **overrides})

    def settings(self) -> list[tuple[float, int, float]]:
        """(C₀, size, ε) of each swept value, in order."""
        out = []
        for value in self.values:
            c0 = value if self.sweep == "radius" else self.lazy_radius
            size = int(value) if self.sweep == "size" else self.size
            eps = value if self.sweep == "eps" else self.eps
            out.append((c0, size, eps))
        return out


# --- data: MNIST 0 vs 1, resized and normalized ---------------------------------------------


@dataclass(frozen=True, eq=False)
class Inputs:
    x_train: torch.Tensor  # (N, d)
    y_train: torch.Tensor  # (N,) in {0, 1}: the digit
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def majority(self) -> float:
        """Test accuracy of always predicting the more frequent class: the floor of Fig. 4."""
        p = float(self.y_test.float().mean())
        return max(p, 1.0 - p)


@functools.lru_cache(maxsize=16)
def _inputs_cpu(size: int, normalize: bool, n_train: int, n_test: int, seed: int) -> Inputs:
    train_d, test_d = data.split(data.load_digits("mnist5k"), n_train, n_test, seed, classes=(0, 1))

    def flat(d: data.Digits) -> torch.Tensor:
        x = data.resize(d.images, size).flatten(1)  # (N, d)
        # Sec. 5: "we also normalize the data, so that ‖x‖ = 1".
        return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12) if normalize else x

    return Inputs(flat(train_d), train_d.labels, flat(test_d), test_d.labels)


def load_inputs(config: LazyConfig, size: int, device: torch.device) -> Inputs:
    """The 0s and 1s of mnist5k, split by the config's seed (shared by every model)."""
    inp = _inputs_cpu(size, config.normalize, config.n_train, config.n_test, config.seed)
    return Inputs(*(t.to(device) for t in (inp.x_train, inp.y_train, inp.x_test, inp.y_test)))


# --- training in the lazy regime -------------------------------------------------------------


def lazy_train(model: StackedTwoLayer, inputs: Inputs, config: LazyConfig, radius: torch.Tensor,
               eps: torch.Tensor, seeds: list[int], progress=None):
    """SGD on the logistic loss, ℓ₂-PGD adversarial examples where ε > 0, and the lazy-regime
    projection of every row onto its ball of radius R = C₀/√m (paper 004, Alg. 1).

    radius, eps: (M,) per model. PGD runs from δ = 0 with α = 2.5ε/K for K steps (Alg. 1).
    """
    project = lambda net: net.project_to_init_ball(radius)  # noqa: E731
    stop = StopAtBall(model, radius) if config.projection == "stop" else None
    perturb = None
    if bool((eps > 0).any()):
        def perturb(net, xb, yb):
            return attacks.pgd_l2(logistic_loss(net, yb), xb, eps, config.pgd_steps)
    return train(model, inputs.x_train, inputs.y_train, epochs=config.epochs, lr=config.lr, seeds=seeds,
                 batch_size=config.batch_size, optimizer="sgd", perturb=perturb,
                 after_step=project if config.projection == "step" else stop,
                 after_epoch=project if config.projection == "epoch" else None, progress=progress), stop


class StopAtBall:
    """Sec. 5.1's rule as an ``after_step`` hook: a model whose step took any row out of its ball
    is set back to its weights before that step and frozen there — its training has ended, and
    the network it returns is in the lazy regime. ``steps`` (M,) counts each model's steps kept."""

    def __init__(self, model: StackedTwoLayer, radius: torch.Tensor):
        self.radius = radius
        self.kept = [p.detach().clone() for p in model.parameters()]
        self.stopped = torch.zeros(model.models, dtype=torch.bool, device=radius.device)
        self.steps = torch.zeros(model.models, dtype=torch.long, device=radius.device)

    def __call__(self, model: StackedTwoLayer) -> None:
        with torch.no_grad():
            self.stopped |= (model.distance_from_init().amax(1) > self.radius)
            self.steps += (~self.stopped).long()
            for p, kept in zip(model.parameters(), self.kept):
                p.copy_(torch.where(self.stopped.view(-1, 1, 1), kept, p))
                kept.copy_(p)


def logistic_loss(model: StackedTwoLayer, y: torch.Tensor):
    """Per-sample log(1 + e^{−y f(x)}) with y = ±1 (the digit 1 or 0), for :func:`attacks.pgd_l2`.
    The same numbers as the cross-entropy of the model's two logits, in fewer operations
    (PGD runs it K times per training step)."""
    sign = (2 * y - 1).to(model.W.dtype)  # (M, N) or (N,)

    def loss(x_adv: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.softplus(-sign * model.output(x_adv))

    return loss


# --- the single-step attack --------------------------------------------------------------------


@dataclass
class SingleStep:
    """Per test point (M, N): f(x), ‖∇ₓf‖, the smallest flipping η and ‖δ‖ = η‖∇ₓf‖;
    NaN where the point is misclassified or no step up to 100× the linear guess flips it."""

    f: torch.Tensor
    grad_norm: torch.Tensor
    eta: torch.Tensor
    delta: torch.Tensor
    correct: torch.Tensor


def single_step_attack(model: StackedTwoLayer, x: torch.Tensor, y: torch.Tensor) -> SingleStep:
    """x' = x − η·sign(f(x))·∇ₓf(x) with the smallest η that flips sign f (Thm. 3.1, Sec. 5.1).

    x: (N, d) shared; y: (N,) in {0, 1}.
    """
    xs = x.expand(model.models, *x.shape)
    f, grad = model.input_gradient(xs)  # (M, N), (M, N, d)
    u = -torch.sign(f).unsqueeze(-1) * grad  # moves f towards 0
    gnorm = grad.norm(dim=-1)
    correct = (f > 0) == (y == 1)
    guess = (f.abs() / gnorm.square().clamp_min(1e-30)).clamp_min(1e-12)  # where the linearization flips
    eta = attacks.smallest_flipping_step(model.along(xs, u), guess)
    nan = torch.full_like(eta, float("nan"))
    eta = torch.where(correct, eta, nan)
    return SingleStep(f, torch.where(correct, gnorm, nan), eta, eta * gnorm, correct)


def robust_accuracy(model: StackedTwoLayer, x: torch.Tensor, y: torch.Tensor, eps: torch.Tensor,
                    steps: int) -> torch.Tensor:
    """Accuracy under ℓ₂-PGD with budget eps (M,) from zero, α = 2.5ε/K: (M,)."""
    xs = x.expand(model.models, *x.shape)
    x_adv = attacks.pgd_l2(logistic_loss(model, y), xs, eps, steps)
    with torch.no_grad():
        return ((model.output(x_adv) > 0) == (y == 1)).float().mean(1)


# --- one batched experiment per image size ---------------------------------------------------


@dataclass
class Group:
    """Raw output for the models of one image size: one entry per model (M,)."""

    size: int
    value_index: list[int]
    seeds: list[int]
    lazy_radius: list[float]
    eps: list[float]
    train_accuracy: np.ndarray
    clean_accuracy: np.ndarray
    robust_accuracy: np.ndarray
    majority: float
    step: SingleStep
    x_norm: np.ndarray  # (N,) ‖x‖ of the test points
    distances: np.ndarray  # (M, m) each row's distance from its initialization
    finite: np.ndarray  # (M,) False where training produced NaN/inf
    steps: np.ndarray | None = None  # (M,) SGD steps kept: under the "stop" rule, those before a row left its ball


def run_group(config: LazyConfig, size: int, members: list[tuple[int, int]], device: torch.device,
              progress=None, look=None) -> Group:
    """Train and attack the models ``members`` = [(value index, seed), …] of one image size.
    ``look``: a :class:`~poisoncourse.core.looks.Looks` for the page's progress, built from a function of
    the group as it stands (:func:`measure` on the first :data:`PARTIAL_TEST_POINTS` test points), or None:
    ``progress`` gets the epochs alone."""
    settings = config.settings()
    inputs = load_inputs(config, size, device)
    d, m = size * size, config.width
    seeds = [s for _, s in members]
    c0 = [settings[v][0] for v, _ in members]
    eps_list = [settings[v][2] for v, _ in members]
    to = dict(device=device, dtype=torch.float32)
    radius = torch.tensor(c0, **to) / math.sqrt(m)  # R = C₀/√m
    eps = torch.tensor(eps_list, **to)
    model = StackedTwoLayer.init(d, m, seeds, bias=config.bias, device=device)
    measured = lambda train_accuracy, stop, n_test=None, finite=None: measure(  # noqa: E731
        config, size, members, model, inputs, eps, train_accuracy, stop, n_test, finite)
    if look is not None:
        def so_far(epoch):
            with torch.no_grad():
                fitted = ((model.output(inputs.x_train) > 0) == (inputs.y_train == 1)).float().mean(1)
            return measured(fitted, None, PARTIAL_TEST_POINTS)
        progress = look(so_far)
    log, stop = lazy_train(model, inputs, config, radius, eps, seeds, progress=progress)
    finite = torch.stack([torch.isfinite(p).flatten(1).all(1) for p in model.parameters()]).all(0)
    if not bool(finite.all()):  # keep the rest of the batch meaningful: reset broken models
        with torch.no_grad():
            bad = ~finite
            model.W[bad] = model.W0[bad]
            if model.b is not None:
                model.b[bad] = model.b0[bad]
    return measured(log.train_accuracy, stop, finite=finite)  # the broken ones told apart as trained


# A run in progress (a live chart's look) is attacked on its first test points only: the whole test set's
# PGD and single-step attacks cost several epochs of adversarial training on a CPU.
PARTIAL_TEST_POINTS = 100
# Looks are offered while they have taken at most this share of the run's time (core/looks.py).
PARTIAL_SHARE = 1 / 3


def measure(config: LazyConfig, size: int, members: list[tuple[int, int]], model: StackedTwoLayer, inputs: Inputs,
            eps: torch.Tensor, train_accuracy: torch.Tensor, stop: StopAtBall | None, n_test: int | None = None,
            finite: torch.Tensor | None = None) -> Group:
    """The group's models attacked and scored as they stand (on the first `n_test` test points, else all);
    `finite`: which models trained without NaN (else read from the weights). Reads the weights only: both
    attacks differentiate with respect to the inputs."""
    settings = config.settings()
    x_test, y_test = inputs.x_test[:n_test], inputs.y_test[:n_test]
    if finite is None:
        finite = torch.stack([torch.isfinite(p).flatten(1).all(1) for p in model.parameters()]).all(0)
    with torch.no_grad():
        clean = ((model.output(x_test) > 0) == (y_test == 1)).float().mean(1)
    robust = torch.where(eps > 0, robust_accuracy(model, x_test, y_test, eps, config.attack_steps), clean)
    step = single_step_attack(model, x_test, y_test)
    nan = float("nan")
    cpu = lambda t: t.detach().float().cpu().numpy()  # noqa: E731
    fin = cpu(finite).astype(bool)
    return Group(size, [v for v, _ in members], [s for _, s in members], [settings[v][0] for v, _ in members],
                 [settings[v][2] for v, _ in members], cpu(train_accuracy),
                 np.where(fin, cpu(clean), nan), np.where(fin, cpu(robust), nan), inputs.majority,
                 step, cpu(x_test.norm(dim=1)), cpu(model.distance_from_init()), fin,
                 None if stop is None else stop.steps.cpu().numpy())


def plan(config: LazyConfig) -> dict[int, list[tuple[int, int]]]:
    """Image size -> its models [(value index, seed), …]: one batched computation per size."""
    groups: dict[int, list[tuple[int, int]]] = {}
    for vi, (_, size, _) in enumerate(config.settings()):
        groups.setdefault(size, []).extend((vi, s) for s in config.seed_list)
    return groups


def simulate(config: LazyConfig, device: torch.device | None = None, progress=None, watch=None) -> list[Group]:
    """Every model of the config, batched per image size. ``progress(done, total)`` after every epoch (done,
    total: epochs of all sizes), with ``partial=f`` while looks cost at most :data:`PARTIAL_SHARE` of the run
    (core/looks.py): ``f()`` the :class:`LazyResult` of the sizes finished and the one training, as it stands
    (a live chart's frame); after each size but the last, always."""
    device = device or pick_device(config.device)
    sizes = plan(config)
    groups = []
    seconds = lambda: watch.elapsed() if watch else float("nan")  # noqa: E731
    total = config.epochs * len(sizes)
    for k, (size, members) in enumerate(sizes.items()):
        look = None
        if progress is not None:
            def look(group_so_far, done=list(groups), offset=config.epochs * k):
                return Looks(progress, lambda epoch: tidy(config, done + [group_so_far(epoch)], device, seconds()),
                             PARTIAL_SHARE, offset, total)
        groups.append(run_group(config, size, members, device, look=look))
        if progress is not None and len(groups) < len(sizes):
            progress(config.epochs * len(groups), total,
                     partial=lambda done=list(groups): tidy(config, done, device, seconds()))
    return groups


def run_one_at_a_time(config: LazyConfig, device: torch.device | None = None) -> list[Group]:
    """The same models trained one at a time: the benchmark's baseline."""
    device = device or pick_device(config.device)
    return [run_group(config, size, [member], device)
            for size, members in plan(config).items() for member in members]


# --- tidy results --------------------------------------------------------------------------------


@dataclass
class LazyResult:
    config: LazyConfig
    models: pd.DataFrame  # one row per (value, seed)
    summary: pd.DataFrame  # one row per value: mean, min and max over seeds
    points: pd.DataFrame  # one row per (value, seed, correctly classified test point)
    rows: pd.DataFrame  # one row per (value, seed, hidden unit): distance from init
    device: str
    seconds: float
    warnings: list[str] = field(default_factory=list)


METRICS = ("clean_accuracy", "robust_accuracy", "train_accuracy", "grad_norm", "eta", "delta", "delta_rel",
           "flipped", "max_distance", "step_sqrt_d_q10", "step_sqrt_d_q50", "step_sqrt_d_q90")


def tidy(config: LazyConfig, groups: list[Group], device: torch.device, seconds: float) -> LazyResult:
    m = config.width
    models, points, rows = [], [], []
    for g in groups:
        st = g.step
        arr = lambda t: t.detach().cpu().numpy()  # noqa: E731
        grad, eta, delta, correct = arr(st.grad_norm), arr(st.eta), arr(st.delta), arr(st.correct)
        rel = delta / g.x_norm[None, :]
        for i, vi in enumerate(g.value_index):
            value = config.values[vi]
            ok = correct[i] & g.finite[i]
            key = dict(value=value, seed=g.seeds[i])
            with np.errstate(invalid="ignore"):
                models.append(dict(
                    **key, size=g.size, d=g.size ** 2, width=m, lazy_radius=g.lazy_radius[i],
                    radius=g.lazy_radius[i] / math.sqrt(m), eps=g.eps[i], majority=g.majority,
                    clean_accuracy=g.clean_accuracy[i], robust_accuracy=g.robust_accuracy[i],
                    train_accuracy=g.train_accuracy[i],
                    grad_norm=_mean(grad[i][ok]), eta=_mean(eta[i][ok]), delta=_mean(delta[i][ok]),
                    delta_rel=_mean(rel[i][ok]), flipped=float(np.isfinite(eta[i][ok]).mean()) if ok.any() else np.nan,
                    max_distance=float(g.distances[i].max()), finite=bool(g.finite[i]),
                    steps=np.nan if g.steps is None else float(g.steps[i]),
                    **_quantiles(rel[i][ok] * g.size),  # ‖δ‖/‖x‖ in units of 1/√d (√d = size)
                ))
            keep = ok & np.isfinite(eta[i])
            points.append(pd.DataFrame(dict(**key, size=g.size, grad_norm=grad[i][keep], eta=eta[i][keep],
                                            delta=delta[i][keep], delta_rel=rel[i][keep])))
            rows.append(pd.DataFrame(dict(**key, distance=g.distances[i], radius=g.lazy_radius[i] / math.sqrt(m))))
    models = pd.DataFrame(models).sort_values(["value", "seed"], ignore_index=True)
    return LazyResult(config, models, summarize(models), pd.concat(points, ignore_index=True),
                      pd.concat(rows, ignore_index=True), describe(device), seconds, fit_warnings(config, models))


QUANTILES = (0.1, 0.5, 0.9)


def _quantiles(scaled: np.ndarray) -> dict:
    """The 10 %, 50 % and 90 % points of the smallest flipping step ‖δ‖/‖x‖ times √d over the correctly
    classified test points (a point no step flipped counts as +∞): Theorem 3.1 says Θ(1) whatever d."""
    a = np.where(np.isfinite(scaled), scaled, np.inf) if len(scaled) else np.array([np.nan])
    return {f"step_sqrt_d_q{round(100 * q)}": float(np.quantile(a, q)) for q in QUANTILES}


def _mean(a: np.ndarray) -> float:
    a = a[np.isfinite(a)]
    return float(a.mean()) if len(a) else float("nan")


def summarize(models: pd.DataFrame) -> pd.DataFrame:
    """Per swept value: the mean over seeds of every metric, with its min and max."""
    g = models.groupby("value", sort=True)
    out = g[["size", "d", "lazy_radius", "radius", "eps", "majority"]].first()
    for name in METRICS:
        out[name] = g[name].mean()
        out[f"{name}_min"] = g[name].min()
        out[f"{name}_max"] = g[name].max()
    out["runs"] = g.size()
    return out.reset_index()


def fit_warnings(config: LazyConfig, models: pd.DataFrame) -> list[str]:
    """Plain-language notes on runs a student should not read as results."""
    out = []
    bad = models[~models.finite]
    if len(bad):
        out.append(
            f"Training blew up (NaN) in {len(bad)} of {len(models)} runs "
            f"({SWEEPS[config.sweep]} = {', '.join(f'{v:g}' for v in sorted(bad.value.unique()))}); "
            f"they are left out. The learning rate {config.lr:g} is too large for these inputs"
            f"{'' if config.normalize else ' (unnormalized images have ‖x‖ up to about 10)'}: lower it.")
    stuck = models[models.finite & (models.clean_accuracy <= models.majority + 0.05)]
    if len(stuck):
        out.append(
            f"{len(stuck)} of {len(models)} runs never learned the task (clean accuracy ≤ "
            f"{stuck.majority.iloc[0] + 0.05:.2f}, no better than the majority class): at C₀ = "
            f"{', '.join(f'{c:g}' for c in sorted(stuck.lazy_radius.unique()))} the rows cannot move far enough "
            f"from their random start to fit{', even without an attack' if config.eps == 0 else ''}. They say "
            f"nothing about the theorem, which is about networks that fit.")
    return out


def estimated_seconds(config: LazyConfig) -> float:
    """Rough 2-core-CPU time of :func:`run`: FLOPs of PGD adversarial training (each step a
    forward and backward pass per attack step and per update) and of the test attack."""
    c = config
    flops = 0.0
    for _, size, _ in c.settings():
        params = size * size * c.width
        train = 6 * c.n_train * c.epochs * params * (c.pgd_steps + 1)
        attack = 4 * c.n_test * params * (c.attack_steps + 1)
        flops += c.seeds * (train + attack)
    return flops / CPU_FLOPS


def run(config: LazyConfig, progress=None, max_seconds: float | None = None) -> LazyResult:
    """The lesson's one entry point: config in, tidy tables out. With ``max_seconds``, a sweep
    estimated to take far longer is refused with a sentence naming a cheaper setting."""
    refuse_if_too_slow(estimated_seconds(config), max_seconds,
                       "use a smaller width m, image size, fewer epochs, PGD steps, swept values or seeds "
                       "(the shipped reference below has the larger runs)")
    device = pick_device(config.device)
    watch = Stopwatch(device)
    with watch.running():
        groups = simulate(config, device, progress, watch)
    return tidy(config, groups, device, watch.seconds)


# --- scaling laws -----------------------------------------------------------------------------


def loglog_slope(x, y) -> float:
    """Least-squares slope of log y against log x (Fig. 2: +1/2 for ‖∇f‖, −1/2 for ‖δ‖)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def scaling_table(result: LazyResult) -> pd.DataFrame:
    """Fitted log-log slopes against d of ‖∇f‖, η and ‖δ‖/‖x‖, next to the theory's."""
    s = result.summary
    theory = {"grad_norm": 0.5, "eta": -1.0, "delta_rel": -0.5}
    return pd.DataFrame([dict(quantity=q, slope=loglog_slope(s.d, s[q]), theory=t) for q, t in theory.items()])


# --- reference curves at the paper's scale --------------------------------------------------------

# Bump when the computation changes in a way that changes its numbers: shipped reference
# tables made by another version are then refused with a sentence saying how to remake them.
REFERENCE_VERSION = 1
REFERENCE_NAME = "lazy"
REFERENCE_COMMAND = "poisoncourse sweep lazy"
REFERENCE_SEEDS = 2
REFERENCE_WIDTHS = (100, 200, 400)
REFERENCE_RADII = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 20.0)
REFERENCE_BUDGET_SIZES = (7, 14, 28)
REFERENCE_BUDGET_WIDTH = 128
# More data and PGD steps than the live defaults (paper 004, Sec. 5 and Alg. 1), yet small
# enough to remake in a few minutes on a 2-core CPU.
REFERENCE_TRAINING = dict(epochs=4, pgd_steps=7, attack_steps=20, n_train=600, n_test=300)


def reference_configs(seeds: int = REFERENCE_SEEDS, quick: bool = False):
    """(figure, config) pairs: Fig. 4 right (C₀ sweep per width), Fig. 4 left (ε sweep per
    size, m = 256, C₀ = 4) and Fig. 2 (single-step quantities vs d per width, standard SGD).
    ``quick`` (the sweep command's --quick) shrinks training to a smoke test."""
    train_kw = dict(REFERENCE_TRAINING, seeds=seeds)
    if quick:
        train_kw.update(epochs=1, n_train=100, n_test=50, pgd_steps=2, attack_steps=2)
    for width in REFERENCE_WIDTHS:
        yield "phase", LazyConfig.phase(values=REFERENCE_RADII, width=width, **train_kw)
    for size in REFERENCE_BUDGET_SIZES:
        yield "budget", LazyConfig.budget(size=size, width=REFERENCE_BUDGET_WIDTH, **train_kw)
    for width in REFERENCE_WIDTHS:
        yield "single_step", LazyConfig.single_step(width=width, **train_kw)


def _summary_rows(item, result) -> pd.DataFrame:
    figure, config = item
    table = result.summary.copy()
    table.insert(0, "figure", figure)
    table["width"] = config.width
    table["seeds"] = config.seeds
    table["pgd_steps"] = config.pgd_steps
    table["epochs"] = config.epochs
    return table


def reference_table(configs, progress=None) -> pd.DataFrame:
    """Run each (figure, config) and keep its per-value summary (mean, min and max over seeds)."""
    return tabulate(configs, lambda item: run(item[1]), _summary_rows, progress)


def reference_label(item) -> str:
    """One line for the sweep command's progress output."""
    figure, config = item
    return f"{figure:12s} m = {config.width:5d}  size = {config.size:2d}  {SWEEPS[config.sweep]}"


REFERENCE = ReferenceTable(REFERENCE_NAME, REFERENCE_VERSION, REFERENCE_COMMAND, REFERENCE_SEEDS, reference_configs,
                           reference_table, reference_label, settings=figure_settings)


def load_reference() -> Reference:
    """The shipped paper-scale sweeps (see :func:`reference_configs`)."""
    return REFERENCE.load()


# --- benchmark ------------------------------------------------------------------------------------


def bench_cases(quick: bool = False):
    """The lesson's default C₀ sweep (8 values × 2 seeds), batched vs one model at a time."""
    config = LazyConfig.phase()
    if quick:
        config = LazyConfig.phase(values=(1.0, 10.0), seeds=1, epochs=1, n_train=100, n_test=50)
    label = (f"{len(config.values)} C₀ × {config.seeds} seeds, m = {config.width}, d = {config.size ** 2}, "
             f"PGD-{config.pgd_steps}, {config.epochs} epochs")
    return [Case("lazy", label, lambda: simulate(config), lambda: run_one_at_a_time(config))]
