# Playbook — the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= $(shell command -v python3.11 || command -v python3)

.PHONY: run test lint typecheck imports unit bench selftest dist lock clean

$(STAMP): pyproject.toml requirements.lock scripts/system-deps.sh
	@bash scripts/system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Playbook needs Python 3.11; set PYTHON=/path/to/python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

## Start the desktop app with the bundled courses.
run: $(STAMP)
	$(VENV)/bin/playbook $(ARGS)

## Everything CI checks: lint, types, import direction, the whole test suite.
## SKIP_FROZEN=1 skips the tests that build the frozen app (minutes); CI runs them.
ifdef SKIP_FROZEN
PYTEST_ARGS += -m "not frozen"
endif
test: $(STAMP) lint typecheck imports
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

imports: $(STAMP)
	$(VENV)/bin/lint-imports

## Benchmarks: ratios against a baseline measured in the same run (desktop, then the
## sync server against the local PostgreSQL; see docs/server.md).
bench: $(STAMP)
	@status=0; \
	$(PY) -m tests.bench || status=1; \
	$(PY) -m tests.bench.server_bench || status=1; \
	exit $$status

## The check IT runs after installing: headless, exits non-zero on any problem.
selftest: $(STAMP)
	$(VENV)/bin/playbook self-test

## Packages for this OS in dist/ with SHA256SUMS and its gpg signature. The signing key is
## named by PLAYBOOK_SIGNING_KEY; UNSIGNED=1 makes a local build IT cannot verify.
dist: $(STAMP)
	$(PY) packaging/build.py $(if $(UNSIGNED),--unsigned)

## Re-pin every Python dependency after changing pyproject.toml.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache tests/artifacts
