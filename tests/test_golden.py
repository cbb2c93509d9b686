"""Seeded results recorded before the package was reorganized (issue 12), checked after it.

A refactor may move and rename code but must not change a single number: each case runs a
small seeded configuration of one lesson on the CPU and compares every number of its main
table with ``golden.json``. The numbers are compared as a sorted list, so a renamed or
reordered column does not count as a change; a changed value does.

Floating-point results are not bit-identical across CPUs, BLAS kernels and thread counts
(another 2-core x86 machine differed in the last digit of two cases; this one differs by up to
2.9e-7 relative in the float32 convex case), so each case is compared with a relative tolerance
fixed by the precision its computation runs in (``RTOL``), far below any change a refactor or a
bug makes: the smallest real change, one test point classified differently, moves an accuracy
by 1/100 or more. ``test_a_change_beyond_the_tolerance_fails`` proves a moved value still fails.

    python tests/test_golden.py --record   # rewrite golden.json (only for a deliberate change)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GOLDEN = Path(__file__).with_name("golden.json")


def _numbers(table: pd.DataFrame) -> list[float]:
    values = table.select_dtypes("number").to_numpy(dtype=float).ravel()
    return sorted(float(v) for v in values if np.isfinite(v))


def _width():
    from poisoncourse.width import experiment as width
    cfg = width.WidthConfig(regime="C", widths=(8, 32), epochs=2, n_train=200, n_val=50, n_test=100, seeds=1,
                            device="cpu")
    return width.run(cfg).runs


def _width_attack():
    from poisoncourse.width import experiment as width
    cfg = width.WidthConfig(regime="A", budget=0.4, widths=(16,), epochs=2, n_train=200, n_val=50, n_test=100,
                            seeds=1, attack_steps=5, device="cpu")
    return width.run(cfg).runs


def _convex():
    from poisoncourse.width import convex
    cfg = convex.ConvexConfig(sizes=(125, 250), c_values=(0, 8), iterations=40, attack_steps=5, device="cpu")
    return convex.run(cfg).runs


def _regularization():
    from poisoncourse.regularization import experiment as regularization
    cfg = regularization.HeatmapConfig(resolution=6, lam_values=3, attack_steps=5, device="cpu")
    return regularization.run(cfg).grid


def _regularization_mnist():
    from poisoncourse.regularization import mnist as regularization_mnist
    cfg = regularization_mnist.MnistPoisoningConfig(poisons=17, attack_steps=2, lam_steps=2, device="cpu")
    return regularization_mnist.run(cfg).table


def _neurotron():
    from poisoncourse.neurotron import experiment as neurotron
    cfg = neurotron.NeurotronConfig(values=(0.0, 0.5), iterations=200, seeds=1, record_points=5, device="cpu")
    return neurotron.run(cfg).final


def _labelnoise():
    from poisoncourse.labelnoise import experiment as labelnoise
    cfg = labelnoise.LabelNoiseConfig(r_values=(1.0, 4.0), max_epochs=5, seeds=1, pgd_steps=3, n=100, n_test=100,
                                      device="cpu")
    return labelnoise.run(cfg).runs


def _labelnoise_mnist():
    from poisoncourse.labelnoise import mnist as labelnoise_mnist
    cfg = labelnoise_mnist.MnistBucketsConfig(n_train=100, n_test=100, max_epochs=3, max_path_steps=20, pgd_steps=3,
                                       seeds=1, device="cpu")
    return labelnoise_mnist.run(cfg).runs


def _lazy():
    from poisoncourse.lazy import experiment as lazy
    cfg = lazy.LazyConfig(values=(1.0, 10.0), epochs=1, n_train=100, n_test=50, seeds=1, width=16, pgd_steps=1,
                          attack_steps=2, device="cpu")
    # Columns added by issue 17 (the flipping step's quantiles, the stop rule's step count) are new numbers,
    # not changed ones: the recorded columns must still match bit for bit.
    new = ["steps", *(f"step_sqrt_d_q{round(100 * q)}" for q in lazy.QUANTILES)]
    return lazy.run(cfg).models.drop(columns=new)


# Relative tolerance per case, by the precision of its computation. float64 paths (Neuro-Tron's
# stream and updates, Lesson 2's logistic regressions) round at 1.1e-16: 1e-9 leaves room for a
# different summation order over thousands of steps. float32 paths (every network trained on
# MNIST or the toy data, the convex warm-up on float32 images) round at 6e-8 per operation and
# compound it over their epochs: 1e-5.
FLOAT64, FLOAT32 = 1e-9, 1e-5
RTOL = {"width": FLOAT32, "width_attack": FLOAT32, "convex": FLOAT32, "regularization": FLOAT64,
        "regularization_mnist": FLOAT64, "neurotron": FLOAT64, "labelnoise": FLOAT32, "labelnoise_mnist": FLOAT32,
        "lazy": FLOAT32}

CASES = {"width": _width, "width_attack": _width_attack, "convex": _convex, "regularization": _regularization,
         "regularization_mnist": _regularization_mnist, "neurotron": _neurotron, "labelnoise": _labelnoise,
         "labelnoise_mnist": _labelnoise_mnist, "lazy": _lazy}


def assert_same_numbers(actual: list[float], expected: list[float], rtol: float) -> None:
    """Equal counts, and each number within ``rtol`` of the recorded one. Numbers near zero are
    held to ``rtol`` times the case's largest magnitude instead (a relative error of 1e-17 means
    nothing there)."""
    assert len(actual) == len(expected), f"{len(actual)} numbers, {len(expected)} recorded"
    scale = max((abs(v) for v in expected), default=0.0)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("case", sorted(CASES))
def test_seeded_results_are_unchanged_by_the_reorganization(case):
    expected = json.loads(GOLDEN.read_text())[case]
    assert_same_numbers(_numbers(CASES[case]()), expected, RTOL[case])


def test_every_case_states_its_tolerance():
    assert set(RTOL) == set(CASES) == set(json.loads(GOLDEN.read_text()))


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_change_beyond_the_tolerance_fails(case):
    # The recorded numbers themselves, one of them moved: by 10× the tolerance it fails, by a
    # tenth of it it passes (what another CPU's rounding does).
    expected = json.loads(GOLDEN.read_text())[case]
    i = int(np.argmax(np.abs(expected)))
    for factor, fails in ((10.0, True), (0.1, False)):
        moved = list(expected)
        moved[i] = expected[i] * (1 + factor * RTOL[case])
        if fails:
            with pytest.raises(AssertionError):
                assert_same_numbers(moved, expected, RTOL[case])
        else:
            assert_same_numbers(moved, expected, RTOL[case])
    with pytest.raises(AssertionError):
        assert_same_numbers(expected[:-1], expected, RTOL[case])


if __name__ == "__main__" and "--record" in sys.argv:
    GOLDEN.write_text(json.dumps({name: _numbers(fn()) for name, fn in CASES.items()}, indent=0) + "\n")
    print(f"wrote {GOLDEN}")
