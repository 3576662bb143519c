"""Two networks' multiply-accumulates stage by stage, and where the difference comes from.

Made for the comparison students miss: source 000's CIFAR model ``googlenet`` runs the paper's
nine Inception modules on 32x32 images without the stem's downsampling, so its modules see 32x32,
16x16 and 8x8 maps where the paper's ``inception-v1`` sees 28x28, 14x14 and 7x7 ones, and the
small-image network costs about as much as the paper's at 224x224. :func:`stage_cost_table`
splits each stage's difference into the part the map size explains (the reference network's own
modules run on the other's maps) and the part the modules' branches explain.
"""

from __future__ import annotations

from dataclasses import dataclass

from .anatomy import module_footprint, row_stages
from .layers import LayerTable
from .specs import Inception
from .tables import Table


@dataclass(frozen=True)
class StageCost:
    """One stage of a network: the side of the maps it reads and of those it hands on, its MACs
    per image, and its Inception modules with the channels each reads (none for stem and head)."""

    stage: str
    side_in: int
    side_out: int
    macs: int
    modules: tuple[tuple[Inception, int], ...]

    @property
    def maps(self) -> str:
        """``"28x28"`` for a stage of modules, ``"224x224 to 28x28"`` for the stem."""
        square = f"{self.side_in}x{self.side_in}"
        return square if self.side_in == self.side_out else f"{square} to {self.side_out}x{self.side_out}"


def stage_costs(table: LayerTable) -> list[StageCost]:
    """The inference path of ``table`` by stage: the stem (its input side and the side it hands
    on), each stage of Inception modules (the side its modules read), the head (the side it pools)."""
    rows = [r for r in table.layer_rows if r.main_path]
    inputs = table.module_inputs()
    modules = {m.name: m for m in table.spec.layers if isinstance(m, Inception)}
    macs: dict[str, int] = {}
    for r, (stage, _) in zip(rows, row_stages(rows), strict=True):
        macs[stage] = macs.get(stage, 0) + r.macs
    out = []
    for stage, total in macs.items():
        members: tuple[tuple[Inception, int], ...] = ()
        if stage == "stem":
            sides = (table.input_size[1], next(iter(inputs.values()), table.last_feature_map)[1])
        elif stage == "head":
            sides = (table.last_feature_map[1], 1)
        else:
            names = [name for name in inputs if name[0] == stage]
            sides = (inputs[names[0]][1], inputs[names[0]][1])
            members = tuple((modules[name], inputs[name][0]) for name in names)
        out.append(StageCost(stage, *sides, total, members))
    return out


def resized_macs(stage: StageCost, side: int) -> int:
    """What ``stage``'s own Inception modules would cost on ``side`` x ``side`` maps."""
    return sum(module_footprint(module, channels, side)["MACs"] for module, channels in stage.modules)


def same_modules(a: StageCost, b: StageCost) -> bool:
    """Whether two stages hold the same Inception modules (by name, in order)."""
    return bool(a.modules) and [m.name for m, _ in a.modules] == [m.name for m, _ in b.modules]


def size_label(table: LayerTable) -> str:
    """The input size a table was computed for: ``"224x224"``."""
    return f"{table.input_size[1]}x{table.input_size[2]}"


def _label(stage: str) -> str:
    return stage if stage in ("stem", "head") else f"stage {stage}"


def stage_cost_table(other: LayerTable, reference: LayerTable) -> Table:
    """MACs per image of ``other`` against ``reference``, stage by stage: the maps each works on,
    the MACs of each, and between them the reference's own Inception modules run on ``other``'s
    maps (what the map size alone changes; only where a stage holds the same modules in both).
    Stages are matched by name (stem, 3, 4, 5, head)."""
    a, b = reference.spec.name, other.spec.name
    ours = {s.stage: s for s in stage_costs(other)}
    resized = f"on {b}'s maps"
    rows = []
    for ref in stage_costs(reference):
        mine = ours.get(ref.stage)
        rows.append({
            "stage": _label(ref.stage),
            "maps": f"{ref.maps}; {mine.maps}" if mine else ref.maps,
            a: ref.macs,
            resized: resized_macs(ref, mine.side_in) if mine and same_modules(ref, mine) else None,
            b: mine.macs if mine else None,
        })
    rows.append({"stage": "whole network", a: reference.main_path_macs, b: other.main_path_macs})
    title = f"MACs per image, stage by stage: {b} at {size_label(other)} against {a} at {size_label(reference)}"
    notes = [f"maps: {a}'s; {b}'s", f"{resized}: {a}'s own Inception modules run on {b}'s maps"]
    return Table(tuple(rows[0]), rows, title=title, notes=notes)
