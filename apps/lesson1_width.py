# /// script
# requires-python = ">=3.11"
#
# [tool.marimo.opengraph]
# title = "Lesson 1 · The width U-curve"
# description = "When the training data are poisoned, is a wider network always better? Train a sweep of widths on clean and poisoned digits and watch accuracy rise, plateau and fall as wide networks memorize the poison."
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Lesson 1 · The width U-curve")


@app.cell(hide_code=True)
def _():
    import time

    import marimo as mo
    import pandas as pd

    from poisoncourse.width import charts
    from poisoncourse.share import explore, links
    from poisoncourse.width import convex as CV
    from poisoncourse.width import poison
    from poisoncourse.width import experiment as W
    from poisoncourse.core.errors import CourseError
    return CV, CourseError, W, charts, explore, links, mo, pd, poison, time


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Lesson 1 · The width U-curve: poisoned training punishes networks that are too wide

    **The question.** Deep-learning folklore says *wider is better*: more hidden units, better test
    accuracy. Does that survive when an adversary has poisoned the training data?

    Wang, Mianjy and Arora,
    [*Robust learning for data poisoning attacks*](https://proceedings.mlr.press/v139/wang21r.html)
    (ICML 2021), prove that SGD on a two-layer ReLU network learns despite poisoning only when its
    width is bounded **from below and from above**, and show on MNIST that clean test accuracy
    against width is an *inverted U* under poisoning, while training on clean data only improves
    with width. Below, a sweep of two-layer networks of different widths trains live — each width on
    the clean and on the poisoned training set, several seeds, with the hidden units of all widths
    side by side in one batched computation (the curve is drawn as soon as the first widths finish).
    The paper's own CNN is one choice away, at 28×28 and smaller sweeps (it is slow on a CPU).
    """)
    return


@app.cell(hide_code=True)
def _(W, links, mo, poison):
    defaults = W.WidthConfig()
    all_widths = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
    ui = links.Controls()
    form = ui.form(
        """
            **Attack** {regime} {flip_prob} {budget} {attack_loss}

            **Networks** — {victim} · widths {widths} highlighted width {highlight} · input resolution {resolution}

            **Training** — epochs {epochs} · learning rate {lr} · early stopping {early_stopping}

            **Data and repeats** — training samples {n_train} · seeds {seeds} · first seed {seed}
            """,
        submit_button_label="Train",
        regime=ui.dropdown({v: k for k, v in W.REGIMES.items()}, value=W.REGIMES[defaults.regime],
                           label="regime"),
        flip_prob=ui.slider(0.0, 0.5, 0.05, value=defaults.flip_prob, show_value=True, label="β (regime C)"),
        budget=ui.slider(0.0, 5.0, 0.1, value=defaults.budget, show_value=True,
                         label="budget (A: average ‖δᵢ‖ = C/√n; B: B)"),
        attack_loss=ui.dropdown({v: k for k, v in poison.ATTACK_LOSSES.items()},
                                value=poison.ATTACK_LOSSES[defaults.attack_loss], label="attack loss (A, B)"),
        victim=ui.dropdown({v: k for k, v in W.VICTIMS.items()}, value=W.VICTIMS[defaults.victim], label=""),
        widths=ui.multiselect({str(w): w for w in all_widths}, value=[str(w) for w in defaults.widths],
                              label=""),
        highlight=ui.dropdown({"middle": None, **{str(w): w for w in all_widths}}, value="middle", label=""),
        resolution=ui.dropdown({"7×7": 7, "14×14": 14, "28×28": 28}, value="7×7", label=""),
        epochs=ui.slider(5, 200, 5, value=defaults.epochs, show_value=True, label=""),
        lr=ui.number(0.001, 1.0, 0.001, value=defaults.lr, label=""),
        early_stopping=ui.dropdown({v: k for k, v in W.EARLY_STOPPING.items()},
                                   value=W.EARLY_STOPPING[defaults.early_stopping], label=""),
        n_train=ui.slider(200, 3000, 100, value=defaults.n_train, show_value=True, label=""),
        seeds=ui.slider(1, 5, 1, value=defaults.seeds, show_value=True, label=""),
        seed=ui.number(0, 100_000, 1, value=defaults.seed, label=""),
    )
    ui.with_warnings(form)
    return defaults, form


@app.cell(hide_code=True)
def _(CourseError, W, charts, defaults, form, links, mo, pd, time):
    # Until the student presses Train (and in headless runs and exports, where nobody can),
    # the lesson runs what the form shows: the defaults, or the settings of the link that
    # opened it. A submitted form goes into the URL, so the link reproduces this run.
    def _config():
        v = dict(links.values(form))
        v["widths"] = tuple(sorted(v["widths"]))
        return W.WidthConfig(**v)

    result, problem = None, None
    try:
        config = _config()
        _total = config.epochs * len(config.widths)
        _rows, _shown = [], []
        with mo.status.progress_bar(total=_total, title="Training the width sweep…", show_eta=True) as _bar:
            _last = [0.0]

            def _progress(done, total):
                # Every bar update resends the cell's whole output — with a partial curve shown, its
                # chart too, which the browser then redraws: at most one update a second then.
                _now = time.monotonic()
                if not _shown or _now - _last[0] >= 1.0 or done == total:
                    _bar.update(increment=done - _bar.current)
                    _last[0] = _now

            def _on_widths(widths, rows):
                # Redraw the curve so far under the progress bar (only the finished widths, no reference
                # series: cheap to draw), replacing the previous partial one. Not after the last group:
                # the full chart comes below at once.
                _rows.extend(rows)
                _bar.update(increment=0, subtitle=f"widths {', '.join(map(str, widths))} done")
                if len({r["width"] for r in _rows}) == len(config.widths):
                    return
                _chart = charts.width_accuracy(W.summarize(pd.DataFrame(_rows)),
                                               W.ACCURACY_COLUMN[config.early_stopping],
                                               title="clean test accuracy, widths so far")
                if _shown:
                    mo.output.replace_at_index(_chart, 1)
                else:
                    mo.output.append(_chart)
                    _shown.append(True)

            result = W.run(config, progress=_progress, on_widths=_on_widths, max_seconds=W.LIVE_MAX_SECONDS)
        if _shown:  # the full chart comes below: leave only the finished progress bar here
            mo.output.replace(_bar)
    except CourseError as err:
        config, problem = defaults, err
    links.write(form.value)
    mo.stop(problem is not None, mo.callout(mo.md(f"**That setting cannot run.** {problem}"), kind="danger"))
    return config, result


@app.cell(hide_code=True)
def _(CourseError, W):
    # The shipped sweep; a missing or altered file is reported, not drawn.
    try:
        _shipped = W.load_reference()
        reference, reference_meta = _shipped.table, _shipped.meta
        reference_problem = None
    except CourseError as err:
        reference, reference_meta, reference_problem = None, None, str(err)
    paper = W.paper_fig3()
    return paper, reference, reference_meta, reference_problem


@app.cell(hide_code=True)
def _(W, charts, config, mo, paper, pd, result):
    _col = result.accuracy_column
    _paper = paper[paper.regime == ("clean" if config.regime == "clean" else config.regime)]
    _extra = pd.concat([
        _paper.assign(series="paper Fig. 3 (CNN, full MNIST)", run="paper Fig. 3"),
        paper[paper.regime == "clean"].assign(series="paper Fig. 3 (CNN, full MNIST)", run="paper Fig. 3, clean"),
    ]) if config.regime != "clean" else _paper.assign(series="paper Fig. 3 (CNN, full MNIST)", run="paper Fig. 3")
    _gap = W.u_curve_gap(result.summary, _col) if config.regime != "clean" else float("nan")
    _verdict = (
        f"Best interior width beats both ends by **{100 * _gap:.1f} points**: an inverted U."
        if _gap >= 0.02 else
        f"Best interior width beats the better end by {100 * _gap:+.1f} points: no clear inverted U in this run."
    ) if _gap == _gap else ""
    mo.vstack([
        mo.md(
            f"""
            ## The live result

            Clean test accuracy against hidden width, {W.EARLY_STOPPING[config.early_stopping]}.
            Regime {config.regime}: {config.attack_size()}; {W.VICTIMS[config.victim].split(" (")[0]} on
            {config.n_train:,} training digits at {config.resolution}×{config.resolution}, {config.epochs} epochs,
            SGD (momentum {config.momentum:g}, learning rate {config.lr:g}). Line: mean over
            {config.seeds} seed(s); band: ± one standard deviation. {_verdict}
            """
        ),
        mo.hstack([
            mo.stat(f"{result.seconds:.1f} s", label="sweep took", caption=f"{len(config.widths)} widths"),
            mo.stat(result.device, label="ran on"),
            mo.stat(str(len(config.widths) * len(config.variants) * config.seeds), label="networks trained",
                    caption="widths side by side, batched"),
        ], justify="start"),
        *[mo.callout(mo.md(w), kind="warn") for w in result.warnings],
        charts.width_accuracy(result.summary, _col, title="clean test accuracy", highlight=config.highlight,
                              extra=_extra),
        mo.md("Diamonds, dashed: the paper's Fig. 3 (a CNN on all 60,000 MNIST digits; values read from "
              "the authors' plot, `data/paper000_fig3.csv`) — compare shapes, not levels."),
    ])
    return


@app.cell(hide_code=True)
def _(charts, config, mo, result):
    mo.vstack([
        mo.md(
            """
            ## Why the wide networks fall: they memorize the poison

            Left: the fraction of its *own* training labels each network fits at the end — for the
            poisoned networks, the poisoned labels. Right: the poisoned networks' test accuracy three
            ways — after the last epoch, and stopped at the epoch with the best accuracy on a held-out
            validation split that is itself **poisoned** (all a defender has) or **clean** (an oracle).
            """
        ),
        mo.hstack([charts.width_fit(result.summary), charts.width_stopping_views(result.summary)],
                  justify="start"),
        mo.md(f"### During training, at the highlighted width m = {config.highlight}"),
        charts.width_epochs(result.curves, config.highlight),
    ])
    return


@app.cell(hide_code=True)
def _(explore, mo, result):
    mo.vstack([
        mo.md(
            """
            ### Explore: the curve as training goes on

            The same run, mean accuracy against width after any epoch. Drag **after epoch** from
            the end back to the start: early on, wider is better under poison too; the fall at
            large width appears as the wide networks go on to memorize the flipped labels. The
            slider runs in your browser over results already computed — it also works in the
            exported static page.
            """
        ),
        explore.or_note(explore.width_by_epoch, result.curves),
    ])
    return


@app.cell(hide_code=True)
def _(charts, config, mo, result):
    if result.norms.empty:
        _out = mo.callout(mo.md("Choose regime **A** or **B** with a budget above 0 to see how each attack loss "
                                "spreads its perturbations over the training samples."), kind="info")
    else:
        _out = charts.perturbation_norms(result.norms)
    mo.vstack([
        mo.md(
            f"""
            ## Where the attack spends its budget (paper Fig. 1)

            Histogram of per-sample perturbation norms $\\|\\delta_i\\|$ for the first seed, from the
            *negated loss* and from plain cross-entropy at the same budget ({config.attack_size()}).
            Cross-entropy keeps pushing samples that are already misclassified, so it leaves many
            untouched and piles the budget on a few; the negated loss stops rewarding a sample once
            it is misclassified and spreads the budget.
            """
        ),
        _out,
    ])
    return


@app.cell(hide_code=True)
def _(W, charts, config, mo, pd, reference, reference_meta, reference_problem):
    if reference is None:
        _out = mo.callout(mo.md(f"**The shipped sweep cannot be shown.** {reference_problem}"), kind="warn")
        _about = ""
    else:
        _settings = reference_meta["settings"]["configs"]
        _parts = []
        for (_reg, _res, _b), _rows in reference.groupby(["regime", "resolution", "budget"], sort=False):
            _parts.append(mo.vstack([
                mo.md(f"**Regime {_reg}** ({'β' if _reg == 'C' else 'budget'} = {_b:g}), {_res}×{_res}. "
                      f"Best interior width minus the better end width: "
                      f"{100 * W.u_curve_gap(_rows, 'stopped_poisoned_val'):+.1f} points stopped early, "
                      f"{100 * W.u_curve_gap(_rows, 'final_accuracy'):+.1f} points at the last epoch "
                      f"(positive: an inverted U)."),
                mo.hstack([
                    charts.width_accuracy(_rows, "stopped_poisoned_val", title="stopped on poisoned validation"),
                    charts.width_accuracy(_rows, "final_accuracy", title="last epoch"),
                    charts.width_fit(_rows),
                ], justify="start"),
            ]))
        _out = mo.vstack(_parts)
        _c = _settings[0]
        _about = (f"{len(_c['widths'])} widths from {min(_c['widths'])} to {max(_c['widths']):,}, {_c['seeds']} seeds, "
                  f"{_c['epochs']} epochs, n = {_c['n_train']:,} training digits, made "
                  f"{reference_meta['created']} by `{reference_meta['command']}`.")
    mo.vstack([
        mo.md(
            f"""
            ## Reference: the shipped sweep

            The same experiment at a larger scale, precomputed by this package and shipped under
            `data/reference/width.csv`: {_about} (The shipped file was computed on an NVIDIA H100 in
            270 s; each width's 5–10 networks trained as one batched computation.)

            **What it shows — honestly.**

            * *Label flips (regime C, β = 0.3), stopped early on the poisoned validation split:* the
              inverted U, but a shallow one. Accuracy climbs from ≈ 0.34 (m = 2) to a plateau of
              ≈ 0.79–0.81 at m ≈ 16–512 and ends at ≈ 0.78 at m = 16,384 — 2–3 points below the
              plateau, about one standard deviation over 5 seeds. The paper's fall (97.6 % → 94 %
              at m = 10⁵, a CNN on 60,000 digits) is of the same size.
            * *Label flips, last epoch:* no inverted U but **double descent**. The peak comes early
              (m = 8–16, while the fit to the poisoned labels is still ≈ 0.6–0.8); as the fit reaches
              1.0 (m ≈ 32–128) accuracy drops by 6–10 points; past that it slowly recovers
              (≈ 0.71 at m = 16,384, still far below the early peak at 7×7, and slightly above it at
              14×14).
            * *Clean-label attacks (A, B; budget 1.0 at 14×14):* **not reproduced.** Accuracy rises
              with width all the way (≈ 0.10 at m = 2 → ≈ 0.78 at m = 16,384) with no fall. Our
              perturbations, crafted against a clean-trained width-128 network, fool narrow victims
              almost completely; wider victims pick up features the attack did not target. The
              paper's decline at m ≈ 10⁵ may need wider networks, the paper's CNN, or its weaker
              (stochastic) attack — this sweep cannot say which.
            * *Clean training:* rises and stays flat (≈ 0.93–0.94 from m = 64 on), as in the paper.
            """
        ),
        _out,
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## What to notice

    * **Clean training only gets better with width** (green): past a few dozen hidden units the
      curve is flat.
    * **Poisoned training rises, plateaus and falls** (red): too narrow, the network cannot even
      fit the clean signal; too wide, it fits the poison too.
    * **Memorization is the cause.** The fit to the poisoned labels climbs towards 1.0 with width: a
      wide network learns every flipped label. Where the fit approaches 1.0, test accuracy drops.
    * **Two views, two shapes.** Stopped early on a validation split, the wide networks are caught
      before they finish memorizing, and the curve is an inverted U. Trained to the end, every net
      wide enough memorizes the flips, and the curve shows a *double-descent* dip near the width
      where the network just manages to interpolate, then recovers a little. Both effects are a few
      points, comparable to the spread over seeds: with 2 seeds a live run can miss them; the
      shipped sweep (5 seeds, widths to 16,384) shows them more reliably.
    * **The U is the label-flip story.** In the shipped sweep the clean-label attacks (A, B) do
      *not* give an inverted U — wider is better there at every width we tried (see below).
    * **The negated loss is the stronger attack** (regimes A, B): at the same budget it lowers
      accuracy much more than cross-entropy — compare the histograms.

    ## Try next

    1. Set early stopping to *none* and press **Train**: the last-epoch curve and its dip.
    2. Raise the epochs to 100: the wide networks memorize more, and fall further.
    3. Regime A with budget 0.8, then switch the attack loss to cross-entropy.
    4. Set β = 0: the poisoned curve joins the clean one — the U needs poison.
    5. Resolution 14×14: more inputs, more capacity per hidden unit; the peak moves to narrower widths.
    """)
    return


@app.cell(hide_code=True)
def _(CV, links, mo, poison):
    convex_defaults = CV.ConvexConfig()
    _ui = links.Controls(prefix="convex.")
    convex_form = _ui.form(
        """
            **Linear model on 7×7 digits** — ridge λ {lam} · attack loss {attack_loss} · seeds {seeds}
            · first seed {seed}
            """,
        submit_button_label="Fit the linear models",
        lam=_ui.dropdown({"0.01": 0.01, "0.03": 0.03, "0.1": 0.1}, value="0.01", label=""),
        attack_loss=_ui.dropdown({v: k for k, v in poison.ATTACK_LOSSES.items()},
                                 value=poison.ATTACK_LOSSES[convex_defaults.attack_loss], label=""),
        seeds=_ui.slider(1, 5, 1, value=convex_defaults.seeds, show_value=True, label=""),
        seed=_ui.number(0, 100_000, 1, value=convex_defaults.seed, label=""),
    )
    mo.vstack([
        mo.md(
            r"""
            ## Before networks: the convex warm-up (paper Sec. 2, Fig. 2)

            The paper starts with a linear model, where the argument is short. SGD fed poisoned
            gradients $\tilde g_t = \hat g_t + \zeta_t$ on a convex objective still reaches excess risk

            $$\mathbb E F(\bar w) - F(w_*) \le \frac{5D(G + B')}{2\sqrt T} + \frac{2D\sum_t \|\zeta_t\|}{T}
            \quad\text{(Theorem 2.2)}.$$

            A clean-label attack with overall budget $\sum_i \|\delta_i\| \le C\sqrt n$ makes the
            second term about $2DC/\sqrt n$: it decays with $n$, and says something only while
            $C \lesssim \sqrt n$. Below, a linear softmax model $w_*$ is fitted on 4,000 clean digits;
            then, for each sample size $n$ and budget $C$, the first $n$ digits are poisoned against
            $w_*$ (regime A, projected gradient ascent inside the $\ell_{2,1}$ ball and the pixel box)
            and a linear model $w^*_n$ is fitted on them. Norms are in pixel units of the 7×7 images
            (pixels in [0, 1]; a whole digit has $\|x\| \approx 1.8$), so $C\sqrt n$ is the total
            length of all perturbations and $C/\sqrt n$ their average. Excess loss and error are
            measured on 1,000 held-out clean digits. The fits minimize the mean cross-entropy plus a small ridge
            $\tfrac\lambda2\|W\|^2$ (without it $w^*_n$ does not exist once the $n$ digits are
            linearly separable); $w_*$ carries the same ridge.
            """
        ),
        _ui.with_warnings(convex_form),
    ])
    return convex_defaults, convex_form


@app.cell(hide_code=True)
def _(CV, CourseError, convex_defaults, convex_form, links, mo):
    convex, convex_problem = None, None
    try:
        convex_config = CV.ConvexConfig(**links.values(convex_form))
        with mo.status.progress_bar(total=len(convex_config.sizes), title="Fitting the linear models…",
                                    subtitle="sample sizes", remove_on_exit=True) as _bar:
            convex = CV.run(convex_config, progress=lambda done, total: _bar.update(), max_seconds=CV.LIVE_MAX_SECONDS)
    except CourseError as err:
        convex_config, convex_problem = convex_defaults, err
    links.write(convex_form.value, prefix="convex.")
    return convex, convex_problem


@app.cell(hide_code=True)
def _(CV, charts, convex, convex_problem, mo):
    mo.stop(convex_problem is not None,
            mo.callout(mo.md(f"**That setting cannot run.** {convex_problem}"), kind="danger"))
    _c = convex.config
    _below = [b for b in _c.c_values if 0 < b * b <= min(_c.sizes)]
    _above = [b for b in _c.c_values if b * b >= max(_c.sizes)]
    _factor = lambda b: f"{CV.decay(convex.summary, b):.0f}×"  # noqa: E731
    mo.vstack([
        mo.hstack([
            mo.stat(f"{convex.seconds:.1f} s", label="fits took",
                    caption=f"{len(_c.sizes) * len(_c.c_values) * _c.seeds + _c.seeds} linear models"),
            mo.stat(convex.device, label="ran on"),
            mo.stat(f"{convex.reference.test_error.mean():.3f}", label="test error of w*",
                    caption=f"{_c.resolution}×{_c.resolution} pixels, clean"),
        ], justify="start"),
        *[mo.callout(mo.md(w), kind="warn") for w in convex.warnings],
        charts.convex_excess(convex.summary),
        mo.md(
            f"""
            Mean over {_c.seeds} seed(s). Dashed rules: $n = C^2$, where the budget's $C$ equals $\\sqrt n$.
            From the smallest to the largest $n$ the excess loss falls
            {", ".join(f"**{_factor(b)}** at C = {b:g}" for b in _below) or "—"} (budgets with $C \\le \\sqrt n$
            throughout), but only {", ".join(f"**{_factor(b)}** at C = {b:g}" for b in _above) or "—"}
            ($C \\ge \\sqrt n$ throughout).

            **What to notice.** Small budgets cost little and their cost shrinks as data grow, like the
            clean curve (C = 0) with which they run parallel. Each larger budget's curve stays high while
            $n < C^2$ and only turns down past its dashed rule — the change of behaviour the paper
            sees near $C \\approx \\sqrt n$ (there at $C \\approx 250$ for $n$ up to 60,000; here, with
            4,000 digits, at $C$ of a few dozen). This is the convex version of the lesson's message:
            an attacker whose total budget grows like $\\sqrt n$ cannot stop learning; a larger one can.

            **Not in the paper's plot, but here:** past $C \\approx \\sqrt n$ a larger budget need not hurt
            *more* — at the largest $n$, $C = 64$ costs a little less than $C = 32$. Perturbations that
            large turn digits into images unlike any test digit (the pixel box caps them), so the model
            fitted to them is probably judged on inputs it learned little about. Switch the attack loss
            to cross-entropy: it piles its budget on a few digits (Fig. 1). Against this linear model
            that costs *more* at small budgets and less at large ones, and no curve shows the
            transition — every budget's excess loss falls only 3–5× over the range of $n$.
            """
        ),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## The math

    **Victim.** A two-layer ReLU network of width $m$ on (downsampled, standardized) images
    $x \in \mathbb R^d$: $f(x) = W_2\,\mathrm{ReLU}(W_1 x + b_1) + b_2$, trained by mini-batch SGD
    with momentum on cross-entropy. (The paper's theory uses
    $f(x) = m^{-1/2}\sum_{s=1}^m a_s\,\sigma(w_s^\top x)$ with fixed $a_s = \pm 1$; its experiments a
    CNN whose last hidden layer has width $m$: conv(1→10, 5×5)–maxpool–ReLU–conv(10→20, 5×5)–
    maxpool–ReLU–FC(320→$m$)–ReLU–FC($m$→10), the **CNN** victim here.)

    **Attacks.** The adversary sees the clean sample $\{(x_i, y_i)\}_{i=1}^n$ and hands over a
    poisoned one:

    * **A** — $\tilde x_i = x_i + \delta_i$, $\sum_i \|\delta_i\|_2 \le C\sqrt n$ (labels kept);
    * **B** — $\tilde x_i = x_i + \delta_i$, $\|\delta_i\|_2 \le B$ for every $i$;
    * **C** — $\tilde y_i = (y_i + 1) \bmod 10$ with probability $\beta$.

    For A and B, $\delta$ comes from projected gradient **ascent** against a model $w^*$ trained on
    clean data, on the *negated loss* $\ell_{--}(z) = -\ell(-z)$, here $-\mathrm{CE}(-z, y)$ for
    logits $z$, with $\tilde x_i$ kept in $[0,1]$. Projection onto the $\ell_{2,1}$ ball
    $\{\sum_i\|\delta_i\| \le S\}$ keeps each direction and soft-thresholds the norms:
    $\|\delta_i\| \mapsto \max(\|\delta_i\| - \theta, 0)$, with $\theta \ge 0$ the smallest value that
    brings the sum to $S$; onto the $\ell_{2,\infty}$ ball it clips each norm at $B$.

    **Why the negated loss.** $\ell_{--}$ is concave in $z$ and lies below the zero-one loss: once a
    sample is misclassified its gradient fades, so ascent moves on to other samples. Cross-entropy
    grows without bound, so its gradient keeps pulling budget into samples that are already lost.

    **The theorem's window.** The paper's guarantees for the two-layer network hold when the width
    is large enough for the network to stay near its initialisation (the lazy regime) but *not so
    large* that it can fit the poison — a window that shrinks as the attack grows.
    """)
    return


if __name__ == "__main__":
    app.run()
