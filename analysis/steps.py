"""Run a build step only when what it reads changed.

    python -m analysis.steps ingest audit docs     # in this order
    python -m analysis.steps --force docs          # run regardless (FORCE=1 too)

Each step names the files and folders it reads and writes. After a successful
run the content stamp of all of them is recorded (analysis/stamps.py); the next
time the step is skipped while the stamp is unchanged and its outputs exist.
The check itself imports nothing heavy, so an up-to-date step costs a few
milliseconds instead of the second or so that loading pandas and pandera takes.
"""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from . import stamps
from .paths import (ANALYSIS, BOOK, BUILD, CATALOG_CSV, DATA, GENERATED, INDICATORS_CSV, PROCESSED, RAW, REGISTRY,
                    REPLACED_CSV, ROOT)


@dataclass(frozen=True)
class Step:
    module: str             # run as ``python -m <module>`` (its main())
    reads: tuple            # files and folders the step reads (and writes), besides its code
    makes: tuple            # outputs that must exist for the step to be skipped


STEPS = {
    # raw files and their registry → data/processed (hash check of every raw file included)
    "ingest": Step("analysis.ingest", (RAW, REGISTRY, INDICATORS_CSV, CATALOG_CSV, REPLACED_CSV),
                   (INDICATORS_CSV, CATALOG_CSV, REPLACED_CSV)),
    # the papers' ledger checked against the data → data/processed/audit.csv, targets.csv
    "audit": Step("analysis.audit", (DATA,), (PROCESSED / "audit.csv", PROCESSED / "targets.csv")),
    # data pages, coverage matrix, audit/targets/strategies pages, citation pages
    "docs": Step("analysis.docs", (DATA, ANALYSIS / "texts", ROOT / "CITATION.cff", ROOT / "_toc.yml", GENERATED,
                                   BOOK / "figures" / "coverage"),
                 (GENERATED / "sources.md", BOOK / "figures" / "coverage")),
    # every chapter's data-dependent statements evaluated → the "no longer supported" page
    "statements": Step("analysis.statements", (DATA, ANALYSIS / "texts"),
                       (BUILD / "statements.json", GENERATED / "unsupported.md", GENERATED / "recommendations.md")),
}


def digest(step: Step) -> str:
    """The step's inputs and outputs, and the code it runs: its module with what
    that imports (analysis/codegraph.py) and the pins. A step takes seconds, so
    any pin change re-runs it; only the chapters, which take minutes together,
    resolve which libraries they import (analysis/run.py)."""
    from . import codegraph
    return stamps.digest([*step.reads, *codegraph.files([step.module]), codegraph.REQUIREMENTS], extra=step.module)


def run_step(name: str, force: bool = False, quiet: bool = False) -> int:
    step = STEPS[name]
    if not force and all(Path(p).exists() for p in step.makes) and stamps.fresh(name, digest(step)):
        if not quiet:
            print(f"{name}: up to date (nothing it reads changed)")
        return 0
    stamps.record(name, None)
    rc = importlib.import_module(step.module).main([])
    if rc == 0:
        stamps.record(name, digest(step))  # the state after the run, outputs included
    return rc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("steps", nargs="+", choices=sorted(STEPS))
    ap.add_argument("--force", action="store_true", help="run even when nothing changed")
    args = ap.parse_args(argv)
    force = args.force or os.environ.get("FORCE", "") not in ("", "0")
    # started in the background by the Makefile (``docs & run``), where the shell ignores Ctrl-C for it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in args.steps:
        rc = run_step(name, force)
        if rc:
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
