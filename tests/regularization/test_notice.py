"""Every "What to notice" and "Try next" statement of Lesson 2, performed (issue 17).

Each test follows the suggestion at the lesson's defaults (seeded, on the CPU) and checks the
effect the page states. Run them as a group with ``pytest -k "notice or try_next"``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from poisoncourse.regularization import experiment as regularization
from poisoncourse.regularization import prose as regularization_prose


HEAT = regularization.HeatmapConfig(device="cpu")


@pytest.fixture(scope="module")
def heat_default():
    return regularization.run(HEAT)


def _paper_lam_index(result) -> int:
    return int(np.abs(result.lams - regularization.LAM_PAPER).argmin())


def test_l2_notice_one_unregularized_poison_moves_the_boundary(heat_default):
    n = regularization_prose.damage_and_best_lam(heat_default)
    assert n["lam"] == -8 and n["worst"] > n["clean"] + 0.05
    assert f"up to {n['worst']:.1%} validation error against {n['clean']:.1%} clean" in \
        regularization_prose.notice(heat_default, None)


def test_l2_notice_large_lambda_flattens_the_map(heat_default):
    assert np.ptp(heat_default.grid.error) < np.ptp(heat_default.maps[0]) / 2
    assert "contrast" not in regularization_prose.contrast_caption(heat_default)  # it states numbers, not words
    assert f"{heat_default.grid.error.max():.1%}" in regularization_prose.contrast_caption(heat_default)


def test_l2_notice_the_best_lambda_tends_to_grow_with_the_damage(heat_default):
    r = regularization_prose.damage_and_best_lam(heat_default)["r"]
    assert 0.3 < r < 1
    assert f"correlate with r = {r:.2f} for this seed — a tendency" in regularization_prose.notice(heat_default, None)


def test_l2_notice_learning_lambda_raises_it_against_the_attack():
    path = regularization.run(replace(HEAT, lam=-8.0, learn_lam=True, resolution=5, lam_values=2)).path
    assert path.lam.iloc[-1] > -8.0 + 3 and (np.diff(path.lam.to_numpy()) >= -1e-12).mean() > 0.8


def test_l2_try_next_raising_lambda_to_log_20_brings_the_worst_cell_back_near_clean(heat_default):
    worst = np.unravel_index(heat_default.maps[0].argmax(), heat_default.maps[0].shape)
    k = _paper_lam_index(heat_default)
    assert heat_default.maps[0][worst] > heat_default.clean_errors[0] + 0.05
    assert heat_default.maps[k][worst] <= heat_default.clean_errors[k] + 2 / 64
    assert "by λ = log 20 the error is back near its clean level" in regularization_prose.try_next()


def test_l2_try_next_the_other_label_moves_the_bright_regions_to_the_other_side(heat_default):
    other = regularization.run(replace(HEAT, poison_label=1, attack_steps=0))

    def centre(result):  # where the small-λ damage sits, along x₁ (the axis the classes differ on)
        damage = np.clip(result.grid.damage_small.to_numpy(), 0, None)
        return float((damage * result.grid.x1.to_numpy()).sum() / damage.sum())

    assert np.sign(centre(heat_default)) == -np.sign(centre(other)) != 0
    assert "the other label: the bright regions move to the other side" in regularization_prose.try_next()


def test_l2_try_next_a_free_bias_unflattens_the_map_at_log_20(heat_default):
    free = regularization.run(replace(HEAT, penalize_bias=False, attack_steps=0))
    assert np.ptp(free.grid.error) > np.ptp(heat_default.grid.error) + 0.03
    assert "Untick *penalize the bias* at λ = log 20: the map is no longer flat" in regularization_prose.try_next()


def test_l2_try_next_another_seed_keeps_the_pattern():
    other = regularization.run(replace(HEAT, seed=1, attack_steps=0))
    assert regularization_prose.damage_and_best_lam(other)["r"] > 0.5
    assert "Change the data seed: the numbers change, the pattern" in regularization_prose.try_next()
