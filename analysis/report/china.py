"""The China chapter's own tables: what Chinese firms and institutions do in
each Central Asian country according to the papers (``data/china_presence.csv``,
one row per activity with its ledger row), and China's indicators as the
reference the other chapters compare with."""
from __future__ import annotations

import pandas as pd

from analysis import config
from analysis.data.indicators import latest, wide
from analysis.errors import DataError
from analysis.ledger.claims import BIB_KEY, THEMES_CSV
from analysis.paths import DATA
from analysis.report.chapter import KEYS, markdown_table
from analysis.report.statements import MIN_SET, _md_text

PRESENCE_CSV = DATA / "china_presence.csv"
AREAS = ["Networks", "Data centres and computing", "E-commerce", "Payments", "Logistics", "Training", "Energy"]
STATUS = {"done": "", "agreed": " (agreed)", "proposed": " (proposed by the paper, not done)"}
COLUMNS = ["country_iso3", "area", "actor", "activity", "status", "source_id", "ledger"]
REGION = "C5"


def presence(path=PRESENCE_CSV) -> pd.DataFrame:
    """The table, validated: a bad row stops with file, row and column named."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(df.columns) != COLUMNS:
        raise DataError(path, f"columns must be {', '.join(COLUMNS)}")
    themes = pd.read_csv(THEMES_CSV, dtype=str, keep_default_na=False).set_index("theme_id")
    allowed = set(config.partners()) | {REGION}
    for i, r in df.iterrows():
        row = i + 2
        checks = [("country_iso3", r["country_iso3"] in allowed), ("area", r["area"] in AREAS),
                  ("status", r["status"] in STATUS), ("source_id", r["source_id"] in BIB_KEY),
                  ("ledger", r["ledger"] in themes.index), ("actor", bool(r["actor"].strip())),
                  ("activity", bool(r["activity"].strip()))]
        for col, ok in checks:
            if not ok:
                raise DataError(path, f"invalid value {r[col]!r}", row=row, column=col)
        if themes.loc[r["ledger"], "source_id"] != r["source_id"]:
            raise DataError(path, f"{r['ledger']} is a point of {themes.loc[r['ledger'], 'source_id']}, "
                            f"not {r['source_id']}", row=row, column="ledger")
    return df


PAPER = {"dsr": "DSR", "huo": "Huo"}
SHORT = {"done": "done", "agreed": "agreed", "proposed": "proposed"}


def presence_table(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Country × area: each cell names the actors, the status the paper gives
    (done, agreed, proposed) and the paper and ledger row."""
    df = presence() if df is None else df
    cols = [c for c in config.partners()] + [REGION]
    names = {c: config.country(c).name for c in config.partners()} | {REGION: "Region-wide"}
    out = pd.DataFrame("–", index=pd.Index(AREAS, name="Area"), columns=[names[c] for c in cols])
    for (area, iso3), g in df.groupby(["area", "country_iso3"], sort=False):
        out.loc[area, names[iso3]] = "; ".join(
            f"{_md_text(r.actor)} ({SHORT[r.status]}; {PAPER[r.source_id]}, {r.ledger})" for r in g.itertuples())
    return out.loc[[a for a in AREAS if (out.loc[a] != "–").any()]]


def presence_details(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per activity, in the table's order, with the paper cited."""
    df = presence() if df is None else df
    order = {c: i for i, c in enumerate(config.partners() + [REGION])}
    df = df.assign(_c=df["country_iso3"].map(order), _a=df["area"].map(AREAS.index)).sort_values(
        ["_c", "_a"], kind="stable")
    names = {c: config.country(c).name for c in config.partners()} | {REGION: "Region-wide"}
    return pd.DataFrame({
        "Country": df["country_iso3"].map(names).values, "Area": df["area"].values,
        "Who": [_md_text(x) for x in df["actor"]],
        "What, as the paper reports it": [_md_text(a) + STATUS[s] for a, s in zip(df["activity"], df["status"])],
        "Source": [f"{{cite:t}}`{BIB_KEY[s]}`" for s in df["source_id"]],
    }, index=pd.Index(df["ledger"].values, name="Ledger"))


def presence_markdown():
    from IPython.display import Markdown
    table = presence_table()
    a = markdown_table(table,
                       "Chinese firms and institutions in each Central Asian country according to the papers, by "
                       "area: who, the status the paper gives (done, agreed, or proposed by the paper) and the "
                       "paper (DSR = the Digital Silk Road paper, Huo = Huo's paper) and ledger row of "
                       "data/seed_themes.csv; the activities are in the next table",
                       "tbl-CHN-presence", markup=tuple(table.columns))  # cells escaped by presence_table
    b = markdown_table(presence_details(), "What each Chinese actor does, as the papers report it "
                       "(data/china_presence.csv)", "tbl-CHN-presence-details",
                       markup=("Who", "What, as the paper reports it", "Source"))
    return Markdown(a.data + "\n\n" + b.data)


def reference_table(df: pd.DataFrame) -> pd.DataFrame:
    """China's latest value of each key indicator beside each partner's latest
    value (each with its year) and the median of the partners reporting in
    China's year (with how many)."""
    ref = config.reference()
    rows = []
    for k in KEYS:
        p = latest(df, ref, k.indicator)
        row = {"Indicator": k.short, "China": "no data" if p is None else f"{k.fmt.format(p.value)} ({p.year})"}
        for c in config.partners():
            q = latest(df, c, k.indicator)
            row[config.country(c).name] = "no data" if q is None else f"{k.fmt.format(q.value)} ({q.year})"
        med = "–"
        if p is not None:
            t = wide(df, k.indicator, config.partners())
            if p.year in t.index:
                vals = t.loc[p.year].dropna()
                if len(vals) >= MIN_SET:
                    med = f"{k.fmt.format(vals.median())} ({len(vals)} reporting, {p.year})"
                else:
                    med = f"fewer than {MIN_SET} report in {p.year}"
        row["Partners' median in China's year"] = med
        rows.append(row)
    return pd.DataFrame(rows).set_index("Indicator")


def reference_markdown(df: pd.DataFrame):
    return markdown_table(reference_table(df),
                          "China's key figures as the reference of the country chapters: China's latest value, each "
                          "Central Asian country's latest value (each with its year) and the median of the "
                          "Central Asian countries reporting in China's latest year",
                          "tbl-CHN-reference")
