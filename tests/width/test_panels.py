"""Lesson 1's page logic, out of the app: the paper overlay, the inverted-U verdict, the live
chart's frames while the sweep trains, the convex warm-up's decay sentence, the shipped sweep's panels
and the forms' link keys."""

import math

import pandas as pd
import pytest

from poisoncourse.kit import forms, livechart, page, paint
from poisoncourse.width import charts, convex, experiment, panels, prose
from poisoncourse.width import reference as shipped

TINY = dict(widths=(8, 2048), epochs=2, n_train=200, n_val=60, n_test=100, seeds=1)


def _summary(poisoned, clean=None):
    """A summary table with the given poisoned (and clean) mean accuracies at widths 2, 4, 8, …"""
    rows = [dict(variant="poisoned", width=2 ** (k + 1), mean_final_accuracy=a) for k, a in enumerate(poisoned)]
    rows += [dict(variant="clean", width=2 ** (k + 1), mean_final_accuracy=a) for k, a in enumerate(clean or [])]
    return pd.DataFrame(rows)


# --- the live chart and its verdict --------------------------------------------------------------


def test_the_papers_fig3_has_its_own_panel_with_only_the_drawn_series_in_its_legend():
    # Issue 14: compared by shape, in its own panel, not overlaid at its own level on the live curve.
    spec = charts.paper_panel(shipped.paper_fig3(), "C").to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["clean training", "poisoned training"]
    one = charts.width_fit(pd.DataFrame(dict(variant=["poisoned"], width=[8], mean_fit=[0.5])), "regime C").to_dict()
    assert one["encoding"]["color"]["scale"]["domain"] == ["poisoned training"]  # no series it does not draw
    assert one["title"]["text"] == "regime C"  # the attack named on the chart (a title: it has no other)


def test_the_live_chart_has_the_papers_fig3_for_its_regime_beside_it_on_its_own_scale():
    config = experiment.WidthConfig(**TINY)
    summary = _summary([0.6, 0.7], clean=[0.8, 0.9]).assign(std_final_accuracy=0.01, width=lambda d: d.width.map({2: 8, 4: 2048}))
    result = type("R", (), dict(summary=summary, accuracy_column="final_accuracy"))
    alone, beside = panels.accuracy_chart(config, result).to_dict(), panels.accuracy_beside_paper(config, result).to_dict()
    live, paper = beside["hconcat"]
    assert [l["mark"] for l in live["layer"]] == [l["mark"] for l in alone["layer"]]  # the live panel, unchanged
    assert paper["title"]["text"] == "the paper's Fig. 3 (its own scale)" and paper["title"]["subtitle"][0].startswith(f"regime {config.regime}")
    assert beside["resolve"]["scale"]["y"] == "independent"  # its own level: compare shapes


def test_the_live_verdict_is_read_from_the_paired_interval_over_seeds():
    runs = pd.DataFrame([dict(variant="poisoned", width=w, seed=s, final_accuracy=a + 0.01 * s)
                         for s in range(4) for w, a in ((8, 0.5), (128, 0.8), (2048, 0.7))])
    config = experiment.WidthConfig(widths=(8, 128, 2048), seeds=4, early_stopping="off")
    result = type("R", (), dict(config=config, runs=runs, accuracy_column="final_accuracy"))
    assert "— an inverted U" in prose.verdict(result)
    assert "minus the widest (2,048): +10.0 ± 0.0 points" in prose.verdict(result)
    one = type("R", (), dict(config=experiment.WidthConfig(widths=(8, 128, 2048), seeds=1), runs=runs,
                             accuracy_column="final_accuracy"))
    assert prose.verdict(one).startswith("With one seed there is no interval")


class _Bar:
    """Records what marimo's progress bar would be told."""

    def __init__(self):
        self.current, self.subtitles = 0, []

    def update(self, increment=1, subtitle=None):
        self.current += increment
        if subtitle:
            self.subtitles.append(subtitle)


class _Live:
    """Records the frames a live chart would be sent."""

    draw = staticmethod(panels.accuracy_chart)

    def __init__(self):
        self.frames = []

    def send(self, chart, note=""):
        self.frames.append((chart.to_dict(), note))

    def send_partial(self, config, partial, note):
        self.send(self.draw(config, partial), note)


def test_the_live_sweep_draws_every_network_so_far_after_each_evaluation_on_the_whole_axis():
    config = panels.make_config(dict(experiment.WidthConfig(**TINY).to_dict(), widths=[2048, 8], epochs=4))
    assert config.widths == (8, 2048)  # sorted for the charts
    bar, live = _Bar(), _Live()
    progress = page.Progress(bar, live=live, config=config, frame_seconds=0.0)
    result = panels.run(config, progress)
    assert bar.subtitles == ["widths 8 done", "widths 2048 done"]  # one group each on a CPU
    assert bar.current == panels.total(config)  # the last update always goes out
    assert sorted(result.summary.width.unique()) == [8, 2048]
    # A frame after each evaluation (epochs 2 and 4 of each group): first width 8 alone as it trains, then
    # width 8 finished beside width 2048 training — on the run's whole axis, with the final chart's spec,
    # so the chart takes rows, not a new spec.
    notes = [note for _, note in live.frames]
    assert notes == [f"Training… {done:,} of {panels.total(config):,} so far" for done in (2, 4, 6, 8)]
    drawn = [{(row["series"], row["width"]): row["accuracy"] for rows in spec["datasets"].values() for row in rows
              if "accuracy" in row} for spec, _ in live.frames]
    assert [sorted({w for _, w in d}) for d in drawn] == [[8], [8], [8, 2048], [8, 2048]]
    final = {(f"{v} training", w): a for v, w, a in
             result.summary[["variant", "width", f"mean_{result.accuracy_column}"]].itertuples(index=False)}
    # Width 8's rows at its last evaluation are its finished rows: the frames read the run's own evaluations.
    eight = {k: v for k, v in final.items() if k[1] == 8}
    assert len(eight) == 2 and all(drawn[i][k] == a for i in (1, 2, 3) for k, a in eight.items())
    assert drawn[3] == final
    spec = live.frames[0][0]
    assert [p["value"] for p in spec["params"]] == [8.0, 2048.0, config.attack_label()]  # axis ends, title
    last = panels.accuracy_chart(config, result).to_dict()
    strip = lambda s: {k: v for k, v in s.items() if k != "datasets"}  # noqa: E731
    assert len(strip(spec)["layer"]) == len(strip(last)["layer"])
    assert [l["encoding"]["x"] for l in strip(spec)["layer"][:2]] == [l["encoding"]["x"] for l in last["layer"][:2]]
    # The frames change nothing computed: the same sweep run one-shot gives the same tables.
    once = experiment.run(config)
    pd.testing.assert_frame_equal(result.summary, once.summary, check_exact=True)
    pd.testing.assert_frame_equal(result.curves, once.curves, check_exact=True)


def test_the_live_frames_after_the_first_send_the_accuracy_table_alone_under_the_same_spec():
    # What a one-by-one drawing of every frame would send, against the frames the page sends: after the first,
    # only the live panel's table travels (the paper's panel and the spec depend on the config alone).
    config = experiment.WidthConfig(**{**TINY, "epochs": 4})

    def frames(rows):
        chart = livechart.LiveChart(panels.accuracy_beside_paper, whole=False, rows=rows)
        sent = []
        chart.observe(lambda change: sent.append(change["new"]), names="frame")
        panels.run(config, page.Progress(live=chart, config=config, frame_seconds=0.0))
        return sent

    whole, fast = frames(None), frames(panels.accuracy_rows)
    assert len(whole) == len(fast) == 4
    assert fast[0] == whole[0] and len(whole[0]["data"]) == 3  # the live table, the highlighted width, the paper's
    for w, f in zip(whole[1:], fast[1:]):
        assert w["spec"] == f["spec"] == whole[0]["spec"] and w["signals"] == f["signals"] and w["note"] == f["note"]
        [(name, rows)] = f["data"].items()
        assert rows == w["data"][name]
        assert {k: v for k, v in w["data"].items() if k != name} == {k: v for k, v in whole[0]["data"].items() if k != name}


def test_another_flip_probability_keeps_the_live_charts_spec_and_changes_its_title_parameter():
    # The live chart takes a retrain in place only when its spec is the one drawn (kit/livechart.js).
    result = experiment.run(experiment.WidthConfig(**TINY))
    one, other = (livechart.split(panels.accuracy_beside_paper(experiment.WidthConfig(**TINY, flip_prob=p), result))
                  for p in (0.3, 0.4))
    assert one[0] == other[0]
    assert one[2]["attack"].endswith("β = 0.3") and other[2]["attack"].endswith("β = 0.4")


def test_the_training_curves_at_the_highlighted_width_grow_in_place_beside_the_accuracy():
    # One run feeds two live charts (kit/livechart.Together): the curves at m = 8 grow epoch by epoch under one
    # spec — its x axis already spans the run, its legend both variants — and the result's chart is that spec.
    config = experiment.WidthConfig(**{**TINY, "epochs": 4, "highlight": 8})
    accuracy = livechart.LiveChart(panels.accuracy_beside_paper, whole=False, rows=panels.accuracy_rows)
    epochs = livechart.LiveChart(panels.epochs_chart, whole=False, rows=panels.epochs_rows)
    sent = []
    epochs.observe(lambda change: sent.append(change["new"]), names="frame")
    result = panels.run(config, page.Progress(live=livechart.Together(accuracy, epochs), config=config, frame_seconds=0.0))
    assert accuracy.frames == epochs.frames == 4
    name = next(iter(sent[1]["data"]))
    drawn = [sorted(set(f["data"][name]["epoch"])) for f in sent]
    assert drawn == [[2], [2, 4], [2, 4], [2, 4]]  # width 8 trains in the first group, then stands finished
    assert all(f["spec"] == sent[0]["spec"] for f in sent)
    final = livechart.split(panels.epochs_chart(config, result))
    assert final[0] == sent[0]["spec"] and final[1][name] == sent[-1]["data"][name]


# --- the convex warm-up --------------------------------------------------------------------------


def test_the_decay_sentence_names_budgets_below_and_above_root_n_with_their_factors():
    summary = pd.DataFrame([dict(n=n, C=c, excess_loss=e) for c, es in {0: (1.0, 0.1), 2: (2.0, 0.1), 64: (4.0, 2.0)}.items()
                            for n, e in zip((100, 400), es)])
    result = type("R", (), dict(config=convex.ConvexConfig(sizes=(100, 400), c_values=(0, 2, 64)), summary=summary))
    text = prose.convex_decay(result)
    assert "falls **20×** at C = 2 (budgets" in text  # C = 0 is clean training, not a budget
    assert "only **2×** at C = 64" in text
    none = type("R", (), dict(config=convex.ConvexConfig(sizes=(100, 400), c_values=(0, 12)), summary=summary))
    assert prose.convex_decay(none).count("—") == 2  # 12² lies inside the range of n: neither


# --- the shipped sweep ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded():
    return shipped.load_reference()  # shipped: a missing or altered table fails, never skips


def test_each_shipped_configuration_gets_a_panel_with_its_paired_statistic(loaded):
    table, meta = loaded.table, loaded.meta
    groups = list(prose.reference_groups(table))
    assert len(groups) == len(meta["settings"]["configs"])
    caption, rows, attack, label = groups[0]
    assert label == "Regime C (β = 0.3), 7×7"
    assert attack == "shipped: regime C: labels flipped with probability β = 0.3"
    assert caption.startswith("**Regime C** (β = 0.3), 7×7, stopped on the poisoned split: width 128 minus the "
                              "widest")
    assert set(rows.variant) == {"clean", "poisoned"} and "mean_stopped_poisoned_val" in rows


def test_the_about_line_names_the_protocol_and_the_cpu_time(loaded):
    about = prose.reference_about(loaded.meta)
    assert f"{shipped.REFERENCE_SEEDS} seeds (from seed {shipped.REFERENCE_SEED})" in about
    assert "momentum 0)" in about and "minutes of training by its FLOP count at 20 GFLOP/s" in about


# --- the forms keep their link keys ----------------------------------------------------------------

WIDTH_KEYS = {"regime", "flip_prob", "budget", "budget_b", "attack", "attack_loss", "victim", "widths", "highlight", "resolution",
              "epochs", "lr", "momentum", "early_stopping", "n_train", "seeds", "seed"}


def test_old_links_still_open_the_forms_in_their_state():
    ui = forms.Controls(params={"flip_prob": "0.2", "widths": "4,64", "seed": "7"})
    form = panels.width_form(ui, experiment.WidthConfig())
    values = forms.values(form)
    assert set(values) == WIDTH_KEYS and not ui.warnings
    assert values["flip_prob"] == pytest.approx(0.2) and sorted(values["widths"]) == [4, 64] and values["seed"] == 7
    assert panels.make_config(dict(values)).flip_prob == pytest.approx(0.2)
    cui = forms.Controls(prefix="convex.", params={"convex.lam": "0.03", "convex.seeds": "2"})
    cvalues = forms.values(panels.convex_form(cui, convex.ConvexConfig()))
    assert cvalues == dict(lam=0.03, attack_loss="negated", seeds=2, seed=0) and not cui.warnings
    assert math.isclose(panels.convex_config(dict(cvalues)).lam, 0.03)


def test_choosing_regime_b_trains_at_bs_own_calibrated_budget_and_an_older_b_link_keeps_its_budget():
    # Issue 27: the form held one budget, A's default, so regime B trained at A's 0.35, not B's calibrated 0.3.
    values = forms.values(panels.width_form(forms.Controls(params={}), experiment.WidthConfig()))
    for regime in ("A", "B"):
        assert panels.make_config(dict(values, regime=regime)).budget == experiment.DEFAULT_BUDGETS[regime]
    assert experiment.DEFAULT_BUDGETS["A"] != experiment.DEFAULT_BUDGETS["B"]  # else this test shows nothing
    # Each regime's own control: B's slider does not move A's budget.
    assert panels.make_config(dict(values, regime="A", budget_b=1.0)).budget == experiment.DEFAULT_BUDGETS["A"]
    # A link written before B had its own control said regime=B&budget=0.4: it still trains B at 0.4.
    link = {"regime": "B", "budget": "0.4"}
    panels.b_budget_link(link)
    assert link == {"regime": "B", "budget_b": "0.4"}
    ui = forms.Controls(params=link)
    config = panels.make_config(dict(forms.values(panels.width_form(ui, experiment.WidthConfig()))))
    assert not ui.warnings and (config.regime, config.budget) == ("B", 0.4)
    for other in ({"regime": "A", "budget": "0.4"}, {"regime": "B", "budget": "0.4", "budget_b": "0.5"}):
        before = dict(other)
        panels.b_budget_link(other)
        assert other == before  # A's budget, or a link that already says B's


def test_the_forms_open_at_the_lessons_defaults():
    values = forms.values(panels.width_form(forms.Controls(params={}), experiment.WidthConfig()))
    assert panels.make_config(dict(values)) == experiment.WidthConfig()
    cvalues = forms.values(panels.convex_form(forms.Controls(prefix="convex.", params={}), convex.ConvexConfig()))
    assert panels.convex_config(dict(cvalues)) == convex.ConvexConfig()


def test_the_shipped_sweep_is_drawn_as_one_row_of_three_charts_per_configuration(loaded):
    table, meta = loaded.table, loaded.meta
    html = panels.reference_panels(table, shipped.paper_fig3(), about="ABOUT").text
    assert html.count("stopped on poisoned validation") >= len(meta["settings"]["configs"])
    # In the flow: the shapes in one line; what the sweep ran and every view's verdict in the closed section
    # before the charts (issue 26). The first configuration in the page's flow, each other one in a closed
    # section named by it.
    assert html.count("<marimo-accordion") == 2
    short, how, charts_and_rest = html.split("<marimo-accordion")
    assert "In short" in short and "ABOUT" not in short and "What it shows" not in short
    assert "ABOUT" in how and "What it shows" in how and "How this was computed: the shipped sweep" in how
    first, *others = list(prose.reference_groups(table))
    assert first.label not in charts_and_rest
    for group in others:
        assert group.label in charts_and_rest


def test_the_shipped_sweeps_shapes_in_short_are_its_paired_verdicts(loaded):
    line = prose.reference_in_short(loaded.table)
    for v in prose.shipped_verdicts(loaded.table):
        if v["column"] == "stopped_poisoned_val":
            assert f"regime {v['regime']} **{v['paired'].verdict}**" in line
    assert prose.reference_scale(loaded.meta).startswith(f"{len(loaded.meta['settings']['configs'][0]['widths'])} widths")


def test_the_histograms_axis_labels_do_not_repeat_at_a_small_budget():
    # Issue 29: at a small budget every ‖δᵢ‖ is under 0.1 and a fixed one-decimal format printed
    # "0.0" "0.0" "0.1" … side by side ("0.00.1"). Drawn by Vega (vl-convert), the labels read once each.
    import re

    import numpy as np
    import vl_convert

    rng = np.random.default_rng(0)
    norms = pd.DataFrame(dict(norm=rng.uniform(0, 0.08, 200), attack_loss=["negated", "cross_entropy"] * 100))
    svg = vl_convert.vegalite_to_svg(charts.perturbation_norms(norms, 0.05, "regime B").to_dict())
    x_labels = re.findall(r'role-axis-label.*?</g>', svg, re.S)[0]
    texts = re.findall(r">([^<]+)</text>", x_labels)
    assert len(texts) >= 3 and len(set(texts)) == len(texts), texts


def test_every_lesson1_chart_names_its_attack_where_vega_draws_it():
    # Issue 27: Vega drops a subtitle under an empty title, so a chart with no title of its own drew no attack.
    import vl_convert

    norms = pd.DataFrame(dict(norm=[0.1, 0.2, 0.3, 0.2], attack_loss=["negated", "cross_entropy"] * 2))
    rows = _summary([0.5, 0.6])
    for chart in (charts.perturbation_norms(norms, 0.3, "regime B, budget 0.3"),
                  charts.width_fit(rows.assign(mean_fit=0.9), "regime B, budget 0.3")):
        assert "regime B, budget 0.3" in vl_convert.vegalite_to_svg(chart.to_dict())


def test_the_optional_warm_up_opens_from_a_link_and_in_hand_outs_and_is_closed_otherwise(monkeypatch):
    # Issue 26: the convex warm-up (optional in LESSONS.md) waits behind a switch on a student's first read.
    assert panels.convex_opens({})  # no browser (the static export, a notebook): open, nobody could open it
    with paint.painting({}):  # a student's page painted ahead of its session (kit/paint.py) is a student's
        assert not panels.convex_opens({})
    monkeypatch.setattr(panels.predict, "live", lambda: True)
    assert not panels.convex_opens({"regime": "A"})  # the sweep's settings alone: closed
    assert panels.convex_opens({"convex.seeds": "2"})  # a link with the warm-up's settings shows what was sent
    switch, shown = panels.convex_toggle({})
    assert shown == [switch] and switch.value is False
