# Quick start: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup run test lint format migrate demo messages worker clean bench

# The development targets run in debug (the development key, the demo app); nothing else does,
# so `make migrate` or `make worker` on a server start only with a real key (see README).
run demo test messages bench: export DJANGO_DEBUG ?= true

setup: $(STAMP) .env node_modules/.installed

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

.env:
	cp .env.example .env

# Browser-test tools from the npm registry (axe-core); never served to users. Without npm the
# accessibility checks are skipped locally (CI has npm and runs them).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks of the browser tests will be skipped"; fi

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: setup
	$(PY) manage.py makemessages -l vi --ignore=$(VENV) --ignore=var --ignore=node_modules --no-obsolete
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules

worker: setup
	mkdir -p var
	$(VENV)/bin/celery -A cchc_portal worker -B --loglevel=info --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules

# The portal's speed targets, then #16's national table (PostgreSQL; see docs/performance.md).
bench: setup
	status=0; $(PY) bench/run.py || status=1; $(PY) bench/run_national.py || status=1; exit $$status
