"""Write a file so that readers only ever see the old content or the new.

Every build output (figures, executed notebooks, generated pages, processed
tables, stamps, the execution manifest) is written to a temporary name in the
same folder and renamed over the target (``os.replace``, atomic on one file
system). A build interrupted (Ctrl-C) or racing another one leaves either the
previous file or the finished new one, never a truncated one; the temporary
file is removed when writing fails.

    with atomic.replacing(path) as tmp:   # write to tmp; renamed to path on success
        figure.savefig(tmp, format="png")
    atomic.write_text(path, text)
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path


def temporary_name(path: str | Path) -> Path:
    """A hidden name beside ``path`` that no other process uses
    (``.name.<pid>.tmp``: not a source Sphinx reads, nor a figure a page shows)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def replacing(path: str | Path):
    """Yield a temporary path beside ``path``; when the block succeeds, rename
    it over ``path``; when it fails (or is interrupted), remove it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    with replacing(path) as tmp:
        tmp.write_text(text, encoding=encoding)


def update_text(path: str | Path, text: str, encoding: str = "utf-8") -> bool:
    """Write ``text`` only if the file does not hold it already (an unchanged
    page keeps its bytes and its modification time); True when it wrote."""
    path = Path(path)
    if path.exists() and path.read_text(encoding=encoding) == text:
        return False
    write_text(path, text, encoding)
    return True


def read_state(path: str | Path) -> dict:
    """A JSON state file (stamps, the execution manifest) as written here; an
    absent or unreadable file is no state at all (everything is redone)."""
    import json
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_csv(path: str | Path, frame, **options) -> None:
    """``frame.to_csv(path, **options)``, atomically."""
    with replacing(path) as tmp:
        frame.to_csv(tmp, **options)
