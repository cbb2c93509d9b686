"""Many small L2-regularized logistic regressions solved as one tensor problem, and the
hypergradients of a validation loss with respect to poisoning points and to λ.

The model of paper 002 (Muñoz-González et al.): for a training set D of n points,

    L(D, λ, θ) = (1/n) Σ_i log(1 + exp(−y_i (w·x_i + b))) + (e^λ / 2) ‖θ‖²,

with labels y ∈ {−1, +1}, λ in log space and θ = (w, b). By default the penalty acts on the
bias too (``penalize_bias``): the paper writes ‖w‖² and does not say whether w holds the bias;
leaving the bias free breaks its large-λ picture — as w shrinks, a free bias follows the class
balance alone, and one extra poisoned label then drags the boundary anywhere (Lesson 2 shows
both). Inputs carry a trailing column of ones, so θ has size D = d + 1.

Every function takes a leading "problems" dimension B (see :class:`Problems`).
The objective is e^λ-strongly convex in θ, so Newton's method with a backtracking line search
reaches the unique optimum θ* in a handful of steps, all problems advancing together.
At θ*, implicit differentiation is exact (paper 002, Sec. 2 cites RMD; the lesson uses
the implicit form, which RMD approaches as T → ∞):

    dθ*/dφ = −H⁻¹ ∂²L/∂θ∂φ,   H = ∂²L/∂θ².
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

_ARMIJO = 1e-4
# A tiny ridge on the Newton system only (never on the objective): keeps the Cholesky
# factorization defined when every sigmoid saturates at λ = −8 on separable data.
_JITTER = 1e-12


def augment(x: torch.Tensor) -> torch.Tensor:
    """Append the bias column of ones: (..., n, d) -> (..., n, d + 1)."""
    return torch.cat([x, torch.ones_like(x[..., :1])], -1)


@dataclass(frozen=True, eq=False)
class Problems:
    """B training sets that share n0 clean rows and differ in P rows of their own (the
    poisons): X0 (n0, D), y0 (n0,), Xp (B, P, D), yp (B, P), lam (B,). Shared rows make
    the margins of the clean points one matrix product for all problems."""

    X0: torch.Tensor
    y0: torch.Tensor
    Xp: torch.Tensor
    yp: torch.Tensor
    lam: torch.Tensor
    penalize_bias: bool = True  # False: (e^λ/2)‖w‖², the bias b left free

    @property
    def n(self) -> int:
        return self.X0.shape[0] + self.Xp.shape[1]

    def take(self, index: torch.Tensor) -> Problems:
        return Problems(self.X0, self.y0, self.Xp[index], self.yp[index], self.lam[index], self.penalize_bias)

    def penalized(self, theta: torch.Tensor) -> torch.Tensor:
        """The part of θ the penalty acts on: θ, or w with the bias entry zeroed."""
        if self.penalize_bias:
            return theta
        return torch.cat([theta[..., :-1], torch.zeros_like(theta[..., -1:])], -1)


def margins(theta, prob: Problems) -> tuple[torch.Tensor, torch.Tensor]:
    """θ·x̃ of the shared rows (B, n0) and of each problem's own rows (B, P).

    Kept apart: the shared part is one matrix product, and nothing of size (B, n) is copied.
    """
    own = (theta[:, None, :] * prob.Xp).sum(-1) if prob.Xp.shape[1] == 1 else torch.einsum("bd,bpd->bp", theta, prob.Xp)
    return theta @ prob.X0.T, own


def _rows_times(c0, cp, prob: Problems) -> torch.Tensor:
    """Σ_i c_i x̃_i per problem, from coefficients of the shared (B, n0) and own (B, P) rows."""
    return c0 @ prob.X0 + (cp[..., None] * prob.Xp).sum(1)


def objective(theta, prob: Problems) -> torch.Tensor:
    """L(D, λ, θ) per problem (B,)."""
    m0, mp = margins(theta, prob)
    data = F.softplus(-prob.y0 * m0).sum(-1) + F.softplus(-prob.yp * mp).sum(-1)
    kept = prob.penalized(theta)
    return data / prob.n + 0.5 * prob.lam.exp() * (kept * kept).sum(-1)


def _slopes(m, y):
    """First and second derivative of ℓ(m) = log(1 + e^{−y m}) (y ∈ {−1, +1}):

    dℓ/dm = −y σ(−y m) = σ(m) − (y + 1)/2;  d²ℓ/dm² = σ(m)(1 − σ(m)).
    """
    p = torch.sigmoid(m)
    return p - (y + 1) / 2, p * (1 - p)


def gradient_hessian(theta, prob: Problems):
    """∇L (B, D) and ∇²L (B, D, D) at theta (B, D)."""
    n, (n0, D) = prob.n, prob.X0.shape
    m0, mp = margins(theta, prob)
    g0, s0 = _slopes(m0, prob.y0)
    gp, sp = _slopes(mp, prob.yp)
    reg = prob.lam.exp()[:, None]
    grad = _rows_times(g0, gp, prob) / n + reg * prob.penalized(theta)  # 1/n applied to (B, D), not (B, n)
    X0, Xp = prob.X0, prob.Xp
    if D * D * n0 <= 1 << 16:  # small models: one product with the table of x xᵀ
        hess = (s0 @ (X0[:, :, None] * X0[:, None, :]).reshape(n0, D * D)).reshape(-1, D, D)
    else:
        hess = torch.matmul(X0.T * s0[:, None, :], X0)
    hess = (hess + torch.einsum("bpd,bpe->bde", sp[..., None] * Xp, Xp)) / n
    hess.diagonal(dim1=-2, dim2=-1).add_(prob.penalized(reg.expand(-1, D)) + _JITTER)
    return grad, hess


@dataclass
class Fit:
    """The optimum θ* (B, D), the Cholesky factor of its Hessian, the most Newton steps any
    problem needed, and the largest final gradient norm."""

    theta: torch.Tensor
    chol: torch.Tensor
    steps: int
    grad_norm: float


def fit(prob: Problems, theta0=None, *, tol: float = 1e-10, max_steps: int = 100) -> Fit:
    """Minimize L(D, λ, θ) for every problem at once by damped Newton (float64).

    A problem stops once its gradient norm is below ``tol``; the others go on as a smaller
    batch. Near the optimum (Newton decrement² < 1e-3) the full step is taken; elsewhere a
    backtracking line search halves the step until Armijo's condition holds.
    """
    B, D = prob.Xp.shape[0], prob.X0.shape[1]
    theta = torch.zeros(B, D, dtype=prob.X0.dtype, device=prob.X0.device) if theta0 is None else theta0.clone()
    chol = torch.empty(B, D, D, dtype=theta.dtype, device=theta.device)
    gnorm = torch.zeros(B, dtype=theta.dtype, device=theta.device)
    active = torch.arange(B, device=theta.device)
    sub, th = prob, theta.clone()
    k = 0
    while True:
        grad, hess = gradient_hessian(th, sub)
        L = torch.linalg.cholesky(hess)
        gn = grad.norm(dim=-1)
        chol[active], gnorm[active], theta[active] = L, gn, th
        keep = gn >= tol
        if k == max_steps or not bool(keep.any()):
            break
        active, sub, th, grad, L = active[keep], sub.take(keep), th[keep], grad[keep], L[keep]
        delta = -torch.cholesky_solve(grad.unsqueeze(-1), L).squeeze(-1)
        slope = (grad * delta).sum(-1)  # −(Newton decrement)², negative
        step = torch.ones_like(slope)
        far = torch.nonzero(-slope > 1e-3).squeeze(1)
        if len(far):
            sub_far, th_far, d_far, sl_far = sub.take(far), th[far], delta[far], slope[far]
            f0, t_far = objective(th_far, sub_far), step[far]
            for _ in range(40):
                bad = objective(th_far + t_far[:, None] * d_far, sub_far) > f0 + _ARMIJO * t_far * sl_far
                if not bool(bad.any()):
                    break
                t_far = torch.where(bad, t_far / 2, t_far)
            step[far] = t_far
        th = th + step[:, None] * delta
        k += 1
    return Fit(theta, chol, k, float(gnorm.max()))


def errors(theta, Xv, yv) -> torch.Tensor:
    """Fraction of the shared set Xv (m, D), yv (m,) misclassified, per θ (..., D).

    A point exactly on the boundary counts as an error (a tie is not a correct answer).
    """
    return ((theta @ Xv.T) * yv <= 0).to(Xv.dtype).mean(-1)


def log_loss(theta, Xv, yv) -> torch.Tensor:
    """Mean logistic loss on a shared set, per θ (..., D): the attacker's objective A."""
    return F.softplus(-yv * (theta @ Xv.T)).mean(-1)


def hypergradients(fitted: Fit, prob: Problems, Xv, yv):
    """Gradients of the validation loss A = (1/m) Σ log(1 + e^{−y θ·x̃}) at θ* with respect
    to the poisons' features Xp and to λ, by implicit differentiation at the optimum
    (∇_θ L = 0):  dA/dφ = −(∂²L/∂θ∂φ)ᵀ H⁻¹ ∇_θ A.

    Xv (m, D), yv (m,) shared by all problems. Returns dA/dXp (B, P, D − 1) and dA/dλ (B,).
    """
    theta = fitted.theta
    grad_a = _slopes(theta @ Xv.T, yv)[0] @ Xv / Xv.shape[0]  # ∇_θ A, (B, D)
    v = torch.cholesky_solve(grad_a.unsqueeze(-1), fitted.chol).squeeze(-1)  # H⁻¹ ∇A
    g, s = _slopes(margins(theta, prob)[1], prob.yp)
    g, s = g / prob.n, s / prob.n  # ℓ_p' and ℓ_p'' of each poison, over n (L is a mean)
    w, v_w = theta[:, :-1], v[:, :-1]
    # ∂(∇_θ ℓ_p)/∂x_p = g E + s x̃_p wᵀ, E the inclusion x -> x̃ = (x, 1).
    vx = torch.einsum("bpd,bd->bp", prob.Xp, v)
    d_x = -(g[..., None] * v_w[:, None, :] + (s * vx)[..., None] * w[:, None, :])
    d_lam = -prob.lam.exp() * (v * prob.penalized(theta)).sum(-1)  # ∂(∇_θ L)/∂λ = e^λ θ (penalized part)
    return d_x, d_lam


def fit_one(x, y, lam: float, *, tol: float = 1e-10, max_steps: int = 200) -> torch.Tensor:
    """Reference solver for ONE problem, written plainly: x (n, D) with bias column, y (n,).

    Newton with scalar backtracking, no batching; used by the tests to check :func:`fit`
    and by the benchmark as the loop-over-cells baseline.
    """
    n, D = x.shape
    theta = torch.zeros(D, dtype=x.dtype)
    mask = torch.ones(D, dtype=x.dtype)
    reg = float(torch.tensor(lam, dtype=torch.float64).exp())

    def f(t):
        return float(F.softplus(-y * (x @ t)).mean() + 0.5 * reg * ((t * mask) ** 2).sum())

    for _ in range(max_steps):
        p = torch.sigmoid(x @ theta)
        grad = x.T @ (p - (y + 1) / 2) / n + reg * mask * theta
        if float(grad.norm()) < tol:
            break
        hess = (x.T * (p * (1 - p) / n)) @ x + torch.diag(reg * mask + _JITTER)
        delta = -torch.linalg.solve(hess, grad)
        step, f0, slope = 1.0, f(theta), float(grad @ delta)
        while f(theta + step * delta) > f0 + _ARMIJO * step * slope and step > 1e-6:
            step /= 2
        theta = theta + step * delta
    return theta
