# Insured Portal — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= large

.PHONY: run test e2e bench lint system-deps migrate seed messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_mkb10
	$(BIN)/python manage.py seed_demo --if-empty

## make run: install, migrate, seed demo data on an empty database, serve on :8000 with the worker,
## beat and localstripe (eager Celery, said so, when no Redis answers).
run: system-deps $(STAMP) seed
	@bash scripts/run.sh

## make test: install and run the whole suite (browser journeys included).
test: system-deps $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

e2e: system-deps $(STAMP)
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

## make bench [SCALE=large|xlarge|medium|small] [BENCH_ARGS="--skip-concurrency --skip-imports --skip-copay"]:
## fill PostgreSQL with a scaled data set, measure every figure of issue 12 against its goal,
## print one table and (at large, the goals' scale, and xlarge) write it to docs/PERFORMANCE.md;
## tiny to xlarge also record the pages' medians and draw the chart (bench/chart.py).
bench: system-deps $(STAMP)
	$(BIN)/python -m bench.run --scale $(SCALE) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

messages: $(STAMP)
	bash scripts/messages.sh

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
