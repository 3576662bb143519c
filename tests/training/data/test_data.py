"""Data sources and the on-device batch stream."""

from pathlib import Path
from typing import ClassVar

import pytest
import torch
import torchvision
from PIL import Image

from gnet_lib.core.errors import UsageError
from gnet_lib.training.data.data import (
    Augment,
    BatchStream,
    DataUnavailableError,
    book_data,
    dataset_key,
    load_data,
    load_image_folder,
    make_synthetic,
    split_sizes,
)
from gnet_lib.training.settings.config import check_subset


def test_synthetic_is_deterministic_cifar_shaped_and_balanced():
    a, b = make_synthetic(200, 50, seed=3), make_synthetic(200, 50, seed=3)
    assert torch.equal(a.train_x, b.train_x) and torch.equal(a.test_y, b.test_y)
    assert not torch.equal(a.train_x, make_synthetic(200, 50, seed=4).train_x)
    assert a.train_x.shape == (200, 3, 32, 32) and a.train_x.dtype == torch.uint8
    assert torch.bincount(a.train_y).tolist() == [20] * 10
    assert a.describe()["name"] == "synthetic (CIFAR-shaped)"


def test_synthetic_classes_differ_on_average():
    data = make_synthetic(500, 10)
    means = torch.stack([data.train_x[data.train_y == c].float().mean(0) for c in range(10)])
    assert torch.cdist(means.flatten(1), means.flatten(1)).fill_diagonal_(1e9).min() > 50


def test_subset_is_class_balanced_and_deterministic(tiny_data):
    sub = tiny_data.subset(train=50, test=20, seed=1)
    assert len(sub.train_y) == 50 and torch.bincount(sub.train_y).tolist() == [5] * 10
    assert torch.equal(sub.train_x, tiny_data.subset(train=50, seed=1).train_x)
    assert "subset of 50 train / 20 test" in sub.source
    with pytest.raises(ValueError, match="cannot hold all 10 classes"):
        tiny_data.subset(train=5)


def test_a_validation_split_holds_out_balanced_training_images_and_drops_the_test_set(tiny_data):
    split = tiny_data.hold_out(60, seed=2)
    assert len(split.test_y) == 60 and torch.bincount(split.test_y).tolist() == [6] * 10
    assert len(split.train_y) == 260 and torch.bincount(split.train_y).tolist() == [26] * 10
    train_rows = {bytes(x.numpy()) for x in split.train_x}
    held_rows = {bytes(x.numpy()) for x in split.test_x}
    original = {bytes(x.numpy()) for x in tiny_data.train_x}
    assert not train_rows & held_rows and train_rows | held_rows == original  # a partition of the training images
    assert not held_rows & {bytes(x.numpy()) for x in tiny_data.test_x}
    assert torch.equal(split.test_x, tiny_data.hold_out(60, seed=2).test_x)
    assert not torch.equal(split.test_x, tiny_data.hold_out(60, seed=3).test_x)
    assert "validation split: 60" in split.source and "test images not used" in split.source


@pytest.mark.parametrize("n, message", [(320, "leaves no training images: it is taken from the 320 training images"), (0, "positive"),
                                        (5, "cannot hold all 10 classes")])
def test_a_validation_split_that_cannot_be_made_is_a_usage_error(tiny_data, n, message):
    with pytest.raises(UsageError, match=message):
        tiny_data.hold_out(n)


def _save(img: torch.Tensor, path: Path) -> None:
    Image.fromarray(img.permute(1, 2, 0).numpy()).save(path)


def _write_folder(root: Path, classes=("cat", "dog"), per_class=3, size=32, jpeg=True):
    g = torch.Generator().manual_seed(0)
    for split in ("train", "test"):
        for c in classes:
            (root / split / c).mkdir(parents=True)
            for i in range(per_class):
                img = torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
                _save(img, root / split / c / f"{i}.{'jpg' if jpeg else 'png'}")


def test_image_folder_of_jpegs_is_named_as_a_jpeg_mirror(tmp_path):
    _write_folder(tmp_path)
    data = load_image_folder(tmp_path, "cifar10")
    assert data.key == "cifar10-jpeg" and data.display_name == "CIFAR-10 (JPEG mirror)"
    assert data.classes == ["cat", "dog"] and data.train_x.shape == (6, 3, 32, 32)
    assert dataset_key("cifar10", tmp_path) == "cifar10-jpeg"
    with pytest.raises(ValueError, match="2 class folders, but cifar10 has 10"):
        load_data("cifar10", tmp_path)


def test_image_folder_of_pngs(tmp_path):
    _write_folder(tmp_path, jpeg=False)
    data = load_image_folder(tmp_path, "cifar10")
    assert data.key == "cifar10-folder" and data.display_name == "CIFAR-10 (image folder)"


def test_image_folder_errors_name_the_problem(tmp_path):
    _write_folder(tmp_path / "a")
    (tmp_path / "a" / "test" / "bird").mkdir()
    _save(torch.zeros(3, 32, 32, dtype=torch.uint8), tmp_path / "a" / "test" / "bird" / "0.jpg")
    with pytest.raises(ValueError, match="same class folders"):
        load_image_folder(tmp_path / "a")
    _write_folder(tmp_path / "b")
    _save(torch.zeros(3, 16, 16, dtype=torch.uint8), tmp_path / "b" / "train" / "cat" / "9.jpg")
    with pytest.raises(ValueError, match="9.jpg is .*same size"):
        load_image_folder(tmp_path / "b")
    _write_folder(tmp_path / "c")
    (tmp_path / "c" / "train" / "cat" / "bad.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="cannot decode image .*bad.jpg"):
        load_image_folder(tmp_path / "c")


def test_missing_data_without_download_says_how_to_get_it(tmp_path):
    with pytest.raises(DataUnavailableError) as err:
        load_data("cifar100", tmp_path, download=False)
    message = str(err.value)
    assert "CIFAR-100 was not found" in message and "--dataset synthetic" in message and "cifar-100-python" in message


def test_failed_download_is_a_clear_error(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("<urlopen error [Errno -3] Temporary failure in name resolution>")

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", offline)
    with pytest.raises(DataUnavailableError, match="(?s)run once with internet access.*name resolution"):
        load_data("cifar10", tmp_path, download=True)


def test_torchvision_format_is_converted_to_nchw_uint8(tmp_path, monkeypatch):
    class FakeCIFAR10:
        classes: ClassVar[list[str]] = [f"c{i}" for i in range(10)]

        def __init__(self, root, train, download):
            n = 20 if train else 10
            self.data = torch.arange(n * 32 * 32 * 3, dtype=torch.int64).remainder(256).to(torch.uint8).reshape(n, 32, 32, 3).numpy()
            self.targets = [i % 10 for i in range(n)]

    (tmp_path / "cifar-10-batches-py").mkdir()
    monkeypatch.setattr(torchvision.datasets, "CIFAR10", FakeCIFAR10)
    data = load_data("cifar10", tmp_path, download=False)
    assert data.train_x.shape == (20, 3, 32, 32) and data.display_name == "CIFAR-10"
    assert data.train_x[0, :, 0, 0].tolist() == [0, 1, 2]  # HWC pixel (0, 0) became CHW
    assert dataset_key("cifar10", tmp_path) == "cifar10"


def test_unknown_dataset():
    with pytest.raises(ValueError, match="cifar10, cifar100, synthetic"):
        load_data("imagenet")


def _stream(data, **kw):
    return BatchStream(data.train_x, data.train_y, 32, (0.5,) * 3, (0.5,) * 3, torch.device("cpu"), **kw)


def test_stream_epochs_are_reproducible_and_differ_between_epochs(tiny_data):
    s = _stream(tiny_data, shuffle=True, augment=Augment(4, True), seed=7)
    first = list(s.epoch(0))
    again = list(_stream(tiny_data, shuffle=True, augment=Augment(4, True), seed=7).epoch(0))
    assert len(first) == len(again) > 1
    assert all(torch.equal(x, x2) and torch.equal(y, y2) for (x, y), (x2, y2) in zip(first, again))
    second = list(s.epoch(1))
    assert not torch.equal(torch.cat([y for _, y in first]), torch.cat([y for _, y in second]))  # another order
    unshuffled = list(_stream(tiny_data, shuffle=False, augment=Augment(4, True), seed=7).epoch(0))
    another = list(_stream(tiny_data, shuffle=False, augment=Augment(4, True), seed=7).epoch(1))
    assert not torch.equal(unshuffled[0][0], another[0][0])  # same images, other crops and flips


def test_stream_without_augmentation_normalises_exactly(tiny_data):
    x, y = next(_stream(tiny_data).epoch(0))
    expected = (tiny_data.train_x[:32].float() / 255 - 0.5) / 0.5
    assert torch.allclose(x, expected, atol=1e-6) and torch.equal(y, tiny_data.train_y[:32])


def test_random_crop_and_flip_match_a_per_image_reference(tiny_data):
    s = BatchStream(tiny_data.train_x, tiny_data.train_y, 16, (0.0,) * 3, (1 / 255,) * 3, torch.device("cpu"),
                    augment=Augment(4, True), seed=2)
    x, _ = next(s.epoch(0))
    g = torch.Generator().manual_seed(2 * 1_000_003 + 0)  # not shuffled: offsets are the first draws
    offsets = torch.randint(0, 9, (2, 320), generator=g)
    flips = torch.rand(320, generator=g) < 0.5
    for i in range(16):
        padded = torch.nn.functional.pad(tiny_data.train_x[i].float(), (4, 4, 4, 4))
        crop = padded[:, offsets[0, i] : offsets[0, i] + 32, offsets[1, i] : offsets[1, i] + 32]
        if flips[i]:
            crop = crop.flip(-1)
        assert torch.equal(x[i], crop)


def test_stream_lengths_and_channels_last(tiny_data):
    assert len(_stream(tiny_data)) == 10
    s = BatchStream(tiny_data.train_x[:100], tiny_data.train_y[:100], 32, (0.5,) * 3, (0.5,) * 3, torch.device("cpu"),
                    drop_last=True, channels_last=True)
    batches = list(s.epoch(0))
    assert len(batches) == len(s) == 3 and s.num_images == 96
    assert batches[0][0].is_contiguous(memory_format=torch.channels_last)
    with pytest.raises(ValueError, match="batch size must be positive"):
        BatchStream(tiny_data.train_x, tiny_data.train_y, 0, (0.5,) * 3, (0.5,) * 3, torch.device("cpu"))


def test_a_stream_scales_its_batches_to_a_resize_stages_side(tiny_data):
    x = torch.zeros_like(tiny_data.train_x[:8])
    x[:, 0] = 200  # a constant image stays constant under any resampling
    x[:4, 1, :, 16:] = 255  # right half bright in channel 1: halves survive the scaling too
    s = BatchStream(x, tiny_data.train_y[:8], 8, (0.0,) * 3, (1 / 255,) * 3, torch.device("cpu"), channels_last=True)
    small, _ = next(s.epoch(0, side=16))
    full, _ = next(s.epoch(0))
    assert small.shape == (8, 3, 16, 16) and full.shape == (8, 3, 32, 32)
    assert small.is_contiguous(memory_format=torch.channels_last)
    assert torch.allclose(small[:, 0], torch.full((8, 16, 16), 200.0))
    assert torch.equal(small[:4, 1, :, :7], torch.zeros(4, 16, 7)) and torch.allclose(small[:4, 1, :, 9:], torch.full((4, 16, 7), 255.0))


def test_stray_files_change_neither_the_key_nor_the_counts(tmp_path):
    _write_folder(tmp_path)
    (tmp_path / "train" / "cat" / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "train" / "notes.txt").write_text("not a class")
    assert dataset_key("cifar10", tmp_path) == "cifar10-jpeg"
    assert split_sizes("cifar10", tmp_path) == (6, 6)
    assert len(load_image_folder(tmp_path, "cifar10").train_y) == split_sizes("cifar10", tmp_path)[0]


def test_split_sizes_without_loading(tmp_path):
    assert split_sizes("synthetic", synthetic_sizes=(70, 30)) == (70, 30)
    assert split_sizes("cifar10", tmp_path) is None  # not downloaded: unknown until it is
    (tmp_path / "cifar-10-batches-py").mkdir()
    assert split_sizes("cifar10", tmp_path) == (50_000, 10_000)


def test_a_subset_larger_than_its_split_is_a_usage_error(tiny_data):
    with pytest.raises(UsageError, match=r"--train-subset 1,000 is larger than the training split, which has 320"):
        tiny_data.subset(train=1000)
    with pytest.raises(UsageError, match=r"--test-subset must be a positive number of images, got 0"):
        check_subset(None, 0, None)
    assert len(tiny_data.subset(train=len(tiny_data.train_y)).train_y) == len(tiny_data.train_y)


def test_book_data_prefers_a_local_copy_and_falls_back_to_synthetic(tmp_path, monkeypatch):
    lines = []
    monkeypatch.delenv("GNET_CIFAR10_DIR", raising=False)
    monkeypatch.setattr("gnet_lib.training.data.data._load_torchvision", lambda name, root, download: (_ for _ in ()).throw(
        DataUnavailableError(f"CIFAR-10 was not found in {root}")))
    data = book_data(tmp_path / "none", synthetic_sizes=(30, 20), log=lines.append)
    assert data.key == "synthetic" and "uses synthetic CIFAR-shaped data" in lines[-1]
    classes = [f"c{i}" for i in range(10)]
    _write_folder(tmp_path / "mirror", classes=classes, per_class=1)
    monkeypatch.setenv("GNET_CIFAR10_DIR", str(tmp_path / "mirror"))
    data = book_data(tmp_path / "none", log=lines.append)
    assert data.key == "cifar10-jpeg"
    assert lines[-1] == "data: CIFAR-10 (JPEG mirror), 10 training and 10 test images, from $GNET_CIFAR10_DIR"


def test_an_image_folder_is_fingerprinted_by_its_files(tmp_path):
    from torchvision.io import write_png

    from gnet_lib.training.data.data import folder_fingerprint, load_image_folder

    for split in ("train", "test"):
        for c in ("a", "b"):
            (tmp_path / split / c).mkdir(parents=True)
            for i in range(2):
                write_png(torch.full((3, 4, 4), 10 * i, dtype=torch.uint8), str(tmp_path / split / c / f"{i}.png"))
    data = load_image_folder(tmp_path)
    assert data.fingerprint == folder_fingerprint(tmp_path) and len(data.fingerprint) == 16
    assert data.subset(2, 2).fingerprint == data.fingerprint  # a subset keeps its source's
    write_png(torch.full((3, 4, 4), 10, dtype=torch.uint8), str(tmp_path / "train" / "a" / "2.png"))
    assert folder_fingerprint(tmp_path) != data.fingerprint


@pytest.mark.parametrize("side", [None, 16, 24])
@pytest.mark.parametrize("drop_last", [False, True])
def test_a_prepared_epoch_holds_the_streams_batches_bit_for_bit(tiny_data, side, drop_last):
    """The epoch made at once (one gather, crop, flip, normalisation and scaling over all its images)
    gives exactly the batches the per-step stream gives: same images, same order, same bits."""
    s = BatchStream(tiny_data.train_x[:150], tiny_data.train_y[:150], 32, (0.49, 0.48, 0.45), (0.25, 0.24, 0.26),
                    torch.device("cpu"), augment=Augment(4, True), shuffle=True, drop_last=drop_last,
                    channels_last=True, seed=3)
    for epoch in (0, 5):
        streamed = list(s.epoch(epoch, side))
        prepared = s.prepare(epoch, side)
        assert len(prepared) == len(streamed) == len(s)
        assert [len(y) for _, y in prepared] == [len(y) for _, y in streamed] == ([32] * 4 if drop_last else [32] * 4 + [22])
        for (x, y), (px, py) in zip(streamed, prepared):
            assert px.is_contiguous(memory_format=torch.channels_last)
            assert torch.equal(y, py) and x.dtype == px.dtype and torch.equal(x.view(torch.int32), px.view(torch.int32))


def test_a_prepared_epoch_in_bf16_is_what_autocast_gives_the_first_convolution(tiny_data):
    """Stored in bf16, the prepared images are the stream's fp32 images rounded as autocast rounds a
    convolution's input, so a bf16 model sees the same numbers from either."""
    s = BatchStream(tiny_data.train_x[:64], tiny_data.train_y[:64], 32, (0.5,) * 3, (0.25,) * 3, torch.device("cpu"),
                    augment=Augment(4, True), shuffle=True, seed=1)
    conv = torch.nn.Conv2d(3, 8, 3)
    prepared = s.prepare(0, dtype=torch.bfloat16)
    for (x, _), (px, _) in zip(s.epoch(0), prepared):
        assert px.dtype == torch.bfloat16 and torch.equal(px, x.to(torch.bfloat16))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            assert torch.equal(conv(x), conv(px))
