"""The generated parts of the written chapters: the introduction's key findings."""
import pytest

from analysis import config
from analysis.data import indicators
from analysis.ledger import audit
from analysis.report import ledger_pages


@pytest.fixture(scope="module")
def inputs():
    return indicators.with_derived(indicators.load()), audit.compute(), audit.targets()


def test_key_findings_quote_the_latest_internet_values(inputs):
    df, a, t = inputs
    text = ledger_pages.key_findings(df, a, t)
    for c in config.countries():
        p = indicators.latest(df, c.iso3, "IT.NET.USER.ZS")
        assert f"{c.name} {p.value:.1f}% ({p.year})" in text, c.iso3


def test_key_findings_follow_the_data(inputs):
    df, a, t = inputs
    p = indicators.latest(df, "KAZ", "IT.NET.USER.ZS")
    changed = df.copy()
    m = (changed.country_iso3 == "KAZ") & (changed.indicator == "IT.NET.USER.ZS") & (changed.year == p.year)
    changed.loc[m, "value"] = 55.5
    text = ledger_pages.key_findings(changed, a, t)
    assert f"Kazakhstan 55.5% ({p.year})" in text
    assert f"Kazakhstan {p.value:.1f}%" not in text


def test_key_findings_count_the_audit_and_targets(inputs):
    df, a, t = inputs
    text = ledger_pages.key_findings(df, a, t)
    flagged = audit.flagged(a)
    assert f"{flagged['claim_id'].nunique()} of them fail a check" in text
    for kind in audit.FLAGGED:
        n = flagged.loc[flagged["verdict"] == kind, "claim_id"].nunique()
        assert (f"{n} {kind}" in text) == (n > 0), kind
    assert f"Of the {len(t)} numeric targets" in text
    judged = t["outcome"].isin(audit.MEASURED).sum()
    assert f"{judged} can be judged with a series of the data, a proxy or a dated public record" in text


def test_series_that_stop_early_are_named(inputs):
    df, a, t = inputs
    text = ledger_pages.key_findings(df, a, t)
    last = max(indicators.latest(df, iso3, "IT.NET.USER.ZS").year for iso3 in config.partners())
    for c in config.countries():
        p = indicators.latest(df, c.iso3, "IT.NET.USER.ZS")
        if c.role == "partner" and p.year <= last - 3:
            assert f"{c.name}'s series stops in {p.year}" in text


def test_audit_page_defines_every_verdict_kind(inputs):
    df, a, t = inputs
    text = ledger_pages.audit_summary(a)
    for kind in audit.VERDICTS:
        assert audit.VERDICT_MEANING[kind] in text, kind
    checked = ledger_pages.audit_checked(a)
    assert "| Country |" in checked
    for kind in audit.FLAGGED:
        if (a["verdict"] == kind).any():
            assert f"**{kind}**" in checked


def test_targets_page_defines_every_outcome_and_names_countries(inputs):
    df, a, t = inputs
    text = ledger_pages.targets_markdown(t)
    for kind in audit.OUTCOMES:
        assert audit.OUTCOME_MEANING[kind] in text, kind
    assert "| Kazakhstan |" in text and "| Uzbekistan |" in text
    # a measured outcome is bold in the table, not printed with literal asterisks
    assert "| **met (by proxy)** |" in text and "\\*\\*" not in text


def test_sensitivity_section_lists_every_check_with_alternative_denominators(inputs):
    df, a, t = inputs
    text = ledger_pages.audit_sensitivity(a).replace("\\", "")  # as read: Markdown escapes removed
    for cid in a.loc[a["sensitivity"] != "", "claim_id"]:
        assert cid in text
    assert "datahub_population" in text and "datahub_gdp" in text
