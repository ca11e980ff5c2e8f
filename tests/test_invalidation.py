"""What re-executes after a change (issue 17, item 2), in a private copy of the
repository: a chapter's fingerprint holds the code it runs (the modules its
template imports, transitively: analysis/codegraph.py), the pinned versions of
the libraries those import, its parameters and texts, and the data it reads."""
import os
import re
import subprocess

import pytest

from analysis import codegraph, config, statements
from hostile import copy_repo

pytestmark = pytest.mark.timeout(900)


def _run(repo) -> set[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    r = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", "analysis.run"], cwd=repo,
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return set(re.findall(r"\] (\S+) +executed in", r.stdout))


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("invalidation") / "repo")
    assert len(_run(repo)) == len(config.countries()) + 1  # all, from nothing
    return repo


def test_a_module_no_chapter_imports_re_executes_nothing(repo):
    assert "analysis.pdf" not in codegraph.closure(["analysis.chapter", "analysis.run"])[0]
    with open(repo / "analysis" / "pdf.py", "a", encoding="utf-8") as f:
        f.write("\n# a comment\n")
    assert _run(repo) == set()


def test_a_pin_no_chapter_uses_re_executes_nothing(repo):
    req = repo / "requirements.txt"
    text = req.read_text(encoding="utf-8")
    assert "playwright==" in text
    req.write_text(re.sub(r"^playwright==(\S+)$", r"playwright==\1.post1", text, flags=re.M), encoding="utf-8")
    assert _run(repo) == set()


def test_a_pin_the_chapters_use_re_executes_them(repo):
    req = repo / "requirements.txt"
    text = req.read_text(encoding="utf-8")
    req.write_text(re.sub(r"^pandas==(\S+)$", r"pandas==\1.post1", text, flags=re.M), encoding="utf-8")
    assert _run(repo) == {f"countries/{c}" for c in config.iso3_codes()} | {"regional"}


def test_one_country_s_data_re_executes_its_chapter_and_what_aggregates_it(repo):
    table = repo / "data" / "processed" / "indicators.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    code = "IT.CEL.SETS.P2"
    i = next(i for i, line in enumerate(lines) if line.startswith(f"TJK,{code},2010,"))
    cells = lines[i].split(",")
    cells[3] = str(float(cells[3]) + 1)
    lines[i] = ",".join(cells)
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    comparing = {f"countries/{c}" for c in config.iso3_codes() if code in statements.indicators_used(c)}
    executed = _run(repo)
    assert {"countries/TJK", "regional"} <= executed
    assert executed <= {"countries/TJK", "regional"} | comparing  # the chapters whose text ranks countries on it
