"""What the 1x1 bottleneck saves, and what Inception v3's factorisations save, in exact integers.

A convolution with a ``k x k`` kernel from ``c_in`` to ``c_out`` channels on an ``h x w``
output costs ``h*w*k*k*c_in*c_out`` MACs and holds ``k*k*c_in*c_out`` weights. Putting a
1x1 reduction to ``r`` channels in front replaces that by ``h*w*c_in*r + h*w*k*k*r*c_out``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .architectures import get_spec, naive_network
from .models import layer_table
from .specs import Network
from .tables import Table


@dataclass(frozen=True)
class Cost:
    macs: int
    weights: int

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(self.macs + other.macs, self.weights + other.weights)


def conv_cost(h: int, w: int, c_in: int, c_out: int, kh: int, kw: int | None = None) -> Cost:
    """MACs and weights of one convolution producing an ``h x w`` output (biases not counted)."""
    kw = kh if kw is None else kw
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


def _module_inputs(spec: Network) -> dict[str, tuple[int, int, int]]:
    """Each Inception module's input shape at the spec's input size."""
    table = layer_table(spec)
    return {r.block: r.in_shape for r in table.layer_rows if r.kind == "concat"}


def bottleneck_table(name: str = "inception-v1") -> Table:
    """For every module, the 3x3 and 5x5 branches with and without their 1x1 reductions."""
    spec = get_spec(name, aux_logits=False)
    inputs = _module_inputs(spec)
    rows = []
    for m in spec.inceptions:
        c_in, h, w = inputs[m.name]
        for branch, kernel, c_out, reduce in (("3x3", 3, m.n3x3, m.n3x3_reduce), ("5x5", 5, m.n5x5, m.n5x5_reduce)):
            if reduce is None:
                continue
            direct, reduced = branch_costs(h, w, c_in, c_out, kernel, reduce)
            rows.append(
                {
                    "module": m.name,
                    "branch": branch,
                    "input": (c_in, h, w),
                    "reduce to": reduce,
                    "MACs without": direct.macs,
                    "MACs with": reduced.macs,
                    "MACs ratio": round(direct.macs / reduced.macs, 2),
                    "weights without": direct.weights,
                    "weights with": reduced.weights,
                    "weights ratio": round(direct.weights / reduced.weights, 2),
                }
            )
    return Table(
        tuple(rows[0]),
        rows,
        title=f"{spec.title}: each branch without / with its 1x1 reduction (exact, per image)",
    )


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
    return Table(("network", "output channels", "params", "MACs"), rows, title=f"{spec.title}: naive against bottleneck")


def factorisations(c_in: int, c_out: int, c_mid: int | None = None, h: int = 1, w: int = 1) -> Table:
    """Inception v3's factorisations of one convolution, exact weights and MACs.

    * a 5x5 as two stacked 3x3 (``c_in -> c_mid -> c_out``; v3 keeps ``c_mid = c_out``),
    * a 3x3 as a 1x3 followed by a 3x1 (``c_in -> c_mid -> c_out``).

    With ``c_in == c_mid == c_out`` the savings are 1 - 18/25 = 28% and 1 - 6/9 = 33%,
    source 004's figures; with other widths they differ, and can even be negative.
    """
    mid = c_out if c_mid is None else c_mid
    five = conv_cost(h, w, c_in, c_out, 5)
    two_three = conv_cost(h, w, c_in, mid, 3) + conv_cost(h, w, mid, c_out, 3)
    three = conv_cost(h, w, c_in, c_out, 3)
    asym = conv_cost(h, w, c_in, mid, 1, 3) + conv_cost(h, w, mid, c_out, 3, 1)
    rows = [
        {"replace": "5x5", "by": "3x3 then 3x3", "weights before": five.weights, "weights after": two_three.weights,
         "MACs before": five.macs, "MACs after": two_three.macs, "saving": round(1 - two_three.weights / five.weights, 4)},
        {"replace": "3x3", "by": "1x3 then 3x1", "weights before": three.weights, "weights after": asym.weights,
         "MACs before": three.macs, "MACs after": asym.macs, "saving": round(1 - asym.weights / three.weights, 4)},
    ]
    return Table(tuple(rows[0]), rows, title=f"factorising a convolution {c_in} -> {mid} -> {c_out} channels at {h}x{w}")
