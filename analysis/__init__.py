"""Silk Road Digital: the tested code behind the book's notebooks.

Data flows ``data/raw`` → :mod:`analysis.ingest` → ``data/processed`` →
:mod:`analysis.indicators` / :mod:`analysis.plots` → notebooks in ``book/``.
"""

__version__ = "0.2.2"
