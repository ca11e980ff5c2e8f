"""Repository paths, resolved from this file so that notebooks executed in any
working directory (Papermill, nbval) find the same data."""
import os
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
TOPICS_YML = ANALYSIS / "topics.yml"
TEMPLATES = ANALYSIS / "templates"
BOOK = ROOT / "book"
GENERATED = BOOK / "_generated"
BUILD = ROOT / "_build"
LEDGER_VALIDATED = BUILD / ".ledger-validated"  # the ledger content the audit passed (analysis/ledger/claims.py)


def search_path(first: str | Path, value: str | None) -> str:
    """An ``os.pathsep``-separated list (such as JUPYTER_PATH) with
    ``first`` in front, once, however often it is applied."""
    rest = [p for p in value.split(os.pathsep) if p != str(first)] if value else []
    return os.pathsep.join([str(first), *rest])
