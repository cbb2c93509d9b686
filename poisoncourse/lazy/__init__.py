"""Lesson 5 · the lazy radius (Wang, Ullah, Mianjy & Arora, NeurIPS 2022): lazily trained
two-layer networks, single-step attacks and robust accuracy (``experiment``), charts."""

from ..lesson import Lesson, Paper, Twin
from . import experiment, single_step

LESSON = Lesson(
    name="lazy",
    number=5,
    # The app's app_title too (tests/test_registry.py); the front page and the course map read these.
    title="Lesson 5 · The lazy radius",
    summary="Networks trained close to their random start are flipped by one tiny step. Grow the lazy radius C₀.",
    paper=Paper("Adversarial robustness is at odds with lazy training", "Wang, Ullah, Mianjy, Arora", "NeurIPS 2022",
                "https://arxiv.org/abs/2207.00411"),
    app="lesson5_lazy.py",
    config=experiment.LazyConfig,
    run=experiment.run,
    estimated_seconds=experiment.estimated_seconds,
    references=(experiment.REFERENCE, single_step.REFERENCE),
    bench=(experiment.bench_cases,),
    twins=(Twin(experiment.simulate, experiment.run_one_at_a_time),),
)
