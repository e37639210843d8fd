# ngsp-sim task runner. `make run` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench clean newman

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ngsp-sim needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start the demo hub on http://127.0.0.1:8080
	$(BIN)/ngsp-sim up --log-format console

# newman runs the exported Postman collection in the tests (tests/test_postman.py), pinned and installed
# from npm into .newman/ (git-ignored). Without npm the test is skipped (and fails with CI=true).
NEWMAN_VERSION := 6.2.2
NEWMAN_STAMP   := .newman/.installed-$(NEWMAN_VERSION)

$(NEWMAN_STAMP):
	@if command -v npm >/dev/null; then \
		rm -rf .newman && npm install --prefix .newman --no-audit --no-fund --silent --save-exact newman@$(NEWMAN_VERSION) \
		&& touch $(NEWMAN_STAMP); \
	else echo "note: npm is missing, so newman is not installed: the Postman collection test is skipped" >&2; fi

newman: $(NEWMAN_STAMP)  ## install newman (npm) into .newman/

test: $(STAMP) $(NEWMAN_STAMP)  ## the whole test suite
	$(BIN)/pytest

# The dashboard's JavaScript is linted by ESLint, pinned and installed from npm into .lint/ (git-ignored);
# eslint.config.mjs holds the rules. The stamp names the version, so changing it reinstalls.
ESLINT_VERSION := 10.15.0
ESLINT         := .lint/node_modules/.bin/eslint
ESLINT_STAMP   := .lint/.installed-$(ESLINT_VERSION)

$(ESLINT_STAMP):
	@command -v npm >/dev/null && node -e 'const [a, b] = process.versions.node.split("."); process.exit(a > 20 || (a == 20 && b >= 19) ? 0 : 1)' \
		|| { echo "make lint needs Node.js 20.19 or newer and npm, for ESLint $(ESLINT_VERSION)" >&2; exit 1; }
	rm -rf .lint
	npm install --prefix .lint --no-audit --no-fund --silent --save-exact \
		eslint@$(ESLINT_VERSION) @eslint/js@10.0.1 globals@17.14.0
	touch $(ESLINT_STAMP)

lint: $(STAMP) $(ESLINT_STAMP)  ## ruff (lint and format), mypy (strict; tests and bench too), the import layering, eslint
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	$(ESLINT) --max-warnings 0 .

# axe-core checks the dashboard's accessibility in the browser tests (tests/test_dashboard_a11y.py), injected
# into the page from its file; pinned and installed from npm into .lint/axe/ (git-ignored with .lint/, and
# reinstalled if ESLint's install clears .lint/). .ci/run calls it.
AXE_VERSION := 4.14.1
AXE_STAMP   := .lint/axe/.installed-$(AXE_VERSION)

$(AXE_STAMP):
	@command -v npm >/dev/null || { echo "make browser-tools needs npm, for axe-core $(AXE_VERSION)" >&2; exit 1; }
	rm -rf .lint/axe
	npm install --prefix .lint/axe --no-audit --no-fund --silent --save-exact axe-core@$(AXE_VERSION)
	touch $(AXE_STAMP)

.PHONY: browser-tools
browser-tools: $(AXE_STAMP)  ## axe-core for the dashboard's accessibility tests (Chromium itself comes from apt)

# The side-by-side peers, pinned, from npm into .bench/ (git-ignored): Prism, and WireMock (its npm
# package bundles the standalone jar; Java runs it).
PRISM_VERSION    := 5.14.2
WIREMOCK_VERSION := 3.13.2
BENCH_STAMP      := .bench/.installed-prism-$(PRISM_VERSION)-wiremock-$(WIREMOCK_VERSION)

$(BENCH_STAMP):
	npm install --prefix .bench --no-audit --no-fund --silent --save-exact \
		@stoplight/prism-cli@$(PRISM_VERSION) wiremock@$(WIREMOCK_VERSION) && touch $(BENCH_STAMP) \
		|| echo "note: Prism and WireMock could not be installed (npm); their rows are skipped"

bench: $(STAMP)  ## side by side (direct, nginx, Prism proxy and mock, WireMock, ngsp-sim), workers, routing, query, country; loopback only
	@command -v wrk >/dev/null || echo "note: install wrk and nginx (Debian packages 'wrk' 'nginx'): apt-get install -y wrk nginx"
	@command -v java >/dev/null || echo "note: WireMock needs Java (Debian package 'default-jre-headless'); its row is skipped"
	@$(MAKE) --no-print-directory $(BENCH_STAMP)
	$(BIN)/python bench/sidebyside.py --message-log on
	$(BIN)/python bench/sidebyside.py --message-log off --workers 1
	$(BIN)/python bench/workers.py --workers 2
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
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .lint .newman
