"""Real-sized data (issue 13, item 5): a whole World Bank download for the six
countries (~1,500 indicators) is a supported input. These tests guard the
complexity of ingest and page generation (time grows linearly with the number
of indicators, never once per indicator over the whole table) and what the
pages make of many indicators; benchmarks/bench.py --wdi-only times the build."""
import time

import pandas as pd
import pytest

from analysis import config, paths
from analysis.data import ingest, readers, registry
from analysis.errors import DataError
from analysis.report import coverage, generate
from benchmarks import synthetic


def _entry(path):
    return {"id": "syn", "file": str(path), "reader": "tidy", "sha256": registry.sha256(path)}


def _pipeline(path, tmp, monkeypatch) -> dict[str, str]:
    """Ingest one file and generate the data pages from it, in this process."""
    result = ingest.build([_entry(path)])
    cat = tmp / f"catalog-{path.stem}.csv"
    result.catalog.to_csv(cat, index=False, lineterminator="\n")
    monkeypatch.setattr(generate, "load", lambda: result.table)
    monkeypatch.setattr(generate, "CATALOG_CSV", cat)
    monkeypatch.setattr(paths, "CATALOG_CSV", cat)
    m = coverage.matrix(result.table)
    return {"dictionary": generate.dictionary_markdown(), "coverage": generate.coverage_markdown(),
            "gaps": generate.gaps_markdown(result.table), "matrix": coverage.markdown(m),
            "table": result.table}


def _seconds(path, tmp, monkeypatch, runs=1) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        _pipeline(path, tmp, monkeypatch)
        best = min(best, time.perf_counter() - start)
    return best


def test_ingest_and_pages_grow_linearly_with_indicators(tmp_path, monkeypatch):
    small = synthetic.write(tmp_path / "s100.csv", 100)
    large = synthetic.write(tmp_path / "s1000.csv", 1000)
    _seconds(small, tmp_path, monkeypatch)  # warm caches and imports
    t100 = _seconds(small, tmp_path, monkeypatch, runs=3)
    t1000 = _seconds(large, tmp_path, monkeypatch, runs=1)
    # linear would give ~10, once per indicator over the whole table ~100;
    # generous so that this shared machine's noise cannot make it fail
    assert t1000 / t100 < 20, f"100 indicators {t100:.2f} s, 1,000 indicators {t1000:.2f} s"


def test_many_indicators_are_grouped_by_topic_and_collapsed(tmp_path, monkeypatch):
    path = synthetic.write(tmp_path / "s400.csv", 400)
    pages = _pipeline(path, tmp_path, monkeypatch)
    table = pages["table"]
    further = sorted(set(table["indicator"]) - set(config.indicator_meta()))
    assert len(further) > 350
    for name in ("dictionary", "matrix"):
        md = pages[name]
        assert md.count("## Further indicators") == 1
        assert "### Health and nutrition" in md and "### Population" in md
        assert "{dropdown}" in md  # long topics start collapsed
        for code in further:  # every further indicator is listed exactly once
            assert md.count(f"`{code}`") == 1, (name, code)
    # the topic headings come in the order of analysis/topics.yml
    order = [t for _, t in config.topics() if f"### {t}\n" in pages["matrix"]]
    assert order == sorted(order, key=lambda t: pages["matrix"].index(f"### {t}\n"))
    # Data and methods stays short: the book's indicators row by row, the rest counted
    assert all(f"`{c}`" not in pages["coverage"] for c in further)
    assert f"{len(further)} further indicators" in pages["coverage"]
    assert 0 < pages["gaps"].count("further indicators") <= len(config.iso3_codes())
    # the cells agree with the table
    kaz = table[(table["indicator"] == further[0]) & (table["country_iso3"] == "KAZ")]["year"]
    if len(kaz):
        assert f"{kaz.min()}–{kaz.max()}, {len(kaz)}/" in pages["matrix"].split(f"`{further[0]}`")[1].split("\n")[0]


def test_a_few_further_indicators_are_still_listed_one_by_one(tmp_path, monkeypatch):
    path = synthetic.write(tmp_path / "s20.csv", 20)
    pages = _pipeline(path, tmp_path, monkeypatch)
    further = sorted(set(pages["table"]["indicator"]) - set(config.indicator_meta()))
    assert 0 < len(further) <= generate.GROUP_ABOVE
    assert "{dropdown}" not in pages["dictionary"] and "### " not in pages["dictionary"].split("Further")[1]
    for code in further:
        assert f"| `{code}` |" in pages["coverage"]


def test_generator_is_deterministic_and_both_layouts_agree(tmp_path):
    a = synthetic.write(tmp_path / "a.csv", 60)
    b = synthetic.write(tmp_path / "b.csv", 60)
    assert a.read_bytes() == b.read_bytes()
    w = synthetic.write(tmp_path / "API_SYN_DS2_en_csv_v2_1.csv", 60, layout="wb_wide")
    assert readers.sniff_reader(w) == "wb_wide"
    key = ["country", "indicator", "year"]
    tidy = readers.tidy(a, {}).records.sort_values(key).reset_index(drop=True)
    wide = readers.wb_wide(w, {}).records.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(tidy[key + ["value"]], wide[key + ["value"]])


@pytest.mark.parametrize("bad, message", [("abc", "non-numeric value"), ("=SUM(A1:A2)", "spreadsheet formula"),
                                          ("inf", "non-finite value")])
def test_a_bad_cell_deep_in_a_large_file_is_reported_where_it_stands(tmp_path, bad, message):
    path = synthetic.write(tmp_path / "s.csv", 50)
    lines = path.read_text(encoding="utf-8").splitlines()
    n = len(lines) - 3  # a line near the end; line numbers count from 1
    cells = lines[n - 1].split(",")
    cells[3] = bad
    lines[n - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        readers.tidy(path, {})
    assert message in str(exc.value) and f"row {n}" in str(exc.value) and "value" in str(exc.value)


def test_year_and_code_errors_keep_file_order(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("country_iso3,indicator,year,value\nKAZ,A.B,2001,1\nKAZ,A.B,20x1,2\nKAZ,1bad,2001,x\n",
                    encoding="utf-8")
    with pytest.raises(DataError) as exc:
        readers.tidy(path, {})
    assert "row 3" in str(exc.value) and "year" in str(exc.value)


def test_topics_come_from_the_code_prefix():
    slugs = config.topic_slugs(pd.Series(["IT.NET.USER.ZS", "SP.POP.TOTL", "SH.SYN.0001", "EGDI.INDEX",
                                          "TST.IND.ZS", "NY"]))
    assert slugs.tolist() == ["ict", "population", "health", "egov", "other", "economy"]
    assert config.topics()[-1] == config.OTHER_TOPIC
    slugs_listed = [s for s, _ in config.topics()]
    assert len(slugs_listed) == len(set(slugs_listed))


def test_chapters_read_only_the_indicators_the_book_describes(tmp_path):
    from analysis.data import indicators

    path = synthetic.write(tmp_path / "s.csv", 40)
    table = ingest.build([_entry(path)]).table
    out = tmp_path / "indicators.csv"
    table.to_csv(out, index=False, lineterminator="\n")
    got = indicators.described(out)
    assert set(got["indicator"]) == set(table["indicator"]) & set(config.indicator_meta())
    assert len(got) == table["indicator"].isin(list(config.indicator_meta())).sum()
