"""The course on JupyterHub, on one machine: one `marimo run` process per student.

    POISONCOURSE_HUB_STUDENTS="ada alan grace" POISONCOURSE_HUB_PASSWORD_FILE=password.txt \\
        jupyterhub -f deploy/jupyterhub_config.py

Like The Littlest JupyterHub (TLJH), everything runs on one machine: the hub, its proxy
(configurable-http-proxy) and one single-user server per student, started as a local process when
the student logs in. Students log in with their name (from the list) and the workshop's shared
password, land on the course's front page, and reach only their own server; each server runs the course
read-only and nothing else (see singleuser_config.py beside this file).

Everything is set from the environment, so the file that ships is the file `tests/e2e/test_hub.py` runs:

    POISONCOURSE_HUB_STUDENTS        names allowed to log in, separated by spaces or commas (required)
    POISONCOURSE_HUB_PASSWORD_FILE   a file holding the shared password, ≥ 8 characters (required)
    POISONCOURSE_HUB_IP              address students connect to (default: all addresses)
    POISONCOURSE_HUB_PORT            their port (default 8000)
    POISONCOURSE_HUB_SSL_CERT, _KEY  serve HTTPS with this certificate (recommended beyond a lab network)
    POISONCOURSE_HUB_STATE           folder for the hub's database, cookie secret and the students'
                                     home folders (default ./poisoncourse-hub)
    POISONCOURSE_HUB_THREADS         torch threads per student (default 1: the students share the cores)
    POISONCOURSE_HUB_API_PORT, POISONCOURSE_HUB_PROXY_API_PORT
                                     the hub's and the proxy's internal ports on 127.0.0.1 (8081, 8001)
    POISONCOURSE_HUB_SPAWNER         "simple" (default): every student's server runs as the hub's own
                                     user, in STATE/homes/<name>; "system": as the Unix user of the
                                     same name, which must exist (the hub then runs as root)
"""

import os
import re
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when it reads this file)

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the environment the course is installed in


def setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(f"POISONCOURSE_HUB_{name}", default)
    if value is None:
        sys.exit(f"jupyterhub_config.py: set POISONCOURSE_HUB_{name} (see the top of {__file__}).")
    return value


STUDENTS = {name for name in re.split(r"[\s,]+", setting("STUDENTS")) if name}
try:
    PASSWORD = Path(setting("PASSWORD_FILE")).read_text(encoding="utf-8").strip()
except OSError as err:
    sys.exit(f"jupyterhub_config.py: the password file {setting('PASSWORD_FILE')} cannot be read ({err.strerror}).")
if len(PASSWORD) < 8:
    sys.exit("jupyterhub_config.py: the shared password must have at least 8 characters.")
STATE = Path(setting("STATE", "poisoncourse-hub")).resolve()
(STATE / "homes").mkdir(parents=True, exist_ok=True)

# Where students connect; the hub's and the proxy's own ports stay on this machine.
c.JupyterHub.ip = setting("IP", "")
c.JupyterHub.port = int(setting("PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(setting("API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('PROXY_API_PORT', '8001')}"
if os.environ.get("POISONCOURSE_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = setting("SSL_CERT")
    c.JupyterHub.ssl_key = setting("SSL_KEY")

# configurable-http-proxy: the copy `make test` installs into build/node/, else the one on PATH.
_local_proxy = HERE.parent / "build" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
_proxy = str(_local_proxy) if _local_proxy.exists() else shutil.which("configurable-http-proxy")
if _proxy is None:
    sys.exit("jupyterhub_config.py: configurable-http-proxy is missing: `npm install -g configurable-http-proxy` "
             "(or `make test`, which installs it into build/node/).")
c.ConfigurableHTTPProxy.command = [_proxy]

c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server

# One shared password; only the listed names get in (without the list, any name would).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = PASSWORD
c.Authenticator.allowed_users = STUDENTS
c.Authenticator.admin_users = set()
c.JupyterHub.admin_access = False

# One single-user server per student, a local process, configured to serve only the course.
if setting("SPAWNER", "simple") == "system":
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
else:
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.args = [f"--config={HERE / 'singleuser_config.py'}"]
c.Spawner.default_url = "/poisoncourse/"  # students land on the course's front page
c.Spawner.environment = {
    # Every student is a process of its own: one torch thread each keeps them from fighting over the cores.
    "OMP_NUM_THREADS": setting("THREADS", "1"),
}
if os.environ.get("POISONCOURSE_DEVICE"):  # cpu or cuda; unset: CUDA where there is one
    c.Spawner.environment["POISONCOURSE_DEVICE"] = os.environ["POISONCOURSE_DEVICE"]
c.Spawner.start_timeout = 180  # importing torch and marimo while a room logs in at once
c.Spawner.http_timeout = 180
