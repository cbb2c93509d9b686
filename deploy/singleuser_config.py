"""Each student's single-user server: the course, read-only, and nothing else.

JupyterHub starts one single-user server (``jupyterhub-singleuser``, a Jupyter Server) per student.
This file configures it — ``--config`` in ``jupyterhub_config.py``'s ``Spawner.args``, or
``/etc/jupyter/jupyter_server_config.py`` in the Docker image — so that it

- runs the course with ``marimo run`` (read-only: nobody can edit or add code) behind
  jupyter-server-proxy at ``/user/<name>/poisoncourse/``: the proxy's table of servers is read
  here, by the single-user server, not by the hub;
- gives that marimo its own secret, which only the proxy sends: marimo listens on 127.0.0.1 with
  no token by default, so any process on the machine could otherwise reach a student's marimo port
  and skip the hub. The secret reaches marimo through a file readable only by this server's user;
- serves nothing else: no JupyterLab or notebook page, no terminal, no kernels, no file contents.
  The extensions are switched off and an authorizer refuses every Jupyter API action; the proxy
  checks only that the visitor is the student the hub logged in (``access:servers`` scope).
"""

import atexit
import base64
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_server.auth import Authorizer
from jupyter_server_proxy.handlers import NamedLocalProxyHandler, ProxyHandler

# Only where the lessons are, and the front page's switch: the rest of poisoncourse imports torch, ≈ 0.5 GB
# this server does not need.
from poisoncourse import _course
from poisoncourse.tools import front, serve

c = get_config()  # noqa: F821  (provided by traitlets when it reads this file)

NAME = "poisoncourse"  # the path under /user/<student>/ where the course lives

# One secret per server process, in a folder only this user can read (mkdtemp makes it 0700).
_secret = secrets.token_urlsafe(32)
_folder = Path(tempfile.mkdtemp(prefix="poisoncourse-token-"))
_token_file = _folder / "token"
_token_file.write_text(_secret, encoding="utf-8")
_token_file.chmod(0o600)
atexit.register(shutil.rmtree, _folder, True)

c.ServerProxy.servers = {
    NAME: {
        "command": [
            sys.executable, "-m", "marimo", "run", str(_course.apps_dir()), "--headless",
            "--host", "127.0.0.1", "--port", "{port}", "--base-url", "{base_url}" + NAME,
            "--token", "--token-password-file", str(_token_file),
        ],
        # The course's front page at the root instead of marimo's bare gallery (poisoncourse/tools/front.py),
        # worded for a server of the student's own; one training thread, as `poisoncourse serve` runs it
        # (poisoncourse/tools/serve.py says why).
        "environment": {front.ENV: front.ON_HUB, serve.THREADS_ENV: serve.SERVER_THREADS},
        # marimo serves under its own --base-url, so the proxy passes the full path on.
        "absolute_url": True,
        # marimo's token password as HTTP Basic credentials (any user name, the secret as password).
        "request_headers_override": {"Authorization": "Basic " + base64.b64encode(f" :{_secret}".encode()).decode()},
        "timeout": 300,  # importing torch and marimo while a whole room logs in at once
        "launcher_entry": {"enabled": False},
    }
}

# jupyter-server-proxy also proxies any local port (/user/<name>/proxy/<port>/), and its host_allowlist
# setting does not reach that route: it would let a student reach other services on this machine.
# Both of its ways in (HTTP and websocket) ask _check_host_allowlist, so only the named server passes.
if not hasattr(ProxyHandler, "_check_host_allowlist"):
    raise RuntimeError("This jupyter-server-proxy no longer has _check_host_allowlist: review singleuser_config.py.")
ProxyHandler._check_host_allowlist = lambda handler, host: isinstance(handler, NamedLocalProxyHandler)


class CourseOnlyAuthorizer(Authorizer):
    """Refuses every Jupyter Server API action (contents, kernels, sessions, terminals, files …).

    jupyter-server-proxy's handlers do not ask the authorizer — only whether the visitor is logged in
    as this server's student — so the course stays reachable and nothing else is.
    """

    def is_authorized(self, handler, user, action, resource):
        return False


c.ServerApp.authorizer_class = CourseOnlyAuthorizer
c.ServerApp.terminals_enabled = False
# Only the proxy: no JupyterLab, classic notebook, terminals or language servers, even if installed.
c.ServerApp.jpserver_extensions = {
    "jupyter_server_proxy": True,
    "jupyterlab": False,
    "notebook": False,
    "nbclassic": False,
    "notebook_shim": False,
    "jupyter_server_terminals": False,
    "jupyter_lsp": False,
    "jupyter_server_fileid": False,
    "jupyter_server_ydoc": False,
    "jupyter_collaboration": False,
}
c.ServerApp.default_url = f"/{NAME}/"
# An empty folder below the token's (never the token's own): nothing to browse, should a handler slip through.
(_folder / "empty").mkdir()
c.ServerApp.root_dir = str(_folder / "empty")
# A hub that runs as root with one Unix user for all students (the test, some containers) starts this as root.
c.ServerApp.allow_root = True
