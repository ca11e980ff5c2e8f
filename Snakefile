# Silk Road Digital: the whole pipeline, declared once.
#
#   data/raw + data/sources.yml ──ingest──▶ data/processed/indicators.csv ...
#   the papers' ledger + processed ──audit──▶ data/processed/audit.csv, targets.csv
#   everything a notebook reads ──fingerprints (checkpoint)──▶ _build/fingerprints/<job>.json
#   fingerprint ──chapter (one per country) / regional──▶ book/countries/<ISO3>.ipynb, book/regional.ipynb
#   data + texts ─────────────────docs────────────▶ book/_generated/*.md, the statement checks
#   book/ + notebooks + pages ────html────▶ _build/html         (make book)
#   the same ─────────────────────latex───▶ _build/latex/silk-road-digital.tex and its figures
#   the book's LaTeX ─────────────pdf─────▶ _build/pdf/silk-road-digital.pdf      (make pdf)
#   the book's LaTeX ─────────────offprint (one per country)─▶ _build/pdf/countries/<ISO3>.pdf
#
# `make book` and `make pdf` run this file (see the Makefile for the options);
# `snakemake -n html` shows what would run and why. Every rule runs a module of
# the analysis package; rebuild decisions are Snakemake's, from the inputs
# declared here (by modification time):
# - a step's inputs are the files it reads, the modules of the package it
#   imports (analysis/codegraph.py) and the pins (requirements.txt);
# - a notebook's input is its fingerprint, a file holding the hash of its
#   template and texts, parameters, the code it runs with the pins of the
#   libraries that code imports, the rows of data it shows and what its
#   text's checks make of the data. The fingerprints are rewritten only where
#   they changed, and the checkpoint makes Snakemake look at them after they
#   were computed: a change to one country's data re-executes that chapter
#   (and the regional overview, which aggregates all), and another chapter
#   only if it changes what that chapter's text says.
# Steps that write many files (or publish a folder atomically) declare a
# stamp in _build/stamps/ as their output; a stamp is dropped when what it
# stands for is missing, so deleting _build/html (say) rebuilds it.
import os
import sys
from pathlib import Path

from analysis import codegraph, config as countries, quickexit
from analysis.book import notebooks
from analysis.book.pdf import BOOK_PDF, COUNTRY_DIR, LATEX, NAME
from analysis.digests import files
from analysis.paths import (ANALYSIS, BOOK, BUILD, CATALOG_CSV, DATA, GENERATED, INDICATORS_CSV, LEDGER_VALIDATED, RAW,
                            REGISTRY, REPLACED_CSV, ROOT)

quickexit.install()  # Snakemake ends without its last garbage collection (0.3 s: analysis/quickexit.py)

PYTHON = os.path.relpath(sys.executable) if Path(sys.executable).is_relative_to(ROOT) else sys.executable
FORCE = "--force" if config.get("force") else ""  # make ... FORCE=1: --forceall and a clean Sphinx build
ISO3 = countries.iso3_codes()
JOBS = notebooks.jobs()
TEXTS = ANALYSIS / "texts"
TEMPLATES = ANALYSIS / "templates"
PROCESSED = [INDICATORS_CSV, CATALOG_CSV, REPLACED_CSV]
AUDITED = [DATA / "processed" / "audit.csv", DATA / "processed" / "targets.csv"]


def run(*args):
    """The shell command of a job, echoed first (the build's progress display)."""
    command = " ".join([PYTHON, "-m", *filter(None, args)])
    return f"echo '{command}'; {command}"


def code(*modules):
    """The package's files these modules run (transitively) and the pins."""
    return [*codegraph.files(modules), codegraph.REQUIREMENTS]


def stamp(name, *stands_for):
    path = BUILD / "stamps" / name
    if not all(Path(p).exists() for p in stands_for):
        path.unlink(missing_ok=True)
    return str(path)


def data():
    """The files under data/ (registry, raw files, the papers' ledger, map
    outlines) less what ingest and audit write there: their stamps stand for those."""
    return [p for p in files([DATA]) if p not in PROCESSED + AUDITED]


# Run where Snakemake runs, also with a cluster profile (profiles/cluster):
# the notebooks and the offprints are the jobs worth sending to other machines.
localrules: book, outputs, pdfs, ingest, audit, fingerprints, docs, html, latex, pdf


wildcard_constraints:
    iso3="|".join(ISO3),


rule book:
    input: stamp("html", BUILD / "html" / "index.html")


rule ingest:
    input: files([RAW, REGISTRY]), code("analysis.data.ingest")
    output: touch(stamp("ingest", *PROCESSED))
    shell: run("analysis.data.ingest")


# The audit validates the papers' ledger and records which content passed
# (LEDGER_VALIDATED): the notebooks read that ledger without validating it again.
rule audit:
    input: rules.ingest.output, data(), code("analysis.ledger.audit")
    output: touch(stamp("audit", *AUDITED, LEDGER_VALIDATED))
    shell: run("analysis.ledger.audit")


checkpoint fingerprints:
    input:
        rules.ingest.output, rules.audit.output, data(), files([TEXTS, TEMPLATES]),
        code("analysis.book.notebooks", *sorted({m for j in JOBS for m in codegraph.notebook_imports(j.template)}))
    output: touch(stamp("fingerprints", *map(notebooks.fingerprint_file, JOBS)))
    priority: 4
    shell: run("analysis.book.notebooks", "--fingerprints")


def fingerprint(name):
    def of(wildcards):
        checkpoints.fingerprints.get()  # computed first; then their times decide
        return str(notebooks.fingerprint_file(next(j for j in JOBS if j.name == name.format(**wildcards))))
    return of


# Priorities, for when more jobs could run than there are cores: the
# fingerprints, then the notebooks (the longest jobs, on the way to the book;
# the chapters before the shorter regional overview, so that two cores are not
# left with one long notebook at the end), then the generated pages.
rule chapter:
    input: fingerprint("countries/{iso3}")
    output: "book/countries/{iso3}.ipynb"
    priority: 3
    shell: run("analysis.book.notebooks", "--job", "countries/{wildcards.iso3}", FORCE)


rule regional:
    input: fingerprint("regional")
    output: "book/regional.ipynb"
    priority: 2
    shell: run("analysis.book.notebooks", "--job", "regional", FORCE)


# The generated pages and the statement checks of the chapters' texts (the
# "No longer supported" page, _build/statements.json) in one process: one
# interpreter start and one set of imports instead of two.
rule docs:
    input:
        rules.ingest.output, rules.audit.output, data(), files([TEXTS, ROOT / "CITATION.cff", ROOT / "_toc.yml"]),
        code("analysis.report.generate")
    output:
        touch(stamp("docs", GENERATED / "sources.md", GENERATED / "unsupported.md", BUILD / "statements.json",
                    BOOK / "figures" / "coverage"))
    priority: 1
    shell: run("analysis.report.generate")


# What the HTML and the PDF are built from: the notebooks and pages made above,
# and the book's own files (written chapters, configuration, theme, extension).
MADE = [BOOK / "countries", BOOK / "regional.ipynb", BOOK / "figures", GENERATED]
NOTEBOOKS = [*expand(rules.chapter.output, iso3=ISO3), *rules.regional.output]
PAGES = [*rules.docs.output]
SOURCES = [
    *NOTEBOOKS, *PAGES,
    *[p for p in files([BOOK]) if not any(p == m or p.is_relative_to(m) for m in MADE)],
    *files([ROOT / "_config.yml", ROOT / "_toc.yml", ROOT / "_static", ROOT / "_templates", ROOT / "_ext",
            ROOT / "CITATION.cff"]),
    *code("analysis.book.sphinxext"),
]


rule outputs:
    input: NOTEBOOKS, PAGES


rule html:
    input: SOURCES
    output: touch(stamp("html", BUILD / "html" / "index.html"))
    shell: run("analysis.book.publish", FORCE)


rule latex:
    input: SOURCES, code("analysis.book.pdf")
    output: touch(stamp("latex", LATEX / f"{NAME}.tex"))
    shell: run("analysis.book.pdf", "--latex")


# The book's PDF and the offprints are compiled from the same LaTeX, side by
# side; the book (the longest job) starts first.
rule pdf:
    input: rules.latex.output, code("analysis.book.pdf")
    priority: 1
    output: touch(stamp("pdf", BOOK_PDF))
    shell: run("analysis.book.pdf", "--book")


for c in ISO3:
    stamp(f"offprint-{c}", COUNTRY_DIR / f"{c}.pdf")


rule offprint:
    input: rules.latex.output, code("analysis.book.pdf")
    output: touch(stamp("offprint-{iso3}"))
    shell: run("analysis.book.pdf", "--offprint", "{wildcards.iso3}")


rule pdfs:
    input: rules.pdf.output, expand(rules.offprint.output, iso3=ISO3)
