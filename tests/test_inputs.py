"""Untrusted inputs (issue 13): DATA never reaches a shell, the registry cannot
be corrupted by a file name or a field, World Bank ZIP / Excel / folder
downloads are read, and the Makefile refuses a too-old Python."""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from analysis.book import repocopy
from analysis.data import adddata, readers, registry
from hostile import step_env
from analysis.errors import DataError
from analysis.paths import ROOT
from tests import wb_downloads as wbd

REAL = wbd.REAL


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def env_for(root):
    """The environment of a step run in ``root`` (``python -m`` there imports root's analysis package)."""
    return step_env()


@pytest.fixture
def repo_copy(tmp_path):
    """A private copy of the code, data, Makefile and Snakefile; the venv is the worktree's."""
    dst = tmp_path / "repo"
    dst.mkdir()
    for d in ("analysis", "data"):
        shutil.copytree(ROOT / d, dst / d, ignore=shutil.ignore_patterns("__pycache__", "_build"))
    for f in ("Makefile", "Snakefile", "requirements.txt"):
        shutil.copy2(ROOT / f, dst / f)
    return dst


def py(root, code: str):
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=env_for(root))


def adddata_cli(root, *files):
    return subprocess.run([sys.executable, "-m", "analysis.data.adddata", *map(str, files)], cwd=root,
                          capture_output=True, text=True, env=env_for(root))


def tidy_file(path: Path, value: float, code: str = "IT.NET.USER.ZS") -> Path:
    path.write_text(f"country_iso3,indicator,year,value,unit,source\nKAZ,{code},2019,{value},percent,test\n",
                    encoding="utf-8")
    return path


def sources(root) -> list[dict]:
    return registry.load(Path(root) / "data" / "sources.yml")


# --------------------------------------------------------------------- 1. DATA
def make_data(root, data: str):
    """``make data DATA=<data>`` as a user types it (the value is one argv word)."""
    if not (root / ".venv").exists():
        repocopy.venv_over(root)  # a venv of its own: `make` never installs into this checkout's
    return subprocess.run(["make", "--no-print-directory", "data", f"DATA={data}"], cwd=root,
                          capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                                 if k not in ("DATA", "SRD_DATA", "MAKEFLAGS")})


HOSTILE_NAMES = ["a;touch PWNED1.csv", "b `touch PWNED2`.csv", "c $(touch PWNED3).csv", "API_x (1).csv",
                 "Интернет данные 2024.csv", "d'e\"f & touch PWNED4 | x.csv", "e $$(touch PWNED5) #.csv"]


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="no .venv")
def test_make_data_registers_hostile_names_and_runs_nothing(repo_copy, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i, name in enumerate(HOSTILE_NAMES):
        tidy_file(inbox / name, 70 + i)
    import shlex
    data = " ".join(shlex.quote(str(inbox / n)) for n in HOSTILE_NAMES)
    r = make_data(repo_copy, data)
    assert r.returncode == 0, r.stderr
    for sentinel in ("PWNED1", "PWNED2", "PWNED3", "PWNED4", "PWNED5"):
        assert not (repo_copy / sentinel).exists() and not (inbox / sentinel).exists(), sentinel
    reg = sources(repo_copy)
    assert [e["original_name"] for e in reg[-len(HOSTILE_NAMES):]] == HOSTILE_NAMES
    for e in reg[-len(HOSTILE_NAMES):]:
        assert e["file"].isascii() and (repo_copy / "data" / e["file"]).is_file()
    assert "ingest:" in r.stdout


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="no .venv")
def test_make_data_unquoted_single_name_with_spaces_and_brackets(repo_copy, tmp_path):
    f = tidy_file(tmp_path / "API_x (1).csv", 71.5)
    r = make_data(repo_copy, str(f))  # DATA=~/Downloads/API_x (1).csv, as a browser names a second download
    assert r.returncode == 0, r.stderr
    assert sources(repo_copy)[-1]["original_name"] == "API_x (1).csv"
    assert sources(repo_copy)[-1]["file"] == "raw/API_x_1.csv"


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="no .venv")
@pytest.mark.parametrize("data", ["ok.csv;touch {s}", "`touch {s}`", "$(touch {s})", "$(shell touch {s})",
                                  "${{shell touch {s}}}", "ok.csv && touch {s}", "ok.csv | touch {s}",
                                  "$$(touch {s})", "ok.csv\ntouch {s}"])
def test_make_data_never_executes(repo_copy, tmp_path, data):
    sentinel = tmp_path / "PWNED"
    before = snapshot(repo_copy / "data")
    r = make_data(repo_copy, data.format(s=sentinel))
    assert not sentinel.exists(), r.stdout + r.stderr
    assert r.returncode != 0
    assert "no such file" in r.stderr or "cannot split" in r.stderr
    assert snapshot(repo_copy / "data") == before


@pytest.mark.parametrize("text,expected", [
    ('"my file.csv" b.csv', ["my file.csv", "b.csv"]),
    ("'API_x (1).csv'", ["API_x (1).csv"]),
    ("a.csv;rm -rf x", ["a.csv;rm", "-rf", "x"]),
    ("$(touch x) `id`", ["$(touch", "x)", "`id`"]),
    ("", []),
])
def test_data_list_is_split_like_a_command_line(text, expected):
    assert adddata.parse_data_list(text) == [Path(e) for e in expected]


def test_data_list_home_and_bad_quotes(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert adddata.parse_data_list("~/a.csv") == [tmp_path / "a.csv"]
    with pytest.raises(DataError, match="cannot split"):
        adddata.parse_data_list('"unbalanced.csv')


# ----------------------------------------------------------------- 3. registry
@pytest.mark.parametrize("given,expected", [
    ("Интернет данные 2024.csv", "Internet_dannye_2024.csv"),
    ("yes.csv", "yes.csv"), ("null.csv", "null.csv"), ("0x1F.csv", "0x1F.csv"), ("2023_05.csv", "2023_05.csv"),
    ("数字丝绸之路.CSV", "ShuZiSiChouZhiLu.csv"),
    ("API_x (1).csv", "API_x_1.csv"),
    ("a\x07b.csv", "a_b.csv"),
])
def test_safe_name_is_ascii(given, expected):
    assert adddata.safe_name(Path(given)) == expected


def test_safe_name_hashes_what_cannot_be_spelled_and_bounds_length():
    emoji = adddata.safe_name(Path("\ue000\ue001.csv"))  # private use: no spelling
    assert emoji.startswith("file-") and emoji.endswith(".csv") and emoji.isascii()
    long = adddata.safe_name(Path("x" * 300 + ".csv"))
    assert len(long) <= 84 and long != adddata.safe_name(Path("x" * 301 + ".csv"))


@pytest.mark.parametrize("stored,expected", [
    ("raw/yes.csv", "src_yes"), ("raw/null.csv", "src_null"), ("raw/0x1F.csv", "src_0x1f"),
    ("raw/2023_05.csv", "src_2023_05"), ("raw/Internet_dannye_2024.csv", "internet_dannye_2024"),
])
def test_source_ids_are_always_text(stored, expected):
    assert adddata.source_id(stored, set()) == expected


YAML_TRAPS = ["Интернет данные 2024.csv", "yes.csv", "null.csv", "0x1F.csv", "2023_05.csv", "True.csv",
              "~.csv", "1e3.csv", "2024-01-01.csv"]


def test_yaml_trap_names_register_and_later_builds_pass(repo_copy, tmp_path):
    files = [tidy_file(tmp_path / n, 60 + i) for i, n in enumerate(YAML_TRAPS)]
    r = adddata_cli(repo_copy, *files)
    assert r.returncode == 0, r.stderr
    text = (repo_copy / "data" / "sources.yml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)["sources"]
    new = raw[-len(YAML_TRAPS):]
    assert [e["original_name"] for e in new] == YAML_TRAPS
    for e in new:  # as plain YAML reads them, without the registry's checks
        assert all(isinstance(e[k], str) for k in ("id", "file", "original_name", "sha256", "retrieved"))
    # the hand-written part (comments and entries) is kept byte for byte
    assert text.startswith((ROOT / "data" / "sources.yml").read_text(encoding="utf-8"))
    # a later build reads it: ingest and the generated data pages
    ing = subprocess.run([sys.executable, "-m", "analysis.data.ingest"], cwd=repo_copy, capture_output=True, text=True,
                         env=env_for(repo_copy))
    assert ing.returncode == 0, ing.stderr
    table = (repo_copy / "data" / "processed" / "indicators.csv").read_text(encoding="utf-8")
    last = new[-1]["id"]
    assert f"KAZ,IT.NET.USER.ZS,2019,68,percent,{last}" in table
    pages = py(repo_copy, "from analysis.report import generate; print(generate.sources_markdown())")
    assert pages.returncode == 0, pages.stderr
    assert "src_yes" in pages.stdout and "src_null" in pages.stdout


@pytest.mark.parametrize("value,kind", [("2023", "int"), ("0x1F", "int"), ("2023_05", "int"), ("yes", "bool"),
                                        ("null", "NoneType"), ("1e3", "float")])
def test_registry_id_read_as_non_text_is_a_clear_error(tmp_path, value, kind):
    reg = tmp_path / "sources.yml"
    entry = (ROOT / "data" / "sources.yml").read_text(encoding="utf-8").replace("- id: wdi_internet", f"- id: {value}")
    reg.write_text(entry, encoding="utf-8")
    if kind == "float":  # YAML 1.1 reads 1e3 as text: the id check still refuses the leading digit
        with pytest.raises(DataError, match="must start with a letter"):
            registry.load(reg)
        return
    with pytest.raises(DataError) as e:
        registry.load(reg)
    msg = str(e.value)
    assert f"is read by YAML as {kind}, not text; quote it" in msg and "entry 1" in msg and "\n" not in msg


def test_registry_unreadable_yaml_names_the_line(tmp_path):
    reg = tmp_path / "sources.yml"
    reg.write_text("sources:\n  - id: a\n    title: \"unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"sources.yml: row \d+: not readable YAML"):
        registry.load(reg)


def test_appended_text_round_trips_hostile_fields():
    text = (ROOT / "data" / "sources.yml").read_text(encoding="utf-8")
    new = {"id": "x", "file": "raw/x.csv", "title": "a: b # c\\d 'e' \"f\" {g} [h] & *i !j %k @l `m` |n >o",
           "publisher": "- p", "origin": "? q", "original_name": "null", "licence": "yes", "released": "2024-01-01",
           "retrieved": "2026-12-02", "reader": "tidy", "notes": "Интернет 数字 \u00e9\u0301", "sha256": "0" * 64}
    out = registry.appended_text(text, [new])
    assert out.startswith(text)
    assert yaml.safe_load(out)["sources"][-1] == new


def test_control_character_in_a_field_is_refused_and_nothing_changes(repo_copy, tmp_path):
    src = tmp_path / "API_T.csv"
    src.write_text(wbd_table("Bell\x07 series"), encoding="utf-8")
    before = snapshot(repo_copy / "data")
    r = adddata_cli(repo_copy, src)
    assert r.returncode == 1
    assert "API_T.csv: row 6, column \"Indicator Name\": control character U+0007" in r.stderr, r.stderr
    assert snapshot(repo_copy / "data") == before


def test_newlines_and_tabs_in_a_name_are_refused(repo_copy, tmp_path):
    """A tab or a line break in a text field is a control character like any other
    (analysis/untrusted.py): refused with file, row and column, nothing added."""
    for name in ("Two\tname", "Two\nlines"):
        src = tmp_path / "API_T.csv"
        src.write_text(wbd_table(name), encoding="utf-8")
        before = (repo_copy / "data" / "sources.yml").read_bytes()
        r = adddata_cli(repo_copy, src)
        assert r.returncode != 0 and "row " in r.stderr and "API_T.csv" in r.stderr, r.stderr
        assert (repo_copy / "data" / "sources.yml").read_bytes() == before


def wbd_table(name: str, code: str = "TST.IND.ZS") -> str:
    return ('"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-07-01",\n\n'
            '"Country Name","Country Code","Indicator Name","Indicator Code","2019","2020",\n'
            f'"Kazakhstan","KAZ","{name}","{code}","10.5","11.5",\n')


FAILURES = {
    # the whole ingest, run from the re-read registry, fails
    "ingest": "import analysis.data.ingest as i\n"
              "def boom(entries): raise DataError('data/raw/x.csv', 'injected')\n"
              "i.build = boom",
    # the temporary registry does not read back
    "reload": "import analysis.data.registry as r\nreal = r.load\n"
              "r.load = lambda path=r.REGISTRY: real(path) if path == r.REGISTRY else (_ for _ in ()).throw("
              "DataError(path, 'injected'))",
    # the atomic rename of the registry fails
    "rename": "import os\nreal = os.replace\n"
              "def rep(a, b):\n"
              "    if str(b).endswith('sources.yml'): raise OSError('injected')\n"
              "    return real(a, b)\n"
              "os.replace = rep",
    # Ctrl-C while the ingest runs
    "interrupt": "import analysis.data.ingest as i\n"
                 "def boom(entries): raise KeyboardInterrupt\n"
                 "i.build = boom",
    # a read-back that differs from what was meant to be written
    "differs": "import analysis.data.registry as r\nreal = r.load\n"
               "def load(path=r.REGISTRY):\n"
               "    e = real(path)\n"
               "    if path != r.REGISTRY: e[-1]['title'] = 'changed'\n"
               "    return e\n"
               "r.load = load",
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_any_failure_while_adding_leaves_data_unchanged(repo_copy, tmp_path, failure):
    f1, f2 = tidy_file(tmp_path / "one.csv", 71), tidy_file(tmp_path / "two.csv", 72)
    before = snapshot(repo_copy / "data")
    code = ("from analysis.errors import DataError\n" + FAILURES[failure] + "\n"
            "import analysis.data.adddata as a, sys\n"
            f"sys.exit(a.main([{str(f1)!r}, {str(f2)!r}]))\n")
    r = py(repo_copy, code)
    assert r.returncode != 0
    assert snapshot(repo_copy / "data") == before  # no copied file, no temporary registry left
    ok = adddata_cli(repo_copy, f1, f2)  # and the same files then add normally
    assert ok.returncode == 0, ok.stderr


def test_new_registry_is_validated_from_the_copies_and_errors_name_the_given_file(repo_copy, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("country_iso3,indicator,year,value\nKAZ,IT.NET.USER.ZS,2019,112.5\n", encoding="utf-8")
    before = snapshot(repo_copy / "data")
    r = adddata_cli(repo_copy, bad)
    assert r.returncode == 1
    assert f"error: {bad}: row 2, column \"value\"" in r.stderr
    assert snapshot(repo_copy / "data") == before


def test_name_taken_by_an_unregistered_file_is_not_overwritten(repo_copy, tmp_path):
    stray = repo_copy / "data" / "raw" / "one.csv"
    stray.write_text("left here by hand\n", encoding="utf-8")
    r = adddata_cli(repo_copy, tidy_file(tmp_path / "one.csv", 71))
    assert r.returncode == 0, r.stderr
    assert stray.read_text(encoding="utf-8") == "left here by hand\n"
    assert sources(repo_copy)[-1]["file"] == "raw/one-2.csv"


# ------------------------------------------------------ 6. World Bank downloads
COLS = ["country", "indicator", "year", "value"]


def test_zip_and_excel_read_the_same_values_as_the_csv(tmp_path):
    csv_records = readers.wb_wide(REAL, {}).records[COLS]
    z = readers.wb_zip(wbd.write_zip(tmp_path), {})
    x = readers.wb_excel(wbd.write_xlsx(tmp_path), {})
    old = readers.wb_excel(wbd.write_xls(tmp_path), {})
    for parsed in (z, x, old):
        assert parsed.records[COLS].equals(csv_records)
        assert parsed.meta["last_updated"] == "2023-03-01"
        m = parsed.meta["indicator_metadata"]["IT.CEL.SETS.P2"]
        assert m == {"source_note": wbd.NOTE, "source_organization": wbd.ORG}


def test_excel_rows_and_columns_are_those_of_the_sheet(tmp_path):
    import openpyxl
    p = wbd.write_xlsx(tmp_path)
    wb = openpyxl.load_workbook(p)
    ws = wb["Data"]
    row = next(r for r in ws.iter_rows() if r[1].value == "KAZ")
    row[60].value = "eighty"  # column of 2016
    wb.save(p)
    with pytest.raises(DataError) as e:
        readers.wb_excel(p, {})
    assert f'API_IT.CEL.SETS.P2_DS2_en_excel_v2_4903391.xlsx/Data: row {row[0].row}, column "2016": ' \
           "non-numeric value 'eighty'" in str(e.value)


def test_zip_registers_with_its_metadata_and_the_build_reproduces(repo_copy, tmp_path):
    z = wbd.write_zip(tmp_path, licence="CC BY-4.0")
    r = adddata_cli(repo_copy, z)
    assert r.returncode == 0, r.stderr
    e = sources(repo_copy)[-1]
    assert e["reader"] == "wb_zip" and e["file"] == f"raw/{wbd.BASE}.zip"
    assert (repo_copy / "data" / e["file"]).read_bytes() == z.read_bytes()  # kept as given
    assert e["sha256"] == registry.sha256(z)
    assert e["licence"] == "CC BY-4.0"
    assert e["publisher"] == f"World Bank, World Development Indicators (source: {wbd.ORG})"
    assert wbd.NOTE in e["notes"] and "regions and income groups) is not used" in e["notes"]
    assert e["released"] == "2023-03-01"
    ing = subprocess.run([sys.executable, "-m", "analysis.data.ingest"], cwd=repo_copy, capture_output=True, text=True,
                         env=env_for(repo_copy))
    assert ing.returncode == 0, ing.stderr
    table = (repo_copy / "data" / "processed" / "indicators.csv").read_text(encoding="utf-8")
    assert ",IT.CEL.SETS.P2,2019," in table and e["id"] in table


@pytest.mark.parametrize("write", [wbd.write_xls, wbd.write_xlsx])
def test_excel_registers(repo_copy, tmp_path, write):
    x = write(tmp_path)
    r = adddata_cli(repo_copy, x)
    assert r.returncode == 0, r.stderr
    e = sources(repo_copy)[-1]
    assert e["reader"] == "wb_excel" and e["file"] == f"raw/{x.name}" and wbd.NOTE in e["notes"]
    assert (repo_copy / "data" / e["file"]).read_bytes() == x.read_bytes()
    assert 'states no licence' in r.stdout and e["licence"] == adddata.NO_LICENCE
    ing = subprocess.run([sys.executable, "-m", "analysis.data.ingest"], cwd=repo_copy, capture_output=True, text=True,
                         env=env_for(repo_copy))
    assert ing.returncode == 0, ing.stderr


def test_excel_xls_error_names_sheet_row_and_column(tmp_path):
    import xlrd
    import xlwt
    p = wbd.write_xls(tmp_path)
    book = xlrd.open_workbook(str(p))
    kaz = next(r for r in range(book.sheet_by_name("Data").nrows) if book.sheet_by_name("Data").cell_value(r, 1) == "KAZ")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Data")
    src = book.sheet_by_name("Data")
    for r in range(src.nrows):
        for c in range(src.ncols):
            v = src.cell_value(r, c)
            if v != "":
                ws.write(r, c, "eighty" if (r, c) == (kaz, 60) else v)
    wb.save(str(p))
    with pytest.raises(DataError) as e:
        readers.wb_excel(p, {})
    assert f'.xls/Data: row {kaz + 1}, column "2016": non-numeric value \'eighty\'' in str(e.value)


def test_download_without_metadata_is_used_with_a_note(repo_copy, tmp_path):
    z = wbd.write_zip(tmp_path, metadata=False)
    r = adddata_cli(repo_copy, z)
    assert r.returncode == 0, r.stderr
    assert "no Metadata_Indicator file in the archive: source note and licence not recorded" in r.stdout
    assert "not recorded" in sources(repo_copy)[-1]["notes"]
    x = wbd.write_xlsx(tmp_path, metadata=False)
    assert readers.wb_excel(x, {}).meta["metadata_notes"] == [
        'no sheet "Metadata - Indicators": source note and licence not recorded']


def new_indicator_folder(tmp_path) -> Path:
    """An unzipped download of an indicator the book has never seen."""
    folder = tmp_path / "API_TST.IND.ZS_DS2_en_csv_v2_1"
    folder.mkdir()
    (folder / "API_TST.IND.ZS_DS2_en_csv_v2_1.csv").write_text(wbd_table("Test series (% of population)"),
                                                                encoding="utf-8-sig")
    (folder / "Metadata_Indicator_API_TST.IND.ZS_DS2_en_csv_v2_1.csv").write_bytes(wbd.wb_csv(
        [wbd.META_INDICATOR_HEADER, ["TST.IND.ZS", "Test series (% of population)", "A note.", "Test office"]]))
    (folder / "Metadata_Country_API_TST.IND.ZS_DS2_en_csv_v2_1.csv").write_bytes(wbd.wb_csv(
        [wbd.META_COUNTRY_HEADER, ["KAZ", "Europe & Central Asia", "Upper middle income", "", "Kazakhstan"]]))
    return folder


def test_unzipped_folder_registers_its_table(repo_copy, tmp_path):
    folder = new_indicator_folder(tmp_path)
    r = adddata_cli(repo_copy, folder)
    assert r.returncode == 0, r.stderr
    e = sources(repo_copy)[-1]
    assert e["file"] == "raw/API_TST.IND.ZS_DS2_en_csv_v2_1.csv" and e["reader"] == "wb_wide"
    assert e["origin"] == f"supplied as folder {folder.name}/, table API_TST.IND.ZS_DS2_en_csv_v2_1.csv"
    assert "Source note of TST.IND.ZS (from Metadata_Indicator_API_TST.IND.ZS_DS2_en_csv_v2_1.csv): A note." \
        in e["notes"]
    assert e["publisher"].endswith("(source: Test office)")


def test_all_files_of_the_folder_passed_together(repo_copy, tmp_path):
    folder = new_indicator_folder(tmp_path)
    r = adddata_cli(repo_copy, *sorted(folder.iterdir()))
    assert r.returncode == 0, r.stderr
    assert sources(repo_copy)[-1]["file"] == "raw/API_TST.IND.ZS_DS2_en_csv_v2_1.csv"
    assert len(sources(repo_copy)) == len(sources(ROOT)) + 1


@pytest.mark.parametrize("kind,what", [("Indicator", "indicator descriptions"),
                                       ("Country", "regions and income groups of countries")])
def test_metadata_file_alone_says_what_it_is(repo_copy, tmp_path, kind, what):
    meta = new_indicator_folder(tmp_path) / f"Metadata_{kind}_API_TST.IND.ZS_DS2_en_csv_v2_1.csv"
    before = snapshot(repo_copy / "data")
    r = adddata_cli(repo_copy, meta)
    assert r.returncode == 1
    assert f"{meta.name}: is a World Bank metadata file ({what}), not data: pass the API_… file" in r.stderr
    assert snapshot(repo_copy / "data") == before
    renamed = tmp_path / "meta.csv"  # recognised by its header as well
    shutil.copy(meta, renamed)
    with pytest.raises(DataError, match=r"meta.csv: is a World Bank metadata file"):
        readers.sniff_reader(renamed)


def test_bad_archives_and_workbooks_are_refused_with_one_line(tmp_path):
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("API_A.csv", REAL.read_bytes())
        zf.writestr("API_B.csv", REAL.read_bytes())
    with pytest.raises(DataError, match=r"two.zip: expected exactly one API_….csv table in the archive, found 2"):
        readers.wb_zip(two, {})
    notzip = tmp_path / "API_x.zip"
    notzip.write_bytes(b"not a zip at all")
    with pytest.raises(DataError, match="not a readable ZIP archive"):
        readers.wb_zip(notzip, {})
    xls = tmp_path / "API_x_DS2_en_excel_v2_1.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)  # the .xls signature, then nothing
    with pytest.raises(DataError, match=r"API_x_DS2_en_excel_v2_1.xls: not a readable Excel .xls workbook"):
        readers.wb_excel(xls, {})
    text = tmp_path / "API_y.xlsx"
    text.write_text("Country Name,Country Code\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"API_y.xlsx: is not an Excel workbook \(.xls or .xlsx\)"):
        readers.wb_excel(text, {})
    import openpyxl
    nodata = tmp_path / "nodata.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(nodata)
    with pytest.raises(DataError, match=r"nodata.xlsx: no sheet \"Data\"; the workbook has 'Sheet1'"):
        readers.wb_excel(nodata, {})
    # an .xlsx saved under the .xls name (what some browsers do) is read
    renamed = tmp_path / "API_IT.CEL.SETS.P2_DS2_en_excel_v2_4903391.xls"
    shutil.copy(wbd.write_xlsx(tmp_path), renamed)
    assert len(readers.wb_excel(renamed, {}).records) > 0


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    big = tmp_path / "API_big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("API_big.csv", b"0" * (2 * 1024 * 1024))
    monkeypatch.setattr(readers, "MAX_BYTES", 1024 * 1024)
    with pytest.raises(DataError, match=r"API_big.zip/API_big.csv: file is 2 MB; the limit is 1 MB"):
        readers.wb_zip(big, {})


def test_error_inside_a_zip_names_archive_member_row_and_column(repo_copy, tmp_path):
    bad = tmp_path / "API_TST_DS2_en_csv_v2_1.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("API_TST_DS2_en_csv_v2_1.csv", wbd_table("Test (% of population)").replace('"11.5"', '"111.5"'))
    r = adddata_cli(repo_copy, bad)
    assert r.returncode == 1
    assert f'{bad}/API_TST_DS2_en_csv_v2_1.csv: row 6, column "2020": value 111.5' in r.stderr


# ------------------------------------------------------------------ 7. Python
def old_python():
    """An interpreter older than the pins allow (Debian 12's 3.11.2 here), if any."""
    for cand in ["/usr/bin/python3.11", "/usr/bin/python3", shutil.which("python3.10"), shutil.which("python3.9")]:
        if cand and Path(cand).exists():
            v = subprocess.run([cand, "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True,
                               text=True)
            if v.returncode == 0 and tuple(map(int, v.stdout.split())) < (3, 11, 5):
                return cand
    return None


OLD = old_python()


def minimal_project(folder: Path) -> None:
    """The Makefile with what `make venv` needs: the build lock, of the pins only
    the build backend, and the package to install (pyproject.toml, __init__)."""
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    (folder / "analysis" / "book").mkdir(parents=True, exist_ok=True)
    for name in ("book/buildlock.py", "book/__init__.py", "__init__.py"):
        shutil.copy(ROOT / "analysis" / name, folder / "analysis" / name)
    (folder / "README.md").write_text("", encoding="utf-8")
    pins = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    (folder / "requirements.txt").write_text("".join(p + "\n" for p in pins if p.startswith("setuptools==")),
                                             encoding="utf-8")


@pytest.mark.skipif(OLD is None, reason="no Python older than 3.11.5 on this machine")
@pytest.mark.integration  # runs `make venv` in a temporary folder
def test_make_refuses_a_too_old_python_before_making_the_venv(tmp_path):
    minimal_project(tmp_path)
    r = subprocess.run(["make", "venv", f"PYTHON={OLD}"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode != 0
    assert f"error: {OLD} is Python 3." in r.stderr and "the pinned packages need Python >= 3.11.5" in r.stderr
    assert not (tmp_path / ".venv").exists()


@pytest.mark.skipif(OLD is None, reason="no Python older than 3.11.5 on this machine")
@pytest.mark.integration  # runs `make venv` in a temporary folder
def test_make_remakes_a_venv_made_with_a_wrong_python(tmp_path):
    minimal_project(tmp_path)
    subprocess.run([OLD, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    (tmp_path / ".venv" / ".requirements-installed").touch()  # looks complete: only its Python is wrong
    good = sys.executable
    r = subprocess.run(["make", "venv", f"PYTHON={good}"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "venv: .venv was made with Python 3.11" in r.stderr and "making it again" in r.stderr
    v = subprocess.run([str(tmp_path / ".venv" / "bin" / "python"), "-c", "import sys; print(sys.version_info >= (3, 11, 5))"],
                       capture_output=True, text=True)
    assert v.stdout.strip() == "True"
    again = subprocess.run(["make", "venv", f"PYTHON={good}"], cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""  # nothing to do the second time


def test_readme_states_the_minimum_python():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "PYTHON_MIN := 3.11.5" in make and "Python ≥ 3.11.5" in text


@pytest.mark.integration  # runs `make venv` in a temporary folder
def test_make_remakes_a_venv_whose_python_is_gone(tmp_path):
    minimal_project(tmp_path)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(tmp_path / "removed-python3.11")
    (tmp_path / ".venv" / ".requirements-installed").touch()
    r = subprocess.run(["make", "venv", f"PYTHON={sys.executable}"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "venv: .venv was made with a Python that no longer runs" in r.stderr
    assert (tmp_path / ".venv" / "bin" / "python").resolve().exists()
