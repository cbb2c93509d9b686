"""Training-set poisoning of paper 000 (Wang, Mianjy & Arora, ICML 2021), batched over models.

Three attacks, each applied to a whole training set at once (Sec. 4 of the paper):

* regime A — clean-label, small *overall* budget: x̃ᵢ = xᵢ + δᵢ with Σᵢ ‖δᵢ‖₂ ≤ S = C·√n
  (the ℓ₂,₁ ball), labels kept;
* regime B — clean-label, small *per-sample* budget: ‖δᵢ‖₂ ≤ B for every i (the ℓ₂,∞ ball);
* regime C — label flip: each label moves to (y + 1) mod 10 with probability β.

The perturbations of A and B come from projected gradient *ascent* against an attacker model
trained on clean data, on the paper's **negated loss** ℓ₋₋(z) = −ℓ(−z) or, for comparison, on
plain cross-entropy. Two ascents (``ATTACKS``):

* ``"paper"`` — the authors' own procedure (``adv_perturb`` in their ``poison_attack.py``):
  stochastic ascent over random mini-batches of 128 on the loss *averaged* over the batch, an
  unnormalized step η_ε (regime B: each sample's gradient divided by its norm), the pixel box
  after every step and the projection onto the ball once per epoch. Nothing forces it to use the
  whole budget: a sample moves by about η_ε/128 · ‖∇ₓℓᵢ‖ per epoch;
* ``"strong"`` — full-batch projected ascent whose steps are rescaled to fill the ball (the
  course's earlier attack). Against the course's MLP attacker at 7×7 the paper's procedure fills
  its ball too at the calibrated budgets, and the two cost a victim about the same
  (tests/width/test_notice.py).

Everything takes a leading models dimension: x (M, N, d).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from ..core.device import generator

_TINY = 1e-12
ATTACK_LOSSES = {"negated": "negated loss ℓ₋₋(z) = −ℓ(−z)", "cross_entropy": "cross-entropy ℓ(z)"}
ATTACKS = {
    "paper": "the paper's attack: stochastic ascent, mini-batches of 128, ascent step η, projection once per epoch",
    "strong": "strong attack: full-batch ascent with steps rescaled to fill the budget, projection every step",
}


# --- the two projections -------------------------------------------------------------------


def _per_model(value, like: torch.Tensor) -> torch.Tensor:
    """A float or (M,) tensor as (M, 1), broadcastable over per-sample norms (M, N)."""
    t = torch.as_tensor(value, dtype=like.dtype, device=like.device)
    return t.reshape(-1, 1) if t.dim() else t


def project_l2_inf(delta: torch.Tensor, radius) -> torch.Tensor:
    """Euclidean projection of delta (M, N, d) onto {‖δᵢ‖₂ ≤ radius ∀i}: clip each sample's norm."""
    norms = delta.norm(dim=-1)  # (M, N)
    scale = torch.clamp(_per_model(radius, norms) / (norms + _TINY), max=1.0)
    return delta * scale.unsqueeze(-1)


def project_l1_ball_nonneg(r: torch.Tensor, radius) -> torch.Tensor:
    """Project non-negative rows r (M, N) onto {Σᵢ rᵢ ≤ radius}: soft-threshold by the θ ≥ 0
    that makes the sum exactly ``radius`` (Duchi et al., 2008, by sorting). Rows already inside
    are returned unchanged."""
    S = _per_model(radius, r)  # (M, 1) or ()
    S = S.expand(r.shape[0], 1) if S.dim() else S.reshape(1, 1).expand(r.shape[0], 1)
    u = torch.sort(r, dim=-1, descending=True).values  # (M, N)
    css = u.cumsum(-1)
    k = torch.arange(1, r.shape[-1] + 1, device=r.device, dtype=r.dtype)
    support = (u - (css - S) / k) > 0  # true for the first ρ entries
    rho = support.sum(-1, keepdim=True).clamp(min=1)  # (M, 1)
    theta = ((css.gather(-1, rho - 1) - S) / rho).clamp(min=0.0)
    inside = r.sum(-1, keepdim=True) <= S
    return torch.where(inside, r, (r - theta).clamp(min=0.0))


def project_l2_1(delta: torch.Tensor, radius) -> torch.Tensor:
    """Euclidean projection of delta (M, N, d) onto the ℓ₂,₁ ball {Σᵢ ‖δᵢ‖₂ ≤ radius}.

    The projection keeps each δᵢ's direction and soft-thresholds the vector of norms onto
    the ℓ₁ ball (the proximal structure of group norms): samples whose norm is below the
    threshold are left untouched at zero, the rest shrink by the same amount.
    """
    norms = delta.norm(dim=-1)  # (M, N)
    new = project_l1_ball_nonneg(norms, radius)
    return delta * (new / (norms + _TINY)).unsqueeze(-1)


# --- the two attack losses -------------------------------------------------------------------


def negated_loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """ℓ₋₋(z) = −CE(−z, y) per sample (paper 000, Sec. 4): logits (M, N, C), y (M, N) -> (M, N).

    Concave in z and below the zero-one loss: once a sample is misclassified its gradient
    fades, so ascent spends the budget on many samples instead of a few.
    """
    M, N, C = logits.shape
    return -F.cross_entropy(-logits.reshape(M * N, C), y.reshape(M * N), reduction="none").view(M, N)


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Plain per-sample cross-entropy, the comparison loss: (M, N, C), (M, N) -> (M, N)."""
    M, N, C = logits.shape
    return F.cross_entropy(logits.reshape(M * N, C), y.reshape(M * N), reduction="none").view(M, N)


LOSS_FUNCTIONS = {"negated": negated_loss, "cross_entropy": cross_entropy}


# --- projected gradient ascent ---------------------------------------------------------------


def gradient_ascent(
    model: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    loss: str,
    project: Callable[[torch.Tensor], torch.Tensor],
    step_norm,
    steps: int,
) -> torch.Tensor:
    """Projected gradient ascent on the attacker's loss, from δ = 0, inside the pixel box [0, 1].

    model: x (M, N, d) -> logits (M, N, C); y (M, N). Each step adds the gradient of the summed
    loss rescaled to Frobenius norm ``step_norm`` (float or (M,)): the split of a step between
    samples is the gradient's own, so a loss that concentrates its gradient on a few samples
    concentrates the budget there (paper Fig. 1). Then ``project`` (the ℓ₂,₁ or ℓ₂,∞ ball) and
    the box: clamping x + δ into [0, 1] only shortens each δᵢ, so δ stays in the ball.
    Full-batch steps: at n ≤ 5,000 the whole set fits in one step (the paper uses mini-batches).
    Returns δ (M, N, d), detached.
    """
    fn = LOSS_FUNCTIONS[loss]
    size = torch.as_tensor(step_norm, dtype=x.dtype, device=x.device).reshape(-1, 1, 1)
    x = x.detach()
    delta = torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(fn(model(x + delta), y).sum(), delta)
        with torch.no_grad():
            g_norm = grad.flatten(1).norm(dim=1).reshape(-1, 1, 1)
            delta = project(delta + size * grad / (g_norm + _TINY))
            delta = (x + delta).clamp(0.0, 1.0) - x
    return delta.detach()


def stochastic_ascent(
    model: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    losses: Sequence[str],
    project: Callable[[torch.Tensor], torch.Tensor],
    eta: float,
    epochs: int,
    seeds: Sequence[int],
    per_sample_step: bool = False,
    batch_size: int = 128,
    stream: int = 42,
) -> torch.Tensor:
    """The authors' ascent (``adv_perturb``, poison_attack.py), batched over models, from δ = 0.

    model: x (M, N, d) -> logits (M, N, C); y (M, N); ``losses[m]`` the attack loss of model m.
    Each epoch draws ⌈N/batch_size⌉ random batches (each without repeats, as ``random.sample``;
    model m's from generator(seeds[m], stream)); on each, δ_b ← δ_b + η_ε ∇ mean_b ℓ(x_b + δ_b)
    — with ``per_sample_step`` (their regime B) each sample's gradient divided by its norm —
    then x + δ is clamped to [0, 1]. After the epoch, ``project`` (the ℓ₂,₁ or ℓ₂,∞ ball).
    Clamping only shortens each δᵢ and both projections only shrink, so δ ends in the ball and
    the box. Returns δ (M, N, d), detached.
    """
    M, N, _ = x.shape
    assert len(losses) == M, (len(losses), M)
    # Both losses as one: ℓ_s(z) = s · CE(s · z) is cross-entropy for s = 1 and the negated loss
    # −CE(−z) for s = −1 (one call for all models, whichever loss each uses).
    sign = torch.tensor([-1.0 if name == "negated" else 1.0 for name in losses], device=x.device).view(M, 1, 1)
    x = x.detach()
    delta = torch.zeros_like(x)
    gens = [generator(s, stream) for s in seeds]
    B, batches = min(batch_size, N), (N - 1) // batch_size + 1
    rows = torch.arange(M, device=x.device).unsqueeze(1)  # (M, 1)
    for _ in range(epochs):
        # Every batch of the epoch drawn at once: row b of each model's draw is one random.sample.
        draws = torch.stack([torch.rand(batches, N, generator=g).argsort(-1)[:, :B] for g in gens], 1).to(x.device)
        for idx in draws:  # (M, B)
            xb, yb = x[rows, idx], y[rows, idx]  # (M, B, d), (M, B)
            db = delta[rows, idx].requires_grad_(True)
            with torch.enable_grad():
                z = sign * model(xb + db)  # (M, B, C)
                per_sample = F.cross_entropy(z.reshape(M * B, -1), yb.reshape(-1), reduction="none").view(M, B)
                # Per model: the loss averaged over its batch (nn.CrossEntropyLoss's mean).
                (grad,) = torch.autograd.grad((sign.view(M, 1) * per_sample).mean(1).sum(), db)
            with torch.no_grad():
                if per_sample_step:
                    grad = grad / (grad.norm(dim=-1, keepdim=True) + _TINY)
                delta[rows, idx] = (xb + db + eta * grad).clamp(0.0, 1.0) - xb
        with torch.no_grad():
            delta = project(delta)
    return delta.detach()


def flip_labels(y: torch.Tensor, beta: float, seeds, *, classes: int = 10, stream: int = 30) -> torch.Tensor:
    """Regime C: y (N,) -> (M, N), each label moved to (y + 1) mod classes with probability β,
    with model m's coins from generator(seeds[m], stream)."""
    coins = torch.stack([torch.rand(y.shape[0], generator=generator(s, stream)) for s in seeds]).to(y.device)
    return torch.where(coins < beta, (y + 1) % classes, y)
