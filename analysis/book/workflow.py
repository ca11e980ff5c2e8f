"""Run the Snakefile for ``make``, with the build's own progress display.

    python -m analysis.book.workflow html [snakemake options ...]

Snakemake's ``--quiet all`` also hides its own errors (a broken Snakefile, a
missing input), so the Makefile runs it with the job and progress reports
turned off and passes its output through here: the lines Snakemake prints
about its own book-keeping ("Building DAG of jobs...", "Complete log(s): ...",
the exception chain after a job failed, whose own message is already on the
screen) are dropped, and every other line goes to the stream it came on. What
the build's steps print (each command, then its one-line summary or error)
thus reads as before, and an error of Snakemake itself is shown.

Standard library only; exits with Snakemake's status. Interrupted, it waits
for Snakemake, which stops its jobs (the build lock drops the output then).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

QUIET = ["--quiet", "rules", "progress", "host", "reason"]

# One line each: Snakemake's book-keeping, never what a rule printed.
NOISE = re.compile("|".join([
    r"Assuming unrestricted shared filesystem usage\.",
    r"Building DAG of jobs\.\.\.",
    r"Using shell: .*",
    r"Provided cores: \d+",
    r"Rules claiming more threads will be scaled down\.",
    r"Select jobs to execute\.\.\.",
    r"Execute \d+ jobs\.\.\.",
    r"Touching output file .*",
    r"Updating checkpoint dependencies\.",
    r"DAG of jobs will be updated after completion\.",
    r"Nothing to be done \(all requested files are present and up to date\)\.",
    r"Complete log\(s\): .*",
    r"Elapsed time: .*",
    r"Shutting down, this might take some time\.",
    r"Exiting because a job execution failed\. Look (above|below) for error messages",
    r"--keep-incomplete mode is set, so incomplete output files .*",
    r"Terminating processes on user request, this might take some time\.",
]))
# Headers dropped together with the lines that follow them, when those say only
# that a job failed (its own error is already printed).
FOLLOWED = {
    "RuleException:": re.compile(r"CalledProcessError in file .*, line \d+:"),
    "WorkflowError:": re.compile(r"At least one job did not complete successfully\."),
}
AFTER_CALLED = re.compile(r"Command '.*' returned non-zero exit status \d+\.")


def keep(lines):
    """The lines of one stream a user needs, in order (a generator over lines)."""
    held: list[str] = []
    for line in lines:
        text = line.rstrip("\n")
        if held:
            header = held[0].rstrip("\n")
            if len(held) == 1 and FOLLOWED[header].fullmatch(text):
                if header == "RuleException:":
                    held.append(line)
                    continue
                held = []
                continue
            if len(held) == 2 and AFTER_CALLED.fullmatch(text):
                held = []
                continue
            yield from held
            held = []
        if text in FOLLOWED:
            held = [line]
        elif not NOISE.fullmatch(text):
            yield line
    yield from held


def _pump(src, dst) -> None:
    for line in keep(iter(src.readline, "")):
        dst.write(line)
        dst.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    snakemake = Path(sys.executable).with_name("snakemake")
    proc = subprocess.Popen([str(snakemake), *args, *QUIET], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace", env={**os.environ, "PYTHONUNBUFFERED": "1"})
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, sys.stdout), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, sys.stderr), daemon=True)]
    for p in pumps:
        p.start()
    while True:
        try:
            rc = proc.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C reached Snakemake too: it stops its jobs; wait for it
            continue
    for p in pumps:
        p.join(timeout=5)
    return rc


if __name__ == "__main__":
    sys.exit(main())
