"""The built HTML book: one chapter per country with its name as title, the
three sections, at least four numbered figures with alt text, numbers that
trace to the data, and no code shown to readers.

These tests read _build/html; `make test` builds it first."""
import re
from html.parser import HTMLParser

import pytest

from analysis import config
from analysis.data import indicators
from analysis.report import chapter
from layers import requires
from analysis.paths import BUILD

HTML = BUILD / "html"
pytestmark = requires(HTML / "index.html", "book")


def page(rel):
    return (HTML / rel).read_text(encoding="utf-8")


class Figures(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_figure = 0
        self.imgs = []
        self.captions = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self.in_figure += 1
        if tag == "img" and self.in_figure:
            self.imgs.append(a.get("alt", ""))
        if tag == "span" and "caption-number" in (a.get("class") or ""):
            self.captions += 1

    def handle_endtag(self, tag):
        if tag == "figure":
            self.in_figure -= 1


@pytest.mark.parametrize("iso3", config.iso3_codes())
def test_country_chapter(iso3):
    c = config.country(iso3)
    html = page(f"book/countries/{iso3}.html")
    assert re.search(rf"<h1>(<span[^>]*>)?[\d. ]*(</span>)?\s*{re.escape(c.name)}", html) or f"{c.name}<a class=\"headerlink\"" in html
    assert f"<title>{c.name}" in html or f"{c.name} &#8212;" in html or f"{c.name} —" in html
    sections = (("Foundations", "Challenges", "Cooperation approaches", "Risks and trade-offs", "Since 2020",
                 "Recommendations") if c.role == "partner" else
                ("digital economy and the Digital Silk Road", "What Chinese firms and institutions do",
                 "indicators as the reference", "What China seeks and what it offers", "What China should watch"))
    for section in sections:
        assert re.search(rf"<h2>[^<]*(<[^>]+>[^<]*)*{re.escape(section.replace(chr(39), '&#8217;'))}", html) or \
            re.search(rf"<h2>[^<]*(<[^>]+>[^<]*)*{re.escape(section.replace(chr(39), '’'))}", html), section
    if c.role == "reference":
        assert "Challenges" not in re.findall(r"<h2>.*?</h2>", html, flags=re.S).__str__()
    figs = Figures()
    figs.feed(html)
    assert len(figs.imgs) >= (4 if c.role == "partner" else 2)
    assert all(len(alt) > 40 and c.name in alt for alt in figs.imgs), figs.imgs
    assert figs.captions >= (4 if c.role == "partner" else 2)
    assert "highlight-ipython3" not in html and "country = " not in html, "code is visible"
    assert c.native_names[0]["name"] in html


@pytest.mark.parametrize("iso3", config.partners())
def test_glued_sentences_match_the_data(iso3):
    df = indicators.with_derived(indicators.load())
    html = page(f"book/countries/{iso3}.html")
    for key in ("internet", "gdppc", "cpi"):
        text = chapter.sentence(df, iso3, key).replace("&", "&amp;")
        assert text in html, text


def test_kazakhstan_internet_number_in_prose():
    df = indicators.load()
    p = indicators.latest(df, "KAZ", "IT.NET.USER.ZS")
    assert f"In {p.year}, the share of the population using the internet in Kazakhstan was {p.value:.1f}%" in page(
        "book/countries/KAZ.html")


def test_regional_and_data_pages():
    reg = page("book/regional.html")
    assert "Regional overview" in reg and "tbl-regional-latest" in reg
    methods = page("book/data-methods.html")
    for e in __import__("analysis.data.registry", fromlist=["load"]).load():
        assert e["sha256"] in methods and e["licence"].split(" (")[0][:20] in methods
    assert "IT.NET.USER.ZS" in page("book/data-dictionary.html")


def test_figure_downloads_exist():
    for iso3 in config.partners():
        for k in chapter.KEYS:
            assert list((HTML / "_downloads").rglob(f"{k.slug}.csv")), k.slug


def _pages():
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def test_no_role_or_escape_is_shown_to_readers():
    """A MyST role escaped by mistake (a citation in a table cell, a glued value)
    reaches the reader as literal text: "{cite:t}dsr_paper", "\\-", "\\*"."""
    shown = re.compile(r"\{(?:cite|glue|numref|doc|term)(?::[a-z]+)?\}|\\[-*_.;,'\[\]()]")
    bad = {}
    for p in _pages():
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", p.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"<[^>]+>", "", text)
        hits = shown.findall(text)
        if hits:
            bad[str(p.relative_to(HTML))] = hits[:3]
    assert not bad, bad
