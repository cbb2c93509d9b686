"""The first paint (tools/firstpaint.py): a warmed server sends a lesson's page painted inside marimo's own, and the
painting is the page a student will see at that address.

A stand-in for marimo (tests/tools/test_front.py's, answering with an HTML page and an ETag) for what the middleware
does to a request and its answer; a real lesson painted for what a painting holds. tests/e2e/test_browser.py opens
painted lessons on a `poisoncourse serve --warm` in a browser: drawn at once, then replaced by the live page.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from poisoncourse import registry
from poisoncourse.kit import paint as painting
from poisoncourse.tools import course, firstpaint, front, warm
from tests.tools.test_front import Backend, Client

PAGE = '<!DOCTYPE html><html><head><title>marimo</title></head><body>\n<div id="root"></div></body></html>'
ETAG = '"marimo-etag"'
LESSON = "lesson3_neurotron.py"


def marimo_pages() -> Client:
    """A stand-in for marimo's run server: its page for every lesson, with an ETag it answers with 304."""
    async def marimo(request):
        if request.headers.get("if-none-match") == ETAG:
            return Response(status_code=304, headers={"etag": ETAG})
        return HTMLResponse(PAGE, headers={"etag": ETAG})

    app = Starlette(routes=[Route("/{rest:path}", marimo, methods=["GET", "HEAD"])],
                    middleware=[Middleware(AuthenticationMiddleware, backend=Backend()), front.MIDDLEWARE])
    app.state.base_url = ""
    return Client(app)


@pytest.fixture
def painted(monkeypatch):
    """The course's server (its front page switched on) holding one painting: Lesson 3 at its own address."""
    monkeypatch.setenv(front.ENV, "1")
    monkeypatch.setattr(firstpaint, "PAINTINGS", {firstpaint.key(LESSON, {}): firstpaint.Painting(
        "<h1>PAINTED</h1>", charts=0, seconds=0.1)})


def revalidated(client: Client, url: str):
    """A GET with the browser's If-None-Match (its cached copy's ETag)."""
    original = client.app

    async def with_etag(scope, receive, send):
        scope = {**scope, "headers": [*scope["headers"], (b"if-none-match", ETAG.encode())]}
        await original(scope, receive, send)

    return Client(with_etag).get(url)


def test_a_painted_address_gets_marimos_page_with_the_painting_first(painted):
    reply = marimo_pages().get(f"/?file={LESSON}")
    text = reply.text
    assert reply.status_code == 200 and "PAINTED" in text
    assert text.index("PAINTED") < text.index('<div id="root">')  # shown before marimo's page, which replaces it
    assert text.startswith(PAGE[:PAGE.index("<body>") + len("<body>")])  # marimo's head untouched
    assert reply.headers["content-length"] == str(len(reply.content))
    assert "etag" not in reply.headers  # not marimo's page any more: a cached copy must not stand for it
    # The one-time token and the page's name are not settings: the same painting.
    assert "PAINTED" in marimo_pages().get(f"/?file={LESSON}&access_token=abc").text


@pytest.mark.parametrize("url", [f"/?file={LESSON}&predict=off", f"/?file={LESSON}&seed=3",
                                 "/?file=lesson1_width.py", "/other"])
def test_an_address_without_a_painting_gets_marimos_page_untouched(painted, url):
    reply = marimo_pages().get(url)
    assert reply.text == PAGE and reply.headers["etag"] == ETAG


def test_head_a_stranger_and_a_server_that_did_not_ask_get_marimos_answer(painted, monkeypatch):
    head = marimo_pages().head(f"/?file={LESSON}")  # (the stand-in sends a body to HEAD too; marimo does not)
    assert b"PAINTED" not in head.content and head.headers["etag"] == ETAG
    assert "PAINTED" not in marimo_pages().get(f"/?file={LESSON}", password="wrong").text
    monkeypatch.delenv(front.ENV)
    assert marimo_pages().get(f"/?file={LESSON}").text == PAGE


def test_a_browsers_cached_copy_is_not_revalidated_where_a_painting_is_sent(painted):
    # marimo would answer 304 and the browser show its cached copy: with no painting, or an older one.
    assert "PAINTED" in revalidated(marimo_pages(), f"/?file={LESSON}").text
    assert revalidated(marimo_pages(), "/?file=lesson1_width.py").status_code == 304  # no painting: as before


def test_a_page_with_no_body_is_sent_as_it_came():
    assert firstpaint.inject(b"<p>odd</p>", firstpaint.Painting("x", 0, 0.0)) == b"<p>odd</p>"


def test_the_painting_says_the_live_page_is_coming_and_hides_marimos_until_it_has():
    text = firstpaint.markup(firstpaint.Painting("<p>body</p>", 0, 0.0))
    assert 'role="status"' in text and "Starting the live lesson" in text and 'aria-busy="true"' in text
    assert "#root { visibility: hidden; }" in text  # laid out (its charts size themselves), not drawn twice
    assert str(firstpaint.GUARD_MS) in text  # however the page goes, the painting goes in the end


def test_a_lesson_that_cannot_be_painted_is_reported_and_the_others_painted(monkeypatch):
    monkeypatch.setattr(firstpaint, "PAINTINGS", {})
    broken = registry.LESSONS[0]

    def load(path):
        if path.name == broken.app:
            raise RuntimeError("no such page")
        return warm.load_app(path)

    report = firstpaint.paint_all([broken, registry.lesson("neurotron")], load)
    assert report[broken.name] == "RuntimeError: no such page"
    assert isinstance(report["neurotron"], float)
    assert set(firstpaint.PAINTINGS) == {firstpaint.key(LESSON, q) for q in firstpaint.QUERIES}


@pytest.fixture(scope="module")
def lesson3():
    """Lesson 3 painted at each painted address, by its parameters: () and (("predict", "off"),)."""
    app = warm.load_app(course.apps_dir() / LESSON)
    return {firstpaint.key(LESSON, q)[1]: firstpaint.paint(app, q) for q in firstpaint.QUERIES}


def test_a_student_s_page_is_painted_with_its_questions_and_its_results_locked(lesson3):
    student = lesson3[()]
    assert student.body.count("Predict first.") >= 2  # the questions, printed (their boxes come live)
    locked = student.body.count("Answer the question above")
    assert locked >= 1  # the results behind them, locked as on the student's page
    assert "Check your prediction" not in student.body  # not a hand-out: no verdicts under the results
    assert "What was run for this page" not in student.body and firstpaint.CONTROLS in student.body
    assert painting.params() is None  # the painting's context ends with it


def test_a_teachers_link_is_painted_with_every_result_and_its_charts_as_pictures(lesson3):
    teacher, student = lesson3[(("predict", "off"),)], lesson3[()]
    assert "Predict first." not in teacher.body and "Answer the question above" not in teacher.body
    assert teacher.charts > student.charts >= 1
    assert teacher.body.count('<img class="chart"') == teacher.charts  # every chart a picture: no script needed
    assert '<div class="chart" id=' not in teacher.body and "vegaEmbed" not in teacher.body
