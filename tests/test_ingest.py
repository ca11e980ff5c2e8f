"""The ingest step: provenance, validation with file/row/column errors,
precedence, determinism, and equality with the raw files."""
import csv
import shutil

import pytest

from analysis.data import ingest, registry
from analysis.errors import DataError
from analysis.paths import INDICATORS_CSV, RAW


def raw_value(filename, iso3, year):
    with open(RAW / filename, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    h = next(i for i, r in enumerate(rows) if r and r[0] == "Country Name")
    row = next(r for r in rows[h + 1:] if r and r[1] == iso3)
    return float(row[rows[h].index(str(year))])


def test_processed_table_equals_a_fresh_ingest():
    """data/processed/indicators.csv is exactly what the code makes of data/raw."""
    result = ingest.build()
    fresh = result.table.to_csv(index=False, lineterminator="\n", float_format="%.15g")
    assert INDICATORS_CSV.read_text(encoding="utf-8") == fresh


def test_kazakhstan_internet_2019_equals_world_bank_file(table):
    expected = raw_value("wb_wdi_API_IT.NET.USER.ZS_DS2_en_csv_v2_2160__plotly-figure-friday.csv", "KAZ", 2019)
    row = table[(table.country_iso3 == "KAZ") & (table.indicator == "IT.NET.USER.ZS") & (table.year == 2019)]
    assert row["value"].item() == expected == 81.8776
    assert row["source_id"].item() == "wdi_internet"


def test_every_row_names_a_registered_source(table):
    assert set(table.source_id) <= set(registry.by_id())
    assert table.columns.tolist() == ["country_iso3", "indicator", "year", "value", "unit", "source_id"]


def test_table_is_sorted_and_keys_unique(table):
    assert not table.duplicated(["country_iso3", "indicator", "year"]).any()
    ordered = table.sort_values(["indicator", "country_iso3", "year"], kind="stable").reset_index(drop=True)
    assert ordered.equals(table)


def test_every_raw_file_is_registered_with_its_hash():
    entries = registry.load()
    registered = {e["file"].split("/", 1)[1] for e in entries}
    assert registered == {p.name for p in RAW.iterdir() if p.is_file()}
    for e in entries:
        assert registry.sha256(registry.file_of(e)) == e["sha256"], e["id"]


def _copy_registry(tmp_path, monkeypatch):
    """A private data/ folder: raw files copied, registry entries pointing at them."""
    data = tmp_path / "data"
    shutil.copytree(RAW, data / "raw")
    monkeypatch.setattr(registry, "DATA", data)
    return data, [dict(e) for e in registry.load()]


def test_changed_file_without_registry_update_stops_the_build(tmp_path, monkeypatch):
    data, entries = _copy_registry(tmp_path, monkeypatch)
    target = data / entries[0]["file"]
    target.write_bytes(target.read_bytes().replace(b"81.8776", b"81.8777"))
    with pytest.raises(DataError, match="sha256 .* the file changed"):
        ingest.build(entries)


def _edit(data, entries, idx, old, new):
    target = data / entries[idx]["file"]
    target.write_bytes(target.read_bytes().replace(old, new, 1))
    entries[idx]["sha256"] = registry.sha256(target)


def test_percentage_above_100_names_file_row_and_column(tmp_path, monkeypatch):
    data, entries = _copy_registry(tmp_path, monkeypatch)
    _edit(data, entries, 0, b"81.8776", b"181.8776")
    with pytest.raises(DataError) as e:
        ingest.build(entries)
    msg = str(e.value)
    assert "wb_wdi_API_IT.NET.USER.ZS" in msg and "row 3" in msg and 'column "2019"' in msg
    assert "outside 0–100" in msg


def test_changed_value_flows_into_the_table(tmp_path, monkeypatch):
    data, entries = _copy_registry(tmp_path, monkeypatch)
    _edit(data, entries, 0, b"81.8776", b"80.5")
    t = ingest.build(entries).table
    assert t[(t.country_iso3 == "KAZ") & (t.indicator == "IT.NET.USER.ZS") & (t.year == 2019)].value.item() == 80.5


def test_duplicate_key_with_conflicting_values_stops_the_build(tmp_path, monkeypatch):
    data, entries = _copy_registry(tmp_path, monkeypatch)
    extra = tmp_path / "data" / "raw" / "extra.csv"
    extra.write_text("country_iso3,indicator,year,value\nKAZ,X.TEST,2019,1\nKAZ,X.TEST,2019,2\n", encoding="utf-8")
    entries.append({**entries[0], "id": "extra", "file": "raw/extra.csv", "reader": "tidy",
                    "sha256": registry.sha256(extra)})
    with pytest.raises(DataError, match=r"given twice with different values"):
        ingest.build(entries)


def test_unknown_country_in_tidy_file_stops_the_build(tmp_path, monkeypatch):
    data, entries = _copy_registry(tmp_path, monkeypatch)
    extra = tmp_path / "data" / "raw" / "extra.csv"
    extra.write_text("country_iso3,indicator,year,value\nKAZ,X.TEST,2019,1\nXXY,X.TEST,2019,2\n", encoding="utf-8")
    entries.append({**entries[0], "id": "extra", "file": "raw/extra.csv", "reader": "tidy",
                    "sha256": registry.sha256(extra)})
    with pytest.raises(DataError, match=r"extra.csv: row 3, column \"country_iso3\": unknown country code 'XXY'"):
        ingest.build(entries)


def test_later_file_replaces_earlier_values_and_is_recorded():
    result = ingest.build()
    rep = result.replaced
    assert set(rep.old_source_id) == {"wdi_mobile"} and set(rep.new_source_id) == {"wdi_long"}
    t = result.table
    long_keys = set(map(tuple, rep[["country_iso3", "indicator", "year"]].values))
    winners = t[[k in long_keys for k in map(tuple, t[["country_iso3", "indicator", "year"]].values)]]
    assert len(winners) == len(rep) and set(winners.source_id) == {"wdi_long"}
    assert winners.set_index(["country_iso3", "year"]).value.tolist() == rep.new_value.tolist()


def test_doing_business_compilation_agrees_with_wdi_for_2017():
    """DB2018 (compilation, data year 2017) and WDI IC.BUS.EASE.XQ 2017 are the same ranks."""
    rep = ingest.build().replaced
    assert rep[rep.indicator == "IC.BUS.EASE.XQ"].empty


def test_pandera_is_imported_only_where_a_table_is_validated():
    """The audit, the generated pages and the chapters' kernels import the
    schema's key, not pandera (0.07 s of each process); validating imports it."""
    import subprocess
    import sys

    code = ("import sys; import analysis.ledger.audit, analysis.report.generate, analysis.report.frameworks; "
            "print('pandera' in sys.modules); from analysis.data import schema; schema.indicator_schema(); "
            "print('pandera' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
