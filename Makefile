# The two commands of README: `make run` and `make test`. Everything else is `vanban <command>`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# `make bench` measures a quick province; `make bench SIZE=1000000` the full one (benchmarks/README.md).
SIZE ?= 10000
REPEAT ?= 20
BENCH_ARGS ?=

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("vanban cần Python 3.11 trở lên (Python >= 3.11 required)") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/vanban quickstart

test: $(STAMP)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/suite.py --size $(SIZE) --repeat $(REPEAT) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
