# Silk Road Digital — one command per product.
#   make book   HTML book in _build/html (creates .venv from requirements.txt if needed)
#   make test   the whole test suite (builds what it needs first)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
JB     := $(BIN)/jupyter-book
export PYTHONPATH := $(CURDIR)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test venv data notebooks docs html clean

venv: $(STAMP)
$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

data: venv
	$(BIN)/python -m analysis.ingest

notebooks: data
	$(BIN)/python -m analysis.toc --check
	$(BIN)/python -m analysis.run $(if $(FORCE),--force,)

docs: data
	$(BIN)/python -m analysis.docs

html: notebooks docs
	$(JB) build . --builder html --warningiserror --nitpick --keep-going --quiet

book: html
	@echo "book: _build/html/index.html"

test: book
	$(BIN)/python -m pytest tests book/countries book/regional.ipynb \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

clean:
	rm -rf _build book/countries/*.ipynb book/regional.ipynb book/figures book/_generated
