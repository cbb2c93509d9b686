"""Lesson 4 · which mislabeled points hurt robustness (Gopal, 2021): the Gaussian toy experiment
(``experiment``), MNIST path-length buckets (``mnist``), charts."""
