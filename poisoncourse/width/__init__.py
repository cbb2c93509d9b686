"""Lesson 1 · the width U-curve (Wang, Mianjy & Arora, ICML 2021): clean-label and label-flip
poisoning against networks of growing width (``experiment``), the paper's attacks (``poison``),
every width as one computation (``victims``), the convex warm-up (``convex``), charts."""

from ..lesson import Lesson, Paper, Twin
from . import budget, convex, experiment, reference

LESSON = Lesson(
    name="width",
    number=1,
    # The app's app_title too (tests/test_registry.py); the front page and the course map read these.
    title="Lesson 1 · The width U-curve",
    summary="Is a wider network always better when the training data are poisoned? The paper says no; test it.",
    paper=Paper("Robust learning for data poisoning attacks", "Wang, Mianjy, Arora", "ICML 2021",
                "https://proceedings.mlr.press/v139/wang21r.html"),
    app="lesson1_width.py",
    config=experiment.WidthConfig,
    run=experiment.run,
    estimated_seconds=experiment.estimated_seconds,
    references=(reference.REFERENCE, budget.REFERENCE),
    bench=(reference.bench_cases, convex.bench_cases),
    twins=(Twin(experiment.simulate, experiment.run_one_at_a_time), Twin(convex.simulate, convex.run_one_at_a_time)),
)
