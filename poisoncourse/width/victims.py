"""Lesson 1's victims, every width of a sweep trained as one computation (paper 000).

A width sweep trains M = variants × seeds networks at each of K widths m₁ < … < m_K. Training
each width as its own stack (:class:`~poisoncourse.nets.StackedMLP`) leaves a narrow width's
matrix products far too small to fill a GPU, and costs the same Python and kernel-launch
overhead per step as a wide one. Here the hidden units of all K widths sit side by side in one
block of H = Σ m_k units per model, and each network reads only its own segment:

* the two-layer MLP's first layer is one (d → H) product per model — the K networks of one
  model see the same inputs (same seed, same poisoned set, same batch order);
* the CNN's convolutions run as batched products over all M·K networks' own filters;
* the last layer (m_k → 10) is a segment-wise product, one product per width: no unit of one
  width ever multiplies a weight of another, so no time goes to padding a narrow network up to
  a wide one.

Every network's loss is its own term of one sum and the networks' parameters are disjoint, so
each gradient — and each SGD-with-momentum step, which is element-wise — is exactly that of
the network trained alone (tests/width/test_victims.py checks it against autograd on single networks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..core.device import generator

CLASSES = 10
# On a CPU a product of ~1,000 hidden units × a batch already runs near the matmul rate, so
# widths are packed together only until a group holds this many units per model (it saves
# the narrow widths' per-step overhead and lets the curve be redrawn group by group). On a GPU
# everything is one group: a narrow width alone would leave the device idle.
CPU_GROUP_UNITS = 1024


def group_widths(widths: Sequence[int], device: torch.device) -> list[tuple[int, ...]]:
    """Consecutive (sorted) widths packed into groups trained as one computation."""
    if device.type != "cpu":
        return [tuple(widths)]
    groups, current = [], []
    for w in widths:
        if current and sum(current) + w > CPU_GROUP_UNITS:
            groups.append(tuple(current))
            current = []
        current.append(w)
    groups.append(tuple(current))
    return groups


def _segments(widths: Sequence[int]) -> list[tuple[int, int]]:
    """[start, end) of each width's hidden units inside the block of H = Σ widths."""
    ends = [sum(widths[: k + 1]) for k in range(len(widths))]
    return [(e - w, e) for e, w in zip(ends, widths)]


def _uniform(g: torch.Generator, shape, fan_in: int) -> torch.Tensor:
    """PyTorch's default nn.Linear / nn.Conv2d initialisation, U(−1/√fan_in, 1/√fan_in)."""
    bound = 1.0 / math.sqrt(fan_in)
    return (torch.rand(*shape, generator=g) * 2 - 1) * bound


def _segmented_logits(h, W, b, segments):
    """out[:, k] = h[:, :, seg_k] W[:, :, seg_k]ᵀ + b[:, k]: h (M, N, H), W (M, C, H), b (M, K, 1, C)
    -> (M, K, N, C). One product per width, each over that width's own units only."""
    if len(segments) == 1:
        return torch.baddbmm(b[:, 0], h, W.mT).unsqueeze(1)
    return torch.stack([torch.baddbmm(b[:, k], h[:, :, s:e], W[:, :, s:e].mT) for k, (s, e) in enumerate(segments)], 1)


def _segmented_backward(grad, h, W, segments):
    """Gradients of :func:`_segmented_logits` for W (M, C, H) and h (M, N, H) from grad (M, K, N, C).

    Autograd's own backward of ``h Wᵀ`` computes the weight gradient as a tall (m × N)·(N × C)
    product, which runs at a tenth of the matmul rate on a CPU; the (C × N)·(N × m) form below
    computes the same numbers several times faster."""
    if len(segments) == 1:
        g = grad[:, 0]
        return torch.bmm(g.mT, h), torch.bmm(g, W)
    grad_W, grad_h = torch.empty_like(W), torch.empty_like(h)
    for k, (s, e) in enumerate(segments):
        grad_W[:, :, s:e] = torch.bmm(grad[:, k].mT, h[:, :, s:e])  # (M, C, m_k)
        grad_h[:, :, s:e] = torch.bmm(grad[:, k], W[:, :, s:e])  # (M, N, m_k)
    return grad_W, grad_h


class _SegmentedLinear(torch.autograd.Function):
    """:func:`_segmented_logits` with the fast backward (used by the CNN's last layer)."""

    @staticmethod
    def forward(ctx, h, W, b, segments):
        ctx.save_for_backward(h, W)
        ctx.segments = segments
        return _segmented_logits(h, W, b, segments)

    @staticmethod
    def backward(ctx, grad):  # grad (M, K, N, C)
        h, W = ctx.saved_tensors
        grad_W, grad_h = _segmented_backward(grad, h, W, ctx.segments)
        return grad_h, grad_W, grad.sum(2, keepdim=True), None


class _TwoLayer(torch.autograd.Function):
    """The whole grouped MLP, logits = segmented(ReLU([x, 1] A₁)), with its backward written out.

    On a CPU the hidden activations (M, N, H) are the largest tensors of a step and every pass
    over them costs memory traffic: the bias rides in the product as a last input that is
    always 1 (no separate pass to add it, nor to sum its gradient), the forward applies the
    ReLU in place and the backward masks the hidden gradient in place, instead of autograd's
    fresh tensors for each. The inputs are data, never differentiated."""

    @staticmethod
    def forward(ctx, x1, A1, W2, b2, segments):
        h = torch.bmm(x1, A1).relu_()  # (M, N, H)
        ctx.save_for_backward(x1, h, W2)
        ctx.segments = segments
        return _segmented_logits(h, W2, b2, segments)

    @staticmethod
    def backward(ctx, grad):  # grad (M, K, N, C)
        x1, h, W2 = ctx.saved_tensors
        grad_W2, grad_h = _segmented_backward(grad, h, W2, ctx.segments)
        # ReLU'(pre-activation) = [h > 0], applied in place: aten's threshold_backward writing into
        # grad_h is one pass over memory (masked_fill_ or a product with a mask take 3-10× longer).
        torch.ops.aten.threshold_backward.grad_input(grad_h, h, 0, grad_input=grad_h)
        return None, torch.bmm(x1.mT, grad_h), grad_W2, grad.sum(2, keepdim=True), None


@dataclass
class GroupedMLP:
    """M × K two-layer ReLU networks f(x) = W₂ ReLU(W₁x + b₁) + b₂, width m_k for network (m, k).

    A1 (M, d + 1, H) = [W₁; b₁] (the bias as the weight of an input fixed at 1), W2 (M, C, H)
    (nn.Linear's (out, in) layout), b2 (M, K, 1, C) with H = Σ widths; network (m, k) owns the
    columns seg_k of A1 and W2 and b2[m, k].
    """

    widths: tuple[int, ...]
    A1: torch.Tensor
    W2: torch.Tensor
    b2: torch.Tensor

    @classmethod
    def init(cls, d: int, widths: Sequence[int], seeds: Sequence[int], *, stream: int = 20,
             device: torch.device | str = "cpu") -> GroupedMLP:
        """Network (m, k) draws from generator(seeds[m], stream) exactly what
        ``StackedMLP.init([d, widths[k], 10], [seeds[m]], stream=stream)`` draws: a width's
        networks do not depend on what else is grouped with them."""
        A1, W2, b2 = [], [], []
        for seed in seeds:
            a1, w2, bb2 = [], [], []
            for m in widths:
                g = generator(seed, stream)
                W1, b1 = _uniform(g, (d, m), d), _uniform(g, (1, m), d)
                a1.append(torch.cat([W1, b1]))
                w2.append(_uniform(g, (m, CLASSES), m))
                bb2.append(_uniform(g, (1, CLASSES), m))
            A1.append(torch.cat(a1, 1))
            W2.append(torch.cat(w2, 0).T)
            b2.append(torch.stack(bb2))
        leaf = lambda ts: torch.stack(ts).to(device).contiguous().requires_grad_()  # noqa: E731
        return cls(tuple(widths), leaf(A1), leaf(W2), leaf(b2))

    @property
    def models(self) -> int:
        return self.A1.shape[0]

    @property
    def W1(self) -> torch.Tensor:
        return self.A1[:, :-1]

    @property
    def b1(self) -> torch.Tensor:
        return self.A1[:, -1:]

    def parameters(self) -> list[torch.Tensor]:
        return [self.A1, self.W2, self.b2]

    def network_parameters(self, k: int) -> list[torch.Tensor]:
        """Width k's share of every parameter, each (M, …)."""
        s, e = _segments(self.widths)[k]
        return [self.A1[..., s:e], self.W2[..., s:e], self.b2[:, k]]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """x (M, N, d) or (N, d) shared -> logits (M, K, N, C)."""
        x = x.expand(self.models, *x.shape) if x.dim() == 2 else x
        x1 = torch.cat([x, x.new_ones(*x.shape[:-1], 1)], -1)  # (M, N, d + 1)
        if not torch.is_grad_enabled():  # evaluation: the same products, nothing kept
            h = torch.bmm(x1, self.A1).relu_()  # (M, N, H): all widths' units at once
            return _segmented_logits(h, self.W2, self.b2, _segments(self.widths))
        return _TwoLayer.apply(x1, self.A1, self.W2, self.b2, _segments(self.widths))


@dataclass
class GroupedCNN:
    """M × K copies of the paper's MNIST CNN (the classic PyTorch example without dropout):
    conv(1→10, 5×5) – maxpool 2 – ReLU – conv(10→20, 5×5) – maxpool 2 – ReLU – FC(320→m_k) – ReLU
    – FC(m_k→10), on 28×28 inputs. Each of the M·K networks has its own filters; the convolutions
    of all of them run as batched products (see :meth:`features`).

    c1 (M·K·10, 1, 5, 5), c1b (M·K·10), c2 (M·K·20, 10, 5, 5), c2b (M·K·20) in network order
    (m, k); W1[k] (M, 320, m_k) is width k's FC(320→m_k) (each network reads its own features, so
    unlike the MLP's there is no shared product to pack); b1 (M, 1, H), W2 (M, C, H), b2 (M, K, 1, C).
    """

    widths: tuple[int, ...]
    c1: torch.Tensor
    c1b: torch.Tensor
    c2: torch.Tensor
    c2b: torch.Tensor
    W1: list[torch.Tensor]  # per width k: (M, 320, m_k)
    b1: torch.Tensor
    W2: torch.Tensor
    b2: torch.Tensor

    @classmethod
    def init(cls, widths: Sequence[int], seeds: Sequence[int], *, stream: int = 22,
             device: torch.device | str = "cpu") -> GroupedCNN:
        """Network (m, k) from generator(seeds[m], stream, widths[k]) alone."""
        c1, c1b, c2, c2b = [], [], [], []
        W1 = [[] for _ in widths]
        b1, W2, b2 = [], [], []
        for seed in seeds:
            rb1, rW2, rb2 = [], [], []
            for k, m in enumerate(widths):
                g = generator(seed, stream, m)
                c1.append(_uniform(g, (10, 1, 5, 5), 25))
                c1b.append(_uniform(g, (10,), 25))
                c2.append(_uniform(g, (20, 10, 5, 5), 250))
                c2b.append(_uniform(g, (20,), 250))
                W1[k].append(_uniform(g, (320, m), 320))
                rb1.append(_uniform(g, (1, m), 320))
                rW2.append(_uniform(g, (m, CLASSES), m))
                rb2.append(_uniform(g, (1, CLASSES), m))
            b1.append(torch.cat(rb1, 1))
            W2.append(torch.cat(rW2, 0).T)
            b2.append(torch.stack(rb2))
        leaf = lambda t: t.to(device).contiguous().requires_grad_()  # noqa: E731
        return cls(tuple(widths), leaf(torch.cat(c1)), leaf(torch.cat(c1b)), leaf(torch.cat(c2)),
                   leaf(torch.cat(c2b)), [leaf(torch.stack(w)) for w in W1], leaf(torch.stack(b1)),
                   leaf(torch.stack(W2)), leaf(torch.stack(b2)))

    @property
    def models(self) -> int:
        return self.W2.shape[0]

    def parameters(self) -> list[torch.Tensor]:
        return [self.c1, self.c1b, self.c2, self.c2b, *self.W1, self.b1, self.W2, self.b2]

    def network_parameters(self, k: int) -> list[torch.Tensor]:
        """Width k's share of every parameter, each (M, …)."""
        M, K = self.models, len(self.widths)
        s, e = _segments(self.widths)[k]
        conv = [t.view(M, K, -1)[:, k] for t in (self.c1, self.c1b, self.c2, self.c2b)]
        return [*conv, self.W1[k], self.b1[..., s:e], self.W2[..., s:e], self.b2[:, k]]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """x (M, N, 784) or (N, 784) -> each network's 320 conv features (M, K, N, 320).

        Both convolutions run as batched matrix products over unfolded 5×5 patches (im2col):
        on a CPU a grouped convolution's backward pass ran at a fraction of this rate."""
        M, K = self.models, len(self.widths)
        x = x.expand(M, *x.shape) if x.dim() == 2 else x
        N = x.shape[1]
        # conv1: the K networks of model m read the same images, so theirs is one product per model.
        cols = F.unfold(x.reshape(M * N, 1, 28, 28), 5).view(M, N, 25, 576).transpose(1, 2)
        z = torch.baddbmm(self.c1b.view(M, K * 10, 1), self.c1.view(M, K * 10, 25),
                          cols.reshape(M, 25, N * 576))  # (M, K·10, N·576)
        z = F.relu(F.max_pool2d(z.view(M * K * 10, N, 24, 24), 2))  # (M·K·10, N, 12, 12)
        # conv2: every network reads its own conv1 maps: one product per network.
        z = z.view(M * K, 10, N, 12, 12).transpose(1, 2).reshape(M * K * N, 10, 12, 12)
        cols = F.unfold(z, 5).view(M * K, N, 250, 64).transpose(1, 2).reshape(M * K, 250, N * 64)
        z = torch.baddbmm(self.c2b.view(M * K, 20, 1), self.c2.view(M * K, 20, 250), cols)  # (M·K, 20, N·64)
        z = F.relu(F.max_pool2d(z.view(M * K * 20, N, 8, 8), 2))  # (M·K·20, N, 4, 4)
        # Channel-major flatten of each sample's (20, 4, 4) maps, as in the classic net.
        return z.view(M, K, 20, N, 16).permute(0, 1, 3, 2, 4).reshape(M, K, N, 320)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """x (M, N, 784) or (N, 784) -> logits (M, K, N, C)."""
        f = self.features(x)
        segments = _segments(self.widths)
        # FC(320 → m_k): each network reads its own features, one product per width.
        h = torch.cat([torch.bmm(f[:, k], self.W1[k]) for k in range(len(self.widths))], -1)  # (M, N, H)
        h = F.relu(h + self.b1)
        return _SegmentedLinear.apply(h, self.W2, self.b2, segments)


def per_network_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of each network: logits (M, K, N, C), y (M, N) -> (M, K)."""
    M, K, N, C = logits.shape
    yy = y.unsqueeze(1).expand(M, K, N)
    return F.cross_entropy(logits.reshape(-1, C), yy.reshape(-1), reduction="none").view(M, K, N).mean(-1)


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fraction correct of each network: (M, K, N, C), y (M, N) or (N,) -> (M, K)."""
    y = y.expand(logits.shape[0], -1) if y.dim() == 1 else y
    return (logits.argmax(-1) == y.unsqueeze(1)).float().mean(-1)


def train(model, x: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float, momentum: float,
          batch_size: int, seeds: Sequence[int], stream: int = 21,
          on_epoch: Callable[[int], None] | None = None) -> None:
    """Mini-batch SGD with momentum on every network of ``model`` at once: x (M, N, d), y (M, N).

    Model m shuffles with generator(seeds[m], stream) — the same batch order
    :func:`poisoncourse.nets.train` gives it — and all its K widths see those batches.
    ``on_epoch(epoch)`` runs after every epoch (evaluation, progress).
    """
    M, N = y.shape
    params = model.parameters()
    velocity = [torch.zeros_like(p) for p in params]
    gens = [generator(s, stream) for s in seeds]
    for epoch in range(1, epochs + 1):
        order = torch.stack([torch.randperm(N, generator=g) for g in gens]).to(x.device)  # (M, N)
        # One gather per epoch; the batches are then contiguous slices.
        xs = torch.gather(x, 1, order.unsqueeze(-1).expand(-1, -1, x.shape[-1]))  # (M, N, d)
        ys = torch.gather(y, 1, order)
        for start in range(0, N, batch_size):
            xb, yb = xs[:, start:start + batch_size], ys[:, start:start + batch_size]  # (M, B, d), (M, B)
            grads = torch.autograd.grad(per_network_cross_entropy(model(xb), yb).sum(), params)
            with torch.no_grad():
                # torch.optim.SGD's momentum step (v ← μv + g, p ← p − ηv), element-wise so each
                # network's own; three multi-tensor kernels instead of the optimizer's per-step overhead.
                torch._foreach_mul_(velocity, momentum)
                torch._foreach_add_(velocity, grads)
                torch._foreach_add_(params, velocity, alpha=-lr)
        if on_epoch is not None:
            on_epoch(epoch)


# --- cost ---------------------------------------------------------------------------------------


def cnn_conv_flops() -> tuple[float, float]:
    """Forward FLOPs of one sample through (conv1, conv2) of the paper's CNN at 28×28."""
    return 2.0 * 24 * 24 * 10 * 25, 2.0 * 8 * 8 * 20 * 250


def flops_per_sample(victim: str, d: int, widths: Sequence[int]) -> tuple[float, float]:
    """FLOPs of (one training step's forward + backward, one evaluation forward) per sample, summed
    over the widths, counting the matrix products this package actually runs: the backward pass
    computes each weight's gradient, and the gradient of a layer's input only where a layer
    below needs it (never for the pixels)."""
    fc2 = sum(2.0 * m * CLASSES for m in widths)
    if victim == "mlp":
        fc1 = sum(2.0 * d * m for m in widths)
        return 2 * fc1 + 3 * fc2, fc1 + fc2
    conv1, conv2 = cnn_conv_flops()
    fc1 = sum(2.0 * 320 * m for m in widths)
    K = len(widths)
    return K * (2 * conv1 + 3 * conv2) + 3 * fc1 + 3 * fc2, K * (conv1 + conv2) + fc1 + fc2
