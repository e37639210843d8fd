# ngsp-sim task runner. `make run` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ngsp-sim needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start the demo hub on http://127.0.0.1:8080
	$(BIN)/ngsp-sim up --log-format console

test: $(STAMP)  ## the whole test suite
	$(BIN)/pytest

lint: $(STAMP)  ## ruff (lint and format), mypy (strict; tests and bench too), the import layering
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .

PRISM := .bench/node_modules/.bin/prism

bench: $(STAMP)  ## side by side (direct, nginx, Prism, ngsp-sim), routing, message-log query and country benchmarks; loopback only
	@command -v wrk >/dev/null || echo "note: install wrk and nginx (Debian packages 'wrk' 'nginx'): apt-get install -y wrk nginx"
	@test -x $(PRISM) || npm install --prefix .bench --no-audit --no-fund --silent @stoplight/prism-cli@5.14.2 \
		|| echo "note: Prism could not be installed (npm); its row is skipped"
	$(BIN)/python bench/sidebyside.py --message-log on
	$(BIN)/python bench/sidebyside.py --message-log off
	$(BIN)/python bench/routing.py --message-log on
	$(BIN)/python bench/routing.py --compare-log 5 --seconds 8
	$(BIN)/python bench/exchange.py --documents 2000
	$(BIN)/python bench/query.py --records 1000000
	$(BIN)/python bench/log_writer.py
	$(BIN)/python bench/soak.py --seconds 600
	$(BIN)/python bench/country.py --population 100000
	$(BIN)/python bench/toolkit.py
	$(BIN)/python bench/scenarios.py
	$(BIN)/python bench/auth_edges.py
	$(BIN)/python bench/connections.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
