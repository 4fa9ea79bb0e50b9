# The two commands: `make run` (portal on embedded SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test test-sqlite test-postgres pytest-postgres lint install bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "门户地址 / Portal: http://$(HOST)/"
	@# One background-job worker beside the server, stopped with it (README: Background jobs).
	$(BIN)/python manage.py db_worker --no-reload --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

# pytest-xdist workers in each pass (1: no workers, one process).
WORKERS ?= 2
XDIST := $(if $(filter-out 0 1,$(WORKERS)),-n $(WORKERS))

# The SQLite and PostgreSQL passes are independent: they run side by side (PostgreSQL's output
# is shown when both are done), each with its own workers; both must pass.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	@$(MAKE) --no-print-directory test-postgres > .test-postgres.log 2>&1 & postgres=$$!; \
	$(MAKE) --no-print-directory test-sqlite; sqlite=$$?; \
	wait $$postgres; pg=$$?; \
	echo "==== PostgreSQL pass (ran alongside) ===="; cat .test-postgres.log; \
	echo "==== SQLite pass: exit $$sqlite; PostgreSQL pass: exit $$pg ===="; \
	test $$sqlite -eq 0 && test $$pg -eq 0

# Coverage of the portal's own code ([tool.coverage] in pyproject.toml) is measured here; the
# total is printed at the end (`.venv/bin/coverage report` shows it file by file).
test-sqlite: $(STAMP)
	@$(BIN)/python -m pytest $(XDIST) --cov --cov-report= -m "not system"; others=$$?; \
	$(BIN)/python -m pytest --cov --cov-append --cov-report= -m system; system=$$?; \
	echo "Coverage of the portal's code in the SQLite pass: $$($(BIN)/coverage report --format=total)%"; \
	test $$others -eq 0 && test $$system -eq 0

# The browser journeys test pages, not the database: they run once, in the SQLite pass.
test-postgres: $(STAMP)
	scripts/with-postgres $(MAKE) --no-print-directory pytest-postgres

# Inside scripts/with-postgres: the system tests (tests/system: they stop and restart the
# cluster, stream a replica of it, load it with locust) run after the others, one at a time.
pytest-postgres:
	@$(BIN)/python -m pytest $(XDIST) --ignore=tests/browser -m "not system"; others=$$?; \
	$(BIN)/python -m pytest --ignore=tests/browser -m system; system=$$?; \
	test $$others -eq 0 && test $$system -eq 0

# Not part of `make test`: 50 simulated users reading and writing for 60 s against gunicorn and
# a throwaway PostgreSQL (zero errors, no lost write, or it fails); results in bench-results/.
load: $(STAMP)
	mkdir -p bench-results
	scripts/with-postgres $(BIN)/python scripts/load --users 50 --seconds 60 \
		--json bench-results/load.json

# Not part of `make test`: national data on a throwaway PostgreSQL, evaluation, page latency
# under load; prints a table and saves bench-results/<scale>.json. BENCH_ARGS="--scale city"
# for the quick smoke run that CI does.
BENCH_ARGS ?= --scale national
bench: $(STAMP)
	PG_VIRTUALENV_OPTIONS="-o shared_buffers=1GB -o max_wal_size=4GB -o maintenance_work_mem=256MB" \
		scripts/with-postgres $(BIN)/python scripts/bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .coverage .coverage.*
