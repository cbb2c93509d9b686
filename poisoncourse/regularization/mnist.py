"""Lesson 2, MNIST panel — the optimal attack against logistic regression on '0' vs '8'
(paper 002, Fig. 2 (a) and (d); App. C.2, Tables 1–3).

Poisons are added in batches of 17, each batch cloned from validation points with flipped
labels and then optimized by projected hypergradient ascent on the validation loss, the
earlier batches staying where they ended (App. C.2). Four defenders, trained as one batch
of problems that share the clean training set:

* λ fixed small (−8) and λ fixed large (log 200, the top of the paper's range);
* λ chosen by 5-fold cross-validation on the clean training set (range [−8, 1]);
* λ learned by the minimax: descent on λ against the attacker's ascent (Eq. 1–2).

Every model is trained to its optimum (Newton, gradient norm < 1e-8): a truncated training
run is hidden regularization and would hide the attack.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ..core import logreg
from ..core.data import load_digits, split
from ..core.device import Stopwatch, describe, generator, pick_device
from ..core.errors import ConfigError
from ..core.params import SEED, Choices, Flag, Integer, Real, Validated, param
from ..core.stats import mean_interval
from ..lesson import Option, Reference, ReferenceTable, tabulate

MODES = {
    "small": "λ fixed small (−8)",
    "large": "λ fixed large (log 200)",
    "cv": "λ by 5-fold CV (clean)",
    "learned": "λ learned (minimax)",
}
N_TRAIN, N_VAL = 512, 171  # Table 1; the remaining 0s and 8s of mnist5k are the test set
N_TEST = 317  # what mnist5k's 0s and 8s leave for the test set (the paper's: a fixed 1,954); tests count it
CLASSES = (0, 8)
BATCH = 17  # poisons optimized together (App. C.2)
MAX_POISONS = 85  # 0 … 85 poisons: 0 … 16.6 % of the poisoned training set
LAM_SMALL, LAM_LARGE = -8.0, math.log(200)  # Φ(λ) = [−8, log 200] (Table 2)
CV_RANGE, CV_FOLDS = (-8.0, 1.0), 5
ALPHA, BETA = 0.99, 0.8  # Table 2: poison and λ learning rates
T_POISON, T_LAM = 100, 50  # Table 2: hyperiterations per batch; for λ alone on clean data
LAM_START = math.log(5)  # App. C.2: the learned λ is warm-started at log 5 on clean data
_TOL = 1e-8
_POISON_STREAM = 20  # generator(seed, 20, k): which validation points batch k clones


@dataclass(frozen=True)
class MnistPoisoningConfig(Validated):
    """The MNIST panel's knobs; the defaults are the live, reduced version (one batch of
    17 poisons, 20 steps). :meth:`paper` gives Fig. 2's settings."""

    poisons: int = param(BATCH, Integer(0, MAX_POISONS), label="Number of poisons")
    modes: tuple[str, ...] = param(tuple(MODES), Choices(MODES, empty="Choose at least one way of setting λ.",
                                                         each="Way of setting λ"), label="Ways of setting λ")
    attack_steps: int = param(20, Integer(1, 200), label="Attack steps per batch", slider=(5, 50, 5))
    lam_steps: int = param(20, Integer(0, 200), label="λ steps on clean data")
    step_size: float = param(ALPHA, Real(0.0, 10.0), label="Poison step size α")
    lam_step: float = param(BETA, Real(0.0, 5.0), label="λ step size β")
    # The paper alternates the players and warm-starts the learned λ at log 5 (App. C.2). The
    # shipped one-split table predates that: it steps both from one model and starts λ at 0.
    alternate: bool = param(True, Flag(), label="Alternate the players' steps")
    lam_start: float = param(LAM_START, Real(LAM_SMALL, LAM_LARGE), label="Learned λ's start")
    seed: int = param(0, Integer(0, SEED), label="Seed")
    device: str | None = None

    def check(self):
        if self.poisons % BATCH:
            raise ConfigError(f"Number of poisons must be a multiple of {BATCH} (they are optimized in "
                              f"batches of {BATCH}); got {self.poisons}.")

    @classmethod
    def paper(cls, **overrides) -> MnistPoisoningConfig:
        """Fig. 2's setting: 0 … 85 poisons in batches of 17, T = 100, T_λ = 50."""
        return cls(**{**dict(poisons=MAX_POISONS, attack_steps=T_POISON, lam_steps=T_LAM), **overrides})



# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Split:
    """Features with the bias column (float64, pixels in [0, 1]) and labels ±1 (8 ↔ +1)."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def make_split(seed: int, device: torch.device) -> Split:
    """512 training, 171 validation and the rest (317) test images of 0s and 8s."""
    digits = load_digits("mnist5k")
    available = int(torch.isin(digits.labels, torch.tensor(CLASSES)).sum())
    first, test = split(digits, N_TRAIN + N_VAL, available - N_TRAIN - N_VAL, seed, classes=CLASSES)

    def xy(d):
        X = logreg.augment(d.images.reshape(len(d), -1).to(torch.float64))
        return X.to(device), torch.where(d.labels == CLASSES[1], 1.0, -1.0).to(torch.float64).to(device)

    X, y = xy(first)
    X_test, y_test = xy(test)
    return Split(X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:], X_test, y_test)


# --- choosing λ on clean data ---------------------------------------------------------------


def _own_rows(X, y, lam) -> logreg.Problems:
    """Problems whose rows are all their own: X (B, n, D), y (B, n)."""
    empty = X.new_zeros(0, X.shape[-1])
    return logreg.Problems(empty, y.new_zeros(0), X, y, lam)


def cv_lambda(data: Split, values: int = 10) -> tuple[float, pd.DataFrame]:
    """λ of least 5-fold cross-validation error on the clean training set, over a grid of
    ``values`` points in [−8, 1]; the folds are trained as one batch, from large λ to small
    (each warm-started from the previous solution). Returns (λ, table of λ and CV error)."""
    n = len(data.y_train)
    # Equal folds so they stack into one batch: the n mod 5 last points are never held out.
    fold = torch.arange(n, device=data.X_train.device) % CV_FOLDS
    fold[n - n % CV_FOLDS:] = -1
    lams = np.linspace(*CV_RANGE, values)
    train_idx = [torch.nonzero(fold != f).squeeze(1) for f in range(CV_FOLDS)]
    X = torch.stack([data.X_train[i] for i in train_idx])
    y = torch.stack([data.y_train[i] for i in train_idx])
    theta, rows = None, []
    for lam in lams[::-1]:
        lam_t = torch.full((CV_FOLDS,), lam, dtype=torch.float64, device=X.device)
        theta = logreg.fit(_own_rows(X, y, lam_t), theta, tol=1e-6).theta  # errors only: 1e-6 is plenty
        errs = [float(logreg.errors(theta[f], data.X_train[fold == f], data.y_train[fold == f])) for f in range(CV_FOLDS)]
        rows.append((lam, float(np.mean(errs))))
    table = pd.DataFrame(rows, columns=["lam", "cv_error"]).sort_values("lam").reset_index(drop=True)
    # Ties go to the larger λ: the simpler model at equal error.
    best = table[table.cv_error == table.cv_error.min()].lam.max()
    return float(best), table


@functools.lru_cache(maxsize=8)
def _cv_lambda_cached(seed: int, device: str) -> float:
    return cv_lambda(make_split(seed, torch.device(device)))[0]


# --- the attack ------------------------------------------------------------------------------


def _clip_lam(lam):
    return lam.clamp(LAM_SMALL, LAM_LARGE)


def _record(rows, modes, fitted, lam, data: Split, poisons: int):
    theta = fitted.theta
    test = logreg.errors(theta, data.X_test, data.y_test)
    val = logreg.errors(theta, data.X_val, data.y_val)
    w2 = (theta[:, :-1] ** 2).sum(-1)
    for b, mode in enumerate(modes):
        rows.append((MODES[mode], mode, poisons, poisons / N_TRAIN, float(test[b]), float(val[b]),
                     float(lam[b]), float(w2[b])))


def total_steps(config: MnistPoisoningConfig) -> int:
    """Hyperiterations a run takes (what ``progress`` counts to)."""
    return config.lam_steps * ("learned" in config.modes) + (config.poisons // BATCH) * config.attack_steps


def run_attack(config: MnistPoisoningConfig, progress=None) -> tuple[pd.DataFrame, torch.device, float]:
    """Test error, λ and ‖w‖² after each batch of poisons, for every mode; ``progress``
    (if given) is called with (steps done, steps in all) after every hyperiteration, and
    ``partial=f``: ``f()`` the table so far, with the models as they stand as the row of the batch
    being optimized (a live chart's frame; read from the run's state, it changes nothing)."""
    c = config
    device = pick_device(c.device)
    watch = Stopwatch(device)
    with watch.running():
        data = make_split(c.seed, device)
        M, D = len(c.modes), data.X_train.shape[1]
        lam = torch.tensor([{"small": LAM_SMALL, "large": LAM_LARGE, "learned": c.lam_start}.get(m, 0.0)
                            for m in c.modes], dtype=torch.float64, device=device)
        if "cv" in c.modes:
            lam[c.modes.index("cv")] = _cv_lambda_cached(c.seed, str(device))
        learn = torch.tensor([m == "learned" for m in c.modes], device=device)
        total, done = total_steps(c), 0
        Xp = torch.zeros(M, 0, D, dtype=torch.float64, device=device)
        yp = torch.zeros(M, 0, dtype=torch.float64, device=device)

        def problems():
            return logreg.Problems(data.X_train, data.y_train, Xp, yp, lam)

        def so_far():
            now = list(rows)
            _record(now, c.modes, fitted, lam, data, Xp.shape[1])
            return pd.DataFrame(now, columns=COLUMNS)

        rows = []

        # No poison yet: the learned λ descends the clean validation loss (T_λ steps).
        fitted = logreg.fit(problems(), tol=_TOL)
        for t in range(c.lam_steps if bool(learn.any()) else 0):
            _, d_lam = logreg.hypergradients(fitted, problems(), data.X_val, data.y_val)
            lam = torch.where(learn, _clip_lam(lam - c.lam_step / math.sqrt(t + 1) * torch.sign(d_lam)), lam)
            fitted = logreg.fit(problems(), fitted.theta, tol=_TOL)
            done += 1
            if progress is not None:
                progress(done, total, partial=so_far)
        _record(rows, c.modes, fitted, lam, data, 0)
        for k in range(c.poisons // BATCH):
            # Clone BATCH validation points, flip their labels (App. C.1–C.2); same for every mode.
            pick = torch.randperm(N_VAL, generator=generator(c.seed, _POISON_STREAM, k))[:BATCH].to(device)
            Xp = torch.cat([Xp, data.X_val[pick].expand(M, -1, -1)], 1)
            yp = torch.cat([yp, (-data.y_val[pick]).expand(M, -1)], 1)
            fitted = logreg.fit(problems(), fitted.theta, tol=_TOL)
            for t in range(c.attack_steps):
                # The players alternate, as in the paper (Eq. 2): the attacker steps up the
                # validation loss in the new poisons' pixels, the models are retrained, then the
                # learned λ steps down it against those poisons, and the models are retrained.
                d_x, d_lam = logreg.hypergradients(fitted, problems(), data.X_val, data.y_val)
                d_new = d_x[:, -BATCH:]  # only this batch moves; earlier ones stay put
                step = d_new / d_new.norm(dim=-1, keepdim=True).clamp_min(1e-300)
                moved = (Xp[:, -BATCH:, :-1] + c.step_size * step).clamp(0.0, 1.0)  # Φ(D_p) = [0, 1]^784
                Xp = torch.cat([Xp[:, :-BATCH], logreg.augment(moved)], 1)
                if c.alternate:
                    fitted = logreg.fit(problems(), fitted.theta, tol=_TOL)
                if c.alternate and bool(learn.any()):
                    d_lam = logreg.hypergradients(fitted, problems(), data.X_val, data.y_val)[1]
                if bool(learn.any()):  # (not alternating: λ steps from the model the poisons saw)
                    lam = torch.where(learn, _clip_lam(lam - c.lam_step / math.sqrt(t + 1) * torch.sign(d_lam)), lam)
                if bool(learn.any()) or not c.alternate:
                    fitted = logreg.fit(problems(), fitted.theta, tol=_TOL)
                done += 1
                if progress is not None:
                    progress(done, total, partial=so_far)
            _record(rows, c.modes, fitted, lam, data, Xp.shape[1])
    return pd.DataFrame(rows, columns=COLUMNS), device, watch.seconds


COLUMNS = ["mode", "mode_key", "poisons", "fraction", "test_error", "val_error", "lam", "w_norm2"]


@dataclass
class MnistPoisoningResult:
    config: MnistPoisoningConfig
    table: pd.DataFrame  # one row per (mode, number of poisons)
    device: str
    seconds: float
    warnings: list[str]


def run(config: MnistPoisoningConfig, progress=None) -> MnistPoisoningResult:
    """The live attack; ``progress`` gets its partial results, each a :class:`MnistPoisoningResult`."""

    def report(done, total=None, partial=None):
        progress(done, total, partial=None if partial is None else
                 lambda: MnistPoisoningResult(config, partial(), "", float("nan"), []))

    table, device, seconds = run_attack(config, None if progress is None else report)
    return MnistPoisoningResult(config, table, describe(device), seconds, [])


# --- reference curves at the paper's scale ------------------------------------------------

REFERENCE_VERSION = 1
REFERENCE_NAME = "regularization"
REFERENCE_COMMAND = "poisoncourse sweep regularization"
# The paper averages 10 data splits and takes T = 100 steps per batch, its players alternating
# and λ starting at log 5: `--protocol paper`, about an hour on 2 CPU cores (the lesson
# says how many). The shipped curve is the short protocol: one split, T = 30, both players
# stepping from one model and λ starting at 0 (about 15 minutes) — listed among the departures.
REFERENCE_SEEDS = 1
REFERENCE_STEPS = 30
PAPER_SPLITS = 10
SHORT = dict(alternate=False, lam_start=0.0)  # the shipped table's protocol
PROTOCOL = Option("protocol", ("short", "paper"), "short",
                  "short: 1 split, T = 30 (shipped); paper: 10 splits, T = 100, alternating, λ from log 5",
                  separate=True)
QUICK_ITERATIONS = 2  # `sweep --quick`: two steps per batch, to check the pipeline


def reference_configs(seeds: int = REFERENCE_SEEDS, quick: bool = False, protocol: str = "short"):
    """Fig. 2 (a) and (d) on mnist5k: 0 … 85 poisons, all four modes, one config per split.
    ``protocol="paper"``: App. C.2 as written (10 splits, T = 100, T_λ = 50)."""
    if protocol == "paper":
        iterations = QUICK_ITERATIONS if quick else T_POISON
        for seed in range(PAPER_SPLITS if seeds == REFERENCE_SEEDS else seeds):
            yield MnistPoisoningConfig.paper(seed=seed, attack_steps=iterations, lam_steps=min(T_LAM, iterations))
        return
    iterations = QUICK_ITERATIONS if quick else REFERENCE_STEPS
    for seed in range(seeds):
        yield MnistPoisoningConfig.paper(seed=seed, attack_steps=iterations, lam_steps=min(T_LAM, iterations), **SHORT)


def reference_label(config: MnistPoisoningConfig) -> str:
    return f"MNIST 0 vs 8, split {config.seed}, {config.poisons} poisons, T = {config.attack_steps}"


def reference_table(configs, progress=None) -> pd.DataFrame:
    return tabulate(configs, run, lambda config, result: result.table.assign(seed=config.seed), progress)


REFERENCE = ReferenceTable(REFERENCE_NAME, REFERENCE_VERSION, REFERENCE_COMMAND, REFERENCE_SEEDS, reference_configs,
                           reference_table, reference_label, options=(PROTOCOL,))


def load_reference() -> Reference:
    """The shipped curves per data split: mode, poisons, fraction and the errors (see :func:`average`)."""
    return REFERENCE.load()


def load_paper() -> Reference:
    """The paper's protocol (``--protocol paper``: 10 splits, T = 100, alternating, λ from log 5),
    per data split, when it has been made."""
    return REFERENCE.load(protocol="paper")


def load_averaged() -> Reference:
    """The shipped curves averaged over data splits (:func:`average`), with the sidecar."""
    loaded = load_reference()
    return Reference(average(loaded.table), loaded.meta)


def average(table: pd.DataFrame, band: bool = False) -> pd.DataFrame:
    """Mean over seeds per (mode, poisons); with ``band``, the test error's 95 % t-interval over the
    seeds (data splits) too, as test_error_low and test_error_high."""
    keys = ["mode", "mode_key", "poisons", "fraction"]
    groups = table.groupby(keys, sort=False)
    means = groups[["test_error", "val_error", "lam", "w_norm2"]].mean().reset_index()
    if not band:
        return means
    bounds = groups.test_error.apply(lambda v: pd.Series(mean_interval(v)[1:], index=["test_error_low", "test_error_high"]))
    return means.merge(bounds.unstack().reset_index(), on=keys)
