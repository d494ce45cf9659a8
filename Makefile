# newsdesk — `make run` serves the app, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
STAMP := $(VENV)/.installed

.PHONY: run test install lint format migrate seed bench loadtest eval clean flake-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,load]'
	touch $(STAMP)

install: $(STAMP)

run: export DEBUG ?= true
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py import_articles seeds/
	$(BIN)/python manage.py create_editor
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports  # one-way dependencies (pyproject.toml [tool.importlinter])
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Flakiness check on the configured database (DATABASE_URL; PostgreSQL, as in CI): the browser
# tests 10 times in a row, the database-race tests 5 times; names any test that failed (or was
# skipped) in any run, with how many. FLAKE_ARGS passes options, e.g. "--browser-runs 3".
flake-check: install
	$(BIN)/python tests/flake_check.py $(FLAKE_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache artifacts

# Load test on loopback: scratch database (PostgreSQL if DATABASE_URL points there), seeds,
# gunicorn with one worker per core on 127.0.0.1:8765, locust (20 clients, no think time) for 30 s; prints req/s, p95,
# errors (details in artifacts/loadtest/). LOADTEST_USERS / LOADTEST_TIME change the load.
loadtest: install
	$(BIN)/python loadtest/run.py

# Suggester quality on the gold sets (seeds, dev, and heldout when tests/annotations/gold/heldout/
# holds gold files): quote P/R/F1, speaker accuracy, entity P/R/F1 by kind, and throughput.
# No database. EVAL_ARGS passes options, e.g. EVAL_ARGS="--misses" lists every error.
eval: install
	DEBUG=true $(BIN)/python manage.py evaluate_suggesters $(EVAL_ARGS)

# Benchmark on the configured database (DATABASE_URL; PostgreSQL is what counts): builds a
# synthetic archive (10,000 articles x 50 spans by default), prints the table and writes
# artifacts/bench.json. BENCH_ARGS passes options, e.g. BENCH_ARGS="--reuse --growth".
# It measures as production runs: DEBUG off (cached templates, no query log), a throw-away key.
bench: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py createcachetable
	mkdir -p artifacts
	DEBUG=false STATIC_MANIFEST=false \
	  SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py bench --json artifacts/bench.json $(BENCH_ARGS)
