"""Add new input files to the book: ``make book DATA="a.csv b.csv"``.

    python -m analysis.adddata path/a.csv path/b.csv

Each file is recognised by its layout (World Bank wide download, long
``Country Name,Country Code,Year,Value``, the book's tidy CSV, TI CPI, UN
EGDI), parsed, and validated together with every registered file exactly as
the build would. Only when all of that passes is it copied into ``data/raw/``
and appended to ``data/sources.yml`` with its sha256, so that a later plain
``make book`` reproduces the same book. A file that fails is not added: the
error is one line naming the file, row and column, and nothing is written.

Files added later take precedence: their values replace older ones for the
same country, indicator and year (listed in the data appendix).
"""
from __future__ import annotations

import datetime as _dt
import re
import shutil
import sys
from pathlib import Path

from . import ingest, registry
from .errors import DataError
from .paths import RAW, REGISTRY
from .readers import READERS, sniff_reader
from .untrusted import yaml_scalar

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(path: Path) -> str:
    """A plain file name for data/raw/: no directories, no traversal, no hidden file."""
    name = SAFE_NAME.sub("_", Path(path).name).lstrip("._-")
    if not name or not name.lower().endswith((".csv", ".txt")):
        raise DataError(path, "input files must be .csv (or .txt) files")
    return name


def describe(path: Path, reader: str) -> dict:
    """Registry fields for an analyst's file, read from the file where it says."""
    parsed = READERS[reader](path, {})
    names = parsed.meta.get("indicator_names", {})
    codes = sorted(parsed.records["indicator"].unique())
    title = "; ".join(f"{names.get(c, c)} ({c})" for c in codes[:3]) + (" …" if len(codes) > 3 else "")
    publisher = {"wb_wide": "World Bank, World Development Indicators",
                 "wb_long": "World Bank, World Development Indicators (long layout)",
                 "ti_cpi": "Transparency International", "un_egdi": "UN DESA",
                 "doing_business": "World Bank, Doing Business"}.get(reader, "Supplied by the analyst")
    return {"title": title, "publisher": publisher, "released": parsed.meta.get("last_updated"),
            "notes": "Added with `make book DATA=...`."}


def add(paths: list[Path], today: str | None = None) -> list[dict]:
    today = today or _dt.date.today().isoformat()
    entries = registry.load()
    used_files = {e["file"] for e in entries}
    used_ids = {e["id"] for e in entries}
    staged = []  # (source path, destination, entry)
    for src in paths:
        src = Path(src)
        if not src.is_file():
            raise DataError(src, "no such file")
        name = safe_name(src)
        dest_rel = f"raw/{name}"
        digest = registry.sha256(src)
        same = [e for e in entries if e["sha256"] == digest]
        if same:
            print(f"adddata: {src} is already registered as {same[0]['id']!r}; nothing to do")
            continue
        stem = Path(name).stem
        n = 2
        while dest_rel in used_files:
            dest_rel = f"raw/{stem}-{n}{Path(name).suffix}"
            n += 1
        sid = re.sub(r"[^a-z0-9_]+", "_", Path(dest_rel).stem.lower()).strip("_")[:40] or "added"
        base, n = sid, 2
        while sid in used_ids:
            sid, n = f"{base}_{n}", n + 1
        reader = sniff_reader(src)
        entry = {"id": sid, "file": dest_rel, **describe(src, reader), "origin": f"supplied as {src.name}",
                 "licence": "as stated by the publisher (not recorded)", "retrieved": today,
                 "reader": reader, "sha256": digest}
        used_files.add(dest_rel)
        used_ids.add(sid)
        staged.append((src, dest_rel, entry))
        entries.append({**entry, "_src": str(src)})
    if not staged:
        return []
    # validate everything together, reading the new files where they are now
    check = []
    for e in entries:
        if "_src" in e:
            check.append({**{k: v for k, v in e.items() if k != "_src"}, "file": str(Path(e["_src"]).resolve())})
        else:
            check.append(e)
    ingest.build(check)  # an absolute `file` wins over the data/ prefix in registry.file_of
    for src, dest_rel, entry in staged:
        shutil.copyfile(src, RAW.parent / dest_rel)
    append_registry([e for _, _, e in staged])
    return [e for _, _, e in staged]


def _yaml_str(value) -> str:
    return yaml_scalar(None if value is None else str(value))  # PyYAML's safe dumper, never hand-quoted


def append_registry(new: list[dict]) -> None:
    """Append entries as YAML text, keeping the hand-written comments above."""
    keys = ["id", "file", "title", "publisher", "origin", "licence", "released", "retrieved", "reader",
            "notes", "sha256"]
    lines = []
    for e in new:
        lines.append(f"  - id: {_yaml_str(e['id'])}")
        for k in keys[1:]:
            lines.append(f"    {k}: {_yaml_str(e.get(k))}")
    text = REGISTRY.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    REGISTRY.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    registry.by_id.cache_clear()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        return 0
    try:
        added = add([Path(a) for a in argv])
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("error: no file was added; data/ and _build/ are unchanged", file=sys.stderr)
        return 1
    for e in added:
        print(f"adddata: registered {e['file']} as {e['id']!r} (reader {e['reader']}, sha256 {e['sha256'][:12]}…)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
