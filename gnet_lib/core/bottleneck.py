"""What the 1x1 bottleneck saves, in exact integers: one branch, one module, the whole network.

A convolution with a ``k x k`` kernel from ``c_in`` to ``c_out`` channels on an ``h x w``
output costs ``h*w*k*k*c_in*c_out`` MACs and holds ``k*k*c_in*c_out`` weights. Putting a
1x1 reduction to ``r`` channels in front replaces that by ``h*w*c_in*r + h*w*k*k*r*c_out``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .architectures import PAPER_MODULES, get_spec, naive_network
from .errors import UsageError
from .layers import layer_table
from .specs import Inception, inception_branches
from .tables import Table

Count = Literal["MACs", "weights"]

#: Readable names of the branches of :func:`~gnet_lib.core.specs.inception_branches`.
BRANCH_LABELS = {"b1x1": "1x1", "b3x3": "3x3", "b5x5": "5x5", "bpool": "pool"}


@dataclass(frozen=True)
class Cost:
    macs: int
    weights: int

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.macs + other.macs, self.weights + other.weights)


def conv_cost(h: int, w: int, c_in: int, c_out: int, kh: int, kw: int | None = None) -> Cost:
    """MACs and weights of one convolution producing an ``h x w`` output (biases not counted); a
    size, width or kernel that is not a positive whole number is a :class:`UsageError`."""
    kw = kh if kw is None else kw
    for name, value in (("h", h), ("w", w), ("c_in", c_in), ("c_out", c_out), ("kh", kh), ("kw", kw)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(f"a convolution's {name} must be a positive whole number, got {value!r}")
    weights = kh * kw * c_in * c_out
    return Cost(h * w * weights, weights)


def branch_costs(h: int, w: int, c_in: int, c_out: int, kernel: int, reduce: int) -> tuple[Cost, Cost]:
    """One branch (``kernel x kernel`` conv to ``c_out``) without and with a 1x1 reduction to ``reduce``.

    >>> without, with_ = branch_costs(28, 28, 192, 32, 5, 16)   # inception (3a), 5x5 branch
    >>> without.macs, with_.macs
    (120422400, 12443648)
    """
    direct = conv_cost(h, w, c_in, c_out, kernel)
    reduced = conv_cost(h, w, c_in, reduce, 1) + conv_cost(h, w, reduce, c_out, kernel)
    return direct, reduced


def module_costs(module: Inception, c_in: int, h: int, w: int) -> dict[str, tuple[Cost, int]]:
    """Each branch of ``module`` on a ``c_in x h x w`` input: its cost and its output channels.

    The branches are read from :func:`~gnet_lib.core.specs.inception_branches`; every convolution
    keeps the ``h x w`` size and the 3x3 max pool costs nothing.
    """
    out = {}
    for branch, units in inception_branches(module).items():
        cost, width = Cost(0, 0), c_in
        for unit in units:
            if not unit.is_pool:
                cost += conv_cost(h, w, width, unit.conv_width, unit.kernel)
                width = unit.conv_width
        out[branch] = (cost, width)
    return out


def module_comparison(name: str = "3a") -> Table:
    """One module of the paper, naive against with its 1x1 reductions, on the input it receives
    in GoogLeNet: each branch's output channels, weights and MACs, and the module's totals."""
    module = PAPER_MODULES[name]
    c_in, h, w = layer_table("inception-v1", aux_logits=False).module_inputs()[name]
    naive, reduced = module_costs(module.naive(), c_in, h, w), module_costs(module, c_in, h, w)
    rows: list[dict[str, Any]] = []
    for branch, label in BRANCH_LABELS.items():
        (n_cost, n_out), (r_cost, r_out) = naive[branch], reduced[branch]
        rows.append({"branch": label, "naive out": n_out, "naive weights": n_cost.weights, "naive MACs": n_cost.macs,
                     "reduced out": r_out, "reduced weights": r_cost.weights, "reduced MACs": r_cost.macs})
    total: dict[str, Any] = {"branch": "module"}
    for column in tuple(rows[0])[1:]:
        total[column] = sum(r[column] for r in rows)
    rows.append(total)
    return Table(tuple(rows[0]), rows, title=f"inception ({name}) on {c_in}x{h}x{w}: naive against reduced (exact, per image)")


def bottleneck_table(name: str = "inception-v1", count: Count = "MACs") -> Table:
    """For every module, the 3x3 and 5x5 branches with and without their 1x1 reductions.

    Both sides produce the same ``h x w`` output, so the ratio is the same for MACs and weights.
    """
    spec = get_spec(name, aux_logits=False)
    inputs = layer_table(spec).module_inputs()
    rows = []
    for m in spec.inceptions:
        c_in, h, w = inputs[m.name]
        for branch, kernel, c_out, reduce in (("3x3", 3, m.n3x3, m.n3x3_reduce), ("5x5", 5, m.n5x5, m.n5x5_reduce)):
            if reduce is None:
                continue
            costs = branch_costs(h, w, c_in, c_out, kernel, reduce)
            direct, reduced = (c.macs if count == "MACs" else c.weights for c in costs)
            rows.append({"module": m.name, "branch": branch, "input": (c_in, h, w), "reduce to": reduce,
                         f"{count} without": direct, f"{count} with": reduced, "ratio": round(direct / reduced, 2)})
    return Table(tuple(rows[0]), rows, title=f"{spec.title}: {count} of each branch without / with its 1x1 reduction",
                 formats={"ratio": ".2f"})


def whole_network_comparison(name: str = "inception-v1") -> Table:
    """Whole network: naive modules against modules with 1x1 bottlenecks (main path only)."""
    spec = get_spec(name, aux_logits=False)
    rows = []
    for label, s in (("with 1x1 bottlenecks", spec), ("naive modules", naive_network(spec))):
        t = layer_table(s)
        width = t.where(name="avg pool")[0]["input"][0]
        rows.append({"network": label, "output channels": width, "params": t.total_params, "MACs": t.total_macs})
    rows.append(
        {
            "network": "naive / bottleneck",
            "params": round(rows[1]["params"] / rows[0]["params"], 2),
            "MACs": round(rows[1]["MACs"] / rows[0]["MACs"], 2),
        }
    )
    return Table(("network", "output channels", "params", "MACs"), rows, title=f"{spec.title}: naive against bottleneck",
                 formats={"params": ".2f", "MACs": ".2f"})
