"""Lesson 2 · regularization against poisoning (Carnerero-Cano et al., 2021): the 2-D error
heatmaps over the poison's location and λ (``experiment``), MNIST 0-vs-8 against the number of
poisons (``mnist``), charts."""
