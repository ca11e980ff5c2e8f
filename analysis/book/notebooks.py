"""Execute the book's notebooks with Papermill: one chapter per configured
country, plus the regional overview. The Snakefile decides what runs; this
module does one job at a time:

    python -m analysis.book.notebooks --fingerprints       # _build/fingerprints/<job>.json, rewritten only when changed
    python -m analysis.book.notebooks --job countries/KAZ  # execute one notebook into book/ (a Snakemake job)
    python -m analysis.book.notebooks --chapter KAZ --output KAZ.ipynb
                                                # one chapter, exactly as the book has it
                                                # (the command each chapter's re-run box shows)

A notebook's fingerprint holds what its output depends on: its template with
the chapter's texts, its parameters, the code it runs (the modules its template
imports, with their libraries' pins: see analysis/codegraph.py), the rows of
data it shows and what its text's checks make of the data. The Snakefile's chapter rules take the fingerprint files as
input: a file is rewritten only when its content changes, so a chapter
re-executes exactly when something it depends on changed.

Interrupted (Ctrl-C, SIGTERM), a job stops within seconds with its kernel,
and the notebook keeps its previous file (outputs are written whole or not at
all).
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from analysis import atomic, config
from analysis.paths import ANALYSIS, BOOK, BUILD, INDICATORS_CSV, TEMPLATES

FINGERPRINTS = BUILD / "fingerprints"


@dataclass(frozen=True)
class Job:
    name: str              # e.g. "countries/KAZ"
    template: Path
    output: Path
    parameters: dict
    placeholders: dict     # {{key}} → text in markdown cells
    figures: Path          # where the notebook saves its figures (PNG, SVG, CSV)


def jobs() -> list[Job]:
    out = []
    for c in config.countries():
        out.append(Job(
            name=f"countries/{c.iso3}",
            template=TEMPLATES / ("china.ipynb" if c.role == "reference" else "country.ipynb"),
            output=BOOK / "countries" / f"{c.iso3}.ipynb",
            parameters={"country": c.iso3},
            placeholders={"name": c.name, "iso3": c.iso3, "native": c.native_label},
            figures=BOOK / "figures" / c.iso3,
        ))
    out.append(Job(name="regional", template=TEMPLATES / "regional.ipynb", output=BOOK / "regional.ipynb",
                   parameters={}, placeholders={}, figures=BOOK / "figures" / "regional"))
    return out


_TEXT = re.compile(r"\{\{text:([a-z0-9]+)\}\}")


def texts_of(job: Job) -> dict[str, str]:
    """The chapter's argument texts (analysis/texts/<ISO3>/<section>.md) by section;
    a missing file is an empty text."""
    iso3 = job.parameters.get("country")
    if not iso3:
        return {}
    folder = ANALYSIS / "texts" / iso3
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))} if folder.is_dir() else {}


def _values_yml(job: Job) -> bytes:
    p = ANALYSIS / "texts" / str(job.parameters.get("country", "")) / "values.yml"
    return p.read_bytes() if job.parameters.get("country") and p.exists() else b""


def render_template(job: Job) -> nbformat.NotebookNode:
    """The template with ``{{text:<section>}}`` replaced by the chapter's argument
    text for that section, then ``{{key}}`` placeholders in markdown cells filled
    in. Plain string replacement: nothing supplied by a user is evaluated."""
    nb = nbformat.read(job.template, as_version=4)
    texts = texts_of(job)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _TEXT.sub(lambda m: texts.get(m.group(1), "").strip(), cell.source)
            for key, text in job.placeholders.items():
                cell.source = cell.source.replace("{{" + key + "}}", text)
    return nb


# ---------------------------------------------------------------- fingerprints
def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _table():
    """The indicator table with derived series, read once for all fingerprints
    (again only if the file changed)."""
    st = INDICATORS_CSV.stat()
    return _read_table(st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=1)
def _read_table(size: int, mtime_ns: int):
    from analysis.data import indicators
    return indicators.with_derived(indicators.described())


def data_hash(job: Job) -> str:
    """Fingerprint of the data a notebook reads: for a country chapter the
    rows it shows (its own, China's and the regional medians) and what its
    text's checks make of the data; for the regional overview the whole table."""
    if not INDICATORS_CSV.exists():
        return "missing"
    if "country" not in job.parameters:  # the regional overview: all data, and the map's outlines (by their sha256)
        from analysis.report.geo import GEO_REGISTRY
        return _sha(INDICATORS_CSV.read_bytes() + GEO_REGISTRY.read_bytes())
    from analysis.report import chapter, frameworks, statements
    df = _table()
    iso3 = job.parameters["country"]
    # the text's checks rank and compare across countries: not the rows they read
    # but what they make of them (every value, in numbers and words, and every
    # verdict), so another country's change reaches this chapter only if it
    # changes something this chapter's text says
    checks = repr(statements.evaluate(df, iso3))
    return _sha(chapter.inputs(df, iso3).to_csv(index=False).encode() + checks.encode()
                + frameworks.fingerprint(iso3).encode())  # the papers' ledger, its audit


def code_digest(template: Path) -> str:
    """The code a notebook runs: the modules its template imports, with what they
    import, the runner itself, and the pins of their libraries (analysis/codegraph.py)."""
    from analysis import codegraph
    return codegraph.digest([*codegraph.notebook_imports(template), "analysis.book.notebooks"])


def fingerprint(job: Job) -> dict:
    return {
        "template": _sha(nbformat.writes(render_template(job)).encode()),  # texts included
        "checks": _sha(_values_yml(job)),
        "parameters": json.dumps(job.parameters, sort_keys=True),
        "placeholders": json.dumps(job.placeholders, sort_keys=True, ensure_ascii=False),
        "package": code_digest(job.template),
        "data": data_hash(job),
    }


def fingerprint_file(job: Job) -> Path:
    return FINGERPRINTS / f"{job.name}.json"


def write_fingerprints() -> list[str]:
    """Write each job's fingerprint where it changed (a file whose content is
    unchanged keeps its modification time, which is what Snakemake compares);
    returns the names of the jobs whose fingerprint changed."""
    changed = []
    for job in jobs():
        text = json.dumps(fingerprint(job), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        fingerprint_file(job).parent.mkdir(parents=True, exist_ok=True)
        if atomic.update_text(fingerprint_file(job), text):
            changed.append(job.name)
    return changed


# ------------------------------------------------------------------- execution
def kernel_options(tmp: Path) -> dict:
    """How the kernel is started and stopped (measured by benchmarks/bench.py).

    - Unix sockets in the job's private folder instead of TCP on localhost: no
      open port, and no "running over TCP without encryption" warning per chapter.
    - No IPython history database: nothing in a chapter reads it, and opening
      and closing the SQLite file costs time in every kernel.
    - Stopped at once when the last cell is done: every output has arrived by
      then, and a graceful shutdown idled the core for 0.7 s per chapter."""
    from traitlets.config import Config

    return {"config": Config({"KernelManager": {"transport": "ipc", "ip": str(tmp / "kernel")}}),
            "extra_arguments": ["--HistoryManager.enabled=False"],
            "shutdown_kernel": "immediate"}


def execute(job: Job, force: bool = False) -> float:
    """Run one notebook with Papermill, its kernel started the standard way;
    write the output atomically. ``force`` draws its figures again too, not
    taking them from plots.render's cache. Returns the seconds it took."""
    import papermill as pm

    start = time.perf_counter()
    if force:
        shutil.rmtree(job.figures, ignore_errors=True)
    job.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="srd-run-") as tmp:
        src = Path(tmp) / job.template.name
        nbformat.write(render_template(job), src)
        # no output path: the executed notebook is written once, below, after
        # stripping (saving the 1 MB notebook at every cell cost a second a chapter)
        nb = pm.execute_notebook(str(src), None, parameters=job.parameters, cwd=str(job.output.parent),
                                 kernel_name="python3", progress_bar=False, log_output=False,
                                 request_save_on_cell_execute=False, **kernel_options(Path(tmp)))
        strip_volatile(nb)
        with atomic.replacing(job.output) as dst:  # beside the output: a rename within one file system
            nbformat.write(nb, dst)
    return time.perf_counter() - start


def strip_volatile(nb: nbformat.NotebookNode) -> None:
    """Drop execution timestamps and durations, and give the parameters cell
    Papermill injects a fixed id instead of a random one, so that equal inputs
    give equal files."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
            if "remove-cell" not in tags:
                cell.metadata["tags"] = tags + ["remove-cell"]  # readers see no code


def reproduce(iso3: str, output: Path) -> Path:
    """Execute one country chapter as ``make book`` does (the audit brought up
    to date, the template's texts and placeholders filled in, the parameters
    set, volatile metadata stripped) into ``output``: the book's own
    notebook is not touched."""
    from analysis.ledger import audit
    chapters = {j.parameters["country"]: j for j in jobs() if "country" in j.parameters}
    if iso3 not in chapters:
        raise SystemExit(f"run: no chapter {iso3!r}; the configured ones are {', '.join(sorted(chapters))}")
    with contextlib.redirect_stdout(sys.stderr):  # its summary line is not the command's result
        if audit.main([]):  # the chapter shows the audit of the current data
            raise SystemExit(1)
    job = dataclasses.replace(chapters[iso3], output=Path(output).resolve())
    execute(job)
    return job.output


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--fingerprints", action="store_true", help="write the fingerprint of every notebook")
    what.add_argument("--job", choices=[j.name for j in jobs()], help="execute this notebook into book/")
    what.add_argument("--chapter", metavar="ISO3", help="execute one country chapter into --output (the re-run box)")
    ap.add_argument("--output", metavar="NOTEBOOK", help="with --chapter: where to write the executed notebook")
    ap.add_argument("--force", action="store_true", help="with --job: draw its figures again too")
    args = ap.parse_args(argv)
    if bool(args.chapter) != bool(args.output):
        ap.error("--chapter and --output go together")
    signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C, its kernel with it
    if args.fingerprints:
        changed = write_fingerprints()
        print(f"fingerprints: {len(changed)} changed" + (f" ({', '.join(changed)})" if changed else ""), flush=True)
        return 0
    try:
        if args.chapter:
            print(f"run: {args.chapter} written to {reproduce(args.chapter, Path(args.output))}", flush=True)
        else:
            job = next(j for j in jobs() if j.name == args.job)
            seconds = execute(job, force=args.force or os.environ.get("FORCE", "") not in ("", "0"))
            print(f"{job.name:<16} executed in {seconds:5.1f} s", flush=True)
    except KeyboardInterrupt:
        print("run: interrupted; the output was not written", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    from analysis import quickexit

    quickexit.install()  # a build step: no last garbage collection at exit
    sys.exit(main())
