# Dangke: `make run` starts the site and the worker; `make test` lints and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
ADDR ?= 127.0.0.1:8000

.PHONY: locks run install test lint check-migrations pytest browser bench messages compilemessages demo worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The runtime lock (what a server installs, docs/deploy.md) plus the development lock (tests,
# lint, benchmarks); both pinned with hashes. `make locks` regenerates them from pyproject.toml.
$(STAMP): $(BIN)/python requirements.lock requirements-dev.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) rundev --addr $(ADDR)

demo: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

worker: install
	$(MANAGE) task_worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: install
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) makemigrations --check --dry-run

# The browser tests drive Debian's Chromium (no downloaded browsers) with a Chinese font; as root
# both are installed here.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "chromium not found: install Debian's chromium package, or the browser tests are skipped"; \
	  fi; }

pytest: install browser
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check-migrations pytest

bench: install
	$(BIN)/python -m bench $(B)

# Source strings are Chinese; English is the one catalogue to translate (tests check it is complete).
messages: install
	$(MANAGE) makemessages -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'

compilemessages: install
	$(MANAGE) compilemessages -l en -l zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# Regenerate both locks from pyproject.toml with pip-tools, against PyPI only (a machine's local
# wheel folders and mirrors are left out, so the hashes are PyPI's). Pins only move when asked:
# pass UPGRADE=--upgrade (or --upgrade-package NAME) to take newer versions.
PIP_COMPILE = env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --index-url https://pypi.org/simple \
	--no-emit-index-url --no-emit-find-links $(UPGRADE)
locks: install
	$(BIN)/pip install --quiet pip-tools
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml
	$(BIN)/python bin/lock-layers requirements.lock requirements-dev.lock
