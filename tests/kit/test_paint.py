"""A page painted ahead of its session (kit/paint.py): while painting, the page kit answers as a student's browser
would — the address's parameters, results locked behind printed questions, charts drawn whole — and nothing else
in the process (another thread: a student's session) sees it."""

from __future__ import annotations

import threading

import marimo as mo

from poisoncourse.kit import livechart, paint, predict, url
from tests.kit.test_predict import BIGGER, readable


def test_outside_a_painting_nothing_changes():
    assert paint.params() is None
    assert predict.live() is False and livechart.is_live() is False  # a test is no browser


def test_a_painting_reads_its_address_locks_results_and_draws_charts_whole():
    with paint.painting({"predict": "off", "seed": "3"}):
        assert url.as_dict(url.query_params()) == {"predict": "off", "seed": "3"}
        assert predict.turned_off() and predict.live() and not livechart.is_live()
    with paint.painting({}):
        assert url.as_dict(url.query_params()) == {} and not predict.turned_off()
        # A question the painted page holds: locked like the student's, not shown with its hand-out verdicts.
        held = readable(predict.hold(predict.ask(BIGGER), mo.md("THE RESULT")))
        assert "Answer the question above" in held and "THE RESULT" not in held
    assert paint.params() is None  # left as it was found


def test_a_painted_question_is_printed_without_the_hand_outs_instructions():
    with paint.painting({}):
        card = readable(predict.card(predict.ask(BIGGER)))
    assert "Which is bigger?" in card and "<li>a</li>" in card and "<li>b</li>" in card
    assert "Check your prediction" not in card  # the live page's answer boxes replace it, not a fold below
    assert "Check your prediction" in readable(predict.card(predict.ask(BIGGER), is_live=False))  # the hand-out's


def test_writing_the_url_while_painting_touches_only_the_paintings_copy():
    with paint.painting({"seed": "1"}):
        url.write({"seed": 2})
        assert url.as_dict(url.query_params()) == {"seed": "1"}


def test_another_thread_does_not_paint():
    seen = []
    with paint.painting({"predict": "off"}):
        worker = threading.Thread(target=lambda: seen.append(paint.params()))
        worker.start()
        worker.join()
    assert seen == [None]
