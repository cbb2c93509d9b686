"""The teacher's guide, shipped with the course: ``tools/teachers.md`` (the hand-written part) with each
lesson's section generated from its declaration and its questions (``<lesson>/questions.py``), so
the answers a teacher reads are the ones the pages judge by.

``markdown()`` is the guide as Markdown; ``html()`` the page the static export writes as
``teachers.html`` and the live course's front page links (``?guide=teachers``).
"""

from __future__ import annotations

import html as html_text
import importlib
from importlib import resources

from ..kit.predict import Question
from . import course, site

GUIDE_FILE = "teachers.md"  # beside this module, shipped in the wheel (setup.py's package_data)

# Per lesson: what a student should take away, and what they need before. Keyed by the lesson's
# subpackage (as poisoncourse/registry.py names it).
GOALS = {
    "width": (["explain why poisoned training can punish networks that are too wide as well as too narrow",
               "tell early-stopped accuracy from accuracy after the last epoch, and say which one a defender has",
               "read a paired interval over seeds rather than a curve by eye"],
              "two-layer networks, training and test accuracy, overfitting; no prior poisoning"),
    "regularization": (["place a poison where it does the most damage, and say why there",
                        "explain why the best regularization strength depends on the attack"],
                       "logistic regression and L₂ regularization; reading a heatmap"),
    "neurotron": (["state what a convergence guarantee under attack promises (an error floor) and what it does not",
                   "compare a provable algorithm with a correct baseline, and spot an unfair one"],
                  "gradient descent; the idea of a teacher network; logarithmic axes"),
    "labelnoise": (["say which mislabeled points hurt adversarial robustness most, and why (pocket against "
                    "stretched boundary)",
                    "tell natural from adversarial accuracy"],
                   "classification, decision boundaries, adversarial examples (PGD) at the level of a picture"),
    "lazy": (["explain the lazy regime and why a network that stays near its start is easy to attack",
              "connect how far the weights may move with robust accuracy"],
             "two-layer networks, gradient of the output with respect to the input, adversarial training"),
}


def questions(package: str) -> tuple[Question, ...]:
    return importlib.import_module(f"poisoncourse.{package}.questions").QUESTIONS


def _answer(q: Question) -> str:
    return f"{q.expected} {q.unit}".strip() if q.typed else q.expected


def predictions_md(package: str) -> str:
    """A lesson's predictions with their default answers, why, and the common wrong answers."""
    out = []
    for n, q in enumerate(questions(package), 1):
        offered = (f"typed: a number ({q.unit}; right within {q.tolerance:g})" if q.typed
                   else " / ".join(q.choices))
        wrong = "".join(f"\n      - *{answer}* — {reveals}." for answer, reveals in q.wrong.items())
        out.append(f"{n}. {q.ask.replace(chr(10), ' ')}\n"
                   f"   - Offered: {offered}.\n"
                   f"   - Expected at the default settings: **{_answer(q)}**. {q.because}\n"
                   f"   - Common wrong answers and what they reveal:{wrong}\n"
                   f"   - Then: {q.next}")
    return "\n".join(out)


def lesson_md(n: int, lesson) -> str:
    package = lesson.path.stem.split("_", 1)[1]
    goals, prior = GOALS[package]
    return (f"## Lesson {n} · {lesson.title.split('·', 1)[-1].strip()}\n\n"
            f"{lesson.summary}\n\n"
            "**Learning goals.** After the lesson a student can\n\n" + "\n".join(f"- {g};" for g in goals) +
            f"\n\n**Prerequisites.** {prior}.\n\n**Predictions** (generated from the page's questions):\n\n"
            f"{predictions_md(package)}\n")


def markdown() -> str:
    text = resources.files(__package__).joinpath(GUIDE_FILE).read_text(encoding="utf-8")
    lessons = "\n".join(lesson_md(n, lesson) for n, lesson in enumerate(course.lessons(), 1))
    return text.replace("{{lessons}}", lessons)


def html(nav: str = "", footer: str = "") -> str:
    """The guide as a whole page in the course's style (the static site's and the front page's)."""
    import markdown as md

    body = md.markdown(markdown(), extensions=["tables", "sane_lists"])
    return site.render(title="poisoncourse — a teacher's guide", body=body, charts=[], vega_js="",
                       nav=nav or "<b>poisoncourse</b>", footer=footer or html_text.escape("poisoncourse"))
