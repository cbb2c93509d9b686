# /// script
# requires-python = ">=3.11"
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Lesson 4 · Which mislabeled points hurt robustness")

with app.setup(hide_code=True):
    import marimo as mo

    import poisoncourse.labelnoise.charts as charts
    import poisoncourse.labelnoise.experiment as labelnoise
    import poisoncourse.labelnoise.mnist as labelnoise_mnist
    import poisoncourse.labelnoise.panels as panels
    import poisoncourse.labelnoise.prose as prose
    import poisoncourse.labelnoise.questions as questions
    import poisoncourse.kit.explore as explore
    import poisoncourse.kit.fold as fold
    import poisoncourse.kit.forms as forms
    import poisoncourse.kit.page as page
    import poisoncourse.kit.predict as predict
    import poisoncourse.kit.trainbar as trainbar


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # Lesson 4 · Which mislabeled points hurt robustness

    **The question.** An attacker may flip the labels of a handful of training points. A network
    trained until it fits every point — the wrong ones included — still classifies clean test
    points well, but its *adversarial* accuracy drops. *Which* points should the attacker pick to
    hurt robustness most?

    S. Gopal, *Crafting Label Noise* (thesis, 2021), building on Sanyal et al.,
    [*How benign is benign overfitting?*](https://arxiv.org/abs/2007.04028) (ICLR 2021), answers with
    toy experiments: a mislabeled point near the class mean is memorized with a small *pocket*;
    one far away costs little; the worst ones sit in between — below we find *where*: at or somewhat
    inside the distance σ√d from the mean at which the clean points themselves lie (the μ × σ sweep
    below gives the range), so that the network must bend its boundary among correctly labelled
    neighbours to reach them.

    **The toy problem** $\mathcal D(d, \mu, \sigma^2)$: half the points from
    $\mathcal N(-\mu\mathbf 1_d, \sigma^2 I)$, half from $\mathcal N(+\mu\mathbf 1_d, \sigma^2 I)$,
    labelled by the hyperplane $c(x) = \mathbb 1[x^\top \mathbf 1 \ge 0]$. The attacker adds $b$
    poisons per class at distance $r$ from that class's mean, in random directions, labelled
    as the *other* class — or as a new *third* class. Below, a 4-layer ReLU network is trained
    for every $r$ and seed — all of them at once, as one batched computation — until it fits its
    training set, then attacked with $\ell_2$ PGD.
    """)
    return


@app.cell(hide_code=True)
def _():
    defaults = labelnoise.LabelNoiseConfig()
    ui = forms.Controls(renamed=panels.RENAMED)  # an old link's keys still open
    _form = panels.toy_form(ui, defaults)
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
    most_harmful = predict.ask(questions.HARM)
    natural = predict.ask(questions.NATURAL)
    predict.cards(most_harmful, natural)
    return most_harmful, natural


@app.cell(hide_code=True)
def _(config, curves, most_harmful, natural, result):
    mo.stop(result is None)
    predict.reveal([most_harmful, natural], result, mo.vstack([
        mo.md(f"## The live result\n\n{prose.live_caption(config, result.summary)}"),
        page.run_stats(result, caption=f"{result.epochs} epochs until all fitted", networks=len(result.runs),
                       networks_caption="one stacked MLP", extra=[mo.stat(**s) for s in panels.live_stats(result)]),
        curves.show(config, result),  # the live chart's last frame (in the cells below), or here the chart
    ]))
    return


@app.cell(hide_code=True)
def _():
    # The r sweep: embedded once, then redrawn in place as the networks train (every network attacked as
    # it stands); a static copy draws it in the cell above.
    curves = page.live_chart(panels.live_chart, whole=False, unit="epochs", rows=panels.live_rows)
    return (curves,)


@app.cell(hide_code=True)
def _(curves, most_harmful, natural):
    # Behind the questions too: the sweep as it forms would answer them.
    predict.hold([most_harmful, natural], curves.view())
    return


@app.cell(hide_code=True)
def _(curves, defaults, train):
    # Below the live chart's cell in the file: marimo runs the cells that are ready in file order, so the chart is
    # on the page before the first run and a page that opens training shows its frames.
    # Before any Train (and headless) the controls' first values run: the defaults or the link's.
    trained = page.attempt(train, panels.toy_config, panels.run_toy, title="Training every (r, seed) network at once",
                           total=lambda config: config.max_epochs, default=defaults,
                           subtitle="stops as soon as every network fits its training set", memo="labelnoise",
                           live=curves)
    config, result = trained.config, trained.result
    trained.callout()  # settings that cannot run: one red sentence; the 2-D picture and the reference stay
    return config, result


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## Pocket or stretched boundary? The picture in 2-D

    The same experiment with $d = 2$, so we can look at it: the predicted class on a grid
    (shaded), the training points (dots) and the poisons (diamonds, coloured by the label they
    were given). One seed, one network per $r$. Look for a poison sitting in a small island of its
    own colour (a **pocket** — often smaller than a grid cell, so only its diamond shows it) versus
    poisons that drag a whole stretch of the boundary towards themselves (a **stretched
    boundary**): the stretch puts many clean points within ε of the boundary, and the adversarial
    accuracy in the panel's title drops. {prose.picture_intro()}
    """)
    return


@app.cell(hide_code=True)
def _(config):
    _ui2 = forms.Controls(prefix="2d.", renamed=panels.RENAMED)
    _form = panels.picture_form(_ui2, config.seed)
    controls2d, draw = _form
    _ui2.with_warnings(_form)
    return controls2d, draw


@app.cell(hide_code=True)
def _(controls2d, draw):
    trainbar.bar(controls2d, draw)
    return


@app.cell(hide_code=True)
def _(config, draw):
    # The 2-D runs follow the main controls' poison label, training, spectral cap and radius.
    _picture = page.attempt(draw, lambda values: panels.picture_config(values, config),
                            lambda picture_config, progress: panels.draw_regions(picture_config),
                            prefix="2d.", title="Training the 2-D networks…", memo="labelnoise.regions")
    mo.stop(not _picture.ok, _picture.callout("That picture cannot be drawn."))
    mo.vstack([
        charts.decision_region_row(_picture.result, panels.panel_title),
        mo.md(prose.picture_note(_picture.config, _picture.result.seconds)),
        # The panels above show every r at once; the same networks on one plane wait in a closed section (issue 26).
        fold.how(mo.md("The same networks on one plane — step **r** through its values to move the poisons (the "
                       "black-edged diamonds) out from their class and watch the boundary follow them. This runs in your "
                       "browser (it also works in the exported static page)."),
                 explore.or_note(charts.regions_by_r, _picture.result.grid, _picture.result.points),
                 title=prose.PICTURE_EXPLORE),
    ])
    return


@app.cell(hide_code=True)
def _():
    # The shipped runs at more seeds; a missing or altered file is reported, not drawn.
    reference = page.load(labelnoise.load_reference)
    mo.vstack([
        mo.md(f"## Reference: more seeds, and the thesis's variants\n\n{prose.reference_intro()}"),
        reference.show(panels.reference_panel, what="The reference runs cannot be shown.", once="labelnoise.reference"),
    ])
    return (reference,)


@app.cell(hide_code=True)
def _(reference):
    _dip = page.load(lambda: labelnoise.load_reference("dip"))  # the μ × σ sweep of the dip's position
    # The μ × σ sweep's table and statistics in a closed section (issue 26): the bullets carry the finding.
    _question, _variants = prose.notice_parts(reference.table)
    mo.vstack([mo.md("## What to notice\n\n" + _question),
               fold.how(prose.dip_position_notice(_dip.table), title=prose.DIP_SWEEP),
               fold.how(_variants, title=prose.VARIANTS), mo.md(prose.try_next())])
    return


@app.cell(hide_code=True)
def _(reference):
    _table = reference.table  # without it, the warning above already says why
    _short, _details = ("", "") if _table is None else prose.mnist_notice_parts(_table)
    mo.vstack([mo.md(r"""
    ## On MNIST: which training images are worth mislabeling? (thesis §4.10)

    A clean network is trained on MNIST 0s and 1s, and each training image is scored by how far it must move
    before that network changes its mind. Networks are then retrained with a few labels flipped, taken from one
    distance bucket at a time (bucket 1: nearest the boundary) or at random (orange).
    """), *([] if _table is None else [
        mo.md(prose.mnist_caption(_table)),
        charts.bucket_accuracy(panels.mnist_reference(_table), clean=prose.mnist_clean_accuracy(_table)),
        mo.md(_short), fold.how(prose.MNIST_METHOD, _details, title=prose.MNIST_HOW)]),
    ])
    return


@app.cell(hide_code=True)
def _():
    mnist_defaults = labelnoise_mnist.MnistBucketsConfig()
    _ui3 = forms.Controls(prefix="mnist.", renamed=panels.MNIST_RENAMED)
    mnist_form = panels.mnist_form(_ui3, mnist_defaults)
    _ui3.with_warnings(mnist_form)
    return mnist_defaults, mnist_form


@app.cell(hide_code=True)
def _(mnist_defaults, mnist_form):
    # Only on request: the live MNIST run takes tens of seconds on a CPU.
    _live = None if mnist_form.value is None else page.attempt(
        mnist_form, panels.mnist_config, panels.run_mnist, prefix="mnist.", title="MNIST", total=panels.MNIST_STAGES,
        memo="labelnoise.mnist")
    _res = None if _live is None else _live.result
    if _live is None:
        _out = mo.md(f"*Press the button to run the reduced version ({mnist_defaults.n_train} training images, "
                     f"ω = {mnist_defaults.path_step:g}).*")
    elif _res is None:
        _out = page.cannot_run(_live.problem)
    else:
        _out = mo.vstack([
            mo.md(f"Ran in {_res.seconds:.1f} s on {_res.device}; clean network's adversarial accuracy "
                  f"{_res.clean_adversarial_accuracy:.3f}."),
            *page.warnings(_res),
            mo.hstack([charts.bucket_accuracy(_res.summary, clean=_res.clean_adversarial_accuracy),
                       charts.path_length_histogram(_res.scores)], justify="start", wrap=True),
        ])
    _out
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
