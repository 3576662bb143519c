"""CIFAR-shaped data, held in memory as uint8 tensors, and a batch stream that augments on the device.

Three sources, one result type (:class:`ImageData`):

* ``cifar10`` / ``cifar100`` through torchvision: read from ``data_dir`` in torchvision's own
  on-disk format, downloaded there when allowed and online;
* an image folder the user points to: ``data_dir/train/<class>/*`` and ``data_dir/test/<class>/*``
  (for example the CIFAR-10 JPEG mirror);
* ``synthetic``: generated in process, deterministic, with real class structure.

The whole set is small (CIFAR: 150 MB as uint8), so it lives in one tensor; on a GPU it is
moved there once and every augmentation runs there (:class:`BatchStream`).
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision
from torch import Tensor
from torchvision.datasets.folder import find_classes, make_dataset
from torchvision.io import ImageReadMode, decode_image, read_file

from ...core.errors import UsageError
from ..settings import environment_variables
from ..settings.choices import DATASETS, SYNTHETIC_SIZES
from ..settings.config import check_subset, check_validation
from ..settings.locations import DEFAULT_DATA, data_root
from ..settings.recipes import batch_count

_TORCHVISION = {"cifar10": ("CIFAR10", "cifar-10-batches-py", "CIFAR-10"), "cifar100": ("CIFAR100", "cifar-100-python", "CIFAR-100")}
#: What torchvision decodes in every version this project supports.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
#: The file that marks an image folder as a re-encoded copy (see :mod:`gnet_lib.training.data.reencode`).
REENCODED_MARKER = "reencoded.json"


class DataUnavailableError(RuntimeError):
    """The requested data cannot be found or fetched; the message says how to get it."""


@dataclass
class ImageData:
    """A train and a test split as uint8 images ``(N, C, H, W)`` with int64 labels."""

    key: str
    display_name: str
    source: str
    classes: list[str]
    train_x: Tensor
    train_y: Tensor
    test_x: Tensor
    test_y: Tensor
    #: What the data was made from, as a short hash (see :func:`tensor_fingerprint` and
    #: :func:`folder_fingerprint`); subsets and validation splits keep their source's.
    fingerprint: str = ""

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = tensor_fingerprint(self.train_x, self.train_y, self.test_x, self.test_y)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def describe(self) -> dict:
        """Provenance of the data, as stored with every result."""
        return {
            "key": self.key,
            "name": self.display_name,
            "source": self.source,
            "num_classes": self.num_classes,
            "train_size": len(self.train_y),
            "test_size": len(self.test_y),
            "image_shape": list(self.train_x.shape[1:]),
            "fingerprint": self.fingerprint,
        }

    def subset(self, train: int | None = None, test: int | None = None, seed: int = 0) -> ImageData:
        """A deterministic, class-balanced subset (each class keeps the same share). A size
        larger than its split is a :class:`~gnet_lib.core.errors.UsageError`."""

        check_subset(train, test, (len(self.train_y), len(self.test_y)), self.num_classes)

        def pick(x: Tensor, y: Tensor, n: int | None) -> tuple[Tensor, Tensor]:
            if n is None or n == len(y):
                return x, y
            take = balanced_indices(y, n, self.num_classes, seed)
            return x[take], y[take]

        train_x, train_y = pick(self.train_x, self.train_y, train)
        test_x, test_y = pick(self.test_x, self.test_y, test)
        source = self.source
        if len(train_y) < len(self.train_y) or len(test_y) < len(self.test_y):  # a repeat changes nothing
            source += f"; class-balanced subset of {len(train_y)} train / {len(test_y)} test images (seed {seed})"
        return ImageData(self.key, self.display_name, source, self.classes, train_x, train_y, test_x, test_y, self.fingerprint)

    def hold_out(self, n: int, seed: int = 0) -> ImageData:
        """A validation split: ``n`` class-balanced training images become the evaluation set and
        the rest stay for training; the test images are dropped, so that settings chosen on this
        split never saw them."""
        check_validation(n, len(self.train_y), self.num_classes)
        held = balanced_indices(self.train_y, n, self.num_classes, seed)
        keep = torch.ones(len(self.train_y), dtype=torch.bool)
        keep[held] = False
        source = (f"{self.source}; validation split: {n} class-balanced training images held out for evaluation "
                  f"(seed {seed}), the test images not used")
        return ImageData(self.key, self.display_name, source, self.classes, self.train_x[keep], self.train_y[keep],
                         self.train_x[held], self.train_y[held], self.fingerprint)


def tensor_fingerprint(*tensors: Tensor) -> str:
    """The first 16 hex digits of a SHA-256 over the tensors' shapes, types and bytes."""
    h = hashlib.sha256()
    for t in tensors:
        h.update(f"{tuple(t.shape)}{t.dtype};".encode())
        h.update(t.contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def folder_fingerprint(path: Path) -> str:
    """The first 16 hex digits of a SHA-256 over an image folder's files: each split's relative
    paths (in the loader's order) with their sizes. It names the files, not their decoded
    pixels, so it is the same wherever the folder is and whichever JPEG decoder reads it."""
    h = hashlib.sha256()
    for split in ("train", "test"):
        for files in image_files(path / split).values():
            for f in files:
                h.update(f"{f.relative_to(path).as_posix()}:{f.stat().st_size};".encode())
    return h.hexdigest()[:16]


def balanced_indices(y: Tensor, n: int, num_classes: int, seed: int) -> Tensor:
    """``n`` sorted indices into ``y``, drawn at random (seeded) so that each class keeps the same share."""
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(y), generator=g)
    per_class = [order[y[order] == c] for c in range(num_classes)]
    take = torch.cat([idx[: n // num_classes + (c < n % num_classes)] for c, idx in enumerate(per_class)])
    return take.sort().values


# -- synthetic ----------------------------------------------------------------------------


def make_synthetic(train_size: int = SYNTHETIC_SIZES[0], test_size: int = SYNTHETIC_SIZES[1], num_classes: int = 10, seed: int = 0) -> ImageData:
    """A CIFAR-shaped (3x32x32) dataset with learnable class structure, made in process.

    Each class has a smooth random colour template; an image is its class template shifted
    by up to 4 pixels, with a random brightness and contrast and pixel noise. A small
    convolutional network learns it well above chance in one or two epochs, but not
    instantly, which is what hermetic tests and CPU demonstrations need.
    """
    if train_size < num_classes or test_size < num_classes:
        raise UsageError(f"synthetic data needs at least one image per class ({num_classes}) in each split")
    g = torch.Generator().manual_seed(seed)
    coarse = torch.randn(num_classes, 3, 4, 4, generator=g)
    templates = F.interpolate(coarse, size=(40, 40), mode="bicubic", align_corners=False)

    def split(n: int) -> tuple[Tensor, Tensor]:
        y = torch.arange(n) % num_classes
        y = y[torch.randperm(n, generator=g)]
        dy, dx = torch.randint(0, 9, (2, n), generator=g)
        rows = (dy[:, None] + torch.arange(32))[:, None, :, None]
        cols = (dx[:, None] + torch.arange(32))[:, None, None, :]
        x = templates[y][torch.arange(n)[:, None, None, None], torch.arange(3)[None, :, None, None], rows, cols]
        contrast = 0.6 + 0.8 * torch.rand(n, 1, 1, 1, generator=g)
        brightness = 0.5 * torch.randn(n, 1, 1, 1, generator=g)
        x = x * contrast + brightness + 0.9 * torch.randn(x.shape, generator=g)
        return (x * 40 + 128).clamp(0, 255).to(torch.uint8), y

    train_x, train_y = split(train_size)
    test_x, test_y = split(test_size)
    return ImageData(
        key="synthetic",
        display_name="synthetic (CIFAR-shaped)",
        source=f"generated in process by gnet_lib.training.data.data.make_synthetic (seed {seed})",
        classes=[f"class {i}" for i in range(num_classes)],
        train_x=train_x,
        train_y=train_y,
        test_x=test_x,
        test_y=test_y,
    )


# -- torchvision's CIFAR ------------------------------------------------------------------


def _how_to_get(name: str, data_dir: Path) -> str:
    folder = _TORCHVISION[name][1]
    return (
        f"{_TORCHVISION[name][2]} was not found in {data_dir}. To get it, either\n"
        f"  * run once with internet access (torchvision downloads it into {data_dir}; on Colab this just works),\n"
        f"  * or download the 'python version' from https://www.cs.toronto.edu/~kriz/cifar.html and unpack it "
        f"so that {data_dir / folder} exists,\n"
        f"  * or point --data-dir at an image folder with train/<class>/* and test/<class>/*,\n"
        f"  * or use --dataset synthetic for a run that needs no data at all."
    )


def _load_torchvision(name: str, data_dir: Path, download: bool) -> ImageData:
    cls_name, folder, display = _TORCHVISION[name]
    cls = getattr(torchvision.datasets, cls_name)
    present = (data_dir / folder).is_dir()
    if not present and not download:
        raise DataUnavailableError(_how_to_get(name, data_dir))
    try:
        train = cls(root=str(data_dir), train=True, download=download and not present)
        test = cls(root=str(data_dir), train=False, download=False)
    except (OSError, RuntimeError) as exc:  # URLError is an OSError; corrupt files a RuntimeError
        raise DataUnavailableError(f"{_how_to_get(name, data_dir)}\n(torchvision said: {exc})") from None

    def tensors(ds) -> tuple[Tensor, Tensor]:
        return torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous(), torch.tensor(ds.targets, dtype=torch.int64)

    train_x, train_y = tensors(train)
    test_x, test_y = tensors(test)
    return ImageData(
        key=name,
        display_name=display,
        source=f"torchvision.datasets.{cls_name} (official release) in {data_dir}",
        classes=list(train.classes),
        train_x=train_x,
        train_y=train_y,
        test_x=test_x,
        test_y=test_y,
    )


# -- image folders ------------------------------------------------------------------------


def is_image_folder(path: Path) -> bool:
    return (path / "train").is_dir() and (path / "test").is_dir()


def _read_image(path: Path) -> Tensor:
    """One image file as a ``(3, H, W)`` uint8 tensor (greyscale becomes RGB).

    ``torchvision.io.decode_image`` decodes the 60,000-image CIFAR-10 JPEG mirror 2.3 times
    faster than PIL with identical pixels. torchvision 0.29 deprecates its decoders in favour of
    TorchCodec, which this project does not depend on; the warning is silenced here only.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The image decoding and encoding capabilities of TorchVision",
                                category=DeprecationWarning)
        try:
            return decode_image(read_file(str(path)), mode=ImageReadMode.RGB)
        except RuntimeError as exc:
            raise UsageError(f"cannot decode image {path}: {exc}") from None


def image_files(split_root: Path) -> dict[str, list[Path]]:
    """The image files of one split, per class folder, found as ``torchvision.datasets.ImageFolder``
    finds them (class folders sorted, files sorted, only image suffixes): what the loader reads
    and what :func:`dataset_key` and :func:`split_sizes` count. Other files (``.DS_Store``,
    notes) are ignored."""
    try:
        classes, class_to_idx = find_classes(str(split_root))
        samples = make_dataset(str(split_root), class_to_idx, extensions=IMAGE_SUFFIXES)
    except FileNotFoundError as exc:
        raise UsageError(f"{split_root}: {exc}") from None
    files: dict[str, list[Path]] = {cls: [] for cls in classes}
    for path, index in samples:
        files[classes[index]].append(Path(path))
    return files


def _read_split(root: Path, classes: list[str] | None) -> tuple[Tensor, Tensor, list[str], set[str]]:
    files_by_class = image_files(root)
    found = list(files_by_class)
    if classes is not None and found != classes:
        raise UsageError(f"{root} has classes {found} but the train split has {classes}; both splits need the same class folders")
    images: list[Tensor] = []
    labels: list[int] = []
    suffixes: set[str] = set()
    for label, files in enumerate(files_by_class.values()):
        for f in files:
            img = _read_image(f)
            if images and img.shape != images[0].shape:
                raise UsageError(
                    f"image {f} is {tuple(img.shape)} but the others are {tuple(images[0].shape)}; "
                    "all images must have the same size (CIFAR: 32x32 RGB)"
                )
            images.append(img)
            labels.append(label)
            suffixes.add(f.suffix.lower())
    if not images:
        raise UsageError(f"{root} has no class folders with images")
    return torch.stack(images), torch.tensor(labels, dtype=torch.int64), found, suffixes


def load_image_folder(path: Path, name: str = "cifar10") -> ImageData:
    """Read ``path/train/<class>/*`` and ``path/test/<class>/*`` into memory."""
    train_x, train_y, classes, suffixes = _read_split(path / "train", None)
    test_x, test_y, _, more = _read_split(path / "test", classes)
    base = _TORCHVISION[name][2] if name in _TORCHVISION else name
    jpeg = (suffixes | more) <= {".jpg", ".jpeg"}
    marker = reencoding(path)
    if jpeg and marker:
        display = f"{base} (JPEG mirror re-encoded at quality {marker['quality']})"
    else:
        display = f"{base} (JPEG mirror)" if jpeg else f"{base} (image folder)"
    return ImageData(
        key=_folder_key(name, path),
        display_name=display,
        source=f"image folder {path} ({len(train_y):,} train / {len(test_y):,} test files)",
        classes=classes,
        train_x=train_x,
        train_y=train_y,
        test_x=test_x,
        test_y=test_y,
        fingerprint=folder_fingerprint(path),
    )


def load_data(
    name: str,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    synthetic_sizes: tuple[int, int] = SYNTHETIC_SIZES,
    seed: int = 0,
) -> ImageData:
    """Load ``cifar10``, ``cifar100`` or ``synthetic``.

    For the CIFAR sets, ``data_dir`` (default ``./data``) may hold torchvision's format or an
    image folder with ``train/`` and ``test/``; otherwise torchvision downloads the set there
    when ``download`` is true. Raises :class:`DataUnavailableError` with instructions when the
    data cannot be had.
    """
    if name not in DATASETS:
        raise UsageError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    if name == "synthetic":
        return make_synthetic(*synthetic_sizes, seed=seed)
    root = data_root(data_dir)
    if is_image_folder(root):
        data = load_image_folder(root, name)
        if name in _TORCHVISION and data.num_classes != (10 if name == "cifar10" else 100):
            raise UsageError(f"{root} has {data.num_classes} class folders, but {name} has {10 if name == 'cifar10' else 100} classes")
        return data
    return _load_torchvision(name, root, download)


def reencoding(root: Path) -> dict | None:
    """What made an image folder, if :mod:`gnet_lib.training.data.reencode` did: its marker (JPEG quality,
    subsampling, encoder, the source's fingerprint), else ``None``."""
    marker = Path(root) / REENCODED_MARKER
    if not marker.is_file():
        return None
    try:
        info = json.loads(marker.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        info = exc
    quality = info.get("quality") if isinstance(info, dict) else None
    if not isinstance(quality, int) or isinstance(quality, bool) or not 1 <= quality <= 100:
        raise UsageError(f"{marker} does not name a JPEG quality; the folder is not a complete re-encoded copy: "
                         "delete it and make it again with tools/reencode_jpeg.py")
    return info


def _folder_key(name: str, root: Path) -> str:
    suffixes = {f.suffix.lower() for files in image_files(root / "train").values() for f in files}
    if not suffixes or not suffixes <= {".jpg", ".jpeg"}:
        return f"{name}-folder"
    marker = reencoding(root)
    return f"{name}-jpeg-q{marker['quality']}" if marker else f"{name}-jpeg"


def book_data(data_dir: str | os.PathLike = DEFAULT_DATA, synthetic_sizes: tuple[int, int] = SYNTHETIC_SIZES,
              log=print) -> ImageData:
    """CIFAR-10 for the book's chapters where it can be had, else synthetic data (and says which).

    Tried in order: the folder in ``$GNET_CIFAR10_DIR`` (CI and local copies), ``data_dir`` in
    torchvision's format or as an image folder, and a download into ``data_dir`` (Colab).
    """
    tries = [(environment_variables.cifar10_dir(), False, "$GNET_CIFAR10_DIR"), (data_dir, True, str(data_dir))]
    missing = []
    for folder, download, label in tries:
        if not folder:
            continue
        try:
            data = load_data("cifar10", folder, download=download)
        except DataUnavailableError:
            missing.append(label)
            continue
        log(f"data: {data.display_name}, {len(data.train_y):,} training and {len(data.test_y):,} test images, from {label}")
        return data
    log(f"data: CIFAR-10 is not available here (tried {', '.join(missing)}, and a download), so this chapter uses "
        "synthetic CIFAR-shaped data")
    return make_synthetic(*synthetic_sizes)


def dataset_key(name: str, data_dir: str | os.PathLike | None = None) -> str:
    """The key results of ``name`` are filed under, without loading the data: ``cifar10``,
    ``cifar10-jpeg`` (an image folder of JPEGs), ``cifar10-folder``, ``synthetic``. Counts the
    same image files as the loader (:func:`image_files`)."""
    if name == "synthetic" or name not in _TORCHVISION:
        return name
    root = data_root(data_dir)
    return _folder_key(name, root) if is_image_folder(root) else name


_OFFICIAL_SIZES = {"cifar10": (50_000, 10_000), "cifar100": (50_000, 10_000)}


def split_sizes(name: str, data_dir: str | os.PathLike | None = None,
                synthetic_sizes: tuple[int, int] = SYNTHETIC_SIZES) -> tuple[int, int] | None:
    """(train, test) image counts of a dataset without decoding it, or ``None`` where they
    cannot be known yet (torchvision's CIFAR not downloaded)."""
    if name == "synthetic":
        return tuple(synthetic_sizes)  # type: ignore[return-value]
    root = data_root(data_dir)
    if is_image_folder(root):
        return tuple(sum(len(f) for f in image_files(root / split).values()) for split in ("train", "test"))  # type: ignore[return-value]
    present = name in _TORCHVISION and (root / _TORCHVISION[name][1]).is_dir()
    return _OFFICIAL_SIZES[name] if present else None


# -- batches ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Augment:
    """Training-time augmentation: random crop after zero padding, horizontal flip."""

    crop_padding: int = 0
    flip: bool = False


class Normalise:
    """uint8 pixels to what the model reads: ``(x / 255 - mean) / std`` per channel, computed as
    ``(x - 255 mean) / (255 std)`` with the two constants made once, on the images' device."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], device: torch.device | str = "cpu") -> None:
        self.mean = (torch.tensor(mean, device=device) * 255).view(1, -1, 1, 1)
        self.std = (torch.tensor(std, device=device) * 255).view(1, -1, 1, 1)

    def __call__(self, images: Tensor) -> Tensor:
        return (images.float() - self.mean) / self.std


class BatchStream:
    """Batches of normalised float images from uint8 tensors, augmented where they live.

    All random draws of an epoch (order, crop offsets, flips) come from a generator seeded
    by ``(seed, epoch)`` and are made on the CPU in one go, so an epoch is the same on any
    device and after a resume, and the GPU path needs no host synchronisation per step.
    """

    def __init__(
        self,
        x: Tensor,
        y: Tensor,
        batch_size: int,
        mean: tuple[float, ...],
        std: tuple[float, ...],
        device: torch.device,
        augment: Augment | None = None,
        shuffle: bool = False,
        drop_last: bool = False,
        channels_last: bool = False,
        seed: int = 0,
    ):
        if batch_size < 1:
            raise UsageError(f"batch size must be positive, got {batch_size}")
        self.x = x.to(device)
        self.y = y.to(device)
        self.batch_size = batch_size
        self.device = device
        self.augment = augment or Augment()
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.channels_last = channels_last
        self.seed = seed
        self.normalise = Normalise(mean, std, device)

    def __len__(self) -> int:
        return batch_count(len(self.y), self.batch_size, self.drop_last)

    @property
    def num_images(self) -> int:
        return len(self) * self.batch_size if self.drop_last else len(self.y)

    def _draws(self, epoch: int) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """The epoch's order, crop offsets and flips, drawn on the CPU from one generator seeded by
        ``(seed, epoch)`` and moved to the device in one copy each."""
        n = len(self.y)
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        order = torch.randperm(n, generator=g) if self.shuffle else torch.arange(n)
        pad = self.augment.crop_padding
        offsets = torch.randint(0, 2 * pad + 1, (2, n), generator=g) if pad else None
        flips = torch.rand(n, generator=g) < 0.5 if self.augment.flip else None
        return (order.to(self.device), None if offsets is None else offsets.to(self.device),
                None if flips is None else flips.to(self.device))

    def _images(self, idx: Tensor, offsets: Tensor | None, flips: Tensor | None, side: int | None) -> Tensor:
        """The images ``idx``, cropped at ``offsets`` and flipped where ``flips`` says, normalised,
        scaled to ``side`` (if given) and laid out as the stream's memory format asks."""
        x = self.x[idx]
        if offsets is not None:
            x = _random_crop(x, offsets, self.augment.crop_padding)
        if flips is not None:
            x = torch.where(flips[:, None, None, None], x.flip(-1), x)
        x = self.normalise(x)
        if side is not None:
            x = F.interpolate(x, size=(side, side), mode="bilinear", antialias=True, align_corners=False)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def epoch(self, epoch: int, side: int | None = None) -> Iterator[tuple[Tensor, Tensor]]:
        """The batches of ``epoch``, each made when it is asked for; with ``side``, scaled to side x
        side pixels (bilinear, with antialiasing, after the augmentation: a recipe's
        progressive-resizing stage)."""
        order, offsets, flips = self._draws(epoch)
        for start in range(0, self.num_images, self.batch_size):
            end = start + self.batch_size
            idx = order[start:end]
            yield (self._images(idx, None if offsets is None else offsets[:, start:end],
                                None if flips is None else flips[start:end], side), self.y[idx])

    def prepare(self, epoch: int, side: int | None = None, dtype: torch.dtype | None = None) -> EpochBatches:
        """The whole of ``epoch`` made at once: the same batches as :meth:`epoch`, bit for bit, as
        slices of one tensor of the epoch's images (cast to ``dtype`` if given: the precision that
        autocast gives the first convolution anyway), so that a training step only takes a slice."""
        order, offsets, flips = self._draws(epoch)
        used = self.num_images
        x = self._images(order[:used], None if offsets is None else offsets[:, :used],
                         None if flips is None else flips[:used], side)
        return EpochBatches(x if dtype is None else x.to(dtype), self.y[order[:used]], self.batch_size)


@dataclass(frozen=True)
class EpochBatches:
    """One epoch's images, ready for the model, and their labels; batch ``i`` is a slice of both."""

    x: Tensor
    y: Tensor
    batch_size: int

    def __len__(self) -> int:
        return batch_count(len(self.y), self.batch_size, drop_last=False)

    def batch(self, i: int) -> tuple[Tensor, Tensor]:
        start = i * self.batch_size
        return self.x[start : start + self.batch_size], self.y[start : start + self.batch_size]

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        return (self.batch(i) for i in range(len(self)))


def _random_crop(x: Tensor, offsets: Tensor, pad: int) -> Tensor:
    """Crop each image of ``x`` at its own offset from a zero-padded copy (vectorised)."""
    b, c, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    rows = (offsets[0][:, None] + torch.arange(h, device=x.device))[:, None, :, None]
    cols = (offsets[1][:, None] + torch.arange(w, device=x.device))[:, None, None, :]
    batch = torch.arange(b, device=x.device)[:, None, None, None]
    chan = torch.arange(c, device=x.device)[None, :, None, None]
    return padded[batch, chan, rows, cols]
