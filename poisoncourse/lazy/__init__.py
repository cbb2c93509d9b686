"""Lesson 5 · the lazy radius (Wang, Ullah, Mianjy & Arora, NeurIPS 2022): lazily trained
two-layer networks, single-step attacks and robust accuracy (``experiment``), charts."""
