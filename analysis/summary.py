"""The executive summary that opens the book (``book/_generated/summary.md``,
included first in ``book/intro.md``; in the PDF its own unnumbered chapter
before the introduction, see :mod:`analysis.sphinxext`).

The verdicts are ours, argued in the chapters; every number in them, and every
comparison that depends on the data (a rank, "the highest", a group of the UN
survey), is computed here from the tidy table when the book is built, so the
summary follows the data. Points from the papers cite the paper and the row of
``data/seed_themes.csv`` or ``data/seed_claims.csv`` they come from.
"""
from __future__ import annotations

import pandas as pd

from . import config, indicators

INTERNET, BROADBAND, EGDI = "IT.NET.USER.ZS", "IT.NET.BBND.P2", "EGDI.INDEX"
EGDI_GROUPS = [(0.75, "very high"), (0.50, "high"), (0.25, "middle"), (0.0, "low")]  # UN E-Government Survey
MIN_RANKED = 3  # no rank among fewer reporting countries (Data and methods)


def _num(v: float, digits: int = 1) -> str:
    return f"{v:,.{digits}f}"


def egdi_group(value: float) -> str:
    return next(name for bound, name in EGDI_GROUPS if value >= bound)


def latest_text(df: pd.DataFrame, iso3: str, indicator: str, digits: int = 1, unit: str = "") -> str | None:
    p = indicators.latest(df, iso3, indicator)
    return None if p is None else f"{_num(p.value, digits)}{unit} ({p.year})"


def standing(df: pd.DataFrame, iso3: str, indicator: str) -> str | None:
    """'the highest of the 4 countries reporting in 2022', 'second of 5 …', or None
    when fewer than three countries report in the country's latest year."""
    r = indicators.regional_rank(df, iso3, indicator)
    if r is None or r[1] < MIN_RANKED:
        return None
    rank, n, year = r
    if rank == 1:
        place = "the highest" if indicators.higher_is_better(indicator) else "the best"
    elif rank == n:
        place = "the lowest" if indicators.higher_is_better(indicator) else "the worst"
    else:
        place = ["", "", "second", "third", "fourth"][rank] if rank < 5 else f"{rank}th"
    return f"{place} of the {n} Central Asian countries reporting in {year}"


def facts(df: pd.DataFrame, iso3: str) -> dict[str, str]:
    """The country's numbers as phrases; a missing value says so."""
    out = {}
    net = indicators.latest(df, iso3, INTERNET)
    if net is None:
        out["internet"] = "no estimate of internet use"
    else:
        where = standing(df, iso3, INTERNET)
        out["internet"] = (f"{_num(net.value)}% of people online in {net.year}"
                           + (f", {where}" if where else ""))
    bb = latest_text(df, iso3, BROADBAND)
    chn = None if iso3 == config.reference() else indicators.latest(df, config.reference(), BROADBAND)
    out["broadband"] = ("no fixed-broadband figure" if bb is None else
                        f"{bb.split(' (')[0]} fixed-broadband subscriptions per 100 people ({bb.split(' (')[1]}"
                        + (f" against China's {_num(chn.value)} ({chn.year})" if chn else ""))
    eg = indicators.latest(df, iso3, EGDI)
    out["egdi"] = ("no UN e-government score" if eg is None else
                   f"a UN e-government score of {eg.value:.3f} in {eg.year}, in the survey's "
                   f"{egdi_group(eg.value)} group")
    return out


# Verdicts, one per country: ours, argued in the country chapters. {internet},
# {broadband} and {egdi} are filled from the data by `facts`.
VERDICTS = {
    "KAZ": ("**Kazakhstan: ready for the most demanding cooperation.** With {internet} and {egdi}, it is "
            "where Chinese firms already work at scale, from village networks to a national data centre and "
            "e-commerce payments {{cite:p}}`dsr_paper` (T-006, T-007, T-009). People, not cables, hold it "
            "back: too few ICT specialists (T-015). Training, data centres and e-commerce transit fit; the "
            "risks are one vendor, one platform, and who holds the data."),
    "UZB": ("**Uzbekistan: a large market held back by payments and skills.** It has {internet} and "
            "{broadband}, yet most online shoppers pay cash and ICT specialists are scarce "
            "{{cite:p}}`dsr_paper` (T-035, T-037). Payment links, e-commerce exports (T-039) and training "
            "at scale fit; the risk is regulatory mismatch while its e-transactions law is a draft (T-036)."),
    "KGZ": ("**Kyrgyzstan: connected, but unable to deliver or pay.** It has {internet} but lacks reliable "
            "addresses and mobile payment on its portals {{cite:p}}`dsr_paper` (T-052, T-053). Geodata, "
            "addressing and payment links fit better than more cable; the risk is clashing with the "
            "Eurasian Economic Union's rules (T-045)."),
    "TJK": ("**Tajikistan: connectivity first.** With {internet} and {broadband}, access itself binds "
            "{{cite:p}}`dsr_paper` (T-063); its concept aims at affordable broadband for all (T-058). Access "
            "networks and basic skills fit; the risk is debt for networks few can yet pay to use."),
    "TKM": ("**Turkmenistan: the least known and the least open.** The data hold {internet} and {egdi}; "
            "coverage is limited and digital finance has barely begun {{cite:p}}`dsr_paper` (T-073, T-074). "
            "Electronic documents and identification, which its concept asks for (T-068), are where "
            "cooperation could start; the risk is too little published to judge results."),
}

CHINA = ("**China: most to offer, and most to watch.** It has {internet}. It offers a market, platforms and "
         "policy experience {{cite:p}}`dsr_paper` (T-079, T-081); it should watch the region's wish not to be "
         "a mere supplier of raw materials {{cite:p}}`huo_paper`, rival offers, and data rules not yet written.")


def _audit_counts() -> tuple[int, int, dict[str, int]] | None:
    """(checks that could be decided, of which consistent, {verdict: count} of the
    others) from the source audit."""
    from . import audit
    from .paths import PROCESSED
    path = PROCESSED / "audit.csv"
    if not path.exists():
        return None
    a = pd.read_csv(path, dtype=str, keep_default_na=False)
    decided = a[a["verdict"] != audit.NOT_CHECKABLE]
    counts = decided["verdict"].value_counts()
    others = {k: int(counts[k]) for k in audit.VERDICTS if k not in (audit.CONSISTENT, audit.NOT_CHECKABLE)
              and counts.get(k, 0)}
    return len(decided), int(counts.get(audit.CONSISTENT, 0)), others


def summary_markdown(df: pd.DataFrame | None = None) -> str:
    df = indicators.load() if df is None else df
    partners = config.partners()
    med = indicators.regional_median(df, INTERNET)
    reporting = indicators.wide(df, INTERNET, partners)
    # one median over one stated set of countries: the latest year in which at
    # least MIN_RANKED report (the ones without a value that year are named)
    counts = reporting.notna().sum(axis=1)
    enough = counts[counts >= MIN_RANKED]
    year = int(enough.index.max()) if len(enough) else None
    n = int(counts.get(year, 0)) if year else 0
    missing = [config.country(c).name for c in partners if year and pd.isna(reporting.loc[year].get(c))]
    head = ("What can digital cooperation between China and Central Asia stand on, what holds it back, and "
            "what fits where? The foundations are real but uneven, the obstacles are national, and so is "
            "the cooperation that fits: one offer for the whole region would fit none of it ({doc}`limitations` "
            "says what the evidence cannot show).\n\n")
    findings = ["**Findings that matter most**", ""]
    names = {c.iso3: c.name for c in config.countries()}
    if year and n >= MIN_RANKED and year in med.index:
        row = reporting.loc[year].dropna()
        findings.append(
            f"- **Connectivity is uneven.** The median share of people online was {_num(med[year])}% in {year} "
            f"(median of the {n} countries reporting"
            + (f"; {', '.join(missing)} without a value for that year" if missing else "")
            + f"), from {_num(row.max())}% in {names[row.idxmax()]} to {_num(row.min())}% in "
            f"{names[row.idxmin()]}.")
    chn = indicators.latest(df, config.reference(), BROADBAND)
    bb = {c: indicators.latest(df, c, BROADBAND) for c in partners}
    bb = {c: p for c, p in bb.items() if p is not None}
    if chn and bb:
        below = [c for c, p in bb.items() if p.value < chn.value]
        hi, lo = max(bb, key=lambda c: bb[c].value), min(bb, key=lambda c: bb[c].value)
        findings.append(
            f"- **Fixed broadband is the gap with China.** China had {_num(chn.value)} subscriptions per 100 "
            f"people in {chn.year}; "
            + (f"all {len(bb)}" if len(below) == len(bb) else f"{len(below)} of the {len(bb)}")
            + f" Central Asian countries with a figure had fewer, from {_num(bb[hi].value)} in {names[hi]} ({bb[hi].year}) to {_num(bb[lo].value)} in "
            f"{names[lo]} ({bb[lo].year}).")
    findings.append(
        "- **The obstacles are national.** The papers name a different binding obstacle for each country: "
        "specialists in Kazakhstan (T-015), cash in Uzbekistan (T-035), addresses in Kyrgyzstan (T-052), "
        "access in Tajikistan (T-063) and Turkmenistan (T-073) {cite:p}`dsr_paper`.")
    audited = _audit_counts()
    if audited:
        checked, ok, others = audited
        flagged = ", ".join(f"{n} {kind}" for kind, n in others.items())
        findings.append(
            f"- **The papers' figures need checking.** Of {checked} decided checks, {ok} were consistent"
            + (f"; {flagged}" if flagged else "")
            + " ({doc}`audit`, {doc}`targets`).")
    findings.append("")
    paras = ["**Verdicts by country** (`T-…`: the row of the papers' ledger, `data/seed_themes.csv`)", ""]
    for c in partners:
        paras += [VERDICTS[c].format(**facts(df, c)), ""]
    ref = config.reference()
    paras += [CHINA.format(**facts(df, ref)), ""]
    tail = ""
    return head + "\n".join(findings) + "\n" + "\n".join(paras) + "\n" + tail
