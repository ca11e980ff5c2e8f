"""Layer 2, the ledger: what the two source papers say (claims, themes, strategies,
links), validated, and audited against the data.
"""
