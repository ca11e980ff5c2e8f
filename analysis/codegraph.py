"""What a build product is computed with: the modules of the ``analysis``
package it imports (transitively, read from the source, nothing imported), the
package's configuration and figure style, and the pinned versions of the
libraries those modules import (with the libraries those need in turn).

A chapter's fingerprint, a figure's key and a step's stamp take the digest of
exactly that, so editing a module nothing imports (``analysis/book/pdf.py`` for the
HTML) re-executes no chapter, and changing the pin of a library a chapter uses
(``requirements.txt``) re-executes it.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import re
import sys
from importlib import metadata
from pathlib import Path

from analysis.paths import ANALYSIS, ROOT

PACKAGE = "analysis"
REQUIREMENTS = ROOT / "requirements.txt"
DATA_SUFFIXES = {".yml", ".yaml", ".mplstyle"}   # the package's configuration and style


def module_file(name: str) -> Path | None:
    rel = name.split(".")[1:]
    if not rel:
        return ANALYSIS / "__init__.py"
    path = ANALYSIS.joinpath(*rel)
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def statements(tree: ast.AST):
    """Every statement of ``tree``, at any depth: the bodies of functions,
    classes, branches, loops, ``with``, ``try`` and ``match`` included. An
    import is a statement, so this finds each one that :func:`ast.walk` finds,
    without visiting the expressions (most of a module's nodes)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.stmt):
                        yield child
                        todo.append(child)
                    elif isinstance(child, (ast.excepthandler, ast.match_case)):
                        todo.append(child)


@functools.lru_cache(maxsize=None)
def _imports(path: Path, mtime_ns: int) -> tuple[frozenset, frozenset]:
    """(analysis modules, other top-level names) imported anywhere in the file,
    function bodies included (the package imports heavy modules lazily)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = path.relative_to(ANALYSIS.parent).with_suffix("").parts
    package = here[:-1]  # analysis/x.py and analysis/__init__.py: both are in package "analysis"
    ours, theirs = set(), set()
    for node in statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (ours if alias.name.split(".")[0] == PACKAGE else theirs).add(
                    alias.name if alias.name.split(".")[0] == PACKAGE else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            if stem.split(".")[0] != PACKAGE:
                theirs.add(stem.split(".")[0])
                continue
            ours.add(stem)
            for alias in node.names:  # `from . import config` names a module
                if module_file(f"{stem}.{alias.name}"):
                    ours.add(f"{stem}.{alias.name}")
    return frozenset(ours), frozenset(theirs)


def imports(name: str) -> tuple[frozenset, frozenset]:
    path = module_file(name)
    if path is None:
        return frozenset(), frozenset()
    return _imports(path, path.stat().st_mtime_ns)


def closure(entries) -> tuple[list[str], list[str]]:
    """(analysis modules, other top-level import names) reachable from ``entries``."""
    seen, others, todo = set(), set(), [e for e in entries]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        ours, theirs = imports(name)
        others |= theirs
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # a submodule runs its package's __init__
        todo += sorted(ours - seen)
    return sorted(n for n in seen if module_file(n)), sorted(others)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """requirements.txt: normalised distribution name → its pin line."""
    return _pins(REQUIREMENTS.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _pins(_mtime_ns: int) -> dict[str, str]:
    out = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            out[_norm(line.split("==")[0])] = line
    return out


@functools.lru_cache(maxsize=None)
def _requires(dist: str) -> tuple[str, ...]:
    from packaging.requirements import Requirement
    try:
        reqs = metadata.requires(dist) or []
    except metadata.PackageNotFoundError:
        return ()
    out = []
    for r in reqs:
        req = Requirement(r)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.append(_norm(req.name))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _distributions_of() -> dict:
    return metadata.packages_distributions()  # import name → distributions (reads every installed one)


def libraries(import_names) -> list[str]:
    """The distributions behind these top-level import names, with what they require."""
    top = _distributions_of()
    return with_requirements(_norm(d) for n in import_names if n not in sys.stdlib_module_names
                             for d in top.get(n, []))


def with_requirements(distributions) -> list[str]:
    """These distributions and everything they require, transitively."""
    todo, seen = list(distributions), set()
    while todo:
        d = todo.pop()
        if d not in seen:
            seen.add(d)
            todo += _requires(d)
    return sorted(seen)


def digest(entries, extra: str = "") -> str:
    """sha256 of the code ``entries`` run (see the module's docstring)."""
    entries = tuple(sorted(entries))
    stat = tuple((p, p.stat().st_mtime_ns) for p in files(entries))
    return _digest(entries, extra, stat, REQUIREMENTS.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _digest(entries: tuple, extra: str, stat: tuple, _pins_mtime: int) -> str:
    h = hashlib.sha256(extra.encode())
    for path, _ in stat:
        h.update(b"\0" + path.relative_to(ANALYSIS).as_posix().encode() + b"\0" + path.read_bytes())
    h.update(b"\0" + library_pins(entries).encode())
    return h.hexdigest()


def notebook_imports(path: Path) -> list[str]:
    """The modules a notebook template's code cells import (analysis and others)."""
    import nbformat
    nb = nbformat.read(path, as_version=4)
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in statements(tree):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                if node.module.split(".")[0] == PACKAGE:  # `from analysis.report import chapter` names a module
                    names |= {f"{node.module}.{a.name}" for a in node.names if module_file(f"{node.module}.{a.name}")}
    return sorted(names)


def files(entries) -> list[Path]:
    """The files behind :func:`digest` (modules and configuration), for a
    step's content stamp (analysis/steps.py, analysis/book/publish.py)."""
    modules, _ = closure(entries)
    return sorted({module_file(n) for n in modules} | {p for p in ANALYSIS.glob("*") if p.suffix in DATA_SUFFIXES})


def library_pins(entries) -> str:
    """The pin lines of the libraries ``entries`` import (and what those need)."""
    _, others = closure(entries)
    table = pins()
    return "\n".join(table.get(d, d + " (not pinned)") for d in libraries(others))


def distribution_pins(distributions) -> str:
    """The pin lines of these distributions and of what they require (no
    scan of every installed package, unlike :func:`library_pins`)."""
    table = pins()
    return "\n".join(table.get(d, d + " (not pinned)") for d in with_requirements(map(_norm, distributions)))

