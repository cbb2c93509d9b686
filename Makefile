# The two commands of the README:
#   make serve   set up (first time only) and serve the course on http://127.0.0.1:2718/
#   make test    set up (first time only) and run every test
# Setting up creates .venv/ and installs the package with its test extra. It reruns only
# when pyproject.toml changes, so both commands are cheap the second time.

PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 2718
STAMP  := $(VENV)/.installed

.PHONY: serve test setup bench sweep clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

serve: $(STAMP)
	@echo "Serving the course at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(VENV)/bin/marimo run apps/ --host $(HOST) --port $(PORT) --headless $(SERVE_FLAGS)

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTEST_FLAGS)

bench: $(STAMP)
	$(VENV)/bin/python -m poisoncourse.bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
