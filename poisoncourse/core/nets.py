"""Many small networks trained as one: stacked weights, batched matrix products.

The performance idea of the course (cf. PyTorch's model-ensembling tutorial): M networks of
the same shape are stored as tensors with a leading "models" dimension and advanced together,
so a sweep over seeds × settings is one computation rather than a Python loop over models.

Because every model's loss enters as a separate term of one sum, each model's gradient is its
own, and element-wise optimizers (SGD with momentum, Adam) update each model exactly as if it
were trained alone. :func:`train` relies on that.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .device import generator
from .errors import ConfigError
from .params import Choice, Integer, Real


@dataclass
class StackedMLP:
    """M fully connected ReLU networks with layer sizes ``sizes`` (input, hidden…, output).

    weights[l]: (M, sizes[l], sizes[l+1]); biases[l]: (M, 1, sizes[l+1]).
    """

    weights: list[torch.Tensor]
    biases: list[torch.Tensor]

    @classmethod
    def init(cls, sizes: Sequence[int], seeds: Sequence[int], *, stream: int = 10,
             device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> StackedMLP:
        """PyTorch's default nn.Linear initialisation, U(−1/√fan_in, 1/√fan_in), one
        generator per model: model m depends on seeds[m] alone, whatever else is stacked."""
        Ws, bs = [[] for _ in sizes[1:]], [[] for _ in sizes[1:]]
        for seed in seeds:
            g = generator(seed, stream)
            for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                bound = 1.0 / math.sqrt(fan_in)
                Ws[layer].append((torch.rand(fan_in, fan_out, generator=g) * 2 - 1) * bound)
                bs[layer].append((torch.rand(1, fan_out, generator=g) * 2 - 1) * bound)
        to = dict(device=device, dtype=dtype)
        return cls([torch.stack(w).to(**to).requires_grad_() for w in Ws],
                   [torch.stack(b).to(**to).requires_grad_() for b in bs])

    @property
    def models(self) -> int:
        return self.weights[0].shape[0]

    def parameters(self) -> list[torch.Tensor]:
        return [*self.weights, *self.biases]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, N, d) — or (N, d), shared by all models — to logits (M, N, out)."""
        h = x.expand(self.models, *x.shape) if x.dim() == 2 else x
        last = len(self.weights) - 1
        for layer, (W, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b, h, W)
            if layer < last:
                h = F.relu(h)
        return h

    def select(self, index) -> StackedMLP:
        """A detached copy of some of the models (e.g. one, for a single-model check)."""
        return StackedMLP([w[index].detach().clone().requires_grad_() for w in self.weights],
                          [b[index].detach().clone().requires_grad_() for b in self.biases])


def per_model_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of each model: logits (M, N, C), y (M, N) or (N,) -> (M,)."""
    M, N, C = logits.shape
    y = y.expand(M, N) if y.dim() == 1 else y
    return F.cross_entropy(logits.reshape(M * N, C), y.reshape(M * N), reduction="none").view(M, N).mean(1)


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fraction correct per model: (M, N, C), (M, N) or (N,) -> (M,)."""
    y = y.expand(logits.shape[:2]) if y.dim() == 1 else y
    return (logits.argmax(-1) == y).float().mean(1)


@dataclass
class TrainLog:
    """What happened to each model during :func:`train`."""

    epochs: int  # epochs run (the same for every model: finished ones are frozen, not removed)
    fit_epoch: torch.Tensor  # (M,) first epoch after which train accuracy was 1.0, or -1
    train_accuracy: torch.Tensor  # (M,) at the end
    history: list[torch.Tensor] = field(default_factory=list)  # per-epoch train accuracy (M,)

    @property
    def all_fit(self) -> bool:
        return bool((self.fit_epoch >= 0).all())


def train(
    model: StackedMLP,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    seeds: Sequence[int],
    batch_size: int = 64,
    optimizer: str = "adam",
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    stop_at_fit: bool = False,
    perturb: Callable[[StackedMLP, torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    after_step: Callable[[StackedMLP], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    stream: int = 11,
    after_epoch: Callable[[StackedMLP], None] | None = None,
) -> TrainLog:
    """Mini-batch training of all models at once on the cross-entropy loss.

    x: (M, N, d) or (N, d) shared; y: (M, N) or (N,). Each model shuffles with its own
    generator(seeds[m], stream), so its batches do not depend on what else is stacked.
    ``stop_at_fit`` freezes a model once it classifies its whole training set correctly
    (the "train until 100 % training accuracy" of paper 003). ``perturb(model, xb, yb)``
    replaces each batch's inputs (e.g. PGD adversarial training); ``after_step(model)``
    runs after every optimizer step (e.g. a projection), ``after_epoch(model)`` after each
    epoch's last step. ``progress(epoch, epochs)`` is called after each epoch. Any model
    with ``models``, ``parameters()`` and ``__call__`` -> logits (M, N, C) can be trained
    (e.g. :class:`StackedTwoLayer`).
    """
    Integer(1, 100_000).check(epochs, "Epochs")
    Real(1e-7, 1000.0).check(lr, "Learning rate")
    Choice(("adam", "sgd")).check(optimizer, "Optimizer")
    M = model.models
    if len(seeds) != M:
        raise ConfigError(f"train needs one seed per model: got {len(seeds)} seeds for {M} models.")
    xs = x.expand(M, *x.shape) if x.dim() == 2 else x
    ys = y.expand(M, *y.shape) if y.dim() == 1 else y
    N = xs.shape[1]
    params = model.parameters()
    if optimizer == "adam":
        opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    else:
        opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    gens = [generator(s, stream) for s in seeds]
    fit_epoch = torch.full((M,), -1, dtype=torch.long)
    history = []
    for epoch in range(1, epochs + 1):
        order = torch.stack([torch.randperm(N, generator=g) for g in gens]).to(xs.device)  # (M, N)
        active = (fit_epoch < 0).to(xs.device).view(M, *([1] * 2))
        for start in range(0, N, batch_size):
            idx = order[:, start:start + batch_size]
            xb = torch.gather(xs, 1, idx.unsqueeze(-1).expand(-1, -1, xs.shape[-1]))
            yb = torch.gather(ys, 1, idx)
            if perturb is not None:
                xb = perturb(model, xb, yb)
            before = [p.detach().clone() for p in params] if stop_at_fit else None
            opt.zero_grad(set_to_none=True)
            per_model_cross_entropy(model(xb), yb).sum().backward()
            opt.step()
            with torch.no_grad():
                if before is not None:  # frozen models keep their weights exactly
                    for p, old in zip(params, before):
                        p.copy_(torch.where(active, p, old))
                if after_step is not None:
                    after_step(model)
        if after_epoch is not None:
            with torch.no_grad():
                after_epoch(model)
        with torch.no_grad():
            acc = accuracy(model(xs), ys).cpu()
        history.append(acc)
        fit_epoch = torch.where((fit_epoch < 0) & (acc >= 1.0), epoch, fit_epoch)
        if progress is not None:
            progress(epoch, epochs)
        if stop_at_fit and bool((fit_epoch >= 0).all()):
            break
    return TrainLog(epoch, fit_epoch, history[-1], history)


# --- Lipschitz constraints ------------------------------------------------------------------


def spectral_norms(model: StackedMLP, layer: int = -1) -> torch.Tensor:
    """Largest singular value of one layer's weight matrix, per model: (M,)."""
    return torch.linalg.matrix_norm(model.weights[layer].detach(), ord=2)


def cap_spectral_norm(model: StackedMLP, cap, layer: int = -1) -> None:
    """Rescale one layer's weights in place so each model's largest singular value is ≤ cap.

    cap: a float or an (M,) tensor (one cap per model). A matrix already inside the cap is
    left exactly as it is. Used as ``train(..., after_step=...)``: projected gradient descent
    onto the set of networks whose layer is cap-Lipschitz (paper 003, §4.5).
    """
    with torch.no_grad():
        W = model.weights[layer]
        cap_t = torch.as_tensor(cap, dtype=W.dtype, device=W.device).reshape(-1)
        sigma = torch.linalg.matrix_norm(W, ord=2)  # (M,)
        W.mul_(torch.clamp(cap_t / (sigma + 1e-12), max=1.0).view(-1, 1, 1))


# --- two-layer networks with a fixed top layer (paper 004) --------------------------------


@dataclass
class StackedTwoLayer:
    """M two-layer ReLU networks f(x) = Σₛ aₛ σ(wₛᵀx + bₛ) whose top layer a is fixed.

    The lazy-training model of paper 004 (Sec. 2): aₛ uniform on {±1/√m} and never trained,
    wₛ,₀ ~ N(0, I_d), bₛ,₀ ~ N(0, 1) (optional). W: (M, d, m), b: (M, 1, m) or None,
    a: (M, m); W0 and b0 keep the initialization, from which :meth:`distance_from_init`
    measures each row [wₛ, bₛ].

    Calling the model returns two logits per sample, (−f/2, +f/2): softmax cross-entropy on
    them is the logistic loss log(1 + e^{−y f}) (y = ±1) of the paper, class 1 is predicted
    where f > 0, and :func:`train`, :func:`accuracy` and the attacks apply unchanged.
    """

    W: torch.Tensor
    b: torch.Tensor | None
    a: torch.Tensor
    W0: torch.Tensor
    b0: torch.Tensor | None

    @classmethod
    def init(cls, d: int, width: int, seeds: Sequence[int], *, bias: bool = False, stream: int = 12,
             device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> StackedTwoLayer:
        """One generator per model: equal seeds give equal networks, whatever else is stacked."""
        Ws, bs, As = [], [], []
        for seed in seeds:
            g = generator(seed, stream)
            Ws.append(torch.randn(d, width, generator=g))
            bs.append(torch.randn(1, width, generator=g))
            signs = torch.randint(0, 2, (width,), generator=g) * 2 - 1
            As.append(signs / math.sqrt(width))
        to = dict(device=device, dtype=dtype)
        W0 = torch.stack(Ws).to(**to)
        b0 = torch.stack(bs).to(**to) if bias else None
        return cls(W0.clone().requires_grad_(), None if b0 is None else b0.clone().requires_grad_(),
                   torch.stack(As).to(**to), W0, b0)

    @property
    def models(self) -> int:
        return self.W.shape[0]

    @property
    def width(self) -> int:
        return self.W.shape[2]

    def parameters(self) -> list[torch.Tensor]:
        return [self.W] if self.b is None else [self.W, self.b]

    def pre_activations(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, N, d) or (N, d) shared -> wₛᵀx + bₛ: (M, N, m)."""
        h = x.expand(self.models, *x.shape) if x.dim() == 2 else x
        return torch.bmm(h, self.W) if self.b is None else torch.baddbmm(self.b, h, self.W)

    def output(self, x: torch.Tensor) -> torch.Tensor:
        """f(x): (M, N)."""
        return torch.bmm(F.relu(self.pre_activations(x)), self.a.unsqueeze(-1)).squeeze(-1)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        f = self.output(x)
        return torch.stack([-0.5 * f, 0.5 * f], -1)  # (M, N, 2)

    def input_gradient(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """f(x) (M, N) and ∇ₓf(x) = Σₛ aₛ σ'(wₛᵀx + bₛ) wₛ (M, N, d), in closed form."""
        with torch.no_grad():
            pre = self.pre_activations(x)
            gates = (pre > 0).to(pre.dtype) * self.a.unsqueeze(1)  # (M, N, m)
            f = (F.relu(pre) * self.a.unsqueeze(1)).sum(-1)
            return f, torch.bmm(gates, self.W.transpose(1, 2))

    def along(self, x: torch.Tensor, u: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """η (M, N) -> f(x + η·u) (M, N) for fixed x, u (M, N, d). The pre-activations are
        affine in η, so each call costs O(M·N·m), not a forward pass (for line searches)."""
        with torch.no_grad():
            pre0 = self.pre_activations(x)  # (M, N, m)
            slope = torch.bmm(u, self.W)  # (M, N, m)
        a = self.a.unsqueeze(1)

        def f(eta: torch.Tensor) -> torch.Tensor:
            return (F.relu(pre0 + eta.unsqueeze(-1) * slope) * a).sum(-1)

        return f

    def distance_from_init(self) -> torch.Tensor:
        """‖[wₛ, bₛ] − [wₛ,₀, bₛ,₀]‖ for every row: (M, m)."""
        with torch.no_grad():
            sq = (self.W - self.W0).square().sum(1)
            if self.b is not None:
                sq = sq + (self.b - self.b0).square().sum(1)
            return sq.sqrt()

    def project_to_init_ball(self, radius) -> None:
        """Pull every row [wₛ, bₛ] back onto the ball of radius ``radius`` (float or (M,))
        around its initialization: the lazy-regime projection of paper 004, Alg. 1."""
        with torch.no_grad():
            r = torch.as_tensor(radius, dtype=self.W.dtype, device=self.W.device).reshape(-1, 1)
            scale = torch.clamp(r / (self.distance_from_init() + 1e-12), max=1.0).unsqueeze(1)  # (M, 1, m)
            self.W.copy_(self.W0 + (self.W - self.W0) * scale)
            if self.b is not None:
                self.b.copy_(self.b0 + (self.b - self.b0) * scale)

    def select(self, index) -> StackedTwoLayer:
        """A detached copy of some of the models."""
        pick = lambda t: None if t is None else t[index].detach().clone()  # noqa: E731
        b = pick(self.b)
        return StackedTwoLayer(pick(self.W).requires_grad_(), None if b is None else b.requires_grad_(),
                               pick(self.a), pick(self.W0), pick(self.b0))
