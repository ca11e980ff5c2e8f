"""World Bank downloads built from the genuine WDI file in data/raw (nothing is
downloaded): the ZIP of the CSV download, its unzipped folder, and the Excel
download (.xls as served, and .xlsx), in the layouts data.worldbank.org serves.

    python -m tests.wb_downloads /tmp/out     # writes the three next to each other

The metadata files are written in the World Bank's layout (BOM, every cell
quoted, a trailing comma); their note text is the fixture's own, marked so.
"""
from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from analysis.data.readers import rows_of
from analysis.paths import RAW

REAL = RAW / "wb_wdi_API_IT.CEL.SETS.P2_DS2_en_csv_v2_4903391__adeelriasat.csv"
BASE = "API_IT.CEL.SETS.P2_DS2_en_csv_v2_4903391"
NOTE = "Fixture source note, written for the tests in the World Bank's layout."
ORG = "International Telecommunication Union (ITU) World Telecommunication/ICT Indicators Database"
META_INDICATOR_HEADER = ["INDICATOR_CODE", "INDICATOR_NAME", "SOURCE_NOTE", "SOURCE_ORGANIZATION"]
META_COUNTRY_HEADER = ["Country Code", "Region", "IncomeGroup", "SpecialNotes", "TableName"]


def wb_csv(rows: list[list[str]]) -> bytes:
    """Rows as the World Bank writes them: BOM, all cells quoted, trailing comma."""
    lines = [",".join('"' + c.replace('"', '""') + '"' for c in row) + "," for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def table_rows() -> list[list[str]]:
    """The genuine file's data rows (header first), without the preamble."""
    rows = rows_of(REAL, REAL.read_text(encoding="utf-8-sig"))
    h = next(i for i, r in enumerate(rows) if r and r[0] == "Country Name")
    return [r[:-1] if r and r[-1] == "" else r for r in rows[h:] if any(c.strip() for c in r)]


def indicator_rows(note: str = NOTE, licence: str | None = None) -> list[list[str]]:
    header = META_INDICATOR_HEADER + (["LICENSE_TYPE"] if licence else [])
    row = ["IT.CEL.SETS.P2", "Mobile cellular subscriptions (per 100 people)", note, ORG] + (
        [licence] if licence else [])
    return [header, row]


def country_rows() -> list[list[str]]:
    names = {r[1]: r[0] for r in table_rows()[1:]}
    return [META_COUNTRY_HEADER] + [[code, "", "", "", names[code]] for code in sorted(names)]


def members(metadata: bool = True, note: str = NOTE, licence: str | None = None) -> dict[str, bytes]:
    """The files of the ZIP: the genuine API_ table and the two metadata files."""
    out = {f"{BASE}.csv": REAL.read_bytes()}
    if metadata:
        out[f"Metadata_Indicator_{BASE}.csv"] = wb_csv(indicator_rows(note, licence))
        out[f"Metadata_Country_{BASE}.csv"] = wb_csv(country_rows())
    return out


def write_zip(folder: Path, metadata: bool = True, note: str = NOTE, licence: str | None = None) -> Path:
    path = Path(folder) / f"{BASE}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members(metadata, note, licence).items():
            zf.writestr(name, data)
    return path


def write_folder(folder: Path, metadata: bool = True) -> Path:
    """The ZIP unzipped by a browser or a file manager: a folder of the same name."""
    out = Path(folder) / BASE
    out.mkdir(parents=True, exist_ok=True)
    for name, data in members(metadata).items():
        (out / name).write_bytes(data)
    return out


def write_xlsx(folder: Path, metadata: bool = True, name: str | None = None) -> Path:
    """The Excel download: sheet "Data" with the preamble and numbers as numbers."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Data Source", "World Development Indicators"])
    ws.append([])
    ws.append(["Last Updated Date", dt.datetime(2023, 3, 1)])
    ws.append([])
    rows = table_rows()
    ws.append([c if i < 4 else int(c) for i, c in enumerate(rows[0])])
    for r in rows[1:]:
        ws.append([c if i < 4 else (float(c) if c.strip() else None) for i, c in enumerate(r)])
    if metadata:
        for title, meta in (("Metadata - Countries", country_rows()), ("Metadata - Indicators", indicator_rows())):
            sheet = wb.create_sheet(title)
            for r in meta:
                sheet.append(r)
    path = Path(folder) / (name or "API_IT.CEL.SETS.P2_DS2_en_excel_v2_4903391.xlsx")
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def write_xls(folder: Path, metadata: bool = True) -> Path:
    """The Excel download as the World Bank serves it: an Excel 97-2003 .xls
    (written with xlwt), the same sheets as :func:`write_xlsx`."""
    import xlwt

    wb = xlwt.Workbook()
    data = wb.add_sheet("Data")
    date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    data.write(0, 0, "Data Source")
    data.write(0, 1, "World Development Indicators")
    data.write(2, 0, "Last Updated Date")
    data.write(2, 1, dt.datetime(2023, 3, 1), date)
    rows = table_rows()
    for c, v in enumerate(rows[0]):
        data.write(4, c, v if c < 4 else int(v))
    for r, row in enumerate(rows[1:], start=5):
        for c, v in enumerate(row):
            if c < 4:
                data.write(r, c, v)
            elif v.strip():
                data.write(r, c, float(v))
    if metadata:
        for title, meta in (("Metadata - Countries", country_rows()), ("Metadata - Indicators", indicator_rows())):
            sheet = wb.add_sheet(title)
            for r, row in enumerate(meta):
                for c, v in enumerate(row):
                    sheet.write(r, c, v)
    path = Path(folder) / "API_IT.CEL.SETS.P2_DS2_en_excel_v2_4903391.xls"
    wb.save(str(path))
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for p in (write_zip(out), write_folder(out / "unzipped"), write_xlsx(out), write_xls(out)):
        print(p)
