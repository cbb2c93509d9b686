"""poisoncourse: the modelling behind an interactive course on data poisoning.

Each lesson in ``apps/`` is a thin marimo page over one module here:
controls -> a frozen, validated config -> ``run(config)`` -> tidy tables -> charts.
"""

__version__ = "0.1.0"
