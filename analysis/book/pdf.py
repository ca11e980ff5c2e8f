"""The book as PDF, through LaTeX (xelatex), and one short PDF per country.

    python -m analysis.book.pdf --latex           # steps 1-2: the book's LaTeX (a rule of the Snakefile)
    python -m analysis.book.pdf --book            # steps 3-5: the book's PDF (`make pdf` runs all three)
    python -m analysis.book.pdf --offprint KAZ    # step 6 for one country, from the book's LaTeX
                                             # (one rule per country: they run beside the book's PDF)

1. checks the Debian TeX packages and fonts (:mod:`analysis.book.system_deps`);
2. ``jupyter-book build . --builder latex`` → ``_build/latex/silk-road-digital.tex``
   and its figures (fonts, title page and table style: ``latex`` and
   ``sphinx.config.latex_elements`` in _config.yml and :mod:`analysis.book.sphinxext`);
3. compiles it with latexmk and xelatex (:data:`LATEXMK`) →
   ``_build/latex/silk-road-digital.pdf``;
4. fails if the LaTeX log reports a "Missing character" (a glyph the fonts lack
   would silently vanish from the page) or the text shows an unresolved
   cross-reference ("??");
5. copies the book to ``_build/pdf/silk-road-digital.pdf``;
6. for each country writes an offprint ``_build/pdf/countries/<ISO3>.pdf``: a
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
SPHINX_LOG = PDF_DIR / "latex-sources.log"

# xelatex writes only the (fast) XDV file on each of its passes, and xdvipdfmx
# makes the PDF once at the end (latexmk's -pdfxe mode; the passes are read
# from Sphinx's latexmkrc, which runs xelatex --no-pdf). Turning XDV into PDF is
# most of the time, in compressing the figures: at zlib level 6 instead of 9
# it takes 3.6 s instead of 8.0 s for the book, and the PDF is 3% larger
# (6.9 MB instead of 6.7 MB; measured on 2026-12-04).
LATEXMK = ["latexmk", "-pdfxe", "-dvi-", "-ps-", "-e", "$xdvipdfmx = 'xdvipdfmx -z 6 -E -o %D %O %S'"]
LATEXOPTS = "-interaction=nonstopmode -halt-on-error"

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
def build_latex() -> Path:
    """Run Jupyter Book's LaTeX builder (the .tex and its figures, no PDF yet);
    its output goes to _build/pdf/latex-sources.log."""
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(ROOT), "--builder", "latex", "--quiet"]
    with SPHINX_LOG.open("w", encoding="utf-8") as out:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    tex = LATEX / f"{NAME}.tex"
    if proc.returncode != 0 or not tex.exists():
        raise PdfError(f"the LaTeX sources were not written (exit {proc.returncode}); see {SPHINX_LOG}")
    return tex


def compile_tex(stem: str, log: Path | None = None) -> Path:
    """``_build/latex/<stem>.tex`` → ``<stem>.pdf`` with latexmk (:data:`LATEXMK`);
    latexmk's output goes to ``log`` when given."""
    env = dict(os.environ, LATEXOPTS=LATEXOPTS)
    with (log.open("w", encoding="utf-8") if log else open(os.devnull, "w")) as out:
        proc = subprocess.run([*LATEXMK, f"{stem}.tex"], cwd=LATEX, env=env, stdout=out, stderr=subprocess.STDOUT)
    pdf = LATEX / f"{stem}.pdf"
    if proc.returncode != 0 or not pdf.exists():
        see = f"see {log} and {LATEX / (stem + '.log')}" if log else f"see {LATEX / (stem + '.log')}"
        raise PdfError(f"{stem}.tex did not compile (exit {proc.returncode}); {see}:\n" + _errors(LATEX / f"{stem}.log"))
    return pdf


def build_book() -> Path:
    """The book's LaTeX (written by :func:`build_latex`) as PDF; latexmk's (long)
    output goes to _build/pdf/latex-build.log."""
    if not (LATEX / f"{NAME}.tex").exists():
        raise PdfError(f"{LATEX / (NAME + '.tex')} is missing: run  python -m analysis.book.pdf --latex  first")
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    return compile_tex(NAME, LOG)


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
    pdf = compile_tex(stem)
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
    what.add_argument("--latex", action="store_true", help="write the book's LaTeX and its figures")
    what.add_argument("--book", action="store_true", help="compile the book's LaTeX into the book's PDF (after --latex)")
    what.add_argument("--offprint", metavar="ISO3", choices=config.iso3_codes(),
                      help="cut one country's PDF from the book's LaTeX (after --latex)")
    args = ap.parse_args(argv)
    try:
        system_deps.ensure()
        if args.latex:
            path = build_latex()
        elif args.book:
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
    from analysis import quickexit

    quickexit.install()  # a build step: no last garbage collection at exit
    sys.exit(main())
