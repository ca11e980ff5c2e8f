"""analysis/report/coverage.py: the coverage matrix (book/coverage.md) shows every value
and every gap, with the source of each value, computed from the data."""
import pandas as pd

from analysis import config
from analysis.report import coverage


def test_year_ranges():
    assert coverage.year_ranges([2005, 2006, 2007, 2010]) == "2005–2007, 2010"
    assert coverage.year_ranges([2019]) == "2019"
    assert coverage.year_ranges([]) == "none"


def test_matrix_has_every_value_and_gap(table):
    m = coverage.matrix(table)
    have = m[m["has_value"]]
    assert len(have) == len(table)
    merged = have.merge(table, on=["indicator", "country_iso3", "year"], suffixes=("", "_data"))
    assert (merged["source_id"] == merged["source_id_data"]).all()
    # every country appears for every year in which any country has the indicator
    # (except a bilateral flow of a country with itself, which does not apply)
    n = m.groupby("indicator").size()
    years = table.groupby("indicator")["year"].nunique()
    applies = pd.Series({i: sum(config.applies(i, c) for c in config.iso3_codes()) for i in years.index})
    assert (n == years * applies).all()
    assert applies["DOTS.EXP.CHN"] == 5 and applies["IT.NET.USER.ZS"] == 6
    assert m[(m["indicator"] == "DOTS.EXP.KAZ") & (m["country_iso3"] == "KAZ")].empty


def test_turkmenistan_gaps_are_visible(table):
    s = coverage.summary(coverage.matrix(table))
    db = s[(s["indicator"] == "IC.BUS.EASE.XQ") & (s["country_iso3"] == "TKM")].iloc[0]
    assert db["values"] == 0 and db["missing"].startswith("all")
    net = s[(s["indicator"] == "IT.NET.USER.ZS") & (s["country_iso3"] == "TKM")].iloc[0]
    last = int(table[(table["indicator"] == "IT.NET.USER.ZS") & (table["country_iso3"] == "TKM")]["year"].max())
    assert str(last + 1) in net["missing"]
    md = coverage.markdown(coverage.matrix(table))
    assert "| Turkmenistan | 0 | none | **all (" in md
    assert "No value at all: Turkmenistan for Ease of doing business rank" in md


def test_write(tmp_path, table):
    coverage.write(table, figdir=tmp_path / "fig", md_path=tmp_path / "cov.md")
    for slug, _, _ in coverage.GROUPS:
        assert (tmp_path / "fig" / f"{slug}.png").exists()
        csv = pd.read_csv(tmp_path / "fig" / f"{slug}.csv")
        assert set(csv.columns) == {"indicator", "country_iso3", "year", "has_value", "source_id"}
    text = (tmp_path / "cov.md").read_text(encoding="utf-8")
    assert text.count("```{figure}") == len(coverage.GROUPS)
    assert "|---|" in text


def test_gaps_are_computed_from_the_table(table):
    from analysis.report import generate

    md = generate.gaps_markdown(table)
    assert "- Turkmenistan has no value for *Ease of doing business rank* (`IC.BUS.EASE.XQ`)." in md
    net = table[(table["indicator"] == "IT.NET.USER.ZS")]
    last = int(net.loc[net["country_iso3"] == "TKM", "year"].max())
    newest = int(net["year"].max())
    assert f"(`IT.NET.USER.ZS`) ends in {last}, {newest - last} years before" in md
    # a newer file that fills the gap removes the sentence: nothing is typed
    filled = pd.concat([table, net[net["country_iso3"] == "KAZ"].assign(country_iso3="TKM")
                        .drop_duplicates("year").query("year > @last")], ignore_index=True)
    assert not [line for line in generate.gaps_markdown(filled).splitlines()
                if "Turkmenistan" in line and "IT.NET.USER.ZS" in line]


def test_no_gaps_says_so(table):
    from analysis.report import generate

    full = table[table["indicator"] == "SP.POP.TOTL"]
    assert generate.gaps_markdown(full).startswith("No country lacks an indicator")
