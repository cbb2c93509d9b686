"""Lesson 4 — Which mislabeled points hurt robustness: the label-noise toy experiments (paper 003).

Gopal, thesis §4.2–4.5 and §4.10. Toy data D(d, μ, σ²): an equal mixture of N(−μ1_d, σ²I) and
N(+μ1_d, σ²I), labelled by the hyperplane c(x) = 1[xᵀ1 ≥ 0]. The attacker places b poisons
per class at distance r from that class's mean, in uniformly random directions, labelled as
the opposite class — or as a new third class (the network then gets a third output). A
4-layer ReLU network is trained until it fits every training point, poisons included, and
is attacked with ℓ₂ PGD. The thesis finds (Fig. 6) that adversarial accuracy first *falls*
and then *rises* with r: poisons near the mean are memorized with a small "pocket", poisons
far away hardly matter, and poisons in between make the network stretch its boundary.

Everything is batched: the (r, seed) grid of networks is one :class:`~poisoncourse.nets.StackedMLP`
trained by one call to :func:`~poisoncourse.nets.train`. Within a seed the clean training
set, the poison directions, the test set and the initial weights are shared by every r
(common random numbers), so the curve differs between r values only by where the poisons sit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import torch

from ..core.attacks import cross_entropy_loss, pgd_l2
from ..core.cost import CPU_FLOPS, refuse_if_too_slow
from ..core.cost import LIVE_MAX_SECONDS as LIVE_MAX_SECONDS  # re-exported: the lesson's page reads it here
from ..core.device import Stopwatch, describe, generator, pick_device
from ..core.errors import ConfigError
from ..core.looks import Looks
from ..core.nets import StackedMLP, accuracy, cap_spectral_norm, train
from ..core.params import SEED, Choice, Integer, Items, Numbers, Optional, Real, Seeded, param
from ..lesson import Case, Option, Reference, ReferenceTable

POISON_LABELS = {"opposite": "opposite class", "third": "a new third class"}
TRAINING = {"standard": "standard", "pgd": "PGD adversarial training"}
PAPER_RS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)
TRAIN_PGD_STEPS = 5  # PGD steps per batch in adversarial training (cheaper than the test attack)


@dataclass(frozen=True)
class LabelNoiseConfig(Seeded):
    """Every knob of the lesson; validated on construction. The defaults are the live ones:
    the setting measured in LESSONS.md (d = 16, μ = 0.5, σ = 1, n = 400, b = 10 per class,
    ℓ₂-PGD ε = 0.5, 20 steps) with a 3×64 network and Adam at 1e-2, so a sweep of 8 r × 3
    seeds retrains in seconds on a CPU."""

    d: int = param(16, Integer(2, 256), label="Input dimension d")
    mu: float = param(0.5, Real(0.0, 5.0), label="Class-mean offset μ", slider=(0.1, 2.0, 0.05))
    sigma: float = param(1.0, Real(0.05, 5.0), label="Standard deviation σ", slider=(0.25, 2.0, 0.25))
    n: int = param(400, Integer(20, 5_000), label="Training points n", slider=(100, 1_000, 50))
    poisons_per_class: int = param(10, Integer(1, 50), label="Poisons per class b", slider=(1, 20, 1))  # the thesis's b
    r_values: tuple[float, ...] = param(PAPER_RS, Numbers(0.0, 20.0), label="Poison distances r")
    poison_label: str = param("opposite", Choice(POISON_LABELS), label="Poison label")
    # ℓ₂ radius of the test attack (and of PGD training)
    eps: float = param(0.5, Real(0.0, 10.0), label="Attack radius ε", slider=(0.0, 2.0, 0.05))
    pgd_steps: int = param(20, Integer(1, 200), label="PGD steps", slider=(1, 50, 1))
    # None: 2.5 ε / steps
    step_size: float | None = param(None, Optional(Real(1e-4, 10.0)), label="PGD step size")
    training: str = param("standard", Choice(TRAINING), label="Training")
    # largest singular value allowed in the last layer; None: no cap
    spectral_cap: float | None = param(None, Optional(Real(0.05, 100.0)), label="Spectral cap of the last layer")
    # hidden layers: 3 hidden + output = 4 layers
    widths: tuple[int, ...] = param((64, 64, 64), Items(
        Integer(2, 512), 1, 6, each="Hidden width",
        wrong_count="The network needs 1 to 6 hidden layers; got {count}."), label="Hidden widths")
    lr: float = param(1e-2, Real(1e-5, 0.1), label="Learning rate")
    batch_size: int = param(128, Integer(8, 5_000), label="Batch size")
    max_epochs: int = param(300, Integer(1, 5_000), label="Maximum epochs", slider=(50, 2_000, 50))
    n_test: int = param(500, Integer(20, 10_000), label="Test points")
    seeds: int = param(3, Integer(1, 10), label="Number of seeds", slider=(1, 6, 1))
    seed: int = param(0, Integer(0, SEED), label="Seed")
    device: str | None = None


    @property
    def classes(self) -> int:
        return 3 if self.poison_label == "third" else 2

    @property
    def sizes(self) -> list[int]:
        return [self.d, *self.widths, self.classes]

    @property
    def alpha(self) -> float:
        """The PGD step actually used."""
        return 2.5 * self.eps / self.pgd_steps if self.step_size is None else self.step_size

    @property
    def mean_distance(self) -> float:
        """Distance between the two class means, 2μ√d: the natural unit for r and ε."""
        return 2 * self.mu * self.d**0.5



# --- data: D(d, μ, σ²) and the poisons ----------------------------------------------------


def class_means(d: int, mu: float) -> torch.Tensor:
    """(2, d): −μ1_d (class 0) and +μ1_d (class 1)."""
    return torch.stack([-mu * torch.ones(d), mu * torch.ones(d)])


def sample_clean(n: int, d: int, mu: float, sigma: float, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n points of D(d, μ, σ²): x (n, d), labelled by the hyperplane, y = 1[xᵀ1 ≥ 0] (n,)."""
    component = torch.randint(0, 2, (n,), generator=g)
    x = class_means(d, mu)[component] + sigma * torch.randn(n, d, generator=g)
    return x, (x.sum(1) >= 0).long()


def poison_directions(b: int, d: int, g: torch.Generator) -> torch.Tensor:
    """(2b, d) unit vectors, uniform on the sphere (normalised Gaussians): b per class."""
    u = torch.randn(2 * b, d, generator=g)
    return u / u.norm(dim=1, keepdim=True)


def place_poisons(directions: torch.Tensor, r: float, mu: float, poison_label: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Poisons at distance r from their class mean (thesis §4.2): the first b around class 0's
    mean −μ1, the next b around +μ1, labelled as the other class or as class 2."""
    b2, d = directions.shape
    home = torch.arange(2).repeat_interleave(b2 // 2)  # (2b,) the class whose mean they sit near
    x = class_means(d, mu)[home] + r * directions
    y = torch.full_like(home, 2) if poison_label == "third" else 1 - home
    return x, y


def still_mislabelled(config: LabelNoiseConfig) -> dict[float, float]:
    """Per r, the share of opposite-class poisons whose flipped label is still wrong (over the config's seeds).
    A poison far out in a random direction can land across the true boundary xᵀ1 = 0, where the label it
    was given is the right one: it poisons nothing (issue 27). Needs no training: the data alone."""
    if config.poison_label != "opposite":
        raise ValueError("only opposite-class poisons can land on their label's side")
    data = make_data(config)
    x, y = data.x[:, data.is_poison], data.y[:, data.is_poison]
    wrong = ((x.sum(-1) >= 0).long() != y).double().mean(1)  # (M,) per network
    r = torch.tensor(data.r)
    return {float(v): float(wrong[r == v].mean()) for v in config.r_values}


@dataclass
class ToyData:
    """The stacked training sets of every (r, seed) network, r-major, and the test sets."""

    x: torch.Tensor  # (M, n + 2b, d)
    y: torch.Tensor  # (M, n + 2b)
    is_poison: torch.Tensor  # (n + 2b,) bool: the last 2b points
    x_test: torch.Tensor  # (M, n_test, d)
    y_test: torch.Tensor  # (M, n_test)
    r: list[float]  # (M,) the r of each network
    seeds: list[int]  # (M,) the seed of each network


def make_data(config: LabelNoiseConfig, r_values=None) -> ToyData:
    """Seed s draws its clean set (stream 0), poison directions (1) and test set (2) once;
    every r reuses them, so only the poisons' distance differs along a curve."""
    c = config
    rs = list(c.r_values if r_values is None else r_values)
    xs, ys, xts, yts, r_of, seed_of = [], [], [], [], [], []
    for r in rs:
        for s in c.seed_list:
            x, y = sample_clean(c.n, c.d, c.mu, c.sigma, generator(s, 0))
            xp, yp = place_poisons(poison_directions(c.poisons_per_class, c.d, generator(s, 1)), r, c.mu, c.poison_label)
            xt, yt = sample_clean(c.n_test, c.d, c.mu, c.sigma, generator(s, 2))
            xs.append(torch.cat([x, xp]))
            ys.append(torch.cat([y, yp]))
            xts.append(xt)
            yts.append(yt)
            r_of.append(float(r))
            seed_of.append(s)
    is_poison = torch.arange(c.n + 2 * c.poisons_per_class) >= c.n
    return ToyData(torch.stack(xs), torch.stack(ys), is_poison, torch.stack(xts), torch.stack(yts), r_of, seed_of)


# --- training and evaluation ----------------------------------------------------------------


def pgd_attack(model: StackedMLP, x: torch.Tensor, y: torch.Tensor, config: LabelNoiseConfig) -> torch.Tensor:
    """ℓ₂ PGD on the cross-entropy, radius ε, ``pgd_steps`` steps of size α (no pixel box)."""
    return pgd_l2(cross_entropy_loss(model, y), x, config.eps, config.pgd_steps, config.alpha)


def train_models(config: LabelNoiseConfig, data: ToyData, device: torch.device, progress=None, watch=None):
    """One StackedMLP for every (r, seed), trained together until each fits its training set.

    Network m starts from the weights of its seed and shuffles with its seed, whatever r it
    has: the curves compare like with like. ``progress(epoch, max_epochs, partial=f)`` after every
    epoch, ``f()`` the networks as they are then, evaluated as a finished run is (:func:`so_far`; a
    live chart's frame, called only when one is due: it reads the weights and changes nothing).
    """
    c = config
    model = StackedMLP.init(c.sizes, data.seeds, device=device)
    perturb = None
    if c.training == "pgd":
        # Madry-style adversarial training: every batch (poisons included) is replaced by its
        # PGD points, as in thesis §4.3, experiment 3.
        train_cfg = replace(c, pgd_steps=TRAIN_PGD_STEPS, step_size=None)
        perturb = lambda m, xb, yb: pgd_attack(m, xb, yb, train_cfg)  # noqa: E731
    after_step = None
    if c.spectral_cap is not None:
        after_step = lambda m: cap_spectral_norm(m, c.spectral_cap)  # noqa: E731
        cap_spectral_norm(model, c.spectral_cap)  # start inside the constraint set
    report = None if progress is None else Looks(progress, lambda epoch: so_far(c, data, model, epoch, device, watch),
                                                 PARTIAL_SHARE)
    log = train(model, data.x.to(device), data.y.to(device), epochs=c.max_epochs, lr=c.lr, seeds=data.seeds,
                batch_size=c.batch_size, stop_at_fit=True, perturb=perturb, after_step=after_step,
                progress=report)
    return model, log


# A run in progress is attacked on its first test points only: the test attack (20 PGD steps on 500 points)
# costs several epochs of training (an epoch is one pass over 420 points), and a live chart asks for a look
# up to five times a second (kit/page.py's FRAME_SECONDS).
PARTIAL_TEST_POINTS = 50
# Even so a look (attack and frame) costs about an epoch: looks are offered only while they have taken at
# most this share of the run's time (core/looks.py; measured: a live run took twice a plain one's time without it).
PARTIAL_SHARE = 1 / 3


def so_far(config: LabelNoiseConfig, data: ToyData, model: StackedMLP, epoch: int, device: torch.device,
           watch: Stopwatch | None = None) -> LabelNoiseResult:
    """The sweep after `epoch` epochs: every (r, seed) network attacked and scored as it stands, on the
    first :data:`PARTIAL_TEST_POINTS` test points (the r sweep forming while the networks memorize their
    poisons; the finished run attacks them all). Reads the weights only — PGD differentiates with respect
    to the inputs, never accumulating into a weight's gradient — so the run goes on exactly as without it
    (tests/labelnoise/test_live.py)."""
    with torch.no_grad():
        fitted = accuracy(model(data.x.to(device)), data.y.to(device)).cpu()
    log = SimpleNamespace(train_accuracy=fitted, fit_epoch=torch.where(fitted >= 1.0, epoch, -1), epochs=epoch)
    seconds = watch.elapsed() if watch is not None else float("nan")
    scores = evaluate(model, data, config, device, n_test=PARTIAL_TEST_POINTS)
    return tidy(config, data, log, scores, diverged_models(model), device, seconds)


def diverged_models(model: StackedMLP) -> torch.Tensor:
    """(M,) True where a network's weights hold a NaN or an infinity."""
    bad = torch.zeros(model.models, dtype=torch.bool, device=model.weights[0].device)
    for p in model.parameters():
        bad |= ~torch.isfinite(p.detach()).flatten(1).all(1)
    return bad.cpu()


def evaluate(model: StackedMLP, data: ToyData, config: LabelNoiseConfig, device: torch.device,
             n_test: int | None = None) -> dict:
    """Per network: natural and adversarial test accuracy, and how many poisons it memorized.
    ``n_test``: only the first that many test points (a run in progress's cheaper look)."""
    xt, yt = data.x_test[:, :n_test].to(device), data.y_test[:, :n_test].to(device)
    x_adv = pgd_attack(model, xt, yt, config)
    poisons = data.is_poison  # indexes data.x, which lives on the CPU
    with torch.no_grad():
        natural = accuracy(model(xt), yt)
        adversarial = accuracy(model(x_adv), yt)
        xp, yp = data.x[:, poisons].to(device), data.y[:, poisons].to(device)
        memorized = accuracy(model(xp), yp)
    return {"natural_accuracy": natural.cpu(), "adversarial_accuracy": adversarial.cpu(),
            "poisons_memorized": memorized.cpu()}


# --- tidy results -----------------------------------------------------------------------------


@dataclass
class LabelNoiseResult:
    config: LabelNoiseConfig
    runs: pd.DataFrame  # one row per (r, seed)
    summary: pd.DataFrame  # one row per r: mean, std, min, max over seeds
    device: str
    seconds: float
    epochs: int  # epochs run (until the slowest network fitted, or max_epochs)
    warnings: list[str] = field(default_factory=list)


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Per r: mean/std/min/max of both accuracies over seeds, and how many runs fitted."""
    g = runs.groupby("r", sort=True)
    out = pd.DataFrame({"runs": g.size(), "fitted": g.fit.sum()})
    for col in ("adversarial_accuracy", "natural_accuracy", "poisons_memorized"):
        out[f"mean_{col}"] = g[col].mean()
        out[f"std_{col}"] = g[col].std().fillna(0.0)
        out[f"min_{col}"] = g[col].min()
        out[f"max_{col}"] = g[col].max()
    return out.reset_index()


def fit_warnings(config: LabelNoiseConfig, runs: pd.DataFrame) -> list[str]:
    """Plain-language notes on networks that did not fit their poisons, or blew up."""
    out = []
    unfit = runs[~runs.fit & ~runs.diverged]
    if len(unfit):
        rs = ", ".join(f"{r:g}" for r in sorted(unfit.r.unique()))
        out.append(
            f"{len(unfit)} of {len(runs)} networks did not reach 100 % training accuracy within "
            f"{config.max_epochs} epochs (r = {rs}); they are drawn, but the thesis's protocol trains "
            f"until every mislabeled point is memorized. Raise the maximum epochs or the learning rate"
            + (", or loosen the spectral cap: a tight cap can make poisons near the mean impossible "
               "to memorize (thesis §4.5)." if config.spectral_cap is not None else ".")
        )
    bad = runs[runs.diverged]
    if len(bad):
        out.append(
            f"{len(bad)} of {len(runs)} networks diverged (their weights became NaN or infinite) "
            f"and are left out of the averages: lower the learning rate (now {config.lr:g})."
        )
    return out


def tidy(config: LabelNoiseConfig, data: ToyData, log, scores: dict, diverged: torch.Tensor,
         device: torch.device, seconds: float) -> LabelNoiseResult:
    runs = pd.DataFrame({
        "poison_label": config.poison_label,
        "r": data.r,
        "seed": data.seeds,
        **{k: v.numpy().astype(float) for k, v in scores.items()},
        "train_accuracy": log.train_accuracy.numpy().astype(float),
        "fit_epoch": log.fit_epoch.numpy(),
        "diverged": diverged.numpy(),
    })
    runs["fit"] = runs.fit_epoch >= 0
    acc_cols = ["natural_accuracy", "adversarial_accuracy", "poisons_memorized", "train_accuracy"]
    runs.loc[runs.diverged, acc_cols] = np.nan
    return LabelNoiseResult(config, runs, summarize(runs), describe(device), seconds, log.epochs,
                            fit_warnings(config, runs))


def estimated_seconds(config: LabelNoiseConfig) -> float:
    """Worst-case 2-core-CPU time of :func:`run` (training for all ``max_epochs``; networks that
    fit earlier stop sooner): FLOPs of training, PGD training and the test attack."""
    c = config
    sizes = c.sizes  # (d, hidden…, classes)
    params = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    models = len(c.r_values) * c.seeds
    # PGD training attacks each batch with TRAIN_PGD_STEPS steps (not the test attack's pgd_steps) before the step.
    per_epoch = 6 * (c.n + 2 * c.poisons_per_class) * params * (1 + (TRAIN_PGD_STEPS if c.training == "pgd" else 0))
    attack = 4 * c.n_test * params * (c.pgd_steps + 1)
    return models * (c.max_epochs * per_epoch + attack) / CPU_FLOPS


def run(config: LabelNoiseConfig, progress=None, max_seconds: float | None = None) -> LabelNoiseResult:
    """The lesson's one entry point: config in, tidy tables out. ``progress(epoch, max_epochs,
    partial=f)`` is called after every epoch (``f()``: :func:`so_far`, for a live chart). With
    ``max_seconds``, a run that could take far longer is refused with a sentence naming a cheaper
    setting."""
    refuse_if_too_slow(estimated_seconds(config), max_seconds,
                       "lower the maximum epochs, the number of r values or seeds, the width, or use "
                       "standard training instead of PGD training", up_to=True)
    device = pick_device(config.device)
    watch = Stopwatch(device)
    with watch.running():
        data = make_data(config)
        model, log = train_models(config, data, device, progress, watch)
        diverged = diverged_models(model)
        scores = evaluate(model, data, config, device)
    return tidy(config, data, log, scores, diverged, device, watch.seconds)


def run_one_at_a_time(config: LabelNoiseConfig) -> list[dict]:
    """The same networks trained the plain way, one ``train`` call per (r, seed).

    The benchmark's baseline, and a check of the batched run: each network gets the same data,
    initial weights and batch order, so it ends where its stacked copy ends (up to rounding).
    """
    device = pick_device(config.device)
    data = make_data(config)
    out = []
    for m in range(len(data.r)):
        one = ToyData(data.x[m:m + 1], data.y[m:m + 1], data.is_poison, data.x_test[m:m + 1], data.y_test[m:m + 1],
                      data.r[m:m + 1], data.seeds[m:m + 1])
        model, log = train_models(config, one, device)
        scores = evaluate(model, one, config, device)
        out.append({"r": one.r[0], "seed": one.seeds[0], **{k: float(v[0]) for k, v in scores.items()},
                    "fit_epoch": int(log.fit_epoch[0])})
    return out


# --- the 2-D picture: pocket or stretched boundary --------------------------------------------


@dataclass
class Regions:
    grid: pd.DataFrame  # one row per (r, grid cell): x1, x2, predicted class
    points: pd.DataFrame  # one row per (r, training point): x1, x2, label, kind
    runs: pd.DataFrame  # one row per r: fit, adversarial accuracy …
    seconds: float


def decision_regions(config: LabelNoiseConfig, resolution: int = 60, extent: float | None = None) -> Regions:
    """For d = 2 and the first seed: each r's network's prediction on a resolution² grid,
    with its training points (thesis Fig. 12). All r are trained as one stack."""
    if config.d != 2:
        raise ConfigError(f"The decision-region picture needs d = 2; got d = {config.d}.")
    Integer(10, 140).check(resolution, "Grid resolution")
    c = replace(config, seeds=1)
    device = pick_device(c.device)
    watch = Stopwatch(device)
    with watch.running():
        data = make_data(c)
        model, log = train_models(c, data, device)
        scores = evaluate(model, data, c, device)
        half = extent or float(max(c.mu + 3 * c.sigma, c.mu + max(c.r_values) + 0.5))
        ticks = torch.linspace(-half, half, resolution)
        g1, g2 = torch.meshgrid(ticks, ticks, indexing="xy")
        cells = torch.stack([g1.reshape(-1), g2.reshape(-1)], 1)  # (resolution², 2)
        with torch.no_grad():
            pred = model(cells.to(device)).argmax(-1).cpu()  # (M, resolution²)
    grids, pts = [], []
    kind = np.where(data.is_poison.numpy(), "poison", "clean")
    for m, r in enumerate(data.r):
        grids.append(pd.DataFrame({"r": r, "x1": cells[:, 0].numpy(), "x2": cells[:, 1].numpy(),
                                   "predicted": pred[m].numpy()}))
        pts.append(pd.DataFrame({"r": r, "x1": data.x[m, :, 0].numpy(), "x2": data.x[m, :, 1].numpy(),
                                 "label": data.y[m].numpy(), "kind": kind}))
    runs = pd.DataFrame({"r": data.r, "fit": (log.fit_epoch >= 0).numpy(),
                         **{k: v.numpy().astype(float) for k, v in scores.items()}})
    return Regions(pd.concat(grids, ignore_index=True), pd.concat(pts, ignore_index=True), runs, watch.seconds)


# --- tables for the charts ------------------------------------------------------------------


def accuracy_curves(summary: pd.DataFrame, series: str) -> pd.DataFrame:
    """A summary (one row per r) as the long table :func:`charts.accuracy_vs_r` draws:
    r, metric, series, mean, low, high (low/high: worst and best seed)."""
    from .charts import METRIC_TITLES

    parts = []
    for col, title in METRIC_TITLES.items():
        parts.append(pd.DataFrame({"r": summary.r, "metric": title, "series": series,
                                   "mean": summary[f"mean_{col}"], "low": summary[f"min_{col}"],
                                   "high": summary[f"max_{col}"]}))
    return pd.concat(parts, ignore_index=True)


def describe_setting(config: LabelNoiseConfig) -> str:
    """A one-line name for a run's setting, for legends."""
    parts = [f"poisons → {POISON_LABELS[config.poison_label]}"]
    if config.training == "pgd":
        parts.append("PGD training")
    if config.spectral_cap is not None:
        parts.append(f"last-layer ‖W‖₂ ≤ {config.spectral_cap:g}")
    return ", ".join(parts)


def dip(summary: pd.DataFrame) -> dict:
    """The Fig. 6 shape in numbers: mean adversarial accuracy at the smallest r, at the
    largest r, and its minimum over the r in between (where, and how deep)."""
    s = summary.sort_values("r")
    acc = s.mean_adversarial_accuracy.to_numpy()
    inner = s.iloc[1:-1]
    k = int(np.nanargmin(inner.mean_adversarial_accuracy.to_numpy())) if len(inner) else 0
    low = float(inner.mean_adversarial_accuracy.iloc[k]) if len(inner) else float("nan")
    return {"first": float(acc[0]), "last": float(acc[-1]), "min": low,
            "argmin": float(inner.r.iloc[k]) if len(inner) else float("nan"),
            "depth": min(float(acc[0]), float(acc[-1])) - low}


# --- benchmark ------------------------------------------------------------------------------


def bench_cases(quick: bool = False):
    """The default live r-sweep (8 r × 3 seeds, one stack) vs the same networks one by one."""
    config = LabelNoiseConfig()
    if quick:
        config = LabelNoiseConfig(r_values=(0.0, 3.0), seeds=1, n=60, poisons_per_class=2, n_test=50, max_epochs=3, pgd_steps=3)
    single = replace(config, r_values=config.r_values[:1], seeds=1)
    label = f"{len(config.r_values)} r × {config.seeds} seeds, n = {config.n}, MLP {config.widths}, PGD {config.pgd_steps}"
    return [
        Case("labelnoise", label, lambda: run(config), lambda: run_one_at_a_time(config)),
        # One network: nothing to batch, so the "baseline" is the same network through the
        # plain path; the case records the absolute time of a single retrain.
        Case("labelnoise", "one configuration (1 r × 1 seed)", lambda: run(single), lambda: run_one_at_a_time(single)),
    ]


# --- reference: the same experiments with more seeds, plus the thesis's variants --------------

# Bump when the experiments change in a way that changes their numbers.
REFERENCE_VERSION = 1
REFERENCE_NAME = "labelnoise"
REFERENCE_COMMAND = "poisoncourse sweep labelnoise"
REFERENCE_SEEDS = 6
REFERENCE_CAPS = (0.3, 1.0, 3.0)
QUICK_EPOCHS = 10  # `sweep --quick`: a few epochs, to check the pipeline


# The dip's position across the data's scale (issue 17; thesis Fig. 5 style): a 3 × 3 grid in μ and σ, so the
# class-mean distance 2μ√d (2, 4, 8) and the data radius σ√d (2, 4, 6) vary independently; a finer r grid.
# 9 settings × 27 networks: a few minutes on a quiet 2-core CPU (the 48-network Fig. 6 run takes ~18 s).
DIP_MUS = (0.25, 0.5, 1.0)
DIP_SIGMAS = (0.5, 1.0, 1.5)
DIP_RS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
DIP_SEEDS = 3


@dataclass(frozen=True)
class DipSetting:
    """One item of the dip sweep: saved one row per (r, seed), so the dip's position gets an interval."""

    config: LabelNoiseConfig


def dip_configs(seeds: int = DIP_SEEDS, quick: bool = False):
    """One default-network r-sweep per (μ, σ): where is adversarial accuracy lowest?"""
    small = dict(max_epochs=QUICK_EPOCHS, n_test=100, r_values=(0.0, 3.0, 8.0)) if quick else {}
    for mu in DIP_MUS[:1] if quick else DIP_MUS:
        for sigma in DIP_SIGMAS[:1] if quick else DIP_SIGMAS:
            yield DipSetting(LabelNoiseConfig(**{**dict(mu=mu, sigma=sigma, r_values=DIP_RS, seeds=seeds), **small}))


def reference_configs(seeds: int = REFERENCE_SEEDS, quick: bool = False, experiment: str = "fig6"):
    """Fig. 6 (opposite, third class, third class with PGD training), Fig. 8 (spectral caps),
    then the MNIST extension (§4.10). ``quick`` (the sweep's --quick) caps the epochs.
    ``experiment="dip"``: the μ × σ sweep of the dip's position instead (:func:`dip_configs`)."""
    from .mnist import MnistBucketsConfig

    if experiment == "dip":
        yield from dip_configs(min(seeds, DIP_SEEDS), quick)
        return
    small = dict(max_epochs=QUICK_EPOCHS, n_test=100) if quick else {}
    base = LabelNoiseConfig(**{**dict(seeds=seeds, n_test=1000), **small})
    yield base
    yield replace(base, poison_label="third")
    yield replace(base, poison_label="third", training="pgd")
    for cap in REFERENCE_CAPS:
        yield replace(base, spectral_cap=cap)
    mnist_quick = dict(max_epochs=5, max_path_steps=50, n_train=200) if quick else {}
    yield MnistBucketsConfig.reference(seeds=min(seeds, 4), **mnist_quick)


def reference_label(config) -> str:
    if isinstance(config, DipSetting):
        config = config.config
    if isinstance(config, LabelNoiseConfig):
        return f"toy μ = {config.mu:g}, σ = {config.sigma:g}: {describe_setting(config):40s}"
    return f"MNIST {config.classes}: {config.buckets} buckets + random {'':24s}"


def reference_table(configs, progress=None) -> pd.DataFrame:
    """One row per (setting, r) for the toy runs and per (selection) for MNIST."""
    from . import mnist as labelnoise_mnist

    frames = []
    for config in configs:
        if isinstance(config, DipSetting):
            result = run(config.config)
            table = result.runs.assign(mu=config.config.mu, sigma=config.config.sigma, d=config.config.d,
                                       epochs=result.epochs)
        elif isinstance(config, LabelNoiseConfig):
            result = run(config)
            table = result.summary.assign(experiment="toy", setting=describe_setting(config),
                                          poison_label=config.poison_label, training=config.training,
                                          spectral_cap=config.spectral_cap, epochs=result.epochs,
                                          mu=config.mu, sigma=config.sigma, d=config.d)
        else:
            result = labelnoise_mnist.run(config)
            table = result.summary.assign(experiment="mnist", setting=f"MNIST {config.classes[0]} vs {config.classes[1]}",
                                          clean_adversarial_accuracy=result.clean_adversarial_accuracy)
        table["seconds"] = round(result.seconds, 1)
        frames.append(table)
        if progress is not None:
            progress(config, result)
    return pd.concat(frames, ignore_index=True)


EXPERIMENT = Option("experiment", ("fig6", "dip"), "fig6",
                    "fig6: Fig. 6/8 and MNIST; dip: the μ × σ sweep of the dip's position", separate=True)
REFERENCE = ReferenceTable(REFERENCE_NAME, REFERENCE_VERSION, REFERENCE_COMMAND, REFERENCE_SEEDS, reference_configs,
                           reference_table, reference_label, options=(EXPERIMENT,))


def load_reference(experiment: str = "fig6") -> Reference:
    """The shipped table made by :func:`reference_table` (see :func:`reference_configs`);
    ``experiment="dip"``: the μ × σ sweep (``labelnoise_dip.csv``)."""
    return REFERENCE.load(experiment=experiment)
