"""Prose that knows when it is wrong: the values and checks behind each
chapter's argument text (``analysis/texts/<ISO3>/values.yml``, interface in
``analysis/texts/README.md``).

A chapter's text states numbers only through glue keys computed here, and each
data-dependent sentence carries a marker ``{glue:md}`s_<name>``` bound to a
named check. The marker renders nothing while the check holds and
"No longer supported by the data: …" with what the data now say when it fails.

    python -m analysis.report.statements            # evaluate all, write the report page, print failures
    python -m analysis.report.statements --check KAZ  # lint one country's texts and evaluate its checks

The comparison rule of the book (stated in *Data and methods*): a rank or median
is computed over a stated set of countries for ONE year, says how many report,
and is never taken among fewer than three reporting countries.
"""
from __future__ import annotations

import argparse
import json
import operator
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis import atomic, config
from analysis.data.indicators import label_of, latest, rank_in_year, wide
from analysis.errors import DataError
from analysis.paths import ANALYSIS, BUILD, GENERATED
from analysis.untrusted import markup_cell

TEXTS = ANALYSIS / "texts"
REPORT_JSON = BUILD / "statements.json"
REPORT_MD = GENERATED / "unsupported.md"
RECOMMENDATIONS_MD = GENERATED / "recommendations.md"
MIN_SET = 3                       # no rank or median among fewer reporting countries
SECTIONS = ["foundations", "challenges", "approaches", "risks", "since2020", "recommendations"]
CHINA_SECTIONS = ["strategy", "presence", "reference", "offers", "watch"]
UNSUPPORTED = "No longer supported by the data"
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
       "==": operator.eq, "!=": operator.ne}
_CHECK = re.compile(r"^\s*((?:abs\()?[a-z][a-z0-9_]*\)?)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?|[a-z][a-z0-9_]*)\s*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = ("value", "rank", "median", "change", "ledger")


@dataclass
class Value:
    name: str
    kind: str
    indicator: str
    country: str
    number: float | None          # the value the checks compare
    year: int | None
    glue: dict = field(default_factory=dict)   # glue key → int/float
    says: str = ""                # what the data say, in words


@dataclass
class Result:
    country: str
    name: str
    check: str
    holds: bool
    now: str                      # what the data now say
    sentence: str = ""            # the sentence of the text carrying the marker
    file: str = ""

    def marker(self) -> str:
        return "" if self.holds else f"**\\[{UNSUPPORTED}: {self.now}\\]**"


def text_dir(iso3: str) -> Path:
    return TEXTS / iso3


def sections_of(iso3: str) -> list[str]:
    return CHINA_SECTIONS if iso3 == config.reference() else SECTIONS


def declarations(iso3: str) -> dict:
    """The country's values.yml ({} when the country has no text yet)."""
    path = text_dir(iso3) / "values.yml"
    if not path.exists():
        return {}
    try:
        doc = config.read_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise _fail(f"{path.relative_to(ANALYSIS.parent)}: not valid YAML ({e})") from None
    if not isinstance(doc, dict) or set(doc) - {"values", "statements", "recommendations"}:
        raise _fail(f"{path.relative_to(ANALYSIS.parent)}: top-level keys must be values, statements, "
                        "recommendations")
    return {"values": doc.get("values") or {}, "statements": doc.get("statements") or {},
            "recommendations": doc.get("recommendations") or []}


def _fail(text: str) -> DataError:
    """A one-line DataError from "file, what: message"."""
    where, _, message = text.partition(": ")
    return DataError(where, message)


# ------------------------------------------------------------------ values
def _where(iso3: str, name: str) -> str:
    return f"analysis/texts/{iso3}/values.yml, value {name}"


def _set(spec: dict, iso3: str, name: str) -> list[str]:
    over = spec.get("over", "partners")
    if over == "partners":
        return config.partners()
    if isinstance(over, list) and all(isinstance(c, str) for c in over):
        for c in over:
            config.country(c)
        return list(over)
    raise _fail(f"{_where(iso3, name)}: over must be 'partners' or a list of ISO3 codes")


def _year_for_set(df: pd.DataFrame, indicator: str, countries: list[str], year) -> tuple[int, int]:
    """(year, number reporting): the stated year, or the latest year in which
    at least three of the set report."""
    table = wide(df, indicator, countries)
    counts = table.notna().sum(axis=1) if len(table) else pd.Series(dtype=int)
    if year in (None, "latest"):
        ok = counts[counts >= MIN_SET]
        if ok.empty:
            return None, 0
        y = int(ok.index.max())
        return y, int(ok[y])
    y = int(year)
    return y, int(counts.get(y, 0))


def _label(indicator: str) -> str:
    return label_of(indicator)[0]


def _num(v: float) -> str:
    return f"{v:,.3f}" if abs(v) < 1 else f"{v:,.1f}"


def compute(df: pd.DataFrame, iso3: str, values: dict) -> dict[str, Value]:
    out: dict[str, Value] = {}
    known = set(df["indicator"].unique())
    for name, spec in values.items():
        if not _NAME.match(str(name)):
            raise _fail(f"{_where(iso3, name)}: names are lower_snake_case")
        if not isinstance(spec, dict):
            raise _fail(f"{_where(iso3, name)}: a value is a mapping such as {{value: IT.NET.USER.ZS}}")
        kinds = [k for k in KINDS if k in spec]
        if len(kinds) != 1:
            raise _fail(f"{_where(iso3, name)}: exactly one of {', '.join(KINDS)} is required")
        kind = kinds[0]
        ind = spec[kind]
        if kind == "ledger":
            out[name] = _ledger_value(iso3, name, ind)
            continue
        if ind not in known:
            raise _fail(f"{_where(iso3, name)}: unknown indicator {ind!r}")
        country = spec.get("country", iso3)
        config.country(country)
        year = spec.get("year", "latest")
        if isinstance(year, str) and year != "latest":
            if year not in out:
                raise _fail(f"{_where(iso3, name)}: year {year!r} is neither a year, 'latest' nor an "
                                "earlier value's name")
            year = out[year].year
        lab = _label(ind)
        v = Value(name, kind, ind, country, None, None)
        cname = config.country(country).name
        if kind == "value":
            if year == "latest":
                p = latest(df, country, ind)
                v.number, v.year = (p.value, p.year) if p else (None, None)
            else:
                s = df[(df["country_iso3"] == country) & (df["indicator"] == ind) & (df["year"] == int(year))]
                v.number, v.year = (float(s["value"].iloc[0]), int(year)) if len(s) else (None, int(year))
            v.says = (f"{lab} in {cname} is {_num(v.number)} ({v.year})" if v.number is not None
                      else f"no value of {lab} for {cname}" + (f" in {v.year}" if v.year else ""))
            v.glue = {name: v.number, f"{name}_year": v.year}
        elif kind in ("rank", "median"):
            members = _set(spec, iso3, name)
            y, n = _year_for_set(df, ind, members, year)
            v.year = y
            if y is not None and n >= MIN_SET:
                row = wide(df, ind, members).loc[y].dropna()
                if kind == "rank":
                    ranks = rank_in_year(df, ind, y, members)
                    if country in ranks.index:
                        v.number = float(ranks[country])
                    v.says = (f"{cname} ranks {int(v.number)} of {n} reporting on {lab} in {y} (1 = best)"
                              if v.number is not None else f"{cname} does not report {lab} in {y}")
                else:
                    v.number = float(row.median())
                    v.says = f"the median of {n} reporting countries on {lab} in {y} is {_num(v.number)}"
            else:
                v.says = f"fewer than {MIN_SET} countries report {lab}" + (f" in {y}" if y else "")
            v.glue = {name: None if v.number is None else (int(v.number) if kind == "rank" else v.number),
                      f"{name}_n": n, f"{name}_year": y}
        else:  # change
            s = df[(df["country_iso3"] == country) & (df["indicator"] == ind)].set_index("year")["value"].sort_index()
            y0 = int(spec.get("from", 0))
            y1 = spec.get("to", "latest")
            y1 = int(s.index.max()) if (y1 == "latest" and len(s)) else (int(y1) if y1 != "latest" else None)
            if y0 in s.index and y1 in s.index and y1 > y0:
                a, b = float(s[y0]), float(s[y1])
                v.number, v.year = b - a, y1
                v.glue = {name: b - a, f"{name}_from": y0, f"{name}_to": y1, f"{name}_start": a,
                          f"{name}_end": b, f"{name}_pct": (b / a - 1) * 100 if a else None}
                v.says = f"{lab} in {cname} went from {_num(a)} ({y0}) to {_num(b)} ({y1})"
            else:
                v.glue = {name: None, f"{name}_from": y0, f"{name}_to": y1}
                v.says = f"no values of {lab} for {cname} in both {y0} and {y1}"
        out[name] = v
    return out


def _ledger_value(iso3: str, name: str, claim_id) -> Value:
    """A figure as one of the papers states it (a row of data/seed_claims.csv),
    so the prose quotes it from the ledger instead of typing it: ``<n>`` is the
    number, ``<n>_year`` its year and ``<n>_words`` the number as the book
    prints the papers' figures ("2.98 million", "532,000", "17")."""
    from analysis.ledger import claims as ledger
    from analysis.ledger.audit import _num as words

    cl = ledger.claims().set_index("claim_id")
    if claim_id not in cl.index:
        raise _fail(f"{_where(iso3, name)}: {claim_id!r} is not a row of data/seed_claims.csv")
    c = cl.loc[claim_id]
    year = None if pd.isna(c["year"]) else int(c["year"])
    v = Value(name, "ledger", str(claim_id), str(c["country_iso3"]), float(c["value"]), year)
    v.says = f"{claim_id} states {words(v.number)} ({c['unit'].replace('_', ' ')})"
    v.glue = {name: v.number, f"{name}_year": year, f"{name}_words": _Words(words(v.number)),
              f"{name}_flag": _Words(flag_text(str(claim_id)))}
    return v


def flag_text(claim_id: str) -> str:
    """What the audit found about a paper's figure, in the verdict's own words,
    to stand right after the figure ("" when no check flagged it)."""
    from analysis.ledger.audit import flag_for

    flag = flag_for(claim_id)
    return f" [source audit: {flag}]" if flag else ""


def flagged_ledger_values(iso3: str) -> list[tuple[str, str]]:
    """(value name, claim id) of the country's ledger values that the audit flags."""
    from analysis.ledger.audit import flag_for

    decl = declarations(iso3)
    return [(n, str(spec["ledger"])) for n, spec in decl.get("values", {}).items()
            if isinstance(spec, dict) and "ledger" in spec and flag_for(str(spec["ledger"]))]


class _Words(str):
    """A glued figure in words, shown as Markdown (``{glue:md}`<n>_words```)."""


# --------------------------------------------------------------- statements
def parse_check(text: str, iso3: str, name: str) -> tuple[str, str, str]:
    m = _CHECK.match(str(text))
    if not m:
        raise _fail(f"analysis/texts/{iso3}/values.yml, statement {name}: {text!r} is not "
                        "'<value> <op> <value|number>' (op: < <= > >= == !=)")
    return m.group(1), m.group(2), m.group(3)


def _count_of(operand: str, vals: dict[str, Value]) -> Value | None:
    """The rank or median whose number of reporting countries ``<name>_n`` names."""
    v = vals.get(operand[:-2]) if operand.endswith("_n") and operand not in vals else None
    return v if v is not None and v.kind in ("rank", "median") else None


def evaluate(df: pd.DataFrame, iso3: str, decl: dict | None = None) -> tuple[dict[str, Value], list[Result]]:
    decl = declarations(iso3) if decl is None else decl
    if not decl:
        return {}, []
    vals = compute(df, iso3, decl["values"])
    results = []
    for name, text in decl["statements"].items():
        if not _NAME.match(str(name)):
            raise _fail(f"analysis/texts/{iso3}/values.yml, statement {name}: names are lower_snake_case")
        lhs, op, rhs = parse_check(text, iso3, name)
        absolute = lhs.startswith("abs(") and lhs.endswith(")")
        if absolute:
            lhs = lhs[4:-1]
        elif "(" in lhs or ")" in lhs:
            raise _fail(f"analysis/texts/{iso3}/values.yml, statement {name}: {text!r}: only abs(<value>) is allowed")
        count_of = _count_of(rhs, vals)
        for side in (lhs, rhs):
            if _NAME.match(side) and side not in vals and not (side == rhs and count_of):
                raise _fail(f"analysis/texts/{iso3}/values.yml, statement {name}: unknown value {side!r}")
        a = vals[lhs]
        if count_of:  # "<x>_rank == <x>_rank_n": last of those reporting, whatever their number
            n = count_of.glue.get(rhs)
            b = Value(rhs, "count", count_of.indicator, count_of.country, None if n is None else float(n),
                      count_of.year, says=f"{n} countries report")
        else:
            b = vals[rhs] if rhs in vals else None
        bnum = b.number if b else float(rhs)
        if a.number is None or bnum is None:
            holds = False
            now = "; ".join(x.says for x in (a, b) if x)
        else:
            holds = bool(OPS[op](abs(a.number) if absolute else a.number, bnum))
            now = a.says + (f"; {b.says}" if b else "") + ("" if holds else f" (the text needs {lhs} {op} {rhs})")
        results.append(Result(iso3, str(name), str(text), holds, now))
    _attach_sentences(iso3, results)
    return vals, results


def _attach_sentences(iso3: str, results: list[Result]) -> None:
    texts = {s: (text_dir(iso3) / f"{s}.md") for s in sections_of(iso3)}
    for r in results:
        for s, p in texts.items():
            if not p.exists():
                continue
            body = p.read_text(encoding="utf-8")
            key = "{glue:md}`s_" + r.name + "`"
            i = body.find(key)
            if i < 0:
                continue
            start = max(body.rfind(". ", 0, i - 2), body.rfind("\n\n", 0, i))
            r.sentence = " ".join(body[start + 1:i].split()).strip()
            r.file = f"analysis/texts/{iso3}/{s}.md"
            break


def glue_chapter(df: pd.DataFrame, iso3: str) -> list[Result]:
    """In a chapter notebook: glue every declared value and statement marker."""
    from IPython.display import Markdown
    from myst_nb import glue

    vals, results = evaluate(df, iso3)
    for v in vals.values():
        for key, x in v.glue.items():
            if x is None:
                glue(key, float("nan"), display=False)
            elif isinstance(x, _Words):
                glue(key, Markdown(_md_text(str(x)) or "\u200b"), display=False)
            else:
                glue(key, x, display=False)
    for r in results:
        glue(f"s_{r.name}", Markdown(r.marker() or "\u200b"), display=False)
    return results


# -------------------------------------------------------------------- lint
_ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")
_ALLOWED = re.compile(r"\bper 100\b|\b(?:19[89]\d|20[0-3]\d)\b|\b(?:DSR|HUO|T)-\d{3}\b|\b[2-5]G\b|\{\{[a-z0-9:_]+\}\}")
_MARKER = re.compile(r"\{glue:md\}`s_([a-z0-9_]+)`")
_GLUE = re.compile(r"\{glue:(?:text|md)\}`([a-z0-9_]+)(?::[^`]*)?`")


def typed_numbers(text: str) -> list[str]:
    """Digits in running prose outside roles, years, ledger ids and 2G–5G."""
    bare = _ALLOWED.sub(" ", _ROLE.sub(" ", text))
    bare = re.sub(r"^\(\w[\w-]*\)=\s*$", " ", bare, flags=re.M)     # MyST targets
    return re.findall(r"[^\s]*\d[^\s]*", bare)


def lint(iso3: str) -> list[str]:
    """Problems with a country's texts: missing files, typed numbers, markers
    without a statement (and statements without a marker), glue keys not declared."""
    problems = []
    decl = declarations(iso3)
    if not decl:
        return [f"analysis/texts/{iso3}/values.yml is missing"]
    glue_keys = set()
    for v in compute_names(decl["values"]):
        glue_keys.add(v)
    markers = []
    for s in sections_of(iso3):
        p = text_dir(iso3) / f"{s}.md"
        if not p.exists():
            problems.append(f"{p.relative_to(ANALYSIS.parent)} is missing")
            continue
        body = p.read_text(encoding="utf-8")
        for n in typed_numbers(body):
            problems.append(f"{p.relative_to(ANALYSIS.parent)}: typed number {n!r} (glue it)")
        markers += _MARKER.findall(body)
        for key in _GLUE.findall(body):
            if not key.startswith("s_") and key not in glue_keys and key not in CHAPTER_KEYS:
                problems.append(f"{p.relative_to(ANALYSIS.parent)}: glue key {key!r} is not declared")
    for sname, text in decl["statements"].items():
        m = _CHECK.match(str(text))
        if m and m.group(3) in decl["values"]:
            a, b = decl["values"].get(m.group(1), {}), decl["values"][m.group(3)]
            if a == b or ({**a, "country": a.get("country", iso3)} == {**b, "country": b.get("country", iso3)}):
                problems.append(f"analysis/texts/{iso3}/values.yml, statement {sname}: compares a value with itself")
    # a paper's figure that the audit flags carries the verdict in the paragraph
    # that uses it: a `<name>_flag` marker of it or of a figure flagged with it
    flagged = dict(flagged_ledger_values(iso3))
    paragraphs = [q for s in sections_of(iso3) if (text_dir(iso3) / f"{s}.md").exists()
                  for q in (text_dir(iso3) / f"{s}.md").read_text(encoding="utf-8").split("\n\n")]
    for q in paragraphs:
        used = {k.removesuffix("_words") for k in _GLUE.findall(q)} & set(flagged)
        if used and not any(f"{{glue:md}}`{n}_flag`" in q for n in flagged):
            for n in sorted(used):
                problems.append(f"analysis/texts/{iso3}: the audit flags {flagged[n]} (value {n}); show it with "
                                f"{{glue:md}}`{n}_flag` right after the figure")
    declared = set(decl["statements"])
    for m in sorted(set(markers) - declared):
        problems.append(f"analysis/texts/{iso3}: marker s_{m} has no statement in values.yml")
    for m in sorted(declared - set(markers)):
        problems.append(f"analysis/texts/{iso3}: statement {m} has no marker in the texts")
    for m in sorted({x for x in markers if markers.count(x) > 1}):
        problems.append(f"analysis/texts/{iso3}: marker s_{m} appears more than once")
    return problems


# glue keys the template itself provides (analysis.report.chapter.facts and the China tables)
CHAPTER_KEYS = {"name", "native", "above_median"}


def compute_names(values: dict) -> set[str]:
    """Every glue key a values mapping produces (without evaluating it)."""
    keys = set()
    suffix = {"value": ["", "_year"], "rank": ["", "_n", "_year"], "median": ["", "_n", "_year"],
              "change": ["", "_from", "_to", "_start", "_end", "_pct"], "ledger": ["", "_year", "_words", "_flag"]}
    for name, spec in values.items():
        kind = next((k for k in KINDS if isinstance(spec, dict) and k in spec), "value")
        keys |= {f"{name}{s}" for s in suffix[kind]}
    return keys


def indicators_used(iso3: str) -> list[str]:
    """Indicators a country's checks read (for the runner's fingerprint: a rank
    or median depends on every country's values of them)."""
    decl = declarations(iso3)
    return sorted({spec[k] for spec in decl.get("values", {}).values() if isinstance(spec, dict)
                   for k in KINDS if k in spec and k != "ledger"})


# ------------------------------------------------------------------ report
def evaluate_all(df: pd.DataFrame) -> tuple[dict[str, dict[str, Value]], list[Result]]:
    """Every chapter's values (by ISO3) and the results of all its checks."""
    values, results = {}, []
    for c in config.countries():
        values[c.iso3], res = evaluate(df, c.iso3)
        results += res
    return values, results


def report_markdown(results: list[Result]) -> str:
    failed = [r for r in results if not r.holds]
    head = (f"The chapters' argument texts make {len(results)} statements that depend on the data, each "
            f"bound to a named check evaluated when the book is built (`analysis/report/statements.py`). ")
    if not failed:
        return head + "All of them hold on the current data.\n"
    lines = [head + f"**{len(failed)} are no longer supported by the data** and must be revised:", "",
             "| Chapter | Statement | Sentence | Check | What the data now say |", "|---|---|---|---|---|"]
    for r in failed:
        lines.append(f"| {config.country(r.country).name} | `{r.name}` | {markup_cell(_strip_roles(r.sentence))} | "
                     f"`{r.check}` | {markup_cell(r.now)} |")
    return "\n".join(lines) + "\n"


def _strip_roles(text: str) -> str:
    text = re.sub(r"\{glue:[a-z]+\}`[^`]*`", "…", text)
    return re.sub(r"\{[a-z:]+\}`([^`]*)`", r"\1", text).replace("{{", "").replace("}}", "")


def write_report(df: pd.DataFrame) -> list[Result]:
    values, results = evaluate_all(df)
    atomic.update_text(REPORT_MD, report_markdown(results))
    atomic.update_text(RECOMMENDATIONS_MD, synthesis_recommendations(df, values))
    atomic.update_text(REPORT_JSON, json.dumps([r.__dict__ for r in results], indent=1, ensure_ascii=False))
    return results


def main(argv: list[str] | None = None) -> int:
    from analysis.data.indicators import load, with_derived

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", metavar="ISO3", help="lint one country's texts and evaluate its checks")
    args = ap.parse_args(argv)
    df = with_derived(load())
    if args.check:
        probs = lint(args.check)
        for p in probs:
            print(p)
        _, res = evaluate(df, args.check)
        for r in res:
            print(f"{'holds ' if r.holds else 'FAILS '} {r.name}: {r.check} — {r.now}")
        return 1 if probs or any(not r.holds for r in res) else 0
    print_summary(write_report(df))
    return 0


def print_summary(results: list[Result]) -> None:
    """The build's line about the checks, and one line per check that fails."""
    failed = [r for r in results if not r.holds]
    print(f"statements: {len(results)} checked, {len(failed)} no longer supported by the data")
    for r in failed:
        print(f"  {r.country} {r.name}: {r.check} — {r.now}")



# ---------------------------------------------------------- recommendations
REC_KEYS = {"id", "title", "challenge", "data", "approach", "risk"}
_LEDGER_ID = re.compile(r"^(?:T|DSR|HUO)-\d{3}$")


def _ledger_ids() -> set[str]:
    from analysis.ledger.claims import CLAIMS_CSV, THEMES_CSV
    ids = set(pd.read_csv(THEMES_CSV, usecols=["theme_id"], dtype=str)["theme_id"])
    return ids | set(pd.read_csv(CLAIMS_CSV, usecols=["claim_id"], dtype=str)["claim_id"])


def recommendations(df: pd.DataFrame, iso3: str, vals: dict[str, Value] | None = None) -> list[dict]:
    """The country's declared recommendations, checked (ledger rows exist, data
    names are declared values), with the data they cite in words (``vals``:
    the country's values if :func:`evaluate` computed them already)."""
    decl = declarations(iso3)
    if not decl:
        return []
    vals = compute(df, iso3, decl["values"]) if vals is None else vals
    ids = _ledger_ids()
    out, seen = [], set()
    for i, r in enumerate(decl["recommendations"], 1):
        where = f"analysis/texts/{iso3}/values.yml, recommendation {i}"
        if not isinstance(r, dict) or set(r) != REC_KEYS:
            raise _fail(f"{where}: needs exactly the keys {', '.join(sorted(REC_KEYS))}")
        if r["id"] in seen:
            raise _fail(f"{where}: id {r['id']!r} is used twice")
        seen.add(r["id"])
        for col in ("challenge", "approach"):
            for x in r[col]:
                if not _LEDGER_ID.match(str(x)) or x not in ids:
                    raise _fail(f"{where}, {col}: {x!r} is not a row of the ledger "
                                    "(data/seed_themes.csv or data/seed_claims.csv)")
        for x in r["data"]:
            if x not in vals:
                raise _fail(f"{where}, data: {x!r} is not a declared value")
        out.append({**r, "data_says": [vals[x].says for x in r["data"]]})
    return out


def _md_text(text: str) -> str:
    """Text from a data file as literal Markdown inside a table cell."""
    s = str(text).replace("\\", "\\\\")
    for ch in "|*_`[]<>{}#":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def recommendations_rows(df: pd.DataFrame, iso3: str, with_country: bool = False,
                         vals: dict[str, Value] | None = None) -> list[str]:
    name = config.country(iso3).name
    rows = []
    for r in recommendations(df, iso3, vals):
        cells = ([name] if with_country else []) + [
            f"**{_md_text(r['title'])}**", ", ".join(r["challenge"]),
            "; ".join(_md_text(s) for s in r["data_says"]), ", ".join(r["approach"]), _md_text(r["risk"])]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


HEAD = "| Recommendation | Challenge (ledger) | What the data say | Approach (ledger) | Risk |"


def recommendations_markdown(df: pd.DataFrame, iso3: str):
    from IPython.display import Markdown
    rows = recommendations_rows(df, iso3)
    if not rows:
        return Markdown("")
    c = config.country(iso3)
    return Markdown("\n".join([f"```{{table}} Recommendations for {c.name}: the challenge each answers and the "
                               "approach it draws on (ledger rows of data/seed_themes.csv or data/seed_claims.csv), "
                               "the data behind it and its risk",
                               f":name: tbl-{iso3}-recommendations", "",
                               HEAD, "|---|---|---|---|---|", *rows, "```"]))


def synthesis_recommendations(df: pd.DataFrame, values: dict[str, dict[str, Value]] | None = None) -> str:
    """All countries' recommendations in one table, for the regional synthesis
    (``values``: each country's values, by ISO3, where already computed)."""
    rows = []
    for c in config.countries():
        rows += recommendations_rows(df, c.iso3, with_country=True, vals=(values or {}).get(c.iso3))
    if not rows:
        return "No chapter declares recommendations yet.\n"
    return "\n".join(["| Country " + HEAD, "|---|---|---|---|---|---|", *rows]) + "\n"


if __name__ == "__main__":
    from analysis import quickexit

    quickexit.install()  # a build step: no last garbage collection at exit
    sys.exit(main())
