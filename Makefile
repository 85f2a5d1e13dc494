# improvenet: `make demo` serves the demo site, `make test` runs the whole suite (SQLite, then PostgreSQL).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# Two test processes, one per core; a module's tests stay together, so each loads its shared demo once.
XDIST ?= -n 2 --dist loadscope

.PHONY: demo test test-sqlite test-postgres install install-test browser-deps lint docs bench screenshots clean

$(BIN)/uv:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "improvenet needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

install: $(BIN)/uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet -r requirements/lock.txt
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .

install-test: $(BIN)/uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet -r requirements/test-lock.txt
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	@# The single sign-on tests' OpenID Connect provider (Node.js), exactly as locked; from npm's cache when it has it.
	npm ci --prefix tests/signin/oidc_provider --prefer-offline --no-audit --no-fund --loglevel=error

demo: install
	IMPROVENET_DEMO=1 $(BIN)/improvenet demo
	IMPROVENET_DEMO=1 $(BIN)/improvenet serve --host 127.0.0.1 --port 8000

browser-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

lint: install-test
	$(BIN)/ruff check improvenet tests scripts bench

test-sqlite: install-test browser-deps
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# The pure packages (SPC engine, analytics store and metrics) touch no web database: the SQLite run
# covers them, and the PostgreSQL run covers everything that does.
PURE_TESTS := --ignore=tests/spc --ignore=tests/analytics

test-postgres: install-test browser-deps
	$(BIN)/python scripts/throwaway_postgres.py -- \
		sh -c 'IMPROVENET_DATABASE_URL="$$IMPROVENET_TEST_POSTGRES_URL" exec $(BIN)/pytest $(XDIST) $(PURE_TESTS) $(PYTEST_ARGS)'

# Each phase prints its time (CI allows 90 minutes; the suite must stay under 40 on 2 cores).
timed = start=$$(date +%s); $(MAKE) --no-print-directory $(1); status=$$?; \
	echo "make test: phase $(1) took $$(( $$(date +%s) - start )) s"; exit $$status

test: install-test browser-deps
	@$(call timed,lint)
	@$(call timed,test-sqlite)
	@$(call timed,test-postgres)

docs: install
	$(BIN)/python -m improvenet.cli.docs > docs/cli.md

bench: install-test
	$(BIN)/python bench/bench_spc.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_measures.py
	$(BIN)/python bench/bench_cycles.py
	$(BIN)/python bench/bench_learning.py
	$(BIN)/python bench/bench_convenings.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_sharing.py
	$(BIN)/python bench/bench_archive.py
	$(BIN)/python bench/bench_data_load.py
	$(BIN)/python bench/bench_metrics.py
	$(BIN)/python bench/bench_concurrency.py

screenshots: install-test browser-deps
	$(BIN)/python scripts/docs_screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis .ruff_cache
