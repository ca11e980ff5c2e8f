"""The book's Sphinx extension (analysis/book/sphinxext.py): in process, and what a
fresh interpreter imports with it."""
import subprocess
import sys

import pybtex.plugin
import pytest

from analysis.book import sphinxext


def test_the_citations_pybtex_plugins_are_looked_up_once(monkeypatch):
    """After the extension's set-up, the plain-text backend sphinxcontrib-bibtex
    asks for at every citation is the entry point's own class, found without
    scanning the installed distributions again."""
    expected = {(group, name): next(iter(pybtex.plugin.entry_points(group=group, name=name))).load()
                for group, name in sphinxext.PYBTEX_PLUGINS}
    monkeypatch.setattr(pybtex.plugin, "_RUNTIME_PLUGINS", {})
    sphinxext._pybtex_plugins_once()
    monkeypatch.setattr(pybtex.plugin, "entry_points", lambda **kw: pytest.fail(f"entry points scanned for {kw}"))
    for group, name in sphinxext.PYBTEX_PLUGINS:
        assert pybtex.plugin.find_plugin(group, name) is expected[group, name]


def test_the_extension_and_the_title_page_do_not_import_pandas():
    """Every Sphinx run (HTML, LaTeX) loads the extension and writes the title
    page; importing pandas for it cost 0.4 s of each run (a no-change HTML build
    took 2.0 s instead of 1.6 s)."""
    code = ("import sys; import analysis.book.sphinxext; from analysis.report import cite; "
            "cite.latex_titlepage(); cite.tex('Қазақстан & <b>'); print(sorted(m for m in ('pandas', 'numpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def _glossary_doctree(term: str):
    from docutils import nodes
    from docutils.utils import new_document
    from sphinx import addnodes

    doc = new_document("test")
    doc += addnodes.index(entries=[("single", term, f"term-{term}", "main", None),
                                   ("see", f"{term}; other", "", "", None)])
    doc += nodes.paragraph(text="text")
    return doc


class _Env:
    def __init__(self, docs):
        self.found_docs = set(docs)
        self.docname = None
        self.trees = {d: _glossary_doctree(d) for d in docs}
        self.loaded = []

    def get_doctree(self, docname):
        self.loaded.append(docname)
        return self.trees[docname]


class _Indexer:
    def __init__(self, written):
        self._mapping = {"kept": {"a"}, "stale": set()}
        self._title_mapping = {}
        self._index_entries = dict(written)
        self._objtypes = {("std", "term"): 0}
        self._objnames = {0: ("std", "term", "term")}


def _app(env, indexer):
    from types import SimpleNamespace
    return SimpleNamespace(env=env, builder=SimpleNamespace(indexer=indexer))


def test_index_entries_are_kept_when_a_page_is_read_and_used_for_the_pages_not_written():
    """An incremental build writes few pages; the search index still needs every
    page's index entries. They are kept in the environment when a page is read,
    so no other page's doctree is loaded for them (0.3 s of a 3.4 s build)."""
    env = _Env(["a", "b", "c"])
    app = _app(env, None)
    for d in ("a", "b", "c"):
        env.docname = d
        sphinxext._doctree_read(app, env.trees[d])
    assert sphinxext._kept(env)["b"] == sphinxext._index_entries(env.trees["b"])
    assert ("b", "term-b", "main") in sphinxext._kept(env)["b"]
    sphinxext._env_purge_doc(app, env, "c")
    assert set(sphinxext._kept(env)) == {"a", "b"}
    other = _Env(["c"])
    sphinxext._kept(other).update({"c": [("c", "term-c", "main")], "zz": []})
    sphinxext._env_merge_info(app, env, {"c"}, other)  # a parallel read's pages, and only those
    assert set(sphinxext._kept(env)) == {"a", "b", "c"}

    indexer = _Indexer({"a": [("written", "", "")]})
    env.loaded.clear()
    sphinxext._prune_search_index(_app(env, indexer))
    assert env.loaded == []  # no doctree loaded
    assert indexer._index_entries == {"a": [("written", "", "")], "b": sphinxext._kept(env)["b"],
                                      "c": [("c", "term-c", "main")]}
    assert indexer._mapping == {"kept": {"a"}} and indexer._objtypes == {} and indexer._objnames == {}


def test_a_page_an_older_environment_kept_no_entries_for_is_read_from_its_doctree():
    env = _Env(["a", "b"])
    sphinxext._kept(env)["a"] = []
    indexer = _Indexer({})
    sphinxext._prune_search_index(_app(env, indexer))
    assert env.loaded == ["b"]
    assert indexer._index_entries == {"b": sphinxext._index_entries(env.trees["b"])}
