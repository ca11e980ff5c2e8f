"""The test suite's three layers, and the rule for tests that need a build.

- ``unit``: one module or a few, in process, writing only to temporary folders
  (tests/conftest.py makes a unit test fail if it writes a file elsewhere
  through :mod:`analysis.atomic`, the package's one way of writing).
- ``integration``: the pipeline's steps (ingest → audit → a chapter, the
  Makefile, the build lock) run for real in a private copy of the repository
  or in a temporary folder.
- ``e2e``: the published book itself (HTML, PDF, the executed notebooks, the
  browser): these tests read ``_build`` and ``book/``, so they need ``make
  book`` / ``make pdf`` first. Locally a test whose build is missing is skipped
  with the command to run; under ``CI=true`` it fails, so a missing build can
  never pass CI unnoticed.

Every test module is listed in :data:`MODULES` with its layer; a test that
uses one of the :data:`COPIES` fixtures (a private copy of the repository that
steps run in) is integration, a test that needs a build end-to-end, and a test
may carry its own ``@pytest.mark.integration`` or ``e2e``. A module that is
not listed stops the run, so no test is left without a layer. ``make test``
runs all three; ``pytest -m unit`` (seconds to minutes), ``-m integration``
or ``-m e2e`` runs one (README, "Running one layer").
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("unit", "integration", "e2e")
CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")

MODULES = {
    # the readers, the schema, the indicators, the ledger and the pages, in process
    "test_atomic": "unit",
    "test_audit": "unit",
    "test_cite": "unit",
    "test_claims": "unit",
    "test_codegraph": "unit",
    "test_comparisons": "unit",
    "test_config": "unit",
    "test_coverage": "unit",
    "test_frameworks": "unit",
    "test_geo": "unit",
    "test_indicators": "unit",
    "test_install": "unit",
    "test_ingest": "unit",
    "test_layers": "unit",
    "test_plots": "unit",
    "test_quickexit": "unit",
    "test_readers": "unit",
    "test_report_pages": "unit",
    "test_run": "unit",
    "test_scale": "unit",
    "test_digests": "unit",
    "test_workflow": "unit",
    "test_sphinxext": "unit",
    "test_statements": "unit",
    "test_trade": "unit",
    "test_untrusted": "unit",      # its hostile builds use the COPIES fixtures
    "test_inputs": "unit",         # its `make data` runs use repo_copy
    # the steps and the Makefile for real, in a private copy of the repository
    "test_adddata": "integration",
    "test_cluster": "integration",
    "test_interrupts": "integration",
    "test_invalidation": "integration",
    "test_pipeline": "integration",
    # the published book: HTML, browser, PDF, the executed notebooks
    "test_book": "e2e",
    "test_browser": "e2e",
    "test_pdf": "e2e",
    "test_reader_pages": "e2e",
    "test_reproduce": "e2e",
}

# Fixtures that make a private copy of the repository (tests/conftest.py,
# tests/test_inputs.py, tests/test_adddata.py, tests/test_untrusted.py).
COPIES = {"repo_copy", "hostile_repo", "hostile_book"}

# What each build target makes, for the message of a test whose build is missing.
TARGETS = {"book": "make book", "pdf": "make pdf", "browser-deps": "make browser-deps"}


def requires(path: Path | str, target: str = "book") -> pytest.MarkDecorator:
    """Mark a test (or, as ``pytestmark``, a module) as needing ``path``, which
    ``make <target>`` makes. The test is then end-to-end: skipped locally when
    ``path`` is missing, failed under ``CI=true``."""
    if target not in TARGETS:
        raise ValueError(f"unknown build target {target!r}; known: {', '.join(TARGETS)}")
    return pytest.mark.requires_build(path=Path(path), target=target)


def layer_of(module: str, marks: set[str], fixtures: set[str] = frozenset()) -> str:
    """The one layer of a test: an explicit layer mark, else e2e if it needs a
    build, else integration if it works in a copy of the repository, else its
    module's layer."""
    explicit = [m for m in LAYERS if m in marks]
    if len(explicit) > 1:
        raise pytest.UsageError(f"{module}: a test has more than one layer mark ({', '.join(explicit)})")
    if explicit:
        return explicit[0]
    if "requires_build" in marks:
        return "e2e"
    if fixtures & COPIES:
        return "integration"
    if module not in MODULES:
        raise pytest.UsageError(f"tests/{module}.py has no layer: add it to MODULES in tests/layers.py "
                                f"(one of {', '.join(LAYERS)})")
    return MODULES[module]


def check_build(item: pytest.Item) -> None:
    """Skip (locally) or fail (under CI=true) a test whose build is missing."""
    for mark in item.iter_markers("requires_build"):
        path, target = Path(mark.kwargs["path"]), mark.kwargs["target"]
        if path.exists():
            continue
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        message = f"{shown} is missing: run `{TARGETS[target]}` first"
        if CI:
            pytest.fail(f"{message} (under CI=true an end-to-end test fails instead of skipping)", pytrace=False)
        pytest.skip(message)
