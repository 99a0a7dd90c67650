# Two commands for a fresh machine with only Python >= 3.11 and make:
#   make demo   - set everything up and run the demo
#   make test   - set everything up and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint format dagster bench lock clean-demo

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
	rm -rf data/inbox data/archive data/outbox data/reports data/dagster data/warehouse.duckdb* data/partnership.yaml data/catalog.yaml data/.ingest.lock

# The backbone analyst's daily tool: the Dagster UI on http://127.0.0.1:3000 over the default
# workspace (or CI_MEASURE_WORKSPACE). Dagster's storage goes to <workspace>/dagster/.
WORKSPACE ?= $(if $(CI_MEASURE_WORKSPACE),$(CI_MEASURE_WORKSPACE),$(CURDIR)/data)
dagster: setup
	mkdir -p $(WORKSPACE)/dagster
	cp dagster.yaml $(WORKSPACE)/dagster/dagster.yaml
	DAGSTER_HOME=$(WORKSPACE)/dagster CI_MEASURE_WORKSPACE=$(WORKSPACE) $(BIN)/dagster dev -h 127.0.0.1 -p 3000

# Performance against DuckDB floors, whole processes, one run (issue 8; not part of `make test`).
# Generates the national partnership into benchmarks/out/ first; see benchmarks/README.md.
bench: setup
	$(BIN)/python -m benchmarks.run
