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
