"""What a policymaker reads first and looks things up in: the executive summary
(computed from the data), the glossary, the limitations, and the small things
of the HTML (one search box, a favicon, "Table 6.7" kept together)."""
import re

import pytest

from analysis import config
from analysis.data import indicators
from analysis.paths import BUILD, ROOT
from analysis.report import summary
from layers import requires

HTML = BUILD / "html"
built = requires(HTML / "index.html", "book")
ACRONYMS = ["EGDI", "CPI", "SREB", "DSR", "CICA", "IGF+", "RCC", "CASA", "M2B2C", "EAEU", "SCO", "ICT", "IDI",
            "B2C", "BRI", "FDI", "OSI", "TII", "HCI"]


@pytest.fixture(scope="module")
def df():
    return indicators.with_derived(indicators.load())


def _swap(df, a, b, indicator):
    out = df.copy()
    m = out["indicator"] == indicator
    ia, ib = m & (out["country_iso3"] == a), m & (out["country_iso3"] == b)
    out.loc[ia, "country_iso3"], out.loc[ib, "country_iso3"] = b, a
    return out


def test_summary_has_a_verdict_per_country_and_the_data_numbers(df):
    text = summary.summary_markdown(df)
    for c in config.countries():
        assert f"**{c.name}:" in text, c.name
    for c in config.partners():
        p = indicators.latest(df, c, summary.INTERNET)
        assert f"{p.value:,.1f}% of people online in {p.year}" in text, c
    # the regional median is the median of the countries named, in one stated year
    m = re.search(r"median share of people online was ([\d.]+)% in (\d{4}) \(median of the (\d) countries", text)
    assert m, text
    year, n = int(m[2]), int(m[3])
    wide = indicators.wide(df, summary.INTERNET, config.partners())
    assert wide.loc[year].notna().sum() == n >= 3
    assert float(m[1]) == round(float(wide.loc[year].median()), 1)
    # no two countries share a verdict
    names = tuple(f"**{c.name}:" for c in config.countries())
    paras = [p for p in text.split("\n\n") if p.startswith(names)]
    assert len(paras) == len(names)
    assert len(set(p.split(".**", 1)[1] for p in paras)) == len(paras)


def test_summary_follows_the_data(df):
    before = summary.summary_markdown(df)
    after = summary.summary_markdown(_swap(df, "KAZ", "TJK", summary.INTERNET))
    assert before != after
    kaz = [p for p in after.split("\n\n") if p.startswith("**Kazakhstan")][0]
    assert "the lowest of the" in kaz and "36.1% of people online" in kaz


def test_summary_never_ranks_fewer_than_three(df):
    two = df[~((df["indicator"] == summary.INTERNET) & ~df["country_iso3"].isin(["KAZ", "UZB", "CHN"]))]
    text = summary.summary_markdown(two)
    assert "of the 2 " not in text and "of the 1 " not in text
    assert "median share of people online" not in text  # no median of two


def test_summary_never_compares_china_with_itself(df):
    china = [p for p in summary.summary_markdown(df).split("\n\n") if p.startswith("**China")][0]
    assert "against China" not in china


@built
def test_book_opens_with_the_executive_summary():
    html = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
    body = html[html.index('<article'):]
    headings = re.findall(r"<h2>(.*?)<a", body)
    assert headings[0].strip() == "Executive summary", headings
    assert "Verdicts by country" in body and "Findings that matter most" in body


@built
def test_glossary_defines_the_acronyms_and_pages_link_to_it():
    html = (HTML / "book" / "glossary.html").read_text(encoding="utf-8")
    terms = set(re.findall(r'<dt id="term-([^"]+)"', html))
    missing = [a for a in ACRONYMS if not any(t.lower() == re.sub(r"[^\w]+", "-", a.lower()).strip("-")
                                              or t.lower().startswith(a.lower().rstrip("+")) for t in terms)]
    assert not missing, (missing, sorted(terms))
    linked = [p for p in (HTML / "book").rglob("*.html")
              if p.name != "glossary.html" and 'glossary.html#term-' in p.read_text(encoding="utf-8")]
    assert linked, "no page links a term to the glossary"


@built
def test_limitations_page_exists_and_is_linked():
    html = (HTML / "book" / "limitations.html").read_text(encoding="utf-8")
    for topic in ("Turkmenistan", "firm-level", "secondary", "caused"):
        assert topic.lower() in html.lower(), topic
    assert "limitations.html" in (HTML / "book" / "intro.html").read_text(encoding="utf-8")


@built
def test_one_search_box_and_a_favicon():
    for page in ["book/intro.html", "book/countries/KAZ.html", "book/glossary.html"]:
        html = (HTML / page).read_text(encoding="utf-8")
        header = re.search(r'<header id="pst-header".*?</header>', html, re.S)
        assert header is None or "search-button-field" not in header[0], page
        icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
        assert icon, page
        assert ((HTML / page).parent / icon[1]).resolve().is_file(), icon[1]
    assert "#pst-header { display: none; }" in (ROOT / "_static" / "custom.css").read_text()


@built
def test_table_and_figure_numbers_keep_their_word():
    html = (HTML / "book" / "countries" / "KAZ.html").read_text(encoding="utf-8")
    refs = re.findall(r'class="std std-numref">([^<]+)<', html)
    assert refs and all(re.fullmatch(r"(Table|Fig\.)\u00a0\d+\.\d+", r) for r in refs), refs


# ------------------------------------------------ verdicts written with the chapters
@pytest.mark.parametrize("iso3", config.iso3_codes())
def test_each_verdict_says_only_what_its_chapter_argues(iso3):
    """The summary's verdict lives beside the chapter's texts, types no number and
    cites no ledger row that the chapter's own argument does not cite."""
    assert summary.lint(iso3) == []


def test_a_verdict_citing_a_row_its_chapter_does_not_fails_the_lint(monkeypatch, tmp_path):
    from analysis.report import statements

    for f in statements.text_dir("TJK").iterdir():
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(statements, "text_dir", lambda iso3: tmp_path)
    v = tmp_path / "verdict.md"
    v.write_text(v.read_text(encoding="utf-8") + " Cash rules (T-035). About 46 per cent. {{fact:gdp}}",
                 encoding="utf-8")
    problems = summary.lint("TJK")
    assert any("cites T-035" in p for p in problems)
    assert any("typed number '46'" in p for p in problems)
    assert any("unknown fact 'gdp'" in p for p in problems)


def test_each_verdict_links_to_its_chapter(df):
    text = summary.summary_markdown(df)
    for iso3 in config.iso3_codes():
        assert f"{{doc}}`Chapter <countries/{iso3}>`" in text
