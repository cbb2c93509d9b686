"""Lesson 3's problem (paper 001, Sec. 4): one teacher per seed — w*, the sensing matrices' M and C,
the gate offsets j of A_j = M + j C, the worst case's wrong filters — and the stream of inputs and
attack coins, drawn from the seed alone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from ..core.device import generator

if TYPE_CHECKING:
    from .experiment import NeurotronConfig

# Inputs are drawn in fixed-size chunks of iterations: a fixed size keeps the random stream,
# and hence every result, a function of the seed alone (not of T or of the device).
_CHUNK = 256


@dataclass
class Problem:
    """One teacher network per seed, stacked: w_star (S, r), M and C (S, r, n)."""

    w_star: torch.Tensor
    M: torch.Tensor
    C: torch.Tensor
    offsets: torch.Tensor  # (k,) the j of A_j = M + j C
    u: torch.Tensor  # (S, r) unit direction from w* to the worst-case attack's wrong filter w_adv


def gate_offsets(k: int, dtype=torch.float64) -> torch.Tensor:
    """j ∈ {−k/2, …, −1, 1, …, k/2}: the authors' construction, whose mean matrix is M."""
    half = k // 2
    return torch.tensor([j for j in range(-half, half + 1) if j != 0], dtype=dtype)


def make_problem(config: NeurotronConfig, device: torch.device) -> Problem:
    """w* ~ N(0, I_r); M, C with N(0, 1) entries (paper 001, Sec. 4 and Remark 1)."""
    r, n = config.r, config.n
    w, M, C, u = [], [], [], []
    for s in config.seed_list:
        g = generator(s, 0)
        w.append(torch.randn(r, generator=g, dtype=torch.float64))
        M.append(torch.randn(r, n, generator=g, dtype=torch.float64))
        C.append(torch.randn(r, n, generator=g, dtype=torch.float64))
        d = torch.randn(r, generator=generator(s, 4), dtype=torch.float64)  # its own stream: w*, M, C unchanged
        u.append(d / d.norm())
    to = dict(device=device)
    return Problem(torch.stack(w).to(**to), torch.stack(M).to(**to), torch.stack(C).to(**to),
                   gate_offsets(config.k).to(**to), torch.stack(u).to(**to))


def adversarial_filters(prob: Problem, thetas: torch.Tensor, config: NeurotronConfig) -> torch.Tensor:
    """Sec. 3.5's wrong filters w_adv = w* + ρ u, one per seed and swept value: (S, V, r).

    |f_{w_adv}(x) − f_{w*}(x)| ≤ ρ L(x) with L(x) = (q/k) Σ_j |uᵀA_j x| (σ is 1-Lipschitz). The paper
    takes compactly supported inputs and ζ = ρ sup L; ours are unbounded, so ρ is set by the mean
    instead, ρ E[L] = θ (E|uᵀA_j x| = σ‖A_jᵀu‖√(2/π), exact for Gaussian inputs, the CLT's value
    otherwise), and the oracle clips ξ to |ξ| ≤ θ so that the threat model's bound still holds.
    """
    sigma = math.sqrt(config.input_distribution.variance)
    Mu, Cu = torch.einsum("srn,sr->sn", prob.M, prob.u), torch.einsum("srn,sr->sn", prob.C, prob.u)
    norms = torch.linalg.vector_norm(Mu[:, None] + prob.offsets[None, :, None] * Cu[:, None], dim=-1)  # (S, k)
    mean_lipschitz = config.q / len(prob.offsets) * sigma * math.sqrt(2 / math.pi) * norms.sum(-1)  # (S,)
    rho = thetas[None, :] / mean_lipschitz[:, None]  # (S, V)
    return prob.w_star[:, None, :] + rho[..., None] * prob.u[:, None, :]


def sample_inputs(distribution: str, shape: tuple[int, ...], g: torch.Generator) -> torch.Tensor:
    """iid coordinates from one of the paper's four input distributions, on the CPU.

    Drawn in single precision (about 3× faster on a CPU) and returned as float64: the
    samples are then exact float64 numbers, and everything computed from them — labels,
    updates, errors — is double precision, as exact recovery to ~1e-14 needs.
    """
    f32 = dict(generator=g, dtype=torch.float32)
    if distribution == "normal":
        x = torch.randn(shape, **f32)
    elif distribution == "normal_var9":
        x = 3.0 * torch.randn(shape, **f32)
    elif distribution == "student_t":
        # t(ν=4) = z / sqrt(χ²₄ / 4), with χ²₄ = −2 log(U₁U₂) (twice a Gamma(2, 1)).
        z = torch.randn(shape, **f32)
        u = 1.0 - torch.rand((2, *shape), **f32)  # in (0, 1]: no log(0)
        x = z / torch.sqrt(-0.5 * torch.log(u[0] * u[1]))
    elif distribution == "laplace":
        # Laplace(0, s) = s (E₁ − E₂) with E₁, E₂ standard exponentials.
        u = 1.0 - torch.rand((2, *shape), **f32)
        x = 2.0 * (torch.log(u[0]) - torch.log(u[1]))
    else:
        raise ValueError(distribution)
    return x.to(torch.float64)


class InputStream:
    """Per seed: fresh inputs x (b, n) and attack coins u (b,) for every iteration.

    Yields, for each iteration, x of shape (S, b, n) and u of shape (S, b) on the device.
    """

    def __init__(self, config: NeurotronConfig, device: torch.device):
        self.config, self.device = config, device
        self._x_gens = [generator(s, 1) for s in config.seed_list]
        self._u_gens = [generator(s, 2) for s in config.seed_list]

    def chunks(self, iterations: int):
        c = self.config
        for start in range(0, iterations, _CHUNK):
            xs = torch.stack([sample_inputs(c.distribution, (_CHUNK, c.b, c.n), g) for g in self._x_gens], 1)
            us = torch.stack([torch.rand((_CHUNK, c.b), generator=g, dtype=torch.float32) for g in self._u_gens], 1)
            count = min(_CHUNK, iterations - start)
            yield xs[:count].to(self.device), us[:count].to(self.device)
