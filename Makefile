# Two entry points for a fresh machine: `make run` and `make test` (see README).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-fast lint bench eval setup

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/partybot start $(Q)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(ARGS)

test-fast: $(STAMP)  # skips the multi-process and benchmark-like tests
	$(BIN)/python -m pytest -q -m "not slow" $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check bot tests training bench
	$(BIN)/ruff format --check bot tests training bench

bench: $(STAMP)  # writes docs/benchmarks.md
	$(BIN)/python -m bench.run $(ARGS)

eval: $(STAMP)  # writes docs/search-quality.md and docs/classifier-quality.md
	$(BIN)/python -m bot.search.evaluate report
	$(BIN)/python training/quality_report.py
