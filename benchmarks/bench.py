"""Benchmark the build on this machine and print a table (a script, not a test).

    .venv/bin/python benchmarks/bench.py [--runs 3] [--scale 6 12 24 48] [--scale-runs 1] [--pdf]

Everything runs in a throw-away copy of the repository (the venv is shared),
so the working tree is never touched. Measured, as the median of --runs runs:

  cold build            make book with no executed notebooks and no _build/
  execution, parallel   the Snakefile's notebook rules forced (snakemake outputs --cores all
                        --forcerun chapter regional): one job per notebook
  execution, serial     the same with --cores 1
  plain Jupyter Book    jupyter-book build with execute_notebooks: force over the
                        same notebooks (serial execution inside Sphinx), from the state
                        of a cold build: the notebooks' figures are not drawn yet
  no-change rebuild     make book again with nothing changed
  one-country change    make book after one Kazakhstan value changed in a raw file
  pdf build             make pdf (with --pdf)
  real-sized data       (--wdi 1500, or --wdi-only) a cold build, then a cold build with
                        a synthetic file of 1,500 indicators × 66 years × 6 countries
                        added (benchmarks/synthetic.py), and its peak memory
  scaling               cold build (make book) with 6, 12, 24, 48 countries
                        (synthetic copies of the real ones, new ISO3 codes),
                        and how far it is from a straight line
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sh(cmd: str, cwd: Path, env: dict | None = None, out: list | None = None) -> float:
    """Run a command, return its wall-clock seconds (its stdout appended to ``out``)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, shell=True, cwd=cwd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True,
                          env={**os.environ, **(env or {})})
    if out is not None:
        out.append(proc.stdout)
    return time.perf_counter() - start


def sh_peak(cmd: str, cwd: Path) -> tuple[float, float, float]:
    """Run a command; (seconds, peak RSS of its whole process tree in MB, sampled
    every 0.1 s, and the largest single process's max RSS in MB from getrusage)."""
    import resource
    import threading

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, shell=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        root = psutil.Process(proc.pid)
        while not done.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak[0] = max(peak[0], total)
            done.wait(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    t.join()
    if proc.returncode:
        raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak[0] / 2**20, max(after, before) / 1024


def wdi_benchmark(n: int, layout: str = "tidy") -> list[tuple[str, float, float, float]]:
    """Cold build, then a cold build with a synthetic file of ``n`` indicators × 66
    years × 6 countries added by ``make book DATA=...`` (registration, ingest,
    pages, notebooks, Sphinx), then a no-change rebuild: (step, seconds, tree peak MB, process max MB)."""
    import synthetic  # benchmarks/synthetic.py, beside this script

    rows = []
    with tempfile.TemporaryDirectory(prefix="srd-bench-wdi-") as tmp:
        repo = copy_repo(Path(tmp) / "repo")
        clean(repo)
        rows.append(("cold build (make book)", *sh_peak("make book", repo)))
        path = synthetic.write(Path(tmp) / f"wdi_{n}.csv", n, layout)
        clean(repo)
        rows.append((f"cold build with {n:,} added indicators (make book DATA=..., {layout} layout)",
                     *sh_peak(f"make book DATA={path}", repo)))
        rows.append((f"no-change rebuild with {n:,} added indicators (make book)", *sh_peak("make book", repo)))
    return rows


def print_wdi(rows, n: int) -> None:
    cold = rows[0][1]
    print(f"# Real-sized data: {n:,} synthetic indicators × 66 years × 6 countries (benchmarks/synthetic.py)")
    print()
    print(f"Machine: {machine()}.")
    print()
    print("| step | seconds | vs cold build | peak memory, process tree (MB) | largest process (MB) |")
    print("|---|---:|---:|---:|---:|")
    for name, sec, tree, one in rows:
        print(f"| {name} | {sec:.1f} | {sec / cold:.1f}× | {tree:.0f} | {one:.0f} |")
    big = rows[1]
    print()
    print("| target | measured | |")
    print("|---|---:|---|")
    print(f"| build with the file ≤ 3× a cold build | {big[1] / cold:.1f}× | {'met' if big[1] <= 3 * cold else 'missed'} |")
    print(f"| peak memory < 2 GB (whole process tree) | {big[2]:,.0f} MB | {'met' if big[2] < 2048 else 'missed'} |")


def notebook_seconds(outputs: list[str]) -> list[float]:
    """Per-notebook execution times printed by the notebook jobs ("executed in 5.1 s")."""
    return [t for ts in notebook_times(outputs).values() for t in ts]


def notebook_times(outputs: list[str]) -> dict[str, list[float]]:
    """Execution times of each notebook over several runs of the notebook jobs
    ("countries/KGZ    executed in   4.1 s")."""
    times: dict[str, list[float]] = {}
    for text in outputs:
        for name, sec in re.findall(r"^(\S+)\s+executed in\s+([\d.]+) s", text, flags=re.M):
            times.setdefault(name, []).append(float(sec))
    return times


def notebook_medians(outputs: list[str]) -> dict[str, float]:
    return {k: median(v) for k, v in notebook_times(outputs).items()}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except OSError:
        mem = 0
    osname = platform.platform()
    try:
        osname = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines()
                      if "=" in line)["PRETTY_NAME"].strip('"')
    except (OSError, KeyError):
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {osname}, Python {platform.python_version()}"


def copy_repo(dst: Path) -> Path:
    """The working tree as git sees it (tracked and new files, no build
    products), with a venv of its own layered on this one (analysis/book/repocopy.py)."""
    from analysis.book import repocopy
    return repocopy.copy(dst, untracked=True)


def clean(repo: Path) -> None:
    """Back to the state of a fresh clone: no build, no executed notebooks, no generated pages or figures."""
    shutil.rmtree(repo / "_build", ignore_errors=True)
    shutil.rmtree(repo / "book" / "figures", ignore_errors=True)
    shutil.rmtree(repo / "book" / "_generated", ignore_errors=True)
    for p in list((repo / "book" / "countries").glob("*.ipynb")) + [repo / "book" / "regional.ipynb"]:
        p.unlink(missing_ok=True)


def drop_notebook_figures(repo: Path) -> None:
    """Remove the figures the notebooks draw (book/figures/<ISO3>, regional), so
    that plain Jupyter Book executes them from the state of a cold build, which
    draws them; the generated pages' figures stay (Jupyter Book does not make them)."""
    from analysis.book import notebooks
    for job in notebooks.jobs():
        shutil.rmtree(repo / job.figures.relative_to(ROOT), ignore_errors=True)


def change_one_value(repo: Path, step: int) -> None:
    """Change Kazakhstan's 2019 internet share in the raw file and re-register its hash."""
    raw = repo / "data" / "raw" / "wb_wdi_API_IT.NET.USER.ZS_DS2_en_csv_v2_2160__plotly-figure-friday.csv"
    text = raw.read_text(encoding="utf-8-sig")
    new = re.sub(r"(Kazakhstan,KAZ,[^\n]*?,)(8[01]\.\d+)(,\d)", lambda m: f"{m.group(1)}{80 + step % 2}.5{m.group(3)}",
                 text, count=1)
    raw.write_bytes(b"\xef\xbb\xbf" + new.encode())
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
    subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", "analysis.report.toc"], cwd=repo, check=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


IMPORTS = "import pandas, matplotlib.figure, IPython, ipykernel.ipkernel"


def import_contention(runs: int = 5) -> tuple[float, float]:
    """Seconds to start Python and import what every notebook kernel imports:
    one process alone, and each of two processes started at once (medians).
    Where two notebooks slow each other down on this machine."""
    py = str(ROOT / ".venv" / "bin" / "python")
    code = f"import time; t = time.perf_counter(); {IMPORTS}; print(time.perf_counter() - t)"
    alone, pair = [], []
    for _ in range(runs):
        alone.append(float(subprocess.run([py, "-c", code], capture_output=True, text=True, check=True).stdout))
        procs = [subprocess.Popen([py, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(2)]
        pair += [float(p.communicate()[0]) for p in procs]
    return median(alone), median(pair)


def linear_fit(scaling: dict[int, tuple[float, list]]) -> tuple[float, float]:
    """Least-squares line through (countries, seconds): (intercept, slope)."""
    ns = list(scaling)
    if len(ns) < 2:
        return (0.0, scaling[ns[0]][0] / ns[0]) if ns else (0.0, 0.0)
    slope, intercept = statistics.linear_regression(ns, [scaling[n][0] for n in ns])
    return intercept, slope


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, nargs="*", default=[6, 12, 24, 48])
    ap.add_argument("--scale-runs", type=int, default=1, help="cold builds per country count")
    ap.add_argument("--pdf", action="store_true", help="also time `make pdf`")
    ap.add_argument("--contention-only", action="store_true",
                    help="only measure how two processes importing the notebook libraries slow each other")
    ap.add_argument("--wdi", type=int, default=0, metavar="N",
                    help="also time a build with N synthetic indicators added (real-sized data, e.g. 1500)")
    ap.add_argument("--wdi-layout", choices=["tidy", "wb_wide"], default="tidy")
    ap.add_argument("--wdi-only", action="store_true", help="only the real-sized data benchmark (--wdi, default 1500)")
    args = ap.parse_args()
    if args.wdi_only:
        n = args.wdi or 1500
        print_wdi(wdi_benchmark(n, args.wdi_layout), n)
        return 0
    if args.contention_only:
        print_contention(args.runs)
        return 0
    notebooks = ".venv/bin/snakemake outputs --nolock --quiet all --forcerun chapter regional --cores"
    results: dict[str, list[float]] = {}
    par_out: list[str] = []
    ser_out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="srd-bench-") as tmp:
        repo = copy_repo(Path(tmp) / "repo")
        write_force_config(repo)
        for r in range(args.runs):
            clean(repo)
            results.setdefault("cold build (make book)", []).append(sh("make book", repo))
            results.setdefault("no-change rebuild (make book)", []).append(sh("make book", repo))
            with open(repo / "analysis" / "book" / "pdf.py", "a", encoding="utf-8") as f:
                f.write(f"\n# benchmark run {r}\n")  # a module no chapter and no page imports
            results.setdefault("PDF-module change (make book)", []).append(sh("make book", repo))
            change_one_value(repo, r)
            results.setdefault("one-country change (make book)", []).append(sh("make book", repo))
            results.setdefault("execution phase, parallel (--cores all)", []).append(
                sh(f"{notebooks} all", repo, out=par_out))
            results.setdefault("execution phase, serial (--cores 1)", []).append(
                sh(f"{notebooks} 1", repo, out=ser_out))
            sh("make book", repo)  # the HTML of the re-executed notebooks, before the PDF is timed
            drop_notebook_figures(repo)  # it starts where the cold build starts: no figure drawn yet
            results.setdefault("plain Jupyter Book (execute_notebooks: force)", []).append(sh(
                ".venv/bin/jupyter-book build . --builder html --quiet --path-output _build/jbforce "
                "--config _config_force.yml", repo))
            if args.pdf:
                results.setdefault("pdf build (make pdf, after make book)", []).append(sh("make pdf", repo))
        scaling = {}
        for n in args.scale:
            srepo = copy_repo(Path(tmp) / f"scale{n}")
            scale_repo(srepo, n)
            sh("make data", srepo)
            outs: list[str] = []
            times = []
            for _ in range(args.scale_runs):
                clean(srepo)
                times.append(sh("make book", srepo, out=outs))
            scaling[n] = (median(times), notebook_seconds(outs))
            shutil.rmtree(srepo)
    cold = median(results["cold build (make book)"])
    print(f"# Silk Road Digital build benchmark, median of {args.runs} runs")
    print()
    print(f"Machine: {machine()}.")
    print()
    print("| step | seconds | vs cold build |")
    print("|---|---:|---:|")
    for name, xs in results.items():
        m = median(xs)
        print(f"| {name} | {m:.1f} | {m / cold:.0%} |")
    par = median(results["execution phase, parallel (--cores all)"])
    ser = median(results["execution phase, serial (--cores 1)"])
    print(f"| speed-up of parallel over serial execution | {ser / par:.2f}× | |")
    print()
    fit = linear_fit(scaling)
    print("| countries | notebooks | cold build seconds (make book) | straight-line fit | "
          "seconds per notebook (wall / notebooks) | each notebook: median, max seconds |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, (t, each) in scaling.items():
        spread = f"{median(each):.1f}, {max(each):.1f}" if each else "–"
        print(f"| {n} | {n + 1} | {t:.1f} | {fit[0] + fit[1] * n:.1f} | {t / (n + 1):.2f} | {spread} |")
    if len(scaling) > 1:
        print(f"\nStraight line: {fit[0]:.1f} s + {fit[1]:.2f} s per country.")
    # each notebook's median over the runs (the targets are medians; this VM's
    # speed alone varies by ±30% from one minute to the next)
    each_par, each_ser = (notebook_medians(o) for o in (par_out, ser_out))
    print()
    print("| notebook | serial run: median seconds | parallel run: median seconds |")
    print("|---|---:|---:|")
    for k in sorted(each_ser, key=lambda k: (k == "regional", k)):
        print(f"| {k} | {each_ser[k]:.1f} | {each_par.get(k, float('nan')):.1f} |")
    print()
    print("| target | measured | |")
    print("|---|---:|---|")
    nochange = median(results["no-change rebuild (make book)"]) / cold
    one = median(results["one-country change (make book)"]) / cold
    pdfmod = median(results["PDF-module change (make book)"]) / cold
    rows = [
        ("no-change rebuild ≤ 10% of cold build", f"{nochange:.0%}", nochange <= 0.10),
        ("one-country change ≤ 40% of cold build", f"{one:.0%}", one <= 0.40),
        ("PDF-module change ≤ 15% of cold build", f"{pdfmod:.0%}", pdfmod <= 0.15),
        ("parallel execution ≥ 1.6× serial", f"{ser / par:.2f}×", ser / par >= 1.6),
    ]
    jb = median(results["plain Jupyter Book (execute_notebooks: force)"]) / cold
    rows.append(("cold build no slower than plain Jupyter Book executing the same notebooks",
                 f"{1 / jb:.2f}× its time", jb >= 1.0))
    if args.pdf:
        pdf = median(results["pdf build (make pdf, after make book)"]) / cold
        rows.append(("make pdf after make book ≤ 1.5× a cold build", f"{pdf:.2f}×", pdf <= 1.5))
    for label, each in (("serial", each_ser), ("parallel", each_par)):
        country = [v for k, v in each.items() if k.startswith("countries/")]
        if country:
            rows.append((f"each country notebook < 5 s ({label} run: slowest median)",
                         f"{max(country):.1f} s", max(country) < 5))
    if len(scaling) > 2:
        worst = max(abs(t - (fit[0] + fit[1] * n)) / t for n, (t, _) in scaling.items())
        rows.append(("cold build linear in countries (largest distance from the straight line)",
                     f"{worst:.0%}", worst <= 0.10))
    for name, value, ok in rows:
        print(f"| {name} | {value} | {'met' if ok else 'missed'} |")
    print()
    print_contention(max(args.runs, 5))
    if args.wdi:
        print()
        print_wdi(wdi_benchmark(args.wdi, args.wdi_layout), args.wdi)
    return 0


def print_contention(runs: int) -> None:
    alone, pair = import_contention(max(runs, 5))
    print(f"Starting Python and importing what a kernel imports ({IMPORTS.removeprefix('import ')}): "
          f"{alone:.2f} s alone, {pair:.2f} s each when two processes do it at once "
          f"(+{pair / alone - 1:.0%}; medians).")


def write_force_config(repo: Path) -> None:
    """``_config_force.yml``: the book's configuration with Jupyter Book executing every notebook."""
    text = (repo / "_config.yml").read_text(encoding="utf-8").replace('execute_notebooks: "off"',
                                                                       'execute_notebooks: "force"')
    (repo / "_config_force.yml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
