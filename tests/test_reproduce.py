"""Each chapter's "Re-run this chapter" box reproduces the page: the command it
shows, run in a clean checkout of the repository, gives the book's notebook
(the same cells and the same outputs, figure bytes and the commit aside), and
the commit it names says when tracked files had uncommitted changes."""
import configparser
import re
import shlex
import subprocess

import nbformat
import pytest

from analysis import paths
from analysis.paths import BOOK, ROOT
from analysis.report import chapter
from hostile import copy_repo
from layers import requires

ISO3 = "KGZ"  # one chapter is enough: every country's box is made by the same function
NOTEBOOK = BOOK / "countries" / f"{ISO3}.ipynb"


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def _comparable(nb: nbformat.NotebookNode) -> list:
    """Cells and outputs as nbval compares them (tests/nbval_sanitize.cfg applied)."""
    rules = _sanitizers()

    def clean(text: str) -> str:
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        return text

    cells = []
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                outputs.append((out.name, clean(out.text)))
            elif "data" in out:
                outputs.append(sorted((k, clean(v if isinstance(v, str) else "".join(v)))
                                      for k, v in out.data.items() if not k.startswith("image/")))
            else:
                outputs.append(out.output_type)
        cells.append((cell.cell_type, cell.source, outputs))
    return cells


def _box_command(nb: nbformat.NotebookNode) -> str:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown", "")
            if "Re-run this chapter" in text:
                block = re.search(r"```bash\n(.+?)\n```", text, re.S)
                assert block, "the box shows no command"
                return block.group(1).strip()
    raise AssertionError("no 'Re-run this chapter' box in the notebook")


@requires(NOTEBOOK, "book")
@pytest.mark.timeout(900)
def test_the_box_command_reproduces_the_chapter(tmp_path):
    book_nb = nbformat.read(NOTEBOOK, as_version=4)
    command = _box_command(book_nb)
    assert "=" not in command.split()[0] and "{{" not in command  # no environment to set, no placeholder
    repo = copy_repo(tmp_path / "clone")
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "clone"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    r = subprocess.run(shlex.split(command), cwd=repo, capture_output=True, text=True, timeout=800)
    assert r.returncode == 0, r.stdout + r.stderr
    out = nbformat.read(repo / f"{ISO3}.ipynb", as_version=4)
    assert "{{" not in "".join(c.source for c in out.cells if c.cell_type == "markdown"), "a placeholder is left"
    assert _comparable(out) == _comparable(book_nb)
    boxes = [o for c in out.cells for o in c.get("outputs", []) if "Re-run this chapter" in
             o.get("data", {}).get("text/markdown", "")]
    assert "uncommitted" not in boxes[0].data["text/markdown"]  # the clone is clean


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.mark.unit
def test_the_commit_says_when_tracked_files_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    assert chapter._git_commit() == "unknown (not a git checkout)"
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-qm", "a")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    assert chapter._git_commit() == f"`{head}`"
    (tmp_path / "untracked.txt").write_text("build output", encoding="utf-8")
    assert chapter._git_commit() == f"`{head}`"  # untracked files (build outputs) do not count
    (tmp_path / "a.txt").write_text("changed", encoding="utf-8")
    assert chapter._git_commit() == \
        f"`{head}` with uncommitted changes, so the commit alone does not reproduce this page"
