"""Data-aware incremental execution and the atomic publish step."""
import os
import subprocess
import sys

import pytest

from analysis.book import notebooks, publish
from analysis.data import indicators
from analysis.paths import BUILD, ROOT
from analysis.report import chapter, plots, statements
from hostile import step_env
from layers import requires


def bump(df, iso3, indicator, year, value):
    df = df.copy()
    m = (df.country_iso3 == iso3) & (df.indicator == indicator) & (df.year == year)
    assert m.sum() == 1
    df.loc[m, "value"] = value
    return df


def test_chapter_inputs_follow_only_the_data_a_chapter_shows():
    df = indicators.with_derived(indicators.load())
    changed = bump(df, "KAZ", "IT.NET.USER.ZS", 2019, 80.5)  # still the highest: the median does not move
    assert not chapter.inputs(df, "KAZ").equals(chapter.inputs(changed, "KAZ"))
    for other in ("UZB", "KGZ", "TJK", "TKM"):
        assert chapter.inputs(df, other).equals(chapter.inputs(changed, other)), other
        # ... and so do its figures: a chapter left cached shows what a clean build would
        for k in chapter.KEYS:
            assert plots.compare_data(df, k.indicator, other).equals(
                plots.compare_data(changed, k.indicator, other)), (other, k.slug)
    # a change that moves the regional median reaches every chapter that plots it
    moved = bump(df, "UZB", "IT.NET.USER.ZS", 2019, 60.0)
    assert not chapter.inputs(df, "KGZ").equals(chapter.inputs(moved, "KGZ"))


def test_china_rows_feed_every_chapter():
    df = indicators.with_derived(indicators.load())
    changed = bump(df, "CHN", "IT.NET.USER.ZS", 2019, 64.0)
    for iso3 in ("KAZ", "TKM"):
        assert not chapter.inputs(df, iso3).equals(chapter.inputs(changed, iso3))


def test_fingerprint_covers_template_parameters_package_and_data():
    job = notebooks.jobs()[0]
    fp = notebooks.fingerprint(job)
    assert set(fp) == {"template", "checks", "parameters", "placeholders", "package", "data"}
    assert fp == notebooks.fingerprint(job)  # deterministic


def test_another_country_s_change_reaches_a_chapter_only_through_what_its_text_says(monkeypatch):
    """Uzbekistan's text ranks the region on internet use: Tajikistan's latest
    value, moved to the top, changes what it says (its fingerprint changes);
    Tajikistan's value of 2001, which none of its checks reads, does not."""
    job = next(j for j in notebooks.jobs() if j.name == "countries/UZB")
    df = notebooks._table()
    before = notebooks.data_hash(job)
    tjk = df[(df.country_iso3 == "TJK") & (df.indicator == "IT.NET.USER.ZS")]
    latest, old = tjk["year"].max(), 2001
    assert old in set(tjk["year"]) and "IT.NET.USER.ZS" in statements.indicators_used("UZB")
    for year, value, changes in ((old, 0.01, False), (latest, 99.0, True)):
        moved = bump(df, "TJK", "IT.NET.USER.ZS", year, value)
        monkeypatch.setattr(notebooks, "_table", lambda: moved)
        assert (notebooks.data_hash(job) != before) == changes, year


def test_fingerprint_files_are_rewritten_only_when_they_change(tmp_path, monkeypatch):
    """Snakemake compares modification times: an unchanged fingerprint keeps its file untouched."""
    monkeypatch.setattr(notebooks, "FINGERPRINTS", tmp_path)
    assert sorted(notebooks.write_fingerprints()) == sorted(j.name for j in notebooks.jobs())
    kaz = notebooks.fingerprint_file(next(j for j in notebooks.jobs() if j.name == "countries/KAZ"))
    assert kaz == tmp_path / "countries" / "KAZ.json"
    os.utime(kaz, ns=(1, 1))
    assert notebooks.write_fingerprints() == []
    assert kaz.stat().st_mtime_ns == 1
    kaz.write_text("{}")
    assert notebooks.write_fingerprints() == ["countries/KAZ"]


@requires(BUILD / "stamps" / "html", "book")
def test_nothing_changed_runs_nothing():
    """After ``make book``, Snakemake finds every rule's outputs newer than its inputs."""
    r = subprocess.run([os.path.join(os.path.dirname(sys.executable), "snakemake"), "book", "--dry-run", "--quiet", "all",
                        "--nolock", "--cores", "1"], cwd=ROOT, capture_output=True, text=True, env=step_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Nothing to be done" in r.stdout + r.stderr or (r.stdout + r.stderr).strip() == "", r.stdout + r.stderr


def test_publish_swaps_only_a_finished_build(tmp_path):
    target = tmp_path / "html"
    target.mkdir()
    (target / "index.html").write_text("old")
    staged = tmp_path / "staging"
    staged.mkdir()
    with pytest.raises(SystemExit, match="no finished build"):
        publish.swap(staged, target)
    assert (target / "index.html").read_text() == "old"
    (staged / "index.html").write_text("new")
    publish.swap(staged, target)
    assert (target / "index.html").read_text() == "new" and not staged.exists()
    assert not (tmp_path / "html.old").exists()


def test_staging_links_only_what_the_published_book_holds_unchanged(tmp_path):
    """The staged book equals the build; a file the published book holds
    unchanged is linked to the published one (not to the build's, which the
    next build writes into), the rest are copies, and the published book is
    left as it was."""
    import shutil

    built, published, staging = tmp_path / "built", tmp_path / "html", tmp_path / "staging"
    (built / "_static").mkdir(parents=True)
    (built / "same.html").write_text("same")
    (built / "_static" / "style.css").write_text("css")
    published.mkdir()
    publish.stage(built, published, published)  # the first publication: everything copied
    assert sorted(p.name for p in published.rglob("*")) == ["_static", "same.html", "style.css"]
    (built / "changed.html").write_text("v2")
    (published / "changed.html").write_text("v1")
    os.utime(published / "changed.html", ns=(5, 6))  # published by an earlier build: its time then
    (published / "gone.html").write_text("removed by the new build")
    (built / "new.html").write_text("new")
    os.utime(built / "_static" / "style.css", ns=(1, 2))  # rewritten by Sphinx: another time, same size
    publish.stage(built, published, staging)
    assert {p.relative_to(staging).as_posix(): p.read_text() for p in staging.rglob("*") if p.is_file()} == {
        p.relative_to(built).as_posix(): p.read_text() for p in built.rglob("*") if p.is_file()}
    assert (staging / "same.html").stat().st_ino == (published / "same.html").stat().st_ino
    assert (staging / "same.html").stat().st_ino != (built / "same.html").stat().st_ino
    for name in ("changed.html", "_static/style.css", "new.html"):
        assert (staging / name).stat().st_ino not in {(published / name).stat().st_ino if (published / name).exists() else 0,
                                                       (built / name).stat().st_ino}, name
    assert (published / "changed.html").read_text() == "v1" and (published / "gone.html").exists()
    shutil.rmtree(published)
    assert (staging / "same.html").read_text() == "same"  # the swap removes the old book: the link stays


def test_execution_is_deterministic(tmp_path):
    """Two executions of a chapter give byte-identical notebooks (no timestamps,
    durations or random cell ids), so a parallel run equals a serial one."""
    import dataclasses

    job = next(j for j in notebooks.jobs() if j.name == "countries/KGZ")
    outputs = []
    for i in range(2):
        out = tmp_path / str(i) / "KGZ.ipynb"
        out.parent.mkdir()
        assert notebooks.execute(dataclasses.replace(job, output=out)) > 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'"id": "injected-parameters"' in outputs[0]
