"""Execute the book's notebooks with Papermill: one chapter per configured
country, plus the regional overview.

    python -m analysis.run            # execute what changed
    python -m analysis.run --force    # execute everything
    python -m analysis.run --chapter KAZ --output KAZ.ipynb
                                      # one chapter, exactly as the book has it
                                      # (the command each chapter's re-run box shows)

A notebook is re-executed only when its template, its parameters, the code it
runs (the modules its template imports, with their libraries' pins: see
analysis/codegraph.py) or the data it reads changed: a fingerprint of each is kept in
``_build/.execution-manifest.json``. Runs use a process pool across all cores;
the executed notebooks are the same as from a serial run.

Interrupted (Ctrl-C, SIGTERM), it stops within seconds: the notebooks being
executed are stopped, their kernels and the kernel server with them, and each
notebook keeps its previous file (outputs are written whole or not at all). A
notebook's manifest entry is dropped before it runs and recorded as soon as it
has run, so the next run executes exactly what was not finished.
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
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import atomic, config, warmkernel
from .paths import ANALYSIS, BOOK, BUILD, DATA, INDICATORS_CSV, TEMPLATES

MANIFEST = BUILD / ".execution-manifest.json"


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
    from . import indicators
    return indicators.with_derived(indicators.described())


def data_hash(job: Job) -> str:
    """Fingerprint of the data a notebook reads: for a country chapter only
    the rows it shows (its own, China's and the regional medians); for the
    regional overview the whole table."""
    if not INDICATORS_CSV.exists():
        return "missing"
    if "country" not in job.parameters:  # the regional overview: all data, and the map's outlines (by their sha256)
        from .geo import GEO_REGISTRY
        return _sha(INDICATORS_CSV.read_bytes() + GEO_REGISTRY.read_bytes())
    from . import chapter, frameworks, statements
    df = _table()
    iso3 = job.parameters["country"]
    # the text's checks rank and compare across countries: all countries' rows of what they read
    used = df[df["indicator"].isin(statements.indicators_used(iso3))]
    return _sha(chapter.inputs(df, iso3).to_csv(index=False).encode()
                + used.sort_values(["country_iso3", "indicator", "year"]).to_csv(index=False).encode()
                + frameworks.fingerprint(iso3).encode())  # the papers' ledger, its audit


def code_digest(template: Path) -> str:
    """The code a notebook runs: the modules its template imports, with what they
    import, the runner itself, and the pins of their libraries (analysis/codegraph.py)."""
    from . import codegraph
    return codegraph.digest([*codegraph.notebook_imports(template), "analysis.run"])


def fingerprint(job: Job) -> dict:
    return {
        "template": _sha(nbformat.writes(render_template(job)).encode()),  # texts included
        "checks": _sha(_values_yml(job)),
        "parameters": json.dumps(job.parameters, sort_keys=True),
        "placeholders": json.dumps(job.placeholders, sort_keys=True, ensure_ascii=False),
        "package": code_digest(job.template),
        "data": data_hash(job),
    }


def load_manifest() -> dict:
    return atomic.read_state(MANIFEST)


def save_manifest(manifest: dict) -> None:
    atomic.write_text(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False))


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


def execute(job: Job, kernel: "warmkernel.Spec | None" = None) -> tuple[str, float]:
    """Run one notebook with Papermill; write the output atomically. With
    ``kernel`` (from :func:`analysis.warmkernel.server`) the kernel is forked
    from a process that has the libraries imported; otherwise it starts cold."""
    import papermill as pm

    start = time.perf_counter()
    job.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="srd-run-") as tmp:
        src = Path(tmp) / job.template.name
        nbformat.write(render_template(job), src)
        if kernel:
            os.environ.update(kernel.env)
        # no output path: the executed notebook is written once, below, after
        # stripping (saving the 1 MB notebook at every cell cost a second a chapter)
        nb = pm.execute_notebook(str(src), None, parameters=job.parameters, cwd=str(job.output.parent),
                                 kernel_name=kernel.name if kernel else "python3", progress_bar=False, log_output=False,
                                 request_save_on_cell_execute=False, **kernel_options(Path(tmp)))
        strip_volatile(nb)
        with atomic.replacing(job.output) as dst:  # beside the output: a rename within one file system
            nbformat.write(nb, dst)
    return job.name, time.perf_counter() - start


# ----------------------------------------------------------------- the pool
_busy = False


def _worker_init() -> None:
    """In each pool process: Ctrl-C is for the runner, which stops the workers
    (SIGTERM) once; a worker executing a notebook then unwinds it (temporary
    files removed), an idle one just leaves."""
    def terminate(_signum, _frame):
        if not _busy:
            os._exit(0)
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, terminate)


def _work(job: Job, kernel: "warmkernel.Spec | None") -> tuple[str, float]:
    global _busy
    _busy = True
    try:
        return execute(job, kernel)
    except KeyboardInterrupt:
        os._exit(130)  # stopped by the runner: nothing to report
    finally:
        _busy = False


def _stop_workers(pool: ProcessPoolExecutor, grace: float = 3.0) -> None:
    """Stop the pool's processes now, not after the notebooks they are running
    (``shutdown`` would wait for those): SIGTERM, then SIGKILL after ``grace``."""
    procs = [p for p in list((getattr(pool, "_processes", None) or {}).values()) if p.is_alive()]
    for p in procs:
        with contextlib.suppress(OSError, ValueError):
            p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join()


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


def overall_digest(todo: list[Job]) -> str:
    """Content stamp of everything any notebook reads (package, templates,
    configuration, the pins, all data) and of the executed notebooks themselves: while it
    is unchanged, no per-chapter fingerprint needs computing."""
    from . import stamps
    from .codegraph import REQUIREMENTS
    return stamps.digest([ANALYSIS, DATA, MANIFEST, REQUIREMENTS] + [j.output for j in todo],
                         extra=json.dumps(sorted(j.name for j in todo)))


def run(force: bool = False, workers: int | None = None, only: list[str] | None = None) -> dict:
    from . import stamps, steps
    if steps.run_step("audit", quiet=True):  # the chapters show the written audit
        raise SystemExit(1)
    todo = [j for j in jobs() if not only or j.name in only]
    step = "run" if not only else "run:" + ",".join(sorted(only))
    if not force and all(j.output.exists() for j in todo) and stamps.fresh(step, overall_digest(todo)):
        for i, j in enumerate(todo, 1):
            print(f"[{i}/{len(todo)}] {j.name:<16} cached", flush=True)
        print(f"run: 0 executed, {len(todo)} cached (no input changed)", flush=True)
        return {"executed": [], "cached": sorted(j.name for j in todo), "timings": {}}
    stamps.record(step, None)
    manifest = load_manifest()
    # notebooks that must run whatever their fingerprint start at once; the
    # fingerprints (which read the data) are computed while they execute
    certain = [j for j in todo if force or not j.output.exists()]
    forget(manifest, certain)
    if force:  # from scratch: figures are drawn again too, not taken from plots.render's cache
        for j in certain:
            shutil.rmtree(j.figures, ignore_errors=True)
    total, done, timings = len(todo), 0, {}
    workers = min(workers or os.cpu_count() or 1, total)
    futures: dict = {}
    with contextlib.ExitStack() as stack:  # closed in reverse: the pool finishes before the kernel server stops
        pool = kernel = None

        def on_exit(kind, _exc, _tb) -> None:
            if kind is KeyboardInterrupt:  # stop the notebooks now (their kernels go with the server, closed last)
                _stop_workers(pool)
            else:  # after a failure, start nothing new
                for f in futures:
                    f.cancel()

        def submit(batch: list[Job]) -> None:
            nonlocal pool, kernel
            if batch and pool is None:  # a kernel server and a pool only when something executes
                kernel = None if warmkernel.cold() else stack.enter_context(warmkernel.server())
                pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers, initializer=_worker_init))
                stack.push(on_exit)
            futures.update({pool.submit(_work, j, kernel): j for j in batch})

        submit(certain)
        prints = {j.name: fingerprint(j) for j in todo}
        stale = certain + [j for j in todo if j not in certain and manifest.get(j.name) != prints[j.name]]
        cached = [j for j in todo if j not in stale]
        forget(manifest, stale)
        for j in cached:
            done += 1
            print(f"[{done}/{total}] {j.name:<16} cached", flush=True)
        submit([j for j in stale if j not in certain])
        for fut in as_completed(futures):
            name, seconds = fut.result()
            timings[name] = seconds
            manifest[name] = prints[name]
            save_manifest(manifest)  # kept even if a later notebook is interrupted
            done += 1
            print(f"[{done}/{total}] {name:<16} executed in {seconds:5.1f} s", flush=True)
    save_manifest(manifest)
    stamps.record(step, overall_digest(todo))
    print(f"run: {len(stale)} executed, {len(cached)} cached", flush=True)
    return {"executed": sorted(timings), "cached": sorted(j.name for j in cached), "timings": timings}


def reproduce(iso3: str, output: Path) -> Path:
    """Execute one country chapter as ``make book`` does (the audit brought up
    to date, the template's texts and placeholders filled in, the parameters
    set, volatile metadata stripped) into ``output``, outside the manifest:
    the book's own notebook and its cache are not touched."""
    from . import steps
    chapters = {j.parameters["country"]: j for j in jobs() if "country" in j.parameters}
    if iso3 not in chapters:
        raise SystemExit(f"run: no chapter {iso3!r}; the configured ones are {', '.join(sorted(chapters))}")
    if steps.run_step("audit", quiet=True):
        raise SystemExit(1)
    job = dataclasses.replace(chapters[iso3], output=Path(output).resolve())
    execute(job)
    return job.output


def forget(manifest: dict, batch: list[Job]) -> None:
    """Drop the manifest entries of notebooks about to run (and save it): if
    the run is interrupted, they are executed again next time, however far
    their outputs or figures had got."""
    if any(j.name in manifest for j in batch):
        for j in batch:
            manifest.pop(j.name, None)
        save_manifest(manifest)


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="re-execute every notebook")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    ap.add_argument("--only", nargs="*", help="job names, e.g. countries/KAZ regional")
    ap.add_argument("--chapter", metavar="ISO3", help="execute one country chapter into --output (the re-run box)")
    ap.add_argument("--output", metavar="NOTEBOOK", help="with --chapter: where to write the executed notebook")
    args = ap.parse_args(argv)
    if bool(args.chapter) != bool(args.output):
        ap.error("--chapter and --output go together")
    if args.chapter:
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            print(f"run: {args.chapter} written to {reproduce(args.chapter, Path(args.output))}", flush=True)
        except KeyboardInterrupt:
            print("run: interrupted; the output was not written", file=sys.stderr)
            return 130
        return 0
    force = args.force or os.environ.get("FORCE", "") not in ("", "0")
    signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C: workers, kernels and server too
    try:
        run(force=force, workers=args.workers, only=args.only)
    except KeyboardInterrupt:
        print("run: interrupted; unfinished notebooks run again next time", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
