# Quick start: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench install clean i18n

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/trivselkode demo

# One worker more than there are cores: screen tests spend part of their time waiting for the
# app to go idle, and the extra worker fills it; idle workers steal queued tests at the end.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -q

# The house rules: formatting, the linters chosen in pyproject.toml, the import contracts
# (layers, and no user interface in the core), and mypy over the core packages.
lint: $(VENV)/.test-installed
	$(BIN)/ruff format --check trivselkode tests bench tools
	$(BIN)/ruff check trivselkode tests bench tools
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python tools/i18n.py --check

# The English message catalogue: extract the Danish texts from the code, merge the
# translations, compile the .mo that ships in the wheel (trivselkode/i18n.py).
i18n: $(VENV)/.test-installed
	$(BIN)/python tools/i18n.py

# `make bench GROWTH=1`: import, agreement, frequencies, quotes, search and REFI export at
# 100k, 1M and 4M words, their exponents and peak memory.
bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py $(if $(GROWTH),--growth)

clean:
	rm -rf $(VENV) .pytest_cache build dist
