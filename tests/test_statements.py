"""Prose that knows when it is wrong: the values, checks and texts of the
chapters' arguments (analysis/report/statements.py, analysis/texts/)."""
import json

import pandas as pd
import pytest

from analysis import config
from analysis.book import notebooks
from analysis.data import indicators
from analysis.errors import DataError
from analysis.report import frameworks, statements
from layers import requires

TEXT_COUNTRIES = [c.iso3 for c in config.countries() if (statements.text_dir(c.iso3) / "values.yml").exists()]


@pytest.fixture(scope="module")
def df():
    return indicators.with_derived(indicators.load())


def tiny(values: dict[str, dict[int, float]], indicator="IT.NET.USER.ZS") -> pd.DataFrame:
    rows = [{"country_iso3": c, "indicator": indicator, "year": y, "value": v, "unit": "percent", "source_id": "x"}
            for c, by in values.items() for y, v in by.items()]
    return pd.DataFrame(rows)


def swap(df: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    out = df.copy()
    ia, ib = out["country_iso3"] == a, out["country_iso3"] == b
    out.loc[ia, "country_iso3"], out.loc[ib, "country_iso3"] = b, a
    return out


# ------------------------------------------------------------- vocabulary
def test_value_rank_median_change_on_a_small_table():
    t = tiny({"KAZ": {2015: 50, 2020: 80}, "UZB": {2020: 60}, "KGZ": {2020: 70}, "TJK": {2020: 20},
              "CHN": {2020: 75}})
    v = statements.compute(t, "KAZ", {
        "net": {"value": "IT.NET.USER.ZS"}, "rank": {"rank": "IT.NET.USER.ZS"},
        "med": {"median": "IT.NET.USER.ZS"}, "chg": {"change": "IT.NET.USER.ZS", "from": 2015},
        "chn": {"value": "IT.NET.USER.ZS", "country": "CHN", "year": "net"}})
    assert (v["net"].number, v["net"].year) == (80, 2020)
    assert v["rank"].glue == {"rank": 1, "rank_n": 4, "rank_year": 2020}      # China is not in the set
    assert v["med"].glue["med"] == 65 and v["med"].glue["med_n"] == 4
    assert v["chg"].glue["chg"] == 30 and v["chg"].glue["chg_from"] == 2015
    assert v["chn"].number == 75 and v["chn"].year == 2020


def test_no_rank_or_median_among_fewer_than_three():
    t = tiny({"KAZ": {2020: 80, 2019: 70}, "UZB": {2020: 60, 2019: 50}, "KGZ": {2019: 40}})
    v = statements.compute(t, "KAZ", {"r": {"rank": "IT.NET.USER.ZS"}, "m": {"median": "IT.NET.USER.ZS", "year": 2020}})
    assert v["r"].year == 2019 and v["r"].glue["r_n"] == 3          # latest year with three reporting
    assert v["m"].number is None and "fewer than 3" in v["m"].says  # two report in 2020: no median


def test_checks_hold_or_fail_and_the_marker_says_what_the_data_say():
    t = tiny({"KAZ": {2020: 80}, "UZB": {2020: 60}, "KGZ": {2020: 70}})
    decl = {"values": {"net": {"value": "IT.NET.USER.ZS"}, "rank": {"rank": "IT.NET.USER.ZS"}},
            "statements": {"first": "rank == 1", "most": "net >= 90"}, "recommendations": []}
    _, res = statements.evaluate(t, "KAZ", decl)
    by = {r.name: r for r in res}
    assert by["first"].holds and by["first"].marker() == ""
    assert not by["most"].holds
    m = by["most"].marker()
    assert statements.UNSUPPORTED in m and "80.0 (2020)" in m


def test_abs_expresses_a_flat_change():
    t = tiny({"KAZ": {2015: 50, 2020: 51.5}})
    decl = {"values": {"chg": {"change": "IT.NET.USER.ZS", "from": 2015}},
            "statements": {"flat": "abs(chg) <= 2.5", "up": "chg > 2.5"}, "recommendations": []}
    by = {r.name: r.holds for r in statements.evaluate(t, "KAZ", decl)[1]}
    assert by == {"flat": True, "up": False}


@pytest.mark.parametrize("bad", ["net >>= 1", "net > ", "1 > net", "net > other", "abs(net > 1", "max(net) > 1"])
def test_malformed_checks_are_refused_with_their_file(bad):
    t = tiny({"KAZ": {2020: 80}})
    decl = {"values": {"net": {"value": "IT.NET.USER.ZS"}}, "statements": {"s": bad}, "recommendations": []}
    with pytest.raises(DataError, match="analysis/texts/KAZ/values.yml, statement s"):
        statements.evaluate(t, "KAZ", decl)


def test_unknown_indicator_and_two_kinds_are_refused():
    t = tiny({"KAZ": {2020: 80}})
    with pytest.raises(DataError, match="unknown indicator"):
        statements.compute(t, "KAZ", {"x": {"value": "NOPE"}})
    with pytest.raises(DataError, match="exactly one of"):
        statements.compute(t, "KAZ", {"x": {"value": "IT.NET.USER.ZS", "rank": "IT.NET.USER.ZS"}})


# ------------------------------------------------------------------ texts
def test_typed_numbers_are_found_outside_glue_citations_and_years():
    text = ("In 2019 about {glue:text}`net:.1f`% were online {cite:p}`dsr_paper` (ledger T-045), "
            "5G pilots ran, per 100 people; but 46 percent and 2.5 million are typed. {glue:md}`s_x`")
    assert statements.typed_numbers(text) == ["46", "2.5"]


def test_a_comparison_of_a_country_with_itself_is_refused(monkeypatch):
    decl = {"values": {"a": {"value": "IT.NET.USER.ZS"}, "b": {"value": "IT.NET.USER.ZS", "country": "CHN"}},
            "statements": {"self": "a > b"}, "recommendations": []}
    monkeypatch.setattr(statements, "declarations", lambda iso3: decl)
    assert any("compares a value with itself" in p for p in statements.lint("CHN"))


@pytest.mark.parametrize("iso3", TEXT_COUNTRIES)
def test_texts_follow_the_rules(iso3):
    """No typed number, every marker declared and every statement marked once,
    every glue key declared."""
    assert statements.lint(iso3) == []


@pytest.mark.parametrize("iso3", TEXT_COUNTRIES)
def test_every_statement_holds_on_the_data(df, iso3):
    _, res = statements.evaluate(df, iso3)
    assert res, f"{iso3} declares no statement"
    assert [r.name for r in res if not r.holds] == []


@requires(statements.REPORT_JSON, "book")
def test_the_built_book_marks_no_statement():
    """make test fails until the texts are revised: the build's own results."""
    assert statements.REPORT_JSON.exists(), "run make book first"
    res = json.loads(statements.REPORT_JSON.read_text(encoding="utf-8"))
    assert {r["country"] for r in res} == set(TEXT_COUNTRIES)
    failed = [f"{r['country']} {r['name']}: {r['now']}" for r in res if not r["holds"]]
    assert failed == [], "statements no longer supported by the data:\n" + "\n".join(failed)


def test_swapping_kazakhstan_and_tajikistan_falsifies_statements(df):
    sw = swap(df, "KAZ", "TJK")
    for iso3 in TEXT_COUNTRIES:
        failed = [r for r in statements.evaluate(sw, iso3)[1] if not r.holds]
        if iso3 in ("KAZ", "TJK", "CHN"):
            assert len(failed) >= 3, (iso3, [r.name for r in failed])
        for r in failed:
            assert statements.UNSUPPORTED in r.marker()


def test_report_lists_each_failed_statement_with_its_sentence(df):
    res = statements.evaluate(swap(df, "KAZ", "TJK"), "CHN")[1]
    md = statements.report_markdown(res)
    failed = [r for r in res if not r.holds]
    assert f"**{len(failed)} are no longer supported by the data**" in md
    for r in failed:
        assert f"`{r.name}`" in md and r.sentence
    assert "All of them hold" in statements.report_markdown([r for r in res if r.holds])


def test_a_chapter_reexecutes_when_another_country_changes_what_its_checks_rank(df, monkeypatch):
    job = next(j for j in notebooks.jobs() if j.name == "countries/CHN")
    monkeypatch.setattr(notebooks, "_table", lambda: df)
    before = notebooks.data_hash(job)
    other = df.copy()
    i = other.index[(other["country_iso3"] == "KGZ") & (other["indicator"] == "IT.NET.USER.ZS")][-1]
    other.loc[i, "value"] += 1.0
    monkeypatch.setattr(notebooks, "_table", lambda: other)
    assert notebooks.data_hash(job) != before


def test_texts_are_inlined_by_the_runner():
    job = next(j for j in notebooks.jobs() if j.name == "countries/CHN")
    assert job.template.name == "china.ipynb"
    src = "\n".join(c.source for c in notebooks.render_template(job).cells if c.cell_type == "markdown")
    assert "{{text:" not in src and "{glue:md}`s_bb_above_kaz`" in src


# --------------------------------------------------------- recommendations
@pytest.mark.parametrize("iso3", TEXT_COUNTRIES)
def test_recommendations_name_ledger_rows_data_and_risk(df, iso3):
    recs = statements.recommendations(df, iso3)
    assert recs
    for r in recs:
        assert r["challenge"] and r["approach"] and r["data_says"] and r["risk"].strip()


def test_no_two_countries_share_recommendation_text(df):
    seen = {}
    for iso3 in TEXT_COUNTRIES:
        for r in statements.recommendations(df, iso3):
            for field in ("title", "risk"):
                assert r[field] not in seen, (iso3, seen.get(r[field]))
                seen[r[field]] = iso3


def test_recommendations_must_cite_existing_ledger_rows(df, monkeypatch):
    decl = statements.declarations("CHN")
    decl["recommendations"] = [dict(decl["recommendations"][0], challenge=["T-999"])]
    monkeypatch.setattr(statements, "declarations", lambda iso3: decl)
    with pytest.raises(DataError, match="T-999"):
        statements.recommendations(df, "CHN")


def test_synthesis_gathers_every_recommendation(df):
    md = statements.synthesis_recommendations(df)
    for iso3 in TEXT_COUNTRIES:
        for r in statements.recommendations(df, iso3):
            assert r["title"].replace("'", "'") in md.replace("\\", "")


# ------------------------------------------------------- points in context
def test_points_tables_share_at_most_a_fifth_of_rows():
    th = frameworks.claims.themes()
    ids = {}
    for c in config.partners():
        ids[c] = [i for s in frameworks.SECTIONS for i in frameworks.points_table(th, c, s).index]
    for c, rows in ids.items():
        others = {i for o, r in ids.items() if o != c for i in r}
        shared = [i for i in rows if i in others]
        assert len(shared) * 5 <= len(rows), (c, shared)


# ------------------------------------------------ the papers' figures from the ledger
def test_a_ledger_value_glues_the_papers_figure_in_words_and_the_audits_flag(df):
    vals = statements.compute(df, "TJK", {"users": {"ledger": "DSR-112"}, "share": {"ledger": "DSR-113"}})
    assert vals["users"].number == 2_980_000 and vals["users"].year == 2019
    assert str(vals["users"].glue["users_words"]) == "2.98 million"
    assert str(vals["users"].glue["users_flag"]) == ""
    # the audit finds the 46% inconsistent with the 2.98 million beside it
    assert str(vals["share"].glue["share_flag"]) == " [source audit: inconsistent within the paper]"
    with pytest.raises(DataError, match="not a row of data/seed_claims.csv"):
        statements.compute(df, "TJK", {"x": {"ledger": "DSR-999"}})


def test_a_statement_can_compare_a_paper_figure_with_the_data(df):
    decl = {"values": {"net": {"value": "IT.NET.USER.ZS"}, "paper": {"ledger": "DSR-113"}},
            "statements": {"below": "net < paper"}, "recommendations": []}
    _, results = statements.evaluate(df, "TJK", decl)
    assert results[0].holds and "DSR-113 states 46" in results[0].now


def test_last_of_those_reporting_follows_the_number_reporting(df):
    decl = {"values": {"r": {"rank": "NY.GDP.PCAP.CD"}}, "statements": {"last": "r == r_n"}, "recommendations": []}
    vals, results = statements.evaluate(df, "TJK", decl)
    assert results[0].holds == (vals["r"].glue["r"] == vals["r"].glue["r_n"])
    fewer = df[~((df["country_iso3"] == "TKM") & (df["indicator"] == "NY.GDP.PCAP.CD"))]
    vals2, results2 = statements.evaluate(fewer, "TJK", decl)
    assert vals2["r"].glue["r_n"] == vals["r"].glue["r_n"] - 1 and results2[0].holds == results[0].holds


def test_a_flagged_paper_figure_without_its_flag_fails_the_lint(monkeypatch, tmp_path):
    src = statements.text_dir("TJK")
    for f in src.iterdir():
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(statements, "text_dir", lambda iso3: tmp_path)
    assert statements.lint("TJK") == []
    p = tmp_path / "challenges.md"
    p.write_text(p.read_text(encoding="utf-8").replace("{glue:md}`dsr113_flag`", ""), encoding="utf-8")
    assert any("the audit flags DSR-113" in x for x in statements.lint("TJK"))


def test_the_synthesis_from_the_values_the_checks_computed_is_the_same(df):
    values, results = statements.evaluate_all(df)
    assert set(values) == {c.iso3 for c in config.countries()} and results
    assert statements.synthesis_recommendations(df, values) == statements.synthesis_recommendations(df)
