"""Figures with one consistent, colour-blind-safe style.

Every country keeps the same colour in every figure (Okabe–Ito palette, in the
order of analysis/countries.yml); the regional median is a dashed black line.
Output is deterministic: fixed sizes, no timestamps in saved files.

Figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot: no
global figure registry to close, nothing displayed behind the chapter's back),
styled by ``analysis/book.mplstyle``.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import matplotlib
import matplotlib.style
import matplotlib.ticker
import pandas as pd
from matplotlib.figure import Figure

from analysis import atomic, config
from analysis.data.indicators import MEDIAN, label_of, regional_median, wide
from analysis.paths import ANALYSIS

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common
# forms of colour-vision deficiency.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#000000"]
COMPARE_MARGINS = {"left": 0.13, "right": 0.985, "bottom": 0.085, "top": 0.915}
STYLE = ANALYSIS / "book.mplstyle"


def setup() -> None:
    """Apply the book's figure style, ``analysis/book.mplstyle`` (call once per notebook)."""
    matplotlib.style.use(STYLE)


def new_figure(figsize: tuple[float, float] | None = None):
    """A figure with one axes, in the book's style; ``(figure, axes)``."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def colour(iso3: str) -> str:
    codes = config.iso3_codes()
    return OKABE_ITO[codes.index(iso3) % len(OKABE_ITO)] if iso3 in codes else "#777777"


def decimals(indicator: str) -> int:
    return int(config.indicator_meta().get(indicator, {}).get("decimals", 1))


def compare_data(df: pd.DataFrame, indicator: str, focus: str) -> pd.DataFrame:
    """The exact numbers a comparison figure plots: focus country, China and the
    regional median, by year (also offered for download beside the figure)."""
    ref = config.reference()
    cols = [focus] + ([ref] if ref != focus else [])
    table = wide(df, indicator, cols)
    med = regional_median(df, indicator)
    out = table.join(med, how="outer") if not med.empty else table
    out.index.name = "year"
    return out


def compare(df: pd.DataFrame, indicator: str, focus: str, ax=None, start: int = 2005,
            data: pd.DataFrame | None = None):
    """Line chart of one indicator: the focus country against China and the
    median of the Central Asian countries; exactly the numbers of
    ``compare_data`` (pass them as ``data`` if already computed), offered for
    download beside the figure. (The other partners are not drawn: a chapter
    must change only when the data it shows change, and the regional overview
    compares all countries.)"""
    ax = ax or new_figure()[1]
    name, unit = label_of(indicator)
    data = compare_data(df, indicator, focus) if data is None else data
    data = data[data.index >= start]
    for col in data.columns:
        s = data[col].dropna()
        if s.empty:
            continue
        if col == MEDIAN:
            ax.plot(s.index, s.values, color="black", linestyle="--", linewidth=1.6,
                    label="Central Asia median", zorder=2)
        else:
            c = config.country(col)
            ax.plot(s.index, s.values, color=colour(col), linewidth=2.6 if col == focus else 1.8,
                    marker="o" if len(s) < 12 else None, markersize=4, label=c.name, zorder=3)
    ax.set_title(name, loc="left")
    ax.set_ylabel(unit)
    ax.set_xlabel("")
    if config.indicator_meta().get(indicator, {}).get("unit") == "rank":
        ax.invert_yaxis()
        ax.set_ylabel(f"{unit}, best at top")
    ax.legend(loc="best", fontsize=9)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    # fixed margins, sized for the widest tick labels these series have
    # ("15,000", "0.8", "100"): the same frame in every chart, and no
    # tight_layout pass, which costs as much as drawing the figure again
    ax.figure.subplots_adjust(**COMPARE_MARGINS)
    return ax.figure


def latest_bars(df: pd.DataFrame, indicator: str, year: int | None = None, ax=None):
    """Horizontal bars of every country's value in one year (the latest year in
    which most countries report, unless given)."""
    ax = ax or new_figure((7.0, 3.2))[1]
    name, unit = label_of(indicator)
    table = wide(df, indicator)
    if year is None:
        counts = table.notna().sum(axis=1)
        year = int(counts[counts == counts.max()].index.max())
    row = table.loc[year].dropna()
    order = list(row.sort_values(ascending=True).index)
    ax.barh([config.country(c).name for c in order], row[order].values,
            color=[colour(c) for c in order])
    for i, c in enumerate(order):
        ax.text(row[c], i, f" {row[c]:,.{decimals(indicator)}f}", va="center", fontsize=9)
    ax.set_title(f"{name}, {year}", loc="left")
    ax.set_xlabel(unit)
    ax.margins(x=0.15)
    ax.figure.tight_layout()
    return ax.figure, year


def shown(stem: Path):
    """The saved PNG as a displayable image at the figure's on-screen size
    (the file itself is 200 dpi, so print and PDF stay sharp)."""
    from IPython.display import Image

    return Image(filename=str(stem.with_suffix(".png")), width=int(matplotlib.rcParams["figure.figsize"][0] * 100))


@functools.lru_cache(maxsize=None)
def _code_hash() -> str:
    """What figures are drawn with: the package up to the report layer, where
    every figure is drawn (:func:`drawing_files`: code, style, configuration,
    notebook templates, whose cells may define how a figure is drawn), and the
    pinned versions of the drawing libraries and what they require, so a new
    matplotlib redraws every figure. The book layer (the notebooks' runner,
    the HTML, the PDF) and the chapters' texts draw nothing and are left out:
    editing the PDF module or a chapter's argument redraws no figure. Whether
    a figure is looked at all is decided by its chapter's or step's own key
    (analysis/codegraph.py)."""
    from analysis import codegraph
    from analysis.digests import digest
    return digest(drawing_files(), extra=codegraph.distribution_pins(DRAWING_LIBRARIES))


def drawing_files() -> list[Path]:
    """The package's files less the book layer and the texts (the report layer
    imports neither: tests/test_codegraph.py checks the layers)."""
    from analysis.digests import files
    from analysis.paths import ANALYSIS
    left_out = (ANALYSIS / "book", ANALYSIS / "texts")
    return [p for p in files([ANALYSIS]) if not any(p.is_relative_to(d) for d in left_out)]


DRAWING_LIBRARIES = ("matplotlib", "seaborn", "pandas")


def _fingerprint(stem: Path, inputs) -> str:
    h = hashlib.sha256(f"{_code_hash()}\0{Path(stem).name}".encode())
    for x in inputs:
        text = x.to_csv(lineterminator="\n") if isinstance(x, (pd.DataFrame, pd.Series)) else repr(x)
        h.update(b"\0" + text.encode())
    return h.hexdigest()


def render(stem: Path, draw, *inputs) -> bool:
    """Draw and save a figure (PNG, SVG, data CSV) unless the files beside
    ``stem`` were made from exactly these inputs by this version of the code.

    ``draw()`` returns ``(figure, plotted data)``; ``inputs`` are everything the
    figure is drawn from (tables, parameters). Their fingerprint is kept in
    ``<stem>.key``, so a chapter re-executed because one indicator changed
    re-renders that indicator's figure only. Returns True when it drew."""
    stem = Path(stem)
    key = _fingerprint(stem, inputs)
    keyfile = stem.with_suffix(".key")
    done = all(stem.with_suffix(ext).exists() for ext in (".png", ".svg", ".csv"))
    if done and keyfile.exists() and keyfile.read_text() == key:
        return False
    keyfile.unlink(missing_ok=True)
    fig, data = draw()
    save(fig, stem, data)
    atomic.write_text(keyfile, key)  # last: the key vouches for the files beside it
    return True


def save(fig, stem: Path, data: pd.DataFrame | None = None) -> None:
    """Save a figure as PNG and SVG (deterministic metadata) and, if given, the
    plotted numbers as CSV beside it."""
    with atomic.replacing(stem.with_suffix(".png")) as tmp:  # never a truncated PNG, even if interrupted
        fig.savefig(tmp, format="png", metadata={"Software": None})
    with atomic.replacing(stem.with_suffix(".svg")) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    if data is not None:
        from analysis.untrusted import csv_frame
        atomic.write_csv(stem.with_suffix(".csv"), csv_frame(data), lineterminator="\n", float_format="%.15g")
