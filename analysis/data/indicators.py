"""Indicator arithmetic on the tidy table: selection, latest value, change over
time, the regional median and ranks. Pure functions of a DataFrame, so the
notebooks stay thin and these stay tested."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import config
from analysis.paths import CATALOG_CSV, INDICATORS_CSV

MEDIAN = "C5 median"
DERIVED_LABELS = {"NE.TRD.GNFS.ZS": ("Trade openness (exports + imports)", "percent_of_gdp")}


def load(path=INDICATORS_CSV, codes=None) -> pd.DataFrame:
    """The processed table with stable dtypes (only the indicators ``codes``, if given)."""
    df = pd.read_csv(path, dtype={"country_iso3": str, "indicator": str, "year": "int64",
                                  "value": "float64", "unit": str, "source_id": str},
                     keep_default_na=False)
    if codes is not None:
        df = df[df["indicator"].isin(list(codes))].reset_index(drop=True)
    return df


def described(path=INDICATORS_CSV) -> pd.DataFrame:
    """The rows of the indicators analysis/indicators.yml describes: all the
    chapters and the generated prose use. A whole World Bank download adds a
    thousand indicators more; dropping them once, here, keeps every later
    selection as fast as with the book's own data."""
    return load(path, codes=config.indicator_meta())


def catalog(path=CATALOG_CSV) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("indicator")


def series(df: pd.DataFrame, iso3: str, indicator: str) -> pd.Series:
    """Values of one indicator for one country, indexed by year (ascending)."""
    s = df[(df["country_iso3"] == iso3) & (df["indicator"] == indicator)]
    return s.set_index("year")["value"].sort_index()


def wide(df: pd.DataFrame, indicator: str, countries: list[str] | None = None) -> pd.DataFrame:
    """Year × country table of one indicator, countries in configured order."""
    countries = countries or config.iso3_codes()
    sub = df[(df["indicator"] == indicator) & df["country_iso3"].isin(countries)]
    table = sub.pivot(index="year", columns="country_iso3", values="value").sort_index()
    return table.reindex(columns=[c for c in countries if c in table.columns])


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    source_id: str


def latest(df: pd.DataFrame, iso3: str, indicator: str, until: int | None = None) -> Point | None:
    """The most recent value (at or before ``until``), or None if there is none."""
    s = df[(df["country_iso3"] == iso3) & (df["indicator"] == indicator)]
    if until is not None:
        s = s[s["year"] <= until]
    if s.empty:
        return None
    r = s.sort_values("year").iloc[-1]
    return Point(int(r["year"]), float(r["value"]), str(r["source_id"]))


def change(df: pd.DataFrame, iso3: str, indicator: str, start: int, end: int | None = None) -> dict | None:
    """Change between ``start`` (or the first later year with data) and ``end``
    (or the latest year): absolute difference in the indicator's unit and, for
    non-zero start values, the relative change in percent."""
    s = series(df, iso3, indicator)
    if end is not None:
        s = s[s.index <= end]
    s = s[s.index >= start]
    if len(s) < 2:
        return None
    y0, y1 = int(s.index[0]), int(s.index[-1])
    v0, v1 = float(s.iloc[0]), float(s.iloc[-1])
    rel = (v1 / v0 - 1) * 100 if v0 else None
    return {"start_year": y0, "end_year": y1, "start": v0, "end": v1, "diff": v1 - v0, "relative_pct": rel}


def regional_median(df: pd.DataFrame, indicator: str, countries: list[str] | None = None,
                    min_countries: int = 3) -> pd.Series:
    """Median across the Central Asian partners for each year with at least
    ``min_countries`` values (so that one reporting country is not a 'median')."""
    table = wide(df, indicator, countries or config.partners())
    counts = table.notna().sum(axis=1)
    return table.median(axis=1, skipna=True)[counts >= min_countries].rename(MEDIAN)


def higher_is_better(indicator: str) -> bool:
    meta = config.indicator_meta().get(indicator, {})
    return bool(meta.get("higher_is_better", True))


def rank_in_year(df: pd.DataFrame, indicator: str, year: int, countries: list[str] | None = None) -> pd.Series:
    """Rank (1 = best) of each country with a value in ``year``; ties share the best rank."""
    table = wide(df, indicator, countries or config.iso3_codes())
    if year not in table.index:
        return pd.Series(dtype="int64")
    row = table.loc[year].dropna()
    return row.rank(ascending=not higher_is_better(indicator), method="min").astype("int64")


def regional_rank(df: pd.DataFrame, iso3: str, indicator: str) -> tuple[int, int, int] | None:
    """(rank among the partners, number ranked, year) in the latest year in
    which ``iso3`` has a value."""
    p = latest(df, iso3, indicator)
    if p is None:
        return None
    ranks = rank_in_year(df, indicator, p.year, config.partners())
    if iso3 not in ranks.index:
        return None
    return int(ranks[iso3]), int(len(ranks)), p.year


def trade_openness(df: pd.DataFrame) -> pd.DataFrame:
    """Exports plus imports of goods and services, % of GDP (the WDI definition of
    NE.TRD.GNFS.ZS), computed where both components exist for a country-year."""
    parts = df[df["indicator"].isin(["NE.EXP.GNFS.ZS", "NE.IMP.GNFS.ZS"])]
    total = parts.groupby(["country_iso3", "year"]).agg(value=("value", "sum"), n=("value", "size"),
                                                         source_id=("source_id", "first")).reset_index()
    total = total[total["n"] == 2].drop(columns="n")
    total["indicator"] = "NE.TRD.GNFS.ZS"
    total["unit"] = "percent_of_gdp"
    return total[["country_iso3", "indicator", "year", "value", "unit", "source_id"]]


def with_derived(df: pd.DataFrame) -> pd.DataFrame:
    """The table plus derived indicators (trade openness), computed afresh from
    the values it holds (any earlier derived rows are replaced). Call it once,
    on the loaded table and after any edit: the functions of
    :mod:`analysis.report.chapter` take its result and derive nothing themselves."""
    base = df[df["indicator"] != "NE.TRD.GNFS.ZS"]
    return pd.concat([base, trade_openness(base)], ignore_index=True)


def label_of(indicator: str) -> tuple[str, str]:
    """(readable name, unit label) of an indicator, from analysis/indicators.yml."""
    meta = config.indicator_meta().get(indicator)
    if meta:
        return meta["label"], config.units()[meta["unit"]]["label"]
    if indicator in DERIVED_LABELS:
        name, unit = DERIVED_LABELS[indicator]
        return name, config.units()[unit]["label"]
    return indicator, ""
