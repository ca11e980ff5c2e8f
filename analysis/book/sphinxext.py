"""A small Sphinx extension (loaded through ``sphinx: local_extensions`` in
_config.yml) that gives the build the book's single version number,
``analysis.__version__``, without a conf.py, and shapes the LaTeX book:

- sets Sphinx's ``version``/``release``, appends the version to the HTML footer
  and writes the PDF title page (title, subtitle, authors, version, date, how
  to cite: :func:`analysis.report.cite.latex_titlepage`);
- in the LaTeX build only, turns the root page (``book/intro``) into one
  unnumbered *Introduction* chapter (Sphinx would otherwise promote its
  second-level headings to numbered chapters, shifting every chapter number)
  and starts each part of ``_toc.yml`` (*The region*, *Countries*, ...) with
  a ``\\part`` page, so that chapter numbers match the web book and the
  citations in :mod:`analysis.report.cite`;
- resolves once the pybtex plug-ins the citations use (:func:`_pybtex_plugins_once`);
- lets the Sphinx process end without its last garbage collection
  (:mod:`analysis.quickexit`).
"""
from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

from analysis import quickexit

INTRO_TITLE = "Introduction"
SUMMARY_TITLE = "Executive summary"  # the root page's first section: its own chapter, first in the PDF


def _config_inited(app, config) -> None:
    from analysis import __version__
    from analysis.report import cite

    config.version = config.release = __version__
    opts = dict(config.html_theme_options or {})
    footer = opts.get("extra_footer") or ""
    opts["extra_footer"] = (footer + "\n" if footer else "") + cite.footer_html()
    config.html_theme_options = opts
    elements = dict(config.latex_elements or {})
    elements["maketitle"] = cite.latex_titlepage()
    elements["preamble"] = (elements.get("preamble") or "") + "\n" + cite.latex_pdfinfo() + "\n"
    config.latex_elements = elements


def _tex(text: str) -> str:
    from analysis.report.cite import tex
    return tex(text)


def _raw(latex: str) -> nodes.raw:
    return nodes.raw("", latex, format="latex")


def _unnumbered(section: nodes.section, depth: int) -> list[nodes.Node]:
    """A section and its subsections as unnumbered LaTeX headings, flattened."""
    names = ["section", "subsection", "subsubsection", "paragraph"]
    title = section[0].astext() if section.children and isinstance(section[0], nodes.title) else ""
    out: list[nodes.Node] = [_raw("\\%s*{%s}\n" % (names[min(depth, len(names) - 1)], _tex(title)))]
    for child in section.children[1:]:
        if isinstance(child, nodes.section):
            out += _unnumbered(child, depth + 1)
        else:
            out.append(child)
    return out


def _title(section: nodes.section) -> str:
    return section[0].astext() if section.children and isinstance(section[0], nodes.title) else ""


def _chapter_head(title: str) -> nodes.raw:
    """An unnumbered chapter in the contents, on a new page (\\chapter* starts one)."""
    return _raw("\\chapter*{%s}\\addcontentsline{toc}{chapter}{%s}\\markboth{%s}{%s}\n" % ((_tex(title),) * 4))


def part_starts() -> dict[str, str]:
    """First document of each part of _toc.yml → the part's caption."""
    from analysis.report import toc as toc_file
    toc = toc_file.load()
    out = {}
    for part in toc.get("parts", []):
        chapters = part.get("chapters") or []
        if part.get("caption") and chapters:
            out[chapters[0]["file"]] = part["caption"]
    return out


def shape_latex_book(doctree: nodes.document, bibliography_doc: str | None = None) -> None:
    """Introduction as an unnumbered chapter, a \\part before each part, and the
    bibliography (which Sphinx gathers at the very end) inside the chapter that
    holds the ``bibliography`` directive (*References*)."""
    root = next(iter(doctree.findall(nodes.section)), None)
    if root is None:
        return
    summary: list[nodes.Node] = []
    intro: list[nodes.Node] = []
    rest: list[nodes.Node] = []
    for child in root.children[1:]:  # [0] is the book title, used by the title page
        has_chapters = isinstance(child, addnodes.start_of_file) or any(
            True for _ in child.findall(addnodes.start_of_file))
        if rest or has_chapters:
            rest.append(child)
        elif isinstance(child, nodes.section) and not summary and _title(child) == SUMMARY_TITLE:
            # set a size smaller, so that the summary stays on one page
            summary = [_chapter_head(SUMMARY_TITLE), _raw("\\begingroup\\small\n"), *_unnumbered(child, 0)[1:],
                       _raw("\\par\\endgroup\n")]
        elif isinstance(child, nodes.section) and _title(child) == INTRO_TITLE:
            intro += _unnumbered(child, 0)[1:]  # the chapter head below is its title
        elif isinstance(child, nodes.section):
            intro += _unnumbered(child, 0)
        else:
            intro.append(child)
    root.children = root.children[:1]
    root.extend([*summary, _chapter_head(INTRO_TITLE), *intro, *rest])
    starts = part_starts()
    for sof in list(doctree.findall(addnodes.start_of_file)):
        caption = starts.get(sof.get("docname"))
        if caption:
            sof.parent.insert(sof.parent.index(sof), _raw("\\part{%s}\n" % _tex(caption)))
    if bibliography_doc:
        from sphinx.builders.latex.nodes import thebibliography
        bib = next(iter(doctree.findall(thebibliography)), None)
        home = next((s for s in doctree.findall(addnodes.start_of_file)
                     if s.get("docname") == bibliography_doc), None)
        if bib is not None and home is not None:
            target = next((c for c in home.children if isinstance(c, nodes.section)), home)
            bib.parent.remove(bib)
            target.append(bib)


def png_for_svg(app, doctree: nodes.document) -> None:
    """LaTeX cannot include SVG: an SVG figure that has a PNG of the same name
    beside it (analysis.report.plots.save writes both) uses the PNG in the PDF."""
    from pathlib import Path

    supported = set(app.builder.supported_image_types)
    for node in doctree.findall(nodes.image):
        cands = node.get("candidates") or {}
        svg = cands.get("image/svg+xml")
        if not svg and str(cands.get("*", "")).lower().endswith(".svg"):
            svg = cands["*"]  # a figure given by its exact file name
        if not svg or supported.intersection(cands):
            continue
        png = Path(svg).with_suffix(".png").as_posix()
        if not (Path(app.srcdir) / png).is_file():
            continue
        owners = app.env.images[svg][0] if svg in app.env.images else {app.config.root_doc}
        app.env.images.add_file(next(iter(owners)), png)
        node["candidates"] = {"*": png}
        node["uri"] = png


LONG_ROWS = 12      # tables with more body rows than this may run over a page ...
LONG_CHARS = 1200   # ... as may tables with more text than this


def fit_tables(doctree: nodes.document) -> None:
    """Make long tables fit the page in LaTeX. Sphinx sets short tables with
    tabulary (one page, columns sized to their content), which cannot break
    across pages, and tables of more than 30 rows as longtable with
    unbreakable ``l`` columns, which run off the right edge. A table that is
    long (many rows or much text) becomes a longtable whose wrapping columns
    are sized from their content, so it breaks across pages and fits the width."""
    for table in list(doctree.findall(nodes.table)):
        if any(isinstance(a, nodes.table) for a in _ancestors(table)) or any(
                True for t in table.findall(nodes.table) if t is not table):
            continue  # nested tables: leave to Sphinx
        prev = table.previous_sibling() if hasattr(table, "previous_sibling") else None
        if isinstance(prev, addnodes.tabular_col_spec):
            continue  # the author chose the columns
        tgroup = next(iter(table.findall(nodes.tgroup)), None)
        if tgroup is None:
            continue
        colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
        body = next(iter(tgroup.findall(nodes.tbody)), None)
        rows = list(tgroup.findall(nodes.row))
        nbody = len(list(body.findall(nodes.row))) if body is not None else 0
        texts = [[e.astext() for e in r.children if isinstance(e, nodes.entry)] for r in rows]
        if any(len(t) != len(colspecs) for t in texts):
            continue  # spanning cells: leave to Sphinx
        total = sum(len(x) for t in texts for x in t)
        if nbody <= LONG_ROWS and total <= LONG_CHARS and nbody <= 30:
            continue
        for spec, w in zip(colspecs, column_widths(texts, len(colspecs))):
            spec["colwidth"] = w
        for cls in ("colwidths-given", "longtable"):
            if cls not in table["classes"]:
                table["classes"].append(cls)


def column_widths(rows: list[list[str]], ncols: int, text_width_pt: float = 453.0,
                  char_pt: float = 4.4, colsep_pt: float = 8.0) -> list[int]:
    """Relative column widths (in characters) for a table of text cells (first
    row: the header): each column at least as wide as its longest word (up to
    10 characters: longer words hyphenate), the rest of the line shared in
    proportion to how much text its cells hold on average."""
    capacity = (text_width_pt - colsep_pt * ncols) / char_pt
    least, want = [], []
    for j in range(ncols):
        cells = [r[j] for r in rows]
        body = cells[1:] or cells  # the header row aside
        mean = sum(len(c) for c in body) / len(body)
        word = max((len(w) for c in cells for w in c.split()), default=1)
        lo = max(3, min(word, 10)) + 1  # longer words hyphenate
        least.append(lo)
        want.append(max(lo, min(mean, 160)))
    if sum(want) <= capacity or sum(least) >= capacity:
        widths = want if sum(want) <= capacity else least
    else:
        share = (capacity - sum(least)) / (sum(want) - sum(least))
        widths = [lo + (w - lo) * share for lo, w in zip(least, want)]
    return [max(1, round(w * 10)) for w in widths]


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def _bibliography_doc(app) -> str | None:
    try:
        keys = list(app.env.get_domain("cite").bibliographies)
    except Exception:  # sphinxcontrib-bibtex not loaded
        return None
    return keys[0].docname if keys else None


def _doctree_resolved(app, doctree, docname) -> None:
    if app.builder.name == "latex" and docname == app.config.root_doc:
        shape_latex_book(doctree, _bibliography_doc(app))
    if app.builder.name == "latex":
        png_for_svg(app, doctree)
        fit_tables(doctree)


# ------------------------------------------------ incremental = cold, byte for byte
def _mystnb_css_first(app) -> None:
    """Put myst-nb's stylesheet in ``_static`` before any page is written.
    myst-nb copies it when the build has finished, and Sphinx stamps a
    stylesheet link with ``?v=<checksum>`` only when the file is already
    there: a cold build wrote pages without the stamp, an incremental one
    (the file left by the previous build) re-wrote the changed pages with it."""
    if app.builder.format != "html":
        return
    from pathlib import Path

    from myst_nb.sphinx_ext import add_global_html_resources

    Path(app.builder.outdir, "_static").mkdir(parents=True, exist_ok=True)
    add_global_html_resources(app, None)


def _index_entries(doctree) -> list:
    """The search index's entries for one page's index nodes (the glossary's
    terms), as Sphinx's indexer gathers them for a page it writes."""
    from sphinx.util.index_entries import split_index_msg

    entries: set = set()
    for node in doctree.findall(addnodes.index):
        for entry_type, value, target_id, main, _key in node["entries"]:
            try:
                result = split_index_msg(entry_type, value)
            except ValueError:
                continue
            target_id = target_id or ""
            if entry_type in {"see", "seealso"}:
                entries.add((result[0], target_id, main))
            entries |= {(x, target_id, main) for x in result}
    return sorted(entries)


# Each page's index entries, kept in the environment (which Sphinx saves between
# builds) when the page is read, so that an incremental build need not load
# every other page's doctree to gather them again (0.3 s of a 3.4 s build).
INDEX_ENTRIES = "srd_index_entries"


def _kept(env) -> dict:
    if not hasattr(env, INDEX_ENTRIES):
        setattr(env, INDEX_ENTRIES, {})
    return getattr(env, INDEX_ENTRIES)


def _doctree_read(app, doctree) -> None:
    _kept(app.env)[app.env.docname] = _index_entries(doctree)


def _env_purge_doc(app, env, docname) -> None:
    _kept(env).pop(docname, None)


def _env_merge_info(app, env, docnames, other) -> None:  # a parallel read's pages
    _kept(env).update({d: e for d, e in _kept(other).items() if d in docnames})


def _prune_search_index(app):
    """Drop the words no page has any more from the search index: Sphinx's
    incremental build keeps every word of a page's previous version with an
    empty list of pages (``"term": []`` in ``searchindex.js``), which a cold
    build of the same sources does not have."""
    indexer = getattr(app.builder, "indexer", None)
    for mapping in (getattr(indexer, "_mapping", {}), getattr(indexer, "_title_mapping", {})):
        for word in [w for w, pages in mapping.items() if not pages]:
            del mapping[word]
    # index entries (the glossary's terms) are kept only for the pages written in this run:
    # add every other page's, as a cold build's feed does (from the environment, or
    # from the page's doctree where an environment saved before it was kept lacks them)
    if indexer is not None and hasattr(indexer, "_index_entries"):
        kept = _kept(app.env)
        for docname in sorted(app.env.found_docs):
            if docname in indexer._index_entries:
                continue
            entries = kept[docname] if docname in kept else _index_entries(app.env.get_doctree(docname))
            if entries:
                indexer._index_entries[docname] = entries
    # object types (glossary terms, citations) are numbered in the order first seen, and the
    # environment keeps an earlier build's numbering: number them afresh, as a cold build does
    for name in ("_objtypes", "_objnames"):
        table = getattr(indexer, name, None)
        if isinstance(table, dict):
            table.clear()
    return []


def _prune_stale_outputs(app, exc) -> None:
    """Downloads and images an incremental build no longer refers to (a figure
    that went with a data file) stay in the output folder, which a cold build
    would not have: remove them, so the two builds are equal file for file."""
    from pathlib import Path

    if exc is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    keep = {"_downloads": {dest for _, dest in app.env.dlfiles.values()},
            "_images": {name for _, name in app.env.images.values()}}
    for folder, names in keep.items():
        root = out / folder
        if not root.is_dir():
            continue
        for f in sorted(root.rglob("*"), reverse=True):
            rel = f.relative_to(root).as_posix()
            if f.is_file() and rel not in names:
                f.unlink()
            elif f.is_dir() and not any(f.iterdir()):
                f.rmdir()


# sphinxcontrib-bibtex asks pybtex for its plain-text backend at every
# citation it resolves, and pybtex looks a plug-in up among the entry points
# of every installed distribution each time (about 0.01 s a lookup: 448
# lookups took 4 s of a 16 s profiled build of the book, HTML or LaTeX).
# Registered at run time through pybtex's own API, the same class is found in
# a dictionary.
PYBTEX_PLUGINS = [("pybtex.backends", "plaintext")]


def _pybtex_plugins_once() -> None:
    from pybtex.plugin import find_plugin, register_plugin

    for group, name in PYBTEX_PLUGINS:
        register_plugin(group, name, find_plugin(group, name), force=True)


def setup(app):
    quickexit.install()  # Jupyter Book's process ends without its last garbage collection (0.6 s)
    _pybtex_plugins_once()
    app.connect("config-inited", _config_inited)
    app.connect("build-finished", _prune_stale_outputs)
    app.connect("doctree-resolved", _doctree_resolved)
    app.connect("builder-inited", _mystnb_css_first)
    app.connect("html-collect-pages", _prune_search_index)
    app.connect("doctree-read", _doctree_read)
    app.connect("env-purge-doc", _env_purge_doc)
    app.connect("env-merge-info", _env_merge_info)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
