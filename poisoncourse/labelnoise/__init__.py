"""Lesson 4 · which mislabeled points hurt robustness (Gopal, 2021): the Gaussian toy experiment
(``experiment``), MNIST path-length buckets (``mnist``), charts."""

from ..lesson import Lesson, Paper, Twin
from . import experiment

LESSON = Lesson(
    name="labelnoise",
    number=4,
    # The app's app_title too (tests/test_registry.py); the front page and the course map read these.
    title="Lesson 4 · Which mislabeled points hurt robustness",
    summary="Which flipped labels hurt adversarial accuracy most? Move the poisons away from the class mean.",
    # The thesis has no public copy: the link opens the paper it builds on, and the card says so (issue 27).
    paper=Paper("Crafting label noise", "Gopal", "thesis, 2021", "https://arxiv.org/abs/2007.04028",
                url_opens="Sanyal et al., “How benign is benign overfitting?”, ICLR 2021, which it builds on"),
    app="lesson4_labelnoise.py",
    config=experiment.LabelNoiseConfig,
    run=experiment.run,
    estimated_seconds=experiment.estimated_seconds,
    references=(experiment.REFERENCE,),
    bench=(experiment.bench_cases,),
    twins=(Twin(experiment.run, experiment.run_one_at_a_time),),
)
