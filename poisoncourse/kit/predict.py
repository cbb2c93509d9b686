"""Predict, then check: a question asked before a result is shown, answered by that result.

A lesson declares its questions (:class:`Question`, in ``<lesson>/questions.py``): the words, the
answers offered (or a typed number), and ``truth(result)`` — the right answer *read from the result
the page draws*, never stored. The page asks in a cell of its own, before the result, and wraps the
result's output:

    best = predict.ask(questions.BEST_WIDTH)        # a cell of its own: the answer survives Train
    predict.card(best)                              # (its output: the question and its answers)
    ...
    predict.reveal(best, result, mo.vstack([...]))  # the cell that draws `result`

Until the student answers or ticks *skip*, ``reveal`` shows a locked note instead of the result;
then the result with the verdict (computed from ``result``: retrain with other settings and the
verdict follows), a short explanation and what to try next. ``?predict=off`` in the address (a
teacher presenting) shows every result at once.

Where nobody can answer — the headless run (``python apps/x.py``, ``app.run()``), the static export,
the exported notebook — the page is a hand-out: the question is printed with its answers, the
result is shown, and a folded "Check your prediction" (plain ``<details>``, which marimo, the
static page and Jupyter all draw) gives the verdict of every answer against the result on the page.
A hand-out cannot hide what it prints, and a chart drawn inside a closed fold is not reliably laid
out offline; the fold keeps the answer one click away instead.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import marimo as mo

from . import paint, url

KEY = "predict"  # ?predict=off: every result shown at once, no question asked
OFF = ("off", "no", "false", "0")
SKIP_LABEL = "skip: show me the result"


@dataclass(frozen=True)
class Question:
    """One prediction: asked before a result, answered by it.

    ``choices``: the answers offered; empty for a typed number. ``truth(result)``: the right choice
    (one of ``choices``) or, for a typed number, the measured value — None when this run cannot
    answer (``cannot`` says which settings can). ``why(result)``: the explanation, its numbers read
    from ``result``. ``tolerance``: how far a typed number may be from the measured one.
    For the teacher's guide: ``expected`` (the answer at the lesson's default settings, checked by
    a test against the default run), ``because`` (why, in the paper's terms) and ``wrong`` (a common
    wrong answer → what it reveals)."""

    key: str
    ask: str
    truth: Callable[[Any], Any]
    why: Callable[[Any], str]
    next: str
    expected: str
    because: str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    unit: str = ""
    cannot: str = "This run cannot answer the question."
    wrong: dict[str, str] = field(default_factory=dict)

    @property
    def typed(self) -> bool:
        return not self.choices


class Prediction(mo.ui.batch):
    """The student's answer (a radio, or a text box for a number) and a skip box, with the question
    they answer; its value is ``{"answer": …, "skip": bool}``."""

    def __init__(self, question: Question):
        answer = (mo.ui.text(placeholder=f"a number{' in ' + question.unit if question.unit else ''}", label="")
                  if question.typed else mo.ui.radio(list(question.choices), value=None, label=""))
        super().__init__(html=mo.md(f"**Predict first.** {question.ask}\n\n{{answer}}\n\n{{skip}}"),
                         elements={"answer": answer, "skip": mo.ui.checkbox(label=SKIP_LABEL)})
        self.question = question


def ask(question: Question) -> Prediction:
    return Prediction(question)


def live() -> bool:
    """Whether a student's browser is on the other end (marimo run / edit), not a headless run or export;
    yes for a page painted ahead of its session (kit/paint.py), which locks results as the student's will."""
    if paint.params() is not None:
        return True
    try:
        return mo.app_meta().request is not None
    except Exception:  # noqa: BLE001 — no marimo context (a Jupyter kernel): a hand-out
        return False


def turned_off(params=None) -> bool:
    """``?predict=off``: the teacher's link that skips every question."""
    text = url.as_dict(url.query_params() if params is None else params).get(KEY, "")
    return text.strip().lower() in OFF


def cards(*predictions: Prediction, **options):
    """Several questions' cards, one under another; nothing when predictions are off (a stack of
    nothing would print "None")."""
    shown = [c for c in (card(p, **options) for p in predictions) if c is not None]
    return mo.vstack(shown) if shown else None


def card(prediction: Prediction, *, is_live: bool | None = None, off: bool | None = None):
    """The question as the page shows it: the answer controls in a box (live), nothing (predictions
    off), or the question and its answers in print (a hand-out)."""
    off = turned_off() if off is None else off
    if off:
        return None
    painted = paint.params() is not None  # printed, on a page whose answer boxes arrive with its session
    if (live() if is_live is None else is_live) and not painted:
        return prediction.style({"border": "2px solid var(--blue-8, #3e7cb1)", "border-radius": "0.5rem",
                                 "padding": "0.25rem 0.75rem"})
    q = prediction.question
    offered = ("Type a number" + (f" ({q.unit})" if q.unit else "") + ".") if q.typed else \
        "\n".join(f"* {c}" for c in q.choices)
    then = "" if painted else "\n\nThen read the result below and open *Check your prediction*."
    return mo.callout(mo.md(f"**Predict first.** {q.ask}\n\n{offered}{then}"), kind="info")


# -- reading a truth off a result: the two shapes most questions share ----------------------------


def where_extreme(values, labels: tuple[str, str, str], lowest: bool = False) -> str | None:
    """Where the highest (or lowest) of ``values`` (in their order) sits: ``labels`` = (first, between, last);
    None for fewer than three values (no "between")."""
    values = list(values)
    if len(values) < 3:
        return None
    i = min(range(len(values)), key=values.__getitem__) if lowest else max(range(len(values)), key=values.__getitem__)
    return labels[0] if i == 0 else labels[2] if i == len(values) - 1 else labels[1]


def direction(change: float, margin: float, labels: tuple[str, str, str]) -> str:
    """``labels`` = (up, about the same, down) for a change beyond ± ``margin``."""
    return labels[0] if change > margin else labels[2] if change < -margin else labels[1]


# -- the verdict -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The answer judged against the result: ``right`` None when it cannot be judged (no answer,
    a typed text that is no number, or a run that cannot answer), with the sentence that says why."""

    right: bool | None
    truth: Any
    sentence: str


def _number(text: str) -> float | None:
    try:
        value = float(str(text).strip().replace(",", "").replace("×", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _show(question: Question, truth) -> str:
    if question.typed:
        return f"{truth:.3g}{' ' + question.unit if question.unit else ''}"
    return f"**{truth}**"


def judge(question: Question, answer, result) -> Verdict:
    """``answer`` (a choice, or the typed text) against the truth read from ``result``."""
    truth = question.truth(result)
    if truth is None:
        return Verdict(None, None, question.cannot)
    if answer in (None, ""):
        return Verdict(None, truth, f"In this run the answer is {_show(question, truth)}.")
    if question.typed:
        guess = _number(answer)
        if guess is None:
            return Verdict(None, truth, f"“{answer}” is not a number: type one, such as 2 or 0.5.")
        right = abs(guess - truth) <= question.tolerance
        near = f"within {question.tolerance:g} of it" if right else f"more than {question.tolerance:g} away"
        return Verdict(right, truth, f"You said {guess:g}; this run measures {_show(question, truth)} — {near}.")
    right = answer == truth
    return Verdict(right, truth, f"You said **{answer}**; " +
                   ("this run agrees." if right else f"in this run the answer is {_show(question, truth)}."))


def explanation(question: Question, result) -> str:
    return f"{question.why(result)}\n\n**Try next:** {question.next}"


LOCKED = "🔒 **Predict first.** Answer the question above (or tick *skip*) to see this result."


def verdict_view(question: Question | tuple, value, result, shown, *, is_live: bool, off: bool, say: bool = True):
    """What replaces the result's output: see the module's docstring. ``question`` and ``value``: one
    prediction's, or tuples of several asked about the same result (locked until every one is answered).
    ``say`` False: the result unlocked without its verdict again (a second view of a result judged above)."""
    questions, values = (question, value) if isinstance(question, tuple) else ((question,), (value,))
    if off or result is None:  # a refused run: nothing to judge, and the page says why
        return shown
    if not is_live:
        return mo.vstack([shown, *(check_each(q, result) for q in questions)]) if say else shown
    if _unanswered(values):
        return mo.callout(mo.md(LOCKED), kind="neutral")
    answers = [(v or {}).get("answer") for v in values]
    skips = [bool((v or {}).get("skip")) for v in values]
    verdicts = [judge(q, None if s else a, result) for q, a, s in zip(questions, answers, skips)]
    for v, s in zip(verdicts, skips):
        if v.right is None and not s and v.truth is not None:  # a typed text that is no number
            return mo.callout(mo.md(v.sentence), kind="warn")
    if not say:
        return shown
    return mo.vstack([*(_said(q, v, s, result) for q, v, s in zip(questions, verdicts, skips)), shown])


def _said(question: Question, verdict: Verdict, skipped: bool, result):
    kind = {True: "success", False: "warn", None: "info"}[verdict.right]
    head = {True: "✓ Right.", False: "✗ Not this time.", None: "Skipped." if skipped else ""}[verdict.right]
    text = f"**{head}** {verdict.sentence}" + ("" if verdict.truth is None else "\n\n" + explanation(question, result))
    return mo.callout(mo.md(text), kind=kind)


def _unanswered(values) -> bool:
    """Whether any of these questions still waits for an answer or a skip."""
    return any((v or {}).get("answer") in (None, "") and not (v or {}).get("skip") for v in values)


def hold(prediction: Prediction | list | tuple, shown, **options):
    """A view of the result *as it forms* (a live chart, fed while the networks train) behind its
    question(s): locked like :func:`reveal` until answered or skipped, never judged (the cell that
    draws the finished result judges it). Outside the live course it is simply shown."""
    asked = tuple(prediction) if isinstance(prediction, (list, tuple)) else (prediction,)
    if not options.get("is_live", live()) or options.get("off", turned_off()):
        return shown
    return mo.callout(mo.md(LOCKED), kind="neutral") if _unanswered([p.value for p in asked]) else shown


def reveal(prediction: Prediction | list | tuple, result, shown, *, say: bool = True, **options):
    """The result's output behind its question(s) (`verdict_view` with the page's own mode)."""
    asked = tuple(prediction) if isinstance(prediction, (list, tuple)) else (prediction,)
    is_live = options.get("is_live", live())
    off = options.get("off", turned_off())
    return verdict_view(tuple(p.question for p in asked), tuple(p.value for p in asked), result, shown,
                        is_live=is_live, off=off, say=say)


def each_answer(question: Question, result) -> list[str]:
    """One line per answer offered, judged against ``result`` (for the hand-out and the guide)."""
    truth = question.truth(result)
    if truth is None:
        return [question.cannot]
    if question.typed:
        return [f"This run measures {_show(question, truth)}: an answer within {question.tolerance:g} of it is right."]
    return [f"{'✓' if c == truth else '✗'} {c}" for c in question.choices]


def check_each(question: Question, result):
    """The hand-out's folded answer: plain HTML ``<details>`` (no marimo element), so it folds in marimo,
    in the static page and in Jupyter alike."""
    lines = "\n".join(f"* {line}" for line in each_answer(question, result))
    body = mo.md(f"{lines}\n\n{explanation(question, result)}").text
    return mo.Html(f'<details class="predict"><summary><b>Check your prediction</b>: '
                   f"{html.escape(_plain(question.ask))}</summary>{body}</details>")


def _plain(text: str) -> str:
    return text.replace("**", "").replace("*", "").replace("$", "")
