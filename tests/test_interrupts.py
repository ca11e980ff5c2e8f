"""Real builds, interrupted and run side by side, in a private copy of the
repository (the copy shares this checkout's .venv; it has its own _build and
its own build lock).

- Ctrl-C (SIGINT to make's process group, as a terminal sends it) during
  ingest, notebook execution (also of a FORCE=1 build) and the Sphinx build:
  the build stops within seconds, prints one line and no traceback, leaves
  no process behind, and the next plain ``make book`` succeeds with valid
  figures.
- Two ``make book`` at once: the second says a build is running and waits;
  both succeed and the book is valid.
- Adding a data file and removing it again: the incremental build equals a
  cold build of the same inputs, byte for byte.

Slow (several builds): marked ``slow``; ``make test`` runs them.
"""
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest
from PIL import Image

from analysis.book import repocopy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # several builds of a repository copy

STOP_WITHIN = 5.0  # seconds from Ctrl-C to make's exit
INTERRUPTED = re.compile(r"^interrupted: make book stopped; _build/html holds the last complete book")
NEW_DATA = """\ufeff"Data Source","World Development Indicators",

"Last Updated Date","2025-07-01",

"Country Name","Country Code","Indicator Name","Indicator Code","2019","2020",
"Kazakhstan","KAZ","Test series (% of population)","TST.IND.ZS","10.5","11.5",
"Uzbekistan","UZB","Test series (% of population)","TST.IND.ZS","7.5","8.5",
"""


def copy_repo(dst: Path) -> Path:
    """The checkout's files as git sees them (tracked and new, not ignored:
    no build products), with a venv of its own layered on this checkout's."""
    return repocopy.copy(dst, untracked=True)


def environment() -> dict:
    """This process's environment without what an enclosing ``make test`` set."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "SRD_BUILD_LOCK", "FORCE", "DATA"}
    return {k: v for k, v in os.environ.items() if k not in drop}


class Make:
    """``make <args>`` in ``repo``, its own process group (as a shell job),
    output lines collected with the time they arrived."""

    def __init__(self, repo: Path, *args: str):
        self.proc = subprocess.Popen(["make", *args], cwd=repo, env=environment(), start_new_session=True,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[tuple[float, str]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            self.lines.append((time.monotonic(), raw.decode("utf-8", "replace").rstrip("\n")))

    @property
    def output(self) -> str:
        return "\n".join(text for _, text in self.lines)

    def wait_for(self, pattern: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not any(re.search(pattern, text) for _, text in self.lines):
            assert self.proc.poll() is None or self.reader.is_alive(), f"make ended before {pattern!r}:\n{self.output}"
            assert time.monotonic() < deadline, f"no {pattern!r} after {timeout} s:\n{self.output}"
            time.sleep(0.05)

    def finish(self, timeout: float = 600) -> int:
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return self.proc.returncode

    def interrupt(self) -> dict:
        """Ctrl-C: SIGINT to make's process group. Returns what happened."""
        family = psutil.Process(self.proc.pid).children(recursive=True)
        sent = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGINT)
        rc = self.finish(timeout=60)
        seconds = time.monotonic() - sent
        time.sleep(1.0)
        left = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        return {"rc": rc, "seconds": seconds, "family": len(family),
                "after": [text for t, text in self.lines if t >= sent], "left": [p.cmdline() for p in left]}


def build(repo: Path, *args: str) -> str:
    make = Make(repo, "book", *args)
    rc = make.finish()
    assert rc == 0, make.output[-5000:]
    assert "Traceback" not in make.output
    return make.output


def assert_valid_figures(repo: Path) -> None:
    pngs = list((repo / "book" / "figures").rglob("*.png")) + list((repo / "_build" / "html").rglob("*.png"))
    assert len(pngs) > 50
    for png in pngs:
        with Image.open(png) as im:
            im.verify()  # a truncated or half-written file fails here


def assert_stopped_cleanly(result: dict, make: Make) -> None:
    assert result["rc"] == -signal.SIGINT, make.output[-3000:]
    assert result["seconds"] < STOP_WITHIN, result
    assert "Traceback" not in make.output, make.output[-5000:]
    assert len(result["after"]) == 1 and INTERRUPTED.match(result["after"][0]), result["after"]
    assert result["left"] == [], result["left"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return copy_repo(tmp_path_factory.mktemp("interrupts") / "repo")


def test_ctrl_c_at_every_stage_then_a_plain_build_completes(repo):
    # 1. during ingest (a cold copy: the venv exists, nothing is built yet)
    make = Make(repo, "book")
    make.wait_for(r"analysis\.data\.ingest")
    time.sleep(0.3)
    assert_stopped_cleanly(make.interrupt(), make)

    # 2. during notebook execution: some chapters done, others running in kernels
    make = Make(repo, "book")
    make.wait_for(r"executed in")
    result = make.interrupt()
    assert_stopped_cleanly(result, make)
    assert result["family"] >= 4  # Snakemake, its jobs and their kernels were running, and are gone

    # 3. during the Sphinx build (the first one of this copy: several seconds)
    make = Make(repo, "book")
    make.wait_for(r"analysis\.book\.publish")
    time.sleep(2.0)
    assert_stopped_cleanly(make.interrupt(), make)
    assert not (repo / "_build" / "html").exists()  # no book yet, and no half of one

    out = build(repo)
    assert "html: _build/html updated" in out
    assert_valid_figures(repo)

    # 4. a FORCE=1 build (which draws every figure again) interrupted among its notebooks
    before = (repo / "_build" / "html" / "book" / "countries" / "KAZ.html").read_bytes()
    make = Make(repo, "book", "FORCE=1")
    make.wait_for(r"executed in")
    assert_stopped_cleanly(make.interrupt(), make)
    assert (repo / "_build" / "html" / "book" / "countries" / "KAZ.html").read_bytes() == before  # the old book
    out = build(repo)
    assert "executed in" in out  # what was interrupted is redone, not taken as done
    assert_valid_figures(repo)


def test_two_builds_at_once_one_waits_and_both_succeed(repo):
    first = Make(repo, "book", "FORCE=1")
    first.wait_for(r"analysis\.data\.ingest|\.venv/bin/python")
    second = Make(repo, "book")
    assert first.finish() == 0, first.output[-5000:]
    assert second.finish() == 0, second.output[-5000:]
    assert second.lines[0][1].startswith("another build is running in this folder (make book"), second.output
    assert second.lines[0][0] < first.lines[-1][0]  # said so while the first was still running
    assert "Traceback" not in first.output + second.output
    assert "book: _build/html/index.html" in second.output
    assert_valid_figures(repo)


def test_incremental_build_after_adding_and_removing_data_equals_a_cold_build(repo, tmp_path):
    build(repo)
    kept = tmp_path / "data"
    shutil.copytree(repo / "data", kept)
    new = tmp_path / "API_TST.IND.ZS_DS2_en_csv_v2_1.csv"
    new.write_text(NEW_DATA, encoding="utf-8")
    build(repo, f"DATA={new}")
    assert "TST.IND.ZS" in (repo / "_build" / "html" / "book" / "data-dictionary.html").read_text(encoding="utf-8")
    shutil.rmtree(repo / "data")  # the file removed again: data/ as before (as `git checkout data` would)
    shutil.copytree(kept, repo / "data")
    build(repo)
    incremental = snapshot(repo / "_build" / "html")
    assert "TST.IND.ZS" not in incremental["book/data-dictionary.html"].decode()
    subprocess.run(["make", "clean"], cwd=repo, env=environment(), check=True, capture_output=True)
    build(repo)
    cold = snapshot(repo / "_build" / "html")
    assert sorted(incremental) == sorted(cold)
    differ = [name for name in cold if cold[name] != incremental[name]]
    assert differ == []


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
