# /// script
# requires-python = ">=3.11"
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Lesson 3 · Neuro-Tron under label poisoning")

with app.setup(hide_code=True):
    import marimo as mo

    import poisoncourse.neurotron.charts as charts
    import poisoncourse.neurotron.experiment as neurotron
    import poisoncourse.neurotron.noiseball as noiseball
    import poisoncourse.neurotron.panels as panels
    import poisoncourse.neurotron.prose as prose
    import poisoncourse.neurotron.questions as questions
    import poisoncourse.neurotron.reference as reference_curves
    import poisoncourse.neurotron.theory as theory
    from poisoncourse.kit import explore, fold, forms, page, predict, trainbar, url


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # Lesson 3 · Neuro-Tron under label poisoning: learning a network from corrupted labels

    **The question.** A teacher network $f_{w^*}$ labels random inputs, but an adversary sits
    between teacher and student: with probability $\beta$ it shifts a label by up to $\theta$.
    Can the student still recover the teacher's weights $w^*$ — and how do the size $\theta$ and
    the probability $\beta$ of the attack limit how close it gets?

    Karmakar, Mukherjee and Papamarkou,
    [*Depth-2 neural networks under a data-poisoning attack*](https://arxiv.org/abs/2005.01699)
    (Neurocomputing, 2023), prove that a simple gradient-free algorithm, **Neuro-Tron**, gets
    within a distance of $w^*$ that grows only in proportion to the attack, and compare it with SGD.
    Below, both train live on a fresh stream of poisoned samples.
    """)
    return


@app.cell(hide_code=True)
def _():
    _ui = forms.Controls()
    distribution, sweep = panels.setting_controls(_ui)
    mo.vstack([mo.md("## Controls"), _ui.with_warnings(mo.hstack([distribution, sweep], justify="start", gap=2))])
    return distribution, sweep


@app.cell(hide_code=True)
def _(distribution, sweep):
    # Defaults follow the distribution (its n; its η ×10 live); a link's other-distribution settings drop.
    url.switch({"distribution": distribution.value, "sweep": sweep.value})
    defaults = panels.live_defaults(distribution.value, sweep.value)
    _ui = forms.Controls(also=("distribution", "sweep"))  # built in the cell above
    _form = panels.train_form(_ui, defaults)
    controls, train = _form
    _ui.with_warnings(_form)
    return controls, defaults, train


@app.cell(hide_code=True)
def _(controls, train):
    trainbar.bar(controls, train)
    return


@app.cell(hide_code=True)
def _():
    # Asked before the result below; a cell of its own, so the answer stays through Train.
    doubling = predict.ask(questions.DOUBLING)
    closer = predict.ask(questions.CLOSER)
    predict.cards(doubling, closer)
    return doubling, closer


@app.cell(hide_code=True)
def _(closer, config, curves, doubling, result):
    mo.stop(result is None)
    predict.reveal([doubling, closer], result, mo.vstack([
        mo.md(f"""
            ## The live result

            Distance to the teacher's weights, $\\log_{{10}}\\|w_t - w^*\\|$, while training on
            poisoned labels ({panels.fixed_setting(config)}; {config.input_distribution.label} inputs,
            n = {config.n}, η = {config.eta:g}). Bold: median over {config.seeds} seed(s); faint: each seed.
            """),
        page.run_stats(result, caption=f"{config.iterations:,} iterations", networks_caption="one batched recurrence",
                       networks=len(config.values) * config.seeds * len(config.algorithms)),
        curves.show(config, result),  # the live chart's last frame (in the cells below), or here the chart
    ]))
    return


@app.cell(hide_code=True)
def _():
    # The error curves: embedded once, then redrawn in place as the networks train (a static copy draws
    # them in the cell above).
    curves = page.live_chart(lambda config, result: charts.log_error_curves(
        result.curves, value_title=panels.value_symbol(config.sweep), iterations=config.iterations,
        attack=panels.attack_title(config)))
    return (curves,)


@app.cell(hide_code=True)
def _(closer, curves, doubling):
    # Behind the questions too: the curves as they form would answer them.
    predict.hold([doubling, closer], curves.view())
    return


@app.cell(hide_code=True)
def _(curves, defaults, train):
    # Before any Train (and headless) the controls' first values run: the defaults or the link's. Below the
    # live chart's cell in the file, so that marimo (which runs ready cells in file order) puts the chart on
    # the page before the first run: its frames and its Stop button show from the page's opening.
    trained = page.attempt(
        train, lambda values: panels.form_config(values, defaults),
        lambda config, progress: neurotron.run(config, progress=progress, max_seconds=neurotron.LIVE_MAX_SECONDS),
        total=lambda config: config.iterations, subtitle="iterations", default=defaults, memo="neurotron",
        live=curves)
    config, result = trained.config, trained.result
    trained.callout()  # settings that cannot run: one red sentence; the sections without a result stay
    return config, result


@app.cell(hide_code=True)
def _(closer, config, doubling, result):
    mo.stop(result is None)
    _name = panels.value_symbol(config.sweep)
    predict.reveal([doubling, closer], result, say=False, shown=mo.vstack([
        mo.md(f"""
            ### Explore: one attack strength at a time

            The same run, one value of {_name} at a time (median over seeds): choose **{_name}** and watch each
            algorithm settle at a floor that rises with the attack. The choice runs in your browser over results
            already computed — it also works in the exported static page.
            """),
        explore.or_note(charts.error_curves_by_value, result.curves, value_title=_name, name=config.sweep),
    ]))
    return


@app.cell(hide_code=True)
def _():
    # Shipped 40,000-iteration curves; a missing or altered file is reported, not drawn.
    reference = page.load(reference_curves.load_reference)
    return (reference,)


@app.cell(hide_code=True)
def _(closer, config, doubling, reference, result):
    mo.stop(result is None)
    _table, _note = panels.final_errors(result.summary, reference.table, config)
    predict.reveal([doubling, closer], result, say=False, shown=mo.vstack([
        mo.md(f"### Final error against {panels.value_symbol(config.sweep)}"),
        charts.final_error_summary(_table, value_title=panels.value_symbol(config.sweep),
                                   log_x=config.sweep == "theta"),
        mo.md(f"Points: median over seeds; bars: best to worst seed. {_note}"),
    ]))
    return


@app.cell(hide_code=True)
def _(config):
    # The table is its own markdown: rows joined into an indented text would break its dedent.
    _sigma = config.input_distribution.variance ** 0.5
    mo.vstack([mo.md(
        r"""
        ### The theorem's trade-off constant

        Theorem 1 guarantees $\|w_T - w^*\|^2 \le \epsilon^2$ with probability $1-\delta$ when
        $\theta_*^2 = \epsilon^2\,\delta\,c_{\text{trade-off}}$ — the larger
        $c_{\text{trade-off}}$, the smaller the error an attack of size $\theta_*$ can force. It
        needs $c_{\text{trade-off}} > 0$. **Lemma 1** gives it for one ReLU gate with $M = I$
        and Gaussian inputs $\mathcal N(0, \sigma^2 I_n)$:
        $c_{\text{trade-off}} = \frac{\sigma}{\sqrt 2\,\beta}\,
        \frac{\Gamma(n/2)}{\Gamma((n+1)/2)} - 1$.
        """), mo.md(prose.tradeoff_markdown(config)), mo.md(
        rf"""
        For Gaussian inputs Lemma 1 is positive only for $\beta < {theory.lemma1_max_beta(_sigma, config.n):.3f}$
        here. Where a constant is negative, the theorem promises nothing — yet the runs above still converge
        to a floor that grows with the attack: the theorem's condition is sufficient, not necessary.
        """)])
    return


@app.cell(hide_code=True)
def _(config, reference):
    mo.vstack([
        mo.md(
            f"""
            ## Reference: the paper's scale

            The paper's Table 1 setting for these inputs — η = {config.input_distribution.eta:g},
            {neurotron.PAPER_ITERATIONS:,} iterations, r = 25, b = 16, k = 10 — median over
            {reference_curves.REFERENCE_SEEDS} seeds, all three algorithms. Made by this package
            (`{reference_curves.REFERENCE_COMMAND}`) and shipped under `data/reference/`.
            """
        ),
        reference.show(lambda table: charts.log_error_curves(
            panels.reference_curves(table, config).rename(columns={"median_log10_error": "log10_error"}).assign(seed=0),
            value_title=panels.value_symbol(config.sweep), seed_lines=False, attack=panels.REFERENCE_ATTACK)),
    ])
    return


@app.cell(hide_code=True)
def _():
    _eta = page.load(noiseball.load_reference)
    mo.vstack([
        mo.md(rf"""
            ## The floor is a noise ball — unless the attack is biased

            The paper's attack $\xi = \pm\theta$ has mean zero: on average the step still points at $w^*$, and
            the floor is the spread of a random walk around it, which a smaller step shrinks (a noise ball's
            $\sqrt\eta$ is a slope of +0.5 below). The **worst case** of Sec. 3.5 labels the data with a wrong
            filter $w_{{adv}}$: the runs converge near it, and a smaller η barely helps (slope near 0). Normal
            inputs, β = 0.5, T = {noiseball.ITERATIONS:,}; floor: mean log₁₀ error over the second half.
            """),
        _eta.show(lambda t: mo.vstack([charts.floor_vs_eta(noiseball.medians(t)),
                                       mo.md(prose.noise_ball_markdown(t))]), once="neurotron.noiseball"),
        mo.md("""
            So "the error grows with θ" holds at a **fixed η**: the paper's floor is set by θ *and* η, and
            with η → 0 (and T → ∞) it would vanish. The biased attack leaves a floor that a smaller step barely
            lowers — the case Theorem 1's worst-case bound is about.
            """),
    ])
    return


@app.cell(hide_code=True)
def _():
    # The η sweep's slopes, read from its shipped table (a missing one is reported in the section above).
    _shrinks = prose.noise_ball_notice(page.load(noiseball.load_reference).table)
    mo.md(rf"""
    ## What to notice

    * **No attack, exact recovery.** At θ = 0 the labels are realizable: here both algorithms reach
      $\|w_t - w^*\| \le 10^{{-9}}$ within 2,000 steps, and $\approx 10^{{-14}}$ (machine precision) at paper scale.
    * **A floor that grows with the attack — at a fixed η.** For θ > 0 the error stops falling; at the paper's
      η each doubling of θ raises $\log_{{10}}$ of the floor by about 0.3: the floor is proportional to θ. A
      rarer attack (sweep β) leaves a lower floor.
    * **For the paper's attack that floor shrinks with the step.** {_shrinks}
    * **SGD is not always worse — but it can get stuck.** With the *correct* gradient, SGD's floor is often a
      little lower than Neuro-Tron's, but in some seeds it stalls far from $w^*$ (near $-w^*$): the square
      loss of a ReLU network is not convex. Neuro-Tron never stalled in our runs.
    * **The authors' SGD** uses the first sample's derivative for the whole batch: at the paper's η it ends
      near $10^{{-8}}$ instead of $10^{{-14}}$ at θ = 0 (Gaussian inputs); at this page's η it diverges.

    ## Try next

    1. Set η to 0.01 with Student-t inputs: the runs blow up, and each curve is cut where it diverged.
    2. Raise q to 10, divide η by 10 and keep only Neuro-Tron (Sec. 3.6, Appendix H): the floor drops by one
       order of magnitude — it is exactly the run of q = 1 with θ/10, since q scales the teacher's labels
       and leaves θ alone. Correct SGD's step grows like q²: at η/10 it diverges.
    3. Divide η by 10 and set T = 10,000 (a tenth of the step needs ten times the steps), then compare b = 16
       with b = 1: each step now averages the label noise over one sample instead of 16, and the floor at
       θ = 0.5 rises by about half an order of magnitude ($\sqrt{{16}}$ predicts 0.6).
    4. Switch to one line per β: the floor at β = 0.9 is almost an order of magnitude above β = 0.005 (0.9 in log₁₀).
    5. Pick the worst-case attack, then divide η by 4 and multiply T by 4: the floor stays put. With the
       paper's attack it drops by about 0.3 ($\sqrt 4$ predicts $\log_{{10}} 2$).
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.vstack([fold.how(prose.MATH, title="The math"), fold.departs(mo.md(r"""
    * $A_j = M + jC$, $j \in \{-k/2..k/2\} \setminus \{0\}$, $M, C$ with $\mathcal N(0,1)$ entries, and ξ's alternating
      signs: the authors' code (the paper leaves both open).
    * Live runs take 10× the paper's η and T = 2,000 (the reference: the paper's η and 40,000 steps, 5 seeds).
    * SGD uses the correct gradient; the authors' first-sample variant is offered, labelled.
    * Worst case: the paper assumes bounded inputs, β = 1 and $\zeta = \rho \sup\|x\|$; ours are unbounded,
      so ρ is set by the mean, $\rho\, \mathbb E[\frac qk \sum_j |u^\top A_j x|] = \theta$, ξ is clipped to
      $|\xi| \le \theta$, and β stays a control (β = 1 is the paper's case).
    * Inputs are drawn in single precision, then all runs in double; a run past 1,000× its start error is cut.
    """))])
    return


if __name__ == "__main__":
    app.run()
