# The two commands of the README:
#   make serve   set up (first time only) and serve the course on http://127.0.0.1:2718/
#   make test    set up (first time only) and run every test
# Setting up creates .venv/ and installs the package with its test extra. It reruns only
# when pyproject.toml changes, so both commands are cheap the second time.

PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 2718
export PASSWORD
STAMP  := $(VENV)/.installed

.PHONY: serve test setup bench export clean chromium hubproxy axe

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "poisoncourse needs Python 3.11 or newer: run make with PYTHON=python3.11 (or newer)."; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# On 127.0.0.1 only this machine can connect. Any other HOST exposes the course to a
# network, so it needs PASSWORD (on the make command line or in the environment): marimo
# then asks every browser for it. `poisoncourse serve` reads it from the environment and
# hands it to marimo on stdin, so it never appears in a command line or the process list.
serve: $(STAMP)
	@case "$(HOST)" in \
	  127.0.0.1|localhost|::1) ;; \
	  *) [ -n "$$PASSWORD" ] || { echo "Serving on $(HOST) exposes the course to a network: set a password, e.g. make serve HOST=$(HOST) PASSWORD=choose-one"; exit 1; } ;; \
	esac; \
	$(VENV)/bin/poisoncourse serve --host $(HOST) --port $(PORT) $(SERVE_FLAGS)

test: $(STAMP) chromium hubproxy axe
	$(VENV)/bin/python -m pytest $(PYTEST_FLAGS)

# The browser tests drive Debian's chromium (never a downloaded browser). Installing it needs
# root; without root, install the package yourself.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && { apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium >/dev/null; }; }; } || { echo "Please install Debian's chromium (apt-get install chromium) for the browser tests."; exit 1; }

# The JupyterHub test (tests/e2e/test_hub.py) needs JupyterHub's proxy, configurable-http-proxy, from npm:
# installed into build/node/ when neither it nor one on PATH is there. Offline, it says so and the
# other tests still run.
CHP := build/node/node_modules/.bin/configurable-http-proxy
NO_NPM  := npm is missing: install Node.js and npm for the JupyterHub test.
NPM_OFF := Could not install configurable-http-proxy with npm (offline?): the JupyterHub test fails until it is there.
hubproxy:
	@test -x $(CHP) || command -v configurable-http-proxy >/dev/null || { \
	  command -v npm >/dev/null || { echo "$(NO_NPM)"; exit 0; }; \
	  npm install --prefix build/node --no-audit --no-fund --loglevel=error configurable-http-proxy@5.3.0 \
	    >/dev/null 2>&1 || echo "$(NPM_OFF)"; }

# The accessibility check of the browser tests (tests/e2e/test_looks.py) injects axe-core, from npm, into
# each lesson page: installed into build/node/ like the hub's proxy. Offline, it says so.
AXE := build/node/node_modules/axe-core/axe.min.js
NPM_AXE_OFF := Could not install axe-core with npm (offline?): the accessibility test fails until it is there.
axe:
	@test -f $(AXE) || { \
	  command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm for the accessibility test."; exit 0; }; \
	  npm install --prefix build/node --no-audit --no-fund --loglevel=error axe-core@4 >/dev/null 2>&1 || echo "$(NPM_AXE_OFF)"; }

bench: $(STAMP)
	$(VENV)/bin/poisoncourse bench

# The course as static pages (site/), for a USB stick or any static web host.
export: $(STAMP)
	$(VENV)/bin/poisoncourse export $(EXPORT_FLAGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
