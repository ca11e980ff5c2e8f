"""Every text field from a data file is untrusted (issue 13, item 2): validated
when read, escaped for where it goes. A corpus of hostile strings (tests/hostile.py)
goes into every text field of every input layout."""
from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import untrusted
from analysis.data.readers import READERS
from analysis.errors import DataError
from layers import requires

from hostile import (CODES, HOSTILE, HOSTILE_FILE_NAME, REFUSED, ROOT, as_sphinx_shows, book_names, straight_quotes,
                     wb_wide_file)

ALL_MYST = {"colon_fence", "deflist", "dollarmath", "amsmath", "substitution", "linkify", "html_image",
            "html_admonition", "fieldlist", "replacements", "smartquotes", "strikethrough", "tasklist",
            "attrs_inline", "attrs_block"}


@pytest.fixture(scope="module")
def myst():
    """MyST's own Markdown parser with every extension on (the book enables fewer)."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions=ALL_MYST), RendererHTML)


def tokens(myst, text):
    out = []
    for t in myst.parse(text):
        out.append(t)
        out += t.children or []
    return out


MARKUP = {"html_inline", "html_block", "link_open", "image", "math_inline", "math_block", "substitution_inline",
          "substitution_block", "myst_role", "myst_target", "myst_line_comment", "footnote_ref", "fence",
          "colon_fence", "heading_open", "bullet_list_open", "ordered_list_open", "em_open", "strong_open",
          "s_open", "code_inline", "blockquote_open", "table_open", "hr", "amsmath", "dl_open", "field_list_open"}


# ------------------------------------------------------------------ Markdown
@pytest.mark.parametrize("s", HOSTILE)
def test_md_renders_as_the_literal_text(myst, s):
    for where, src, wrap in [("paragraph", untrusted.md(s), "<p>{}</p>"),
                             ("heading", "### " + untrusted.md(s), "<h3>{}</h3>"),
                             ("list item", "- **Name**: " + untrusted.md(s), "<li><strong>Name</strong>: {}</li>")]:
        got = myst.render(src).replace("\n", "")
        assert wrap.format(html.escape(s, quote=False)) in got.replace("&quot;", '"'), (where, got)
    kinds = {t.type for t in tokens(myst, untrusted.md(s))} & MARKUP
    assert not kinds, kinds


@pytest.mark.parametrize("s", HOSTILE)
def test_md_in_a_table_cell_is_one_literal_cell(myst, s):
    src = f"| a | b | c |\n|---|---|---|\n| {untrusted.md(s)} | {untrusted.md_code(s)} | {untrusted.md_with_code(s)} |\n"
    got = myst.render(src)
    cells = re.findall(r"<td>(.*?)</td>", got, flags=re.S)
    assert len(cells) == 3, got
    text = html.escape(s, quote=False)
    assert cells[0].replace("&quot;", '"') == text
    assert re.sub(r"</?code>", "", cells[1]).replace("&quot;", '"') == text
    types = {t.type for t in tokens(myst, src)} - {"code_inline"}
    assert not types & (MARKUP - {"table_open", "code_inline"}), types


def test_md_with_code_keeps_only_code_spans(myst):
    got = myst.render(untrusted.md_with_code("Layout `Country Name,Year` and <b>x</b> [l](u)"))
    assert got.strip() == "<p>Layout <code>Country Name,Year</code> and &lt;b&gt;x&lt;/b&gt; [l](u)</p>"


def test_one_line_removes_line_breaks_for_directive_options():
    assert untrusted.one_line("a\nb\r\x00c") == "a b  c"


# ------------------------------------------------------------------ HTML, LaTeX
@pytest.mark.parametrize("s", HOSTILE)
def test_html_escape(s):
    e = untrusted.html(s)
    assert "<" not in e and ">" not in e and '"' not in e and "'" not in e
    assert html.unescape(e) == s


LATEX_SPECIALS = "\\&%$#_{}~^"


@pytest.mark.parametrize("s", HOSTILE + ["\\input{/etc/passwd}", "\\\\", "~^", "{}"])
def test_latex_escape_leaves_no_special_unescaped(s):
    e = untrusted.latex(s)
    # remove what the escaping wrote; no special character may remain
    rest = re.sub(r"\\textbackslash\{\}|\\textasciitilde\{\}|\\textasciicircum\{\}|\\[&%$#_{}]", "", e)
    assert not set(rest) & set(LATEX_SPECIALS), (s, e, rest)


def test_latex_all_ten_specials():
    assert untrusted.latex("\\&%$#_{}~^") == (r"\textbackslash{}\&\%\$\#\_\{\}\textasciitilde{}"
                                                r"\textasciicircum{}")


@pytest.mark.integration  # xelatex in a temporary folder
@requires(shutil.which("xelatex") or "/usr/bin/xelatex", "pdf")  # make pdf installs TeX
def test_latex_escaped_hostile_text_compiles_and_prints_literally(tmp_path):
    safe = [s for s in HOSTILE if s.isascii()]
    body = "\n\n".join(f"{i}: {untrusted.latex(s)}" for i, s in enumerate(safe))
    (tmp_path / "t.tex").write_text("\\documentclass{article}\\usepackage{fontspec}\\begin{document}\n"
                                    + body + "\n\\end{document}\n", encoding="utf-8")
    r = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "t.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
    assert "passwd" not in (tmp_path / "t.log").read_text(errors="replace").split("t.tex")[-1].split("(")[0]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "t.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
        flat = re.sub(r"\s+", "", text)
        assert "\\input{/etc/passwd}" in flat
        assert "root:" not in text


# ------------------------------------------------------------------ YAML, CSV
@pytest.mark.parametrize("s", HOSTILE + ["yes", "no", "on", "~", "1e3", "2024-01-01", "", " lead", "#c", "a: b"])
def test_yaml_scalar_reads_back_as_the_same_string(s):
    out = untrusted.yaml_scalar(s)
    assert "\n" not in out
    assert yaml.safe_load(f"key: {out}\nnext: 1\n") == {"key": s, "next": 1}


@pytest.mark.parametrize("s,expected", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-1.5", "-1.5"), ("+3", "+3"), ("-2e-3", "-2e-3"), ("plain", "plain"), ("", ""),
])
def test_csv_cell(s, expected):
    assert untrusted.csv_cell(s) == expected


def test_csv_frame_neutralises_text_keeps_numbers():
    df = pd.DataFrame({"label": ["=1+1", "-1.5", "ok", None], "value": [-1.0, 2.0, 3.0, 4.0]},
                      index=pd.Index(["@x", "a", "b", "c"], name="k"))
    out = untrusted.csv_frame(df)
    assert list(out["label"].iloc[:3]) == ["'=1+1", "-1.5", "ok"] and pd.isna(out["label"].iloc[3])
    assert list(out["value"]) == [-1.0, 2.0, 3.0, 4.0]
    assert list(out.index) == ["'@x", "a", "b", "c"]
    assert list(df["label"].iloc[:1]) == ["=1+1"]  # the input is not changed
    back = pd.read_csv(io.StringIO(out.to_csv()))
    assert back["value"].tolist() == [-1.0, 2.0, 3.0, 4.0]
    assert not any(str(v).startswith(("=", "+", "@")) for v in back["label"].dropna())


# ---------------------------------------------------- every field of every layout
def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return buf.getvalue()


def _layouts(v: str) -> dict[tuple[str, str], str]:
    """(reader, field) -> file text with ``v`` in that field."""
    wb = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", "2019", "2020"]

    def wide(name="Kazakhstan", code="KAZ", ind="Test (% of population)", icode="TST.X", date="2025-07-01",
             source="World Development Indicators"):
        return ("\ufeff" + _csv([["Data Source", source, ""], [], ["Last Updated Date", date, ""], [], wb + [""],
                                 [name, code, ind, icode, "10.5", "11.5", ""],
                                 ["World", "WLD", ind, icode, "1", "2", ""]]))

    def long(name="Kazakhstan", code="KAZ", icode="TST.X"):
        return _csv([["Indicator Code", "Country Name", "Country Code", "Year", "Value"],
                     [icode, name, code, "2019", "1.5"], ["TST.X", "Kazakhstan", "KAZ", "2020", "2"]])

    def tidy(unit="percent", source="s"):
        return _csv([["country_iso3", "indicator", "year", "value", "unit", "source"],
                     ["KAZ", "IT.NET.USER.ZS", "2019", "50", unit, source]])

    def cpi(name="Kazakhstan", region="ECA", iso="KAZ"):
        return _csv([["Country / Territory", "ISO3", "Region", "CPI score 2022", "Rank 2022"],
                     [name, iso, region, "36", "101"], ["Kazakhstan", "KAZ", "ECA", "36", "101"]])

    def egdi(name="Kazakhstan"):
        return _csv([["Survey Year", "Country Name", "E-Government Index"], ["2022", name, "0.8"],
                     ["2022", "Kazakhstan", "0.8"]])

    def db(name="Kazakhstan", cls="Economy"):
        return _csv([["Classification", "Jurisdiction", "2020"], [cls, name, "25"], ["Economy", "Kazakhstan", "25"]])

    def gap(name="Kazakhstan"):
        return _csv([["country", "year", "fertility", "life_expectancy", "population"],
                     [name, "2010", "2.6", "68.3", "16300000"], ["Kazakhstan", "2011", "2.6", "68.9", "16500000"]])

    return {
        ("gapminder", "country"): gap(v),
        ("wb_wide", "Country Name"): wide(name=v), ("wb_wide", "Country Code"): wide(code=v),
        ("wb_wide", "Indicator Name"): wide(ind=v), ("wb_wide", "Indicator Code"): wide(icode=v),
        ("wb_wide", "Last Updated Date"): wide(date=v), ("wb_wide", "Data Source"): wide(source=v),
        ("wb_long", "Country Name"): long(name=v), ("wb_long", "Country Code"): long(code=v),
        ("wb_long", "Indicator Code"): long(icode=v),
        ("tidy", "unit"): tidy(unit=v), ("tidy", "source"): tidy(source=v),
        ("ti_cpi", "Country / Territory"): cpi(name=v), ("ti_cpi", "Region"): cpi(region=v),
        ("ti_cpi", "ISO3"): cpi(iso=v),
        ("un_egdi", "Country Name"): egdi(v),
        ("doing_business", "Jurisdiction"): db(name=v), ("doing_business", "Classification"): db(cls=v),
    }


FIELDS = list(_layouts("x"))


@pytest.mark.parametrize("reader,field", FIELDS)
def test_hostile_text_in_every_field_is_read_literally_or_refused(tmp_path, reader, field):
    """Printable hostile text is either kept exactly (to be escaped where it is
    written) or refused with one line naming file, row and column; it never
    crashes a reader or changes shape on the way."""
    for n, s in enumerate(HOSTILE):
        path = tmp_path / f"f{n}.csv"
        path.write_text(_layouts(s)[reader, field], encoding="utf-8")
        try:
            parsed = READERS[reader](path, {})
        except DataError as e:
            msg = str(e)
            assert "\n" not in msg and f"f{n}.csv: row " in msg, msg
            continue
        if field == "Indicator Name":
            assert parsed.meta["indicator_names"]["TST.X"] == s.strip()


@pytest.mark.parametrize("reader,field", FIELDS)
@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_control_characters_and_long_text_are_refused_naming_row_and_column(tmp_path, reader, field, kind):
    path = tmp_path / "bad.csv"
    path.write_text(_layouts(REFUSED[kind])[reader, field], encoding="utf-8", newline="")
    with pytest.raises(DataError) as e:
        READERS[reader](path, {})
    msg = str(e.value)
    assert "\n" not in msg and "\r" not in msg
    if kind == "NUL":  # refused before it is parsed
        assert msg.endswith("bad.csv: file is binary, not a text CSV"), msg
        return
    assert re.search(r"bad\.csv: row \d+, column \"[^\"]+\": ", msg), msg
    if kind == "very long":
        assert "the limit is" in msg or "is not a date" in msg, msg
    else:
        assert ("control character" if kind not in ("line break", "carriage return") else "line break") in msg, msg


def test_control_character_error_names_the_cell(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(_layouts("Internet\x07users")["wb_wide", "Indicator Name"], encoding="utf-8")
    with pytest.raises(DataError, match=r'bad.csv: row 6, column "Indicator Name": control character U\+0007'):
        READERS["wb_wide"](path, {})


@pytest.mark.parametrize("date", ["<img src=x onerror=alert(1)>", "2025-13-01", "1 July 2025", "2025-07-01T00:00",
                                  "20250701", "{glue:}`x`"])
def test_last_updated_date_must_be_a_date(tmp_path, date):
    path = tmp_path / "d.csv"
    path.write_text(_layouts(date)["wb_wide", "Last Updated Date"], encoding="utf-8")
    with pytest.raises(DataError, match=r'd.csv: row 3, column "Last Updated Date": .* is not a date \(YYYY-MM-DD\)'):
        READERS["wb_wide"](path, {})


def test_long_indicator_name_is_refused(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text(_layouts("n" * 301)["wb_wide", "Indicator Name"], encoding="utf-8")
    with pytest.raises(DataError, match=r'row 6, column "Indicator Name": text of 301 characters; the limit is 300'):
        READERS["wb_wide"](path, {})


# ------------------------------------------------------- generated pages are inert
@pytest.fixture
def hostile_repo(tmp_path):
    """A private copy of code and data with the hostile World Bank file registered
    (through the same code as `make book DATA=...`) and ingested."""
    import os
    import sys

    dst = tmp_path / "repo"
    shutil.copytree(ROOT / "analysis", dst / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", dst / "data")
    src = tmp_path / HOSTILE_FILE_NAME
    src.write_text(wb_wide_file(), encoding="utf-8")
    env = dict(os.environ)  # run in dst: `python -m` imports dst's analysis package
    for cmd in (["-m", "analysis.data.adddata", str(src)], ["-m", "analysis.data.ingest"]):
        r = subprocess.run([sys.executable, *cmd], cwd=dst, capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
    return dst, env


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_generated_pages_show_hostile_text_literally(myst, hostile_repo):
    import sys

    dst, env = hostile_repo
    code = ("import json; from analysis.report import coverage, generate; from analysis.data import indicators; "
            "print(json.dumps({'sources': generate.sources_markdown(), 'dictionary': generate.dictionary_markdown(), "
            "'coverage': generate.coverage_markdown(), 'gaps': generate.gaps_markdown(), "
            "'replaced': generate.replaced_markdown(), "
            "'matrix': coverage.markdown(coverage.matrix(indicators.load()))}))")
    r = subprocess.run([sys.executable, "-c", code], cwd=dst, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    import json
    pages = json.loads(r.stdout)
    rendered = {k: myst.render(v) for k, v in pages.items()}
    for name, out in rendered.items():
        p = _Tags()
        p.feed(out)
        # the book's own links to anchors on the page (the topic index of grouped indicators) are not data
        bad = [(t, a) for t, a in p.tags if (t in ("img", "script", "svg", "a", "iframe") and
                                             not (t == "a" and str(a.get("href", "")).startswith("#dict-")))
               or any(k.startswith("on") for k in a)]
        # the coverage page's own figure directives are not Markdown here (no Sphinx): skip nothing else
        assert not bad, (name, bad[:3])
        assert "glue" not in " ".join(t.type for t in tokens(myst, pages[name]) if t.type == "myst_role")
        kinds = {t.type for t in tokens(myst, pages[name])
                 if not (t.type == "link_open" and str(t.attrs.get("href", "")).startswith("#dict-"))} & {
            "html_inline", "html_block", "myst_role", "substitution_inline", "math_inline", "link_open"}
        assert kinds <= {"myst_role"} and not any(t.type == "myst_role" and t.meta.get("name") == "glue"
                                                  for t in tokens(myst, pages[name])), (name, kinds)
    # every hostile name is in the data dictionary as its literal text, every one in one table cell
    # (grouped by topic, long groups sit in a dropdown directive, which plain MyST shows as a fence)
    unfolded = re.sub(r"^````(\{dropdown\}.*)?\n", "", pages["dictionary"], flags=re.M)
    dictionary = myst.render(unfolded).replace("&quot;", '"')
    for code_, s in zip(CODES, HOSTILE):
        shown = untrusted.csv_cell(s.strip())  # the catalog CSV neutralised a formula with a leading '
        assert f"<td><code>{code_}</code></td>\n<td>{html.escape(shown, quote=False)}</td>" in dictionary, s
    # the title (from the names and the hostile code of a country outside the book),
    # the file name and the preamble are literal too
    sources = rendered["sources"].replace("&quot;", '"')
    assert html.escape("supplied as " + HOSTILE_FILE_NAME, quote=False) in sources
    assert "&lt;img src=x onerror=alert(5)&gt;" in sources
    # the registry still loads, with the hostile title as a string
    reg = yaml.safe_load((dst / "data" / "sources.yml").read_text(encoding="utf-8"))["sources"]
    assert all(isinstance(e["id"], str) for e in reg)
    assert "<img src=x onerror=alert(5)>" in reg[-1]["title"]
    # the tracked CSV holds no formula
    for f in [dst / "data" / "processed" / n for n in ("indicators.csv", "indicator_catalog.csv",
                                                        "replaced_values.csv")]:
        for row in csv.reader(io.StringIO(f.read_text(encoding="utf-8"))):
            for cell in row:
                assert not ((cell[:1] and cell[:1] in "=+@\t\r") or (cell[:1] == "-" and not re.fullmatch(r"-[\d.eE+-]+", cell))), \
                    (f.name, cell)
    catalog = pd.read_csv(dst / "data" / "processed" / "indicator_catalog.csv", dtype=str, keep_default_na=False)
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in set(catalog["label"])


# ------------------------------------------------------------------ whole book
def test_hostile_book_builds(hostile_book):
    repo, r, _ = hostile_book
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
    assert (repo / "_build" / "html" / "book" / "data-dictionary.html").exists()


def _pages(repo: Path) -> dict[str, str]:
    html_dir = repo / "_build" / "html"
    return {p.relative_to(html_dir).as_posix(): p.read_text(encoding="utf-8")
            for p in html_dir.rglob("*.html")}


def test_hostile_book_html_holds_the_text_escaped_and_nothing_injected(hostile_book):
    repo, r, _ = hostile_book
    assert r.returncode == 0, r.stderr[-3000:]
    pages = _pages(repo)
    both = pages["book/data-dictionary.html"] + pages["book/data-methods.html"]
    # Sphinx's smart quotes turn ' and " into curly ones in all text: compare without them
    norm = lambda t: straight_quotes(t.replace("&#x27;", "'").replace("&quot;", '"').replace("&#64;", "@"))  # noqa: E731
    for s in book_names():
        assert norm(html.escape(as_sphinx_shows(untrusted.csv_cell(s)), quote=False)) in norm(both), s
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    for name, text in pages.items():
        p = _Tags()
        p.feed(text)
        bad = [(t, a) for t, a in p.tags
               if any(k.startswith("on") and "alert" in (v or "") for k, v in a.items())
               or any("javascript:" in (v or "") or "evil.example" in (v or "") for v in a.values())
               or (t in ("img", "iframe") and a.get("src") in ("x", "x.png")) or t == "svg" and "onload" in a]
        assert not bad, (name, bad[:3])
        assert not re.search(r"<script[^>]*>[^<]*alert\(", text), name
        assert "<script>alert" not in text and "<img src=x" not in text and "<img src=\"x\"" not in text, name
        if len(hostname) >= 6:
            assert hostname not in text, (name, "/etc/hostname was included")
        assert 'href="javascript' not in text


def test_hostile_registry_and_csv_stay_readable(hostile_book):
    repo, r, _ = hostile_book
    assert r.returncode == 0
    reg = yaml.safe_load((repo / "data" / "sources.yml").read_text(encoding="utf-8"))["sources"]
    assert reg[-1]["origin"] == "supplied as " + HOSTILE_FILE_NAME
    assert reg[-1]["released"] == "2025-07-01"


def test_markup_cell_keeps_roles_and_fits_one_cell():
    assert untrusted.markup_cell("a | b\n{cite:t}`dsr_paper`") == "a \\| b {cite:t}`dsr_paper`"
