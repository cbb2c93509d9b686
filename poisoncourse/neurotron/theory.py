"""Theorem 1 / Lemma 1's constants (paper 001): the c_trade-off the guarantee needs positive, from the
lemma's closed form and from the lesson's own network."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from ..core.device import generator
from ..core.params import Real
from .problem import make_problem, sample_inputs

if TYPE_CHECKING:
    from .experiment import NeurotronConfig


def lemma1_c_tradeoff(sigma: float, beta: float, n: int) -> float:
    """Lemma 1: single ReLU gate, M = I, x ~ N(0, σ² I_n), constant attack probability β:

        c_trade-off = σ / (√2 β) · Γ(n/2) / Γ((n+1)/2) − 1.
    """
    Real(1e-12, 1.0).check(beta, "Attack probability β")
    return sigma / (math.sqrt(2.0) * beta) * math.exp(math.lgamma(n / 2) - math.lgamma((n + 1) / 2)) - 1.0


def lemma1_max_beta(sigma: float, n: int) -> float:
    """The β below which Lemma 1's c_trade-off is positive (Theorem 1 then applies)."""
    return sigma / math.sqrt(2.0) * math.exp(math.lgamma(n / 2) - math.lgamma((n + 1) / 2))


def mean_input_norm(config: NeurotronConfig, samples: int = 20_000) -> float:
    """E‖x‖ (m₁ in the paper): exact for Gaussians, Monte Carlo for the others."""
    d = config.input_distribution
    n = config.n
    if d.key.startswith("normal"):
        return math.sqrt(d.variance) * math.sqrt(2.0) * math.exp(math.lgamma((n + 1) / 2) - math.lgamma(n / 2))
    x = sample_inputs(d.key, (samples, n), generator(config.seed, 3))
    return float(torch.linalg.vector_norm(x, dim=1).mean())


def network_c_tradeoff(config: NeurotronConfig, betas) -> np.ndarray:
    """Theorem 1's c_trade-off = (1+α) λ₁ / (β₁ λ₂) − 1 for the lesson's own network (first seed),
    one value per β in ``betas``.

    λ₁ = λ_min(Ā Σ Mᵀ) with Ā = M and Σ = s² I, times q (Sec. 3.6: scaling the outer weights
    scales λ₁); λ₂ = σ_max(M); β₁ = β E‖x‖ for a constant attack probability β.
    """
    prob = make_problem(replace(config, seeds=1), torch.device("cpu"))
    M = prob.M[0]
    lam1 = config.q * config.input_distribution.variance * float(torch.linalg.eigvalsh(M @ M.T)[0])
    lam2 = float(torch.linalg.matrix_norm(M, ord=2))
    beta1 = np.asarray(betas, dtype=float) * mean_input_norm(config)
    with np.errstate(divide="ignore"):
        return (1 + config.leak) * lam1 / (beta1 * lam2) - 1.0


def c_tradeoff_table(config: NeurotronConfig) -> pd.DataFrame:
    """Lemma 1 (σ² = the inputs' variance) and the network's own constant, per nonzero β used."""
    betas = sorted({*config.thetas_betas()[1]} - {0.0})
    sigma = math.sqrt(config.input_distribution.variance)
    return pd.DataFrame({
        "beta": betas,
        "lemma1": [lemma1_c_tradeoff(sigma, b, config.n) for b in betas],
        "network": network_c_tradeoff(config, betas),
    })
