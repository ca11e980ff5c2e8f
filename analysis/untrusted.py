"""Text from a data file is untrusted: validated when it is read, escaped where
it is written.

Every text field of an input file (an indicator's name, a unit, a country name,
a "Last Updated Date", a file name...) may hold anything a stranger typed. When
it is read, :func:`check_file` refuses control characters anywhere in the file,
:func:`text` refuses over-long fields and :func:`date` anything but an ISO date,
each with the one-line :class:`~analysis.errors.DataError` naming file, row and
column. Where it is written, it goes through exactly one function per target:

=============  ==============================================================
:func:`md`      MyST/Markdown text (also table cells and headings): every ASCII
                punctuation character backslash-escaped, so no role, directive,
                HTML, link, autolink, substitution, target, comment, heading,
                list, table cell, math or footnote can be formed
:func:`md_with_code` literal text whose `backtick` parts are code spans
:func:`md_code` an inline code span (literal, fenced so that no backtick or
                pipe in the text can end it)
:func:`html`    HTML text or attribute value (:func:`html.escape`)
:func:`latex`   LaTeX text: the ten special characters
:func:`yaml_scalar` a YAML scalar, by PyYAML's safe dumper (never hand-quoted)
:func:`csv_cell` / :func:`csv_frame`  a CSV cell: a leading ``= + - @`` tab or CR
                (a spreadsheet formula) is neutralised with a leading ``'``
                (OWASP "CSV injection"); numbers, negative ones included, stay
                numbers
=============  ==============================================================
"""
from __future__ import annotations

import datetime as _dt
import html as _html
import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from analysis.errors import DataError

if TYPE_CHECKING:  # pandas only where a table is escaped: the Sphinx build escapes text, not tables
    import pandas as pd

MAX_TEXT = 300  # characters in one text field; the longest World Bank indicator name has ~200

# C0 and C1 controls (tab included: no layout is tab-separated), DEL, the Unicode
# line and paragraph separators and the bidirectional overrides/isolates that can
# make text display differently from what it is ("Trojan source").
_CONTROL = "\x00-\x08\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[{_CONTROL}]")
CONTROL_OR_NEWLINE = re.compile(f"[{_CONTROL}\r\n]")


# ------------------------------------------------------------------ validation
def _name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def check_file(path: Path, text: str, rows: list[list[str]], delimiter: str = ",") -> None:
    """Refuse a control character anywhere in the file, a line break inside a cell
    and a cell longer than :data:`MAX_TEXT`. All three are found with a scan of the
    text (fast on large files); the cells are looked at only to say where."""
    bad = CONTROL.search(text)
    multiline = bad is None and len(rows) != len(text.splitlines())
    long = None
    if bad is None and not multiline:
        long = re.search(f"[^{re.escape(delimiter)}\r\n]{{{MAX_TEXT + 1},}}", text)
        if long is None:
            return
    head = rows[:20]
    h = max(range(len(head)), key=lambda k: len(head[k])) if head else 0
    header = rows[h] if rows else []
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row):
            col = header[j].strip() if i > h + 1 and j < len(header) and header[j].strip() else str(j + 1)
            if long is not None:
                if len(cell) > MAX_TEXT:
                    raise DataError(path, f"text of {len(cell)} characters; the limit is {MAX_TEXT}", row=i,
                                    column=col)
                continue
            m = (CONTROL if bad is not None else CONTROL_OR_NEWLINE).search(cell)
            if m:
                what = "line break" if m.group() in "\r\n" else f"control character {_name(m.group())}"
                raise DataError(path, f"{what} in a text field; remove it", row=i, column=col)
    if bad is not None:
        raise DataError(path, f"control character {_name(bad.group())} outside any cell",
                        row=text[: bad.start()].count("\n") + 1)


def text(path: Path, value: str, row: int, column: str, limit: int = MAX_TEXT) -> str:
    """A text field, stripped: no control characters, at most ``limit`` characters."""
    s = value.strip()
    m = CONTROL_OR_NEWLINE.search(s)
    if m:
        raise DataError(path, f"control character {_name(m.group())} in a text field; remove it",
                        row=row, column=column)
    if len(s) > limit:
        raise DataError(path, f"text of {len(s)} characters; the limit is {limit}", row=row, column=column)
    return s


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date(path: Path, value: str, row: int, column: str) -> str:
    """An ISO date ``YYYY-MM-DD`` (as World Bank files state their "Last Updated Date")."""
    s = value.strip()
    try:
        if not ISO_DATE.fullmatch(s):
            raise ValueError
        _dt.date.fromisoformat(s)
    except ValueError:
        from analysis.errors import clip
        raise DataError(path, f"{clip(s)} is not a date (YYYY-MM-DD)", row=row, column=column) from None
    return s


# ------------------------------------------------------------------- escaping
def one_line(value) -> str:
    """The text on one line (for a directive option such as ``:alt:``, which is
    not Markdown): control characters and line breaks become spaces."""
    return CONTROL_OR_NEWLINE.sub(" ", "" if value is None else str(value))


def markup_cell(value) -> str:
    """The book's own MyST (citations and roles kept: not text from a data file)
    fitted into one table cell: on one line, its pipes escaped."""
    return one_line(value).replace("|", "\\|")


_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def md(value) -> str:
    """Literal text in MyST Markdown, safe in a paragraph, a heading, a list item
    or a table cell: every ASCII punctuation character is backslash-escaped (the
    CommonMark rule that any of them may be), so the text renders as itself."""
    return _MD_PUNCT.sub(r"\\\1", one_line(value))


def md_code(value) -> str:
    """Literal text as an inline code span: the fence is one backtick longer than
    the longest run of backticks in the text. Text with a pipe (which would end a
    table cell even inside a code span) is given as escaped plain text instead."""
    s = one_line(value)
    if "|" in s:  # a pipe would end a table cell even inside a code span: plain literal text instead
        return md(s)
    runs = [len(r) for r in re.findall(r"`+", s)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if s.startswith(("`", " ")) or s.endswith(("`", " ")) or runs else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_with_code(value) -> str:
    """Literal text in which the `backtick-quoted` parts (as the registry's notes
    write file layouts and commands) become code spans; nothing else is markup."""
    parts = re.split(r"`([^`]*)`", one_line(value))
    return "".join(md_code(p) if i % 2 else md(p) for i, p in enumerate(parts))


def html(value) -> str:
    """Text for an HTML element or a quoted attribute."""
    return _html.escape("" if value is None else str(value), quote=True)


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex(value) -> str:
    """Text for a LaTeX document: the ten special characters made literal."""
    return "".join(_TEX.get(ch, ch) for ch in one_line(value))


def mathtext(value) -> str:
    """Text for a Matplotlib label: a ``$`` would start mathtext."""
    return one_line(value).replace("$", r"\$")


def yaml_scalar(value) -> str:
    """One YAML scalar as PyYAML's safe dumper writes it (quoted where YAML would
    read it as a number, boolean, null, date or anything but this string)."""
    out = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=float("inf"))
    out = out.rstrip("\n")
    if out.endswith("\n..."):
        out = out[: -len("\n...")]
    return out


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value):
    """A value for a CSV cell: a string a spreadsheet would run as a formula gets
    a leading ``'``; numbers (``-1.5``, ``+3``) and everything else are unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with :func:`csv_cell` applied to every text column and to a text index."""
    import pandas as pd

    out = df
    for col in df.columns:
        s = df[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            t = s.astype("string")
            risky = t.str.startswith(_FORMULA).fillna(False) & ~t.str.fullmatch(_NUMBER.pattern).fillna(False)
            if risky.any():
                if out is df:
                    out = df.copy()
                out[col] = s.where(~risky, "'" + t)
    idx = out.index
    if (not isinstance(idx, pd.MultiIndex) and (idx.dtype == object or pd.api.types.is_string_dtype(idx.dtype))
            and any(csv_cell(v) is not v for v in idx)):
        out = out.copy() if out is df else out
        out.index = out.index.map(csv_cell)
    return out
