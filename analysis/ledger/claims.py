"""The ledger of what the two source papers say: schemas and loaders.

``data/seed_claims.csv``  one row per figure or date the papers state (with a short quote)
``data/seed_themes.csv``  one row per point the papers make, in our own words
``data/strategies.csv``   the national digital strategies and e-commerce plans they describe
``data/theme_links.csv``  which cooperation approach answers which challenge (our mapping)

The quotes cannot be checked against the papers at build or test time (the
papers are not part of the repository), so validation is structural: types,
allowed values, unique ids, quote length, country codes. A bad row stops the
build with one line naming file, row (as in a spreadsheet: the header is row 1)
and column, raised as :class:`analysis.errors.DataError`.

The build validates the ledger once, in its audit step (:func:`validate_all`),
and records the content it passed (``_build/.ledger-validated``, an output the
Snakefile's audit rule declares: a digest of the four files and of this
module). Chapters executed afterwards read the same bytes without validating
them again, and without importing pandera: together about half a second per
chapter. Any other content (a file edited since, or no record) is validated as
it is read.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis import atomic
from analysis.errors import DataError, clip
from analysis.paths import DATA, LEDGER_VALIDATED

if TYPE_CHECKING:  # pandera is imported only where a file is validated
    import pandera
    import pandera.pandas as pa

CLAIMS_CSV = DATA / "seed_claims.csv"
THEMES_CSV = DATA / "seed_themes.csv"
STRATEGIES_CSV = DATA / "strategies.csv"
LINKS_CSV = DATA / "theme_links.csv"

SOURCES = ["dsr", "huo"]                                   # keys of book/references.bib: dsr_paper, huo_paper
BIB_KEY = {"dsr": "dsr_paper", "huo": "huo_paper"}
LEDGER_COUNTRIES = ["KAZ", "UZB", "KGZ", "TJK", "TKM", "CHN", "C5", "WLD"]
CLAIM_TYPES = ["fact", "target", "forecast", "date", "rank"]
FRAMEWORKS = ["foundation", "challenge", "demand", "approach"]
THEMES = ["cooperation_platforms", "cybersecurity_data_law", "digital_finance_payments",
          "digital_infrastructure", "digital_talent", "ecommerce", "egovernment", "energy",
          "geopolitical_competition", "investment_environment", "logistics", "political_relations",
          "rules_governance", "services_trade", "strategy_alignment", "technology_trade",
          "trade_structure", "training"]
QUOTE_MAX = 200
YEAR_OR_MONTH = r"^\d{4}(-\d{2}(-\d{2})?)?$"

_str = dict(nullable=False)


def claims_schema() -> pa.DataFrameSchema:
    import pandera.pandas as pa

    return pa.DataFrameSchema({
        "claim_id": pa.Column(str, pa.Check.str_matches(r"^(DSR|HUO)-\d{3}$"), unique=True, **_str),
        "source_id": pa.Column(str, pa.Check.isin(SOURCES), **_str),
        "section": pa.Column(str, pa.Check.str_length(min_value=1), **_str),
        "country_iso3": pa.Column(str, pa.Check.isin(LEDGER_COUNTRIES), **_str),
        "topic": pa.Column(str, pa.Check.str_matches(r"^[a-z_0-9]+$"), **_str),
        "indicator": pa.Column(str, pa.Check.str_matches(r"^[A-Za-z][A-Za-z0-9_.]*$"), **_str),
        "claim_type": pa.Column(str, pa.Check.isin(CLAIM_TYPES), **_str),
        "value": pa.Column("float64", nullable=False),
        "unit": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+$"), **_str),
        "year": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=True),
        "quote": pa.Column(str, [pa.Check.str_length(min_value=3, max_value=QUOTE_MAX)], **_str),
        "note": pa.Column(str, nullable=True),
    }, strict=True, ordered=True)


def themes_schema() -> pa.DataFrameSchema:
    import pandera.pandas as pa

    return pa.DataFrameSchema({
        "theme_id": pa.Column(str, pa.Check.str_matches(r"^T-\d{3}$"), unique=True, **_str),
        "source_id": pa.Column(str, pa.Check.isin(SOURCES), **_str),
        "section": pa.Column(str, pa.Check.str_length(min_value=1), **_str),
        "country_iso3": pa.Column(str, pa.Check.isin(LEDGER_COUNTRIES), **_str),
        "framework": pa.Column(str, pa.Check.isin(FRAMEWORKS), **_str),
        "theme": pa.Column(str, pa.Check.isin(THEMES), **_str),
        "point": pa.Column(str, pa.Check.str_length(min_value=10, max_value=400), **_str),
    }, strict=True, ordered=True)


def strategies_schema() -> pa.DataFrameSchema:
    import pandera.pandas as pa

    return pa.DataFrameSchema({
        "country_iso3": pa.Column(str, pa.Check.isin(LEDGER_COUNTRIES[:6]), **_str),
        "name": pa.Column(str, pa.Check.str_length(min_value=3), unique=True, **_str),
        "adopted": pa.Column(str, pa.Check.str_matches(YEAR_OR_MONTH), **_str),
        "start_year": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=True),
        "end_year": pa.Column("Int64", pa.Check.in_range(1990, 2100), **_str),
        "phases": pa.Column(str, pa.Check.str_matches(r"^\d{4}(-\d{4})?(; \d{4}(-\d{4})?)*$"), nullable=True),
        "main_goals": pa.Column(str, **_str),
        "numeric_targets": pa.Column(str, nullable=True),
        "source_id": pa.Column(str, pa.Check.isin(SOURCES), **_str),
        "quote": pa.Column(str, pa.Check.str_length(min_value=3, max_value=QUOTE_MAX), **_str),
    }, strict=True, ordered=True)


def links_schema() -> pa.DataFrameSchema:
    import pandera.pandas as pa

    return pa.DataFrameSchema({
        "challenge": pa.Column(str, pa.Check.isin(THEMES), **_str),
        "approach": pa.Column(str, pa.Check.isin(THEMES), **_str),
        "rationale": pa.Column(str, pa.Check.str_length(min_value=10, max_value=200), **_str),
    }, strict=True, ordered=True, unique=["challenge", "approach"])


SCHEMAS = {"claims": claims_schema, "themes": themes_schema, "strategies": strategies_schema,
           "links": links_schema}
PATHS = {"claims": CLAIMS_CSV, "themes": THEMES_CSV, "strategies": STRATEGIES_CSV, "links": LINKS_CSV}
INTEGER_COLUMNS = {"claims": ["year"], "strategies": ["start_year", "end_year"]}
FLOAT_COLUMNS = {"claims": ["value"]}


def _read(path: Path, kind: str, check_columns: bool = True) -> pd.DataFrame:
    """Read every column as text, then convert the numeric ones, so that a
    non-numeric cell is reported where it is rather than silently turned into NaN."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError) as exc:
        raise DataError(path, f"cannot be read as CSV: {exc}".splitlines()[0]) from None
    expected = list(SCHEMAS[kind]().columns) if check_columns else list(df.columns)
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}; expected: {', '.join(expected)}")
    extra = [c for c in df.columns if c not in expected]
    if extra:
        raise DataError(path, f"unexpected column(s) {', '.join(extra)}", column=extra[0])
    for col in FLOAT_COLUMNS.get(kind, []) + INTEGER_COLUMNS.get(kind, []):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = df[col].notna() & num.isna()
        if bad.any():
            i = int(bad.idxmax())
            raise DataError(path, f"{clip(df.at[i, col])} is not a number", row=i + 2, column=col)
        if col in INTEGER_COLUMNS.get(kind, []):
            frac = num.notna() & (num % 1 != 0)
            if frac.any():
                i = int(frac.idxmax())
                raise DataError(path, f"{clip(df.at[i, col])} is not a whole year", row=i + 2, column=col)
            df[col] = num.astype("Int64")
        else:
            df[col] = num.astype("float64")
    return df


def _first_failure(exc: pandera.errors.SchemaErrors, df: pd.DataFrame, path: Path) -> DataError:
    cases = exc.failure_cases
    with_index = cases[cases["index"].notna()]
    first = (with_index if len(with_index) else cases).iloc[0]
    column = first["column"] if isinstance(first["column"], str) else None
    check = str(first["check"])
    value = first["failure_case"]
    if first["index"] is None or pd.isna(first["index"]):
        return DataError(path, f"{check}", column=column)
    row = int(first["index"]) + 2
    if "field_uniqueness" in check or "unique" in check:
        msg = f"duplicate value {clip(value)}"
    elif "isin" in check:
        msg = f"{clip(value)} is not allowed; allowed: {', '.join(map(str, _allowed(check)))}"
    elif "str_length" in check and column == "quote":
        msg = f"quote is {len(str(value))} characters long; at most {QUOTE_MAX} allowed"
    elif "not_nullable" in check:
        msg = "empty cell where a value is required"
    else:
        msg = f"{clip(value)} fails {check}"
    more = with_index["index"].nunique() - 1
    if more > 0:
        msg += f" (and {more} more row{'s' if more > 1 else ''} with problems)"
    return DataError(path, msg, row=row, column=column)


def _allowed(check: str) -> list:
    import ast
    try:
        return ast.literal_eval(check[check.index("["):check.rindex("]") + 1])
    except (ValueError, SyntaxError):
        return []


def validate(df: pd.DataFrame, kind: str, path: Path | None = None) -> pd.DataFrame:
    from pandera.errors import SchemaErrors

    path = path or PATHS[kind]
    try:
        return SCHEMAS[kind]().validate(df, lazy=True)
    except SchemaErrors as exc:
        raise _first_failure(exc, df, path) from None


_CACHE: dict[tuple, pd.DataFrame] = {}


def load(kind: str, path: Path | None = None, *, revalidate: bool = False) -> pd.DataFrame:
    """Read and validate one ledger file (``claims``, ``themes``, ``strategies``, ``links``).

    A file is validated once per process and content: a chapter asks for the
    ledger many times, and a changed file (new size or modification time) is
    read and validated afresh. The ledger exactly as :func:`validate_all` last
    passed it is read without validating it again (``revalidate`` forces it).
    Callers get their own copy."""
    path = Path(path or PATHS[kind])
    st = path.stat()
    key = (kind, str(path.resolve()), st.st_size, st.st_mtime_ns)
    if revalidate or key not in _CACHE:
        if not revalidate and _passed(path):
            df = _read(path, kind, check_columns=False)
        else:
            df = validate(_read(path, kind), kind, path)
            if kind == "links":
                _check_links(df, path)
        _CACHE[key] = df
    return _CACHE[key].copy()


VALIDATED = LEDGER_VALIDATED


def ledger_digest() -> str:
    """Digest of the four ledger files and of the code that validates them
    (links are checked against themes, so one file's verdict depends on another's)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for kind in sorted(PATHS):
        h.update(b"\0" + PATHS[kind].read_bytes())
    return h.hexdigest()


def _ledger_passed(digest: str | None = None) -> bool:
    """Whether the ledger as it is now (``digest``, computed if not given) is
    what :func:`validate_all` last passed."""
    try:
        return VALIDATED.read_text(encoding="ascii") == (digest or ledger_digest())
    except OSError:
        return False


def _passed(path: Path) -> bool:
    """Whether ``path`` is a ledger file and the ledger is what :func:`validate_all` last passed."""
    return path.resolve() in {p.resolve() for p in PATHS.values()} and _ledger_passed()


def _check_links(df: pd.DataFrame, path: Path) -> None:
    """Every linked challenge and approach must be a theme the papers use in that role."""
    themes = load("themes")
    roles = {"challenge": set(themes.loc[themes["framework"] == "challenge", "theme"]),
             "approach": set(themes.loc[themes["framework"] == "approach", "theme"])}
    for col in ("challenge", "approach"):
        bad = ~df[col].isin(roles[col])
        if bad.any():
            i = int(bad.idxmax())
            raise DataError(path, f"{clip(df.at[i, col])} is never a {col} theme in data/seed_themes.csv",
                            row=i + 2, column=col)


def claims(path: Path | None = None) -> pd.DataFrame:
    return load("claims", path)


def themes(path: Path | None = None) -> pd.DataFrame:
    return load("themes", path)


def strategies(path: Path | None = None) -> pd.DataFrame:
    return load("strategies", path)


def links(path: Path | None = None) -> pd.DataFrame:
    return load("links", path)


def validate_all(force: bool = False) -> dict[str, int]:
    """Validate every ledger file, record that this content passed (so that the
    chapters read it without validating it again), and return the row counts.
    A ledger that already passed, byte for byte and with this module unchanged,
    is not validated again unless ``force``."""
    digest = ledger_digest()
    if not force and _ledger_passed(digest):
        return {kind: len(load(kind)) for kind in PATHS}
    VALIDATED.unlink(missing_ok=True)
    counts = {kind: len(load(kind, revalidate=True)) for kind in PATHS}
    VALIDATED.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(VALIDATED, digest, encoding="ascii")
    return counts
