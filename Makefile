# Silk Road Digital — one command per product.
#   make book   HTML book in _build/html (creates .venv from requirements.txt if needed)
#   make pdf    PDF book _build/pdf/silk-road-digital.pdf and one PDF per country in _build/pdf/countries
#   make test   the whole test suite (builds what it needs first)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3

# One build at a time: every goal runs inside one lock held for the whole run
# (a second make in this folder says a build is running and waits for it), and
# Ctrl-C stops the whole build within seconds, with one line; see analysis/book/buildlock.py.
BUILD_LOCK := $(CURDIR)/.build.lock
# DATA is never expanded by make nor seen by a shell, in the locking make as in
# the build's (see the data target): only its raw text travels, as SRD_DATA.
unexport DATA
export SRD_DATA := $(value DATA)
ifneq ($(SRD_BUILD_LOCK),$(BUILD_LOCK))
.PHONY: locked $(MAKECMDGOALS)
locked:
	@exec $(PYTHON) analysis/book/buildlock.py $(BUILD_LOCK) --parent-make --goals "$(MAKECMDGOALS)" -- \
	  $(MAKE) --no-print-directory $(MAKECMDGOALS)
$(MAKECMDGOALS): locked ; @:
else
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test venv data docs outputs html clean browser-deps pdf

# The pins need Python >= PYTHON_MIN (soupsieve's Requires-Python is the highest
# bound of any pinned package). The interpreter is checked before the venv is
# made, and a venv made with a wrong (or vanished) Python is made again.
PYTHON_MIN := 3.11.5
PY_OK := import sys; sys.exit(sys.version_info[:3] < tuple(map(int, "$(PYTHON_MIN)".split("."))))
PY_VERSION := import sys; print("Python %d.%d.%d" % sys.version_info[:3])
CHECK_PYTHON = $(PYTHON) -c '$(PY_OK)' 2>/dev/null || { echo "error: $(PYTHON) is $$($(PYTHON) -c '$(PY_VERSION)' 2>/dev/null || echo 'not a runnable Python'); the pinned packages need Python >= $(PYTHON_MIN): install one and run  make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }
venv:
	@if [ -e $(VENV) ] && ! $(BIN)/python -c '$(PY_OK)' 2>/dev/null; then \
	  echo "venv: $(VENV) was made with $$($(BIN)/python -c '$(PY_VERSION)' 2>/dev/null || echo 'a Python that no longer runs'); the pins need Python >= $(PYTHON_MIN): making it again with $(PYTHON)" >&2; \
	  $(CHECK_PYTHON); \
	  rm -rf $(VENV); fi
	@if [ ! -e $(VENV) ]; then \
	  $(CHECK_PYTHON); \
	  echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); fi
	@if [ ! $(STAMP) -nt requirements.txt ] || [ ! $(STAMP) -nt pyproject.toml ] || \
	    [ -e requirements-nodeps.txt -a ! $(STAMP) -nt requirements-nodeps.txt ]; then \
	  echo "$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt"; \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt; \
	  if [ -e requirements-nodeps.txt ]; then \
	    echo "$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt"; \
	    $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt; fi; \
	  echo "$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable ."; \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .; \
	  touch $(STAMP); fi

# The pipeline is the Snakefile (ingest, audit, one notebook per country, the
# generated pages, the HTML, the PDF and its offprints): make installs the venv,
# registers DATA, checks the table of contents, then runs Snakemake for the
# goal. FORCE=1 runs every rule again (and builds the HTML from scratch).
# --nolock: the build lock above already allows one build at a time.
# --keep-incomplete --rerun-incomplete: an interrupted notebook keeps its
# previous file, and the next build runs it again.
# analysis/book/workflow.py runs Snakemake and keeps its own book-keeping off the
# screen (each step prints its command, then its summary or its error).
# (Targets come first: several options take lists.)
SNAKEMAKE_OPTIONS = --cores all --nolock --keep-incomplete --rerun-incomplete \
  $(if $(FORCE),--forceall --config force=1,)

# DATA="a.csv b.csv": validate the files and register them in data/sources.yml
# first (a file that fails is not added, and nothing else is touched).
# DATA never reaches make's expansion or a shell: its raw text goes to Python in
# the environment (SRD_DATA) and is split there like a command line (shlex), so
# names with spaces, brackets, quotes, `;`, `$(...)` or backticks are just names.
ADD_DATA = $(if $(value DATA),$(BIN)/python -m analysis.data.adddata --from-env,)
PREPARE = $(if $(value DATA),$(ADD_DATA) && ,)$(BIN)/python -m analysis.report.toc --check

data: venv
	$(ADD_DATA)
	@$(BIN)/python -m analysis.book.workflow ingest $(SNAKEMAKE_OPTIONS)

docs: venv
	$(PREPARE)
	@$(BIN)/python -m analysis.book.workflow docs $(SNAKEMAKE_OPTIONS)

# The notebooks and the generated pages (Snakemake runs them side by side).
outputs: venv
	$(PREPARE)
	@$(BIN)/python -m analysis.book.workflow outputs $(SNAKEMAKE_OPTIONS)

# Incremental Sphinx build in _build/.work, swapped into _build/html only when
# it succeeded: a failed or interrupted build leaves the previous _build/html
# as it was. See analysis/book/publish.py.
html book: venv
	$(PREPARE)
	@$(BIN)/python -m analysis.book.workflow html $(SNAKEMAKE_OPTIONS)
	@echo "book: _build/html/index.html"

# The book's LaTeX from Jupyter Book, then the book's PDF and one offprint per
# country compiled from it side by side (xelatex); installs the Debian TeX
# packages and fonts when missing (as root; otherwise prints the apt-get
# command) and fails on any "Missing character" in the LaTeX log.
# See analysis/book/pdf.py.
pdf: venv
	$(PREPARE)
	@$(BIN)/python -m analysis.book.workflow pdfs $(SNAKEMAKE_OPTIONS)

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
	rm -rf _build .snakemake book/countries/*.ipynb book/regional.ipynb book/figures book/_generated

endif
