# crimedash: `make demo` to try it, `make test` to run the whole suite. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DIR ?= demo-data
DEMO_SCALE ?= 1
PYTEST_ARGS ?=

.PHONY: demo test venv venv-dev browser migrate demo-data demo-accounts serve bench lint smoke clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; fi; \
	fi

migrate: venv
	$(PY) manage.py migrate --no-input

# Demo data is written and imported once; `make clean` (or deleting demo-data/) starts again.
demo-data: migrate $(DEMO_DIR)/.imported

$(DEMO_DIR)/.imported:
	$(PY) manage.py make_demo_data --out $(DEMO_DIR) --scale $(DEMO_SCALE)
	$(PY) manage.py import_demo_data --dir $(DEMO_DIR) --forecasts-in-worker  # serve_demo.sh enqueues the forecasts
	touch $@

demo-accounts: migrate
	$(PY) manage.py create_demo_accounts

serve:  # simulate_dispatch replays the CAD export of $(DEMO_DIR)
	DEMO_DATA_DIR="$${DEMO_DATA_DIR:-$(abspath $(DEMO_DIR))}" bash scripts/serve_demo.sh

demo: venv migrate demo-data demo-accounts serve

test: venv-dev browser
	$(PY) -m pytest $(PYTEST_ARGS)

smoke: venv-dev
	$(PY) manage.py migrate --no-input
	$(PY) manage.py check
	$(PY) -m pytest tests/test_smoke.py $(PYTEST_ARGS)

bench: venv-dev
	$(PY) -m bench

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 var $(DEMO_DIR) staticfiles
