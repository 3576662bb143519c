"""A parameter count as the fingerprint of an architecture.

Source 000 publishes parameter counts of seven CIFAR variants but not their configurations.
Because a count is a sum of exactly known terms, we can enumerate candidate architectures,
count each one exactly, and keep those whose count equals (or comes nearest to) the
published one. Two counts of the same model for different class numbers also give away
the width of the last layer: each extra class costs ``features + 1`` parameters.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .architectures import PAPER_MODULES, cifar_network
from .errors import UsageError
from .layers import layer_table
from .specs import Network


def final_features(params_a: int, classes_a: int, params_b: int, classes_b: int) -> int:
    """Width of the last linear layer's input, from one model's counts at two class numbers."""
    per_class, remainder = divmod(params_b - params_a, classes_b - classes_a)
    if remainder:
        raise UsageError(
            f"the counts {params_a:,} ({classes_a} classes) and {params_b:,} ({classes_b} classes) "
            "differ by no whole number of parameters per class: they are not one model with a "
            "different final linear layer"
        )
    return per_class - 1


def stage_layout(names: Iterable[str]) -> str:
    """``["3a", "3b", "4a", "5b"]`` -> ``"3a 3b | 4a | 5b"``: a stride-2 pool between stages."""
    groups: list[list[str]] = []
    for name in names:
        if groups and groups[-1][-1][0] == name[0]:
            groups[-1].append(name)
        else:
            groups.append([name])
    return " | ".join(" ".join(g) for g in groups)


def removal_layouts(modules: str = "3a 3b 4a 4b 4c 4d 4e 5a 5b", keep_last: bool = True) -> Iterator[str]:
    """Every layout left after removing any modules (order kept). ``keep_last`` keeps the
    final module, so the network still ends with the same width."""
    names = modules.split()
    body, last = (names[:-1], [names[-1]]) if keep_last else (names, [])
    for k in range(len(body) + 1):
        for kept in itertools.combinations(body, k):
            if kept or last:
                yield stage_layout([*kept, *last])


def insertion_layouts(modules: str = "3a 3b 4a 4b 4c 4d 4e 5a 5b", count: int = 2) -> Iterator[str]:
    """Every layout with ``count`` extra copies of paper modules inserted anywhere.

    Positions that break the stage order (a stage-3 module after a stage-4 one) are skipped.
    """
    names = modules.split()
    seen: set[str] = set()
    for extra in itertools.combinations_with_replacement(sorted(PAPER_MODULES), count):
        for positions in itertools.combinations_with_replacement(range(len(names) + 1), count):
            seq = list(names)
            for offset, (pos, module) in enumerate(zip(positions, extra)):
                seq.insert(pos + offset, module)
            if [n[0] for n in seq] != sorted(n[0] for n in seq):
                continue
            layout = stage_layout(seq)
            if layout not in seen:
                seen.add(layout)
                yield layout


@dataclass(frozen=True)
class Match:
    """One candidate: its layout, exact count, distance to the target, and its MACs."""

    layout: str
    params: int
    difference: int
    macs: int

    @property
    def exact(self) -> bool:
        return self.difference == 0


def search(
    target: int,
    layouts: Iterable[str],
    num_classes: int = 10,
    make: Callable[[str, str], Network] = cifar_network,
    top: int = 5,
) -> list[Match]:
    """The ``top`` layouts whose exact parameter count is nearest ``target`` (exact ones first).

    ``make(name, layout)`` turns a layout into a spec; ties in distance are kept in order of
    fewer MACs first.
    """
    matches = []
    for layout in layouts:
        table = layer_table(make("candidate", layout), num_classes=num_classes)
        matches.append(Match(layout, table.total_params, table.total_params - target, table.total_macs))
    matches.sort(key=lambda m: (abs(m.difference), m.macs, m.layout))
    return matches[:top]
