"""Silk Road Digital: the tested code behind the book, in four layers that
follow the pipeline (the Snakefile runs them in this order):

- :mod:`analysis.data`: the raw files read, registered and validated, and one
  tidy table (``data/processed/indicators.csv``) with the arithmetic on it;
- :mod:`analysis.ledger`: what the two source papers say, and its audit
  against the data;
- :mod:`analysis.report`: what the chapters and the generated pages say and
  show (tables, figures, statements checked against the data, citations);
- :mod:`analysis.book`: executing the notebooks, the HTML and the PDF, and
  what the build needs (rebuild inputs, the build lock, the Snakemake runner).

Beside them, what every layer uses: :mod:`analysis.paths`,
:mod:`analysis.config` (the YAML configuration next to it: countries.yml,
indicators.yml, topics.yml), :mod:`analysis.errors`, :mod:`analysis.atomic`
and :mod:`analysis.untrusted`. A layer imports from the ones before it, never
from the ones after it (tests/test_layers.py).
"""

__version__ = "0.2.2"
