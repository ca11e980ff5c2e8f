"""The source audit: verdicts are reviewed (snapshot), coverage is complete."""
from pathlib import Path

import pandas as pd
import pytest

from analysis import audit, claims

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
    fx = table[table["check"].str.startswith("implied KZT/USD")]
    assert len(fx) == 1
    assert fx.iloc[0]["tolerance"] == f"±{audit.FX_TOLERANCE_REL:.0%}"


def test_strategy_periods_checked(table):
    st = claims.strategies()
    for name in st.loc[st["start_year"].notna(), "name"]:
        assert (table["check"] == f"{name}: start ≤ end").sum() == 1
    for name in st.loc[st["phases"].notna(), "name"]:
        assert table["check"].str.startswith(f"{name}: phases contiguous").sum() == 1


def test_phase_gap_is_a_discrepancy(ledger):
    st = claims.strategies().iloc[[0]].copy()
    st["start_year"], st["end_year"], st["phases"] = 2019, 2025, "2019; 2021-2025"
    rows = audit.check_strategies(ledger, st)
    gap = [r for r in rows if "phases contiguous" in r["check"]]
    assert gap and gap[0]["verdict"] == audit.DISCREPANCY


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


def test_idi_and_smartphones_not_measurable(ledger):
    t = audit.targets().merge(ledger[["claim_id", "indicator"]], on="claim_id")
    idi = t[t["indicator"] == "IDI.RANK"]
    assert len(idi) and (idi["outcome"] == audit.NOT_MEASURABLE).all()
    assert idi["explanation"].str.contains("2017").all()
    phones = t[t["indicator"] == "mobile.smartphone_users"]
    assert len(phones) and (phones["outcome"] == audit.NOT_MEASURABLE).all()
