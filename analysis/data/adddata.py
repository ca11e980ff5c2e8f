"""Add new input files to the book: ``make book DATA="a.csv b.csv"``.

    python -m analysis.data.adddata path/a.csv path/b.csv
    python -m analysis.data.adddata --from-env      # the Makefile: the list is $SRD_DATA

Each file is recognised by its layout (World Bank wide download, its ZIP or
Excel download, or the unzipped folder of the ZIP; long
``Country Name,Country Code,Year,Value``; the book's tidy CSV; TI CPI; UN
EGDI), parsed, and validated together with every registered file exactly as
the build would. Only when all of that passes is it kept in ``data/raw/`` and
appended to ``data/sources.yml`` with its sha256, so that a later plain
``make book`` reproduces the same book. A file that fails is not added: the
error is one line naming the file, row and column, and nothing in ``data/``
changes.

The list of files is never seen by a shell: the Makefile hands ``DATA`` over
unexpanded in the environment and it is split here like a command line
(:func:`shlex.split`), so quotes group a name with spaces and ``;``, ``$(...)``
or backticks are parts of a name. A ``DATA`` that is as a whole the name of an
existing file is that one file, quoted or not.

Files are stored under a plain ASCII name (transliterated, see
:func:`safe_name`); the name they were given is kept as ``original_name``.
The new registry is written to a temporary file, read back, and the whole
ingest is run from it before it replaces the old one (an atomic rename).

Files added later take precedence: their values replace older ones for the
same country, indicator and year (listed in the data appendix).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

from analysis.data import ingest, registry
from analysis.data.readers import API_TABLE, READERS, metadata_kind, not_data, sniff_reader, wb_folder_metadata
from analysis.errors import DataError, _display_path, clip
from analysis.paths import DATA, REGISTRY

SUFFIXES = (".csv", ".txt", ".zip", ".xlsx", ".xls")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# ids that a YAML or CSV reader could take for something other than text
RESERVED_IDS = {"null", "none", "nan", "na", "true", "false", "yes", "no", "on", "off", "y", "n", "inf"}
MAX_STEM = 80


def parse_data_list(text: str) -> list[Path]:
    """The files named by ``DATA``: split like a command line, never executed.
    A leading ``~`` is the home directory (as the shell would have made it)."""
    text = text.strip()
    if not text:
        return []
    if Path(os.path.expanduser(text)).exists():
        return [Path(os.path.expanduser(text))]
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise DataError("DATA", f"cannot split {clip(text, 60)} into file names ({exc}); quote a name with "
                                "spaces as DATA='\"my file.csv\"'") from None
    return [Path(os.path.expanduser(w)) for w in words]


def safe_name(path: Path) -> str:
    """A plain ASCII file name for data/raw/: no directories, no traversal, no
    hidden file; other scripts transliterated (``Интернет данные 2024.csv`` →
    ``Internet_dannye_2024.csv``), and a short hash of the given name where
    nothing readable is left or the name is cut."""
    from anyascii import anyascii

    given = Path(path).name
    suffix = Path(given).suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(path, "input files must be .csv (or .txt) files, a World Bank .zip download or "
                              "its Excel .xls/.xlsx download")
    stem = UNSAFE.sub("_", anyascii(given[: -len(suffix)])).strip("._-")
    tag = hashlib.sha256(given.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    if not stem:
        stem = f"file-{tag}"
    elif len(stem) > MAX_STEM:
        stem = f"{stem[:MAX_STEM - 9]}-{tag}"
    return stem + suffix


def source_id(dest_rel: str, used: set[str]) -> str:
    """A registry id from the stored name: lower-case letters, digits and '_',
    starting with a letter, never a word YAML or pandas reads as non-text."""
    sid = re.sub(r"[^a-z0-9_]+", "_", Path(dest_rel).stem.lower()).strip("_")[:40].strip("_") or "added"
    if not sid[0].isalpha() or sid in RESERVED_IDS:
        sid = f"src_{sid}"
    base, n = sid, 2
    while sid in used:
        sid, n = f"{base}_{n}", n + 1
    return sid


def one_line(text: str) -> str:
    """Text from a data file as one registry line: runs of white space (newlines,
    tabs) become one space; any other control character is refused by ``check``."""
    return " ".join(str(text).split())


def check_entry(path: Path, entry: dict) -> None:
    """Refuse a control character (or a bidirectional override) in any field."""
    for k, v in entry.items():
        if isinstance(v, str):
            bad = next((c for c in v if registry.is_control(c)), None)
            if bad:
                what = "the file name" if k == "original_name" else f"its {k}"
                raise DataError(path, f"{what} holds the control character U+{ord(bad):04X}, which the "
                                      "registry does not keep; remove it (or rename the file)")


PUBLISHERS = {"wb_wide": "World Bank, World Development Indicators",
              "wb_zip": "World Bank, World Development Indicators",
              "wb_excel": "World Bank, World Development Indicators",
              "wb_long": "World Bank, World Development Indicators (long layout)",
              "ti_cpi": "Transparency International", "un_egdi": "UN DESA",
              "doing_business": "World Bank, Doing Business"}
NO_LICENCE = "as stated by the publisher (not recorded)"


def describe(path: Path, reader: str) -> tuple[dict, list[str]]:
    """Registry fields for an analyst's file, read from the file where it says,
    and notes on what of a World Bank download was used or skipped."""
    parsed = READERS[reader](path, {})
    names = parsed.meta.get("indicator_names", {})
    codes = sorted(parsed.records["indicator"].unique())
    title = "; ".join(f"{one_line(names.get(c, c))} ({c})" for c in codes[:3]) + (" …" if len(codes) > 3 else "")
    meta, notes, meta_file = (parsed.meta.get("indicator_metadata"), parsed.meta.get("metadata_notes", []),
                              parsed.meta.get("metadata_file"))
    if reader == "wb_wide" and meta is None:
        meta, notes, meta_file = wb_folder_metadata(path)
    fields = {"title": title, "publisher": PUBLISHERS.get(reader, "Supplied by the analyst"),
              "released": parsed.meta.get("last_updated"), "licence": NO_LICENCE}
    text = ["Added with `make book DATA=...`."]
    if parsed.meta.get("table"):
        text.append(f"Data read from {parsed.meta['table']} of the download.")
    if meta is not None:
        found = {c: meta[c] for c in codes if c in meta}
        if meta and not found:
            notes.append(f"{meta_file} describes no indicator of the data: source note not recorded")
        orgs = sorted({one_line(m["source_organization"]) for m in found.values() if m.get("source_organization")})
        if orgs:
            fields["publisher"] += f" (source: {'; '.join(orgs)})"
        lic = sorted({one_line(m["licence"]) for m in found.values() if m.get("licence")})
        if lic:
            fields["licence"] = "; ".join(lic)
        elif found:
            notes.append(f"{meta_file} states no licence")
        for c, m in found.items():
            if m.get("source_note"):
                text.append(f"Source note of {c} (from {meta_file}): {one_line(m['source_note'])}")
    text += [n[0].upper() + n[1:] + "." for n in notes]
    fields["notes"] = " ".join(text)
    return fields, notes


def resolve_inputs(paths: list[Path]) -> list[tuple[Path, str]]:
    """(file to store, how it was supplied) for each argument: a folder stands
    for the API_ table in it (an unzipped World Bank download); a metadata file
    is accepted only beside its table, never alone."""
    out = []
    given = {Path(p).resolve() for p in paths}
    for src in map(Path, paths):
        if src.is_dir():
            tables = sorted(p for p in src.iterdir() if p.is_file() and API_TABLE.fullmatch(p.name))
            if len(tables) != 1:
                raise DataError(src, f"a folder must hold exactly one World Bank API_….csv table; it holds "
                                     f"{len(tables)}")
            out.append((tables[0], f"supplied as folder {src.name}/, table {tables[0].name}"))
            continue
        if not src.is_file():
            raise DataError(src, "no such file")
        kind = metadata_kind(src)
        if kind:
            partner = src.parent / re.sub(r"^Metadata_(Indicator|Country)_", "", src.name, flags=re.I)
            if partner.resolve() in given or src.parent.resolve() in given:
                continue  # read as the metadata of that table
            raise not_data(src, kind)
        out.append((src, f"supplied as {src.name}"))
    return out


def add(paths: list[Path], today: str | None = None) -> list[dict]:
    today = today or _dt.date.today().isoformat()
    entries = registry.load()
    used_files = {e["file"] for e in entries}
    used_ids = {e["id"] for e in entries}
    staged = []  # (source path, destination below data/, entry)
    for src, how in resolve_inputs(paths):
        name = safe_name(src)
        digest = registry.sha256(src)
        same = [e for e in entries + [s[2] for s in staged] if e["sha256"] == digest]
        if same:
            print(f"adddata: {src} is already registered as {same[0]['id']!r}; nothing to do")
            continue
        stem, suffix = Path(name).stem, Path(name).suffix
        dest_rel, n = f"raw/{name}", 2
        while dest_rel in used_files or (DATA / dest_rel).exists():
            dest_rel, n = f"raw/{stem}-{n}{suffix}", n + 1
        sid = source_id(dest_rel, used_ids)
        reader = sniff_reader(src)
        fields, notes = describe(src, reader)
        entry = {"id": sid, "file": dest_rel, "title": fields["title"], "publisher": fields["publisher"],
                 "origin": how, "original_name": src.name, "licence": fields["licence"],
                 "released": fields["released"], "retrieved": today, "reader": reader,
                 "notes": fields["notes"], "sha256": digest}
        check_entry(src, entry)
        for note in notes:
            print(f"adddata: {src.name}: {note}")
        used_files.add(dest_rel)
        used_ids.add(sid)
        staged.append((src, dest_rel, entry))
    if not staged:
        return []
    commit([(src, DATA / dest_rel) for src, dest_rel, _ in staged], entries, [e for _, _, e in staged])
    return [e for _, _, e in staged]


def commit(copies: list[tuple[Path, Path]], old: list[dict], new: list[dict]) -> None:
    """Copy the files in, write the new registry beside the old one, read it
    back, run the whole ingest from it, and only then rename it over the old
    one. On any failure (an interrupt included) the copies and the temporary
    registry are removed again: data/ is as it was."""
    made: list[Path] = []
    tmp_registry = REGISTRY.with_name(f".{REGISTRY.name}.{os.getpid()}.tmp")
    done = False
    try:
        for src, dest in copies:
            part = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
            made.append(part)
            shutil.copyfile(src, part)
            if dest.exists():  # chosen free above; never overwrite what appeared since
                raise DataError(dest, "appeared while the file was being added; try again")
            os.replace(part, dest)
            made.append(dest)
        text = registry.appended_text(REGISTRY.read_text(encoding="utf-8"), new)
        with open(tmp_registry, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        made.append(tmp_registry)
        reread = registry.load(tmp_registry)
        expected = old + new
        if [_plain(e) for e in reread] != [_plain(e) for e in expected]:
            raise DataError(REGISTRY, "the new registry does not read back as written; nothing was added")
        try:
            ingest.build(reread)
        except DataError as exc:
            raise _as_given(exc, copies) from None
        os.replace(tmp_registry, REGISTRY)
        done = True
    finally:
        if not done:
            for p in reversed(made):
                p.unlink(missing_ok=True)
    registry.by_id.cache_clear()


def _plain(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if v is not None}


def _as_given(exc: DataError, copies: list[tuple[Path, Path]]) -> DataError:
    """An error in a just-copied file, named as the user gave it."""
    for src, dest in copies:
        shown = _display_path(dest)
        if exc.file == shown or exc.file.startswith(shown + "/"):
            return DataError(str(src) + exc.file[len(shown):], exc.message, exc.row, exc.column)
    return exc


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["--from-env"]:
            paths = parse_data_list(os.environ.get("SRD_DATA", ""))
        else:
            paths = [Path(a) for a in argv]
        if not paths:
            return 0
        added = add(paths)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("error: no file was added; data/ and _build/ are unchanged", file=sys.stderr)
        return 1
    for e in added:
        print(f"adddata: registered {e['file']} as {e['id']!r} (reader {e['reader']}, sha256 {e['sha256'][:12]}…)")
    return 0


if __name__ == "__main__":
    from analysis import quickexit

    quickexit.install()  # a build step: no last garbage collection at exit
    sys.exit(main())
