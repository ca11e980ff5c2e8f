"""analysis/quickexit.py: the build's processes end without the interpreter's
last garbage collection, and everything else about exiting stays as it was."""
import re
import subprocess
import sys

from analysis import quickexit
from analysis.paths import ANALYSIS, ROOT

EXIT = """
import atexit, gc, sys
atexit.register(lambda: print("frozen before the last handler:", gc.get_freeze_count() > 0, flush=True))
from analysis import quickexit
quickexit.install(); quickexit.install()
atexit.register(lambda: print("a later handler ran, frozen:", gc.get_freeze_count() > 0, flush=True))
cycle = []; cycle.append(cycle)
f = open(sys.argv[1], "w"); f.write("written, never closed by hand")
sys.stdout.write("buffered, not flushed")
sys.exit(3)
"""


def test_a_process_exits_frozen_with_its_handlers_run_its_files_closed_and_its_status(tmp_path):
    out = tmp_path / "out.txt"
    proc = subprocess.run([sys.executable, "-c", EXIT, str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert proc.stdout.splitlines() == ["buffered, not flusheda later handler ran, frozen: False",
                                        "frozen before the last handler: True"]
    assert out.read_text() == "written, never closed by hand"


def test_installing_twice_registers_once(monkeypatch):
    calls = []
    monkeypatch.setattr(quickexit, "_installed", False)
    monkeypatch.setattr(quickexit.atexit, "register", calls.append)
    quickexit.install()
    quickexit.install()
    assert calls == [quickexit.gc.freeze]


def test_every_step_the_snakefile_runs_installs_it():
    """Each rule's ``python -m analysis....`` module installs it in its
    ``__main__`` block; Snakemake's process (the Snakefile) and Jupyter Book's
    (the Sphinx extension) do too."""
    snakefile = (ROOT / "Snakefile").read_text(encoding="utf-8")
    steps = sorted(set(re.findall(r'run\("(analysis\.[a-z_.]+)"', snakefile)))
    assert {"analysis.data.ingest", "analysis.ledger.audit", "analysis.book.publish"} <= set(steps)
    for module in steps:
        source = ANALYSIS.joinpath(*module.split(".")[1:]).with_suffix(".py").read_text(encoding="utf-8")
        main = source.split('if __name__ == "__main__":')[-1]
        assert "quickexit.install()" in main, module
    assert re.search(r"^quickexit\.install\(\)", snakefile, re.M)
    assert "quickexit.install()" in (ANALYSIS / "book" / "sphinxext.py").read_text(encoding="utf-8").split("def setup")[1]
