"""Readers: one function per source layout, each turning a raw file into tidy
records ``country, indicator, year, value`` plus the file row and column every
value came from (so that a bad value can be reported where it stands).

Every reader is registered in :data:`READERS` under the name used in the
``reader:`` field of ``data/sources.yml``. Readers never guess silently: a cell
that is neither a number nor a known missing-value marker raises
:class:`~analysis.errors.DataError`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import untrusted
from analysis.errors import DataError, clip

MAX_BYTES = 50 * 1024 * 1024  # a full World Bank download is well under 1 MB
MISSING = {"", "..", "na", "n/a", "nan", "null", "-", "–", "—"}
YEAR_MIN, YEAR_MAX = 1960, 2100
RECORD_COLUMNS = ["country", "key_kind", "indicator", "year", "value", "unit", "_row", "_col"]


@dataclass
class Parsed:
    """What a reader returns: the records and what the file says about itself."""

    records: pd.DataFrame
    meta: dict = field(default_factory=dict)  # e.g. last_updated, indicator names


# --------------------------------------------------------------------------- text
def check_size(path, size: int) -> None:
    if size > MAX_BYTES:
        raise DataError(path, f"file is {size / 1e6:.0f} MB; the limit is {MAX_BYTES // 2**20} MB "
                              "(split it or keep only the countries of the book)")


def read_text(path: Path) -> str:
    """The file's text, or a DataError saying why it is not a readable CSV."""
    check_size(path, path.stat().st_size)
    return decode_text(path, path.read_bytes())


def decode_text(path, data: bytes) -> str:
    """``data`` (read from ``path``, which may name a member of an archive) as text."""
    if not data.strip():
        raise DataError(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise DataError(path, "file is binary, not a text CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02X}); "
                              "save the file as UTF-8", row=line) from None
    return text


def rows_of(path: Path, text: str, delimiter: str = ",") -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise DataError(path, f"malformed CSV ({exc})") from None
    untrusted.check_file(path, text, rows, delimiter)  # no control character, no line break inside a cell
    return rows


def header_index(path: Path, rows: list[list[str]], first_cell: str) -> int:
    """Index of the header row whose first cell is ``first_cell`` (skips a preamble)."""
    for i, row in enumerate(rows[:20]):
        if row and row[0].strip() == first_cell:
            return i
    found = rows[0] if rows else []
    hint = ""
    if len(found) == 1 and any(d in found[0] for d in ";|\t"):
        hint = " (wrong delimiter? columns must be separated by commas)"
    raise DataError(path, f"no header row starting with {first_cell!r}; first row is "
                          f"{clip(','.join(found), 60)}{hint}", row=1)


def require_columns(path: Path, header: list[str], required: list[str], row: int) -> dict[str, int]:
    pos = {h.strip(): i for i, h in enumerate(header)}
    missing = [c for c in required if c not in pos]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(repr(c) for c in missing)}; "
                              f"expected {', '.join(required)}", row=row)
    return pos


# -------------------------------------------------------------------------- cells
def parse_number(path: Path, cell: str, row: int, column: str) -> float | None:
    """A float, ``None`` for a missing-value marker, or a DataError."""
    s = cell.strip()
    if s.casefold() in MISSING:
        return None
    s = s.rstrip("*").strip()  # footnote markers, as in the Doing Business compilation
    try:
        value = float(s)
    except ValueError:
        kind = "spreadsheet formula" if s[:1] in "=+@" and not s[1:2].isdigit() else "non-numeric value"
        raise DataError(path, f"{kind} {clip(cell)} where a number is expected",
                        row=row, column=column) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise DataError(path, f"non-finite value {clip(cell)}", row=row, column=column)
    return value


def parse_year(path: Path, cell: str, row: int, column: str) -> int:
    s = cell.strip()
    if not re.fullmatch(r"\d{4}", s):
        raise DataError(path, f"year {clip(cell)} is not a four-digit year", row=row, column=column)
    year = int(s)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise DataError(path, f"year {year} is outside {YEAR_MIN}–{YEAR_MAX}", row=row, column=column)
    return year


def year_columns(header: list[str]) -> list[tuple[int, int]]:
    """(position, year) of every header cell that is a four-digit year."""
    return [(i, int(h.strip())) for i, h in enumerate(header) if re.fullmatch(r"\d{4}", h.strip())]


def data_rows(path: Path, rows: list[list[str]], first: int, width: int):
    """(file line number, cells) of each non-blank row from index ``first`` on;
    a row whose cell count differs from the header's is an error."""
    for i, row in enumerate(rows[first:], start=first + 1):
        if not any(c.strip() for c in row):
            continue
        if len(row) != width:
            raise DataError(path, f"has {len(row)} cells, the header has {width}", row=i)
        yield i, row


def frame(records: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=RECORD_COLUMNS)
    return df.astype({"year": "int64", "value": "float64", "_row": "int64"})


def no_values(path: Path) -> DataError:
    return DataError(path, "no data rows with values found")


# ------------------------------------------------------------- column-wise
# A World Development Indicators download for the book's countries holds about
# half a million values: cells are checked a column at a time (pandas), and
# only a cell that fails is looked at again with parse_number / parse_year, so
# that the error names the same file, row and column as a cell-by-cell reader.
YEAR_RE = r"\d{4}"


def body(path: Path, rows: list[list[str]], first: int, width: int, slack: int = 0):
    """(file line numbers, rows) of the non-blank rows from index ``first`` on,
    each padded to ``width`` cells; a row whose cell count is off by more than
    ``slack`` from the header's is an error."""
    lines, kept = [], []
    lo, hi = width - slack, width + slack
    for i, row in enumerate(rows[first:], start=first + 1):
        n = len(row)
        if n == width:
            kept.append(row)
        elif not any(c.strip() for c in row):
            continue
        elif n < lo or n > hi:
            raise DataError(path, f"has {n} cells, the header has {width}", row=i)
        else:
            kept.append((row + [""] * (width - n))[:width])
        lines.append(i)
    return pd.Series(lines, dtype="int64"), kept


def first_failure(failures: list[tuple]) -> None:
    """Raise the earliest of ``(row, order, raise_fn)`` candidates, as a reader
    going through the file row by row, column by column would have."""
    failures = [f for f in failures if f is not None]
    if failures:
        min(failures, key=lambda f: (f[0], f[1]))[2]()


def number_column(path: Path, cells: pd.Series, lines: pd.Series, column, order: int = 0):
    """``(values, failure)``: floats (NaN for missing-value markers) and the first
    cell that is not a number, as a candidate for :func:`first_failure`."""
    # plain numbers in one C pass; only the rest (markers, footnotes, errors) as text
    num = pd.to_numeric(cells, errors="coerce").astype("float64")
    bad = pd.Series(False, index=cells.index)
    rest = ~np.isfinite(num.to_numpy())
    if rest.any():
        s = cells[rest].str.strip()
        missing = s.str.casefold().isin(MISSING)
        again = pd.to_numeric(s.str.rstrip("*").str.strip().where(~missing), errors="coerce").astype("float64")
        num[rest] = again
        bad[rest] = ~missing & ~np.isfinite(again.to_numpy())
    for k in np.flatnonzero(bad.to_numpy()):  # what pandas does not read, Python's float() may
        col = column.iloc[k] if isinstance(column, pd.Series) else column
        try:
            value = parse_number(path, cells.iloc[k], int(lines.iloc[k]), col)
        except DataError:
            def fail(k=k, col=col):
                parse_number(path, cells.iloc[k], int(lines.iloc[k]), col)
            return num, (int(lines.iloc[k]), order, fail)
        num.iloc[k] = np.nan if value is None else value
    return num, None


def distinct(cells: pd.Series, fn) -> pd.Series:
    """``fn`` applied to each distinct cell once (a column of codes, countries or
    years holds a few thousand distinct texts in half a million cells)."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    out = fn(pd.Series(uniques, dtype=object))
    return pd.Series(out.to_numpy()[codes], index=cells.index)


def stripped(cells: pd.Series) -> pd.Series:
    return distinct(cells, lambda u: u.str.strip())


def year_column(path: Path, cells: pd.Series, lines: pd.Series, column: str, order: int = 0):
    s = stripped(cells)
    ok = distinct(s, lambda u: u.str.fullmatch(YEAR_RE)).astype(bool)
    years = distinct(s, lambda u: pd.to_numeric(u.where(u.str.fullmatch(YEAR_RE), "0"), errors="coerce")
                     .fillna(0)).astype("int64")
    bad = ~ok | (years < YEAR_MIN) | (years > YEAR_MAX)
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        return years, (int(lines.iloc[k]), order,
                       lambda: parse_year(path, cells.iloc[k], int(lines.iloc[k]), column))
    return years, None


def records_frame(country, key_kind: str, indicator, year, value, unit, lines, col) -> pd.DataFrame:
    """The records of a reader, rows without a value dropped."""
    df = pd.DataFrame({"country": country, "key_kind": key_kind, "indicator": indicator,
                       "year": year, "value": value, "unit": unit, "_row": lines, "_col": col})
    df = df[df["value"].notna()].reset_index(drop=True)
    return df.astype({"country": str, "indicator": str, "year": "int64", "value": "float64", "_row": "int64",
                      "_col": str})[RECORD_COLUMNS]


# ------------------------------------------------------------------------ readers
def wb_wide(path: Path, entry: dict) -> Parsed:
    """World Bank wide download ``API_<code>_DS2_...csv``: with or without the
    4-line preamble, BOM, quoted cells and trailing comma."""
    return wb_wide_rows(path, rows_of(path, read_text(path)))


def wb_wide_rows(path, rows: list[list[str]]) -> Parsed:
    """The World Bank wide table from its rows (of a CSV file or an Excel sheet)."""
    h = header_index(path, rows, "Country Name")
    header = [c.strip() for c in rows[h]]
    pos = require_columns(path, header, ["Country Name", "Country Code", "Indicator Name", "Indicator Code"], h + 1)
    years = year_columns(header)
    if not years:
        raise DataError(path, "no year columns (1960, 1961, ...) in the header", row=h + 1)
    for y_pos, year in years:
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise DataError(path, f"year {year} is outside {YEAR_MIN}–{YEAR_MAX}", row=h + 1, column=str(year))
    meta = {"indicator_names": {}}
    for n, row in enumerate(rows[:h], start=1):
        if len(row) >= 2 and row[0].strip() == "Last Updated Date":
            raw = row[1].strip()
            if re.fullmatch(r"\d{5}", raw):  # a workbook's date cell read as its serial number (1900 system)
                import datetime as _dt
                raw = (_dt.date(1899, 12, 30) + _dt.timedelta(days=int(raw))).isoformat()
            meta["last_updated"] = untrusted.date(path, raw, n, "Last Updated Date")
    width = len(header)
    lines, kept = body(path, rows, h + 1, width, slack=1)
    if not kept:
        raise no_values(path)
    table = pd.DataFrame(kept, columns=range(width), dtype=object).iloc[:, :width]
    codes = texts(path, table[pos["Indicator Code"]], lines, "Indicator Code", 64)
    names = texts(path, table[pos["Indicator Name"]], lines, "Indicator Name")
    texts(path, table[pos["Country Code"]], lines, "Country Code", 64)
    first = ~codes.duplicated()
    meta["indicator_names"] = dict(zip(codes[first], names[first]))
    # the year cells, row by row as the file reads
    ypos = [p for p, _ in years]
    n = len(table)
    cells = pd.Series(table[ypos].to_numpy(dtype=object).ravel(), dtype=object).fillna("")
    r_idx = np.repeat(np.arange(n), len(ypos))
    col_years = np.tile(np.array([y for _, y in years], dtype="int64"), n)
    line_of = lines.to_numpy()[r_idx]
    col_names = pd.Series(col_years.astype(str), dtype=object)
    values, failure = number_column(path, cells, pd.Series(line_of), col_names)
    first_failure([failure])
    df = records_frame(table[pos["Country Code"]].str.strip().to_numpy()[r_idx], "iso3", codes.to_numpy()[r_idx],
                       col_years, values.to_numpy(), None, line_of, col_names.to_numpy())
    if df.empty:
        raise no_values(path)
    return Parsed(df, meta)


def texts(path: Path, column: pd.Series, lines: pd.Series, name: str, limit: int = untrusted.MAX_TEXT) -> pd.Series:
    """A text column, stripped, each distinct value checked once by
    :func:`analysis.untrusted.text` (at the first line it occurs on)."""
    s = column.fillna("").astype(str)
    first = ~s.duplicated()
    for value, line in zip(s[first], lines.to_numpy()[first.to_numpy()]):
        untrusted.text(path, value, int(line), name, limit)
    return s.str.strip()


def wb_long(path: Path, entry: dict) -> Parsed:
    """Long layout ``[Indicator Code,]Country Name,Country Code,Year,Value``.
    Without an ``Indicator Code`` column the registry entry names the indicator."""
    rows = rows_of(path, read_text(path))
    first = "Indicator Code" if rows and rows[0] and rows[0][0].strip() == "Indicator Code" else "Country Name"
    h = header_index(path, rows, first)
    header = [c.strip() for c in rows[h]]
    pos = require_columns(path, header, ["Country Code", "Year", "Value"], h + 1)
    fixed = entry.get("indicator")
    if "Indicator Code" not in pos and not fixed:
        raise DataError(path, "no 'Indicator Code' column and no `indicator:` in data/sources.yml", row=h + 1)
    lines, kept = body(path, rows, h + 1, len(header))
    if not kept:
        raise no_values(path)
    table = pd.DataFrame(kept, dtype=object)
    codes = texts(path, table[pos["Indicator Code"]], lines, "Indicator Code", 64) if "Indicator Code" in pos else fixed
    texts(path, table[pos["Country Code"]], lines, "Country Code", 64)
    years, y_fail = year_column(path, table[pos["Year"]], lines, "Year", 0)
    values, v_fail = number_column(path, table[pos["Value"]], lines, "Value", 1)
    first_failure([y_fail, v_fail])
    df = records_frame(stripped(table[pos["Country Code"]]), "iso3", codes, years, values, None, lines, "Value")
    if df.empty:
        raise no_values(path)
    return Parsed(df)


TIDY_REQUIRED = ["country_iso3", "indicator", "year", "value"]
TIDY_OPTIONAL = ["unit", "source"]
CODE_RE = r"[A-Za-z][A-Za-z0-9_.]{0,63}"


def tidy(path: Path, entry: dict) -> Parsed:
    """The book's own tidy layout: ``country_iso3,indicator,year,value[,unit,source]``."""
    rows = rows_of(path, read_text(path))
    if not rows:
        raise DataError(path, "file is empty")
    header = [c.strip() for c in rows[0]]
    if len(header) == 1 and any(d in header[0] for d in ";|\t"):
        raise DataError(path, "wrong delimiter: columns must be separated by commas", row=1)
    pos = require_columns(path, header, TIDY_REQUIRED, 1)
    extra = [c for c in header if c not in TIDY_REQUIRED + TIDY_OPTIONAL]
    if extra:
        raise DataError(path, f"unexpected column(s) {', '.join(repr(c) for c in extra)}; allowed: "
                              f"{', '.join(TIDY_REQUIRED + TIDY_OPTIONAL)}", row=1)
    lines, kept = body(path, rows, 1, len(header))
    del rows
    if not kept:
        raise no_values(path)
    table = pd.DataFrame(kept, dtype=object)
    del kept
    codes = stripped(table[pos["indicator"]])
    bad_code = ~distinct(codes, lambda u: u.str.fullmatch(CODE_RE)).astype(bool)
    code_fail = None
    if bad_code.any():
        k = int(np.flatnonzero(bad_code.to_numpy())[0])
        code_fail = (int(lines.iloc[k]), 0, lambda: (_ for _ in ()).throw(DataError(
            path, f"indicator code {clip(codes.iloc[k])} must be letters, digits, '.' or '_'",
            row=int(lines.iloc[k]), column="indicator")))
    years, y_fail = year_column(path, table[pos["year"]], lines, "year", 1)
    values, v_fail = number_column(path, table[pos["value"]], lines, "value", 2)
    first_failure([code_fail, y_fail, v_fail])
    unit = None
    if "unit" in pos:
        unit = texts(path, table[pos["unit"]], lines, "unit", 64)
        unit = unit.where(unit != "", None)
    if "source" in pos:
        texts(path, table[pos["source"]], lines, "source")
    df = records_frame(stripped(table[pos["country_iso3"]]), "iso3_strict", codes, years, values, unit,
                       lines, "value")
    if df.empty:
        raise no_values(path)
    return Parsed(df)


def ti_cpi(path: Path, entry: dict) -> Parsed:
    """Transparency International CPI "global results and trends": the multi-year
    time series (``CPI score 2022, Rank 2022, ...``) or a single-year file
    (``CPI score 2023, Rank``), comma- or pipe-delimited."""
    text = read_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = "|" if first_line.count("|") > first_line.count(",") else ","
    rows = rows_of(path, text, delimiter)
    h = header_index(path, rows, "Country / Territory")
    header = [c.strip() for c in rows[h]]
    pos = require_columns(path, header, ["ISO3"], h + 1)
    columns = []  # (position, indicator, year)
    score_years = []
    for i, col in enumerate(header):
        m = re.fullmatch(r"CPI [Ss]core (\d{4})", col)
        if m:
            columns.append((i, "CPI.SCORE", int(m.group(1))))
            score_years.append(int(m.group(1)))
        m = re.fullmatch(r"Rank (\d{4})", col)
        if m:
            columns.append((i, "CPI.RANK", int(m.group(1))))
    if "Rank" in pos:
        if len(score_years) != 1:
            raise DataError(path, "a bare 'Rank' column needs exactly one 'CPI score YYYY' column", row=h + 1)
        columns.append((pos["Rank"], "CPI.RANK", score_years[0]))
    if not columns:
        raise DataError(path, "no 'CPI score YYYY' columns in the header", row=h + 1)
    records = []
    for i, row in data_rows(path, rows, h + 1, len(header)):
        for c_pos, code, year in columns:
            value = parse_number(path, row[c_pos], i, header[c_pos])
            if value is not None:
                records.append((untrusted.text(path, row[pos["ISO3"]], i, "ISO3", 64), "iso3", code, year, value,
                                None, i, header[c_pos]))
    if not records:
        raise no_values(path)
    return Parsed(frame(records))


EGDI_COLUMNS = {
    "E-Government Rank": "EGDI.RANK",
    "E-Government Index": "EGDI.INDEX",
    "E-Participation Index": "EGDI.EPI",
    "Online Service Index": "EGDI.OSI",
    "Human Capital Index": "EGDI.HCI",
    "Telecommunication Infrastructure Index": "EGDI.TII",
}


def un_egdi(path: Path, entry: dict) -> Parsed:
    """UN E-Government Knowledgebase download: ``Survey Year,Country Name,...``."""
    rows = rows_of(path, read_text(path))
    h = header_index(path, rows, "Survey Year")
    header = [c.strip() for c in rows[h]]
    pos = require_columns(path, header, ["Survey Year", "Country Name", "E-Government Index"], h + 1)
    present = [(pos[c], c, code) for c, code in EGDI_COLUMNS.items() if c in pos]
    records = []
    for i, row in data_rows(path, rows, h + 1, len(header)):
        year = parse_year(path, row[pos["Survey Year"]], i, "Survey Year")
        for c_pos, col, code in present:
            value = parse_number(path, row[c_pos], i, col)
            if value is not None:
                records.append((untrusted.text(path, row[pos["Country Name"]], i, "Country Name"), "name", code,
                                year, value, None, i, col))
    if not records:
        raise no_values(path)
    return Parsed(frame(records))


def doing_business(path: Path, entry: dict) -> Parsed:
    """Ease-of-doing-business ranks by report edition (columns ``2020, 2019, ...``).
    Report DB<N> ranks data year N-1, which is the year WDI's IC.BUS.EASE.XQ uses."""
    rows = rows_of(path, read_text(path))
    h = header_index(path, rows, "Classification")
    header = [c.strip() for c in rows[h]]
    pos = require_columns(path, header, ["Jurisdiction"], h + 1)
    years = year_columns(header)
    records = []
    for i, row in data_rows(path, rows, h + 1, len(header)):
        name = untrusted.text(path, row[pos["Jurisdiction"]].replace("\u00a0", " "), i, "Jurisdiction")
        for y_pos, edition in years:
            value = parse_number(path, row[y_pos], i, str(edition))
            if value is not None:
                records.append((name, "name", "IC.BUS.EASE.XQ", edition - 1, value, None, i, str(edition)))
    if not records:
        raise no_values(path)
    return Parsed(frame(records), {"note": "year = report edition - 1"})


def gapminder(path: Path, entry: dict) -> Parsed:
    """Gapminder layout ``country,year,fertility,life_expectancy,population`` (as the bokeh
    sample data ship it): only the population is read, as SP.POP.TOTL, keyed by country name."""
    rows = rows_of(path, read_text(path))
    h = header_index(path, rows, "country")
    header = [c.strip() for c in rows[h]]
    pos = require_columns(path, header, ["country", "year", "population"], h + 1)
    records = []
    for i, row in data_rows(path, rows, h + 1, len(header)):
        year = parse_year(path, row[pos["year"]], i, "year")
        value = parse_number(path, row[pos["population"]], i, "population")
        if value is not None:
            records.append((untrusted.text(path, row[pos["country"]], i, "country"), "name", "SP.POP.TOTL", year,
                            value, "people", i, "population"))
    if not records:
        raise no_values(path)
    return Parsed(frame(records))


# ------------------------------------------------ World Bank ZIP and Excel downloads
# What https://data.worldbank.org offers for an indicator: a ZIP
# (API_<code>_DS2_en_csv_v2_<n>.zip) holding the wide API_ table and two metadata
# files, or an Excel workbook (API_<code>_DS2_en_excel_v2_<n>.xls) whose sheet
# "Data" is the same table and whose sheets "Metadata - Countries" and
# "Metadata - Indicators" are the metadata (served as Excel 97-2003 .xls, read
# with xlrd; an .xlsx is read with openpyxl). Both are stored in data/raw/ as given
# (with their sha256) and read from there.
MAX_MEMBERS = 50
META_INDICATOR = re.compile(r"Metadata_Indicator_.*\.csv", re.I)
META_COUNTRY = re.compile(r"Metadata_Country_.*\.csv", re.I)
API_TABLE = re.compile(r"API_.*\.csv", re.I)
LICENCE_COLUMN = re.compile(r"licen[cs]e", re.I)


def metadata_kind(path: Path, first_line: str | None = None) -> str | None:
    """"indicator" or "country" for a World Bank metadata file (by name or header), else None."""
    name = Path(path).name
    if META_INDICATOR.fullmatch(name):
        return "indicator"
    if META_COUNTRY.fullmatch(name):
        return "country"
    if first_line is not None:
        head = first_line.lstrip("\ufeff").replace('"', "")
        if head.startswith("INDICATOR_CODE,INDICATOR_NAME"):
            return "indicator"
        if head.startswith("Country Code,Region,IncomeGroup"):
            return "country"
    return None


def not_data(path, kind: str) -> DataError:
    what = "indicator descriptions" if kind == "indicator" else "regions and income groups of countries"
    return DataError(path, f"is a World Bank metadata file ({what}), not data: pass the API_… file "
                           "next to it, its folder, or the ZIP")


def indicator_metadata(path, rows: list[list[str]]) -> dict:
    """``{code: {"source_note", "source_organization", "licence"}}`` from a
    Metadata_Indicator table (CSV rows or sheet rows); empty fields are left out."""
    h = header_index(path, rows, "INDICATOR_CODE")
    header = [c.strip() for c in rows[h]]
    pos = require_columns(path, header, ["INDICATOR_CODE"], h + 1)
    lic = [i for i, c in enumerate(header) if LICENCE_COLUMN.search(c)]
    out = {}
    for row in rows[h + 1:]:
        if not any(c.strip() for c in row):
            continue
        get = (lambda col: row[pos[col]].strip() if col in pos and pos[col] < len(row) else "")
        item = {"source_note": get("SOURCE_NOTE"), "source_organization": get("SOURCE_ORGANIZATION"),
                "licence": "; ".join(row[i].strip() for i in lic if i < len(row) and row[i].strip())}
        out[get("INDICATOR_CODE")] = {k: v for k, v in item.items() if v}
    return out


def _members(path: Path):
    """The archive's member names and infos, refusing what is not a plain small ZIP."""
    import zipfile
    check_size(path, path.stat().st_size)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(path, f"not a readable ZIP archive ({exc})") from None
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise DataError(path, f"the archive holds {len(infos)} files; a World Bank download holds 3")
    for i in infos:
        if i.flag_bits & 0x1:
            raise DataError(f"{path}/{i.filename}", "is encrypted")
        check_size(f"{path}/{i.filename}", i.file_size)
    return zf, infos


def _member_bytes(zf, info, label) -> bytes:
    with zf.open(info) as f:
        data = f.read(MAX_BYTES + 1)
    check_size(label, len(data))
    return data


def wb_zip(path: Path, entry: dict) -> Parsed:
    """A World Bank ZIP download: its API_ table, and the Metadata_Indicator file
    for the source note and licence (``meta["indicator_metadata"]``)."""
    zf, infos = _members(path)
    with zf:
        base = {i.filename: Path(i.filename).name for i in infos}
        tables = [i for i in infos if API_TABLE.fullmatch(base[i.filename])]
        if len(tables) != 1:
            found = ", ".join(sorted(base.values())) or "nothing"
            raise DataError(path, f"expected exactly one API_….csv table in the archive, found {len(tables)} "
                                  f"(it holds {clip(found, 120)})")
        table = tables[0]
        label = f"{path}/{table.filename}"
        parsed = wb_wide_rows(label, rows_of(label, decode_text(label, _member_bytes(zf, table, label))))
        notes, meta = [], {}
        for kind, pattern in (("indicator", META_INDICATOR), ("country", META_COUNTRY)):
            found = [i for i in infos if pattern.fullmatch(base[i.filename])]
            if kind == "country":
                if found:
                    notes.append(f"{base[found[0].filename]} (regions and income groups) is not used")
                continue
            if not found:
                notes.append("no Metadata_Indicator file in the archive: source note and licence not recorded")
                continue
            m_label = f"{path}/{found[0].filename}"
            text = decode_text(m_label, _member_bytes(zf, found[0], m_label))
            meta = indicator_metadata(m_label, rows_of(m_label, text))
            meta_file = base[found[0].filename]
    parsed.meta["indicator_metadata"] = meta
    parsed.meta["metadata_notes"] = notes
    if meta:
        parsed.meta["metadata_file"] = meta_file
    parsed.meta["table"] = base[table.filename]
    parsed.meta["source_path"] = label
    return parsed


def _cell_text(value) -> str:
    """An Excel cell as the text a CSV export would hold."""
    import datetime as dt
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _xlsx_sheets(path: Path, raw: bytes) -> dict:
    """{sheet name: rows as text} of an .xlsx workbook (openpyxl)."""
    import io as _io
    import warnings

    import openpyxl
    _members(path)  # the same size limits as for a ZIP (an .xlsx is one)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            wb = openpyxl.load_workbook(_io.BytesIO(raw), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise DataError(path, f"not a readable Excel workbook ({type(exc).__name__}: {clip(str(exc), 80)})") from None
    return {name: (lambda ws=wb[name]: [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)])
            for name in wb.sheetnames}


def _xls_sheets(path: Path, raw: bytes) -> dict:
    """{sheet name: rows as text} of an Excel 97-2003 .xls workbook (xlrd), the
    format of the World Bank's Excel download."""
    import xlrd
    try:
        book = xlrd.open_workbook(file_contents=raw, on_demand=True)
    except Exception as exc:  # xlrd raises many types for a damaged workbook
        raise DataError(path, f"not a readable Excel .xls workbook ({type(exc).__name__}: "
                              f"{clip(str(exc), 80)})") from None

    def rows(name):
        sheet = book.sheet_by_name(name)
        out = []
        for r in range(sheet.nrows):
            row = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(_cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(_cell_text(bool(cell.value)))
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    row.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                else:
                    row.append(_cell_text(cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None))
            out.append(row)
        return out
    return {name: (lambda name=name: rows(name)) for name in book.sheet_names()}


def wb_excel(path: Path, entry: dict) -> Parsed:
    """A World Bank Excel download (.xls as served, or .xlsx): sheet "Data" is the
    wide table (with its preamble), sheet "Metadata - Indicators" gives the
    source note and licence. Rows are the sheet's row numbers."""
    check_size(path, path.stat().st_size)
    raw = path.read_bytes()
    if raw[:4] == b"\xd0\xcf\x11\xe0":
        sheets = _xls_sheets(path, raw)
    elif raw[:2] == b"PK":
        sheets = _xlsx_sheets(path, raw)
    else:
        raise DataError(path, "is not an Excel workbook (.xls or .xlsx)")
    names = {name.strip().casefold(): name for name in sheets}
    if "data" not in names:
        raise DataError(path, f"no sheet \"Data\"; the workbook has {clip(', '.join(sheets), 80)}")
    parsed = wb_wide_rows(f"{path}/{names['data']}", sheets[names["data"]]())
    notes, meta = [], {}
    name = names.get("metadata - indicators")
    if name is None:
        notes.append('no sheet "Metadata - Indicators": source note and licence not recorded')
    else:
        meta = indicator_metadata(f"{path}/{name}", sheets[name]())
        parsed.meta["metadata_file"] = f'sheet "{name}"'
    if "metadata - countries" in names:
        notes.append('sheet "Metadata - Countries" (regions and income groups) is not used')
    parsed.meta["indicator_metadata"] = meta
    parsed.meta["metadata_notes"] = notes
    parsed.meta["table"] = f'sheet "{names["data"]}"'
    parsed.meta["source_path"] = f"{path}/{names['data']}"
    return parsed


def wb_folder_metadata(path: Path) -> tuple[dict, list[str], str | None]:
    """For an API_ csv lying in an unzipped World Bank download: the indicator
    metadata of the Metadata_Indicator file beside it (and notes on what was skipped)."""
    folder = Path(path).parent
    stem = Path(path).name
    notes, meta, meta_file = [], {}, None
    partner = folder / f"Metadata_Indicator_{stem}"
    if not partner.is_file():
        others = sorted(p for p in folder.glob("Metadata_Indicator_*") if p.is_file())
        partner = others[0] if len(others) == 1 else None
    if partner is None:
        notes.append("no Metadata_Indicator file beside it: source note and licence not recorded")
    else:
        meta = indicator_metadata(partner, rows_of(partner, read_text(partner)))
        meta_file = partner.name
    country = sorted(folder.glob("Metadata_Country_*"))
    if country:
        notes.append(f"{country[0].name} (regions and income groups) is not used")
    return meta, notes, meta_file




DOTS_TITLE = "Exports, FOB to Partner Countries"
DOTS_UNIT = "US Dollars, Millions"
DOTS_ESTIMATE = re.compile(r"^\s*(-?[0-9][0-9.,]*)\s+e\s*$")  # IMF's estimate flag, e.g. "128.11 e"


def _dots_cell(rows: list[list[str]], i: int) -> str:
    """Column B of preamble row ``i`` (0-based), or "" if the row is shorter."""
    return rows[i][1].strip() if i < len(rows) and len(rows[i]) > 1 else ""


def imf_dots(path: Path, entry: dict) -> Parsed:
    """IMF Direction of Trade Statistics, one reporter's "Exports, FOB to Partner
    Countries" sheet saved as CSV: 7 preamble rows (blank, title, blank, reporter,
    unit, blank, year header from column C), then one row per partner (column B
    the IMF's partner name). Values in US$ millions; a cell marked ``" e"`` is an
    IMF estimate and is read as its number.

    Each value becomes indicator ``DOTS.EXP.<partner ISO3>`` of the reporting
    country: the reporter's exports to that partner. A partner outside the book
    is skipped (and listed in ``meta["skipped_partners"]``)."""
    from analysis import config

    rows = rows_of(path, read_text(path))
    if len(rows) < 8:
        raise DataError(path, f"has {len(rows)} rows; an IMF DOTS sheet has 7 preamble rows, then partner rows",
                        row=len(rows))
    if _dots_cell(rows, 1) != DOTS_TITLE:
        raise DataError(path, f"title is {clip(_dots_cell(rows, 1))}, expected {DOTS_TITLE!r}", row=2, column="B")
    if _dots_cell(rows, 4) != DOTS_UNIT:
        raise DataError(path, f"unit is {clip(_dots_cell(rows, 4))}, expected {DOTS_UNIT!r} "
                              "(values would be read at the wrong scale)", row=5, column="B")
    names = config.name_to_iso3()
    reporter_name = _dots_cell(rows, 3)
    reporter = names.get(reporter_name.casefold())
    if reporter is None:
        raise DataError(path, f"reporter {clip(reporter_name)} is not a country of the book "
                              "(add the IMF spelling to aliases in analysis/countries.yml)", row=4, column="B")
    header = rows[6]
    years = []  # (position, year)
    for pos, cell in enumerate(header):
        if pos < 2:
            if cell.strip():
                raise DataError(path, f"year header must start in column C; found {clip(cell)}",
                                row=7, column="AB"[pos])
            continue
        if cell.strip():
            years.append((pos, parse_year(path, cell, 7, _col_letter(pos))))
    if not years:
        raise DataError(path, "no years in the header row (row 7, from column C)", row=7)
    meta = {"reporter": reporter, "estimates": 0, "skipped_partners": []}
    records = []
    for i, row in data_rows(path, rows, 7, len(header)):
        partner_name = row[1].strip()
        partner = names.get(partner_name.casefold())
        if partner is None:
            meta["skipped_partners"].append(partner_name)
            continue
        if partner == reporter:
            raise DataError(path, f"partner {clip(partner_name)} is the reporting country itself",
                            row=i, column="B")
        for pos, year in years:
            cell = row[pos]
            m = DOTS_ESTIMATE.match(cell)
            if m:
                meta["estimates"] += 1
                cell = m.group(1)
            value = parse_number(path, cell, i, str(year))
            if value is not None:
                if value < 0:
                    raise DataError(path, f"negative exports {clip(row[pos])}", row=i, column=str(year))
                records.append((reporter_name, "name", f"DOTS.EXP.{partner}", year, value,
                                "usd_millions", i, str(year)))
    if not records:
        raise no_values(path)
    return Parsed(frame(records), meta)


def _col_letter(pos: int) -> str:
    """Spreadsheet column letter of a 0-based position (0 → A, 26 → AA)."""
    out = ""
    pos += 1
    while pos:
        pos, r = divmod(pos - 1, 26)
        out = chr(65 + r) + out
    return out


READERS = {
    "wb_wide": wb_wide,
    "wb_zip": wb_zip,
    "wb_excel": wb_excel,
    "wb_long": wb_long,
    "tidy": tidy,
    "ti_cpi": ti_cpi,
    "un_egdi": un_egdi,
    "doing_business": doing_business,
    "gapminder": gapminder,
    "imf_dots": imf_dots,
}


def sniff_reader(path: Path) -> str:
    """Which reader fits a file an analyst hands us (``make book DATA=...``)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".zip":
        return "wb_zip"
    if suffix in (".xlsx", ".xls"):
        return "wb_excel"
    if metadata_kind(path):
        raise not_data(path, metadata_kind(path))
    head = read_text(path)[:4096]
    first = next((line for line in head.splitlines() if line.strip()), "")
    if metadata_kind(path, first):
        raise not_data(path, metadata_kind(path, first))
    if first.startswith('"Data Source"') or first.startswith("Data Source") or first.startswith(
            ("Country Name,Country Code,Indicator Name", '"Country Name","Country Code","Indicator Name"')):
        return "wb_wide"
    if first.startswith(("Indicator Code,Country Name", "Country Name,Country Code,Year")):
        return "wb_long"
    if first.startswith("country_iso3"):
        return "tidy"
    if first.startswith("Country / Territory"):
        return "ti_cpi"
    if first.startswith("Survey Year"):
        return "un_egdi"
    if first.startswith("Classification"):
        return "doing_business"
    if DOTS_TITLE in head.splitlines()[1 if len(head.splitlines()) > 1 else 0]:
        return "imf_dots"
    raise DataError(path, f"unrecognised layout; first line is {clip(first, 60)}. Expected a World Bank "
                          "download, the long Country Name,Country Code,Year,Value layout, "
                          "country_iso3,indicator,year,value, or a TI CPI / UN EGDI file", row=1)
