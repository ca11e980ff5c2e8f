"""Generated parts of the report's written pages: the source audit, targets
against outcomes, the national strategies (with a timeline figure) and the
regional synthesis (with a heatmap). Called by ``analysis.report.generate.write_all``;
the pages ``book/audit.md``, ``book/targets.md``, ``book/strategies.md`` and
``book/synthesis.md`` include the markdown written here."""
from __future__ import annotations

import pandas as pd

from analysis import config
from analysis.data import indicators
from analysis.ledger import audit, claims
from analysis.paths import BOOK
from analysis.report import frameworks
from analysis.untrusted import markup_cell, md, md_with_code

FIG_STRATEGIES = BOOK / "figures" / "strategies"
FIG_SYNTHESIS = BOOK / "figures" / "synthesis"


def _cell(v) -> str:
    """A table cell from the ledger: literal text (its `quoted` parts as code)."""
    return "–" if v is None or (isinstance(v, float) and pd.isna(v)) else md_with_code(v)


def _table(df: pd.DataFrame, cols: list[str], headers: list[str] | None = None, markup: tuple = ()) -> str:
    """A Markdown table; the columns named in ``markup`` were escaped by the caller."""
    headers = headers or cols
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(str(r[c]) if c in markup else _cell(r[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def _names() -> dict[str, str]:
    return {c.iso3: c.name for c in config.countries()} | {"C5": "Region", "WLD": "World"}


# --------------------------------------------------------------------- audit
def _flag(v: str) -> str:
    return f"**{v}**" if v in audit.FLAGGED else v


def audit_summary(a: pd.DataFrame) -> str:
    """The verdict kinds, each defined, with how many checks and claims have it."""
    v = a["verdict"].value_counts()
    claims_checked = a.loc[a["verdict"] != audit.NOT_CHECKABLE, "claim_id"].nunique()
    lines = ["| Verdict | What it means | Checks | Claims |", "|---|---|---|---|"]
    for k in audit.VERDICTS:
        lines.append(f"| {_flag(k)} | {audit.VERDICT_MEANING[k]} | {v.get(k, 0)} "
                     f"| {a.loc[a['verdict'] == k, 'claim_id'].nunique()} |")
    lines.append(f"| **all** | | **{len(a)}** | **{a['claim_id'].nunique()}** |")
    return (f"The ledger holds {a['claim_id'].nunique()} claims; {claims_checked} of them could be set against "
            f"the independent data or checked for internal consistency, in {len(a[a['verdict'] != audit.NOT_CHECKABLE])} "
            "checks (one claim can have several). The verdicts in bold flag the paper's figure; a chapter that "
            "uses a flagged figure marks it with the verdict's words.\n\n" + "\n".join(lines) + "\n")


def audit_rules() -> str:
    lo, hi = audit.PLAUSIBLE_RATIO
    rules = [
        ("Internet-user share vs World Bank, same year", f"±{audit.SHARE_TOLERANCE_PP:g} percentage points",
         "`SHARE_TOLERANCE_PP`"),
        ("Share implied by a count ÷ population vs the share the paper states beside it (within the paper)",
         f"±{audit.SHARE_TOLERANCE_PP:g} percentage points", "`SHARE_TOLERANCE_PP`"),
        ("Rank (EGDI, Doing Business, CPI) vs the rank list of the same edition; rank among the five vs the data",
         "exact" if audit.RANK_TOLERANCE == 0 else f"±{audit.RANK_TOLERANCE}", "`RANK_TOLERANCE`"),
        ("Count or population vs the count implied by the data", f"±{audit.COUNT_TOLERANCE_REL:.0%} (relative)",
         "`COUNT_TOLERANCE_REL`"),
        ("Growth rate vs growth implied by the data",
         f"the direction must agree (a stated fall the data show as a rise is contradicted, whatever the size); "
         f"then ±{audit.GROWTH_TOLERANCE_PP:g} percentage points", "`GROWTH_TOLERANCE_PP`"),
        ("Tenge converted to US$ vs the amount ÷ the official annual rate (PA.NUS.FCRF) of the year of the "
         f"conversion (a forecast's: {audit.PAPER_YEAR}, the rate known when the paper was written)",
         f"±{audit.FX_TOLERANCE_REL:.0%} (relative)", "`FX_TOLERANCE_REL`"),
        ("Amount and its share of a total (a budget, total exports) vs the total in the macro data (% of GDP × GDP)",
         f"implausible below {lo:g}× or above {hi:g}× the data's total, in every year and GDP vintage",
         "`PLAUSIBLE_RATIO`"),
        ("EGDI group moves", "same UN group (very high ≥ 0.75, high ≥ 0.50, middle ≥ 0.25)", "`EGDI_GROUPS`"),
        ("Two of the paper's figures for one quantity (a part and its whole, a duration and its years)", "exact",
         "`INTERNAL_PAIRS`"),
        ("Strategy dates and phases", "exact: start ≤ end, adopted ≤ start, phases contiguous and covering the period",
         "–"),
    ]
    lines = ["| Check | Tolerance | Constant in `analysis/ledger/audit.py` |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rules]
    return "\n".join(lines) + (f"\n\nUndated claims are read as of {audit.PAPER_YEAR}, the latest year the "
                               "DSR paper's figures refer to; an undated amount set against a total is read in "
                               f"each of {' and '.join(map(str, audit.UNDATED_YEARS))}, and its verdict must hold "
                               "in both.\n")


def audit_checked(a: pd.DataFrame) -> str:
    t = a[a["verdict"] != audit.NOT_CHECKABLE].copy()
    t["quote"] = "“" + t["quote"] + "”"
    t["verdict"] = t["verdict"].map(_flag)
    return _table(t, ["claim_id", "country", "verdict", "quote", "check", "expected", "found", "difference"],
                  ["Claim", "Country", "Verdict", "Quote", "Check", "Paper", "Found (data, or the paper's other figure)",
                   "Difference"], markup=("verdict",))


def audit_sensitivity(a: pd.DataFrame) -> str:
    """The checks whose denominator (population, GDP) exists in more than one source or vintage."""
    t = a[a["sensitivity"] != ""]
    if t.empty:
        return "No check uses a denominator that more than one source gives.\n"
    dep = t[t["verdict"] == audit.DEPENDS]
    head = (f"{len(t)} checks divide by or multiply with a population or a GDP that more than one source or "
            f"vintage gives. Each is computed with every source that has the year; "
            + (f"in {len(dep)} of them the verdict depends on the choice ({', '.join(sorted(set(dep['claim_id'])))})."
               if len(dep) else "in none of them does the verdict depend on the choice.")
            + "\n\n")
    return head + _table(t.assign(verdict=t["verdict"].map(_flag)), ["claim_id", "country", "verdict", "check", "sensitivity"],
                         ["Claim", "Country", "Verdict", "Check", "Values by source and the verdict with each"],
                         markup=("verdict",))


def audit_unchecked(a: pd.DataFrame) -> str:
    checked = set(a.loc[a["verdict"] != audit.NOT_CHECKABLE, "claim_id"])
    t = a[(a["verdict"] == audit.NOT_CHECKABLE)]
    partial = t[t["claim_id"].isin(checked)]
    rest = t[~t["claim_id"].isin(checked)]
    out = ""
    with_found = rest[rest["found"] != "–"]
    if len(with_found) or len(partial):
        both = pd.concat([with_found, partial]).drop_duplicates().sort_values("claim_id")
        out += ("Checks that were attempted but cannot decide (the data lack the year or measure a different "
                "thing):\n\n" + _table(both, ["claim_id", "country", "check", "expected", "found"],
                                       ["Claim", "Country", "Check", "Paper", "Data"]) + "\n")
    rest = rest[rest["found"] == "–"]
    groups = rest.groupby("check", sort=True).apply(
        lambda g: ", ".join(f"{cid} ({c})" for cid, c in zip(g["claim_id"], g["country"])), include_groups=False)
    out += "Claims no series in the data can check, by reason (each with its country):\n\n"
    out += "\n".join(f"- *{md(reason)}*: {md(ids)}" for reason, ids in groups.items()) + "\n"
    return out


# ------------------------------------------------------------------- targets
def targets_markdown(t: pd.DataFrame) -> str:
    o = t["outcome"].value_counts()
    t = t.assign(quote="“" + t["quote"] + "”", target=t["target"] + " (" + t["claim_type"] + ")",
                 outcome=t["outcome"].map(lambda o: f"**{o}**" if o in audit.MEASURED else o))
    head = (f"The ledger holds {len(t)} numeric targets and forecasts: "
            + ", ".join(f"{o.get(k, 0)} {k}" for k in audit.OUTCOMES) + ".\n\n"
            + "\n".join(f"- **{k}**: {audit.OUTCOME_MEANING[k]}." for k in audit.OUTCOMES) + "\n\n")
    table = _table(t, ["claim_id", "country", "outcome", "target", "due", "deciding_figure"],
                   ["Claim", "Country", "Outcome", "Target (kind)", "Due", "Deciding figure"], markup=("outcome",))
    notes = "\n".join(f"- **{r['claim_id']}** ({r['country']}, {_cell(r['quote'])}): {r['outcome']}; "
                      f"{_cell(r['explanation'])}." for _, r in t.iterrows())
    return head + table + "\nWhy each outcome is what it is:\n\n" + notes + "\n"


# ----------------------------------------------------------------- strategies
def strategies_markdown(st: pd.DataFrame) -> str:
    t = frameworks.strategies_overview(st).reset_index()
    return _table(t, list(t.columns))


def timeline(st: pd.DataFrame, outdir=FIG_STRATEGIES):
    """Horizontal bars: each strategy's period (phases as segments), adoption as a dot."""
    from analysis.report import plots

    plots.setup()
    st = st.reset_index(drop=True)
    plots.render(outdir / "timeline", lambda: _timeline_figure(st), st)


def _timeline_figure(st: pd.DataFrame):
    from analysis.report import plots

    fig, ax = plots.new_figure((8.0, 0.55 * len(st) + 1.4))
    labels = []
    rows = []
    for i, s in st.iterrows():
        y = len(st) - 1 - i
        colour = plots.colour(s["country_iso3"])
        adopted = int(str(s["adopted"])[:4])
        start = int(s["start_year"]) if pd.notna(s["start_year"]) else adopted
        phases = frameworks_phases(s) or [(start, int(s["end_year"]))]
        for k, (a, b) in enumerate(phases):
            ax.barh(y, b + 1 - a, left=a, height=0.55, color=colour, alpha=1.0 if k % 2 == 0 else 0.6,
                    edgecolor="white", hatch=None if pd.notna(s["start_year"]) else "//")
            rows.append({"strategy": s["name"], "country_iso3": s["country_iso3"], "from": a, "to": b,
                         "adopted": s["adopted"]})
        ax.plot(adopted + 0.5, y, marker="D", color="black", markersize=5, zorder=3)
        labels.append(f"{s['country_iso3']}  " + (s["name"] if len(s["name"]) <= 42 else s["name"][:40] + "…"))
    ax.set_yticks(range(len(st))[::-1], labels, fontsize=8.5)
    ax.set_xlabel("Year")
    ax.set_title("Digital strategies and e-commerce plans", loc="left")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig, pd.DataFrame(rows).set_index("strategy")


def frameworks_phases(s: pd.Series) -> list[tuple[int, int]]:
    return audit._periods(s["phases"])


# ----------------------------------------------------------------- synthesis
def synthesis_heatmap(th: pd.DataFrame, outdir=FIG_SYNTHESIS) -> None:
    from analysis.report import plots

    plots.setup()
    plots.render(outdir / "themes", lambda: frameworks.heatmap(th), th)


def synthesis_facts(th: pd.DataFrame) -> str:
    t = frameworks.theme_counts(th)
    per = th.groupby("source_id").size()
    top = t.sum(axis=1).sort_values(ascending=False, kind="stable")
    return (f"The ledger holds {len(th)} points from the two papers ({per.get('dsr', 0)} from the DSR paper, "
            f"{per.get('huo', 0)} from Huo's). The most discussed themes are "
            + ", ".join(f"{frameworks.label(k).lower()} ({v})" for k, v in top.head(3).items()) + ".\n")


def region_points(th: pd.DataFrame) -> str:
    """The papers' points on the region as a whole, discussed once here rather
    than repeated in every country chapter."""
    t = frameworks.region_points_table(th)
    lines = ["| Id | Kind | Theme | Point (our summary) | Source |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(markup_cell(x) for x in [i, *r.tolist()]) + " |" for i, r in t.iterrows()]
    return "\n".join(lines) + "\n"


def synthesis_conclusions(th, ln, a, df) -> str:
    paras = [frameworks.conclusion(th, ln, a, df, iso3) for iso3 in config.partners()]
    return "\n\n".join(paras) + "\n"


def synthesis_stages() -> str:
    lines = ["| Stage | Internet users at least | EGDI at least | Approaches that fit first |", "|---|---|---|---|"]
    for s in frameworks.STAGES:
        lines.append(f"| {s.name} | {s.min_internet:g}% | {s.min_egdi:g} | "
                     + ", ".join(frameworks.label(x).lower() for x in s.fit) + " |")
    return "\n".join(lines) + "\n"


def links_markdown(ln: pd.DataFrame) -> str:
    t = ln.assign(challenge=ln["challenge"].map(frameworks.label), approach=ln["approach"].map(frameworks.label))
    return _table(t, ["challenge", "approach", "rationale"], ["Challenge", "Approach that answers it", "Why"])


# -------------------------------------------------------------- key findings
def _pct(v: float) -> str:
    return f"{v:.1f}%"


def _listing(df: pd.DataFrame, code: str) -> list[tuple[str, indicators.Point]]:
    """(country name, latest point) for the partners, best first."""
    pts = [(config.country(iso3).name, indicators.latest(df, iso3, code)) for iso3 in config.partners()]
    pts = [(n, p) for n, p in pts if p is not None]
    return sorted(pts, key=lambda x: -x[1].value if indicators.higher_is_better(code) else x[1].value)


def key_findings(df: pd.DataFrame, a: pd.DataFrame, t: pd.DataFrame) -> str:
    """The book's main results in a few sentences, every number computed from
    the indicator table, the audit and the targets when the book is built."""
    ref = config.country(config.reference())
    out = []
    net = _listing(df, "IT.NET.USER.ZS")
    # one set of countries at both ends (Data and methods: comparisons that hold)
    table = indicators.wide(df, "IT.NET.USER.ZS", config.partners())
    counts = table.notna().sum(axis=1)
    last_y = int(counts[counts >= 3].index.max())
    members = list(table.loc[last_y].dropna().index)
    both = table[members].dropna()
    first_y = int(both.index[both.index >= 2010][0])
    absent = [config.country(c).name for c in config.partners() if c not in members]
    china = indicators.latest(df, ref.iso3, "IT.NET.USER.ZS")
    stale = [(n, p) for n, p in net if p.year <= last_y - 3]
    out.append(
        "**Most of the region is now online, but not all of it.** Among the "
        f"{len(members)} countries reporting in both {first_y} and {last_y}"
        + (f" (not {', '.join(absent)}: no value for {last_y})" if absent else "")
        + f", the median share of people using the internet rose from {_pct(both.loc[first_y].median())} in "
        f"{first_y} to {_pct(both.loc[last_y].median())} in {last_y}. The latest values: "
        + "; ".join(f"{n} {_pct(p.value)} ({p.year})" for n, p in net)
        + f"; {ref.name} {_pct(china.value)} ({china.year}). "
        + "".join(f"{n}'s series stops in {p.year}, so its present level is unknown. " for n, p in stale)
        + "The {doc}`coverage matrix <coverage>` shows every gap.")
    bb = _listing(df, "IT.NET.BBND.P2")
    cbb = indicators.latest(df, ref.iso3, "IT.NET.BBND.P2")
    out.append(
        (f"**Fixed broadband is the widest gap with {ref.name}.** " if cbb.value > bb[0][1].value
         else "**Fixed broadband.** ") + f"{ref.name} had {cbb.value:.1f} fixed broadband "
        f"subscriptions per 100 people in {cbb.year}; in Central Asia the figure ranges from "
        f"{bb[0][1].value:.1f} ({bb[0][0]}, {bb[0][1].year}) down to {bb[-1][1].value:.1f} ({bb[-1][0]}, "
        f"{bb[-1][1].year}). This is the infrastructure lag the papers name as the first challenge.")
    eg = _listing(df, "EGDI.INDEX")
    ceg = indicators.latest(df, ref.iso3, "EGDI.INDEX")
    out.append(
        f"**E-government is the region's strength.** In the {eg[0][1].year} UN survey {eg[0][0]} scored "
        f"{eg[0][1].value:.3f} on the E-Government Development Index, above {ref.name} ({ceg.value:.3f}, "
        f"{ceg.year})" if eg[0][1].value > ceg.value else
        f"**E-government.** In the {eg[0][1].year} UN survey {eg[0][0]} led the region with "
        f"{eg[0][1].value:.3f} on the E-Government Development Index ({ref.name} {ceg.value:.3f})")
    out[-1] += f"; the lowest in the region was {eg[-1][0]}, at {eg[-1][1].value:.3f}."
    checked = a[a["verdict"] != audit.NOT_CHECKABLE]
    disc = audit.flagged(checked)
    out.append(
        ("**The papers' figures mostly hold, with exceptions.**"
         if 2 * disc["claim_id"].nunique() < checked["claim_id"].nunique()
         else "**Many of the papers' figures do not hold.**")
        + f" Of the {a['claim_id'].nunique()} quantitative "
        f"claims in the two papers, {checked['claim_id'].nunique()} could be checked against independent data or "
        f"for internal consistency; {disc['claim_id'].nunique()} of them fail a check: "
        + ", ".join(f"{n} {k}" for k, n in ((k, disc.loc[disc['verdict'] == k, 'claim_id'].nunique())
                                            for k in audit.FLAGGED) if n)
        + " (the {doc}`source audit <audit>` lists each, and the chapters flag them where they are used).")
    judged = t[t["outcome"].isin(audit.MEASURED)]
    met = int(t["outcome"].isin([audit.MET, audit.MET_PROXY]).sum())
    names = _names()
    decided = "; ".join(f"{names.get(r['country_iso3'], r['country_iso3'])}'s “{r['quote']}” was {r['outcome']} "
                        f"({r['deciding_figure']})" for _, r in judged.iterrows())
    out.append(
        f"**Few announced goals can be checked at all.** Of the {len(t)} numeric targets and forecasts the "
        f"papers report, {len(judged)} can be judged with a series of the data, a proxy or a dated public record"
        + (f" ({met} met): {decided}" if decided else "") + ". Of the rest, "
        f"{int((t['outcome'] == audit.NOT_DUE).sum())} are not yet due, "
        f"{int((t['outcome'] == audit.NEEDS_SOURCE).sum())} need a source the book lacks (from 5G launch dates to "
        f"online retail turnover) and {int((t['outcome'] == audit.NOT_MEASURABLE).sum())} state no due year "
        "({doc}`targets against outcomes <targets>`).")
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------------- all
def pages() -> dict[str, str]:
    """File name under book/_generated → text; also writes the two figures."""
    th, st, ln = claims.themes(), claims.strategies(), claims.links()
    df = indicators.described()
    a, t = audit.written(), audit.targets()  # the audit rule's table: the same rows, not computed again (0.3 s)
    timeline(st)
    synthesis_heatmap(th)
    return {
        "audit_summary.md": audit_summary(a),
        "audit_rules.md": audit_rules(),
        "audit_checked.md": audit_checked(a),
        "audit_unchecked.md": audit_unchecked(a),
        "audit_sensitivity.md": audit_sensitivity(a),
        "targets.md": targets_markdown(t),
        "strategies.md": strategies_markdown(st),
        "synthesis_facts.md": synthesis_facts(th),
        "region_points.md": region_points(th),
        "synthesis_stages.md": synthesis_stages(),
        "synthesis_conclusions.md": synthesis_conclusions(th, ln, a, df),
        "theme_links.md": links_markdown(ln),
        "key_findings.md": key_findings(indicators.with_derived(df), a, t),
    }
