"""Trade with China (analysis/report/trade.py): the values the book shows equal the
IMF files' cells; imports from China are China's exports (mirror data); the
share is computed only from a total in the data and never shown above 100%."""
import csv

import pandas as pd
import pytest

from analysis import config
from analysis.data import indicators
from analysis.paths import RAW
from analysis.report import trade

IMF_NAMES = {"CHN": "China, P.R.: Mainland", "KAZ": "Kazakhstan, Rep. of", "KGZ": "Kyrgyz Rep.",
             "TJK": "Tajikistan, Rep. of", "TKM": "Turkmenistan", "UZB": "Uzbekistan, Rep. of"}


def raw_value(reporter: str, partner: str, year: int) -> float | None:
    """The cell of the raw IMF file, read with the csv module only."""
    path = RAW / f"imf-dots-exports-{reporter}__SamLeBlanc-Direction-of-Trade-Map.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    col = rows[6].index(str(year))
    row = next(r for r in rows[7:] if r[1] == IMF_NAMES[partner])
    cell = row[col].replace(" e", "").strip()
    return float(cell) if cell else None


@pytest.fixture(scope="module")
def df():
    return indicators.with_derived(indicators.load())


@pytest.mark.parametrize("iso3", config.partners())
@pytest.mark.parametrize("year", [2005, 2013, 2020])
def test_flows_equal_the_imf_files(df, iso3, year):
    f = trade.flows(df, iso3)
    assert f.loc[year, trade.EXP] == pytest.approx(raw_value(iso3, "CHN", year), rel=1e-12)
    # imports from China are China's exports to the country (mirror data)
    assert f.loc[year, trade.IMP] == pytest.approx(raw_value("CHN", iso3, year), rel=1e-12)


@pytest.mark.parametrize("iso3", config.partners())
def test_glued_values_equal_the_files(df, iso3):
    fx = trade.facts(df, iso3)
    assert fx["trade_year_latest"] == "2020"
    assert fx["trade_exp_cn_2013"] == trade.money(raw_value(iso3, "CHN", 2013))
    assert fx["trade_exp_cn_latest"] == trade.money(raw_value(iso3, "CHN", 2020))
    assert fx["trade_imp_cn_2013"] == trade.money(raw_value("CHN", iso3, 2013))
    assert fx["trade_imp_cn_latest"] == trade.money(raw_value("CHN", iso3, 2020))
    rel = (raw_value(iso3, "CHN", 2020) / raw_value(iso3, "CHN", 2013) - 1) * 100
    assert fx["trade_exp_cn_change"] == trade.change_words(rel)
    assert fx["trade_exp_cn_latest"] in fx["trade_cn_sentence"]


def test_china_chapter_shows_its_exports_to_each_of_the_five(df):
    f = trade.china_flows(df)
    fx = trade.facts(df, "CHN")
    for p in config.partners():
        assert f.loc[2020, f"exports_to_{p}_usd_m"] == pytest.approx(raw_value("CHN", p, 2020), rel=1e-12)
        assert f.loc[2020, f"imports_from_{p}_usd_m"] == pytest.approx(raw_value(p, "CHN", 2020), rel=1e-12)
        assert fx[f"trade_exp_{p}_latest"] == trade.money(raw_value("CHN", p, 2020))
    assert fx["trade_exp_c5_latest"] == trade.money(sum(raw_value("CHN", p, 2020) for p in config.partners()))


def test_share_uses_the_world_bank_total(df):
    f = trade.flows(df, "KAZ")
    merch = indicators.series(df, "KAZ", "TG.VAL.TOTL.GD.ZS")[2019]
    gdp = indicators.series(df, "KAZ", "NY.GDP.MKTP.CD")[2019]
    expected = (raw_value("KAZ", "CHN", 2019) + raw_value("CHN", "KAZ", 2019)) / (merch / 100 * gdp / 1e6) * 100
    assert f.loc[2019, trade.SHARE] == pytest.approx(expected)


def test_share_above_100_is_not_shown(df):
    """Kyrgyzstan: China's recorded exports exceed Kyrgyzstan's recorded goods trade in some years."""
    f = trade.flows(df, "KGZ")
    assert (f[trade.SHARE] > 100).any() and not trade.share_usable(f)
    fx = trade.facts(df, "KGZ")
    assert fx["trade_share_cn_latest"] == "n/a" and "share" not in fx["trade_cn_sentence"]
    assert "not shown" in trade.share_problem(df, "KGZ")
    assert "KGZ" not in trade.regional_figure(df)[1].columns
    assert trade.regional_table(df).loc["Kyrgyzstan"].iloc[-1].startswith("not readable")
    assert trade.share_problem(df, "KAZ") == ""


def test_share_needs_a_total(df):
    no_total = df[~((df["country_iso3"] == "KAZ") & (df["indicator"] == "TG.VAL.TOTL.GD.ZS"))]
    f = trade.flows(no_total, "KAZ")
    assert f[trade.SHARE].isna().all() and not trade.share_usable(f)
    assert "lack the total" in trade.share_problem(no_total, "KAZ")


def test_missing_flows_are_said_not_invented(df):
    empty = df[~df["indicator"].str.startswith("DOTS.")]
    fx = trade.facts(empty, "UZB")
    assert fx["trade_exp_cn_latest"] == "n/a" and "no full year" in fx["trade_cn_sentence"]


def test_money_and_changes():
    assert trade.money(9004.006953) == "US$9.0 billion"
    assert trade.money(445.0) == "US$445 million"
    assert trade.money(4.56) == "US$4.6 million"
    assert trade.money(None) == "n/a"
    assert trade.change_words(-36.4) == "down 36%" and trade.change_words(0.01) == "unchanged"
    assert trade.label_positions([[24.8, 2020, "a"], [23.1, 2020, "b"]], gap=4) == [[23.1, 2020, "b"], [27.1, 2020, "a"]]


def test_figure_csv_equals_plotted_data(df, tmp_path):
    from analysis.report import plots
    plots.setup()
    trade.section(df, "KAZ", outdir=tmp_path)
    saved = pd.read_csv(tmp_path / "KAZ" / "trade_china.csv", index_col="year")
    fig, data = trade.country_figure(df, "KAZ")
    pd.testing.assert_frame_equal(saved, data, check_exact=False, rtol=1e-12, check_names=False)
    lines = fig.axes[0].get_lines()
    assert list(lines[0].get_ydata()) == list(data[trade.EXP])
    assert any(l.get_xdata()[0] == trade.SREB_YEAR for l in fig.axes[0].get_lines()[2:])  # the 2013 mark
    for ext in ("png", "svg"):
        assert (tmp_path / "KAZ" / f"trade_china.{ext}").stat().st_size > 1000


def test_chapter_fingerprint_covers_the_trade_rows(df):
    from analysis.report import chapter
    rows = chapter.inputs(df, "TJK")
    assert {"DOTS.EXP.CHN", "DOTS.EXP.TJK"} <= set(rows["indicator"])
    assert set(rows.loc[rows["indicator"] == "DOTS.EXP.TJK", "country_iso3"]) == {"CHN"}


def test_digital_series_sentences_follow_the_files(df):
    from analysis.report import digital
    fx = digital.regional_facts(df)
    raw = pd.read_csv(RAW / "wdi-IT.NET.SECR.P6__datasets-world-development-indicators.csv")
    kaz = raw[(raw["Country Code"] == "KAZ") & (raw["Year"] == 2024)]["Value"].iloc[0]
    assert f"Kazakhstan ({kaz:,.1f} per 1 million people)" in fx["digital_servers"]
    assert "No 2023 value for Turkmenistan" in fx["digital_hightech"]


def test_new_datasets_in_dictionary_coverage_and_methods():
    """Every new file is described in the data dictionary, the coverage matrix and
    Data and methods (generated by `make book`), with its origin and licence."""
    from analysis.data import registry
    from analysis.report import coverage as cov, generate
    dictionary = generate.dictionary_markdown()
    coverage = cov.markdown(cov.matrix(cov.load()))  # what `make book` writes to book/_generated
    sources = generate.sources_markdown()
    for code in ["DOTS.EXP.CHN", "DOTS.EXP.KAZ", "IT.NET.SECR.P6", "TX.VAL.TECH.MF.ZS"]:
        assert f"| `{code}` |" in dictionary
        assert f"(`{code}`)" in coverage
    assert "## Bilateral trade in goods (IMF Direction of Trade)" in coverage
    for sid in ["imf_dots_chn", "imf_dots_kaz", "imf_dots_kgz", "imf_dots_tjk", "imf_dots_tkm", "imf_dots_uzb",
                "wdi_secure_servers", "wdi_hightech_exports"]:
        e = registry.by_id()[sid]
        from analysis.untrusted import md, md_code
        assert f"**Key**: {md_code(sid)}" in sources and md(e["licence"]) in sources and e["sha256"] in sources
    for sid in ["imf_dots_uzb", "imf_dots_tjk", "imf_dots_tkm"]:
        assert "probably IMF estimates" in registry.by_id()[sid]["notes"]
    assert "naturalearth_admin0_110m" in sources and "Public domain" in sources
