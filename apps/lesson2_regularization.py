# /// script
# requires-python = ">=3.11"
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Lesson 2 · Regularization against poisoning")

with app.setup(hide_code=True):
    import marimo as mo

    import poisoncourse.regularization.charts as charts
    import poisoncourse.regularization.experiment as regularization
    import poisoncourse.regularization.mnist as regularization_mnist
    import poisoncourse.regularization.panels as panels
    import poisoncourse.regularization.prose as prose
    import poisoncourse.regularization.questions as questions
    import poisoncourse.kit.explore as explore
    import poisoncourse.kit.fold as fold
    import poisoncourse.kit.forms as forms
    import poisoncourse.kit.page as page
    import poisoncourse.kit.predict as predict
    import poisoncourse.kit.trainbar as trainbar


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # Lesson 2 · Regularization against poisoning: does λ help against a poisoning point?

    **The question.** An attacker adds one point, with a wrong label, to a small training set.
    How much can it raise the error of a logistic regression — and does L2 regularization,
    the penalty $\frac{e^{\lambda}}{2}\|\theta\|^2$, protect the model?

    Carnerero-Cano, Muñoz-González, Spencer and Lupu,
    [*Regularization can help mitigate poisoning attacks… with the right hyperparameters*](https://arxiv.org/abs/2105.10948)
    (ICLR 2021 workshop), answer: **only with the right λ**. A λ fixed in advance makes
    regularization look useless (too small) or costly (too large); with a λ chosen *against the
    attack* — a minimax problem — the error still grows with the attack, but "significantly" less
    (the paper's word) than with a λ fixed too small.

    Below: the paper's 2-D example (App. C.1). Two Gaussian classes, 32 training and 64
    validation points, one poisoning point (red diamond) anywhere in the box $[-9.5, 9.5]^2$.
    Every cell of the heatmaps is a model trained with the poison at that cell — thousands of
    logistic regressions, solved together as one batched Newton problem.
    """)
    return


@app.cell(hide_code=True)
def _():
    defaults = regularization.HeatmapConfig()
    ui = forms.Controls(renamed=panels.RENAMED)
    _form = panels.heatmap_form(ui, defaults)
    controls, train = _form
    mo.vstack([mo.md("## Controls"), ui.with_warnings(_form)])
    return controls, defaults, train


@app.cell(hide_code=True)
def _(controls, train):
    trainbar.bar(controls, train)
    return


@app.cell(hide_code=True)
def _():
    # Asked before the result below; a cell of its own, so the answer stays through Train.
    where_worst = predict.ask(questions.WHERE)
    best_lam = predict.ask(questions.BEST_LAM)
    predict.cards(where_worst, best_lam)
    return where_worst, best_lam


@app.cell(hide_code=True)
def _(best_lam, config, curves, result, where_worst):
    _small_lam = panels.unregularized_grid(result)
    _scale = panels.error_domain(_small_lam, result.grid)  # one colour scale for both maps: a colour, one error
    predict.reveal([where_worst, best_lam], result, mo.vstack([
        mo.md(f"## The live result\n\n{prose.live_caption(config)}"),
        page.run_stats(result, caption=f"{panels.model_count(config):,} logistic regressions",
                       extra=[mo.stat(**s) for s in panels.live_stats(result)]),
        mo.hstack([
            charts.poison_error_map(_small_lam, result.points, None, None, box=regularization.BOX,
                                    title=f"A · validation error, λ = {result.lams[0]:.0f}", domain=_scale),
            charts.poison_error_map(result.grid, result.points, result.boundaries, result.path, box=regularization.BOX,
                                    title=f"A · validation error, λ = {config.lam:.2f}", domain=_scale),
        ], justify="start"),
        mo.md(prose.contrast_caption(result)),
        charts.best_lam_map(result.grid, result.points, box=regularization.BOX, lam_range=regularization.LAM_RANGE),
        curves.show(config, result),  # the live chart's last frame (in the cells below), or here the chart
    ]))
    return


@app.cell(hide_code=True)
def _():
    # The attack's trace: embedded once, then redrawn in place step by step as the attack runs (a static
    # copy draws it in the cell above).
    curves = page.live_chart(panels.attack_chart, whole=False, unit="attack steps")
    return (curves,)


@app.cell(hide_code=True)
def _(best_lam, curves, where_worst):
    # Behind the questions too: the trace as it forms would answer them.
    predict.hold([where_worst, best_lam], curves.view())
    return


@app.cell(hide_code=True)
def _(curves, defaults, train):
    # Below the live chart's cell in the file: marimo runs the cells that are ready in file order, so the chart is
    # on the page before the first run and a page that opens training shows its frames.
    # Until the student presses Train (and in headless runs and exports, where nobody can),
    # the lesson runs what the controls first show: the defaults, or the settings of the link
    # that opened it. What Train applies goes into the URL, so the link reproduces this run.
    trained = page.train(train, panels.heatmap_config,
                         lambda config, progress: regularization.run(config, progress=progress),
                         subtitle=lambda config: f"{panels.model_count(config):,} models", default=defaults,
                         memo="regularization", live=curves)
    config, result = trained.config, trained.result
    return config, result


@app.cell(hide_code=True)
def _(best_lam, result, where_worst):
    predict.reveal([where_worst, best_lam], result, mo.md(prose.live_numbers(result)), say=False)
    return


@app.cell(hide_code=True)
def _(best_lam, result, where_worst):
    predict.reveal([where_worst, best_lam], result, say=False, shown=mo.vstack([
        mo.md(
            """
            ### Explore: the damage map at every λ

            The same run, one map per λ of heatmap B's grid. Drag **λ**: with little
            regularization a poison placed almost anywhere on the wrong side does damage; as λ grows
            the damaging region shrinks and fades, until the penalty flattens every boundary. The
            slider runs in your browser over results already computed — it also works in the
            exported static page, with no Python behind it.
            """
        ),
        explore.or_note(charts.error_map_by_lam, result.lams, result.maps, regularization.BOX),
    ]))
    return


@app.cell(hide_code=True)
def _():
    # The shipped Fig. 2 curves; a missing or altered file is reported, not drawn.
    mnist_short = page.load(regularization_mnist.load_averaged)  # the short protocol: drawn without the paper's
    mnist_paper = page.load(regularization_mnist.load_paper)  # the paper's protocol, per data split
    # What the page draws and quotes: the paper's protocol averaged over its splits, with its interval.
    mnist_reference, mnist_source = panels.shipped_mnist(mnist_paper.table, mnist_short.table)
    return mnist_paper, mnist_reference, mnist_short, mnist_source


@app.cell(hide_code=True)
def _():
    _ui = forms.Controls(prefix="mnist.")
    mnist_form = panels.mnist_form(_ui)
    mnist_controls = _ui.with_warnings(mnist_form)
    return mnist_controls, mnist_form


@app.cell(hide_code=True)
def _(mnist_reference, mnist_source):
    # Fig. 2's curves: embedded once, the live attack's curves added in place as its poisons move (a static
    # copy draws the shipped curves below).
    mnist_chart = page.live_chart(lambda config, result: panels.mnist_chart(mnist_reference, result, mnist_source),
                                  whole=False, unit="attack steps",
                                  rows=lambda config, result: panels.mnist_curves(mnist_reference, result, mnist_source))
    return (mnist_chart,)


@app.cell(hide_code=True)
def _(mnist_controls, mnist_live, mnist_paper, mnist_short):
    _live = mnist_live.result if mnist_live is not None else None
    mo.vstack([
        mo.md(
            f"""
            ## MNIST '0' vs '8' (Fig. 2)

            512 training, 171 validation and 317 test images, pixels in [0, 1]. Poisons are
            validation images with flipped labels, optimized {regularization_mnist.BATCH} at a time by the
            same hypergradient ascent (in all 784 pixels), earlier batches staying put. Four defenders:
            λ = −8 fixed, λ = log 200 ≈ 5.3 fixed, λ chosen by 5-fold cross-validation on
            the clean training set, and λ learned against the attack. Every model is trained to
            its optimum: a truncated training run would act as hidden regularization and hide
            the attack.
            """
        ),
        mnist_controls,
        mnist_paper.note("The paper's protocol cannot be shown; the shorter protocol's curves are drawn instead.")
        if mnist_short.table is not None else mnist_paper.note("The shipped curves cannot be shown."),
        page.cannot_run(mnist_live.problem) if mnist_live is not None and not mnist_live.ok else mo.md(""),
        mo.md(f"Live attack: {_live.seconds:.0f} s on {_live.device}.") if _live is not None else mo.md(""),
    ])
    return


@app.cell(hide_code=True)
def _(mnist_chart):
    mnist_chart.view()
    return


@app.cell(hide_code=True)
def _(mnist_chart, mnist_form):
    # Below the chart's cell in the file, so the chart is on the page before an attack starts. The live MNIST
    # attack takes a minute or more on a shared CPU: it runs only when the student asks (headless runs and
    # exports show the shipped curves alone).
    mnist_live = None if mnist_form.value is None else page.attempt(
        mnist_form, panels.mnist_config, lambda config, progress: regularization_mnist.run(config, progress=progress),
        prefix="mnist.", title="Optimizing the poisons…", total=regularization_mnist.total_steps,
        memo="regularization.mnist", live=mnist_chart)
    mnist_live.callout() if mnist_live is not None and mnist_live.halted is not None else None
    return (mnist_live,)


@app.cell(hide_code=True)
def _(mnist_chart, mnist_live, mnist_paper):
    # The shipped curves, with the live attack's when it ran whole (a stopped one keeps its frame above).
    _halted = mnist_live is not None and mnist_live.halted is not None
    mo.vstack([
        mnist_chart.show(None if mnist_live is None else mnist_live.config,
                         None if mnist_live is None else mnist_live.result) if not _halted else mo.md(""),
        mo.md(prose.reference_note(paper_made=mnist_paper.table is not None)),
    ])
    return


@app.cell(hide_code=True)
def _(mnist_paper, mnist_short):
    # Every sentence from the curves drawn: the paper's protocol when it was made, else the short curves.
    mo.md(prose.paper_curves(mnist_paper.table) + "\n\n" + prose.paper_protocol(mnist_paper.table, mnist_paper.meta)
          if mnist_paper.table is not None else prose.shipped_curves(mnist_short.table))
    return


@app.cell(hide_code=True)
def _(mnist_reference, result):
    mo.md(prose.notice(result, mnist_reference) + "\n\n" + prose.try_next())
    return


@app.cell(hide_code=True)
def _():
    fold.how(prose.MATH, title="The math")
    return


@app.cell(hide_code=True)
def _():
    fold.departs(prose.departures())
    return


if __name__ == "__main__":
    app.run()
