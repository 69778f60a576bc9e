# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create .venv (once). `make demo` installs only what the demo needs
# (skmixup with its `demo` extra: numpy, scipy, scikit-learn,
# imbalanced-learn, array-api-compat, pandas, matplotlib); `make test` (and
# lint, docs, bench) install the whole development stack (torch, dask,
# sphinx, ...). Each has its own stamp, so a demo install never stands in
# for the test install.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
PEER_STAMP := $(VENV)/.installed-peer

.PHONY: demo test lint docs bench clean peer-tests

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml requirements/constraints.txt | $(BIN)/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c requirements/constraints.txt -e ".[dev]"
	touch $(STAMP) $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml requirements/constraints.txt | $(BIN)/python
	$(PIP) install --quiet --no-compile -c requirements/constraints.txt -e ".[demo]"
	touch $(DEMO_STAMP)

$(PEER_STAMP): $(STAMP)
	$(PIP) install --quiet -c requirements/constraints.txt -e ".[peer]"
	touch $(PEER_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/skmixup demo --output-dir build/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest -n 2

docs: $(STAMP)
	rm -rf doc/_build doc/generated doc/auto_examples
	$(BIN)/sphinx-build -W --keep-going -b html -q doc doc/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_resampling.py
	$(BIN)/python benchmarks/bench_kmixup.py
	$(BIN)/python benchmarks/bench_neural_net.py

# skorch's own tests (its sdist, matching the installed skorch) against nets
# composed with MixupMixin, scikit-learn's checks on such nets, and
# imbalanced-learn's checks on the resamplers at non-default settings.
peer-tests: $(PEER_STAMP)
	$(BIN)/python peer_tests/run_skorch.py
	$(BIN)/python peer_tests/sklearn_checks.py --assert
	$(BIN)/python -m pytest -q -p no:randomly peer_tests/test_imblearn_checks.py

clean:
	rm -rf $(VENV) build doc/_build
