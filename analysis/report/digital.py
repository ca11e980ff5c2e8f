"""The digital economy beyond connectivity, for the regional overview: secure
Internet servers (IT.NET.SECR.P6) and high-technology exports
(TX.VAL.TECH.MF.ZS), each country in the latest year in which most report."""
from __future__ import annotations

import pandas as pd

from analysis import config
from analysis.data.indicators import label_of, wide

SERIES = [("servers", "IT.NET.SECR.P6"), ("hightech", "TX.VAL.TECH.MF.ZS")]


def common_year(df: pd.DataFrame, indicator: str) -> int | None:
    """The latest year in which the most countries report (as plots.latest_bars picks it)."""
    table = wide(df, indicator)
    if table.empty:
        return None
    counts = table.notna().sum(axis=1)
    return int(counts[counts == counts.max()].index.max())


def sentence(df: pd.DataFrame, indicator: str) -> str:
    from analysis.report.plots import decimals

    name, unit = label_of(indicator)
    year = common_year(df, indicator)
    if year is None:
        return f"The sources hold no value of {name.lower()}."
    row = wide(df, indicator).loc[year]
    five = row.reindex(config.partners()).dropna().sort_values(ascending=False)
    d = decimals(indicator)
    f = lambda v: f"{v:,.{d}f}"  # noqa: E731
    missing = [config.country(c).name for c in config.iso3_codes() if pd.isna(row.get(c))]
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    sep = "" if unit.startswith("%") else " "
    text = (f"In {year}, {name[0].lower() + name[1:]} were highest in {config.country(five.index[0]).name} "
            f"({f(five.iloc[0])}{sep}{unit}) and lowest in {config.country(five.index[-1]).name} "
            f"({f(five.iloc[-1])}) among the {words.get(len(five), len(five))} Central Asian countries that report")
    ref = row.get(config.reference())
    if ref is not None and not pd.isna(ref):
        text += f"; China: {f(ref)}"
    text += "."
    if missing:
        text += f" No {year} value for {', '.join(missing)}."
    return text


def regional_facts(df: pd.DataFrame) -> dict[str, str]:
    return {f"digital_{slug}": sentence(df, code) for slug, code in SERIES}


ALT = {"servers": "Horizontal bar chart of secure Internet servers per 1 million people in each country in {year}.",
       "hightech": "Horizontal bar chart of high-technology exports as a percentage of manufactured exports in each "
                   "country that reports them in {year}."}
CAPTION = {"servers": "Secure Internet servers per 1 million people, {year}.",
           "hightech": "High-technology exports, % of manufactured exports, {year}: a share of manufactured exports "
                       "only, so a high share can also mean that a country exports few manufactured goods."}


def regional_parts(df: pd.DataFrame, outdir=None) -> list:
    """The figures (saved as PNG, SVG and CSV under ``book/figures/regional/``)."""
    from IPython.display import Markdown

    from analysis.paths import BOOK
    from analysis.report import plots
    from analysis.report.chapter import source_label

    out = []
    for slug, code in SERIES:
        year = common_year(df, code)
        if year is None:
            continue
        stem = (outdir or BOOK / "figures") / "regional" / slug
        plots.render(stem, lambda code=code, year=year: (plots.latest_bars(df, code, year)[0],
                                                         wide(df, code).loc[[year]]), wide(df, code), year)
        ids = sorted(df.loc[df["indicator"] == code, "source_id"].unique())
        src = "; ".join(f"{source_label(i)} ({i})" for i in ids)
        links = " · ".join(f"[{e.upper()}](figures/regional/{slug}.{e})" for e in ("csv", "png", "svg"))
        out.append(Markdown(f"```{{figure}} figures/regional/{slug}.png\n:name: fig-regional-{slug}\n"
                            f":alt: {ALT[slug].format(year=year)}\n\n{CAPTION[slug].format(year=year)} "
                            f"Source: {src}. Data: {links}\n```"))
    return out
