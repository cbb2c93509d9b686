"""Shipped reference tables are verified before they are drawn."""

import json
import math

import pandas as pd
import pytest

from poisoncourse.core.errors import ReferenceDataError
from poisoncourse.neurotron import experiment as nt
from poisoncourse.neurotron import reference as paper_curves
from poisoncourse.core import reference

KW = dict(lesson_version=3, command="poisoncourse sweep demo")


@pytest.fixture
def saved(tmp_path):
    table = pd.DataFrame({"x": [1.5, 2.5], "y": [0.5, 0.25]})
    reference.save("demo", table, settings={"a": 1}, folder=tmp_path, **KW)
    return tmp_path, table


def test_a_saved_table_loads_back_unchanged(saved):
    folder, table = saved
    loaded, meta = reference.load("demo", folder=folder, **KW)
    pd.testing.assert_frame_equal(loaded, table)
    assert meta["settings"] == {"a": 1} and meta["command"] == KW["command"]


def test_missing_table_names_the_file_and_the_command(saved):
    folder, _ = saved
    (folder / "demo.csv").unlink()
    with pytest.raises(ReferenceDataError, match=r"data/reference/demo.csv.*missing.*poisoncourse sweep demo"):
        reference.load("demo", folder=folder, **KW)


def test_an_edited_or_truncated_table_is_refused(saved):
    folder, _ = saved
    path = folder / "demo.csv"
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ReferenceDataError, match="checksum"):
        reference.load("demo", folder=folder, **KW)


def test_a_table_from_an_older_lesson_version_is_refused(saved):
    folder, _ = saved
    with pytest.raises(ReferenceDataError, match="older version"):
        reference.load("demo", folder=folder, **{**KW, "lesson_version": 4})


def test_an_unreadable_sidecar_is_refused(saved):
    folder, _ = saved
    (folder / "demo.json").write_text("{not json")
    with pytest.raises(ReferenceDataError, match="cannot be read"):
        reference.load("demo", folder=folder, **KW)
    (folder / "demo.json").write_text(json.dumps([1, 2]))
    with pytest.raises(ReferenceDataError, match="unknown format"):
        reference.load("demo", folder=folder, **KW)


# --- the shipped Neuro-Tron reference: the paper's scale --------------------------------------


@pytest.fixture(scope="module")
def neurotron_reference():
    return paper_curves.load_reference().table


def final_errors(table, distribution, sweep, algorithm="Neuro-Tron"):
    rows = table[(table.distribution == distribution) & (table.sweep == sweep) & (table.algorithm == algorithm)]
    rows = rows[rows.iteration == rows.iteration.max()].sort_values("value")
    return rows.set_index("value").median_log10_error


def test_shipped_reference_covers_table_1(neurotron_reference):
    t = neurotron_reference
    assert set(t.distribution) == set(nt.DISTRIBUTIONS) and set(t.sweep) == {"theta", "beta"}
    assert set(t.algorithm) == set(nt.ALGORITHMS.values())
    assert t.iteration.max() == nt.PAPER_ITERATIONS


@pytest.mark.parametrize("distribution", list(nt.DISTRIBUTIONS))
def test_at_paper_scale_neurotron_recovers_exactly_and_its_error_grows_with_the_attack(neurotron_reference, distribution):
    theta = final_errors(neurotron_reference, distribution, "theta")
    assert theta.loc[0.0] < -10  # ≈ 1e-14 in the paper (Fig. G.6)
    assert (theta.diff().dropna() > 0).all()
    beta = final_errors(neurotron_reference, distribution, "beta")
    assert (beta.diff().dropna() > 0).all()


def test_paper_scale_floor_matches_the_measured_values(neurotron_reference):
    # Measured elsewhere on N(0, 1), 40k iterations: θ = 0.125 → 1e-3, 0.5 → 5e-3, 1 → 8e-3,
    # 2 → 1.6e-2, 4 → 3.3e-2. Our runs should land within a factor of three of each.
    measured = {0.125: 1e-3, 0.5: 5e-3, 1.0: 8e-3, 2.0: 1.6e-2, 4.0: 3.3e-2}
    ours = final_errors(neurotron_reference, "normal", "theta")
    for theta, err in measured.items():
        assert abs(ours.loc[theta] - math.log10(err)) < math.log10(3), theta


def test_shipped_reference_is_what_the_current_code_computes(neurotron_reference):
    # The first 400 of the 40,000 iterations, recomputed now: a change to the simulation that
    # is not followed by a new sweep (and a REFERENCE_VERSION bump) fails here.
    config = nt.NeurotronConfig.paper("normal", "theta", iterations=400, record_points=2,
                                      seeds=paper_curves.REFERENCE_SEEDS, algorithms=tuple(nt.ALGORITHMS))
    now = nt.run(config).curves
    now = now[now.iteration == 400].groupby(["algorithm", "value"]).log10_error.median()
    ref = neurotron_reference
    ref = ref[(ref.distribution == "normal") & (ref.sweep == "theta") & (ref.iteration == 400)]
    ref = ref.set_index(["algorithm", "value"]).median_log10_error
    pd.testing.assert_series_equal(now.sort_index(), ref.sort_index(), check_names=False, atol=1e-4, rtol=0)
