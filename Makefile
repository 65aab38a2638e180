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
# OCR accuracy on generated scans (benchmarks/ocr_accuracy.py): 40 by default, `make bench-ocr
# OCR_SAMPLES=300` for the table of docs/performance.md.
OCR_SAMPLES ?= 40
OCR_ARGS ?=
OCR_BENCH = OMP_THREAD_LIMIT=1 $(BIN)/python benchmarks/ocr_accuracy.py --count $(OCR_SAMPLES) $(OCR_ARGS)

.PHONY: run test lint format bench bench-ocr clean lock lock-check

# Every package comes from requirements.lock, with its hashes: a new machine installs exactly the
# versions CI tested. `make lock` refreshes the lock after pyproject.toml changes; CI refuses a
# pyproject.toml the lock does not match (`make lock-check`).
LOCK := requirements.lock
LOCK_ARGS := --all-extras --universal --generate-hashes --python-version 3.11 --quiet

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit("vanban cần Python 3.11 trở lên (Python >= 3.11 required)") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
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
	$(OCR_BENCH)

bench-ocr: $(STAMP)
	$(OCR_BENCH)

# The build backend (setuptools) is locked too: the project is installed without build isolation.
lock: $(STAMP)
	printf 'setuptools>=68\n' | $(BIN)/uv pip compile pyproject.toml - $(LOCK_ARGS) --upgrade -o $(LOCK)

# Resolving again while keeping the locked versions must change nothing.
lock-check: $(STAMP)
	cp $(LOCK) $(VENV)/lock-check.txt
	printf 'setuptools>=68\n' | $(BIN)/uv pip compile pyproject.toml - $(LOCK_ARGS) -o $(VENV)/lock-check.txt
	@diff -u -I '^#' $(LOCK) $(VENV)/lock-check.txt >/dev/null || { diff -u -I '^#' $(LOCK) $(VENV)/lock-check.txt | head -40; echo "requirements.lock không khớp pyproject.toml: chạy make lock (the lock does not match pyproject.toml)"; exit 1; }

clean:
	rm -rf $(VENV) var
