"""The registry of raw files (``data/sources.yml``): provenance, and the sha256
that pins each file's content. The build stops when a file changed without
its registry entry being updated."""
from __future__ import annotations

import datetime as _dt
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import yaml

from analysis import config
from analysis.errors import DataError, clip
from analysis.paths import DATA, REGISTRY

REQUIRED = ("id", "file", "title", "publisher", "origin", "licence", "retrieved", "reader", "sha256")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
TEXT_FIELDS = REQUIRED + ("released", "notes", "original_name")


def load(path: Path = REGISTRY) -> list[dict]:
    """Registry entries in precedence order (later entries win on equal keys).

    Every id must be text: YAML reads an unquoted ``2023_05``, ``0x1F``, ``yes``
    or ``null`` as a number, a boolean or nothing, which is an error here (quote
    it), never a silent conversion. Dates YAML read as dates become ISO text."""
    try:
        doc = config.read_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(path, f"not readable YAML ({clip(' '.join(str(problem).split()), 80)})", row=row) from None
    entries = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise DataError(path, "has no `sources:` list")
    ids = set()
    for n, e in enumerate(entries, start=1):
        if not isinstance(e, dict):
            raise DataError(path, f"entry {n} is not a mapping of fields")
        sid = e.get("id")
        if "id" in e and not isinstance(sid, str):
            raise DataError(path, f"entry {n}: id {sid!r} is read by YAML as {type(sid).__name__}, not text; "
                                  f'quote it (id: "{sid}")', column="id")
        for k in ("released", "retrieved"):
            if isinstance(e.get(k), _dt.date):
                e[k] = e[k].isoformat()
        missing = [k for k in REQUIRED if not e.get(k)]
        if missing:
            raise DataError(path, f"entry {n} ({sid or '?'}) lacks {', '.join(missing)}")
        if not ID.fullmatch(sid):
            raise DataError(path, f"entry {n}: id {clip(sid)} must start with a letter and hold only letters, "
                                  "digits, '_', '.' or '-'", column="id")
        for k in TEXT_FIELDS:
            v = e.get(k)
            if v is not None and not isinstance(v, str):
                raise DataError(path, f"entry {n} ({sid}): {k} {clip(v)} is read by YAML as "
                                      f"{type(v).__name__}, not text; quote it", column=k)
            bad = v and next((c for c in v if c not in "\n\t" and is_control(c)), None)
            if bad:
                raise DataError(path, f"entry {n} ({sid}): {k} holds the control character U+{ord(bad):04X}",
                                column=k)
        if sid in ids:
            raise DataError(path, f"duplicate source id {sid!r}")
        ids.add(sid)
    return entries


def is_control(ch: str) -> bool:
    """A character that must not stand in a registry field: C0/C1 controls
    (tab and newline included: fields are one line or folded), line and paragraph
    separators, and the bidirectional overrides that make text read differently."""
    o = ord(ch)
    return o < 0x20 or 0x7F <= o <= 0x9F or o in (0x2028, 0x2029) or 0x202A <= o <= 0x202E \
        or 0x2066 <= o <= 0x2069


FIELD_ORDER = ("id", "file", "title", "publisher", "origin", "original_name", "licence", "released",
               "retrieved", "reader", "notes", "sha256")


def appended_text(text: str, new: list[dict]) -> str:
    """``text`` (the registry as it stands: comments and hand-written entries
    kept byte for byte) with ``new`` entries appended to its ``sources:`` list,
    written by PyYAML's safe dumper (which quotes whatever would not read back
    as the same string)."""
    ordered = [{k: e[k] for k in FIELD_ORDER if k in e} | {k: v for k, v in e.items() if k not in FIELD_ORDER}
               for e in new]
    dumped = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    block = "".join("  " + line if line.strip() else line for line in dumped.splitlines(keepends=True))
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


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
