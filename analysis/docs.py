"""Generate the book's data pages from the registry, the schema and the
processed data (never typed by hand): ``book/_generated/*.md``, included by
``book/data-methods.md`` and ``book/data-dictionary.md``.

    python -m analysis.docs
"""
from __future__ import annotations

import sys

import pandas as pd

from . import config, registry, schema
from .indicators import load
from .paths import CATALOG_CSV, GENERATED, REPLACED_CSV


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md(text) -> str:
    """Registry text as literal markdown: a "<code>" in a path is not raw HTML."""
    return str(text).replace("<", "\\<")


def preamble_date(entry: dict) -> str | None:
    """The "Last Updated Date" a World Bank download states in its preamble."""
    if entry["reader"] != "wb_wide":
        return None
    from .readers import wb_wide
    return wb_wide(registry.file_of(entry), entry).meta.get("last_updated")


def sources_markdown() -> str:
    entries = registry.load()
    df = load()
    lines = []
    for e in entries:
        rows = df[df["source_id"] == e["id"]]
        inds = ", ".join(f"`{i}`" for i in sorted(rows["indicator"].unique())) or "none (all superseded)"
        years = f"{rows['year'].min()}–{rows['year'].max()}" if len(rows) else "–"
        lines += [
            f"### {e['title']}",
            "",
            f"- **Key**: `{e['id']}`; **file**: `data/{e['file']}`",
            f"- **Publisher**: {e['publisher']}",
            f"- **Obtained from**: {_md(e['origin'])}",
            f"- **Licence**: {e['licence']}",
            f"- **Released**: {e.get('released') or 'not stated'}; **retrieved**: {e['retrieved']}"
            + (f"; **Last Updated Date** in the file's preamble: {preamble_date(e)}" if preamble_date(e) else ""),
            f"- **sha256**: `{e['sha256']}`",
            f"- **Read by**: `analysis.readers.{e['reader']}`; values used: {len(rows)} "
            f"({years}); indicators: {inds}",
        ]
        if e.get("notes"):
            lines.append(f"- **Notes**: {_md(e['notes'])}")
        lines.append("")
    from . import geo
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
        lines.append(f"| `{r['indicator']}` | `{r['old_source_id']}` | `{r['new_source_id']}` | {r['values']} "
                     f"| {r['first']}–{r['last']} | {r['largest']:.3g} |")
    return ("When two files give a value for the same country, indicator and year, the file listed later in "
            "`data/sources.yml` wins. These values were replaced (every one is listed in "
            "`data/processed/replaced_values.csv`):\n\n" + "\n".join(lines) + "\n")


def dictionary_markdown() -> str:
    text = schema.dictionary_markdown()
    cat = pd.read_csv(CATALOG_CSV, dtype=str, keep_default_na=False)
    extra = cat[~cat["indicator"].isin(list(config.indicator_meta()))]
    if len(extra):
        text += ("\n## Further indicators\n\nIndicators found in the data that `analysis/indicators.yml` does not "
                 "describe; their names come from the source files.\n\n| Code | Name | Unit | Source |\n|---|---|---|---|\n")
        for _, r in extra.iterrows():
            text += f"| `{r['indicator']}` | {_cell(r['label'])} | `{r['unit']}` | `{r['source_id']}` |\n"
    return text


def coverage_markdown() -> str:
    """Country × indicator: years with a value, so gaps are visible."""
    df = load()
    codes = sorted(df["indicator"].unique())
    names = [c.name for c in config.countries()]
    lines = ["| Indicator | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for code in codes:
        cells = []
        for c in config.countries():
            years = df[(df["indicator"] == code) & (df["country_iso3"] == c.iso3)]["year"]
            if not config.applies(code, c.iso3):
                cells.append("n/a")
                continue
            cells.append("–" if years.empty else f"{years.min()}–{years.max()} ({len(years)})")
        lines.append(f"| `{code}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


GAP_YEARS = 3  # a series this many years behind the most recent report is called out


def gaps_markdown(df=None) -> str:
    """The gaps worth a reader's attention, computed from the table: indicators a
    country has no value for at all, and series that end ``GAP_YEARS`` or more
    years before the latest year any country reports."""
    from .indicators import label_of

    df = load() if df is None else df
    items = []
    for code in sorted(df["indicator"].unique()):
        d = df[df["indicator"] == code]
        newest = int(d["year"].max())
        name = f"*{label_of(code)[0]}* (`{code}`)"
        for c in config.countries():
            if not config.applies(code, c.iso3):
                continue
            years = d.loc[d["country_iso3"] == c.iso3, "year"]
            last = int(years.max()) if not years.empty else None
            if last is None:
                items.append(f"- {c.name} has no value for {name}.")
            elif newest - last >= GAP_YEARS:
                items.append(f"- {c.name}'s {name} ends in {last}, {newest - last} years before the "
                             f"latest year reported for another country ({newest}).")
    if not items:
        return f"No country lacks an indicator or trails the latest year by {GAP_YEARS} years or more.\n"
    intro = ("The largest, computed from the table when the book is built: an indicator a country has "
             f"no value for, or a series that ends {GAP_YEARS} or more years before the latest year "
             "reported for another country.\n\n")
    return intro + "\n".join(items) + "\n"


def write_all() -> None:
    GENERATED.mkdir(parents=True, exist_ok=True)
    pages = {
        "sources.md": sources_markdown(),
        "replaced.md": replaced_markdown(),
        "dictionary.md": dictionary_markdown(),
        "coverage.md": coverage_markdown(),
        "gaps.md": gaps_markdown(),
    }
    from . import report_pages
    pages.update(report_pages.pages())  # audit, targets, strategies, synthesis (book/*.md include them)
    for name, text in pages.items():
        path = GENERATED / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    from . import coverage
    coverage.write()  # book/_generated/coverage-matrix.md and book/figures/coverage/ (book/coverage.md)
    from . import cite
    cite.write_all()  # book/_generated/cite.md and the per-chapter "Cite this chapter" boxes


def main(argv: list[str] | None = None) -> int:
    write_all()
    print(f"docs: generated pages written to {GENERATED.relative_to(GENERATED.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
