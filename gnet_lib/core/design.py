"""The Inception module as a design: what each branch contributes and what it costs.

The paper argues from Arora et al.'s layer-by-layer construction that a module should cover
clusters of correlated units with 1x1, 3x3 and 5x5 convolutions, and that "the ratio of 3x3 and
5x5 convolutions should increase as we move to higher layers". The functions here measure each
module of a spec against that claim, branch by branch, using the one branch layout of
:func:`gnet_lib.core.specs.inception_branches`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from .architectures import get_spec
from .layers import LayerRow, layer_table, walk
from .specs import BRANCH_NAMES, Classifier, FiveByFive, Inception, Network, branch_widths

LARGE = ("b3x3", "b5x5")
#: How the book names each branch: by its main layer (a branch includes its reduction or projection).
BRANCH_LABELS = {"b1x1": "1x1", "b3x3": "3x3", "b5x5": "5x5", "bpool": "pool"}


@dataclass(frozen=True)
class BranchShare:
    """One module's output channels, by branch."""

    module: str
    widths: dict[str, int]

    @property
    def out_channels(self) -> int:
        return sum(self.widths.values())

    def share(self, *branches: str) -> float:
        """The fraction of the module's output channels that ``branches`` produce."""
        return sum(self.widths[b] for b in branches) / self.out_channels

    @property
    def large_share(self) -> float:
        """The fraction produced by the 3x3 and 5x5 branches."""
        return self.share(*LARGE)


def output_shares(name: str = "inception-v1") -> list[BranchShare]:
    """The branch shares of every Inception module of a model, in order."""
    spec = get_spec(name, aux_logits=False)
    inputs = layer_table(spec).module_inputs()
    return [BranchShare(m.name, branch_widths(m, inputs[m.name][0])) for m in spec.inceptions]


def falls(values: dict[str, float]) -> list[str]:
    """The keys whose value is lower than the value of the key before them (in order)."""
    names = list(values)
    return [b for a, b in pairwise(names) if values[b] < values[a]]


def stage_means(values: dict[str, float]) -> dict[str, float]:
    """The mean value of each stage, a stage being the modules whose names start with the same digit."""
    stages: dict[str, list[float]] = {}
    for module, value in values.items():
        stages.setdefault(module[0], []).append(value)
    return {stage: sum(v) / len(v) for stage, v in stages.items()}


def module_rows(module: Inception, input_shape: tuple[int, ...], five_by_five: FiveByFive = "5x5") -> list[LayerRow]:
    """The layer rows of one module on an input of ``input_shape`` (C, H, W), from the same walk
    as the whole network's table: every branch layer, then the concatenation."""
    c, h, w = input_shape
    spec = Network(name=f"inception ({module.name})", title=f"inception ({module.name})", input_size=(c, h, w),
                   num_classes=1, layers=(module,), classifier=Classifier(), five_by_five=five_by_five)
    return [r for r in walk(spec) if r.block == module.name]


def branch_macs(module: Inception, input_shape: tuple[int, ...], five_by_five: FiveByFive = "5x5") -> dict[str, int]:
    """Multiply-accumulates of each branch of ``module`` per image, reductions included."""
    macs = dict.fromkeys(BRANCH_NAMES, 0)
    for row in module_rows(module, input_shape, five_by_five):
        if row.kind != "concat":
            macs[row.module.split(".")[2]] += row.macs
    return macs
