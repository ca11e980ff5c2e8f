"""Repository paths, resolved from this file so that notebooks executed in any
working directory (Papermill, nbval) find the same data."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REGISTRY = DATA / "sources.yml"
INDICATORS_CSV = PROCESSED / "indicators.csv"
CATALOG_CSV = PROCESSED / "indicator_catalog.csv"
REPLACED_CSV = PROCESSED / "replaced_values.csv"
ANALYSIS = ROOT / "analysis"
COUNTRIES_YML = ANALYSIS / "countries.yml"
INDICATORS_YML = ANALYSIS / "indicators.yml"
TEMPLATES = ANALYSIS / "templates"
BOOK = ROOT / "book"
GENERATED = BOOK / "_generated"
BUILD = ROOT / "_build"
