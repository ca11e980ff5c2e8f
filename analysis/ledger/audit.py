"""Source audit: every figure of the papers that the independent data can
check, checked, every pair of the papers' figures that describes one quantity
two ways checked against each other, plus the papers' targets set against
what happened.

    python -m analysis.ledger.audit    # validate the ledger, write data/processed/audit.csv and targets.csv

Nothing here is typed from the papers: expected values come from
``data/seed_claims.csv`` / ``data/strategies.csv``, found values from
``data/processed/indicators.csv`` and, for the denominators that exist in more
than one vintage (population, GDP), from the alternative vintages registered
in ``data/sources.yml`` (``vintage: alternative``), which are read from their
raw files (:func:`analysis.data.ingest.vintages`) rather than merged into the tidy
table, so that neither silently replaces the other. Tolerances are the named
constants below; the book's audit appendix prints them.

Verdicts say what was found (:data:`VERDICT_MEANING`): a stated direction
(a fall, a rise) must agree with the data's before any tolerance applies.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from analysis import atomic, config
from analysis.data import indicators, ingest
from analysis.errors import DataError
from analysis.ledger import claims as ledger
from analysis.paths import BOOK, DATA, PROCESSED

AUDIT_CSV = PROCESSED / "audit.csv"
TARGETS_CSV = PROCESSED / "targets.csv"

CONSISTENT = "consistent"
CONTRADICTED = "contradicted by the data"
INCONSISTENT = "inconsistent within the paper"
IMPLAUSIBLE = "implausible"
DEPENDS = "depends on the source"
NOT_CHECKABLE = "not checkable"
VERDICTS = [CONSISTENT, CONTRADICTED, INCONSISTENT, IMPLAUSIBLE, DEPENDS, NOT_CHECKABLE]
#: The verdicts that flag a figure: a chapter that uses it marks it with these words.
FLAGGED = [CONTRADICTED, INCONSISTENT, IMPLAUSIBLE, DEPENDS]
#: What each verdict means; the audit page prints these definitions.
VERDICT_MEANING = {
    CONSISTENT: "the figure agrees with the independent data (or with the paper's other figure for the same "
                "quantity) within the tolerance, the direction of a stated change included; for a "
                "plausibility check, the figure lies inside the bound",
    CONTRADICTED: "independent data for the same country, quantity and year disagree with the figure beyond "
                  "the tolerance, or show a change in the opposite direction",
    INCONSISTENT: "two of the paper's own figures describe one quantity and disagree with each other (a count "
                  "and the share stated beside it, a name and a period); the data only bridge the two, as the "
                  "population does between a count and a share",
    IMPLAUSIBLE: "the figure fails a plausibility bound against macro data: the total it implies (a budget, "
                 "total exports) is far from the size of that total in the data, whatever the vintage",
    DEPENDS: "independent sources or vintages of a denominator (population, GDP) disagree about the answer: "
             "the verdict is one thing with one source and another with the other",
    NOT_CHECKABLE: "the book holds no independent series for the figure, or the figure is a policy date, a "
                   "count or a target; the row says why and, where one exists, which source would decide it",
}
MET, MISSED = "met", "missed"
MET_PROXY, MISSED_PROXY = "met (by proxy)", "missed (by proxy)"
NOT_DUE, NEEDS_SOURCE, NOT_MEASURABLE = "not yet due", "needs a source the book lacks", "not measurable"
OUTCOMES = [MET, MISSED, MET_PROXY, MISSED_PROXY, NOT_DUE, NEEDS_SOURCE, NOT_MEASURABLE]
#: The outcomes that decide a target with a figure from the data.
MEASURED = [MET, MISSED, MET_PROXY, MISSED_PROXY]
OUTCOME_MEANING = {
    MET: "the data's value for the due year reaches the target",
    MISSED: "the data's value for the due year falls short of the target",
    MET_PROXY: "a proxy series (named in the row, with its limits) reaches the target in the due year",
    MISSED_PROXY: "a proxy series (named in the row, with its limits) falls short of the target in the due year",
    NOT_DUE: "the due year is later than the latest year of the data",
    NEEDS_SOURCE: "the target could be judged with a source the book does not hold; the row names it",
    NOT_MEASURABLE: "no due year is stated, or nothing observable would decide the target",
}

# ----------------------------------------------------------------- tolerances
#: A share of the population (internet users, mobile users) agrees when it is
#: within this many percentage points. The papers round to whole percent and
#: date their counts to a month of 2019; the World Bank gives a yearly estimate
#: and internet use grew by several points a year, so a quarter-year offset
#: plus rounding is worth up to about 3 points.
SHARE_TOLERANCE_PP = 3.0
#: Ranks must match exactly: they are published integers.
RANK_TOLERANCE = 0
#: An absolute count (users, subscriptions, people) agrees when within 10 % of
#: the count implied by the data (share or rate × population), allowing for the
#: papers' rounding ("more than", "about") and month-dated figures.
COUNT_TOLERANCE_REL = 0.10
#: A stated growth rate agrees when within 5 percentage points of the growth
#: implied by the data between the two calendar years.
GROWTH_TOLERANCE_PP = 5.0
#: A currency conversion in the papers ("259.5 billion tenge (about US$753
#: million)") agrees when the dollar figure is within 5 % of the amount divided
#: by the official annual average rate (PA.NUS.FCRF) of the year the conversion
#: was made. Rounding "about US$1.3 billion" to one decimal alone is worth up to
#: 3.8 %, and a rate of the day differs from the year's average by a few percent.
FX_TOLERANCE_REL = 0.05
#: A forecast's conversion can only use a rate known when the paper was written:
#: it is checked against the rate of PAPER_YEAR (the rate of the forecast year is
#: shown beside it).
#: An amount stated as a share of a total ("US$7.8 million, or 1.5 percent of its
#: total national expenditure") implies the total; it is implausible when that
#: total is less than half or more than twice the total in the macro data
#: (government expense × GDP, exports × GDP). Central versus general government,
#: budget versus outturn, or a year's shift move a total by tens of percent, not
#: by a factor of two.
PLAUSIBLE_RATIO = (0.5, 2.0)
#: Undated claims ("a population of 1.4 billion") are read as of this year,
#: the latest year the DSR paper's figures refer to.
PAPER_YEAR = 2019
#: UN E-Government Survey groups by EGDI value (lower bounds).
EGDI_GROUPS = [(0.75, "very high"), (0.50, "high"), (0.25, "middle"), (0.0, "low")]
#: The group moves the DSR paper reports beside the 2018 EGDI ranks (same
#: sentences as the claims' quotes): claim id → (group 2016, group 2018).
EGDI_GROUP_MOVES = {"DSR-068": ("high", "very high"), "DSR-072": ("middle", "high"),
                    "DSR-073": ("middle", "high"), "DSR-074": ("low", "middle"),
                    "DSR-075": ("low", "middle")}
#: Paper rank code → (data indicator, data year offset from the claim's year, what it is).
RANK_SERIES = {
    "EGDI.RANK": ("EGDI.RANK", 0, "UN E-Government Survey rank, same survey year"),
    "DB.RANK": ("IC.BUS.EASE.XQ", -1, "Doing Business rank; report year N ranks data year N−1"),
    "CPI.RANK": ("CPI.RANK", 0, "CPI rank; the edition released in January N+1 is stored as year N"),
}
#: Count claim → (share/rate indicator in the data, divisor of that indicator).
COUNT_SERIES = {
    "IT.NET.USER.NUM": ("IT.NET.USER.ZS", 100.0, "internet users = share × population"),
    "IT.NET.BBND.NUM": ("IT.NET.BBND.P2", 100.0,
                        "fixed internet users read as fixed broadband subscriptions = rate per 100 × population"),
}
#: Growth claim → the share/rate series whose count (× population) it describes.
GROWTH_SERIES = {"internet.users_growth": "IT.NET.USER.ZS", "broadband.users_growth": "IT.NET.BBND.P2"}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

#: Paper amount claim → (share claim indicator, total in the data as (% of GDP indicator), what the total is).
SHARE_OF_TOTAL = {
    "ict.spending": ("ict.spending_share", "GC.XPN.TOTL.GD.ZS", "national expenditure",
                     "central government expense (GC.XPN.TOTL.GD.ZS) × GDP"),
    "ict.export": ("ict.export_share", "NE.EXP.GNFS.ZS", "total exports",
                   "exports of goods and services (NE.EXP.GNFS.ZS) × GDP"),
    "ict.import": ("ict.import_share", "NE.IMP.GNFS.ZS", "total imports",
                   "imports of goods and services (NE.IMP.GNFS.ZS) × GDP"),
}
#: Undated amounts are read in each of these years (the paper's context), and the verdict must hold in all.
UNDATED_YEARS = (PAPER_YEAR - 1, PAPER_YEAR)
#: Pairs of the paper's own figures that must agree: (claim, relation, other claim(s), what is compared).
#: "≤": the first is a part of the second; "= b − a": the first equals the difference of two others.
INTERNAL_PAIRS = [
    ("DSR-127", "= b − a", ("DSR-125", "DSR-126"), "the stated duration of the 4G build-out vs its start and end years"),
    ("DSR-069", "≤", ("DSR-071",), "Kazakhstan's EGDI rank vs the size of the 'very high' group it is said to be in"),
    ("DSR-115", "≤", ("DSR-114",), "active mobile users vs all mobile users (a part cannot exceed the whole)"),
    ("DSR-108", "≤", ("DSR-105",), "social media subscribers among internet users vs all internet users"),
]
#: Why a claim cannot be checked, by ledger indicator, where a named source would decide it.
NEEDS = {
    "IDI.RANK": "needs the ITU ICT Development Index 2017 (data year 2016), which the book does not hold "
                "(no machine-readable copy was found)",
    "internet.adult_users_share": "needs the population by age (e.g. World Bank SP.POP.1564.TO and "
                                  "SP.POP.65UP.TO), which the book does not hold",
    "population.young_share": "needs the population by age (e.g. World Bank SP.POP.0014.TO.ZS), which the book "
                              "does not hold",
    "population.young_average_age": "needs the population by age or the median age (UN World Population "
                                    "Prospects), which the book does not hold",
    "economy.growth_rank_c5": "needs real GDP growth (World Bank NY.GDP.MKTP.KD.ZG); the book's GDP is in current "
                              "US$, whose changes mix growth, inflation and the exchange rate",
    "economy.gdp_rank": "needs the GDP of every country; the book holds six",
    "talent.ict_professionals_share": "needs ICT employment by country (e.g. ILO or Eurostat), which the book "
                                      "does not hold",
}
#: Ranks among the five Central Asian countries that a series of the data decides: ledger indicator → data indicator.
C5_RANKS = {"population.rank_c5": "SP.POP.TOTL"}

COLUMNS = ["claim_id", "country_iso3", "country", "quote", "check", "expected", "found", "difference",
           "tolerance", "verdict", "sensitivity", "data_source"]
TARGET_COLUMNS = ["claim_id", "country_iso3", "country", "claim_type", "quote", "target", "due", "outcome",
                  "deciding_figure", "explanation", "data_source"]


# ------------------------------------------------------------------- helpers
def _num(v: float) -> str:
    """A number as the papers would print it, without spurious decimals."""
    if pd.isna(v):
        return "–"
    v = float(v)
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(v) >= scale:
            return f"{v / scale:,.4g} {word}"
    return f"{v:,.4g}" if v != int(v) else f"{int(v):,}"


UNIT_WORDS = {"kzt": ("", " tenge"), "usd": ("US$", ""), "cny": ("", " yuan")}


def claim_value(value: float, unit: str) -> str:
    """A ledger value in words: years plain, percentages with %, currencies named."""
    if unit == "year":
        return f"{value:.0f}"
    if unit == "rank":
        return f"rank {value:.0f}"
    if unit == "percent":
        return _pct(value, 0 if value == int(value) else 1)
    if unit == "percent_change":
        return f"{value:+g}%"
    if unit in UNIT_WORDS:
        pre, post = UNIT_WORDS[unit]
        return f"{pre}{_num(value)}{post}"
    if unit in ("number",):
        return _num(value)
    return f"{_num(value)} {unit.replace('_', ' ')}"


def _pct(v: float, digits: int = 1) -> str:
    return f"{v:.{digits}f}%"


def _share(v: float) -> str:
    return _pct(v, 0 if v == int(v) else 1)


def _usd(v: float) -> str:
    return f"US${_num(v)}"


def country_name(iso3: str) -> str:
    """The country an audit row concerns, in words (ledger codes C5 and WLD included)."""
    if iso3 == "C5":
        return "Central Asia (the five countries)"
    if iso3 == "WLD":
        return "World (no single country)"
    return config.country(iso3).name


def _point(df: pd.DataFrame, iso3: str, indicator: str, year: int) -> tuple[float, str] | None:
    s = df[(df["country_iso3"] == iso3) & (df["indicator"] == indicator) & (df["year"] == year)]
    return (float(s["value"].iloc[0]), str(s["source_id"].iloc[0])) if len(s) else None


def _nearest(df: pd.DataFrame, iso3: str, indicator: str, year: int, fmt=_num) -> str:
    s = indicators.series(df, iso3, indicator)
    before, after = s[s.index < year], s[s.index > year]
    parts = []
    if len(before):
        parts.append(f"{before.index[-1]}: {fmt(before.iloc[-1])}")
    if len(after):
        parts.append(f"{after.index[0]}: {fmt(after.iloc[0])}")
    return f"no {year} value in the data" + (f" (nearest {'; '.join(parts)})" if parts else " (no values at all)")


def _row(c: pd.Series, check: str, expected: str, found: str, verdict: str, difference: str = "",
         tolerance: str = "", data_source: str = "", sensitivity: str = "") -> dict:
    return {"claim_id": c["claim_id"], "country_iso3": c["country_iso3"], "country": country_name(c["country_iso3"]),
            "quote": c["quote"], "check": check, "expected": expected, "found": found, "difference": difference,
            "tolerance": tolerance, "verdict": verdict, "sensitivity": sensitivity, "data_source": data_source}


def _judge(diff: float, tol: float, fail: str = CONTRADICTED) -> str:
    return CONSISTENT if abs(diff) <= tol + 1e-9 else fail


def _year(c: pd.Series) -> int:
    return int(c["year"]) if pd.notna(c["year"]) else PAPER_YEAR


def egdi_group(value: float) -> str:
    return next(name for bound, name in EGDI_GROUPS if value >= bound)


# ----------------------------------------------------------------- vintages
#: Denominators that exist in more than one source or vintage.
DENOMINATORS = ("SP.POP.TOTL", "NY.GDP.MKTP.CD")
VINTAGE_COLUMNS = ["country_iso3", "year", "value", "source_id"]


def vintages(df: pd.DataFrame, registry_alternatives: bool = True) -> dict[str, pd.DataFrame]:
    """Every source's values of each denominator: the tidy table's (primary) and, with
    ``registry_alternatives``, those of the alternative vintages in data/sources.yml."""
    if registry_alternatives:
        return {code: ingest.vintages(code, df) for code in DENOMINATORS}
    return {code: df.loc[df["indicator"] == code, VINTAGE_COLUMNS].reset_index(drop=True) for code in DENOMINATORS}


def _options(df: pd.DataFrame, vint: dict | None, code: str, iso3: str, years: tuple[int, ...]
             ) -> tuple[list[tuple[tuple[float, ...], str]], list[str]]:
    """The denominator's values for ``years``, one option per source that has all of them
    (the tidy table's source first), and the sources that lack them. C5 sums the five."""
    v = (vint or {}).get(code)
    if v is None:
        v = df.loc[df["indicator"] == code, VINTAGE_COLUMNS]
    primary = df.loc[df["indicator"] == code, "source_id"]
    order = list(dict.fromkeys(list(primary) + list(v["source_id"])))
    members = config.partners() if iso3 == "C5" else [iso3]
    out, lacking = [], []
    for src in order:
        s = v[(v["source_id"] == src) & v["country_iso3"].isin(members) & v["year"].isin(years)]
        if len(s) != len(members) * len(years):
            lacking.append(src)
            continue
        out.append((tuple(float(s.loc[s["year"] == y, "value"].sum()) for y in years), src))
    # the tidy table's own source for the country comes first
    own = df[(df["indicator"] == code) & df["country_iso3"].isin(members) & df["year"].isin(years)]
    if len(own):
        first = str(own["source_id"].iloc[0])
        out.sort(key=lambda o: o[1] != first)
    return out, lacking


def _over(options: list, evaluate) -> tuple[str, list]:
    """Evaluate a check with every option; the verdict is DEPENDS when they disagree."""
    results = [(vals, src, *evaluate(*vals)) for vals, src in options]
    verdicts = list(dict.fromkeys(r[2] for r in results))
    return (verdicts[0] if len(verdicts) == 1 else DEPENDS), results


def _sensitivity(code: str, years: tuple[int, ...], results: list, lacking: list[str], fmt=_num) -> str:
    """Where more than one source gives the denominator: the range, and whether the verdict depends on it."""
    if len(results) + len(lacking) < 2:
        return ""
    groups: dict[tuple, list[str]] = {}
    for vals, src, verdict, *_ in results:
        groups.setdefault((vals, verdict), []).append(src)
    yrs = "–".join(str(y) for y in years) if len(years) > 1 else str(years[0])
    parts = [f"{' → '.join(fmt(x) for x in vals)} ({', '.join(srcs)}): {verdict}" for (vals, verdict), srcs in groups.items()]
    text = f"{code} {yrs}: " + "; ".join(parts)
    if lacking:
        text += f"; no {yrs} value in {', '.join(lacking)}"
    if len(results) > 1:
        same = len({r[2] for r in results}) == 1
        text += "; the verdict is the same with every source" if same else "; the verdict depends on the source"
    return text


# -------------------------------------------------------------------- checks
def check_internet_shares(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """Every internet-user share the papers state (not targets) against the World Bank, same year."""
    rows = []
    for _, c in cl[(cl["indicator"] == "IT.NET.USER.ZS") & (cl["claim_type"] == "fact")].iterrows():
        y = _year(c)
        check = f"internet users, % of population, vs World Bank IT.NET.USER.ZS {y}"
        p = _point(df, c["country_iso3"], "IT.NET.USER.ZS", y)
        if p is None:
            rows.append(_row(c, check, _share(c["value"]),
                             _nearest(df, c["country_iso3"], "IT.NET.USER.ZS", y, _pct), NOT_CHECKABLE,
                             tolerance=f"±{SHARE_TOLERANCE_PP:g} pp"))
            continue
        diff = p[0] - c["value"]
        rows.append(_row(c, check, _pct(c["value"]), _pct(p[0]), _judge(diff, SHARE_TOLERANCE_PP),
                         f"{diff:+.1f} pp", f"±{SHARE_TOLERANCE_PP:g} pp", p[1]))
    return rows


def check_ranks(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """Ranks against the rank list of the same edition."""
    rows = []
    for _, c in cl[cl["indicator"].isin(list(RANK_SERIES))].iterrows():
        code, offset, what = RANK_SERIES[c["indicator"]]
        y = _year(c) + offset
        check = f"{c['indicator']} {_year(c)} vs {code} {y} ({what})"
        p = _point(df, c["country_iso3"], code, y)
        if p is None:
            rows.append(_row(c, check, f"{c['value']:.0f}", _nearest(df, c["country_iso3"], code, y),
                             NOT_CHECKABLE, tolerance="exact"))
            continue
        diff = p[0] - c["value"]
        rows.append(_row(c, check, f"{c['value']:.0f}", f"{p[0]:.0f}", _judge(diff, RANK_TOLERANCE),
                         f"{diff:+.0f}", "exact", p[1]))
    return rows


def check_c5_ranks(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """A rank among the five Central Asian countries ("the most populous") against the data's ranking."""
    rows = []
    for _, c in cl[cl["indicator"].isin(list(C5_RANKS))].iterrows():
        code, y = C5_RANKS[c["indicator"]], _year(c)
        check = f"rank among the five Central Asian countries vs World Bank {code} {y}"
        vals = {iso3: _point(df, iso3, code, y) for iso3 in config.partners()}
        if any(v is None for v in vals.values()):
            rows.append(_row(c, check, f"{c['value']:.0f}", f"no {code} {y} value for every country", NOT_CHECKABLE))
            continue
        ranked = sorted(vals, key=lambda k: -vals[k][0] if indicators.higher_is_better(code) else vals[k][0])
        rank = ranked.index(c["country_iso3"]) + 1
        found = f"{rank} (" + ", ".join(f"{country_name(k)} {_num(vals[k][0])}" for k in ranked) + ")"
        rows.append(_row(c, check, f"{c['value']:.0f}", found, _judge(rank - c["value"], 0), f"{rank - c['value']:+.0f}",
                         "exact", vals[c["country_iso3"]][1]))
    return rows


def check_implied_shares(cl: pd.DataFrame, df: pd.DataFrame, vint: dict | None = None) -> list[dict]:
    """A paper's count and the share of the population it states beside it describe
    one quantity two ways: count ÷ population must give the share (internet users;
    mobile users). Disagreement is within the paper; the population only bridges."""
    rows = []
    pairs = [("IT.NET.USER.NUM", "IT.NET.USER.ZS"), ("IT.CEL.SETS.NUM", "IT.CEL.SETS.SHARE")]
    for num_code, share_code in pairs:
        shares = cl[(cl["indicator"] == share_code) & (cl["claim_type"] == "fact")]
        for _, c in shares.iterrows():
            counts = cl[(cl["indicator"] == num_code) & (cl["country_iso3"] == c["country_iso3"])
                        & (cl["year"] == c["year"]) & (cl["claim_type"] == "fact")]
            if counts.empty:
                continue
            n = counts.iloc[0]
            y = _year(c)
            check = (f"share implied by {n['claim_id']} ({_num(n['value'])}) ÷ population SP.POP.TOTL {y}, "
                     f"vs the share stated beside it")
            expected = f"{_share(c['value'])} beside {_num(n['value'])}"
            options, lacking = _options(df, vint, "SP.POP.TOTL", c["country_iso3"], (y,))
            if not options:
                rows.append(_row(c, check, expected, _nearest(df, c["country_iso3"], "SP.POP.TOTL", y),
                                 NOT_CHECKABLE, tolerance=f"±{SHARE_TOLERANCE_PP:g} pp"))
                continue

            def evaluate(pop, n=n, c=c):
                implied = n["value"] / pop * 100
                diff = implied - c["value"]
                found = (f"{_pct(implied)} ({_num(n['value'])} ÷ {_num(pop)} people); a share of "
                         f"{_share(c['value'])} would need a population of {_num(n['value'] / c['value'] * 100)}")
                return _judge(diff, SHARE_TOLERANCE_PP, INCONSISTENT), found, diff

            verdict, res = _over(options, evaluate)
            rows.append(_row(c, check, expected, res[0][3], verdict, f"{res[0][4]:+.1f} pp",
                             f"±{SHARE_TOLERANCE_PP:g} pp", res[0][1],
                             _sensitivity("SP.POP.TOTL", (y,), res, lacking)))
    return rows


def check_counts(cl: pd.DataFrame, df: pd.DataFrame, vint: dict | None = None) -> list[dict]:
    """Absolute counts against the count the World Bank series imply (rate × population)."""
    rows = []
    for _, c in cl[cl["indicator"].isin(list(COUNT_SERIES)) & (cl["claim_type"] == "fact")].iterrows():
        code, per, how = COUNT_SERIES[c["indicator"]]
        y = _year(c)
        check = f"{c['indicator']} vs World Bank {code} {y} × SP.POP.TOTL {y} ({how})"
        rate = _point(df, c["country_iso3"], code, y)
        options, lacking = _options(df, vint, "SP.POP.TOTL", c["country_iso3"], (y,))
        if rate is None or not options:
            missing = code if rate is None else "SP.POP.TOTL"
            rows.append(_row(c, check, _num(c["value"]), _nearest(df, c["country_iso3"], missing, y),
                             NOT_CHECKABLE, tolerance=f"±{COUNT_TOLERANCE_REL:.0%}"))
            continue

        def evaluate(pop, c=c, rate=rate, per=per):
            implied = rate[0] / per * pop
            rel = implied / c["value"] - 1
            return _judge(rel, COUNT_TOLERANCE_REL), _num(implied), rel

        verdict, res = _over(options, evaluate)
        rows.append(_row(c, check, _num(c["value"]), res[0][3], verdict, f"{res[0][4]:+.1%}",
                         f"±{COUNT_TOLERANCE_REL:.0%}", f"{rate[1]}; {res[0][1]}",
                         _sensitivity("SP.POP.TOTL", (y,), res, lacking)))
    for _, c in cl[(cl["indicator"] == "IT.CEL.SETS.NUM") & (cl["claim_type"] == "fact")].iterrows():
        y = _year(c)
        rate, pop = _point(df, c["country_iso3"], "IT.CEL.SETS.P2", y), _point(df, c["country_iso3"], "SP.POP.TOTL", y)
        found = (f"{_num(rate[0] / 100 * pop[0])} subscriptions (IT.CEL.SETS.P2 × population), "
                 "a different measure" if rate and pop else "no subscription data for that year")
        rows.append(_row(c, f"mobile users vs World Bank mobile subscriptions {y}", _num(c["value"]), found,
                         NOT_CHECKABLE, tolerance="–",
                         data_source=f"{rate[1]}; {pop[1]}" if rate and pop else ""))
    return rows


def check_population(cl: pd.DataFrame, df: pd.DataFrame, vint: dict | None = None) -> list[dict]:
    rows = []
    for _, c in cl[cl["indicator"] == "SP.POP.TOTL"].iterrows():
        y = _year(c)
        who = "sum of the five Central Asian countries" if c["country_iso3"] == "C5" else c["country_iso3"]
        check = (f"population vs World Bank SP.POP.TOTL {y} ({who}"
                 f"{'' if pd.notna(c['year']) else '; undated claim read as ' + str(PAPER_YEAR)})")
        options, lacking = _options(df, vint, "SP.POP.TOTL", c["country_iso3"], (y,))
        if not options:
            rows.append(_row(c, check, _num(c["value"]), "no population data", NOT_CHECKABLE))
            continue

        def evaluate(pop, c=c):
            rel = pop / c["value"] - 1
            return _judge(rel, COUNT_TOLERANCE_REL), _num(pop), rel

        verdict, res = _over(options, evaluate)
        rows.append(_row(c, check, _num(c["value"]), res[0][3], verdict, f"{res[0][4]:+.1%}",
                         f"±{COUNT_TOLERANCE_REL:.0%}", res[0][1], _sensitivity("SP.POP.TOTL", (y,), res, lacking)))
    return rows


def _direction(v: float) -> str:
    return "a rise" if v > 0 else "a fall" if v < 0 else "no change"


def check_growth(cl: pd.DataFrame, df: pd.DataFrame, vint: dict | None = None) -> list[dict]:
    """Stated growth of a user count vs the growth of (share or rate × population)
    between the previous and the claim's calendar year. A stated fall that the
    data show as a rise (or the reverse) is contradicted, whatever the tolerance."""
    rows = []
    for _, c in cl[cl["indicator"].isin(list(GROWTH_SERIES))].iterrows():
        code = GROWTH_SERIES[c["indicator"]]
        y = _year(c)
        check = f"growth of users vs World Bank {code} × SP.POP.TOTL, {y - 1}→{y}"
        tol = f"same direction, then ±{GROWTH_TOLERANCE_PP:g} pp"
        if re.search(rf"({MONTHS})\s*[-–]\s*({MONTHS})", str(c["note"])):
            rows.append(_row(c, check, f"{c['value']:+g}%", "the claim covers a few months; the data are yearly",
                             NOT_CHECKABLE, tolerance=tol))
            continue
        r0, r1 = (_point(df, c["country_iso3"], code, t) for t in (y - 1, y))
        options, lacking = _options(df, vint, "SP.POP.TOTL", c["country_iso3"], (y - 1, y))
        if r0 is None or r1 is None or not options:
            rows.append(_row(c, check, f"{c['value']:+g}%", _nearest(df, c["country_iso3"], code, y),
                             NOT_CHECKABLE, tolerance=tol))
            continue

        def evaluate(p0, p1, c=c, r0=r0, r1=r1):
            growth = (r1[0] * p1 / (r0[0] * p0) - 1) * 100
            diff = growth - c["value"]
            if c["value"] * growth < 0:
                return CONTRADICTED, f"{growth:+.1f}% ({_direction(growth)}, where the paper states {_direction(c['value'])})", diff
            return _judge(diff, GROWTH_TOLERANCE_PP), f"{growth:+.1f}%", diff

        verdict, res = _over(options, evaluate)
        rows.append(_row(c, check, f"{c['value']:+g}% ({_direction(c['value'])})", res[0][3], verdict,
                         f"{res[0][4]:+.1f} pp", tol, f"{r1[1]}; {res[0][1]}",
                         _sensitivity("SP.POP.TOTL", (y - 1, y), res, lacking)))
    return rows


def check_egdi_groups(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    rows = []
    for cid, (g0, g1) in EGDI_GROUP_MOVES.items():
        c = cl[cl["claim_id"] == cid]
        if c.empty:
            continue
        c = c.iloc[0]
        v0, v1 = (_point(df, c["country_iso3"], "EGDI.INDEX", t) for t in (2016, 2018))
        check = "EGDI group 2016 → 2018 (UN groups: very high ≥ 0.75, high ≥ 0.50, middle ≥ 0.25) vs EGDI.INDEX"
        if v0 is None or v1 is None:
            rows.append(_row(c, check, f"{g0} → {g1}", "no EGDI value for 2016 or 2018", NOT_CHECKABLE))
            continue
        f0, f1 = egdi_group(v0[0]), egdi_group(v1[0])
        rows.append(_row(c, check, f"{g0} → {g1}", f"{f0} ({v0[0]:.3f}) → {f1} ({v1[0]:.3f})",
                         CONSISTENT if (f0, f1) == (g0, g1) else CONTRADICTED, tolerance="same group",
                         data_source=v1[1]))
    return rows


def _periods(spec: str | None) -> list[tuple[int, int]]:
    out = []
    for part in ("" if pd.isna(spec) else str(spec)).split(";"):
        part = part.strip()
        if part:
            a, _, b = part.partition("-")
            out.append((int(a), int(b or a)))
    return out


def _strategy_claim(cl: pd.DataFrame, s: pd.Series) -> pd.Series:
    """The ledger claim that states this strategy's period (its start, else its end)."""
    own = cl[(cl["country_iso3"] == s["country_iso3"]) & (cl["topic"] == "strategy")]
    if pd.notna(s["start_year"]):
        hit = own[own["indicator"].isin(["strategy.start", "strategy.phase_start"]) & (own["value"] == s["start_year"])]
        if len(hit):
            return hit.iloc[0]
    hit = own[own["indicator"].isin(["strategy.end", "strategy.phase_end"]) & (own["value"] == s["end_year"])]
    return hit.iloc[0] if len(hit) else own.iloc[0]


def _same(ok: bool) -> str:
    return CONSISTENT if ok else INCONSISTENT


def check_strategies(cl: pd.DataFrame, st: pd.DataFrame) -> list[dict]:
    """Internal consistency of the strategies' dates: start ≤ end, adopted no later
    than the start, phases contiguous and exactly covering the period, the number
    of phases as the paper states it, and the ledger's phases equal to the table's.
    A failure is within the paper: no data hold a policy calendar."""
    rows = []
    for _, s in st.iterrows():
        c = _strategy_claim(cl, s).copy()
        c["quote"] = s["quote"]
        name = s["name"]
        start, end = s["start_year"], s["end_year"]
        if pd.notna(start):
            rows.append(_row(c, f"{name}: start ≤ end", f"{start} ≤ {end}", f"{start} ≤ {end}",
                             _same(start <= end), tolerance="exact", data_source="strategies.csv"))
            adopted = int(str(s["adopted"])[:4])
            rows.append(_row(c, f"{name}: adopted no later than its first year", f"{s['adopted']} ≤ {start}",
                             f"{adopted} ≤ {start}", _same(adopted <= start),
                             tolerance="exact", data_source="strategies.csv"))
        phases = _periods(s["phases"])
        if not phases:
            continue
        gaps = [f"{a[1]}→{b[0]}" for a, b in zip(phases, phases[1:]) if b[0] != a[1] + 1]
        inside = phases[0][0] == start and phases[-1][1] == end and all(a <= b for a, b in phases)
        found = "; ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in phases)
        rows.append(_row(c, f"{name}: phases contiguous and covering {start}–{end}",
                         f"phases from {start} to {end} without gaps or overlaps",
                         found + (f"; gaps/overlaps at {', '.join(gaps)}" if gaps else ""),
                         _same(inside and not gaps), tolerance="exact", data_source="strategies.csv"))
        own = cl[(cl["country_iso3"] == s["country_iso3"]) & (cl["topic"] == "strategy")]
        count = own[own["indicator"] == "strategy.phases"]
        if len(count):
            n = count.iloc[0]
            rows.append(_row(n, f"{name}: number of phases stated vs listed", f"{n['value']:.0f}", f"{len(phases)}",
                             _same(n["value"] == len(phases)), tolerance="exact",
                             data_source="seed_claims.csv; strategies.csv"))
        starts = own.loc[own["indicator"] == "strategy.phase_start", "value"].astype(int).tolist()
        ends = own.loc[own["indicator"] == "strategy.phase_end", "value"].astype(int).tolist()
        ledger_phases = list(zip(starts, ends))
        if ledger_phases:
            rows.append(_row(c, f"{name}: phases in the claims ledger equal the strategies table",
                             found, "; ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in ledger_phases),
                             _same(ledger_phases == phases), tolerance="exact",
                             data_source="seed_claims.csv; strategies.csv"))
    for _, c in cl[cl["indicator"] == "strategy.name_year"].iterrows():
        ends = cl[(cl["country_iso3"] == c["country_iso3"]) & (cl["indicator"] == "strategy.end")]
        if ends.empty:
            continue
        e = ends.iloc[0]
        rows.append(_row(c, f"year in the programme's name vs the period end the paper states ({e['claim_id']}); "
                            "a point about the paper's own naming, which no data decide",
                         f"{e['value']:.0f}", f"{c['value']:.0f}", _same(e["value"] == c["value"]),
                         tolerance="exact", data_source="seed_claims.csv"))
    return rows


def check_internal(cl: pd.DataFrame) -> list[dict]:
    """Pairs of the paper's own figures that describe one quantity (or a part and
    its whole) and must agree (:data:`INTERNAL_PAIRS`)."""
    rows = []
    by_id = cl.set_index("claim_id")
    for cid, rel, others, what in INTERNAL_PAIRS:
        if cid not in by_id.index or any(o not in by_id.index for o in others):
            continue
        c = by_id.loc[cid].copy()
        c["claim_id"] = cid
        v = float(c["value"])
        vals = [float(by_id.loc[o, "value"]) for o in others]
        w = [claim_value(x, by_id.loc[o, "unit"]) for x, o in zip(vals, others)]
        if rel == "≤":
            ok, expected, found = v <= vals[0], f"{_num(v)} ≤ {w[0]} ({others[0]})", f"{_num(v)} vs {w[0]}"
        else:
            diff = vals[1] - vals[0]
            ok = v == diff
            expected, found = f"{_num(v)}", f"{w[1]} − {w[0]} = {_num(diff)} ({others[1]} − {others[0]})"
        rows.append(_row(c, f"{what} ({', '.join(others)})", expected, found, _same(ok), tolerance="exact",
                         data_source="seed_claims.csv"))
    return rows


def check_conversions(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """Each tenge amount the paper converts to dollars, against the official
    annual rate (PA.NUS.FCRF) of the year the conversion was made: the claim's
    year for a fact, the paper's year for a forecast (a future rate is unknown)."""
    rows = []
    for _, k in cl[cl["unit"] == "kzt"].iterrows():
        usd = cl[(cl["unit"] == "usd") & (cl["indicator"] == k["indicator"]) & (cl["country_iso3"] == k["country_iso3"])
                 & (cl["year"] == k["year"]) & (cl["quote"] == k["quote"])]
        if usd.empty:
            continue
        u = usd.iloc[0]
        forecast = u["claim_type"] in ("target", "forecast")
        y = PAPER_YEAR if forecast or pd.isna(u["year"]) else int(u["year"])
        when = (f"the paper's year {y}, as the amount is a forecast for {int(u['year'])}" if forecast
                else f"the year of the amount, {y}")
        check = f"US$ conversion of {k['claim_id']} vs the official rate PA.NUS.FCRF {y} ({when})"
        implied = k["value"] / u["value"]
        rate = _point(df, k["country_iso3"], "PA.NUS.FCRF", y)
        expected = f"{_usd(u['value'])} (implies {implied:.1f} tenge per US$)"
        if rate is None:
            rows.append(_row(u, check, expected, _nearest(df, k["country_iso3"], "PA.NUS.FCRF", y), NOT_CHECKABLE,
                             tolerance=f"±{FX_TOLERANCE_REL:.0%}"))
            continue
        conv = k["value"] / rate[0]
        rel = u["value"] / conv - 1
        found = f"{_num(k['value'])} tenge ÷ {rate[0]:.1f} tenge per US$ = {_usd(conv)}"
        if forecast and pd.notna(u["year"]):
            later = _point(df, k["country_iso3"], "PA.NUS.FCRF", int(u["year"]))
            if later:
                found += (f" (at the {int(u['year'])} rate, {later[0]:.1f}, it would be {_usd(k['value'] / later[0])},"
                          " a rate no one knew when the paper was written)")
        rows.append(_row(u, check, expected, found, _judge(rel, FX_TOLERANCE_REL), f"{rel:+.1%}",
                         f"±{FX_TOLERANCE_REL:.0%}", rate[1]))
    return rows


def check_shares_of_totals(cl: pd.DataFrame, df: pd.DataFrame, vint: dict | None = None) -> list[dict]:
    """An amount and the share of a total the paper states beside it imply the total;
    it must be of the size the macro data give (:data:`PLAUSIBLE_RATIO`), in every
    year the undated figure may refer to and with every GDP vintage."""
    rows = []
    lo, hi = PLAUSIBLE_RATIO
    for amount_code, (share_code, pct_code, what, how) in SHARE_OF_TOTAL.items():
        for _, a in cl[(cl["indicator"] == amount_code) & (cl["claim_type"] == "fact")].iterrows():
            same_year = cl["year"].isna() if pd.isna(a["year"]) else cl["year"] == a["year"]
            sh = cl[(cl["indicator"] == share_code) & (cl["country_iso3"] == a["country_iso3"]) & same_year]
            if sh.empty:
                continue
            s = sh.iloc[0]
            years = UNDATED_YEARS if pd.isna(a["year"]) else (int(a["year"]),)
            implied = a["value"] / (s["value"] / 100)
            ys = "–".join(map(str, years)) if len(years) > 1 else str(years[0])
            check = (f"{what} implied by {a['claim_id']} and {s['claim_id']} vs {how}, {ys}"
                     f"{' (undated; read in each year)' if pd.isna(a['year']) else ''}")
            expected = f"{_usd(a['value'])} = {_share(s['value'])} of {what}, so {what} of {_usd(implied)}"
            results, lacking_all, sources = [], [], []
            for y in years:
                pct = _point(df, a["country_iso3"], pct_code, y)
                options, lacking = _options(df, vint, "NY.GDP.MKTP.CD", a["country_iso3"], (y,))
                if pct is None or not options:
                    lacking_all.append(f"{y}: no {pct_code if pct is None else 'GDP'} value")
                    continue
                sources.append(pct[1])

                def evaluate(gdp, pct=pct, y=y):
                    total = pct[0] / 100 * gdp
                    ratio = implied / total
                    ok = lo <= ratio <= hi
                    found = (f"{what} {y}: {_usd(total)} ({pct[0]:.1f}% of GDP {_usd(gdp)}); the implied "
                             f"{_usd(implied)} is {ratio:.1%} of it ({implied / gdp:.2%} of GDP)")
                    return (CONSISTENT if ok else IMPLAUSIBLE), found, ratio

                _, res = _over(options, evaluate)
                results += [(vals, src, v, f, r, y) for vals, src, v, f, r in res]
            if not results:
                for c in (a, s):
                    rows.append(_row(c, check, expected, "; ".join(lacking_all), NOT_CHECKABLE,
                                     tolerance=f"{lo:g}× to {hi:g}× the data's total"))
                continue
            verdicts = list(dict.fromkeys(r[2] for r in results))
            verdict = verdicts[0] if len(verdicts) == 1 else DEPENDS
            ratios = [r[4] for r in results]
            sens = "; ".join(f"{r[5]} with GDP of {r[1]} ({_usd(r[0][0])}): {r[4]:.1%}, {r[2]}" for r in results)
            if lacking_all:
                sens += "; " + "; ".join(lacking_all)
            sens += ("; the verdict is the same with every year and vintage" if len(verdicts) == 1
                     else "; the verdict depends on the year and vintage")
            diff = (f"implied total {min(ratios):.1%}" + (f"–{max(ratios):.1%}" if len(ratios) > 1 else "")
                    + " of the data's")
            for c in (a, s):
                rows.append(_row(c, check, expected, results[0][3], verdict, diff,
                                 f"{lo:g}× to {hi:g}× the data's total",
                                 "; ".join(dict.fromkeys(sources + [results[0][1]])), sens))
    return rows


def check_adult_shares(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """A share of adults beside a count of users: what the two imply for the adult
    population. Deciding it needs the population by age, which the book lacks."""
    rows = []
    for _, c in cl[cl["indicator"] == "internet.adult_users_share"].iterrows():
        n = cl[(cl["indicator"] == "IT.NET.USER.NUM") & (cl["country_iso3"] == c["country_iso3"])
               & (cl["year"] == c["year"])]
        pop = _point(df, c["country_iso3"], "SP.POP.TOTL", _year(c))
        check = "share of adults using the internet vs the users counted beside it and the population; " + NEEDS[c["indicator"]]
        if n.empty or pop is None:
            rows.append(_row(c, check, _share(c["value"]), "–", NOT_CHECKABLE))
            continue
        n = n.iloc[0]
        adults = n["value"] / (c["value"] / 100)
        found = (f"for the {_num(n['value'])} users ({n['claim_id']}) to include {_share(c['value'])} of adults, adults "
                 f"would number at most {_num(adults)}, {adults / pop[0]:.0%} of the {_num(pop[0])} people "
                 f"({_year(c)}); whether they do, the book's data cannot say")
        rows.append(_row(c, check, _share(c["value"]), found, NOT_CHECKABLE, data_source=pop[1]))
    return rows


#: Why a claim has no independent check, by topic (the data hold none of these).
UNCHECKED_REASON = {
    "ranking": "no independent series of this ranking in the data",
    "strategy": "a policy date or count; the data hold no policy calendar",
}


def unchecked(cl: pd.DataFrame, checked: set[str]) -> list[dict]:
    rows = []
    for _, c in cl[~cl["claim_id"].isin(checked)].iterrows():
        reason = NEEDS.get(c["indicator"]) or UNCHECKED_REASON.get(
            c["topic"], f"no independent series on {c['topic'].replace('_', ' ')} in the data")
        if c["claim_type"] in ("target", "forecast"):
            reason = "a target or forecast: see the targets table"
        rows.append(_row(c, reason, claim_value(c["value"], c["unit"]), "–", NOT_CHECKABLE))
    return rows


def compute(cl: pd.DataFrame | None = None, df: pd.DataFrame | None = None,
            st: pd.DataFrame | None = None, vint: dict | None = None) -> pd.DataFrame:
    """The audit table: one row per (claim, check), sorted by claim id and check.
    ``vint``: the denominators' vintages (:func:`vintages`); by default the registry's
    alternatives beside the book's data, or only ``df``'s own values when ``df`` is given."""
    own_data = df is None
    cl = ledger.claims() if cl is None else cl
    df = indicators.load() if df is None else df
    st = ledger.strategies() if st is None else st
    vint = vintages(df, registry_alternatives=own_data) if vint is None else vint
    rows = (check_internet_shares(cl, df) + check_ranks(cl, df) + check_c5_ranks(cl, df)
            + check_implied_shares(cl, df, vint) + check_counts(cl, df, vint) + check_population(cl, df, vint)
            + check_growth(cl, df, vint) + check_egdi_groups(cl, df) + check_strategies(cl, st)
            + check_internal(cl) + check_conversions(cl, df) + check_shares_of_totals(cl, df, vint)
            + check_adult_shares(cl, df))
    rows += unchecked(cl, {r["claim_id"] for r in rows})
    out = pd.DataFrame(rows, columns=COLUMNS)
    dup = out.duplicated(["claim_id", "check"])
    if dup.any():
        raise DataError(AUDIT_CSV, f"two checks of {out[dup].iloc[0]['claim_id']} share the name "
                                   f"{out[dup].iloc[0]['check']!r}")
    return out.sort_values(["claim_id", "check"], kind="stable").reset_index(drop=True)


def flagged(audit_df: pd.DataFrame) -> pd.DataFrame:
    """The rows whose verdict flags the paper's figure."""
    return audit_df[audit_df["verdict"].isin(FLAGGED)]


_WRITTEN: dict = {}


def flag_for(claim_id: str, audit_df: pd.DataFrame | None = None) -> str | None:
    """The audit's verdict(s) on a figure, in the verdicts' own words ("contradicted
    by the data", "implausible"...), when any check flagged it; None when none did.
    For chapters that show a paper's figure: mark it with this text."""
    a = written_cached() if audit_df is None else audit_df
    v = a.loc[(a["claim_id"] == claim_id) & a["verdict"].isin(FLAGGED), "verdict"]
    if v.empty:
        return None
    return "; ".join(k for k in FLAGGED if k in set(v))


def written_cached() -> pd.DataFrame:
    """:func:`written`, read once per content of the file."""
    key = AUDIT_CSV.stat().st_mtime_ns if AUDIT_CSV.exists() else None
    if _WRITTEN.get("key") != key or "df" not in _WRITTEN:
        _WRITTEN.update(key=key, df=written())
    return _WRITTEN["df"]


# ------------------------------------------------------------------- targets
#: Targets whose outcome a series of the data decides: ledger indicator → data indicator.
MEASURABLE = {"IT.NET.USER.ZS": "IT.NET.USER.ZS"}
#: Targets a proxy decides: ledger indicator → (proxy, how it is computed, its limits).
PROXIES = {
    "broadband.coverage_people": (
        "internet users = IT.NET.USER.ZS × SP.POP.TOTL",
        "people who used the internet, by any connection (mobile included), not people who could get broadband: "
        "access can exceed use, so a shortfall would not prove the plan missed, while reaching the number means at "
        "least that many people were online"),
    "egov.public_services_digitalised_share": (
        "UN Online Service Index (EGDI.OSI) × 100",
        "the OSI scores the scope and quality of the national portal's services against the UN survey's "
        "checklist (0 to 1); it is not the share of the country's public services that are digital, and the UN "
        "rescales it every survey"),
}
#: Dated public records (a decree's date, not a statistic) that decide a dated
#: target the statistics cannot: one row per target, each naming its document
#: and its key in book/references.bib.
RECORDS_CSV = DATA / "policy_records.csv"
RECORD_COLUMNS = ["record_id", "claim_id", "country_iso3", "subject", "deadline", "event", "date", "document",
                  "bib_key"]
RECORD_EVENTS = ["adopted"]
PROXIES["strategy.deadline"] = (
    "the date the strategy was adopted, from a dated public record (data/policy_records.csv)",
    "a strategy is formulated before it is adopted, so the adoption date is the latest date by which it was "
    "formulated; the ledger records the target as a year, and within it the record cannot show whether the draft "
    "was ready by the day the paper names")


def records(path: Path = RECORDS_CSV, cl: pd.DataFrame | None = None) -> pd.DataFrame:
    """The dated public records, validated against the ledger and the bibliography:
    a bad row stops with file, row and column named."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise DataError(path, f"cannot be read as CSV: {exc}".splitlines()[0]) from None
    if list(df.columns) != RECORD_COLUMNS:
        raise DataError(path, f"columns must be {', '.join(RECORD_COLUMNS)}")
    cl = (ledger.claims() if cl is None else cl).set_index("claim_id")
    bib = set(re.findall(r"^@\w+\{([^,\s]+),", (BOOK / "references.bib").read_text(encoding="utf-8"), re.M))
    iso = r"^\d{4}-\d{2}-\d{2}$"
    for i, r in df.iterrows():
        target = cl.loc[r["claim_id"]] if r["claim_id"] in cl.index else None
        checks = [("record_id", re.fullmatch(r"REC-\d{3}", r["record_id"]) is not None
                   and (df["record_id"] == r["record_id"]).sum() == 1),
                  ("claim_id", target is not None and target["claim_type"] == "target"
                   and (df["claim_id"] == r["claim_id"]).sum() == 1),
                  ("country_iso3", target is not None and r["country_iso3"] == target["country_iso3"]),
                  ("subject", bool(r["subject"].strip())),
                  ("deadline", re.fullmatch(iso, r["deadline"]) is not None),
                  ("event", r["event"] in RECORD_EVENTS),
                  ("date", re.fullmatch(iso, r["date"]) is not None),
                  ("document", bool(r["document"].strip())),
                  ("bib_key", r["bib_key"] in bib)]
        for col, ok in checks:
            if not ok:
                raise DataError(path, f"invalid value {r[col]!r}", row=i + 2, column=col)
    return df


def _record_proxy(c: pd.Series, rec: pd.DataFrame | None = None) -> tuple[float, str, str] | None:
    """(the year adopted, the record in words, its source) for a dated target."""
    rec = records() if rec is None else rec
    rec = rec[rec["claim_id"] == c["claim_id"]]
    if rec.empty:
        return None
    r = rec.iloc[0]
    date, deadline = pd.Timestamp(r["date"]), pd.Timestamp(r["deadline"])
    days = (date - deadline).days
    when = (f"{abs(days)} days {'after' if days > 0 else 'before'} the deadline of {_day(deadline)}" if days
            else f"on the deadline, {_day(deadline)}")
    return (float(date.year), f"{r['event']} on {_day(date)} by {r['document']}, {when}",
            f"policy_records.csv: {r['record_id']} ({r['bib_key']})")


def _day(d: pd.Timestamp) -> str:
    return f"{d.day} {d:%B %Y}"


#: Targets a series bounds from above: reaching the bound decides nothing, falling short of it is a miss.
UPPER_BOUNDS = {
    "mobile.smartphone_users": (
        "internet users = IT.NET.USER.ZS × SP.POP.TOTL",
        "a smartphone user is counted among internet users (the ITU counts anyone who went online in the last "
        "three months, by any device), so there cannot be more smartphone users than internet users"),
}


def _upper_bound(c: pd.Series, df: pd.DataFrame, y: int) -> tuple[float, str, str] | None:
    share, pop = _point(df, c["country_iso3"], "IT.NET.USER.ZS", y), _point(df, c["country_iso3"], "SP.POP.TOTL", y)
    if share is None or pop is None:
        return None
    v = share[0] / 100 * pop[0]
    return v, f"{_pct(share[0])} of {_num(pop[0])} people = {_num(v)} internet users ({y})", f"{share[1]}; {pop[1]}"


#: Targets a named source would decide, which the book lacks: ledger indicator prefix → that source.
NEEDS_SOURCE_FOR = [
    ("IDI.RANK", "the ITU ICT Development Index of the due year: the old index ended with the 2017 edition, and "
                 "the new-method editions of 2023 and 2024 are not comparable with the 2016 baseline (52nd), so "
                 "they would not judge this target as set (see the text above the table)"),
    ("mobile.smartphone_users", "a count of smartphone users (operators' or the regulator's figures); mobile "
                                "subscriptions count SIM cards and internet users include computer users, so "
                                "neither decides it"),
    ("infrastructure.fibre_social_facilities", "a count of schools and medical institutions connected by fibre"),
    ("infrastructure.5g", "a dated record of 5G launches (operators' or the regulator's announcements)"),
    ("strategy.deadline", "the date the National Digital Strategy 2030 was adopted"),
    ("ecommerce.crossborder_volume", "China's official cross-border e-commerce turnover (customs statistics)"),
    ("ecommerce.", "Kazakhstan's official statistics on online-shopping turnover and retail sales"),
    ("logistics.", "figures on e-commerce transit revenue and the jobs it created"),
    ("economy.productivity_growth", "labour productivity growth (e.g. ILO modelled GDP per person employed)"),
    ("training.", "a count of programmers trained under the project"),
]


def _due(c: pd.Series) -> str:
    return "not stated" if pd.isna(c["year"]) else str(int(c["year"]))


def _proxy(c: pd.Series, df: pd.DataFrame, y: int) -> tuple[float, str, str] | None:
    """(proxy value in the target's unit, its figure in words, its sources) for the due year."""
    iso3 = c["country_iso3"]
    if c["indicator"] == "broadband.coverage_people":
        share, pop = _point(df, iso3, "IT.NET.USER.ZS", y), _point(df, iso3, "SP.POP.TOTL", y)
        if share is None or pop is None:
            return None
        v = share[0] / 100 * pop[0]
        return v, f"{_pct(share[0])} of {_num(pop[0])} people = {_num(v)} internet users ({y})", f"{share[1]}; {pop[1]}"
    if c["indicator"] == "egov.public_services_digitalised_share":
        osi = _point(df, iso3, "EGDI.OSI", y)
        if osi is None:
            return None
        return osi[0] * 100, f"EGDI.OSI {y}: {osi[0]:.3f} (read as {_pct(osi[0] * 100)})", osi[1]
    if c["indicator"] == "strategy.deadline":
        return _record_proxy(c)
    return None


def targets(cl: pd.DataFrame | None = None, df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every numeric target or forecast of the ledger against the later data."""
    cl = ledger.claims() if cl is None else cl
    df = indicators.load() if df is None else df
    latest_year = int(df["year"].max())
    rows = []
    for _, c in cl[cl["claim_type"].isin(["target", "forecast"])].iterrows():
        target = claim_value(c["value"], c["unit"])
        row = {"claim_id": c["claim_id"], "country_iso3": c["country_iso3"], "country": country_name(c["country_iso3"]),
               "claim_type": c["claim_type"], "quote": c["quote"], "target": target, "due": _due(c),
               "outcome": NOT_MEASURABLE, "deciding_figure": "–", "explanation": "", "data_source": ""}
        rows.append(row)
        if pd.isna(c["year"]):
            row["explanation"] = "no due year is stated, so no year's figure can decide it"
            continue
        y = int(c["year"])
        if y > latest_year:
            row.update(outcome=NOT_DUE, explanation=f"due in {y}; the latest data are for {latest_year}")
            continue
        code = MEASURABLE.get(c["indicator"])
        if code:
            p = _point(df, c["country_iso3"], code, y)
            if p is None:
                row["explanation"] = _nearest(df, c["country_iso3"], code, y, _pct)
                continue
            higher = indicators.higher_is_better(code)
            met = p[0] >= c["value"] if higher else p[0] <= c["value"]
            row.update(outcome=MET if met else MISSED, data_source=p[1],
                       deciding_figure=f"{code} {y}: {_pct(p[0])}",
                       explanation=f"the data give {_pct(p[0])} for {y}, "
                                   f"{abs(p[0] - c['value']):.1f} points {'above' if p[0] >= c['value'] else 'below'} the target")
            continue
        if c["indicator"] in PROXIES:
            how, limits = PROXIES[c["indicator"]]
            p = _proxy(c, df, y)
            if p is None:
                row["explanation"] = f"the proxy ({how}) has no {y} value; limits: {limits}"
                continue
            met = p[0] <= c["value"] if c["unit"] == "year" else p[0] >= c["value"]
            found = {"people": _num(p[0]), "year": f"adopted in {p[0]:.0f}"}.get(c["unit"]) or claim_value(p[0], c["unit"])
            row.update(outcome=MET_PROXY if met else MISSED_PROXY, deciding_figure=p[1], data_source=p[2],
                       explanation=f"proxy: {how}; {found} against the target of {target}. Limits: {limits}")
            continue
        need = next((r for prefix, r in NEEDS_SOURCE_FOR if c["indicator"].startswith(prefix)), None)
        bound = _upper_bound(c, df, y) if c["indicator"] in UPPER_BOUNDS else None
        if bound and bound[0] < c["value"]:
            how, limits = UPPER_BOUNDS[c["indicator"]]
            row.update(outcome=MISSED_PROXY, deciding_figure=bound[1], data_source=bound[2],
                       explanation=f"proxy: {how}, an upper bound; {_num(bound[0])} against the target of {target}. "
                                   f"Limits: {limits}")
        elif need:
            seen = (f"; the upper bound the data give, {bound[1]}, is above the target, so it cannot show a miss"
                    if bound else "")
            row.update(outcome=NEEDS_SOURCE, explanation=f"would be decided by {need}{seen}")
        else:
            row["explanation"] = f"nothing observable in the data or elsewhere decides {c['indicator']}"
    return pd.DataFrame(rows, columns=TARGET_COLUMNS).sort_values("claim_id", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- main
def written() -> pd.DataFrame:
    """The audit table as last written by the Snakefile's ``audit`` rule (``python -m analysis.ledger.audit``)
    (the runner brings it up to date before executing any chapter), or
    computed afresh when it has not been written yet."""
    if not AUDIT_CSV.exists():
        return compute().astype(str)
    return pd.read_csv(AUDIT_CSV, dtype=str, keep_default_na=False)


def write(audit_df: pd.DataFrame, targets_df: pd.DataFrame) -> None:
    AUDIT_CSV.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_csv(AUDIT_CSV, audit_df, index=False, lineterminator="\n")
    atomic.write_csv(TARGETS_CSV, targets_df, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    try:
        counts = ledger.validate_all()
        a, t = compute(), targets()
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write(a, t)
    v = a["verdict"].value_counts()
    o = t["outcome"].value_counts()
    print(f"audit: ledger ok ({', '.join(f'{k} {n}' for k, n in counts.items())}); "
          f"{len(a)} checks: " + ", ".join(f"{v.get(k, 0)} {k}" for k in VERDICTS)
          + f"; {len(t)} targets: " + ", ".join(f"{o.get(k, 0)} {k}" for k in OUTCOMES))
    return 0


if __name__ == "__main__":
    from analysis import quickexit

    quickexit.install()  # a build step: no last garbage collection at exit
    sys.exit(main())
