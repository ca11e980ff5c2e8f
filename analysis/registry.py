"""The registry of raw files (``data/sources.yml``): provenance, and the sha256
that pins each file's content. The build stops when a file changed without
its registry entry being updated."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import DataError
from .paths import DATA, REGISTRY

REQUIRED = ("id", "file", "title", "publisher", "origin", "licence", "retrieved", "reader", "sha256")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def load(path: Path = REGISTRY) -> list[dict]:
    """Registry entries in precedence order (later entries win on equal keys)."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    ids = set()
    for n, e in enumerate(entries, start=1):
        missing = [k for k in REQUIRED if not e.get(k)]
        if missing:
            raise DataError(path, f"entry {n} ({e.get('id', '?')}) lacks {', '.join(missing)}")
        if e["id"] in ids:
            raise DataError(path, f"duplicate source id {e['id']!r}")
        ids.add(e["id"])
    return entries


@lru_cache(maxsize=None)
def by_id() -> dict[str, dict]:
    return {e["id"]: e for e in load()}


def file_of(entry: dict) -> Path:
    return DATA / entry["file"]


def verify(entries: list[dict]) -> None:
    """Raise DataError for a missing file or a hash that no longer matches."""
    for e in entries:
        path = file_of(e)
        if not path.exists():
            raise DataError(REGISTRY, f"source {e['id']!r}: file {e['file']} does not exist")
        actual = sha256(path)
        if actual != e["sha256"]:
            raise DataError(path, f"sha256 is {actual}, data/sources.yml records {e['sha256']} for "
                                  f"{e['id']!r}: the file changed; if on purpose, update the registry")
