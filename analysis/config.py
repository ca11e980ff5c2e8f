"""Configuration read from YAML: the countries of the book and the indicator
metadata. Both are data, never code: nothing here is evaluated."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from .paths import COUNTRIES_YML, INDICATORS_YML, TOPICS_YML

ISO3 = re.compile(r"^[A-Z]{3}$")
ROLES = ("partner", "reference")


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    role: str
    native_names: tuple = field(default_factory=tuple)
    aliases: tuple = field(default_factory=tuple)

    @property
    def native_label(self) -> str:
        """Native names joined for display, e.g. ``Қазақстан / Казахстан``."""
        seen = []
        for n in self.native_names:
            if n["name"] not in seen:
                seen.append(n["name"])
        return " / ".join(seen)


@lru_cache(maxsize=None)
def countries() -> tuple[Country, ...]:
    raw = _yaml(COUNTRIES_YML)
    out = []
    for i, c in enumerate(raw["countries"], start=1):
        iso3 = str(c.get("iso3", ""))
        if not ISO3.match(iso3):
            raise ValueError(f"{COUNTRIES_YML.name}: entry {i}: iso3 {iso3!r} is not three capital letters")
        if c.get("role") not in ROLES:
            raise ValueError(f"{COUNTRIES_YML.name}: {iso3}: role must be one of {ROLES}")
        out.append(Country(iso3=iso3, name=c["name"], role=c["role"],
                           native_names=tuple(c.get("native_names") or ()),
                           aliases=tuple(c.get("aliases") or ())))
    codes = [c.iso3 for c in out]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{COUNTRIES_YML.name}: duplicate iso3 codes")
    return tuple(out)


def iso3_codes() -> list[str]:
    return [c.iso3 for c in countries()]


def partners() -> list[str]:
    """The Central Asian countries: those that enter the regional median."""
    return [c.iso3 for c in countries() if c.role == "partner"]


def reference() -> str:
    return next(c.iso3 for c in countries() if c.role == "reference")


def country(iso3: str) -> Country:
    """The configured country with this ISO3 code; ``KeyError`` otherwise.

    This is the gate for the notebooks' ``country`` parameter: only a
    configured code is accepted.
    """
    for c in countries():
        if c.iso3 == iso3:
            return c
    raise KeyError(f"{iso3!r} is not a country of this book (see analysis/countries.yml: "
                   f"{', '.join(iso3_codes())})")


def name_to_iso3() -> dict[str, str]:
    """Every spelling the sources use, folded to lower case, mapped to ISO3."""
    table = {}
    for c in countries():
        for n in (c.name, c.iso3, *c.aliases):
            table[n.strip().casefold()] = c.iso3
    return table


@lru_cache(maxsize=None)
def _yaml(path) -> dict:
    """A configuration file, parsed once per process (with libyaml when present:
    every notebook reads these files, and the pure-Python parser is slow)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def indicator_meta() -> dict[str, dict]:
    """Metadata of the indicators the book knows by name (analysis/indicators.yml)."""
    return _yaml(INDICATORS_YML)["indicators"]


def applies(indicator: str, iso3: str) -> bool:
    """False for a bilateral flow of a country with itself (``partner:`` in
    analysis/indicators.yml): such a cell is not a gap in the data."""
    return indicator_meta().get(indicator, {}).get("partner") != iso3


def units() -> dict[str, dict]:
    return _yaml(INDICATORS_YML)["units"]


OTHER_TOPIC = ("other", "Other indicators")


def topics() -> list[tuple[str, str]]:
    """(slug, name) of every topic in page order, "Other indicators" last."""
    return [(t["slug"], t["name"]) for t in _yaml(TOPICS_YML)["topics"]] + [OTHER_TOPIC]


def topic_slugs(codes):
    """The topic slug of each indicator code (a pandas Series in, one out), by
    the prefix before its first dot (analysis/topics.yml); computed once per
    distinct code, so a table of any length costs one lookup per indicator."""
    import pandas as pd

    by_prefix = {p: t["slug"] for t in _yaml(TOPICS_YML)["topics"] for p in t["prefixes"]}
    codes = pd.Series(codes)
    uniq = pd.Series(codes.unique())
    slug = uniq.str.split(".", n=1).str[0].map(by_prefix).fillna(OTHER_TOPIC[0])
    return codes.map(dict(zip(uniq, slug)))
