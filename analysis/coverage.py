"""The coverage matrix of the book's data: for every indicator, country and year,
whether a value exists and which source file gave it. Written by
``python -m analysis.docs`` (``write()``) as one heatmap per indicator group under
``book/figures/coverage/`` (PNG, SVG and the CSV behind it) and the markdown
``book/_generated/coverage-matrix.md`` included by ``book/coverage.md``.
Everything is computed from ``data/processed/indicators.csv``; nothing is typed."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .indicators import load
from .paths import BOOK, GENERATED

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
    rows = []
    codes = config.iso3_codes()
    for ind, d in df.groupby("indicator", sort=True):
        years = sorted(int(y) for y in d["year"].unique())
        have = {(r.country_iso3, int(r.year)): r.source_id for r in d.itertuples()}
        for iso3 in (c for c in codes if config.applies(ind, c)):
            for y in years:
                src = have.get((iso3, y), "")
                rows.append({"indicator": ind, "country_iso3": iso3, "year": y,
                             "has_value": bool(src), "source_id": src})
    return pd.DataFrame(rows, columns=["indicator", "country_iso3", "year", "has_value", "source_id"])


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
        srcs = "; ".join(f"`{s}`: {year_ranges(g['year'])}" for s, g in have.groupby("source_id", sort=False))
        rows.append({"indicator": ind, "country_iso3": iso3, "values": len(have),
                     "years": year_ranges(have["year"]),
                     "missing": "none" if missing.empty else
                     (f"all ({year_ranges(missing)})" if have.empty else year_ranges(missing)),
                     "sources": srcs or "–"})
    return pd.DataFrame(rows)


def _source_colours(m: pd.DataFrame) -> dict[str, str]:
    from . import registry

    order = [e["id"] for e in registry.load()]
    used = sorted(set(m["source_id"]) - {""}, key=lambda s: (order.index(s) if s in order else len(order), s))
    return {s: SOURCE_COLOURS[i % len(SOURCE_COLOURS)] for i, s in enumerate(used)}


def figure(m: pd.DataFrame, colours: dict[str, str]):
    """One panel per indicator: countries in rows, years in columns; a cell is
    coloured by the source of its value, white where there is none."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    from .indicators import label_of

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
        ax.set_title(f"{label_of(ind)[0]} ({ind})", loc="left", fontsize=9, fontweight="bold")
        ax.tick_params(length=0)
        ax.grid(False)
        for side in ax.spines.values():
            side.set_visible(False)
    handles = [Patch(facecolor=MISSING, edgecolor="#999999", label="no value")]
    handles += [Patch(facecolor=c, label=s) for s, c in colours.items() if s in set(m["source_id"])]
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
    from .indicators import label_of

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
    return text.replace("\n", " ")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(m: pd.DataFrame) -> str:
    from .indicators import label_of

    lines = []
    for slug, title, _ in GROUPS:
        g = m[m["indicator"].map(group_of) == slug]
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
            lines.append(f"| {_cell(label_of(r.indicator)[0])} (`{r.indicator}`) | "
                         f"{config.country(r.country_iso3).name} | {r.values} | {r.years} | "
                         f"{'**' + r.missing + '**' if r.missing != 'none' else 'none'} | {_cell(r.sources)} |")
        lines.append("")
    return "\n".join(lines)


def write(df: pd.DataFrame | None = None, figdir: Path = FIGURES, md_path: Path = MARKDOWN) -> None:
    """Write the figures (PNG, SVG, CSV) and the markdown include."""
    from . import plots

    df = load() if df is None else df
    m = matrix(df)
    colours = _source_colours(m)
    plots.setup()
    for slug, _, _ in GROUPS:
        g = m[m["indicator"].map(group_of) == slug]
        if g.empty:
            continue
        plots.render(figdir / slug, lambda g=g: (figure(g, colours), g.set_index(["indicator", "country_iso3", "year"])),
                     g, colours, config.iso3_codes())
    text = markdown(m)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    if not md_path.exists() or md_path.read_text(encoding="utf-8") != text:
        md_path.write_text(text, encoding="utf-8")
