# Two commands for users: `make report` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: report test test-latest check-wheel ci bench lint lock venv snapshot browser clean

# The locked, hashed dependency set first, then the package itself without resolving
# anything again: every fresh clone runs the same program.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

report: $(STAMP)
	$(BIN)/llmflation report --out report/

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	-$(BIN)/python -m pip install --quiet pyfrontier  # optional baseline of bench_dea
	$(BIN)/python -m bench.run $(BENCH)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/mypy

# Regenerate the lock after changing dependencies in pyproject.toml (needs the index).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --no-header -o $(LOCK)
	sed -i '1i # Locked dependencies for llmflation (runtime + the `dev` extra), all platforms, Python >= 3.11.\n# Regenerate after changing pyproject.toml: `make lock` (uses uv; see CONTRIBUTING.md).\n# Installed with hashes by `make report` / `make test`: pip install --require-hashes -r requirements.lock' $(LOCK)

# Early warning for upstream breakage: the newest releases the index offers, unlocked,
# in a separate venv. CI prints its outcome but does not fail on it.
test-latest:
	rm -rf .venv-latest
	$(PY) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade -e '.[dev]'
	.venv-latest/bin/python -m pip list --format=freeze | grep -iE '^(numpy|pandas|scipy|statsmodels|highspy|duckdb|matplotlib)=='
	LLMFLATION_UNLOCKED=1 .venv-latest/bin/python -m pytest -q -m 'not live and not slow' -p no:cacheprovider

# The package as a user installs it: build the wheel, install it with the locked
# dependencies into a fresh venv outside the source tree, and run it from there.
check-wheel: $(STAMP)
	rm -rf build dist /tmp/llmflation-wheel-venv /tmp/llmflation-wheel-run
	$(BIN)/python -m build --wheel --no-isolation --outdir dist . >/dev/null
	$(PY) -m venv /tmp/llmflation-wheel-venv
	/tmp/llmflation-wheel-venv/bin/python -m pip install --quiet --require-hashes -r $(LOCK)
	/tmp/llmflation-wheel-venv/bin/python -m pip install --quiet --no-deps dist/*.whl
	mkdir -p /tmp/llmflation-wheel-run
	cp tests/data/wheel_smoke_shares.csv /tmp/llmflation-wheel-run/shares.csv
	cd /tmp/llmflation-wheel-run && /tmp/llmflation-wheel-venv/bin/llmflation models --format csv | head -3
	cd /tmp/llmflation-wheel-run && /tmp/llmflation-wheel-venv/bin/llmflation hhi --csv shares.csv --format json
	cd /tmp/llmflation-wheel-run && /tmp/llmflation-wheel-venv/bin/llmflation report --out report >/dev/null
	test -s /tmp/llmflation-wheel-run/report/index.html
	@echo "wheel OK: $$(ls dist/*.whl)"

# Debian's Chromium for the browser test of the report (CI installs it; needs root).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# What CI runs: the suite on the locked set, lint, the installed wheel; then the newest
# releases as a report only.
ci: test lint check-wheel
	$(MAKE) --no-print-directory test-latest || echo "test-latest FAILED (not fatal): upstream releases break something; see above"

# Rebuild the bundled snapshot from ../shared/data (maintainers only; needs the shared folder).
snapshot: $(STAMP)
	$(BIN)/python scripts/build_snapshot.py --shared ../shared/data

clean:
	rm -rf $(VENV) .venv-latest report build dist .pytest_cache
