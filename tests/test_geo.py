"""The map of the region (analysis/report/geo.py): outlines from the registered Natural
Earth file (sha256 checked), shaded by the data, with years, a no-data hatch and
alt text that names it a map."""

import pandas as pd
import pytest

from analysis import config
from analysis.data import indicators
from analysis.errors import DataError
from analysis.paths import DATA
from analysis.report import geo


@pytest.fixture(scope="module")
def df():
    return indicators.with_derived(indicators.load())


def test_outlines_are_the_registered_file():
    e = geo.entries()[0]
    from analysis.data.registry import sha256
    assert sha256(DATA / e["file"]) == e["sha256"]
    assert e["licence"].startswith("Public domain")
    shapes = geo.outlines()
    assert list(shapes) == config.iso3_codes()
    assert len(shapes["CHN"]) > 1  # a MultiPolygon (Hainan)


def test_changed_outline_file_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "geo" / "x.geojson"
    bad.parent.mkdir()
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(DataError, match="sha256 is .* data/geo/sources.yml records"):
        monkeypatch.setattr(geo, "DATA", tmp_path)
        geo._verified({"id": "x", "file": "geo/x.geojson", "sha256": "0" * 64})


@pytest.mark.parametrize("text, message", [
    ("not json", "not a GeoJSON file"),
    ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"iso_a3": "KAZ"}, '
     '"geometry": {"type": "Point", "coordinates": [1, 2]}}]}', "feature 1 (KAZ): geometry 'Point'"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"iso_a3": "KAZ"}, '
     '"geometry": {"type": "Polygon", "coordinates": [[["a", 2]]]}}]}', "feature 1 (KAZ): coordinates"),
])
def test_malformed_geojson_gives_one_line_errors(tmp_path, text, message):
    p = tmp_path / "m.geojson"
    p.write_text(text)
    with pytest.raises(DataError) as exc:
        geo.read_outlines(p)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_map_data_is_each_countrys_latest_value_with_its_year(df):
    d = geo.map_data(df, "IT.NET.USER.ZS")
    for c in config.iso3_codes():
        p = indicators.latest(df, c, "IT.NET.USER.ZS")
        assert d.loc[c, "value"] == p.value and d.loc[c, "year"] == p.year
    assert d.loc["TKM", "year"] < d.loc["KAZ", "year"]  # years differ, and each is shown


def test_map_figure_labels_years_and_hatches_missing(df):
    from analysis.report import plots
    plots.setup()
    no_tkm = df[~((df["country_iso3"] == "TKM") & (df["indicator"] == "IT.NET.USER.ZS"))]
    fig, data = geo.figure(no_tkm)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "Turkmenistan\nno data" in texts
    kaz = indicators.latest(df, "KAZ", "IT.NET.USER.ZS")
    assert f"Kazakhstan\n{kaz.value:.1f}% ({kaz.year})" in texts
    hatched = {p.get_hatch() for p in ax.patches}
    assert geo.NO_DATA_HATCH in hatched
    assert any(t.get_text() == "no data" for t in fig.legends[0].get_texts())
    fig_full, _ = geo.figure(df)
    assert geo.NO_DATA_HATCH not in {p.get_hatch() for p in fig_full.axes[0].patches}


def test_map_part_alt_text_names_a_map_and_every_value(df, tmp_path):
    from analysis.report import plots
    plots.setup()
    md = geo.map_part(df, outdir=tmp_path).data
    alt = next(line for line in md.splitlines() if line.startswith(":alt:"))
    assert alt.startswith(":alt: Map of China and the five Central Asian countries")
    for c in config.countries():
        p = indicators.latest(df, c.iso3, "IT.NET.USER.ZS")
        assert f"{c.name} {p.value:.1f}% ({p.year})" in alt
    saved = pd.read_csv(tmp_path / "regional" / "map_internet.csv", index_col="country_iso3")
    assert saved["value"].tolist() == geo.map_data(df, "IT.NET.USER.ZS")["value"].tolist()
    assert (tmp_path / "regional" / "map_internet.svg").exists()


def test_projection_and_label_point():
    x, y = geo.project(100, 40)
    assert y == 40 and x == pytest.approx(100 * 0.766, rel=1e-3)
    square = [[(0, 0), (2, 0), (2, 2), (0, 2)]]
    cx, cy = geo.label_point([square])
    assert cy == pytest.approx(1) and cx == pytest.approx(geo.project(1, 1)[0])
