"""The course's front page, at the root of the live course (``poisoncourse serve``, a student's server on the hub).

``marimo run apps/`` answers its root with marimo's gallery: marimo's logo and one card per app, with no
course title and no introduction — and marimo 0.25 has no setting or hook to add them. What marimo does
offer is Starlette middleware from installed packages: every marimo server appends the objects registered
under the entry-point group ``marimo.server.asgi.middleware`` to its own middleware (after its
authentication). poisoncourse registers :data:`MIDDLEWARE` there (pyproject.toml), and it answers exactly
one request with this page: a GET or HEAD of the gallery root (marimo's base URL + ``/``, no ``?file=``).
Every lesson keeps its address (``/?file=lesson1_width.py``, with or without the settings of a link).

A lesson address that names no lesson (``/?file=lesson9.py``, a mistyped or outdated link) gets marimo's
answer, a 404 with a line of JSON; the middleware swaps that body for a page with one sentence and a link
to the front page (the status stays 404).

Because every marimo server in the environment loads the entry point (``poisoncourse edit``, a user's own
``marimo edit``), the page is off unless the course asked for it: ``poisoncourse serve`` (tools/serve.py)
and the hub's single-user servers (deploy/singleuser_config.py, to :data:`ON_HUB`) set :data:`ENV` in
marimo's environment.
This module imports only the standard library, Starlette, kit/liveserve.py and tools/firstpaint.py (the same), so loading it
costs those servers nothing; the course map (which imports the lessons, and torch with them) is read at the first request.
"""

from __future__ import annotations

import functools
import html
import os
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from poisoncourse.kit.liveserve import base_url
from poisoncourse.tools import firstpaint

ENV = "POISONCOURSE_FRONT_PAGE"  # "1": answer the root with the course's page; unset: marimo's gallery
ON_HUB = "hub"  # the value a hub's single-user server sets: the page then says the server is the student's own
# The root with one of these goes to marimo: a lesson, or a token in the address (marimo sets its cookie
# and sends the browser back to the root without it, which then gets this page).
MARIMO_PARAMS = ("file", "access_token")

INTRO = (
    "{count} lessons on how data poisoning — an attacker slipping a few bad points into the training "
    "data — and adversarial attacks change what small neural networks learn. Each lesson follows one "
    "research paper: it states what the paper claims, then lets you test it yourself."
)
OPEN = ("<li>Open a lesson below. Move its controls, then press <strong>Train</strong>: the networks are "
        "trained again with your settings and the charts redraw.</li>")
# What a server keeps between runs (kit/memo.py, the memo of one process) depends on whose process it is.
SHARED = ("<li>Results are shared by everyone on this server: a setting someone has already trained comes "
          "back at once, for you too.</li>")
OWN = ("<li>This server is yours alone: your runs and results are your own, and a setting you have already "
       "trained comes back at once.</li>")
UNSHARED = "<li>Every setting is trained when you ask for it; nothing is kept between runs.</li>"
LINK = ("<li>To show someone exactly what you see, copy the page's address after pressing "
        "<strong>Train</strong>: it carries your settings, seed included.</li>")
TEACH = ('<li>Teaching with the course? Read <a href="?guide=teachers">the teacher\'s guide</a>: goals, timings, '
         "the predictions' answers and workshop plans.</li>")
GUIDE = "guide"  # ?guide=teachers: the teacher's guide instead of the course map
# Larger type than the static site's: the page is shown on a projector at the start of a workshop.
STYLE = """
main { font-size: 1.12rem; }
h1 { font-size: clamp(1.6rem, 4vw, 2.4rem); }
.how { padding-left: 1.3rem; } .how li { margin: .3rem 0; }
"""


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


def how(on_hub: bool, memo_on: bool) -> str:
    """How to use the course here. ``poisoncourse serve`` is one process shared by the room, and its memo
    (kit/memo.py) serves everyone's results to everyone; on a hub each student has a server of their own."""
    keep = (OWN if on_hub else SHARED) if memo_on else UNSHARED
    return OPEN + keep + LINK + TEACH


def page() -> str:
    """The front page's HTML: the course map of :mod:`poisoncourse.registry`, linked to the served lessons."""
    from ..kit import memo

    return _page(how(os.environ.get(ENV) == ON_HUB, memo.MEMO.max_bytes > 0))


@functools.cache
def _page(how_text: str) -> str:
    from .. import __version__
    from . import course, site

    lessons = course.lessons()
    # Relative links (``?file=…``): the browser keeps the path it is on, so they work under any base URL
    # (the hub's /user/<name>/poisoncourse/) and behind any proxy.
    cards = site.lesson_list(lessons, href=lambda lesson: "?file=" + quote(lesson.path.name))
    body = (f"<h1>{html.escape(site.COURSE_TITLE)}</h1>"
            f"<p>{html.escape(INTRO.format(count=site.count(len(lessons))))}</p>"
            f'<ul class="how">{how_text}</ul>{cards}')
    footer = f"<b>poisoncourse</b> {html.escape(__version__)}, served live by marimo."
    return site.render(title="poisoncourse", body=body, charts=[], nav="<b>poisoncourse</b>", vega_js="",
                       footer=footer, style=STYLE)


@functools.cache
def guide_page() -> str:
    """The teacher's guide (poisoncourse/guide), linked from the front page."""
    from . import guide

    return guide.html(nav='<a href="./">poisoncourse</a>', footer="<b>poisoncourse</b>, the teacher's guide.")


def _signed_in(scope: Scope) -> bool:
    """Whether marimo's authentication let this visitor read the course (as its own gallery asks).

    This middleware runs inside marimo's: a password-protected server has already decided. A visitor it
    did not let in goes on to marimo, whose root sends them to its login page. A server that may edit
    ("edit" scope: ``marimo edit``) keeps its own home page, whatever the environment says.
    """
    user = scope.get("user")
    scopes = getattr(scope.get("auth"), "scopes", ())
    return bool(getattr(user, "is_authenticated", False)) and "read" in scopes and "edit" not in scopes


def is_lesson(scope: Scope) -> bool:
    """A GET or HEAD of the gallery's root that asks for a lesson (``?file=``)."""
    return (scope["type"] == "http" and scope.get("method") in ("GET", "HEAD")
            and scope.get("path") == base_url(scope) + "/" and "file" in _query(scope))


def _query(scope: Scope) -> dict:
    return parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


NOT_FOUND = "There is no lesson called “{name}” in this course."


def not_found(name: str) -> str:
    """The page for a lesson address that names no lesson: one sentence, and the way to the front page."""
    from . import site

    # "./" is the gallery's root under any base URL: the browser keeps the path it is on.
    body = (f"<h1>No such lesson</h1><p>{html.escape(NOT_FOUND.format(name=name))} "
            f'The lessons are listed on <a href="./">the course\'s front page</a>.</p>')
    return site.render(title="No such lesson — poisoncourse", body=body, charts=[], nav="<b>poisoncourse</b>",
                       vega_js="", footer="", style=STYLE)


def _missing_lesson_page(scope: Scope, send: Send) -> Send:
    """``send`` for marimo's answer to a lesson address: its 404 (the file is not served) becomes
    :func:`not_found`'s page; any other answer passes untouched."""
    replaced = False

    async def wrapped(message) -> None:
        nonlocal replaced
        if message["type"] == "http.response.start" and message["status"] == 404:
            replaced = True
            name = (_query(scope).get("file") or [""])[-1]
            body = (await run_in_threadpool(not_found, name)).encode()
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-cache")]})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        if not replaced:  # marimo's own body of a replaced answer is dropped
            await send(message)

    return wrapped


def is_front(scope: Scope) -> bool:
    """A GET or HEAD of the gallery's root, with no lesson asked for."""
    if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
        return False
    if scope.get("path") != base_url(scope) + "/":  # the gallery's root is <base_url>/
        return False
    query = _query(scope)
    return not any(name in query for name in MARIMO_PARAMS)


class FrontPage:
    """ASGI middleware: the course's front page at marimo's root, everything else to marimo untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if enabled() and is_lesson(scope) and _signed_in(scope):
            # A lesson painted by the warm-up (tools/firstpaint.py) comes with its painting in marimo's page.
            await self.app(firstpaint.without_revalidation(scope), receive,
                           _missing_lesson_page(scope, firstpaint.painted_send(scope, send)))
            return
        if not (enabled() and is_front(scope) and _signed_in(scope)):
            await self.app(scope, receive, send)
            return
        # The first request builds the page in a thread: reading the course map imports the lessons
        # (torch), which must not stall the server's event loop and every student's websocket with it.
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        text = await run_in_threadpool(guide_page if GUIDE in query else page)
        response = HTMLResponse(text, headers={"Cache-Control": "no-cache"})
        if scope["method"] == "HEAD":
            response.body = b""  # a GET's headers (Content-Length included), no body
        await response(scope, receive, send)


# What the entry point names: marimo's registry loads it and appends it, as is, to the server's middleware.
MIDDLEWARE = Middleware(FrontPage)
