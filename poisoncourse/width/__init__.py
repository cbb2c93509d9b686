"""Lesson 1 · the width U-curve (Wang, Mianjy & Arora, ICML 2021): clean-label and label-flip
poisoning against networks of growing width (``experiment``), the paper's attacks (``poison``),
every width as one computation (``victims``), the convex warm-up (``convex``), charts."""
