"""Content stamps: skip a build step whose inputs have not changed.

A step (generating the data pages, building the HTML) records the sha256 of
everything it reads in ``_build/.stamps.json`` after it succeeded; the next
run compares and does nothing when they are equal. Content, not modification
times, decides, so a fresh clone or a ``touch`` does not fool it, and any
change to a file or to the set of files does.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
from pathlib import Path
from typing import Iterable

from . import atomic
from .paths import BUILD, ROOT

STAMPS = BUILD / ".stamps.json"
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
    """sha256 over the relative names and bytes of the files (and ``extra``)."""
    h = hashlib.sha256(extra.encode())
    for f in files(paths):
        name = f.relative_to(ROOT) if f.is_relative_to(ROOT) else f
        h.update(b"\0" + str(name).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _load() -> dict:
    return atomic.read_state(STAMPS)


def fresh(step: str, value: str) -> bool:
    """True when ``step`` last succeeded with exactly these inputs."""
    return _load().get(step) == value


def record(step: str, value: str | None) -> None:
    """Remember the inputs of a successful run (``None`` forgets the step).

    Steps that run side by side (the notebooks and the generated pages) record
    into the same file: a lock makes each read-modify-write whole, and the new
    content replaces the file in one step, so no stamp is lost or torn."""
    STAMPS.parent.mkdir(parents=True, exist_ok=True)
    with open(STAMPS.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamps = _load()
        if value is None:
            stamps.pop(step, None)
        else:
            stamps[step] = value
        atomic.write_text(STAMPS, json.dumps(stamps, indent=1, sort_keys=True))
