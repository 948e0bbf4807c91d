# Two commands for users: `make report` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench lint venv snapshot clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

# Rebuild the bundled snapshot from ../shared/data (maintainers only; needs the shared folder).
snapshot: $(STAMP)
	$(BIN)/python scripts/build_snapshot.py --shared ../shared/data

clean:
	rm -rf $(VENV) report .pytest_cache
