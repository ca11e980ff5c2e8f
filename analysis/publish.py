"""Build the HTML book and swap it into place, so that readers (and
``_build/html``) only ever see a complete book.

    python -m analysis.publish            # build what changed, publish
    python -m analysis.publish --force    # rebuild every page

1. Nothing to do when no Sphinx input changed since the last successful build
   (content stamp of the book's sources, configuration, templates, extensions
   and analysis package; see analysis/stamps.py).
2. Otherwise Jupyter Book builds into a persistent work folder,
   ``_build/.work``, where Sphinx keeps its environment between runs and
   re-reads and re-writes only the pages whose sources changed (a new
   chapter notebook, a regenerated data page). Warnings are errors and
   references are checked (``-W --nitpick``).
3. A finished build is copied to a staging folder and swapped over
   ``_build/html``. A failed build leaves ``_build/html`` untouched and
   discards the work folder, so its warnings are raised again next time
   rather than hidden by the cache; so does an interrupted one (the work
   folder is marked incomplete until the build finished).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import stamps
from .paths import ANALYSIS, BOOK, BUILD, ROOT

HTML = BUILD / "html"
WORK = BUILD / ".work"
STAGING = BUILD / ".staging"
INCOMPLETE = WORK / ".incomplete"
SOURCES = [ROOT / "_config.yml", ROOT / "_toc.yml", BOOK, ROOT / "_static", ROOT / "_templates", ROOT / "_ext",
           ANALYSIS, ROOT / "requirements.txt", ROOT / "CITATION.cff"]


def swap(staged: Path, target: Path) -> None:
    staged, target = Path(staged), Path(target)
    if not (staged / "index.html").exists():
        raise SystemExit(f"publish: {staged} holds no finished build (no index.html); {target} left as it was")
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    if old.exists():
        shutil.rmtree(old)


def jupyter_book() -> str:
    jb = Path(sys.executable).with_name("jupyter-book")
    return str(jb) if jb.exists() else "jupyter-book"


def build(force: bool = False) -> int:
    value = stamps.digest(SOURCES)
    if not force and stamps.fresh("html", value) and (HTML / "index.html").exists():
        print("html: up to date (no source changed)")
        return 0
    if force or INCOMPLETE.exists():
        shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    INCOMPLETE.touch()
    start = time.perf_counter()
    cmd = [jupyter_book(), "build", str(ROOT), "--builder", "html", "--warningiserror", "--nitpick",
           "--keep-going", "--quiet", "--path-output", str(WORK)]
    # Jupyter Book's closing banner names the work folder: keep it off the console
    # unless the build failed (warnings and errors go to stderr either way)
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        print(proc.stdout, end="")
        shutil.rmtree(WORK, ignore_errors=True)
        stamps.record("html", None)
        print(f"html: the build failed (messages above); {HTML.relative_to(ROOT)} left as it was", file=sys.stderr)
        return 1
    shutil.rmtree(STAGING, ignore_errors=True)
    shutil.copytree(WORK / "_build" / "html", STAGING)
    swap(STAGING, HTML)
    INCOMPLETE.unlink()
    stamps.record("html", value)
    print(f"html: {HTML.relative_to(ROOT)} updated in {time.perf_counter() - start:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="rebuild every page")
    args = ap.parse_args(argv)
    return build(force=args.force or os.environ.get("FORCE", "") not in ("", "0"))


if __name__ == "__main__":
    sys.exit(main())
