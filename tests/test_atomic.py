"""Outputs are whole or absent; one build at a time; publishing stops before
swapping when it cannot write. Fast: no book is built here (the slow tests
in tests/test_interrupts.py interrupt real builds)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from analysis import atomic
from analysis.book import publish
from analysis.paths import ROOT
from analysis.report import plots

LOCK = ROOT / "analysis" / "book" / "buildlock.py"


def test_replacing_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "page.md"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic.replacing(target) as tmp:
            tmp.write_text("half of the new")
            raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.md"]  # no temporary file left
    atomic.write_text(target, "new")
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["page.md"]
    assert atomic.update_text(target, "new") is False


def test_an_interrupted_figure_leaves_the_previous_png_and_is_drawn_again(tmp_path, monkeypatch):
    stem = tmp_path / "fig"
    fig, ax = plots.new_figure()
    ax.plot([1, 2, 3])
    assert plots.render(stem, lambda: (fig, None), "inputs-1")
    before = stem.with_suffix(".png").read_bytes()
    real = type(fig).savefig

    def interrupted(self, fname, **kw):  # the PNG half written, then Ctrl-C
        Path(fname).write_bytes(before[:100])
        raise KeyboardInterrupt
    monkeypatch.setattr(type(fig), "savefig", interrupted)
    with pytest.raises(KeyboardInterrupt):
        plots.render(stem, lambda: (fig, None), "inputs-2")
    assert stem.with_suffix(".png").read_bytes() == before
    Image.open(stem.with_suffix(".png")).verify()
    assert not list(tmp_path.glob(".*.tmp"))
    monkeypatch.setattr(type(fig), "savefig", real)
    # the key was dropped before drawing: the next run draws again instead of trusting the files
    assert plots.render(stem, lambda: (fig, None), "inputs-2")


def buildlock(tmp_path, *command, **kw):
    return subprocess.Popen([sys.executable, str(LOCK), str(tmp_path / "lock"), "--goals", "book", "--", *command],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def test_a_second_build_waits_for_the_first(tmp_path):
    first = buildlock(tmp_path, sys.executable, "-c", "import time; time.sleep(2); print('first done')")
    time.sleep(0.5)
    started = time.monotonic()
    second = buildlock(tmp_path, sys.executable, "-c", "print('second done')")
    out2, err2 = second.communicate(timeout=30)
    out1, _ = first.communicate(timeout=30)
    assert first.returncode == 0 and second.returncode == 0
    assert time.monotonic() - started > 1.0  # it waited
    assert err2.splitlines() == [f"another build is running in this folder (make book, pid {first.pid}); "
                                 "waiting for it to finish"]
    assert out1 == "first done\n" and out2 == "second done\n"


def test_ctrl_c_stops_the_build_with_one_line(tmp_path):
    # a step that prints a traceback when interrupted and a child that ignores SIGINT
    script = ("import signal, subprocess, sys, time\n"
              "subprocess.Popen([sys.executable, '-c', 'import signal, time; "
              "signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(60)'])\n"
              "print('working', flush=True)\n"
              "time.sleep(60)\n")
    p = buildlock(tmp_path, sys.executable, "-c", script)
    assert p.stdout.readline() == "working\n"
    started = time.monotonic()
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert time.monotonic() - started < 15  # the grace period, then SIGTERM to what ignored Ctrl-C
    assert out == ""
    assert err.splitlines() == ["interrupted: make book stopped; _build/html holds the last complete book, "
                                "and the next `make book` redoes what was not finished"]
    assert p.returncode == 128 + signal.SIGINT


def unwritable(folder: Path):
    """Make ``folder`` unwritable even for root: immutable (chattr), else a
    read-only bind mount, else (not root) mode 0555."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode == 0:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True).returncode == 0:
            return lambda: subprocess.run(["umount", str(folder)], check=True)
        subprocess.run(["umount", str(folder)], check=True)
    pytest.skip("no way to make a folder read-only for root here (chattr, bind mount)")


@pytest.mark.parametrize("which", ["html", "html/_static", "build"])
def test_publish_refuses_an_unwritable_build_before_building(tmp_path, monkeypatch, which):
    build = tmp_path / "_build"
    html = build / "html"
    (html / "_static").mkdir(parents=True)
    (html / "index.html").write_text("old book")
    (html / "_static" / "style.css").write_text("old style")
    monkeypatch.setattr(publish, "HTML", html)
    monkeypatch.setattr(publish, "WORK", build / ".work")
    monkeypatch.setattr(publish, "STAGING", build / ".staging")
    monkeypatch.setattr(publish, "INCOMPLETE", build / ".work" / ".incomplete")
    monkeypatch.setattr(publish, "jupyter_book", lambda: pytest.fail("built although it cannot publish"))
    folder = {"html": html, "html/_static": html / "_static", "build": build}[which]
    restore = unwritable(folder)
    try:
        with pytest.raises(SystemExit) as stop:
            publish.build(force=True)
    finally:
        restore()
    message = str(stop.value)
    assert message.startswith("publish: cannot ") and "nothing was built or swapped" in message
    assert "\n" not in message
    assert (html / "index.html").read_text() == "old book"
    assert (html / "_static" / "style.css").read_text() == "old style"
    assert sorted(p.name for p in build.iterdir()) == ["html"]  # no work, staging or .old folder


def test_a_book_left_aside_by_a_killed_swap_is_put_back(tmp_path):
    old = tmp_path / "html.old"
    old.mkdir()
    (old / "index.html").write_text("book")
    publish.recover(tmp_path / "html")
    assert (tmp_path / "html" / "index.html").read_text() == "book" and not old.exists()


def test_read_state_of_absent_damaged_and_foreign_files(tmp_path):
    from analysis import atomic
    path = tmp_path / "state.json"
    assert atomic.read_state(path) == {}
    path.write_text("{not json", encoding="utf-8")
    assert atomic.read_state(path) == {}
    path.write_text("[1, 2]", encoding="utf-8")
    assert atomic.read_state(path) == {}
    atomic.write_text(path, '{"run": "abc"}')
    assert atomic.read_state(path) == {"run": "abc"}
