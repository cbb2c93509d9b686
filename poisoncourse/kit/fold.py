"""The student's path apart from the methods: a lesson keeps its question, the paper's claim, the live
result, the predictions and what to notice in the page's flow, and folds the rest — protocol details,
statistics, costs, file names, departures from the paper — into closed sections with these two titles.
The content is the same (every number still comes from the lesson's prose and is tested there); only
the first read is shorter. marimo draws them as an accordion; the static export as ``<details>``."""

from __future__ import annotations

import marimo as mo

HOW = "How this was computed"
DEPARTS = "Where this departs from the paper"


def how(*content, title: str = HOW):
    """A closed section holding ``content`` (outputs or Markdown strings)."""
    parts = [mo.md(c) if isinstance(c, str) else c for c in content]
    return mo.accordion({title: mo.vstack(parts) if len(parts) > 1 else parts[0]})


def departs(*content):
    return how(*content, title=DEPARTS)
