"""analysis/stamps.py: content stamps that steps running side by side share."""
import multiprocessing

from analysis import stamps


def _record_many(step: str) -> None:
    for i in range(40):
        stamps.record(f"{step}-{i}", f"value-{step}-{i}")


def test_steps_recording_side_by_side_lose_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(stamps, "STAMPS", tmp_path / ".stamps.json")
    ctx = multiprocessing.get_context("fork")  # the children see the patched path
    procs = [ctx.Process(target=_record_many, args=(name,)) for name in ("docs", "run", "audit")]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    for name in ("docs", "run", "audit"):
        for i in range(40):
            assert stamps.fresh(f"{name}-{i}", f"value-{name}-{i}")
    assert not list(tmp_path.glob("*.tmp"))


def test_digest_follows_content_not_time(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("one")
    first = stamps.digest([tmp_path])
    f.touch()
    assert stamps.digest([tmp_path]) == first
    f.write_text("two")
    assert stamps.digest([tmp_path]) != first
