"""The prediction machinery (kit/predict.py): locked before an answer, a verdict computed from the
result shown (so it follows the result), skip, the teacher's ?predict=off, typed numbers, the hand-out."""

import html
import re
from types import SimpleNamespace

import marimo as mo

from poisoncourse.kit import predict

BIGGER = predict.Question(
    key="bigger", ask="Which is bigger?", choices=("a", "b"),
    truth=lambda r: None if r.a is None else ("a" if r.a > r.b else "b"),
    why=lambda r: f"a = {r.a}, b = {r.b}.", next="swap them.", expected="a", because="a is.",
    cannot="Set a to see it.")
RATIO = predict.Question(key="ratio", ask="b / a?", truth=lambda r: r.b / r.a, why=lambda r: "b over a.",
                         next="double b.", expected="2", because="b is twice a.", tolerance=0.25)

A_WINS, B_WINS = SimpleNamespace(a=3, b=1), SimpleNamespace(a=1, b=2)


def readable(output) -> str:
    """An output's HTML with a callout's inner HTML (kept in a JSON attribute) decoded."""
    text = html.unescape(mo.as_html(output).text).replace("&#92;", "\\")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def view(question, value, result, is_live=True, off=False):
    return readable(predict.verdict_view(question, value, result, mo.md("THE RESULT"), is_live=is_live, off=off))


def test_predict_the_result_is_locked_until_an_answer_or_a_skip():
    for value in (None, {"answer": None, "skip": False}, {"answer": "", "skip": False}):
        text = view(BIGGER, value, A_WINS)
        assert "THE RESULT" not in text and "Predict first" in text


def test_predict_the_verdict_follows_the_result_on_screen():
    said_a = {"answer": "a", "skip": False}
    assert predict.judge(BIGGER, "a", A_WINS).right is True
    assert predict.judge(BIGGER, "a", B_WINS).right is False  # same answer, the other result
    right, wrong = view(BIGGER, said_a, A_WINS), view(BIGGER, said_a, B_WINS)
    assert "Right" in right and "THE RESULT" in right and "a = 3, b = 1" in right and "swap them" in right
    assert "Not this time" in wrong and "the answer is <strong>b</strong>" in wrong and "THE RESULT" in wrong


def test_predict_skip_shows_the_result_and_its_answer():
    text = view(BIGGER, {"answer": None, "skip": True}, B_WINS)
    assert "THE RESULT" in text and "Skipped" in text and "<strong>b</strong>" in text


def test_predict_off_shows_the_result_alone():
    text = view(BIGGER, None, A_WINS, off=True)
    assert "THE RESULT" in text and "Predict" not in text
    assert predict.turned_off({"predict": "off"}) and not predict.turned_off({"seed": "3"})
    assert predict.card(predict.ask(BIGGER), off=True) is None
    assert predict.cards(predict.ask(BIGGER), predict.ask(BIGGER), off=True) is None  # not "None" printed twice


def test_predict_a_run_that_cannot_answer_says_which_settings_can():
    text = view(BIGGER, {"answer": "a", "skip": False}, SimpleNamespace(a=None, b=1))
    assert "Set a to see it." in text and "THE RESULT" in text


def test_predict_a_typed_number_is_judged_within_its_tolerance_and_bad_text_gets_a_sentence():
    assert predict.judge(RATIO, "2.2", B_WINS).right is True
    assert predict.judge(RATIO, "3", B_WINS).right is False
    text = view(RATIO, {"answer": "two", "skip": False}, B_WINS)
    assert "is not a number" in text and "THE RESULT" not in text


def test_predict_the_hand_out_shows_the_result_and_folds_every_answers_verdict():
    text = view(BIGGER, None, A_WINS, is_live=False)
    assert "THE RESULT" in text and "<details" in text and "Check your prediction" in text
    assert "✓ a" in text and "✗ b" in text
    card = readable(predict.card(predict.ask(BIGGER), is_live=False, off=False))
    assert "Which is bigger?" in card and "marimo-radio" not in card
    live_card = mo.as_html(predict.card(predict.ask(BIGGER), is_live=True, off=False)).text
    assert "marimo-radio" in live_card and "marimo-checkbox" in live_card


def test_predict_several_questions_about_one_result_unlock_it_together():
    both = (BIGGER, RATIO)
    half = ({"answer": "a", "skip": False}, None)
    assert "THE RESULT" not in view(both, half, A_WINS)
    done = ({"answer": "a", "skip": False}, {"answer": None, "skip": True})
    text = view(both, done, A_WINS)
    assert "THE RESULT" in text and "Right" in text and "Skipped" in text
    quiet = readable(predict.verdict_view(both, done, A_WINS, mo.md("THE RESULT"), is_live=True, off=False, say=False))
    assert "THE RESULT" in quiet and "Right" not in quiet


def test_predict_every_lesson_asks_two_to_four_questions_before_the_results_they_unlock():
    import importlib

    from poisoncourse.tools import course

    for lesson in course.lessons():
        package = lesson.path.stem.split("_", 1)[1]
        asked = importlib.import_module(f"poisoncourse.{package}.questions").QUESTIONS
        assert 2 <= len(asked) <= 4, package
        source = lesson.path.read_text()
        for q in asked:
            name = next(n for n, v in vars(importlib.import_module(f"poisoncourse.{package}.questions")).items()
                        if v is q)
            asks = source.index(f"predict.ask(questions.{name})")
            variable = source[:asks].rsplit("\n", 1)[1].split("=")[0].strip()
            reveals = [i for i in range(len(source)) if source.startswith("predict.reveal(", i)
                       and variable in source[i:i + 80]]
            assert reveals and min(reveals) > asks, (package, q.key)  # asked above the result it unlocks
            assert q.expected and q.because and q.next and (q.typed or q.expected in q.choices), q.key


def test_predict_a_live_chart_is_held_behind_its_question_and_never_judged():
    asked = SimpleNamespace(question=BIGGER, value=None)
    locked = readable(predict.hold(asked, mo.md("THE CURVE"), is_live=True, off=False))
    assert "THE CURVE" not in locked and "Predict first" in locked
    for answered in ({"answer": "a"}, {"skip": True}):
        shown = readable(predict.hold(SimpleNamespace(question=BIGGER, value=answered), mo.md("THE CURVE"),
                                      is_live=True, off=False))
        assert "THE CURVE" in shown and "Right" not in shown and "Not this time" not in shown
    assert "THE CURVE" in readable(predict.hold(asked, mo.md("THE CURVE"), is_live=True, off=True))
    assert "THE CURVE" in readable(predict.hold(asked, mo.md("THE CURVE"), is_live=False, off=False))
