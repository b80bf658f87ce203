# Every install goes through constraints.txt, which pins torch==2.13.0 (a local CPU wheel).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-fast bench clean

$(BIN)/autograder: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

setup: $(BIN)/autograder

demo: setup  ## grade the bundled example submissions
	$(BIN)/autograder grade examples/submissions --out out/demo --force

test: setup  ## the whole test suite
	$(BIN)/python -m pytest -q

test-fast: setup  ## the inner loop: all but the real nbgrader cycle and the slowest end-to-end runs
	$(BIN)/python -m pytest -q -m "not nbgrader and not slow"

bench: setup
	$(BIN)/python benchmarks/grade_speed.py

clean:
	rm -rf out/ course/
