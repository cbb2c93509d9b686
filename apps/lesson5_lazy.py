# /// script
# requires-python = ">=3.11"
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Lesson 5 · The lazy radius")


with app.setup(hide_code=True):
    import marimo as mo

    import poisoncourse.lazy.charts as charts
    import poisoncourse.lazy.experiment as lazy
    import poisoncourse.lazy.panels as panels
    import poisoncourse.lazy.prose as prose
    import poisoncourse.lazy.questions as questions
    import poisoncourse.lazy.single_step as single_step
    from poisoncourse.kit import explore, fold, forms, page, predict, trainbar


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # Lesson 5 · The lazy radius: robustness is at odds with lazy training

    **The question.** Wide networks trained by gradient descent often stay in the *lazy* regime:
    every hidden unit's weights end up within a small distance of their random initialization —
    and they still generalize well. Are such networks also *robust*?

    Wang, Ullah, Mianjy and Arora,
    [*Adversarial robustness is at odds with lazy training*](https://arxiv.org/abs/2207.00411)
    (NeurIPS 2022), prove that they are not: if every row stays within $C_0/\sqrt m$ of its start,
    **a single gradient step** of size $\|\delta\| = \Theta(1/\sqrt d)$ flips the prediction. On
    images with $d$ pixels that is a vanishing fraction of $\|x\| = 1$. Let the weights move
    farther ($C_0$ larger) and adversarial training can make the network robust.

    Below, two-layer ReLU networks learn MNIST **0s vs 1s** live, every row projected back onto its lazy ball after
    each step (Alg. 1) — or, as in the paper's Sec. 5.1, training *stops* when a row leaves it (the forms offer both).
    """)
    return


@app.cell(hide_code=True)
def _():
    _d = lazy.LazyConfig.single_step()
    _ui = forms.Controls()
    _form = panels.single_step_form(_ui, _d)
    step_controls, step_train = _form
    mo.vstack([mo.md("## Part 1 · One small step flips a lazy network"), _ui.with_warnings(_form)])
    return step_controls, step_train


@app.cell(hide_code=True)
def _(step_controls, step_train):
    trainbar.bar(step_controls, step_train)
    return


@app.cell(hide_code=True)
def _():
    # Asked before the result below; a cell of its own, so the answer stays through Train.
    step_with_d = predict.ask(questions.STEP)
    predict.card(step_with_d)
    return (step_with_d,)


@app.cell(hide_code=True)
def _():
    # The shipped paper-scale sweeps (a missing or altered file is reported, not drawn), and Part 1's scaling
    # chart: embedded once, then fed each image size as it trains and finishes (a static copy draws it below).
    reference = page.load(lazy.load_reference)
    step_curves = page.live_chart(lambda config, result: panels.scaling_chart(config, result, reference.table),
                                  whole=False, unit="epochs")
    return reference, step_curves


@app.cell(hide_code=True)
def _(reference, step_config, step_halted, step_result):
    # The live run refused: its reference lines alone (they need no live result; a stopped run's live chart
    # draws them beside its curves so far). (No mo.stop on the default path: an exported notebook's kernel
    # would raise there.)
    panels.reference_alone(reference.table, step_config) if step_result is None and step_halted is None else None
    return


@app.cell(hide_code=True)
def _(reference, step_config, step_curves, step_result, step_with_d):
    mo.stop(step_result is None)
    predict.reveal(step_with_d, step_result, mo.vstack([
        mo.md(r"""
            ### The live result

            For every correctly classified test image, the **smallest** step $\eta$ along
            $-\operatorname{sign}(f(x))\nabla_x f(x)$ that flips it (bisection); $\|\nabla_x f\|$, $\eta$ and
            $\|\delta\| = \eta\|\nabla_x f\|$ relative to $\|x\|$: means over test points and seeds.
            """ + prose.scaling_legend(step_config, panels.single_step_reference(reference.table, step_config))),
        panels.single_step_stats(step_result),
        step_curves.show(step_config, step_result),  # the live chart's last frame (in the cells below), or here
        # The fitted slopes against the theory's in a closed section (issue 26): the chart's gray lines draw them.
        *([fold.how(_slopes, title=prose.SLOPES)] if (_slopes := prose.scaling_markdown(step_result)) else []),
    ]))
    return


@app.cell(hide_code=True)
def _(step_curves, step_with_d):
    predict.hold(step_with_d, step_curves.view())  # the curves as they form would answer the question
    return


@app.cell(hide_code=True)
def _(step_curves, step_train):
    # Below the live chart's cell in the file: marimo runs the cells that are ready in file order, so the chart is
    # on the page before the first run and a page that opens training shows its frames.
    # Until the student presses Train (and in headless runs and exports, where nobody can), the lesson runs what
    # the controls first show: the defaults, or the link's settings. What Train applies goes into the URL.
    _trained = page.attempt(step_train, panels.single_step_config, panels.run_live, default=lazy.LazyConfig.single_step(),
                            subtitle=lambda config: f"{len(config.values) * config.seeds} networks", memo="lazy",
                            live=step_curves)
    step_config, step_result, step_halted = _trained.config, _trained.result, _trained.halted
    _trained.callout()  # settings that cannot run: one red sentence (stopped: a blue one); the reference lines stay
    return step_config, step_halted, step_result


@app.cell(hide_code=True)
def _():
    _ss = page.load(single_step.load_reference)
    _fig2, _fig3 = (_ss.table is not None and panels.single_step_rows(_ss.table, f) for f in ("fig2", "fig3"))
    mo.vstack([
        mo.md(rf"""
            ### Reference: the flipping step's size, and what C₀ changes (Fig. 2 and 3)

            Standard SGD, m = {single_step.WIDTH}, {single_step.TRAINING["epochs"]} epochs, under **both** rules.
            First the smallest flipping step over the test points in units of $1/\sqrt d$ (band: 10–90 %, line:
            median): Theorem 3.1 says it stays of order one as d grows; gray: $\|\delta\| = 1/\sqrt d$.
            """),
        # Both figures' numbers (ranges, slopes and their intervals) and Fig. 3's reading in one closed section
        # under them (issue 26): "What to notice" states that reading with the numbers it rests on.
        _ss.show(lambda t: mo.vstack([charts.flipping_step_distribution(_fig2),
                                      charts.quantities_by_rule(_fig3, x="lazy_radius", x_title="lazy radius C₀"),
                                      fold.how(f"**{prose.FIG2_NUMBERS}.**", prose.fig2_markdown(_fig2),
                                               f"**{prose.FIG3_TABLE}.**", prose.fig3_markdown(_fig3),
                                               *prose.fig3_parts(_fig3), title=prose.FIGS_NUMBERS)]),
                 once="lazy.single_step"),
    ])
    return


@app.cell(hide_code=True)
def _():
    _d = lazy.LazyConfig.phase()
    _ui = forms.Controls(prefix="robust.")
    _form = panels.robust_form(_ui, _d)
    robust_controls, robust_train = _form
    mo.vstack([
        mo.md("""
            ## Part 2 · Robustness needs room

            Now train *adversarially*: each batch is replaced by its ℓ₂-PGD attack of budget ε (from zero, step
            2.5ε/K for K steps), and every row is kept in its ball of radius C₀/√m. The test accuracy under a
            10-step PGD attack of the same ε is the **robust accuracy**.
            """),
        _ui.with_warnings(_form),
    ])
    return robust_controls, robust_train


@app.cell(hide_code=True)
def _(robust_controls, robust_train):
    trainbar.bar(robust_controls, robust_train)
    return


@app.cell(hide_code=True)
def _():
    # Asked before the result below; a cell of its own, so the answer stays through Train.
    robust_with_radius = predict.ask(questions.ROBUST)
    predict.card(robust_with_radius)
    return (robust_with_radius,)


@app.cell(hide_code=True)
def _(reference):
    # Robust accuracy against C₀ (or ε): embedded once, then redrawn in place as the networks train adversarially
    # (each looked at as it stands, while looks cost at most a third of the run); a static copy draws it below.
    robust_curves = page.live_chart(lambda config, result: panels.robust_view(result, reference.table, config).chart,
                                    whole=False, unit="epochs")
    return (robust_curves,)


@app.cell(hide_code=True)
def _(robust_config, robust_halted, robust_result, robust_with_radius):
    _c = robust_config
    predict.reveal(robust_with_radius, robust_result, mo.vstack([
        mo.md(f"### Robust accuracy {panels.robust_against(_c)}"),
        page.run_stats(robust_result, caption=f"PGD-{_c.pgd_steps}, {_c.epochs} epochs",
                       networks=len(robust_result.models)) if robust_result is not None else mo.md(
            "No live run (refused above): the reference runs alone." if robust_halted is None else ""),
    ]))
    return


@app.cell(hide_code=True)
def _(robust_curves, robust_with_radius):
    predict.hold(robust_with_radius, robust_curves.view())  # the curve as it forms would answer the question
    return


@app.cell(hide_code=True)
def _(robust_curves, robust_train):
    # Below the live chart's cell in the file: marimo runs the cells that are ready in file order, so the chart is
    # on the page before the first run and a page that opens training shows its frames.
    _trained = page.attempt(
        robust_train, panels.robust_config, panels.run_live, prefix="robust.", title="Adversarial training…",
        default=lazy.LazyConfig.phase(),
        subtitle=lambda config: f"{len(config.values) * config.seeds} networks at once", memo="lazy",
        live=robust_curves)
    robust_config, robust_result, robust_halted = _trained.config, _trained.result, _trained.halted
    _trained.callout()  # settings that cannot run: one red sentence (stopped: a blue one); the reference stays
    return robust_config, robust_halted, robust_result


@app.cell(hide_code=True)
def _(reference, robust_config, robust_curves, robust_halted, robust_result, robust_with_radius):
    _c = robust_config
    _view = panels.robust_view(robust_result, reference.table, config=_c)
    predict.reveal(robust_with_radius, robust_result, mo.vstack([
        # The live chart's last frame (drawn in its cell above), or here the chart; a stopped run keeps its frame.
        robust_curves.show(_c, robust_result) if robust_halted is None else mo.md(""),
        mo.md(panels.robust_caption(robust_result, _c, _view)),
        reference.note(),
    ]))
    return


@app.cell(hide_code=True)
def _(robust_result, robust_with_radius):
    mo.stop(robust_result is None)
    _name = "C₀" if robust_result.config.sweep == "radius" else "ε"
    predict.reveal(robust_with_radius, robust_result, say=False, shown=mo.vstack([
        mo.md(f"""
            ### How far did the rows move?

            Each hidden unit's distance $\\|[w_s, b_s] - [w_{{s,0}}, b_{{s,0}}]\\|$ from its start, one panel per
            {_name}; red: the ball's radius $C_0/\\sqrt m$. Bars piled against it: the lazy regime is binding.
            """),
        charts.distance_histograms(robust_result.rows, value_title=_name),
        # The panels above show every value at once; the same rows one value at a time wait in a closed section.
        fold.how(mo.md(f"Step through the values of {_name} and watch the rows spread out until they fill their "
                       "ball. This runs in your browser (also in the exported static page)."),
                 explore.or_note(charts.distances_by_radius, robust_result.rows, value_title=_name),
                 title=prose.rows_explore(_name)),
    ]))
    return


@app.cell(hide_code=True)
def _(reference):
    # Built from the shipped tables (prose.notice_markdown); a missing one is reported in its section above.
    mo.md(prose.notice_markdown(reference.table, page.load(single_step.load_reference).table))
    return


@app.cell(hide_code=True)
def _():
    mo.vstack([fold.how(prose.MATH, title="The math"), fold.departs(mo.md(r"""
    * Part 1 projects rows back after every step by default; Sec. 5.1 stops training when a row leaves its ball
      (offered, and both are in the Fig. 2/3 reference). The authors' code projects after every epoch (offered).
    * Data: the 0s and 1s of mnist5k (≤ 1,000 images, resized), not full MNIST; m ≤ 1,600; 4 epochs live; no bias
      (as the paper's appendix runs); Fig. 3 at d = 196, m = 400.
    * The smallest flipping step is searched from 1/10 to 100× the linearization's guess, then bisected; a point
      no step in that range flips counts as "not flipped" (+∞ in the quantiles).
    """))])
    return


if __name__ == "__main__":
    app.run()
