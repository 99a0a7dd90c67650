# Two commands for a fresh machine with only Python >= 3.11 and make:
#   make demo   - set everything up and run the demo
#   make test   - set everything up and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint format dagster refresh bench lock clean-demo

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/ci-measure demo

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-pin after changing dependencies in pyproject.toml (writes exactly what is installed).
lock: setup
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v -iE "^(pip|ci-measure)==" > requirements.lock

# Start over with the demo: removes the default workspace's runtime state (not the demo's sources).
clean-demo:
	rm -rf data/inbox data/archive data/outbox data/reports data/dagster data/warehouse.duckdb* data/partnership.yaml data/catalog.yaml data/statistics data/stories data/.ingest.lock

# The backbone analyst's daily tool: the Dagster UI on http://127.0.0.1:$(DAGSTER_PORT) over the
# default workspace (or CI_MEASURE_WORKSPACE), with the inbox sensor and the recomputation after
# each ingest running. Dagster's storage goes to <workspace>/dagster/, configured by
# $(DAGSTER_YAML): the repository's dagster.yaml (SQLite, nothing to install), or
# DAGSTER_YAML=deploy/dagster.yaml for Postgres (DAGSTER_PG_URL; docs/deployment.md).
WORKSPACE ?= $(if $(CI_MEASURE_WORKSPACE),$(CI_MEASURE_WORKSPACE),$(CURDIR)/data)
DAGSTER_PORT ?= 3000
DAGSTER_YAML ?= dagster.yaml
DAGSTER_ENV = DAGSTER_HOME=$(WORKSPACE)/dagster CI_MEASURE_WORKSPACE=$(WORKSPACE)
dagster: setup
	umask 077 && mkdir -p $(WORKSPACE)/dagster && chmod 700 $(WORKSPACE)/dagster
	cp $(DAGSTER_YAML) $(WORKSPACE)/dagster/dagster.yaml
	umask 077 && $(DAGSTER_ENV) $(BIN)/dagster dev -h 127.0.0.1 -p $(DAGSTER_PORT)

# Take in whatever waits in the inbox, then recompute every figure and run every check, in this
# process (no daemon needed: for cron and CI); the runs show in the UI. Exit 1 with one line
# saying why when a run fails or an ERROR check does not pass.
refresh: setup
	umask 077 && mkdir -p $(WORKSPACE)/dagster && chmod 700 $(WORKSPACE)/dagster
	cp $(DAGSTER_YAML) $(WORKSPACE)/dagster/dagster.yaml
	umask 077 && $(DAGSTER_ENV) $(BIN)/python -m pipelines.refresh

# Performance against DuckDB floors, whole processes, one run (issue 8; not part of `make test`).
# Generates the national partnership into benchmarks/out/ first; see benchmarks/README.md.
bench: setup
	$(BIN)/python -m benchmarks.run
