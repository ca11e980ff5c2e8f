"""A deterministic, World-Development-Indicators-sized input file for the
benchmark and the complexity test (synthetic: never part of the book).

    .venv/bin/python benchmarks/synthetic.py out.csv [--indicators 1500] [--layout tidy|wb_wide]

The file holds every configured country for 1960-2025 (66 years). Its first
indicators are the real World Bank codes the book uses, with the values the
book already holds (copied from ``data/processed/indicators.csv``, so they
replace nothing); the rest are synthetic codes ``<TOPIC>.SYN.<NNNN>`` spread
over the World Bank's topic prefixes roughly as WDI spreads its ~1,500 series
(``SP.``, ``NY.``, ``SH.`` ...), with plausible values: a unit inferred from
the name, a level per country, a trend, noise, and gaps (series that start
late, stop early, or are missing for a country). Same arguments, same bytes.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEARS = list(range(1960, 2026))
COUNTRIES = [("KAZ", "Kazakhstan"), ("UZB", "Uzbekistan"), ("KGZ", "Kyrgyz Republic"), ("TJK", "Tajikistan"),
             ("TKM", "Turkmenistan"), ("CHN", "China")]
# World Bank topic prefixes with a weight close to their share of WDI's series
PREFIXES = [("SP", 8), ("NY", 8), ("SH", 14), ("SE", 9), ("SL", 10), ("EN", 6), ("EG", 5), ("AG", 4),
            ("NE", 5), ("NV", 2), ("BX", 3), ("BM", 3), ("BN", 2), ("DT", 9), ("FB", 1), ("FM", 2),
            ("FS", 1), ("FR", 1), ("GC", 4), ("IC", 4), ("IS", 2), ("IT", 1), ("TX", 4), ("TM", 4),
            ("TG", 1), ("SI", 4), ("SG", 2), ("SM", 1), ("ST", 1), ("ER", 1), ("MS", 1), ("VC", 1),
            ("IP", 1), ("GB", 1), ("PA", 1), ("CM", 1)]
UNITS = [("(% of population)", 0, 100), ("(% of GDP)", 0, 60), ("(per 100 people)", 0, 150),
         ("(current US$)", 1e6, 1e12), ("(number)", 0, 1e7), ("(index)", -2.5, 2.5)]
BOOK_WB = ("IT.", "NY.", "SP.", "NE.", "TG.", "IC.")


def _real_rows() -> list[dict]:
    """The book's own World Bank series (as it holds them), so the file looks like a real download."""
    path = ROOT / "data" / "processed" / "indicators.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["indicator"].startswith(BOOK_WB)]


def series(n_indicators: int, seed: int = 13):
    """Yield (code, name, {iso3: {year: value}}) for every indicator."""
    rng = random.Random(seed)
    real = _real_rows()
    real_codes = sorted({r["indicator"] for r in real})[:n_indicators]
    for code in real_codes:
        vals: dict[str, dict[int, float]] = {}
        for r in real:
            if r["indicator"] == code:
                vals.setdefault(r["country_iso3"], {})[int(r["year"])] = float(r["value"])
        yield code, code, vals
    weights = [w for _, w in PREFIXES]
    for i in range(n_indicators - len(real_codes)):
        prefix = rng.choices([p for p, _ in PREFIXES], weights)[0]
        suffix, lo, hi = rng.choice(UNITS)
        code = f"{prefix}.SYN.{i + 1:04d}"
        name = f"Synthetic {prefix} series {i + 1:04d} {suffix}"
        start = rng.choice([1960] * 6 + [1970, 1990, 2000, 2010])
        end = rng.choice([2025, 2024, 2024, 2023, 2023, 2022, 2020])
        vals = {}
        for iso3, _ in COUNTRIES:
            if rng.random() < 0.08:  # no value at all for this country
                continue
            level = rng.uniform(lo, hi)
            trend = rng.uniform(-0.02, 0.03) * (hi - lo) / 10
            first = start + (rng.randrange(15) if rng.random() < 0.3 else 0)
            last = end - (rng.randrange(6) if iso3 == "TKM" else 0)
            ys = {}
            for y in range(first, last + 1):
                if rng.random() < 0.05:
                    continue
                v = level + trend * (y - first) + rng.gauss(0, (hi - lo) / 200)
                ys[y] = round(min(max(v, lo), hi), 4 if hi <= 150 else 0)
            if ys:
                vals[iso3] = ys
        if vals:
            yield code, name, vals


def write(path: Path, n_indicators: int = 1500, layout: str = "tidy", seed: int = 13) -> Path:
    """Write the file; ``layout`` is the book's tidy CSV or a World Bank wide download."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    if layout == "tidy":
        w.writerow(["country_iso3", "indicator", "year", "value", "source"])
        for code, _, vals in series(n_indicators, seed):
            for iso3, _ in COUNTRIES:
                for y, v in sorted(vals.get(iso3, {}).items()):
                    w.writerow([iso3, code, y, f"{v:.15g}", "synthetic (benchmarks/synthetic.py)"])
    elif layout == "wb_wide":
        buf.write('"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-07-01",\n\n')
        w = csv.writer(buf, lineterminator=",\n", quoting=csv.QUOTE_ALL)
        w.writerow(["Country Name", "Country Code", "Indicator Name", "Indicator Code", *map(str, YEARS)])
        for code, name, vals in series(n_indicators, seed):
            for iso3, cname in COUNTRIES:
                ys = vals.get(iso3, {})
                w.writerow([cname, iso3, name, code, *(f"{ys[y]:.15g}" if y in ys else "" for y in YEARS)])
    else:
        raise ValueError(f"unknown layout {layout!r}")
    path = Path(path)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--indicators", type=int, default=1500)
    ap.add_argument("--layout", choices=["tidy", "wb_wide"], default="tidy")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    write(args.out, args.indicators, args.layout, args.seed)
    print(f"{args.out}: {args.indicators} indicators, {args.layout} layout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
