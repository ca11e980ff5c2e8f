"""Small fixes to the HTML that Jupyter Book 1 writes, so that the site works
offline, logs no browser error and passes axe-core (tests/test_browser.py).

- sphinx-thebe is always loaded by Jupyter Book 1 even with launch buttons off;
  it writes its inline configuration twice (a "THEBE_JS_URL has already been
  declared" error in every page) and names a CDN. The book has no live code, so
  its scripts and stylesheet are left out of every page.
- docutils marks a bibliography as role="list" whose entries have the deprecated
  role "doc-biblioentry", so the list has no list items (a critical axe
  violation); the entries become list items.
"""
from __future__ import annotations


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body


def _page_context(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if files:
            files[:] = [f for f in files if not _is_thebe(f)]
    body = context.get("body")
    if body and 'class="citation-list"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
