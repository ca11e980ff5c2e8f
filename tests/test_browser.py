"""The built book in a real browser (headless Chromium driven by Playwright).

A session fixture serves ``_build/html`` on 127.0.0.1 (a free port, http.server in a
thread). Every page of the book is visited and must: log no console error, make no
request that leaves 127.0.0.1 (the book must work offline), show every image, and pass
axe-core's accessibility rules with no serious or critical violation. The search page
must find each country's chapter, the sidebar must reach every chapter, each figure's
CSV download must hold exactly the numbers the figure plots, each country chapter must
offer its executed notebook, and every internal link and anchor must resolve.

Screenshots of every page are saved under ``_build/screenshots/``.
Needs /usr/bin/chromium and node_modules/axe-core (``make browser-deps`` installs both).
"""
from __future__ import annotations

import functools
import http.server
import io
import json
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import urlopen

import pandas as pd
import pytest
import yaml

from analysis import config
from analysis.data import indicators
from analysis.paths import BUILD, ROOT
from analysis.report import chapter, plots
from layers import requires

HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SKIP_PAGES = {"genindex.html", "search.html"}

pytestmark = requires(HTML / "index.html", "book")


def book_pages() -> list[str]:
    """Every HTML page of the built book, relative to _build/html (no index/search
    pages, nothing under hidden or underscore folders such as _static)."""
    if not HTML.exists():
        return []
    out = []
    for p in sorted(HTML.rglob("*.html")):
        rel = p.relative_to(HTML)
        if rel.as_posix() in SKIP_PAGES or any(part.startswith((".", "_")) for part in rel.parts[:-1]):
            continue
        out.append(rel.as_posix())
    return out


def toc_chapters() -> list[str]:
    """Every document of _toc.yml as the HTML page it becomes."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return [f + ".html" for f in files]


PAGES = book_pages()


# ----------------------------------------------------------------- fixtures
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def site():
    """Base URL of _build/html served on 127.0.0.1 at a free port."""
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make browser-deps` (as root: apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """One page opened in a fresh browser context, with every request and every
    console error recorded. Requests that would leave 127.0.0.1 are recorded and
    then refused, so the test never depends on a network."""

    def __init__(self, browser, site):
        self.site = site
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.route("**/*", self._route)

    def _route(self, route):
        if is_local(route.request.url, self.site):
            route.continue_()
        else:
            route.abort()

    def goto(self, rel: str):
        resp = self.page.goto(urljoin(self.site, rel), wait_until="load")
        assert resp is not None and resp.ok, f"{rel}: HTTP {resp and resp.status}"
        self.page.wait_for_load_state("networkidle")
        return resp

    def external(self) -> list[str]:
        return [u for u in self.requests if not is_local(u, self.site)]

    def close(self):
        self.context.close()


def is_local(url: str, site: str) -> bool:
    return url.startswith(site) or url.startswith(("data:", "blob:", "about:"))


@pytest.fixture
def visit(browser, site):
    v = Visit(browser, site)
    yield v
    v.close()


# ------------------------------------------------------------- every page
def test_pages_found():
    assert len(PAGES) >= len(toc_chapters()), PAGES
    assert set(toc_chapters()) <= set(PAGES), set(toc_chapters()) - set(PAGES)


@pytest.mark.parametrize("rel", PAGES)
def test_page_offline_clean_and_complete(visit, rel):
    """No console error, no request off 127.0.0.1, every image shown; screenshot saved."""
    visit.goto(rel)
    page = visit.page
    page.evaluate("""() => Promise.all([...document.images].map(img => {
        img.loading = 'eager';
        return img.complete ? null : new Promise(r => { img.onload = img.onerror = r; });
    }))""")
    broken = page.evaluate("""() => [...document.images]
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.currentSrc || img.src)""")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / (rel[:-5].replace("/", "__") + ".png")), full_page=True)
    assert not visit.external(), f"{rel} requests outside 127.0.0.1: {visit.external()}"
    assert not visit.errors, f"{rel}: {visit.errors}"
    assert not broken, f"{rel}: images that do not load: {broken}"


@pytest.mark.parametrize("rel", PAGES)
def test_page_accessible(visit, rel):
    """axe-core finds no serious or critical violation."""
    assert AXE.exists(), "axe-core is missing: run `make browser-deps` (npm ci)"
    visit.goto(rel)
    visit.page.add_script_tag(path=str(AXE))
    result = visit.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = [f"{v['id']} ({v['impact']}): {v['help']} — " +
              "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5]) for v in bad]
    assert not bad, f"{rel}:\n" + "\n".join(report)
    assert not visit.external(), visit.external()


# ------------------------------------------------------------ search, nav
@pytest.mark.parametrize("iso3", config.iso3_codes())
def test_search_finds_country_chapter(visit, iso3):
    name = config.country(iso3).name
    visit.goto(f"search.html?q={name}")
    link = visit.page.locator(f'#search-results a[href*="countries/{iso3}.html"]').first
    link.wait_for(state="attached", timeout=20_000)
    assert not visit.external(), visit.external()
    assert not visit.errors, visit.errors


def test_sidebar_reaches_every_chapter(visit):
    visit.goto("index.html")
    hrefs = visit.page.eval_on_selector_all(
        "nav.bd-docs-nav a.reference, .bd-sidebar-primary a.reference",
        "els => els.map(e => e.href)")
    reached = {urlsplit(h).path.lstrip("/") for h in hrefs if is_local(h, visit.site)}
    missing = [c for c in toc_chapters()[1:] if c not in reached]
    assert not missing, f"not in the sidebar: {missing}"
    # following each sidebar link opens the chapter, whose own sidebar marks it current
    for rel in toc_chapters()[1:]:
        visit.page.goto(urljoin(visit.site, "index.html"))
        visit.page.locator(f'.bd-sidebar-primary a.reference[href$="{rel.split("/")[-1]}"]').first.click()
        visit.page.wait_for_load_state("load")
        assert urlsplit(visit.page.url).path.lstrip("/") == rel
        assert visit.page.locator(".bd-sidebar-primary li.current.active, .bd-sidebar-primary a.current").count()
    assert not visit.external(), visit.external()


# -------------------------------------------------------- figure downloads
class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "img", "script", "source", "iframe"):
                self.refs.append(a[key])


def parse(rel: str) -> Links:
    p = Links()
    p.feed((HTML / rel).read_text(encoding="utf-8"))
    return p


def downloads(rel: str, ext: str) -> dict[str, str]:
    """{file stem: href} of the _downloads links of one page with that extension."""
    out = {}
    for h in parse(rel).hrefs:
        path = urlsplit(h).path
        if "_downloads/" in path and path.endswith("." + ext):
            out[Path(path).stem] = h
    return out


def fetch(site: str, rel: str, href: str) -> bytes:
    with urlopen(urljoin(urljoin(site, rel), href), timeout=20) as r:  # noqa: S310 (127.0.0.1 only)
        assert r.status == 200
        return r.read()


def assert_same_table(got: pd.DataFrame, expected: pd.DataFrame, where: str):
    expected = expected.copy()
    expected.columns = [str(c) for c in expected.columns]
    got.columns = [str(c) for c in got.columns]
    got.index = got.index.astype(int)
    expected.index = expected.index.astype(int)
    assert list(got.columns) == list(expected.columns), where
    pd.testing.assert_frame_equal(got.astype(float), expected.astype(float), check_names=False,
                                  rtol=1e-12, atol=0, obj=where)


@pytest.fixture(scope="module")
def data():
    return indicators.with_derived(indicators.load())


def test_china_reference_figures_match_plotted_data(site, data):
    from analysis.data.indicators import wide
    rel = f"book/countries/{config.reference()}.html"
    csvs, pngs = downloads(rel, "csv"), downloads(rel, "png")
    for slug, code in [("reference-internet", "IT.NET.USER.ZS"), ("reference-broadband", "IT.NET.BBND.P2")]:
        assert slug in csvs and slug in pngs, f"{rel}: no downloads for {slug}"
        got = pd.read_csv(io.BytesIO(fetch(site, rel, csvs[slug])), index_col=0)
        table = wide(data, code)
        assert len(got) == 1
        assert_same_table(got, table.loc[[int(got.index[0])]], f"{slug}.csv")


@pytest.mark.parametrize("iso3", config.partners())
def test_country_figure_downloads_match_plotted_data(site, data, iso3):
    rel = f"book/countries/{iso3}.html"
    csvs, pngs, svgs = downloads(rel, "csv"), downloads(rel, "png"), downloads(rel, "svg")
    for k in chapter.KEYS:
        assert k.slug in csvs and k.slug in pngs and k.slug in svgs, f"{rel}: no downloads for {k.slug}"
        start = 2010 if k.indicator.startswith("EGDI") else 2005   # as in chapter.figures()
        expected = plots.compare_data(data, k.indicator, iso3)
        expected = expected[expected.index >= start]
        got = pd.read_csv(io.BytesIO(fetch(site, rel, csvs[k.slug])), index_col=0)
        assert_same_table(got, expected, f"{iso3} {k.slug}.csv")
        assert fetch(site, rel, pngs[k.slug])[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in fetch(site, rel, svgs[k.slug])[:2000]


def test_regional_figure_downloads_match_plotted_data(site, data):
    import matplotlib.pyplot as plt

    rel = "book/regional.html"
    csvs = downloads(rel, "csv")
    for k in chapter.KEYS:
        assert k.slug in csvs, f"{rel}: no CSV for {k.slug}"
        fig, year = plots.latest_bars(data, k.indicator)
        plt.close(fig)
        expected = indicators.wide(data, k.indicator).loc[[year]]
        got = pd.read_csv(io.BytesIO(fetch(site, rel, csvs[k.slug])), index_col=0)
        assert_same_table(got, expected, f"regional {k.slug}.csv")


# ------------------------------------------------------------ notebooks
@pytest.mark.parametrize("iso3", config.iso3_codes())
def test_chapter_offers_its_notebook(visit, iso3):
    """The theme's download button offers the executed .ipynb, which exists and
    is this country's notebook; the page tells how to re-run it."""
    rel = f"book/countries/{iso3}.html"
    visit.goto(rel)
    link = visit.page.locator('.dropdown-download-buttons a[href$=".ipynb"]').first
    href = link.get_attribute("href")
    assert href, "no .ipynb in the download menu"
    visit.page.locator(".dropdown-download-buttons button").first.click()
    assert link.is_visible()
    nb = json.loads(fetch(visit.site, rel, href))
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])
              or "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert any(f'country = "{iso3}"' in "".join(c["source"]) for c in params), "not this country's notebook"
    text = visit.page.locator("main").inner_text()
    assert "Re-run this chapter" in text
    assert f"python -m analysis.book.notebooks --chapter {iso3} --output {iso3}.ipynb" in text
    assert visit.page.locator("main .cell_input").count() == 0, "notebook code is visible"


# ------------------------------------------------------------ link check
# the pages plus search and index (not _static/*.html: theme macro files, not pages)
ALL_HTML = PAGES + sorted(p for p in SKIP_PAGES if (HTML / p).exists())


@functools.lru_cache(maxsize=None)
def ids_of(rel: str) -> frozenset[str]:
    return frozenset(parse(rel).ids)


def test_internal_links_and_anchors_resolve():
    """Every href/src of every built page that stays inside the site points to a
    file that exists and, with #id, to an element with that id."""
    problems = []
    for rel in ALL_HTML:
        for ref in parse(rel).refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref.startswith(("mailto:", "javascript:")):
                continue
            target = (HTML / rel).parent / unquote(parts.path) if parts.path else HTML / rel
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            try:
                trel = target.relative_to(HTML.resolve()).as_posix()
            except ValueError:
                problems.append(f"{rel}: {ref} points outside the site")
                continue
            if not target.exists():
                problems.append(f"{rel}: {ref} → missing file {trel}")
                continue
            frag = unquote(parts.fragment)
            if frag and trel.endswith(".html") and frag not in ids_of(trel):
                problems.append(f"{rel}: {ref} → no id '{frag}' in {trel}")
    assert not problems, f"{len(problems)} broken internal links:\n" + "\n".join(problems[:50])


# ------------------------------------------------- hostile text renders as text
HOSTILE_PAGES = ["book/data-dictionary.html", "book/data-methods.html", "book/coverage.html"]


@pytest.fixture(scope="module")
def hostile_site(hostile_book):
    """The book built with a data file whose every text field is hostile (tests/hostile.py), served."""
    repo, r, _ = hostile_book
    assert r.returncode == 0, r.stderr[-3000:]
    handler = functools.partial(_QuietHandler, directory=str(repo / "_build" / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize("rel", HOSTILE_PAGES)
def test_hostile_text_renders_as_text_not_markup(browser, hostile_site, rel):
    """Fails if any hostile string from a data file became markup: no dialog opens, no
    element or handler the data describes exists in the DOM, and the literal text of
    every hostile indicator name is visible on the data dictionary."""
    from analysis.untrusted import csv_cell
    from hostile import as_sphinx_shows, book_names, straight_quotes

    v = Visit(browser, hostile_site)
    dialogs = []
    v.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        v.goto(rel)
        injected = v.page.evaluate("""() => {
            const out = [];
            for (const el of document.querySelectorAll('*')) {
                for (const a of el.attributes) {
                    // the theme's own buttons have onclick handlers; none may come from the data
                    if (a.name.startsWith('on') && /alert|onerror|onload/i.test(a.name + a.value))
                        out.push(el.tagName + ' ' + a.name + '=' + a.value);
                    if (/^\\s*javascript:/i.test(a.value)) out.push(el.tagName + ' ' + a.name + '=' + a.value);
                }
            }
            for (const s of document.querySelectorAll('script:not([src])'))
                if (/alert\\(/.test(s.textContent)) out.push('inline script ' + s.textContent.slice(0, 60));
            for (const i of document.querySelectorAll('img, svg image, iframe'))
                if (/(^|\\/)(x|x\\.png)$/.test(i.getAttribute('src') || '')) out.push('img ' + i.getAttribute('src'));
            return out;
        }""")
        assert not dialogs, dialogs
        assert not injected, injected
        assert not v.external(), v.external()
        text = v.page.inner_text("main")
        # Sphinx's smart quotes make ' and " curly in all text: compare without them
        flat = " ".join(straight_quotes(text).split())
        if rel == "book/data-dictionary.html":
            for name in book_names():
                assert " ".join(as_sphinx_shows(csv_cell(name)).split()) in flat, name
        if rel == "book/data-methods.html":
            assert "supplied as API_x<img src=y onerror=alert(7)>{glue:}`k`.csv" in flat
    finally:
        v.close()
