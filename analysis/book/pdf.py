"""The book as PDF, through LaTeX (xelatex), and one short PDF per country.

    python -m analysis.book.pdf --book            # steps 1-4 (a rule of the Snakefile: `make pdf`)
    python -m analysis.book.pdf --offprint KAZ    # step 5 for one country, from the book's LaTeX
                                             # (one rule per country: they run side by side)

1. checks the Debian TeX packages and fonts (:mod:`analysis.book.system_deps`);
2. ``jupyter-book build . --builder pdflatex`` → ``_build/latex/silk-road-digital.pdf``
   (fonts, title page and table style: ``latex`` and ``sphinx.config.latex_elements``
   in _config.yml and :mod:`analysis.book.sphinxext`);
3. fails if the LaTeX log reports a "Missing character" (a glyph the fonts lack
   would silently vanish from the page) or the text shows an unresolved
   cross-reference ("??");
4. copies the book to ``_build/pdf/silk-road-digital.pdf``;
5. for each country writes an offprint ``_build/pdf/countries/<ISO3>.pdf``: a
   title page with how to cite the chapter, the chapter exactly as in the book
   (same chapter, figure and table numbers) and the references it cites. The
   offprint is cut from the book's own LaTeX, so it has the same preamble,
   fonts and figures, and is compiled by the same latexmk set-up.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from analysis import atomic, config
from analysis.book import system_deps
from analysis.paths import BUILD, ROOT
from analysis.report import cite

LATEX = BUILD / "latex"
PDF_DIR = BUILD / "pdf"
NAME = "silk-road-digital"
BOOK_PDF = PDF_DIR / f"{NAME}.pdf"
COUNTRY_DIR = PDF_DIR / "countries"
LOG = PDF_DIR / "latex-build.log"

MISSING = re.compile(r"^Missing character: .*$", re.M)
DOC_LABEL = re.compile(r"\\label\{\\detokenize\{([^}]*)::doc\}\}")
CITED = re.compile(r"\\hyperlink\{cite\.([^}]*)\}")
BIB = re.compile(r"\\begin\{sphinxthebibliography\}\{[^}]*\}(.*?)\\end\{sphinxthebibliography\}", re.S)
BIBITEM = re.compile(r"(\\bibitem\[[^\]]*\]\{([^}]*)\}.*?)(?=\\bibitem\[|\Z)", re.S)
PART = re.compile(r"\n\\part\{[^\n]*\}\s*$")


class PdfError(RuntimeError):
    pass


# ------------------------------------------------------------------ checks
def missing_characters(log_text: str) -> list[str]:
    """Every distinct "Missing character" line of a LaTeX log."""
    return sorted(set(MISSING.findall(log_text)))


def check_log(log: Path) -> None:
    text = log.read_text(encoding="utf-8", errors="replace")
    lines = missing_characters(text)
    if lines:
        raise PdfError(f"{log}: the fonts lack {len(lines)} character(s); they would vanish from the PDF:\n  "
                       + "\n  ".join(lines))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def check_pdf(pdf: Path) -> None:
    if "??" in pdf_text(pdf):
        raise PdfError(f"{pdf}: an unresolved cross-reference (??) is printed")


# ------------------------------------------------------------------ the book
def build_book() -> Path:
    """Run Jupyter Book's LaTeX builder; its (long) output goes to _build/pdf/latex-build.log."""
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(ROOT), "--builder", "pdflatex", "--quiet"]
    env = dict(os.environ, LATEXOPTS="-interaction=nonstopmode -halt-on-error")
    with LOG.open("w", encoding="utf-8") as out:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    pdf = LATEX / f"{NAME}.pdf"
    if proc.returncode != 0 or not pdf.exists():
        raise PdfError(f"the LaTeX build failed (exit {proc.returncode}); see {LOG} and "
                       f"{LATEX / (NAME + '.log')}:\n" + _errors(LATEX / f"{NAME}.log"))
    return pdf


def _errors(log: Path) -> str:
    if not log.exists():
        return "  (no LaTeX log)"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("!"):
            out += lines[i:i + 4]
    return "\n".join("  " + s for s in out[:24]) or "  (no TeX error in the log)"


# ------------------------------------------------------------------ offprints
@dataclass
class Tex:
    preamble: str            # up to and including \begin{document}
    front: str               # title page, contents, introduction
    chunks: dict[str, str]   # docname → its LaTeX (one per start of file)
    bibitems: dict[str, str]  # citation key (e.g. book/references:id3) → \bibitem ...


def split(tex: str) -> Tex:
    head, body = tex.split("\\begin{document}", 1)
    body = body.split("\\end{document}", 1)[0]
    pieces = body.split("\n\\sphinxstepscope\n")
    chunks = {}
    for piece in pieces[1:]:
        m = DOC_LABEL.search(piece)
        if m:
            chunks[m.group(1)] = PART.sub("\n", piece)
    bib = BIB.search(body)
    items = {m.group(2): m.group(1).rstrip() for m in BIBITEM.finditer(bib.group(1))} if bib else {}
    return Tex(preamble=head + "\\begin{document}\n", front=pieces[0], chunks=chunks, bibitems=items)


def cited_keys(chunk: str) -> list[str]:
    seen = []
    for key in CITED.findall(chunk):
        if key not in seen:
            seen.append(key)
    return seen


def offprint_tex(tex: Tex, iso3: str) -> str:
    """A country chapter on its own: title page and how to cite, the chapter with
    its book number, and the references it cites."""
    doc = f"book/countries/{iso3}"
    if doc not in tex.chunks:
        raise PdfError(f"chapter {doc} is not in {NAME}.tex")
    chunk = tex.chunks[doc]
    chunk = BIB.sub("", chunk)
    keys = [k for k in cited_keys(chunk) if k in tex.bibitems]
    refs = ""
    if keys:
        items = sorted((tex.bibitems[k] for k in keys), key=lambda s: s.split("}", 1)[1].strip().lower())
        refs = ("\n\\section*{References}\n\\addcontentsline{toc}{section}{References}\n"
                f"\\begin{{sphinxthebibliography}}{{{len(items)}}}\n" + "\n".join(items)
                + "\n\\end{sphinxthebibliography}\n")
    return "".join([
        tex.preamble,
        "\\hypersetup{pdftitle={%s}}\n" % cite.tex(f"{config.country(iso3).name}: Chapter "
                                                f"{cite.chapter_number(iso3)} of {cite.meta().title}"),
        "\\pagestyle{empty}\n",
        cite.latex_titlepage(iso3), "\n",
        "\\pagestyle{normal}\n",
        f"\\setcounter{{chapter}}{{{cite.chapter_number(iso3) - 1}}}\n",
        chunk,
        refs,
        "\n\\end{document}\n",
    ])


def build_offprint(tex: Tex, iso3: str) -> Path:
    stem = f"offprint-{iso3}"
    (LATEX / f"{stem}.tex").write_text(offprint_tex(tex, iso3), encoding="utf-8")
    env = dict(os.environ, LATEXOPTS="-interaction=nonstopmode -halt-on-error")
    proc = subprocess.run(["latexmk", "-pdf", "-dvi-", "-ps-", f"{stem}.tex"], cwd=LATEX, env=env,
                          capture_output=True, text=True)
    pdf = LATEX / f"{stem}.pdf"
    if proc.returncode != 0 or not pdf.exists():
        raise PdfError(f"{iso3}: the offprint did not compile:\n" + _errors(LATEX / f"{stem}.log"))
    check_log(LATEX / f"{stem}.log")
    check_pdf(pdf)
    COUNTRY_DIR.mkdir(parents=True, exist_ok=True)
    dest = COUNTRY_DIR / f"{iso3}.pdf"
    with atomic.replacing(dest) as tmp:  # a reader never finds half a PDF
        shutil.copyfile(pdf, tmp)
    return dest


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--book", action="store_true", help="build the whole book as PDF")
    what.add_argument("--offprint", metavar="ISO3", choices=config.iso3_codes(),
                      help="cut one country's PDF from the book's LaTeX (after --book)")
    args = ap.parse_args(argv)
    try:
        system_deps.ensure()
        if args.book:
            pdf = build_book()
            check_log(LATEX / f"{NAME}.log")
            check_pdf(pdf)
            PDF_DIR.mkdir(parents=True, exist_ok=True)
            with atomic.replacing(BOOK_PDF) as tmp:
                shutil.copyfile(pdf, tmp)
            path = BOOK_PDF
        else:
            path = build_offprint(split((LATEX / f"{NAME}.tex").read_text(encoding="utf-8")), args.offprint)
        print(f"pdf: {path.relative_to(ROOT)}", flush=True)
    except PdfError as err:
        print(f"pdf: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
