"""The course on JupyterHub, as a workshop room meets it: deploy/jupyterhub_config.py, a real browser.

The hub starts from the configuration that ships (its settings come from the environment), on
127.0.0.1 only, with configurable-http-proxy (`make test` installs it into build/node/), local
processes for the students' servers and one shared password for a list of names. Two students log
in, land on the course's front page, open Lesson 3 from its card and retrain with different seeds at the same moment: each gets
exactly the chart the other student's server drew for that seed alone, from a process of their own.
Refused: a wrong password, a name not on the list, a student on another student's server, a request
straight to a student's marimo port or single-user server, JupyterLab, terminals, kernels, files and
the proxy's any-port route. The hub and everything it started are stopped by PID at the end.

Needs jupyterhub and jupyter-server-proxy (the test extra), configurable-http-proxy and chromium.
`pytest -k hub` selects it. Measured on the 2-core machine while other work loaded it (load average
12–25): 86–186 s, most of it the two servers importing torch and marimo and Lesson 3's first runs.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from poisoncourse.tools import serve

from . import test_browser as tb

pytestmark = pytest.mark.e2e  # a real browser, server or install: `pytest -m "not e2e"` is the fast loop

pytest.importorskip("jupyterhub", reason="the JupyterHub test needs the test extra (pip install -e '.[test]')")
pytest.importorskip("jupyter_server_proxy", reason="the JupyterHub test needs the test extra")

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
LOCAL_PROXY = ROOT / "build" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
STUDENTS = ("ada", "alan")
APP = "lesson3_neurotron.py"
SEEDS = {"ada": 11, "alan": 12}  # each student's seed; the other student's server draws it first, alone
START_SECONDS = tb.PATIENCE_S
LOGIN_SECONDS = tb.PATIENCE_S  # login → the front page: the hub starts the student's server, which imports torch and marimo


@dataclass
class Hub:
    url: str
    proc: subprocess.Popen
    password: str
    state: Path
    log: Path
    seen: dict[int, str] = field(default_factory=dict)  # PID → start time of each process the hub started


def proxy_available() -> bool:
    return LOCAL_PROXY.exists() or shutil.which("configurable-http-proxy") is not None


def hub_environment(state: Path, students, port: int) -> dict[str, str]:
    password_file = state / "password"
    password_file.write_text(secrets.token_urlsafe(12), encoding="utf-8")
    password_file.chmod(0o600)
    return {
        **os.environ,
        "POISONCOURSE_DEVICE": "cpu",
        "POISONCOURSE_HUB_STUDENTS": " ".join(students),
        "POISONCOURSE_HUB_PASSWORD_FILE": str(password_file),
        "POISONCOURSE_HUB_IP": "127.0.0.1",
        "POISONCOURSE_HUB_PORT": str(port),
        "POISONCOURSE_HUB_API_PORT": str(tb.free_port()),
        "POISONCOURSE_HUB_PROXY_API_PORT": str(tb.free_port()),
        "POISONCOURSE_HUB_STATE": str(state),
    }


def start_hub(state: Path, students=STUDENTS) -> Hub:
    """JupyterHub from deploy/jupyterhub_config.py on a free port of 127.0.0.1 (also used by room_load.py)."""
    if not proxy_available():
        raise RuntimeError("configurable-http-proxy is not installed: run `make test` (it installs it into "
                           "build/node/) or `npm install --prefix build/node configurable-http-proxy@5.3.0`.")
    state.mkdir(parents=True, exist_ok=True)
    port = tb.free_port()
    env = hub_environment(state, students, port)
    log = state / "hub.log"
    with log.open("wb") as out:
        # Its own session, so that its processes can be told apart from the test's own children.
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=state, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", proc, Path(env["POISONCOURSE_HUB_PASSWORD_FILE"]).read_text(), state, log)
    deadline = time.time() + START_SECONDS
    while time.time() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{hub.url}/hub/api/", timeout=2):
                return hub
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    stop_hub(hub)
    raise RuntimeError(f"JupyterHub did not start within {START_SECONDS} s; its log ends:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            with_children = task / "children"
            if with_children.exists():
                kids = [int(k) for k in with_children.read_text().split()]
                found += kids
                todo += kids
    return found


def started_at(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/PID/stat): with the PID, it names one process, even
    after its PID has been reused. None when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == "Z" else fields[19]


def remember(hub: Hub) -> list[int]:
    found = descendants(hub.proc.pid)
    for pid in found:
        hub.seen.setdefault(pid, started_at(pid))
    return found


def stop_hub(hub: Hub) -> None:
    """SIGTERM to the hub (which stops the proxy and every student's server), then SIGKILL, by PID, to
    anything it started that is still there."""
    remember(hub)
    if hub.proc.poll() is None:
        hub.proc.terminate()
        try:
            hub.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            hub.proc.kill()
            hub.proc.wait(timeout=10)
    for pid, start in hub.seen.items():
        if start is not None and started_at(pid) == start:  # the very process the hub started, still there
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _environ(pid: int) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in kv)


def student_servers(hub: Hub) -> dict[str, dict]:
    """For each running student: the single-user server's PID and URL, and its marimo's PID and port."""
    found = {}
    for pid in remember(hub):
        try:
            environ = _environ(pid)
        except OSError:
            continue
        user = environ.get("JUPYTERHUB_USER")
        if user is None or "JUPYTERHUB_SERVICE_URL" not in environ or user in found:
            continue  # not a single-user server (or one of its children, which inherit the environment)
        marimo = [(c, Path(f"/proc/{c}/cmdline").read_text().split("\0")) for c in descendants(pid)]
        marimo = [(c, cmd) for c, cmd in marimo if "marimo" in cmd and "run" in cmd]
        found[user] = {"pid": pid, "url": environ["JUPYTERHUB_SERVICE_URL"],
                       "marimo_pid": marimo[0][0] if marimo else None,
                       "marimo_host": marimo[0][1][marimo[0][1].index("--host") + 1] if marimo else None,
                       "marimo_port": int(marimo[0][1][marimo[0][1].index("--port") + 1]) if marimo else None,
                       "marimo_threads": _environ(marimo[0][0]).get(serve.THREADS_ENV) if marimo else None}
    return found


def log_in(browser, hub: Hub, name: str, password: str, wait: bool = True):
    """A fresh browser session on the hub's login page, the form sent; with ``wait``, until the student's
    server has started and the course's front page shows."""
    page = tb.new_page(browser)
    page.goto(f"{hub.url}/hub/login", timeout=tb.PATIENCE_S * 1000)
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit", no_wait_after=True)
    if wait:
        landed(page, name)
    return page


def landed(page, name: str) -> None:
    """On the course's front page (poisoncourse/tools/front.py) at the root of the student's server."""
    page.wait_for_url(f"**/user/{name}/poisoncourse/**", timeout=LOGIN_SECONDS * 1000)
    page.locator("ol.lessons").get_by_text("Lesson 3").first.wait_for(timeout=tb.PATIENCE_S * 1000)
    assert page.locator("h1").inner_text().startswith("poisoncourse")
    # Each student has a server of their own: the page must not say results are shared with the room.
    how = page.locator("ul.how").inner_text()
    assert "yours alone" in how and "shared by everyone" not in how, how


def open_from_front_page(page, title: str = "Lesson 3 · Neuro-Tron"):
    """Click the lesson's card on the front page (it opens in the same tab, at the address a link uses,
    under the student's base URL) and wait for its first result."""
    page.locator("ol.lessons > li").filter(has_text=title).click()
    page.wait_for_url(f"**/poisoncourse/?file={APP}", timeout=tb.PATIENCE_S * 1000)
    # Its questions hold the results until answered; these tests look at the results (a teacher's link,
    # ?predict=off, shows them at once; tests/e2e/test_looks.py answers the questions).
    page.goto(page.url + "&predict=off")
    lesson = page
    tb.train_button(lesson).wait_for(timeout=tb.PATIENCE_S * 1000)
    tb.first_chart(lesson).wait_for(timeout=tb.PATIENCE_S * 1000)
    tb.wait_idle(lesson)
    return lesson


def seed_box(page):
    # marimo's number boxes are text boxes named by their label.
    return tb.controls(page).get_by_role("textbox", name=re.compile("first seed"))


def set_seed(page, seed: int) -> None:
    box = seed_box(page)
    box.fill(str(seed))
    box.press("Tab")


def train(page) -> None:
    tb.train_button(page).click()


def settled_chart(page, before: str | None, timeout: float = tb.PATIENCE_S) -> str:
    """The first chart's fingerprint once it differs from ``before`` and stays, with nothing pending."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(0.1)
        if tb.busy(page):
            continue
        now = tb.chart_hash(page)
        if now is None or now == before:
            continue
        time.sleep(tb.SETTLED_SECONDS)
        if not tb.busy(page) and tb.chart_hash(page) == now:
            return now
    raise AssertionError(f"the chart was not redrawn after Train (errors shown: {tb.errors_on(page)})")


def retrain_alone(page, seed: int) -> str:
    before = tb.chart_hash(page)
    set_seed(page, seed)
    train(page)
    return settled_chart(page, before)


def get(url: str, headers: dict | None = None) -> tuple[int, str]:
    """Status and body of a plain request, redirects not followed."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    try:
        started = start_hub(tmp_path_factory.mktemp("hub"))
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)
    try:
        yield started
    finally:
        stop_hub(started)


@pytest.fixture(scope="module")
def students(hub, browser):
    """Both students logged in at once (their servers start side by side), each on the front page."""
    pages = {name: log_in(browser, hub, name, hub.password, wait=False) for name in STUDENTS}
    for name, page in pages.items():
        try:
            landed(page, name)
        except Exception as err:  # noqa: BLE001  (the hub's log says why a server did not start)
            raise AssertionError(f"{name} did not reach the front page: {err}\nhub log:\n{tail(hub.log)}") from None
    yield pages
    for page in pages.values():
        page.context.close()


browser = tb.browser  # the browser tests' fixture: Debian's chromium, headless


def test_hub_students_get_their_own_process_and_the_chart_they_would_get_alone(hub, students):
    lessons = {name: open_from_front_page(page) for name, page in students.items()}
    ada, alan = lessons["ada"], lessons["alan"]
    # Each seed is first drawn alone, in the *other* student's server (so that neither server has
    # already computed what it is asked below).
    alone = {"alan": retrain_alone(ada, SEEDS["alan"]), "ada": retrain_alone(alan, SEEDS["ada"])}
    assert alone["ada"] != alone["alan"], "two seeds drew the same chart: the comparison would prove nothing"

    before = {name: tb.chart_hash(page) for name, page in lessons.items()}
    for name, page in lessons.items():
        set_seed(page, SEEDS[name])
    for page in lessons.values():  # both retrains queued before either finishes
        train(page)
    for name, page in lessons.items():
        assert settled_chart(page, before[name]) == alone[name], (
            f"{name}'s chart, trained beside another student, differs from the one drawn alone")
        assert not tb.errors_on(page)

    servers = student_servers(hub)
    assert set(servers) == set(STUDENTS), f"running servers: {servers}"
    assert servers["ada"]["pid"] != servers["alan"]["pid"]
    assert None not in (servers["ada"]["marimo_pid"], servers["alan"]["marimo_pid"]), servers
    assert servers["ada"]["marimo_pid"] != servers["alan"]["marimo_pid"]
    # Each student's marimo trains on one thread, as `poisoncourse serve` does (tools/serve.py says why).
    assert servers["ada"]["marimo_threads"] == servers["alan"]["marimo_threads"] == serve.SERVER_THREADS, servers
    # The lessons opened in the students' own tabs (the front page's cards are plain links), which the
    # tests below go on using: the students fixture closes them at the end.


def test_hub_refuses_a_wrong_password_and_a_name_not_on_the_list(hub, browser):
    for name, password in (("ada", hub.password + "x"), ("mallory", hub.password)):
        page = log_in(browser, hub, name, password, wait=False)
        page.get_by_text("Invalid username or password").wait_for(timeout=30_000)
        assert "/hub/login" in page.url and "/user/" not in page.url
        page.context.close()


def test_hub_refuses_a_student_on_another_students_server(hub, students):
    response = students["alan"].goto(f"{hub.url}/user/ada/poisoncourse/?file={APP}", timeout=tb.PATIENCE_S * 1000)
    assert response.status == 403, f"alan opened ada's server: {response.status} {students['alan'].url}"
    assert students["alan"].locator(tb.CONTROLS).count() == 0


def test_hub_student_server_refuses_direct_requests(hub, students):
    servers = student_servers(hub)
    ada = servers["ada"]
    # Both listen on this machine only.
    assert ada["url"].startswith("http://127.0.0.1:") and ada["marimo_host"] == "127.0.0.1", ada
    course = f"http://127.0.0.1:{ada['marimo_port']}/user/ada/poisoncourse/"
    assert get(f"http://127.0.0.1:{ada['marimo_port']}/")[0] in (302, 303, 307, 401, 403, 404)
    status, body = get(course)
    assert status in (302, 303, 307, 401, 403), f"ada's marimo answered a request without the secret: {status}"
    assert "Lesson 3" not in body
    wrong = {"Authorization": "Basic " + base64.b64encode(b" :not-the-secret").decode()}
    status, body = get(course, wrong)
    assert status in (302, 303, 307, 401, 403) and "Lesson 3" not in body, status
    # The single-user server itself, skipping the hub's proxy: it sends the visitor to the hub's login.
    status, _ = get(ada["url"].rstrip("/") + "/poisoncourse/")
    assert status == 302


def test_hub_students_reach_no_jupyterlab_terminal_kernel_or_file(hub, students):
    request = students["ada"].request
    base = f"{hub.url}/user/ada"
    for path in ("/lab", "/tree", "/notebooks/x.ipynb", "/terminals/1", "/api/terminals", "/api/contents",
                 "/api/kernels", "/api/sessions", "/files/password", "/api/status",
                 f"/proxy/{hub.url.rsplit(':', 1)[1]}/hub/api/"):
        response = request.get(base + path, max_redirects=0)
        assert response.status in (403, 404), f"{path}: {response.status}"
    xsrf = [c["value"] for c in students["ada"].context.cookies() if c["name"] == "_xsrf"]
    response = request.post(f"{base}/api/kernels", headers={"X-XSRFToken": xsrf[0] if xsrf else ""})
    assert response.status == 403, f"a student could start a kernel: {response.status}"
    # What does work: the course itself, through the proxy.
    assert request.get(f"{base}/poisoncourse/").status == 200
