"""Generate the book's data pages from the registry, the schema and the
processed data (never typed by hand): ``book/_generated/*.md``, included by
``book/data-methods.md``, ``book/data-dictionary.md`` and the other written
chapters, and the statement checks of the chapters' texts
(:mod:`analysis.report.statements`: the *No longer supported* page and
``_build/statements.json``), in one process.

    python -m analysis.report.generate
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import pandas as pd

from analysis import atomic, config
from analysis.data import registry, schema
from analysis.data.indicators import load
from analysis.paths import CATALOG_CSV, GENERATED, REPLACED_CSV
from analysis.untrusted import md, md_code, md_with_code


def preamble_date(entry: dict) -> str | None:
    """The "Last Updated Date" a World Bank download states in its preamble."""
    if entry["reader"] not in ("wb_wide", "wb_zip", "wb_excel"):
        return None
    return _preamble_date(str(registry.file_of(entry)), entry["reader"], entry["sha256"])


@functools.lru_cache(maxsize=None)
def _preamble_date(path: str, reader: str, sha256: str) -> str | None:
    from analysis.data.readers import READERS
    return READERS[reader](Path(path), {}).meta.get("last_updated")


LIST_CODES = 12  # a source with more indicators than this names the first ones only


def sources_markdown() -> str:
    entries = registry.load()
    df = load()
    # every source's statistics in one grouping of the table
    by_source = df.groupby("source_id").agg(n=("year", "size"), first=("year", "min"), last=("year", "max"))
    codes_of = df[["source_id", "indicator"]].drop_duplicates().sort_values("indicator").groupby("source_id")["indicator"]
    codes_of = {sid: list(g) for sid, g in codes_of}
    lines = []
    for e in entries:
        codes = codes_of.get(e["id"], [])
        inds = ", ".join(md_code(i) for i in codes[:LIST_CODES]) or "none (all superseded)"
        if len(codes) > LIST_CODES:
            inds += f" and {len(codes) - LIST_CODES} more (all listed in the {{doc}}`data dictionary <data-dictionary>`)"
        n = int(by_source.loc[e["id"], "n"]) if e["id"] in by_source.index else 0
        years = f"{by_source.loc[e['id'], 'first']}–{by_source.loc[e['id'], 'last']}" if n else "–"
        date = preamble_date(e)
        lines += [
            f"### {md(e['title'])}",
            "",
            f"- **Key**: {md_code(e['id'])}; **file**: {md_code('data/' + str(e['file']))}",
            f"- **Publisher**: {md(e['publisher'])}",
            f"- **Obtained from**: {md(e['origin'])}",
            f"- **Licence**: {md(e['licence'])}",
            f"- **Released**: {md(e.get('released') or 'not stated')}; **retrieved**: {md(e['retrieved'])}"
            + (f"; **Last Updated Date** in the file's preamble: {md(date)}" if date else ""),
            f"- **sha256**: {md_code(e['sha256'])}",
            (f"- **Read by**: {md_code('analysis.data.readers.' + str(e['reader']))}, by the source audit only: an "
             f"alternative vintage of {md_code(e.get('indicator', '?'))}, not merged into the tidy table (see the "
             "{doc}`source audit <audit>`, sensitivity)" if e.get("vintage") == "alternative" else
             f"- **Read by**: {md_code('analysis.data.readers.' + str(e['reader']))}; values used: {n} "
             f"({years}); indicators: {inds}"),
        ]
        if e.get("notes"):
            lines.append(f"- **Notes**: {md_with_code(e['notes'])}")
        lines.append("")
    from analysis.report import geo
    lines += ["### Map outlines", "", "Not indicator data: the outlines of the map in the regional overview.", "",
              geo.sources_markdown()]
    return "\n".join(lines)


def replaced_markdown() -> str:
    rep = pd.read_csv(REPLACED_CSV)
    if rep.empty:
        return "No value was replaced: no two files give the same country, indicator and year.\n"
    summary = (rep.groupby(["indicator", "old_source_id", "new_source_id"])
               .agg(values=("year", "size"), first=("year", "min"), last=("year", "max"),
                    largest=("old_value", lambda s: 0.0)).reset_index())
    rep = rep.assign(diff=(rep["new_value"] - rep["old_value"]).abs())
    largest = rep.groupby(["indicator", "old_source_id", "new_source_id"])["diff"].max().values
    summary["largest"] = largest
    lines = ["| Indicator | Replaced source | Replaced by | Values | Years | Largest change |",
             "|---|---|---|---|---|---|"]
    for _, r in summary.iterrows():
        lines.append(f"| {md_code(r['indicator'])} | {md_code(r['old_source_id'])} | {md_code(r['new_source_id'])} "
                     f"| {r['values']} "
                     f"| {r['first']}–{r['last']} | {r['largest']:.3g} |")
    return ("When two files give a value for the same country, indicator and year, the file listed later in "
            "`data/sources.yml` wins. These values were replaced (every one is listed in "
            "`data/processed/replaced_values.csv`):\n\n" + "\n".join(lines) + "\n")


GROUP_ABOVE = 12  # more further indicators than this are grouped by topic


def dictionary_markdown() -> str:
    text = schema.dictionary_markdown()
    cat = pd.read_csv(CATALOG_CSV, dtype=str, keep_default_na=False)
    extra = cat[~cat["indicator"].isin(list(config.indicator_meta()))]
    if len(extra):
        head = "| Code | Name | Unit | Source |\n|---|---|---|---|\n"
        rows = [f"| {md_code(r.indicator)} | {md(r.label)} | {md_code(r.unit)} | {md_code(r.source_id)} |\n"
                for r in extra.itertuples()]
        text += ("\n## Further indicators\n\nIndicators found in the data that `analysis/indicators.yml` does not "
                 "describe; their names come from the source files.")
        if len(extra) <= GROUP_ABOVE:
            return text + "\n\n" + head + "".join(rows)
        # many (a whole World Bank download): one section per topic, the long ones collapsed
        topic = config.topic_slugs(extra["indicator"]).to_numpy()
        counts = pd.Series(topic).value_counts()
        present = [(slug, name) for slug, name in config.topics() if slug in counts.index]
        text += (f" There are {len(extra):,}, grouped by topic from the prefix of their code "
                 "(`analysis/topics.yml`):\n\n| Topic | Indicators |\n|---|---:|\n"
                 + "".join(f"| [{name}](#dict-{slug}) | {counts[slug]} |\n" for slug, name in present))
        for slug, name in present:
            part = "".join(row for row, t in zip(rows, topic) if t == slug)
            text += f"\n({f'dict-{slug}'})=\n### {name}\n\n"
            if counts[slug] > GROUP_ABOVE:
                text += f"````{{dropdown}} Show the {counts[slug]} indicators\n{head}{part}````\n"
            else:
                text += head + part
    return text


def coverage_markdown() -> str:
    """Country × indicator: years with a value, so gaps are visible (the
    indicators the book describes; the further ones summarised by topic)."""
    df = load()
    known = list(config.indicator_meta())
    names = [c.name for c in config.countries()]
    codes = [c.iso3 for c in config.countries()]
    further = df[~df["indicator"].isin(known)]
    few = further["indicator"].nunique() <= GROUP_ABOVE
    mine = df if few else df[df["indicator"].isin(known)]
    stats = mine.groupby(["indicator", "country_iso3"])["year"].agg(["min", "max", "size"])
    cell = pd.Series([f"{a}–{b} ({n})" for a, b, n in zip(stats["min"], stats["max"], stats["size"])],
                     index=stats.index).unstack("country_iso3").reindex(columns=codes).fillna("–")
    lines = ["| Indicator | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for code in cell.index:  # a bilateral flow of a country with itself: not applicable, not a gap
        for c in codes:
            if not config.applies(code, c):
                cell.at[code, c] = "n/a"
    for code, row in zip(cell.index, cell.to_numpy()):
        lines.append(f"| {md_code(code)} | " + " | ".join(row) + " |")
    text = "\n".join(lines) + "\n"
    if not few:
        n = further.groupby("country_iso3")["indicator"].nunique().reindex(codes).fillna(0).astype(int)
        total = further["indicator"].nunique()
        text += (f"\nThe data also hold {total:,} further indicator{'s' if total != 1 else ''} that the book's text does "
                 "not use; the number with at least one value for each country: "
                 + "; ".join(f"{c.name} {n[c.iso3]}" for c in config.countries())
                 + ". The {doc}`coverage matrix <coverage>` lists them by topic.\n")
    return text


GAP_YEARS = 3  # a series this many years behind the most recent report is called out


def gaps_markdown(df=None) -> str:
    """The gaps worth a reader's attention, computed from the table: indicators a
    country has no value for at all, and series that end ``GAP_YEARS`` or more
    years before the latest year any country reports. Beyond ``GROUP_ABOVE``
    indicators the book does not describe, those are counted per country."""
    from analysis.data.indicators import label_of

    df = load() if df is None else df
    countries = config.countries()
    # the last year of every indicator and country, in one grouping
    last = df.groupby(["indicator", "country_iso3"])["year"].max().unstack("country_iso3")
    last = last.reindex(columns=[c.iso3 for c in countries])
    newest = df.groupby("indicator")["year"].max()
    behind = last.rsub(newest, axis=0)
    known = set(config.indicator_meta())
    further = [c for c in last.index if c not in known]
    listed = [c for c in last.index if c in known] + (further if len(further) <= GROUP_ABOVE else [])
    items = []
    for code in sorted(listed):
        name = f"*{md(label_of(code)[0])}* ({md_code(code)})"
        for c in countries:
            if not config.applies(code, c.iso3):
                continue
            lag = behind.at[code, c.iso3]
            if pd.isna(lag):
                items.append(f"- {c.name} has no value for {name}.")
            elif lag >= GAP_YEARS:
                items.append(f"- {c.name}'s {name} ends in {int(last.at[code, c.iso3])}, {int(lag)} years before the "
                             f"latest year reported for another country ({int(newest[code])}).")
    if len(further) > GROUP_ABOVE:
        f_last, f_behind = last.loc[further], behind.loc[further]
        for c in countries:
            none = int(f_last[c.iso3].isna().sum())
            late = int((f_behind[c.iso3] >= GAP_YEARS).sum())
            if none or late:
                items.append(f"- Of the {len(further):,} further indicators, {c.name} has no value for {none} "
                             f"and trails by {GAP_YEARS} or more years on {late} (listed in the "
                             "{doc}`coverage matrix <coverage>`).")
    if not items:
        return f"No country lacks an indicator or trails the latest year by {GAP_YEARS} years or more.\n"
    intro = ("The largest, computed from the table when the book is built: an indicator a country has "
             f"no value for, or a series that ends {GAP_YEARS} or more years before the latest year "
             "reported for another country.\n\n")
    return intro + "\n".join(items) + "\n"


def write_all() -> list:
    """Write every generated page; returns the statement checks' results."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    pages = {
        "sources.md": sources_markdown(),
        "replaced.md": replaced_markdown(),
        "dictionary.md": dictionary_markdown(),
        "coverage.md": coverage_markdown(),
        "gaps.md": gaps_markdown(),
    }
    from analysis.report import summary
    pages["summary.md"] = summary.summary_markdown()  # the executive summary (book/intro.md)
    from analysis.report import ledger_pages
    pages.update(ledger_pages.pages())  # audit, targets, strategies, synthesis (book/*.md include them)
    for name, text in pages.items():
        atomic.update_text(GENERATED / name, text)
    from analysis.report import coverage
    coverage.write()  # book/_generated/coverage-matrix.md and book/figures/coverage/ (book/coverage.md)
    from analysis.report import cite
    cite.write_all()  # book/_generated/cite.md and the per-chapter "Cite this chapter" boxes
    from analysis.data.indicators import with_derived
    from analysis.report import statements
    return statements.write_report(with_derived(load()))  # unsupported.md, recommendations.md


def main(argv: list[str] | None = None) -> int:
    from analysis.report import statements

    results = write_all()
    print(f"docs: generated pages written to {GENERATED.relative_to(GENERATED.parents[1])}")
    statements.print_summary(results)
    return 0


if __name__ == "__main__":
    from analysis import quickexit

    quickexit.install()  # a build step: no last garbage collection at exit
    sys.exit(main())
