"""Generated parts of the report's written pages: the source audit, targets
against outcomes, the national strategies (with a timeline figure) and the
regional synthesis (with a heatmap). Called by ``analysis.docs.write_all``;
the pages ``book/audit.md``, ``book/targets.md``, ``book/strategies.md`` and
``book/synthesis.md`` include the markdown written here."""
from __future__ import annotations

import pandas as pd

from . import audit, claims, config, frameworks, indicators
from .paths import BOOK

FIG_STRATEGIES = BOOK / "figures" / "strategies"
FIG_SYNTHESIS = BOOK / "figures" / "synthesis"


def _cell(v) -> str:
    return "–" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).replace("|", "\\|").replace("\n", " ")


def _table(df: pd.DataFrame, cols: list[str], headers: list[str] | None = None) -> str:
    headers = headers or cols
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(_cell(r[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def _names() -> dict[str, str]:
    return {c.iso3: c.name for c in config.countries()} | {"C5": "Region", "WLD": "World"}


# --------------------------------------------------------------------- audit
def audit_summary(a: pd.DataFrame) -> str:
    v = a["verdict"].value_counts()
    claims_checked = a.loc[a["verdict"] != audit.NOT_CHECKABLE, "claim_id"].nunique()
    lines = ["| Verdict | Checks | Claims |", "|---|---|---|"]
    for k in audit.VERDICTS:
        lines.append(f"| {k} | {v.get(k, 0)} | {a.loc[a['verdict'] == k, 'claim_id'].nunique()} |")
    lines.append(f"| **all** | **{len(a)}** | **{a['claim_id'].nunique()}** |")
    return (f"The ledger holds {a['claim_id'].nunique()} claims; {claims_checked} of them could be set against "
            f"the independent data or checked for internal consistency, in {len(a[a['verdict'] != audit.NOT_CHECKABLE])} "
            "checks (one claim can have several).\n\n" + "\n".join(lines) + "\n")


def audit_rules() -> str:
    rules = [
        ("Internet-user share vs World Bank, same year", f"±{audit.SHARE_TOLERANCE_PP:g} percentage points",
         "`SHARE_TOLERANCE_PP`"),
        ("Share implied by a count ÷ World Bank population vs the share stated",
         f"±{audit.SHARE_TOLERANCE_PP:g} percentage points", "`SHARE_TOLERANCE_PP`"),
        ("Rank (EGDI, Doing Business, CPI) vs the published rank", "exact" if audit.RANK_TOLERANCE == 0
         else f"±{audit.RANK_TOLERANCE}", "`RANK_TOLERANCE`"),
        ("Count or population vs the count implied by the data", f"±{audit.COUNT_TOLERANCE_REL:.0%} (relative)",
         "`COUNT_TOLERANCE_REL`"),
        ("Growth rate vs growth implied by the data", f"±{audit.GROWTH_TOLERANCE_PP:g} percentage points",
         "`GROWTH_TOLERANCE_PP`"),
        ("Two implied tenge/US$ rates", f"±{audit.FX_TOLERANCE_REL:.0%} (relative)", "`FX_TOLERANCE_REL`"),
        ("EGDI group moves", "same UN group (very high ≥ 0.75, high ≥ 0.50, middle ≥ 0.25)", "`EGDI_GROUPS`"),
        ("Strategy dates and phases", "exact: start ≤ end, adopted ≤ start, phases contiguous and covering the period",
         "–"),
    ]
    lines = ["| Check | Tolerance | Constant in `analysis/audit.py` |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rules]
    return "\n".join(lines) + (f"\n\nUndated claims are read as of {audit.PAPER_YEAR}, the latest year the "
                               "DSR paper's figures refer to.\n")


def audit_checked(a: pd.DataFrame) -> str:
    t = a[a["verdict"] != audit.NOT_CHECKABLE].copy()
    t["quote"] = "“" + t["quote"] + "”"
    t["verdict"] = t["verdict"].map(lambda v: f"**{v}**" if v == audit.DISCREPANCY else v)
    return _table(t, ["claim_id", "quote", "check", "expected", "found", "difference", "verdict"],
                  ["Claim", "Quote", "Check", "Paper", "Data", "Difference", "Verdict"])


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
                "thing):\n\n" + _table(both, ["claim_id", "check", "expected", "found"],
                                       ["Claim", "Check", "Paper", "Data"]) + "\n")
    rest = rest[rest["found"] == "–"]
    groups = rest.groupby("check", sort=True)["claim_id"].apply(lambda s: ", ".join(s))
    out += "Claims no series in the data can check, by reason:\n\n"
    out += "\n".join(f"- *{reason}*: {ids}" for reason, ids in groups.items()) + "\n"
    return out


# ------------------------------------------------------------------- targets
def targets_markdown(t: pd.DataFrame) -> str:
    o = t["outcome"].value_counts()
    names = _names()
    t = t.assign(country=t["country_iso3"].map(names), quote="“" + t["quote"] + "”")
    head = (f"The ledger holds {len(t)} numeric targets and forecasts: "
            + ", ".join(f"{o.get(k, 0)} {k}" for k in audit.OUTCOMES) + ".\n\n")
    return head + _table(t, ["claim_id", "country", "claim_type", "quote", "target", "due", "outcome",
                             "deciding_figure", "explanation"],
                         ["Claim", "Country", "Kind", "Quote", "Target", "Due", "Outcome", "Deciding figure",
                          "Why"])


# ----------------------------------------------------------------- strategies
def strategies_markdown(st: pd.DataFrame) -> str:
    t = frameworks.strategies_overview(st).reset_index()
    return _table(t, list(t.columns))


def timeline(st: pd.DataFrame, outdir=FIG_STRATEGIES):
    """Horizontal bars: each strategy's period (phases as segments), adoption as a dot."""
    from . import plots

    plots.setup()
    st = st.reset_index(drop=True)
    plots.render(outdir / "timeline", lambda: _timeline_figure(st), st)


def _timeline_figure(st: pd.DataFrame):
    import matplotlib.pyplot as plt

    from . import plots

    fig, ax = plt.subplots(figsize=(8.0, 0.55 * len(st) + 1.4))
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
    from . import plots

    plots.setup()
    plots.render(outdir / "themes", lambda: frameworks.heatmap(th), th)


def synthesis_facts(th: pd.DataFrame) -> str:
    t = frameworks.theme_counts(th)
    per = th.groupby("source_id").size()
    top = t.sum(axis=1).sort_values(ascending=False, kind="stable")
    return (f"The ledger holds {len(th)} points from the two papers ({per.get('dsr', 0)} from the DSR paper, "
            f"{per.get('huo', 0)} from Huo's). The most discussed themes are "
            + ", ".join(f"{frameworks.label(k).lower()} ({v})" for k, v in top.head(3).items()) + ".\n")


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


# ---------------------------------------------------------------------- all
def pages() -> dict[str, str]:
    """File name under book/_generated → text; also writes the two figures."""
    th, st, ln = claims.themes(), claims.strategies(), claims.links()
    df = indicators.load()
    a, t = audit.compute(), audit.targets()
    timeline(st)
    synthesis_heatmap(th)
    return {
        "audit_summary.md": audit_summary(a),
        "audit_rules.md": audit_rules(),
        "audit_checked.md": audit_checked(a),
        "audit_unchecked.md": audit_unchecked(a),
        "targets.md": targets_markdown(t),
        "strategies.md": strategies_markdown(st),
        "synthesis_facts.md": synthesis_facts(th),
        "synthesis_stages.md": synthesis_stages(),
        "synthesis_conclusions.md": synthesis_conclusions(th, ln, a, df),
        "theme_links.md": links_markdown(ln),
    }
