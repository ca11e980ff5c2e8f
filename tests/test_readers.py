"""Each reader on the real raw file and on the layout variants analysts meet."""
import csv

import pytest

from analysis.data import readers
from analysis.errors import DataError
from analysis.paths import RAW

WIDE_HEADER = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", "2018", "2019", "2020"]
ROWS = [["Kazakhstan", "KAZ", "Individuals using the Internet (% of population)", "IT.NET.USER.ZS", "78.9", "81.88", ""],
        ["World", "WLD", "Individuals using the Internet (% of population)", "IT.NET.USER.ZS", "50", "55", "60"]]


def write_wide(path, preamble=True, bom=True, quote=True, trailing_comma=True):
    lines = []
    q = (lambda c: f'"{c}"') if quote else (lambda c: c)
    if preamble:
        lines += [f'{q("Data Source")},{q("World Development Indicators")},', "",
                  f'{q("Last Updated Date")},{q("2024-06-28")},', ""]
    for row in [WIDE_HEADER] + ROWS:
        lines.append(",".join(q(c) for c in row) + ("," if trailing_comma else ""))
    text = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


@pytest.mark.parametrize("preamble", [True, False])
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("quote", [True, False])
@pytest.mark.parametrize("trailing_comma", [True, False])
def test_wb_wide_variants(tmp_path, preamble, bom, quote, trailing_comma):
    p = write_wide(tmp_path / "w.csv", preamble, bom, quote, trailing_comma)
    parsed = readers.wb_wide(p, {})
    kaz = parsed.records[parsed.records["country"] == "KAZ"]
    assert kaz.set_index("year")["value"].to_dict() == {2018: 78.9, 2019: 81.88}
    assert (parsed.meta.get("last_updated") == "2024-06-28") is preamble
    assert parsed.meta["indicator_names"]["IT.NET.USER.ZS"].startswith("Individuals")
    assert readers.sniff_reader(p) == "wb_wide"


def test_wb_wide_reports_row_and_column_of_bad_cell(tmp_path):
    p = write_wide(tmp_path / "w.csv")
    p.write_text(p.read_text(encoding="utf-8-sig").replace('"81.88"', '"81,88x"'), encoding="utf-8")
    with pytest.raises(DataError) as e:
        readers.wb_wide(p, {})
    assert 'row 6, column "2019"' in str(e.value) and "'81,88x'" in str(e.value)


def test_long_layout_with_registry_indicator(tmp_path):
    p = tmp_path / "pop.csv"
    p.write_text("Country Name,Country Code,Year,Value\nKazakhstan,KAZ,2019,18513930\n", encoding="utf-8")
    recs = readers.wb_long(p, {"indicator": "SP.POP.TOTL"}).records
    assert recs.iloc[0][["country", "indicator", "year", "value"]].tolist() == ["KAZ", "SP.POP.TOTL", 2019, 18513930.0]


def test_real_files_parse():
    for name, reader in [("wb_wdi_API_IT.CEL.SETS.P2_DS2_en_csv_v2_4903391__adeelriasat.csv", readers.wb_wide),
                         ("ti_cpi_2023__Rayane0001-world-happiness-analysis.csv", readers.ti_cpi),
                         ("un_egdi_EGOV_DATA_2010-2022__sevenChrisK-text-mining-week1.csv", readers.un_egdi),
                         ("doing_business_rank_DB2006-DB2020__neonflux56-Project_EODB.csv", readers.doing_business)]:
        parsed = reader(RAW / name, {})
        assert len(parsed.records) > 0


def test_mobile_preamble_date_is_read():
    p = RAW / "wb_wdi_API_IT.CEL.SETS.P2_DS2_en_csv_v2_4903391__adeelriasat.csv"
    assert readers.wb_wide(p, {}).meta["last_updated"] == "2023-03-01"


def test_doing_business_uses_data_year_and_strips_markers():
    recs = readers.doing_business(RAW / "doing_business_rank_DB2006-DB2020__neonflux56-Project_EODB.csv", {}).records
    chn = recs[recs["country"].str.strip() == "China"].set_index("year")["value"]
    assert chn[2019] == 31  # DB2020 column
    assert chn[2015] == 84  # DB2016 "84*"


def test_cpi_timeseries_and_single_year():
    ts = readers.ti_cpi(RAW / "ti_cpi_timeseries_2012-2022__TheEconomist-nationalism-and-corruption.csv", {}).records
    kaz = ts[(ts["country"] == "KAZ")]
    assert kaz[(kaz["indicator"] == "CPI.RANK") & (kaz["year"] == 2018)]["value"].item() == 124
    one = readers.ti_cpi(RAW / "ti_cpi_2023__Rayane0001-world-happiness-analysis.csv", {}).records
    assert one[(one["country"] == "TKM") & (one["indicator"] == "CPI.RANK")]["value"].item() == 170


@pytest.mark.parametrize("content,needle", [
    (b"", "file is empty"),
    (b"\x00\x01\x02garbage", "binary"),
    (b"country_iso3;indicator;year;value\nKAZ;X;2019;1\n", "delimiter"),
    (b"country_iso3,indicator,year,value\nKAZ,X.Y,2019,=cmd|' /C calc'!A0\n", "spreadsheet formula"),
    (b"country_iso3,indicator,year,value\nKAZ,X.Y,19,1\n", "four-digit year"),
    (b"country_iso3,indicator,year,value\nKAZ,X.Y,1800,1\n", "outside 1960"),
    (b"country_iso3,indicator,year\nKAZ,X.Y,2019\n", "missing column"),
    (b"country_iso3,indicator,year,value,colour\nKAZ,X.Y,2019,1,red\n", "unexpected column"),
    (b"country_iso3,indicator,year,value\nKAZ,X.Y,2019,caf\xe9\n", "not UTF-8"),
])
def test_tidy_rejects_bad_input_with_one_line(tmp_path, content, needle):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    with pytest.raises(DataError) as e:
        readers.tidy(p, {})
    msg = str(e.value)
    assert needle in msg and "\n" not in msg and "bad.csv" in msg


def test_raw_values_round_trip_through_csv_module():
    """The reader returns the numbers exactly as written in the file."""
    p = RAW / "wb_wdi_API_IT.NET.USER.ZS_DS2_en_csv_v2_2160__plotly-figure-friday.csv"
    with open(p, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    kaz = next(r for r in rows if r[1] == "KAZ")
    expected = float(kaz[header.index("2019")])
    recs = readers.wb_wide(p, {}).records
    got = recs[(recs["country"] == "KAZ") & (recs["year"] == 2019)]["value"].item()
    assert got == expected


def test_gapminder_reads_population_only_by_country_name(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("country,year,fertility,life_expectancy,population\nKyrgyzstan,2013,3.1,70.1,5719600\n"
                 "Tajikistan,2013,3.8,67.2,\n", encoding="utf-8")
    r = readers.gapminder(p, {}).records
    assert r[["country", "key_kind", "indicator", "year", "value"]].values.tolist() == [
        ["Kyrgyzstan", "name", "SP.POP.TOTL", 2013, 5719600.0]]
    p.write_text("country,year,fertility,life_expectancy,population\nKyrgyzstan,2013,3.1,70.1,many\n",
                 encoding="utf-8")
    with pytest.raises(DataError) as e:
        readers.gapminder(p, {})
    assert "row 2" in str(e.value) and "population" in str(e.value)


def test_real_gapminder_file_covers_the_five_to_2013():
    r = readers.gapminder(RAW / "gapminder_2005-2013__pypi-bokeh_sampledata-2026.1.csv", {}).records
    assert r["year"].max() == 2013 and {"Kazakhstan", "Kyrgyzstan", "Uzbekistan"} <= set(r["country"])


# ------------------------------------------------------------------ IMF DOTS
DOTS_PREAMBLE = [",,,,", ',"Exports, FOB to Partner Countries",,,', ",,,,", ',"Kazakhstan, Rep. of",,,',
                 ',"US Dollars, Millions",,,', ",,,,", ",,2018,2019,2020"]


def write_dots(path, rows=None, preamble=None):
    rows = rows if rows is not None else [',"China, P.R.: Mainland",6239.96,7823.41,9004.006953',
                                          ',Kyrgyz Rep.,569.8 e,,562.1', ',World,1,2,3']
    lines = (preamble or DOTS_PREAMBLE) + rows
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_imf_dots_real_files():
    for iso3 in ("CHN", "KAZ", "KGZ", "TJK", "TKM", "UZB"):
        p = RAW / f"imf-dots-exports-{iso3}__SamLeBlanc-Direction-of-Trade-Map.csv"
        parsed = readers.imf_dots(p, {})
        assert parsed.meta["reporter"] == iso3
        partners = set(parsed.records["indicator"])
        assert partners == {f"DOTS.EXP.{c}" for c in ("CHN", "KAZ", "KGZ", "TJK", "TKM", "UZB") if c != iso3}
        assert (parsed.records["unit"] == "usd_millions").all()
        assert readers.sniff_reader(p) == "imf_dots"
    kaz = readers.imf_dots(RAW / "imf-dots-exports-KAZ__SamLeBlanc-Direction-of-Trade-Map.csv", {}).records
    cn = kaz[kaz["indicator"] == "DOTS.EXP.CHN"].set_index("year")["value"]
    assert cn[2020] == 9004.0069530000001 and cn[1992] == 128.11  # "128.11 e": an IMF estimate


def test_imf_dots_layout(tmp_path):
    parsed = readers.imf_dots(write_dots(tmp_path / "d.csv"), {})
    r = parsed.records
    assert set(r["country"]) == {"Kazakhstan, Rep. of"} and set(r["key_kind"]) == {"name"}
    assert r[r["indicator"] == "DOTS.EXP.CHN"].set_index("year")["value"].to_dict() == {
        2018: 6239.96, 2019: 7823.41, 2020: 9004.006953}
    kgz = r[r["indicator"] == "DOTS.EXP.KGZ"]
    assert kgz.set_index("year")["value"].to_dict() == {2018: 569.8, 2020: 562.1}
    assert parsed.meta["estimates"] == 1 and parsed.meta["skipped_partners"] == ["World"]
    row = r[(r["indicator"] == "DOTS.EXP.CHN") & (r["year"] == 2019)].iloc[0]
    assert (row["_row"], row["_col"]) == (8, "2019")


@pytest.mark.parametrize("preamble_edit, rows, expected", [
    ({1: ',"Imports, CIF from Partner Countries",,,'}, None,
     'd.csv: row 2, column "B": title is \'Imports, CIF from Partner Countries\', expected'),
    ({4: ',"US Dollars, Billions",,,'}, None, 'd.csv: row 5, column "B": unit is \'US Dollars, Billions\''),
    ({3: ',"Atlantis, Rep. of",,,'}, None, 'd.csv: row 4, column "B": reporter \'Atlantis, Rep. of\' is not a country'),
    ({6: ",,2018,20x9,2020"}, None, 'd.csv: row 7, column "D": year \'20x9\' is not a four-digit year'),
    ({6: "x,,2018,2019,2020"}, None, 'd.csv: row 7, column "A": year header must start in column C'),
    ({}, [',"China, P.R.: Mainland",6239.96,n.a.,9004'], 'd.csv: row 8, column "2019": non-numeric value \'n.a.\''),
    ({}, [',"China, P.R.: Mainland",6239.96,=SUM(C8),9004'], 'd.csv: row 8, column "2019": spreadsheet formula'),
    ({}, [',"China, P.R.: Mainland",6239.96,-5,9004'], 'd.csv: row 8, column "2019": negative exports'),
    ({}, [',"China, P.R.: Mainland",6239.96,9004'], "d.csv: row 8: has 4 cells, the header has 5"),
    ({}, [',"Kazakhstan, Rep. of",1,2,3'], 'd.csv: row 8, column "B": partner \'Kazakhstan, Rep. of\' is the reporting'),
    ({}, [',World,1,2,3'], "d.csv: no data rows with values found"),
])
def test_imf_dots_malformed_variants_give_one_line_errors(tmp_path, preamble_edit, rows, expected):
    preamble = list(DOTS_PREAMBLE)
    for i, line in preamble_edit.items():
        preamble[i] = line
    p = write_dots(tmp_path / "d.csv", rows, preamble)
    with pytest.raises(DataError) as exc:
        readers.imf_dots(p, {})
    msg = str(exc.value)
    assert "\n" not in msg
    assert expected in msg, msg


def test_imf_dots_too_short(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("\n".join(DOTS_PREAMBLE[:5]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d.csv: row 5: has 5 rows; an IMF DOTS sheet has 7 preamble rows"):
        readers.imf_dots(p, {})
