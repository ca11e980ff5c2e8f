"""The papers' frameworks beside the data, for the country chapters and the
regional synthesis: their points per section, the data evidence per
challenge, the national strategies, the challenge × approach matrix, the
audit flags, and the stage of digital development of each country.

Inputs: the ledger (``analysis.ledger.claims``), the audit (``analysis.ledger.audit``) and
``data/processed/indicators.csv``. Pure functions returning DataFrames or
strings, so that the notebooks only display them.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import pandas as pd

from analysis import config
from analysis.data import indicators
from analysis.data.indicators import latest, regional_median
from analysis.ledger import audit, claims
from analysis.untrusted import md_with_code

#: Chapter section → the papers' framework categories it presents. The DSR
#: paper discusses the region's demands under its "Foundations" heading.
SECTIONS = {"Foundations": ["foundation", "demand"], "Challenges": ["challenge"],
            "Cooperation approaches": ["approach"]}
SLUG = {"Foundations": "foundations", "Challenges": "challenges", "Cooperation approaches": "approaches"}
THEME_LABELS = {
    "cooperation_platforms": "Cooperation platforms", "cybersecurity_data_law": "Cybersecurity and data law",
    "digital_finance_payments": "Digital finance and payments", "digital_infrastructure": "Digital infrastructure",
    "digital_talent": "Digital talent", "ecommerce": "E-commerce", "egovernment": "E-government",
    "energy": "Energy", "geopolitical_competition": "Geopolitical competition",
    "investment_environment": "Investment environment", "logistics": "Logistics",
    "political_relations": "Political relations", "rules_governance": "Rules and governance",
    "services_trade": "Services trade", "strategy_alignment": "Strategy alignment",
    "technology_trade": "Technology trade", "trade_structure": "Trade structure", "training": "Training",
}
#: Short approach names for the columns of the challenge × approach matrix.
SHORT = {"cooperation_platforms": "Platforms", "cybersecurity_data_law": "Data law",
         "digital_finance_payments": "Finance", "digital_infrastructure": "Networks", "ecommerce": "E-commerce",
         "energy": "Energy", "logistics": "Logistics", "rules_governance": "Rules",
         "technology_trade": "Technology", "trade_structure": "Trade", "training": "Training"}
FRAMEWORK_LABELS = {"foundation": "foundation", "demand": "demand", "challenge": "challenge", "approach": "approach"}


@dataclass(frozen=True)
class Evidence:
    indicators: tuple = ()   # series in data/processed/indicators.csv
    topics: tuple = ()       # ledger topics whose figures the papers give
    note: str = ""           # what links the measure to the challenge


#: Challenge theme → the evidence that speaks to it.
EVIDENCE = {
    "digital_infrastructure": Evidence(("IT.NET.USER.ZS", "IT.NET.BBND.P2"), (),
                                       "networks reach people: internet use and fixed broadband"),
    "rules_governance": Evidence(("CPI.SCORE", "CPI.RANK"), (), "quality of governance: perceived corruption"),
    "investment_environment": Evidence(("IC.BUS.EASE.XQ",), (), "ease of doing business (rank, 1 = best)"),
    "digital_talent": Evidence((), ("talent", "training"), "the papers' own figures on skills"),
    "digital_finance_payments": Evidence((), ("payments",), "the papers' own figures on payments"),
    "egovernment": Evidence(("EGDI.INDEX",), (), "UN E-Government Development Index"),
}
FMT = {"IT.NET.USER.ZS": "{:.1f}%", "IT.NET.BBND.P2": "{:.1f} per 100", "CPI.SCORE": "{:.0f}/100",
       "CPI.RANK": "{:.0f}", "IC.BUS.EASE.XQ": "{:.0f}", "EGDI.INDEX": "{:.3f}"}
LABEL = {"IT.NET.USER.ZS": "Internet users, % of population", "IT.NET.BBND.P2": "Fixed broadband per 100 people",
         "CPI.SCORE": "Corruption Perceptions Index score", "CPI.RANK": "Corruption Perceptions Index rank",
         "IC.BUS.EASE.XQ": "Doing Business rank", "EGDI.INDEX": "E-Government Development Index"}


def label(theme: str) -> str:
    return THEME_LABELS.get(theme, theme.replace("_", " ").capitalize())


def cite(source_id: str) -> str:
    return f"{{cite:t}}`{claims.BIB_KEY[source_id]}`"


# --------------------------------------------------------------------- points
def points(themes: pd.DataFrame, iso3: str, section: str) -> pd.DataFrame:
    """The papers' points on the country for one chapter section, plus the
    region-wide (C5) points on themes for which the country has none."""
    fw = SECTIONS[section]
    sub = themes[themes["framework"].isin(fw)]
    own = sub[sub["country_iso3"] == iso3]
    region = sub[(sub["country_iso3"] == "C5") & ~sub["theme"].isin(set(own["theme"]))]
    out = pd.concat([own.assign(scope="this country"), region.assign(scope="region-wide")])
    order = {t: i for i, t in enumerate(THEME_LABELS)}
    out = out.assign(_o=out["theme"].map(order), _s=(out["scope"] != "this country").astype(int))
    return out.sort_values(["_s", "_o", "theme_id"], kind="stable").drop(columns=["_o", "_s"]).reset_index(drop=True)


def points_table(themes: pd.DataFrame, iso3: str, section: str) -> pd.DataFrame:
    """The country's own points for one section. Region-wide points are discussed
    once, in the regional synthesis (:func:`region_points_table`), not repeated
    in every chapter."""
    p = points(themes, iso3, section)
    p = p[p["scope"] == "this country"].reset_index(drop=True)
    t = pd.DataFrame({
        "Theme": p["theme"].map(label).values,
        "Kind": p["framework"].map(FRAMEWORK_LABELS).values,
        "Point (our summary)": p["point"].values,
        "Source": [f"{cite(s)}, “{md_with_code(sec)}”" for s, sec in zip(p["source_id"], p["section"])],
    }, index=pd.Index(p["theme_id"].values, name="Id"))
    if set(t["Kind"]) <= {SECTIONS[section][0]}:
        t = t.drop(columns="Kind")
    return t


def region_points_table(themes: pd.DataFrame) -> pd.DataFrame:
    """The papers' region-wide (C5) points, once, for the regional synthesis."""
    p = themes[themes["country_iso3"] == "C5"]
    order = {t: i for i, t in enumerate(THEME_LABELS)}
    fw = {f: i for i, f in enumerate(["foundation", "demand", "challenge", "approach"])}
    p = p.assign(_f=p["framework"].map(fw), _o=p["theme"].map(order)).sort_values(["_f", "_o", "theme_id"],
                                                                                   kind="stable")
    return pd.DataFrame({
        "Kind": p["framework"].map(FRAMEWORK_LABELS).values,
        "Theme": p["theme"].map(label).values,
        "Point (our summary)": p["point"].values,
        "Source": [f"{cite(s)}, “{md_with_code(sec)}”" for s, sec in zip(p["source_id"], p["section"])],
    }, index=pd.Index(p["theme_id"].values, name="Id"))


# ------------------------------------------------------------------ evidence
def _fmt(code: str, v: float | None) -> str:
    return "–" if v is None or pd.isna(v) else FMT.get(code, "{:g}").format(v)


def _n_reporting(df: pd.DataFrame, code: str, year: int) -> int:
    t = indicators.wide(df, code, config.partners())
    return int(t.loc[year].notna().sum()) if year in t.index else 0


def challenge_themes(themes: pd.DataFrame, iso3: str) -> list[str]:
    p = points(themes, iso3, "Challenges")
    order = list(THEME_LABELS)
    return sorted(set(p["theme"]), key=order.index)


def evidence_table(themes: pd.DataFrame, cl: pd.DataFrame, df: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """One row per measure of each challenge the papers raise for the country:
    the latest data value with the regional median of that year, or the papers'
    own figures where the data have no series."""
    rows = []
    name = config.country(iso3).name
    for theme in challenge_themes(themes, iso3):
        ev = EVIDENCE.get(theme)
        if ev is None:
            rows.append({"Challenge": label(theme), "Measure": "no measure in the data or the papers",
                         name: "–", "Median of partners reporting": "–", "Year": "–", "Source": "–"})
            continue
        for code in ev.indicators:
            p = latest(df, iso3, code)
            med = regional_median(df, code) if p else None
            rows.append({"Challenge": label(theme), "Measure": LABEL[code],
                         name: _fmt(code, p.value) if p else "no data",
                         "Median of partners reporting": (f"{_fmt(code, med.get(p.year))} ({_n_reporting(df, code, p.year)} reporting)" if p and med is not None and p.year in med.index else "–"),
                         "Year": str(p.year) if p else "–", "Source": f"`{p.source_id}`" if p else "–"})
        if ev.topics:
            figs = cl[cl["topic"].isin(ev.topics) & (cl["country_iso3"] == iso3) & (cl["claim_type"] == "fact")]
            if figs.empty:
                rows.append({"Challenge": label(theme), "Measure": f"the papers give no figure for {name}",
                             name: "–", "Median of partners reporting": "–", "Year": "–", "Source": "–"})
            for _, c in figs.iterrows():
                flag = audit.flag_for(c["claim_id"])
                rows.append({"Challenge": label(theme), "Measure": f"{c['note']} ({c['claim_id']})",
                             name: audit.claim_value(c["value"], c["unit"]) + (f" (source audit: {flag})" if flag else ""),
                             "Median of partners reporting": "–",
                             "Year": "–" if pd.isna(c["year"]) else str(int(c["year"])),
                             "Source": cite(c["source_id"])})
    return pd.DataFrame(rows).set_index("Challenge")


# ---------------------------------------------------------------- strategies
def strategy_table(st: pd.DataFrame, iso3: str) -> pd.DataFrame:
    s = st[st["country_iso3"] == iso3]
    period = [f"{a}–{b}" if pd.notna(a) else f"until {b}" for a, b in zip(s["start_year"], s["end_year"])]
    return pd.DataFrame({
        "Adopted or released": s["adopted"].values, "Period": period,
        "Phases": s["phases"].fillna("–").str.replace("-", "–").values,
        "Main goals (our summary)": s["main_goals"].values,
        "Numeric targets": s["numeric_targets"].fillna("none stated").values,
        "Source": [cite(x) for x in s["source_id"]],
    }, index=pd.Index(s["name"].values, name="Strategy"))


def strategies_overview(st: pd.DataFrame) -> pd.DataFrame:
    names = {c.iso3: c.name for c in config.countries()}
    period = [f"{a}–{b}" if pd.notna(a) else f"until {b}" for a, b in zip(st["start_year"], st["end_year"])]
    return pd.DataFrame({
        "Country": st["country_iso3"].map(names).values, "Adopted or released": st["adopted"].values, "Period": period,
        "Phases": st["phases"].fillna("–").str.replace("-", "–").values,
        "Numeric targets": st["numeric_targets"].fillna("none stated").values,
    }, index=pd.Index(st["name"].values, name="Strategy"))


# -------------------------------------------------------------------- matrix
def approach_themes(themes: pd.DataFrame, iso3: str) -> list[str]:
    p = points(themes, iso3, "Cooperation approaches")
    order = list(THEME_LABELS)
    return sorted(set(p["theme"]), key=order.index)


def matrix(themes: pd.DataFrame, links: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Challenges the papers raise for the country × approaches they propose:
    ✓ where data/theme_links.csv says the approach answers the challenge."""
    ch, ap = challenge_themes(themes, iso3), approach_themes(themes, iso3)
    pairs = set(zip(links["challenge"], links["approach"]))
    t = pd.DataFrame([["✓" if (c, a) in pairs else "" for a in ap] for c in ch],
                     index=pd.Index([label(c) for c in ch], name="Challenge ↓ / approach →"),
                     columns=[SHORT.get(a, label(a)) for a in ap])
    return t


def approach_scores(themes: pd.DataFrame, links: pd.DataFrame, iso3: str, own_only: bool = False) -> pd.Series:
    """How many of the country's challenges each proposed approach answers
    (descending); ``own_only`` counts only the challenges raised for the country itself."""
    ap = approach_themes(themes, iso3)
    ch = challenge_themes(themes, iso3)
    if own_only:
        p = points(themes, iso3, "Challenges")
        ch = sorted(set(p.loc[p["scope"] == "this country", "theme"]), key=list(THEME_LABELS).index)
    pairs = set(zip(links["challenge"], links["approach"]))
    s = pd.Series({a: sum((c, a) in pairs for c in ch) for a in ap}, dtype="int64")
    return s.sort_values(ascending=False, kind="stable")


# --------------------------------------------------------------------- audit
def discrepancies(audit_df: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The country's audit rows whose verdict flags the paper's figure (any of audit.FLAGGED)."""
    return audit.flagged(audit_df[audit_df["country_iso3"] == iso3])


def discrepancy_admonition(audit_df: pd.DataFrame, iso3: str) -> str:
    d = discrepancies(audit_df, iso3)
    name = config.country(iso3).name
    if d.empty:
        return (f"```{{note}}\nNo figure the papers give for {name} failed a check of the source audit; "
                f"see the {{doc}}`source audit </book/audit>`.\n```")
    lines = [f"```{{admonition}} Source audit: figures that failed a check\n:class: warning\n\n"
             f"{d['claim_id'].nunique()} of the papers' figures on {name} failed a check of the source audit. "
             "Read them with care where this chapter shows them (the verdict is in bold):\n"]
    for _, r in d.iterrows():
        lines.append(f"- {r['claim_id']} (“{r['quote']}”): **{r['verdict']}** ({r['check']}): paper {r['expected']}; "
                     f"found {r['found']}.")
    lines.append("\nThe tolerance rules are in the {doc}`source audit </book/audit>`.\n```")
    return "\n".join(lines)


# --------------------------------------------------------------------- stage
@dataclass(frozen=True)
class Stage:
    name: str
    min_internet: float     # latest internet share, % of population, at least
    min_egdi: float         # latest EGDI value at least
    fit: tuple              # approach themes that fit this stage, most urgent first
    why: str


#: Stages of digital development, first match wins. Thresholds: internet use
#: and the UN EGDI group bounds (0.75 very high, 0.50 high).
STAGES = [
    Stage("advanced within the region", 80.0, 0.75,
          ("digital_infrastructure", "ecommerce", "rules_governance", "technology_trade"),
          "with most people online and e-government mature, the next gains come from 5G and data-centre "
          "projects, cross-border e-commerce and shared digital rules"),
    Stage("catching up", 60.0, 0.50,
          ("digital_infrastructure", "training", "ecommerce", "digital_finance_payments"),
          "most people are online, but networks, payments and skills still lag, so fibre and mobile "
          "upgrades, payment links and joint training come first"),
    Stage("early", 0.0, 0.0,
          ("digital_infrastructure", "training", "cybersecurity_data_law", "cooperation_platforms"),
          "where a minority is online or the data are missing, basic connectivity, digital literacy and a "
          "legal base for online transactions come before advanced projects"),
]


def stage(df: pd.DataFrame, iso3: str) -> tuple[Stage, dict]:
    """The country's stage and the figures that decided it."""
    net, egdi = latest(df, iso3, "IT.NET.USER.ZS"), latest(df, iso3, "EGDI.INDEX")
    figs = {"internet": net, "egdi": egdi}
    for s in STAGES:
        if net and egdi and net.value >= s.min_internet and egdi.value >= s.min_egdi:
            return s, figs
    return STAGES[-1], figs


def conclusion(themes: pd.DataFrame, links: pd.DataFrame, audit_df: pd.DataFrame, df: pd.DataFrame,
               iso3: str) -> str:
    """A short paragraph of conclusions and recommendations for one country,
    every number read from the data or the ledger."""
    c = config.country(iso3)
    st, figs = stage(df, iso3)
    net, egdi = figs["internet"], figs["egdi"]
    med_net = regional_median(df, "IT.NET.USER.ZS").get(net.year) if net else None
    parts = [f"**{c.name}: {st.name}.**"]
    if net:
        parts.append(f"In {net.year}, {net.value:.1f}% of its people used the internet"
                     + (f" (median of the {_n_reporting(df, 'IT.NET.USER.ZS', net.year)} Central Asian countries reporting "
                        f"{med_net:.1f}%)" if med_net is not None and not pd.isna(med_net) else "")
                     + ".")
    else:
        parts.append("The World Bank has no internet-use estimate for it.")
    if egdi:
        parts.append(f"Its {egdi.year} E-Government Development Index of {egdi.value:.3f} is in the UN's "
                     f"{audit.egdi_group(egdi.value)} group.")
    bb = latest(df, iso3, "IT.NET.BBND.P2")
    if bb:
        parts.append(f"Fixed broadband reached {bb.value:.1f} subscriptions per 100 people in {bb.year}.")
    ch = challenge_themes(themes, iso3)
    own = points(themes, iso3, "Challenges")
    own = own[own["scope"] == "this country"]
    parts.append(f"The papers make {len(own)} points on challenges specific to it, and we read it against "
                 f"{len(ch)} challenge themes in all, region-wide ones included.")
    scores = approach_scores(themes, links, iso3, own_only=True)
    n_own = own["theme"].nunique()  # noqa: F841 (shown in the scores below)
    top = [f"{label(a).lower()} ({n} of {n_own})" for a, n in scores.items() if n > 0][:3]
    if top:
        parts.append("Of the approaches the papers propose, those that answer most of its own challenge themes are "
                     + ", ".join(top) + ".")
    fit = [label(a).lower() for a in st.fit[:3]]
    parts.append(f"At this stage, {st.why}: we would start with {', '.join(fit[:-1])}, and {fit[-1]}.")
    d = discrepancies(audit_df, iso3)
    if len(d):
        verdicts = d.groupby("claim_id", sort=True)["verdict"].agg(lambda v: "; ".join(dict.fromkeys(v)))
        parts.append(f"{len(verdicts)} of the papers' figures on {c.name} failed the source audit ("
                     + ", ".join(f"{cid}: {v}" for cid, v in verdicts.items())
                     + "); where the data hold the same measure we use the data's figure, elsewhere we "
                       "report the paper's with that mark.")
    return " ".join(parts)


# ------------------------------------------------------------------- heatmap
def theme_counts(themes: pd.DataFrame) -> pd.DataFrame:
    """Theme × country (and region-wide) count of the papers' points."""
    cols = [c.iso3 for c in config.countries()] + ["C5"]
    t = pd.crosstab(themes["theme"], themes["country_iso3"]).reindex(columns=cols, fill_value=0)
    t = t.reindex([th for th in THEME_LABELS if th in t.index])
    return t


def heatmap(themes: pd.DataFrame):
    import seaborn as sns

    from analysis.report.plots import new_figure

    t = theme_counts(themes)
    names = {c.iso3: c.name for c in config.countries()} | {"C5": "Region-wide"}
    fig, ax = new_figure((7.4, 6.4))
    sns.heatmap(t.rename(index=label, columns=names), annot=True, fmt="d", cmap="Blues", cbar=True,
                cbar_kws={"label": "points in the papers"}, linewidths=0.5, linecolor="white", ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title("The papers' points by theme and country", loc="left")
    ax.set_xticks(ax.get_xticks(), ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    fig.tight_layout()
    return fig, t


# --------------------------------------------------------------- chapter API
def _markdown(table: pd.DataFrame, caption: str, name: str):
    from analysis.report.chapter import markdown_table
    # the Source column holds citation roles (built here, its text escaped)
    return markdown_table(table, caption, name, markup=("Source",))


def section(iso3: str, section_name: str) -> list:
    """The IPython Markdown objects a chapter section displays, in order."""
    from IPython.display import Markdown

    c = config.country(iso3)
    th, cl, st, ln = claims.themes(), claims.claims(), claims.strategies(), claims.links()
    df = indicators.described()
    slug = SLUG[section_name]
    own = points_table(th, iso3, section_name)
    out = [_markdown(own, f"The papers' points on {c.name} under “{section_name}”, in our words (points on "
                          "the region as a whole are in the regional synthesis)", f"tbl-{iso3}-{slug}")
           if len(own) else Markdown(f"The papers make no point of their own on {c.name} under “{section_name}”; "
                                     "their region-wide points are discussed in the regional synthesis.")]
    if section_name == "Foundations":
        s = strategy_table(st, iso3)
        if len(s):
            out.append(_markdown(s, f"National digital strategies and e-commerce plans of {c.name}",
                                 f"tbl-{iso3}-strategies"))
        else:
            out.append(Markdown(f"The papers describe no national strategy of {c.name} in the detail they "
                                "give the five Central Asian countries."))
    if section_name == "Challenges":
        out.append(_markdown(evidence_table(th, cl, df, iso3),
                             f"Evidence on each challenge for {c.name}: latest value in the data and the median "
                             "of the Central Asian countries reporting in the same year (how many), or the papers' own figures",
                             f"tbl-{iso3}-evidence"))
        out.append(Markdown(discrepancy_admonition(audit.written(), iso3)))
    if section_name == "Cooperation approaches":
        out.append(_markdown(matrix(th, ln, iso3),
                             f"Which proposed approaches answer which challenges for {c.name} "
                             "(mapping in data/theme_links.csv)", f"tbl-{iso3}-matrix"))
    return out


@functools.lru_cache(maxsize=None)
def _audit_table() -> pd.DataFrame:
    return audit.written()


def fingerprint(iso3: str | None = None) -> str:
    """Hash of everything besides the indicator table that a chapter reads: the
    ledger files and the audit rows it shows (those of ``iso3``; all rows when
    None). A changed figure for one country thus re-executes that chapter only.
    The audit is read once per process: the runner asks once per chapter."""
    h = hashlib.sha256()
    for p in claims.PATHS.values():
        h.update(p.read_bytes())
    table = _audit_table()
    if iso3 is not None:
        table = table[table["country_iso3"] == iso3]
    h.update(table.to_csv(index=False).encode())
    return h.hexdigest()
