# The workbook's entry points. `make help` lists them.
# On Windows without make, see README.md for the equivalent commands.

PYTHON ?= python3
VENV := .venv
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
else
BIN := $(VENV)/bin
endif
PY := $(BIN)/python
QUARTER ?=

.DEFAULT_GOAL := help
.PHONY: help venv kernel report test lint format clean

help: ## List the commands
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

STAMP := $(VENV)/.requirements-installed

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv from the pinned requirements.txt and install the workbook in it

kernel: $(STAMP) ## Install the Jupyter kernel that runs the notebooks with .venv's Python
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbook)"

report: kernel ## Render a quarter into output/<quarter>/ (QUARTER=2021-22-Q2; default: the latest)
	$(PY) -m analysis run $(if $(QUARTER),--quarter $(QUARTER))

test: kernel ## Run the tests (doctests included)
	$(PY) -m pytest

lint: $(STAMP) ## Check the code with ruff
	$(PY) -m ruff check analysis tests benchmarks
	$(PY) -m ruff format --check analysis tests benchmarks

format: $(STAMP) ## Format the code with ruff
	$(PY) -m ruff format analysis tests benchmarks
	$(PY) -m ruff check --fix analysis tests benchmarks

clean: ## Remove published reports and caches (keeps .venv)
	find output -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache
