"""Figures published by the sources, held as data so the book can set them beside ours.

Source 000: a blog post training seven GoogLeNet variants on CIFAR-10 and CIFAR-100 for 14
epochs (Adadelta, PyTorch 1.6, CUDA 10.2, GPU not named). Its errors are printed with two
decimals; times are wall-clock for the 14 epochs. Torchvision's documentation: the ImageNet
accuracy of its GoogLeNet weights.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedRun:
    model: str
    top1_error: float
    top5_error: float
    params: int
    time: str

    @property
    def seconds(self) -> int:
        """``"52m38s"`` -> 3158."""
        minutes, seconds = self.time.rstrip("s").split("m")
        return int(minutes) * 60 + int(seconds)


SOURCE_000: dict[str, dict[str, PublishedRun]] = {
    "cifar100": {
        "naive": PublishedRun("naive", 0.36, 0.09, 65_736_148, "52m38s"),
        "googlenet": PublishedRun("googlenet", 0.34, 0.10, 6_258_500, "29m8s"),
        "long": PublishedRun("long", 0.35, 0.10, 9_641_924, "36m41s"),
        "short": PublishedRun("short", 0.32, 0.09, 5_271_652, "23m11s"),
        "short2": PublishedRun("short2", 0.32, 0.09, 3_523_556, "16m29s"),
        "short3": PublishedRun("short3", 0.36, 0.11, 1_985_220, "9m3s"),
        "short4": PublishedRun("short4", 0.44, 0.15, 1_650_084, "8m56s"),
    },
    "cifar10": {
        "naive": PublishedRun("naive", 0.15, 0.01, 65_291_098, "52m51s"),
        "googlenet": PublishedRun("googlenet", 0.10, 0.00, 6_166_250, "28m45s"),
        "long": PublishedRun("long", 0.11, 0.00, 9_549_674, "40m12s"),
        "short": PublishedRun("short", 0.10, 0.00, 5_179_402, "27m30s"),
        "short2": PublishedRun("short2", 0.10, 0.00, 3_431_306, "31m57s"),
        "short3": PublishedRun("short3", 0.11, 0.00, 1_892_970, "26m31s"),
        "short4": PublishedRun("short4", 0.15, 0.01, 1_557_834, "25m30s"),
    },
}

#: Source 003: its GoogLeNet (with auxiliary heads) against AlexNet, parameters and the
#: inference-time ratio it measured on its own machine.
SOURCE_003 = {
    "googlenet_params": 13_370_744,
    "alexnet_params": 61_100_840,
    "param_ratio": 4.57,
    "inference_time_ratio": 3.07,
}

#: Source 004's rounded savings of the Inception v3 factorisations.
SOURCE_004 = {"5x5_as_two_3x3": 0.28, "3x3_as_1x3_3x1": 0.33}

#: Source 000's size claims (its introduction): GoogLeNet has about 6.8 million parameters,
#: 9 times fewer than AlexNet and 20 times fewer than VGG-16.
SOURCE_000_SIZE = {"googlenet_params": 6_800_000, "fewer_than_alexnet": 9, "fewer_than_vgg16": 20}

#: Source 003's PASCAL VOC 07+12 experiment (20 classes, 40,058 training and 12,032 test
#: images, batch 128, Adam at 1e-3, 100 epochs): per run, the best and the last epoch's test
#: accuracy and the wall time its log prints, and the two accuracies its conclusion states.
SOURCE_003_VOC = {
    "classes": 20,
    "train_images": 40_058,
    "test_images": 12_032,
    "runs": {
        "googlenet, lr x0.96 every 8 epochs": {"best": 0.742603, "last": 0.7420, "time": "152m46s"},
        "googlenet, lr x0.9 every 4 epochs": {"best": 0.742354, "last": 0.7271, "time": "152m21s"},
        "alexnet, lr x0.9 every 4 epochs": {"best": 0.707613, "last": 0.7037, "time": "62m33s"},
    },
    "stated": {"googlenet": 0.7423, "alexnet": 0.7037},
}


# What came after GoogLeNet: published ILSVRC-2012 classification figures of its successors (and
# its own, for comparison), each from one table of its paper, with what was evaluated and how.


@dataclass(frozen=True)
class ImageNetResult:
    """One published ILSVRC-2012 classification figure (errors in percent).

    ``models`` networks were averaged over ``crops`` crops of each image (``crops`` is None for
    ResNet's dense multi-scale evaluation, which is not a count of crops); ``split`` is the
    validation or the test set, ``images`` how many of its images were used.
    """

    network: str
    year: int  # when the figure first appeared (the paper's arXiv version)
    paper: str  # the BibTeX key in book/references.bib
    where: str  # the table (or figure) of that paper that prints it
    models: int
    crops: int | None
    split: str
    images: str
    top5: float
    top1: float | None = None
    note: str = ""

    @property
    def evaluation(self) -> str:
        """``"1 model, 1 crop"``, ``"1 model, 144 crops"``, ``"7 models, 144 crops"``..."""
        views = "dense, several scales" if self.crops is None else f"{self.crops} crop{'s' if self.crops > 1 else ''}"
        return f"{self.models} model{'s' if self.models > 1 else ''}, {views}"


#: The papers behind :data:`IMAGENET_RESULTS`, by BibTeX key, as a table names them.
PAPERS = {
    "szegedy2015going": "Szegedy et al. 2015",
    "ioffe2015batch": "Ioffe and Szegedy 2015",
    "szegedy2016rethinking": "Szegedy et al. 2016",
    "he2016deep": "He et al. 2016",
    "szegedy2017inception": "Szegedy et al. 2017",
}

_VAL = "validation"
_NON_BLACKLISTED = "the 48,238 non-blacklisted"

IMAGENET_RESULTS: tuple[ImageNetResult, ...] = (
    ImageNetResult("GoogLeNet", 2014, "szegedy2015going", "Table 3", 1, 1, _VAL, "50,000", 10.07),
    ImageNetResult("GoogLeNet", 2014, "szegedy2015going", "Table 3", 1, 144, _VAL, "50,000", 7.89),
    ImageNetResult("GoogLeNet", 2014, "szegedy2015going", "Table 3", 7, 144, _VAL, "50,000", 6.67),
    ImageNetResult("GoogLeNet", 2014, "szegedy2015going", "Table 2", 7, 144, "test", "100,000", 6.67,
                   note="ILSVRC 2014 entry, 1st place"),
    ImageNetResult("GoogLeNet, reported by Inception v3", 2015, "szegedy2016rethinking", "Table 3", 1, 1, _VAL,
                   _NON_BLACKLISTED, 9.2, 29.0,
                   note="same architecture; the paper does not say which trained model"),
    ImageNetResult("BN-Inception", 2015, "ioffe2015batch", "Figure 4", 1, 1, _VAL, "50,000", 7.82, 25.2),
    ImageNetResult("BN-Inception", 2015, "ioffe2015batch", "Figure 4", 1, 144, _VAL, "50,000", 5.82, 21.99),
    ImageNetResult("BN-Inception", 2015, "ioffe2015batch", "Figure 4", 6, 144, _VAL, "50,000", 4.9, 20.1),
    ImageNetResult("BN-Inception", 2015, "ioffe2015batch", "Figure 4", 6, 144, "test", "100,000", 4.82,
                   note="evaluated by the ILSVRC test server; not a competition entry"),
    ImageNetResult("Inception v3", 2015, "szegedy2016rethinking", "Table 3", 1, 1, _VAL, _NON_BLACKLISTED, 5.6, 21.2,
                   note="299x299 input, as for Inception v4 and Inception-ResNet-v2"),
    ImageNetResult("Inception v3", 2015, "szegedy2016rethinking", "Table 4", 1, 144, _VAL, _NON_BLACKLISTED, 4.2, 18.77),
    ImageNetResult("Inception v3", 2015, "szegedy2016rethinking", "Table 5", 4, 144, _VAL, _NON_BLACKLISTED, 3.46, 17.2,
                   note="top-5 from the table's footnote; the table itself prints the test-set figure"),
    ImageNetResult("Inception v3", 2015, "szegedy2016rethinking", "Table 5", 4, 144, "test", "100,000", 3.58,
                   note="the table's top-5 figure, which its footnote marks as the only one on the test set"),
    ImageNetResult("ResNet-152", 2015, "he2016deep", "Table 3", 1, 10, _VAL, "50,000", 5.71, 21.43),
    ImageNetResult("ResNet-152", 2015, "he2016deep", "Table 4", 1, None, _VAL, "50,000", 4.49, 19.38),
    ImageNetResult("ResNet", 2015, "he2016deep", "Table 5", 6, None, "test", "100,000", 3.57,
                   note="ILSVRC 2015 entry, 1st place; the six models have different depths"),
    ImageNetResult("Inception v4", 2016, "szegedy2017inception", "Table 1", 1, 1, _VAL, "the non-blacklisted", 5.0, 20.0),
    ImageNetResult("Inception-ResNet-v2", 2016, "szegedy2017inception", "Table 1", 1, 1, _VAL, "the non-blacklisted",
                   4.9, 19.9),
    ImageNetResult("Inception v4", 2016, "szegedy2017inception", "Table 3", 1, 144, _VAL, "50,000", 3.8, 17.7),
    ImageNetResult("Inception-ResNet-v2", 2016, "szegedy2017inception", "Table 3", 1, 144, _VAL, "50,000", 3.7, 17.8),
    ImageNetResult("Inception v4 and Inception-ResNet-v2", 2016, "szegedy2017inception", "Table 4", 4, 144, _VAL, "50,000",
                   3.1, 16.4, note="one Inception v4 and three Inception-ResNet-v2"),
    ImageNetResult("Inception v4 and Inception-ResNet-v2", 2016, "szegedy2017inception", "Table 4", 4, 144, "test",
                   "100,000", 3.08, note="from the table's caption; evaluated once on the test server"),
)

#: The Inception v3 paper evaluates on the 48,238 non-blacklisted validation images and says (section 10)
#: that on all 50,000 its errors were about this many points higher, in percent.
V3_SUBSET_EFFECT = {"top-5": 0.1, "top-1": 0.2}

#: The cost column of the Inception v3 paper's Table 3 ("Cost Bn Ops"): billions of multiply-adds per
#: image, single-crop inference.
V3_TABLE3_COST = {"GoogLeNet": 1.5, "BN-Inception": 2.0}


@dataclass(frozen=True)
class PublishedAccuracy:
    """An accuracy published for a set of ImageNet weights, in percent, with how it was measured."""

    model: str
    top1_accuracy: float
    top5_accuracy: float
    dataset: str
    evaluation: str
    citation: str  # the key of the entry in book/references.bib

    @property
    def top1_error(self) -> float:
        """Top-1 error in percent: 100 minus the top-1 accuracy (rounded to the printed digits)."""
        return round(100 - self.top1_accuracy, 3)

    @property
    def top5_error(self) -> float:
        """Top-5 error in percent: 100 minus the top-5 accuracy (rounded to the printed digits)."""
        return round(100 - self.top5_accuracy, 3)


#: Torchvision's published accuracy of ``GoogLeNet_Weights.IMAGENET1K_V1`` (its model documentation,
#: and the ``_metrics`` of the weights' metadata in the installed torchvision, which a test compares):
#: one crop per image, the shorter side resized to 256 and the centre 224x224 taken. No weights are
#: downloaded to quote it.
TORCHVISION_GOOGLENET = PublishedAccuracy(
    model="torchvision googlenet, weights IMAGENET1K_V1",
    top1_accuracy=69.778,
    top5_accuracy=89.53,
    dataset="ImageNet-1K validation set",
    evaluation="1 crop: shorter side resized to 256, centre 224x224",
    citation="torchvision2024googlenetweights",
)
