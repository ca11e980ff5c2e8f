"""Comparisons that hold (Data and methods): medians and ranks over a stated
set for one year, with how many report, never among fewer than three; the same
countries at both ends of a change in a median; no chapter compares a country
with itself."""
import json
import re

import pytest

from analysis import config
from analysis.data import indicators
from analysis.paths import BOOK
from analysis.report import chapter, ledger_pages
from layers import requires


@pytest.fixture(scope="module")
def df():
    return indicators.with_derived(indicators.load())


def drop_reporters(df, indicator, year, keep):
    gone = (df["indicator"] == indicator) & (df["year"] == year) & ~df["country_iso3"].isin(keep + ["CHN"])
    return df[~gone]


@pytest.mark.parametrize("iso3", config.partners())
def test_key_table_ranks_and_medians_say_how_many_report(df, iso3):
    t = chapter.key_table(df, iso3)
    for cell in t["Rank (1 = best)"]:
        m = re.fullmatch(r"(\d+) of (\d+) reporting", cell)
        assert m or cell.startswith("–"), cell
        if m:
            assert int(m.group(2)) >= 3
    for cell in t["Median of partners reporting"]:
        assert cell.startswith("–") or re.search(r"\((\d+) reporting\)$", cell), cell


def test_no_rank_among_two(df):
    code = "IT.NET.USER.ZS"
    year = indicators.latest(df, "KAZ", code).year
    thin = drop_reporters(df, code, year, ["KAZ", "UZB"])
    row = chapter.key_table(thin, "KAZ").loc["Internet users, % of population"]
    assert row["Rank (1 = best)"] == "– (2 report)"
    assert row["Median of partners reporting"] == "– (2 report)"


def test_key_findings_compare_the_same_countries_at_both_ends(df):
    from analysis.ledger import audit
    text = ledger_pages.key_findings(df, audit.compute(), audit.targets())
    m = re.search(r"Among the (\d+) countries reporting in both (\d{4}) and (\d{4})", text)
    assert m, text[:300]
    n, y0, y1 = int(m.group(1)), int(m.group(2)), int(m.group(3))
    t = indicators.wide(df, "IT.NET.USER.ZS", config.partners())
    members = list(t.loc[y1].dropna().index)
    assert n == len(members) >= 3 and t.loc[y0, members].notna().all()
    for c in config.partners():
        if c not in members:
            assert config.country(c).name in text.split(".")[1]


@requires(BOOK / "countries" / "CHN.ipynb", "book")
def test_china_chapter_is_not_china_against_china():
    nb = json.loads((BOOK / "countries" / "CHN.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "China against China" not in text and "tbl-CHN-key" not in text
    assert "## Challenges" not in text
    assert "tbl-CHN-presence" in json.dumps(nb) and "tbl-CHN-reference" in json.dumps(nb)
