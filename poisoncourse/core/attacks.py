"""Test-time attacks shared by the lessons, batched over models.

Everything takes inputs with a leading models dimension, x: (M, N, d), and a budget that may
differ per model (eps: float or (M,) tensor), so one call attacks a whole sweep.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

_TINY = 1e-12


def _per_model(value, x: torch.Tensor) -> torch.Tensor:
    """A float or (M,) tensor as (M, 1, 1), broadcastable over (M, N, d)."""
    t = torch.as_tensor(value, dtype=x.dtype, device=x.device)
    return t.reshape(-1, 1, 1) if t.dim() else t


def project_l2(delta: torch.Tensor, eps) -> torch.Tensor:
    """Shrink each sample's perturbation (last dim) onto the ℓ₂ ball of radius eps."""
    norm = delta.norm(dim=-1, keepdim=True)
    return delta * torch.clamp(_per_model(eps, delta) / (norm + _TINY), max=1.0)


def pgd_l2(
    loss: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    eps,
    steps: int,
    step_size=None,
    box: tuple[float, float] | None = None,
) -> torch.Tensor:
    """ℓ₂ projected gradient ascent on ``loss`` from δ = 0 (Madry et al.).

    loss(x_adv) -> per-sample losses (M, N) to maximise. Each step moves every sample by
    ``step_size`` along its normalised gradient, projects onto ‖δ‖₂ ≤ eps and, if ``box`` is
    given, back into the pixel box. The default step, 2.5·eps/steps, is the usual choice
    (and the one paper 004's code uses). Returns detached adversarial inputs.
    """
    eps_t = _per_model(eps, x)
    alpha = _per_model(2.5 * eps_t / steps if step_size is None else step_size, x)
    x = x.detach()
    delta = torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(loss(x + delta).sum(), delta)
        with torch.no_grad():
            step = grad / (grad.norm(dim=-1, keepdim=True) + _TINY)
            delta = project_l2(delta + alpha * step, eps_t)
            if box is not None:
                delta = (x + delta).clamp(*box) - x
    return (x + delta).detach()


def cross_entropy_loss(model, y: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """Per-sample cross-entropy of a stacked model, for :func:`pgd_l2`."""

    def loss(x_adv: torch.Tensor) -> torch.Tensor:
        logits = model(x_adv)
        M, N, C = logits.shape
        yy = y.expand(M, N) if y.dim() == 1 else y
        return F.cross_entropy(logits.reshape(M * N, C), yy.reshape(M * N), reduction="none").view(M, N)

    return loss


def margin(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Correct-class logit minus the best other logit: > 0 where the prediction is right."""
    y = y.expand(logits.shape[:2]) if y.dim() == 1 else y
    correct = logits.gather(-1, y.unsqueeze(-1)).squeeze(-1)
    others = logits.scatter(-1, y.unsqueeze(-1), float("-inf")).amax(-1)
    return correct - others


def smallest_flipping_step(along: Callable[[torch.Tensor], torch.Tensor], guess: torch.Tensor, *,
                           below: float = 10.0, above: float = 100.0, ratio: float = 1.1,
                           bisections: int = 8) -> torch.Tensor:
    """The smallest step η > 0 along a fixed direction that flips each sample's prediction.

    along(η) -> scores (M, N) of the perturbed inputs x + η·u for steps η (M, N); the
    prediction is the score's sign. ``guess`` (M, N) > 0 is a first estimate (e.g. the step at
    which the linearization flips). The steps guess·ratio^k in [guess/below, guess·above]
    are tried in order; the first one that flips is then refined by bisection against the last
    one that did not, so the grid step just below 1/ratio times the answer was checked not to
    flip. ``bisections`` halvings leave the answer at most (ratio − 1)/2^bisections (4·10⁻⁴)
    above the exact crossing: close enough to be the smallest step, far enough that a
    recomputed f(x + η·u) has the flipped sign despite rounding. Returns η (M, N), NaN where
    no step up to guess·above flips. (Paper 004, Sec. 5.1: "the smallest step size such that
    the perturbation flips the sign of the prediction".)
    """
    with torch.no_grad():
        sign0 = torch.sign(along(torch.zeros_like(guess)))
        flips = lambda eta: torch.sign(along(eta)) != sign0  # noqa: E731
        lo = torch.zeros_like(guess)
        hi = torch.full_like(guess, float("nan"))
        eta = guess / below
        while True:
            found = hi.isnan() & flips(eta)
            hi = torch.where(found, eta, hi)
            lo = torch.where(hi.isnan(), eta, lo)  # the longest step tried that did not flip
            if not bool(hi.isnan().any()) or bool((eta > guess * above).all()):
                break
            eta = eta * ratio
        ok = ~hi.isnan()
        hi_ = torch.where(ok, hi, lo)
        for _ in range(bisections):
            mid = 0.5 * (lo + hi_)
            f = flips(mid)
            hi_ = torch.where(f, mid, hi_)
            lo = torch.where(f, lo, mid)
        return torch.where(ok, hi_, torch.full_like(hi_, float("nan")))
