"""The course's front page, at the root of the live course (``poisoncourse serve``, a student's server on the hub).

``marimo run apps/`` answers its root with marimo's gallery: marimo's logo and one card per app, with no
course title and no introduction — and marimo 0.25 has no setting or hook to add them. What marimo does
offer is Starlette middleware from installed packages: every marimo server appends the objects registered
under the entry-point group ``marimo.server.asgi.middleware`` to its own middleware (after its
authentication). poisoncourse registers :data:`MIDDLEWARE` there (pyproject.toml), and it answers exactly
one request with this page: a GET or HEAD of the gallery root (marimo's base URL + ``/``, no ``?file=``).
Every lesson keeps its address (``/?file=lesson1_width.py``, with or without the settings of a link).

Because every marimo server in the environment loads the entry point (``poisoncourse edit``, a user's own
``marimo edit``), the page is off unless the course asked for it: ``poisoncourse serve`` (tools/serve.py)
and the hub's single-user servers (deploy/singleuser_config.py) set :data:`ENV` in marimo's environment.
This module imports only the standard library, Starlette and kit/liveserve.py (the same), so loading it
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

ENV = "POISONCOURSE_FRONT_PAGE"  # "1": answer the root with the course's page; unset: marimo's gallery
# The root with one of these goes to marimo: a lesson, or a token in the address (marimo sets its cookie
# and sends the browser back to the root without it, which then gets this page).
MARIMO_PARAMS = ("file", "access_token")

INTRO = (
    "{count} lessons on how data poisoning — an attacker slipping a few bad points into the training "
    "data — and adversarial attacks change what small neural networks learn. Each lesson follows one "
    "research paper: it states what the paper claims, then lets you test it yourself."
)
HOW = (
    "<li>Open a lesson below. Move its controls, then press <strong>Train</strong>: the networks are "
    "trained again with your settings and the charts redraw.</li>"
    "<li>Results are shared by everyone on this server: a setting someone has already trained comes "
    "back at once, for you too.</li>"
    "<li>To show someone exactly what you see, copy the page's address after pressing "
    "<strong>Train</strong>: it carries your settings, seed included.</li>"
)
# Larger type than the static site's: the page is shown on a projector at the start of a workshop.
STYLE = """
main { font-size: 1.12rem; }
h1 { font-size: clamp(1.6rem, 4vw, 2.4rem); }
.how { padding-left: 1.3rem; } .how li { margin: .3rem 0; }
"""


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


@functools.cache
def page() -> str:
    """The front page's HTML: the course map of :mod:`poisoncourse.registry`, linked to the served lessons."""
    from .. import __version__
    from . import course, site

    lessons = course.lessons()
    # Relative links (``?file=…``): the browser keeps the path it is on, so they work under any base URL
    # (the hub's /user/<name>/poisoncourse/) and behind any proxy.
    cards = site.lesson_list(lessons, href=lambda lesson: "?file=" + quote(lesson.path.name))
    body = (f"<h1>{html.escape(site.COURSE_TITLE)}</h1>"
            f"<p>{html.escape(INTRO.format(count=site.count(len(lessons))))}</p>"
            f'<ul class="how">{HOW}</ul>{cards}')
    footer = f"<b>poisoncourse</b> {html.escape(__version__)}, served live by marimo."
    return site.render(title="poisoncourse", body=body, charts=[], nav="<b>poisoncourse</b>", vega_js="",
                       footer=footer, style=STYLE)


def _signed_in(scope: Scope) -> bool:
    """Whether marimo's authentication let this visitor read the course (as its own gallery asks).

    This middleware runs inside marimo's: a password-protected server has already decided. A visitor it
    did not let in goes on to marimo, whose root sends them to its login page. A server that may edit
    ("edit" scope: ``marimo edit``) keeps its own home page, whatever the environment says.
    """
    user = scope.get("user")
    scopes = getattr(scope.get("auth"), "scopes", ())
    return bool(getattr(user, "is_authenticated", False)) and "read" in scopes and "edit" not in scopes


def is_front(scope: Scope) -> bool:
    """A GET or HEAD of the gallery's root, with no lesson asked for."""
    if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
        return False
    if scope.get("path") != base_url(scope) + "/":  # the gallery's root is <base_url>/
        return False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return not any(name in query for name in MARIMO_PARAMS)


class FrontPage:
    """ASGI middleware: the course's front page at marimo's root, everything else to marimo untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (enabled() and is_front(scope) and _signed_in(scope)):
            await self.app(scope, receive, send)
            return
        # The first request builds the page in a thread: reading the course map imports the lessons
        # (torch), which must not stall the server's event loop and every student's websocket with it.
        text = await run_in_threadpool(page)
        response = HTMLResponse(text, headers={"Cache-Control": "no-cache"})
        if scope["method"] == "HEAD":
            response.body = b""  # a GET's headers (Content-Length included), no body
        await response(scope, receive, send)


# What the entry point names: marimo's registry loads it and appends it, as is, to the server's middleware.
MIDDLEWARE = Middleware(FrontPage)
