# /// script
# requires-python = ">=3.11"
#
# [tool.marimo.opengraph]
# title = "Lesson 2 · Regularization against poisoning"
# description = "Does L2 regularization protect a classifier from a poisoning point? Place the poison, move λ, and watch the error map flatten — then let the defender learn λ against the optimal attack."
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Lesson 2 · Regularization against poisoning")


@app.cell(hide_code=True)
def _():
    import marimo as mo

    from poisoncourse.regularization import charts
    from poisoncourse.share import explore, links
    from poisoncourse.regularization import experiment as rg
    from poisoncourse.regularization import mnist as rm
    from poisoncourse.core.errors import CourseError
    return CourseError, charts, explore, links, mo, rg, rm


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Lesson 2 · Does regularization help against poisoning?

    **The question.** An attacker adds one point, with a wrong label, to a small training set.
    How much can it raise the error of a logistic regression — and does L2 regularization,
    the penalty $\frac{e^{\lambda}}{2}\|\theta\|^2$, protect the model?

    Carnerero-Cano, Muñoz-González, Spencer and Lupu,
    [*Regularization can help mitigate poisoning attacks… with the right hyperparameters*](https://arxiv.org/abs/2105.10948)
    (ICLR 2021 workshop), answer: **only with the right λ**. A λ fixed in advance makes
    regularization look useless (too small) or costly (too large); a λ chosen *against the
    attack* — a minimax problem — keeps the error near its clean level, and grows with the attack.

    Below: the paper's 2-D example (App. C.1). Two Gaussian classes, 32 training and 64
    validation points, one poisoning point (red diamond) anywhere in the box $[-9.5, 9.5]^2$.
    Every cell of the heatmaps is a model trained with the poison at that cell — thousands of
    logistic regressions, solved together as one batched Newton problem.
    """)
    return


@app.cell(hide_code=True)
def _(links, mo, rg):
    defaults = rg.HeatmapConfig()
    _start = rg.cloned_poison(defaults.seed, defaults.poison_label)
    ui = links.Controls(renamed={"alpha": "step_size", "beta": "lam_step"})
    form = ui.form(
        """
        **Regularization** {lam}

        **Poison** {x1} {x2} labelled as {label}

        **Optimal attack** {steps} {step_size} {learn} {lam_step}

        **Maps** {resolution} {lam_values} · data seed {seed}
        """,
        submit_button_label="Train",
        lam=ui.slider(-8.0, 6.0, 0.1, value=round(defaults.lam, 1), show_value=True, label="λ (log scale)"),
        x1=ui.slider(-9.5, 9.5, 0.1, value=round(_start[0], 1), show_value=True, label="x₁"),
        x2=ui.slider(-9.5, 9.5, 0.1, value=round(_start[1], 1), show_value=True, label="x₂"),
        label=ui.dropdown({"class 0 (green)": 0, "class 1 (blue)": 1}, value="class 0 (green)"),
        steps=ui.slider(0, 150, 5, value=defaults.attack_steps, show_value=True, label="steps"),
        step_size=ui.slider(0.05, 2.0, 0.05, value=defaults.step_size, show_value=True, label="poison step α"),
        learn=ui.checkbox(value=False, label="learn λ (minimax)"),
        lam_step=ui.slider(0.05, 2.0, 0.05, value=defaults.lam_step, show_value=True, label="λ step β"),
        resolution=ui.slider(10, 60, 5, value=defaults.resolution, show_value=True, label="grid"),
        lam_values=ui.slider(3, 30, 1, value=defaults.lam_values, show_value=True, label="λ values in B"),
        seed=ui.number(0, 100_000, 1, value=defaults.seed, label=""),
    )
    mo.vstack([mo.md("## Controls"), ui.with_warnings(form)])
    return defaults, form


@app.cell(hide_code=True)
def _(CourseError, defaults, form, links, mo, rg):
    # Until the student presses Train (and in headless runs and exports, where nobody can),
    # the lesson runs what the form shows: the defaults, or the settings of the link that
    # opened it. A submitted form goes into the URL, so the link reproduces this run.
    def _config():
        v = links.values(form)
        return rg.HeatmapConfig(lam=v["lam"], poison=(v["x1"], v["x2"]), poison_label=v["label"],
                                attack_steps=v["steps"], step_size=v["step_size"], learn_lam=v["learn"],
                                lam_step=v["lam_step"], resolution=v["resolution"], lam_values=v["lam_values"],
                                seed=v["seed"])

    result, problem = None, None
    try:
        config = _config()
        with mo.status.spinner(title="Training…", subtitle=f"{config.resolution ** 2 * (config.lam_values + 1):,} models"):
            result = rg.run(config)
    except CourseError as err:
        config, problem = defaults, err
    links.write(form.value)
    mo.stop(problem is not None, mo.callout(mo.md(f"**That setting cannot run.** {problem}"), kind="danger"))
    return config, result


@app.cell(hide_code=True)
def _(charts, config, mo, result, rg):
    _models = config.resolution ** 2 * (config.lam_values + 1)
    _last = result.path.iloc[-1]
    mo.vstack([
        mo.md(
            f"""
            ## The live result

            **A** (left): validation error when the poison sits at each location, at λ = {config.lam:.2f}.
            Dashed white: the boundary learned without the poison; red: with the poison where you put it.
            Orange: the optimal attack's path from there ({config.attack_steps} steps of projected
            hypergradient ascent{", with λ learned at the same time" if config.learn_lam else ""}).
            **B** (right): for each location, the λ in [−8, 6] that minimizes validation error.
            """
        ),
        mo.hstack([
            mo.stat(f"{result.seconds:.2f} s", label="retrain took", caption=f"{_models:,} logistic regressions"),
            mo.stat(result.device, label="ran on"),
            mo.stat(f"{result.clean_error:.1%}", label="clean validation error", caption=f"λ = {config.lam:.2f}"),
            mo.stat(f"{result.poisoned_error:.1%}", label="with your poison"),
            mo.stat(f"{_last.val_error:.1%}", label="after the attack",
                    caption=f"λ = {_last.lam:.2f}" if config.learn_lam else f"{config.attack_steps} steps"),
        ], justify="start"),
        *[mo.callout(mo.md(w), kind="warn") for w in result.warnings],
        mo.hstack([
            charts.poison_error_map(result.grid, result.points, result.boundaries, result.path, box=rg.BOX,
                                    title=f"A · validation error, λ = {config.lam:.2f}"),
            charts.best_lam_map(result.grid, result.points, box=rg.BOX, lam_range=rg.LAM_RANGE),
        ], justify="start"),
        charts.attack_trace(result.path),
    ])
    return


@app.cell(hide_code=True)
def _(mo, result):
    import numpy as np

    _small, _clean = result.maps[0], result.clean_errors[0]
    _r = np.corrcoef(result.grid.damage_small, result.grid.best_lam)[0, 1]
    mo.md(
        f"""
        **In numbers, for this seed.** At λ = −8 the worst poison location gives
        {_small.max():.1%} validation error against {_clean:.1%} clean; across the grid, the
        damage a location does at λ = −8 and the best λ there correlate with r = {_r:.2f}.
        """
    )
    return


@app.cell(hide_code=True)
def _(explore, mo, result, rg):
    mo.vstack([
        mo.md(
            """
            ### Explore: the damage map at every λ

            The same run, one map per λ of heatmap B's grid. Drag **log λ**: with little
            regularization a poison placed almost anywhere on the wrong side does damage; as λ grows
            the damaging region shrinks and fades, until the penalty flattens every boundary. The
            slider runs in your browser over results already computed — it also works in the
            exported static page, with no Python behind it.
            """
        ),
        explore.or_note(explore.error_map_by_lam, result.lams, result.maps, rg.BOX),
    ])
    return


@app.cell(hide_code=True)
def _(CourseError, rm):
    # The shipped Fig. 2 curves; a missing or altered file is reported, not drawn.
    try:
        mnist_reference, mnist_reference_problem = rm.average(rm.load_reference().table), None
    except CourseError as err:
        mnist_reference, mnist_reference_problem = None, str(err)
    return mnist_reference, mnist_reference_problem


@app.cell(hide_code=True)
def _(links, rm):
    _ui = links.Controls(prefix="mnist.")
    mnist_form = _ui.form(
        """
        **Live attack on MNIST** — {poisons} {modes} {steps} · data split {seed}
        """,
        submit_button_label="Attack",
        poisons=_ui.dropdown({"17 (one batch)": 17, "34 (two batches)": 34}, value="17 (one batch)",
                             label="poisons"),
        modes=_ui.multiselect({v: k for k, v in rm.MODES.items()},
                              value=[rm.MODES[m] for m in ("small", "large", "learned")], label="λ set by"),
        steps=_ui.slider(5, 50, 5, value=20, show_value=True, label="steps per batch"),
        seed=_ui.number(0, 100, 1, value=0, label=""),
    )
    mnist_controls = _ui.with_warnings(mnist_form)
    return mnist_controls, mnist_form


@app.cell(hide_code=True)
def _(CourseError, links, mnist_form, mo, rm):
    # The live MNIST attack takes a minute or more on a shared CPU: it runs only when the
    # student asks (headless runs and exports show the shipped curves alone).
    mnist_live, mnist_problem = None, None
    if mnist_form.value is not None:
        try:
            _v = mnist_form.value
            _config = rm.MnistPoisoningConfig(poisons=_v["poisons"], modes=tuple(_v["modes"]), attack_steps=_v["steps"],
                                     lam_steps=_v["steps"], seed=_v["seed"])
            with mo.status.progress_bar(total=rm.total_steps(_config), title="Optimizing the poisons…",
                                        show_eta=True) as _bar:
                def _progress(done, total):
                    _bar.update(increment=1)

                mnist_live = rm.run(_config, progress=_progress)
        except CourseError as err:
            mnist_problem = str(err)
        links.write(mnist_form.value, prefix="mnist.")
    return mnist_live, mnist_problem


@app.cell(hide_code=True)
def _(charts, mnist_controls, mnist_live, mnist_problem, mnist_reference, mnist_reference_problem, mo, rm):
    import pandas as pd

    _parts, _notes = [], []
    if mnist_reference is not None:
        _parts.append(mnist_reference.assign(source=f"shipped (T = {rm.REFERENCE_STEPS} per batch)"))
    else:
        _notes.append(mo.callout(mo.md(f"**The shipped curves cannot be shown.** {mnist_reference_problem}"), kind="warn"))
    if mnist_problem is not None:
        _notes.append(mo.callout(mo.md(f"**That setting cannot run.** {mnist_problem}"), kind="danger"))
    if mnist_live is not None:
        _parts.append(mnist_live.table.assign(source=f"live (T = {mnist_live.config.attack_steps})"))
        _notes.append(mo.md(f"Live attack: {mnist_live.seconds:.0f} s on {mnist_live.device}."))
    mo.vstack([
        mo.md(
            f"""
            ## MNIST '0' vs '8' (Fig. 2)

            512 training, 171 validation and 317 test images, pixels in [0, 1]. Poisons are
            validation images with flipped labels, optimized {rm.BATCH} at a time by the same
            hypergradient ascent (in all 784 pixels), earlier batches staying put. Four defenders:
            λ fixed small (−8), λ fixed large (log 200), λ chosen by 5-fold cross-validation on
            the clean training set, and λ learned against the attack. Every model is trained to
            its optimum: a truncated training run would act as hidden regularization and hide
            the attack.
            """
        ),
        mnist_controls,
        *_notes,
        charts.poisoning_curves(pd.concat(_parts, ignore_index=True)) if _parts else mo.md(""),
        mo.md(
            f"""
            The shipped curves come from `{rm.REFERENCE_COMMAND}`: one data split and
            {rm.REFERENCE_STEPS} hyperiterations per batch — the paper averages 10 splits with 100
            steps, hours on a shared CPU.
            """
        ),
    ])
    return


@app.cell(hide_code=True)
def _(mnist_reference, mo):
    def _at(mode, poisons, column):
        rows = mnist_reference[(mnist_reference.mode_key == mode) & (mnist_reference.poisons == poisons)]
        return float(rows[column].iloc[0])

    if mnist_reference is None:
        _text = ""
    else:
        _last = int(mnist_reference.poisons.max())
        _err = {m: (_at(m, 0, "test_error"), _at(m, _last, "test_error")) for m in ("small", "large", "cv", "learned")}
        _text = f"""
        **In the shipped curves** (0 → {_last} poisons): test error goes from {_err["small"][0]:.1%} to
        {_err["small"][1]:.1%} with λ = −8 and from {_err["cv"][0]:.1%} to {_err["cv"][1]:.1%} with the
        cross-validated λ; the learned λ keeps it at {_err["learned"][1]:.1%}, while rising from
        {_at("learned", 0, "lam"):.2f} to {_at("learned", _last, "lam"):.2f} as ‖w‖² falls from
        {_at("learned", 0, "w_norm2"):.2f} to {_at("learned", _last, "w_norm2"):.2f}. λ = log 200 is stable
        ({_err["large"][0]:.1%} → {_err["large"][1]:.1%}) but underfits clean data. Unlike the paper,
        here the learned λ ends *above* the large-λ error at the highest fractions: one split and 30
        steps per batch (the paper: 10 splits, 100 steps) may explain it — we have not measured whether more close the gap.
        """
    mo.md(_text)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## What to notice

    * **Unregularized, one point moves the boundary.** Set λ = −8 and press **Train**: heatmap A
      lights up where a mislabelled point far out on the other class's side pulls the boundary
      over; move the poison there and the red line swings.
    * **Large λ flattens the map.** At λ = log 20 ≈ 3 (the paper's choice), the map is almost
      uniform: wherever the poison goes, the boundary barely moves.
    * **The right λ depends on the attack.** Heatmap B is brightest (largest λ) exactly where A
      at small λ is brightest: the more a point can hurt, the more regularization pays.
    * **Learning λ answers the attack.** Start at λ = −8, tick *learn λ* and train: as the poison
      climbs the validation loss, the defender raises λ and the loss falls back.
    * **On MNIST a fixed λ misleads.** λ = −8, and even the λ that cross-validation picks on clean
      data, let the error climb with every batch of poisons; the learned λ grows with the attack
      and holds the error down — at the cost of a smaller ‖w‖².

    ## Try next

    1. Set λ = −8, put the poison on the brightest cell of heatmap A, then raise λ step by
       step: when does the red boundary stop moving?
    2. Give the poison the other label: the bright regions move to the other side.
    3. Raise the poison step α to 2: the attack overshoots and jumps along the box's edge.
    4. Change the data seed: the numbers change, the pattern does not.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## The math

    **Model.** Logistic regression $f(x) = \sigma(w^\top x + b)$, $\theta = (w, b)$, labels
    $y \in \{-1, +1\}$, trained on $\mathcal D'_{tr} = \mathcal D_{tr} \cup \mathcal D_p$:
    $$\mathcal L(\mathcal D'_{tr}, \lambda, \theta) = \frac1n \sum_{i=1}^{n}
    \log\!\left(1 + e^{-y_i (w^\top x_i + b)}\right) + \frac{e^{\lambda}}{2}\|\theta\|^2 .$$
    $\lambda$ lives in log space. Strongly convex, so every model is trained *to its optimum*
    $\theta^*$ by Newton's method — all grid cells at once.

    **The attack (Eq. 1).** The attacker maximizes the validation loss
    $\mathcal A = \mathcal L(\mathcal D_{val}, \theta^*)$ over the poison's features $x_p$; the
    defender minimizes it over $\lambda$:
    $$\min_{\lambda} \max_{x_p \in [-9.5, 9.5]^2} \mathcal L(\mathcal D_{val}, \theta^*)
    \quad \text{s.t.} \quad \theta^* = \arg\min_\theta \mathcal L(\mathcal D'_{tr}, \lambda, \theta).$$

    **Hypergradients.** At the optimum $\nabla_\theta \mathcal L = 0$, so by the implicit function
    theorem, with $H = \nabla^2_\theta \mathcal L$,
    $$\frac{d\mathcal A}{d x_p} = -\Big(\frac{\partial^2 \mathcal L}{\partial\theta\,\partial x_p}\Big)^{\!\top}
    H^{-1} \nabla_\theta \mathcal A, \qquad
    \frac{d\mathcal A}{d \lambda} = -e^{\lambda}\, \theta^{*\top} H^{-1} \nabla_\theta \mathcal A .$$
    (The paper differentiates through $T$ unrolled training steps instead; for a strongly convex
    problem both agree as $T \to \infty$.)

    **Updates (Eq. 2).** $x_p \leftarrow \Pi\big(x_p + \alpha\, \nabla_{x_p}\mathcal A / \|\nabla_{x_p}\mathcal A\|\big)$
    and, when λ is learned, $\lambda \leftarrow \Pi\big(\lambda - \tfrac{\beta}{\sqrt{t+1}}\,
    \mathrm{sign}\, \partial_\lambda \mathcal A\big)$, $\Pi$ projecting onto the box and onto $[-8, 6]$.
    The paper does not say how it scales raw hypergradients; normalized steps make α a
    distance.

    **Heatmap B** picks, per poison location, the λ of least validation *error* on a grid of
    [−8, 6] (App. C.1); ties (the error moves in steps of 1/64) go to the smaller validation loss.
    """)
    return


if __name__ == "__main__":
    app.run()
