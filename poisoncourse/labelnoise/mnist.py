"""Lesson 4, MNIST extension: which training points are worth mislabeling (thesis §4.10).

A clean network is trained on a two-class MNIST subset. Each training point is scored by
the length of its *adversarial path*: the number of unbounded gradient-ascent steps (ℓ₂
steps of fixed length on [0, 1] images, no projection) until the clean network's output
flips (§4.10.1). The points are bucketed by that score; for each bucket, networks are trained
with the labels of ``budget`` points from that bucket flipped, and compared — by ℓ₂-PGD
adversarial accuracy — with networks whose flipped points were picked at random (Fig. 15).

All poisoned networks (buckets + random, × seeds) are one StackedMLP: each model has its own
label vector, the images are shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import torch

from ..core.attacks import cross_entropy_loss, margin, pgd_l2
from ..core.data import load_digits, resize, split
from ..core.device import Stopwatch, describe, generator, pick_device
from ..core.errors import ConfigError
from ..core.nets import StackedMLP, accuracy, train
from ..core.params import SEED, Integer, Items, Real, Validated, param


@dataclass(frozen=True)
class MnistBucketsConfig(Validated):
    """The extension's knobs. Defaults: the reduced live version (a minute or less on a CPU);
    :meth:`reference` is the shipped, larger one."""

    classes: tuple[int, int] = param((0, 1), Items(  # the thesis's "0-1 MNIST"
        Integer(0, 9), 2, 2, each="Each digit class", wrong_count="Choose two digit classes; got {value!r}."),
        label="Digit classes")
    n_train: int = param(300, Integer(40, 2_000), label="Training images")
    n_test: int = param(300, Integer(20, 2_000), label="Test images")
    # images downsampled to size × size (area averaging)
    size: int = param(14, Integer(4, 28), label="Image size", unit="pixels per side")
    widths: tuple[int, ...] = (64, 64, 64)
    lr: float = param(1e-2, Real(1e-5, 0.1), label="Learning rate")
    batch_size: int = 128
    max_epochs: int = param(200, Integer(1, 2_000), label="Maximum epochs")
    # ℓ₂ length of one gradient-ascent step (thesis: 0.01)
    path_step: float = param(0.02, Real(1e-3, 1.0), label="Path step")
    max_path_steps: int = param(1_000, Integer(10, 20_000), label="Maximum path steps")
    buckets: int = param(4, Integer(2, 10), label="Number of buckets", slider=(2, 6, 1))
    # labels flipped per poisoned network; at most one bucket's worth
    flips: int = param(15, Integer(1, lambda c: c.n_train // c.buckets), label=lambda c: (
        f"Flipped labels per network (a bucket holds {c.n_train // c.buckets} points)"), slider=(5, 50, 5))
    # ℓ₂ radius of the evaluation attack, on [0, 1] pixels
    eps: float = param(0.5, Real(0.0, 10.0), label="Attack radius ε", slider=(0.25, 2.0, 0.25))
    pgd_steps: int = param(20, Integer(1, 200), label="PGD steps")
    seeds: int = param(2, Integer(1, 10), label="Number of seeds", slider=(1, 4, 1))
    seed: int = param(0, Integer(0, SEED), label="Seed")
    device: str | None = None

    def check(self):
        a, b = self.classes
        if a == b:
            raise ConfigError(f"Choose two different digit classes; got {a} twice.")

    @classmethod
    def reference(cls, **overrides) -> MnistBucketsConfig:
        """The shipped version: the thesis's step 0.01, more images, buckets and seeds."""
        base = dict(n_train=700, n_test=300, path_step=0.01, max_path_steps=3_000, buckets=5, flips=25, seeds=4,
                    max_epochs=500)
        return cls(**{**base, **overrides})



def load_pair(config: MnistBucketsConfig):
    """Train and test images as (N, size²) in [0, 1], labels 0/1 (first class → 0)."""
    digits = load_digits("mnist5k")
    tr, te = split(digits, config.n_train, config.n_test, config.seed, classes=config.classes)
    flat = lambda d: resize(d.images, config.size).reshape(len(d), -1)  # noqa: E731
    as01 = lambda d: (d.labels == config.classes[1]).long()  # noqa: E731
    return flat(tr), as01(tr), flat(te), as01(te)


def path_lengths(model: StackedMLP, x: torch.Tensor, y: torch.Tensor, step: float, max_steps: int,
                 progress=None) -> torch.Tensor:
    """Untargeted-unbounded gradient ascent (§4.10.1): steps of ℓ₂ length ``step`` along the
    normalised gradient of the loss, no projection, until the prediction differs from y.

    model: one network (M = 1); x (N, D), y (N,). Returns (N,) step counts; points still
    unflipped after ``max_steps`` get max_steps (a censored score). Only the points not yet
    flipped are advanced.
    """
    x_adv = x.clone()
    steps = torch.full((len(x),), max_steps, dtype=torch.long)
    active = torch.arange(len(x))
    with torch.no_grad():
        flipped = model(x_adv[None])[0].argmax(-1) != y
    steps[flipped.cpu()] = 0
    active = active[~flipped.cpu()]
    for t in range(1, max_steps + 1):
        if len(active) == 0:
            break
        xa = x_adv[active].requires_grad_(True)
        # Ascend −margin rather than the cross-entropy: for two classes both point the same
        # way, but the cross-entropy's gradient underflows to exactly 0 on confident points.
        loss = -margin(model(xa[None]), y[active]).sum()
        (grad,) = torch.autograd.grad(loss, xa)
        with torch.no_grad():
            xa = xa + step * grad / (grad.norm(dim=-1, keepdim=True) + 1e-12)
            x_adv[active] = xa
            done = (model(xa[None])[0].argmax(-1) != y[active]).cpu()
        steps[active[done]] = t
        active = active[~done]
        if progress is not None and t % 50 == 0:
            progress(t, max_steps)
    return steps


def bucket_of(scores: torch.Tensor, buckets: int) -> torch.Tensor:
    """Equal-count buckets of the score (0 = closest to the boundary), ties broken by index."""
    order = torch.argsort(scores, stable=True)
    out = torch.empty_like(order)
    out[order] = torch.arange(len(scores)) * buckets // len(scores)
    return out


@dataclass
class MnistBucketsResult:
    config: MnistBucketsConfig
    scores: pd.DataFrame  # one row per training image: path length, bucket, label
    runs: pd.DataFrame  # one row per (selection, seed)
    summary: pd.DataFrame  # one row per selection: mean/min/max over seeds
    clean_adversarial_accuracy: float
    device: str
    seconds: float
    warnings: list[str] = field(default_factory=list)


def run(config: MnistBucketsConfig, progress=None) -> MnistBucketsResult:
    """Score, bucket, flip, retrain, attack. ``progress(stage, done, total)`` reports the three
    stages ("clean network", "adversarial paths", "poisoned networks")."""
    c = config
    device = pick_device(c.device)
    tell = (lambda *a: progress(*a)) if progress is not None else (lambda *a: None)  # noqa: E731
    watch = Stopwatch(device)
    with watch.running():
        x, y, xt, yt = (t.to(device) for t in load_pair(c))
        sizes = [x.shape[1], *c.widths, 2]
        # 1. the clean network whose boundary defines the paths (model seed c.seed)
        clean = StackedMLP.init(sizes, [c.seed], device=device)
        clean_log = train(clean, x, y, epochs=c.max_epochs, lr=c.lr, seeds=[c.seed], batch_size=c.batch_size,
                          stop_at_fit=True, progress=lambda e, n: tell("clean network", e, n))
        # 2. adversarial path lengths of every training point
        scores = path_lengths(clean, x, y, c.path_step, c.max_path_steps,
                              progress=lambda t, n: tell("adversarial paths", t, n))
        bucket = bucket_of(scores, c.buckets)
        # 3. one poisoned label vector per (selection, seed): bucket k, or "random"
        selections = [f"bucket {k + 1}" for k in range(c.buckets)] + ["random"]
        labels, sel_of, seed_of, flipped_idx = [], [], [], []
        for s in range(c.seed, c.seed + c.seeds):
            g = generator(s, 20)
            for k, name in enumerate(selections):
                pool = torch.arange(len(y)) if name == "random" else torch.nonzero(bucket == k).squeeze(1)
                pick = pool[torch.randperm(len(pool), generator=g)[:c.flips]]
                yy = y.clone()
                yy[pick.to(device)] = 1 - yy[pick.to(device)]
                labels.append(yy)
                sel_of.append(name)
                seed_of.append(s)
                flipped_idx.append(pick)
        Y = torch.stack(labels)  # (M, n_train)
        model = StackedMLP.init(sizes, seed_of, device=device)
        log = train(model, x, Y, epochs=c.max_epochs, lr=c.lr, seeds=seed_of, batch_size=c.batch_size,
                    stop_at_fit=True, progress=lambda e, n: tell("poisoned networks", e, n))
        # 4. natural and ℓ₂-PGD adversarial accuracy on the clean test set, pixels kept in [0, 1]
        both = StackedMLP([torch.cat([a, b]) for a, b in zip(clean.weights, model.weights)],
                          [torch.cat([a, b]) for a, b in zip(clean.biases, model.biases)])
        xts = xt.expand(both.models, *xt.shape)
        x_adv = pgd_l2(cross_entropy_loss(both, yt), xts, c.eps, c.pgd_steps, box=(0.0, 1.0))
        with torch.no_grad():
            natural = accuracy(both(xts), yt).cpu()
            adversarial = accuracy(both(x_adv), yt).cpu()
    runs = pd.DataFrame({
        "selection": sel_of, "seed": seed_of,
        "natural_accuracy": natural[1:].numpy().astype(float),
        "adversarial_accuracy": adversarial[1:].numpy().astype(float),
        "fit": (log.fit_epoch >= 0).numpy(),
        "mean_path_steps": [float(scores[i].float().mean()) for i in flipped_idx],
    })
    g = runs.groupby("selection", sort=False)
    summary = pd.DataFrame({
        "mean_adversarial_accuracy": g.adversarial_accuracy.mean(), "min_adversarial_accuracy": g.adversarial_accuracy.min(),
        "max_adversarial_accuracy": g.adversarial_accuracy.max(), "mean_natural_accuracy": g.natural_accuracy.mean(),
        "mean_path_steps": g.mean_path_steps.mean(), "fitted": g.fit.sum(), "runs": g.size(),
    }).reset_index()
    score_table = pd.DataFrame({"path_steps": scores.numpy(), "bucket": bucket.numpy() + 1,
                                "label": [str(c.classes[int(v)]) for v in y.cpu()]})
    warnings = []
    if not clean_log.all_fit or not bool(runs.fit.all()):
        warnings.append(f"{int((~runs.fit).sum()) + int(not clean_log.all_fit)} network(s) did not reach 100 % "
                        f"training accuracy within {c.max_epochs} epochs; raise the maximum epochs.")
    censored = int((scores >= c.max_path_steps).sum())
    if censored:
        warnings.append(f"{censored} training image(s) did not flip within {c.max_path_steps} path steps; they "
                        f"count as {c.max_path_steps} (the farthest bucket).")
    return MnistBucketsResult(c, score_table, runs, summary, float(adversarial[0]), describe(device), watch.seconds, warnings)
