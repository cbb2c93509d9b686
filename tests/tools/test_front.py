"""The course's front page (poisoncourse/tools/front.py): at the root of the live course, and nowhere else.

A tiny Starlette app stands in for marimo (its authentication first, as marimo orders them) for the
requests the middleware must answer or pass on; then real marimo servers, started as the course starts
them and as a user would start their own, for what marimo itself does with the entry point.
(tests/e2e/test_browser.py opens the page in a browser and follows a card to a lesson.)
"""

from __future__ import annotations

import asyncio
import html
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from poisoncourse import registry
from poisoncourse.tools import front, serve

ROOT = Path(__file__).resolve().parents[2]
MARIMO = "marimo's own page"
TITLE = "poisoncourse — data poisoning and adversarial attacks on small neural networks"


class Backend(AuthenticationBackend):
    """marimo's AuthBackend, reduced: a visitor with the password gets ``scopes`` (run: read; edit: read, edit)."""

    def __init__(self, scopes=("read",)):
        self.scopes = list(scopes)

    async def authenticate(self, conn):
        if conn.headers.get("x-password") != "secret":
            return None  # starlette then sets an UnauthenticatedUser, as marimo's middleware does
        return AuthCredentials(self.scopes), SimpleUser("user")


class Client:
    """Requests straight to an ASGI app (starlette's TestClient needs httpx2, which the course does not install)."""

    def __init__(self, app):
        self.app = app

    def request(self, method: str, url: str, password: str = "secret") -> Reply:
        path, _, query = url.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": [(b"host", b"testserver"), (b"x-password", password.encode())],
                 "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        asyncio.run(self.app(scope, receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return Reply(start["status"], headers, body)

    def get(self, url: str, **kw) -> Reply:
        return self.request("GET", url, **kw)

    def head(self, url: str, **kw) -> Reply:
        return self.request("HEAD", url, **kw)

    def post(self, url: str, **kw) -> Reply:
        return self.request("POST", url, **kw)


@dataclass
class Reply:
    status_code: int
    headers: dict
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()


def marimo_like(base_url: str = "", scopes=("read",)) -> Client:
    """A stand-in for marimo that answers every path itself, its auth outside the course's middleware."""
    async def marimo(request):
        name = request.query_params.get("file")
        if name and name not in {lesson.app for lesson in registry.LESSONS}:
            return JSONResponse({"detail": f"File {name} not found"}, status_code=404)  # as marimo answers
        return PlainTextResponse(MARIMO)

    routes = [Route("/{rest:path}", marimo, methods=["GET", "HEAD", "POST"])]
    app = Starlette(routes=routes, middleware=[Middleware(AuthenticationMiddleware, backend=Backend(scopes)),
                                               front.MIDDLEWARE])
    app.state.base_url = base_url  # where marimo keeps its --base-url
    return Client(app)


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setenv(front.ENV, "1")


def test_the_root_is_the_course_page_with_every_lesson_in_order(on):
    response = marimo_like().get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f"<h1>{html.escape(TITLE)}</h1>" in page
    positions = []
    for lesson in registry.LESSONS:
        link = f'href="?file={lesson.app}"'
        assert link in page, link
        positions.append(page.index(link))
        for text in (lesson.title, lesson.summary, lesson.paper.title, lesson.paper.authors, lesson.paper.venue):
            assert html.escape(text) in page, text
    assert positions == sorted(positions), "the lessons are not in course order"
    # A paper with no public copy (Lesson 4's thesis): its title is not a link, the link names what it opens.
    thesis = registry.lesson("labelnoise").paper
    assert thesis.url_opens and f">{html.escape(thesis.title)}</a>" not in page
    assert f'<a href="{thesis.url}">{html.escape(thesis.url_opens)}</a>' in page
    assert "Train" in page and "Five lessons" in page
    # Nothing to fetch: no script, stylesheet, image or font from anywhere.
    for tag in ("<script", "<link", "<img", "@import", "url("):
        assert tag not in page, tag


@pytest.mark.parametrize("switch, memo_mb, says, not_said", [
    ("1", 512, "shared by everyone on this server", "yours alone"),
    (front.ON_HUB, 512, "yours alone", "shared by everyone"),
    ("1", 0, "nothing is kept between runs", "comes back at once"),
], ids=["one server for the room", "a student's own server on the hub", "memo off"])
def test_the_page_says_whose_server_it_is(monkeypatch, switch, memo_mb, says, not_said):
    from poisoncourse.kit import memo

    monkeypatch.setenv(front.ENV, switch)
    monkeypatch.setattr(memo.MEMO, "max_bytes", memo_mb * 2**20)
    page = marimo_like().get("/").text
    assert says in page and not_said not in page


def test_head_gets_the_headers_of_the_page_and_no_body(on):
    client = marimo_like()
    got, head = client.get("/"), client.head("/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))


@pytest.mark.parametrize("base", ["", "/user/ada/poisoncourse"])
def test_an_address_naming_no_lesson_gets_a_sentence_and_the_way_to_the_front_page(on, base):
    client = marimo_like(base_url=base)
    reply = client.get(base + "/?file=lesson9.py&seed=<b>")
    assert reply.status_code == 404 and reply.headers["content-type"].startswith("text/html")
    assert "There is no lesson called “lesson9.py” in this course." in reply.text
    assert 'href="./"' in reply.text and '{"detail"' not in reply.text  # not marimo's JSON; ./ is the front page under any base URL
    assert client.head(base + "/?file=lesson9.py").content == b""
    assert client.get(base + "/?file=<script>x</script>").text.count("<script") == 0
    assert client.get(base + "/?file=lesson1_width.py").text == MARIMO  # a real lesson: marimo's page
    monkeypatch_off = pytest.MonkeyPatch()
    monkeypatch_off.delenv(front.ENV)
    try:
        assert "detail" in client.get(base + "/?file=lesson9.py").text  # the course did not ask: marimo's answer
    finally:
        monkeypatch_off.undo()


@pytest.mark.parametrize("url", ["/?file=lesson1_width.py", "/?file=lesson3_neurotron.py&seed=7", "/?file=",
                                 "/?access_token=secret", "/other", "/api/status", "/lesson1_width.py", "//"])
def test_a_lesson_and_every_other_path_go_to_marimo(on, url):
    assert marimo_like().get(url).text == MARIMO


def test_other_methods_go_to_marimo(on):
    assert marimo_like().post("/").text == MARIMO


def test_without_the_switch_the_root_is_marimos(monkeypatch):
    monkeypatch.delenv(front.ENV, raising=False)
    assert marimo_like().get("/").text == MARIMO
    monkeypatch.setenv(front.ENV, "0")
    assert marimo_like().get("/").text == MARIMO


def test_a_visitor_without_the_password_goes_to_marimo_and_its_login(on):
    client = marimo_like()
    assert client.get("/", password="wrong").text == MARIMO
    assert client.get("/").text != MARIMO


def test_an_editing_server_keeps_its_home_page(on):
    assert marimo_like(scopes=("read", "edit")).get("/").text == MARIMO


def test_under_a_base_url_only_its_root_is_the_course_page(on):
    client = marimo_like(base_url="/user/ada/poisoncourse")
    assert TITLE in client.get("/user/ada/poisoncourse/").text
    for url in ("/", "/user/ada/poisoncourse/?file=lesson5_lazy.py", "/user/ada/poisoncourse/other",
                "/user/ada/", "/user/ada/poisoncourse/user/ada/poisoncourse/"):
        assert client.get(url).text == MARIMO, url


# --- how marimo and the course's commands use it ----------------------------------------------------

def test_the_entry_point_is_registered_and_is_what_marimo_loads():
    from marimo._server.main import create_starlette_app
    from marimo._server.registry import MIDDLEWARE_REGISTRY

    # (The course registers a second one, the live charts' kit/liveserve.py: tests/kit/test_livechart.py.)
    (ep,) = [ep for ep in entry_points(group="marimo.server.asgi.middleware") if ep.name == "poisoncourse-front-page"]
    assert ep.value == "poisoncourse.tools.front:MIDDLEWARE"
    loaded = ep.load()
    assert isinstance(loaded, Middleware) and loaded.cls is front.FrontPage
    assert front.MIDDLEWARE in MIDDLEWARE_REGISTRY.get_all()
    app = create_starlette_app(base_url="")
    assert front.MIDDLEWARE in app.user_middleware
    # After marimo's authentication, which decides who is let in before the course's page is shown.
    classes = [m.cls.__name__ for m in app.user_middleware]
    assert classes.index("CustomAuthenticationMiddleware") < classes.index("FrontPage")


def test_loading_the_entry_point_imports_neither_torch_nor_the_lessons():
    """Every marimo server in the environment loads it: it must cost nothing where the page is off."""
    code = ("import sys; from marimo._server.registry import MIDDLEWARE_REGISTRY as r; r.get_all(); "
            "print(sorted(m for m in ('torch', 'poisoncourse.registry', 'poisoncourse.tools.course') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _capture(monkeypatch) -> list:
    runs = []
    monkeypatch.setattr(serve, "run_marimo", lambda cmd, stdin_text=None, env=None: runs.append((cmd, env)) or 0)
    return runs


def test_serve_asks_marimo_for_the_front_page_and_edit_does_not(monkeypatch):
    monkeypatch.delenv(front.ENV, raising=False)
    monkeypatch.delenv("PASSWORD", raising=False)
    runs = _capture(monkeypatch)
    assert serve.serve_main(["--port", "2799"]) == 0
    assert serve.serve_main(["--port", "2799", "--warm"]) == 0
    for cmd, env in runs:
        assert env[front.ENV] == "1" and env["PATH"] == os.environ["PATH"], cmd
    assert front.ENV not in os.environ  # only marimo's environment, not this process's
    runs.clear()
    monkeypatch.chdir(ROOT)
    assert serve.edit_main(["3"]) == 0
    ((cmd, env),) = runs
    assert front.ENV not in (os.environ if env is None else env)


def test_the_hub_asks_each_students_marimo_for_the_front_page():
    text = (ROOT / "deploy" / "singleuser_config.py").read_text(encoding="utf-8")
    assert '"environment": {front.ENV: front.ON_HUB, ' in text


# --- real marimo servers ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path, *args: str, front_page: bool) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != front.ENV}
    if front_page:
        env[front.ENV] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "marimo", *args, "--headless", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return f"http://127.0.0.1:{port}", proc


def _get(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_real_marimo_servers_show_it_only_where_the_course_asked(tmp_path):
    """The course's server shows the page at its root and marimo's page for a lesson; the same `marimo run`
    without the switch, and a user's own `marimo edit` even with it, show marimo's pages untouched."""
    apps = str(ROOT / "apps")
    servers = {
        "course": _start(tmp_path, "run", apps, front_page=True),
        "plain run": _start(tmp_path, "run", apps, front_page=False),
        "edit": _start(tmp_path, "edit", "--no-token", front_page=True),
    }
    try:
        deadline = time.monotonic() + 90
        pages = {name: _get(url + "/", deadline) for name, (url, _) in servers.items()}
        lesson = _get(servers["course"][0] + "/?file=lesson3_neurotron.py", deadline)
        missing = _get(servers["course"][0] + "/?file=lesson9.py", deadline)
    finally:
        for _, proc in servers.values():
            proc.terminate()
        for _, proc in servers.values():
            proc.wait(timeout=30)
    assert pages["course"][0] == 200 and TITLE in pages["course"][1]
    for name in ("plain run", "edit"):
        status, text = pages[name]
        assert status == 200 and TITLE not in text and "<marimo-" in text, name  # marimo's own index.html
    assert lesson[0] == 200 and TITLE not in lesson[1] and "<marimo-" in lesson[1]
    assert missing[0] == 404 and front.NOT_FOUND.format(name="lesson9.py") in missing[1]  # marimo's 404, replaced
