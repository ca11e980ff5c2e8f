"""The map of the region: the six countries' outlines from Natural Earth
(``data/geo/``, provenance and sha256 in ``data/geo/sources.yml``), drawn with
plain matplotlib polygons and shaded by an indicator's latest value.

No tiles, no projection library: longitude is scaled by the cosine of the
region's middle latitude (an equirectangular projection), which keeps shapes
recognisable between 20° and 55° N."""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import DataError
from analysis.paths import DATA

GEO_REGISTRY = DATA / "geo" / "sources.yml"
MIDDLE_LATITUDE = 40.0
NO_DATA_HATCH = "////"


def entries(path: Path = GEO_REGISTRY) -> list[dict]:
    return config.read_yaml(path.read_text(encoding="utf-8"))["sources"]


def _verified(entry: dict) -> Path:
    from analysis.data.registry import sha256
    path = DATA / entry["file"]
    if not path.exists():
        raise DataError(GEO_REGISTRY, f"map source {entry['id']!r}: file {entry['file']} does not exist")
    actual = sha256(path)
    if actual != entry["sha256"]:
        raise DataError(path, f"sha256 is {actual}, data/geo/sources.yml records {entry['sha256']}: "
                              "the file changed; if on purpose, update the registry")
    return path


def read_outlines(path: Path) -> dict[str, list[list[list[tuple[float, float]]]]]:
    """ISO3 → polygons, each a list of rings (outer first) of (lon, lat)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(path, f"not a GeoJSON file ({exc})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataError(path, "not a GeoJSON FeatureCollection")
    out = {}
    for n, feat in enumerate(doc.get("features") or [], start=1):
        props = feat.get("properties") or {}
        iso3 = str(props.get("iso_a3", ""))
        geom = feat.get("geometry") or {}
        kind, coords = geom.get("type"), geom.get("coordinates")
        if kind == "Polygon":
            polys = [coords]
        elif kind == "MultiPolygon":
            polys = coords
        else:
            raise DataError(path, f"feature {n} ({iso3 or '?'}): geometry {kind!r} is not a (Multi)Polygon")
        try:
            out[iso3] = [[[(float(x), float(y)) for x, y in ring] for ring in poly] for poly in polys]
        except (TypeError, ValueError):
            raise DataError(path, f"feature {n} ({iso3 or '?'}): coordinates are not [lon, lat] pairs") from None
    return out


@lru_cache(maxsize=1)
def outlines() -> dict:
    """The outlines of the configured countries (verified against their sha256)."""
    e = entries()[0]
    shapes = read_outlines(_verified(e))
    missing = [c for c in config.iso3_codes() if c not in shapes]
    if missing:
        raise DataError(DATA / e["file"], f"no outline for {', '.join(missing)}")
    return {c: shapes[c] for c in config.iso3_codes()}


def project(lon: float, lat: float) -> tuple[float, float]:
    return lon * math.cos(math.radians(MIDDLE_LATITUDE)), lat


def _area_centroid(ring) -> tuple[float, float, float]:
    """Shoelace area and centroid of a ring (projected)."""
    pts = [project(x, y) for x, y in ring]
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a /= 2
    return abs(a), cx / (6 * a), cy / (6 * a)


def label_point(polys) -> tuple[float, float]:
    """Centroid of the largest polygon's outer ring (projected coordinates)."""
    best = max((_area_centroid(p[0]) for p in polys), key=lambda t: t[0])
    return best[1], best[2]


# Small countries' labels sit outside their outline, with a leader line (offsets in projected degrees).
LABEL_OFFSETS = {"KAZ": (0.0, 2.2), "KGZ": (4.0, 4.6), "TJK": (1.0, -6.5), "TKM": (-4.5, -5.0), "UZB": (-2.0, 3.0)}
MOVED_ONLY = {"KAZ"}  # labels moved without a leader line (they stay inside the outline)


def map_data(df: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The plotted numbers: each country's latest value and its year (empty if none)."""
    from analysis.data.indicators import latest

    rows = []
    for c in config.countries():
        p = latest(df, c.iso3, indicator)
        rows.append({"country_iso3": c.iso3, "country": c.name, "indicator": indicator,
                     "year": p.year if p else pd.NA, "value": p.value if p else float("nan"),
                     "source_id": p.source_id if p else ""})
    return pd.DataFrame(rows).set_index("country_iso3").astype({"year": "Int64"})


def value_text(indicator: str, value: float) -> str:
    from analysis.report.plots import decimals
    unit = config.indicator_meta().get(indicator, {}).get("unit")
    return f"{value:.{decimals(indicator)}f}" + ("%" if unit == "percent" else "")


def figure(df: pd.DataFrame, indicator: str = "IT.NET.USER.ZS", shapes: dict | None = None):
    """The map; ``(figure, plotted data)``."""
    import matplotlib
    import matplotlib.patheffects as pe
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Polygon

    from analysis.data.indicators import label_of

    shapes = shapes or outlines()
    data = map_data(df, indicator)
    name, unit = label_of(indicator)
    unit_spec = config.units().get(config.indicator_meta().get(indicator, {}).get("unit", ""), {})
    vals = data["value"].dropna()
    lo = unit_spec.get("min") if unit_spec.get("min") is not None else (float(vals.min()) if len(vals) else 0)
    hi = unit_spec.get("max") if unit_spec.get("max") is not None else (float(vals.max()) if len(vals) else 1)
    norm = Normalize(vmin=lo, vmax=hi)
    cmap = matplotlib.colormaps["cividis"]
    fig = Figure(figsize=(7.0, 4.6))
    ax = fig.add_axes((0.01, 0.16, 0.98, 0.76))
    halo = [pe.withStroke(linewidth=2.6, foreground="white")]
    for iso3, polys in shapes.items():
        v = data.loc[iso3, "value"] if iso3 in data.index else float("nan")
        missing = pd.isna(v)
        for poly in polys:
            ax.add_patch(Polygon([project(x, y) for x, y in poly[0]], closed=True,
                                 facecolor="#F2F2F2" if missing else cmap(norm(v)),
                                 hatch=NO_DATA_HATCH if missing else None,
                                 edgecolor="#333333", linewidth=0.8))
        x, y = label_point(polys)
        c = config.country(iso3)
        text = c.name + ("\nno data" if missing else
                         f"\n{value_text(indicator, v)} ({int(data.loc[iso3, 'year'])})")
        dx, dy = LABEL_OFFSETS.get(iso3, (0, 0))
        if iso3 in MOVED_ONLY:
            ax.text(x + dx, y + dy, text, ha="center", va="center", fontsize=9, path_effects=halo)
        elif dx or dy:
            ax.annotate(text, xy=(x, y), xytext=(x + dx, y + dy), ha="center", va="center", fontsize=8,
                        path_effects=halo, arrowprops={"arrowstyle": "-", "color": "#333333", "linewidth": 0.7})
        else:
            ax.text(x, y, text, ha="center", va="center", fontsize=9, path_effects=halo)
    xs = [project(x, y)[0] for polys in shapes.values() for p in polys for x, y in p[0]]
    ys = [y for polys in shapes.values() for p in polys for _, y in p[0]]
    ax.set_xlim(min(xs) - 3, max(xs) + 1)
    ax.set_ylim(min(ys) - 1, max(ys) + 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{name}, latest year per country", loc="left")
    cax = fig.add_axes((0.08, 0.11, 0.5, 0.035))
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, cax=cax, orientation="horizontal")
    cb.set_label(unit, fontsize=9)
    cb.ax.tick_params(labelsize=8)
    if data["value"].isna().any():
        fig.legend(handles=[Patch(facecolor="#F2F2F2", edgecolor="#333333", hatch=NO_DATA_HATCH, label="no data")],
                   loc="lower right", bbox_to_anchor=(0.97, 0.08), fontsize=8, frameon=False)
    fig.text(0.99, 0.01, "Outlines: Natural Earth (public domain)", ha="right", va="bottom", fontsize=7,
             color="#555555")
    return fig, data


def alt_text(data: pd.DataFrame, indicator: str) -> str:
    from analysis.data.indicators import label_of

    name, unit = label_of(indicator)
    parts = []
    for iso3, r in data.iterrows():
        parts.append(f"{r['country']} no data" if pd.isna(r["value"]) else
                     f"{r['country']} {value_text(indicator, r['value'])} ({int(r['year'])})")
    return (f"Map of China and the five Central Asian countries, each shaded by {name.lower()} ({unit}) in its "
            f"latest year, darker for lower values: " + "; ".join(parts) + ".")


def map_part(df: pd.DataFrame, indicator: str = "IT.NET.USER.ZS", outdir=None, prefix: str = "figures/regional"):
    """The regional overview's map as a numbered MyST figure (saved as PNG, SVG and
    the CSV of its numbers under ``book/figures/regional/map_<slug>.*``)."""
    from IPython.display import Markdown

    from analysis.paths import BOOK
    from analysis.report import plots
    from analysis.report.chapter import source_label

    stem = (outdir or BOOK / "figures") / "regional" / "map_internet"
    plots.render(stem, lambda: figure(df, indicator), map_data(df, indicator), indicator, entries()[0]["sha256"])
    data = map_data(df, indicator)
    ids = sorted(set(data["source_id"]) - {""})
    src = "; ".join(f"{source_label(i)} ({i})" for i in ids)
    links = " · ".join(f"[{e.upper()}]({prefix}/map_internet.{e})" for e in ("csv", "png", "svg"))
    years = sorted(set(int(y) for y in data["year"].dropna()))
    yr = (f"the year shown beside each value ({years[0]}–{years[-1]})" if len(years) > 1
          else f"{years[0]}" if years else "no year")
    from analysis.data.indicators import label_of
    name, unit = label_of(indicator)
    nodata = "; hatched: no value" if data["value"].isna().any() else ""
    return Markdown(
        f"```{{figure}} {prefix}/map_internet.png\n:name: fig-regional-map\n:alt: {alt_text(data, indicator)}\n"
        f":width: 100%\n\nThe six countries of the report, shaded by {name.lower()} ({unit}) in each "
        f"country's latest year with data, {yr}{nodata}. Source: {src}. Outlines: "
        f"Natural Earth 1:110m, public domain (naturalearth_admin0_110m); borders as Natural Earth draws "
        f"them, implying no position on any disputed boundary. Data: {links}\n```")


def sources_markdown() -> str:
    """The map outlines' provenance for *Data and methods*."""
    lines = []
    for e in entries():
        lines += [f"### {e['title']}", "",
                  f"- **Key**: `{e['id']}`; **file**: `data/{e['file']}` (provenance in `data/geo/sources.yml`)",
                  f"- **Publisher**: {e['publisher']}",
                  f"- **Obtained from**: {str(e['origin']).replace('<', chr(92) + '<')}",
                  f"- **Licence**: {e['licence']}",
                  f"- **Retrieved**: {e['retrieved']}",
                  f"- **sha256**: `{e['sha256']}`",
                  "- **Read by**: `analysis.report.geo.read_outlines`; used for the map in the regional overview",
                  f"- **Notes**: {e['notes']}", ""]
    return "\n".join(lines)
