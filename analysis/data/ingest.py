"""Ingest: every registered raw file → one tidy, validated, sorted table.

    python -m analysis.data.ingest          # writes data/processed/*.csv

Steps: verify each file's sha256 against ``data/sources.yml``; parse it with
its reader; map country names and codes to the configured ISO3 codes; refuse
duplicate keys with conflicting values inside one file; let later registry
entries replace earlier ones for the same key (and record what was replaced);
validate with the pandera schema; write the table sorted by indicator,
country and year. Bad input raises :class:`DataError` (one line) and writes
nothing.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import atomic, config
from analysis.data import registry, schema
from analysis.data.readers import READERS
from analysis.errors import DataError, clip
from analysis.paths import CATALOG_CSV, INDICATORS_CSV, REPLACED_CSV
from analysis.untrusted import csv_frame

OUT_COLUMNS = ["country_iso3", "indicator", "year", "value", "unit", "source_id"]


@dataclass
class Result:
    table: pd.DataFrame
    catalog: pd.DataFrame
    replaced: pd.DataFrame
    file_meta: dict = field(default_factory=dict)  # source_id -> reader meta


def infer_unit(name: str | None) -> str:
    """Unit of an indicator the book does not know, from the World Bank name."""
    n = (name or "").lower()
    if "(% of population" in n or "(% of total" in n or "% of people" in n:
        return "percent"
    if "% of gdp" in n:
        return "percent_of_gdp"
    if "per 100 people" in n:
        return "per_100_people"
    if "current us$" in n:
        return "usd"
    return "value"


def resolve_countries(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Map each record's country to a configured ISO3 code.

    Files keyed by code (World Bank, TI) may hold the whole world: codes of
    countries outside the book are dropped. Files keyed by name are mapped
    through the names and aliases of analysis/countries.yml; other names are
    dropped. The book's own tidy layout is strict: an unknown code is an error.
    A file that matches no configured country at all is an error.
    """
    codes = set(config.iso3_codes())
    names = config.name_to_iso3()
    iso = pd.Series(index=df.index, dtype=object)
    by_code = df["key_kind"].isin(["iso3", "iso3_strict"])
    iso[by_code] = df.loc[by_code, "country"].str.strip()
    by_name = df["key_kind"] == "name"
    iso[by_name] = df.loc[by_name, "country"].str.strip().str.casefold().map(names)
    strict = df["key_kind"] == "iso3_strict"
    bad = strict & ~iso.isin(codes)
    if bad.any():
        r = df[bad].iloc[0]
        raise DataError(path, f"unknown country code {clip(r['country'])}; configured: {', '.join(sorted(codes))}",
                        row=int(r["_row"]), column="country_iso3")
    keep = iso.isin(codes)
    if not keep.any():
        col = "Country Name" if by_name.any() else "Country Code"
        raise DataError(path, f"no row names a country of the book ({', '.join(sorted(codes))})", column=col)
    out = df[keep].copy()
    out["country_iso3"] = iso[keep]
    return out


def check_conflicts(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Within one file, a key given twice must carry the same value."""
    key = schema.KEY
    dup = df[df.duplicated(key, keep=False)]
    if not dup.empty:
        differ = dup.groupby(key, sort=True)["value"].transform("nunique") > 1
        if differ.any():
            first_key = dup[differ].sort_values(key, kind="stable").iloc[0]
            grp = dup[(dup[key] == first_key[key]).all(axis=1)]
            a, b = grp.iloc[0], grp.iloc[1]
            raise DataError(path, f"{a['country_iso3']} {a['indicator']} {a['year']} is given twice with "
                                  f"different values ({a['value']:g} at row {a['_row']}, {b['value']:g})",
                            row=int(b["_row"]), column=b["_col"])
    return df.drop_duplicates(key, keep="first")


def read_source(entry: dict, catalog: dict, file_meta: dict) -> pd.DataFrame:
    path = registry.file_of(entry)
    reader = READERS.get(entry["reader"])
    if reader is None:
        raise DataError("data/sources.yml", f"source {entry['id']!r}: unknown reader {entry['reader']!r}; "
                                            f"known: {', '.join(READERS)}")
    parsed = reader(path, entry)
    file_meta[entry["id"]] = parsed.meta
    path = parsed.meta.get("source_path", path)  # the table inside a ZIP or workbook, where there is one
    df = resolve_countries(parsed.records, path)
    df = check_conflicts(df, path)
    known = config.indicator_meta()
    names = parsed.meta.get("indicator_names", {})
    # one pass over the table: the first unit a file gives each indicator (if any)
    given = df.dropna(subset=["unit"]).drop_duplicates("indicator").set_index("indicator")["unit"]
    for code in sorted(df["indicator"].unique()):
        if code in catalog:
            continue
        if code in known:
            unit, label = known[code]["unit"], known[code]["label"]
        else:
            label = names.get(code) or code
            unit = given[code] if code in given.index else infer_unit(label)
        catalog[code] = {"indicator": code, "label": label, "unit": unit, "source_id": entry["id"]}
    unit_of = {c: v["unit"] for c, v in catalog.items()}
    df["unit"] = df["unit"].where(df["unit"].notna(), df["indicator"].map(unit_of))
    df["source_id"] = entry["id"]
    df["_file"] = str(path)
    return df


def is_alternative(entry: dict) -> bool:
    """An alternative vintage (``vintage: alternative`` in data/sources.yml): verified, but not
    merged into the tidy table, where it would replace the primary source's values."""
    return entry.get("vintage") == "alternative"


def build(entries: list[dict] | None = None) -> Result:
    entries = registry.load() if entries is None else entries
    registry.verify(entries)
    entries = [e for e in entries if not is_alternative(e)]
    catalog: dict[str, dict] = {}
    file_meta: dict[str, dict] = {}
    frames = [read_source(e, catalog, file_meta) for e in entries]
    combined = pd.concat(frames, ignore_index=True)
    order = {e["id"]: i for i, e in enumerate(entries)}
    combined["_precedence"] = combined["source_id"].map(order)
    combined = combined.sort_values(schema.KEY + ["_precedence"], kind="stable").reset_index(drop=True)
    winner = ~combined.duplicated(schema.KEY, keep="last")
    losers = combined[~winner]
    kept = combined[winner]
    replaced = losers.merge(kept[schema.KEY + ["value", "source_id"]], on=schema.KEY, suffixes=("_old", ""))
    replaced = replaced[replaced["value_old"] != replaced["value"]]
    replaced = replaced[schema.KEY + ["value_old", "source_id_old", "value", "source_id"]]
    replaced = replaced.rename(columns={"value_old": "old_value", "source_id_old": "old_source_id",
                                        "value": "new_value", "source_id": "new_source_id"})
    schema.validate(kept)
    table = (kept[OUT_COLUMNS].sort_values(["indicator", "country_iso3", "year"], kind="stable")
             .reset_index(drop=True))
    cat = pd.DataFrame(sorted(catalog.values(), key=lambda r: r["indicator"]))
    return Result(table, cat, replaced.sort_values(schema.KEY).reset_index(drop=True), file_meta)


def vintages(indicator: str, table: pd.DataFrame, entries: list[dict] | None = None) -> pd.DataFrame:
    """Every value of ``indicator`` from the tidy ``table`` (its primary source) and from each
    alternative vintage in the registry, read straight from its raw file through its reader:
    columns ``country_iso3, year, value, source_id``, one row per source and key. This is how the
    source audit sets one population or GDP figure beside another without either replacing
    the other in the tidy table."""
    entries = registry.load() if entries is None else entries
    frames = [table.loc[table["indicator"] == indicator, ["country_iso3", "year", "value", "source_id"]]]
    for e in entries:
        if not is_alternative(e):
            continue
        registry.verify([e])
        df = read_source(e, {}, {})
        df = df[df["indicator"] == indicator]
        if len(df):
            frames.append(df[["country_iso3", "year", "value", "source_id"]])
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["country_iso3", "year", "source_id"], kind="stable").reset_index(drop=True)


def write(result: Result) -> None:
    INDICATORS_CSV.parent.mkdir(parents=True, exist_ok=True)
    # csv_frame: a text cell a spreadsheet would run as a formula is neutralised
    atomic.write_csv(INDICATORS_CSV, csv_frame(result.table), index=False, lineterminator="\n", float_format="%.15g")
    atomic.write_csv(CATALOG_CSV, csv_frame(result.catalog), index=False, lineterminator="\n")
    atomic.write_csv(REPLACED_CSV, csv_frame(result.replaced), index=False, lineterminator="\n", float_format="%.15g")


def main(argv: list[str] | None = None) -> int:
    try:
        result = build()
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write(result)
    t = result.table
    print(f"ingest: {len(t)} values, {t['indicator'].nunique()} indicators, "
          f"{t['country_iso3'].nunique()} countries, {len(result.replaced)} replaced → {INDICATORS_CSV.name}")
    return 0


if __name__ == "__main__":
    from analysis import quickexit

    quickexit.install()  # a build step: no last garbage collection at exit
    sys.exit(main())
