"""Lesson 3 · Neuro-Tron under label poisoning (Karmakar, Mukherjee & Papamarkou, 2023): the
batched Neuro-Tron and SGD recurrences (``experiment``), charts."""

from ..lesson import Lesson, Paper, Twin
from . import experiment, noiseball, reference

LESSON = Lesson(
    name="neurotron",
    number=3,
    # The app's app_title too (tests/test_registry.py); the front page and the course map read these.
    title="Lesson 3 · Neuro-Tron under label poisoning",
    summary="Can Neuro-Tron recover a network's weights when an adversary corrupts its labels? Vary θ and β.",
    paper=Paper("Depth-2 neural networks under a data-poisoning attack", "Karmakar, Mukherjee, Papamarkou",
                "Neurocomputing 2023", "https://arxiv.org/abs/2005.01699"),
    app="lesson3_neurotron.py",
    config=experiment.NeurotronConfig,
    run=experiment.run,
    estimated_seconds=experiment.estimated_seconds,
    references=(reference.REFERENCE, noiseball.REFERENCE),
    bench=(reference.bench_cases,),
    twins=(Twin(experiment.simulate, experiment.run_one_at_a_time),),
)
