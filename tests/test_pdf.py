"""The PDF book and the per-country offprints (`make pdf`, which `make test`
runs first): a real publication with every font embedded, every chapter,
the native names in their own scripts, the bibliography and the figures.

Checked with poppler-utils (pdfinfo, pdffonts, pdftotext, pdfimages). The
PDF tests are skipped only when the PDF has not been built."""
import re
import shutil
import subprocess

import nbformat
import pytest

from analysis import __version__, config
from analysis.book import pdf
from analysis.paths import BOOK
from analysis.report import cite
from layers import requires

BOOK_PDF = pdf.BOOK_PDF
needs_pdf = requires(BOOK_PDF, "pdf")
needs_poppler = requires(shutil.which("pdftotext") or "/usr/bin/pdftotext", "pdf")  # make pdf installs poppler-utils


def run(*cmd) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def text_of(path) -> str:
    # pdftotext breaks lines; compare with whitespace collapsed
    return re.sub(r"\s+", " ", run("pdftotext", "-enc", "UTF-8", str(path), "-"))


def pages(path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(path)), re.M).group(1))


def unembedded_fonts(path) -> list[str]:
    rows = run("pdffonts", str(path)).splitlines()[2:]
    # columns: name type encoding emb sub uni object ID; "emb" is the 3rd field from the end of the flags
    return [r for r in rows if r.split()[-5] != "yes"]


def image_count(path) -> int:
    return len(run("pdfimages", "-list", str(path)).splitlines()[2:])


def figure_count() -> int:
    """Figures in the executed chapters: glued figures and {figure} directives."""
    n = 0
    for nb_path in [*sorted((BOOK / "countries").glob("*.ipynb")), BOOK / "regional.ipynb"]:
        nb = nbformat.read(nb_path, as_version=4)
        n += sum(c.source.count("{glue:figure}") + c.source.count("{figure}")
                 for c in nb.cells if c.cell_type == "markdown")
    return n


@pytest.fixture(scope="module")
def book_text():
    return text_of(BOOK_PDF)


# ------------------------------------------------------------------ the book
@needs_poppler
@needs_pdf
def test_book_is_a_real_document():
    assert pages(BOOK_PDF) > 20
    info = run("pdfinfo", str(BOOK_PDF))
    assert re.search(r"^Title:\s+Silk Road Digital", info, re.M), info


@needs_poppler
@needs_pdf
def test_every_font_is_embedded():
    assert unembedded_fonts(BOOK_PDF) == []


@needs_poppler
@needs_pdf
def test_title_page_has_version_date_and_how_to_cite():
    first = text_of_page(BOOK_PDF, 1)
    m = cite.meta()
    for s in ("Silk Road Digital", cite.SUBTITLE, "The Silk Road Digital team", f"Version {__version__}",
              m.date_text, "How to cite", cite.BOOK_KEY):
        assert s in first, s


def text_of_page(path, n: int) -> str:
    return re.sub(r"\s+", " ", run("pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-"))


@needs_poppler
@needs_pdf
def test_contents_and_numbered_country_chapters(book_text):
    assert "Contents" in book_text
    for c in config.countries():
        n = cite.chapter_number(c.iso3)
        assert re.search(rf"Chapter {n} {re.escape(c.name)}\b", book_text), f"Chapter {n} {c.name}"


@needs_poppler
@needs_pdf
def test_native_names_in_real_glyphs(book_text):
    for c in config.countries():
        for n in c.native_names:
            assert n["name"] in book_text, n
    # the letters that need more than basic Cyrillic and Latin
    for ch in ("Қ", "ҷ", "ʻ", "ü", "中国"):
        assert ch in book_text, ch


@needs_poppler
@needs_pdf
def test_no_missing_characters_in_latex_log():
    log = pdf.LATEX / f"{pdf.NAME}.log"
    if not log.exists():
        pytest.skip("LaTeX log not present")
    assert pdf.missing_characters(log.read_text(encoding="utf-8", errors="replace")) == []


@needs_poppler
@needs_pdf
def test_bibliography_and_citations(book_text):
    assert "References" in book_text
    # entries of book/references.bib, as pybtex's plain style prints them
    for s in ("World development indicators", "Color universal design", "Linfu Huo"):
        assert s in book_text, s
    assert "??" not in book_text, "an unresolved cross-reference"


@needs_poppler
@needs_pdf
def test_figures_and_tables_numbered_with_captions(book_text):
    iso3 = config.iso3_codes()[0]
    n = cite.chapter_number(iso3)
    assert f"Fig. {n}.1:" in book_text and f"Table {n}.1:" in book_text
    assert image_count(BOOK_PDF) >= figure_count() > 0


@needs_poppler
@needs_pdf
def test_figures_are_sharp():
    rows = run("pdfimages", "-list", str(BOOK_PDF)).splitlines()[2:]
    ppi = [int(r.split()[12]) for r in rows if r.split()[2] == "image"]
    assert ppi and min(ppi) >= 150, sorted(ppi)[:5]  # printed at ≥150 ppi; rendered at 200 dpi


@needs_poppler
@needs_pdf
def test_no_code_cells(book_text):
    # Python imports, not the word "import" (the papers' quotes speak of exports and imports)
    assert "glue(" not in book_text and not re.search(
        r"\bfrom [a-z_][a-z_.]* import \w|\bimport (pandas|numpy|matplotlib|analysis|papermill|myst_nb)\b"
        r"|\bimport [a-z_]+ as \w", book_text)
    assert "indicators.with_derived" not in book_text and "country = " not in book_text


# ------------------------------------------------------------------ offprints
@needs_poppler
@needs_pdf
@pytest.mark.parametrize("iso3", config.iso3_codes())
def test_country_offprint(iso3):
    path = pdf.COUNTRY_DIR / f"{iso3}.pdf"
    assert path.exists(), path
    c = config.country(iso3)
    n = cite.chapter_number(iso3)
    text = text_of(path)
    first = text_of_page(path, 1)
    assert c.name in first and "How to cite" in first and f"Chapter {n}" in first
    assert f"Version {__version__}" in first
    assert re.search(rf"Chapter {n} {re.escape(c.name)}\b", text)
    assert c.native_names[0]["name"] in text
    assert f"Fig. {n}.1:" in text and f"Table {n}.1:" in text
    assert unembedded_fonts(path) == []
    assert 2 < pages(path) < pages(BOOK_PDF) / 2
    assert "??" not in text
    other = next(o for o in config.countries() if o.iso3 != iso3)
    assert not re.search(rf"Chapter \d+ {re.escape(other.name)}\b", text), "another chapter leaked in"


# ------------------------------------------------------------------ pure functions
def test_missing_character_detection():
    log = ("Some line\nMissing character: There is no 中 (U+4E2D) in font Noto Serif Regular/OT:script=latn;\n"
           "Missing character: There is no 中 (U+4E2D) in font Noto Serif Regular/OT:script=latn;\n")
    assert len(pdf.missing_characters(log)) == 1
    assert pdf.missing_characters("Overfull \\hbox\n") == []


def test_offprint_cut_from_book_tex():
    tex = (r"\documentclass{x}\begin{document}" "\nfront\n"
           "\n\\sphinxstepscope\n" r"\chapter{Kazakhstan}\label{\detokenize{book/countries/KAZ::doc}}"
           r" text \hyperlink{cite.book/references:id2}{Huo, 2020}" "\n\\part{Data}\n"
           "\n\\sphinxstepscope\n" r"\chapter{References}\label{\detokenize{book/references::doc}}"
           "\n\\begin{sphinxthebibliography}{2}\n\\bibitem[1]{book/references:id2}\nHuo. A.\n"
           "\\bibitem[2]{book/references:id9}\nOther. B.\n\\end{sphinxthebibliography}\n"
           r"\end{document}")
    parts = pdf.split(tex)
    assert set(parts.chunks) == {"book/countries/KAZ", "book/references"}
    assert "\\part" not in parts.chunks["book/countries/KAZ"]
    assert set(parts.bibitems) == {"book/references:id2", "book/references:id9"}
    out = pdf.offprint_tex(parts, "KAZ")
    assert "Huo. A." in out and "Other. B." not in out
    assert f"\\setcounter{{chapter}}{{{cite.chapter_number('KAZ') - 1}}}" in out
    assert "How to cite" in out and out.rstrip().endswith("\\end{document}")


@needs_poppler
@needs_pdf
def test_pdf_opens_with_the_executive_summary():
    """The first chapter after the contents is the executive summary, before the introduction."""
    raw = run("pdftotext", "-enc", "UTF-8", str(BOOK_PDF), "-")
    body = raw[raw.index("Contents"):]
    contents = re.sub(r"\s+", " ", body[:2000])
    assert contents.index("Executive summary") < contents.index("Introduction") < contents.index("The region")
    after = body[body.index("Executive summary", body.index("Introduction")):]
    assert "Verdicts by country" in after[:6000]


@needs_poppler
@needs_pdf
def test_table_and_figure_numbers_keep_their_word():
    """'Table 4.7' is never split over two lines (a line starting with a bare 4.7)."""
    raw = run("pdftotext", "-enc", "UTF-8", str(BOOK_PDF), "-").splitlines()
    split = [f"{a!r} / {b!r}" for a, b in zip(raw, raw[1:])
             if re.search(r"\b(Table|Fig\.)$", a.strip()) and re.match(r"\d+\.\d+\b", b.strip())]
    assert not split, split[:5]


@needs_poppler
@needs_pdf
def test_executive_summary_fits_on_one_page():
    raw = run("pdftotext", "-enc", "UTF-8", str(BOOK_PDF), "-")
    pages_text = raw.split("\f")
    start = next(i for i, p in enumerate(pages_text) if p.lstrip().startswith("Executive summary"))
    assert "Verdicts by country" in pages_text[start] and "China: most to offer" in pages_text[start], \
        "the executive summary runs over its page"
    assert pages_text[start + 1].lstrip().startswith("Introduction")
