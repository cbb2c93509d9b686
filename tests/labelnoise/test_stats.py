"""Lesson 4's statistics (issue 17): the dip's position with its interval, which scale it
follows, the natural share of the dip, and which MNIST buckets the reference resolves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from poisoncourse.labelnoise import experiment as labelnoise
from poisoncourse.labelnoise import prose as labelnoise_prose
from poisoncourse.labelnoise import stats


def _synthetic_dip_table(follow: str) -> pd.DataFrame:
    """Seeded curves whose minimum sits at σ√d (follow="sigma") or at 2μ√d ("mu")."""
    rng = np.random.default_rng(0)
    rows = []
    for mu in labelnoise.DIP_MUS:
        for sigma in labelnoise.DIP_SIGMAS:
            centre = sigma * 4 if follow == "sigma" else 2 * mu * 4
            for seed in range(3):
                for r in labelnoise.DIP_RS:
                    acc = 0.9 - 0.1 * np.exp(-((r - centre) ** 2) / 2) + rng.normal(0, 0.002)
                    rows.append({"mu": mu, "sigma": sigma, "d": 16, "seed": seed, "r": r,
                                 "adversarial_accuracy": acc})
    return pd.DataFrame(rows)


def test_the_dip_position_follows_the_scale_the_curves_were_built_on():
    for follow, key in (("sigma", "r_sigma"), ("mu", "r_mu")):
        pos = stats.dip_positions(_synthetic_dip_table(follow), bootstrap=200)
        scale = stats.which_scale(pos)
        assert scale[key] > 0.9 and scale["settings"] == 9
        assert (pos.low <= pos.dip_r).all() and (pos.dip_r <= pos.high).all()


def test_the_dip_sweep_is_a_3_by_3_grid_in_mu_and_sigma_saved_per_seed():
    items = list(labelnoise.reference_configs(experiment="dip"))
    assert len(items) == 9 and all(isinstance(i, labelnoise.DipSetting) for i in items)
    assert {(i.config.mu, i.config.sigma) for i in items} == {(m, s) for m in (0.25, 0.5, 1.0) for s in (0.5, 1.0, 1.5)}
    assert {i.config.seeds for i in items} == {3}
    assert labelnoise.REFERENCE.file_name({"experiment": "dip"}) == "labelnoise_dip"


def test_the_dip_position_prose_names_the_command_when_the_sweep_is_missing():
    assert "--experiment dip" in labelnoise_prose.dip_position_notice(None)
    text = labelnoise_prose.dip_position_notice(_synthetic_dip_table("sigma"))
    assert "| μ | σ | 2μ√d | σ√d | dip at r |" in text and "σ√d lies inside the interval in 9 of 9" in text


def test_share_within_is_the_chi_square_cdf():
    assert abs(stats.share_within(4.0, 16, 1.0) - 0.5470) < 1e-3  # P(χ²₁₆ ≤ 16)
    assert stats.share_within(0.0, 16, 1.0) == 0.0


def test_a_separation_of_4_seeds_against_4_has_exact_p_0_029():
    assert abs(stats.separation_p(4) - 2 / 70) < 1e-12
    ranges = pd.DataFrame({"selection": ["a", "b", "c"], "mean": [0.2, 0.5, 0.45], "low": [0.1, 0.4, 0.3],
                           "high": [0.3, 0.6, 0.5], "runs": [4, 4, 4]})
    assert stats.resolved_pairs(ranges) == [("a", "b")]
