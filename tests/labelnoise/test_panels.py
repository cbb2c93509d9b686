"""What Lesson 4's page computes beyond one call: the forms' values become the configs it shows, a bad
value becomes one sentence, and the tables the charts combine keep their sources apart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from poisoncourse.core.errors import ConfigError
from poisoncourse.labelnoise import charts as labelnoise_charts
from poisoncourse.labelnoise import experiment as labelnoise
from poisoncourse.labelnoise import panels as labelnoise_panels
from poisoncourse.labelnoise import prose as labelnoise_prose


ROOT = Path(__file__).resolve().parents[2]
TOY_FORM = dict(poison_label="third", r_values=[0, 3], poisons_per_class=4, d=16, mu=0.5, sigma=1.0, n=200, eps=0.5,
                pgd_steps=5, training="standard", spectral_cap=0.0, width=32, lr=0.01, max_epochs=50, seeds=2, seed=7)


def test_the_toy_form_makes_the_config_it_shows():
    c = labelnoise_panels.toy_config(TOY_FORM)
    assert c.widths == (32, 32, 32) and c.spectral_cap is None and c.r_values == (0.0, 3.0)
    assert (c.poison_label, c.poisons_per_class, c.seeds, c.seed) == ("third", 4, 2, 7)
    assert labelnoise_panels.toy_config({**TOY_FORM, "spectral_cap": 0.3}).spectral_cap == 0.3


def test_a_toy_form_value_out_of_range_is_one_sentence():
    with pytest.raises(ConfigError, match=r"\.$"):
        labelnoise_panels.toy_config({**TOY_FORM, "mu": 9.0})


def test_the_2d_picture_follows_the_main_controls_label_training_cap_and_radius():
    main = labelnoise_panels.toy_config({**TOY_FORM, "spectral_cap": 0.3, "eps": 0.75})
    values = dict(labelnoise_panels.PICTURE_DEFAULTS, seed=5)
    c = labelnoise_panels.picture_config(values, main)
    assert (c.poison_label, c.training, c.spectral_cap, c.eps) == ("third", "standard", 0.3, 0.75)
    assert (c.d, c.n, c.mu, c.poisons_per_class, c.seed, c.r_values) == (2, 200, 1.0, 3, 5, (1.0, 3.0, 6.0))
    assert labelnoise_panels.picture_extent(c) == 5.0


def test_every_r_of_the_picture_gets_a_titled_panel():
    c = labelnoise.LabelNoiseConfig(d=2, mu=1.0, n=60, poisons_per_class=2, r_values=(1.0, 6.0), batch_size=256,
                                    max_epochs=5, n_test=40, device="cpu")
    regions = labelnoise.decision_regions(c, resolution=12)
    panels = labelnoise_charts.decision_region_panels(regions, labelnoise_panels.panel_title)
    assert [p.title for p in panels] == [labelnoise_panels.panel_title(r) for r in regions.runs.itertuples()]
    assert panels[0].title.startswith("r = 1: adv. acc. ")
    # On the page: one chart, three panels a row under one legend (issue 26: a row each wrapped onto two).
    row = labelnoise_charts.decision_region_row(regions, labelnoise_panels.panel_title).to_dict()
    assert row["columns"] == labelnoise_charts.ROW == 3 and len(row["concat"]) == len(panels)


def test_the_reference_splits_into_fig_6_and_fig_8():
    figures = labelnoise_panels.reference_figures(labelnoise.load_reference().table)
    assert figures.fig6.series.nunique() == 3 and not figures.fig6.series.str.contains("‖W‖").any()
    assert figures.fig8.series.nunique() == 1 + len(labelnoise.REFERENCE_CAPS)
    assert set(figures.fig8.metric) == {"adversarial accuracy", "natural accuracy"}


def test_fig_8_and_the_dips_sweep_stand_in_closed_sections_fig_6_in_the_flow():
    # Issue 26: the page's height. The bullets report Fig. 8 and the μ × σ sweep; the figures stay one click away.
    html = labelnoise_panels.reference_panel(labelnoise.load_reference().table).text
    flow, folded = html.split("<marimo-accordion", 1)
    assert "Fig. 6" in flow and "Fig. 8" not in flow and labelnoise_panels.FIG8 in folded
    app = (ROOT / "apps" / "lesson4_labelnoise.py").read_text(encoding="utf-8")
    assert "fold.how(prose.dip_position_notice(_dip.table), title=prose.DIP_SWEEP)" in app
    assert "closed section below" in labelnoise_prose.what_to_notice(labelnoise.load_reference().table)


def test_the_mnist_bar_moves_once_per_stage_and_names_it():
    class Bar:
        def __init__(self):
            self.calls, self.notes = [], []

        def __call__(self, done, total=None):
            self.calls.append((done, total))

        def note(self, subtitle):
            self.notes.append(subtitle)

    bar = Bar()
    tell = labelnoise_panels.stage_notes(bar)
    for stage in ("clean network", "clean network", "adversarial paths", "poisoned networks"):
        tell(stage, 1, 10)
    assert bar.notes == ["clean network", "adversarial paths", "poisoned networks"]
    assert bar.calls == [(1, 3), (2, 3), (3, 3)]


def test_the_live_caption_asks_for_three_distances_before_describing_the_dip():
    config = labelnoise.LabelNoiseConfig(r_values=(0.0, 3.0))
    summary = pd.DataFrame({"r": [0.0, 3.0], "mean_adversarial_accuracy": [0.9, 0.8]})
    assert "Choose at least three distances r" in labelnoise_prose.live_caption(config, summary)
    three = labelnoise.LabelNoiseConfig(r_values=(0.0, 3.0, 12.0))
    summary = pd.DataFrame({"r": [0.0, 3.0, 12.0], "mean_adversarial_accuracy": [0.9, 0.8, 0.85]})
    assert "lowest **0.800** at r = 3" in labelnoise_prose.live_caption(three, summary)


def test_the_notice_keeps_the_lessons_question_in_the_flow_and_the_thesiss_variants_in_a_closed_section():
    # Issue 26: the dip, natural against adversarial, pocket or stretch and far poisons answer the lesson's
    # question; the third class, PGD training and the spectral cap are the thesis's variants, one click away.
    question, variants = labelnoise_prose.notice_parts(labelnoise.load_reference().table)
    assert question.count("* **") == 4 and "**The dip.**" in question and "Far poisons" in question
    assert variants.count("* **") == 3 and all(w in variants for w in ("Third class", "PGD training", "Spectral cap"))
    app = (ROOT / "apps" / "lesson4_labelnoise.py").read_text(encoding="utf-8")
    assert "fold.how(_variants, title=prose.VARIANTS)" in app and "prose.PICTURE_EXPLORE" in app


def test_without_the_reference_the_notice_keeps_its_words_and_drops_its_numbers():
    text = labelnoise_prose.what_to_notice(None)
    assert text.count("* **") == 6 and "0.870" not in text  # the crossing bullet counts poisons, not the reference


def test_powers_of_ten_are_written_as_the_prose_writes_them():
    assert labelnoise_prose.power_of_ten(1e-2) == "10⁻²" and labelnoise_prose.power_of_ten(0.02) == "0.02"
