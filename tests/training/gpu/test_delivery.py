"""Each finished file in one archive, complete at every moment, named as the checkout stores it."""

import tarfile

from gnet_lib.training.gpu.delivery import ARCHIVE, Delivery


def _names(path):
    with tarfile.open(path) as tar:
        return sorted(tar.getnames())


def test_each_file_is_delivered_with_all_before_it_into_every_folder(tmp_path):
    results = tmp_path / "results"
    (results / "a").mkdir(parents=True)
    first, second = results / "a" / "one.json", results / "two.pt"
    first.write_text("1")
    second.write_bytes(b"2")
    delivery = Delivery([tmp_path / "out", tmp_path / "runs"], results)
    delivery.add(first)
    assert _names(tmp_path / "out" / ARCHIVE) == ["results/a/one.json"]
    delivery.add(second)
    third = results / "a" / "three.json"
    third.write_text("3")
    delivery.add(third)
    for folder in ("out", "runs"):
        assert _names(tmp_path / folder / ARCHIVE) == ["results/a/one.json", "results/a/three.json"]
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == [ARCHIVE, "two.pt"]  # no partial file left
        assert (tmp_path / folder / "two.pt").read_bytes() == b"2"  # weights beside the archive
    with tarfile.open(tmp_path / "out" / ARCHIVE) as tar:
        assert tar.extractfile("results/a/one.json").read() == b"1"


def test_a_later_command_delivers_the_earlier_files_again_with_its_own(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "old.json").write_text("old")
    Delivery([tmp_path / "runs"], results).add(results / "old.json")
    (results / "new.json").write_text("new")  # the next command, on the same machine: out/ is empty again
    Delivery([tmp_path / "out2", tmp_path / "runs"], results).add(results / "new.json")
    assert _names(tmp_path / "out2" / ARCHIVE) == _names(tmp_path / "runs" / ARCHIVE) == ["results/new.json", "results/old.json"]
