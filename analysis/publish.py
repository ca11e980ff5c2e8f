"""Swap a finished build into place, so that readers (and `_build/`) only ever
see a complete book: the HTML is built into a staging folder and moved over
the previous one only when the whole build succeeded. A failed or interrupted
build leaves the last good ``_build/html`` untouched.

    python -m analysis.publish STAGED_DIR TARGET_DIR
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def swap(staged: Path, target: Path) -> None:
    staged, target = Path(staged), Path(target)
    if not (staged / "index.html").exists():
        raise SystemExit(f"publish: {staged} holds no finished build (no index.html); {target} left as it was")
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    if old.exists():
        shutil.rmtree(old)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    swap(Path(argv[0]), Path(argv[1]))
    print(f"publish: {argv[1]} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
