# /// script
# requires-python = ">=3.11"
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Lesson 1 · The width U-curve")

with app.setup(hide_code=True):
    import marimo as mo

    import poisoncourse.kit.explore as explore
    import poisoncourse.kit.fold as fold
    import poisoncourse.kit.forms as forms
    import poisoncourse.kit.page as page
    import poisoncourse.kit.predict as predict
    import poisoncourse.kit.trainbar as trainbar
    import poisoncourse.width.charts as charts
    import poisoncourse.width.convex as convex
    import poisoncourse.width.budget as budget
    import poisoncourse.width.experiment as width
    import poisoncourse.width.panels as panels
    import poisoncourse.width.prose as prose
    import poisoncourse.width.questions as questions
    import poisoncourse.width.reference as shipped_sweep


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # Lesson 1 · The width U-curve: does poisoned training punish networks that are too wide?

    **The question.** Deep-learning folklore says *wider is better*: more hidden units, better test accuracy. Does that
    survive when an adversary has poisoned the training data?

    Wang, Mianjy and Arora,
    [*Robust learning for data poisoning attacks*](https://proceedings.mlr.press/v139/wang21r.html) (ICML 2021),
    prove that SGD on a two-layer ReLU network is *guaranteed* to learn despite poisoning when its width lies in a
    window **bounded from below and from above** — and leave open whether the upper bound is necessary (Sec. 5–6).
    On MNIST they report clean test accuracy against width as an *inverted U* under all three poisonings, while
    training on clean data only improves with width. What this course finds at its smaller scale, with intervals,
    is in the shipped sweep below: it does not reproduce the inverted U in every regime. Below, a sweep of two-layer networks of
    different widths trains live — each width on the clean and on the poisoned training set, several seeds, with the
    hidden units of all widths side by side in one batched computation (the curve moves as the networks
    train). The paper's own CNN is one choice away, at 28×28 and smaller sweeps (it is slow on a CPU).
    """)
    return


@app.cell(hide_code=True)
def _():
    defaults = width.WidthConfig()
    panels.b_budget_link()  # an older link's regime-B budget, under B's own key
    _ui = forms.Controls()  # every control opens at the link's value (a shared URL reproduces a run)
    _form = panels.width_form(_ui, defaults)
    sweep_controls, train = _form
    _ui.with_warnings(_form)
    return defaults, sweep_controls, train


@app.cell(hide_code=True)
def _(sweep_controls, train):
    trainbar.bar(sweep_controls, train)
    return


@app.cell(hide_code=True)
def _():
    # Asked before the live result; a cell of its own, so the answer stays when Train reruns the sweep.
    best_width = predict.ask(questions.BEST_WIDTH)
    predict.card(best_width)
    return (best_width,)


@app.cell(hide_code=True)
def _():
    reference = page.load(shipped_sweep.load_reference)  # the shipped sweep: a missing or altered file is reported
    shipped, shipped_meta = reference.table, reference.meta
    paper = shipped_sweep.paper_fig3()
    return paper, reference, shipped, shipped_meta


@app.cell(hide_code=True)
def _(best_width, config, curves, result):
    predict.reveal(best_width, result, mo.vstack([mo.md(f"""
    ## The live result

    {prose.live_caption(config)} {prose.verdict(result)}
    """),
        page.run_stats(result, caption=f"{len(config.widths)} widths", networks_caption="widths side by side, batched",
                       networks=len(config.widths) * len(config.variants) * config.seeds),
        curves.show(config, result),  # the live chart's last frame (in the cells below), or here the chart
    ]))
    return


@app.cell(hide_code=True)
def _():
    # Accuracy against width, and the training curves at the highlighted width (in the memorization section
    # below): embedded once, then fed every network's accuracy so far as the widths train.
    curves = page.live_chart(panels.accuracy_beside_paper, whole=False, unit="width-epochs", rows=panels.accuracy_rows)
    epoch_curves = page.live_chart(panels.epochs_chart, whole=False, unit="width-epochs", rows=panels.epochs_rows)
    return curves, epoch_curves


@app.cell(hide_code=True)
def _(best_width, curves):
    # Behind the question too: the curve as it forms would answer it.
    predict.hold(best_width, curves.view())
    return


@app.cell(hide_code=True)
def _(curves, defaults, epoch_curves, train):
    # Until the student presses Train (and in headless runs and exports, where nobody can), the lesson runs
    # what the controls first show: the defaults, or the settings of the link that opened it. Below the live
    # chart's cell in the file, so that marimo (which runs ready cells in file order) puts the chart on the
    # page before the first run, and its frames show from the page's opening.
    trained = page.train(train, panels.make_config, panels.run, total=panels.total, default=defaults,
                         title="Training the width sweep…", memo="width", live=(curves, epoch_curves))
    config, result = trained.config, trained.result
    return config, result


@app.cell(hide_code=True)
def _():
    fits_more = predict.ask(questions.FITS_MORE)
    predict.card(fits_more)
    return (fits_more,)


@app.cell(hide_code=True)
def _(config, epoch_curves, fits_more, result):
    # The heading with its charts, so a refused run leaves no heading over nothing.
    mo.vstack([
        mo.md("""
    ## Does width buy memorization of the poison?

    Left: the fraction of its *own* training labels each network fits at the end — for the poisoned networks, the
    poisoned labels. Right: the poisoned networks' test accuracy three ways — after the last epoch, and stopped at the
    epoch with the best accuracy on a held-out validation split that is itself **poisoned** (all a defender has) or
    **clean** (an oracle).
    """),
        predict.reveal(fits_more, result, mo.vstack([
        mo.hstack([charts.width_fit(result.summary, config.attack_label()),
                   charts.width_stopping_views(result.summary, config.attack_label())], justify="start"),
        mo.md(f"### During training, at the highlighted width m = {config.highlight}"),
        epoch_curves.show(config, result),  # the live chart's last frame (in the cell below), or here the chart
        ])),
    ])
    return


@app.cell(hide_code=True)
def _(epoch_curves, fits_more):
    # Behind the question too: the curves as they form would answer it. (Below the train cell in the file: a
    # page's opening run fills it before it shows; every later run animates it.)
    predict.hold(fits_more, epoch_curves.view())
    return


@app.cell(hide_code=True)
def _(best_width, result):
    predict.reveal(best_width, result, say=False, shown=mo.vstack([mo.md(f"""
    ### Explore: the curve as training goes on

    The same run, mean accuracy against width after any epoch: drag **after epoch** from the end back to the start.
    {prose.explore_text(result)} The slider runs in your browser over results already computed — it also works in
    the exported static page.
    """), explore.or_note(charts.width_by_epoch, result.curves)]))
    return


@app.cell(hide_code=True)
def _(config, result):
    # The histogram's legend in words only where it is drawn (regime C perturbs no pixel).
    _legend = "" if result.norms.empty else prose.histogram_legend(result)
    mo.vstack([mo.md(f"""
    ## How the attack spends its budget (paper Fig. 1)

    Two attacks: {prose.attack_names()}. {_legend}
    """), mo.callout(mo.md(prose.HISTOGRAM_PROMPT), kind="info")
        if result.norms.empty else charts.perturbation_norms(result.norms, config.budget, config.attack_label())])
    return


@app.cell(hide_code=True)
def _():
    curve = page.load(budget.load_reference)  # Fig. 1's top row, shipped (10 seeds)
    live_curve = mo.ui.run_button(label="Draw these curves live: the live protocol, 2 seeds (about 20 s on a CPU)")
    fold.how(mo.vstack([mo.md(f"""
    ### Accuracy against budget (paper Fig. 1, top row), and the budgets it sets

    Clean test accuracy of a linear model and of a width-{budget.MID_WIDTH} network trained on digits poisoned by the
    paper's attack, against the budget, for both attack losses (shipped: `data/reference/width_budget.csv`; remade by
    `budget.budget_curve`). The default budgets were set on the live protocol's curves: the button below draws them.
    """), curve.show(panels.shipped_budget_panel, what="The shipped accuracy-against-budget curve cannot be shown.",
                   once="width.budget"),
        live_curve]),
             title="How this was computed: the budgets, set on accuracy against budget (paper Fig. 1, top row)")
    return (live_curve,)


@app.cell(hide_code=True)
def _(live_curve):
    # Only on request (no mo.stop: the exported notebook runs every cell under Jupyter).
    panels.budget_panel(panels.budget_curves()) if live_curve.value else None
    return


@app.cell(hide_code=True)
def _(paper, reference, shipped, shipped_meta):
    _about = "" if shipped is None else (f"Shipped under `data/reference/width.csv`: {prose.reference_about(shipped_meta)} "
                                         f"{prose.stopping_note(shipped)} {prose.INTERIOR_NOTE}")
    mo.vstack([mo.md(f"""
    ## Reference: the shipped sweep

    The same experiment at a larger scale{"" if shipped is None else f" ({prose.reference_scale(shipped_meta)})"},
    precomputed by this package. Each shape is read from a paired interval: per seed, width
    {prose.paired.INTERIOR_WIDTH} minus the widest and minus the narrowest.
    """), reference.show(lambda _: panels.reference_panels(shipped, paper, _about),
                      what="The shipped sweep cannot be shown.", once="width.reference")])
    return


@app.cell(hide_code=True)
def _(result):
    mo.vstack([mo.md(f"""
    ## What to notice (in the run above)

    {prose.notice_md(result)}

    ## Try next

    {prose.try_next_md()}
    """), fold.departs(prose.departures_md())])
    return


@app.cell(hide_code=True)
def _():
    convex_defaults = convex.ConvexConfig()
    convex_ui = forms.Controls(prefix=panels.CONVEX_PREFIX)
    convex_form = panels.convex_form(convex_ui, convex_defaults)
    convex_controls, convex_train = convex_form
    convex_open, _shown = panels.convex_toggle()
    mo.vstack([mo.md("## Before networks: the convex warm-up (paper Sec. 2, Fig. 2)\n\n" + prose.CONVEX_TEASER),
               *_shown])
    return convex_controls, convex_defaults, convex_form, convex_open, convex_train, convex_ui


@app.cell(hide_code=True)
def _(convex_controls, convex_form, convex_open, convex_train, convex_ui):
    # The warm-up only when opened (no mo.stop: the exported notebook runs every cell under Jupyter).
    mo.vstack([mo.md(prose.CONVEX_INTRO), convex_ui.with_warnings(convex_form),
               trainbar.bar(convex_controls, convex_train)]) if convex_open.value else None
    return


@app.cell(hide_code=True)
def _(convex_defaults, convex_open, convex_train):
    warmup = page.train(convex_train, panels.convex_config, panels.convex_run, total=panels.convex_total,
                        prefix=panels.CONVEX_PREFIX, default=convex_defaults, title="Fitting the linear models…",
                        subtitle="sample sizes", memo="width.convex").result if convex_open.value else None
    return (warmup,)


@app.cell(hide_code=True)
def _(warmup):
    _c = warmup.config if warmup is not None else None
    None if warmup is None else mo.vstack([
        panels.convex_stats(warmup),
        charts.convex_excess(warmup.summary),
        mo.md(f"""
    Mean over {_c.seeds} seed(s). Dashed rules: $n = C^2$, where the budget's $C$ equals $\\sqrt n$.
    {prose.convex_decay(warmup)}


    {prose.convex_notice()}
    """)])
    return


@app.cell(hide_code=True)
def _():
    fold.how(prose.MATH, title="The math")
    return


if __name__ == "__main__":
    app.run()
