"""The coverage matrix of the book's data: for every indicator, country and year,
whether a value exists and which source file gave it. Written by
``python -m analysis.report.generate`` (``write()``) as one heatmap per indicator group under
``book/figures/coverage/`` (PNG, SVG and the CSV behind it) and the markdown
``book/_generated/coverage-matrix.md`` included by ``book/coverage.md``.
Everything is computed from ``data/processed/indicators.csv``; nothing is typed."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import atomic, config
from analysis.data.indicators import load
from analysis.paths import BOOK, GENERATED
from analysis.untrusted import mathtext, md, md_code, one_line

FIGURES = BOOK / "figures" / "coverage"
MARKDOWN = GENERATED / "coverage-matrix.md"

# Indicator groups by code prefix, in page order; anything else is "Economy and trade".
GROUPS = [
    ("digital", "Digital access", ("IT.",)),
    ("egov", "E-government", ("EGDI.",)),
    ("governance", "Governance and business climate", ("CPI.", "IC.")),
    ("bilateral", "Bilateral trade in goods (IMF Direction of Trade)", ("DOTS.",)),
    ("economy", "Economy and trade", ()),
]
MISSING = "#FFFFFF"
NA_HATCH = "xxxx"  # a bilateral flow of a country with itself
# Okabe–Ito colours without black, then greys: one per source, in registry order.
SOURCE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                  "#999999", "#555555"]


def group_of(indicator: str) -> str:
    for slug, _, prefixes in GROUPS:
        if any(indicator.startswith(p) for p in prefixes):
            return slug
    return GROUPS[-1][0]


def matrix(df: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator, country and year in which the sources give that
    indicator for at least one country (so the off-years of a survey held every
    other year are not gaps), with the value's source, or "" when the sources hold
    no value for that country: the missing cells are rows too."""
    codes = config.iso3_codes()
    cols = ["indicator", "country_iso3", "year", "has_value", "source_id"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    # every (indicator, year) with a value × every country, joined once with the values
    cells = (df[["indicator", "year"]].drop_duplicates()
             .merge(pd.DataFrame({"country_iso3": codes}), how="cross"))
    have = df.loc[df["country_iso3"].isin(codes), ["indicator", "country_iso3", "year", "source_id"]]
    m = cells.merge(have, on=["indicator", "country_iso3", "year"], how="left")
    m["source_id"] = m["source_id"].fillna("").astype(str)
    m["has_value"] = m["source_id"] != ""
    # a bilateral flow of a country with itself is no cell at all (not a gap)
    pairs = m[["indicator", "country_iso3"]].drop_duplicates()
    na = pairs[[not config.applies(i, c) for i, c in zip(pairs["indicator"], pairs["country_iso3"])]]
    if len(na):
        drop = m.set_index(["indicator", "country_iso3"]).index.isin(pd.MultiIndex.from_frame(na))
        m = m[~drop]
    m["year"] = m["year"].astype("int64")
    order = m["country_iso3"].map({c: i for i, c in enumerate(codes)})
    m = m.assign(_c=order).sort_values(["indicator", "_c", "year"], kind="stable")
    return m[cols].reset_index(drop=True)


def year_ranges(years) -> str:
    """``[2005, 2006, 2007, 2010]`` → ``2005–2007, 2010``."""
    ys = sorted(int(y) for y in years)
    if not ys:
        return "none"
    out, start, prev = [], ys[0], ys[0]
    for y in ys[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(out)


def summary(m: pd.DataFrame) -> pd.DataFrame:
    """Per indicator and country: years with a value, missing years (years in
    which another country has a value) and the years each source gave."""
    rows = []
    for (ind, iso3), d in m.groupby(["indicator", "country_iso3"], sort=False):
        have = d[d["has_value"]]
        missing = d.loc[~d["has_value"], "year"]
        srcs = "; ".join(f"{md_code(s)}: {year_ranges(g['year'])}" for s, g in have.groupby("source_id", sort=False))
        rows.append({"indicator": ind, "country_iso3": iso3, "values": len(have),
                     "years": year_ranges(have["year"]),
                     "missing": "none" if missing.empty else
                     (f"all ({year_ranges(missing)})" if have.empty else year_ranges(missing)),
                     "sources": srcs or "–"})
    return pd.DataFrame(rows)


def _source_colours(m: pd.DataFrame) -> dict[str, str]:
    from analysis.data import registry

    order = [e["id"] for e in registry.load()]
    used = sorted(set(m["source_id"]) - {""}, key=lambda s: (order.index(s) if s in order else len(order), s))
    return {s: SOURCE_COLOURS[i % len(SOURCE_COLOURS)] for i, s in enumerate(used)}


def figure(m: pd.DataFrame, colours: dict[str, str]):
    """One panel per indicator: countries in rows, years in columns; a cell is
    coloured by the source of its value, white where there is none."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    from analysis.data.indicators import label_of

    inds = list(dict.fromkeys(m["indicator"]))
    names = [config.country(c).name for c in config.iso3_codes()]
    keys = [""] + list(colours)
    cmap = ListedColormap([MISSING] + [colours[s] for s in colours]).with_extremes(bad=MISSING)
    fig = Figure(figsize=(10, 0.4 + 1.75 * len(inds)))
    axes = fig.subplots(len(inds), 1, squeeze=False)
    for ax, ind in zip(axes[:, 0], inds):
        d = m[m["indicator"] == ind]
        grid = (d.assign(k=d["source_id"].map(keys.index))
                .pivot(index="country_iso3", columns="year", values="k")
                .reindex(config.iso3_codes()))
        years = list(grid.columns)
        ax.pcolormesh(range(len(years) + 1), range(len(names) + 1), np.ma.masked_invalid(grid.values.astype(float)),
                      cmap=cmap,
                      vmin=-0.5, vmax=len(keys) - 0.5, edgecolors="#DDDDDD", linewidth=0.4)
        for row, iso3 in enumerate(config.iso3_codes()):  # a country's flow with itself: hatched, not a gap
            if not config.applies(ind, iso3):
                ax.add_patch(Rectangle((0, row), len(years), 1, fill=False, hatch=NA_HATCH,
                                       edgecolor="#888888", linewidth=0))
        ax.set_yticks([i + 0.5 for i in range(len(names))], names, fontsize=8)
        ax.invert_yaxis()
        step = 1 if len(years) <= 25 else 5
        ticks = [i for i, y in enumerate(years) if y % step == 0 or len(years) <= 25]
        ax.set_xticks([i + 0.5 for i in ticks], [str(years[i]) for i in ticks], fontsize=7,
                      rotation=90 if len(ticks) > 14 or len(years) > 25 else 0)
        ax.set_title(mathtext(f"{label_of(ind)[0]} ({ind})"), loc="left", fontsize=9, fontweight="bold")
        ax.tick_params(length=0)
        ax.grid(False)
        for side in ax.spines.values():
            side.set_visible(False)
    handles = [Patch(facecolor=MISSING, edgecolor="#999999", label="no value")]
    handles += [Patch(facecolor=c, label=mathtext(s)) for s, c in colours.items() if s in set(m["source_id"])]
    if any(not config.applies(i, c) for i in inds for c in config.iso3_codes()):
        handles.append(Patch(facecolor=MISSING, edgecolor="#888888", hatch=NA_HATCH, label="not applicable (own country)"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0))
    fig.tight_layout(rect=(0, 0.06 if len(inds) > 2 else 0.12, 1, 1))
    return fig


def _lower_first(title: str) -> str:
    """"Bilateral trade (IMF ...)" → "bilateral trade (IMF ...)": acronyms keep their case."""
    return title[:1].lower() + title[1:]


def alt_text(m: pd.DataFrame, title: str) -> str:
    """What a group's figure shows, including which series have no value at all."""
    from analysis.data.indicators import label_of

    inds = list(dict.fromkeys(m["indicator"]))
    s = summary(m)
    empty = s[s["values"] == 0]
    text = (f"Coverage grid for {_lower_first(title)}: one panel per indicator ("
            + "; ".join(label_of(i)[0] for i in inds)
            + "), with the countries in rows and the years in columns; a coloured cell is a value, "
              "coloured by the source that gave it, and a white cell is a year without a value.")
    if any(not config.applies(i, c) for i in inds for c in config.iso3_codes()):
        text += " A cross-hatched row is a country's trade with itself, which does not apply."
    if len(empty):
        text += " No value at all: " + "; ".join(
            f"{config.country(r.country_iso3).name} for {label_of(r.indicator)[0]}" for r in empty.itertuples()) + "."
    return one_line(text)


# ------------------------------------------------------- further indicators
# Indicators analysis/indicators.yml does not describe (a whole World Bank
# download adds some 1,500): one compact row each, grouped by topic
# (analysis/topics.yml), every statistic computed in one grouping of the
# matrix, never one scan of it per indicator.
FURTHER = "further"
COLLAPSE = 12  # a topic with more indicators than this is shown collapsed


def split(m: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the book's own indicators, the further ones) of a matrix."""
    known = m["indicator"].isin(list(config.indicator_meta()))
    return m[known], m[~known]


def further_table(m: pd.DataFrame) -> pd.DataFrame:
    """Per further indicator: its topic and, per country, the years with a value
    (first–last), their number, and the number of years any country reports."""
    stats = (m.assign(y=m["year"].where(m["has_value"]))
             .groupby(["indicator", "country_iso3"], sort=True)
             .agg(values=("has_value", "sum"), years=("year", "size"), first=("y", "min"), last=("y", "max"))
             .reset_index())
    stats["topic"] = config.topic_slugs(stats["indicator"]).to_numpy()
    return stats


def topic_shares(m: pd.DataFrame) -> pd.DataFrame:
    """Topic × country: the share (%) of indicator-years with a value."""
    stats = further_table(m)
    names = dict(config.topics())
    t = stats.groupby(["topic", "country_iso3"]).agg(values=("values", "sum"), years=("years", "sum"))
    share = (100 * t["values"] / t["years"]).unstack("country_iso3").reindex(columns=config.iso3_codes())
    order = [slug for slug, _ in config.topics() if slug in share.index]
    share = share.reindex(order)
    share.index = [names[s] for s in share.index]
    share.index.name = "topic"
    return share.round(1)


def topic_figure(shares: pd.DataFrame):
    """Heatmap: topics in rows, countries in columns, the share of values held."""
    from matplotlib.figure import Figure

    names = [config.country(c).name for c in shares.columns]
    fig = Figure(figsize=(8, 1.0 + 0.32 * len(shares)))
    ax = fig.subplots()
    ax.pcolormesh(range(len(names) + 1), range(len(shares) + 1), shares.to_numpy(dtype=float),
                  cmap="Blues", vmin=0, vmax=100, edgecolors="#DDDDDD", linewidth=0.4)
    for i, row in enumerate(shares.to_numpy(dtype=float)):
        for j, v in enumerate(row):
            if v == v:
                ax.text(j + 0.5, i + 0.5, f"{v:.0f}%", ha="center", va="center", fontsize=7,
                        color="white" if v > 60 else "black")
    ax.set_xticks([j + 0.5 for j in range(len(names))], names, fontsize=8)
    ax.set_yticks([i + 0.5 for i in range(len(shares))], list(shares.index), fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    fig.tight_layout()
    return fig


def _labels() -> dict[str, str]:
    from analysis.paths import CATALOG_CSV

    if not CATALOG_CSV.exists():
        return {}
    cat = pd.read_csv(CATALOG_CSV, dtype=str, keep_default_na=False)
    return dict(zip(cat["indicator"], cat["label"]))


def further_markdown(m: pd.DataFrame) -> list[str]:
    stats = further_table(m)
    codes = config.iso3_codes()
    names = [config.country(c).name for c in codes]
    labels = _labels()
    first = stats["first"].astype("Int64").astype(str)
    last = stats["last"].astype("Int64").astype(str)
    stats["cell"] = ["**none**" if v == 0 else (f"{a}–{b}" if a != b else a) + f", {v}/{n}"
                     for v, n, a, b in zip(stats["values"], stats["years"], first, last)]
    cells = stats.pivot(index="indicator", columns="country_iso3", values="cell").reindex(columns=codes)
    topic_of = stats.drop_duplicates("indicator").set_index("indicator")["topic"]
    n = len(cells)
    shares = topic_shares(m)
    lines = [
        "## Further indicators", "",
        f"The data hold {n:,} indicator{'s' if n != 1 else ''} that `analysis/indicators.yml` does not describe "
        "(the book's text does not use them). They are grouped by topic, from the prefix of their code "
        "(`analysis/topics.yml`). Each cell gives the first and last year with a value, then how many of the "
        "years in which any country reports the indicator have one (*values*/*years*); **none** where the "
        "country has no value at all.", "",
        f"```{{figure}} figures/coverage/{FURTHER}.png",
        f":name: fig-coverage-{FURTHER}",
        ":alt: Heatmap of the further indicators: topics in rows, countries in columns; each cell gives the "
        "share of indicator-years with a value. " + "; ".join(
            f"{t}: " + ", ".join(f"{config.country(c).name} {v:.0f}%" for c, v in row.items() if v == v)
            for t, row in shares.iterrows()),
        "",
        "Share of the further indicators' years with a value, by topic and country. Data: "
        f"{{download}}`CSV <figures/coverage/{FURTHER}.csv>` · {{download}}`PNG <figures/coverage/{FURTHER}.png>` · "
        f"{{download}}`SVG <figures/coverage/{FURTHER}.svg>`",
        "```", "",
    ]
    for slug, title in config.topics():
        rows = cells[topic_of.reindex(cells.index).to_numpy() == slug]
        if rows.empty:
            continue
        k = len(rows)
        lines += [f"### {title}", ""]
        table = ["| Indicator | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for code, row in zip(rows.index, rows.to_numpy()):
            label = labels.get(code, code)
            name = f"{md(label)} ({md_code(code)})" if label != code else md_code(code)
            table.append(f"| {name} | " + " | ".join(row) + " |")
        if k > COLLAPSE:
            lines += [f"````{{dropdown}} Show the {k} indicators", *table, "````", ""]
        else:
            lines += [*table, ""]
    return lines


def markdown(m: pd.DataFrame) -> str:
    from analysis.data.indicators import label_of

    lines = []
    key, further = split(m)
    for slug, title, _ in GROUPS:
        g = key[key["indicator"].map(group_of) == slug]
        if g.empty:
            continue
        lo, hi = int(g["year"].min()), int(g["year"].max())
        lines += [
            f"## {title}", "",
            f"```{{figure}} figures/coverage/{slug}.png",
            f":name: fig-coverage-{slug}",
            f":alt: {alt_text(g, title)}",
            "",
            f"Values held for {_lower_first(title)}, {lo}–{hi}, by country and year; the colour names the "
            "source file (keys as in {doc}`data-methods`), white means no value"
            + ("; cross-hatched rows are a country's trade with itself, which does not apply" if slug == "bilateral" else "")
            + ". Data: "
            f"{{download}}`CSV <figures/coverage/{slug}.csv>` · {{download}}`PNG <figures/coverage/{slug}.png>` · "
            f"{{download}}`SVG <figures/coverage/{slug}.svg>`",
            "```", "",
            "| Indicator | Country | Values | Years with a value | Missing years | Source of each year |",
            "|---|---|---|---|---|---|",
        ]
        for r in summary(g).itertuples():
            lines.append(f"| {md(label_of(r.indicator)[0])} ({md_code(r.indicator)}) | "
                         f"{config.country(r.country_iso3).name} | {r.values} | {r.years} | "
                         f"{'**' + r.missing + '**' if r.missing != 'none' else 'none'} | {r.sources} |")
        lines.append("")
    if len(further):
        lines += further_markdown(further)
    return "\n".join(lines)


def write(df: pd.DataFrame | None = None, figdir: Path = FIGURES, md_path: Path = MARKDOWN) -> None:
    """Write the figures (PNG, SVG, CSV) and the markdown include."""
    from analysis.report import plots

    df = load() if df is None else df
    m = matrix(df)
    colours = _source_colours(m)
    plots.setup()
    key, further = split(m)
    for slug, _, _ in GROUPS:
        g = key[key["indicator"].map(group_of) == slug]
        if g.empty:
            continue
        plots.render(figdir / slug, lambda g=g: (figure(g, colours), g.set_index(["indicator", "country_iso3", "year"])),
                     g, colours, config.iso3_codes())
    if len(further):
        shares = topic_shares(further)
        plots.render(figdir / FURTHER, lambda: (topic_figure(shares), shares), shares)
    else:
        for ext in (".png", ".svg", ".csv", ".key"):
            (figdir / FURTHER).with_suffix(ext).unlink(missing_ok=True)
    text = markdown(m)
    atomic.update_text(md_path, text)
