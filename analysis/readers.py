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

import pandas as pd

from .errors import DataError, clip

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
def read_text(path: Path) -> str:
    """The file's text, or a DataError saying why it is not a readable CSV."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DataError(path, f"file is {size / 1e6:.0f} MB; the limit is {MAX_BYTES // 2**20} MB "
                              "(split it or keep only the countries of the book)")
    data = path.read_bytes()
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
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise DataError(path, f"malformed CSV ({exc})") from None


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


# ------------------------------------------------------------------------ readers
def wb_wide(path: Path, entry: dict) -> Parsed:
    """World Bank wide download ``API_<code>_DS2_...csv``: with or without the
    4-line preamble, BOM, quoted cells and trailing comma."""
    rows = rows_of(path, read_text(path))
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
    for row in rows[:h]:
        if len(row) >= 2 and row[0].strip() == "Last Updated Date":
            meta["last_updated"] = row[1].strip()
    records = []
    for i, row in enumerate(rows[h + 1:], start=h + 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header) - 1 or len(row) > len(header) + 1:
            raise DataError(path, f"has {len(row)} cells, the header has {len(header)}", row=i)
        code = row[pos["Indicator Code"]].strip()
        meta["indicator_names"].setdefault(code, row[pos["Indicator Name"]].strip())
        country = row[pos["Country Code"]].strip()
        for y_pos, year in years:
            if y_pos >= len(row):
                continue
            value = parse_number(path, row[y_pos], i, str(year))
            if value is not None:
                records.append((country, "iso3", code, year, value, None, i, str(year)))
    if not records:
        raise no_values(path)
    return Parsed(frame(records), meta)


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
    records = []
    for i, row in data_rows(path, rows, h + 1, len(header)):
        code = row[pos["Indicator Code"]].strip() if "Indicator Code" in pos else fixed
        year = parse_year(path, row[pos["Year"]], i, "Year")
        value = parse_number(path, row[pos["Value"]], i, "Value")
        if value is not None:
            records.append((row[pos["Country Code"]].strip(), "iso3", code, year, value, None, i, "Value"))
    if not records:
        raise no_values(path)
    return Parsed(frame(records))


TIDY_REQUIRED = ["country_iso3", "indicator", "year", "value"]
TIDY_OPTIONAL = ["unit", "source"]


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
    records = []
    for i, row in data_rows(path, rows, 1, len(header)):
        code = row[pos["indicator"]].strip()
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.]{0,63}", code):
            raise DataError(path, f"indicator code {clip(code)} must be letters, digits, '.' or '_'",
                            row=i, column="indicator")
        year = parse_year(path, row[pos["year"]], i, "year")
        value = parse_number(path, row[pos["value"]], i, "value")
        unit = row[pos["unit"]].strip() or None if "unit" in pos else None
        if value is not None:
            records.append((row[pos["country_iso3"]].strip(), "iso3_strict", code, year, value, unit, i, "value"))
    if not records:
        raise no_values(path)
    return Parsed(frame(records))


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
                records.append((row[pos["ISO3"]].strip(), "iso3", code, year, value, None, i, header[c_pos]))
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
                records.append((row[pos["Country Name"]], "name", code, year, value, None, i, col))
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
        name = row[pos["Jurisdiction"]].replace("\u00a0", " ")
        for y_pos, edition in years:
            value = parse_number(path, row[y_pos], i, str(edition))
            if value is not None:
                records.append((name, "name", "IC.BUS.EASE.XQ", edition - 1, value, None, i, str(edition)))
    if not records:
        raise no_values(path)
    return Parsed(frame(records), {"note": "year = report edition - 1"})


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
    from . import config

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
    "wb_long": wb_long,
    "tidy": tidy,
    "ti_cpi": ti_cpi,
    "un_egdi": un_egdi,
    "doing_business": doing_business,
    "imf_dots": imf_dots,
}


def sniff_reader(path: Path) -> str:
    """Which reader fits a file an analyst hands us (``make book DATA=...``)."""
    head = read_text(path)[:4096]
    first = next((line for line in head.splitlines() if line.strip()), "")
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
