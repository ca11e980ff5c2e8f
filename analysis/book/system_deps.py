"""The Debian packages the PDF build needs (xelatex, latexmk, the LaTeX
packages Sphinx uses, the Noto and FreeFont fonts, poppler-utils for the
tests), checked before ``make pdf``.

    python -m analysis.book.system_deps          # install what is missing (as root), or explain how

Missing packages are installed with apt-get when running as root (a new CI
machine); otherwise the build stops and prints the exact command to run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = ["texlive-xetex", "latexmk", "texlive-latex-recommended", "texlive-fonts-recommended",
            "fonts-freefont-otf", "fonts-noto-core", "fonts-noto-cjk", "poppler-utils"]
PROGRAMS = ["xelatex", "latexmk", "kpsewhich", "fc-list", "pdfinfo", "pdffonts", "pdftotext", "pdfimages"]
# (what, how to check it): checked with kpsewhich (LaTeX files) or fc-list (fonts)
TEX_FILES = ["fontspec.sty", "polyglossia.sty", "tabulary.sty", "fncychap.sty", "capt-of.sty",
             "needspace.sty", "wrapfig.sty", "upquote.sty", "framed.sty", "titlesec.sty", "booktabs.sty"]
FONTS = ["Noto Serif", "Noto Sans", "Noto Serif CJK SC", "FreeSerif", "DejaVu Sans Mono"]

APT_COMMAND = "apt-get update && apt-get install -y --no-install-recommends " + " ".join(PACKAGES)
SUDO_COMMAND = "sudo apt-get update && sudo apt-get install -y --no-install-recommends " + " ".join(PACKAGES)


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def missing() -> list[str]:
    """What the PDF build lacks on this machine (programs, LaTeX files, fonts)."""
    out = [p for p in PROGRAMS if shutil.which(p) is None]
    if shutil.which("kpsewhich"):
        out += [f for f in TEX_FILES if not _run(["kpsewhich", f]).strip()]
    if shutil.which("fc-list"):
        families = _run(["fc-list", ":", "family"])
        names = {n.strip() for line in families.splitlines() for n in line.split(",")}
        out += [f"font {f}" for f in FONTS if f not in names]
    return out


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure(install: bool | None = None) -> None:
    """Return when everything is there; install it as root; else exit with the command."""
    lack = missing()
    if not lack:
        return
    if install is None:
        install = is_root() and shutil.which("apt-get") is not None
    if install:
        print(f"system_deps: missing {', '.join(lack)}; installing: {APT_COMMAND}", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["sh", "-c", APT_COMMAND], check=True, env=env)
        lack = missing()
        if not lack:
            return
    raise SystemExit(
        f"The PDF build needs Debian packages that are missing here ({', '.join(lack)}).\n"
        f"Install them with:\n\n    {SUDO_COMMAND}\n")


def main(argv: list[str] | None = None) -> int:
    ensure()
    print("system_deps: TeX, fonts and poppler-utils are installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
