"""Source audit: every figure of the papers that the independent data can
check, checked, plus the papers' targets set against what happened.

    python -m analysis.audit    # validate the ledger, write data/processed/audit.csv and targets.csv

Nothing here is typed from the papers: expected values come from
``data/seed_claims.csv`` / ``data/strategies.csv``, found values from
``data/processed/indicators.csv``. Tolerances are the named constants below;
the book's audit appendix prints them.
"""
from __future__ import annotations

import re
import sys

import pandas as pd

from . import atomic
from . import claims as ledger
from . import config, indicators
from .errors import DataError
from .paths import PROCESSED

AUDIT_CSV = PROCESSED / "audit.csv"
TARGETS_CSV = PROCESSED / "targets.csv"

CONSISTENT, DISCREPANCY, NOT_CHECKABLE = "consistent", "discrepancy", "not checkable"
VERDICTS = [CONSISTENT, DISCREPANCY, NOT_CHECKABLE]
MET, MISSED, NOT_MEASURABLE = "met", "missed", "not measurable"
OUTCOMES = [MET, MISSED, NOT_MEASURABLE]

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
#: The two tenge/US-dollar rates implied by the papers' conversions agree when
#: they differ by at most 5 %. Rounding "about US$1.3 billion" to one decimal
#: alone moves the implied rate by up to 3.8 %; more than 5 % means the paper
#: used two different rates.
FX_TOLERANCE_REL = 0.05
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

COLUMNS = ["claim_id", "country_iso3", "quote", "check", "expected", "found", "difference",
           "tolerance", "verdict", "data_source"]
TARGET_COLUMNS = ["claim_id", "country_iso3", "claim_type", "quote", "target", "due", "outcome",
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
         tolerance: str = "", data_source: str = "") -> dict:
    return {"claim_id": c["claim_id"], "country_iso3": c["country_iso3"], "quote": c["quote"], "check": check,
            "expected": expected, "found": found, "difference": difference, "tolerance": tolerance,
            "verdict": verdict, "data_source": data_source}


def _judge(diff: float, tol: float) -> str:
    return CONSISTENT if abs(diff) <= tol + 1e-9 else DISCREPANCY


def _year(c: pd.Series) -> int:
    return int(c["year"]) if pd.notna(c["year"]) else PAPER_YEAR


def _population(df: pd.DataFrame, iso3: str, year: int) -> tuple[float, str] | None:
    if iso3 == "C5":
        pts = [_point(df, p, "SP.POP.TOTL", year) for p in config.partners()]
        if any(p is None for p in pts):
            return None
        return sum(p[0] for p in pts), pts[0][1]
    return _point(df, iso3, "SP.POP.TOTL", year)


def egdi_group(value: float) -> str:
    return next(name for bound, name in EGDI_GROUPS if value >= bound)


# -------------------------------------------------------------------- checks
def check_internet_shares(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """Every internet-user share the papers state (not targets) against the World Bank, same year."""
    rows = []
    for _, c in cl[(cl["indicator"] == "IT.NET.USER.ZS") & (cl["claim_type"] == "fact")].iterrows():
        y = _year(c)
        check = f"internet users, % of population, vs World Bank IT.NET.USER.ZS {y}"
        p = _point(df, c["country_iso3"], "IT.NET.USER.ZS", y)
        if p is None:
            rows.append(_row(c, check, _pct(c["value"], 0 if c["value"] == int(c["value"]) else 1),
                             _nearest(df, c["country_iso3"], "IT.NET.USER.ZS", y, _pct), NOT_CHECKABLE,
                             tolerance=f"±{SHARE_TOLERANCE_PP:g} pp"))
            continue
        diff = p[0] - c["value"]
        rows.append(_row(c, check, _pct(c["value"]), _pct(p[0]), _judge(diff, SHARE_TOLERANCE_PP),
                         f"{diff:+.1f} pp", f"±{SHARE_TOLERANCE_PP:g} pp", p[1]))
    return rows


def check_ranks(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
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


def check_implied_shares(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """A paper's absolute count ÷ World Bank population of that year vs the share the
    paper states beside it (internet users; mobile users)."""
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
            check = (f"share implied by {n['claim_id']} ({_num(n['value'])}) ÷ World Bank population "
                     f"SP.POP.TOTL {y}")
            pop = _population(df, c["country_iso3"], y)
            if pop is None:
                rows.append(_row(c, check, _pct(c["value"], 0), _nearest(df, c["country_iso3"], "SP.POP.TOTL", y),
                                 NOT_CHECKABLE, tolerance=f"±{SHARE_TOLERANCE_PP:g} pp"))
                continue
            implied = n["value"] / pop[0] * 100
            diff = implied - c["value"]
            rows.append(_row(c, check, _pct(c["value"], 0), f"{_pct(implied)} (population {_num(pop[0])})",
                             _judge(diff, SHARE_TOLERANCE_PP), f"{diff:+.1f} pp",
                             f"±{SHARE_TOLERANCE_PP:g} pp", pop[1]))
    return rows


def check_counts(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """Absolute counts against the count the World Bank series imply (rate × population)."""
    rows = []
    for _, c in cl[cl["indicator"].isin(list(COUNT_SERIES)) & (cl["claim_type"] == "fact")].iterrows():
        code, per, how = COUNT_SERIES[c["indicator"]]
        y = _year(c)
        check = f"{c['indicator']} vs World Bank {code} {y} × SP.POP.TOTL {y} ({how})"
        rate, pop = _point(df, c["country_iso3"], code, y), _population(df, c["country_iso3"], y)
        if rate is None or pop is None:
            missing = code if rate is None else "SP.POP.TOTL"
            rows.append(_row(c, check, _num(c["value"]), _nearest(df, c["country_iso3"], missing, y),
                             NOT_CHECKABLE, tolerance=f"±{COUNT_TOLERANCE_REL:.0%}"))
            continue
        implied = rate[0] / per * pop[0]
        rel = implied / c["value"] - 1
        rows.append(_row(c, check, _num(c["value"]), _num(implied), _judge(rel, COUNT_TOLERANCE_REL),
                         f"{rel:+.1%}", f"±{COUNT_TOLERANCE_REL:.0%}", f"{rate[1]}; {pop[1]}"))
    for _, c in cl[(cl["indicator"] == "IT.CEL.SETS.NUM") & (cl["claim_type"] == "fact")].iterrows():
        y = _year(c)
        rate, pop = _point(df, c["country_iso3"], "IT.CEL.SETS.P2", y), _population(df, c["country_iso3"], y)
        found = (f"{_num(rate[0] / 100 * pop[0])} subscriptions (IT.CEL.SETS.P2 × population), "
                 "a different measure" if rate and pop else "no subscription data for that year")
        rows.append(_row(c, f"mobile users vs World Bank mobile subscriptions {y}", _num(c["value"]), found,
                         NOT_CHECKABLE, tolerance="–",
                         data_source=f"{rate[1]}; {pop[1]}" if rate and pop else ""))
    return rows


def check_population(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    rows = []
    for _, c in cl[cl["indicator"] == "SP.POP.TOTL"].iterrows():
        y = _year(c)
        who = "sum of the five Central Asian countries" if c["country_iso3"] == "C5" else c["country_iso3"]
        check = f"population vs World Bank SP.POP.TOTL {y} ({who}{'' if pd.notna(c['year']) else '; undated claim read as ' + str(PAPER_YEAR)})"
        pop = _population(df, c["country_iso3"], y)
        if pop is None:
            rows.append(_row(c, check, _num(c["value"]), "no population data", NOT_CHECKABLE))
            continue
        rel = pop[0] / c["value"] - 1
        rows.append(_row(c, check, _num(c["value"]), _num(pop[0]), _judge(rel, COUNT_TOLERANCE_REL),
                         f"{rel:+.1%}", f"±{COUNT_TOLERANCE_REL:.0%}", pop[1]))
    return rows


def check_growth(cl: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """Stated growth of a user count vs the growth of (share or rate × population)
    between the previous and the claim's calendar year."""
    rows = []
    for _, c in cl[cl["indicator"].isin(list(GROWTH_SERIES))].iterrows():
        code = GROWTH_SERIES[c["indicator"]]
        y = _year(c)
        check = f"growth of users vs World Bank {code} × SP.POP.TOTL, {y - 1}→{y}"
        if re.search(rf"({MONTHS})\s*[-–]\s*({MONTHS})", str(c["note"])):
            rows.append(_row(c, check, f"{c['value']:+g}%", "the claim covers a few months; the data are yearly",
                             NOT_CHECKABLE, tolerance=f"±{GROWTH_TOLERANCE_PP:g} pp"))
            continue
        pts = [(_point(df, c["country_iso3"], code, t), _population(df, c["country_iso3"], t)) for t in (y - 1, y)]
        if any(r is None or p is None for r, p in pts):
            rows.append(_row(c, check, f"{c['value']:+g}%", _nearest(df, c["country_iso3"], code, y),
                             NOT_CHECKABLE, tolerance=f"±{GROWTH_TOLERANCE_PP:g} pp"))
            continue
        n0, n1 = (r[0] * p[0] for r, p in pts)
        growth = (n1 / n0 - 1) * 100
        diff = growth - c["value"]
        rows.append(_row(c, check, f"{c['value']:+g}%", f"{growth:+.1f}%", _judge(diff, GROWTH_TOLERANCE_PP),
                         f"{diff:+.1f} pp", f"±{GROWTH_TOLERANCE_PP:g} pp", f"{pts[1][0][1]}; {pts[1][1][1]}"))
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
                         CONSISTENT if (f0, f1) == (g0, g1) else DISCREPANCY, tolerance="same group",
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


def check_strategies(cl: pd.DataFrame, st: pd.DataFrame) -> list[dict]:
    """Internal consistency of the strategies' dates: start ≤ end, adopted no later
    than the start, phases contiguous and exactly covering the period, the number
    of phases as the paper states it, and the ledger's phases equal to the table's."""
    rows = []
    for _, s in st.iterrows():
        c = _strategy_claim(cl, s).copy()
        c["quote"] = s["quote"]
        name = s["name"]
        start, end = s["start_year"], s["end_year"]
        if pd.notna(start):
            rows.append(_row(c, f"{name}: start ≤ end", f"{start} ≤ {end}", f"{start} ≤ {end}",
                             CONSISTENT if start <= end else DISCREPANCY, tolerance="exact",
                             data_source="strategies.csv"))
            adopted = int(str(s["adopted"])[:4])
            rows.append(_row(c, f"{name}: adopted no later than its first year", f"{s['adopted']} ≤ {start}",
                             f"{adopted} ≤ {start}", CONSISTENT if adopted <= start else DISCREPANCY,
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
                         CONSISTENT if inside and not gaps else DISCREPANCY, tolerance="exact",
                         data_source="strategies.csv"))
        own = cl[(cl["country_iso3"] == s["country_iso3"]) & (cl["topic"] == "strategy")]
        count = own[own["indicator"] == "strategy.phases"]
        if len(count):
            n = count.iloc[0]
            rows.append(_row(n, f"{name}: number of phases stated vs listed", f"{n['value']:.0f}", f"{len(phases)}",
                             CONSISTENT if n["value"] == len(phases) else DISCREPANCY, tolerance="exact",
                             data_source="seed_claims.csv; strategies.csv"))
        starts = own.loc[own["indicator"] == "strategy.phase_start", "value"].astype(int).tolist()
        ends = own.loc[own["indicator"] == "strategy.phase_end", "value"].astype(int).tolist()
        ledger_phases = list(zip(starts, ends))
        if ledger_phases:
            rows.append(_row(c, f"{name}: phases in the claims ledger equal the strategies table",
                             found, "; ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in ledger_phases),
                             CONSISTENT if ledger_phases == phases else DISCREPANCY, tolerance="exact",
                             data_source="seed_claims.csv; strategies.csv"))
    for _, c in cl[cl["indicator"] == "strategy.name_year"].iterrows():
        ends = cl[(cl["country_iso3"] == c["country_iso3"]) & (cl["indicator"] == "strategy.end")]
        if ends.empty:
            continue
        e = ends.iloc[0]
        rows.append(_row(c, f"year in the programme's name vs the period end the paper states ({e['claim_id']})",
                         f"{e['value']:.0f}", f"{c['value']:.0f}",
                         CONSISTENT if e["value"] == c["value"] else DISCREPANCY, tolerance="exact",
                         data_source="seed_claims.csv"))
    return rows


def check_exchange_rates(cl: pd.DataFrame) -> list[dict]:
    """Tenge amounts the paper converts to dollars: the implied KZT/USD rates of
    every such pair, compared with the first one."""
    rows = []
    kzt = cl[cl["unit"] == "kzt"]
    pairs = []
    for _, k in kzt.iterrows():
        usd = cl[(cl["unit"] == "usd") & (cl["indicator"] == k["indicator"]) & (cl["country_iso3"] == k["country_iso3"])
                 & (cl["year"] == k["year"]) & (cl["quote"] == k["quote"])]
        if len(usd):
            pairs.append((k, usd.iloc[0], k["value"] / usd.iloc[0]["value"]))
    if len(pairs) < 2:
        return rows
    base_k, base_u, base_rate = pairs[0]
    for k, u, rate in pairs[1:]:
        rel = rate / base_rate - 1
        rows.append(_row(u, f"implied KZT/USD rate of {k['claim_id']}/{u['claim_id']} vs "
                            f"{base_k['claim_id']}/{base_u['claim_id']}",
                         f"{base_rate:.1f} tenge per US$ ({_num(base_k['value'])} ÷ {_num(base_u['value'])})",
                         f"{rate:.1f} tenge per US$ ({_num(k['value'])} ÷ {_num(u['value'])})",
                         _judge(rel, FX_TOLERANCE_REL), f"{rel:+.1%}", f"±{FX_TOLERANCE_REL:.0%}",
                         "seed_claims.csv"))
    return rows


#: Why a claim has no independent check, by topic (the data hold none of these).
UNCHECKED_REASON = {
    "ranking": "no independent series of this ranking in the data",
    "strategy": "a policy date or count; the data hold no policy calendar",
}


def unchecked(cl: pd.DataFrame, checked: set[str]) -> list[dict]:
    rows = []
    for _, c in cl[~cl["claim_id"].isin(checked)].iterrows():
        reason = UNCHECKED_REASON.get(c["topic"], f"no independent series on {c['topic'].replace('_', ' ')} in the data")
        if c["claim_type"] in ("target", "forecast"):
            reason = "a target or forecast: see the targets table"
        rows.append(_row(c, reason, claim_value(c["value"], c["unit"]), "–", NOT_CHECKABLE))
    return rows


def compute(cl: pd.DataFrame | None = None, df: pd.DataFrame | None = None,
            st: pd.DataFrame | None = None) -> pd.DataFrame:
    """The audit table: one row per (claim, check), sorted by claim id and check."""
    cl = ledger.claims() if cl is None else cl
    df = indicators.load() if df is None else df
    st = ledger.strategies() if st is None else st
    rows = (check_internet_shares(cl, df) + check_ranks(cl, df) + check_implied_shares(cl, df)
            + check_counts(cl, df) + check_population(cl, df) + check_growth(cl, df)
            + check_egdi_groups(cl, df) + check_strategies(cl, st) + check_exchange_rates(cl))
    rows += unchecked(cl, {r["claim_id"] for r in rows})
    out = pd.DataFrame(rows, columns=COLUMNS)
    dup = out.duplicated(["claim_id", "check"])
    if dup.any():
        raise DataError(AUDIT_CSV, f"two checks of {out[dup].iloc[0]['claim_id']} share the name "
                                   f"{out[dup].iloc[0]['check']!r}")
    return out.sort_values(["claim_id", "check"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------- targets
#: Targets whose outcome the data can decide: ledger indicator → data indicator.
MEASURABLE = {"IT.NET.USER.ZS": "IT.NET.USER.ZS"}
#: Why the others cannot be decided, by ledger indicator prefix (first match wins).
NOT_MEASURABLE_REASON = [
    ("IDI.RANK", "ITU last published the ICT Development Index ranking in 2017 (data year 2016); it was then "
                 "discontinued, so no later IDI rank exists to compare with"),
    ("mobile.smartphone_users", "no smartphone-user series in the data (mobile subscriptions count SIM cards, "
                                "not smartphone users)"),
    ("broadband.coverage_people", "coverage (people who could get broadband) is not in the data; fixed "
                                  "broadband subscriptions measure take-up, not access"),
    ("infrastructure.", "no series on network roll-out (fibre to facilities, 5G sites) in the data"),
    ("strategy.", "a policy milestone; the data hold no policy calendar"),
    ("egov.", "no series on the share of public services online in the data"),
    ("ecommerce.", "no e-commerce turnover series in the data"),
    ("logistics.", "no logistics revenue, freight or jobs series in the data"),
    ("economy.", "no productivity, oil-field or farm output series attributable to digitalisation in the data"),
    ("training.", "no training series in the data"),
]


def _due(c: pd.Series) -> str:
    return "not stated" if pd.isna(c["year"]) else str(int(c["year"]))


def targets(cl: pd.DataFrame | None = None, df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every numeric target or forecast of the ledger against the later data."""
    cl = ledger.claims() if cl is None else cl
    df = indicators.load() if df is None else df
    rows = []
    for _, c in cl[cl["claim_type"].isin(["target", "forecast"])].iterrows():
        target = claim_value(c["value"], c["unit"])
        row = {"claim_id": c["claim_id"], "country_iso3": c["country_iso3"], "claim_type": c["claim_type"],
               "quote": c["quote"], "target": target, "due": _due(c), "outcome": NOT_MEASURABLE,
               "deciding_figure": "–", "explanation": "", "data_source": ""}
        code = MEASURABLE.get(c["indicator"])
        if code and pd.notna(c["year"]):
            p = _point(df, c["country_iso3"], code, int(c["year"]))
            if p is None:
                row["explanation"] = _nearest(df, c["country_iso3"], code, int(c["year"]), _pct)
            else:
                higher = indicators.higher_is_better(code)
                met = p[0] >= c["value"] if higher else p[0] <= c["value"]
                row.update(outcome=MET if met else MISSED, data_source=p[1],
                           deciding_figure=f"{code} {int(c['year'])}: {_pct(p[0])}",
                           explanation=f"the data give {_pct(p[0])} for {int(c['year'])}, "
                                       f"{abs(p[0] - c['value']):.1f} points {'above' if p[0] >= c['value'] else 'below'} the target")
        else:
            reason = next((r for prefix, r in NOT_MEASURABLE_REASON if c["indicator"].startswith(prefix)),
                          f"no series on {c['indicator']} in the data")
            if pd.notna(c["year"]) and int(c["year"]) > int(df["year"].max()):
                reason += f"; besides, the due year is after the latest data ({int(df['year'].max())})"
            row["explanation"] = reason
        rows.append(row)
    return pd.DataFrame(rows, columns=TARGET_COLUMNS).sort_values("claim_id", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- main
def written() -> pd.DataFrame:
    """The audit table as last written by ``python -m analysis.steps audit``
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
    sys.exit(main())
