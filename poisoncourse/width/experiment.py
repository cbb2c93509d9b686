"""Lesson 1 — the width U-curve: does poisoned training punish networks that are too wide? (paper 000).

Wang, Mianjy & Arora, "Robust learning for data poisoning attacks", ICML 2021. Theorems 3.x
guarantee that SGD on a two-layer ReLU network learns despite poisoning only when the width m
is bounded *above and below*; Fig. 3 shows clean test accuracy vs width as an inverted U under
each attack (A, B, C, see :mod:`poisoncourse.poison`) while clean training stays flat.

Here the victim is a two-layer MLP, f(x) = W₂ ReLU(W₁ x + b₁) + b₂ with hidden width m, on
downsampled MNIST digits, or the paper's own CNN on 28×28 digits. All seeds, both the clean and
the poisoned training set and a group of widths (all of them on a GPU) train as one computation
(:mod:`poisoncourse.victims`): the widths' hidden units sit side by side, so no compute goes to
padding a narrow network up to a wide one. Within a seed, the clean and the poisoned model share
their initialisation and batch order (common random numbers): their curves differ by the poison only.
"""

from __future__ import annotations

import functools

import math
from dataclasses import dataclass, field, replace

import pandas as pd
import torch

from ..core import data, nets
from ..core.cost import CPU_FLOPS, refuse_if_too_slow
from ..core.errors import ConfigError
from ..core.device import Stopwatch, describe, pick_device
from ..core.params import SEED, Choice, Flag, Integer, Numbers, Real, Seeded, param
from . import poison, victims

# The headline lesson's sweeps are longer than the other lessons' and show a progress bar, so a
# live width sweep may take up to a minute before it is refused.
LIVE_MAX_SECONDS = 60.0

REGIMES = {
    "clean": "no poisoning",
    "A": "A — clean-label, overall budget Σ‖δᵢ‖ ≤ C·√n",
    "B": "B — clean-label, per-sample budget ‖δᵢ‖ ≤ B",
    "C": "C — label flip with probability β",
}
EARLY_STOPPING = {
    "off": "none: the network after the last epoch",
    "poisoned": "on a poisoned validation split (what a defender has)",
    "clean": "on a clean validation split (an oracle)",
}
ACCURACY_COLUMN = {"off": "final_accuracy", "poisoned": "stopped_poisoned_val", "clean": "stopped_clean_val"}
VARIANTS = {"clean": "clean training", "poisoned": "poisoned training"}
VICTIMS = {
    "mlp": "two-layer MLP (any resolution)",
    "cnn": "the paper's CNN (28×28 only)",
}

MAX_WIDTH = 65_536
# A network that ends fitting less than this fraction of its own training labels (chance: 0.1)
# has not learnt at all — typically dead ReLUs after a too-large step.
COLLAPSE_FIT = 0.2
ATTACKER_WIDTH = 128  # the attacker's own clean-trained model (paper: "w*" learned on clean data)
ATTACKER_EPOCHS = 20
ATTACKER_LR, ATTACKER_MOMENTUM = 0.05, 0.9  # the attacker's own training (the paper trains w* as its victims)
# S₂, the paper's attack's epochs: the authors ran 500 (their default) and 1,000; the live
# lesson affords fewer (the ascent is a Python loop over 12 mini-batches per epoch).
ATTACK_EPOCHS = 100
# The regimes' budgets (pixel norm at 7×7, where a digit has ‖x‖ ≈ 1.8), calibrated on the live
# protocol's accuracy-against-budget curve (budget.py): the one place they are written.
DEFAULT_BUDGETS = {"A": 0.35, "B": 0.3}


@dataclass(frozen=True)
class WidthConfig(Seeded):
    """Every knob of the lesson; validated on construction.

    ``budget`` is the average per-sample perturbation norm C/√n in regime A and the per-sample
    bound B in regime B (pixel units at the chosen resolution); ``flip_prob`` is β of regime C.
    ``highlight`` None is the middle width.
    """

    regime: str = param("C", Choice(REGIMES), label="Poisoning regime")
    budget: float = param(DEFAULT_BUDGETS["A"], Real(0.0, 5.0), label="Perturbation budget", unit="pixel norm",
                           slider=(0.0, 5.0, 0.05))
    flip_prob: float = param(0.3, Real(0.0, 0.5), label="Flip probability β", slider=(0.0, 0.5, 0.05))
    widths: tuple[int, ...] = param((2, 8, 32, 128, 512, 2048), Numbers(1, MAX_WIDTH, max_count=20, whole=True),
                                    label="Widths")
    highlight: int | None = None  # checked in check(): it must be one of the widths
    # The paper's protocol (mnist_ntk.py): vanilla SGD, lr 0.1, batch 128, early stopping with
    # patience on the poisoned validation split, the best checkpoint's test accuracy.
    epochs: int = param(40, Integer(1, 2_000), label="Epochs", slider=(5, 200, 5))
    lr: float = param(0.1, Real(1e-5, 2.0), label="Learning rate")
    momentum: float = param(0.0, Real(0.0, 0.99), label="Momentum")
    batch_size: int = param(128, Integer(1, 4_096), label="Batch size")
    early_stopping: str = param("poisoned", Choice(EARLY_STOPPING), label="Early stopping")
    patience: int = param(10, Integer(1, 2_000), label="Patience", unit="epochs")
    n_train: int = param(1000, Integer(50, 4_000), label="Training samples n", slider=(200, 3_000, 100))
    n_val: int = param(500, Integer(10, 2_000), label="Validation samples")
    n_test: int = param(500, Integer(10, 2_000), label="Test samples")
    resolution: int = param(7, Integer(4, 28), label="Input resolution", unit="pixels per side")
    seeds: int = param(2, Integer(1, 10), label="Number of seeds", slider=(1, 5, 1))
    seed: int = param(0, Integer(0, SEED), label="Seed")
    attack: str = param("paper", Choice(poison.ATTACKS), label="Attack")
    attack_loss: str = param("negated", Choice(poison.ATTACK_LOSSES), label="Attack loss")
    attack_epochs: int = param(ATTACK_EPOCHS, Integer(1, 2_000), label="Attack epochs S₂")
    attack_eta: float = param(0.1, Real(1e-4, 100.0), label="Attack step η (ascent)")
    attack_steps: int = param(30, Integer(1, 500), label="Attack steps (strong attack)")
    # Beyond the epochs, only the last epoch is evaluated (it always is).
    eval_every: int = param(2, Integer(1, 2_000), label="Evaluate every (epochs)")
    clean_baseline: bool = param(True, Flag(), label="Clean baseline")
    victim: str = param("mlp", Choice(VICTIMS), label="Victim network")
    device: str | None = None

    def check(self):
        hl = self.widths[len(self.widths) // 2] if self.highlight is None else self.highlight
        if hl not in self.widths:
            raise ConfigError(f"The highlighted width must be one of the widths {self.widths}; got {hl!r}.")
        self._set("highlight", int(hl))
        if self.n_train + self.n_val + self.n_test > 5_000:
            raise ConfigError(
                f"Training, validation and test samples must add up to at most 5,000 (the digits that ship "
                f"with the course); got {self.n_train + self.n_val + self.n_test:,}: lower one of them.")
        if self.victim == "cnn" and self.resolution != 28:
            raise ConfigError(
                f"The CNN victim needs 28×28 inputs (its two 5×5 convolutions and poolings are sized for "
                f"them); got input resolution {self.resolution}: choose 28×28 or the MLP.")


    @property
    def variants(self) -> tuple[str, ...]:
        if self.regime == "clean":
            return ("clean",)
        return ("clean", "poisoned") if self.clean_baseline else ("poisoned",)

    @property
    def dim(self) -> int:
        return self.resolution**2

    def attack_size(self) -> str:
        """The attack in the paper's terms, for titles."""
        n = self.n_train + self.n_val
        if self.regime == "A":
            return f"C = {self.budget * math.sqrt(n):.0f} (average ‖δᵢ‖ = {self.budget:g}, n = {n:,})"
        if self.regime == "B":
            return f"B = {self.budget:g}"
        if self.regime == "C":
            return f"β = {self.flip_prob:g}"
        return "no attack"

    def attack_label(self) -> str:
        """Which attack made the poison, for every chart's subtitle."""
        if self.regime == "C":
            return f"regime C: labels flipped with probability β = {self.flip_prob:g}"
        if self.regime == "clean":
            return "no attack"
        how = (f"the paper's attack (ascent step η = {self.attack_eta:g}, {self.attack_epochs} epochs)"
               if self.attack == "paper" else f"the strong attack ({self.attack_steps} full-batch steps)")
        loss = "negated loss" if self.attack_loss == "negated" else "cross-entropy"
        return f"regime {self.regime}, {self.attack_size()}: {how}, {loss}"



# --- data and poison -----------------------------------------------------------------------


@dataclass
class PoisonedData:
    """What the learner receives (train + validation, poisoned) and what it is judged on.

    x_*: pixels in [0, 1]. Per model (variant-major, then seed): x_train (M, n, d), y_train (M, n),
    x_val/y_val poisoned (M, n_val, ·), x_val_clean/y_val_clean (n_val, ·), x_test/y_test clean.
    norms: per-sample ‖δᵢ‖ of the first seed for each attack loss (regimes A and B; else empty).
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_val_clean: torch.Tensor
    y_val_clean: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: float
    std: float
    norms: pd.DataFrame


def _images(digits: data.Digits, resolution: int) -> torch.Tensor:
    return data.resize(digits.images, resolution).reshape(len(digits), -1)


def train_attacker(x: torch.Tensor, y: torch.Tensor, config: WidthConfig, standardize) -> nets.StackedMLP:
    """One clean-trained model per seed: the w* that the paper's attacker perturbs against."""
    seeds = config.seed_list
    model = nets.StackedMLP.init([config.dim, ATTACKER_WIDTH, 10], seeds, stream=40, device=x.device)
    nets.train(model, standardize(x), y, epochs=ATTACKER_EPOCHS, lr=ATTACKER_LR, seeds=seeds, batch_size=128,
               optimizer="sgd", momentum=ATTACKER_MOMENTUM, stream=41)
    return model


def poison_models(x: torch.Tensor, y: torch.Tensor, config: WidthConfig, attacker, standardize, *,
                  budgets, losses, which) -> torch.Tensor:
    """Regime A or B perturbations δ (M, N, d) of the received set x (N, d), y (N,) for M models:
    model m's budget ``budgets[m]``, attack loss ``losses[m]`` and attacker (and batch draws) those
    of seed ``config.seed_list[which[m]]``. All models are one batched ascent."""
    M, N = len(budgets), x.shape[0]
    seeds = [config.seed_list[i] for i in which]
    att = attacker.select(list(which))
    model = lambda z: att(standardize(z))  # noqa: E731
    radius = torch.tensor(budgets, dtype=x.dtype, device=x.device)
    if config.regime == "A":
        # Σ‖δᵢ‖ ≤ C√n = (average per-sample norm) · n  (paper Sec. 4: S = C√n, ℓ₂,₁ ball)
        project = lambda d: poison.project_l2_1(d, radius * N)  # noqa: E731
    else:
        project = lambda d: poison.project_l2_inf(d, radius)  # noqa: E731
    xs, ys = x.expand(M, *x.shape), y.expand(M, N)
    if config.attack == "paper":
        return poison.stochastic_ascent(model, xs, ys, losses=list(losses), project=project, eta=config.attack_eta,
                                        epochs=config.attack_epochs, seeds=seeds,
                                        per_sample_step=config.regime == "B")
    # The strong attack: each step moves the set by 2.5/steps of the budget's Frobenius size (as in ℓ₂-PGD),
    # one ascent per loss (its loss is one function for all its models).
    delta = torch.zeros_like(xs)
    for loss in set(losses):
        rows = [m for m in range(M) if losses[m] == loss]
        sub = attacker.select([which[m] for m in rows])
        r = radius[rows]
        proj = (lambda d, r=r: poison.project_l2_1(d, r * N)) if config.regime == "A" else (
            lambda d, r=r: poison.project_l2_inf(d, r))
        delta[rows] = poison.gradient_ascent(lambda z, sub=sub: sub(standardize(z)), xs[rows], ys[rows], loss=loss,
                                             project=proj, step_norm=2.5 / config.attack_steps * r * math.sqrt(N),
                                             steps=config.attack_steps)
    return delta


def perturb(x: torch.Tensor, y: torch.Tensor, config: WidthConfig, attacker, standardize) -> dict[str, torch.Tensor]:
    """Regime A or B perturbations δ (S, N, d) of the received set, for each attack loss (the
    lesson shows both losses' ‖δᵢ‖; the victims train on ``config.attack_loss``'s)."""
    S, losses = config.seeds, list(poison.ATTACK_LOSSES)
    delta = poison_models(x, y, config, attacker, standardize, budgets=[config.budget] * (S * len(losses)),
                          losses=[loss for loss in losses for _ in range(S)], which=list(range(S)) * len(losses))
    return {loss: delta[i * S:(i + 1) * S] for i, loss in enumerate(losses)}


def received_set(config: WidthConfig, device: torch.device):
    """The clean received set (train + validation) x (N, d), y (N,), the clean test set, and the
    training split's pixel mean and std (the victims standardize with them)."""
    c = config
    digits = data.load_digits("mnist5k")
    received, test = data.split(digits, c.n_train + c.n_val, c.n_test, c.seed, classes=tuple(range(10)))
    x, y = _images(received, c.resolution).to(device), received.labels.to(device)  # (N, d), (N,)
    x_test, y_test = _images(test, c.resolution).to(device), test.labels.to(device)
    return x, y, x_test, y_test, float(x[: c.n_train].mean()), float(x[: c.n_train].std())


def make_data(config: WidthConfig, device: torch.device) -> PoisonedData:
    c = config
    x, y, x_test, y_test, mean, std = received_set(c, device)
    standardize = lambda z: (z - mean) / std  # noqa: E731
    S, N = c.seeds, x.shape[0]
    xp, yp = x.expand(S, N, -1), y.expand(S, N)
    norms = pd.DataFrame(columns=["attack_loss", "norm"])
    if c.regime in ("A", "B") and c.budget > 0:
        attacker = train_attacker(x[: c.n_train], y[: c.n_train], c, standardize)
        deltas = perturb(x, y, c, attacker, standardize)
        xp = x + deltas[c.attack_loss]
        norms = pd.concat([pd.DataFrame({"attack_loss": poison.ATTACK_LOSSES[k], "norm": d[0].norm(dim=-1).cpu().numpy()})
                           for k, d in deltas.items()], ignore_index=True)
    elif c.regime == "C":
        yp = poison.flip_labels(y, c.flip_prob, c.seed_list)
    # Stack variants (clean first), seeds inside: model index = variant · S + seed.
    xs = torch.cat([x.expand(S, N, -1) if v == "clean" else xp for v in c.variants])
    ys = torch.cat([y.expand(S, N) if v == "clean" else yp for v in c.variants])
    t = c.n_train
    return PoisonedData(xs[:, :t].contiguous(), ys[:, :t].contiguous(), xs[:, t:].contiguous(), ys[:, t:].contiguous(),
                        x[t:], y[t:], x_test, y_test, mean, std, norms)


# --- training all widths -------------------------------------------------------------------


@dataclass
class Raw:
    """Per (width, model) results; models ordered variant-major, then seed."""

    runs: list[dict]
    curves: list[dict]
    device: torch.device
    seconds: float = float("nan")


def build_victims(widths, config: WidthConfig, device):
    """Every network of ``widths`` (a group) for every model (variant-major, then seed)."""
    seeds = config.seed_list * len(config.variants)
    if config.victim == "cnn":
        return victims.GroupedCNN.init(widths, seeds, stream=22, device=device)
    return victims.GroupedMLP.init(config.dim, widths, seeds, stream=20, device=device)


def _evaluate(model, x: torch.Tensor, units: int) -> torch.Tensor:
    """Predicted class of every network on x (M, N, d): (M, K, N). In chunks of samples whose
    hidden activations (``units`` floats per sample and model) stay small: on a CPU about a
    cache's worth (each pass over them is memory traffic), on a GPU about 1 GB."""
    floats = 2**21 if x.device.type == "cpu" else 2**28
    chunk = int(min(4096, max(32, floats // (x.shape[0] * units))))
    return torch.cat([model(x[:, i:i + chunk]).argmax(-1) for i in range(0, x.shape[1], chunk)], -1)


def best_checkpoint(acc: torch.Tensor, epochs: list[int], patience: int) -> torch.Tensor:
    """The checkpoint early stopping keeps, per network: acc (E, M, K) validation accuracy at the
    evaluated ``epochs``. As the authors' loop (mnist_ntk.py): an evaluation at least as good as
    the best so far becomes the checkpoint (ties go to the later one); training stops once
    ``patience`` epochs pass without one. Returns the kept evaluation's index (M, K)."""
    best = torch.full(acc.shape[1:], -1.0)
    kept = torch.zeros(acc.shape[1:], dtype=torch.long)
    stopped = torch.zeros(acc.shape[1:], dtype=torch.bool)
    for i, epoch in enumerate(epochs):
        stopped |= torch.as_tensor(epoch, dtype=torch.long) - torch.as_tensor(epochs)[kept] > patience
        better = (acc[i] >= best) & ~stopped
        best = torch.where(better, acc[i], best)
        kept = torch.where(better, torch.as_tensor(i), kept)
    return kept


def train_group(widths: tuple[int, ...], d: PoisonedData, config: WidthConfig, device, progress=None):
    """Train every network of a group of widths together; returns per-network rows and
    test-accuracy curves. ``progress(epoch, epochs)`` after every epoch, with ``partial=f`` after an
    evaluation: ``f()`` the group's rows as if training ended there (:func:`so_far`; a live chart's
    frame, read from the evaluations kept anyway, so the run's result is the same)."""
    c = config
    seeds = c.seed_list * len(c.variants)
    M, K = len(seeds), len(widths)
    model = build_victims(widths, c, device)
    z = lambda x: (x - d.mean) / d.std  # noqa: E731
    # One evaluation pass over the poisoned and clean validation splits and the test set:
    # (M, n_val + n_val + n_test, d), standardized once. The fit to the training labels is
    # measured only after the last epoch: it is all the lesson shows.
    parts = [d.x_val, d.x_val_clean.expand(M, -1, -1), d.x_test.expand(M, -1, -1)]
    x_eval = z(torch.cat(parts, 1))
    y_eval = torch.cat([d.y_val, d.y_val_clean.expand(M, -1), d.y_test.expand(M, -1)], 1)
    bounds = torch.tensor([p.shape[1] for p in parts]).cumsum(0).tolist()
    x_train = z(d.x_train)
    # Floats per sample and model held at once: the hidden units, and for the CNN each network's
    # conv1 maps (10·24·24) and conv2 patches (250·8·8).
    units = sum(widths) + (len(widths) * (5_760 + 16_000) if c.victim == "cnn" else 0)
    evals = []  # (epoch, poisoned val acc, clean val acc, test acc), each (M, K)
    fit = None

    def on_epoch(epoch):
        nonlocal fit
        if epoch % c.eval_every == 0 or epoch == c.epochs:
            with torch.no_grad():
                hit = (_evaluate(model, x_eval, units) == y_eval.unsqueeze(1)).float()  # (M, K, N)
                if epoch == c.epochs:
                    fit = (_evaluate(model, x_train, units) == d.y_train.unsqueeze(1)).float().mean(-1).cpu()
            evals.append((epoch, *(hit[..., a:b].mean(-1).cpu() for a, b in zip([0, *bounds], bounds))))
            if progress is not None:
                progress(epoch, c.epochs, partial=lambda: so_far(widths, seeds, c, list(evals)))
        elif progress is not None:
            progress(epoch, c.epochs)

    victims.train(model, x_train, d.y_train, epochs=c.epochs, lr=c.lr, momentum=c.momentum,
                  batch_size=c.batch_size, seeds=seeds, stream=21, on_epoch=on_epoch)
    with torch.no_grad():
        finite = torch.ones(M, K, dtype=torch.bool)
        for k in range(K):
            for p in model.network_parameters(k):
                finite[:, k] &= p.reshape(M, -1).isfinite().all(1).cpu()
    epochs = [e for e, *_ in evals]
    pv, cv, te = (torch.stack([ev[i] for ev in evals]) for i in (1, 2, 3))  # (E, M, K)
    best_p, best_c = (best_checkpoint(a, epochs, c.patience) for a in (pv, cv))
    runs, curves = [], []
    for k, width in enumerate(widths):
        for m, seed in enumerate(seeds):
            variant = c.variants[m // c.seeds]
            ok = bool(finite[m, k])
            nan = lambda v: float(v) if ok else float("nan")  # noqa: E731
            runs.append(dict(variant=variant, width=width, seed=seed, final_accuracy=nan(te[-1, m, k]),
                             stopped_poisoned_val=nan(te[best_p[m, k], m, k]),
                             stopped_clean_val=nan(te[best_c[m, k], m, k]),
                             stop_epoch_poisoned_val=epochs[best_p[m, k]], stop_epoch_clean_val=epochs[best_c[m, k]],
                             fit=nan(fit[m, k]), diverged=not ok,
                             collapsed=not ok or float(fit[m, k]) < COLLAPSE_FIT))
            for i, e in enumerate(epochs):
                curves.append(dict(variant=variant, width=width, seed=seed, epoch=e, test_accuracy=nan(te[i, m, k]),
                                   val_accuracy=nan(pv[i, m, k])))
    return runs, curves


def so_far(widths: tuple[int, ...], seeds: list[int], config: WidthConfig, evals: list) -> tuple[list[dict], list[dict]]:
    """A group's per-network rows from the evaluations so far, as if training had ended at the last
    one — its test accuracy, and early stopping's pick among the evaluations made (the fit to the
    training labels is measured only at the end: NaN here) — and its curves so far."""
    epochs = [e for e, *_ in evals]
    pv, cv, te = (torch.stack([ev[i] for ev in evals]) for i in (1, 2, 3))  # (E, M, K)
    best_p, best_c = (best_checkpoint(a, epochs, config.patience) for a in (pv, cv))
    runs = [dict(variant=config.variants[m // config.seeds], width=width, seed=seed,
                 final_accuracy=float(te[-1, m, k]), stopped_poisoned_val=float(te[best_p[m, k], m, k]),
                 stopped_clean_val=float(te[best_c[m, k], m, k]), fit=float("nan"), diverged=False, collapsed=False)
            for k, width in enumerate(widths) for m, seed in enumerate(seeds)]
    curves = [dict(variant=config.variants[m // config.seeds], width=width, seed=seed, epoch=e,
                   test_accuracy=float(te[i, m, k]), val_accuracy=float(pv[i, m, k]))
              for k, width in enumerate(widths) for m, seed in enumerate(seeds) for i, e in enumerate(epochs)]
    return runs, curves


def simulate(config: WidthConfig, device=None, progress=None, on_widths=None) -> tuple[Raw, PoisonedData]:
    """Poison once, then train all widths, grouped (:func:`victims.group_widths`). ``progress(done,
    total)`` counts width-epochs over all widths; after each evaluation it gets ``partial=f`` too,
    ``f()`` every network's row and curve so far (the finished groups', the training group's from its
    evaluations so far: a live chart's frame). ``on_widths(widths, rows)`` is called as each group
    of widths finishes."""
    device = device or pick_device(config.device)
    watch = Stopwatch(device)
    runs, curves = [], []
    total = config.epochs * len(config.widths)
    with watch.running():
        d = make_data(config, device)
        done = 0
        for group in victims.group_widths(config.widths, device):
            step = None if progress is None else functools.partial(_report, progress, done, len(group), total,
                                                                   list(runs), list(curves))
            r, cu = train_group(group, d, config, device, step)
            done += config.epochs * len(group)
            runs += r
            curves += cu
            if on_widths is not None:
                on_widths(group, r)
    return Raw(runs, curves, device, watch.seconds), d


def _report(progress, done: int, n: int, total: int, runs: list[dict], curves: list[dict], epoch: int, epochs: int,
            partial=None):
    """A group's epoch as the sweep's width-epochs; its rows and curves so far after the finished groups'."""
    if partial is None:
        progress(done + epoch * n, total)
        return

    def everything():
        group_runs, group_curves = partial()
        return runs + group_runs, curves + group_curves

    progress(done + epoch * n, total, partial=everything)


def run_one_at_a_time(config: WidthConfig, device=None) -> Raw:
    """The same sweep the plain way: every (width, variant, seed) network trained alone, by the
    same code. It draws the same random numbers, so it agrees with :func:`simulate` up to
    rounding; used as the benchmark's baseline."""
    device = device or pick_device(config.device)
    watch = Stopwatch(device)
    runs = []
    with watch.running():
        d = make_data(config, device)
        for width in config.widths:
            for m in range(len(config.variants) * config.seeds):
                one = replace(config, seed=config.seed_list[m % config.seeds], seeds=1,
                              regime=config.regime if config.variants[m // config.seeds] == "poisoned" else "clean",
                              clean_baseline=False)
                sub = PoisonedData(d.x_train[m:m + 1], d.y_train[m:m + 1], d.x_val[m:m + 1], d.y_val[m:m + 1],
                                   d.x_val_clean, d.y_val_clean, d.x_test, d.y_test, d.mean, d.std, d.norms)
                runs += train_group((width,), sub, one, device)[0]
    return Raw(runs, [], device, watch.seconds)


# --- tidy results ----------------------------------------------------------------------------


@dataclass
class WidthResult:
    config: WidthConfig
    runs: pd.DataFrame  # one row per (variant, width, seed)
    summary: pd.DataFrame  # one row per (variant, width): mean/std over seeds
    curves: pd.DataFrame  # one row per (variant, width, seed, evaluated epoch)
    norms: pd.DataFrame  # per-sample ‖δᵢ‖ for each attack loss (regimes A, B)
    device: str
    seconds: float
    warnings: list[str] = field(default_factory=list)

    @property
    def accuracy_column(self) -> str:
        return ACCURACY_COLUMN[self.config.early_stopping]


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and std over seeds of every accuracy, per (variant, width)."""
    cols = ["final_accuracy", "stopped_poisoned_val", "stopped_clean_val", "fit"]
    g = runs.groupby(["variant", "width"], sort=False)
    out = g[cols].mean().add_prefix("mean_").join(g[cols].std(ddof=0).add_prefix("std_"))
    out["seeds"] = g.size()
    out["diverged"] = g.diverged.sum()
    out["collapsed"] = g.collapsed.sum()
    return out.reset_index()


def divergence_warnings(config: WidthConfig, runs: pd.DataFrame) -> list[str]:
    """Plain-language notes on networks that blew up (NaN) or never learnt (collapsed)."""
    out = []
    fix = (f"A learning rate of {config.lr:g} with momentum {config.momentum:g} is too large for them; "
           f"lower the learning rate.")
    for rows, what in ((runs[runs.diverged], "diverged: their weights became infinite or NaN, so they are "
                        "left out of the curves"),
                       (runs[runs.collapsed & ~runs.diverged], f"never learnt: they fit less than "
                        f"{COLLAPSE_FIT:.0%} of their own training labels (chance is 10 %), a sign of dead ReLUs "
                        f"after a too-large step")):
        if not rows.empty:
            widths = ", ".join(str(w) for w in sorted(rows.width.unique()))
            out.append(f"{len(rows)} of {len(runs)} networks {what} (widths {widths}). {fix}")
    return out


def u_curve_gap(summary: pd.DataFrame, column: str, variant: str = "poisoned") -> float:
    """max over interior widths of mean accuracy minus the larger of the two end widths' means."""
    s = summary[summary.variant == variant].sort_values("width")[f"mean_{column}"].to_numpy()
    if len(s) < 3:
        return float("nan")
    return float(s[1:-1].max() - max(s[0], s[-1]))


def tidy(config: WidthConfig, raw: Raw, d: PoisonedData) -> WidthResult:
    runs = pd.DataFrame(raw.runs)
    curves = pd.DataFrame(raw.curves)
    return WidthResult(config, runs, summarize(runs), curves, d.norms, describe(raw.device), raw.seconds,
                       divergence_warnings(config, runs))


# The CNN's convolutions (im2col copies, pooling: memory-bound work) reach a far lower rate on the 2-core
# CPU than the MLP's products: 5 GFLOP/s measured (BENCHMARKS.md).
CNN_CPU_FLOPS = 5e9


# The paper's attack is a Python loop over mini-batches of a small attacker: about a millisecond a
# batch on the 2-core CPU, whatever the FLOPs.
ATTACK_BATCH_SECONDS = 1e-3


def estimated_seconds(config: WidthConfig) -> float:
    """Rough 2-core-CPU time of :func:`run`: the sweep's FLOPs at the rate BENCHMARKS measured,
    plus the paper's attack's mini-batch loop (regimes A and B)."""
    seconds = sweep_flops(config) / (CNN_CPU_FLOPS if config.victim == "cnn" else CPU_FLOPS)
    if config.regime in ("A", "B") and config.attack == "paper" and config.budget > 0:
        batches = -(-(config.n_train + config.n_val) // 128)
        seconds += ATTACK_BATCH_SECONDS * config.attack_epochs * batches
    return seconds


def run(config: WidthConfig, progress=None, on_widths=None, max_seconds: float | None = None) -> WidthResult:
    """The lesson's one entry point: config in, tidy tables out. With ``max_seconds``, a sweep
    estimated to take far longer is refused with a sentence naming a cheaper setting."""
    refuse_if_too_slow(estimated_seconds(config), max_seconds,
                       "drop the widest widths, or use fewer epochs, seeds or training samples "
                       "(the shipped sweep below goes to 16,384)")
    raw, d = simulate(config, progress=progress, on_widths=on_widths)
    return tidy(config, raw, d)


# --- the sweep's cost ----------------------------------------------------------------------


def sweep_flops(config: WidthConfig) -> float:
    """Floating-point operations of the training sweep's matrix products and convolutions, as run
    (:func:`victims.flops_per_sample`): every training step's forward and backward pass, the
    validation and test evaluations every ``eval_every`` epochs and the final fit to the
    training set. Element-wise work (ReLU, pooling, the loss, the optimizer) is not counted."""
    models = len(config.variants) * config.seeds
    d = config.dim + 1  # the bias rides as an input fixed at 1
    train, forward = victims.flops_per_sample(config.victim, d, config.widths)
    evaluations = len(range(config.eval_every, config.epochs + 1, config.eval_every))
    evaluations += config.epochs % config.eval_every != 0  # the last epoch is always evaluated
    samples = evaluations * (2 * config.n_val + config.n_test) + config.n_train
    return float(models * (train * config.n_train * config.epochs + forward * samples))
