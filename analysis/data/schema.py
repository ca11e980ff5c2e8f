"""The schema of ``data/processed/indicators.csv``, written once.

:data:`FIELDS` describes every column (PUDL's habit: metadata as code); the
pandera schema that enforces the table and the data dictionary in the book are
both generated from it, together with the units and indicators of
``analysis/indicators.yml``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis import config
from analysis.errors import DataError, clip
from analysis.untrusted import md, md_code

if TYPE_CHECKING:
    import pandera.pandas as pa

KEY = ["country_iso3", "indicator", "year"]

FIELDS: dict[str, dict] = {
    "country_iso3": {
        "type": "string",
        "description": "ISO 3166-1 alpha-3 code of the country; one of analysis/countries.yml.",
    },
    "indicator": {
        "type": "string",
        "description": "The source's own indicator code (World Bank codes such as IT.NET.USER.ZS; "
                       "CPI.* and EGDI.* for the Transparency International and UN files).",
    },
    "year": {
        "type": "integer",
        "description": "Year the value refers to (for ranks: the data year; for EGDI: the survey year).",
    },
    "value": {
        "type": "number",
        "description": "The value exactly as published (no rounding, no rescaling).",
    },
    "unit": {
        "type": "string",
        "description": "Unit of the value; one of the units below, which also bound the value.",
    },
    "source_id": {
        "type": "string",
        "description": "Key of the raw file in data/sources.yml the value was read from.",
    },
}


def _bounds_ok(df: pd.DataFrame) -> pd.Series:
    ok = pd.Series(True, index=df.index)
    for unit, spec in config.units().items():
        rows = df["unit"] == unit
        if spec.get("min") is not None:
            ok &= ~rows | (df["value"] >= spec["min"])
        if spec.get("max") is not None:
            ok &= ~rows | (df["value"] <= spec["max"])
    return ok


def indicator_schema() -> pa.DataFrameSchema:
    # pandera (with typeguard, 0.07 s) is imported only where a table is validated: the
    # audit, the generated pages and the chapters' kernels import this module for KEY
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "country_iso3": pa.Column(str, pa.Check.isin(config.iso3_codes())),
            "indicator": pa.Column(str, pa.Check.str_matches(r"^[A-Za-z][A-Za-z0-9_.]*$")),
            "year": pa.Column("int64", pa.Check.in_range(1960, 2100)),
            "value": pa.Column("float64", nullable=False),
            "unit": pa.Column(str, pa.Check.isin(list(config.units()))),
            "source_id": pa.Column(str),
        },
        checks=[pa.Check(_bounds_ok, name="value within the bounds of its unit", element_wise=False)],
        strict=False,
        coerce=False,
    )


def _describe(check: str, column: str, value: object, row: pd.Series) -> str:
    if "value within the bounds" in check:
        spec = config.units()[row["unit"]]
        lo = spec.get("min")
        hi = spec.get("max")
        rng = f"{lo if lo is not None else '−∞'}–{hi if hi is not None else '∞'}"
        return f"value {row['value']:.15g} of {row['indicator']} is outside {rng} ({spec['label']})"
    if column == "country_iso3":
        return f"unknown country code {clip(value)}; configured: {', '.join(config.iso3_codes())}"
    if column == "unit":
        return f"unknown unit {clip(value)}; allowed: {', '.join(config.units())}"
    return f"{column} {clip(value)} fails {check}"


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """Validate the combined table. ``df`` carries ``_file``, ``_row`` and ``_col``
    so that the first failure is reported as one line naming file, row, column."""
    import pandera.pandas as pa

    try:
        return indicator_schema().validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        idx = first["index"]
        if idx is None or pd.isna(idx):
            raise DataError("data/processed/indicators.csv", f"schema: {first['check']}") from None
        row = df.loc[int(idx)]
        check = str(first["check"])
        column = first["column"] if first["column"] in df.columns else "value"
        if "value within the bounds" in check:
            column = "value"
        value = row.get(column, first["failure_case"])
        msg = _describe(check, column, value, row)
        more = cases["index"].nunique() - 1
        if more:
            msg += f" (and {more} more problem{'s' if more > 1 else ''})"
        src_col = row["_col"] if column == "value" else column
        raise DataError(row["_file"], msg, row=int(row["_row"]), column=src_col) from None


def dictionary_markdown() -> str:
    """The data dictionary, as MyST markdown, generated from the schema."""
    lines = ["## Columns of `data/processed/indicators.csv`", "",
             "| Column | Type | Description |", "|---|---|---|"]
    for name, f in FIELDS.items():
        lines.append(f"| `{name}` | {f['type']} | {f['description']} |")
    lines += ["", "Each (`country_iso3`, `indicator`, `year`) appears once. Rows are sorted by "
              "indicator, country and year.", "",
              "## Units", "", "| Unit | Meaning | Valid range |", "|---|---|---|"]
    for unit, spec in config.units().items():
        lo = "" if spec.get("min") is None else f"{spec['min']:g}"
        hi = "" if spec.get("max") is None else f"{spec['max']:g}"
        rng = f"{lo} to {hi}" if lo and hi else (f"≥ {lo}" if lo else (f"≤ {hi}" if hi else "any"))
        lines.append(f"| {md_code(unit)} | {md(spec['label'])} | {rng} |")
    lines += ["", "## Indicators", "", "| Code | Name | Unit | Better when | Definition |", "|---|---|---|---|---|"]
    for code, m in config.indicator_meta().items():
        better = "higher" if m.get("higher_is_better", True) else "lower"
        lines.append(f"| {md_code(code)} | {md(m['label'])} | {md_code(m['unit'])} | {better} | {md(m['description'])} |")
    return "\n".join(lines) + "\n"
