"""Configuration read from YAML: the countries of the book, the indicator
metadata and the topics. All are data, never code: nothing here is evaluated,
and each file is validated against its schema (pydantic models below) when it
is first read, with a one-line error naming the file, the entry and the field."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, model_validator

from analysis.paths import COUNTRIES_YML, INDICATORS_YML, TOPICS_YML

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
    checked = validated(COUNTRIES_YML, CountriesFile)
    return tuple(Country(iso3=c.iso3, name=c.name, role=c.role,
                         native_names=tuple(n.model_dump() for n in c.native_names), aliases=c.aliases)
                 for c in checked.countries)


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


def read_yaml(text: str):
    """YAML text parsed safely, with libyaml when present (the pure-Python
    parser is several times slower, and every step and notebook reads the
    configuration, the registry or a chapter's checks). The one YAML reader of
    the package."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=None)
def _yaml(path) -> dict:
    """A configuration file, parsed once per process."""
    return read_yaml(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _indicators_file() -> dict:
    validated(INDICATORS_YML, IndicatorsFile)
    return _yaml(INDICATORS_YML)


def indicator_meta() -> dict[str, dict]:
    """Metadata of the indicators the book knows by name (analysis/indicators.yml)."""
    return _indicators_file()["indicators"]


def applies(indicator: str, iso3: str) -> bool:
    """False for a bilateral flow of a country with itself (``partner:`` in
    analysis/indicators.yml): such a cell is not a gap in the data."""
    return indicator_meta().get(indicator, {}).get("partner") != iso3


def units() -> dict[str, dict]:
    return _indicators_file()["units"]


OTHER_TOPIC = ("other", "Other indicators")


def topics() -> list[tuple[str, str]]:
    """(slug, name) of every topic in page order, "Other indicators" last."""
    return [(t.slug, t.name) for t in _topics_file().topics] + [OTHER_TOPIC]


@lru_cache(maxsize=None)
def _topics_file() -> "TopicsFile":
    return validated(TOPICS_YML, TopicsFile)


def topic_slugs(codes):
    """The topic slug of each indicator code (a pandas Series in, one out), by
    the prefix before its first dot (analysis/topics.yml); computed once per
    distinct code, so a table of any length costs one lookup per indicator."""
    import pandas as pd

    by_prefix = {p: t.slug for t in _topics_file().topics for p in t.prefixes}
    codes = pd.Series(codes)
    uniq = pd.Series(codes.unique())
    slug = uniq.str.split(".", n=1).str[0].map(by_prefix).fillna(OTHER_TOPIC[0])
    return codes.map(dict(zip(uniq, slug)))


# ------------------------------------------------------------------ schemas
# The three configuration files are validated by pydantic models: a wrong key,
# a missing field or a value of the wrong kind is one line naming the file, the
# entry and the field (ConfigError), before anything reads the file.
class ConfigError(ValueError):
    """A configuration file that does not follow its schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # a text field takes only text (pydantic never coerces a YAML number or yes/no into one)


class NativeName(_Strict):
    lang: str = Field(pattern=r"^[a-z]{2,3}$", description="ISO 639 code")
    script: str = Field(min_length=1)
    name: str = Field(min_length=1)


class CountryEntry(_Strict):
    iso3: str = Field(pattern=ISO3.pattern)
    name: str = Field(min_length=1)
    role: Literal["partner", "reference"]
    native_names: tuple[NativeName, ...] = ()
    aliases: tuple[str, ...] = ()


class CountriesFile(_Strict):
    countries: tuple[CountryEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_chapter_each_and_one_reference(self):
        codes = [c.iso3 for c in self.countries]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"duplicate iso3 codes: {', '.join(dup)}")
        refs = [c.iso3 for c in self.countries if c.role == "reference"]
        if len(refs) != 1:
            raise ValueError(f"exactly one country must have role: reference (found {len(refs)})")
        return self


class Unit(_Strict):
    label: str = Field(min_length=1)
    min: float | None
    max: float | None


class IndicatorEntry(_Strict):
    label: str = Field(min_length=1)
    short: str = Field(min_length=1)
    unit: str
    higher_is_better: StrictBool | None = None
    decimals: StrictInt = Field(ge=0, le=6)
    description: str = Field(min_length=1)
    partner: str | None = Field(default=None, pattern=ISO3.pattern)


class IndicatorsFile(_Strict):
    units: dict[str, Unit] = Field(min_length=1)
    indicators: dict[str, IndicatorEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_units(self):
        for code, meta in self.indicators.items():
            if meta.unit not in self.units:
                raise ValueError(f"indicator {code}: unit {meta.unit!r} is not one of the units "
                                 f"({', '.join(self.units)})")
        return self


class Topic(_Strict):
    slug: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    prefixes: tuple[str, ...] = Field(min_length=1)


class TopicsFile(_Strict):
    topics: tuple[Topic, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_topic_per_prefix(self):
        seen: dict[str, str] = {}
        for t in self.topics:
            for p in t.prefixes:
                if p in seen:
                    raise ValueError(f"prefix {p!r} is in two topics ({seen[p]}, {t.slug})")
                seen[p] = t.slug
        return self


def _where(raw, loc) -> str:
    """A pydantic error location as a reader finds it in the file:
    ``countries, entry 3 (KGZ), role``."""
    parts, node = [], raw
    for p in loc:
        if isinstance(p, int) and isinstance(node, list) and p < len(node):
            node = node[p]
            tag = node.get("iso3") or node.get("slug") if isinstance(node, dict) else None
            parts.append(f"entry {p + 1}" + (f" ({tag})" if tag else ""))
        else:
            parts.append(str(p))
            node = node.get(p) if isinstance(node, dict) else None
    return ", ".join(parts)


def validated(path, model: type[BaseModel]):
    """The file parsed and checked against its model; ConfigError otherwise."""
    raw = _yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        where = _where(raw, err["loc"])
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        got = f" (got {err['input']!r})" if err["type"] not in ("missing", "value_error") and \
            not isinstance(err["input"], (dict, list)) else ""
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path.name}: {where + ': ' if where else ''}{msg}{got}{more}") from None
