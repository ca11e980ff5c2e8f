"""Indicator arithmetic on small hand-made tables."""
import pandas as pd
import pytest

from analysis.data import indicators as ind


def make(rows):
    return pd.DataFrame(rows, columns=["country_iso3", "indicator", "year", "value", "unit", "source_id"])


@pytest.fixture
def small():
    rows = []
    vals = {"KAZ": [50, 60, 70], "UZB": [20, 30, 40], "KGZ": [30, 35, None], "TJK": [10, 12, 14],
            "TKM": [5, None, None], "CHN": [40, 50, 60]}
    for iso, vs in vals.items():
        for year, v in zip([2019, 2020, 2021], vs):
            if v is not None:
                rows.append((iso, "IT.NET.USER.ZS", year, float(v), "percent", "t"))
    rows += [("KAZ", "NE.EXP.GNFS.ZS", 2020, 30.0, "percent_of_gdp", "t"),
             ("KAZ", "NE.IMP.GNFS.ZS", 2020, 25.0, "percent_of_gdp", "t"),
             ("UZB", "NE.EXP.GNFS.ZS", 2020, 20.0, "percent_of_gdp", "t")]
    return make(rows)


def test_latest_and_until(small):
    assert ind.latest(small, "KGZ", "IT.NET.USER.ZS") == ind.Point(2020, 35.0, "t")
    assert ind.latest(small, "KAZ", "IT.NET.USER.ZS", until=2019).value == 50
    assert ind.latest(small, "KAZ", "SP.POP.TOTL") is None


def test_change(small):
    ch = ind.change(small, "KAZ", "IT.NET.USER.ZS", 2019)
    assert (ch["start_year"], ch["end_year"], ch["diff"]) == (2019, 2021, 20.0)
    assert ch["relative_pct"] == pytest.approx(40.0)
    assert ind.change(small, "TKM", "IT.NET.USER.ZS", 2019) is None


def test_regional_median_excludes_china_and_needs_three_countries(small):
    med = ind.regional_median(small, "IT.NET.USER.ZS")
    assert med[2019] == 20.0          # 5, 10, 20, 30, 50
    assert med[2020] == 32.5          # 12, 30, 35, 60
    assert med[2021] == 40.0          # 14, 40, 70 (three countries)
    assert ind.regional_median(small, "IT.NET.USER.ZS", min_countries=4).index.tolist() == [2019, 2020]


def test_rank_respects_direction(small):
    r = ind.rank_in_year(small, "IT.NET.USER.ZS", 2019, ["KAZ", "UZB", "TJK"])
    assert r.to_dict() == {"KAZ": 1, "UZB": 2, "TJK": 3}
    ranks = make([("KAZ", "IC.BUS.EASE.XQ", 2019, 25.0, "rank", "t"), ("UZB", "IC.BUS.EASE.XQ", 2019, 69.0, "rank", "t")])
    assert ind.rank_in_year(ranks, "IC.BUS.EASE.XQ", 2019, ["KAZ", "UZB"]).to_dict() == {"KAZ": 1, "UZB": 2}
    assert ind.regional_rank(small, "KGZ", "IT.NET.USER.ZS") == (2, 4, 2020)


def test_trade_openness_needs_both_parts(small):
    t = ind.trade_openness(small)
    assert t[["country_iso3", "year", "value"]].values.tolist() == [["KAZ", 2020, 55.0]]
    assert len(ind.with_derived(ind.with_derived(small))) == len(small) + 1


def test_derived_values_follow_an_edit(small):
    """Deriving again after an edit recomputes: the result carries no mark that
    would make a second call skip the work."""
    first = ind.with_derived(small)
    edited = first.copy()
    edited.loc[(edited.indicator == "NE.EXP.GNFS.ZS") & (edited.country_iso3 == "KAZ"), "value"] += 10
    again = ind.with_derived(edited)
    openness = again[(again.indicator == "NE.TRD.GNFS.ZS") & (again.country_iso3 == "KAZ")]["value"]
    assert openness.tolist() == [65.0]
    assert not again.attrs
