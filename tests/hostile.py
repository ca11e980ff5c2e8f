"""Hostile text for the tests of issue 13 (item 2): every text field from a data
file is untrusted. ``HOSTILE`` is what a stranger could type into an indicator
name, a unit, a country name...; ``build_hostile_book`` builds the whole book in
a private copy of the repository with a World Bank file whose every text field
holds such a string (used by tests/test_untrusted.py and tests/test_browser.py)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from analysis.book import repocopy

ROOT = Path(__file__).resolve().parents[1]

# Printable strings a data file may legitimately carry as text: they must be
# accepted and then shown literally wherever they go.
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    "<svg/onload=alert(3)>",
    "```{raw} html",
    "```{include} /etc/hostname",
    ":::{include} /etc/hostname",
    "{glue:}`countries/KAZ.ipynb::name`",
    "{glue:text}`x`",
    "{doc}`index`",
    "{{ x }}",
    "[a](javascript:alert(4))",
    "![i](x.png)",
    "<https://evil.example/>",
    "https://evil.example/x www.evil.example",
    "(target)=",
    "% a MyST comment",
    "# Heading",
    "a | b | c",
    "$x^2$ and $$y$$",
    "[^note]",
    "*emph* __strong__ ~~strike~~",
    "&lt;script&gt; &#60;b&#62;",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\\input{/etc/passwd} \\def\\x{y} 100% & $5 #1 _a ^b ~c {d}",
    "yes",
    "null",
    "0x1F",
    "- item: [1, 2]",
    "'single' \"double\" `back`",
    "\\`\\*\\_ \\\\",
    "Интернет данные 2024 · 中文 · ʻ",
    "-->",
    "]]>",
]

# Text that must be refused when read, with a one-line error naming file, row, column.
REFUSED = {
    "NUL": "a\x00b",
    "bell": "a\x07b",
    "escape sequence": "\x1b[31mred",
    "tab": "a\tb",
    "vertical tab": "a\x0bb",
    "DEL": "a\x7fb",
    "C1 control": "a\x85b",
    "line separator": "a\u2028b",
    "bidi override": "abc\u202edcba",
    "line break": "first\nsecond",
    "carriage return": "first\rsecond",
    "very long": "x" * 5000,
}

CODES = [f"HST.{chr(ord('A') + i // 26)}{chr(ord('A') + i % 26)}" for i in range(len(HOSTILE))]


def _q(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def wb_wide_file(names=HOSTILE, last_updated="2025-07-01", world_code="<img src=x onerror=alert(5)>") -> str:
    """A World Bank wide download: one indicator per hostile name (for Kazakhstan), a
    hostile indicator code on a row of a country outside the book, hostile country
    names and preamble."""
    lines = [f'{_q("Data Source")},{_q("World Development Indicators <script>alert(6)</script>")},', "",
             f'{_q("Last Updated Date")},{_q(last_updated)},', "",
             '"Country Name","Country Code","Indicator Name","Indicator Code","2019","2020",']
    for code, name in zip(CODES, names):
        lines.append(",".join(_q(v) for v in ["Kazakhstan {{ x }}", "KAZ", name, code, "10.5", "11.5"]) + ",")
    lines.append(",".join(_q(v) for v in ["World", "WLD", "=HYPERLINK(\"x\")", world_code, "1", "2"]) + ",")
    return "\ufeff" + "\n".join(lines) + "\n"


HOSTILE_FILE_NAME = "API_x<img src=y onerror=alert(7)>{glue:}`k`.csv"


def copy_repo(dst: Path) -> Path:
    """The tracked files of the repository (as in a fresh clone), with a venv of
    its own layered on this checkout's (analysis/book/repocopy.py)."""
    return repocopy.copy(dst)


def step_env(**extra: str) -> dict:
    """This environment without an enclosing make's variables (``make test``
    runs the tests): a step a test runs behaves as one run by hand."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")} | extra


def run_step(repo: Path, *args, timeout: int = 600, **extra_env: str) -> subprocess.CompletedProcess:
    """Run a command in a repository copy; it must succeed (its output is the
    assertion's message)."""
    r = subprocess.run([str(a) for a in args], cwd=repo, capture_output=True, text=True,
                       env=step_env(**extra_env), timeout=timeout)
    assert r.returncode == 0, f"{' '.join(map(str, args))}:\n{r.stdout}\n{r.stderr}"
    return r


def snakemake(repo: Path, *args, **extra_env: str) -> subprocess.CompletedProcess:
    """The copy's own Snakemake (from its venv) on the copy's Snakefile."""
    return run_step(repo, repo / ".venv" / "bin" / "snakemake", *args, **extra_env)


def book_names(n: int = 6) -> list[str]:
    """The hostile strings joined into ``n`` indicator names (each under the length
    limit), so that a whole book holds every one without a panel per string."""
    out = [" ".join(HOSTILE[i::n]) for i in range(n)]
    assert all(len(s) <= 300 for s in out)
    return out


def build_hostile_book(tmp: Path) -> tuple[Path, subprocess.CompletedProcess, Path]:
    """(repository copy, result of registering the hostile file and `make book`, the file).

    The file is registered with ``python -m analysis.data.adddata`` given its name as one
    argument (no shell), then the book is built with a plain ``make book``."""
    repo = copy_repo(tmp / "repo")
    data = tmp / "in"
    data.mkdir()
    src = data / HOSTILE_FILE_NAME
    src.write_text(wb_wide_file(book_names()), encoding="utf-8")
    env = step_env()
    r = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", "analysis.data.adddata", str(src)], cwd=repo,
                       capture_output=True, text=True, env=env, timeout=600)
    if r.returncode == 0:
        r = subprocess.run(["make", "book"], cwd=repo, capture_output=True, text=True, env=env, timeout=1800)
    return repo, r, src


def as_sphinx_shows(s: str) -> str:
    """``s`` as Sphinx's smart quotes (docutils SmartyPants, on for the whole book)
    display literal text: straight quotes curled (compare them as straight) and a
    backslash before one of \\ " ' . - ` dropped. Typography, not markup: the
    escaping makes the text literal, SmartyPants then changes these characters."""
    out = re.sub(r"(?<!\\)---", "\u2014", s)
    out = re.sub(r"(?<!\\)--", "\u2013", out)
    out = re.sub(r"(?<!\\)\.\.\.", "\u2026", out)
    return re.sub(r"\\([\\\"'.\-`])", r"\1", out)


def straight_quotes(t: str) -> str:
    return re.sub("[‘’]", "'", re.sub("[“”]", '"', t))
