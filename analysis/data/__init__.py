"""Layer 1, the data: raw files read, registered, validated and made one tidy table
(``data/processed/indicators.csv``), and the arithmetic on it.
"""
