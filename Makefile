# Seawarden developer entry points. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_FLAGS ?= --disable-pip-version-check -q

.PHONY: run test bench lint typecheck fmt clean venv fuzz chromium

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) --upgrade "pip==25.3"
	$(BIN)/pip install $(PIP_FLAGS) -c constraints.txt -e '.[dev,bench]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/seawarden demo

test: $(STAMP) lint chromium
	$(BIN)/python -m pytest

# Browser tests drive Debian's Chromium; install it when it is missing (they are skipped, with
# a reason, where it cannot be installed).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  (command -v apt-get >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null) || \
	  echo "Chromium could not be installed: browser tests will be skipped"
	@fc-list :lang=zh 2>/dev/null | grep -q . || \
	  (command -v apt-get >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-zenhei >/dev/null) || \
	  echo "No Chinese font could be installed: screenshots show Chinese text as boxes"

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

fuzz: $(STAMP)
	$(BIN)/pip install $(PIP_FLAGS) -c constraints.txt -e '.[fuzz]'
	$(BIN)/python tests/fuzz/fuzz_decoder.py -max_total_time=60

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
