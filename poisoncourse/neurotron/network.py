"""Lesson 3's network (Def. 1/2: f_w(x) = (1/k) Σ_i q σ(wᵀA_i x)), the attacked oracle and the two
update rules the lesson compares — Neuro-Tron (Alg. 1) and SGD on the square loss."""

from __future__ import annotations

import torch


def leaky_relu(z: torch.Tensor, alpha: float) -> torch.Tensor:
    return z.clamp_min(0.0) if alpha == 0 else torch.where(z >= 0, z, alpha * z)


def gate_matrix(offsets: torch.Tensor) -> torch.Tensor:
    """G = [1, j] of shape (k, 2): wᵀA_j x = [wᵀMx, wᵀCx] · G[j]."""
    return torch.stack([torch.ones_like(offsets), offsets], 1)


def network(w: torch.Tensor, MCx: torch.Tensor, G: torch.Tensor, q: float,
            alpha: float) -> tuple[torch.Tensor, torch.Tensor]:
    """f_w(x) for every model and sample, and the gate pre-activations.

    w: (S, P, r) — P models per seed; MCx: (S, 2b, r), the rows Mx₁, Cx₁, Mx₂, Cx₂, … of the
    batch interleaved; G: :func:`gate_matrix`. Returns f: (S, P, b) and pre: (S, P, b, k).
    Since A_j x = Mx + j Cx, wᵀA_j x = wᵀMx + j wᵀCx: two dot products per sample instead
    of k — the network of Def. 2 computed without forming the A_j.
    """
    S, P = w.shape[:2]
    uv = torch.bmm(w, MCx.transpose(1, 2)).view(S, P, -1, 2)  # (S, P, b, 2)
    pre = torch.addcmul(uv[..., :1], uv[..., 1:], G[:, 1])  # (S, P, b, k)
    f = leaky_relu(pre, alpha).sum(-1) * (q / G.shape[0])
    return f, pre


def attacked_labels(clean: torch.Tensor, coins: torch.Tensor, thetas: torch.Tensor,
                    betas: torch.Tensor, adversarial: torch.Tensor | None = None) -> torch.Tensor:
    """The oracle: v = f_{w*}(x) + ξ with probability β, ξ = −θ, +θ, −θ, … by batch position —
    or, given the worst case's labels ``adversarial`` = f_{w_adv}(x) (..., V, b), ξ = their
    difference from the clean labels, clipped to |ξ| ≤ θ (Sec. 3.5).

    clean, coins: (..., b); thetas, betas: (V,). Returns v: (..., V, b). One coin per sample
    is compared against every β, so a larger β attacks a superset of the samples.
    """
    b = clean.shape[-1]
    hit = coins.unsqueeze(-2) < betas[:, None]  # (..., V, b)
    if adversarial is not None:
        bound = thetas[:, None]
        return clean.unsqueeze(-2) + hit * torch.maximum(torch.minimum(adversarial - clean.unsqueeze(-2), bound),
                                                         -bound)
    signs = torch.where(torch.arange(b, device=clean.device) % 2 == 0, -1.0, 1.0).to(clean.dtype)
    return clean.unsqueeze(-2) + hit * (thetas[:, None] * signs)


def neurotron_step(residual: torch.Tensor, Mx: torch.Tensor) -> torch.Tensor:
    """Tron-gradient M (1/b) Σ (v − f_w(x)) x = (1/b) Σ residual · Mx  (Alg. 1, line 15).

    residual: (S, P, b); Mx: (S, b, r) -> (S, P, r).
    """
    return torch.bmm(residual, Mx) / residual.shape[-1]


def sgd_step(residual, pre, MCx, G, q, alpha, *, first_sample=False):
    """−∇ of the square loss (1/2b) Σ (v − f_w(x))², i.e. (1/b) Σ residual · ∂f_w(x)/∂w.

    ∂f/∂w(x) = (q/k) Σ_j σ'(wᵀA_j x) A_j x = (q/k) [D0 Mx + D1 Cx], with D0 = Σ_j σ'_j and
    D1 = Σ_j j σ'_j. ``first_sample`` reproduces the authors' public baseline, which uses the
    derivative at sample 0 of the batch for every sample of the batch.
    residual: (S, P, b); pre: (S, P, b, k); MCx: (S, 2b, r) interleaved -> (S, P, r).
    """
    S, P, b = residual.shape
    slope = (pre > 0).to(pre.dtype) if alpha == 0 else torch.where(pre > 0, 1.0, alpha).to(pre.dtype)
    d = slope @ G  # (S, P, b, 2): [D0, D1] per sample
    if first_sample:
        coef = torch.zeros_like(d)
        coef[:, :, 0] = d[:, :, 0] * residual.sum(-1, keepdim=True)  # the whole batch on sample 0
    else:
        coef = residual.unsqueeze(-1) * d
    return torch.bmm(coef.view(S, P, 2 * b), MCx) * (q / (G.shape[0] * b))
