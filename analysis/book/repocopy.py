"""A private copy of the repository, with its own virtual environment layered
on this checkout's: where the integration tests and the benchmark build, so
that the working tree is never touched.

    from analysis.book import repocopy
    repo = repocopy.copy(tmp / "repo")              # the tracked files, as in a fresh clone
    subprocess.run(["make", "book"], cwd=repo)      # builds the copy with the copy's code

The project's ``analysis`` package is installed into ``.venv`` in editable
mode (``pyproject.toml``), which points at *this* checkout. A copy that shared
that venv would import this checkout's code wherever the working directory is
not the copy's root (notebook kernels, Sphinx). So each copy gets a venv of its
own, made in a fraction of a second instead of a ``pip install``:

- ``python -m venv --without-pip``, from the same interpreter;
- a ``.pth`` line naming the copy's root: its ``analysis`` package, as an
  editable install of the copy would;
- a ``.pth`` line naming this venv's ``site-packages``: the pinned libraries,
  read from there (as plain paths: this venv's own ``.pth`` hooks, among them
  the editable install of this checkout, are not run);
- the console scripts (``jupyter-book``, ``papermill``, ...) with their first
  line pointing at the copy's interpreter;
- the requirements stamp, so ``make`` does not install again.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from analysis.paths import ROOT

VENV = ROOT / ".venv"
STAMP = ".requirements-installed"  # the Makefile's name for "requirements.txt is installed"
# what a copy of the working tree leaves out (build outputs; the venv is made anew)
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "node_modules", "__pycache__", "figures",
                                ".ipynb_checkpoints", "_generated", ".build.lock")


def copy(dst: Path, *, untracked: bool = False, base: Path = VENV) -> Path:
    """Copy the repository's tracked files (with ``untracked``, also files git
    does not ignore) to ``dst`` and give it a venv layered on ``base``. Without
    git (an unpacked archive), the working tree less the build outputs."""
    dst = Path(dst)
    listing = ["git", "ls-files", "-z", "--cached"] + (["--others", "--exclude-standard"] if untracked else [])
    try:
        files = subprocess.run(listing, cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(ROOT, dst, ignore=IGNORE)
    else:
        for rel in filter(None, files):
            src = ROOT / rel
            if src.is_file():
                (dst / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst / rel)
    if (ROOT / "node_modules").is_dir() and not (dst / "node_modules").exists():
        (dst / "node_modules").symlink_to(ROOT / "node_modules")  # axe-core for the browser tests
    venv_over(dst, base)
    return dst


def _site_packages(venv: Path) -> Path:
    rel = Path(sysconfig.get_path("purelib", vars={"base": "."})).relative_to(".")
    return venv / rel


CODE_PTH, LIBRARIES_PTH = "_srd_0_analysis.pth", "_srd_1_libraries.pth"


def overlay_of(venv: Path) -> Path | None:
    """For a venv made by :func:`venv_over`: the repository copy it imports
    ``analysis`` from; None for any other venv (the project's own)."""
    pth = _site_packages(venv) / CODE_PTH
    return Path(pth.read_text(encoding="utf-8").strip()) if pth.exists() else None


def _libraries(venv: Path) -> Path:
    """Where ``venv``'s libraries are: its site-packages, or for an overlay the one it reads."""
    pth = _site_packages(venv) / LIBRARIES_PTH
    return Path(pth.read_text(encoding="utf-8").strip()) if pth.exists() else _site_packages(venv).resolve()


def venv_over(repo: Path, base: Path = VENV) -> Path:
    """Make ``repo/.venv``: an interpreter whose ``analysis`` is ``repo``'s and
    whose libraries are ``base``'s (see the module's docstring)."""
    venv = Path(repo) / ".venv"
    python = base / "bin" / "python"
    if not python.exists():
        raise FileNotFoundError(f"{python}: the project's venv is missing (run `make venv`)")
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(venv)], check=True)
    site = _site_packages(venv)
    site.mkdir(parents=True, exist_ok=True)
    # read in name order: the copy's code first, then the shared libraries (a copy of a copy reads the first's)
    (site / CODE_PTH).write_text(f"{Path(repo).resolve()}\n", encoding="utf-8")
    (site / LIBRARIES_PTH).write_text(f"{_libraries(base)}\n", encoding="utf-8")
    shebang = f"#!{base / 'bin' / 'python'}"
    for script in sorted((base / "bin").iterdir()):
        target = venv / "bin" / script.name
        if target.exists() or target.is_symlink() or not script.is_file():
            continue
        try:
            text = script.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        first, _, rest = text.partition("\n")
        if first.startswith(shebang):
            target.write_text(f"#!{venv / 'bin' / 'python'}{first[len(shebang):]}\n{rest}", encoding="utf-8")
            target.chmod(0o755)
    (venv / STAMP).touch()
    return venv


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.book.repocopy DST``: make a copy (for trying a change by hand)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m analysis.book.repocopy DESTINATION", file=sys.stderr)
        return 2
    print(copy(Path(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
