# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv (once) and installs skmixup with its development extras.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs bench clean peer-tests

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
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
peer-tests: $(STAMP)
	$(BIN)/python peer_tests/run_skorch.py
	$(BIN)/python peer_tests/sklearn_checks.py --assert
	$(BIN)/python -m pytest -q -p no:randomly peer_tests/test_imblearn_checks.py

clean:
	rm -rf $(VENV) build doc/_build
