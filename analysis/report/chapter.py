"""What a country chapter says: its key-figures table and the sentences and
numbers glued into its prose, computed from the processed data so that the
text changes when the data do.

Every function takes the indicator table with its derived indicators,
``indicators.with_derived(indicators.described())``, as the notebooks read it."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import config
from analysis.data import registry
from analysis.data.indicators import MEDIAN, change, higher_is_better, label_of, latest, regional_median, regional_rank
from analysis.untrusted import markup_cell, md_with_code


@dataclass(frozen=True)
class Key:
    slug: str           # glue-key prefix and figure stem
    indicator: str
    section: str        # Foundations / Challenges / Cooperation approaches
    fmt: str            # number format of the value
    suffix: str = ""    # appended to the number in prose ("%", "")
    phrase: str = ""    # what the number measures, for sentences
    short: str = ""     # row label of the key-figures table


KEYS = [
    Key("internet", "IT.NET.USER.ZS", "Foundations", "{:.1f}", "%",
        "the share of the population using the internet", "Internet users, % of population"),
    Key("mobile", "IT.CEL.SETS.P2", "Foundations", "{:.1f}", " per 100 people",
        "mobile cellular subscriptions", "Mobile subscriptions per 100 people"),
    Key("broadband", "IT.NET.BBND.P2", "Challenges", "{:.1f}", " per 100 people",
        "fixed broadband subscriptions", "Fixed broadband per 100 people"),
    Key("gdppc", "NY.GDP.PCAP.CD", "Foundations", "US${:,.0f}", "",
        "GDP per capita", "GDP per capita, current US$"),
    Key("cpi", "CPI.SCORE", "Challenges", "{:.0f}", " out of 100",
        "the Corruption Perceptions Index score", "CPI score, 0–100"),
    Key("db", "IC.BUS.EASE.XQ", "Challenges", "{:.0f}", "",
        "the ease of doing business rank", "Doing Business rank (1 = best)"),
    Key("egdi", "EGDI.INDEX", "Cooperation approaches", "{:.3f}", "",
        "the E-Government Development Index", "E-Government Development Index, 0–1"),
    Key("trade", "NE.TRD.GNFS.ZS", "Cooperation approaches", "{:.1f}", "% of GDP",
        "trade openness", "Trade openness, % of GDP"),
]
KEY_BY_SLUG = {k.slug: k for k in KEYS}


def fmt(key: Key, value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else key.fmt.format(value) + key.suffix


def source_label(source_id: str) -> str:
    e = registry.by_id().get(source_id)
    return e["publisher"].split(",")[0] if e else source_id


def _median_at(df: pd.DataFrame, indicator: str, year: int) -> float | None:
    med = regional_median(df, indicator)
    return float(med[year]) if year in med.index else None


def _ref_at(df: pd.DataFrame, indicator: str, year: int) -> float | None:
    s = df[(df["country_iso3"] == config.reference()) & (df["indicator"] == indicator) & (df["year"] == year)]
    return float(s["value"].iloc[0]) if len(s) else None


def reporting(df: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    """The partners' values of one indicator in one year (those that report)."""
    t = registry_free_wide(df, indicator)
    return t.loc[year].dropna() if year in t.index else pd.Series(dtype="float64")


def registry_free_wide(df: pd.DataFrame, indicator: str) -> pd.DataFrame:
    from analysis.data.indicators import wide
    return wide(df, indicator, config.partners())


def median_note(df: pd.DataFrame, key: "Key", year: int) -> str:
    """The comparison rule: a median over the partners reporting in one year,
    with how many; none among fewer than three."""
    vals = reporting(df, key.indicator, year)
    if len(vals) < MIN_REPORTING:
        return f"– ({len(vals)} report)"
    return f"{key.fmt.format(vals.median())} ({len(vals)} reporting)"


def rank_note_cell(df: pd.DataFrame, iso3: str, key: "Key", year: int) -> str:
    from analysis.data.indicators import rank_in_year
    vals = reporting(df, key.indicator, year)
    if iso3 not in vals.index or len(vals) < MIN_REPORTING:
        return f"– ({len(vals)} report)"
    r = rank_in_year(df, key.indicator, year, config.partners())
    return f"{int(r[iso3])} of {len(vals)} reporting"


MIN_REPORTING = 3   # no rank or median among fewer reporting countries (Data and methods)


def key_table(df: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """One row per key indicator: the country's latest year and value, China
    and the median of the partners reporting in that year (with how many), the
    rank among them (only among three or more), and the source."""
    c = config.country(iso3)
    rows = []
    for k in KEYS:
        p = latest(df, iso3, k.indicator)
        if p is None:
            rows.append({"Indicator": k.short, "Year": "–", c.name: "no data",
                         "China": "–", "Median of partners reporting": "–", "Rank (1 = best)": "–", "Source": "–"})
            continue
        rows.append({
            "Indicator": k.short,
            "Year": str(p.year),
            c.name: k.fmt.format(p.value),
            "China": "–" if iso3 == config.reference() else _fmt_plain(k, _ref_at(df, k.indicator, p.year)),
            "Median of partners reporting": median_note(df, k, p.year),
            "Rank (1 = best)": rank_note_cell(df, iso3, k, p.year) if c.role == "partner" else "–",
            "Source": p.source_id,
        })
    table = pd.DataFrame(rows).set_index("Indicator")
    if iso3 == config.reference():
        table = table.drop(columns=["China", "Rank (1 = best)"])
    return table


def _fmt_plain(key: Key, value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else key.fmt.format(value)


def sentence(df: pd.DataFrame, iso3: str, slug: str) -> str:
    """A sentence stating the latest value with China and the regional median,
    or saying plainly that the sources have no value."""
    k = KEY_BY_SLUG[slug]
    c = config.country(iso3)
    name, _ = label_of(k.indicator)
    p = latest(df, iso3, k.indicator)
    if p is None:
        if k.indicator == "IC.BUS.EASE.XQ":
            return f"{c.name} was never ranked in the World Bank's Doing Business reports."
        return f"The sources hold no value of {k.phrase} for {c.name}."
    parts = [f"In {p.year}, {k.phrase} in {c.name} was {fmt(k, p.value)}"]
    if k.indicator == "IC.BUS.EASE.XQ":
        parts = [f"In the Doing Business {p.year + 1} report (data year {p.year}) {c.name} ranked "
                 f"{p.value:.0f} of 190 economies"]
    ref = _ref_at(df, k.indicator, p.year) if iso3 != config.reference() else None
    med = _median_at(df, k.indicator, p.year)
    extra = []
    if ref is not None:
        extra.append(f"China {fmt(k, ref)}")
    if med is not None:
        n = len(reporting(df, k.indicator, p.year))
        extra.append(f"the median of the {n} Central Asian countries reporting {fmt(k, med)}")
    text = parts[0]
    if extra:
        text += " (" + "; ".join(extra) + ")"
    return text + "."


def change_sentence(df: pd.DataFrame, iso3: str, slug: str, start: int = 2010) -> str:
    k = KEY_BY_SLUG[slug]
    ch = change(df, iso3, k.indicator, start)
    if ch is None:
        return "The series is too short to measure a change."
    if higher_is_better(k.indicator):
        direction = "rose" if ch["diff"] > 0 else "fell" if ch["diff"] < 0 else "held steady"
    else:
        direction = "improved" if ch["diff"] < 0 else "worsened" if ch["diff"] > 0 else "held steady"
    return (f"Between {ch['start_year']} and {ch['end_year']} it {direction}, from {fmt(k, ch['start'])} "
            f"to {fmt(k, ch['end'])}.")


def facts(df: pd.DataFrame, iso3: str) -> dict[str, str]:
    """Every string the chapter glues into its prose, by key."""
    c = config.country(iso3)
    out = {"name": c.name, "native": c.native_label, "above_median": rank_note(df, iso3)}
    for k in KEYS:
        out[f"{k.slug}_sentence"] = sentence(df, iso3, k.slug)
        out[f"{k.slug}_change"] = change_sentence(df, iso3, k.slug)
        out[f"src_{k.slug}"] = sources_of(df, iso3, k.indicator)
    return out


def sources_of(df: pd.DataFrame, iso3: str, indicator: str) -> str:
    """Publisher and registry key of the values a figure plots."""
    if indicator == "NE.TRD.GNFS.ZS":
        indicator = "NE.EXP.GNFS.ZS"
    ids = sorted(df.loc[(df["indicator"] == indicator), "source_id"].unique())
    return "; ".join(f"{source_label(i)} ({i})" for i in ids) or "none"


def rank_note(df: pd.DataFrame, iso3: str) -> str:
    """How many of the key indicators place the country above the regional median."""
    above = total = 0
    for k in KEYS:
        p = latest(df, iso3, k.indicator)
        if p is None:
            continue
        med = _median_at(df, k.indicator, p.year)
        if med is None:
            continue
        total += 1
        better = p.value > med if higher_is_better(k.indicator) else p.value < med
        above += int(better)
    return f"{above} of the {total}"


__all__ = ["KEYS", "key_table", "facts", "sentence", "change_sentence", "rank_note", "MEDIAN", "source_label"]


def markdown_table(table: pd.DataFrame, caption: str, name: str, markup: tuple = ()):
    """A numbered MyST table (rendered as a real table in HTML and LaTeX).
    Cells are literal text (only their `quoted` parts are code), except in the
    columns named in ``markup``, which the caller built as MyST (citations) and
    escaped itself."""
    from IPython.display import Markdown

    cols = [table.index.name or ""] + list(table.columns)
    esc = md_with_code
    keep = [False] + [c in markup for c in table.columns]
    lines = [f"```{{table}} {caption}", f":name: {name}", "",
             "| " + " | ".join(esc(c) for c in cols) + " |",
             "|" + "|".join("---" for _ in cols) + "|"]
    for idx, row in table.iterrows():
        lines.append("| " + " | ".join(markup_cell(v) if k else esc(v)
                                       for k, v in zip(keep, [idx, *row.tolist()])) + " |")
    lines.append("```")
    return Markdown("\n".join(lines))


def key_table_markdown(df: pd.DataFrame, iso3: str):
    c = config.country(iso3)
    return markdown_table(key_table(df, iso3),
                          f"Key figures for {c.name}: latest year with data, compared with China and the "
                          "median of the Central Asian countries reporting in the same year (how many in brackets); "
                          "ranks only among three or more reporting",
                          f"tbl-{iso3}-key")


def figures(df: pd.DataFrame, iso3: str, outdir=None):
    """Yield (slug, image) for every key indicator, saving each as PNG, SVG and
    the CSV of exactly the plotted numbers under ``book/figures/<ISO3>/``. The
    image shown (and glued) is the saved 200-dpi PNG, drawn again only when
    what it is drawn from changed (``plots.render``)."""
    from analysis.paths import BOOK
    from analysis.report import plots

    outdir = (outdir or BOOK / "figures") / iso3
    for k in KEYS:
        start = 2010 if k.indicator.startswith("EGDI") else 2005

        data = plots.compare_data(df, k.indicator, iso3)
        data = data[data.index >= start]

        def draw(k=k, start=start, data=data):
            return plots.compare(df, k.indicator, iso3, start=start, data=data), data

        # drawn from exactly the numbers it plots (and offers as CSV)
        plots.render(outdir / k.slug, draw, iso3, k.indicator, start, data)
        yield k.slug, plots.shown(outdir / k.slug)


def inputs(df: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Exactly the data a country chapter reads: its own rows, China's rows and
    the regional median of every key indicator. The runner fingerprints this
    to decide whether the chapter must be re-executed."""
    codes = [k.indicator for k in KEYS]
    own = df[df["country_iso3"].isin([iso3, config.reference()]) & df["indicator"].isin(codes)]
    own = own[["country_iso3", "indicator", "year", "value", "source_id"]]
    meds = []
    for code in codes:
        m = regional_median(df, code)
        meds.append(pd.DataFrame({"country_iso3": MEDIAN, "indicator": code, "year": m.index,
                                  "value": m.values, "source_id": ""}))
    # ranks among the five depend on the other partners' latest values too
    for code in codes:
        r = regional_rank(df, iso3, code)
        if r:
            meds.append(pd.DataFrame({"country_iso3": ["rank"], "indicator": [code], "year": [r[2]],
                                      "value": [float(r[0])], "source_id": [""]}))
    from analysis.report import trade
    out = pd.concat([own, *meds, trade.inputs(df, iso3)], ignore_index=True).drop_duplicates()
    return out.sort_values(["country_iso3", "indicator", "year"]).reset_index(drop=True)


# ------------------------------------------------------------------ regional
def regional_table(df: pd.DataFrame) -> pd.DataFrame:
    """Latest value of every key indicator for every country (and its year)."""
    rows = []
    for k in KEYS:
        name, unit = label_of(k.indicator)
        row = {"Indicator": f"{name} ({unit})"}
        for c in config.countries():
            p = latest(df, c.iso3, k.indicator)
            row[c.name] = "no data" if p is None else f"{k.fmt.format(p.value)} ({p.year})"
        rows.append(row)
    return pd.DataFrame(rows).set_index("Indicator")


def leader_sentence(df: pd.DataFrame, slug: str) -> str:
    """Which partner leads and which trails on an indicator, in the latest
    year in which every partner with data reports."""
    from analysis.data.indicators import rank_in_year, wide
    k = KEY_BY_SLUG[slug]
    name, _ = label_of(k.indicator)
    table = wide(df, k.indicator, config.partners())
    counts = table.notna().sum(axis=1)
    if counts.empty or counts.max() < MIN_REPORTING:
        return f"Too few Central Asian countries report {name.lower()} to compare them."
    year = int(counts[counts == counts.max()].index.max())
    ranks = rank_in_year(df, k.indicator, year, config.partners()).sort_values(kind="stable")
    first, last = ranks.index[0], ranks.index[-1]
    v = table.loc[year]
    missing = [config.country(c).name for c in config.partners() if pd.isna(v.get(c))]
    lead = "the five" if len(ranks) == len(config.partners()) else f"the {len(ranks)} reporting"
    text = (f"In {year}, {config.country(first).name} led {lead} on {name.lower()} "
            f"({fmt(k, v[first])}) and {config.country(last).name} trailed ({fmt(k, v[last])})")
    if missing:
        text += f"; no {year} value for {', '.join(missing)}"
    return text + "."


def regional_facts(df: pd.DataFrame) -> dict[str, str]:
    return {f"lead_{k.slug}": leader_sentence(df, k.slug) for k in KEYS}


def regional_figures(df: pd.DataFrame, outdir=None):
    """Yield (slug, figure): the latest-year bar chart of each key indicator,
    saved with its data under ``book/figures/regional/``."""
    from analysis.data.indicators import wide
    from analysis.paths import BOOK
    from analysis.report import plots

    outdir = (outdir or BOOK / "figures") / "regional"
    for k in KEYS:
        def draw(k=k):
            fig, year = plots.latest_bars(df, k.indicator)
            return fig, wide(df, k.indicator).loc[[year]]

        plots.render(outdir / k.slug, draw, wide(df, k.indicator))
        yield k.slug, plots.shown(outdir / k.slug)


# ---------------------------------------------------------------- reproduce
def _git_commit() -> str:
    import subprocess

    from analysis.paths import ROOT
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        commit = out.stdout.strip()
        if not commit:
            return "unknown (not a git checkout)"
        # tracked files changed since that commit (build outputs are untracked or ignored)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    return f"`{commit}` with uncommitted changes, so the commit alone does not reproduce this page" if dirty \
        else f"`{commit}`"


def reproduce_markdown(df: pd.DataFrame, iso3: str):
    """The "Reproduce this page" box: command, parameters, the sha256 of every
    data file the chapter read, the git commit and key package versions."""
    from importlib.metadata import version

    from IPython.display import Markdown

    from analysis.data.registry import by_id, sha256
    from analysis.paths import INDICATORS_CSV

    used = sorted(inputs(df, iso3).query("source_id != ''")["source_id"].unique())
    files = [(by_id()[s]["file"], by_id()[s]["sha256"]) for s in used if s in by_id()]
    files.append(("processed/indicators.csv", sha256(INDICATORS_CSV)))
    pkgs = ", ".join(f"{p} {version(p)}" for p in ("pandas", "matplotlib", "seaborn", "papermill", "jupyter-book",
                                                     "pandera"))
    rows = "\n".join(f"| `data/{f}` | `{h}` |" for f, h in files)
    template = "china.ipynb" if config.country(iso3).role == "reference" else "country.ipynb"
    text = f"""````{{admonition}} Re-run this chapter
:class: note rerun-chapter

This page is an executed Jupyter notebook: the code is hidden here but kept in the notebook, which
the download button at the top of the page offers (**.ipynb**). It was executed by Papermill from
`analysis/templates/{template}`, its `country` parameter set to `{iso3}`. To rebuild it exactly,
check out the commit below in a clone of the repository and run `make book` (which installs the
environment), or, for this chapter alone (the template's texts filled in, as the book does it):

```bash
.venv/bin/python -m analysis.book.notebooks --chapter {iso3} --output {iso3}.ipynb
```

Git commit: {_git_commit()}. Packages: {pkgs}.

| Data file read | sha256 |
|---|---|
{rows}
````"""
    return Markdown(text)
