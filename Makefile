# Two commands for a new machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(RUN_STAMP)

## demo: set up the demonstration in var/ and serve it on http://127.0.0.1:8000
demo: $(RUN_STAMP)
	VX_DEMO=true $(BIN)/vungxanh demo
	VX_DEMO=true $(BIN)/vungxanh serve $(HOST):$(PORT)

## test: lint, migrations check, every test on SQLite then PostgreSQL, browser tests
test: $(DEV_STAMP)
	scripts/run-tests

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## messages: refresh the translation catalogue and compile it
messages: $(DEV_STAMP)
	cd vungxanh && ../$(BIN)/python ../manage.py makemessages -l vi -l en --no-obsolete --no-location
	cd vungxanh && ../$(BIN)/python ../manage.py compilemessages

bench: $(DEV_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
