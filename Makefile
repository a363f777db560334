# EXCOM Registration: one entry point for running, testing and measuring.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the badges and the tests need (fonts with real glyphs, fast font subsetting,
# PDF tools, gettext for the translations, Chromium for the browser tests).
APT_PACKAGES := fonts-noto-core fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext \
	libpango-1.0-0 libpangoft2-1.0-0 chromium chromium-driver

.PHONY: help venv system-packages node-packages install install-dev compilemessages badge-fonts run run-stack test lint format bench audit clean

help:
	@echo "make run     start the demo site on http://$(HOST):$(PORT) (SQLite, tasks in-process)"
	@echo "make run-stack  web (gunicorn), worker and beat on the local PostgreSQL and Redis"
	@echo "make test    run the whole test suite on PostgreSQL and Redis"
	@echo "make bench   print the benchmark tables"
	@echo "make lint    ruff check and format check"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(PY)

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing with apt:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages (install them as root):$$missing"; fi; \
	fi

install: venv system-packages
	@$(MAKE) --no-print-directory node-packages NPM_FLAGS=--omit=dev || \
	  echo "without npm the dashboard shows its tables but no charts"
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory compilemessages badge-fonts

install-dev: venv system-packages node-packages
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory compilemessages badge-fonts

# Compact copies of the Korean Noto font for badges (registration/rendering/fonts.py); made once,
# about a minute, and again only when Debian's font changes.
badge-fonts:
	@$(PY) manage.py build_badge_fonts -v0

# Chart.js for the dashboard and axe-core for the accessibility tests, from the npm registry.
node-packages:
	@if [ -f package-lock.json ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund $(NPM_FLAGS); \
	  else echo "npm is missing: install Node.js (apt-get install nodejs npm)"; exit 1; fi; fi

compilemessages:
	@if [ -d locale ] && ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  $(PY) manage.py compilemessages -v0 --ignore=.venv; fi

run: install
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "EXCOM Registration runs at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Emails are printed in this terminal. Stop with Ctrl-C."
	$(PY) manage.py runserver $(HOST):$(PORT)

# The same commands as docker-compose.yml (see Procfile), on this machine's PostgreSQL and Redis.
STACK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/excom
STACK_REDIS_URL ?= redis://127.0.0.1:6379/0
run-stack: install-dev
	@$(PY) -c "import socket,sys; [socket.create_connection(a, 2).close() for a in (('127.0.0.1', 5432), ('127.0.0.1', 6379))]" \
	  || { echo "make run-stack needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; use make run otherwise"; exit 1; }
	@psql "$(STACK_DATABASE_URL)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres excom
	DATABASE_URL=$(STACK_DATABASE_URL) REDIS_URL=$(STACK_REDIS_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(STACK_DATABASE_URL) REDIS_URL=$(STACK_REDIS_URL) $(PY) manage.py seed_demo
	@echo "web, worker and beat start now; the site is at http://127.0.0.1:$(PORT)/ (Ctrl-C stops all three)"
	PATH=$(abspath $(BIN)):$$PATH DJANGO_SETTINGS_MODULE=excom.settings.local \
	  DATABASE_URL=$(STACK_DATABASE_URL) REDIS_URL=$(STACK_REDIS_URL) \
	  DJANGO_DEBUG=true PORT=$(PORT) GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/honcho start -f Procfile

test: install-dev
	$(PY) tests/services.py -- $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev
	@for script in benchmarks/bench_*.py; do $(PY) tests/services.py -- $(PY) $$script || exit 1; done

# Known vulnerabilities in the dependencies, and insecure patterns in our code.
audit: install-dev
	$(BIN)/pip-audit --skip-editable --progress-spinner off
	$(BIN)/bandit -ll -q -r excom delegates registration

clean:
	rm -rf $(VENV) db.sqlite3 media private staticfiles static/badges/fonts .pytest_cache
