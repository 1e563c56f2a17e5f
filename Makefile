# `make demo`, `make test` and `make bench` work on a fresh machine with Python 3.11+: each
# creates .venv and installs what it needs first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ecsplan needs Python 3.11+ (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/ecsplan demo

# The habits CI keeps: lint (pyflakes, imports, bugbear) and types (strict on planner/), then the tests.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/python -m pytest

# How fast plan and apply are on a fleet (1, 10, 100 services) against the sandbox server:
# a benchmark, not a test; prints Markdown tables (tests/bench.py says what it measures).
bench: $(STAMP)
	$(VENV)/bin/python tests/bench.py

clean:
	rm -rf $(VENV) *.egg-info
