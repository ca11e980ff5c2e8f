"""Content digests of files and folders: what a figure's cache key
(analysis/report/plots.py) is made of, and the file lists the Snakefile declares as
a rule's inputs.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

from analysis.paths import ROOT

SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def files(paths: Iterable[Path]) -> list[Path]:
    """Every file under the given files and folders, in a fixed order."""
    out: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            out.update(f for f in p.rglob("*") if f.is_file() and not SKIP_PARTS & set(f.parts))
        elif p.is_file():
            out.add(p)
    return sorted(out)


def digest(paths: Iterable[Path], extra: str = "") -> str:
    """sha256 over the relative names and bytes of the files (and ``extra``):
    content, not modification times, so a fresh clone or a ``touch`` changes nothing."""
    h = hashlib.sha256(extra.encode())
    for f in files(paths):
        name = f.relative_to(ROOT) if f.is_relative_to(ROOT) else f
        h.update(b"\0" + str(name).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()
