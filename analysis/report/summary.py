"""The executive summary that opens the book (``book/_generated/summary.md``,
included first in ``book/intro.md``; in the PDF its own unnumbered chapter
before the introduction, see :mod:`analysis.book.sphinxext`).

The verdicts are ours, argued in the chapters; every number in them, and every
comparison that depends on the data (a rank, "the highest", a group of the UN
survey), is computed here from the tidy table when the book is built, so the
summary follows the data. Points from the papers cite the paper and the row of
``data/seed_themes.csv`` or ``data/seed_claims.csv`` they come from.
"""
from __future__ import annotations

import re

import pandas as pd

from analysis import config
from analysis.data import indicators
from analysis.errors import DataError

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


# Verdicts, one per country (China too): ours, kept beside the chapter's own
# argument in analysis/texts/<ISO3>/verdict.md, so that the summary and the
# chapter are written, reviewed and linted together. {{fact:internet}},
# {{fact:broadband}} and {{fact:egdi}} are filled from the data by `facts`; a
# verdict cites only ledger rows that its chapter's argument cites (`lint`).
VERDICT_FILE = "verdict.md"
_FACT = re.compile(r"\{\{fact:([a-z]+)\}\}")


def verdict_text(iso3: str) -> str:
    from analysis.report.statements import text_dir

    path = text_dir(iso3) / VERDICT_FILE
    if not path.exists():
        raise DataError(path, "missing: every country needs its one-paragraph verdict for the executive summary")
    return path.read_text(encoding="utf-8").strip()


def verdict(df: pd.DataFrame, iso3: str) -> str:
    """The country's verdict with its facts filled in, linked to its chapter."""
    f = facts(df, iso3)
    text = _FACT.sub(lambda m: f[m.group(1)], verdict_text(iso3))
    return f"{text} ({{doc}}`Chapter <countries/{iso3}>`)"


def lint(iso3: str) -> list[str]:
    """Problems with a verdict: unknown facts, typed numbers, and ledger rows the
    chapter's own argument never cites (the summary says nothing the chapter does not)."""
    from analysis.report.statements import sections_of, text_dir, typed_numbers

    text = verdict_text(iso3)
    where = f"analysis/texts/{iso3}/{VERDICT_FILE}"
    problems = [f"{where}: unknown fact {k!r} (use internet, broadband or egdi)"
                for k in _FACT.findall(text) if k not in FACTS]
    problems += [f"{where}: typed number {n!r}" for n in typed_numbers(_FACT.sub(" ", text))]
    chapter = " ".join((text_dir(iso3) / f"{s}.md").read_text(encoding="utf-8")
                       for s in sections_of(iso3) if (text_dir(iso3) / f"{s}.md").exists())
    cited = set(_LEDGER_ID.findall(chapter))
    problems += [f"{where}: cites {r}, which the chapter's argument does not"
                 for r in sorted(set(_LEDGER_ID.findall(text)) - cited)]
    return problems


FACTS = ("internet", "broadband", "egdi")
_LEDGER_ID = re.compile(r"\b(?:T|DSR|HUO)-\d{3}\b")


def _audit_counts() -> tuple[int, int, dict[str, int]] | None:
    """(checks that could be decided, of which consistent, {verdict: count} of the
    others) from the source audit."""
    from analysis.ledger import audit
    from analysis.paths import PROCESSED
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
    for c in partners + [config.reference()]:
        paras += [verdict(df, c), ""]
    tail = ""
    return head + "\n".join(findings) + "\n" + "\n".join(paras) + "\n" + tail
