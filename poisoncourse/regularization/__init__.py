"""Lesson 2 · regularization against poisoning (Carnerero-Cano et al., 2021): the 2-D error
heatmaps over the poison's location and λ (``experiment``), MNIST 0-vs-8 against the number of
poisons (``mnist``), charts."""

from ..lesson import Lesson, Paper, Twin
from . import experiment, mnist

LESSON = Lesson(
    name="regularization",
    number=2,
    # The app's app_title too (tests/test_registry.py); the front page and the course map read these.
    title="Lesson 2 · Regularization against poisoning",
    summary=("Does L2 regularization protect a classifier from a poisoning point? "
             "Move λ, then let the defender learn it."),
    paper=Paper("Regularization can help mitigate poisoning attacks… with the right hyperparameters",
                "Carnerero-Cano, Muñoz-González, Spencer, Lupu", "ICLR 2021 workshop",
                "https://arxiv.org/abs/2105.10948"),
    app="lesson2_regularization.py",
    config=experiment.HeatmapConfig,
    run=experiment.run,
    estimated_seconds=None,
    references=(mnist.REFERENCE,),
    bench=(experiment.bench_cases,),
    twins=(Twin(experiment.heatmaps_ab, experiment.run_one_at_a_time),),
)
