# One command for each habit: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := data/raw/demo
DB := data/warehouse.duckdb
PORT ?= 8501
ADDRESS ?= 127.0.0.1
WORKERS ?= 1

.PHONY: run test lint format demo load bench clean docs

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

$(DEMO)/manifest.toml: | $(VENV)/.installed
	$(BIN)/orgdash demo --out $(DEMO)

$(DB): $(DEMO)/manifest.toml
	$(BIN)/orgdash load $(DEMO) --db $(DB)

# Demo accounts (one per role, password printed) so a newcomer can sign in; never overwrites.
data/users.toml: | $(DB)
	$(BIN)/orgdash user demo --db $(DB)

demo: $(DEMO)/manifest.toml
load: $(DB)

run: $(VENV)/.installed $(DB) data/users.toml
	$(BIN)/orgdash serve --address $(ADDRESS) --port $(PORT) --workers $(WORKERS)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -n 2 -q --durations=12  # the slowest, for CI's 10 minutes

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy demo etl queries dashboard orgdash perf reports access

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed
	$(BIN)/orgdash bench --scale 1 --scale 100

clean:
	rm -rf data/raw data/*.duckdb data/rejects data/etl_runs.jsonl screenshots bench

docs: $(VENV)/.installed
	$(BIN)/python -m etl.docs
