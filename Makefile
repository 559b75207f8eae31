# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
SEMANTIC := $(VENV)/.semantic-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run serve test install install-semantic browser lint typecheck unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The optional `semantic` extra: torch's CPU build first, so that sentence-transformers does not pull CUDA.
$(SEMANTIC): $(STAMP)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,semantic]'
	touch $(SEMANTIC)

install-semantic: $(SEMANTIC)

# The whole chain, then the service on its results (stop it with Ctrl-C; `make serve` starts it again).
run: install
	$(BIN)/moocast run
	$(BIN)/moocast serve

serve: install
	$(BIN)/moocast serve

# Debian's Chromium for the dashboard's browser tests (Playwright drives it; no browser download of its own).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)

lint: install
	$(BIN)/ruff check pipelines features models serving tests benchmarks
	$(BIN)/ruff format --check pipelines features models serving tests benchmarks

typecheck: install
	$(BIN)/mypy

unit: install-semantic browser
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) data/warehouse.duckdb data/reports data/serving test-artifacts
