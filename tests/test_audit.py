"""The source audit: verdicts are reviewed (snapshot), coverage is complete."""
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import indicators
from analysis.errors import DataError
from analysis.ledger import audit, claims

SNAPSHOT = Path(__file__).with_name("audit_verdicts.csv")


@pytest.fixture(scope="module")
def table():
    return audit.compute()


@pytest.fixture(scope="module")
def ledger():
    return claims.claims()


def test_verdicts_match_reviewed_snapshot(table):
    """A verdict that changes fails here until it is reviewed: inspect the new
    row in data/processed/audit.csv, then update tests/audit_verdicts.csv."""
    snap = pd.read_csv(SNAPSHOT, dtype=str, keep_default_na=False)
    now = table[["claim_id", "check", "verdict"]].astype(str).reset_index(drop=True)
    merged = snap.merge(now, on=["claim_id", "check"], how="outer", suffixes=("_reviewed", "_now"), indicator=True)
    changed = merged[(merged["_merge"] != "both") | (merged["verdict_reviewed"] != merged["verdict_now"])]
    assert changed.empty, "audit verdicts differ from the reviewed snapshot:\n" + changed.to_string()


def test_written_csv_is_the_computed_table(table):
    on_disk = pd.read_csv(audit.AUDIT_CSV, dtype=str, keep_default_na=False)
    assert list(on_disk.columns) == audit.COLUMNS
    assert on_disk["verdict"].tolist() == table["verdict"].tolist()


def test_deterministic(table):
    assert audit.compute().equals(table)


def test_every_claim_has_a_row_and_known_verdicts(table, ledger):
    assert set(table["claim_id"]) == set(ledger["claim_id"])
    assert set(table["verdict"]) <= set(audit.VERDICTS)
    assert not table.duplicated(["claim_id", "check"]).any()


def test_internet_share_checked_for_every_paper_share(table, ledger):
    shares = ledger[(ledger["indicator"] == "IT.NET.USER.ZS") & (ledger["claim_type"] == "fact")]
    assert len(shares) >= 4
    for cid in shares["claim_id"]:
        rows = table[(table["claim_id"] == cid) & table["check"].str.contains("IT.NET.USER.ZS")]
        assert len(rows) == 1, cid


@pytest.mark.parametrize("code,year_shift", [("EGDI.RANK", 0), ("DB.RANK", -1), ("CPI.RANK", 0)])
def test_rank_lists_checked(table, ledger, code, year_shift):
    ranks = ledger[ledger["indicator"] == code]
    assert len(ranks) >= 4
    for _, c in ranks.iterrows():
        rows = table[(table["claim_id"] == c["claim_id"]) & table["check"].str.startswith(code)]
        assert len(rows) == 1
        assert str(int(c["year"]) + year_shift) in rows.iloc[0]["check"]


def test_ranks_all_agree_with_published_ranks(table):
    ranks = table[table["check"].str.match(r"^(EGDI|DB|CPI)\.RANK")]
    assert (ranks["verdict"] == audit.CONSISTENT).all()


def test_share_vs_absolute_checks_present(table, ledger):
    for num, share in [("IT.NET.USER.NUM", "IT.NET.USER.ZS"), ("IT.CEL.SETS.NUM", "IT.CEL.SETS.SHARE")]:
        s = ledger[(ledger["indicator"] == share) & (ledger["claim_type"] == "fact")]
        n = ledger[ledger["indicator"] == num]
        paired = s.merge(n, on=["country_iso3", "year"], suffixes=("", "_n"))
        assert len(paired) >= 2
        for _, r in paired.iterrows():
            rows = table[(table["claim_id"] == r["claim_id"]) & table["check"].str.contains(r["claim_id_n"])]
            assert len(rows) == 1 and "SP.POP.TOTL" in rows.iloc[0]["check"]


def test_implied_share_arithmetic(ledger):
    df = pd.DataFrame({"country_iso3": ["KAZ"], "indicator": ["SP.POP.TOTL"], "year": [2019],
                       "value": [20_000_000.0], "unit": ["people"], "source_id": ["t"]})
    cl = ledger[ledger["claim_id"].isin(["DSR-085", "DSR-086"])]
    row = audit.check_implied_shares(cl, df)[0]
    expected = cl.set_index("claim_id").loc["DSR-085", "value"] / 20_000_000 * 100
    assert row["found"].startswith(f"{expected:.1f}%")


def test_exchange_rates_compared_with_tolerance(table):
    fx = table[table["check"].str.startswith("US$ conversion of")]
    assert len(fx) == 2
    assert (fx["tolerance"] == f"±{audit.FX_TOLERANCE_REL:.0%}").all()


def test_strategy_periods_checked(table):
    st = claims.strategies()
    for name in st.loc[st["start_year"].notna(), "name"]:
        assert (table["check"] == f"{name}: start ≤ end").sum() == 1
    for name in st.loc[st["phases"].notna(), "name"]:
        assert table["check"].str.startswith(f"{name}: phases contiguous").sum() == 1


def test_phase_gap_is_inconsistent_within_the_paper(ledger):
    st = claims.strategies().iloc[[0]].copy()
    st["start_year"], st["end_year"], st["phases"] = 2019, 2025, "2019; 2021-2025"
    rows = audit.check_strategies(ledger, st)
    gap = [r for r in rows if "phases contiguous" in r["check"]]
    assert gap and gap[0]["verdict"] == audit.INCONSISTENT


def test_targets_cover_every_target_and_forecast(ledger):
    t = audit.targets()
    want = set(ledger.loc[ledger["claim_type"].isin(["target", "forecast"]), "claim_id"])
    assert set(t["claim_id"]) == want
    assert set(t["outcome"]) <= set(audit.OUTCOMES)
    on_disk = pd.read_csv(audit.TARGETS_CSV, dtype=str, keep_default_na=False)
    assert set(on_disk["claim_id"]) == want


def test_kazakh_internet_target_is_decided_by_the_2022_value(ledger):
    t = audit.targets().set_index("claim_id")
    cid = ledger[(ledger["indicator"] == "IT.NET.USER.ZS") & (ledger["claim_type"] == "target")]["claim_id"].iloc[0]
    assert t.loc[cid, "outcome"] in (audit.MET, audit.MISSED)
    assert "IT.NET.USER.ZS 2022" in t.loc[cid, "deciding_figure"]


def test_idi_and_smartphones_need_a_source_the_book_lacks(ledger):
    t = audit.targets().merge(ledger[["claim_id", "indicator", "year"]], on="claim_id")
    idi = t[(t["indicator"] == "IDI.RANK") & (t["year"] <= 2025)]
    assert len(idi) == 2 and (idi["outcome"] == audit.NEEDS_SOURCE).all()
    # the old index ended with the 2017 edition; the new-method editions exist but do not compare
    assert idi["explanation"].str.contains("2017").all()
    assert idi["explanation"].str.contains("2023 and 2024").all()
    assert idi["explanation"].str.contains("not comparable").all()
    later = t[(t["indicator"] == "IDI.RANK") & (t["year"] > 2025)]
    assert (later["outcome"] == audit.NOT_DUE).all()
    phones = t[t["indicator"] == "mobile.smartphone_users"]
    assert len(phones) and (phones["outcome"] == audit.NEEDS_SOURCE).all()
    assert phones["explanation"].str.contains("smartphone users").all()


# ------------------------------------------------ issue 16: verdicts follow the evidence
def _rows(table, cid, starts=""):
    r = table[(table["claim_id"] == cid) & table["check"].str.startswith(starts)]
    assert len(r), (cid, starts)
    return r


def test_every_verdict_kind_is_defined():
    assert set(audit.VERDICT_MEANING) == set(audit.VERDICTS)
    assert set(audit.FLAGGED) < set(audit.VERDICTS) and audit.CONSISTENT not in audit.FLAGGED
    assert set(audit.OUTCOME_MEANING) == set(audit.OUTCOMES)


def test_every_row_names_its_country(table):
    assert table["country"].str.len().gt(0).all()
    kaz = table[table["country_iso3"] == "KAZ"]
    assert (kaz["country"] == "Kazakhstan").all()
    assert (table.loc[table["country_iso3"] == "C5", "country"].str.contains("Central Asia")).all()
    on_disk = pd.read_csv(audit.AUDIT_CSV, dtype=str, keep_default_na=False)
    assert on_disk["country"].str.len().gt(0).all()
    t = audit.targets()
    assert t["country"].str.len().gt(0).all()


def test_stated_fall_that_the_data_show_as_a_rise_is_contradicted(table):
    r = _rows(table, "DSR-084", "growth of users").iloc[0]
    assert r["verdict"] == audit.CONTRADICTED
    assert "a rise" in r["found"] and "a fall" in r["expected"]
    # the gap alone (under 5 points) would pass the tolerance: the direction decides
    assert abs(float(r["difference"].split()[0])) <= audit.GROWTH_TOLERANCE_PP


def test_direction_is_checked_before_the_tolerance(ledger):
    c = ledger[ledger["claim_id"] == "DSR-084"].copy()
    c["value"] = -0.5
    # a 2 % rise of subscriptions per 100, population constant
    df = pd.DataFrame({"country_iso3": ["KAZ"] * 4, "indicator": ["IT.NET.BBND.P2"] * 2 + ["SP.POP.TOTL"] * 2,
                       "year": [2018, 2019, 2018, 2019], "value": [10.0, 10.2, 1e7, 1e7], "unit": ["x"] * 4,
                       "source_id": ["t"] * 4})
    r = audit.check_growth(c, df)[0]
    assert r["verdict"] == audit.CONTRADICTED        # -0.5 % stated, +2.0 % found: within ±5 pp, wrong way
    c["value"] = 0.5
    assert audit.check_growth(c, df)[0]["verdict"] == audit.CONSISTENT


def test_tenge_conversions_each_match_their_own_years_rate(table):
    fx = table[table["check"].str.startswith("US$ conversion of")].set_index("claim_id")
    assert set(fx.index) == {"DSR-049", "DSR-190"}
    assert (fx["verdict"] == audit.CONSISTENT).all()
    assert "PA.NUS.FCRF 2018" in fx.loc["DSR-049", "check"]      # a 2018 amount at the 2018 rate
    assert "PA.NUS.FCRF 2019" in fx.loc["DSR-190", "check"]      # a 2025 forecast at the rate known when written
    assert "344.6" in fx.loc["DSR-049", "expected"] and "384.6" in fx.loc["DSR-190", "expected"]
    assert not table["check"].str.contains("implied KZT/USD rate").any()


def test_conversion_at_a_wrong_rate_is_contradicted(ledger):
    cl = ledger[ledger["claim_id"].isin(["DSR-048", "DSR-049"])]
    df = pd.DataFrame({"country_iso3": ["KAZ"], "indicator": ["PA.NUS.FCRF"], "year": [2018], "value": [300.0],
                       "unit": ["lcu_per_usd"], "source_id": ["t"]})
    r = audit.check_conversions(cl, df)[0]
    assert r["verdict"] == audit.CONTRADICTED and "865" in r["found"]   # 259.5 bn ÷ 300 = US$865 million


def test_uzbek_ict_spending_is_implausible_with_the_implied_budget_shown(table):
    for cid in ("DSR-102", "DSR-103"):
        r = _rows(table, cid, "national expenditure implied").iloc[0]
        assert r["verdict"] == audit.IMPLAUSIBLE
        assert "US$520 million" in r["expected"]            # 7.8 million ÷ 1.5 %
        assert "% of GDP" in r["found"] and "GC.XPN.TOTL.GD.ZS" in r["check"]
        # undated: read in both context years and with both GDP vintages, implausible in all
        assert r["sensitivity"].count("implausible") == 4 and "datahub_gdp" in r["sensitivity"]


def test_share_of_total_depends_on_the_source_when_vintages_disagree(ledger):
    cl = ledger[ledger["claim_id"].isin(["DSR-102", "DSR-103"])]
    df = pd.DataFrame({"country_iso3": ["UZB"] * 4, "indicator": ["GC.XPN.TOTL.GD.ZS"] * 2 + ["NY.GDP.MKTP.CD"] * 2,
                       "year": [2018, 2019] * 2, "value": [10.0, 10.0, 4e9, 4e9], "unit": ["x"] * 4,
                       "source_id": ["t"] * 4})
    alt = pd.DataFrame({"country_iso3": ["UZB"] * 2, "year": [2018, 2019], "value": [8e9, 8e9], "source_id": ["alt"] * 2})
    vint = audit.vintages(df, registry_alternatives=False)
    vint["NY.GDP.MKTP.CD"] = pd.concat([vint["NY.GDP.MKTP.CD"], alt], ignore_index=True)
    rows = audit.check_shares_of_totals(cl, df, vint)
    # budget 400 million with GDP 4 bn (implied 520 m: 1.3×, plausible); 800 million with 8 bn (0.65×, plausible)
    assert {r["verdict"] for r in rows} == {audit.CONSISTENT}
    alt["value"] = 40e9                                  # 4 bn budget: implied 520 m is 0.13× → implausible
    vint["NY.GDP.MKTP.CD"] = pd.concat([vint["NY.GDP.MKTP.CD"].iloc[:2], alt], ignore_index=True)
    rows = audit.check_shares_of_totals(cl, df, vint)
    assert {r["verdict"] for r in rows} == {audit.DEPENDS}
    assert "the verdict depends" in rows[0]["sensitivity"]


def test_tajik_share_flagged_against_the_users_stated_beside_it(table):
    r = _rows(table, "DSR-113", "share implied by DSR-112").iloc[0]
    assert r["verdict"] == audit.INCONSISTENT
    assert "2.98 million" in r["check"] and "46%" in r["expected"]
    assert "would need a population of" in r["found"]
    assert "datahub_population" in r["sensitivity"]


def test_population_sensitivity_can_flip_a_verdict(ledger):
    cl = ledger[ledger["claim_id"].isin(["DSR-085", "DSR-086"])]      # 15.2 million = 83 %
    df = pd.DataFrame({"country_iso3": ["KAZ"], "indicator": ["SP.POP.TOTL"], "year": [2019],
                       "value": [18.4e6], "unit": ["people"], "source_id": ["a"]})
    vint = audit.vintages(df, registry_alternatives=False)
    vint["SP.POP.TOTL"] = pd.concat([vint["SP.POP.TOTL"], pd.DataFrame(
        {"country_iso3": ["KAZ"], "year": [2019], "value": [19.6e6], "source_id": ["b"]})], ignore_index=True)
    r = audit.check_implied_shares(cl, df, vint)[0]
    assert r["verdict"] == audit.DEPENDS                 # 82.6 % with a, 77.6 % with b
    assert "18.4 million" in r["sensitivity"] and "19.6 million" in r["sensitivity"]


def test_alternative_vintages_stay_out_of_the_tidy_table():
    from analysis.data import indicators, ingest, registry
    alts = [e for e in registry.load() if ingest.is_alternative(e)]
    assert {e["id"] for e in alts} >= {"datahub_population", "datahub_gdp", "gapminder_population"}
    df = indicators.load()
    assert not df["source_id"].isin([e["id"] for e in alts]).any()
    pop = ingest.vintages("SP.POP.TOTL", df)
    assert {"wdi_long", "datahub_population", "gapminder_population"} <= set(pop["source_id"])
    assert pop.loc[pop["source_id"] == "gapminder_population", "year"].max() == 2013


def test_naming_point_is_within_the_paper_not_against_the_data(table):
    r = _rows(table, "DSR-151").iloc[0]
    assert r["verdict"] == audit.INCONSISTENT


def test_flag_for_uses_the_verdicts_own_words(table):
    assert audit.flag_for("DSR-102", table) == audit.IMPLAUSIBLE
    assert audit.flag_for("DSR-084", table) == audit.CONTRADICTED
    assert audit.flag_for("DSR-069", table) is None
    assert audit.flag_for("DSR-069") is None and audit.flag_for("DSR-113") == audit.INCONSISTENT  # written file


def test_every_target_the_data_can_judge_is_measured_with_its_deciding_figure():
    """Four targets can be judged honestly (one directly, two by a proxy series, one by a dated
    public record); the others need a source the book lacks, are not yet due, or state no due
    year (see the targets page)."""
    t = audit.targets()
    m = t[t["outcome"].isin(audit.MEASURED)]
    assert set(m["claim_id"]) >= {"DSR-013", "DSR-156", "DSR-171", "DSR-173"}
    assert (m["deciding_figure"] != "–").all() and m["data_source"].str.len().gt(0).all()
    proxy = m[m["outcome"].str.contains("proxy")]
    assert proxy["explanation"].str.contains("Limits:").all()
    by = t.set_index("claim_id")
    assert by.loc["DSR-171", "outcome"] in (audit.MET_PROXY, audit.MISSED_PROXY)
    assert "internet users" in by.loc["DSR-171", "deciding_figure"]
    assert by.loc["DSR-156", "outcome"] in (audit.MET_PROXY, audit.MISSED_PROXY)
    assert "EGDI.OSI 2022" in by.loc["DSR-156", "deciding_figure"]


def test_strategy_deadline_is_decided_by_the_decree_that_adopted_it():
    by = audit.targets().set_index("claim_id")
    r = by.loc["DSR-013"]
    assert r["outcome"] == audit.MET_PROXY
    assert "5 October 2020" in r["deciding_figure"] and "UP-6079" in r["deciding_figure"]
    assert "4 days after the deadline of 1 October 2020" in r["deciding_figure"]
    assert "REC-001" in r["data_source"] and "uz_up6079_2020" in r["data_source"]
    assert "Limits:" in r["explanation"]


def test_a_record_adopted_a_year_late_misses_the_target(tmp_path, ledger):
    rec = pd.read_csv(audit.RECORDS_CSV, dtype=str, keep_default_na=False)
    rec.loc[0, "date"] = "2021-03-01"
    path = tmp_path / "policy_records.csv"
    rec.to_csv(path, index=False)
    c = ledger.set_index("claim_id").loc["DSR-013"].copy()
    c["claim_id"] = "DSR-013"
    year, figure, _ = audit._record_proxy(c, audit.records(path, ledger))
    assert year == 2021 and "151 days after the deadline" in figure


@pytest.mark.parametrize("column, value", [("claim_id", "DSR-084"), ("country_iso3", "KAZ"), ("date", "5 Oct 2020"),
                                           ("bib_key", "no_such_key"), ("event", "promised"), ("claim_id", "DSR-999")])
def test_a_bad_record_names_its_row_and_column(tmp_path, ledger, column, value):
    rec = pd.read_csv(audit.RECORDS_CSV, dtype=str, keep_default_na=False)
    rec.loc[0, column] = value
    path = tmp_path / "policy_records.csv"
    rec.to_csv(path, index=False)
    with pytest.raises(DataError) as e:
        audit.records(path, ledger)
    assert "policy_records.csv" in str(e.value) and "row 2" in str(e.value) and column in str(e.value)


def test_smartphone_goal_is_bounded_by_internet_users_and_a_shortfall_would_miss(ledger):
    t = audit.targets().set_index("claim_id")
    assert t.loc["DSR-175", "outcome"] == audit.NEEDS_SOURCE
    assert "upper bound" in t.loc["DSR-175", "explanation"] and "cannot show a miss" in t.loc["DSR-175", "explanation"]
    df = indicators.load()
    low = df.copy()
    sel = (low["country_iso3"] == "UZB") & (low["indicator"] == "IT.NET.USER.ZS") & (low["year"] == 2020)
    low.loc[sel, "value"] = 50.0
    t2 = audit.targets(ledger, low).set_index("claim_id")
    assert t2.loc["DSR-175", "outcome"] == audit.MISSED_PROXY
    assert "internet users (2020)" in t2.loc["DSR-175", "deciding_figure"]


def test_the_written_table_reads_back_as_the_computed_one(tmp_path, monkeypatch):
    """The generated pages read the audit rule's CSV instead of computing the
    audit again: every column is text, with no missing value, so the round trip
    is exact."""
    computed = audit.compute()
    assert computed.notna().all().all()
    monkeypatch.setattr(audit, "AUDIT_CSV", tmp_path / "audit.csv")
    monkeypatch.setattr(audit, "TARGETS_CSV", tmp_path / "targets.csv")
    audit.write(computed, audit.targets())
    pd.testing.assert_frame_equal(audit.written(), computed.astype(str).astype(object), check_dtype=False)
