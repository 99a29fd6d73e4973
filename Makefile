# billdiff — every target creates and uses its own virtualenv in .venv
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
MIRROR ?= $(SHARED)/corpus

.PHONY: demo test lint bench venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# The main job: the facial-recognition lineage (network, or the mirror in ../shared when offline).
demo: $(VENV)/.installed
	@bash bench/demo.sh "$(BIN)" "$(SHARED)"

test: $(VENV)/.installed-test
	@bash .ci/system-deps.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(VENV)/.installed-test
	$(BIN)/ruff check billdiff tests bench
	$(BIN)/ruff format --check billdiff tests bench

bench: $(VENV)/.installed-test
	$(BIN)/python bench/compare.py
	$(BIN)/python bench/index.py --n 2000
	$(BIN)/python bench/lineage.py --n 1000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
