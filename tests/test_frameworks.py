"""The papers' frameworks beside the data (country chapters, synthesis)."""
import pandas as pd
import pytest

from analysis import config
from analysis.data import indicators
from analysis.ledger import audit, claims
from analysis.report import frameworks


@pytest.fixture(scope="module")
def th():
    return claims.themes()


@pytest.fixture(scope="module")
def ln():
    return claims.links()


def test_points_fall_back_to_region_only_for_missing_themes(th):
    p = frameworks.points(th, "KAZ", "Challenges")
    own = set(p.loc[p["scope"] == "this country", "theme"])
    region = set(p.loc[p["scope"] == "region-wide", "theme"])
    assert own and region and not own & region
    assert set(p["framework"]) == {"challenge"}


def test_foundations_include_demands(th):
    p = frameworks.points(th, "UZB", "Foundations")
    assert {"foundation", "demand"} <= set(p["framework"])


def test_points_table_cites_the_paper_and_holds_only_the_country_s_own_points(th):
    t = frameworks.points_table(th, "KAZ", "Cooperation approaches")
    p = frameworks.points(th, "KAZ", "Cooperation approaches")
    assert len(t) and t.notna().all().all()
    assert list(t.index) == p.loc[p["scope"] == "this country", "theme_id"].tolist()
    assert t["Source"].str.contains(r"\{cite:t\}`(?:dsr|huo)_paper`").all()


def test_every_challenge_theme_has_a_link_and_every_link_a_rationale(th, ln):
    challenges = set(th.loc[th["framework"] == "challenge", "theme"])
    assert challenges <= set(ln["challenge"])
    assert ln["rationale"].str.len().min() >= 10


def test_matrix_marks_exactly_the_linked_pairs(th, ln):
    m = frameworks.matrix(th, ln, "KGZ")
    pairs = {(frameworks.label(a), frameworks.SHORT[b]) for a, b in zip(ln["challenge"], ln["approach"])}
    for ch in m.index:
        for ap in m.columns:
            assert (m.loc[ch, ap] == "✓") == ((ch, ap) in pairs)


def test_evidence_uses_the_data_and_the_papers(th):
    df, cl = indicators.load(), claims.claims()
    e = frameworks.evidence_table(th, cl, df, "UZB")
    assert "Internet users, % of population" in set(e["Measure"])
    assert "Doing Business rank" in set(e["Measure"])
    talent = e[e.index == "Digital talent"]
    assert talent["Source"].str.contains("dsr_paper").any()
    latest = indicators.latest(df, "UZB", "IC.BUS.EASE.XQ")
    row = e[e["Measure"] == "Doing Business rank"].iloc[0]
    assert row["Uzbekistan"] == f"{latest.value:.0f}" and row["Year"] == str(latest.year)


def test_discrepancy_admonition_lists_the_countrys_discrepancies():
    a = audit.compute()
    for iso3 in config.iso3_codes():
        text = frameworks.discrepancy_admonition(a, iso3)
        d = frameworks.discrepancies(a, iso3)
        for cid in d["claim_id"]:
            assert cid in text
        assert (":class: warning" in text) == (len(d) > 0)


def test_stage_thresholds():
    df = pd.DataFrame({"country_iso3": ["KAZ", "KAZ"], "indicator": ["IT.NET.USER.ZS", "EGDI.INDEX"],
                       "year": [2022, 2022], "value": [85.0, 0.8], "unit": ["percent", "index"],
                       "source_id": ["t", "t"]})
    assert frameworks.stage(df, "KAZ")[0] is frameworks.STAGES[0]
    df.loc[1, "value"] = 0.6
    assert frameworks.stage(df, "KAZ")[0] is frameworks.STAGES[1]
    assert frameworks.stage(df.iloc[:1], "KAZ")[0] is frameworks.STAGES[-1]


def test_conclusion_numbers_come_from_the_data(th, ln):
    df = indicators.load()
    text = frameworks.conclusion(th, ln, audit.compute(), df, "KGZ")
    p = indicators.latest(df, "KGZ", "IT.NET.USER.ZS")
    assert f"In {p.year}, {p.value:.1f}%" in text


def test_section_tables_have_unique_names():
    names = []
    for iso3 in ("KAZ", "CHN"):
        for sec in frameworks.SECTIONS:
            for part in frameworks.section(iso3, sec):
                names += [line.split(" ", 1)[1] for line in part.data.splitlines() if line.startswith(":name:")]
    assert len(names) == len(set(names))
    assert "tbl-KAZ-foundations" in names and "tbl-CHN-matrix" in names


def test_theme_counts_cover_every_point(th):
    assert frameworks.theme_counts(th).to_numpy().sum() == len(th)


def test_chapters_mark_flagged_figures_with_the_verdicts_words():
    """A paper's figure that failed the audit carries the verdict's own words where a chapter
    shows it, and "contradict" is said only of figures the data contradict."""
    from analysis.ledger import claims
    a = audit.written()
    df, th, cl = indicators.load(), claims.themes(), claims.claims()
    for iso3 in config.partners():
        e = frameworks.evidence_table(th, cl, df, iso3)
        name = config.country(iso3).name
        for _, row in e.iterrows():
            cid = row["Measure"].rsplit("(", 1)[-1].rstrip(")") if row["Measure"].endswith(")") else ""
            flag = audit.flag_for(cid, a) if cid.startswith(("DSR-", "HUO-")) else None
            if flag:
                assert f"source audit: {flag}" in row[name], cid
        text = frameworks.discrepancy_admonition(a, iso3)
        for _, r in frameworks.discrepancies(a, iso3).iterrows():
            assert f"**{r['verdict']}**" in text
        if not (frameworks.discrepancies(a, iso3)["verdict"] == audit.CONTRADICTED).any():
            assert "contradict" not in text.lower()
        concl = frameworks.conclusion(th, claims.links(), a, indicators.with_derived(df), iso3)
        assert "lean on the data" not in concl


def test_evidence_table_marks_a_flagged_paper_figure(monkeypatch):
    """The chapters' tables of the papers' own figures carry the audit's words for a flagged one."""
    from analysis.ledger import claims
    a = audit.written().copy()
    i = a.index[a["claim_id"] == "DSR-159"][0]
    a.loc[i, "verdict"] = audit.IMPLAUSIBLE
    monkeypatch.setattr(audit, "written_cached", lambda: a)
    e = frameworks.evidence_table(claims.themes(), claims.claims(), indicators.load(), "UZB")
    row = e[e["Measure"].str.endswith("(DSR-159)")].iloc[0]
    assert row["Uzbekistan"].endswith("(source audit: implausible)")
    other = e[e["Measure"].str.endswith("(DSR-157)")]
    assert other.empty or "source audit" not in other.iloc[0]["Uzbekistan"]
