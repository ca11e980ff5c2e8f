"""Run a whole build under one lock, and stop it cleanly on Ctrl-C.

The Makefile runs every ``make`` goal through this script (standard library
only: it runs before the venv exists)::

    python3 analysis/book/buildlock.py LOCKFILE -- make --no-print-directory book

- **One build at a time per folder.** The lock (``fcntl.flock`` on
  ``.build.lock``) is held for the whole inner ``make`` run, not per step. A
  second ``make book``/``make pdf``/``make test`` in the same folder prints one
  line saying which build is running and *waits* for it, then runs (usually
  finding everything up to date). Nested ``make`` calls of the build itself
  see ``SRD_BUILD_LOCK`` and do not lock again; a build of another copy of the
  repository has its own lock.
- **Ctrl-C stops the build within seconds, with one line.** The inner build
  runs in its own process group; Ctrl-C (or SIGTERM, SIGHUP) is passed on to
  it, its messages from then on are dropped (tracebacks and make's
  "Interrupt" lines of every step say nothing a user needs), anything still
  running after a grace period is terminated, then killed, and one line says
  what was kept. Every step writes its outputs atomically and records its
  stamp only when it finished (see analysis/atomic.py, analysis/digests.py),
  so the next plain ``make book`` redoes exactly what was interrupted.
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time

GRACE = 8.0   # seconds the interrupted build has to stop by itself before SIGTERM
KILL = 4.0    # further seconds before SIGKILL


def _holder(lock_file) -> str:
    lock_file.seek(0)
    text = lock_file.read().strip()
    return f" ({text})" if text else ""


def _copy(src: int, dst: int, dropping: threading.Event) -> None:
    while True:
        try:
            chunk = os.read(src, 65536)
        except OSError:
            break
        if not chunk:
            break
        if not dropping.is_set():
            try:
                os.write(dst, chunk)
            except OSError:
                pass
    os.close(src)


def run(lock_path: str, argv: list[str], goals: str, parent_make: bool) -> int:
    interrupted: list[int] = []
    dropping = threading.Event()

    def on_signal(signum, _frame):
        if not interrupted:
            interrupted.append(signum)
            dropping.set()
            raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    def finish_interrupted(message: str) -> int:
        print(message, file=sys.stderr, flush=True)
        signum = interrupted[0] if interrupted else signal.SIGINT
        if parent_make:
            # make must stop too, and quietly: it dies of the signal (exit status 128+n)
            # once this script has exited 0; exiting non-zero would make it add a line
            try:
                os.kill(os.getppid(), signum)
            except OSError:
                pass
            return 0
        return 128 + signum

    lock_file = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another build is running in this folder{_holder(lock_file)}; "
                  f"waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(lock_file, fcntl.LOCK_EX)
    except KeyboardInterrupt:
        return finish_interrupted("interrupted while waiting for the other build: nothing was changed")
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.write(f"make {goals}, pid {os.getppid() if parent_make else os.getpid()}\n")
    lock_file.flush()

    env = {**os.environ, "SRD_BUILD_LOCK": lock_path, "PYTHONUNBUFFERED": "1"}
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out_w, stderr=err_w,
                                 preexec_fn=os.setpgrp)  # its own group: signals reach it through here
    except KeyboardInterrupt:
        return finish_interrupted("interrupted: nothing was changed")
    finally:
        os.close(out_w)
        os.close(err_w)
    copiers = []
    try:
        copiers = [threading.Thread(target=_copy, args=(fd, target, dropping), daemon=True)
                   for fd, target in ((out_r, 1), (err_r, 2))]
        for t in copiers:
            t.start()
        rc = child.wait()
    except KeyboardInterrupt:
        rc = stop(child, interrupted[0])
    try:
        for t in copiers:
            t.join(timeout=2)
    except KeyboardInterrupt:  # a signal just after the build ended: reported below
        pass
    if interrupted:
        return finish_interrupted(f"interrupted: make {goals} stopped; _build/html holds the last complete book, "
                                  f"and the next `make {goals}` redoes what was not finished")
    return rc if rc >= 0 else 128 - rc  # killed by a signal: as a shell reports it


def stop(child: subprocess.Popen, signum: int) -> int:
    """Pass the signal on to the build's process group, give it ``GRACE``
    seconds, then terminate and kill whatever is left of the group."""
    def signal_group(sig: int) -> None:
        try:
            os.killpg(child.pid, sig)
        except OSError:
            pass

    signal_group(signum)
    for sig, wait in ((signal.SIGTERM, GRACE), (signal.SIGKILL, KILL)):
        deadline = time.monotonic() + wait
        while child.poll() is None and time.monotonic() < deadline:
            try:
                child.wait(timeout=0.1)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                pass
        if child.poll() is not None:
            break
        signal_group(sig)
    while child.poll() is None:
        try:
            child.wait()
        except KeyboardInterrupt:
            pass
    signal_group(signal.SIGKILL)  # nothing of the interrupted build outlives it
    return child.returncode


def main(argv: list[str]) -> int:
    if len(argv) < 3 or "--" not in argv:
        print("usage: buildlock.py LOCKFILE [--parent-make] [--goals GOALS] -- COMMAND...", file=sys.stderr)
        return 2
    sep = argv.index("--")
    opts, command = argv[:sep], argv[sep + 1:]
    lock_path = opts[0]
    goals = opts[opts.index("--goals") + 1] if "--goals" in opts else "book"
    return run(lock_path, command, goals.strip() or "book", "--parent-make" in opts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
