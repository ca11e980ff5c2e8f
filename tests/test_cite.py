"""The book is citable: CITATION.cff is valid CFF 1.2.0 and carries the one
version number (analysis.__version__), the "How to cite" page and the
"Cite this chapter" boxes are generated from it, and the HTML footer and the
PDF title page show it."""
import copy
import datetime as dt
import functools
import importlib.metadata
import json
import re
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml
from layers import requires
from pybtex.database import parse_string

from analysis import __version__, config
from analysis.book import system_deps
from analysis.paths import BOOK, BUILD, ROOT, TEMPLATES
from analysis.report import cite

@pytest.fixture(scope="module")
def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def cff_schema() -> dict:
    """The official CFF 1.2.0 JSON schema, as cffconvert ships it (requirements-nodeps.txt)."""
    path = Path(importlib.metadata.distribution("cffconvert").locate_file("cffconvert/schemas/1.2.0/schema.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def cff_errors(data: dict) -> list[str]:
    schema = cff_schema()
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data))


def test_citation_cff_follows_the_official_cff_1_2_0_schema(cff):
    assert cff_schema()["$id"].endswith("1.2.0/schema.json")
    assert cff["cff-version"] == "1.2.0"
    assert cff_errors(cff) == []
    released = dt.date.fromisoformat(str(cff["date-released"]))
    assert released <= dt.date.today() + dt.timedelta(days=1)


@pytest.mark.parametrize("change", [
    lambda d: d.pop("message"),
    lambda d: d.__setitem__("authors", [{"name": "A"}, {"given-names": "B", "email": "not an address"}]),
    lambda d: d.__setitem__("date-released", "25 November 2026"),
    lambda d: d["preferred-citation"].__setitem__("type", "novel"),
])
def test_the_schema_refuses_what_cff_does_not_allow(cff, change):
    data = copy.deepcopy(cff)
    change(data)
    assert cff_errors(data) != []


def test_one_version_number(cff):
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    assert cff["version"] == __version__
    if "preferred-citation" in cff and "version" in cff["preferred-citation"]:
        assert cff["preferred-citation"]["version"] == __version__
    assert cite.meta().version == __version__


def test_citations_for_book_and_chapters():
    m = cite.meta()
    assert f"Version {__version__}" in cite.apa_book() and str(m.year) in cite.apa_book()
    assert cite.bibtex_book().startswith(f"@book{{{cite.BOOK_KEY},")
    numbers = [cite.chapter_number(c.iso3) for c in config.countries()]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    for c in config.countries():
        bib = cite.bibtex_chapter(c.iso3)
        assert bib.startswith(f"@incollection{{{cite.chapter_key(c.iso3)},")
        entry = parse_string(bib, "bibtex").entries[cite.chapter_key(c.iso3)]
        assert entry.fields["chapter"] == str(cite.chapter_number(c.iso3))
        assert c.name in entry.fields["title"] and entry.fields["year"] == str(m.year)
        assert [str(p) for p in entry.persons["author"]] == ["{" + a + "}" for a in m.authors]
        apa = cite.apa_chapter(c.iso3)
        assert c.name in apa and f"Chapter {cite.chapter_number(c.iso3)}" in apa and __version__ in apa


def _two_authors():
    people = ({"given-names": "Aigerim", "family-names": "Nurlanova"},
              {"given-names": "Chen", "family-names": "Wei"}, {"name": "Silk Road Digital team"})
    m = cite.meta()
    return cite.Meta(title=m.title, subtitle=m.subtitle, authors=tuple(cite._author_name(a) for a in people),
                     version=m.version, released=m.released, people=people)


def test_several_authors_stay_several_people():
    """Each author of CITATION.cff is one name in BibTeX (as pybtex reads it back)
    and in APA (citeproc-py with the CSL APA style); an organisation stays whole."""
    m = _two_authors()
    entry = parse_string(cite.bibtex_book(m), "bibtex").entries[cite.BOOK_KEY]
    authors = entry.persons["author"]
    assert [(" ".join(p.first_names), " ".join(p.last_names)) for p in authors] == \
        [("Aigerim", "Nurlanova"), ("Chen", "Wei"), ("", "{Silk Road Digital team}")]
    apa = cite.apa_book(m)
    assert apa.startswith("Nurlanova, A., Wei, C., & Silk Road Digital team. (")
    assert cite.apa_chapter("KAZ", m).startswith("Nurlanova, A., Wei, C., & Silk Road Digital team. (")


def test_apa_italic_span_is_the_book_title():
    m = cite.meta()
    assert cite.apa_book(m, italic="|").split("|")[1] == cite._apa_title(m)
    assert cite.apa_chapter("KAZ", m, italic="|").split("|")[1] == cite._apa_title(m)


def test_chapter_numbers_follow_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [ch["file"] for p in toc["parts"] if p.get("numbered") for ch in p["chapters"]]
    assert [cite.chapter_numbers()[f] for f in files] == list(range(1, len(files) + 1))
    assert "book/cite" in files


def test_generated_cite_pages(tmp_path):
    cite.write_all(tmp_path)
    page = (tmp_path / "cite.md").read_text(encoding="utf-8")
    assert cite.bibtex_book() in page and cite.apa_book() in page
    for c in config.countries():
        assert cite.bibtex_chapter(c.iso3) in page
        box = (tmp_path / f"cite-{c.iso3}.md").read_text(encoding="utf-8")
        assert cite.apa_chapter(c.iso3) in box and "{doc}`../cite`" in box
    assert "_generated/cite.md" in (BOOK / "cite.md").read_text(encoding="utf-8")


def test_latex_title_pages():
    tex = cite.latex_titlepage()
    assert "Silk Road Digital" in tex and f"Version {__version__}" in tex and "How to cite" in tex
    assert "\\_" in tex  # the BibTeX key is escaped
    kaz = cite.latex_titlepage("KAZ")
    assert "Kazakhstan" in kaz and "Қазақстан" in kaz and f"Chapter {cite.chapter_number('KAZ')}" in kaz


def test_template_has_cite_this_chapter_box():
    nb = nbformat.read(TEMPLATES / "country.ipynb", as_version=4)
    boxes = [c for c in nb.cells if c.cell_type == "markdown" and "Cite this chapter" in c.source]
    assert len(boxes) == 1
    assert "{admonition} Cite this chapter" in boxes[0].source
    assert "_generated/cite-{{iso3}}.md" in boxes[0].source


def test_system_deps_command():
    assert system_deps.APT_COMMAND.startswith("apt-get update && apt-get install -y --no-install-recommends ")
    for p in ("texlive-xetex", "latexmk", "fonts-noto-cjk", "poppler-utils", "fonts-freefont-otf"):
        assert p in system_deps.APT_COMMAND
    assert system_deps.SUDO_COMMAND.count("sudo apt-get") == 2


HTML = BUILD / "html"
needs_html = requires(HTML / "index.html", "book")


@needs_html
@pytest.mark.parametrize("page", ["book/intro.html", "book/cite.html", "book/countries/KAZ.html"])
def test_html_footer_shows_version(page):
    html = (HTML / page).read_text(encoding="utf-8")
    m = re.search(r'<footer class="bd-footer-content">(.*?)</footer>', html, re.S)
    assert m, "no page footer"
    assert f"version {__version__}" in m.group(1), "version missing from the footer"


@needs_html
@pytest.mark.parametrize("iso3", config.iso3_codes())
def test_html_chapter_has_cite_box(iso3):
    html = (HTML / f"book/countries/{iso3}.html").read_text(encoding="utf-8")
    assert "Cite this chapter" in html
    assert cite.chapter_key(iso3) in html
    assert f"Chapter {cite.chapter_number(iso3)})" in html
