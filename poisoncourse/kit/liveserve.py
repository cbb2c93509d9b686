"""What the live charts (kit/livechart.py) need from the course's server: the Vega bundle, and Stop.

Both are answered by a Starlette middleware that every marimo server loads from the entry-point group
``marimo.server.asgi.middleware`` (pyproject.toml; tools/front.py explains the mechanism), on two fixed
paths under marimo's base URL — so the same URLs work on ``poisoncourse serve``, ``marimo edit`` and behind
the hub's proxy (``/user/<name>/poisoncourse/``):

``<base>/_poisoncourse/vega-<version>.js``
    Vega, Vega-Lite and vega-embed as one offline script (vl-convert's bundle, ~900 KB). A chart's
    front-end imports it by a URL relative to the page, so a page fetches it once for all its charts
    (the browser's module map), and with ``Cache-Control: immutable`` (the version is in the name) a
    second lesson, or a reload, does not fetch it at all. Carrying it in each widget's ESM instead would
    resend it in every chart's model (five charts: 4.5 MB a page open).

``POST <base>/_poisoncourse/stop/<token>``
    Stops the run that registered `token` (:func:`register`). marimo's run mode has no stop button,
    and a widget's own messages reach Python only between cells (the kernel reads them in the loop that
    is busy running the training cell), so the Stop button goes around the kernel: under ``marimo run``
    every session is a thread of the server process, and this request sets the run's event there. The
    token is a random secret known only to the page that shows the run. marimo's own middleware sees
    the request first and refuses any POST without the page's server token (its skew protection), so
    the button sends that header as marimo's requests do (livechart.js).

Imports only the standard library and Starlette at load (every marimo server loads this); the bundle is
made at the first request.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "_poisoncourse/"
VEGA_LITE_VERSION = "6.4"  # as tools/site.py's static pages: altair 6's specs
BUNDLE = f"{PREFIX}vega-{VEGA_LITE_VERSION}.js"  # relative to the page (its base URL)
STOP = f"{PREFIX}stop/"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

_RUNS: dict[str, threading.Event] = {}
_LOCK = threading.Lock()


def register() -> tuple[str, threading.Event]:
    """A new stoppable run: its token (for the page's Stop button) and the event a Stop sets."""
    token, event = secrets.token_urlsafe(18), threading.Event()
    with _LOCK:
        _RUNS[token] = event
    return token, event


def unregister(token: str) -> None:
    with _LOCK:
        _RUNS.pop(token, None)


def stop(token: str) -> bool:
    """Set the run's event; False when no such run is going (finished, or never was)."""
    with _LOCK:
        event = _RUNS.get(token)
    if event is None:
        return False
    event.set()
    return True


@functools.cache
def bundle() -> bytes:
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION).encode()


def base_url(scope: Scope) -> str:
    """marimo's --base-url without its trailing slash ("" at the root): marimo keeps it on its app's state
    (its own session middleware reads it there) and mounts its routes under it. Middleware that answers
    paths of its own (this module's, tools/front.py's page) finds them under it."""
    state = getattr(scope.get("app"), "state", None)
    return str(getattr(state, "base_url", "") or "").rstrip("/")


async def answer(scope: Scope) -> Response | None:
    """The response for one of this module's paths, or None for everything else (marimo's)."""
    if scope["type"] != "http":
        return None
    path = scope.get("path", "")
    base = base_url(scope) + "/"
    if not path.startswith(base + PREFIX):
        return None
    rest, method = path[len(base):], scope.get("method")
    if rest == BUNDLE and method in ("GET", "HEAD"):
        body = await run_in_threadpool(bundle)  # the first request makes it: not on the event loop
        return Response(b"" if method == "HEAD" else body, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=31536000, immutable",
                                 "Content-Length": str(len(body))})
    if rest.startswith(STOP) and method == "POST" and _TOKEN.fullmatch(rest[len(STOP):]):
        return Response(status_code=204 if stop(rest[len(STOP):]) else 404)
    return Response("Not found", status_code=404)


class LiveAssets:
    """ASGI middleware: the bundle and the Stop requests; everything else to marimo untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await answer(scope)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)


MIDDLEWARE = Middleware(LiveAssets)
