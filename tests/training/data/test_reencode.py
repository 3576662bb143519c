"""Re-encoded copies of a JPEG folder: the same files at another quality, filed under their own key."""

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
import torch
from PIL import Image, JpegImagePlugin

from gnet_lib.core.errors import UsageError
from gnet_lib.training.data import reencode
from gnet_lib.training.data.data import (
    dataset_key,
    folder_fingerprint,
    load_image_folder,
    split_sizes,
)
from gnet_lib.training.data.reencode import encoder_tables, mean_luma_step, quantiser_scale, reencode_folder

ROOT = Path(__file__).resolve().parents[3]


def _jpeg_folder(root: Path, per_class: dict[str, int], quality: int = 75) -> Path:
    """A tiny CIFAR-shaped JPEG folder with textured images (so that quality matters)."""
    g = torch.Generator().manual_seed(0)
    for split, n in per_class.items():
        for cls in ("cat", "dog"):
            folder = root / split / cls
            folder.mkdir(parents=True)
            for i in range(n):
                pixels = torch.randint(0, 256, (32, 32, 3), generator=g, dtype=torch.uint8).numpy()
                Image.fromarray(pixels).save(folder / f"{i:04d}.jpg", quality=quality)
    return root


@pytest.fixture
def mirror(tmp_path) -> Path:
    return _jpeg_folder(tmp_path / "mirror", {"train": 3, "test": 2})


def test_the_copy_has_the_same_files_at_the_lower_quality(mirror, tmp_path):
    marker = reencode_folder(mirror, tmp_path / "q30", 30, log=lambda line: None)
    copy = tmp_path / "q30"
    source_files = sorted(p.relative_to(mirror) for p in mirror.rglob("*.jpg"))
    assert sorted(p.relative_to(copy) for p in copy.rglob("*.jpg")) == source_files
    assert sum((copy / f).stat().st_size for f in source_files) < sum((mirror / f).stat().st_size for f in source_files)
    assert marker["quality"] == 30 and marker["subsampling"] == "4:2:0"
    assert marker["source_fingerprint"] == folder_fingerprint(mirror) != folder_fingerprint(copy)
    assert marker["images"] == {"train": 6, "test": 4}
    assert json.loads((copy / "reencoded.json").read_text()) == marker
    with Image.open(copy / source_files[0]) as image:
        assert JpegImagePlugin.get_sampling(image) == 2  # 4:2:0, as in the mirror


def test_pixels_move_further_from_the_source_at_lower_quality(mirror, tmp_path):
    def distance(quality: int) -> float:
        copy = tmp_path / f"q{quality}"
        reencode_folder(mirror, copy, quality, log=lambda line: None)
        a, b = load_image_folder(mirror), load_image_folder(copy)
        return (a.train_x.float() - b.train_x.float()).abs().mean().item()

    assert 0 < distance(90) < distance(30)


def test_the_copy_is_filed_under_its_own_key_and_named_in_captions(mirror, tmp_path):
    reencode_folder(mirror, tmp_path / "q50", 50, log=lambda line: None)
    assert dataset_key("cifar10", mirror) == "cifar10-jpeg"
    assert dataset_key("cifar10", tmp_path / "q50") == "cifar10-jpeg-q50"
    data = load_image_folder(tmp_path / "q50")
    assert data.key == "cifar10-jpeg-q50"
    assert data.display_name == "CIFAR-10 (JPEG mirror re-encoded at quality 50)"
    assert split_sizes("cifar10", tmp_path / "q50") == (6, 4)


def test_a_broken_marker_is_refused_with_what_to_do(mirror, tmp_path):
    reencode_folder(mirror, tmp_path / "q50", 50, log=lambda line: None)
    (tmp_path / "q50" / "reencoded.json").write_text('{"quality": "high"}')
    with pytest.raises(UsageError, match="does not name a JPEG quality.*delete it and make it again"):
        dataset_key("cifar10", tmp_path / "q50")
    (tmp_path / "q50" / "reencoded.json").write_bytes(b"\xff\x00")
    with pytest.raises(UsageError, match="reencoded.json does not name a JPEG quality"):
        load_image_folder(tmp_path / "q50")


def _file_tables(path: Path) -> dict[int, list[int]]:
    with Image.open(path) as image:
        return {k: list(v) for k, v in image.quantization.items()}


def test_the_quantiser_scale_is_the_one_the_encoder_applies(mirror, tmp_path):
    standard = encoder_tables(50)  # quality 50 writes the standard tables unscaled
    for quality in range(1, 101):
        scale = quantiser_scale(quality)
        expected = {k: [min(255, max(1, (v * scale + 50) // 100)) for v in table] for k, table in standard.items()}
        assert encoder_tables(quality) == expected, f"quality {quality}"
    assert (quantiser_scale(30), quantiser_scale(75), quantiser_scale(100)) == (166, 50, 0)
    reencode_folder(mirror, tmp_path / "q30", 30, log=lambda line: None)
    copied = _file_tables(next((tmp_path / "q30").rglob("*.jpg")))
    assert copied == encoder_tables(30) != encoder_tables(31)
    assert mean_luma_step(30) == sum(copied[0]) / 64


def test_the_mean_luma_step_falls_to_1_at_quality_100():
    steps = [mean_luma_step(q) for q in range(1, 101)]
    assert all(a >= b for a, b in pairwise(steps)) and steps[-1] == 1.0 < steps[-2]
    assert steps[0] == 255.0  # every step at its largest


@pytest.mark.parametrize("quality", [0, 101, True, 50.0])
def test_the_encoders_numbers_need_a_quality_from_1_to_100(quality):
    for measure in (quantiser_scale, encoder_tables, mean_luma_step):
        with pytest.raises(UsageError, match="JPEG quality must be a whole number from 1 to 100"):
            measure(quality)


@pytest.mark.parametrize("quality", [0, 96, -5, True, 50.0])
def test_a_quality_outside_1_to_95_is_refused(mirror, tmp_path, quality):
    with pytest.raises(UsageError, match="JPEG quality must be a whole number from 1 to 95"):
        reencode_folder(mirror, tmp_path / "copy", quality)
    assert not (tmp_path / "copy").exists()


def test_bad_folders_are_refused_before_any_image_is_written(mirror, tmp_path):
    with pytest.raises(UsageError, match="is not an image folder"):
        reencode_folder(tmp_path / "nowhere", tmp_path / "copy", 50)
    (tmp_path / "taken").mkdir()
    with pytest.raises(UsageError, match="already exists; remove it"):
        reencode_folder(mirror, tmp_path / "taken", 50)
    with pytest.raises(UsageError, match="is not a folder; create it first"):
        reencode_folder(mirror, tmp_path / "missing" / "copy", 50)
    Image.new("RGB", (32, 32)).save(mirror / "train" / "cat" / "extra.png")
    with pytest.raises(UsageError, match=r"holds \.png files; only a folder of JPEG images"):
        reencode_folder(mirror, tmp_path / "copy", 50)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mirror", "taken"]


def test_an_interrupted_copy_leaves_nothing_behind(mirror, tmp_path, monkeypatch):
    saved = []
    real_save = Image.Image.save

    def save_then_stop(self, *args, **kwargs):
        if len(saved) == 3:
            raise KeyboardInterrupt
        saved.append(args[0])
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        reencode_folder(mirror, tmp_path / "copy", 50, log=lambda line: None)
    assert len(saved) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mirror"]


def test_the_tool_reports_bad_arguments_with_exit_2(mirror, tmp_path):
    tool = [sys.executable, str(ROOT / "tools" / "reencode_jpeg.py")]
    done = subprocess.run([*tool, str(mirror), str(tmp_path / "copy"), "--quality", "0"], capture_output=True, text=True)
    assert done.returncode == 2 and "reencode_jpeg: JPEG quality must be a whole number" in done.stderr
    done = subprocess.run([*tool, str(mirror), str(tmp_path / "copy"), "--quality", "40"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "images re-encoded at JPEG quality 40" in done.stdout
    assert reencode.reencoding(tmp_path / "copy")["quality"] == 40
