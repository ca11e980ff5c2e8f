"""analysis/digests.py: the file lists and content digests behind figure keys and rule inputs."""
from analysis import digests


def test_files_lists_what_is_under_folders_in_a_fixed_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text("x")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "m.pyc").write_bytes(b"\0")
    assert digests.files([tmp_path / "b", tmp_path / "a.txt", tmp_path / "missing"]) == \
        [tmp_path / "a.txt", tmp_path / "b" / "x.txt"]
    assert digests.files([tmp_path]) == [tmp_path / "a.txt", tmp_path / "b" / "x.txt"]


def test_digest_follows_content_not_time(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("one")
    first = digests.digest([tmp_path])
    f.touch()
    assert digests.digest([tmp_path]) == first
    f.write_text("two")
    assert digests.digest([tmp_path]) != first
