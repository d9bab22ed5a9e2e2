# One command to set up and open the course; one to set up and run every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: lab test setup clean-notebooks slides colab book doctor bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

setup: $(VENV)/.installed

## make lab: set everything up and open the course in JupyterLab
lab: setup
	$(BIN)/jupyter lab notebooks/

## make test: set everything up and run all tests (unit tests, every notebook in fast mode, browser test)
test: setup
	$(BIN)/python -m pytest -q

doctor: setup
	$(BIN)/python -m ganlab doctor

bench: setup
	$(BIN)/python benchmarks/toy_speed.py

## strip outputs, execution counts and widget state from committed notebooks
clean-notebooks: setup
	$(BIN)/python -m ganlab.cli.nbclean notebooks/*.ipynb

## give every notebook cell its slide type (rule: ganlab/cli/slides.py); `--check` verifies
slides: setup
	$(BIN)/python -m ganlab.cli.slides notebooks/*.ipynb

## write every notebook's Colab/Binder badges and setup cell from the URL in pyproject.toml; `--check` verifies
colab: setup
	$(BIN)/python -m ganlab.cli.colab notebooks/*.ipynb

## build the course website offline into _build/book/ (full runs of the notebooks; FAST=1 for fast mode)
book: setup
	$(BIN)/python -m ganlab.cli.book $(if $(FAST),--fast)
