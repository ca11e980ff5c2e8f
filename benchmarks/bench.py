"""Benchmark the build on this machine and print a table (a script, not a test).

    .venv/bin/python benchmarks/bench.py [--runs 3] [--scale 6 12 24 48] [--pdf]

Everything runs in a throw-away copy of the repository (the venv is shared),
so the working tree is never touched. Measured, as the median of --runs runs:

  cold build            make book with no executed notebooks and no _build/
  execution, parallel   python -m analysis.run --force (process pool, all cores)
  execution, serial     python -m analysis.run --force --workers 1
  plain Jupyter Book    jupyter-book build with execute_notebooks: force over the
                        same executed notebooks (serial execution inside Sphinx)
  no-change rebuild     make book again with nothing changed
  one-country change    make book after one Kazakhstan value changed in a raw file
  pdf build             make pdf (with --pdf)
  scaling               cold execution phase with 6, 12, 24, 48 countries
                        (synthetic copies of the real ones, new ISO3 codes)
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "node_modules", "__pycache__", "figures",
                                "*.ipynb_checkpoints")


def sh(cmd: str, cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, shell=True, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(cwd), **(env or {})})
    return time.perf_counter() - start


def copy_repo(dst: Path) -> Path:
    shutil.copytree(ROOT, dst, ignore=IGNORE)
    for p in list((dst / "book" / "countries").glob("*.ipynb")) + [dst / "book" / "regional.ipynb"]:
        p.unlink(missing_ok=True)
    os.symlink(ROOT / ".venv", dst / ".venv")
    if (ROOT / "node_modules").exists():
        os.symlink(ROOT / "node_modules", dst / "node_modules")
    return dst


def clean(repo: Path) -> None:
    shutil.rmtree(repo / "_build", ignore_errors=True)
    for p in list((repo / "book" / "countries").glob("*.ipynb")) + [repo / "book" / "regional.ipynb"]:
        p.unlink(missing_ok=True)


def change_one_value(repo: Path, step: int) -> None:
    """Change Kazakhstan's 2019 internet share in the raw file and re-register its hash."""
    raw = repo / "data" / "raw" / "wb_wdi_API_IT.NET.USER.ZS_DS2_en_csv_v2_2160__plotly-figure-friday.csv"
    text = raw.read_text(encoding="utf-8-sig")
    import re
    new = re.sub(r"(Kazakhstan,KAZ,[^\n]*?,)(8[01]\.\d+)(,\d)", lambda m: f"{m.group(1)}{80 + step % 2}.5{m.group(3)}",
                 text, count=1)
    raw.write_bytes(b"\xef\xbb\xbf" + new.encode())
    sys.path.insert(0, str(repo))
    import hashlib
    digest = hashlib.sha256(raw.read_bytes()).hexdigest()
    reg = repo / "data" / "sources.yml"
    lines = reg.read_text(encoding="utf-8").splitlines()
    out, in_entry = [], False
    for line in lines:
        if raw.name in line:
            in_entry = True
        if in_entry and line.strip().startswith("sha256:"):
            line = line.split("sha256:")[0] + f"sha256: {digest}"
            in_entry = False
        out.append(line)
    reg.write_text("\n".join(out) + "\n", encoding="utf-8")


def scale_repo(repo: Path, n: int) -> None:
    """Configure n countries: the six real ones plus synthetic copies whose data
    duplicate a real country's rows under a new ISO3 code."""
    import csv
    import yaml
    cfg = yaml.safe_load((repo / "analysis" / "countries.yml").read_text(encoding="utf-8"))
    real = cfg["countries"][:6]
    rows = list(csv.DictReader(open(ROOT / "data" / "processed" / "indicators.csv", encoding="utf-8")))
    extra, out_rows = [], []
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for i in range(n - len(real)):
        src = real[i % 5]  # copy partners only, keep one reference country
        code = "Q" + letters[i // 26] + letters[i % 26]
        extra.append({**src, "iso3": code, "name": f"{src['name']} (copy {i + 1})", "aliases": []})
        for r in rows:
            if r["country_iso3"] == src["iso3"]:
                out_rows.append({"country_iso3": code, "indicator": r["indicator"], "year": r["year"],
                                 "value": r["value"], "unit": r["unit"]})
    cfg["countries"] = real + extra
    (repo / "analysis" / "countries.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    if out_rows:
        path = repo / "data" / "raw" / "synthetic.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["country_iso3", "indicator", "year", "value", "unit"],
                               lineterminator="\n")
            w.writeheader()
            w.writerows(out_rows)
        import hashlib
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with open(repo / "data" / "sources.yml", "a", encoding="utf-8") as f:
            f.write(f"""  - id: synthetic
    file: raw/synthetic.csv
    title: Synthetic copies for the scaling benchmark
    publisher: benchmark
    origin: benchmarks/bench.py
    licence: none
    retrieved: "2026-01-01"
    reader: tidy
    sha256: {digest}
""")
    subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", "analysis.toc"], cwd=repo, check=True,
                   env={**os.environ, "PYTHONPATH": str(repo)})


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, nargs="*", default=[6, 12, 24, 48])
    ap.add_argument("--pdf", action="store_true", help="also time `make pdf`")
    args = ap.parse_args()
    py = ".venv/bin/python"
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="srd-bench-") as tmp:
        repo = copy_repo(Path(tmp) / "repo")
        for r in range(args.runs):
            clean(repo)
            results.setdefault("cold build (make book)", []).append(sh("make book", repo))
            results.setdefault("no-change rebuild (make book)", []).append(sh("make book", repo))
            change_one_value(repo, r)
            results.setdefault("one-country change (make book)", []).append(sh("make book", repo))
            results.setdefault("execution phase, parallel", []).append(sh(f"{py} -m analysis.run --force", repo))
            results.setdefault("execution phase, serial (--workers 1)", []).append(
                sh(f"{py} -m analysis.run --force --workers 1", repo))
            results.setdefault("plain Jupyter Book (execute_notebooks: force)", []).append(sh(
                ".venv/bin/jupyter-book build . --builder html --quiet --path-output _build/jbforce "
                "--config _config_force.yml", repo, None) if _force_config(repo) else 0.0)
            if args.pdf:
                results.setdefault("pdf build (make pdf)", []).append(sh("make pdf", repo))
        scaling = {}
        for n in args.scale:
            srepo = copy_repo(Path(tmp) / f"scale{n}")
            scale_repo(srepo, n)
            sh("make data", srepo)
            times = [sh(f"{py} -m analysis.run --force", srepo) for _ in range(max(1, args.runs - 1))]
            scaling[n] = median(times)
            shutil.rmtree(srepo)
    cold = median(results["cold build (make book)"])
    print(f"# Silk Road Digital build benchmark — {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, median of {args.runs} runs")
    print()
    print("| step | seconds | vs cold build |")
    print("|---|---:|---:|")
    for name, xs in results.items():
        m = median(xs)
        print(f"| {name} | {m:.1f} | {m / cold:.0%} |")
    par = median(results["execution phase, parallel"])
    ser = median(results["execution phase, serial (--workers 1)"])
    print(f"| speed-up of parallel over serial execution | {ser / par:.2f}× | |")
    print()
    print("| countries | notebooks | execution seconds | seconds per notebook |")
    print("|---:|---:|---:|---:|")
    for n, t in scaling.items():
        print(f"| {n} | {n + 1} | {t:.1f} | {t / (n + 1):.2f} |")
    return 0


def _force_config(repo: Path) -> bool:
    text = (repo / "_config.yml").read_text(encoding="utf-8").replace('execute_notebooks: "off"',
                                                                       'execute_notebooks: "force"')
    (repo / "_config_force.yml").write_text(text, encoding="utf-8")
    return True


if __name__ == "__main__":
    sys.exit(main())
