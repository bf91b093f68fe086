# Two commands for a newcomer: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint browser services

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Run the demo: migrate, load demo data, serve the portal and API on http://127.0.0.1:8000/
demo: install
	$(BIN)/placement-exchange demo

## Run the whole test suite (SQLite always; PostgreSQL, Redis and Chromium when present, and always in CI)
test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Debian's Chromium for the browser tests (Playwright's own download does not work offline)
browser:
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium))) || \
		echo "Chromium not installed: browser tests will skip (install Debian's chromium package)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rebuild the vendored GOV.UK Frontend CSS and Chart.js under web/static/vendor/ (needs npm; nothing else does).
.PHONY: vendor
vendor:
	bash web/vendor-build/build.sh
