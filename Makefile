# billdiff — every target creates and uses its own virtualenv in .venv
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
MIRROR ?= $(SHARED)/corpus

.PHONY: demo test lint bench train venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@

venv: $(VENV)/.installed

# The main job: the facial-recognition lineage (network, or the mirror in ../shared when offline).
demo: $(VENV)/.installed
	@bash .ci/system-deps.sh demo
	@bash bench/demo.sh "$(BIN)" "$(SHARED)"

test: $(VENV)/.installed-test
	@bash .ci/system-deps.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile

lint: $(VENV)/.installed-test
	$(BIN)/ruff check billdiff tests bench
	$(BIN)/ruff format --check billdiff tests bench

# The peer tools (../shared/peers) run from their own virtualenv, pinned by their requirements.
PEERS_VENV ?= .venv-peers
$(PEERS_VENV)/bin/python:
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install -q -r $(SHARED)/peers/requirements.txt

# Small sizes for a laptop; the full runs are `bench/index.py --n 100000`, `bench/lineage.py`.
bench: $(VENV)/.installed-bench $(PEERS_VENV)/bin/python
	@echo "bench 1/3: compare — billdiff vs the alignment peers, whole process and in-process (~1 min)"
	$(BIN)/python bench/compare.py --peers-python $(PEERS_VENV)/bin/python
	@echo "bench 2/3: index — build, search, add on 2,000 bills vs datasketch (~3 min)"
	$(BIN)/python bench/index.py --n 2000
	@echo "bench 3/3: lineage — 1,000 bills with planted reuse vs datasketch + rapidfuzz (~1 min)"
	$(BIN)/python bench/lineage.py --sizes 1000
	@echo "bench: done (figures above; each line is one JSON record)"

# Fit the calibrated reuse score on the dev benchmark (bench/adoptions.py, a training seed) and
# write billdiff/data/reuse_model.json; report the figures on another seed (docs/adoptions.md).
train: $(VENV)/.installed-bench
	$(BIN)/python bench/train.py

clean:
	rm -rf $(VENV) $(PEERS_VENV) .pytest_cache .ruff_cache build *.egg-info
