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
