# Silk Road Digital — one command per product.
#   make book   HTML book in _build/html (creates .venv from requirements.txt if needed)
#   make pdf    PDF book _build/pdf/silk-road-digital.pdf and one PDF per country in _build/pdf/countries
#   make test   the whole test suite (builds what it needs first)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
export PYTHONPATH := $(CURDIR)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test venv data notebooks docs outputs html clean browser-deps pdf

venv: $(STAMP)
$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

# DATA="a.csv b.csv": validate the files and register them in data/sources.yml
# first (a file that fails is not added, and nothing else is touched).
data: venv
	$(if $(DATA),$(BIN)/python -m analysis.adddata $(DATA),)
	$(BIN)/python -m analysis.steps ingest

notebooks: data
	$(BIN)/python -m analysis.toc --check
	$(BIN)/python -m analysis.steps audit
	$(BIN)/python -m analysis.run $(if $(FORCE),--force,)

docs: data
	$(BIN)/python -m analysis.steps docs

# The executed notebooks and the generated pages both read the validated data
# and the audit, never each other: they are made side by side (the pages fill
# the core the notebooks leave idle), and the build stops if either fails.
outputs: data
	$(BIN)/python -m analysis.toc --check
	$(BIN)/python -m analysis.steps audit
	@echo "$(BIN)/python -m analysis.steps docs & $(BIN)/python -m analysis.run $(if $(FORCE),--force,)"
	@$(BIN)/python -m analysis.steps docs & docs=$$!; status=0; \
	  $(BIN)/python -m analysis.run $(if $(FORCE),--force,) || status=$$?; \
	  wait $$docs || status=$$?; exit $$status
	$(BIN)/python -m analysis.statements

# Incremental Sphinx build in _build/.work (skipped when no source changed),
# swapped into _build/html only when it succeeded: a failed or interrupted
# build leaves the previous _build/html as it was. See analysis/publish.py.
html: outputs
	$(BIN)/python -m analysis.publish $(if $(FORCE),--force,)

book: html
	@echo "book: _build/html/index.html"

# LaTeX (xelatex) through Jupyter Book; installs the Debian TeX packages and fonts
# when missing (as root; otherwise prints the apt-get command) and fails on any
# "Missing character" in the LaTeX log. See analysis/pdf.py.
pdf: outputs
	$(BIN)/python -m analysis.pdf

# Browser tests (tests/test_browser.py) need Debian's Chromium and axe-core (package-lock.json).
# Idempotent: installs only what is missing (apt as root; otherwise prints the command to run).
AXE := node_modules/axe-core/axe.min.js
browser-deps: $(AXE)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
	  else echo "Chromium is missing: run  sudo apt-get install -y chromium" >&2; exit 1; fi; }
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y npm || { apt-get update && apt-get install -y npm; }; \
	  else echo "npm is missing: run  sudo apt-get install -y npm" >&2; exit 1; fi; }
	npm ci --no-audit --no-fund
	@touch $@

test: book browser-deps pdf
	$(BIN)/python -m pytest tests book/countries book/regional.ipynb \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

clean:
	rm -rf _build book/countries/*.ipynb book/regional.ipynb book/figures book/_generated
