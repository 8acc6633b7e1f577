# Two verbs a newcomer needs: `make dashboard` and `make test`. Each builds .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: dashboard test test-future lint bench validate check-data golden clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dashboard: $(STAMP)
	$(PY) -m streamlit run app/main.py --server.port 8501

test: $(STAMP)
	$(PY) -m pytest

# The suite again with "today" moved far ahead (pricing.clock honours PRICING_TODAY): a test or
# report that silently depends on the wall clock fails here the day it is written, not months later.
FUTURE ?= 2027-12-31
test-future: $(STAMP)
	PRICING_TODAY=$(FUTURE) $(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

validate: $(STAMP)
	$(PY) -m pricing validate

# data/api, quality, tokens per task and price history rebuilt from the pinned sources in data/sources/
# (offline); the aiconfigurator curves need aiconfigurator-core: AIC_PYTHON=... python -m pricing.importers.aiconfigurator --check
check-data: $(STAMP)
	$(PY) -m pricing.importers.litellm --check
	$(PY) -m pricing.importers.quality --check
	$(PY) -m pricing.importers.tokens_per_task --check
	$(PY) -m pricing.importers.history --check

bench: $(STAMP)
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

golden: $(STAMP)
	$(PY) -m tests.regen_golden

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/artifacts
