"""Trade in goods with China, from the IMF Direction of Trade Statistics (DOTS):
what each Central Asian country sells to China and buys from it, China's share
of its goods trade, and how both changed after the Silk Road Economic Belt was
proposed in 2013.

The tidy table holds what the DOTS files give: each reporter's exports, FOB,
to each partner, as indicator ``DOTS.EXP.<partner>`` of the reporting country
(US$ millions). The files give exports only, so a Central Asian country's
imports from China are China's exports to it (``CHN``, ``DOTS.EXP.<country>``):
mirror data, valued at China's border and not as the importer records them.

China's share of a country's goods trade needs a total: the files give none
(only the partner rows of the six countries were kept), so the total is the
World Bank's merchandise trade (``TG.VAL.TOTL.GD.ZS``, exports plus imports, %
of GDP) times GDP (``NY.GDP.MKTP.CD``), computed only where both exist.

Every function takes the indicator table as the notebooks read it."""
from __future__ import annotations

import pandas as pd

from analysis import config
from analysis.data.indicators import series

SREB_YEAR = 2013  # Xi Jinping proposed the Silk Road Economic Belt in Astana, 7 September 2013
START, END = 2005, 2020
EXP, IMP, SHARE = "exports_to_china_usd_m", "imports_from_china_usd_m", "china_share_of_goods_trade_pct"
TOTAL = "goods_trade_usd_m"
MERCH, GDP = "TG.VAL.TOTL.GD.ZS", "NY.GDP.MKTP.CD"
SOURCES = ("imf_dots",)


def code(partner: str) -> str:
    """Indicator code of exports to ``partner``."""
    return f"DOTS.EXP.{partner}"


def exports(df: pd.DataFrame, reporter: str, partner: str) -> pd.Series:
    """``reporter``'s exports to ``partner`` by year, US$ millions, as the file gives them."""
    return series(df, reporter, code(partner))


def goods_trade(df: pd.DataFrame, iso3: str) -> pd.Series:
    """Merchandise exports plus imports in US$ millions: WDI's % of GDP times GDP,
    in the years where both exist."""
    both = pd.concat([series(df, iso3, MERCH), series(df, iso3, GDP)], axis=1, join="inner")
    return (both.iloc[:, 0] / 100 * both.iloc[:, 1] / 1e6).rename(TOTAL)


def flows(df: pd.DataFrame, iso3: str, start: int = START, end: int = END) -> pd.DataFrame:
    """A Central Asian country's goods trade with China by year: exports to China
    (its own file), imports from China (China's exports to it), and China's share
    of its goods trade in percent where the World Bank total exists."""
    ref = config.reference()
    out = pd.concat([exports(df, iso3, ref).rename(EXP), exports(df, ref, iso3).rename(IMP)], axis=1)
    total = goods_trade(df, iso3)
    both = out[EXP] + out[IMP]
    out[SHARE] = (both / total.reindex(out.index) * 100)
    out = out[(out.index >= start) & (out.index <= end)]
    out.index.name = "year"
    return out


def china_flows(df: pd.DataFrame, start: int = START, end: int = END) -> pd.DataFrame:
    """China's exports to each Central Asian country and its imports from each
    (their exports to China), by year, US$ millions."""
    ref = config.reference()
    cols = {}
    for p in config.partners():
        cols[f"exports_to_{p}_usd_m"] = exports(df, ref, p)
    for p in config.partners():
        cols[f"imports_from_{p}_usd_m"] = exports(df, p, ref)
    out = pd.DataFrame(cols)
    out = out[(out.index >= start) & (out.index <= end)]
    out.index.name = "year"
    return out


def shares(df: pd.DataFrame, start: int = START, end: int = END) -> pd.DataFrame:
    """China's share of each Central Asian country's goods trade, year × country."""
    out = pd.DataFrame({p: flows(df, p, start, end)[SHARE] for p in config.partners()})
    out.index.name = "year"
    return out


# ----------------------------------------------------------------- wording
def money(v: float | None) -> str:
    """US$ millions in words: ``US$9.0 billion``, ``US$435 million``, ``US$4.6 million``."""
    if v is None or pd.isna(v):
        return "n/a"
    if v >= 1000:
        return f"US${v / 1000:,.1f} billion"
    return f"US${v:,.0f} million" if v >= 10 else f"US${v:,.1f} million"


def pct(v: float | None) -> str:
    return "n/a" if v is None or pd.isna(v) else f"{v:.1f}%"


def rel_change(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or pd.isna(a) or pd.isna(b) or a == 0:
        return None
    return (b / a - 1) * 100


def change_words(r: float | None) -> str:
    if r is None:
        return "n/a"
    if abs(r) < 0.05:
        return "unchanged"
    return f"{'up' if r > 0 else 'down'} {abs(r):.0f}%"


def _at(s: pd.Series, year: int) -> float | None:
    return float(s[year]) if year in s.index and pd.notna(s[year]) else None


def latest_year(f: pd.DataFrame, cols: list[str]) -> int | None:
    """Last year in which every column in ``cols`` has a value."""
    full = f[cols].dropna()
    return int(full.index.max()) if len(full) else None


def facts(df: pd.DataFrame, iso3: str) -> dict[str, str]:
    """Glue keys of the chapter's "Trade with China" subsection (all strings).

    For a Central Asian country: ``trade_exp_cn_<year>``, ``trade_imp_cn_<year>``,
    ``trade_total_cn_<year>`` and ``trade_share_cn_<year>`` for 2005, 2013 and
    ``latest`` (``trade_year_latest`` names it), the changes since 2013
    (``trade_exp_cn_change``, ``trade_imp_cn_change``, ``trade_share_cn_change``
    in percentage points) and ``trade_cn_sentence``. For China: its exports to and
    imports from each partner (``trade_exp_<ISO3>_latest``, ``trade_imp_<ISO3>_latest``)
    and the same for the five together (``trade_exp_c5_*``, ``trade_imp_c5_*``)."""
    if iso3 == config.reference():
        return _china_facts(df)
    c = config.country(iso3)
    f = flows(df, iso3)
    last = latest_year(f, [EXP, IMP])
    out = {"trade_year_latest": str(last) if last else "n/a", "src_trade_cn": source_text(df, iso3)}
    usable = share_usable(f)
    if not usable:  # not a share (see share_problem): no value is glued
        f = f.assign(**{SHARE: float("nan")})
    for label, year in (("2005", START), ("2013", SREB_YEAR), ("latest", last)):
        e, i = (_at(f[EXP], year), _at(f[IMP], year)) if year else (None, None)
        out[f"trade_exp_cn_{label}"] = money(e)
        out[f"trade_imp_cn_{label}"] = money(i)
        out[f"trade_total_cn_{label}"] = money(None if e is None or i is None else e + i)
        out[f"trade_share_cn_{label}"] = pct(_at(f[SHARE], year)) if year else "n/a"
    if last is None:
        out["trade_cn_sentence"] = f"The IMF files hold no full year of {c.name}'s trade with China."
        for k in ("exp", "imp", "share"):
            out[f"trade_{k}_cn_change"] = "n/a"
        return out
    e0, e1 = _at(f[EXP], SREB_YEAR), _at(f[EXP], last)
    i0, i1 = _at(f[IMP], SREB_YEAR), _at(f[IMP], last)
    s0, s1 = _at(f[SHARE], SREB_YEAR), _at(f[SHARE], last)
    out["trade_exp_cn_change"] = change_words(rel_change(e0, e1))
    out["trade_imp_cn_change"] = change_words(rel_change(i0, i1))
    out["trade_share_cn_change"] = "n/a" if s0 is None or s1 is None else f"{s1 - s0:+.1f} percentage points"
    total = (f[EXP] + f[IMP]).dropna()
    peak = int(total.idxmax())
    text = (f"In {last}, {c.name} sold goods worth {money(e1)} to China and bought goods worth {money(i1)} "
            f"from it (China's record of its exports to {c.name}). In {SREB_YEAR}, the year the Silk Road "
            f"Economic Belt was proposed, the two flows were {money(e0)} and {money(i0)}: since then exports "
            f"to China are {change_words(rel_change(e0, e1))} and imports from China "
            f"{change_words(rel_change(i0, i1))}. Trade in both directions peaked in {peak} at "
            f"{money(float(total[peak]))}.")
    if s0 is not None and s1 is not None:
        text += (f" China's share of {c.name}'s goods trade went from {pct(s0)} in {SREB_YEAR} to "
                 f"{pct(s1)} in {last}.")
    elif usable:
        text += f" The World Bank data lack the {SREB_YEAR} or {last} total needed for China's share of {c.name}'s goods trade."
    out["trade_cn_sentence"] = text
    return out


def _china_facts(df: pd.DataFrame) -> dict[str, str]:
    f = china_flows(df)
    parts = config.partners()
    ecols = [f"exports_to_{p}_usd_m" for p in parts]
    icols = [f"imports_from_{p}_usd_m" for p in parts]
    last = latest_year(f, ecols + icols)
    out = {"trade_year_latest": str(last) if last else "n/a", "src_trade_cn": source_text(df, config.reference())}
    if last is None:
        out["trade_cn_sentence"] = "The IMF files hold no full year of China's trade with the five."
        return out
    for p in parts:
        out[f"trade_exp_{p}_latest"] = money(_at(f[f"exports_to_{p}_usd_m"], last))
        out[f"trade_imp_{p}_latest"] = money(_at(f[f"imports_from_{p}_usd_m"], last))
    for label, year in (("2013", SREB_YEAR), ("latest", last)):
        row = f.loc[year] if year in f.index else None
        out[f"trade_exp_c5_{label}"] = money(None if row is None else float(row[ecols].sum(min_count=len(ecols))))
        out[f"trade_imp_c5_{label}"] = money(None if row is None else float(row[icols].sum(min_count=len(icols))))
    e = f.loc[last, ecols]
    i = f.loc[last, icols]
    big_e, big_i = e.idxmax().split("_")[2], i.idxmax().split("_")[2]
    exp_total, imp_total = float(e.sum()), float(i.sum())
    share_e = float(e[f"exports_to_{big_e}_usd_m"]) / exp_total * 100
    share_i = float(i[f"imports_from_{big_i}_usd_m"]) / imp_total * 100
    text = (f"In {last}, China's exports to the five Central Asian countries came to {money(exp_total)} and its "
            f"imports from them (their exports to China) to {money(imp_total)}, against "
            f"{out['trade_exp_c5_2013']} and {out['trade_imp_c5_2013']} in {SREB_YEAR}. "
            f"{config.country(big_e).name} took {share_e:.0f}% of China's exports to the region and "
            + ("" if big_i == big_e else f"{config.country(big_i).name} ")
            + f"supplied {share_i:.0f}% of its imports from it.")
    total = goods_trade(df, config.reference())
    if last in total.index:
        c5 = (exp_total + imp_total) / float(total[last]) * 100
        out["trade_c5_share_of_china_latest"] = pct(c5)
        text += f" Together the five accounted for {c5:.1f}% of China's goods trade in {last}."
    out["trade_cn_sentence"] = text
    return out


def source_text(df: pd.DataFrame, iso3: str) -> str:
    """The registry keys behind a chapter's trade figure."""
    from analysis.report.chapter import source_label

    ref = config.reference()
    rows = df[df["indicator"].str.startswith("DOTS.EXP.")]
    if iso3 == ref:
        rows = rows[(rows["country_iso3"] == ref) | (rows["indicator"] == code(ref))]
        extra = []
    else:
        rows = rows[((rows["country_iso3"] == iso3) & (rows["indicator"] == code(ref)))
                    | ((rows["country_iso3"] == ref) & (rows["indicator"] == code(iso3)))]
        extra = (sorted(df.loc[(df["country_iso3"] == iso3) & df["indicator"].isin([MERCH, GDP]), "source_id"].unique())
                 if share_usable(flows(df, iso3)) else [])
    def grouped(ids) -> str:
        by = {}
        for i in ids:
            by.setdefault(source_label(i), []).append(i)
        return "; ".join(f"{label} ({', '.join(keys)})" for label, keys in by.items())

    text = grouped(sorted(rows["source_id"].unique()))
    if extra:
        text += "; share: " + grouped(extra)
    return text or "none"


def inputs(df: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The rows a chapter's trade subsection reads (for the runner's fingerprint)."""
    ref = config.reference()
    dots = df["indicator"].str.startswith("DOTS.EXP.")
    if iso3 == ref:
        keep = dots & ((df["country_iso3"] == ref) | (df["indicator"] == code(ref)))
        keep |= (df["country_iso3"] == ref) & df["indicator"].isin([MERCH, GDP])
    else:
        keep = dots & (((df["country_iso3"] == iso3) & (df["indicator"] == code(ref)))
                       | ((df["country_iso3"] == ref) & (df["indicator"] == code(iso3))))
        keep |= (df["country_iso3"] == iso3) & df["indicator"].isin([MERCH, GDP])
    return df.loc[keep, ["country_iso3", "indicator", "year", "value", "source_id"]]


def share_usable(f: pd.DataFrame) -> bool:
    """Whether China's share can be read: never above 100%. Where China's recorded
    exports to a country exceed that country's whole recorded goods trade, the
    mirror figure and the World Bank total do not count the same goods."""
    s = f[SHARE].dropna()
    return len(s) > 0 and bool((s <= 100).all())


def share_problem(df: pd.DataFrame, iso3: str) -> str:
    """Why the share is not shown, or "" when it is."""
    f = flows(df, iso3)
    if share_usable(f):
        return ""
    c = config.country(iso3)
    s = f[SHARE].dropna()
    if s.empty:
        return f"The World Bank data lack the total needed for China's share of {c.name}'s goods trade."
    over = [str(y) for y in s.index[s > 100]]
    return (f"China's share of {c.name}'s goods trade is not shown: in {_join(over)} China's recorded "
            f"exports to {c.name} alone exceed {c.name}'s total goods trade as the World Bank records it, so "
            "the two sources do not count the same goods and their ratio cannot be read as a share.")


# ----------------------------------------------------------------- figures
def _mark_sreb(ax, label: bool = True) -> None:
    ax.axvline(SREB_YEAR, color="#555555", linestyle=":", linewidth=1.3, zorder=1)
    if label:
        ax.annotate("2013: Silk Road Economic Belt proposed", xy=(SREB_YEAR, 1), xycoords=("data", "axes fraction"),
                    xytext=(4, -4), textcoords="offset points", ha="left", va="top", fontsize=8, color="#333333")


def _millions_axis(ax) -> None:
    import matplotlib.ticker
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(5))
    ax.xaxis.set_minor_locator(matplotlib.ticker.MultipleLocator(1))
    ax.set_xlim(START - 0.5, END + 0.5)
    ax.set_ylim(bottom=0)


def country_figure(df: pd.DataFrame, iso3: str):
    """A Central Asian country's exports to and imports from China (and, where it
    can be read, China's share of its goods trade); ``(figure, plotted data)``."""
    from matplotlib.figure import Figure

    from analysis.report.plots import colour

    c = config.country(iso3)
    f = flows(df, iso3)
    usable = share_usable(f)
    data = f if usable else f[[EXP, IMP]]
    fig = Figure(figsize=(7.0, 6.0 if usable else 4.2))
    axes = fig.subplots(2 if usable else 1, 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": [3, 2]} if usable else None)[:, 0]
    ax = axes[0]
    ax.plot(f.index, f[EXP], color=colour(iso3), linewidth=2.4, marker="o", markersize=3.5,
            label=f"{c.name}'s exports to China")
    ax.plot(f.index, f[IMP], color=colour(config.reference()), linewidth=2.0, linestyle="--", marker="s",
            markersize=3.5, label=f"{c.name}'s imports from China (China's exports, FOB)")
    ax.set_title(f"{c.name}: trade in goods with China", loc="left")
    ax.set_ylabel("US$ millions")
    _millions_axis(ax)
    ax.set_ylim(top=max(float(f[[EXP, IMP]].max().max()) * 1.12, 1))
    _mark_sreb(ax)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=1, fontsize=8.5, frameon=False)
    if usable:
        ax2 = axes[1]
        s = f[SHARE].dropna()
        ax2.plot(s.index, s.values, color="black", linewidth=1.8, marker="o", markersize=3)
        ax2.set_title(f"China's share of {c.name}'s goods trade", loc="left", fontsize=10)
        ax2.set_ylabel("% of goods trade")
        ax2.set_xlim(START - 0.5, END + 0.5)
        ax2.set_ylim(0, max(float(s.max()) * 1.25, 10))
        _mark_sreb(ax2, label=False)
    fig.subplots_adjust(left=0.15, right=0.98, top=0.93, bottom=0.17 if usable else 0.24, hspace=0.3)
    return fig, data


def china_figure(df: pd.DataFrame):
    """China's exports to each of the five and its imports from each; ``(figure, data)``."""
    from matplotlib.figure import Figure

    from analysis.report.plots import colour

    f = china_flows(df)
    fig = Figure(figsize=(7.0, 6.2))
    axes = fig.subplots(2, 1, sharex=True)
    for ax, kind, title in ((axes[0], "exports_to", "China's exports to each Central Asian country"),
                            (axes[1], "imports_from", "China's imports from each (their exports to China)")):
        for p in config.partners():
            s = f[f"{kind}_{p}_usd_m"].dropna()
            ax.plot(s.index, s.values, color=colour(p), linewidth=2.0, marker="o", markersize=3,
                    label=config.country(p).name)
        ax.set_title(title, loc="left", fontsize=10.5)
        ax.set_ylabel("US$ millions")
        _millions_axis(ax)
        ax.set_ylim(top=float(f.max().max()) * 1.1)
        _mark_sreb(ax, label=ax is axes[0])
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=5, fontsize=8.5, frameon=False)
    fig.subplots_adjust(left=0.15, right=0.98, top=0.95, bottom=0.1, hspace=0.25)
    return fig, f


def regional_figure(df: pd.DataFrame):
    """China's share of the goods trade of each country for which it can be read."""
    from matplotlib.figure import Figure

    from analysis.report.plots import colour

    sh = shares(df)
    keep = [p for p in sh.columns if share_usable(flows(df, p))]
    data = sh[keep]
    fig = Figure(figsize=(7.0, 3.8))
    ax = fig.subplots()
    top = float(data.max().max()) * 1.2
    ends = []
    for p in keep:
        s = data[p].dropna()
        ax.plot(s.index, s.values, color=colour(p), linewidth=2.0, marker="o", markersize=3,
                label=config.country(p).name)
        ends.append([float(s.iloc[-1]), int(s.index[-1]), p])
    for (y, x, p) in label_positions(ends, gap=top * 0.055):
        ax.annotate(config.country(p).name, xy=(x + 0.25, y), va="center", fontsize=8, color=colour(p))
    ax.set_title("China's share of each country's goods trade", loc="left")
    ax.set_ylabel("% of goods trade")
    ax.set_xlim(START - 0.5, END + 3.5)
    ax.set_ylim(0, top)
    import matplotlib.ticker
    ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(5))
    _mark_sreb(ax)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.91, bottom=0.09)
    return fig, data


def label_positions(ends: list, gap: float) -> list:
    """End-of-line labels ``[y, x, key]`` moved apart so that no two are closer
    than ``gap`` (in data units), keeping their order."""
    ends = sorted(ends, key=lambda e: e[0])
    for i in range(1, len(ends)):
        if ends[i][0] - ends[i - 1][0] < gap:
            ends[i][0] = ends[i - 1][0] + gap
    return ends


# ----------------------------------------------------------------- chapter parts
def _caption_links(prefix: str, stem: str) -> str:
    return " · ".join(f"[{ext.upper()}]({prefix}/{stem}.{ext})" for ext in ("csv", "png", "svg"))


def section(df: pd.DataFrame, iso3: str, outdir=None) -> list:
    """The Markdown parts of a country chapter's "Trade with China" subsection:
    the paragraph, the figure (saved as PNG, SVG and the CSV of its numbers under
    ``book/figures/<ISO3>/trade_china.*``) and, for a Central Asian country, a
    note on the share where it cannot be read."""
    from IPython.display import Markdown

    from analysis.paths import BOOK
    from analysis.report import plots

    stem = (outdir or BOOK / "figures") / iso3 / "trade_china"
    fx = facts(df, iso3)
    c = config.country(iso3)
    rows = inputs(df, iso3).reset_index(drop=True)
    if iso3 == config.reference():
        plots.render(stem, lambda: china_figure(df), rows)
        alt = ("Two line charts, 2005 to 2020, in US$ millions: China's exports to each of the five Central Asian "
               "countries (top) and its imports from each (bottom), with a dotted vertical line at 2013, when the "
               "Silk Road Economic Belt was proposed.")
        caption = ("China's trade in goods with each Central Asian country, US$ millions: exports as China reports "
                   "them (FOB) and imports as the partners report their exports to China; the dotted line marks "
                   f"{SREB_YEAR}. Uzbekistan's, Tajikistan's and Turkmenistan's figures are probably IMF estimates. "
                   f"Source: {fx['src_trade_cn']}.")
        note = ""
    else:
        plots.render(stem, lambda: country_figure(df, iso3), rows)
        usable = share_usable(flows(df, iso3))
        alt = (f"Line chart, 2005 to 2020, in US$ millions, of {c.name}'s exports to China and its imports from "
               f"China, with a dotted vertical line at 2013, when the Silk Road Economic Belt was proposed"
               + (f"; below it, China's share of {c.name}'s goods trade in percent." if usable else "."))
        est = (f" {c.name}'s own figures in the IMF files are probably IMF estimates."
               if iso3 in ("UZB", "TJK", "TKM") else "")
        caption = (f"{c.name}'s trade in goods with China, US$ millions. Exports are {c.name}'s exports to China; "
                   f"imports are China's exports to {c.name} (mirror data, valued FOB at China's border)."
                   + (" China's share divides both flows by the World Bank's merchandise trade (% of GDP times "
                      "GDP)." if usable else "") + est + f" Source: {fx['src_trade_cn']}.")
        note = share_problem(df, iso3)
    name = f"fig-{iso3}-trade-china"
    text = fx["trade_cn_sentence"] + (" " + note if note else "")
    fig = (f"```{{figure}} ../figures/{iso3}/trade_china.png\n:name: {name}\n:alt: {alt}\n:width: 100%\n\n"
           f"{caption} Data: {_caption_links(f'../figures/{iso3}', 'trade_china')}\n```")
    return [Markdown(f"{text} {{numref}}`{name}` shows both flows since {START}."), Markdown(fig)]


def _arrow(a: float | None, b: float | None, fmt: str = "{:,.0f}") -> str:
    if a is None or b is None:
        return "n/a"
    r = rel_change(a, b)
    return f"{fmt.format(a)} → {fmt.format(b)}" + ("" if r is None else f" ({r:+.0f}%)".replace("-", "−"))


def regional_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per Central Asian country: exports to and imports from China (US$ millions)
    in 2013 and the latest year with the change, and China's share where it can
    be read."""
    rows = []
    years = [latest_year(flows(df, p), [EXP, IMP]) for p in config.partners()]
    last = max((y for y in years if y), default=None)
    for p in config.partners():
        f = flows(df, p)
        usable = share_usable(f)
        rows.append({"Country": config.country(p).name,
                     f"Exports to China, US$ m, {SREB_YEAR} → {last}": _arrow(_at(f[EXP], SREB_YEAR), _at(f[EXP], last)),
                     f"Imports from China, US$ m, {SREB_YEAR} → {last}": _arrow(_at(f[IMP], SREB_YEAR), _at(f[IMP], last)),
                     f"China's share of goods trade, %, {SREB_YEAR} → {last}":
                         (f"{_at(f[SHARE], SREB_YEAR):.1f} → {_at(f[SHARE], last):.1f}"
                          if usable and _at(f[SHARE], SREB_YEAR) is not None and _at(f[SHARE], last) is not None
                          else "not readable (see text)")})
    return pd.DataFrame(rows).set_index("Country")


def regional_facts(df: pd.DataFrame) -> dict[str, str]:
    """Glue keys of the regional overview's trade section."""
    sh = shares(df)
    keep = [p for p in sh.columns if share_usable(flows(df, p))]
    dropped = [p for p in sh.columns if p not in keep]
    out = {}
    years = sh[keep].dropna().index
    if len(years) and SREB_YEAR in years:
        last = int(years.max())
        row, base = sh.loc[last, keep], sh.loc[SREB_YEAR, keep]
        hi, lo = row.idxmax(), row.idxmin()
        rising = [config.country(p).name for p in keep if row[p] > base[p]]
        falling = [config.country(p).name for p in keep if row[p] < base[p]]
        text = (f"In {last}, China's share of goods trade was highest for {config.country(hi).name} "
                f"({pct(row[hi])}) and lowest for {config.country(lo).name} ({pct(row[lo])}), among the "
                f"{len(keep)} countries for which it can be read. Since {SREB_YEAR} it rose for "
                f"{_join(rising) or 'none of them'} and fell for {_join(falling) or 'none of them'}.")
        if dropped:
            text += " " + " ".join(share_problem(df, p) for p in dropped)
        out["trade_lead_share"] = text
    else:
        out["trade_lead_share"] = "The data lack the totals needed for China's share of the countries' goods trade."
    return out


NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def regional_parts(df: pd.DataFrame, outdir=None) -> list:
    """The regional overview's "Trade with China" parts: table, figure, note."""
    from IPython.display import Markdown

    from analysis.paths import BOOK
    from analysis.report import plots
    from analysis.report.chapter import markdown_table

    stem = (outdir or BOOK / "figures") / "regional" / "trade_china_share"
    rows = df[df["indicator"].str.startswith("DOTS.EXP.") | df["indicator"].isin([MERCH, GDP])]
    plots.render(stem, lambda: regional_figure(df), rows.reset_index(drop=True))
    data = pd.read_csv(stem.with_suffix(".csv"), index_col="year")
    names = ", ".join(config.country(p).name for p in data.columns)
    table = markdown_table(regional_table(df),
                           "Trade in goods with China: exports to China as each country reports them, imports from "
                           "China as China reports its exports (mirror data), in 2013 and the latest year",
                           "tbl-regional-trade-china")
    fig = ("```{figure} figures/regional/trade_china_share.png\n:name: fig-regional-trade-china\n"
           f":alt: Line chart, 2005 to 2020, of China's share of the goods trade of {names}, in percent, with a "
           "dotted vertical line at 2013, when the Silk Road Economic Belt was proposed.\n:width: 100%\n\n"
           "China's share of each country's goods trade: exports to China plus imports from China (China's "
           "exports, FOB) divided by the World Bank's merchandise trade (% of GDP times GDP). Sources: IMF "
           "Direction of Trade Statistics (imf_dots_*), World Bank (wdi_long). Data: "
           + _caption_links("figures/regional", "trade_china_share") + "\n```")
    return [table, Markdown(fig)]
